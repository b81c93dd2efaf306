// Bad bytecode for the sandbox: a corpus of real programs (the verifier's case table, the
// bpftrace-shaped programs, everything the compiler makes of the golden programs, the ISA
// vectors), random instruction streams (rows of the opcode table with arbitrary legal or
// illegal fields, and raw words), and mutators that change one field, opcode, jump, helper id
// or map fd, or cut, swap and duplicate instructions. Deterministic from a seed (Rng).
// In: the repository. Out: Subject[] and Subject → Subject. Not: running them (sandbox.ts).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkProgram } from '../src/check/check.js';
import { compileProgram } from '../src/compile/compile-program.js';
import { SourceFile } from '../src/diag/source.js';
import { assemble } from '../src/ebpf/asm/assemble.js';
import { parseDataFile } from '../src/ebpf/conformance.js';
import { HELPER_PROTOS } from '../src/ebpf/helpers/prototypes.js';
import { BPF_PSEUDO_MAP_FD, type Insn } from '../src/ebpf/isa.js';
import type { MapSpec } from '../src/ebpf/maps/map.js';
import { isRow, matchRow, OPCODES } from '../src/ebpf/opcodes.js';
import type { ProgTypeName } from '../src/ebpf/progtypes.js';
import type { VerifyOptions } from '../src/ebpf/verifier/verify.js';
import { parseProgram } from '../src/parse/parse-program.js';
import { SHAPED_PROGRAMS } from '../test/ebpf/verifier-bpftrace-programs.js';
import { VERIFIER_CASES } from '../test/ebpf/verifier-cases.js';

/** A program with everything the verifier and the machine need to load it. */
export interface Subject {
  /** Origin and mutations, for reports. */
  readonly name: string;
  readonly insns: readonly Insn[];
  /** Map specs by fd (index 0 unused). */
  readonly maps: readonly (MapSpec | undefined)[];
  readonly progType: ProgTypeName;
  readonly ctxSize?: number;
  /** Extra verifier options the origin asks for (lower budgets, uninitialised stack). */
  readonly opts?: Partial<VerifyOptions>;
}

/** splitmix32: a small deterministic PRNG (no Math.random: a seed reproduces a run). */
export class Rng {
  constructor(private s: number) {}
  next(): number {
    this.s = (this.s + 0x9e3779b9) | 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }
  /** 0 ≤ n < bound. */
  below(bound: number): number {
    return bound <= 0 ? 0 : this.next() % bound;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }
}

const ROOT = join(import.meta.dirname, '..');

// ── the corpus ───────────────────────────────────────────────────────────────────────────

function assembled(text: string): Insn[] | undefined {
  const a = assemble(text);
  return a.ok ? a.insns : undefined;
}

/** The verifier's own table: accepted programs and programs one step from acceptance. */
function verifierCases(): Subject[] {
  return VERIFIER_CASES.flatMap((c) => {
    const insns = c.insns ?? (c.asm !== undefined ? assembled(c.asm) : undefined);
    if (!insns) return [];
    return [{ name: `verifier case '${c.name}'`, insns, maps: [undefined, ...(c.maps ?? [])], progType: c.prog ?? 'tracepoint', ...(c.opts ? { opts: c.opts } : {}) }];
  });
}

function shapedPrograms(): Subject[] {
  return SHAPED_PROGRAMS.flatMap((p) => {
    const insns = assembled(p.asm);
    return insns ? [{ name: `bpftrace-shaped '${p.name}'`, insns, maps: [undefined, ...p.maps], progType: p.prog, ...(p.ctxSize !== undefined ? { ctxSize: p.ctxSize } : {}) }] : [];
  });
}

/** What the compiler makes of every golden program that compiles (probes, maps, contexts). */
export function compiledPrograms(): Subject[] {
  const dir = join(ROOT, 'test', 'golden', 'programs');
  if (!existsSync(dir)) return [];
  const out: Subject[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.bt')).sort()) {
    const meta = JSON.parse(readFileSync(join(dir, f.replace(/\.bt$/, '.json')), 'utf8')) as { args: string[]; params: string[] };
    const source = new SourceFile(f, readFileSync(join(dir, f), 'utf8'));
    const parsed = parseProgram(source, { positional: meta.params });
    if (!parsed.ok) continue;
    const checked = checkProgram(parsed.value, source, { unsafe: meta.args.includes('--unsafe'), positional: meta.params, named: {} });
    if (!checked.ok) continue;
    let compiled;
    try {
      compiled = compileProgram(checked.value, { ncpus: 2 });
    } catch {
      continue; // the bad-programs suite reports compiler crashes; here only output matters
    }
    if (!compiled.ok) continue;
    const maps = [undefined, ...compiled.value.maps.map((d) => d.spec)];
    for (const p of compiled.value.programs) {
      out.push({ name: `compiled ${f} ${p.name}`, insns: p.insns, maps, progType: p.progType, ctxSize: p.ctxSize });
    }
  }
  return out;
}

