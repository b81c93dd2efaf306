// The same event stream for the pipeline and its hand-written baseline: the synthetic world
// runs once with recorders on a workload's probes, keeping each firing's context record and
// the current task's state (pid, tid, uid, gid, cpu, comm, ktime); a ReplayWorld then plays
// that recording to anything attached to it, as the world would (one reusable context buffer
// per probe, the current task set before each handler), and is itself the KernelHost the
// programs read. runProgram (src/runtime/run.ts) takes it as its world, so the replay
// measures the runtime's own per-event path; a baseline is played the same recording by a
// driver of the same shape. Not: the workloads or their baselines (bench/workloads.mjs).

import { createWorld } from '../../dist/world/world.js';
import { loadBundledWorkload } from '../../dist/world/workload-files.js';
import { cpuNow, wallNow } from './timing.mjs';

const key = (t) => JSON.stringify(t);

/**
 * Runs a fresh world (seed, workload) with recorders on `targets` until `maxEvents` firings
 * (of all targets together) or `maxVirtualNs`. Records (the attachment's size: what a
 * program may read) are padded to whole 32-bit words.
 */
export function record({ seed = 1, cpus = 4, workload = 'webserver', targets, maxEvents = 500_000, maxVirtualNs = 600e9 }) {
  const wl = loadBundledWorkload(workload);
  if (typeof wl === 'string') throw new Error(wl);
  const w = createWorld({ seed, cpus, workload: wl });
  const probes = targets.map((t) => ({ target: t, key: key(t), words: 0 }));
  let cap = 1 << 16;
  let n = 0;
  let probe = new Uint8Array(cap);
  let tid = new Int32Array(cap);
  let tgid = new Int32Array(cap);
  let uid = new Int32Array(cap);
  let gid = new Int32Array(cap);
  let cpu = new Int32Array(cap);
  let ktime = new Float64Array(cap);
  let comm = new Int32Array(cap * 4);
  let ctxWords = [];
  const commBytes = new Uint8Array(16);
  const commWords = new Int32Array(commBytes.buffer);
  const grow = () => {
    const g = (a, k = 1) => {
      const b = new a.constructor(cap * 2 * k);
      b.set(a);
      return b;
    };
    probe = g(probe); tid = g(tid); tgid = g(tgid); uid = g(uid); gid = g(gid); cpu = g(cpu); ktime = g(ktime); comm = g(comm, 4);
    cap *= 2;
  };
  // Each probe's records back to back (the record a program may read: the buffer has room
  // for __data_loc strings after it), grown by doubling.
  const stores = probes.map(() => ({ bytes: new Uint8Array(1 << 16), used: 0 }));
  probes.forEach((p, i) => {
    const store = stores[i];
    const a = w.attach(p.target, (bytes) => {
      if (n >= maxEvents) return void w.stop();
      if (n === cap) grow();
      const size = p.words * 4;
      if (store.used + size > store.bytes.length) {
        const b = new Uint8Array(store.bytes.length * 2);
        b.set(store.bytes);
        store.bytes = b;
      }
      for (let k = 0; k < size && k < bytes.length; k++) store.bytes[store.used + k] = bytes[k];
      store.used += size;
      probe[n] = i;
      tid[n] = w.tid();
      tgid[n] = w.tgid();
      uid[n] = w.uid();
      gid[n] = w.gid();
      cpu[n] = w.cpu();
      ktime[n] = w.ktimeNs();
      w.comm(commBytes, 0);
      comm.set(commWords, n * 4);
      n++;
    });
    if ('error' in a) throw new Error(`cannot record ${p.key}: ${a.error}`);
    p.words = (a.size + 3) >> 2;
  });
  const slice = 1e9;
  while (n < maxEvents && w.now < maxVirtualNs) w.runUntil(w.now + slice);
  // Each probe's records, back to back, as 32-bit words; recOff[i] is event i's first word.
  ctxWords = stores.map((st) => new Int32Array(st.bytes.buffer, 0, st.used >> 2).slice());
  const recOff = new Int32Array(n);
  const seen = new Int32Array(probes.length);
  for (let e = 0; e < n; e++) {
    const p = probe[e];
    recOff[e] = seen[p]++ * probes[p].words;
  }
  return {
    workload, seed, cpus, events: n, virtualNs: w.now,
    probes: probes.map((p, i) => ({ key: p.key, target: p.target, words: p.words, count: seen[i] })),
    probe: probe.subarray(0, n), recOff, ctxWords,
    tid: tid.subarray(0, n), tgid: tgid.subarray(0, n), uid: uid.subarray(0, n), gid: gid.subarray(0, n),
    cpu: cpu.subarray(0, n), ktime: ktime.subarray(0, n), comm: comm.subarray(0, n * 4),
  };
}

