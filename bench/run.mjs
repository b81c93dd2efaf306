// `npm run bench`: the whole suite on built code (dist/, bin/), never through vitest.
//   1. one-liners: each workload's program through the runtime (runProgram, src/runtime/run.ts)
//      on a recorded event stream replayed in this process, with the JIT and the interpreter,
//      beside a hand-written JavaScript baseline fed the same stream by the same kind of loop
//      (bench/workloads.mjs), and the same program live on the synthetic world;
//   2. the world alone on the same probes (no-op handlers);
//   3. raw engine figures (bench/engines.mjs) and kernel-side map operations (bench/maps.mjs);
//   4. start-up: whole-process time of `bpftrace-ts -e 'BEGIN { exit(); }'`.
// Times are process CPU time (user + system), best of several rounds; wall time beside it.
// Prints tables and writes bench/results/bench-<time>.json and latest.json. Not a test.
//
// Environment: BENCH_EVENTS (events per recording, default 500000), BENCH_ROUNDS (default 5),
// BENCH_LIVE_EVENTS (default 200000), BENCH_ONLY (comma-separated section names:
// oneliners,world,engines,startup), BENCH_FILTER (comma-separated parts of one-liner names),
// BENCH_WORKLOAD (world workload profile, default webserver), BENCH_ISOLATE=0 (measure the
// one-liners all in this process instead of a fresh process per part).

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { SourceFile } from '../dist/diag/source.js';
import { runPipeline } from '../dist/pipeline.js';
import { runProgram } from '../dist/runtime/run.js';
import { createWorld } from '../dist/world/world.js';
import { loadBundledWorkload } from '../dist/world/workload-files.js';
import { engineFigures } from './engines.mjs';
import { mapFigures } from './maps.mjs';
import { record, ReplayWorld } from './lib/replay.mjs';
import { cpuNow, median, wallNow } from './lib/timing.mjs';
import { parseMaps, STREAMS, WORKLOADS } from './workloads.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EVENTS = Number(process.env.BENCH_EVENTS ?? 500_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const LIVE_EVENTS = Number(process.env.BENCH_LIVE_EVENTS ?? 200_000);
const WORKLOAD = process.env.BENCH_WORKLOAD ?? 'webserver';
const SEED = 1;
const CPUS = 4;
const only = new Set((process.env.BENCH_ONLY ?? 'oneliners,world,engines,maps,startup').split(','));
/** Only the one-liners whose name contains one of these comma-separated texts (all when unset). */
const filters = process.env.BENCH_FILTER ? process.env.BENCH_FILTER.split(',') : undefined;

// ── output sinks ─────────────────────────────────────────────────────────────────────────

/** Program output to /dev/null, buffered as the CLI buffers stdout (64 KiB binary strings). */
function devNullSink() {
  const fd = openSync('/dev/null', 'w');
  let pending = '';
  return {
    bytes: 0,
    out(s) {
      pending += s;
      this.bytes += s.length;
      if (pending.length >= 65536) {
        writeSync(fd, Buffer.from(pending, 'latin1'));
        pending = '';
      }
    },
    close() {
      if (pending !== '') writeSync(fd, Buffer.from(pending, 'latin1'));
      closeSync(fd);
    },
  };
}

/** A RunIo: program output to `out`, stderr kept (it should stay empty). */
function runIo(out, errors) {
  return {
    out,
    stdout: () => undefined,
    err: (t) => void errors.push(t),
    flush: () => undefined,
    broken: () => false,
    onInterrupt: () => () => undefined,
    wallNs: () => wallNow(),
    pause: () => Promise.resolve(),
  };
}

