// Comparisons on scalar bounds, as Linux decides and narrows them: is_branch_taken (is a
// conditional jump always, never or sometimes taken, from the operands' bounds and known bits)
// and regs_refine_cond_op (what each side of the jump learns). In: two registers and the jump's
// operation; out: a verdict, or the registers narrowed in place. Not here: pointers, paths.

import {
  BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_X,
} from '../isa.js';
import { U64_MAX, tnumAnd, tnumConst, tnumIntersect, tnumIsConst, tnumOr, tnumSubreg, tnumSubregIsConst, tnumWithSubreg, type Tnum } from './tnum.js';
import { Reg, markUnbounded } from './state.js';

const M32 = 0xffffffffn;
const asS64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const asU64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const lo32 = (x: bigint): number => Number(x & M32);
const maxB = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const minB = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** Swapping the operands of a comparison. */
export const FLIP_OPCODE: Readonly<Record<number, number>> = {
  [BPF_JEQ]: BPF_JEQ,
  [BPF_JNE]: BPF_JNE,
  [BPF_JSET]: BPF_JSET,
  [BPF_JGT]: BPF_JLT,
  [BPF_JLT]: BPF_JGT,
  [BPF_JGE]: BPF_JLE,
  [BPF_JLE]: BPF_JGE,
  [BPF_JSGT]: BPF_JSLT,
  [BPF_JSLT]: BPF_JSGT,
  [BPF_JSGE]: BPF_JSLE,
  [BPF_JSLE]: BPF_JSGE,
};

/** The comparison that holds on the fall-through path; JSET's negation is coded JSET|X. */
export const REV_OPCODE: Readonly<Record<number, number>> = {
  [BPF_JEQ]: BPF_JNE,
  [BPF_JNE]: BPF_JEQ,
  [BPF_JSET]: BPF_JSET | BPF_X,
  [BPF_JSET | BPF_X]: BPF_JSET,
  [BPF_JGT]: BPF_JLE,
  [BPF_JLE]: BPF_JGT,
  [BPF_JGE]: BPF_JLT,
  [BPF_JLT]: BPF_JGE,
  [BPF_JSGT]: BPF_JSLE,
  [BPF_JSLE]: BPF_JSGT,
  [BPF_JSGE]: BPF_JSLT,
  [BPF_JSLT]: BPF_JSGE,
};

export function isRegConst(r: Reg, jmp32: boolean): boolean {
  return jmp32 ? tnumSubregIsConst(r.varOff) : tnumIsConst(r.varOff);
}
export function regConstValue(r: Reg, jmp32: boolean): bigint {
  return jmp32 ? r.varOff.value & M32 : r.varOff.value;
}

interface View {
  t: Tnum;
  umin: bigint;
  umax: bigint;
  smin: bigint;
  smax: bigint;
}

function view(r: Reg, jmp32: boolean): View {
  if (!jmp32) return { t: r.varOff, umin: r.umin, umax: r.umax, smin: r.smin, smax: r.smax };
  return { t: tnumSubreg(r.varOff), umin: BigInt(r.u32min), umax: BigInt(r.u32max), smin: BigInt(r.s32min), smax: BigInt(r.s32max) };
}

/** 1: always taken, 0: never, -1: unknown — for two scalars (is_scalar_branch_taken). */
export function scalarBranchTaken(r1: Reg, r2: Reg, op: number, jmp32: boolean): number {
  let a = view(r1, jmp32);
  let b = view(r2, jmp32);
  switch (op) {
    case BPF_JEQ:
    case BPF_JNE: {
      const eq = op === BPF_JEQ;
      if (tnumIsConst(a.t) && tnumIsConst(b.t)) return (a.t.value === b.t.value) === eq ? 1 : 0;
      if (a.umin > b.umax || a.umax < b.umin) return eq ? 0 : 1;
      if (a.smin > b.smax || a.smax < b.smin) return eq ? 0 : 1;
      if (!jmp32) {
        if (r1.u32min > r2.u32max || r1.u32max < r2.u32min) return eq ? 0 : 1;
        if (r1.s32min > r2.s32max || r1.s32max < r2.s32min) return eq ? 0 : 1;
      }
      return -1;
    }
    case BPF_JSET: {
      if (!isRegConst(r2, jmp32)) {
        [a, b] = [b, a];
        if (!isRegConst(r1, jmp32)) return -1;
      }
      if ((~a.t.mask & a.t.value & b.t.value) !== 0n) return 1;
      if (((a.t.mask | a.t.value) & b.t.value) === 0n) return 0;
      return -1;
    }
    case BPF_JGT:
      return a.umin > b.umax ? 1 : a.umax <= b.umin ? 0 : -1;
    case BPF_JSGT:
      return a.smin > b.smax ? 1 : a.smax <= b.smin ? 0 : -1;
    case BPF_JLT:
      return a.umax < b.umin ? 1 : a.umin >= b.umax ? 0 : -1;
    case BPF_JSLT:
      return a.smax < b.smin ? 1 : a.smin >= b.smax ? 0 : -1;
    case BPF_JGE:
      return a.umin >= b.umax ? 1 : a.umax < b.umin ? 0 : -1;
    case BPF_JSGE:
      return a.smin >= b.smax ? 1 : a.smax < b.smin ? 0 : -1;
    case BPF_JLE:
      return a.umax <= b.umin ? 1 : a.umin > b.umax ? 0 : -1;
    case BPF_JSLE:
      return a.smax <= b.smin ? 1 : a.smin > b.smax ? 0 : -1;
  }
  return -1;
}

