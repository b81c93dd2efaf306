// Conditional jumps (Linux's check_cond_jmp_op): decide statically when a branch is always or
// never taken, otherwise split the path and narrow each side (scalar bounds, linked scalar
// copies, and NULL checks that turn map_value_or_null into map_value or into 0 on every copy of
// the pointer). In: the env and one conditional jump; out: the verdict and the other path's
// state, which verify.ts pushes. No control flow decisions are made here.

import { BPF_JEQ, BPF_JMP32, BPF_JNE, BPF_JSLE, BPF_JA, BPF_X, classOf, opOf, sourceOf, type Insn } from '../isa.js';
import type { Env } from './env.js';
import { markRegPrecise } from './precision.js';
import { REV_OPCODE, FLIP_OPCODE, isRegConst, refineCondOp, regConstValue, scalarBranchTaken } from './compare.js';
import { regBoundsSync } from './scalar.js';
import {
  CONST_PTR_TO_MAP, LinkedReg, PTR_MAYBE_NULL, PTR_TO_BTF_ID, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM,
  PTR_TRUSTED, Reg, SCALAR, VState, baseType, markKnownScalar, mayBeNull,
} from './state.js';

const isScalarConst = (r: Reg, jmp32: boolean): boolean => r.type === SCALAR && isRegConst(r, jmp32);

/** reg_not_null: pointers that cannot be NULL (stack and ctx pointers are not counted, as in Linux). */
function regNotNull(r: Reg): boolean {
  if (mayBeNull(r.type)) return false;
  const b = baseType(r.type);
  return b === PTR_TO_MAP_VALUE || b === PTR_TO_MAP_KEY || b === CONST_PTR_TO_MAP || b === PTR_TO_MEM || (b === PTR_TO_BTF_ID && (r.type & PTR_TRUSTED) !== 0);
}

/** is_branch_taken: 1 always, 0 never, -1 depends. */
function isBranchTaken(r1: Reg, r2: Reg, op: number, jmp32: boolean): number {
  if (r1.type !== SCALAR || r2.type !== SCALAR) {
    if (!isScalarConst(r2, jmp32)) {
      op = FLIP_OPCODE[op]!;
      [r1, r2] = [r2, r1];
    }
    if (!isScalarConst(r2, jmp32)) return -1;
    if (!regNotNull(r1)) return -1;
    if (regConstValue(r2, jmp32) !== 0n) return -1;
    return op === BPF_JEQ ? 0 : op === BPF_JNE ? 1 : -1;
  }
  return scalarBranchTaken(r1, r2, op, jmp32);
}

/**
 * Change every register (all frames) and spilled slot of a state that `pick` selects. Spilled
 * registers may be shared with other states, so the changed one is a private copy.
 */
function updateRegs(st: VState, pick: (r: Reg) => boolean, change: (r: Reg) => void): void {
  for (const fs of st.frames) {
    for (let i = 0; i < 11; i++) if (pick(fs.regs[i]!)) change(fs.wreg(i));
    const n = fs.allocated >> 3;
    for (let spi = 0; spi < n; spi++) {
      const sp = fs.spill[spi];
      if (sp !== null && fs.isSpilled(spi) && pick(sp)) change(fs.writableSpill(spi));
    }
  }
}

function collectLinked(st: VState, id: number, out: LinkedReg[]): void {
  for (let frame = 0; frame < st.frames.length; frame++) {
    const fs = st.frames[frame]!;
    const add = (loc: number): void => {
      if (!out.some((l) => l.frame === frame && l.loc === loc)) out.push({ frame, loc });
    };
    for (let i = 0; i < 11; i++) if (fs.regs[i]!.type === SCALAR && fs.regs[i]!.id === id) add(i);
    const n = fs.allocated >> 3;
    for (let spi = 0; spi < n; spi++) {
      const sp = fs.spill[spi];
      if (sp !== null && fs.isSpilled(spi) && sp.type === SCALAR && sp.id === id) add(-1 - spi);
    }
  }
}

/** sync_linked_regs: copies of a scalar (same id) learn what a comparison taught `known`. */
function syncLinked(st: VState, known: Reg): void {
  const src = known.clone();
  updateRegs(st, (r) => r !== known && r.type === SCALAR && r.id === src.id, (r) => r.assign(src));
}

/** mark_ptr_or_null_regs: after `if rX == 0`, every copy of rX is NULL or a valid pointer. */
function markPtrOrNull(st: VState, regno: number, isNull: boolean): void {
  const r = st.cur.regs[regno]!;
  const id = r.id;
  if (r.refObjId && r.refObjId === id && isNull) {
    // On the NULL side nothing was acquired.
    st.refs = st.refs.filter((ref) => ref.id !== id);
  }
  updateRegs(
    st,
    (reg) => mayBeNull(reg.type) && reg.id === id,
    (reg) => {
      if (isNull) markKnownScalar(reg, 0n);
      else {
        reg.type &= ~PTR_MAYBE_NULL;
        reg.id = 0;
      }
    },
  );
}

