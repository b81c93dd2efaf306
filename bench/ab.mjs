// A/B of two builds on one program: `node bench/ab.mjs OTHER_ROOT 'program' [jit|interp]` loads
// the program's probes (not BEGIN/END) through each tree's own dist/ (compiler, verifier,
// maps, engine) onto a machine of its own and runs them per synthetic event, the two builds
// taking turns for 40 windows in this one process; prints the best ns per event of each.
// On a shared machine two separate runs differ by ±20%; turns in one process see the same
// load. OTHER_ROOT is a checkout of another version with its dist/ built (for instance
// `git worktree add /tmp/old HEAD~3 && (cd /tmp/old && npm ci && npx tsc -p .)`); the
// current tree is this file's. Events cycle CPUs 0-3 and 16 tids; every probe reads the
// same 128-byte context (args.ret = 3000 at offset 16). Not a test; nothing asserts a time.

import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [other, text, engineName = 'jit'] = process.argv.slice(2);
if (other === undefined || text === undefined) {
  console.error("usage: node bench/ab.mjs OTHER_ROOT 'program' [jit|interp]");
  process.exit(2);
}

let cur = 0;
const COMM = new Uint8Array(16);
COMM.set([110, 103, 105, 110, 120]); // "nginx", NUL-padded
/** The KernelHost of both builds: the current synthetic event's values. */
class Host {
  cpu() { return cur & 3; }
  ncpus() { return 4; }
  tid() { return 100 + (cur & 15); }
  tgid() { return 100 + (cur & 15); }
  uid() { return 0; }
  gid() { return 0; }
  comm(dst, off) { dst.set(COMM, off); }
  ktimeNs() { return cur * 1000; }
  bootNs() { return cur * 1000; }
  taiNs() { return cur * 1000; }
  jiffies() { return cur; }
  prandomU32() { return 4; }
}

/** One build's probes loaded on a machine of their own, and a timing loop compiled for them. */
async function lane(root) {
  const imp = (p) => import(path.join(root, 'dist', p));
  const { SourceFile } = await imp('diag/source.js');
  const { runPipeline } = await imp('pipeline.js');
  const { Machine } = await imp('ebpf/machine.js');
  const { createMaps } = await imp('runtime/loader.js');
  const { verifyProgram } = await imp('ebpf/verifier/verify.js');
  const { helperTable } = await imp('ebpf/helpers/helper-table.js');
  const { newRunResult } = await imp('ebpf/interpreter.js');
  const engine = engineName === 'jit'
    ? (await imp('ebpf/jit/engine.js')).jitEngine
    : (await imp('runtime/interp-engine.js')).interpreterEngine;
  const r = runPipeline({ source: new SourceFile('ab', text), positional: [], named: new Map(), unsafe: false, ncpus: 4 });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  const compiled = r.products.compiled;
  const m = new Machine(new Host());
  createMaps(compiled, m, 4);
  const specs = [undefined, ...compiled.maps.map((d) => d.spec)];
  const ctx = new Uint8Array(128);
  new DataView(ctx.buffer).setInt32(16, 3000, true);
  const progs = compiled.programs.filter((p) => p.special === undefined).map((p) => {
    const v = verifyProgram(p.insns, { progType: p.progType, maps: specs, ctxSize: p.ctxSize, nrCpuIds: 4 });
    return engine.load(p.insns, m, { helpers: helperTable, analysis: v.analysis, name: p.name });
  });
  // Its own loop (new Function): the two lanes share no call site's type feedback.
  const timer = new Function('N', 'setCur', 'out', 'progs', 'ctx', `return function () {
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      setCur(i);
      for (let j = 0; j < progs.length; j++) {
        const r = progs[j].run(ctx, out);
        if (r.fault !== undefined) throw new Error(r.faultMessage);
      }
    }
    const c = process.cpuUsage(c0);
    return ((c.user + c.system) * 1000) / N;
  }`)(200_000, (i) => { cur = i; }, newRunResult(), progs, ctx);
  return timer;
}

const lanes = [await lane(path.resolve(other)), await lane(here)];
const best = [Infinity, Infinity];
for (let round = 0; round < 40; round++) lanes.forEach((l, i) => { best[i] = Math.min(best[i], l()); });
console.log(`${engineName}: ${best[0].toFixed(1)} ns/event (${other}) -> ${best[1].toFixed(1)} ns/event (this tree)  ${text}`);