/** The ISA vectors: every instruction, run against a 'memory' context. */
function isaVectors(): Subject[] {
  const dir = join(ROOT, 'test', 'golden', 'isa');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.data'))
    .sort()
    .flatMap((f) => {
      const d = parseDataFile(readFileSync(join(dir, f), 'utf8'));
      if (!d.ok) return [];
      const insns = d.file.raw ?? (d.file.asm !== undefined ? assembled(d.file.asm) : undefined);
      return insns ? [{ name: `isa vector ${f}`, insns, maps: [undefined], progType: 'kprobe' as const }] : [];
    });
}

export function corpus(): Subject[] {
  return [...verifierCases(), ...shapedPrograms(), ...compiledPrograms(), ...isaVectors()];
}

// ── random streams ──────────────────────────────────────────────────────────────────────

const EDGE = [0, 1, -1, 2, 4, 7, 8, -8, 16, -16, 31, 32, 63, 64, 255, 256, 511, 512, -512, -513, 0x7fff, -0x8000, 0xffff, 0x7fffffff, -0x80000000];
const EXIT: Insn = { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 };
const MAP_KINDS: readonly MapSpec[] = [
  { name: 'h8', type: 'hash', keySize: 8, valueSize: 8, maxEntries: 16 },
  { name: 'a64', type: 'array', keySize: 4, valueSize: 64, maxEntries: 4 },
  { name: 'pc', type: 'percpu_hash', keySize: 8, valueSize: 16, maxEntries: 8 },
  { name: 'rb', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 },
  { name: 'lru', type: 'lru_hash', keySize: 16, valueSize: 24, maxEntries: 4 },
];
const PROG_TYPES: readonly ProgTypeName[] = ['kprobe', 'tracepoint', 'perf_event', 'raw_tracepoint', 'tracing'];

/** A field value: mostly legal for the row, else an edge or random value (encodable: int32). */
function field(rng: Rng, range: { min: number; max: number } | undefined): number {
  if (range && rng.chance(0.8)) return range.min + rng.below(range.max - range.min + 1);
  return rng.chance(0.5) ? rng.pick(EDGE) : rng.next() | 0;
}

/** One instruction: a row of the opcode table with fields mostly in its legal ranges, or a raw word. */
function randomInsn(rng: Rng, n: number): Insn[] {
  if (rng.chance(0.05)) return [{ code: rng.below(256), dst: rng.below(16), src: rng.below(16), off: (rng.next() << 16) >> 16, imm: rng.next() | 0 }];
  const row = rng.pick(OPCODES);
  const jumpy = row.kind === 'jcond' || row.kind === 'ja';
  const first: Insn = {
    code: row.code,
    dst: rng.chance(0.9) ? row.dst.min + rng.below(row.dst.max - row.dst.min + 1) : rng.below(16),
    src: field(rng, row.src) & 15,
    // Jumps mostly land inside the program.
    off: jumpy && rng.chance(0.9) ? rng.below(Math.max(1, n)) - (rng.chance(0.2) ? rng.below(4) : 0) : (field(rng, row.off) << 16) >> 16,
    imm:
      row.kind === 'call' ? rng.pick([...HELPER_PROTOS.keys()])
      : row.kind === 'lddw' && row.pseudo === BPF_PSEUDO_MAP_FD ? rng.below(4)
      : field(rng, row.imm),
  };
  return row.slots === 2 ? [first, { code: 0, dst: 0, src: 0, off: 0, imm: rng.chance(0.5) ? 0 : rng.next() | 0 }] : [first];
}

/** A random stream of 1–40 instructions ending in `r0 = 0; exit` most of the time. */
export function randomStream(rng: Rng, index: number): Subject {
  const len = 1 + rng.below(40);
  const insns: Insn[] = [];
  // Most programs set r0 and some scalars first, so the verifier looks past the first insn.
  if (rng.chance(0.7)) for (const r of [0, 2, 3, 4, 5]) insns.push({ code: 0xb7, dst: r, src: 0, off: 0, imm: rng.pick(EDGE) });
  while (insns.length < len) insns.push(...randomInsn(rng, len - insns.length));
  if (rng.chance(0.9)) insns.push({ code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }, EXIT);
  const maps: (MapSpec | undefined)[] = [undefined, ...Array.from({ length: rng.below(4) }, () => rng.pick(MAP_KINDS))];
  return { name: `random stream #${index}`, insns, maps, progType: rng.pick(PROG_TYPES) };
}

