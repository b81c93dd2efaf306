// Raw engine figures on built code (not through vitest): the interpreter and the JIT on an
// ALU-heavy loop (64-bit, 64-bit with full-width values, 32-bit), memory-heavy loops (stack,
// map value), a 4,000-instruction program (the JIT splits it into several functions; warm,
// and its first 100 ms from cold), and the cost of one call of a 2-instruction program.
// Programs are verified and loaded as the runtime loads them (the verifier's analysis goes to
// both engines); the interpreter's instruction count of a run is the unit. Best of several
// windows of CPU time after a second of warm-up. Part of `npm run bench` (bench/run.mjs);
// alone: `node bench/engines.mjs`. Not a test.

import { pathToFileURL } from 'node:url';
import { assemble } from '../dist/ebpf/asm/assemble.js';
import { IdleHost } from '../dist/ebpf/conformance.js';
import { helperTable } from '../dist/ebpf/helpers/helper-table.js';
import { newRunResult, run } from '../dist/ebpf/interpreter.js';
import { jitCompile } from '../dist/ebpf/jit/jit.js';
import { Machine } from '../dist/ebpf/machine.js';
import { createMap } from '../dist/ebpf/maps/create-map.js';
import { loadProgram } from '../dist/ebpf/program.js';
import { verifyProgram } from '../dist/ebpf/verifier/verify.js';

let WINDOW_MS = 200;
let REPS = 3;

/** Best rate of `units` per call over REPS windows of CPU time. */
function rate(fn, units) {
  // Warm up for a second of wall time: V8 takes a while to optimise large generated functions.
  const warm = process.hrtime.bigint();
  do fn();
  while (process.hrtime.bigint() - warm < 1_000_000_000n);
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

/**
 * Rows of { name, unit, interp, jit }: M insns/s for the loops and the large program, ns per
 * call for the 2-instruction program. `windowMs` and `reps` set each measurement's windows.
 */
export function engineFigures({ windowMs = 200, reps = 3 } = {}) {
  WINDOW_MS = windowMs;
  REPS = reps;
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
    rows.push({ name: name, unit: 'M insns/s', interp: interp / 1e6, jit: jit / 1e6 });
  }

  {
    const p = prepare(bigProgram());
    run(p.prog, p.m, ctx, out);
    const insns = out.insns;
    // Before V8 optimises the generated code: the first 100 ms of CPU time from cold.
    const cold = (engine) => {
      const c0 = process.cpuUsage();
      let calls = 0;
      let c;
      do {
        engine();
        calls++;
        c = process.cpuUsage(c0);
      } while (c.user + c.system < 100_000);
      return (calls * insns) / ((c.user + c.system) / 1e6);
    };
    const coldJit = prepare(bigProgram());
    rows.push({ name: `${p.slots}-instruction program, first 100 ms from cold`, unit: 'M insns/s', interp: cold(() => run(coldJit.prog, coldJit.m, ctx, out)) / 1e6, jit: cold(() => coldJit.jit.run(ctx, out)) / 1e6 });
    const interp = rate(() => run(p.prog, p.m, ctx, out), insns);
    const jit = rate(() => p.jit.run(ctx, out), insns);
    rows.push({ name: `${p.slots}-instruction program (JIT: ${p.layouts[0].functions} functions)`, unit: 'M insns/s', interp: interp / 1e6, jit: jit / 1e6 });
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
    rows.push({ name: '2-instruction program', unit: 'ns/call', interp: 1e9 / interp, jit: 1e9 / jit });
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of engineFigures()) console.log(`${r.name.padEnd(60)} ${r.unit.padEnd(10)} interp ${r.interp.toFixed(1).padStart(8)}  JIT ${r.jit.toFixed(1).padStart(8)}`);
}