function compile(text) {
  const r = runPipeline({ source: new SourceFile('bench', text), positional: [], named: new Map(), unsafe: false, ncpus: CPUS });
  if (!r.ok) throw new Error(`${text}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.products;
}

const runOptions = (engine, extra) => ({
  seed: SEED, cpus: CPUS, workload: WORKLOAD, realtime: false, engine, format: 'text', quiet: true, verbose: false, cwd: root, zone: 'utc', ...extra,
});

/**
 * The program through runProgram on a ReplayWorld of `rec`: the best round's CPU and wall ns
 * per event, and the summary of what it printed (or wrote).
 */
async function replayPipeline(wl, products, rec, engine, withCompanions = () => undefined) {
  const world = new ReplayWorld(rec, { rounds: ROUNDS });
  const sink = devNullSink();
  const companions = withCompanions(world);
  let text = '';
  const errors = [];
  const out = wl.output ? (t) => sink.out(t) : (t) => void (text += t);
  const r = await runProgram(products.checked, products.compiled, runOptions(engine, { world, durationNs: rec.virtualNs }), runIo(out, errors));
  sink.close();
  if (!r.ok) throw new Error(`${wl.name}: ${r.message.text}`);
  if (errors.length > 0) throw new Error(`${wl.name} (${engine}): ${errors.join('')}`);
  return { ...world.best, summary: wl.summary(parseMaps(text), sink.bytes), companions: companions?.(world.companionBest) };
}

/**
 * Companions of the JIT run: the hand-written baseline (its own /dev/null sink) and the bare
 * delivery (no-op handlers), taking turns with the pipeline pass by pass on the same
 * recording. Returns what they measured and the baseline's summary.
 */
const baselineAndDelivery = (wl, rec) => (world) => {
  const sink = devNullSink();
  const b = wl.baseline(rec, world, world.ctx32, sink);
  world.addCompanion('baseline', b.handlers);
  world.addCompanion('delivery', rec.probes.map(() => () => undefined));
  return (best) => {
    sink.close();
    return { baseline: { ...best.baseline, summary: b.summary() }, delivery: best.delivery };
  };
};

/** The program live on a fresh world: CPU and wall ns per delivered event (world included). */
async function live(wl, products, rec, engine) {
  let best;
  for (let round = 0; round < 3; round++) {
    const w = createWorld({ seed: SEED, cpus: CPUS, workload: loadBundledWorkload(WORKLOAD) });
    const plain = w.runUntil.bind(w);
    let cpu = 0;
    let wall = 0;
    w.runUntil = (t) => {
      const c0 = cpuNow();
      const w0 = wallNow();
      const now = plain(t);
      cpu += cpuNow() - c0;
      wall += wallNow() - w0;
      return now;
    };
    const sink = devNullSink();
    const durationNs = Math.ceil((LIVE_EVENTS / rec.events) * rec.virtualNs);
    const r = await runProgram(products.checked, products.compiled, runOptions(engine, { world: w, durationNs }), runIo(wl.output ? (t) => sink.out(t) : () => undefined, []));
    sink.close();
    if (!r.ok) throw new Error(`${wl.name} live: ${r.message.text}`);
    const per = { cpuNs: cpu / r.stats.events, wallNs: wall / r.stats.events, events: r.stats.events };
    if (best === undefined || per.cpuNs < best.cpuNs) best = per;
  }
  return best;
}

/** The world alone on a stream's probes, no-op handlers: ns per event. */
function worldOnly(stream, rec) {
  let best;
  for (let round = 0; round < 3; round++) {
    const w = createWorld({ seed: SEED, cpus: CPUS, workload: loadBundledWorkload(WORKLOAD) });
    let n = 0;
    for (const t of STREAMS[stream]) w.attach(t, () => void n++);
    const durationNs = Math.ceil((LIVE_EVENTS / rec.events) * rec.virtualNs);
    const c0 = cpuNow();
    const w0 = wallNow();
    w.runUntil(durationNs);
    const per = { cpuNs: (cpuNow() - c0) / n, wallNs: (wallNow() - w0) / n, events: n };
    if (best === undefined || per.cpuNs < best.cpuNs) best = per;
  }
  return best;
}

// ── start-up ─────────────────────────────────────────────────────────────────────────────

/** Whole-process times of `node args…` over n runs: median and minimum wall ms (and CPU ms when /usr/bin/time exists). */
function processTimes(args, n = 11) {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const walls = [];
  const cpus = [];
  for (let i = 0; i < n; i++) {
    const w0 = wallNow();
    const r = timeBin
      ? spawnSync(timeBin, ['-f', '%U %S', process.execPath, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] })
      : spawnSync(process.execPath, args, { stdio: 'ignore' });
    walls.push((wallNow() - w0) / 1e6);
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}: ${r.stderr ?? ''}`);
    if (timeBin) {
      const [u, s] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
      cpus.push((u + s) * 1000);
    }
  }
  return { medianMs: median(walls), minMs: Math.min(...walls), cpuMedianMs: cpus.length ? median(cpus) : undefined };
}

// ── report ───────────────────────────────────────────────────────────────────────────────

