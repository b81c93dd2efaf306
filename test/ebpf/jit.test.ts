// The JIT, tested as Sucrase tests its output: by the generated text of a few small programs
// (test/golden/jit, regenerated with UPDATE_GOLDEN=1; a callback among them) and by running
// it — every project ISA vector and every conformance vector (when ../shared has them) gives
// the same r0, count, fault, register file and memory as the interpreter, whole and cut into
// pieces; each fault kind is the interpreter's; the layouts (structured, pieces, dispatch,
// chunks) and the fallbacks to the interpreter; the engine the runtime plugs in.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { assemble } from '../../src/ebpf/asm/assemble.js';
import { CONFORMANCE_HELPERS, IdleHost, parseDataFile, UNSUPPORTED } from '../../src/ebpf/conformance.js';
import { helperTable } from '../../src/ebpf/helpers/helper-table.js';
import { execute, newRunResult, r0Of, run, type RunResult } from '../../src/ebpf/interpreter.js';
import type { Insn } from '../../src/ebpf/isa.js';
import { jitEngine } from '../../src/ebpf/jit/engine.js';
import { jitCompile, type JitOptions } from '../../src/ebpf/jit/jit.js';
import { type HelperFn, Machine } from '../../src/ebpf/machine.js';
import { createMap } from '../../src/ebpf/maps/create-map.js';
import { hashKeyWords } from '../../src/ebpf/maps/hash.js';
import type { MapSpec } from '../../src/ebpf/maps/map.js';
import { type HelperTable, loadProgram, type Program } from '../../src/ebpf/program.js';
import { verifyProgram } from '../../src/ebpf/verifier/verify.js';

const ISA_DIR = path.join(import.meta.dirname, '../golden/isa');
const CONFORMANCE_DIR = path.join(import.meta.dirname, '../../../shared/conformance/bpf_conformance/tests');
const GOLDEN_DIR = path.join(import.meta.dirname, '../golden/jit');

function insnsOf(text: string): Insn[] {
  const a = assemble(text, { syntax: 'kernel' });
  if (!a.ok) throw new Error(JSON.stringify(a.errors));
  return a.insns;
}

function load(insns: readonly Insn[], opts: { helpers?: HelperTable; budget?: number } = {}): Program {
  const l = loadProgram(insns, opts);
  if (!l.ok) throw new Error(JSON.stringify(l.errors));
  return l.prog;
}

const summary = (r: RunResult): object => ({
  r0: r0Of(r),
  insns: r.insns,
  fault: r.fault,
  faultPc: r.faultPc,
  faultMessage: r.faultMessage,
});

/** The machine state a run leaves besides its result: register file and every region's bytes. */
const machineState = (m: Machine): object => ({ regs: [...m.regs], regions: m.mem.bytes.map((b) => [...b]) });

// ── vectors: unverified programs, every access checked, the register file kept exact ───────
interface Vector {
  readonly name: string;
  readonly prog: Program;
  readonly machine: () => Machine;
}

function vectorsIn(dir: string): Vector[] {
  const out: Vector[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.data')).sort()) {
    const p = parseDataFile(readFileSync(path.join(dir, f), 'utf8'));
    if (!p.ok) continue;
    const file = p.file;
    let insns: Insn[];
    if (file.asm !== undefined) {
      if (UNSUPPORTED.some((u) => u.pattern.test(file.asm!))) continue;
      const a = assemble(file.asm, { syntax: 'conformance' });
      if (!a.ok) continue; // an assembler rejection is the expected outcome; nothing runs
      insns = a.insns;
    } else {
      insns = file.raw!;
    }
    const l = loadProgram(insns, { helpers: CONFORMANCE_HELPERS });
    if (!l.ok) continue;
    // As the conformance runner sets it up: r1 = the input memory, r2 = its length.
    const machine = (): Machine => {
      const m = new Machine(new IdleHost());
      if (file.mem !== undefined) {
        const region = m.mem.allocRegion(Uint8Array.from(file.mem), true);
        m.regs[2] = 0;
        m.regs[3] = region;
        m.regs[4] = file.mem.length;
      }
      return m;
    };
    out.push({ name: f, prog: l.prog, machine });
  }
  return out;
}

