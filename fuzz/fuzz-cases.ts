// One fuzz case by number, so that `npm run fuzz` can hand out ranges to workers and name a
// hung case by (seed, index) alone. Program case i: the i-th mutant of a fast-check sample
// (batches of 100 per seed), run through main() and judged, and — when it is accepted — its
// compiled programs verified. Bytecode case i: a corpus program (the first ones), a mutant
// of one, a random stream or a structured random program, through the sandbox oracle.
// In: (seed, index). Out: a plain, cloneable result. Not: the worker protocol (fuzz.mjs).

import fc from 'fast-check';
import { randomProgram, MAP_SPECS } from '../test/ebpf/jit-random-programs.js';
import { assemble } from '../src/ebpf/asm/assemble.js';
import { disassemble } from '../src/ebpf/asm/disassemble.js';
import { corpus, mutate, randomStream, Rng, type Subject } from './bytecode-programs.js';
import { judge, runCli, type Ending } from './cli-outcome.js';
import { compileAndVerify } from './compile-verify.js';
import { materialize, programCase, type ProgramCase } from './program-mutations.js';
import { checkSubject, newCounts, type Disagreement, type SandboxCounts } from './sandbox.js';
import { allSeeds, type Seed } from './seeds.js';

/** Per-case bound of a program run in the fuzz (the watchdog's is longer). */
const PROGRAM_CASE_MS = 20_000;
const BATCH = 100;

let seeds: Seed[] | undefined;
let batchKey = '';
let batch: ProgramCase[] = [];

export interface ProgramCaseResult {
  readonly ending?: Ending;
  /** Compiled programs that passed the verifier. */
  readonly verified: number;
  readonly failure?: string;
}

function programCaseOf(seed: number, index: number): { c: ProgramCase; m: ReturnType<typeof materialize>; seeds: Seed[] } {
  seeds ??= allSeeds();
  const key = `${seed}/${Math.floor(index / BATCH)}`;
  if (key !== batchKey) {
    batch = fc.sample(programCase(seeds), { seed: seed * 100_003 + Math.floor(index / BATCH), numRuns: BATCH });
    batchKey = key;
  }
  const c = batch[index % BATCH]!;
  return { c, m: materialize(c, seeds), seeds };
}

/** What case (seed, index) is, for `npm run fuzz -- --replay`. */
export function describeCase(kind: 'programs' | 'bytecode', seed: number, index: number): string {
  if (kind === 'bytecode') {
    const s = bytecodeSubject(seed, index);
    return `${s.name}\nprogType ${s.progType} ctxSize ${s.ctxSize ?? 'default'} maps ${JSON.stringify(s.maps)}\n${disassemble(s.insns).map((l, i) => `${i}: ${l}`).join('\n')}`;
  }
  const { m } = programCaseOf(seed, index);
  const stdin = m.stdin === undefined ? '' : `\nstdin: ${JSON.stringify(typeof m.stdin === 'string' ? m.stdin : Buffer.from(m.stdin).toString('utf8'))}`;
  return `bpftrace-ts ${m.argv.map((a) => JSON.stringify(a)).join(' ')}${stdin}`;
}

export async function programCaseAt(seed: number, index: number): Promise<ProgramCaseResult> {
  const { c, m, seeds } = programCaseOf(seed, index);
  const r = await runCli(m.argv, m.stdin !== undefined ? { stdin: m.stdin } : {});
  const v = judge(r, { maxMs: PROGRAM_CASE_MS, programText: m.text });
  const stdin = m.stdin === undefined ? '' : `\n  stdin: ${JSON.stringify(typeof m.stdin === 'string' ? m.stdin : Buffer.from(m.stdin).toString('utf8')).slice(0, 3000)}`;
  const where = `program case seed ${seed} index ${index}: argv ${JSON.stringify(m.argv).slice(0, 3000)}${stdin}`;
  if (!v.ok) return { verified: 0, failure: `${v.reason}\n  ${where}` };
  if (v.ending !== 'exit-0') return { ending: v.ending, verified: 0 };
  const seedProgram = seeds[c.seed]!;
  const cv = compileAndVerify({ text: m.text, positional: [...seedProgram.params, ...c.params], unsafe: m.argv.includes('--unsafe') });
  if (!cv.ok) return { ending: v.ending, verified: 0, failure: `${cv.reason}\n  ${where}` };
  return { ending: v.ending, verified: cv.programs };
}

let subjects: Subject[] | undefined;

/** The subject of bytecode case (seed, index): deterministic. */
export function bytecodeSubject(seed: number, index: number): Subject {
  subjects ??= corpus();
  if (index < subjects.length) return subjects[index]!;
  const rng = new Rng(seed * 1_000_003 + index);
  const roll = rng.below(10);
  if (roll < 4) return mutate(rng, rng.pick(subjects));
  if (roll < 7) return randomStream(rng, index);
  const [p] = fc.sample(randomProgram(24), { seed: seed * 7_919 + index, numRuns: 1 });
  const a = assemble(p!.text, { syntax: 'kernel' });
  const structured: Subject = { name: `structured random #${index}`, insns: a.ok ? a.insns : [], maps: MAP_SPECS, progType: 'kprobe' };
  return roll < 9 ? structured : mutate(rng, structured);
}

export interface BytecodeCaseResult {
  readonly failures: string[];
  readonly disagreements: Disagreement[];
  readonly counts: SandboxCounts;
}

export function bytecodeCaseAt(seed: number, index: number, runs: number): BytecodeCaseResult {
  const counts = newCounts();
  const s = bytecodeSubject(seed, index);
  // Rejected programs also run unverified, with the unchecked JIT on one in four.
  const o = checkSubject(s, { runs, unverified: true, unverifiedJit: index % 4 === 0 }, counts);
  const where = `\n  bytecode case seed ${seed} index ${index}`;
  return { failures: o.failures.map((f) => f + where), disagreements: o.disagreements.map((d) => ({ ...d, example: d.example + where })), counts };
}
