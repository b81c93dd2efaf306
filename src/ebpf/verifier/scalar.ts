// Scalar bounds as Linux tracks them: for each register a tnum plus signed and unsigned
// min/max in 64 and 32 bits, kept consistent by reg_bounds_sync. In: registers and an ALU op or
// a load size; out: the registers' bounds updated in place. This file does not decide what is
// legal (alu.ts, branch.ts do) and does not compare (compare.ts); it computes what a value can be.

import { BPF_ADD, BPF_AND, BPF_ARSH, BPF_LSH, BPF_MUL, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR } from '../isa.js';
import {
  TNUM_UNKNOWN, U64_MAX, tnumAdd, tnumAnd, tnumArshift, tnumCast, tnumClearSubreg, tnumConst, tnumIntersect,
  tnumIsConst, tnumLshift, tnumMul, tnumOr, tnumRange, tnumRshift, tnumSub, tnumSubreg, tnumSubregIsConst,
  tnumWithSubreg, tnumXor,
} from './tnum.js';
import {
  Reg, S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, mark32Unbounded, mark64Unbounded, markUnbounded, setKnown,
} from './state.js';

const M32 = 0xffffffffn;
const S32_MIN_N = BigInt(S32_MIN);
const S32_MAX_N = BigInt(S32_MAX);
const HI32 = U64_MAX ^ M32;
const asS64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const asU64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const lo32 = (x: bigint): number => Number(x & M32);
const maxB = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const minB = (a: bigint, b: bigint): bigint => (a < b ? a : b);

// ── reg_bounds_sync ──────────────────────────────────────────────────────────────────────

function updateReg32Bounds(r: Reg): void {
  const v = lo32(r.varOff.value);
  const m = lo32(r.varOff.mask);
  r.s32min = Math.max(r.s32min, v | (m & 0x80000000));
  r.s32max = Math.min(r.s32max, (v | (m & 0x7fffffff)) | 0);
  r.u32min = Math.max(r.u32min, v >>> 0);
  r.u32max = Math.min(r.u32max, (v | m) >>> 0);
}

function updateReg64Bounds(r: Reg): void {
  const { value, mask } = r.varOff;
  r.smin = maxB(r.smin, asS64(value | (mask & (1n << 63n))));
  r.smax = minB(r.smax, asS64(value | (mask & S64_MAX)));
  r.umin = maxB(r.umin, value);
  r.umax = minB(r.umax, value | mask);
}

export function updateRegBounds(r: Reg): void {
  updateReg32Bounds(r);
  updateReg64Bounds(r);
}

function reg32DeduceBounds(r: Reg): void {
  if (r.umin >> 32n === r.umax >> 32n) {
    const a = lo32(r.umin);
    const b = lo32(r.umax);
    r.u32min = Math.max(r.u32min, a);
    r.u32max = Math.min(r.u32max, b);
    if ((a | 0) <= (b | 0)) {
      r.s32min = Math.max(r.s32min, a | 0);
      r.s32max = Math.min(r.s32max, b | 0);
    }
  }
  if (r.smin >> 32n === r.smax >> 32n) {
    const a = lo32(r.smin);
    const b = lo32(r.smax);
    if (a <= b) {
      r.u32min = Math.max(r.u32min, a);
      r.u32max = Math.min(r.u32max, b);
    }
    if ((a | 0) <= (b | 0)) {
      r.s32min = Math.max(r.s32min, a | 0);
      r.s32max = Math.min(r.s32max, b | 0);
    }
  }
  // Upper halves one apart while the low halves cross zero as signed: still one s32 range.
  if (((lo32(r.umin >> 32n) + 1) >>> 0) === lo32(r.umax >> 32n) && (lo32(r.umin) | 0) < 0 && (lo32(r.umax) | 0) >= 0) {
    r.s32min = Math.max(r.s32min, lo32(r.umin) | 0);
    r.s32max = Math.min(r.s32max, lo32(r.umax) | 0);
  }
  if (((lo32(r.smin >> 32n) + 1) >>> 0) === lo32(r.smax >> 32n) && (lo32(r.smin) | 0) < 0 && (lo32(r.smax) | 0) >= 0) {
    r.s32min = Math.max(r.s32min, lo32(r.smin) | 0);
    r.s32max = Math.min(r.s32max, lo32(r.smax) | 0);
  }
  if ((r.u32min | 0) <= (r.u32max | 0)) {
    r.s32min = Math.max(r.s32min, r.u32min | 0);
    r.s32max = Math.min(r.s32max, r.u32max | 0);
  }
  if (r.s32min >>> 0 <= r.s32max >>> 0) {
    r.u32min = Math.max(r.u32min, r.s32min >>> 0);
    r.u32max = Math.min(r.u32max, r.s32max >>> 0);
  }
}

