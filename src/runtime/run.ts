// Running a compiled program end to end, as bpftrace runs one: maps created, programs
// verified and loaded, `Attaching N probes...`, BEGIN, the synthetic world in virtual time
// with every probe's records handled as soon as its program returns, then END, the maps
// printed at exit and (with -v) the world's statistics. The run ends on exit(), Ctrl-C, a
// broken output pipe or --duration of virtual time. In: the checked and compiled program,
// options, the process around it (RunIo). Out: the exit code and run statistics.
// Not: parsing, checking, compiling or formatting (src/runtime/output formats).

import type { CheckedProgram } from '../check/program.js';
import type { EngineName } from '../cli/options.js';
import type { CompiledProgram } from '../compile/compiled.js';
import { InternalError, type Message } from '../diag/diagnostic.js';
import { runMessages } from '../diag/messages.js';
import { newRunResult } from '../ebpf/interpreter.js';
import { Machine } from '../ebpf/machine.js';
import { REGION_CTX } from '../ebpf/memory.js';
import type { UserMap } from '../ebpf/maps/map.js';
import { BPF_ANY } from '../ebpf/maps/map.js';
import { RingBufMap } from '../ebpf/maps/ringbuf.js';
import type { World } from '../world/world.js';
import { asyncDispatcher, needsLocator, type Locator } from './async-events.js';
import { decodeContext } from './decode-context.js';
import { loadEngine } from './engine.js';
import { ATTACH_FAILED_EXIT, expandedProbeNames, judgeAttachFailures, type AttachFailure } from './attach-policy.js';
import { attachFailureKind, createMaps, loadPrograms, refusedAttachKind, type LoadedProgram } from './loader.js';
import { readMap } from './map-reader.js';
import { createPrinter } from './output/index.js';
import type { PrinterOptions } from './output/printer.js';
import type { MapDump } from './output/values.js';
import { countAttachedProbes } from './probe-count.js';
import { TracerHost } from './tracer-host.js';
import { needsWorld } from './world-needs.js';

/** Virtual time a run lasts when nothing else ends it (no exit(), no --duration, not --realtime). */
export const DEFAULT_DURATION_NS = 5_000_000_000;
/** Virtual time between the event loop's checks for Ctrl-C and output flushes. */
const SLICE_NS = 10_000_000;
/** Longest wall-clock wait of a --realtime run between checks. */
const REALTIME_POLL_MS = 20;

export interface RunOptions {
  readonly seed: number;
  readonly cpus: number;
  readonly workload: string;
  /** Virtual ns; undefined: until exit() (with DEFAULT_DURATION_NS unless realtime). */
  readonly durationNs?: number;
  readonly realtime: boolean;
  readonly engine: EngineName;
  readonly format: 'text' | 'json';
  /** -q: no `Attaching N probes...`. */
  readonly quiet: boolean;
  /** -v: the statistics line on stderr at the end. */
  readonly verbose: boolean;
  /** Directory relative cat() paths are read from (the process's working directory). */
  readonly cwd: string;
  /** Time zone of time()/strftime() output (bpftrace prints local time). */
  readonly zone?: 'local' | 'utc';
  /** A world already built with these seed/cpus/workload settings (kaddr() at compile time). */
  readonly world?: World;
}

/** The process around a run. Output is binary strings (one char per byte). */
export interface RunIo {
  /** Program output: stdout, or the -o file. */
  out(binary: string): void;
  /** The process's stdout even with -o (bpftrace writes its exit banner there). */
  stdout(binary: string): void;
  err(text: string): void;
  /** Writes buffered output; called after each slice of the run and at its end. */
  flush(): void;
  /** The reader of the output went away (EPIPE): the run ends quietly. */
  broken(): boolean;
  /** Calls cb on Ctrl-C (SIGINT); returns the unsubscribe. */
  onInterrupt(cb: () => void): () => void;
  /** Wall clock in ns (for --realtime pacing and -v only; never for output). */
  wallNs(): number;
  /** Lets signals and I/O in, waiting ms milliseconds (0: just yield). */
  pause(ms: number): Promise<void>;
}

export interface RunStats {
  /** Probe firings delivered to programs (BEGIN and END runs included). */
  readonly events: number;
  readonly virtualNs: number;
  readonly wallNs: number;
  /** Ring-buffer records that could not be delivered. */
  readonly lost: number;
  /** Helper calls that failed in probes (map updates beyond max_entries…), each reported as bpftrace does. */
  readonly helperErrors: number;
}

