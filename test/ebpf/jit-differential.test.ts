// The JIT against the interpreter on random verifier-accepted programs (jit-random-programs.ts):
// each program runs twice on identical machines — the interpreter without and with the
// verifier's facts, the JIT whole and cut into pieces — with the machine's own helpers (which
// the JIT specialises: map operations, clocks, ids, probe reads); all must leave the same r0,
// instruction count, fault, stack bytes, map value bytes and map entries.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { assemble } from '../../src/ebpf/asm/assemble.js';
import { IdleHost } from '../../src/ebpf/conformance.js';
import { helperTable } from '../../src/ebpf/helpers/helper-table.js';
import { newRunResult, r0Of, run, type RunResult } from '../../src/ebpf/interpreter.js';
import { jitCompile } from '../../src/ebpf/jit/jit.js';
import { Machine } from '../../src/ebpf/machine.js';
import { createMap } from '../../src/ebpf/maps/create-map.js';
import type { UserMap } from '../../src/ebpf/maps/map.js';
import { REGION_STACK } from '../../src/ebpf/memory.js';
import { loadProgram } from '../../src/ebpf/program.js';
import { verifyProgram } from '../../src/ebpf/verifier/verify.js';
import type { Insn } from '../../src/ebpf/isa.js';
import { OPCODES, type FieldRange } from '../../src/ebpf/opcodes.js';
import { MAP_SPECS, randomProgram } from './jit-random-programs.js';

/** A host whose answers change from call to call, the same way for both machines. */
class CountingHost extends IdleHost {
  private t = 1_000_000_007;
  private r = 0x9e3779b9;
  override ktimeNs(): number {
    return (this.t += 977_123_456_789);
  }
  override prandomU32(): number {
    this.r = (Math.imul(this.r, 1103515245) + 12345) >>> 0;
    return this.r;
  }
  override tid(): number { return 4242; }
  override tgid(): number { return 0x80000001; }
  override uid(): number { return 1000; }
  override gid(): number { return 0xfffffffe; }
  override cpu(): number { return 1; }
  override ncpus(): number { return 2; }
}

function machine(): Machine {
  const m = new Machine(new CountingHost());
  MAP_SPECS.forEach((spec, fd) => {
    if (spec === undefined) return;
    const map = createMap(spec, m.mem, 2, fd);
    m.maps[fd] = map;
  });
  // The array's values start non-zero so loads see data.
  const arr = m.maps[1] as UserMap;
  for (let k = 0; k < 4; k++) arr.updateUser(Uint8Array.of(k, 0, 0, 0), [Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + k * 11 + 5) & 0xff)], 0);
  return m;
}

function snapshot(m: Machine, r: RunResult): object {
  const maps = MAP_SPECS.map((spec, fd) =>
    spec === undefined ? [] : [...(m.maps[fd] as UserMap).entries()].map((e) => [[...e.key], e.values.map((v) => [...v])]));
  return {
    r0: r0Of(r),
    insns: r.insns,
    fault: r.fault,
    faultPc: r.faultPc,
    faultMessage: r.faultMessage,
    stack: [...m.mem.bytes[REGION_STACK]!],
    maps,
  };
}

const ctx = Uint8Array.from({ length: 168 }, (_, i) => (i * 29 + 3) & 0xff);

describe('differential: JIT vs interpreter', () => {
  test('random verified programs leave the same results, memory and maps', () => {
    let accepted = 0;
    fc.assert(
      fc.property(randomProgram(24), ({ text }) => {
        const a = assemble(text, { syntax: 'kernel' });
        if (!a.ok) throw new Error(`assembler: ${JSON.stringify(a.errors)}\n${text}`);
        const v = verifyProgram(a.insns, { progType: 'kprobe', maps: MAP_SPECS });
        fc.pre(v.ok);
        if (!v.ok) return;
        accepted++;
        const l = loadProgram(a.insns, { helpers: helperTable });
        if (!l.ok) throw new Error(JSON.stringify(l.errors));
        // The interpreter given the verifier's facts too (unchecked proven accesses, narrowed ALU).
        const lf = loadProgram(a.insns, { helpers: helperTable, analysis: v.analysis });
        if (!lf.ok) throw new Error(JSON.stringify(lf.errors));
        const mi = machine();
        const mf = machine();
        const mj = machine();
        const mp = machine();
        const jit = jitCompile(l.prog, mj, v.analysis);
        // The same program cut into many small pieces, as a big one would be.
        const pieces = jitCompile(l.prog, mp, v.analysis, { chunkChars: 400 });
        for (let k = 0; k < 2; k++) {
          const want = snapshot(mi, run(l.prog, mi, ctx, newRunResult()));
          expect(snapshot(mf, run(lf.prog, mf, ctx, newRunResult())), text).toEqual(want);
          expect(snapshot(mj, jit.run(ctx, newRunResult())), `${text}\n\n${jit.source}`).toEqual(want);
          expect(snapshot(mp, pieces.run(ctx, newRunResult())), `${text}\n\n${pieces.source}`).toEqual(want);
        }
      }),
      { numRuns: Number(process.env.JIT_FUZZ_RUNS ?? 150), maxSkipsPerRun: 10 },
    );
    expect(accepted).toBeGreaterThan(Number(process.env.JIT_FUZZ_RUNS ?? 150) / 2);
  });
});