/**
 * A replay loop compiled on its own (new Function): each driver has its own type feedback,
 * so the pipeline's handler and a baseline's do not make one shared call site polymorphic.
 * It copies event e's record into its probe's context buffer (unrolled: the record sizes
 * are known), makes e current, and calls the probe's handler with (bytes, view), as the
 * world does.
 */
export function makeDriver(rec) {
  const perProbe = rec.probes.map((p, i) => {
    const copy = Array.from({ length: p.words }, (_, k) => `d${i}[${k}] = s${i}[o + ${k}];`).join(' ');
    return `{ const o = recOff[e]; ${copy} state.cur = e; h${i}(b${i}, v${i}); }`;
  });
  const body = perProbe.length === 1 ? perProbe[0] : perProbe.map((c, i) => `if (p === ${i}) ${c}`).join(' else ');
  const locals = rec.probes.map((_, i) => `const d${i} = ctx32[${i}], s${i} = rec.ctxWords[${i}], h${i} = handlers[${i}], b${i} = bytes[${i}], v${i} = views[${i}];`).join('\n');
  return new Function('rec', 'state', 'ctx32', 'handlers', 'bytes', 'views', `
    const probe = rec.probe, recOff = rec.recOff, n = rec.events;
    ${locals}
    for (let e = 0; e < n; e++) {
      const p = probe[e];
      ${body}
    }
    return n;
  `);
}

/** One reusable context buffer per recorded probe, as the world keeps one per attachment. */
export function contextBuffers(rec) {
  const bytes = rec.probes.map((p) => new Uint8Array(p.words * 4));
  return {
    bytes,
    views: bytes.map((b) => new DataView(b.buffer)),
    ctx32: bytes.map((b) => new Int32Array(b.buffer)),
  };
}

/**
 * Plays `rec` to whatever the runtime attaches, and is the KernelHost meanwhile. The first
 * runUntil plays the whole recording `rounds` times (after `warmup` untimed passes), keeps
 * the best pass's CPU and wall time in `best`, and ends virtual time at the recording's end.
 * Companions (addCompanion: handlers per recorded probe) are played the same passes
 * right after each of the attached handlers' passes, each by its own loop, their best in
 * `companionBest[name]`: measured side by side, they see the same load on a shared machine.
 */
export class ReplayWorld {
  constructor(rec, { rounds = 5, warmup = 2 } = {}) {
    this.rec = rec;
    this.rounds = rounds;
    this.warmup = warmup;
    this.companions = [];
    this.companionBest = {};
    this.cur = 0;
    this.now = 0;
    this.stopped = false;
    this.best = undefined;
    this.played = 0;
    const bufs = contextBuffers(rec);
    this.bytes = bufs.bytes;
    this.views = bufs.views;
    this.ctx32 = bufs.ctx32;
    this.handlers = rec.probes.map(() => () => undefined);
    this.attached = rec.probes.map(() => false);
    this.driver = makeDriver(rec);
    // The comm of each event as the 16 bytes the helper copies (one array per event would be
    // 10^6 objects; one per distinct (tid, comm) is what a world keeps per task).
    this.commOf = [];
    this.commIdx = new Int32Array(rec.events);
    const seen = new Map();
    for (let e = 0; e < rec.events; e++) {
      const w = rec.comm.subarray(e * 4, e * 4 + 4);
      const k = `${rec.tid[e]}:${w.join(',')}`;
      let i = seen.get(k);
      if (i === undefined) {
        i = this.commOf.length;
        seen.set(k, i);
        this.commOf.push(new Uint8Array(new Int32Array(w).buffer));
      }
      this.commIdx[e] = i;
    }
    this.commWords = new Int32Array(this.commOf.length * 4);
    this.commOf.forEach((b, i) => this.commWords.set(new Int32Array(b.buffer), i * 4));
    this.commDst = null;
    this.commDst32 = new Int32Array(0);
  }

  addCompanion(name, handlers) {
    this.companions.push({ name, handlers, driver: makeDriver(this.rec) });
  }

