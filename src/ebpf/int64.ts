// 64-bit integers as (lo, hi) pairs of int32 — the form the interpreter and the JIT keep
// registers in — and the named width conversions. In: int32 halves. Out: the low word as the
// return value and the high word in the live binding `hi` (read it right after the call; it
// is overwritten by the next call). Not: memory access or register files. BigInt appears only
// in the edge conversions and in 64-bit division whose operands do not fit in 2^53.

/** High word of the last 64-bit result returned by a function of this module. */
export let hi = 0;

// ── width conversions on JS numbers ──────────────────────────────────────────────────────
export const u8 = (x: number): number => x & 0xff;
export const u16 = (x: number): number => x & 0xffff;
export const u32 = (x: number): number => x >>> 0;
export const i8 = (x: number): number => (x << 24) >> 24;
export const i16 = (x: number): number => (x << 16) >> 16;
export const i32 = (x: number): number => x | 0;

// ── conversions between pairs and bigint (edges only: printing, tests, rare paths) ───────
const MASK32 = 0xffffffffn;

/** The pair as an unsigned 64-bit bigint. */
export function toU64(lo: number, h: number): bigint {
  return (BigInt(h >>> 0) << 32n) | BigInt(lo >>> 0);
}
/** The pair as a signed 64-bit bigint. */
export function toI64(lo: number, h: number): bigint {
  return (BigInt(h | 0) << 32n) | BigInt(lo >>> 0);
}
/** Low word (int32) of any bigint taken modulo 2^64. */
export function loOf(v: bigint): number {
  return Number(v & MASK32) | 0;
}
/** High word (int32) of any bigint taken modulo 2^64. */
export function hiOf(v: bigint): number {
  return Number((v >> 32n) & MASK32) | 0;
}
/** Wraps a bigint to u64 / i64. */
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
export const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);
/** The pair as an unsigned JS number; exact only below 2^53. */
export function toUnsignedNumber(lo: number, h: number): number {
  return (h >>> 0) * 0x1_0000_0000 + (lo >>> 0);
}

// ── arithmetic ───────────────────────────────────────────────────────────────────────────
export function add(alo: number, ahi: number, blo: number, bhi: number): number {
  const lo = (alo + blo) | 0;
  hi = (ahi + bhi + ((lo >>> 0) < (alo >>> 0) ? 1 : 0)) | 0;
  return lo;
}

export function sub(alo: number, ahi: number, blo: number, bhi: number): number {
  const lo = (alo - blo) | 0;
  hi = (ahi - bhi - ((alo >>> 0) < (blo >>> 0) ? 1 : 0)) | 0;
  return lo;
}

export function neg(lo: number, h: number): number {
  const r = -lo | 0;
  hi = (~h + (r === 0 ? 1 : 0)) | 0;
  return r;
}

/** High 32 bits of the unsigned 32×32-bit product, from 16-bit limbs (every partial product is exact). */
export function mulhiU32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

