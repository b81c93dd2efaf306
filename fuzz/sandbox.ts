// The sandbox oracle for bytecode. A Subject goes through the verifier; if accepted, it runs
// on fresh identical machines in every engine (the interpreter, the JIT with the verifier's
// facts, the JIT without them) several times with different context bytes, and each run must
// end normally or by the instruction budget — never a throw, never a memory or helper fault
// (the verifier promised safety) — leave canary regions, the read-only context and the stack
// frames no call reached untouched, keep every map well formed, and agree across engines on
// r0, instruction count, fault, stack and maps. A rejected subject still runs, with a small
// budget, in the interpreter and the unchecked JIT: faults are fine there, throws and
// disagreement are not. In: Subject. Out: failures (strings) and counts. Not: generating.

import { IdleHost } from '../src/ebpf/conformance.js';
import { helperTable } from '../src/ebpf/helpers/helper-table.js';
import { newRunResult, r0Of, run, type RunResult } from '../src/ebpf/interpreter.js';
import { jitCompile } from '../src/ebpf/jit/jit.js';
import { Machine } from '../src/ebpf/machine.js';
import { createMap } from '../src/ebpf/maps/create-map.js';
import type { UserMap } from '../src/ebpf/maps/map.js';
import { REGION_STACK, STACK_FRAMES } from '../src/ebpf/memory.js';
import { loadProgram, type Program } from '../src/ebpf/program.js';
import { helperName } from '../src/ebpf/helpers/prototypes.js';
import { PROG_TYPE_INFO } from '../src/ebpf/progtypes.js';
import { verifyProgram, type VerifyResult } from '../src/ebpf/verifier/verify.js';
import { clip } from './cli-outcome.js';
import { Rng, type Subject } from './bytecode-programs.js';

/**
 * 'interp': the interpreter checking every access (the reference); 'interp-facts': as the
 * runtime loads it, with the verifier's facts (proven accesses unchecked); 'jit' with the
 * facts; 'jit-unchecked' without them.
 */
export type EngineName = 'interp' | 'interp-facts' | 'jit' | 'jit-unchecked';

/**
 * A program the verifier accepted that the machine then refused or faulted on: not an escape
 * (the fault is a result), but the two disagree about what is safe. `kind` names the class
 * (numbers taken out) so the fuzz can count them and the tests can hold them to a known list.
 */
export interface Disagreement {
  readonly kind: string;
  readonly example: string;
}

export interface SubjectOutcome {
  /** Sandbox failures: throws, guard violations, engines that disagree. Must be none. */
  readonly failures: string[];
  readonly disagreements: Disagreement[];
}

export interface SandboxCounts {
  subjects: number;
  accepted: number;
  rejected: number;
  /** Runs of verifier-accepted programs, per engine. */
  executions: Record<EngineName, number>;
  /** Runs of rejected programs (interpreter and unchecked JIT), which may fault. */
  unverifiedRuns: number;
  /** How accepted runs ended: 'ok', 'budget'. */
  endings: Record<string, number>;
}

export function newCounts(): SandboxCounts {
  return { subjects: 0, accepted: 0, rejected: 0, executions: { interp: 0, 'interp-facts': 0, jit: 0, 'jit-unchecked': 0 }, unverifiedRuns: 0, endings: {} };
}

export interface SandboxOptions {
  /** Runs per engine of an accepted program (each with other context bytes). */
  readonly runs: number;
  /** Also run rejected programs (budget below) in the interpreter and the unchecked JIT. */
  readonly unverified: boolean;
  /** Run rejected programs in the unchecked JIT too (each costs a compile). Default true. */
  readonly unverifiedJit?: boolean;
  /** Instruction budget of runs of rejected programs. */
  readonly unverifiedBudget?: number;
  /** Longest verification, ms (the kernel's own bound is its 1M-instruction budget). */
  readonly maxVerifyMs?: number;
}