// ── mutations ───────────────────────────────────────────────────────────────────────────

type Mutator = (rng: Rng, insns: Insn[], s: Subject) => string;

const FIELDS = ['code', 'dst', 'src', 'off', 'imm'] as const;

const MUTATORS: readonly Mutator[] = [
  (rng, insns) => {
    const i = rng.below(insns.length);
    const f = rng.pick(FIELDS);
    const old = insns[i]![f];
    const value = f === 'code' ? rng.below(256) : f === 'dst' || f === 'src' ? rng.below(16) : rng.chance(0.5) ? old + rng.pick([-8, -4, -1, 1, 4, 8]) : rng.pick(EDGE);
    insns[i] = { ...insns[i]!, [f]: f === 'off' ? (value << 16) >> 16 : value | 0 };
    return `${f}@${i}`;
  },
  (rng, insns) => {
    const i = rng.below(insns.length);
    insns[i] = { ...insns[i]!, code: rng.pick(OPCODES).code };
    return `opcode@${i}`;
  },
  (rng, insns) => {
    const jumps = insns.flatMap((x, i) => {
      const r = matchRow(x);
      return isRow(r) && (r.kind === 'jcond' || r.kind === 'ja') ? [i] : [];
    });
    if (jumps.length === 0) return 'no jump';
    const i = rng.pick(jumps);
    insns[i] = { ...insns[i]!, off: ((insns[i]!.off + rng.pick([-3, -2, -1, 1, 2, 3])) << 16) >> 16 };
    return `jump@${i}`;
  },
  (rng, insns) => {
    const calls = insns.flatMap((x, i) => (x.code === 0x85 && x.src === 0 ? [i] : []));
    if (calls.length === 0) return 'no call';
    const i = rng.pick(calls);
    insns[i] = { ...insns[i]!, imm: rng.chance(0.8) ? rng.pick([...HELPER_PROTOS.keys()]) : rng.below(300) };
    return `helper@${i}`;
  },
  (rng, insns, s) => {
    const loads = insns.flatMap((x, i) => (x.code === 0x18 && x.src === BPF_PSEUDO_MAP_FD ? [i] : []));
    if (loads.length === 0) return 'no map';
    const i = rng.pick(loads);
    insns[i] = { ...insns[i]!, imm: rng.below(s.maps.length + 1) };
    return `mapfd@${i}`;
  },
  (rng, insns) => {
    const mem = insns.flatMap((x, i) => ([1, 2, 3].includes(x.code & 7) && x.code !== 0x18 ? [i] : []));
    if (mem.length === 0) return 'no access';
    const i = rng.pick(mem);
    insns[i] = { ...insns[i]!, off: (insns[i]!.off + rng.pick([-512, -9, -8, -1, 1, 4, 8, 512])) << 16 >> 16 };
    return `access@${i}`;
  },
  (rng, insns) => {
    const a = rng.below(insns.length);
    const b = rng.below(insns.length);
    [insns[a], insns[b]] = [insns[b]!, insns[a]!];
    return `swap@${a},${b}`;
  },
  (rng, insns) => {
    const i = rng.below(insns.length);
    insns.splice(i, 0, ...randomInsn(rng, insns.length - i));
    return `insert@${i}`;
  },
  (rng, insns) => {
    const i = rng.below(insns.length);
    insns.splice(i, 1);
    return `delete@${i}`;
  },
  (rng, insns) => {
    const i = rng.below(insns.length);
    insns.splice(i, 0, insns[i]!);
    return `dup@${i}`;
  },
  (rng, insns) => {
    const keep = 1 + rng.below(insns.length);
    insns.splice(keep);
    return `cut@${keep}`;
  },
];

/** 1–3 mutations of a subject; sometimes another program type or context size too. */
export function mutate(rng: Rng, s: Subject): Subject {
  const insns = [...s.insns];
  const done: string[] = [];
  for (let k = 1 + rng.below(3); k > 0 && insns.length > 0; k--) done.push(rng.pick(MUTATORS)(rng, insns, s));
  const progType = rng.chance(0.05) ? rng.pick(PROG_TYPES) : s.progType;
  const ctxSize = rng.chance(0.05) ? rng.pick([0, 1, 8, 16, 64, 168]) : s.ctxSize;
  return { ...s, name: `${s.name} + ${done.join(' ')}`, insns, progType, ...(ctxSize !== undefined ? { ctxSize } : {}) };
}