export type EndReason = 'exit' | 'interrupt' | 'duration' | 'default-duration' | 'broken-pipe' | 'no-probes';

export type RunOutcome =
  | { readonly ok: true; readonly exitCode: number; readonly stats: RunStats; readonly endedBy: EndReason }
  | { readonly ok: false; readonly message: Message; readonly exitCode?: number };

/** Maps as bpftrace prints them at exit: by name, byte order (it keeps them in a std::map). */
function mapsInNameOrder(dumps: readonly MapDump[]): MapDump[] {
  return [...dumps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The view covers exactly the bytes (then it can be the context region's view). */
function sameRange(view: DataView, bytes: Uint8Array): boolean {
  return view.buffer === bytes.buffer && view.byteOffset === bytes.byteOffset && view.byteLength === bytes.byteLength;
}

/** `5s`, `250ms`, `1.5s` for the default-duration note. */
export function durationText(ns: number): string {
  if (ns % 1e9 === 0) return `${ns / 1e9}s`;
  if (ns % 1e6 === 0) return `${ns / 1e6}ms`;
  return `${ns / 1e9}s`;
}

/** The -v line: `world: N events, T virtual s, W wall s, L lost`. */
export function statsLine(s: RunStats): string {
  return `world: ${s.events} events, ${(s.virtualNs / 1e9).toFixed(3)} virtual s, ${(s.wallNs / 1e9).toFixed(3)} wall s, ${s.lost} lost\n`;
}

export async function runProgram(
  checked: CheckedProgram,
  compiled: CompiledProgram,
  opts: RunOptions,
  io: RunIo,
): Promise<RunOutcome> {
  const wallStart = io.wallNs();
  // BEGIN and END run once: the interpreter starts them sooner than the JIT could compile
  // them, and a run without other probes never loads the JIT at all.
  const onceEngine = await loadEngine('interp');
  const engine = compiled.programs.some((p) => p.special === undefined) ? await loadEngine(opts.engine) : onceEngine;
  if (!engine || !onceEngine) return { ok: false, message: runMessages.engineUnavailable(opts.engine) };
  // The workload is read (and refused) before anything prints, as a bad option would be.
  const { loadBundledWorkload } = await import('../world/workload-files.js');
  const workload = loadBundledWorkload(opts.workload);
  if (typeof workload === 'string') return { ok: false, message: runMessages.unknownWorkload(workload) };
  const locator: Locator | undefined = needsLocator(compiled.asyncEvents) ? await import('../diag/render.js') : undefined;

  // ── the world, built on first need ──
  let world: World | undefined = opts.world;
  let createWorld: typeof import('../world/world.js').createWorld | undefined;
  const buildWorld = (): World => {
    if (!world) {
      if (!createWorld) throw new InternalError('the world was needed by a program that needsWorld() said would not need it');
      world = createWorld({ seed: opts.seed, cpus: opts.cpus, workload });
    }
    return world;
  };
  // Loaded before anything runs, so that building the world on demand stays synchronous.
  if (!world && needsWorld(compiled)) ({ createWorld } = await import('../world/world.js'));

  const tracer = new TracerHost(opts.seed, opts.cpus, { existing: () => world, build: buildWorld });
  const machine = new Machine(tracer);
  const maps = createMaps(compiled, machine, opts.cpus);
  if (!Array.isArray(maps)) return maps as { ok: false; message: Message };
  const userMaps = maps as readonly UserMap[];
  const programs = loadPrograms(compiled, machine, engine, opts.cpus, onceEngine);
  if (!Array.isArray(programs)) return programs as { ok: false; message: Message };
  const loaded = programs as readonly LoadedProgram[];

  const config = checked.config;
  const printerOptions: PrinterOptions = {
    zone: opts.zone ?? 'local',
    maxStrlen: config.max_strlen,
    truncTrailer: config.str_trunc_trailer,
  };
  const printer = createPrinter(opts.format, printerOptions);
  const decode = decodeContext({ compiled, program: checked.program, maps: userMaps, seed: opts.seed, world: buildWorld });

  // ── run state ──
  let exitRequested = false;
  let exitCode = 0;
  let interrupted = false;
  let events = 0;
  let lost = 0;
  let helperErrors = 0;
  const ring = compiled.ringbufMap >= 0 ? maps[compiled.ringbufMap] : undefined;
  if (ring !== undefined && !(ring instanceof RingBufMap)) throw new InternalError('the async-event map is not a ring buffer');
  let seenDropped = 0;

  const zeroed = new Set<number>();
  const dispatch = asyncDispatcher({
    zeroed,
    compiled,
    maps: userMaps,
    printer,
    printerOptions,
    decode,
    host: () => machine.host,
    source: checked.source,
    ...(locator ? { locator } : {}),
    maxCatBytes: config.max_cat_bytes,
    cwd: opts.cwd,
    sinks: {
      out: (t) => io.out(t),
      err: (t) => io.err(t),
      helperFailed: () => void helperErrors++,
      exit: (code) => {
        if (exitRequested) return;
        exitRequested = true;
        exitCode = code;
        world?.stop();
      },
    },
  });
  // bpftrace reports the records lost since its last poll before those it received.
  const drain = (): void => {
    if (!ring) return;
    if (ring.dropped !== seenDropped) {
      const n = ring.dropped - seenDropped;
      seenDropped = ring.dropped;
      lost += n;
      io.out(printer.lostEvents(n));
    }
    if (ring.producerPos !== ring.consumerPos) ring.consume(dispatch);
  };

  const result = newRunResult();
  const mem = machine.mem;
  const faulted = (p: LoadedProgram): never => {
    throw new InternalError(`program '${p.compiled.name}' faulted: ${result.faultMessage}`);
  };
  const runOnce = (p: LoadedProgram, ctx: Uint8Array): void => {
    const r = p.code.run(ctx, result);
    events++;
    if (r.fault !== undefined) faulted(p);
    drain();
  };
  /**
   * The handler of one program in the world: the probe's context buffer becomes the context
   * region with the world's own DataView of it (probes that take turns would otherwise make
   * a new view per event), then the program runs and the ring buffer is drained.
   */
  const firing = (p: LoadedProgram): ((bytes: Uint8Array, view: DataView) => void) => {
    const code = p.code;
    // The view of the last buffer seen (a world keeps one buffer per attachment).
    let seen: Uint8Array | undefined;
    let ctxView: DataView | undefined;
    return (bytes, view) => {
      if (mem.bytes[REGION_CTX] !== bytes) {
        if (bytes !== seen) {
          seen = bytes;
          ctxView = sameRange(view, bytes) ? view : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        }
        mem.setRegion(REGION_CTX, bytes, false, ctxView);
      }
      const r = code.run(bytes, result);
      events++;
      if (r.fault !== undefined) faulted(p);
      if (ring !== undefined && (ring.producerPos !== ring.consumerPos || ring.dropped !== seenDropped)) drain();
    };
  };
  const runSpecial = (indexes: readonly number[]): void => {
    machine.host = tracer;
    for (const i of indexes) {
      const p = loaded[i]!;
      runOnce(p, new Uint8Array(Math.max(8, p.ctxSize)));
      if (exitRequested && indexes === compiled.beginPrograms) break;
    }
  };

  // Globals user space sets before BEGIN: the boot-clock start for `elapsed`.
  if (compiled.globalsMap >= 0) {
    const value = new Uint8Array(compiled.maps[compiled.globalsMap]!.spec.valueSize);
    new DataView(value.buffer).setBigUint64(0, BigInt(tracer.bootNs()), true);
    userMaps[compiled.globalsMap]!.updateUser(new Uint8Array(4), [value], BPF_ANY);
  }

  const stopInterrupt = io.onInterrupt(() => {
    interrupted = true;
    world?.stop();
  });
  let endedBy: EndReason = 'exit';
  try {
    if (!opts.quiet) io.out(printer.attachedProbes(countAttachedProbes(checked)));
    // As bpftrace, everything is attached before BEGIN runs (the world is built for it).
    const attachProblem = await attachAll();
    if (attachProblem) {
      io.flush();
      return { ok: false, ...attachProblem };
    }
    runSpecial(compiled.beginPrograms);
    io.flush();
    if (interrupted) endedBy = 'interrupt';
    // As bpftrace 0.24+: a program whose only probes are BEGIN and END has nothing to wait
    // for, so END follows BEGIN at once (0.23 waited for Ctrl-C).
    else if (!exitRequested && !loaded.some((p) => p.targets.length > 0)) endedBy = 'no-probes';
    else if (!exitRequested) {
      await io.pause(0);
      endedBy = interrupted ? 'interrupt' : await runWorld();
    }
    if (endedBy === 'broken-pipe' || io.broken()) {
      endedBy = 'broken-pipe';
      return { ok: true, exitCode: 0, stats: stats(), endedBy };
    }
    if (endedBy === 'default-duration') io.err(runMessages.defaultDuration(durationText(DEFAULT_DURATION_NS)).text + '\n');
    runSpecial(compiled.endPrograms);
    // bpftrace writes the banner to its own stdout (even with -o, and without the maps).
    io.stdout(printer.exitBanner());
    if (config.print_maps_on_exit) {
      const dumps = compiled.maps.flatMap((def, i) => (def.role === 'user' ? [readMap(def, userMaps[i]!, decode, zeroed.has(i))] : []));
      io.out(mapsInNameOrder(dumps).map((d) => printer.map(d)).join(''));
    }
    io.flush();
    const s = stats();
    if (opts.verbose) io.err(statsLine(s));
    return { ok: true, exitCode: interrupted ? 0 : exitCode, stats: s, endedBy };
  } finally {
    stopInterrupt();
  }

  function stats(): RunStats {
    return { events, virtualNs: world?.now ?? 0, wallNs: io.wallNs() - wallStart, lost, helperErrors };
  }

  /**
   * Attaches every program to its probes in the world, in program order (probes on one point
   * fire in program order, as bpftrace arranges by attaching some kinds in reverse). What the
   * world lacks is reported as bpftrace 0.23 reports it (attach-policy.ts).
   */
  async function attachAll(): Promise<{ message: Message; exitCode: number } | undefined> {
    if (!loaded.some((p) => p.targets.length > 0 || (p.unresolved?.length ?? 0) > 0)) return undefined;
    if (!world && !createWorld) ({ createWorld } = await import('../world/world.js'));
    const w = buildWorld();
    const failures: AttachFailure[] = [];
    let order = 0;
    for (const p of loaded) {
      const expanded = expandedProbeNames(checked, p.compiled.probeIndex);
      for (const t of p.targets) {
        const at = order++;
        const c = t.compiled;
        const before = c ? attachFailureKind(c) : undefined;
        if (before === undefined) {
          const a = w.attach(t.target, firing(p));
          if (!('error' in a)) continue;
        }
        if (!c) return { message: runMessages.attachFailed(t.probe), exitCode: ATTACH_FAILED_EXIT };
        failures.push({ kind: before ?? refusedAttachKind(c), probe: t.probe, provider: c.provider, target: c.target, func: c.func, expanded: expanded(t.probe), order: at });
      }
      for (const u of p.unresolved ?? []) {
        if (u.provider !== 'tracepoint') continue;
        const [category = '', event = ''] = u.probe.slice(u.probe.indexOf(':') + 1).split(':');
        failures.push({ kind: 'no-tracepoint', probe: u.probe, provider: u.provider, target: category, func: event, expanded: true, order: order++ });
      }
    }
    const verdict = judgeAttachFailures(failures, config.missing_probes);
    for (const line of verdict.lines) io.err(line);
    return verdict.fatal ? { message: verdict.fatal, exitCode: ATTACH_FAILED_EXIT } : undefined;
  }

  /** Runs the world until something ends the run. */
  async function runWorld(): Promise<EndReason> {
    // BEGIN did not exit: even a program without probes in the world needs its clock now.
    if (!world && !createWorld) ({ createWorld } = await import('../world/world.js'));
    const w = buildWorld();
    machine.host = w;
    const limit = opts.durationNs ?? (opts.realtime ? Infinity : DEFAULT_DURATION_NS);
    const wallAtStart = io.wallNs();
    const virtualAtStart = w.now;
    for (;;) {
      if (exitRequested) return 'exit';
      if (interrupted) return 'interrupt';
      if (io.broken()) return 'broken-pipe';
      if (w.now >= limit) return opts.durationNs === undefined ? 'default-duration' : 'duration';
      let target = Math.min(limit, w.now + SLICE_NS);
      if (opts.realtime) {
        const due = virtualAtStart + (io.wallNs() - wallAtStart);
        if (due < w.nextEventTime() && due < limit) {
          // Nothing due yet: wait for the next event's wall time (or a poll interval).
          const waitMs = Math.min(REALTIME_POLL_MS, Math.max(1, (w.nextEventTime() - due) / 1e6));
          io.flush();
          await io.pause(waitMs);
          continue;
        }
        target = Math.min(limit, Math.max(w.now, due));
      }
      machine.host = w;
      w.runUntil(target);
      io.flush();
      await io.pause(0);
    }
  }
}