/** A kernel whose answers vary from call to call the same way on every machine; user memory exists at 0x1000. */
class FuzzHost extends IdleHost {
  private t = 1_000_000_007;
  private r = 0x2545f491;
  override ktimeNs(): number {
    return (this.t += 1_234_567);
  }
  override prandomU32(): number {
    this.r = (Math.imul(this.r, 1103515245) + 12345) >>> 0;
    return this.r;
  }
  // A constant CPU: how often an engine asks is its own business (the JIT asks less).
  override cpu(): number {
    return 1;
  }
  override ncpus(): number {
    return 2;
  }
  // get_current_task(_btf) never returns NULL in Linux; the verifier relies on it.
  override currentTask(): bigint { return 0xffff888000a00000n; }
  override tid(): number { return 4242; }
  override tgid(): number { return 4240; }
  override readUser(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    if (addr < 0x1000n || addr + BigInt(len) > 0x2000n) return super.readUser(addr, dst, off, len);
    for (let i = 0; i < len; i++) dst[off + i] = Number((addr + BigInt(i)) & 0x3fn) + 0x20;
    return 0;
  }
  override readUserStr(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    if (addr < 0x1000n || addr >= 0x2000n || len <= 0) return super.readUserStr(addr, dst, off, len);
    const n = Math.min(len, 12);
    for (let i = 0; i < n - 1; i++) dst[off + i] = 0x61 + i;
    dst[off + n - 1] = 0;
    return n;
  }
}

const CANARY = 97;
const canaryByte = (i: number): number => (i * 31 + 0x5a) & 0xff;
const STACK_FILL = 0xcc;

interface Rig {
  readonly m: Machine;
  readonly canaries: readonly number[];
}

/** A fresh machine with the subject's maps (prefilled the same way each time) between two canary regions. */
function rig(s: Subject): Rig | string {
  const m = new Machine(new FuzzHost());
  const canaries = [m.mem.allocRegion(Uint8Array.from({ length: CANARY }, (_, i) => canaryByte(i)), true)];
  for (let fd = 1; fd < s.maps.length; fd++) {
    const spec = s.maps[fd];
    if (!spec) continue;
    try {
      const map = createMap(spec, m.mem, 2, fd);
      m.maps[fd] = map;
      // Two entries so lookups find something; arrays already have their zeroed values.
      if (spec.keySize > 0 && spec.valueSize > 0) {
        for (let k = 0; k < 2; k++) {
          const key = Uint8Array.from({ length: spec.keySize }, (_, i) => (i === 0 ? k : 0));
          (map as UserMap).updateUser(key, [Uint8Array.from({ length: spec.valueSize }, (_, i) => (i * 13 + k) & 0xff)], 0);
        }
      }
    } catch {
      return 'map creation refused'; // the subject names a map Linux would not create
    }
  }
  canaries.push(m.mem.allocRegion(Uint8Array.from({ length: CANARY }, (_, i) => canaryByte(i)), true));
  m.mem.bytes[REGION_STACK]!.fill(STACK_FILL);
  return { m, canaries };
}

interface Runner {
  readonly engine: EngineName;
  readonly rig: Rig;
  run(ctx: Uint8Array, out: RunResult): RunResult;
}

function runners(prog: Program, s: Subject, verdict: VerifyResult, engines: readonly EngineName[]): Runner[] | string {
  const out: Runner[] = [];
  for (const engine of engines) {
    const r = rig(s);
    if (typeof r === 'string') return r;
    if (engine === 'interp') out.push({ engine, rig: r, run: (ctx, o) => run(prog, r.m, ctx, o) });
    else if (engine === 'interp-facts') {
      const withFacts = loadProgram(s.insns, { helpers: helperTable, ...(verdict.ok ? { analysis: verdict.analysis } : {}) });
      if (!withFacts.ok) return 'not loadable with facts';
      out.push({ engine, rig: r, run: (ctx, o) => run(withFacts.prog, r.m, ctx, o) });
    } else {
      const jit = jitCompile(prog, r.m, engine === 'jit' && verdict.ok ? verdict.analysis : undefined);
      out.push({ engine, rig: r, run: (ctx, o) => jit.run(ctx, o) });
    }
  }
  return out;
}

