// Engine speed on built code (not through vitest): the interpreter and the JIT on an ALU-heavy
// loop (64- and 32-bit), memory-heavy loops (stack, map value), a 4,000-instruction program,
// the cost of one call of a 2-instruction program, and the compiled `@[pid, comm] = count()`
// per event beside a hand-written JavaScript baseline (byte-keyed open-addressing table) doing
// the same work on the same events. Time is process CPU time (the machine is shared), best of
// several windows. Programs are verified and loaded as the runtime loads them (the verifier's
// analysis goes to both engines). Not a test: nothing here asserts a time.
//
//   npm run build && node bench/engines.mjs          (BENCH_WINDOW_MS, BENCH_REPS to change)
// Prints a table and writes bench/results/engines.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assemble } from '../dist/ebpf/asm/assemble.js';
import { IdleHost } from '../dist/ebpf/conformance.js';
import { helperTable } from '../dist/ebpf/helpers/helper-table.js';
import { newRunResult, run } from '../dist/ebpf/interpreter.js';
import { jitCompile } from '../dist/ebpf/jit/jit.js';
import { Machine } from '../dist/ebpf/machine.js';
import { createMap } from '../dist/ebpf/maps/create-map.js';
import { loadProgram } from '../dist/ebpf/program.js';
import { verifyProgram } from '../dist/ebpf/verifier/verify.js';
import { SourceFile } from '../dist/diag/source.js';
import { runPipeline } from '../dist/pipeline.js';
import { createMaps, loadPrograms } from '../dist/runtime/loader.js';
import { loadEngine } from '../dist/runtime/engine.js';

const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 300);
const REPS = Number(process.env.BENCH_REPS ?? 5);

/** Best rate of `units` per call over REPS windows of CPU time. */
function rate(fn, units) {
  for (let i = 0; i < 20; i++) fn();
  let best = 0;
  for (let r = 0; r < REPS; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const until = BigInt(WINDOW_MS) * 1_000_000n;
    let calls = 0;
    while (process.hrtime.bigint() - t0 < until) {
      fn();
      calls++;
    }
    const c = process.cpuUsage(c0);
    best = Math.max(best, (calls * units) / ((c.user + c.system) / 1e6));
  }
  return best;
}

// ── raw engine figures ──────────────────────────────────────────────────────────────────
const ITER = 0x10000;

/** A loop program: set-up, ITER × body and the loop test, exit (a run's count is taken from the interpreter). */
function loop(setup, body) {
  return { text: `${setup}\nloop:\n${body}\nif r1 != ${ITER} goto loop\nexit` };
}

const ARRAY = { name: 'a', type: 'array', keySize: 4, valueSize: 64, maxEntries: 1 };

const LOOPS = {
  'ALU64 loop': loop('r0 = 0\nr1 = 0\nr2 = 3', `r0 += r2
r0 ^= 0x55
r3 = r0
r3 <<= 3
r0 += r3
r3 >>= 7
r0 -= r3
r0 &= 0xfffff
r0 |= 0x10
r1 += 1`),
  'ALU64 loop, full 64-bit values': loop('r0 = 0x123456789 ll\nr1 = 0\nr2 = 0x10000000f ll', `r0 += r2
r0 ^= 0x55
r3 = r0
r3 <<= 3
r0 += r3
r3 >>= 7
r0 -= r3
r0 *= 3
r0 |= 0x10
r1 += 1`),
  'ALU32 loop': loop('w0 = 0\nr1 = 0\nw2 = 3', `w0 += w2
w0 ^= 0x55
w3 = w0
w3 <<= 3
w0 += w3
w3 >>= 7
w0 -= w3
w0 &= 0xfffff
w0 |= 0x10
r1 += 1`),
  'memory loop (stack)': loop('r0 = 0\nr1 = 0\n*(u64 *)(r10 - 8) = r1\n*(u64 *)(r10 - 16) = r1', `r2 = *(u64 *)(r10 - 8)
r2 += 3
*(u64 *)(r10 - 8) = r2
r3 = *(u32 *)(r10 - 8)
r0 += r3
*(u32 *)(r10 - 16) = r0
r4 = *(u8 *)(r10 - 16)
r0 ^= r4
r1 += 1`),
  'memory loop (map value)': loop(`*(u32 *)(r10 - 4) = 0
r1 = map_fd(1) ll
r2 = r10
r2 += -4
call 1
if r0 != 0 goto ok
exit
ok:
r6 = r0
r0 = 0
r1 = 0`, `r2 = *(u64 *)(r6 + 8)
r2 += 3
*(u64 *)(r6 + 8) = r2
r3 = *(u32 *)(r6 + 8)
r0 += r3
*(u32 *)(r6 + 16) = r0
r4 = *(u8 *)(r6 + 16)
r0 ^= r4
r1 += 1`),
};

