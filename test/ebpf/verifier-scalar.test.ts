// Soundness of the scalar bounds (scalar.ts): for random registers built from refinements a
// concrete value satisfies, the result of an ALU op on concrete values always lies within the
// bounds and known bits computed for it, as does a value on either side of a comparison.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  BPF_ADD, BPF_AND, BPF_ARSH, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT,
  BPF_JSLE, BPF_JSLT, BPF_LSH, BPF_MUL, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR,
} from '../../src/ebpf/isa.js';
import { REV_OPCODE, refineCondOp, scalarBranchTaken } from '../../src/ebpf/verifier/compare.js';
import { coerceRegToSize, coerceRegToSizeSx, regBoundsSync, scalarAlu } from '../../src/ebpf/verifier/scalar.js';
import { Reg, markKnownScalar, markUnknown } from '../../src/ebpf/verifier/state.js';
import { tnumIn, tnumConst } from '../../src/ebpf/verifier/tnum.js';

const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
/** Property runs; raise with VERIFIER_PROPERTY_RUNS when changing scalar.ts. */
const RUNS = Number(process.env.VERIFIER_PROPERTY_RUNS ?? 500);

/** Does the abstract register admit the concrete 64-bit value v? */
function admits(r: Reg, v: bigint): boolean {
  const s = BigInt.asIntN(64, v);
  const lo = Number(v & 0xffffffffn);
  return (
    r.umin <= v && v <= r.umax && r.smin <= s && s <= r.smax && r.u32min <= lo && lo <= r.u32max &&
    r.s32min <= (lo | 0) && (lo | 0) <= r.s32max && tnumIn(r.varOff, tnumConst(v))
  );
}

const CMP = [BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET];

function concreteCmp(op: number, a: bigint, b: bigint, jmp32: boolean): boolean {
  const w = jmp32 ? 32 : 64;
  const ua = BigInt.asUintN(w, a), ub = BigInt.asUintN(w, b);
  const sa = BigInt.asIntN(w, a), sb = BigInt.asIntN(w, b);
  switch (op) {
    case BPF_JEQ: return ua === ub;
    case BPF_JNE: return ua !== ub;
    case BPF_JGT: return ua > ub;
    case BPF_JGE: return ua >= ub;
    case BPF_JLT: return ua < ub;
    case BPF_JLE: return ua <= ub;
    case BPF_JSGT: return sa > sb;
    case BPF_JSGE: return sa >= sb;
    case BPF_JSLT: return sa < sb;
    case BPF_JSLE: return sa <= sb;
    default: return (ua & ub) !== 0n;
  }
}

/** An interesting 64-bit value: small, near a sign boundary, or anything. */
const value = fc.oneof(
  fc.bigInt({ min: 0n, max: 300n }),
  fc.bigInt({ min: -300n, max: -1n }).map(u64),
  fc.constantFrom(0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, (1n << 63n) - 1n, 1n << 63n).map(u64),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
);

/** Refinements applied to an unknown register while keeping v admitted. */
const refinement = fc.record({
  kind: fc.constantFrom('and', 'cmp', 'load', 'sx', 'alu'),
  op: fc.constantFrom(...CMP),
  aluOp: fc.constantFrom(BPF_ADD, BPF_SUB, BPF_MUL, BPF_OR, BPF_XOR, BPF_RSH),
  k: value,
  size: fc.constantFrom(1, 2, 4),
  jmp32: fc.boolean(),
});
type Refinement = { kind: 'and' | 'cmp' | 'load' | 'sx' | 'alu'; op: number; aluOp: number; k: bigint; size: number; jmp32: boolean };

