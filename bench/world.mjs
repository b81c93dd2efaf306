// Speed of the synthetic kernel alone, on built code (not through vitest). For each bundled
// workload: events per second of CPU time with a no-op handler on
// tracepoint:raw_syscalls:sys_enter (the cheapest probe: every syscall fires it), with a
// handler on tracepoint:syscalls:sys_enter_openat (a string-bearing record; once no-op, once
// reading the filename through KernelHost.readUserStr as probe_read_user_str does), and the
// syscalls simulated per second with nothing attached. Runs are warm (a first, untimed world
// of the same workload compiles the hot code), best of BENCH_REPS; a separate row times what
// a default run pays cold: building the world and its first 5 virtual seconds; and rows per
// path of the world on tiny workloads that exercise one path each (BENCH_MICRO=0 to skip).
// Time is process CPU time (the machine is shared). Not a test: nothing here asserts a time.
//
//   npm run build && node bench/world.mjs
//   BENCH_REPS=5 BENCH_WORKLOADS=mixed,webserver BENCH_WORLD=/path/to/other/dist/world/world.js node bench/world.mjs
// Prints a table and writes bench/results/world.json (BENCH_OUT to write elsewhere).

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const here = path.dirname(new URL(import.meta.url).pathname);
const worldPath = process.env.BENCH_WORLD ?? path.join(here, '../dist/world/world.js');
const { createWorld } = await import(pathToFileURL(path.resolve(worldPath)).href);

const REPS = Number(process.env.BENCH_REPS ?? 3);
const WORKLOADS = (process.env.BENCH_WORKLOADS ?? 'mixed,webserver,database,build').split(',');
const SEC = 1e9;
/** Virtual seconds per run: about a million syscalls each. */
const VSEC = { mixed: 500, webserver: 40, database: 40, build: 120 };

const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

const tp = (category, event) => ({ kind: 'tracepoint', category, event });

/** Each scenario attaches to a fresh world and returns the count of events it delivered. */
const SCENARIOS = {
  'raw_syscalls:sys_enter, no-op': (w) => {
    let n = 0;
    w.attach(tp('raw_syscalls', 'sys_enter'), () => void n++);
    return () => n;
  },
  'sys_enter_openat, no-op': (w) => {
    let n = 0;
    w.attach(tp('syscalls', 'sys_enter_openat'), () => void n++);
    return () => n;
  },
  'sys_enter_openat, read filename': (w) => {
    let n = 0;
    const buf = new Uint8Array(256);
    w.attach(tp('syscalls', 'sys_enter_openat'), (_b, v) => {
      w.readUserStr(v.getBigUint64(24, true), buf, 0, 256);
      n++;
    });
    return () => n;
  },
  'nothing attached (syscalls)': (w) => () => w.syscalls,
};

function once(workload, vsec, attach) {
  const w = createWorld({ seed: 1, workload });
  const count = attach(w);
  const t0 = cpuNs();
  w.runUntil(vsec * SEC);
  return { ns: cpuNs() - t0, events: count(), syscalls: w.syscalls };
}

const rows = [];
for (const wl of WORKLOADS) {
  const vsec = VSEC[wl] ?? 30;
  // Cold: what one default run pays before the code is optimised.
  const c0 = cpuNs();
  const cold = createWorld({ seed: 1, workload: wl });
  const built = cpuNs();
  cold.attach(tp('raw_syscalls', 'sys_enter'), () => {});
  cold.runUntil(5 * SEC);
  const coldNs = cpuNs() - built;
  rows.push({ workload: wl, scenario: 'cold: build world + 5 virtual s', virtualSeconds: 5, events: cold.syscalls, cpuMs: (cpuNs() - c0) / 1e6, buildMs: (built - c0) / 1e6, eventsPerSec: cold.syscalls / (coldNs / 1e9), nsPerEvent: coldNs / cold.syscalls });
  once(wl, vsec / 4, SCENARIOS['raw_syscalls:sys_enter, no-op']);
  for (const [name, attach] of Object.entries(SCENARIOS)) {
    let best = null;
    for (let r = 0; r < REPS; r++) {
      const run = once(wl, vsec, attach);
      if (best === null || run.ns / Math.max(1, run.events) < best.ns / Math.max(1, best.events)) best = run;
    }
    rows.push({ workload: wl, scenario: name, virtualSeconds: vsec, events: best.events, syscalls: best.syscalls, cpuMs: best.ns / 1e6, eventsPerSec: best.events / (best.ns / 1e9), nsPerEvent: best.ns / Math.max(1, best.events) });
  }
}

