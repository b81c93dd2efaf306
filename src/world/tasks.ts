// Every task (thread) of the synthetic kernel as parallel typed arrays indexed by a slot, so
// the run loop touches numbers, never objects. Slots 0..ncpus-1 are the idle tasks
// (swapper/N, pid 0). In: nothing. Out: the table and slot allocation. Not the scheduler:
// who runs where is decided in sched.ts; process-wide state (fds, memory) lives in Proc.

import { mix32 } from './prng.js';

export const ST_FREE = 0;
/** On a CPU. */
export const ST_RUNNING = 1;
/** Waiting in a run queue. */
export const ST_RUNNABLE = 2;
/** Blocked in a syscall or kernel work until a timer or another task wakes it. */
export const ST_SLEEPING = 3;
/** Exited, not yet reaped by its parent. */
export const ST_ZOMBIE = 4;
/** Reaped; the slot is freed when sched_process_free has fired. */
export const ST_DEAD = 5;

/** What a running task's CPU does next (cpu mode). */
export const PH_USER = 0;
/** In a syscall between sys_enter and sys_exit. */
export const PH_KERNEL = 1;
/** A child returning from fork: its first step is clone's sys_exit with ret 0. */
export const PH_FORKED = 2;
/** A kernel thread doing kernel work (no syscalls). */
export const PH_KWORK = 3;

export class TaskTable {
  cap = 0;
  tid = new Int32Array(0);
  tgid = new Int32Array(0);
  /** Slot of the thread-group leader. */
  leader = new Int32Array(0);
  state = new Uint8Array(0);
  phase = new Uint8Array(0);
  /** CPU it runs or last ran on. */
  cpu = new Int32Array(0);
  prio = new Int32Array(0);
  /** Current op index (the syscall it is in or about to make). */
  op = new Int32Array(0);
  /** Syscall number in progress (-1 when none). */
  nr = new Int32Array(0);
  /** Syscall arguments, 6 per slot, as signed safe integers (bit patterns via two's complement). */
  args = new Float64Array(0);
  ret = new Float64Array(0);
  /** Time the current syscall entered; time user think ends. */
  enterAt = new Float64Array(0);
  thinkEnd = new Float64Array(0);
  /** Start of the current on-CPU stint, for sched_stat_runtime and slices. */
  runStart = new Float64Array(0);
  sumExec = new Float64Array(0);
  startTime = new Float64Array(0);
  /** Wake generation: a timer carrying an older generation is stale. */
  gen = new Int32Array(0);
  /** Blocked until (for timeouts) and why (prev_state). */
  blockState = new Uint8Array(0);
  /** Futex word it waits on (-1 none) and next waiter in that word's list. */
  futexWord = new Int32Array(0);
  futexNext = new Int32Array(0);
  /** Thread's fd stack (fds it created, newest last). */
  fdStack = new Int32Array(0);
  fdDepth = new Uint8Array(0);
  /** Fatal signal pending (0 none). */
  pendingSig = new Uint8Array(0);
  /** Counts: voluntary / involuntary switches, migrations. */
  nvcsw = new Float64Array(0);
  nivcsw = new Float64Array(0);
  /** Comm, 16 bytes per slot. */
  comm = new Uint8Array(0);
  /** Index into World.procs of the process this task belongs to. */
  proc = new Int32Array(0);
  /** Thread stack top (user address) and its backing bytes. */
  stackTop = new Float64Array(0);
  stacks: (Uint8Array | null)[] = [];
  stackViews: (DataView | null)[] = [];
  /** Per-op scratch: block I/O request in flight, child slot being waited for, etc. */
  aux = new Int32Array(0);
  /**
   * Each task's own sfc32 state (4 words per slot): everything a task decides for itself
   * (which op next, sizes, latencies, think times) comes from its own stream, so a task's
   * syscalls do not depend on how other tasks' events interleave with them.
   */
  rng = new Int32Array(0);
  /** The 30-bit draw of the syscall in progress: every value of the call derives from it. */
  r1 = new Int32Array(0);
  /** Generation of the slot itself: task_struct addresses are reused, pids are not. */
  private free: number[] = [];
  used = 0;