function mapsSnapshot(s: Subject, m: Machine): unknown[] {
  return s.maps.map((spec, fd) => {
    if (!spec || spec.keySize === 0) return [];
    const map = m.maps[fd] as UserMap;
    return [...map.entries()].map((e) => [[...e.key].join(','), e.values.map((v) => [...v].join(','))]);
  });
}

function snapshot(s: Subject, m: Machine, r: RunResult): string {
  return JSON.stringify({
    r0: r0Of(r).toString(),
    insns: r.insns,
    fault: r.fault ?? null,
    faultPc: r.faultPc,
    faultMessage: r.faultMessage,
    stack: Buffer.from(m.mem.bytes[REGION_STACK]!).toString('hex'),
    maps: mapsSnapshot(s, m),
  });
}

/** What must still hold after a run of an accepted program; undefined when it does. */
function guardProblem(s: Subject, rig: Rig, ctxBefore: Uint8Array, ctx: Uint8Array, frames: number): string | undefined {
  const { m } = rig;
  for (const id of rig.canaries) {
    const b = m.mem.bytes[id]!;
    if (b.length !== CANARY || b.some((x, i) => x !== canaryByte(i))) return `canary region ${id} changed`;
  }
  if (!ctx.every((x, i) => x === ctxBefore[i])) return 'the read-only context changed';
  const stack = m.mem.bytes[REGION_STACK]!;
  for (let i = frames * 512; i < stack.length; i++) if (stack[i] !== STACK_FILL) return `stack byte ${i} changed, beyond the ${frames} frame(s) the program's calls can reach`;
  for (let fd = 1; fd < s.maps.length; fd++) {
    const spec = s.maps[fd];
    if (!spec || spec.keySize === 0) continue;
    const map = m.maps[fd] as UserMap;
    if (map.size() > spec.maxEntries) return `map ${fd} holds ${map.size()} entries, max_entries ${spec.maxEntries}`;
    for (const e of map.entries()) {
      if (e.key.length !== spec.keySize || e.values.some((v) => v.length !== spec.valueSize)) return `map ${fd} has an entry of the wrong size`;
    }
  }
  return undefined;
}

/** Functions a call chain can stack: the main program and each local-call target or callback (lddw src=4), at most. */
function framesReachable(prog: Program): number {
  const targets = new Set<number>();
  prog.insns.forEach((x, pc) => {
    if (x.code === 0x85 && x.src === 1) targets.add(pc + 1 + x.imm);
    if (x.code === 0x18 && x.src === 4) targets.add(pc + 1 + x.imm);
  });
  return Math.min(STACK_FRAMES, 1 + targets.size);
}

/** Context bytes for run k (deterministic; varied so data-dependent paths are taken). */
function contextBytes(s: Subject, k: number): Uint8Array {
  const size = s.ctxSize ?? PROG_TYPE_INFO[s.progType].defaultCtxSize;
  const rng = new Rng(k * 7919 + size);
  return Uint8Array.from({ length: Math.max(0, Math.min(size, 1 << 16)) }, () => (k === 0 ? 0 : rng.chance(0.5) ? rng.below(256) : rng.pick([0, 1, 0xff, 0x80])));
}

/** The class of a verifier/machine disagreement, numbers taken out. */
function disagreementKind(what: string, message: string): string {
  const unknownHelper = /unknown helper (\d+)/.exec(message);
  if (unknownHelper) return `${what}: the verifier knows helper ${helperName(Number(unknownHelper[1]))}, the machine has none`;
  return `${what}: ${message.replace(/-?\b\d+\b/g, 'N').replace(/0xN|0x[0-9a-f]+/g, 'N')}`;
}

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e));