function reg64DeduceBounds(r: Reg): void {
  if (asS64(r.umin) <= asS64(r.umax)) {
    r.smin = maxB(r.smin, asS64(r.umin));
    r.smax = minB(r.smax, asS64(r.umax));
  }
  if (asU64(r.smin) <= asU64(r.smax)) {
    r.umin = maxB(r.umin, asU64(r.smin));
    r.umax = minB(r.umax, asU64(r.smax));
  } else if (r.umax < asU64(r.smin)) {
    // Only the non-negative half of the s64 range meets the u64 range: the values are
    // [umin, min(umax, smax)] (Linux compares umax as signed here, wrong when umax >= 2^63).
    const hi = minB(r.umax, asU64(r.smax));
    r.umax = hi;
    r.smin = asS64(r.umin);
    r.smax = asS64(hi);
  } else if (asU64(r.smax) < r.umin) {
    // Only the negative half of the s64 range meets the u64 range: the values are
    // [max(umin, (u64)smin), umax]. (Linux takes max(smin, (s64)umin), which is wrong when
    // umin is below 2^63; this is the exact intersection.)
    const lo = maxB(r.umin, asU64(r.smin));
    r.umin = lo;
    r.smin = asS64(lo);
    r.smax = asS64(r.umax);
  }
}

function regDeduceMixedBounds(r: Reg): void {
  const newUmin = (r.umin & HI32) | BigInt(r.u32min);
  const newUmax = (r.umax & HI32) | BigInt(r.u32max);
  r.umin = maxB(r.umin, newUmin);
  r.umax = minB(r.umax, newUmax);
  const newSmin = asS64((asU64(r.smin) & HI32) | BigInt(r.u32min));
  const newSmax = asS64((asU64(r.smax) & HI32) | BigInt(r.u32max));
  r.smin = maxB(r.smin, newSmin);
  r.smax = minB(r.smax, newSmax);
  if (r.s32min >= 0 && r.smin >= S32_MIN_N && r.smax <= S32_MAX_N) {
    r.smin = BigInt(r.s32min);
    r.smax = BigInt(r.s32max);
    r.umin = BigInt(r.s32min);
    r.umax = BigInt(r.s32max);
    r.varOff = tnumIntersect(r.varOff, tnumRange(r.umin, r.umax));
  }
}

function regDeduceBounds(r: Reg): void {
  reg32DeduceBounds(r);
  reg64DeduceBounds(r);
  regDeduceMixedBounds(r);
}

function regBoundOffset(r: Reg): void {
  const var64 = tnumIntersect(r.varOff, tnumRange(r.umin, r.umax));
  const var32 = tnumIntersect(tnumSubreg(var64), tnumRange(BigInt(r.u32min), BigInt(r.u32max)));
  r.varOff = tnumOr(tnumClearSubreg(var64), var32);
}

function boundsSane(r: Reg): boolean {
  return r.umin <= r.umax && r.smin <= r.smax && r.u32min <= r.u32max && r.s32min <= r.s32max;
}

const SMALL = 0x7fffffffn;

