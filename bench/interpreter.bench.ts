// Interpreter speed: eBPF instructions per second on an ALU-heavy 64-bit loop, the same loop
// in 32-bit ops, a stack load/store loop, and the cost of one run of a 2-instruction program.
// Each bench name says how many instructions one call runs, so insns/s = hz * that; the
// tiny program's ns/run = 1e9 / (hz * TINY_BATCH). Run: npx vitest bench --run bench/interpreter.bench.ts
// Not a test: nothing here asserts a time.

import { bench, describe } from 'vitest';
import { assemble } from '../src/ebpf/asm/assemble.js';
import { IdleHost } from '../src/ebpf/conformance.js';
import { newRunResult, run } from '../src/ebpf/interpreter.js';
import { Machine } from '../src/ebpf/machine.js';
import { loadProgram, type Program } from '../src/ebpf/program.js';

const ITERATIONS = 0x10000;
const TINY_BATCH = 1000;

function load(text: string): Program {
  const a = assemble(text, { syntax: 'kernel' });
  if (!a.ok) throw new Error(JSON.stringify(a.errors));
  const l = loadProgram(a.insns, { budget: 1e9 });
  if (!l.ok) throw new Error(JSON.stringify(l.errors));
  return l.prog;
}

interface Loop {
  readonly prog: Program;
  /** Instructions one run executes: set-up, ITERATIONS × (body + branch), exit. */
  readonly insns: number;
}

function loop(setup: string, body: string): Loop {
  const count = (t: string): number => t.split('\n').filter((l) => l.trim() !== '').length;
  return {
    prog: load(`${setup}\nloop:\n${body}\nif r1 != ${ITERATIONS} goto loop\nexit`),
    insns: count(setup) + (count(body) + 1) * ITERATIONS + 1,
  };
}

const LOOPS: Record<string, Loop> = {
  'ALU64 loop': loop('r0 = 0x0\nr1 = 0x0\nr2 = 0x3', `
    r0 += r2
    r0 ^= 0x55
    r3 = r0
    r3 <<= 0x3
    r0 += r3
    r3 >>= 0x7
    r0 -= r3
    r0 &= 0xfffff
    r0 |= 0x10
    r1 += 0x1`),
  'ALU32 loop': loop('w0 = 0x0\nr1 = 0x0\nw2 = 0x3', `
    w0 += w2
    w0 ^= 0x55
    w3 = w0
    w3 <<= 0x3
    w0 += w3
    w3 >>= 0x7
    w0 -= w3
    w0 &= 0xfffff
    w0 |= 0x10
    r1 += 0x1`),
  'stack load/store loop': loop('r0 = 0x0\nr1 = 0x0\n*(u64 *)(r10 - 8) = r1', `
    r2 = *(u64 *)(r10 - 8)
    r2 += 0x3
    *(u64 *)(r10 - 8) = r2
    r3 = *(u32 *)(r10 - 8)
    r0 += r3
    *(u32 *)(r10 - 16) = r0
    r4 = *(u8 *)(r10 - 16)
    r0 ^= r4
    r1 += 0x1`),
};

const machine = new Machine(new IdleHost());
const out = newRunResult();
const ctx = new Uint8Array(64);

describe('interpreter loops', () => {
  for (const [name, { prog, insns }] of Object.entries(LOOPS)) {
    bench(`${name} (${insns} instructions per call)`, () => {
      run(prog, machine, ctx, out);
      if (out.insns !== insns) throw new Error(`${name} ran ${out.insns} instructions, expected ${insns}`);
    });
  }
});

const tiny = load('r0 = 0x1\nexit');
describe(`interpreter, 2-instruction program (${TINY_BATCH} runs per call)`, () => {
  bench('r0 = 1; exit', () => {
    for (let k = 0; k < TINY_BATCH; k++) run(tiny, machine, ctx, out);
  });
});
