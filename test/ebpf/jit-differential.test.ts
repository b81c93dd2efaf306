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