/**
 * reg_bounds_sync for a value known to lie in [0, 2^31): every view (u64, s64, u32, s32) is the
 * same range, so one interval and the low 31 bits of the tnum say it all, in plain numbers.
 */
function syncSmall(r: Reg): void {
  // Bits from 31 up are known zero: the range says so.
  const v = Number(r.varOff.value & SMALL);
  const m = Number(r.varOff.mask & SMALL);
  let lo = Math.max(Number(r.umin), Number(r.smin), r.u32min, r.s32min, v);
  let hi = Math.min(Number(r.umax), Number(r.smax), r.u32max, r.s32max, v | m);
  if (lo > hi) {
    markUnbounded(r);
    return;
  }
  // tnum_intersect(var_off, tnum_range(lo, hi)), then the bounds the new tnum implies.
  const chi = lo ^ hi;
  const delta = chi === 0 ? 0 : (2 ** (32 - Math.clz32(chi))) - 1;
  const rv = lo & ~delta;
  const nv = (v | rv) & ~(m & delta);
  const nm = m & delta;
  lo = Math.max(lo, nv);
  hi = Math.min(hi, nv | nm);
  if (lo > hi) {
    markUnbounded(r);
    return;
  }
  r.varOff = { value: BigInt(nv), mask: BigInt(nm) };
  const blo = BigInt(lo);
  const bhi = BigInt(hi);
  r.umin = blo;
  r.smin = blo;
  r.umax = bhi;
  r.smax = bhi;
  r.u32min = lo;
  r.s32min = lo;
  r.u32max = hi;
  r.s32max = hi;
}

/**
 * The kernel's reg_bounds_sync. A constant needs no deduction. Bounds that contradict each
 * other (a dead branch) are reset to unknown, as Linux does outside its self-tests.
 */
export function regBoundsSync(r: Reg): void {
  if (r.varOff.mask === 0n) {
    const v = r.varOff.value;
    if (v < r.umin || v > r.umax || asS64(v) < r.smin || asS64(v) > r.smax) {
      markUnbounded(r);
      return;
    }
    setKnown(r, v);
    return;
  }
  // Nothing to learn about a value with no known bit and no bound.
  if (r.varOff.mask === U64_MAX && r.umin === 0n && r.umax === U64_MAX && r.smin === S64_MIN && r.smax === S64_MAX &&
    r.u32min === 0 && r.u32max === U32_MAX && r.s32min === S32_MIN && r.s32max === S32_MAX) {
    return;
  }
  if (r.smin >= 0n && r.umax <= SMALL && (r.varOff.value | r.varOff.mask) <= SMALL) {
    syncSmall(r);
    return;
  }
  updateRegBounds(r);
  // Linux deduces three times; stopping once a round changes nothing gives the same result.
  for (let i = 0; i < 3; i++) {
    const { umin, umax, smin, smax, u32min, u32max, s32min, s32max } = r;
    regDeduceBounds(r);
    if (umin === r.umin && umax === r.umax && smin === r.smin && smax === r.smax && u32min === r.u32min &&
      u32max === r.u32max && s32min === r.s32min && s32max === r.s32max) break;
  }
  regBoundOffset(r);
  updateRegBounds(r);
  if (!boundsSane(r)) markUnbounded(r);
}

// ── width conversions ────────────────────────────────────────────────────────────────────

/** ALU32 results are zero-extended: the 64-bit bounds become the 32-bit ones. */
export function zext32To64(r: Reg): void {
  r.varOff = tnumSubreg(r.varOff);
  r.umin = BigInt(r.u32min);
  r.umax = BigInt(r.u32max);
  if (r.s32min >= 0 && r.s32max >= 0) {
    r.smin = BigInt(r.s32min);
    r.smax = BigInt(r.s32max);
  } else {
    r.smin = 0n;
    r.smax = BigInt(U32_MAX);
  }
}