/** Narrow r1 and r2 to what holds when `r1 op r2` is true (regs_refine_cond_op). */
export function refineCondOp(r1: Reg, r2: Reg, op: number, jmp32: boolean): void {
  if (op === BPF_JGE || op === BPF_JGT || op === BPF_JSGE || op === BPF_JSGT) {
    op = FLIP_OPCODE[op]!;
    [r1, r2] = [r2, r1];
  }
  switch (op) {
    case BPF_JEQ:
      if (jmp32) {
        r1.u32min = Math.max(r1.u32min, r2.u32min);
        r1.u32max = Math.min(r1.u32max, r2.u32max);
        r1.s32min = Math.max(r1.s32min, r2.s32min);
        r1.s32max = Math.min(r1.s32max, r2.s32max);
        r2.u32min = r1.u32min;
        r2.u32max = r1.u32max;
        r2.s32min = r1.s32min;
        r2.s32max = r1.s32max;
        const t = tnumIntersect(tnumSubreg(r1.varOff), tnumSubreg(r2.varOff));
        r1.varOff = tnumWithSubreg(r1.varOff, t);
        r2.varOff = tnumWithSubreg(r2.varOff, t);
      } else {
        r1.umin = maxB(r1.umin, r2.umin);
        r1.umax = minB(r1.umax, r2.umax);
        r1.smin = maxB(r1.smin, r2.smin);
        r1.smax = minB(r1.smax, r2.smax);
        r2.umin = r1.umin;
        r2.umax = r1.umax;
        r2.smin = r1.smin;
        r2.smax = r1.smax;
        r1.varOff = tnumIntersect(r1.varOff, r2.varOff);
        r2.varOff = r1.varOff;
      }
      return;
    case BPF_JNE: {
      if (!isRegConst(r2, jmp32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, jmp32)) return;
      const val = regConstValue(r2, jmp32);
      if (jmp32) {
        const u = lo32(val);
        if (r1.u32min === u) r1.u32min = (r1.u32min + 1) >>> 0;
        if (r1.u32max === u) r1.u32max = (r1.u32max - 1) >>> 0;
        if (r1.s32min === (u | 0)) r1.s32min = (r1.s32min + 1) | 0;
        if (r1.s32max === (u | 0)) r1.s32max = (r1.s32max - 1) | 0;
      } else {
        if (r1.umin === val) r1.umin = asU64(r1.umin + 1n);
        if (r1.umax === val) r1.umax = asU64(r1.umax - 1n);
        if (r1.smin === asS64(val)) r1.smin = asS64(r1.smin + 1n);
        if (r1.smax === asS64(val)) r1.smax = asS64(r1.smax - 1n);
      }
      return;
    }
    case BPF_JSET:
    case BPF_JSET | BPF_X: {
      if (!isRegConst(r2, jmp32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, jmp32)) return;
      const val = regConstValue(r2, jmp32);
      if (op === BPF_JSET) {
        // Only a single tested bit tells which bit is set.
        if ((val & (val - 1n)) !== 0n || val === 0n) return;
        if (jmp32) r1.varOff = tnumWithSubreg(r1.varOff, tnumOr(tnumSubreg(r1.varOff), tnumConst(val)));
        else r1.varOff = tnumOr(r1.varOff, tnumConst(val));
      } else {
        markUnbounded(r1);
        const keep = r1.varOff;
        if (jmp32) r1.varOff = tnumWithSubreg(keep, tnumAnd(tnumSubreg(keep), tnumConst(~val & M32)));
        else r1.varOff = tnumAnd(keep, tnumConst(~val & U64_MAX));
      }
      return;
    }
    case BPF_JLE:
      if (jmp32) {
        r1.u32max = Math.min(r1.u32max, r2.u32max);
        r2.u32min = Math.max(r1.u32min, r2.u32min);
      } else {
        r1.umax = minB(r1.umax, r2.umax);
        r2.umin = maxB(r1.umin, r2.umin);
      }
      return;
    case BPF_JLT:
      if (jmp32) {
        r1.u32max = Math.min(r1.u32max, (r2.u32max - 1) >>> 0);
        r2.u32min = Math.max((r1.u32min + 1) >>> 0, r2.u32min);
      } else {
        r1.umax = minB(r1.umax, asU64(r2.umax - 1n));
        r2.umin = maxB(asU64(r1.umin + 1n), r2.umin);
      }
      return;
    case BPF_JSLE:
      if (jmp32) {
        r1.s32max = Math.min(r1.s32max, r2.s32max);
        r2.s32min = Math.max(r1.s32min, r2.s32min);
      } else {
        r1.smax = minB(r1.smax, r2.smax);
        r2.smin = maxB(r1.smin, r2.smin);
      }
      return;
    case BPF_JSLT:
      if (jmp32) {
        r1.s32max = Math.min(r1.s32max, (r2.s32max - 1) | 0);
        r2.s32min = Math.max((r1.s32min + 1) | 0, r2.s32min);
      } else {
        r1.smax = minB(r1.smax, asS64(r2.smax - 1n));
        r2.smin = maxB(asS64(r1.smin + 1n), r2.smin);
      }
      return;
  }
}
