// Tristate numbers ("tnums") as Linux's kernel/bpf/tnum.c defines them: a 64-bit value whose
// bits are each known-0, known-1 or unknown, as (value, mask) with value & mask == 0. In: two
// tnums or a tnum and a shift; out: a new tnum. The verifier keeps one per register as its
// "var_off". All arithmetic is modulo 2^64 on unsigned bigints; nothing here knows registers.

export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

export const U64_MAX = (1n << 64n) - 1n;
export const U32_MAX_N = 0xffffffffn;

const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

export const tnum = (value: bigint, mask: bigint): Tnum => ({ value, mask });
export const TNUM_UNKNOWN: Tnum = { value: 0n, mask: U64_MAX };
export const TNUM_ZERO: Tnum = { value: 0n, mask: 0n };

export function tnumConst(value: bigint): Tnum {
  return { value: u64(value), mask: 0n };
}

/** Number of significant bits of a u64 (fls64). */
function fls64(x: bigint): number {
  if (x <= 0xffffffffn) return 32 - Math.clz32(Number(x));
  return 64 - Math.clz32(Number(x >> 32n));
}

/** The smallest tnum containing every value in [min, max] (unsigned). */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = min ^ max;
  const bits = fls64(chi);
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = (1n << BigInt(bits)) - 1n;
  return { value: min & ~delta & U64_MAX, mask: delta };
}

export const tnumIsConst = (a: Tnum): boolean => a.mask === 0n;
export const tnumIsUnknown = (a: Tnum): boolean => a.mask === U64_MAX;
export const tnumEqualsConst = (a: Tnum, b: bigint): boolean => a.mask === 0n && a.value === b;

export const tnumLshift = (a: Tnum, shift: number): Tnum => ({
  value: u64(a.value << BigInt(shift)),
  mask: u64(a.mask << BigInt(shift)),
});
export const tnumRshift = (a: Tnum, shift: number): Tnum => ({
  value: a.value >> BigInt(shift),
  mask: a.mask >> BigInt(shift),
});

/** Arithmetic right shift in 32- or 64-bit width by the minimum shift amount. */
export function tnumArshift(a: Tnum, minShift: number, bitness: 32 | 64): Tnum {
  const s = BigInt(minShift);
  if (bitness === 32) {
    return {
      value: BigInt.asUintN(32, BigInt.asIntN(32, a.value) >> s),
      mask: BigInt.asUintN(32, BigInt.asIntN(32, a.mask) >> s),
    };
  }
  return { value: u64(BigInt.asIntN(64, a.value) >> s), mask: u64(BigInt.asIntN(64, a.mask) >> s) };
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  if (a.mask === 0n && b.mask === 0n) return tnumConst(a.value + b.value);
  const sm = u64(a.mask + b.mask);
  const sv = u64(a.value + b.value);
  const sigma = u64(sm + sv);
  const chi = sigma ^ sv;
  const mu = chi | a.mask | b.mask;
  return { value: sv & ~mu & U64_MAX, mask: mu };
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  if (a.mask === 0n && b.mask === 0n) return tnumConst(a.value - b.value);
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return { value: dv & ~mu & U64_MAX, mask: mu };
}

export const tnumNeg = (a: Tnum): Tnum => tnumSub(TNUM_ZERO, a);

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return { value: v, mask: alpha & beta & ~v & U64_MAX };
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return { value: v, mask: mu & ~v & U64_MAX };
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return { value: v & ~mu & U64_MAX, mask: mu };
}

/** Long multiplication over the bits of a (Linux's tnum_mul). */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  if (a.mask === 0n && b.mask === 0n) return tnumConst(a.value * b.value);
  const accV = u64(a.value * b.value);
  let accM: Tnum = TNUM_ZERO;
  while (a.value !== 0n || a.mask !== 0n) {
    if ((a.value & 1n) !== 0n) accM = tnumAdd(accM, { value: 0n, mask: b.mask });
    else if ((a.mask & 1n) !== 0n) accM = tnumAdd(accM, { value: 0n, mask: b.value | b.mask });
    a = tnumRshift(a, 1);
    b = tnumLshift(b, 1);
  }
  return tnumAdd({ value: accV, mask: 0n }, accM);
}

/** Both a and b are known to describe the value: combine their knowledge. */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return { value: v & ~mu & U64_MAX, mask: mu };
}

/** Keep the low `size` bytes. */
export function tnumCast(a: Tnum, size: number): Tnum {
  const m = size >= 8 ? U64_MAX : (1n << BigInt(size * 8)) - 1n;
  return { value: a.value & m, mask: a.mask & m };
}

export const tnumIsAligned = (a: Tnum, size: number): boolean =>
  size === 0 || ((a.value | a.mask) & BigInt(size - 1)) === 0n;

/** True when every value b can hold, a can hold too. */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if ((b.mask & ~a.mask) !== 0n) return false;
  return a.value === (b.value & ~a.mask & U64_MAX);
}

export const tnumSubreg = (a: Tnum): Tnum => tnumCast(a, 4);
export const tnumClearSubreg = (a: Tnum): Tnum => tnumLshift(tnumRshift(a, 32), 32);
export const tnumWithSubreg = (reg: Tnum, subreg: Tnum): Tnum => tnumOr(tnumClearSubreg(reg), tnumSubreg(subreg));
export const tnumSubregIsConst = (a: Tnum): boolean => (a.mask & U32_MAX_N) === 0n;

export const tnumEquals = (a: Tnum, b: Tnum): boolean => a.value === b.value && a.mask === b.mask;

/** The kernel log's form: a constant prints as a signed decimal, else "(0x..; 0x..)". */
export function tnumToString(a: Tnum): string {
  if (a.mask === 0n) return BigInt.asIntN(64, a.value).toString();
  return `(0x${a.value.toString(16)}; 0x${a.mask.toString(16)})`;
}