/** A zero-extending load of `size` bytes (or a truncation): coerce_reg_to_size. */
export function coerceRegToSize(r: Reg, size: number): void {
  if (size >= 8) return;
  r.varOff = tnumCast(r.varOff, size);
  const mask = (1n << BigInt(size * 8)) - 1n;
  if ((r.umin & ~mask) === (r.umax & ~mask)) {
    r.umin &= mask;
    r.umax &= mask;
  } else {
    r.umin = 0n;
    r.umax = mask;
  }
  r.smin = r.umin;
  r.smax = r.umax;
  if (size < 4) mark32Unbounded(r);
  regBoundsSync(r);
}

const SEXT_MIN: Readonly<Record<number, number>> = { 1: -0x80, 2: -0x8000, 4: S32_MIN };
const SEXT_MAX: Readonly<Record<number, number>> = { 1: 0x7f, 2: 0x7fff, 4: S32_MAX };
const sext = (v: bigint, size: number): bigint => BigInt.asIntN(size * 8, v);

/** A sign-extending load or movsx of `size` bytes into 64 bits: coerce_reg_to_size_sx. */
export function coerceRegToSizeSx(r: Reg, size: number): void {
  if (tnumIsConst(r.varOff)) {
    setKnown(r, sext(r.varOff.value, size));
    return;
  }
  const bits = BigInt(size * 8);
  const topMax = (asU64(r.smax) >> bits) << bits;
  const topMin = (asU64(r.smin) >> bits) << bits;
  if (topMax === topMin) {
    const a = sext(asU64(r.smax), size);
    const b = sext(asU64(r.smin), size);
    const hi = maxB(a, b);
    const lo = minB(a, b);
    if (hi >= 0n === lo >= 0n) {
      r.smin = lo;
      r.smax = hi;
      r.s32min = Number(lo);
      r.s32max = Number(hi);
      r.umin = asU64(lo);
      r.umax = asU64(hi);
      r.u32min = lo32(asU64(lo));
      r.u32max = lo32(asU64(hi));
      r.varOff = tnumRange(asU64(lo), asU64(hi));
      return;
    }
  }
  r.smin = BigInt(SEXT_MIN[size]!);
  r.smax = BigInt(SEXT_MAX[size]!);
  r.s32min = SEXT_MIN[size]!;
  r.s32max = SEXT_MAX[size]!;
  r.umin = 0n;
  r.umax = U64_MAX;
  r.u32min = 0;
  r.u32max = U32_MAX;
  r.varOff = TNUM_UNKNOWN;
}

/** movsx in 32 bits (w1 = (s8)w2): coerce_subreg_to_size_sx; the caller zero-extends. */
export function coerceSubregToSizeSx(r: Reg, size: number): void {
  if (tnumIsConst(r.varOff)) {
    const v = sext(r.varOff.value & M32, size);
    r.varOff = tnumConst(v);
    const u = lo32(asU64(v));
    r.s32min = r.s32max = u | 0;
    r.u32min = r.u32max = u;
    return;
  }
  r.s32min = SEXT_MIN[size]!;
  r.s32max = SEXT_MAX[size]!;
  r.u32min = 0;
  r.u32max = U32_MAX;
  r.varOff = tnumSubreg(TNUM_UNKNOWN);
}

// ── ALU on two scalars (adjust_scalar_min_max_vals) ────────────────────────────────────────

function inS32(x: number): boolean {
  return x >= S32_MIN && x <= S32_MAX;
}
function inS64(x: bigint): boolean {
  return x >= S64_MIN && x <= S64_MAX;
}

function add32(d: Reg, s: Reg): void {
  const smin = d.s32min + s.s32min;
  const smax = d.s32max + s.s32max;
  if (!inS32(smin) || !inS32(smax)) {
    d.s32min = S32_MIN;
    d.s32max = S32_MAX;
  } else {
    d.s32min = smin;
    d.s32max = smax;
  }
  const umin = d.u32min + s.u32min;
  const umax = d.u32max + s.u32max;
  const minOv = umin > U32_MAX;
  const maxOv = umax > U32_MAX;
  d.u32min = umin >>> 0;
  d.u32max = umax >>> 0;
  if (!minOv && maxOv) {
    d.u32min = 0;
    d.u32max = U32_MAX;
  }
}