function bigProgram() {
  const lines = ['r0 = 0', 'r1 = 0', '*(u64 *)(r10 - 8) = r1', 'r9 = 20', 'loop:'];
  for (let g = 0; g < 400; g++) {
    lines.push('r2 = *(u64 *)(r10 - 8)', `r2 += ${g + 1}`, '*(u64 *)(r10 - 8) = r2', 'r3 = *(u32 *)(r10 - 8)', 'r0 += r3',
      `r0 ^= ${g * 7}`, 'r4 = r0', 'r4 >>= 3', `if r4 > ${g * 1000} goto +1`, 'r0 -= r4');
  }
  lines.push('r9 += -1', 'if r9 != 0 goto loop', 'exit');
  return lines.join('\n');
}

/** Both engines on one program text: the machine, its maps, the verified program in each. */
function prepare(text, maps = []) {
  const a = assemble(text, { syntax: 'kernel' });
  if (!a.ok) throw new Error(JSON.stringify(a.errors));
  const v = verifyProgram(a.insns, { progType: 'kprobe', maps });
  if (!v.ok) throw new Error(v.log);
  const m = new Machine(new IdleHost());
  maps.forEach((spec, fd) => {
    if (spec) m.maps[fd] = createMap(spec, m.mem, 1, fd);
  });
  const l = loadProgram(a.insns, { helpers: helperTable, budget: 1e9, analysis: v.analysis });
  if (!l.ok) throw new Error(JSON.stringify(l.errors));
  const jit = jitCompile(l.prog, m, v.analysis);
  return { prog: l.prog, m, jit, slots: a.insns.length, layouts: jit.layouts };
}

const rows = [];
const ctx = new Uint8Array(168);
const out = newRunResult();

for (const [name, { text }] of Object.entries(LOOPS)) {
  const p = prepare(text, name.includes('map') ? [undefined, ARRAY] : []);
  run(p.prog, p.m, ctx, out);
  const insns = out.insns;
  if (insns < ITER || out.fault) throw new Error(`${name}: the interpreter ran ${insns} instructions (${out.fault})`);
  const interp = rate(() => run(p.prog, p.m, ctx, out), insns);
  const jit = rate(() => p.jit.run(ctx, out), insns);
  if (out.insns !== insns || out.fault) throw new Error(`${name}: JIT ran ${out.insns} (${out.fault}), the interpreter ${insns}`);
  rows.push({ workload: name, unit: 'M insns/s', interp: interp / 1e6, jit: jit / 1e6 });
}

{
  const p = prepare(bigProgram());
  run(p.prog, p.m, ctx, out);
  const insns = out.insns;
  const interp = rate(() => run(p.prog, p.m, ctx, out), insns);
  const jit = rate(() => p.jit.run(ctx, out), insns);
  rows.push({ workload: `${p.slots}-instruction program (JIT: ${p.layouts[0].functions} functions)`, unit: 'M insns/s', interp: interp / 1e6, jit: jit / 1e6 });
}

{
  const p = prepare('r0 = 0x2a\nexit');
  const BATCH = 1000;
  const ji = p.jit.run;
  const interp = rate(() => {
    for (let k = 0; k < BATCH; k++) run(p.prog, p.m, ctx, out);
  }, BATCH);
  const jit = rate(() => {
    for (let k = 0; k < BATCH; k++) ji(ctx, out);
  }, BATCH);
  rows.push({ workload: '2-instruction program', unit: 'ns/call', interp: 1e9 / interp, jit: 1e9 / jit });
}

// ── the canonical one-liner, per event ─────────────────────────────────────────────────
const PROCS = 64;
const comms = Array.from({ length: PROCS }, (_, k) => new TextEncoder().encode(`proc-${k}`.padEnd(6 + (k % 9), 'x')));