function sameAsInterpreter(v: Vector, opts: JitOptions = {}): void {
  const mi = v.machine();
  const mj = v.machine();
  const want = summary(execute(v.prog, mi, newRunResult()));
  const got = summary(jitCompile(v.prog, mj, undefined, opts).exec(newRunResult()));
  expect(got).toEqual(want);
  expect(machineState(mj)).toEqual(machineState(mi));
}

const isaVectors = vectorsIn(ISA_DIR);
const haveConformance = existsSync(CONFORMANCE_DIR);
const conformanceVectors = haveConformance ? vectorsIn(CONFORMANCE_DIR) : [];

describe('the project ISA vectors run the same in the JIT', () => {
  test('there are vectors', () => expect(isaVectors.length).toBeGreaterThanOrEqual(10));
  test.each(isaVectors.map((v) => [v.name, v] as const))('%s', (_, v) => sameAsInterpreter(v));
  test.each(isaVectors.map((v) => [v.name, v] as const))('%s, cut into pieces', (_, v) => sameAsInterpreter(v, { chunkChars: 2000 }));
});

describe.skipIf(!haveConformance)(`the conformance vectors run the same in the JIT (${CONFORMANCE_DIR})`, () => {
  test('there are vectors', () => expect(conformanceVectors.length).toBeGreaterThan(100));
  test.each(conformanceVectors.map((v) => [v.name, v] as const))('%s', (_, v) => sameAsInterpreter(v));
});

// ── generated text ─────────────────────────────────────────────────────────────────────────
interface GoldenCase {
  readonly name: string;
  readonly asm: string;
  /** Run the verifier (with these maps by fd) and compile with its facts; else unverified. */
  readonly maps?: readonly (MapSpec | undefined)[];
  readonly opts?: JitOptions;
}

const COUNT_SPEC: MapSpec = { name: '@', type: 'hash', keySize: 8, valueSize: 8, maxEntries: 64 };

const GOLDEN: readonly GoldenCase[] = [
  {
    name: 'alu-loop',
    maps: [],
    asm: `r0 = 0
r1 = 0
loop:
r0 += r1
r0 ^= 0x55
r1 += 1
if r1 != 100 goto loop
exit`,
  },
  {
    name: 'canonical-count',
    maps: [undefined, COUNT_SPEC],
    asm: `call 14
r0 >>= 32
*(u64 *)(r10 - 8) = r0
r1 = map_fd(1) ll
r2 = r10
r2 += -8
call 1
if r0 == 0 goto new
r1 = 1
lock *(u64 *)(r0 + 0) += r1
r0 = 0
exit
new:
*(u64 *)(r10 - 16) = 1
r1 = map_fd(1) ll
r2 = r10
r2 += -8
r3 = r10
r3 += -16
r4 = 0
call 2
r0 = 0
exit`,
  },
  {
    name: 'ctx-and-subprogram',
    maps: [],
    asm: `r6 = *(u64 *)(r1 + 112)
r1 = r6
call twice
r0 += r6
exit
twice:
*(u64 *)(r10 - 8) = r1
r0 = *(u64 *)(r10 - 8)
r0 <<= 1
exit`,
  },
  {
    // bpf_loop's callback: the module's invoker runs f5 one frame down, counting on from the helper call.
    name: 'callback',
    maps: [],
    asm: `*(u64 *)(r10 - 8) = 0
r1 = 3
r2 = func(cb) ll
r3 = r10
r3 += -8
r4 = 0
call 181
r0 = *(u64 *)(r10 - 8)
exit
cb:
r0 = *(u64 *)(r2 + 0)
r0 += r1
*(u64 *)(r2 + 0) = r0
r0 = 0
exit`,
  },
  {
    name: 'unverified-access',
    asm: `r0 = *(u32 *)(r1 + 4)
*(u64 *)(r2 + 0) = r0
call 5
exit`,
  },
  {
    name: 'irreducible-dispatch',
    asm: `r0 = 0
if r1 > 5 goto inside
top:
r0 += 1
inside:
r0 += 2
if r0 < 10 goto top
exit`,
  },
  {
    name: 'pieces',
    maps: [],
    opts: { chunkChars: 120 },
    asm: `r0 = 1
r1 = 2
if r0 == 0 goto out
r0 += r1
r1 *= 3
r0 ^= r1
out:
exit`,
  },
];