/** Checks one subject and adds to counts. */
export function checkSubject(s: Subject, opts: SandboxOptions, counts: SandboxCounts): SubjectOutcome {
  counts.subjects++;
  const report = (what: string): string => `${what}\n  subject: ${s.name}\n  insns: ${clip(JSON.stringify(s.insns), 2000)}\n  maps: ${JSON.stringify(s.maps)} progType ${s.progType} ctxSize ${s.ctxSize}`;
  const fail = (what: string): SubjectOutcome => ({ failures: [report(what)], disagreements: [] });
  const disagree = (kind: string, what: string): SubjectOutcome => ({ failures: [], disagreements: [{ kind, example: report(what) }] });
  const none: SubjectOutcome = { failures: [], disagreements: [] };
  let verdict: VerifyResult;
  const started = performance.now();
  try {
    verdict = verifyProgram(s.insns, { progType: s.progType, maps: s.maps, ...(s.ctxSize !== undefined ? { ctxSize: s.ctxSize } : {}), nrCpuIds: 2, ...(s.opts ?? {}) });
  } catch (e) {
    return fail(`the verifier threw: ${describe(e)}`);
  }
  const ms = performance.now() - started;
  if (ms > (opts.maxVerifyMs ?? 20_000)) return fail(`verification took ${Math.round(ms)} ms`);
  if (verdict.ok) counts.accepted++;
  else counts.rejected++;
  // bpftrace never loads socket filters: the machine runs the tracing program types only.
  if (s.progType === 'socket_filter') return none;
  const loaded = loadProgram(s.insns, { helpers: helperTable, ...(verdict.ok ? {} : { budget: opts.unverifiedBudget ?? 4096 }) });
  if (!loaded.ok) {
    if (!verdict.ok) return none;
    const first = loaded.errors[0];
    // Linux explores only reachable paths and rewrites the code no path reaches; the loader
    // checks every slot. Refusing dead code is that difference; refusing live code is not.
    const live = first !== undefined && verdict.analysis.insns[first.pc]?.reached !== false;
    const what = live ? 'the loader refuses code the verifier checked' : 'the loader refuses dead code';
    return disagree(disagreementKind(what, first?.message ?? ''), `accepted, then the loader refused: ${first?.message} at insn ${first?.pc}`);
  }
  if (!verdict.ok && !opts.unverified) return none;
  const engines: EngineName[] = verdict.ok ? ['interp', 'interp-facts', 'jit', 'jit-unchecked'] : opts.unverifiedJit === false ? ['interp'] : ['interp', 'jit-unchecked'];
  let rs: Runner[] | string;
  try {
    rs = runners(loaded.prog, s, verdict, engines);
  } catch (e) {
    return fail(`the JIT threw while compiling: ${describe(e)}`);
  }
  if (typeof rs === 'string') return none;
  const frames = framesReachable(loaded.prog);
  const runs = verdict.ok ? opts.runs : 1;
  const outcome: SubjectOutcome = { failures: [], disagreements: [] };
  for (let k = 0; k < runs; k++) {
    const ctxBefore = contextBytes(s, k);
    let want: string | undefined;
    for (const r of rs) {
      const ctx = Uint8Array.from(ctxBefore);
      const out = newRunResult();
      try {
        r.run(ctx, out);
      } catch (e) {
        return fail(`${r.engine} threw on run ${k}: ${describe(e)}`);
      }
      const got = snapshot(s, r.rig.m, out);
      if (want === undefined) want = got;
      else if (got !== want) return fail(`${r.engine} disagrees with the interpreter on run ${k}:\n  interp: ${clip(want, 3000)}\n  ${r.engine}: ${clip(got, 3000)}`);
      if (!verdict.ok) {
        counts.unverifiedRuns++;
        continue;
      }
      counts.executions[r.engine]++;
      const ending = out.fault ?? 'ok';
      if (r.engine === 'interp') counts.endings[ending] = (counts.endings[ending] ?? 0) + 1;
      if (ending !== 'ok' && ending !== 'budget' && r.engine === 'interp' && outcome.disagreements.length === 0) {
        outcome.disagreements.push({ kind: disagreementKind(`fault ${ending}`, out.faultMessage), example: report(`run ${k} faulted: ${out.faultMessage}`) });
      }
      const problem = guardProblem(s, r.rig, ctxBefore, ctx, frames);
      if (problem) return fail(`${r.engine}: after run ${k} of an accepted program: ${problem}`);
    }
  }
  return outcome;
}