  attach(target, handler) {
    const i = this.rec.probes.findIndex((p) => p.key === key(target));
    if (i < 0) return { error: `the recording has no ${key(target)}` };
    this.handlers[i] = handler;
    this.attached[i] = true;
    return { bytes: this.bytes[i], view: this.views[i], size: this.bytes[i].length, detach: () => undefined };
  }

  runUntil(until) {
    this.stopped = false;
    if (this.best === undefined) {
      const lanes = [{ name: '', driver: this.driver, handlers: this.handlers }, ...this.companions];
      const pass = (lane) => lane.driver(this.rec, this, this.ctx32, lane.handlers, this.bytes, this.views);
      for (let i = 0; i < this.warmup; i++) lanes.forEach(pass);
      const best = {};
      for (let r = 0; r < this.rounds; r++) {
        for (const lane of lanes) {
          const c0 = cpuNow();
          const w0 = wallNow();
          this.played += pass(lane);
          const cpu = (cpuNow() - c0) / this.rec.events;
          const wall = (wallNow() - w0) / this.rec.events;
          if (best[lane.name] === undefined || cpu < best[lane.name].cpuNs) best[lane.name] = { cpuNs: cpu, wallNs: wall };
        }
      }
      this.best = best[''];
      for (const c of this.companions) this.companionBest[c.name] = best[c.name];
    }
    this.now = Math.max(until, this.rec.virtualNs);
    return this.now;
  }

  stop() {
    this.stopped = true;
  }
  nextEventTime() {
    return Infinity;
  }

  // ── KernelHost: the recorded task state of the current event ──
  cpu() {
    return this.rec.cpu[this.cur];
  }
  ncpus() {
    return this.rec.cpus;
  }
  tid() {
    return this.rec.tid[this.cur];
  }
  tgid() {
    return this.rec.tgid[this.cur];
  }
  uid() {
    return this.rec.uid[this.cur];
  }
  gid() {
    return this.rec.gid[this.cur];
  }
  /**
   * As cheap as a world can make it: four 32-bit stores from a per-task table through a
   * cached Int32Array view of the destination (a program's stack), bytes for unaligned ones.
   */
  comm(dst, off) {
    const w = this.commIdx[this.cur] * 4;
    if (dst === this.commDst ? (off & 3) === 0 : this.viewComm(dst, off)) {
      const d = this.commDst32;
      const i = off >> 2;
      const c = this.commWords;
      d[i] = c[w];
      d[i + 1] = c[w + 1];
      d[i + 2] = c[w + 2];
      d[i + 3] = c[w + 3];
      return;
    }
    dst.set(this.commOf[this.commIdx[this.cur]], off);
  }
  /** Caches an Int32Array view of dst when dst and off allow aligned word stores. */
  viewComm(dst, off) {
    if ((off & 3) !== 0 || (dst.byteOffset & 3) !== 0) return false;
    this.commDst = dst;
    this.commDst32 = new Int32Array(dst.buffer, dst.byteOffset, dst.byteLength >> 2);
    return true;
  }
  ktimeNs() {
    return this.rec.ktime[this.cur];
  }
  bootNs() {
    return this.rec.ktime[this.cur];
  }
  taiNs() {
    return this.rec.ktime[this.cur];
  }
  realtimeNs() {
    return this.rec.ktime[this.cur];
  }
  jiffies() {
    return Math.floor(this.rec.ktime[this.cur] / 4e6);
  }
  currentTask() {
    return 0n;
  }
  cgroupId() {
    return 1n;
  }
  numaNode() {
    return 0;
  }
  prandomU32() {
    return 4;
  }
  funcIp() {
    return 0n;
  }
  sendSignal() {
    return -1;
  }
  readUser(_a, dst, off, len) {
    dst.fill(0, off, off + len);
    return -14;
  }
  readUserStr(_a, dst, off, len) {
    if (len > 0) dst.fill(0, off, off + len);
    return -14;
  }
  readKernel(_a, dst, off, len) {
    dst.fill(0, off, off + len);
    return -14;
  }
  readKernelStr(_a, dst, off, len) {
    if (len > 0) dst.fill(0, off, off + len);
    return -14;
  }
  kernelStack() {
    return [];
  }
  userStack() {
    return [];
  }
  kernelSymbolAddress() {
    return undefined;
  }
}