function goldenText(c: GoldenCase): string {
  const insns = insnsOf(c.asm);
  const helpers: HelperTable = c.maps === undefined ? CONFORMANCE_HELPERS : helperTable;
  const prog = load(insns, { helpers });
  const m = new Machine(new IdleHost());
  let analysis;
  if (c.maps !== undefined) {
    c.maps.forEach((spec, fd) => {
      if (spec !== undefined) m.maps[fd] = createMap(spec, m.mem, 1, fd);
    });
    const v = verifyProgram(insns, { progType: 'kprobe', maps: c.maps });
    if (!v.ok) throw new Error(v.log);
    analysis = v.analysis;
  }
  const j = jitCompile(prog, m, analysis, c.opts);
  return `-- asm (${c.maps === undefined ? 'unverified' : 'verified'})\n${c.asm}\n-- layouts\n${JSON.stringify(j.layouts)}\n-- js\n${j.source}`;
}

describe('generated text (golden)', () => {
  test.each(GOLDEN.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const file = path.join(GOLDEN_DIR, `${name}.txt`);
    const text = goldenText(c);
    if (process.env['UPDATE_GOLDEN'] === '1') {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, text);
    }
    expect(text).toBe(readFileSync(file, 'utf8'));
  });
});

// ── faults: the interpreter's results, exactly ───────────────────────────────────────────
/** Runs text in both engines (unverified) on fresh machines; returns both summaries. */
function both(text: string, opts: { helpers?: HelperTable; budget?: number; ctx?: Uint8Array; setup?: (m: Machine) => void } = {}): [object, object] {
  const prog = load(insnsOf(text), opts);
  const mk = (): Machine => {
    const m = new Machine(new IdleHost());
    opts.setup?.(m);
    return m;
  };
  const mi = mk();
  const mj = mk();
  const ctx = opts.ctx ?? new Uint8Array(16);
  const want = summary(run(prog, mi, ctx, newRunResult()));
  const got = summary(jitCompile(prog, mj).run(ctx, newRunResult()));
  expect(machineState(mj)).toEqual(machineState(mi));
  return [got, want];
}

const throwing: HelperFn[] = [];
throwing[9] = () => {
  throw new Error('boom');
};

describe('faults are the interpreter’s', () => {
  test.each([
    ['a read past the context', 'r0 = *(u64 *)(r1 + 12)\nexit', {}],
    ['a write into the read-only context', '*(u8 *)(r1 + 0) = 1\nr0 = 0\nexit', {}],
    ['a read through a scalar', 'r1 = 77\nr0 = *(u32 *)(r1 + 0)\nexit', {}],
    ['a negative offset', 'r0 = *(u8 *)(r1 - 1)\nexit', {}],
    ['an atomic on the context', 'r2 = 1\nlock *(u64 *)(r1 + 0) += r2\nr0 = 0\nexit', {}],
    ['the stack past its top', 'r0 = *(u64 *)(r10 + 3584)\nexit', {}],
    ['an unknown helper', 'r0 = 1\ncall 999\nexit', {}],
    ['a throwing helper', 'r0 = 5\nr1 = 1\ncall 9\nexit', { helpers: throwing }],
    ['an endless loop against the budget', 'r0 = 0\nloop:\nr0 += 1\ngoto loop', { budget: 1000 }],
    ['the budget at the final exit', 'r0 = 0\nr0 += 1\nr0 += 1\nr0 += 1\nexit', { budget: 3 }],
    ['endless recursion', 'r0 = 0\ncall f\nexit\nf:\nr0 += 1\ncall f\nexit', {}],
    ['a kfunc call', 'r0 = 0\ncall kfunc 7\nexit', {}],
    ['lddw map_value of a missing map', 'r0 = map_value(3, 0) ll\nexit', {}],
    ['running past the last instruction', 'r0 = 1\nr0 += 1', {}],
  ] as const)('%s', (_, text, opts) => {
    const [got, want] = both(text, opts);
    expect((want as RunResult).fault).toBeDefined();
    expect(got).toEqual(want);
  });

  test('a call back to slot 0 (unverified) runs main again as a callee', () => {
    const insns: Insn[] = [
      { code: 0x07, dst: 0, src: 0, off: 0, imm: 1 }, // r0 += 1
      { code: 0x25, dst: 0, src: 0, off: 1, imm: 5 }, // if r0 > 5 goto +1
      { code: 0x85, dst: 0, src: 1, off: 0, imm: -3 }, // call slot 0
      { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }, // exit
    ];
    const prog = load(insns);
    const j = jitCompile(prog, new Machine(new IdleHost()));
    expect(j.layouts.map((l) => l.entry)).toEqual([0, 0]);
    const want = summary(run(prog, new Machine(new IdleHost()), null, newRunResult()));
    expect(want).toEqual({ r0: 6n, insns: 23, fault: undefined, faultPc: -1, faultMessage: '' });
    expect(summary(j.run(null, newRunResult()))).toEqual(want);
  });

  test('a fault is cleared by the next run of the same RunResult', () => {
    const prog = load(insnsOf('r0 = *(u64 *)(r1 + 0)\nexit'));
    const j = jitCompile(prog, new Machine(new IdleHost()));
    const out = newRunResult();
    expect(j.run(new Uint8Array(4), out).fault).toBe('read');
    expect(summary(j.run(new Uint8Array(8), out))).toEqual({ r0: 0n, insns: 2, fault: undefined, faultPc: -1, faultMessage: '' });
  });
});