function add64(d: Reg, s: Reg): void {
  const smin = d.smin + s.smin;
  const smax = d.smax + s.smax;
  if (!inS64(smin) || !inS64(smax)) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    d.smin = smin;
    d.smax = smax;
  }
  const umin = d.umin + s.umin;
  const umax = d.umax + s.umax;
  const minOv = umin > U64_MAX;
  const maxOv = umax > U64_MAX;
  d.umin = asU64(umin);
  d.umax = asU64(umax);
  if (!minOv && maxOv) {
    d.umin = 0n;
    d.umax = U64_MAX;
  }
}

function sub32(d: Reg, s: Reg): void {
  const smin = d.s32min - s.s32max;
  const smax = d.s32max - s.s32min;
  if (!inS32(smin) || !inS32(smax)) {
    d.s32min = S32_MIN;
    d.s32max = S32_MAX;
  } else {
    d.s32min = smin;
    d.s32max = smax;
  }
  const minUnder = d.u32min < s.u32max;
  const maxUnder = d.u32max < s.u32min;
  d.u32min = (d.u32min - s.u32max) >>> 0;
  d.u32max = (d.u32max - s.u32min) >>> 0;
  if (minUnder && !maxUnder) {
    d.u32min = 0;
    d.u32max = U32_MAX;
  }
}

function sub64(d: Reg, s: Reg): void {
  const smin = d.smin - s.smax;
  const smax = d.smax - s.smin;
  if (!inS64(smin) || !inS64(smax)) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    d.smin = smin;
    d.smax = smax;
  }
  const minUnder = d.umin < s.umax;
  const maxUnder = d.umax < s.umin;
  d.umin = asU64(d.umin - s.umax);
  d.umax = asU64(d.umax - s.umin);
  if (minUnder && !maxUnder) {
    d.umin = 0n;
    d.umax = U64_MAX;
  }
}

function mul32(d: Reg, s: Reg): void {
  const umax = d.u32max * s.u32max;
  const umin = d.u32min * s.u32min;
  if (umax > U32_MAX || umin > U32_MAX) {
    d.u32min = 0;
    d.u32max = U32_MAX;
  } else {
    d.u32min = umin;
    d.u32max = umax;
  }
  const p = [d.s32min * s.s32min, d.s32min * s.s32max, d.s32max * s.s32min, d.s32max * s.s32max];
  if (!p.every(inS32)) {
    d.s32min = S32_MIN;
    d.s32max = S32_MAX;
  } else {
    d.s32min = Math.min(...p);
    d.s32max = Math.max(...p);
  }
}

function mul64(d: Reg, s: Reg): void {
  const umax = d.umax * s.umax;
  const umin = d.umin * s.umin;
  if (umax > U64_MAX || umin > U64_MAX) {
    d.umin = 0n;
    d.umax = U64_MAX;
  } else {
    d.umin = umin;
    d.umax = umax;
  }
  const p = [d.smin * s.smin, d.smin * s.smax, d.smax * s.smin, d.smax * s.smax];
  if (!p.every(inS64)) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    d.smin = p.reduce(minB);
    d.smax = p.reduce(maxB);
  }
}

function mark32Known(d: Reg, v: bigint): void {
  d.varOff = tnumWithSubreg(d.varOff, tnumConst(v));
  const u = lo32(v);
  d.u32min = d.u32max = u;
  d.s32min = d.s32max = u | 0;
}