// Per path: tiny workloads that each exercise one part of the world (a task's plain calls
// back to back; fd calls on two interleaving CPUs; the block → idle → timer → wake → switch
// cycle; futex wake-ups across eight threads). ns per syscall with a no-op sys_enter handler.
const prog = { exe: '/usr/bin/x', behaviour: 'b' };
const MICRO = {
  'plain calls (getpid)': { vsec: 1, procs: 1, ops: { start: 'g', think: 200, ops: { g: { sys: 'getpid', lat: 100 } } } },
  'fd calls (open/read/close)': {
    vsec: 1,
    procs: 2,
    ops: {
      start: 'o',
      think: 300,
      ops: {
        o: { sys: 'openat', fd: 'new', path: ['/etc/passwd', '/etc/hosts', '/var/log/x.log'], lat: 800, next: { r: 1 } },
        r: { sys: 'read', fd: 'top', size: 4096, ret: { uniform: [0, 4096] }, lat: 500, next: { r: 2, c: 1 } },
        c: { sys: 'close', fd: 'pop', lat: 300, next: { o: 1 } },
      },
    },
  },
  'block/wake cycle (nanosleep)': { vsec: 30, procs: 2, ops: { start: 's', think: 500, ops: { s: { sys: 'nanosleep', sleep: { uniform: [20000, 60000] }, lat: 300 } } } },
  'futex wake-ups (8 threads)': {
    vsec: 1,
    procs: 1,
    threads: 7,
    ops: {
      start: 'k',
      think: 2000,
      ops: {
        w: { sys: 'futex', futex: { word: 1, op: 'wait' }, block: 1e9, next: { k: 1 } },
        k: { sys: 'futex', futex: { word: 1, op: 'wake', count: 1 }, lat: 500, next: { w: 1 } },
      },
    },
  },
};
if (process.env.BENCH_MICRO !== '0') {
  for (const [name, m] of Object.entries(MICRO)) {
    const workload = {
      name: 'micro',
      description: name,
      programs: { p: prog },
      behaviours: { b: m.ops },
      processes: [{ program: 'p', count: m.procs, ...(m.threads ? { threads: [{ behaviour: 'b', count: m.threads }] } : {}) }],
    };
    const attach = SCENARIOS['raw_syscalls:sys_enter, no-op'];
    once(workload, m.vsec / 4, attach);
    let best = null;
    for (let r = 0; r < REPS; r++) {
      const run = once(workload, m.vsec, attach);
      if (best === null || run.ns / run.events < best.ns / best.events) best = run;
    }
    rows.push({ workload: 'path', scenario: name, virtualSeconds: m.vsec, events: best.events, syscalls: best.syscalls, cpuMs: best.ns / 1e6, eventsPerSec: best.events / (best.ns / 1e9), nsPerEvent: best.ns / best.events });
  }
}

const rate = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(0)} k/s`);
const machine = `${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0].toFixed(1)}`;
console.log(`world alone (${path.relative(process.cwd(), worldPath)}) — ${machine}, best of ${REPS}, CPU time`);
console.log(`${'workload'.padEnd(10)} ${'scenario'.padEnd(34)} ${'events'.padStart(9)} ${'events/s'.padStart(11)} ${'ns/event'.padStart(9)}`);
for (const r of rows) console.log(`${r.workload.padEnd(10)} ${r.scenario.padEnd(34)} ${String(r.events).padStart(9)} ${rate(r.eventsPerSec).padStart(11)} ${r.nsPerEvent.toFixed(1).padStart(9)}${r.buildMs !== undefined ? `   (world built in ${r.buildMs.toFixed(0)} ms)` : ''}`);

const out = process.env.BENCH_OUT ?? path.join(here, 'results', 'world.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ machine, world: worldPath, reps: REPS, rows }, null, 2) + '\n');