// ── arithmetic: straight-line ALU over full 64-bit values, every ALU row ─────────────────
const ALU_ROWS = OPCODES.filter((r) => ['alu', 'mov', 'neg', 'movsx', 'end'].includes(r.kind));
const edge64 = fc.oneof(
  fc.constantFrom(0n, 1n, -1n, 1n << 63n, (1n << 63n) - 1n, 0xffffffffn, 0x80000000n, 0x100000000n, 0x7fffffffn),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
);
const edgeImm = fc.oneof(fc.constantFrom(0, 1, -1, 3, 31, 32, 63, 0x7fffffff, -0x80000000, 1 << 20, (1 << 21) - 1), fc.integer({ min: -0x80000000, max: 0x7fffffff }));
const aluInsn = fc.tuple(fc.constantFrom(...ALU_ROWS), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), edgeImm).map(
  ([row, dst, src, imm]): Insn => {
    const fixed = (r: FieldRange, v: number): number => (r.min === r.max ? r.min : v);
    let v = fixed(row.imm, imm);
    // What the verifier refuses: shifts by the width or more, division by an immediate zero.
    if (row.kind === 'alu' && row.source === 'imm' && (row.op === 0x60 || row.op === 0x70 || row.op === 0xc0)) v = Math.abs(v % row.width);
    if (row.kind === 'alu' && row.source === 'imm' && (row.op === 0x30 || row.op === 0x90) && v === 0) v = 7;
    return { code: row.code, dst, src: fixed(row.src, src), off: fixed(row.off, 0), imm: v };
  },
);

/** r0, count, fault and the stack (where the program left its registers). */
const regsAndStack = (m: Machine, r: RunResult): object => ({ r0: r0Of(r), insns: r.insns, fault: r.fault, stack: [...m.mem.bytes[REGION_STACK]!] });

describe('differential: JIT vs interpreter on 64-bit arithmetic', () => {
  test('random straight-line ALU programs, unverified and verified, leave the same registers', () => {
    fc.assert(
      fc.property(fc.array(edge64, { minLength: 6, maxLength: 6 }), fc.array(aluInsn, { minLength: 1, maxLength: 30 }), (init, body) => {
        // Registers start from the context, so the JIT knows nothing of their values.
        const regsCtx = new Uint8Array(168);
        const view = new DataView(regsCtx.buffer);
        init.forEach((v, r) => view.setBigUint64(8 * r, BigInt.asUintN(64, v), true));
        const insns: Insn[] = [];
        for (const r of [0, 2, 3, 4, 5, 1]) insns.push({ code: 0x79, dst: r, src: 1, off: 8 * r, imm: 0 });
        insns.push(...body);
        // Every register to the stack, so a verified run's registers can be compared too.
        for (let r = 0; r < 6; r++) insns.push({ code: 0x7b, dst: 10, src: r, off: -8 * (r + 1), imm: 0 });
        insns.push({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
        const l = loadProgram(insns);
        if (!l.ok) throw new Error(JSON.stringify(l.errors));
        const mi = new Machine(new IdleHost());
        const want = regsAndStack(mi, run(l.prog, mi, regsCtx, newRunResult()));
        const mu = new Machine(new IdleHost());
        expect(regsAndStack(mu, jitCompile(l.prog, mu).run(regsCtx, newRunResult()))).toEqual(want);
        expect([...mu.regs]).toEqual([...mi.regs]);
        const v = verifyProgram(insns, { progType: 'kprobe', maps: [] });
        if (!v.ok) throw new Error(v.log);
        const mv = new Machine(new IdleHost());
        const jv = jitCompile(l.prog, mv, v.analysis);
        expect(regsAndStack(mv, jv.run(regsCtx, newRunResult())), jv.source).toEqual(want);
      }),
      { numRuns: Number(process.env.JIT_FUZZ_RUNS ?? 400) },
    );
  });
});
