// A live tracing session over one synthetic world that keeps running between entries (the
// REPL's engine room). Each accepted entry rebuilds the session program (session-program.ts:
// every entry of the run re-checked together, so maps keep their types) and loads it as a
// new generation — maps created, the programs of live blocks verified and loaded with the
// same loader and engines a run uses — then carries every map's entries over from the last
// generation and moves the attachments to the new programs. A run lasts from the first entry
// with a block until exit(), endRun() or reset: then END blocks run, the maps print as
// bpftrace prints them at exit, probes detach and only definitions stay. In: entries and
// commands. Out: program output through SessionIo, diagnostics as data. Not: reading input
// or rendering messages (src/cli/repl does both).

import type { CheckedProgram } from '../check/program.js';
import { dumpTypes } from '../check/dump.js';
import type { EngineName } from '../cli/options.js';
import type { CompiledProgram, MapDef } from '../compile/compiled.js';
import { GLOBALS } from '../compile/compiled.js';
import { dumpBpf } from '../compile/dump.js';
import { InternalError, type Diagnostic, type Message } from '../diag/diagnostic.js';
import { replMessages, runMessages } from '../diag/messages.js';
import { formatLocation, sourceContext } from '../diag/render.js';
import { SourceFile } from '../diag/source.js';
import { newRunResult } from '../ebpf/interpreter.js';
import { Machine } from '../ebpf/machine.js';
import { BPF_ANY, type UserMap } from '../ebpf/maps/map.js';
import { RingBufMap } from '../ebpf/maps/ringbuf.js';
import { dumpAst } from '../parse/dump.js';
import type { Attachment } from '../world/probes.js';
import { createWorld, type World } from '../world/world.js';
import { loadBundledWorkload } from '../world/workload-files.js';
import type { WorkloadJson } from '../world/workload.js';
import { asyncDispatcher, type Locator } from './async-events.js';
import { decodeContext } from './decode-context.js';
import { loadEngine, type Engine } from './engine.js';
import { createMaps, loadPrograms, type LoadedProgram } from './loader.js';
import { clearMap, readMap } from './map-reader.js';
import { createPrinter, decodeValue, encodeValue, type DecodeContext, type OutputPrinter, type PrinterOptions } from './output/index.js';
import { countAttachedProbes } from './probe-count.js';
import { TracerHost } from './tracer-host.js';
import { buildProgram, readEntry, sectionOf, type BuiltProgram, type SessionEntry } from './session-program.js';

/** Virtual time between checks for an interrupt while the world runs. */
const SLICE_NS = 10_000_000;

export interface SessionOptions {
  readonly seed: number;
  readonly cpus: number;
  readonly workload: string;
  readonly engine: EngineName;
  readonly format: 'text' | 'json';
  /** No `Attaching N probes...`. */
  readonly quiet: boolean;
  readonly unsafe: boolean;
  /** Directory relative cat() paths are read from. */
  readonly cwd: string;
  readonly zone?: 'local' | 'utc';
  readonly positional?: readonly string[];
  readonly named?: ReadonlyMap<string, string | true>;
  /** Wraps each generation's printer (the REPL colours histogram bars with it). */
  readonly decoratePrinter?: (printer: OutputPrinter) => OutputPrinter;
}

/** Where a session's output goes. Output is binary strings (one char per byte). */
export interface SessionIo {
  out(binary: string): void;
  /** errorf/warnf and cat() failures. */
  err(text: string): void;
  /** Lets input in between slices of a running world (Ctrl-C). */
  pause(): Promise<void>;
}

export interface SubmitOutcome {
  /** The entry was accepted (its blocks attached, its statements run). */
  readonly ok: boolean;
  /** Errors when refused; warnings otherwise. Located in the entry's text. */
  readonly diagnostics: readonly Diagnostic[];
  /** The entry's exit() (or one of its probes') ended the run. */
  readonly ended: boolean;
}