export function mul(alo: number, ahi: number, blo: number, bhi: number): number {
  hi = (mulhiU32(alo, blo) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
  return Math.imul(alo, blo);
}

const TWO53_HI = 0x200000; // a pair with (hi >>> 0) below this is below 2^53

/** Unsigned division; division by zero gives 0 as RFC 9669 defines. */
export function udiv(alo: number, ahi: number, blo: number, bhi: number): number {
  if (ahi === 0 && bhi === 0) {
    hi = 0;
    return blo === 0 ? 0 : ((alo >>> 0) / (blo >>> 0)) >>> 0;
  }
  if (blo === 0 && bhi === 0) {
    hi = 0;
    return 0;
  }
  if (ahi >>> 0 < TWO53_HI && bhi >>> 0 < TWO53_HI) {
    // Both exact as doubles; the quotient of integers below 2^53 rounds down correctly.
    const q = Math.floor(toUnsignedNumber(alo, ahi) / toUnsignedNumber(blo, bhi));
    hi = Math.floor(q / 0x1_0000_0000) | 0;
    return q >>> 0;
  }
  const q = toU64(alo, ahi) / toU64(blo, bhi);
  hi = hiOf(q);
  return loOf(q);
}

/** Unsigned remainder; modulo by zero leaves the dividend unchanged (RFC 9669). */
export function umod(alo: number, ahi: number, blo: number, bhi: number): number {
  if (ahi === 0 && bhi === 0) {
    hi = 0;
    return blo === 0 ? alo : ((alo >>> 0) % (blo >>> 0)) | 0;
  }
  if (blo === 0 && bhi === 0) {
    hi = ahi;
    return alo;
  }
  if (ahi >>> 0 < TWO53_HI && bhi >>> 0 < TWO53_HI) {
    const r = toUnsignedNumber(alo, ahi) % toUnsignedNumber(blo, bhi);
    hi = Math.floor(r / 0x1_0000_0000) | 0;
    return r | 0;
  }
  const r = toU64(alo, ahi) % toU64(blo, bhi);
  hi = hiOf(r);
  return loOf(r);
}

/**
 * Signed division truncating toward zero; by zero gives 0; INT64_MIN / -1 gives INT64_MIN
 * (the quotient's magnitude 2^63 wraps back to itself), as Linux computes it.
 */
export function sdiv(alo: number, ahi: number, blo: number, bhi: number): number {
  const negA = ahi < 0;
  const negB = bhi < 0;
  let ml = alo;
  let mh = ahi;
  if (negA) {
    ml = neg(alo, ahi);
    mh = hi;
  }
  let nl = blo;
  let nh = bhi;
  if (negB) {
    nl = neg(blo, bhi);
    nh = hi;
  }
  const q = udiv(ml, mh, nl, nh);
  return negA !== negB ? neg(q, hi) : q;
}

/** Signed remainder with the dividend's sign; by zero leaves the dividend unchanged. */
export function smod(alo: number, ahi: number, blo: number, bhi: number): number {
  const negA = ahi < 0;
  let ml = alo;
  let mh = ahi;
  if (negA) {
    ml = neg(alo, ahi);
    mh = hi;
  }
  let nl = blo;
  let nh = bhi;
  if (bhi < 0) {
    nl = neg(blo, bhi);
    nh = hi;
  }
  if (nl === 0 && nh === 0) {
    hi = ahi;
    return alo;
  }
  const r = umod(ml, mh, nl, nh);
  return negA ? neg(r, hi) : r;
}

// 32-bit division: operands are the low words; results are int32 (callers zero-extend).
export function udiv32(a: number, b: number): number {
  return b === 0 ? 0 : ((a >>> 0) / (b >>> 0)) | 0;
}
export function umod32(a: number, b: number): number {
  return b === 0 ? a | 0 : ((a >>> 0) % (b >>> 0)) | 0;
}
/** INT32_MIN / -1 is INT32_MIN (the double quotient 2^31 wraps with |0). */
export function sdiv32(a: number, b: number): number {
  return b === 0 ? 0 : Math.trunc((a | 0) / (b | 0)) | 0;
}
export function smod32(a: number, b: number): number {
  return b === 0 ? a | 0 : ((a | 0) % (b | 0)) | 0;
}

// ── shifts: the count is masked to the width (63), as RFC 9669 requires ──────────────────
export function lsh(lo: number, h: number, n: number): number {
  n &= 63;
  if (n === 0) {
    hi = h;
    return lo;
  }
  if (n < 32) {
    hi = (h << n) | (lo >>> (32 - n));
    return lo << n;
  }
  hi = lo << (n - 32);
  return 0;
}

export function rsh(lo: number, h: number, n: number): number {
  n &= 63;
  if (n === 0) {
    hi = h;
    return lo;
  }
  if (n < 32) {
    hi = (h >>> n) | 0;
    return (lo >>> n) | (h << (32 - n));
  }
  hi = 0;
  return (h >>> (n - 32)) | 0;
}

export function arsh(lo: number, h: number, n: number): number {
  n &= 63;
  if (n === 0) {
    hi = h;
    return lo;
  }
  if (n < 32) {
    hi = h >> n;
    return (lo >>> n) | (h << (32 - n));
  }
  hi = h >> 31;
  return h >> (n - 32);
}

// ── comparisons ──────────────────────────────────────────────────────────────────────────
export const eq = (alo: number, ahi: number, blo: number, bhi: number): boolean => alo === blo && ahi === bhi;
export function ltU(alo: number, ahi: number, blo: number, bhi: number): boolean {
  return ahi === bhi ? alo >>> 0 < blo >>> 0 : ahi >>> 0 < bhi >>> 0;
}
export function leU(alo: number, ahi: number, blo: number, bhi: number): boolean {
  return ahi === bhi ? alo >>> 0 <= blo >>> 0 : ahi >>> 0 < bhi >>> 0;
}
export function ltS(alo: number, ahi: number, blo: number, bhi: number): boolean {
  return ahi === bhi ? alo >>> 0 < blo >>> 0 : (ahi | 0) < (bhi | 0);
}
export function leS(alo: number, ahi: number, blo: number, bhi: number): boolean {
  return ahi === bhi ? alo >>> 0 <= blo >>> 0 : (ahi | 0) < (bhi | 0);
}

// ── byte swaps and sign extension ────────────────────────────────────────────────────────
/** Swaps the low 16 bits; the result is zero-extended. */
export function bswap16(x: number): number {
  hi = 0;
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}
/** Swaps the low 32 bits; the result is zero-extended. */
export function bswap32(x: number): number {
  hi = 0;
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}
export function bswap64(lo: number, h: number): number {
  const nl = bswap32(h);
  hi = bswap32(lo);
  return nl;
}
/** Sign-extends the low 8 / 16 / 32 bits to 64. */
export function sext8(x: number): number {
  const v = (x << 24) >> 24;
  hi = v >> 31;
  return v;
}
export function sext16(x: number): number {
  const v = (x << 16) >> 16;
  hi = v >> 31;
  return v;
}
export function sext32(x: number): number {
  hi = x >> 31;
  return x | 0;
}