/** and/or/xor in 32 bits, after var_off has been computed: bounds from the tnum. */
function bitwise32(d: Reg, s: Reg, op: number): void {
  const v32 = tnumSubreg(d.varOff);
  if (tnumSubregIsConst(s.varOff) && tnumSubregIsConst(d.varOff)) {
    mark32Known(d, v32.value);
    return;
  }
  if (op === BPF_AND) {
    d.u32min = lo32(v32.value);
    d.u32max = Math.min(d.u32max, s.u32max);
  } else if (op === BPF_OR) {
    d.u32min = Math.max(d.u32min, s.u32min);
    d.u32max = lo32(v32.value | v32.mask);
  } else {
    d.u32min = lo32(v32.value);
    d.u32max = lo32(v32.value | v32.mask);
  }
  if ((d.u32min | 0) <= (d.u32max | 0)) {
    d.s32min = d.u32min | 0;
    d.s32max = d.u32max | 0;
  } else {
    d.s32min = S32_MIN;
    d.s32max = S32_MAX;
  }
}

function bitwise64(d: Reg, s: Reg, op: number): void {
  if (tnumIsConst(s.varOff) && tnumIsConst(d.varOff)) {
    setKnown(d, d.varOff.value);
    return;
  }
  if (op === BPF_AND) {
    d.umin = d.varOff.value;
    d.umax = minB(d.umax, s.umax);
  } else if (op === BPF_OR) {
    d.umin = maxB(d.umin, s.umin);
    d.umax = d.varOff.value | d.varOff.mask;
  } else {
    d.umin = d.varOff.value;
    d.umax = d.varOff.value | d.varOff.mask;
  }
  if (asS64(d.umin) <= asS64(d.umax)) {
    d.smin = asS64(d.umin);
    d.smax = asS64(d.umax);
  } else {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  }
  updateRegBounds(d);
}

function lsh32Bounds(d: Reg, umin: number, umax: number): void {
  d.s32min = S32_MIN;
  d.s32max = S32_MAX;
  if (umax > 31 || d.u32max > 2 ** (31 - umax)) {
    d.u32min = 0;
    d.u32max = U32_MAX;
  } else {
    d.u32min = (d.u32min * 2 ** umin) >>> 0;
    d.u32max = (d.u32max * 2 ** umax) >>> 0;
  }
}

function lsh64Bounds(d: Reg, umin: number, umax: number): void {
  d.smax = umin === 32 && umax === 32 && d.s32max >= 0 ? BigInt(d.s32max) << 32n : S64_MAX;
  d.smin = umin === 32 && umax === 32 && d.s32min >= 0 ? BigInt(d.s32min) << 32n : S64_MIN;
  if (d.umax > 1n << BigInt(63 - umax)) {
    d.umin = 0n;
    d.umax = U64_MAX;
  } else {
    d.umin = asU64(d.umin << BigInt(umin));
    d.umax = asU64(d.umax << BigInt(umax));
  }
}

/**
 * dst = dst op src for two scalars, in 64 or 32 bits. Ops whose result range Linux does not
 * compute (div, mod, shifts by a non-constant) give an unknown value.
 */