  static readonly FD_STACK = 8;

  constructor(cap: number) {
    this.grow(cap);
  }

  alloc(): number {
    const s = this.free.length > 0 ? this.free.pop()! : this.used++;
    if (s >= this.cap) this.grow(this.cap * 2);
    return s;
  }

  release(s: number): void {
    this.state[s] = ST_FREE;
    this.free.push(s);
  }

  /** Starts slot s's stream for a task of the given seed and tid (same inputs, same stream). */
  seedRng(s: number, seed: number, tid: number, salt: number): void {
    const k = s << 2;
    const r = this.rng;
    r[k] = mix32((seed >>> 0) ^ 0x243f6a88) | 0;
    r[k + 1] = mix32(((seed / 0x1_0000_0000) >>> 0) ^ mix32(tid)) | 0;
    r[k + 2] = mix32(salt ^ 0x13198a2e) | 0;
    r[k + 3] = 1;
    for (let i = 0; i < 12; i++) this.draw(s);
  }

  /** Next 30-bit draw of slot s's stream (sfc32, as prng.ts, on the slot's words). */
  draw(s: number): number {
    const r = this.rng;
    const k = s << 2;
    const a = r[k]!;
    const b = r[k + 1]!;
    const c = r[k + 2]!;
    const d = r[k + 3]!;
    const t = (((a + b) | 0) + d) | 0;
    r[k + 3] = (d + 1) | 0;
    r[k] = b ^ (b >>> 9);
    r[k + 1] = (c + (c << 3)) | 0;
    r[k + 2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 2;
  }

  setComm(s: number, text: string): void {
    const b = new TextEncoder().encode(text);
    const o = s * 16;
    this.comm.fill(0, o, o + 16);
    this.comm.set(b.subarray(0, 15), o);
  }

  commText(s: number): string {
    const o = s * 16;
    let e = o;
    while (e < o + 16 && this.comm[e] !== 0) e++;
    return new TextDecoder().decode(this.comm.subarray(o, e));
  }

  private grow(cap: number): void {
    const g = <T extends Int32Array | Float64Array | Uint8Array>(old: T, per = 1): T => {
      const n = new (old.constructor as { new (n: number): T })(cap * per);
      n.set(old);
      return n;
    };
    this.tid = g(this.tid);
    this.tgid = g(this.tgid);
    this.leader = g(this.leader);
    this.state = g(this.state);
    this.phase = g(this.phase);
    this.cpu = g(this.cpu);
    this.prio = g(this.prio);
    this.op = g(this.op);
    this.nr = g(this.nr);
    this.args = g(this.args, 6);
    this.ret = g(this.ret);
    this.enterAt = g(this.enterAt);
    this.thinkEnd = g(this.thinkEnd);
    this.runStart = g(this.runStart);
    this.sumExec = g(this.sumExec);
    this.startTime = g(this.startTime);
    this.gen = g(this.gen);
    this.blockState = g(this.blockState);
    this.futexWord = g(this.futexWord);
    this.futexNext = g(this.futexNext);
    this.fdStack = g(this.fdStack, TaskTable.FD_STACK);
    this.fdDepth = g(this.fdDepth);
    this.pendingSig = g(this.pendingSig);
    this.nvcsw = g(this.nvcsw);
    this.nivcsw = g(this.nivcsw);
    this.comm = g(this.comm, 16);
    this.proc = g(this.proc);
    this.stackTop = g(this.stackTop);
    this.aux = g(this.aux);
    this.rng = g(this.rng, 4);
    this.r1 = g(this.r1);
    for (let i = this.cap; i < cap; i++) {
      this.stacks.push(null);
      this.stackViews.push(null);
    }
    this.cap = cap;
  }
}
