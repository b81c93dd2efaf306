// The loader, as bpftrace's is to the kernel: creates the compiled maps (fds 1, 2, … in
// CompiledProgram.maps order, so map references need no patching), verifies every program
// with our verifier (a rejection is our bug: InternalError carrying the log), hands the
// verified code to the chosen engine, and translates attach targets for the world. In: a
// CompiledProgram and a Machine. Out: LoadedMaps and LoadedPrograms. Not: running them.

import type { AttachTarget as CompiledTarget, CompiledProbeProgram, CompiledProgram } from '../compile/compiled.js';
import { InternalError, type Message } from '../diag/diagnostic.js';
import { runMessages } from '../diag/messages.js';
import { helperTable } from '../ebpf/helpers/helper-table.js';
import type { Machine } from '../ebpf/machine.js';
import { createMap, MapCreateError, type MachineMap } from '../ebpf/maps/create-map.js';
import { BPF_ANY, type MapSpec } from '../ebpf/maps/map.js';
import { verifyProgram } from '../ebpf/verifier/verify.js';
import { SOFTWARE_EVENTS, HARDWARE_EVENTS } from '../check/providers.js';
import type { AttachTarget as WorldTarget } from '../world/probes.js';
import type { Engine, RunnableProgram } from './engine.js';
import type { AttachFailureKind } from './attach-policy.js';
import { KERNEL_MODULE } from '../probes/probe_names.js';

export interface LoadedProgram {
  readonly compiled: CompiledProbeProgram;
  readonly code: RunnableProgram;
  /** Where it attaches in the world, with the probe's name (empty for BEGIN/END). */
  readonly targets: readonly { readonly target: WorldTarget; readonly probe: string; readonly compiled?: CompiledTarget }[];
  /** Attach points that matched nothing (a missing tracepoint among several): nothing to attach. */
  readonly unresolved?: readonly CompiledTarget[];
  /** Bytes of the context record (BEGIN/END get a zeroed one of this size). */
  readonly ctxSize: number;
}

/** The maps of a compiled program, by index into CompiledProgram.maps (fd = index + 1). */
export type LoadedMaps = readonly MachineMap[];

/** A problem the user can act on (a map Linux would refuse, a probe the world does not simulate). */
export type LoadProblem = { readonly ok: false; readonly message: Message };

/** Creates every map of the compiled program in m (m.maps[fd]). */
export function createMaps(compiled: CompiledProgram, m: Machine, ncpus: number): LoadedMaps | LoadProblem {
  const maps: MachineMap[] = [];
  for (const [i, def] of compiled.maps.entries()) {
    const fd = i + 1;
    try {
      const map = createMap(def.spec, m.mem, ncpus, fd);
      m.maps[fd] = map;
      maps.push(map);
      for (const e of def.initial ?? []) {
        const rc = map.updateUser(e.key, [e.value], BPF_ANY);
        if (rc !== 0) throw new InternalError(`map '${def.spec.name}': its initial entry was refused (errno ${-rc})`);
      }
    } catch (e) {
      if (!(e instanceof MapCreateError)) throw e;
      return { ok: false, message: runMessages.mapCreateFailed(def.bpftraceName ?? def.spec.name, e.errno) };
    }
  }
  return maps;
}

/**
 * Verifies each program and loads it into the engine. Programs are verified in full before
 * anything runs, as the kernel verifies at BPF_PROG_LOAD. BEGIN and END programs go to
 * `onceEngine` when given: they run once, where compiling costs more than interpreting.
 */