/** Build a register admitting `v` (which may change: an AND or a load narrows the value too). */
function build(v: bigint, steps: readonly Refinement[]): { reg: Reg; v: bigint } {
  const r = new Reg();
  markUnknown(r);
  for (const s of steps) {
    if (s.kind === 'and') {
      const k = new Reg();
      markKnownScalar(k, s.k);
      scalarAlu(r, k, BPF_AND, false);
      v &= s.k;
    } else if (s.kind === 'load') {
      coerceRegToSize(r, s.size);
      v &= (1n << BigInt(s.size * 8)) - 1n;
    } else if (s.kind === 'sx') {
      coerceRegToSizeSx(r, s.size);
      v = u64(BigInt.asIntN(s.size * 8, v));
    } else if (s.kind === 'alu') {
      // An op with an immediate, in 64 or 32 bits (jmp32 picks the width); shifts by k mod width.
      const w = s.jmp32 ? 32n : 64n;
      const k = s.aluOp === BPF_RSH ? s.k % w : s.k;
      const kr = new Reg();
      markKnownScalar(kr, k);
      scalarAlu(r, kr, s.aluOp, s.jmp32);
      v = concreteAlu(s.aluOp, v, k, s.jmp32);
    } else {
      const k = new Reg();
      markKnownScalar(k, s.k);
      const holds = concreteCmp(s.op, v, s.k, s.jmp32);
      refineCondOp(r, k, holds ? s.op : REV_OPCODE[s.op]!, s.jmp32);
      regBoundsSync(r);
    }
    expect(admits(r, v)).toBe(true);
  }
  return { reg: r, v };
}

const ALU = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH, BPF_ARSH];

function concreteAlu(op: number, a: bigint, b: bigint, alu32: boolean): bigint {
  const w = alu32 ? 32 : 64;
  const ua = BigInt.asUintN(w, a), ub = BigInt.asUintN(w, b);
  const sh = ub & BigInt(w - 1);
  let r: bigint;
  switch (op) {
    case BPF_ADD: r = ua + ub; break;
    case BPF_SUB: r = ua - ub; break;
    case BPF_MUL: r = ua * ub; break;
    case BPF_AND: r = ua & ub; break;
    case BPF_OR: r = ua | ub; break;
    case BPF_XOR: r = ua ^ ub; break;
    case BPF_LSH: r = ua << sh; break;
    case BPF_RSH: r = ua >> sh; break;
    default: r = BigInt.asIntN(w, ua) >> sh;
  }
  return BigInt.asUintN(w, r);
}

describe('scalar bounds are sound', () => {
  test('refinements keep admitting the value they were built from', () => {
    fc.assert(fc.property(value, fc.array(refinement, { maxLength: 5 }), (v, steps) => void build(v, steps)), { numRuns: RUNS });
  });

  test('ALU results admit the concrete result', () => {
    fc.assert(
      fc.property(value, fc.array(refinement, { maxLength: 3 }), value, fc.array(refinement, { maxLength: 3 }), fc.constantFrom(...ALU), fc.boolean(), (a, sa, b, sb, op, alu32) => {
        const x = build(a, sa);
        const y = build(b, sb);
        const expected = concreteAlu(op, x.v, y.v, alu32);
        const shiftOk = op !== BPF_LSH && op !== BPF_RSH && op !== BPF_ARSH ? true : y.v < (alu32 ? 32n : 64n) || alu32;
        if (!shiftOk) return;
        scalarAlu(x.reg, y.reg, op, alu32);
        expect(admits(x.reg, expected)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  test('a decided branch agrees with the concrete comparison', () => {
    fc.assert(
      fc.property(value, fc.array(refinement, { maxLength: 3 }), value, fc.constantFrom(...CMP), fc.boolean(), (a, sa, k, op, jmp32) => {
        const x = build(a, sa);
        const c = new Reg();
        markKnownScalar(c, k);
        const taken = scalarBranchTaken(x.reg, c, op, jmp32);
        if (taken >= 0) expect(taken === 1).toBe(concreteCmp(op, x.v, k, jmp32));
      }),
      { numRuns: RUNS },
    );
  });
});
