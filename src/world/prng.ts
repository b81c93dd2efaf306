// The world's random numbers: sfc32 (Chris Doty-Humphrey's small fast chaotic generator)
// over four int32 words, seeded through splitmix32 so every seed gives a well-mixed state.
// In: a numeric seed. Out: uint32 draws. Not for cryptography, and never Math.random: the
// same seed must give the same world on every run and every machine.

/** Mixes a 32-bit value (splitmix32 finaliser); used to expand seeds into generator state. */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Bits of a simulation draw. Draws are 30-bit so that they stay small integers (Smis) in V8
 * across calls that are not inlined: a uint32 above 2^30 would be boxed, an allocation per draw.
 */
export const DRAW_BITS = 30;
export const DRAW_RANGE = 2 ** DRAW_BITS;

/** mix32 narrowed to a 30-bit draw: a second, decorrelated draw derived from one. */
export function mix30(x: number): number {
  // mix32 repeated rather than called: a uint32 returned across a call that is not inlined is boxed.
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 2;
}

export class Sfc32 {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  /** seed: any safe integer (negative and > 2^32 values are folded in, not truncated away). */
  constructor(seed: number, stream = 0) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
    this.a = mix32(lo ^ 0x243f6a88);
    this.b = mix32(hi ^ 0x85a308d3);
    this.c = mix32((stream * 0x9e3779b9) ^ 0x13198a2e);
    this.d = 1;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Next uint32. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    const c = (this.c << 21) | (this.c >>> 11);
    this.c = (c + t) | 0;
    return t >>> 0;
  }

  /** A 30-bit draw (see DRAW_BITS). */
  draw(): number {
    // next() inlined: small enough that V8 inlines draw() into the hot paths.
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    const c = (this.c << 21) | (this.c >>> 11);
    this.c = (c + t) | 0;
    return t >>> 2;
  }

  /** Uniform integer in [0, n) for n ≤ 2^32 (multiply-shift; bias below 2^-32 · n). */
  below(n: number): number {
    return Math.floor((this.next() / 0x1_0000_0000) * n);
  }

  /** Uniform float in [0, 1). */
  unit(): number {
    return this.next() / 0x1_0000_0000;
  }

  /** Snapshot/restore of the four words, for tests and forks of a stream. */
  state(): [number, number, number, number] {
    return [this.a, this.b, this.c, this.d];
  }
}