/** The current task cycles through PROCS processes, one per event. */
class CyclingHost extends IdleHost {
  k = 0;
  tid() { return 1000 + this.k * 7; }
  tgid() { return 1000 + this.k * 7; }
  comm(dst, off) {
    dst.fill(0, off, off + 16);
    dst.set(comms[this.k], off);
  }
}

async function oneLiner(engineName) {
  const source = new SourceFile('bench', 'tracepoint:raw_syscalls:sys_enter { @[pid, comm] = count(); }');
  const r = runPipeline({ source, positional: [], named: new Map(), unsafe: false, ncpus: 1 });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics.map((d) => d.message)));
  const compiled = r.products.compiled;
  const host = new CyclingHost();
  const m = new Machine(host);
  const maps = createMaps(compiled, m, 1);
  if (!Array.isArray(maps)) throw new Error('maps');
  const engine = await loadEngine(engineName);
  const progs = loadPrograms(compiled, m, engine, 1);
  if (!Array.isArray(progs)) throw new Error('programs');
  const p = progs.find((x) => x.compiled.special === undefined);
  const event = new Uint8Array(p.ctxSize);
  const code = p.code;
  const BATCH = 1024;
  const perEvent = rate(() => {
    for (let k = 0; k < BATCH; k++) {
      host.k = k & (PROCS - 1);
      code.run(event, out);
    }
  }, BATCH);
  if (out.fault) throw new Error(`${engineName}: ${out.faultMessage}`);
  return { nsPerEvent: 1e9 / perEvent, insns: out.insns, entries: maps.reduce((a, mp) => a + (mp.spec.type.includes('hash') ? mp.size() : 0), 0) };
}

/** The same count, written by hand: a (pid, comm) key of 20 bytes in an open-addressing table. */
function baseline() {
  const host = new CyclingHost();
  const CAP = 1 << 12;
  const keys = new Int32Array(CAP * 5);
  const used = new Uint8Array(CAP);
  const counts = new Float64Array(CAP);
  const key = new Uint8Array(20);
  const kv = new DataView(key.buffer);
  const BATCH = 1024;
  const perEvent = rate(() => {
    for (let e = 0; e < BATCH; e++) {
      host.k = e & (PROCS - 1);
      kv.setUint32(0, host.tgid(), true);
      host.comm(key, 4);
      let h = 0x811c9dc5;
      for (let w = 0; w < 5; w++) h = Math.imul(h ^ kv.getInt32(w * 4, true), 0x01000193);
      let i = (h ^ (h >>> 15)) & (CAP - 1);
      for (;;) {
        if (!used[i]) {
          used[i] = 1;
          for (let w = 0; w < 5; w++) keys[i * 5 + w] = kv.getInt32(w * 4, true);
          counts[i] = 1;
          break;
        }
        let w = 0;
        while (w < 5 && keys[i * 5 + w] === kv.getInt32(w * 4, true)) w++;
        if (w === 5) {
          counts[i]++;
          break;
        }
        i = (i + 1) & (CAP - 1);
      }
    }
  }, BATCH);
  return 1e9 / perEvent;
}

const oi = await oneLiner('interp');
const oj = await oneLiner('jit');
const base = baseline();
rows.push({ workload: `@[pid, comm] = count() (${oj.insns} insns/event)`, unit: 'ns/event', interp: oi.nsPerEvent, jit: oj.nsPerEvent, baseline: base });

// ── report ──────────────────────────────────────────────────────────────────────────────
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const machine = `${os.cpus().length} × ${cpu}, Node ${process.version}, load ${os.loadavg()[0].toFixed(1)}`;
const fmt = (v) => (v === undefined ? '' : v >= 100 ? v.toFixed(0) : v.toFixed(2));
const table = [
  ['workload', 'unit', 'interpreter', 'JIT', 'JIT ÷ interp', 'hand-written JS'],
  ...rows.map((r) => [r.workload, r.unit, fmt(r.interp), fmt(r.jit), r.unit.startsWith('ns') ? fmt(r.interp / r.jit) : fmt(r.jit / r.interp), fmt(r.baseline)]),
];
const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
console.log(machine);
for (const row of table) console.log(row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
const dir = path.join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'engines.json'), JSON.stringify({ machine, windowMs: WINDOW_MS, reps: REPS, rows }, null, 2) + '\n');