function table(header, rows) {
  const cells = [header, ...rows].map((r) => r.map((c) => (c === undefined ? '' : String(c))));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r, k) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + (k === 0 ? `\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : '')).join('\n');
}
const ns = (x) => (x === undefined ? '' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const rate = (nsPerEvent) => (nsPerEvent === undefined ? '' : `${(1e3 / nsPerEvent).toFixed(1)} M/s`);
const ratio = (a, b) => (a === undefined || b === undefined ? '' : `${(a / b).toFixed(2)}×`);

const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
const machine = { cpu: cpuModel, cores: os.cpus().length, node: process.version, platform: `${os.type()} ${os.release()}`, loadavg: os.loadavg() };
if (process.env.BENCH_CHILD === undefined) {
  console.log(`bpftrace-ts bench — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.platform}, load ${machine.loadavg.map((l) => l.toFixed(1)).join(' ')}`);
console.log(`CPU time per event, best of ${ROUNDS} rounds (wall time in JSON); world workload '${WORKLOAD}', seed ${SEED}, ${CPUS} CPUs\n`);
}

const results = { machine, date: new Date().toISOString(), settings: { events: EVENTS, rounds: ROUNDS, liveEvents: LIVE_EVENTS, workload: WORKLOAD }, oneliners: [], world: [], engines: [], maps: [], startup: {} };
const recordings = new Map();
const recordingOf = (stream) => {
  let rec = recordings.get(stream);
  if (!rec) {
    rec = record({ seed: SEED, cpus: CPUS, workload: WORKLOAD, targets: STREAMS[stream], maxEvents: EVENTS });
    recordings.set(stream, rec);
  }
  return rec;
};

/**
 * One part of a one-liner's row, measured in this process: 'jit' (with the baseline and the
 * delivery taking turns), 'interp' or 'live'.
 */
async function onelinerPart(wl, rec, part) {
  const products = compile(wl.program);
  if (part === 'jit') {
    const { companions, ...jit } = await replayPipeline(wl, products, rec, 'jit', baselineAndDelivery(wl, rec));
    return { jit, ...companions };
  }
  if (part === 'interp') return { interp: await replayPipeline(wl, products, rec, 'interp') };
  return { live: await live(wl, products, rec, 'jit') };
}

const PARTS = ['jit', 'interp', 'live'];
/** BENCH_CHILD=<workload index>:<part>:<recording file>: measure that part alone and print it as JSON. */
const child = process.env.BENCH_CHILD?.split(':');
if (child !== undefined) {
  const [index, part, file] = child;
  const wl = WORKLOADS[Number(index)];
  const rec = v8.deserialize(readFileSync(file));
  process.stdout.write(`${JSON.stringify(await onelinerPart(wl, rec, part))}\n`);
  process.exit(0);
}

/**
 * Each part of each row runs in a fresh Node process by default (BENCH_ISOLATE=0: all in this
 * one), as a bpftrace-ts run is one program in one process: in a shared process the runtime's
 * and the maps' call sites collect the type feedback of every earlier workload and engine,
 * which no real run sees. The children read the recording this process made.
 */
async function measureRow(wl, index, rec) {
  if (process.env.BENCH_ISOLATE === '0') {
    return { ...(await onelinerPart(wl, rec, 'jit')), ...(await onelinerPart(wl, rec, 'interp')), ...(await onelinerPart(wl, rec, 'live')) };
  }
  const file = recordingFile(wl.stream, rec);
  const row = {};
  for (const part of PARTS) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
      encoding: 'utf8', env: { ...process.env, BENCH_CHILD: `${index}:${part}:${file}` }, maxBuffer: 1 << 24,
    });
    if (r.status !== 0) throw new Error(`${wl.name} (${part}): the child exited with ${r.status}: ${r.stderr}`);
    Object.assign(row, JSON.parse(r.stdout.trim().split('\n').pop()));
  }
  return row;
}

/** The recording of a stream in a temporary file (written once per run), for the children. */
const recordingFiles = new Map();
function recordingFile(stream, rec) {
  let f = recordingFiles.get(stream);
  if (f === undefined) {
    f = path.join(os.tmpdir(), `bpftrace-ts-bench-${process.pid}-${stream}.bin`);
    writeFileSync(f, v8.serialize(rec));
    recordingFiles.set(stream, f);
  }
  return f;
}
process.on('exit', () => {
  for (const f of recordingFiles.values()) rmSync(f, { force: true });
});

if (only.has('oneliners')) {
  const rows = [];
  for (const [index, wl] of WORKLOADS.entries()) {
    if (filters !== undefined && !filters.some((f) => wl.name.includes(f))) continue;
    const rec = recordingOf(wl.stream);
    const { jit, interp, baseline: base, delivery: d, live: liveJit } = await measureRow(wl, index, rec);
    const same = JSON.stringify(jit.summary) === JSON.stringify(base.summary) && JSON.stringify(interp.summary) === JSON.stringify(base.summary);
    results.oneliners.push({ name: wl.name, program: wl.program, stream: wl.stream, recordedEvents: rec.events, delivery: d, jit, interp, baseline: base, live: liveJit, sameResult: same });
    rows.push([
      wl.name, rate(jit.cpuNs), ns(jit.cpuNs), ns(jit.cpuNs - d.cpuNs), ns(interp.cpuNs), ns(base.cpuNs), ns(base.cpuNs - d.cpuNs),
      ratio(jit.cpuNs, base.cpuNs), ns(liveJit.cpuNs), same ? 'yes' : 'NO',
    ]);
  }
  const isolated = process.env.BENCH_ISOLATE !== '0';
  console.log('One-liners: the runtime on a replayed event stream (JIT, interpreter) beside hand-written JS fed the same stream the same way,');
  console.log('taking turns pass by pass, and the program live on the world. "net" subtracts the replay delivery (the loop copying each');
  console.log(`record into the context buffer, timed in the same turns); the ratio is of the times as measured.${isolated ? ' Each of JIT (with its' : ''}`);
  if (isolated) console.log('baseline), interpreter and live runs in a fresh process, as a bpftrace-ts run does (BENCH_ISOLATE=0: all in one).');
  console.log(table(['workload', 'JIT events/s', 'JIT ns/ev', 'JIT net', 'interp ns/ev', 'baseline ns/ev', 'baseline net', 'JIT ÷ baseline', 'live JIT+world ns/ev', 'same result'], rows));
  console.log('');
}

if (only.has('world')) {
  const rows = [];
  for (const stream of Object.keys(STREAMS)) {
    const rec = recordingOf(stream);
    const r = worldOnly(stream, rec);
    results.world.push({ probes: STREAMS[stream], ...r });
    rows.push([STREAMS[stream].map((t) => `${t.category}:${t.event}`).join(' + '), String(r.events), rate(r.cpuNs), ns(r.cpuNs)]);
  }
  console.log(`The world alone (no-op handlers), workload '${WORKLOAD}'`);
  console.log(table(['probes', 'events', 'events/s', 'ns/event'], rows));
  console.log('');
}

if (only.has('engines')) {
  const rows = engineFigures({ windowMs: 200, reps: ROUNDS });
  results.engines = rows;
  console.log('Engines (interpreter and JIT, verified programs)');
  console.log(table(['program', 'unit', 'interpreter', 'JIT', 'JIT gain'], rows.map((r) => [r.name, r.unit, ns(r.interp), ns(r.jit), r.unit.startsWith('ns') ? ratio(r.interp, r.jit) : ratio(r.jit, r.interp)])));
  console.log('');
}

if (only.has('maps')) {
  const rows = mapFigures({ windowMs: 200, reps: ROUNDS });
  results.maps = rows;
  console.log('Kernel-side map operations (when the JIT does not inline them, and always for the interpreter)');
  console.log(table(['operation', 'ns/op'], rows.map((r) => [r.name, ns(r.nsPerOp)])));
  console.log('');
}

if (only.has('startup')) {
  const bin = path.join(root, 'bin', 'bpftrace-ts.js');
  const begin = processTimes([bin, '-e', 'BEGIN { exit(); }']);
  const node = processTimes(['-e', '0']);
  results.startup = { beginExit: begin, nodeAlone: node };
  console.log('Start-up, whole process (11 runs)');
  console.log(table(['command', 'median wall ms', 'min wall ms', 'median CPU ms'], [
    ["bpftrace-ts -e 'BEGIN { exit(); }'", begin.medianMs.toFixed(0), begin.minMs.toFixed(0), begin.cpuMedianMs?.toFixed(0)],
    ['node -e 0', node.medianMs.toFixed(0), node.minMs.toFixed(0), node.cpuMedianMs?.toFixed(0)],
  ]));
  console.log('');
}

const dir = path.join(root, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const json = JSON.stringify(results, null, 2) + '\n';
const stamp = results.date.replace(/[:.]/g, '-');
writeFileSync(path.join(dir, `bench-${stamp}.json`), json);
// A partial run (some sections or one-liners) does not replace the last full record.
const partial = process.env.BENCH_ONLY !== undefined || filters !== undefined;
if (!partial) writeFileSync(path.join(dir, 'latest.json'), json);
console.log(`results: bench/results/bench-${stamp}.json${partial ? ' (partial run: latest.json kept)' : ' (and latest.json)'}`);