export interface AdvanceOutcome {
  readonly endedBy: 'duration' | 'exit' | 'interrupt';
  /** Virtual ns the world moved. */
  readonly elapsedNs: number;
  /** Probe firings handled by programs. */
  readonly events: number;
}

/** One load of the session program: its maps, programs and attachments. */
interface Generation {
  readonly built: BuiltProgram;
  readonly entry: SessionEntry | undefined;
  readonly machine: Machine;
  readonly maps: readonly UserMap[];
  /** Loaded programs by index into compiled.programs (only those that may run). */
  readonly loaded: ReadonlyMap<number, LoadedProgram>;
  readonly attachments: Attachment[];
  readonly attachedProbes: string[];
  readonly zeroed: Set<number>;
  readonly decode: DecodeContext;
  readonly printer: OutputPrinter;
  runProgram(p: LoadedProgram, ctx: Uint8Array): void;
}

type Problem = { readonly ok: false; readonly message: Message };

function plain(m: Message, severity: 'error' | 'warning' = 'error'): Diagnostic {
  return { severity, id: m.id, message: m.text, hints: m.hints ?? [] };
}

/** A type as comparable text (types hold bigints, which JSON cannot write by default). */
function typeText(t: unknown): string {
  return JSON.stringify(t ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

const isBlock = (role: string): boolean => role === 'probe' || role === 'begin' || role === 'end';

/** The entry without its blocks (what stays of it when a run ends); undefined when nothing stays. */
function definitionsOf(e: SessionEntry): SessionEntry | undefined {
  const items = e.items.filter((i) => !isBlock(i.role));
  if (items.length === e.items.length) return e;
  return items.length > 0 ? { ...e, items } : undefined;
}

export class Session {
  private world: World;
  private tracer: TracerHost;
  private workloadJson: WorkloadJson;
  private settingsNow: { seed: number; workload: string };
  private entries: SessionEntry[] = [];
  private gen: Generation | undefined;
  private lastEntry: SessionEntry | undefined;
  private counter = 0;
  private events = 0;
  private exitRequested = false;
  private interrupted = false;
  /** CLOCK_BOOTTIME at the start of the run (`elapsed`). */
  private runStartBootNs = 0;

  private constructor(
    private readonly opts: SessionOptions,
    private readonly io: SessionIo,
    private readonly engine: Engine,
    workload: WorkloadJson,
  ) {
    this.workloadJson = workload;
    this.settingsNow = { seed: opts.seed, workload: opts.workload };
    this.world = createWorld({ seed: opts.seed, cpus: opts.cpus, workload });
    this.tracer = this.newTracer();
  }

  /** A session over a new world, or why there cannot be one (unknown workload or engine). */
  static async open(opts: SessionOptions, io: SessionIo): Promise<Session | Problem> {
    const engine = await loadEngine(opts.engine);
    if (!engine) return { ok: false, message: runMessages.engineUnavailable(opts.engine) };
    const workload = loadBundledWorkload(opts.workload);
    if (typeof workload === 'string') return { ok: false, message: runMessages.unknownWorkload(workload) };
    return new Session(opts, io, engine, workload);
  }

  private newTracer(): TracerHost {
    const world = this.world;
    return new TracerHost(this.settingsNow.seed, this.opts.cpus, { existing: () => world, build: () => world });
  }

  // ── state ──

  get seed(): number {
    return this.settingsNow.seed;
  }
  get workload(): string {
    return this.settingsNow.workload;
  }
  get cpus(): number {
    return this.opts.cpus;
  }
  /** Virtual ns since the world started. */
  get now(): number {
    return this.world.now;
  }
  /** A run is under way: some entry's blocks are attached or waiting (END). */
  get live(): boolean {
    return this.entries.some((e) => e.items.some((i) => isBlock(i.role)));
  }
  /** The names of the maps of the run (with '@'), sorted. */
  mapNames(): string[] {
    return this.userMaps()
      .map(({ def }) => def.bpftraceName!)
      .sort();
  }
  /** Probes the run's blocks are attached to, in attach order. */
  attachedProbes(): readonly string[] {
    return this.gen?.attachedProbes ?? [];
  }
  /** Whether `text` still needs more lines (see session-program entryIncomplete). */
  get entryOptions(): { positional: readonly string[] } {
    return { positional: this.opts.positional ?? [] };
  }

  // ── entries ──

  /** Adds an entry: its blocks attach, its statements and BEGIN run now. */
  submit(text: string, name = 'stdin'): SubmitOutcome {
    const read = readEntry(new SourceFile(name, text), this.counter + 1, this.entryOptions);
    if (!read.ok) return { ok: false, diagnostics: read.diagnostics, ended: false };
    this.counter++;
    const entry = read.value;
    if (entry.items.length === 0) return { ok: true, diagnostics: read.warnings, ended: false };
    // A new config block replaces the session's.
    const replacesConfig = entry.items.some((i) => i.role === 'config');
    const earlier = replacesConfig
      ? this.entries.flatMap((e) => {
          const items = e.items.filter((i) => i.role !== 'config');
          return items.length === e.items.length ? [e] : items.length > 0 ? [{ ...e, items }] : [];
        })
      : this.entries;
    const startsRun = !this.live && entry.items.some((i) => isBlock(i.role));
    if (startsRun) this.runStartBootNs = this.tracer.bootNs();
    const activated = this.activate([...earlier, entry], entry);
    if (!activated.ok) return { ok: false, diagnostics: [...read.warnings, ...activated.diagnostics], ended: false };
    this.lastEntry = entry;
    const gen = this.gen!;
    const diagnostics = [...read.warnings, ...activated.diagnostics];
    // As bpftrace: `Attaching N probes...` before BEGIN runs (counted for this entry's blocks on world probes).
    const own = gen.built.checked.probes.filter((p) => {
      const origin = gen.built.layout.originAt(p.node.span.start);
      return origin?.entry === entry && origin.role === 'probe';
    });
    if (own.length > 0 && !this.opts.quiet) {
      this.io.out(gen.printer.attachedProbes(countAttachedProbes({ ...gen.built.checked, probes: own } as CheckedProgram)));
    }
    this.runSpecial(gen, gen.built.compiled.beginPrograms);
    let ended = false;
    if (this.exitRequested) ended = this.endRun();
    return { ok: true, diagnostics, ended };
  }

  /** Reads a script into the session, as one entry named by its path. */
  load(path: string, text: string): SubmitOutcome {
    return this.submit(text, path);
  }

  /**
   * Builds and loads the session program of `entries` (with `current` the newest) and makes
   * it the live generation. Nothing changes when it fails.
   */
  private activate(entries: SessionEntry[], current: SessionEntry | undefined): { ok: true; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] } {
    const built = buildProgram({
      entries,
      ...(current ? { current } : {}),
      positional: this.opts.positional ?? [],
      named: this.opts.named ?? new Map(),
      unsafe: this.opts.unsafe,
      ncpus: this.opts.cpus,
      kernelSymbol: (n) => this.world.kernelSymbolAddress(n),
    });
    if (!built.ok) return { ok: false, diagnostics: [...built.diagnostics] };
    const b = built.value;
    const made = this.load_(b, current);
    if ('message' in made) return { ok: false, diagnostics: [plain(made.message)] };
    const { gen, warnings } = made;
    const attached = this.attach(gen);
    if (attached.problem) {
      for (const a of gen.attachments) a.detach();
      return { ok: false, diagnostics: [plain(attached.problem)] };
    }
    const diagnostics = [...b.warnings, ...warnings, ...attached.warnings.map((m) => plain(m, 'warning'))];
    const old = this.gen;
    if (old) {
      diagnostics.push(...this.carryMaps(old, gen).map((m) => plain(m, 'warning')));
      for (const a of old.attachments) a.detach();
    }
    this.gen = gen;
    this.entries = entries;
    return { ok: true, diagnostics };
  }

  /** Creates the maps and loads the programs that may run: live blocks, the current BEGIN, pending ENDs. */
  private load_(built: BuiltProgram, current: SessionEntry | undefined): { gen: Generation; warnings: Diagnostic[] } | Problem {
    const { compiled, checked } = built;
    const machine = new Machine(this.tracer);
    const created = createMaps(compiled, machine, this.opts.cpus);
    if (!Array.isArray(created)) return created as Problem;
    const maps = created as readonly UserMap[];
    const wanted: number[] = [];
    built.origins.forEach((o, i) => {
      if (o.role === 'probe' || o.role === 'end' || (o.role === 'begin' && o.entry === current)) wanted.push(i);
    });
    // BEGIN/END and renamed (test:) blocks are run by the session, never attached.
    const view: CompiledProgram = {
      ...compiled,
      programs: wanted.map((i) => {
        const p = compiled.programs[i]!;
        return built.origins[i]!.role === 'probe' ? p : { ...p, attachTo: [] };
      }),
    };
    const programs = loadPrograms(view, machine, this.engine, this.opts.cpus);
    if (!Array.isArray(programs)) return programs as Problem;
    const loaded = new Map<number, LoadedProgram>();
    wanted.forEach((i, k) => loaded.set(i, (programs as readonly LoadedProgram[])[k]!));

    const config = checked.config;
    const printerOptions: PrinterOptions = { zone: this.opts.zone ?? 'local', maxStrlen: config.max_strlen, truncTrailer: config.str_trunc_trailer };
    const base = createPrinter(this.opts.format, printerOptions);
    const printer = this.opts.decoratePrinter ? this.opts.decoratePrinter(base) : base;
    const decode = decodeContext({ compiled, program: checked.program, maps, seed: this.settingsNow.seed, world: () => this.world });
    const zeroed = new Set<number>();
    const layout = built.layout;
    // errorf/warnf and helper errors are located in the entry that holds the call.
    const locator: Locator = {
      formatLocation: (_s, span) => {
        const at = layout.locate(span);
        return at ? formatLocation(at.source, at.span) : formatLocation(layout.source, span);
      },
      sourceContext: (_s, span) => {
        const at = layout.locate(span);
        return at ? sourceContext(at.source, at.span) : sourceContext(layout.source, span);
      },
    };
    const ring = compiled.ringbufMap >= 0 ? maps[compiled.ringbufMap] : undefined;
    if (ring !== undefined && !(ring instanceof RingBufMap)) throw new InternalError('the async-event map is not a ring buffer');
    const dispatch = asyncDispatcher({
      zeroed,
      compiled,
      maps,
      printer,
      printerOptions,
      decode,
      host: () => machine.host,
      source: layout.source,
      locator,
      maxCatBytes: config.max_cat_bytes,
      cwd: this.opts.cwd,
      sinks: {
        out: (t) => this.io.out(t),
        err: (t) => this.io.err(t),
        helperFailed: () => undefined,
        exit: () => {
          this.exitRequested = true;
          this.world.stop();
        },
      },
    });
    let seenDropped = 0;
    const drain = (): void => {
      if (!ring) return;
      if (ring.dropped !== seenDropped) {
        this.io.out(printer.lostEvents(ring.dropped - seenDropped));
        seenDropped = ring.dropped;
      }
      if (ring.producerPos !== ring.consumerPos) ring.consume(dispatch);
    };
    const result = newRunResult();
    const runProgram = (p: LoadedProgram, ctx: Uint8Array): void => {
      const r = p.code.run(ctx, result);
      this.events++;
      if (r.fault !== undefined) throw new InternalError(`program '${p.compiled.name}' faulted: ${r.faultMessage}`);
      drain();
    };
    if (compiled.globalsMap >= 0) {
      const value = new Uint8Array(compiled.maps[compiled.globalsMap]!.spec.valueSize);
      new DataView(value.buffer).setBigUint64(GLOBALS.startBootNs, BigInt(this.runStartBootNs), true);
      maps[compiled.globalsMap]!.updateUser(new Uint8Array(4), [value], BPF_ANY);
    }
    const gen: Generation = { built, entry: current, machine, maps, loaded, attachments: [], attachedProbes: [], zeroed, decode, printer, runProgram };
    return { gen, warnings: [] };
  }

  /** Attaches the generation's live blocks to the world, handling probes the world lacks as a run does. */
  private attach(gen: Generation): { problem?: Message; warnings: Message[] } {
    const config = gen.built.checked.config;
    const attachedPerBlock = new Map<number, number>();
    const failed: { probe: string; block: number }[] = [];
    for (const p of gen.loaded.values()) {
      const block = p.compiled.probeIndex;
      for (const t of p.targets) {
        const a = this.world.attach(t.target, (bytes) => gen.runProgram(p, bytes));
        if ('error' in a) failed.push({ probe: t.probe, block });
        else {
          gen.attachments.push(a);
          if (!gen.attachedProbes.includes(t.probe)) gen.attachedProbes.push(t.probe);
          attachedPerBlock.set(block, (attachedPerBlock.get(block) ?? 0) + 1);
        }
      }
    }
    const warnings: Message[] = [];
    for (const f of failed) {
      if (config.missing_probes === 'ignore') continue;
      if (config.missing_probes === 'error' || !attachedPerBlock.get(f.block)) return { problem: runMessages.attachFailed(f.probe), warnings };
      warnings.push(runMessages.attachSkipped(f.probe));
    }
    return { warnings };
  }

  /** Runs BEGIN/END-like programs (those loaded among `indexes`) on the tracer's host. */
  private runSpecial(gen: Generation, indexes: readonly number[]): void {
    gen.machine.host = this.tracer;
    for (const i of indexes) {
      const p = gen.loaded.get(i);
      if (!p) continue;
      gen.runProgram(p, new Uint8Array(Math.max(8, p.ctxSize)));
      if (this.exitRequested) break;
    }
  }

  /** Every user map of the generation with its definition and index. */
  private userMaps(gen = this.gen): { def: MapDef; map: UserMap; index: number }[] {
    if (!gen) return [];
    return gen.built.compiled.maps.flatMap((def, index) => (def.role === 'user' ? [{ def, map: gen.maps[index]!, index }] : []));
  }

  /**
   * Moves every entry of the old generation's maps into the new one's: byte for byte when the
   * layout is the same, value by value when it changed (a string grew), dropped with a
   * warning when the values cannot be converted (an aggregation changed kind).
   */
  private carryMaps(old: Generation, gen: Generation): Message[] {
    const warnings: Message[] = [];
    const before = new Map(this.userMaps(old).map((m) => [m.def.bpftraceName!, m]));
    for (const now of this.userMaps(gen)) {
      const was = before.get(now.def.bpftraceName!);
      if (!was) continue;
      if (old.zeroed.has(was.index)) gen.zeroed.add(now.index);
      if (!this.copyEntries(was, now, old.decode)) warnings.push(replMessages.mapRetyped(now.def.bpftraceName!));
    }
    // Stack traces are referenced by id from user maps: carry them with the same layout.
    const stacks = new Map(old.built.compiled.maps.flatMap((d, i) => (d.role === 'stacks' ? [[d.stackLimit, i] as const] : [])));
    gen.built.compiled.maps.forEach((d, i) => {
      if (d.role !== 'stacks') return;
      const j = stacks.get(d.stackLimit);
      if (j === undefined || old.built.compiled.maps[j]!.spec.valueSize !== d.spec.valueSize) return;
      for (const e of old.maps[j]!.entries()) gen.maps[i]!.updateUser(e.key, e.values, BPF_ANY);
    });
    return warnings;
  }

  private copyEntries(from: { def: MapDef; map: UserMap }, to: { def: MapDef; map: UserMap }, decode: DecodeContext): boolean {
    const a = from.def;
    const b = to.def;
    const entries = [...from.map.entries()];
    const sameLayout =
      a.spec.type === b.spec.type &&
      a.spec.keySize === b.spec.keySize &&
      a.spec.valueSize === b.spec.valueSize &&
      typeText(a.keyType) === typeText(b.keyType) &&
      typeText(a.valueType) === typeText(b.valueType);
    if (sameLayout) {
      for (const e of entries) to.map.updateUser(e.key, e.values, BPF_ANY);
      return true;
    }
    if (a.aggregation || b.aggregation || a.perCpu || b.perCpu || !a.valueType || !b.valueType) return entries.length === 0;
    try {
      for (const e of entries) {
        const key = a.keyType && b.keyType ? encodeValue(b.keyType, decodeValue(a.keyType, e.key, 0, decode)) : e.key;
        if (key.length !== b.spec.keySize) return false;
        const value = encodeValue(b.valueType, decodeValue(a.valueType, e.values[0]!, 0, decode));
        if (to.map.updateUser(key, [value], BPF_ANY) !== 0) return false;
      }
      return true;
    } catch (e) {
      if (e instanceof InternalError) return false;
      throw e;
    }
  }

  // ── time ──

  /** Runs the world for `durationNs` of virtual time, or until exit() or interrupt(). */
  async advance(durationNs: number): Promise<AdvanceOutcome> {
    const world = this.world;
    const start = world.now;
    const target = start + durationNs;
    const events = this.events;
    this.interrupted = false;
    let endedBy: AdvanceOutcome['endedBy'] = 'duration';
    for (;;) {
      if (this.exitRequested) {
        endedBy = 'exit';
        break;
      }
      if (this.interrupted) {
        endedBy = 'interrupt';
        break;
      }
      if (world.now >= target) break;
      if (this.gen) this.gen.machine.host = world;
      world.runUntil(Math.min(target, world.now + SLICE_NS));
      await this.io.pause();
    }
    const outcome = { endedBy, elapsedNs: world.now - start, events: this.events - events };
    if (endedBy === 'exit') this.endRun();
    return outcome;
  }

  /** Stops advance() after the current event (Ctrl-C). */
  interrupt(): void {
    this.interrupted = true;
    this.world.stop();
  }

  /**
   * Ends the run: END blocks run, the maps print as bpftrace prints them at exit, probes
   * detach, maps go away; definitions stay. False when no run was under way.
   */
  endRun(): boolean {
    const wasLive = this.live;
    const gen = this.gen;
    if (wasLive && gen) {
      const ends = gen.built.origins.flatMap((o, i) => (o.role === 'end' ? [i] : []));
      this.exitRequested = false;
      this.runSpecial(gen, ends);
      this.io.out(gen.printer.exitBanner());
      if (gen.built.checked.config.print_maps_on_exit) this.io.out(this.mapsText());
    }
    if (gen) for (const a of gen.attachments) a.detach();
    this.gen = undefined;
    this.exitRequested = false;
    this.entries = this.entries.flatMap((e) => definitionsOf(e) ?? []);
    return wasLive;
  }

  // ── maps ──

  /** Every map of the run, in name order, as bpftrace prints maps at exit. */
  mapsText(): string {
    const gen = this.gen;
    if (!gen) return '';
    const dumps = this.userMaps().map(({ def, map, index }) => readMap(def, map, gen.decode, gen.zeroed.has(index)));
    dumps.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return dumps.map((d) => gen.printer.map(d)).join('');
  }

  /** clear(@m) from user space; every map without a name. */
  clearMaps(name?: string): Message | undefined {
    const maps = this.userMaps();
    if (name === undefined) {
      for (const m of maps) clearMap(m.map);
      this.gen?.zeroed.clear();
      return undefined;
    }
    const wanted = name.startsWith('@') ? name : `@${name}`;
    const m = maps.find((x) => x.def.bpftraceName === wanted);
    if (!m) return replMessages.noSuchMap(wanted);
    clearMap(m.map);
    this.gen?.zeroed.delete(m.index);
    return undefined;
  }

  // ── the world ──

  /** A new world with this seed; the run's blocks move to it, maps keep their entries. */
  reseed(seed: number): Diagnostic[] {
    this.settingsNow = { ...this.settingsNow, seed };
    return this.rebuildWorld();
  }

  /** A new world running this workload profile, or why not. */
  setWorkload(name: string): Diagnostic[] {
    const w = loadBundledWorkload(name);
    if (typeof w === 'string') return [plain(runMessages.unknownWorkload(w))];
    this.workloadJson = w;
    this.settingsNow = { ...this.settingsNow, workload: name };
    return this.rebuildWorld();
  }

  private rebuildWorld(): Diagnostic[] {
    for (const a of this.gen?.attachments ?? []) a.detach();
    this.world = createWorld({ seed: this.settingsNow.seed, cpus: this.opts.cpus, workload: this.workloadJson });
    this.tracer = this.newTracer();
    this.runStartBootNs = this.tracer.bootNs();
    if (!this.gen) return [];
    // Rebuilt against the new world (kaddr() addresses, the tracer's pid), maps carried over.
    const old = this.gen;
    const again = this.activate(this.entries, undefined);
    if (again.ok) return again.diagnostics;
    // The same program loaded before; attach the old generation to the new world instead.
    this.gen = { ...old, attachments: [], attachedProbes: [] };
    this.attach(this.gen);
    return again.diagnostics;
  }

  /** Drops every entry and map and starts a new world with the current settings. */
  reset(): void {
    for (const a of this.gen?.attachments ?? []) a.detach();
    this.gen = undefined;
    this.entries = [];
    this.lastEntry = undefined;
    this.exitRequested = false;
    this.world = createWorld({ seed: this.settingsNow.seed, cpus: this.opts.cpus, workload: this.workloadJson });
    this.tracer = this.newTracer();
  }

  // ── showing the program ──

  /**
   * `--dump` output for the last entry: its AST as parsed alone, the types of the whole
   * session program, or the eBPF programs compiled from it (with every map of the run).
   */
  dump(point: 'ast' | 'types' | 'bpf'): string | Message {
    const entry = this.lastEntry;
    if (!entry) return replMessages.nothingToDump();
    if (point === 'ast') return dumpAst(entry.ast);
    const built = this.gen?.built;
    if (!built) return replMessages.nothingToDump();
    if (point === 'types') return dumpTypes(built.checked);
    const programs = built.compiled.programs.filter((_p, i) => built.origins[i]!.entry.number === entry.number);
    return dumpBpf({ ...built.compiled, programs });
  }

  /**
   * The session as one script bpftrace-ts (or bpftrace) can run: C definitions, config, the
   * other definitions, one BEGIN holding each statement entry and BEGIN block in order, the
   * probe blocks, one END.
   */
  scriptText(): string {
    const sections: string[][] = [[], [], []];
    const begins: string[] = [];
    const probes: string[] = [];
    const ends: string[] = [];
    for (const e of this.entries) {
      e.items.forEach((item, i) => {
        const text = e.programText.slice(item.span.start, item.span.end);
        const node = e.ast.items[i];
        if (item.role === 'config' || item.role === 'definition') sections[sectionOf(item, node)]!.push(text);
        else if (item.role === 'probe') probes.push(text);
        else if (node?.kind === 'Probe') {
          const body = e.programText.slice(node.body.span.start + 1, node.body.span.end - 1).trim();
          const pred = node.predicate ? e.programText.slice(node.predicate.span.start, node.predicate.span.end) : undefined;
          const block = pred ? `if (${pred}) { ${body} }` : `{ ${body} }`;
          (item.role === 'begin' ? begins : ends).push(`  ${block.replace(/\n/g, '\n  ')}`);
        }
      });
    }
    const parts = sections.flat();
    if (begins.length > 0) parts.push(`BEGIN\n{\n${begins.join('\n')}\n}`);
    parts.push(...probes);
    if (ends.length > 0) parts.push(`END\n{\n${ends.join('\n')}\n}`);
    return parts.map((p) => p + '\n').join('\n');
  }
}