export function scalarAlu(d: Reg, s: Reg, op: number, alu32: boolean): void {
  const bits = alu32 ? 32 : 64;
  const srcConst = alu32
    ? tnumSubregIsConst(s.varOff) && s.s32min === s.s32max && s.u32min === s.u32max
    : tnumIsConst(s.varOff) && s.smin === s.smax && s.umin === s.umax;
  const isShift = op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH;
  const computable =
    op === BPF_ADD || op === BPF_SUB || op === BPF_AND || op === BPF_OR || op === BPF_XOR || op === BPF_MUL ||
    (isShift && srcConst && (alu32 ? s.u32max : Number(s.umax > 64n ? 64n : s.umax)) < bits);
  if (!computable) {
    markUnbounded(d);
    return;
  }
  // Two constants: the result is exact, whatever the op (fast path, same answer as below).
  if (tnumIsConst(d.varOff) && tnumIsConst(s.varOff) && !isShift) {
    const a = d.varOff.value;
    const b = s.varOff.value;
    const r = CONST_OPS[op]!(a, b);
    setKnown(d, alu32 ? r & M32 : r);
    return;
  }
  if (isSmall(d) && isSmall(s) && smallAlu(d, s, op)) return;
  switch (op) {
    case BPF_ADD:
      add32(d, s);
      add64(d, s);
      d.varOff = tnumAdd(d.varOff, s.varOff);
      break;
    case BPF_SUB:
      sub32(d, s);
      sub64(d, s);
      d.varOff = tnumSub(d.varOff, s.varOff);
      break;
    case BPF_MUL:
      d.varOff = tnumMul(d.varOff, s.varOff);
      mul32(d, s);
      mul64(d, s);
      break;
    case BPF_AND:
    case BPF_OR:
    case BPF_XOR: {
      d.varOff = op === BPF_AND ? tnumAnd(d.varOff, s.varOff) : op === BPF_OR ? tnumOr(d.varOff, s.varOff) : tnumXor(d.varOff, s.varOff);
      bitwise32(d, s, op);
      bitwise64(d, s, op);
      break;
    }
    case BPF_LSH:
      if (alu32) {
        const sub = tnumSubreg(d.varOff);
        lsh32Bounds(d, s.u32min, s.u32max);
        d.varOff = tnumSubreg(tnumLshift(sub, s.u32min));
        mark64Unbounded(d);
        updateReg32Bounds(d);
      } else {
        const umin = Number(s.umin);
        const umax = Number(s.umax);
        lsh64Bounds(d, umin, umax);
        lsh32Bounds(d, umin, umax);
        d.varOff = tnumLshift(d.varOff, umin);
        updateRegBounds(d);
      }
      break;
    case BPF_RSH:
      if (alu32) {
        const sub = tnumSubreg(d.varOff);
        d.s32min = S32_MIN;
        d.s32max = S32_MAX;
        d.varOff = tnumRshift(sub, s.u32min);
        d.u32min = d.u32min >>> s.u32max;
        d.u32max = d.u32max >>> s.u32min;
        mark64Unbounded(d);
        updateReg32Bounds(d);
      } else {
        const umin = Number(s.umin);
        d.smin = S64_MIN;
        d.smax = S64_MAX;
        d.varOff = tnumRshift(d.varOff, umin);
        d.umin >>= s.umax;
        d.umax >>= s.umin;
        mark32Unbounded(d);
        updateRegBounds(d);
      }
      break;
    case BPF_ARSH:
      if (alu32) {
        const sh = s.u32min;
        d.s32min = d.s32min >> sh;
        d.s32max = d.s32max >> sh;
        d.varOff = tnumArshift(tnumSubreg(d.varOff), sh, 32);
        d.u32min = 0;
        d.u32max = U32_MAX;
        mark64Unbounded(d);
        updateReg32Bounds(d);
      } else {
        const sh = Number(s.umin);
        d.smin >>= BigInt(sh);
        d.smax >>= BigInt(sh);
        d.varOff = tnumArshift(d.varOff, sh, 64);
        d.umin = 0n;
        d.umax = U64_MAX;
        mark32Unbounded(d);
        updateRegBounds(d);
      }
      break;
  }
  if (alu32) zext32To64(d);
  regBoundsSync(d);
}

/** Every value the register may hold lies in [0, 2^31), in every view (see syncSmall). */
function isSmall(r: Reg): boolean {
  return r.smin >= 0n && r.umax <= SMALL && (r.varOff.value | r.varOff.mask) <= SMALL;
}

/** tnum_add on the low 32 bits (addition commutes with truncation). */
function tadd32(av: number, am: number, bv: number, bm: number): [number, number] {
  const sm = (am + bm) >>> 0;
  const sv = (av + bv) >>> 0;
  const sigma = (sm + sv) >>> 0;
  const chi = (sigma ^ sv) >>> 0;
  const mu = (chi | am | bm) >>> 0;
  return [(sv & ~mu) >>> 0, mu];
}