export interface CondJmpResult {
  /** 1: only the jump is possible, 0: only the fall-through, -1: both (other is the jump side). */
  pred: number;
  other: VState | null;
  /** Linked scalars the comparison narrowed together, for precision backtracking. */
  linked: LinkedReg[] | null;
}

/** reg_set_min_max; `fakes`: the second operands are throwaway copies of an immediate. */
function regSetMinMax(t1: Reg, t2: Reg, f1: Reg, f2: Reg, op: number, jmp32: boolean, fakes: boolean): void {
  if (f1.type !== SCALAR || f2.type !== SCALAR) return;
  refineCondOp(f1, f2, REV_OPCODE[op]!, jmp32);
  regBoundsSync(f1);
  if (!fakes) regBoundsSync(f2);
  refineCondOp(t1, t2, op, jmp32);
  regBoundsSync(t1);
  if (!fakes) regBoundsSync(t2);
}

export function checkCondJmp(env: Env, x: Insn): CondJmpResult {
  const op = opOf(x.code);
  const jmp32 = classOf(x.code) === BPF_JMP32;
  const isX = sourceOf(x.code) === BPF_X;
  if (op === BPF_JA || op > BPF_JSLE) env.reject(`invalid BPF_JMP/JMP32 opcode ${op.toString(16)}`);
  env.readReg(x.dst);
  let src: Reg;
  if (isX) {
    if (x.imm !== 0) env.reject('BPF_JMP/JMP32 uses reserved fields');
    src = env.readReg(x.src);
  } else {
    if (x.src !== 0) env.reject('BPF_JMP/JMP32 uses reserved fields');
    src = new Reg();
    markKnownScalar(src, BigInt(x.imm));
  }
  let dst = env.regs[x.dst]!;
  const pred = isBranchTaken(dst, src, op, jmp32);
  if (pred >= 0) {
    if (dst.type === SCALAR) markRegPrecise(env, x.dst);
    if (isX && src.type === SCALAR) markRegPrecise(env, x.src);
    return { pred, other: null, linked: null };
  }
  let linked: LinkedReg[] | null = null;
  if (isX && src.type === SCALAR && src.id) collectLinked(env.cur, src.id, (linked ??= []));
  if (dst.type === SCALAR && dst.id) collectLinked(env.cur, dst.id, (linked ??= []));
  if (linked !== null && linked.length < 2) linked = null;

  const other = env.cur.clone();
  const of = other.cur;
  const scalars = dst.type === SCALAR && src.type === SCALAR;
  if (isX) {
    if (scalars) {
      dst = env.wreg(x.dst);
      src = env.wreg(x.src);
      regSetMinMax(of.wreg(x.dst), of.wreg(x.src), dst, src, op, jmp32, false);
    }
  } else if (scalars) {
    dst = env.wreg(x.dst);
    const fake1 = src.clone();
    regSetMinMax(of.wreg(x.dst), src, dst, fake1, op, jmp32, true);
  }
  if (isX && src.type === SCALAR && src.id) {
    syncLinked(env.cur, src);
    syncLinked(other, of.regs[x.src]!);
  }
  if (dst.type === SCALAR && dst.id) {
    syncLinked(env.cur, dst);
    syncLinked(other, of.regs[x.dst]!);
  }
  // Comparing a maybe-NULL pointer with a non-NULL one proves it non-NULL on the equal side.
  if (!jmp32 && isX && src.type !== SCALAR && dst.type !== SCALAR && mayBeNull(src.type) !== mayBeNull(dst.type) &&
    baseType(src.type) !== PTR_TO_BTF_ID && baseType(dst.type) !== PTR_TO_BTF_ID) {
    const eqSide = op === BPF_JEQ ? other : op === BPF_JNE ? env.cur : null;
    if (eqSide !== null) {
      const regno = mayBeNull(src.type) ? x.src : x.dst;
      const r = eqSide.cur.wreg(regno);
      r.type &= ~PTR_MAYBE_NULL;
      r.id = 0;
    }
  }
  if (!jmp32 && !isX && x.imm === 0 && (op === BPF_JEQ || op === BPF_JNE) && mayBeNull(dst.type)) {
    markPtrOrNull(env.cur, x.dst, op === BPF_JNE);
    markPtrOrNull(other, x.dst, op === BPF_JEQ);
  }
  return { pred: -1, other, linked };
}
