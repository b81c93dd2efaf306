// Verifier speed on the start-up path: each bpftrace-shaped program of
// test/ebpf/verifier-bpftrace-programs.ts, a straight-line 100-instruction program, and the
// whole set. ns per program = 1e9 / hz; divide by the instruction count for ns/insn.
// Run: npx vitest bench --run bench/verifier.bench.ts (results are in bench/verifier.md).
// Not a test: nothing here asserts a time.

import { bench, describe } from 'vitest';
import { assemble } from '../src/ebpf/asm/assemble.js';
import type { Insn } from '../src/ebpf/isa.js';
import { verifyProgram, type VerifyOptions } from '../src/ebpf/verifier/verify.js';
import { SHAPED_PROGRAMS } from '../test/ebpf/verifier-bpftrace-programs.js';

interface Case {
  readonly name: string;
  readonly insns: Insn[];
  readonly opts: VerifyOptions;
}

function asm(text: string): Insn[] {
  const a = assemble(text);
  if (!a.ok) throw new Error(JSON.stringify(a.errors));
  return a.insns;
}

const shaped: Case[] = SHAPED_PROGRAMS.map((p) => ({
  name: p.name,
  insns: asm(p.asm),
  opts: { progType: p.prog, maps: [undefined, ...p.maps], ctxSize: p.ctxSize },
}));

/** 100 instructions: field reads, arithmetic, stack stores, and a ringbuf_output at the end. */
const straight: Case = (() => {
  const lines = ['r6 = r1'];
  for (let i = 0; i < 10; i++) {
    lines.push(`r2 = *(u64 *)(r6 + ${8 + 8 * (i % 4)})`, 'r2 += 1', 'r2 <<= 2', 'r2 &= 0xfff', `*(u64 *)(r10 - ${8 * (i + 1)}) = r2`);
    lines.push('r3 = r2', 'r3 *= 3', 'r3 |= 1', `*(u32 *)(r10 - ${8 * (i + 1) + 4}) = r3`);
  }
  lines.push('r1 = map_fd(1) ll', 'r2 = r10', 'r2 += -80', 'r3 = 80', 'r4 = 0', 'call 130', 'r0 = 0', 'exit');
  const ringbuf = { name: 'rb', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 262144 } as const;
  return { name: 'straight-line, 100 instructions', insns: asm(lines.join('\n')), opts: { progType: 'tracepoint', ctxSize: 48, maps: [undefined, ringbuf] } };
})();

describe('verifyProgram', () => {
  for (const c of [straight, ...shaped]) {
    bench(`${c.name} (${c.insns.length} insns)`, () => {
      const r = verifyProgram(c.insns, c.opts);
      if (!r.ok) throw new Error(r.log);
    });
  }
  bench(`all shaped programs (${shaped.reduce((n, c) => n + c.insns.length, 0)} insns)`, () => {
    for (const c of shaped) verifyProgram(c.insns, c.opts);
  });
});