// ── verified programs: facts, fallbacks, layouts ─────────────────────────────────────────
function verified(text: string, maps: readonly (MapSpec | undefined)[] = [], m = new Machine(new IdleHost()), opts: JitOptions = {}) {
  const insns = insnsOf(text);
  const v = verifyProgram(insns, { progType: 'kprobe', maps });
  if (!v.ok) throw new Error(v.log);
  const prog = load(insns, { helpers: helperTable });
  return { prog, m, jit: jitCompile(prog, m, v.analysis, opts) };
}

describe('verified programs', () => {
  test('proven context reads are unchecked; a shorter context runs in the interpreter', () => {
    const { prog, m, jit } = verified('r0 = *(u64 *)(r1 + 160)\nexit');
    expect(jit.source).toContain('C.getInt32(164, true)');
    expect(jit.source).toContain('CV.byteLength < 168) return fallback.run(ctx, out);');
    const full = new Uint8Array(168);
    full[160] = 9;
    expect(summary(jit.run(full, newRunResult()))).toEqual(summary(run(prog, new Machine(new IdleHost()), full, newRunResult())));
    const short = new Uint8Array(100);
    expect(summary(jit.run(short, newRunResult()))).toEqual(summary(run(prog, new Machine(new IdleHost()), short, newRunResult())));
    expect(jit.run(short, newRunResult()).fault).toBe('read');
    void m;
  });

  test('exec() with r1 not the context runs in the interpreter', () => {
    const { prog, m, jit } = verified('r0 = *(u8 *)(r1 + 0)\nexit');
    const region = m.mem.allocRegion(Uint8Array.of(42), true);
    m.regs[2] = 0;
    m.regs[3] = region;
    expect(r0Of(jit.exec(newRunResult()))).toBe(42n);
    void prog;
  });

  test('a 4,000-instruction program is cut into pieces of at most the limit and runs as the interpreter does', () => {
    const lines = ['r0 = 0', 'r1 = 0', '*(u64 *)(r10 - 8) = r1', 'r9 = 3', 'loop:'];
    for (let g = 0; g < 400; g++) {
      lines.push('r2 = *(u64 *)(r10 - 8)', `r2 += ${g + 1}`, '*(u64 *)(r10 - 8) = r2', 'r3 = *(u32 *)(r10 - 8)', 'r0 += r3',
        `r0 ^= ${g * 7}`, 'r4 = r0', 'r4 >>= 3', `if r4 > ${g * 1000} goto +1`, 'r0 -= r4');
    }
    lines.push('r9 += -1', 'if r9 != 0 goto loop', 'exit');
    const { prog, jit } = verified(lines.join('\n'));
    expect(prog.insns.length).toBe(4007);
    expect(jit.layouts.length).toBe(1);
    expect(jit.layouts[0]!.layout).toBe('structured');
    expect(jit.layouts[0]!.functions).toBeGreaterThan(5);
    // Every JS function of the module stays below the limit (40,000 characters, ~20 KB of bytecode).
    const fns = jit.source.split(/\n(?=function )/);
    for (const f of fns) expect(f.length).toBeLessThan(50_000);
    const ctx = new Uint8Array(168);
    expect(summary(jit.run(ctx, newRunResult()))).toEqual(summary(run(prog, new Machine(new IdleHost()), ctx, newRunResult())));
  });

  test('irreducible flow becomes a dispatch loop, or dispatch chunks when big; both run as the interpreter does', () => {
    const body: string[] = [];
    for (let g = 0; g < 30; g++) body.push(`r0 += ${g}`, `r0 ^= ${g * 3}`, 'r2 = r0', 'r2 &= 7', `if r2 == ${g & 7} goto +1`, 'r0 += 1');
    const text = ['r0 = 0', 'r1 = 0', 'if r0 > 5 goto inside', 'top:', 'r1 += 1', 'inside:', ...body, 'if r1 < 20 goto top', 'exit'].join('\n');
    const prog = load(insnsOf(text));
    const want = summary(run(prog, new Machine(new IdleHost()), null, newRunResult()));
    const small = jitCompile(prog, new Machine(new IdleHost()));
    expect(small.layouts[0]!.layout).toBe('dispatch');
    expect(summary(small.run(null, newRunResult()))).toEqual(want);
    const chunked = jitCompile(prog, new Machine(new IdleHost()), undefined, { chunkChars: 2000 });
    expect(chunked.layouts[0]!.layout).toBe('chunked');
    expect(chunked.layouts[0]!.functions).toBeGreaterThan(3);
    expect(summary(chunked.run(null, newRunResult()))).toEqual(want);
  });

  test('map operations go straight to the map (lookup and update inlined); the count is the interpreter’s', () => {
    const text = GOLDEN.find((c) => c.name === 'canonical-count')!.asm;
    const mk = (): Machine => {
      const m = new Machine(new IdleHost());
      m.maps[1] = createMap(COUNT_SPEC, m.mem, 1, 1);
      return m;
    };
    const { prog, m, jit } = verified(text, [undefined, COUNT_SPEC], mk());
    // The lookup of the 8-byte stack key is the hash table's find, inlined.
    expect(jit.source).toContain('k0 = S.getInt32(504, true);');
    expect(jit.source).toContain('pr = map1T[t1];');
    expect(jit.source).not.toContain('map1.lookup');
    // The update too: the same probe, the value copied into the found slot, insertAt on a miss.
    expect(jit.source).toContain('pr = map1.insertAt(t1, t0);');
    expect(jit.source).toContain('pv.setInt32(pr * 8, S.getInt32(496, true), true);');
    expect(jit.source).not.toContain('map1.update');
    expect(jit.source).not.toContain('h1(M)');
    const mi = mk();
    const out = newRunResult();
    for (let k = 0; k < 5; k++) {
      expect(summary(jit.run(null, out))).toEqual(summary(run(prog, mi, null, newRunResult())));
    }
    const entries = (x: Machine): unknown => [...x.maps[1]!.entries()].map((e) => [[...e.key], [...e.values[0]!]]);
    expect(entries(m)).toEqual([[[0, 0, 0, 0, 0, 0, 0, 0], [5, 0, 0, 0, 0, 0, 0, 0]]]);
    expect(entries(m)).toEqual(entries(mi));
  });

  test.each([
    // [what, the code between the key's stores and the lookup, folded]
    ['constant key words: hashed at compile time', '', true],
    ['a helper wrote the stack since (get_current_comm)', 'r1 = r10\nr1 += -32\nr2 = 16\ncall 16', false],
    ['a store through an unknown pointer', 'r1 = r10\nr1 += -16\nr1 += r7\n*(u8 *)(r1 + 0) = 9', false],
    ['one key byte overwritten by a register', '*(u8 *)(r10 - 6) = r7', false],
  ])('the key of a lookup: %s', (_what, between, folded) => {
    // r7 = 0 (known to the emitter only after a store through memory), so the key is the
    // same in every case: the program counts into the entry of key 5.
    const text = `r7 = *(u64 *)(r1 + 0)
r7 &= 0
*(u32 *)(r10 - 8) = 5
*(u32 *)(r10 - 4) = 0
${between}
r1 = map_fd(1) ll
r2 = r10
r2 += -8
call 1
if r0 == 0 goto miss
r1 = 1
lock *(u64 *)(r0 + 0) += r1
miss:
r0 = 0
exit`.replace('\n\n', '\n');
    const mk = (): Machine => {
      const m = new Machine(new IdleHost());
      m.maps[1] = createMap(COUNT_SPEC, m.mem, 1, 1);
      m.maps[1].updateUser(Uint8Array.of(5, 0, 0, 0, 0, 0, 0, 0), [new Uint8Array(8)], 0);
      return m;
    };
    const { prog, m, jit } = verified(text, [undefined, COUNT_SPEC], mk());
    const hash = hashKeyWords([5, 0], 8);
    expect(jit.source.includes(`t0 = ${hash};`)).toBe(folded);
    expect(jit.source.includes('k0 = S.getInt32(504, true);')).toBe(!folded);
    const mi = mk();
    const ctx = new Uint8Array(64);
    for (let k = 0; k < 3; k++) expect(summary(jit.run(ctx, newRunResult()))).toEqual(summary(run(prog, mi, ctx, newRunResult())));
    const entries = (x: Machine): unknown => [...x.maps[1]!.entries()].map((e) => [[...e.key], [...e.values[0]!]]);
    expect(entries(m)).toEqual([[[5, 0, 0, 0, 0, 0, 0, 0], [3, 0, 0, 0, 0, 0, 0, 0]]]);
    expect(entries(m)).toEqual(entries(mi));
  });

  test.each([
    // [budget, checked]: main's 4 instructions + 3 × sub (4 + 2 × leaf's 2) = 28 at most
    [28, false],
    [27, true],
  ])('a loop-free program with calls under a budget of %i: budget checks %s, the interpreter’s result', (budget, checked) => {
    const text = 'call sub\ncall sub\ncall sub\nexit\nsub:\ncall leaf\ncall leaf\nr0 += 1\nexit\nleaf:\nr0 = 1\nexit';
    const prog = load(insnsOf(text), { budget });
    const jit = jitCompile(prog, new Machine(new IdleHost()));
    expect(jit.source.includes('budgetFault(')).toBe(checked);
    const want = summary(run(prog, new Machine(new IdleHost()), null, newRunResult()));
    expect(summary(jit.run(null, newRunResult()))).toEqual(want);
    expect(want).toMatchObject(checked ? { fault: 'budget' } : { fault: undefined, insns: 28 });
  });

  test('a loop loads the view of a map value pointer it never writes once, before it starts; the run is the interpreter’s', () => {
    const ARR: MapSpec = { name: 'arr', type: 'percpu_array', keySize: 4, valueSize: 64, maxEntries: 2 };
    // r6: the value of element 0, never written in the loop (its view is hoisted); r7 walks
    // element 1's value (written in the loop: its view is loaded where it is used); the
    // helper call inside the loop clobbers r0..r5.
    const text = `*(u32 *)(r10 - 4) = 0
r1 = map_fd(1) ll
r2 = r10
r2 += -4
call 1
if r0 == 0 goto out
r6 = r0
*(u32 *)(r10 - 4) = 1
r1 = map_fd(1) ll
r2 = r10
r2 += -4
call 1
if r0 == 0 goto out
r7 = r0
r8 = 0
loop:
r2 = *(u64 *)(r6 + 8)
r2 += r8
*(u64 *)(r6 + 8) = r2
*(u8 *)(r7 + 0) = r2
r7 += 1
call 8
r3 = *(u32 *)(r6 + 8)
r3 += r0
*(u32 *)(r6 + 16) = r3
r8 += 1
if r8 < 6 goto loop
r0 = *(u64 *)(r6 + 8)
exit
out:
r0 = 0
exit`;
    const mk = (): Machine => {
      const m = new Machine(new IdleHost());
      m.maps[1] = createMap(ARR, m.mem, 1, 1);
      return m;
    };
    const { prog, m, jit } = verified(text, [undefined, ARR], mk());
    expect(jit.source).toMatch(/v6 = V\[r6h\];\n\s*l\d+: for \(;;\) \{/);
    expect(jit.source).not.toMatch(/v7 = V\[r7h\];\n\s*l\d+: for/);
    const mi = mk();
    for (let k = 0; k < 2; k++) expect(summary(jit.run(null, newRunResult()))).toEqual(summary(run(prog, mi, null, newRunResult())));
    const values = (x: Machine): unknown => [...x.maps[1]!.entries()].map((e) => [...e.values[0]!]);
    expect(values(m)).toEqual(values(mi));
    // Two runs: element 0 holds 2 × (0 + … + 5) at +8 (and its low word plus CPU 0 at +16);
    // element 1 the low bytes of the running sums of the second run.
    const want0 = new Uint8Array(64);
    want0[8] = 30;
    want0[16] = 30;
    const want1 = new Uint8Array(64);
    want1.set([15, 16, 18, 21, 25, 30]);
    expect(values(m)).toEqual([[...want0], [...want1]]);
  });

  test('a 1024-byte key in scratch memory (bpftrace 0.23’s string keys) goes through the map object', () => {
    const BIG: MapSpec = { name: 'big', type: 'hash', keySize: 1024, valueSize: 8, maxEntries: 16 };
    const SCRATCH: MapSpec = { name: 'scratch', type: 'percpu_array', keySize: 4, valueSize: 1024, maxEntries: 1 };
    const maps = [undefined, BIG, SCRATCH];
    const mk = (): Machine => {
      const m = new Machine(new IdleHost());
      m.maps[1] = createMap(BIG, m.mem, 1, 1);
      m.maps[2] = createMap(SCRATCH, m.mem, 1, 2);
      return m;
    };
    const text = `*(u32 *)(r10 - 4) = 0
r1 = map_fd(2) ll
r2 = r10
r2 += -4
call 1
if r0 == 0 goto out
r6 = r0
*(u64 *)(r6 + 1016) = 7
*(u64 *)(r10 - 16) = 42
r1 = map_fd(1) ll
r2 = r6
r3 = r10
r3 += -16
r4 = 0
call 2
r1 = map_fd(1) ll
r2 = r6
call 1
if r0 == 0 goto out
r0 = *(u64 *)(r0 + 0)
out:
exit`;
    const { prog, m, jit } = verified(text, maps, mk());
    expect(jit.source).toMatch(/map1\.lookup\(B\[r\dh\], r\dl, 0\)/);
    expect(jit.source).not.toContain('map1T');
    const want = summary(run(prog, mk(), null, newRunResult()));
    expect(want).toEqual({ r0: 42n, insns: 21, fault: undefined, faultPc: -1, faultMessage: '' });
    expect(summary(jit.run(null, newRunResult()))).toEqual(want);
    expect([...m.maps[1]!.entries()].map((e) => [e.key.length, e.key[1016]])).toEqual([[1024, 7]]);
  });
});

describe('the engine', () => {
  test('loads verified instructions and runs them', () => {
    const m = new Machine(new IdleHost());
    const insns = insnsOf('r0 = 7\nexit');
    const v = verifyProgram(insns, { progType: 'kprobe', maps: [] });
    if (!v.ok) throw new Error(v.log);
    const p = jitEngine.load(insns, m, { helpers: helperTable, analysis: v.analysis, name: 'BEGIN_1' });
    if ('errors' in p) throw new Error('errors');
    expect(r0Of(p.run(null, newRunResult()))).toBe(7n);
  });

  test('reports structural errors as loadProgram does', () => {
    const p = jitEngine.load([{ code: 0x05, dst: 0, src: 0, off: 5, imm: 0 }], new Machine(new IdleHost()), { helpers: [], name: 'x' });
    expect(p).toEqual({ errors: [{ pc: 0, message: 'jump out of range from insn 0 to 6' }] });
  });
});