/**
 * dst op src when both lie in [0, 2^31) and so does every possible result: the answer
 * Linux's 64- and 32-bit tracking gives, computed on plain numbers. The tnum is computed
 * modulo 2^32, which is exact for the bits the range allows. False when not applicable.
 */
function smallAlu(d: Reg, s: Reg, op: number): boolean {
  const lo1 = Number(d.umin);
  const hi1 = Number(d.umax);
  const lo2 = Number(s.umin);
  const hi2 = Number(s.umax);
  const v1 = Number(d.varOff.value);
  const m1 = Number(d.varOff.mask);
  const v2 = Number(s.varOff.value);
  const m2 = Number(s.varOff.mask);
  let lo: number;
  let hi: number;
  let v: number;
  let m: number;
  switch (op) {
    case BPF_ADD:
      lo = lo1 + lo2;
      hi = hi1 + hi2;
      [v, m] = tadd32(v1, m1, v2, m2);
      break;
    case BPF_MUL: {
      lo = lo1 * lo2;
      hi = hi1 * hi2;
      if (hi > 0x7fffffff) return false;
      // tnum_mul's long multiplication, on the low 32 bits.
      let av = v1;
      let am = m1;
      let bv = v2;
      let bm = m2;
      let accV = 0;
      let accM = 0;
      while (av !== 0 || am !== 0) {
        if (av & 1) [accV, accM] = tadd32(accV, accM, 0, bm);
        else if (am & 1) [accV, accM] = tadd32(accV, accM, 0, (bv | bm) >>> 0);
        av >>>= 1;
        am >>>= 1;
        bv = (bv << 1) >>> 0;
        bm = (bm << 1) >>> 0;
      }
      [v, m] = tadd32(Math.imul(v1, v2) >>> 0, 0, accV, accM);
      break;
    }
    case BPF_AND:
      v = v1 & v2;
      m = (v1 | m1) & (v2 | m2) & ~v;
      lo = v;
      hi = Math.min(hi1, hi2);
      break;
    case BPF_OR:
      v = v1 | v2;
      m = (m1 | m2) & ~v;
      lo = Math.max(lo1, lo2);
      hi = v | m;
      break;
    case BPF_XOR:
      m = m1 | m2;
      v = (v1 ^ v2) & ~m;
      lo = v;
      hi = v | m;
      break;
    case BPF_LSH: {
      const k = lo2;
      if (k !== hi2 || hi1 * 2 ** k > 0x7fffffff) return false;
      lo = lo1 * 2 ** k;
      hi = hi1 * 2 ** k;
      v = v1 << k;
      m = m1 << k;
      break;
    }
    case BPF_RSH:
    case BPF_ARSH: {
      const k = lo2;
      if (k !== hi2) return false;
      lo = Math.floor(lo1 / 2 ** k);
      hi = Math.floor(hi1 / 2 ** k);
      v = v1 >>> k;
      m = m1 >>> k;
      break;
    }
    default:
      return false;
  }
  if (lo < 0 || hi > 0x7fffffff) return false;
  d.umin = BigInt(lo);
  d.umax = BigInt(hi);
  d.smin = d.umin;
  d.smax = d.umax;
  d.u32min = lo;
  d.s32min = lo;
  d.u32max = hi;
  d.s32max = hi;
  d.varOff = { value: BigInt(v >>> 0), mask: BigInt(m >>> 0) };
  syncSmall(d);
  return true;
}

const CONST_OPS: Readonly<Record<number, (a: bigint, b: bigint) => bigint>> = {
  [BPF_ADD]: (a, b) => asU64(a + b),
  [BPF_SUB]: (a, b) => asU64(a - b),
  [BPF_MUL]: (a, b) => asU64(a * b),
  [BPF_AND]: (a, b) => a & b,
  [BPF_OR]: (a, b) => a | b,
  [BPF_XOR]: (a, b) => a ^ b,
};