export function loadPrograms(
  compiled: CompiledProgram,
  m: Machine,
  engine: Engine,
  ncpus: number,
  onceEngine: Engine = engine,
): readonly LoadedProgram[] | LoadProblem {
  const specs: (MapSpec | undefined)[] = [undefined, ...compiled.maps.map((d) => d.spec)];
  const loaded: LoadedProgram[] = [];
  for (const p of compiled.programs) {
    const targets: { target: WorldTarget; probe: string; compiled: CompiledTarget }[] = [];
    const unresolved: CompiledTarget[] = [];
    if (p.special === undefined) {
      for (const t of p.attachTo) {
        // An attach point that matched nothing has nothing to attach.
        if (isPlaceholder(t)) {
          unresolved.push(t);
          continue;
        }
        const w = worldTarget(t);
        if (typeof w === 'string') return { ok: false, message: runMessages.probeNotSimulated(t.probe, w) };
        targets.push({ target: w, probe: t.probe, compiled: t });
      }
    }
    const verdict = verifyProgram(p.insns, { progType: p.progType, maps: specs, ctxSize: p.ctxSize, nrCpuIds: ncpus });
    if (!verdict.ok) {
      throw new InternalError(`the verifier rejected program '${p.name}' (${verdict.error.message} at insn ${verdict.error.insn})`, verdict.log);
    }
    const chosen = p.special === undefined ? engine : onceEngine;
    const code = chosen.load(p.insns, m, { helpers: helperTable, analysis: verdict.analysis, name: p.name });
    if ('errors' in code) {
      const first = code.errors[0];
      throw new InternalError(`engine '${chosen.name}' could not load program '${p.name}': ${first ? `${first.message} at insn ${first.pc}` : 'no reason given'}`);
    }
    loaded.push({ compiled: p, code, targets, unresolved, ctxSize: p.ctxSize });
  }
  return loaded;
}

/** The compiler's stand-in for an attach point without matches: no function, no event. */
function isPlaceholder(t: CompiledTarget): boolean {
  switch (t.provider) {
    case 'kprobe':
    case 'kretprobe':
    case 'fentry':
    case 'fexit':
    case 'tracepoint':
    case 'rawtracepoint':
      return t.func === '';
    default:
      return false;
  }
}

const PERIOD_NS: Readonly<Record<string, number>> = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 };

/** perf event names as the world knows them (bpftrace accepts aliases such as `cpu`, `faults`). */
function canonicalPerfEvent(table: readonly { name: string; alias: string }[], event: string): string {
  return table.find((e) => e.name === event || (e.alias !== '' && e.alias === event))?.name ?? event;
}

/**
 * Why the world cannot take an attach target before trying it (a module other than vmlinux:
 * the world loads none), or undefined. Failures the world reports come from World.attach.
 */
export function attachFailureKind(t: CompiledTarget): AttachFailureKind | undefined {
  const foreignModule = t.target !== '' && t.target !== KERNEL_MODULE;
  switch (t.provider) {
    case 'kprobe':
    case 'kretprobe':
      return foreignModule ? 'no-module' : undefined;
    case 'fentry':
    case 'fexit':
      return foreignModule ? 'no-btf' : undefined;
    case 'rawtracepoint':
      return foreignModule ? 'no-rawtracepoint' : undefined;
    default:
      return undefined;
  }
}

/** The failure a refused attach target is, by provider (what bpftrace 0.23 meets at that point). */
export function refusedAttachKind(t: CompiledTarget): AttachFailureKind {
  switch (t.provider) {
    case 'fentry':
    case 'fexit':
      return 'no-btf';
    case 'rawtracepoint':
      return 'no-rawtracepoint';
    case 'tracepoint':
      return 'no-tracepoint';
    default:
      return 'no-function';
  }
}

/** A compiled attach target as the world names it, or why the world has no such probe. */
export function worldTarget(t: CompiledTarget): WorldTarget | string {
  switch (t.provider) {
    case 'tracepoint':
      return { kind: 'tracepoint', category: t.target, event: t.func };
    case 'kprobe':
    case 'kretprobe':
    case 'fentry':
    case 'fexit':
      return { kind: t.provider, func: t.func };
    case 'rawtracepoint':
      return { kind: 'rawtracepoint', event: t.func };
    case 'profile':
    case 'interval': {
      const p = t.period;
      if (!p) return 'it has no period';
      if (p.unit === 'hz') return { kind: t.provider, hz: Number(p.value) };
      const unit = PERIOD_NS[p.unit];
      if (unit === undefined) return `the period unit '${p.unit}' is not a time`;
      return { kind: t.provider, periodNs: Number(p.value) * unit };
    }
    case 'software':
    case 'hardware': {
      const table = t.provider === 'software' ? SOFTWARE_EVENTS : HARDWARE_EVENTS;
      const event = canonicalPerfEvent(table, t.target !== '' ? t.target : t.func);
      return { kind: t.provider, event, period: Number(t.period?.value ?? 1n) };
    }
    default:
      return `the synthetic world has no ${t.provider} probes`;
  }
}
