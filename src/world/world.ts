// The synthetic kernel: a seeded, deterministic simulation of a Linux machine (tasks, CPUs, a
// scheduler, a workload issuing syscalls with consistent arguments, block I/O, signals) that
// fires the probes the runtime attaches, with context records laid out as Linux lays them
// out. In: WorldOptions (seed, cpus, workload). Out: a World — attach(), runUntil(), the
// KernelHost helpers call while a handler runs, symbol lookup. Not the eBPF machine, not the
// runtime's pacing or output.
//
// How it runs fast. Events happen in time order, one at a time: advance() picks the CPU with
// the earliest next event and runs it while it stays before the horizon (the next event of
// any other CPU or timer), so whatever a handler observes — the current task, its memory,
// kernel objects, fd tables — is the state at that event, and events from different CPUs
// reach probes in time order. Syscalls without blocking, spawning or block I/O ("plain"
// calls: reads, writes, opens, closes, accepts, stats… most of every workload) run in one
// loop, plainRun(), entry, exit and the next call back to back with every value derived
// from the call's one draw of the task's own random stream; everything else goes through the
// general sysEnter/sysExit (the two give the same stream: tests compare them). Each task draws
// from its own stream, so its calls do not depend on how other tasks interleave with it.
// Distributions and next-op choices are branch-free table lookups; records are written with
// their fixed header words set once per site; nothing is allocated per event.
//
// Why not generate batches ahead and fire them later: measured here, the world's cost is the
// per-event work (several hundred machine instructions of state and scheduling per syscall in
// V8), not the generation of values (sampling every distribution as a constant changes nothing
// measurable); producing a CPU's events ahead of the others would show handlers future state
// (fd tables, user structs, kernel objects), would deliver events out of time order across
// CPUs, and would break bpf_override_return/send_signal, which change the call in progress —
// for at most the per-event dispatch it could save. bench/world.md has the figures.

import { InternalError } from '../diag/diagnostic.js';
import type { KernelHost } from '../ebpf/host.js';
import * as bindCatalogModule from './bind-catalog.js';
import type { WorldCatalog } from './catalog-view.js';
import { type ClockOffsets } from './clock.js';
import * as clockModule from './clock.js';
import { Dist } from './distributions.js';
import { type KPath } from './kernel-paths.js';
import * as kernelPathsModule from './kernel-paths.js';
import { KernelMemory } from './kernel-memory.js';
import * as kernelMemoryModule from './kernel-memory.js';
import * as linuxConstantsModule from './linux-constants.js';
import { Site, type AttachTarget, type Attachment, type ProbeHandler } from './probes.js';
import * as probesModule from './probes.js';
import { Proc } from './proc.js';
import * as procModule from './proc.js';
import { Sfc32 } from './prng.js';
import * as prngModule from './prng.js';
import { KernelSymbols, SymbolTable, type Symbolized } from './symbols.js';
import * as symbolsModule from './symbols.js';
import * as syscallRecipesModule from './syscall-recipes.js';
import { TaskTable } from './tasks.js';
import * as tasksModule from './tasks.js';
import { TimerHeap } from './timer-heap.js';
import { BioTable } from './block-requests.js';
import * as blockRequestsModule from './block-requests.js';
import * as tracepointsModule from './tracepoints.js';
import { RAW_ARGS_BYTES, rawArgPlan, readRecordField, type RawArgPlan } from './raw-tracepoints.js';
import { Dentries, FileTable, KernelStrings, SocketTable } from './vfs.js';
import * as vfsModule from './vfs.js';
import { CompiledOp, type CompiledFd, type CompiledWorkload, type WorkloadJson } from './workload.js';
import * as workloadModule from './workload.js';
import * as workloadFilesModule from './workload-files.js';

// Imported constants and functions are copied into module constants: V8 reads an imported
// binding through its module cell with a TDZ check on every use, while a module-level const is
// folded into the optimised code (measured: 2× on a loop of constant comparisons).
const { catalogView } = bindCatalogModule;
const { boottimeAt, clockOffsets, jiffiesAt, monotonicAt, realtimeAt, taiAt } = clockModule;
const { KA, KERNEL_PATHS, pathFunctionNames, wrapperPath } = kernelPathsModule;
const {
  kernelAddressHi, K_BIO, K_CRED, K_DENTRY, K_FILE, K_FILENAME, K_INODE, K_KSTACK, K_MISC, K_PTREGS,
  K_REQUEST, K_SKB, K_SOCK, K_SOCKET: K_SOCKOBJ, K_TASK, MISC_BDEV, MISC_IDMAP, MISC_NET, MISC_USERNS,
} = kernelMemoryModule;
const {
  AT_FDCWD, ERRNO, FATAL_SIGNALS, TCP_CLOSE, TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_SYN_RECV, TCP_SYN_SENT,
} = linuxConstantsModule;
const {
  PERF_ADDR, PERF_EVENT_DATA_SIZE, PERF_SAMPLE_PERIOD, PT_ARG_OFFSETS, PT_REGS, PT_REGS_SIZE, put64,
} = probesModule;
const {
  EFAULT, STACK_BYTES, STK_ARGS, STK_ARGV, STK_ENVP, STK_IOV, STK_SCRATCH, STK_SOCKADDR, STK_SOCKLEN,
  STK_TIMESPEC,
} = procModule;
const { DRAW_RANGE, mix30, mix32 } = prngModule;
const { KERNEL_FRAME_NAMES, LIBC_PATH, LIBC_SYMBOLS, LIBC_WRAPPER, frameOffset } = symbolsModule;
const {
  K_GENERIC, K_PATH, A_ADDR, A_ARGV, A_BUF, A_COUNT, A_ENVP, A_FD, A_FD2, A_FUTEX,
  A_HEAP, A_IOV, A_PATH, A_PATH2, A_PID, A_POS, A_PROFILE, A_SIG, A_SOCKADDR,
  A_SOCKLENP, A_STACK, A_TIMEOUT_MS, A_TIMESPEC, K_ACCEPT, K_CLONE, K_CLOSE, K_CONNECT, K_DUP,
  K_EXECVE, K_EXIT, K_FDOP, K_FUTEX, K_KILL, K_MMAP, K_OPEN, K_PIPE, K_READ, K_SENDFILE, K_SETID, K_SLEEP,
  K_SOCKET, K_SYNC, K_WAIT, K_WAITEV, K_WRITE,
} = syscallRecipesModule;
const {
  PH_FORKED, PH_KERNEL, PH_KWORK, PH_USER, ST_DEAD, ST_RUNNABLE, ST_RUNNING, ST_SLEEPING, ST_ZOMBIE,
} = tasksModule;
const {
  EMITTED, EMITTED_INDEX, RQ_BYTES, RQ_CMD, RQ_COMM, RQ_DEV, RQ_ERROR, RQ_IOPRIO, RQ_NR_SECTOR, RQ_RWBS,
  RQ_SECTOR, TP_BIO_QUEUE, TP_EXEC, TP_EXIT, TP_FORK, TP_FREE, TP_GETRQ, TP_IO_DONE, TP_IO_START, TP_MIGRATE,
  TP_NEWTASK, TP_PREPARE_EXEC, TP_RECV_LEN, TP_RENAME, TP_RQ_COMPLETE, TP_RQ_INSERT, TP_RQ_ISSUE,
  TP_SEND_LEN, TP_SIG_DELIVER, TP_SIG_GENERATE, TP_SOCK_STATE, TP_STAT_RUNTIME, TP_SWITCH, TP_TCP_DESTROY,
  TP_WAIT, TP_WAKE_IDLE, TP_WAKEUP, TP_WAKEUP_NEW, TP_WAKING, TP_WB_START, TP_WB_WRITTEN, TP_WQ_END, TP_WQ_START,
} = tracepointsModule;
const { F_EPOLL, F_EVENTFD, F_FILE, F_PIPE, F_SOCKET, F_TTY, F_UNIX } = vfsModule;
const {
  FD_FIXED, FD_NAMED, FD_NONE, FD_POP, FD_TOP, FD_UNDER, KW_JOURNAL, KW_WRITEBACK, TARGET_CHILD,
  TARGET_PARENT, TARGET_RANDOM, TARGET_SELF, compileWorkload,
} = workloadModule;
const { loadBundledWorkload } = workloadFilesModule;
const { RWBS_TEXT, RWBS_R, RWBS_RA, RWBS_W, RWBS_WS, RWBS_FLUSH } = blockRequestsModule;

/** Where the writeback work_struct sits in a device's gendisk block (past the gendisk's own fields). */
const WB_WORK_OFFSET = 0x800;
/** Infinity as a module constant: a global `Infinity` read on a path V8 has not seen yet compiles to a
 * generic global load whose tagged result boxes every time it meets (measured: one heap number per call). */
const INF = Infinity;

export interface WorldOptions {
  /** Seed of everything random in the world (default 1). */
  readonly seed?: number;
  /** Virtual CPUs (default 4). */
  readonly cpus?: number;
  /** A bundled profile name ('mixed', 'webserver', 'database', 'build'), a parsed profile, or a compiled one. */
  readonly workload?: string | WorkloadJson | CompiledWorkload;
  readonly catalog?: WorldCatalog;
  /**
   * false: every syscall goes through the general entry and exit instead of the plain-call
   * loop (World.plainRun). The stream is the same either way; tests compare the two.
   */
  readonly fastPath?: boolean;
}

// ── timing constants (ns) ──────────────────────────────────────────────────────────────
/** Scheduler tick (HZ 250): the longest stretch of user time between scheduling checks. */
const TICK_NS = 4_000_000;
/** Minimum run time before a waiting task preempts the current one (EEVDF base slice). */
const SLICE_NS = 750_000;
/** From being picked to running its next instruction (context switch + return from schedule). */
const SWITCH_NS = 1_800;
/** Delay from exit to sched_process_free (RCU grace period). */
const RCU_NS = 12_000_000;
/** A zombie nobody waits for is reaped by its parent's SIGCHLD handler after this long. */
const REAP_NS = 3_000_000;
/** Initial tasks start within this window. */
const STAGGER_NS = 2_000_000;

// Slots of World.hot.
const H_NOW = 0;
const H_HORIZON = 1;
const H_ARGCOUNT = 2;
const H_ARGSLEEP = 3;
const H_OUTBLOCK = 4;

// Timer kinds.
const T_WAKE = 1;
const T_BIO_DONE = 2;
const T_SITE = 3;
const T_FREE = 4;
const T_REAP = 5;
const T_LOADAVG = 6;
/** The kernel recomputes load averages every LOAD_FREQ = 5 s + 1 tick. */
const LOAD_FREQ_NS = 5_004_000_000;
/** FIXED_1 and the 1/5/15-minute decay factors of kernel/sched/loadavg.c. */
const FIXED_1 = 2048;
const LOAD_EXP = [1884, 2014, 2037];

/** sched_switch prev_state for a preempted task (TASK_REPORT_MAX: printed "R+"). */
const PREEMPTED = 0x100;
const STATE_ZOMBIE = 0x20;
/** TASK_IDLE reports as "I". */
const STATE_IDLE = 0x80;

// Stack contexts for kernelStack()/userStack().
const KS_NONE = 0;
const KS_SYSCALL = 1;
const KS_SYS_ENTER = 2;
const KS_SYS_EXIT = 3;
const KS_SWITCH_SYSCALL = 4;
const KS_SWITCH_IDLE = 5;
const KS_SWITCH_PREEMPT = 6;
const KS_IDLE = 7;
const KS_IRQ_BLOCK = 8;
const KS_KWORK = 9;
const KS_SWITCH_KWORK = 10;
const KS_TIMER = 11;
const KS_FORK_CHILD = 12;
const KS_WAKEUP = 13;
const KS_EXIT = 14;
const KS_SWITCH_EXIT = 15;
/** A profile sample of a task inside a syscall: its path's spine, no frame at +0. */
const KS_PROFILE = 16;

interface KfnSites {
  entry: Site | null;
  ret: Site | null;
  fentry: Site | null;
  fexit: Site | null;
  nargs: number;
}

/** Per syscall number: the kernel paths by file kind, resolved once. */
interface NrInfo {
  readonly name: string;
  readonly event: string | null;
  readonly base: KPath;
  readonly file: KPath | null;
  readonly sock: KPath | null;
  readonly tty: KPath | null;
  readonly pipe: KPath | null;
  readonly wake: KPath | null;
}


export class World implements KernelHost {
  readonly seed: number;
  readonly ncpu: number;
  readonly wl: CompiledWorkload;
  readonly cat: WorldCatalog;
  readonly clocks: ClockOffsets;
  private readonly rng: Sfc32;
  private readonly prand: Sfc32;

  /**
   * Hot numbers that are not small integers live in a Float64Array: a double in an object
   * field is a boxed HeapNumber in V8 and may be reallocated on every store.
   */
  private readonly hot = new Float64Array(8);

  /** Virtual time, ns since the world started. */
  get now(): number {
    return this.hot[H_NOW]!;
  }
  set now(v: number) {
    this.hot[H_NOW] = v;
  }
  /** Probe firings delivered to handlers. */
  events = 0;
  /** Syscalls entered (for tests and -v). */
  syscalls = 0;

  readonly t: TaskTable;
  readonly procs: (Proc | null)[] = [];
  private readonly procFree: number[] = [];
  readonly files = new FileTable(256);
  readonly socks = new SocketTable(64);
  readonly kstr = new KernelStrings();
  readonly dents: Dentries;
  /** Dentry of each workload string id used as a path (-1 unresolved). */
  private readonly dentOfString: Int32Array;
  readonly kmem: KernelMemory;

  readonly cpuCur: Int32Array;
  readonly cpuNext: Float64Array;
  /** An idle CPU's task-to-be: woken, switching in after the wakeup latency (-1 none). */
  private readonly cpuPending: Int32Array;
  private readonly rq: Int32Array;
  private readonly rqHead: Int32Array;
  readonly rqLen: Int32Array;
  private static readonly RQ_CAP = 1024;
  private readonly timers = new TimerHeap();
  private nextPid = 0;
  /** Live (or zombie) thread by tid, for kill targets. */
  private readonly byTid = new Map<number, number>();
  /** The task slot of bpftrace's own process (tracerTask), once asked for; -1 before. */
  private tracerSlot = -1;
  /** Every process that ever lived: tgid → its image, for usym after it is gone. */
  private readonly images = new Map<number, { program: number; exeBase: number; libcBase: number; kernel: boolean }>();
  private readonly cgroupIds = new Map<string, number>();
  private readonly cgroupPaths = new Map<number, string>();
  /** What user heap buffers hold, made on the first read of one (most runs never read them). */
  get heapContent(): Uint8Array {
    return (this.heapBytes ??= makeHeapContent(this.seed));
  }
  private heapBytes: Uint8Array | null = null;
  readonly ksyms: KernelSymbols;
  readonly progSyms: SymbolTable[];
  readonly libcSyms: SymbolTable;
  private readonly ops: readonly CompiledOp[];
  /**
   * 1 for ops the plain-call loop runs (World.plainRun): no side effects beyond file positions,
   * socket counters and fd tables, never blocking, no capability check, no block I/O, no spawn.
   */
  private plainOp = new Uint8Array(0);
  /** Synthetic per-program execve op (what a forked child runs first) and the exit(127) op. */
  private readonly execOp: number[] = [];
  private exit127 = 0;
  private readonly bios = new BioTable(16);
  private readonly nrInfo: (NrInfo | null)[] = [];
  private readonly nrEvent: (string | null)[] = [];

  // ── attached sites ──
  rawEnter: Site | null = null;
  rawExit: Site | null = null;
  private readonly sysEnterSites: (Site | null)[] = [];
  private readonly sysExitSites: (Site | null)[] = [];
  /** Tracepoints of EMITTED, by TP_* index. */
  private readonly tps: (Site | null)[] = EMITTED.map(() => null);
  private readonly otherTps = new Map<string, Site>();
  private readonly kfn = new Map<string, KfnSites>();
  /** Per syscall nr: 1 when some function of its paths has a k(ret)probe/fentry/fexit. */
  private readonly nrProbed = new Uint8Array(1024);
  /** Non-syscall kernel functions with attached sites (schedule, finish_task_switch…). */
  private kfnAny = false;
  private readonly timerSites: Site[] = [];
  private readonly swCounters: { event: string; site: Site }[] = [];
  private swSwitch: Site[] = [];
  private swMigrate: Site[] = [];
  private swFaults: Site[] = [];

  // ── the current event, as KernelHost reports it ──
  curCpu = 0;
  curTask = 0;
  private ksKind = KS_NONE;
  private ksArg = 0;
  private ksArg2 = 0;
  private curFuncIp = 0n;
  private readonly stackCache = new Map<number, readonly bigint[]>();
  private readonly ustackCache = new Map<number, readonly bigint[]>();
  private readonly taskAddrCache: bigint[] = [];
  /** Per-thread named fds (a connection thread's socket), by task slot. */
  private readonly threadFds: (Int32Array | undefined)[] = [];

  constructor(opts: WorldOptions = {}) {
    this.seed = opts.seed ?? 1;
    this.ncpu = Math.max(1, Math.min(256, opts.cpus ?? 4));
    this.cat = opts.catalog ?? catalogView();
    this.wl = resolveWorkload(opts.workload ?? 'mixed', this.cat);
    this.clocks = clockOffsets(this.seed);
    this.rng = new Sfc32(this.seed, 1);
    this.prand = new Sfc32(this.seed, 2);
    // The world's own list: the synthetic exec/exit ops it adds must not reach a shared workload.
    this.ops = [...this.wl.ops];
    this.t = new TaskTable(Math.max(64, this.ncpu * 2));
    this.cpuCur = new Int32Array(this.ncpu);
    this.cpuNext = new Float64Array(this.ncpu).fill(INF);
    this.cpuPending = new Int32Array(this.ncpu).fill(-1);
    this.rq = new Int32Array(this.ncpu * World.RQ_CAP);
    this.rqHead = new Int32Array(this.ncpu);
    this.rqLen = new Int32Array(this.ncpu);
    this.dents = new Dentries(this.kstr, this.seed);
    this.dentOfString = new Int32Array(this.wl.strings.length).fill(-1);
    this.ttyString = new Uint8Array(this.wl.strings.length);
    for (const [id, text] of this.wl.stringText) if (text.startsWith('/dev/pts') || text === '/dev/tty') this.ttyString[id] = 1;

    const kernelNames = new Set<string>([...KERNEL_FRAME_NAMES, ...pathFunctionNames()]);
    for (const s of this.cat.syscalls) if (s.event) kernelNames.add(`__x64_sys_${s.event}`);
    for (const f of this.cat.kernelFunctionNames?.() ?? []) kernelNames.add(f);
    for (const f of ['schedule', 'finish_task_switch', 'wake_up_new_task', 'do_exit', 'blk_account_io_start', 'blk_account_io_done', 'blk_mq_start_request', 'blk_mq_end_request', 'submit_bio', 'tcp_set_state', 'cap_capable', 'security_file_open', 'kmem_cache_alloc_noprof', 'kmem_cache_free', '__kmalloc_noprof', 'kfree']) kernelNames.add(f);
    this.ksyms = new KernelSymbols(kernelNames, this.seed);
    this.progSyms = this.wl.programs.map((p, i) => new SymbolTable(['_start', 'main', ...p.symbols], 0x1000, this.seed ^ mix32(i + 77)));
    this.libcSyms = new SymbolTable(LIBC_SYMBOLS, 0x28000, this.seed ^ 0x11bc);
    this.kmem = new KernelMemory(this);

    this.buildNrInfo();
    this.buildSyntheticOps();
    this.plainOp = new Uint8Array(this.ops.length);
    for (const op of this.ops) {
      op.prepareArgs();
      this.plainOp[op.index] = Number(
        op.nr >= 0 &&
        PLAIN_KINDS.has(op.kind) &&
        op.limit === 0 &&
        op.block === null &&
        op.ioBelow === 0 &&
        op.cap < 0 &&
        op.faults === 0 &&
        op.sleep === null &&
        opts.fastPath !== false,
      );
      op.exitFx = EXIT_FX_KINDS.has(op.kind);
      op.pathArg = Math.max(0, op.argSrc.indexOf(A_PATH));
      op.argShape = argShape(op);
    }
    this.boot();
  }

  // ═══════════════════════════ public API ═══════════════════════════════════════════

  /**
   * Attaches a handler to a probe. Returns the attachment (its context buffer and size) or an
   * error message for a target the world does not know (a catalogue miss is the checker's
   * job; this is a last line of defence).
   */
  attach(target: AttachTarget, handler: ProbeHandler): Attachment | { readonly error: string } {
    if (target.kind === 'rawtracepoint') return this.attachRaw(target.event, handler);
    const site = this.siteFor(target);
    if (typeof site === 'string') return { error: site };
    site.add(handler);
    this.refreshProbeFlags();
    if (site.timer >= 0 && site.nh === 1) this.startTimerSite(site);
    return {
      bytes: site.bytes,
      view: site.view,
      size: site.size,
      detach: () => {
        site.remove(handler);
        this.refreshProbeFlags();
      },
    };
  }

  /** Runs the simulation until virtual time `until` (ns since start). Returns the new time. */
  runUntil(until: number): number {
    this.stopped = false;
    // The loop body is a method of its own: V8 optimises a method called many times right
    // away, while a long loop in a function called once would wait for on-stack replacement.
    while (!this.stopped && this.advance(until));
    if (!this.stopped && this.now < until) this.now = until;
    return this.now;
  }

  /**
   * Runs the earliest pending timer, or the earliest CPU for as long as it stays earliest;
   * false when nothing is due by `until`.
   */
  private advance(until: number): boolean {
    const cpuNext = this.cpuNext;
    const n = this.ncpu;
    const tt = this.timers.topTime();
    let c = 0;
    let best = cpuNext[0]!;
    let second = INF;
    for (let i = 1; i < n; i++) {
      const v = cpuNext[i]!;
      if (v < best) {
        second = best;
        best = v;
        c = i;
      } else if (v < second) second = v;
    }
    if (tt <= best) {
      if (tt > until) return false;
      this.now = tt;
      this.runTimer();
      return true;
    }
    if (best > until) return false;
    // Run CPU c while it stays strictly earliest (timers win ties, lower CPUs win ties).
    let horizon = tt < second ? tt : second;
    if (horizon > until) horizon = until + 1;
    this.horizon = horizon;
    const t = this.t;
    do {
      // stepCpu, inlined: this loop is the world's hottest.
      const now = cpuNext[c]!;
      this.now = now;
      const s = this.cpuCur[c]!;
      const ph = t.phase[s]!;
      if (s < n) this.idleWake(c);
      else if (ph === PH_USER) {
        if (now < t.thinkEnd[s]!) this.tick(c, s);
        else {
          const op = this.ops[t.op[s]!]!;
          if (this.plainOp[op.index] === 1 && t.pendingSig[s] === 0 && this.nrProbed[op.nr] === 0) this.plainRun(c, s, false);
          else this.sysEnter(c, s);
        }
      } else if (ph === PH_KERNEL) {
        const op = this.ops[t.op[s]!]!;
        if (this.plainOp[op.index] === 1 && this.overridden[s] === 0 && this.nrProbed[op.nr] === 0) this.plainRun(c, s, true);
        else this.sysExit(c, s);
      } else if (ph === PH_FORKED) this.forkReturn(c, s);
      else this.kworkStep(c, s);
    } while (cpuNext[c]! < this.horizon);
    return true;
  }

  /** Runs until the next event (one CPU step or one timer); returns false when nothing is pending. */
  step(): boolean {
    const tt = this.timers.topTime();
    let c = 0;
    for (let i = 1; i < this.ncpu; i++) if (this.cpuNext[i]! < this.cpuNext[c]!) c = i;
    const best = this.cpuNext[c]!;
    if (tt === INF && best === INF) return false;
    this.horizon = -INF;
    if (tt <= best) {
      this.now = tt;
      this.runTimer();
    } else {
      this.now = best;
      this.stepCpu(c);
    }
    return true;
  }

  /** Stops runUntil after the current event (a handler may call it, e.g. for exit()). */
  stop(): void {
    this.stopped = true;
    this.horizon = -INF;
  }

  /** Virtual time of the next pending event (for --realtime pacing), or Infinity. */
  nextEventTime(): number {
    let m = this.timers.topTime();
    for (let i = 0; i < this.ncpu; i++) if (this.cpuNext[i]! < m) m = this.cpuNext[i]!;
    return m;
  }

  private stopped = false;
  /** A CPU's run of steps ends when its time reaches this (lowered by anything that makes an earlier event). */
  private get horizon(): number {
    return this.hot[H_HORIZON]!;
  }
  private set horizon(v: number) {
    this.hot[H_HORIZON] = v;
  }

  // ── symbols ──

  symbolizeKernel(addr: bigint): Symbolized | undefined {
    return this.ksyms.symbolize(addr);
  }

  kernelSymbolAddress(name: string): bigint | undefined {
    return this.ksyms.address(name);
  }

  /** The function containing a user address of process `tgid` (alive or exited). */
  symbolizeUser(tgid: number, addr: bigint): Symbolized | undefined {
    const img = this.images.get(tgid);
    if (!img || img.kernel) return undefined;
    const a = Number(addr);
    const prog = this.wl.programs[img.program]!;
    const inExe = this.progSyms[img.program]!.find(a - img.exeBase);
    if (inExe >= 0) {
      const tab = this.progSyms[img.program]!;
      return { name: tab.names[inExe]!, offset: a - img.exeBase - tab.starts[inExe]!, module: prog.exeText };
    }
    const inLibc = this.libcSyms.find(a - img.libcBase);
    if (inLibc >= 0) return { name: this.libcSyms.names[inLibc]!, offset: a - img.libcBase - this.libcSyms.starts[inLibc]!, module: LIBC_PATH };
    return undefined;
  }

  /** uaddr(): a symbol's address in a binary, as bpftrace resolves it for the traced binary. */
  userSymbolAddress(binary: string, name: string): bigint | undefined {
    const p = this.wl.programs.findIndex((x) => x.exeText === binary);
    if (p >= 0) {
      const off = this.progSyms[p]!.offsetOf(name);
      // Before a process maps it, a binary's symbols sit at their link-time address.
      return off === undefined ? undefined : BigInt(0x400000 + off);
    }
    if (binary === LIBC_PATH) {
      const off = this.libcSyms.offsetOf(name);
      return off === undefined ? undefined : BigInt(off);
    }
    return undefined;
  }

  cgroupPath(id: bigint | number): string | undefined {
    return this.cgroupPaths.get(Number(id));
  }

  /** The user name of a uid as this machine's /etc/passwd has it (bpftrace's `username`). */
  userName(uid: number): string | undefined {
    return this.wl.users.get(uid);
  }

  /**
   * bpf_d_path: the absolute path of a struct path (f_path, the arg of vfs_open…) at a kernel
   * address, or undefined when the address is not one.
   */
  dPath(pathAddr: bigint): string | undefined {
    const b = new Uint8Array(16);
    if (this.kmem.read(pathAddr, b, 0, 16) < 0) return undefined;
    const dentryAddr = new DataView(b.buffer).getBigUint64(8, true);
    const d = this.kmem.dentryIndex(dentryAddr);
    if (d < 0) return undefined;
    const parts: string[] = [];
    for (let i = d, guard = 0; i !== this.dents.parent[i] && guard < 64; i = this.dents.parent[i]!, guard++) parts.push(this.kstrText(this.dents.name[i]!));
    return '/' + parts.reverse().join('/');
  }

  private kstrText(off: number): string {
    let e = off;
    const b = this.kstr.bytes;
    while (b[e] !== 0) e++;
    return new TextDecoder().decode(b.subarray(off, e));
  }

  /**
   * bpf_override_return from a kprobe on a syscall's path: the call returns rc and does none of
   * its work. Returns false outside such a probe (the helper then fails, as on Linux for a
   * function not on the error-injection list).
   */
  overrideReturn(rc: number): boolean {
    if (this.ksKind !== KS_SYSCALL || this.curFuncIp === 0n) return false;
    const s = this.curTask;
    this.t.ret[s] = rc;
    this.overridden[s] = 1;
    return true;
  }

  /** Per task: the current syscall's return was overridden by a probe. */
  private overridden = new Uint8Array(64);

  /** Live processes (tests, listings): tgid, comm, ppid. */
  processes(): { tgid: number; ppid: number; comm: string; uid: number; kernel: boolean; threads: number }[] {
    const out: { tgid: number; ppid: number; comm: string; uid: number; kernel: boolean; threads: number }[] = [];
    for (const p of this.procs) {
      if (!p || p.exited) continue;
      out.push({ tgid: p.tgid, ppid: this.ppidOf(p), comm: this.t.commText(p.leader), uid: p.uid, kernel: p.kernel, threads: p.threads.length });
    }
    return out;
  }

  /** avenrun[i] (FIXED_1 = 2048 fixed point), i = 0, 1, 2 for 1, 5, 15 minutes. */
  loadAvg(i: number): number {
    return this.avenrun[i]!;
  }

  private readonly avenrun = new Float64Array(3);

  /** calc_global_load: active = running + runnable + uninterruptible, decayed into avenrun. */
  private calcLoad(): void {
    const t = this.t;
    let active = 0;
    for (let c = 0; c < this.ncpu; c++) active += this.rqLen[c]! + (this.cpuCur[c] === c ? 0 : 1);
    for (let s = this.ncpu; s < t.used; s++) if (t.state[s] === ST_SLEEPING && t.blockState[s] === 2) active++;
    const a = active * FIXED_1;
    for (let i = 0; i < 3; i++) {
      const load = this.avenrun[i]! * LOAD_EXP[i]! + a * (FIXED_1 - LOAD_EXP[i]!);
      this.avenrun[i] = Math.floor((load + (a >= this.avenrun[i]! ? FIXED_1 - 1 : 0)) / FIXED_1);
    }
  }

  /** The machine's host name (uname -n). */
  get hostname(): string {
    return this.wl.name === 'mixed' ? 'tracehost' : `${this.wl.name}-01`;
  }

  // ── state the kernel-memory views read ──

  /** Working directory dentry of process index i. */
  cwdDentry(i: number): number {
    const p = this.procs[i];
    if (!p || p.kernel) return 0;
    return p.uid === 0 ? this.cwdRoot : p.uid >= 1000 ? this.cwdUser : 0;
  }

  private cwdRoot = 0;
  private cwdUser = 0;

  /** User instruction pointer saved at syscall entry (in the libc wrapper) or in user code. */
  userIp(s: number): number {
    const st = this.ustackFor(s);
    return st.length > 0 ? Number(st[0]!) : 0;
  }

  /** The user pointer of the path argument of the task's current op (0 when it has none). */
  taskPathArg(s: number): number {
    const op = this.ops[this.t.op[s]!];
    const i = op ? op.argSrc.indexOf(A_PATH) : -1;
    return i >= 0 ? this.t.args[s * 6 + i]! : 0;
  }

  taskPathText(s: number): string {
    const p = this.procs[this.t.proc[s]!];
    const a = this.taskPathArg(s);
    if (!p || a === 0) return '';
    return this.wl.stringText.get(a - p.rodataBase) ?? '';
  }

  bioInfo(i: number): { devIndex: number; opf: number; bytes: number; sector: number; start: number } | null {
    const b = this.bios;
    if (i < 0 || i >= b.cap || b.live[i] === 0) return null;
    return { devIndex: b.devIndex[i]!, opf: b.opf[i]!, bytes: b.bytes[i]!, sector: b.sector[i]!, start: b.start[i]! };
  }

  // ═══════════════════════════ KernelHost ═══════════════════════════════════════════

  cpu(): number {
    return this.curCpu;
  }
  ncpus(): number {
    return this.ncpu;
  }
  tid(): number {
    return this.t.tid[this.curTask]!;
  }
  tgid(): number {
    return this.t.tgid[this.curTask]!;
  }
  uid(): number {
    const p = this.procs[this.t.proc[this.curTask]!];
    return p ? p.uid : 0;
  }
  gid(): number {
    const p = this.procs[this.t.proc[this.curTask]!];
    return p ? p.gid : 0;
  }
  comm(dst: Uint8Array, off: number): void {
    // Hot (every @[comm] event): four 32-bit stores through cached views, no subarray per call.
    if (this.t.comm !== this.commSrc) {
      this.commSrc = this.t.comm;
      this.commSrc32 = new Int32Array(this.commSrc.buffer, this.commSrc.byteOffset, this.commSrc.byteLength >> 2);
    }
    if ((off & 3) === 0 && (dst === this.commDst || this.viewCommDst(dst)) && off + 16 <= this.commDst32.length * 4) {
      const d = this.commDst32;
      const c = this.commSrc32;
      const i = off >> 2;
      const w = this.curTask * 4;
      d[i] = c[w]!;
      d[i + 1] = c[w + 1]!;
      d[i + 2] = c[w + 2]!;
      d[i + 3] = c[w + 3]!;
      return;
    }
    const o = this.curTask * 16;
    for (let k = 0; k < 16; k++) dst[off + k] = this.commSrc[o + k]!;
  }
  private commSrc: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private commSrc32: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private commDst: Uint8Array | undefined;
  private commDst32: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** Caches a word view of a destination that allows aligned word stores (a program's stack). */
  private viewCommDst(dst: Uint8Array): boolean {
    if ((dst.byteOffset & 3) !== 0) return false;
    this.commDst = dst;
    this.commDst32 = new Int32Array(dst.buffer, dst.byteOffset, dst.byteLength >> 2);
    return true;
  }
  ktimeNs(): number {
    return monotonicAt(this.clocks, this.now);
  }
  bootNs(): number {
    return boottimeAt(this.clocks, this.now);
  }
  taiNs(): number {
    return taiAt(this.clocks, this.now);
  }
  realtimeNs(): number {
    return realtimeAt(this.clocks, this.now);
  }
  jiffies(): number {
    return jiffiesAt(this.clocks, this.now);
  }
  currentTask(): bigint {
    return this.taskAddress(this.curTask);
  }
  cgroupId(): bigint {
    const p = this.procs[this.t.proc[this.curTask]!];
    return BigInt(p ? p.cgroup : 1);
  }
  numaNode(): number {
    return 0;
  }
  prandomU32(): number {
    return this.prand.next();
  }
  funcIp(): bigint {
    return this.curFuncIp;
  }
  sendSignal(sig: number): number {
    if (sig < 0 || sig > 64) return -ERRNO['EINVAL']!;
    const s = this.curTask;
    if (s < this.ncpu) return -ERRNO['EPERM']!;
    const p = this.procs[this.t.proc[s]!];
    if (!p || p.kernel) return -ERRNO['EPERM']!;
    if (sig !== 0) this.postSignal(p.leader, sig, true);
    return 0;
  }

  readUser(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    if (addr < 0n || addr >= 0x800000000000n) return this.fail(dst, off, len);
    const m = this.userMapping(Number(addr), len);
    if (m < 0) return this.fail(dst, off, len);
    dst.set(this.mapBytes!.subarray(m, m + len), off);
    return 0;
  }

  readUserStr(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    if (len <= 0) return 0;
    if (addr < 0n || addr >= 0x800000000000n) return this.fail(dst, off, len);
    const m = this.userMapping(Number(addr), 1);
    if (m < 0) return this.fail(dst, off, len);
    return copyStr(this.mapBytes!, m, this.mapEnd, dst, off, len);
  }

  readKernel(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    return this.kmem.read(addr, dst, off, len) < 0 ? this.fail(dst, off, len) : 0;
  }

  readKernelStr(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    if (len <= 0) return 0;
    const rc = this.kmem.readStr(addr, dst, off, len);
    return rc < 0 ? this.fail(dst, off, len) : rc;
  }

  kernelStack(): readonly bigint[] {
    return this.kstackFor(this.ksKind, this.ksArg, this.ksArg2);
  }

  userStack(): readonly bigint[] {
    return this.ustackFor(this.curTask);
  }

  private fail(dst: Uint8Array, off: number, len: number): number {
    dst.fill(0, off, off + len);
    return EFAULT;
  }

  // ═══════════════════════════ boot ═════════════════════════════════════════════════

  private buildNrInfo(): void {
    for (const s of this.cat.syscalls) {
      const ev = s.event ?? null;
      this.nrEvent[s.nr] = ev;
      const named = (k: string): KPath | null => KERNEL_PATHS.get(k) ?? null;
      const base = named(s.name) ?? (ev ? named(ev) : null) ?? wrapperPath(ev ?? s.name);
      this.nrInfo[s.nr] = {
        name: s.name,
        event: ev,
        base,
        file: named(`${s.name}:file`),
        sock: named(`${s.name}:sock`),
        tty: named(`${s.name}:tty`),
        pipe: named(`${s.name}:pipe`),
        wake: named(`${s.name}:wake`),
      };
    }
  }

  /** A forked child first execs its program; a failed exec ends in exit_group(127). */
  private buildSyntheticOps(): void {
    const ops = this.ops as CompiledOp[];
    const execve = this.cat.syscalls.find((s) => s.name === 'execve')!;
    const exitGroup = this.cat.syscalls.find((s) => s.name === 'exit_group')!;
    const ex = new CompiledOp(ops.length, '__exit127', -1, 'exit_group');
    ex.nr = exitGroup.nr;
    ex.kind = K_EXIT;
    ex.nargs = 1;
    ex.argSrc[0] = A_PROFILE;
    ex.argConst[0] = 127;
    ex.setNext([ex.index], [1]);
    ops.push(ex);
    this.exit127 = ex.index;
    this.wl.programs.forEach((p, i) => {
      const op = new CompiledOp(ops.length, `__exec_${p.name}`, -1, 'execve');
      op.nr = execve.nr;
      op.kind = K_EXECVE;
      op.nargs = 3;
      op.argSrc.set([A_PATH, A_ARGV, A_ENVP]);
      op.paths = Int32Array.of(p.exe);
      op.program = i;
      op.lat = Dist.compile({ lognormal: { median: 250_000, p99: 900_000 } }, 'exec') as Dist;
      op.think = Dist.compile({ lognormal: { median: 60_000, p99: 400_000 } }, 'exec') as Dist;
      op.faults = 90;
      op.setNext([p.startOp], [1]);
      ops.push(op);
      this.execOp.push(op.index);
    });
  }

  private boot(): void {
    const t = this.t;
    const r = new Sfc32(this.seed, 3);
    // Every path the workload can name gets its dentry now, so that nothing a probe reads
    // creates kernel objects (which would shift the addresses and numbers of later ones).
    this.cwdRoot = this.dentOf('/root');
    this.cwdUser = this.dentOf('/home/user');
    this.dentOf('/dev/null');
    for (const op of this.ops) for (const id of [...op.paths, ...op.paths2]) this.dentOfId(id);
    for (const pr of this.wl.processes)
      for (const f of [...pr.fds, ...pr.threads.flatMap((th) => th.fds)]) if ((this.wl.stringText.get(f.path) ?? '').startsWith('/')) this.dentOfId(f.path);
    // Idle tasks: slots 0..ncpu-1.
    for (let c = 0; c < this.ncpu; c++) {
      const s = t.alloc();
      t.tid[s] = 0;
      t.tgid[s] = 0;
      t.leader[s] = s;
      t.state[s] = ST_RUNNING;
      t.cpu[s] = c;
      t.prio[s] = 120;
      t.proc[s] = -1;
      t.nr[s] = -1;
      t.setComm(s, `swapper/${c}`);
      this.cpuCur[c] = s;
    }
    this.cgroupIdOf('/');
    // Pids: fixed where the profile says, otherwise ascending with seeded gaps; threads follow their leader.
    let pid = 2;
    const procIndex: number[] = [];
    for (const spec of this.wl.processes) {
      let p: number;
      if (spec.pid > 0) p = spec.pid;
      else {
        pid += 1 + (spec.kernel ? r.below(4) : r.below(spec.uid === 0 ? 200 : 900));
        p = pid;
      }
      if (p > pid) pid = p;
      const parent = spec.parent >= 0 ? procIndex[spec.parent] ?? -1 : -1;
      const proc = this.newProc(p, spec.program, parent, spec.uid, spec.gid, this.cgroupIdOf(spec.cgroup), spec.kernel, r);
      procIndex.push(proc.index);
      proc.spawned = false;
      spec.threads.forEach((th, i) => {
        const tid = i === 0 ? p : ++pid + r.below(3);
        if (tid > pid) pid = tid;
        const s = this.newTask(proc, tid, th.comm, th.startOp, 120 + spec.nice);
        if (th.fds.length > 0) {
          const own = new Int32Array(this.wl.fdNames.length).fill(-1);
          for (const fd of th.fds) {
            this.installNamedFd(proc, fd);
            own[this.wl.fdNames.indexOf(fd.name)] = fd.fd;
          }
          this.threadFds[s] = own;
        }
        t.phase[s] = spec.kernel ? PH_KWORK : PH_USER;
        // Everyone starts asleep and wakes within the first milliseconds.
        t.state[s] = ST_SLEEPING;
        t.thinkEnd[s] = r.below(200_000);
        t.cpu[s] = r.below(this.ncpu);
        this.timers.push(r.below(STAGGER_NS), T_WAKE, s, t.gen[s]!);
      });
      for (const fd of spec.fds) this.installNamedFd(proc, fd);
      // Standard streams of user processes.
      if (!spec.kernel) this.installStdio(proc);
    }
    this.nextPid = pid + 1000 + r.below(20_000);
    // Load averages as the machine has been running: about one task per CPU busy, seeded.
    for (let i = 0; i < 3; i++) this.avenrun[i] = Math.floor(FIXED_1 * (0.2 + r.below(1000) / 1000) * (1 + 0.3 * i));
    this.timers.push(LOAD_FREQ_NS - r.below(LOAD_FREQ_NS), T_LOADAVG, 0, 0);
  }

  private cgroupIdOf(path: string): number {
    let id = this.cgroupIds.get(path);
    if (id === undefined) {
      id = path === '/' ? 1 : 2000 + this.cgroupIds.size * 97 + (mix32(this.seed ^ this.cgroupIds.size) % 64);
      this.cgroupIds.set(path, id);
      this.cgroupPaths.set(id, path);
    }
    return id;
  }

  private newProc(tgid: number, program: number, parent: number, uid: number, gid: number, cgroup: number, kernel: boolean, r: Sfc32): Proc {
    const idx = this.procFree.length > 0 ? this.procFree.pop()! : this.procs.length;
    const p = new Proc(idx, tgid, -1, program, parent, uid, gid, cgroup, kernel, this.wl.fdNames.length);
    this.procs[idx] = p;
    if (parent >= 0) this.procs[parent]!.liveChildren++;
    this.layoutImage(p, r);
    return p;
  }

  /** ASLR: a fresh image layout (process start and execve). */
  private layoutImage(p: Proc, r: Sfc32): void {
    if (p.kernel) {
      this.images.set(p.tgid, { program: p.program, exeBase: 0, libcBase: 0, kernel: true });
      return;
    }
    p.exeBase = 0x5500_0000_0000 + r.below(0x10000000) * 0x1000;
    p.rodataBase = p.exeBase + 0x20_0000;
    p.heapBase = p.exeBase + 0x100_0000 + r.below(0x1000) * 0x1000;
    p.heapEnd = p.heapBase + 0x21000;
    p.libcBase = 0x7f00_0000_0000 + r.below(0x8000000) * 0x1000;
    p.mmapNext = p.libcBase - 0x100_0000;
    this.images.set(p.tgid, { program: p.program, exeBase: p.exeBase, libcBase: p.libcBase, kernel: false });
  }

  private newTask(p: Proc, tid: number, comm: string, startOp: number, prio: number): number {
    const t = this.t;
    const s = t.alloc();
    t.tid[s] = tid;
    t.tgid[s] = p.tgid;
    if (p.leader < 0) p.leader = s;
    t.leader[s] = p.leader;
    t.proc[s] = p.index;
    t.prio[s] = prio;
    t.op[s] = startOp;
    t.nr[s] = -1;
    t.gen[s] = (t.gen[s]! + 1) | 0;
    t.fdDepth[s] = 0;
    t.pendingSig[s] = 0;
    t.futexWord[s] = -1;
    t.sumExec[s] = 0;
    t.nvcsw[s] = 0;
    t.nivcsw[s] = 0;
    t.startTime[s] = this.now;
    t.thinkEnd[s] = 0;
    t.setComm(s, comm);
    t.seedRng(s, this.seed, tid, 0);
    if (s >= this.overridden.length) {
      const n = new Uint8Array(t.cap);
      n.set(this.overridden);
      this.overridden = n;
    }
    p.threads.push(s);
    this.byTid.set(tid, s);
    if (!p.kernel) this.giveStack(p, s);
    return s;
  }

  /** A thread's stack: the main thread's near the top of user space, others below libc. */
  private giveStack(p: Proc, s: number): void {
    const t = this.t;
    const main = p.threads.length === 1;
    const top = main ? 0x7ffc_0000_0000 + (mix32(p.tgid ^ this.seed) % 0x3ffff) * 0x1000 : p.libcBase - 0x20_0000 - (p.threads.length - 1) * 0x80_1000;
    t.stackTop[s] = top;
    if (!t.stacks[s]) {
      const b = new Uint8Array(STACK_BYTES);
      t.stacks[s] = b;
      t.stackViews[s] = new DataView(b.buffer);
    } else t.stacks[s]!.fill(0);
    if (main) this.writeArgBlock(p, s);
  }

  /** argv and environment strings at the top of the main stack (mm->arg_start..env_end). */
  private writeArgBlock(p: Proc, s: number): void {
    const stack = this.t.stacks[s]!;
    const prog = this.wl.programs[p.program]!;
    const strings = this.wl.strings;
    let at = STACK_BYTES - STK_ARGS;
    const top = this.t.stackTop[s]!;
    p.argStart = top - STK_ARGS;
    const copy = (id: number): void => {
      let e = id;
      while (strings[e] !== 0) e++;
      const n = Math.min(e - id + 1, STACK_BYTES - at);
      stack.set(strings.subarray(id, id + n), at);
      at += n;
    };
    for (const a of prog.argv) copy(a);
    p.argEnd = top - (STACK_BYTES - at);
    for (const e of this.wl.env) if (at < STACK_BYTES - 128) copy(e);
    p.envEnd = top - (STACK_BYTES - at);
  }

  private installStdio(p: Proc): void {
    const tty = this.dentOf('/dev/null');
    for (let fd = 0; fd < 3; fd++) if (p.fdFile[fd] === -1) p.installFd(fd, this.files.alloc(F_TTY, tty, -1, fd === 0 ? 0 : 1));
  }

  private installNamedFd(p: Proc, spec: CompiledFd): void {
    const kindOf: Record<CompiledFd['type'], number> = { file: F_FILE, socket: F_SOCKET, listen: F_SOCKET, epoll: F_EPOLL, pipe: F_PIPE, tty: F_TTY, eventfd: F_EVENTFD, udp: F_SOCKET, unix: F_UNIX };
    const kind = kindOf[spec.type];
    let sock = -1;
    if (kind === F_SOCKET) {
      sock = this.socks.alloc(2, spec.type === 'udp' ? 2 : 1, spec.type === 'udp' ? 17 : 6);
      this.socks.saddr[sock] = spec.localIp || this.wl.ip;
      this.socks.sport[sock] = spec.localPort;
      this.socks.daddr[sock] = spec.remoteIp;
      this.socks.dport[sock] = spec.remotePort;
      this.socks.state[sock] = spec.type === 'listen' ? 10 : spec.type === 'udp' ? TCP_CLOSE : TCP_ESTABLISHED;
    }
    const path = this.wl.stringText.get(spec.path) ?? '';
    const dent = path.startsWith('/') ? this.dentOf(path) : -1;
    const f = this.files.alloc(kind, dent, sock, 2);
    if (p.fdFile[spec.fd] !== -1) this.files.put(p.fdFile[spec.fd]!);
    p.installFd(spec.fd, f);
    const idx = this.wl.fdNames.indexOf(spec.name);
    if (idx >= 0) p.named[idx] = spec.fd;
  }

  private dentOf(path: string): number {
    return this.dents.lookup(path);
  }

  /** 1 for the string ids that name terminals (/dev/pts/N, /dev/tty): opening them gives a tty file. */
  private readonly ttyString: Uint8Array;

  private dentOfId(id: number): number {
    let d = this.dentOfString[id]!;
    if (d < 0) {
      d = this.dents.lookup(this.wl.stringText.get(id) ?? '/');
      this.dentOfString[id] = d;
    }
    return d;
  }

  private ppidOf(p: Proc): number {
    if (p.parent < 0) return 0;
    const pp = this.procs[p.parent];
    return pp && !pp.exited ? pp.tgid : 1;
  }

  /**
   * bpftrace's own task, which BEGIN and END run in (their curtask): a process of the
   * tracer's pid and comm, a child of pid 1, asleep and never scheduled. Made on first use,
   * so that a world no BEGIN asked about keeps exactly its tasks. No user address space is
   * simulated for it, so its mm is NULL as a kernel thread's.
   */
  tracerTask(pid: number, comm: string): bigint {
    if (this.tracerSlot < 0) {
      const init = this.procs.findIndex((p) => p !== undefined && p !== null && p.tgid === 1);
      const proc = this.newProc(pid, 0, init, 0, 0, this.cgroupIdOf('/'), true, new Sfc32(this.seed, 0x7ace));
      const s = this.newTask(proc, pid, comm, 0, 120);
      this.t.state[s] = ST_SLEEPING;
      this.t.cpu[s] = 0;
      this.tracerSlot = s;
    }
    return this.taskAddress(this.tracerSlot);
  }

  taskAddress(s: number): bigint {
    let a = this.taskAddrCache[s];
    if (a === undefined) {
      a = (BigInt(kernelAddressHi(K_TASK) >>> 0) << 32n) | BigInt(this.kmem.lo(K_TASK, s));
      this.taskAddrCache[s] = a;
    }
    return a;
  }

  // ═══════════════════════════ timers ═══════════════════════════════════════════════

  /** Queues a future event; a CPU running ahead of it stops its run there. */
  private pushTimer(time: number, kind: number, a: number, b: number): void {
    this.timers.push(time, kind, a, b);
    if (time < this.horizon) this.horizon = time;
  }

  private runTimer(): void {
    const h = this.timers;
    const slot = h.pop();
    const kind = h.kind[slot]!;
    const a = h.a[slot]!;
    const b = h.b[slot]!;
    switch (kind) {
      case T_WAKE: {
        const t = this.t;
        if (t.gen[a] !== b || t.state[a] !== ST_SLEEPING) return;
        this.wake(a, t.cpu[a]!, false);
        return;
      }
      case T_BIO_DONE:
        this.completeBio(a);
        return;
      case T_SITE:
        this.fireTimerSite(a, b);
        return;
      case T_FREE:
        this.freeTask(a, b);
        return;
      case T_LOADAVG:
        this.calcLoad();
        this.pushTimer(this.now + LOAD_FREQ_NS, T_LOADAVG, 0, 0);
        return;
      case T_REAP: {
        const t = this.t;
        if (t.gen[a] !== b || t.state[a] !== ST_ZOMBIE) return;
        const p = this.procs[t.proc[a]!];
        const parent = p && p.parent >= 0 ? this.procs[p.parent] : null;
        if (parent) {
          const i = parent.zombies.indexOf(a);
          if (i >= 0) parent.zombies.splice(i, 1);
        }
        this.reap(a);
        return;
      }
    }
  }

  // ═══════════════════════════ scheduler ════════════════════════════════════════════

  private stepCpu(c: number): void {
    const s = this.cpuCur[c]!;
    const t = this.t;
    if (s < this.ncpu) {
      this.idleWake(c);
      return;
    }
    switch (t.phase[s]) {
      case PH_USER:
        if (this.now < t.thinkEnd[s]!) {
          this.tick(c, s);
          return;
        }
        this.sysEnter(c, s);
        return;
      case PH_KERNEL:
        this.sysExit(c, s);
        return;
      case PH_FORKED:
        this.forkReturn(c, s);
        return;
      case PH_KWORK:
        this.kworkStep(c, s);
        return;
    }
  }

  /** A scheduler tick in the middle of user time: account, maybe preempt, keep running. */
  private tick(c: number, s: number): void {
    const t = this.t;
    if (this.rqLen[c]! > 0 && this.now - t.runStart[s]! >= SLICE_NS) {
      this.preempt(c, s);
      return;
    }
    const site = this.tps[TP_STAT_RUNTIME]!;
    if (site !== null) {
      this.ctx(c, s, KS_TIMER, 0);
      this.emitStatRuntime(site, s, this.now - t.runStart[s]!);
    }
    const end = t.thinkEnd[s]!;
    this.cpuNext[c] = end < this.now + TICK_NS ? end : this.now + TICK_NS;
  }

  private preempt(c: number, s: number): void {
    const t = this.t;
    t.nivcsw[s]++;
    t.state[s] = ST_RUNNABLE;
    this.enqueue(c, s);
    this.switchOut(c, s, PREEMPTED, KS_SWITCH_PREEMPT);
  }

  /** After a step that leaves the task running: preempt it if someone waits long enough. */
  private continueOrPreempt(c: number, s: number, next: number): void {
    if (this.rqLen[c]! > 0 && this.now - this.t.runStart[s]! >= SLICE_NS) {
      this.preempt(c, s);
      return;
    }
    this.cpuNext[c] = next;
  }

  private enqueue(c: number, s: number): void {
    const cap = World.RQ_CAP;
    if (this.rqLen[c]! >= cap) throw new Error('world: run queue overflow');
    this.rq[c * cap + ((this.rqHead[c]! + this.rqLen[c]!) % cap)] = s;
    this.rqLen[c]!++;
  }

  private dequeue(c: number): number {
    const cap = World.RQ_CAP;
    const s = this.rq[c * cap + this.rqHead[c]!]!;
    this.rqHead[c] = (this.rqHead[c]! + 1) % cap;
    this.rqLen[c]!--;
    return s;
  }

  /**
   * The current task of CPU c leaves it (blocked, preempted, dead); the next runnable task (or
   * one stolen from the busiest CPU, or the idle task) takes over.
   */
  private switchOut(c: number, prev: number, prevState: number, ks: number, forced = -1): void {
    const t = this.t;
    let next: number;
    if (forced >= 0) next = forced;
    else if (this.rqLen[c]! > 0) next = this.dequeue(c);
    else {
      next = c;
      let busiest = -1;
      for (let i = 0; i < this.ncpu; i++) if (this.rqLen[i]! > 0 && (busiest < 0 || this.rqLen[i]! > this.rqLen[busiest]!)) busiest = i;
      if (busiest >= 0) {
        next = this.dequeue(busiest);
        this.migrate(next, busiest, c, c, prev);
      }
    }
    if (t.phase[prev] === PH_USER && prev >= this.ncpu) t.thinkEnd[prev] = t.thinkEnd[prev]! - this.now;
    const ran = this.now - t.runStart[prev]!;
    t.sumExec[prev] += ran;
    if (prev >= this.ncpu) {
      const rt = this.tps[TP_STAT_RUNTIME]!;
      if (rt !== null) {
        this.ctx(c, prev, ks, t.nr[prev]!);
        this.emitStatRuntime(rt, prev, ran);
      }
    }
    this.ctx(c, prev, ks, ks === KS_SWITCH_KWORK ? kthreadLoop(t.comm, prev) : t.nr[prev]!);
    this.ksArg2 = prev;
    if (this.kfnAny) this.fireKfnEntry('schedule', null);
    const sw = this.tps[TP_SWITCH]!;
    if (sw !== null) {
      sw.begin(0x01, 0, t.tid[prev]!);
      sw.str(0, t.comm, prev * 16, 16);
      sw.int(1, t.tid[prev]!);
      sw.int(2, t.prio[prev]!);
      sw.int(3, prevState);
      sw.str(4, t.comm, next * 16, 16);
      sw.int(5, t.tid[next]!);
      sw.int(6, t.prio[next]!);
      this.fire(sw);
    }
    if (this.swSwitch.length) this.countSoftware(this.swSwitch, 1);
    this.switchIn(c, prev, next);
  }

  private switchIn(c: number, prev: number, next: number): void {
    const t = this.t;
    this.cpuCur[c] = next;
    t.state[next] = ST_RUNNING;
    t.cpu[next] = c;
    t.runStart[next] = this.now;
    if (next < this.ncpu) {
      this.cpuNext[c] = INF;
      return;
    }
    if (this.kfnAny) {
      this.ctx(c, next, KS_WAKEUP, 0);
      this.fireKfnEntry('finish_task_switch', this.taskAddress(prev));
    }
    let at: number;
    switch (t.phase[next]) {
      case PH_USER: {
        const end = t.thinkEnd[next]! + this.now + SWITCH_NS;
        t.thinkEnd[next] = end;
        at = end < this.now + TICK_NS ? end : this.now + TICK_NS;
        break;
      }
      case PH_FORKED:
        at = this.now + 15_000;
        break;
      default:
        at = this.now + SWITCH_NS;
    }
    this.cpuNext[c] = at;
    if (at < this.horizon) this.horizon = at;
  }

  private migrate(s: number, from: number, to: number, wakerCpu: number, wakerTask: number): void {
    const site = this.tps[TP_MIGRATE]!;
    if (site !== null) {
      this.ctx(wakerCpu, wakerTask, KS_WAKEUP, 0);
      const t = this.t;
      site.begin(0x01, 2, t.tid[wakerTask]!);
      site.str(0, t.comm, s * 16, 16);
      site.int(1, t.tid[s]!);
      site.int(2, t.prio[s]!);
      site.int(3, from);
      site.int(4, to);
      this.fire(site);
    }
    if (this.swMigrate.length) {
      this.ctx(to, s, KS_WAKEUP, 0);
      this.countSoftware(this.swMigrate, 1);
    }
    this.t.cpu[s] = to;
  }

  /** Blocks the current task s of CPU c (in a syscall or kernel work) until wakeAt (Infinity: until woken). */
  private block(c: number, s: number, wakeAt: number, state: number): void {
    const t = this.t;
    t.state[s] = ST_SLEEPING;
    t.blockState[s] = state;
    t.gen[s] = (t.gen[s]! + 1) | 0;
    t.nvcsw[s]++;
    if (wakeAt !== INF) this.pushTimer(wakeAt, T_WAKE, s, t.gen[s]!);
    this.switchOut(c, s, state, t.phase[s] === PH_KWORK ? KS_SWITCH_KWORK : KS_SWITCH_SYSCALL);
  }

  /** Wakes a sleeping task; wakerCpu is where the wakeup runs (its current task is the context). */
  private wake(s: number, wakerCpu: number, isNew: boolean): void {
    const t = this.t;
    const waker = this.cpuCur[wakerCpu]!;
    t.gen[s] = (t.gen[s]! + 1) | 0;
    t.state[s] = ST_RUNNABLE;
    if (t.futexWord[s]! >= 0) {
      // A futex wait that ends by timeout or signal leaves the word's waiter list.
      const p = this.procs[t.proc[s]!];
      if (p) this.unlinkFutex(p, t.futexWord[s]!, s);
      t.futexWord[s] = -1;
    }
    const last = t.cpu[s]!;
    let target = last;
    const cur = this.cpuCur;
    const pending = this.cpuPending;
    if (cur[last] !== last || pending[last]! >= 0) {
      // The first idle CPU after the last one, if any (cpuIdle, inlined).
      const n = this.ncpu;
      for (let k = 1, c = last + 1; k < n; k++, c++) {
        if (c === n) c = 0;
        if (cur[c] === c && pending[c]! < 0) {
          target = c;
          break;
        }
      }
    }
    if (!isNew) {
      const w = this.tps[TP_WAKING]!;
      if (w !== null) {
        this.ctx(wakerCpu, waker, KS_WAKEUP, 0);
        this.emitWake(w, s, target, waker);
      }
      if (target !== last) this.migrate(s, last, target, wakerCpu, waker);
    } else t.cpu[s] = target;
    const site = this.tps[isNew ? TP_WAKEUP_NEW : TP_WAKEUP]!;
    if (site !== null) {
      this.ctx(wakerCpu, waker, KS_WAKEUP, 0);
      this.emitWake(site, s, target, waker);
    }
    t.cpu[s] = target;
    if (this.cpuIdle(target)) {
      if (target !== wakerCpu) {
        const wi = this.tps[TP_WAKE_IDLE]!;
        if (wi !== null) {
          this.ctx(wakerCpu, waker, KS_WAKEUP, 0);
          wi.begin(0x01, 2, t.tid[waker]!);
          wi.int(0, target);
          this.fire(wi);
        }
      }
      // The idle CPU leaves its idle loop and switches the task in a few microseconds later
      // (longer when the waker is another CPU: an IPI, and a deeper idle state to leave).
      this.cpuPending[target] = s;
      const at = this.now + (target === wakerCpu ? 1_500 : 3_000) + (mix30(t.gen[s]! ^ (s << 8)) % 6_000);
      this.cpuNext[target] = at;
      if (at < this.horizon) this.horizon = at;
    } else {
      this.enqueue(target, s);
    }
  }

  /** Idle and not about to switch a woken task in. */
  private cpuIdle(c: number): boolean {
    return this.cpuCur[c] === c && this.cpuPending[c] < 0;
  }

  /** An idle CPU switches in the task woken for it (or, if that task died meanwhile, whatever is queued). */
  private idleWake(c: number): void {
    const s = this.cpuPending[c]!;
    this.cpuPending[c] = -1;
    if (s >= 0 && this.t.state[s] === ST_RUNNABLE) this.switchOut(c, c, 0, KS_SWITCH_IDLE, s);
    else if (this.rqLen[c]! > 0) this.switchOut(c, c, 0, KS_SWITCH_IDLE);
    else this.cpuNext[c] = INF;
  }

  private emitWake(site: Site, s: number, target: number, waker: number): void {
    const t = this.t;
    site.begin(0x01, 2, t.tid[waker]!);
    site.str(0, t.comm, s * 16, 16);
    site.int(1, t.tid[s]!);
    site.int(2, t.prio[s]!);
    site.int(3, target);
    this.fire(site);
  }

  private emitStatRuntime(site: Site, s: number, ran: number): void {
    const t = this.t;
    site.begin(0x01, 1, t.tid[s]!);
    site.str(0, t.comm, s * 16, 16);
    site.int(1, t.tid[s]!);
    site.int(2, Math.max(0, Math.floor(ran)));
    this.fire(site);
  }

  // ═══════════════════════════ syscalls ═════════════════════════════════════════════

  private sysEnter(c: number, s: number): void {
    const t = this.t;
    if (t.pendingSig[s] !== 0 && this.deliverSignal(c, s)) return;
    let op = this.ops[t.op[s]!]!;
    if (this.plainOp[op.index] === 1 && this.nrProbed[op.nr] === 0) {
      this.plainRun(c, s, false);
      return;
    }
    if (op.nr < 0) {
      this.kworkStep(c, s);
      return;
    }
    if (op.limit > 0 && this.procs[t.proc[s]!]!.liveChildren >= op.limit) {
      t.op[s] = op.full;
      op = this.ops[op.full]!;
    }
    const nr = op.nr;
    const now = this.now;
    t.nr[s] = nr;
    t.enterAt[s] = now;
    this.syscalls++;
    const p = this.procs[t.proc[s]!]!;
    // One draw per syscall entry; every other value of the call derives from it (mix30), so
    // computing or skipping a value never shifts the stream.
    const r1 = t.draw(s);
    t.r1[s] = r1;
    const fd = op.fdMode === FD_NONE ? -1 : this.opFd(s, p, op.fdMode, op.fdArg);
    this.argCount = 0;
    this.argSleep = -1;
    this.fillArgs(s, p, op, fd, r1);
    const count = this.argCount;

    // Outcome: latency, blocking, and the return value where it is known now.
    let ret = 0;
    let lat = op.lat.sample(mix30(r1 ^ 0x1a7));
    this.outBlock = -1;
    switch (op.kind) {
      case K_READ:
      case K_WRITE:
      case K_SENDFILE:
        if (fd < 0 || p.fdFile[fd] === -1) ret = -9;
        else if (r1 < op.failBelow) ret = -op.failErrno.sample(mix30(r1));
        else {
          ret = op.ret === null ? count : Math.min(count, op.ret.sample(mix30(r1 ^ 0x2b)));
          if (op.block !== null) this.outBlock = op.block.sample(mix30(r1 ^ 0x77));
        }
        break;
      case K_GENERIC:
      case K_FDOP:
      case K_PATH:
      case K_MMAP:
      case K_SETID:
      case K_OPEN:
      case K_CLOSE:
      case K_SOCKET:
      case K_DUP:
      case K_PIPE:
      case K_CLONE:
      case K_EXECVE:
      case K_KILL:
        if (r1 < op.failBelow) ret = -op.failErrno.sample(mix30(r1));
        else if (op.ret !== null) ret = op.ret.sample(mix30(r1 ^ 0x2b));
        if (op.block !== null) this.outBlock = op.block.sample(mix30(r1 ^ 0x77));
        break;
      case K_EXIT:
        this.fireSysEnter(c, s, nr);
        if (this.nrProbed[nr] !== 0) this.kprobesEnter(c, s, nr, op);
        this.exitTask(c, s, (t.args[s * 6]! & 0xff) << 8, true);
        return;
      default:
        ret = this.outcomeBlocking(c, s, p, op, r1, fd, lat);
        if (op.kind === K_SLEEP) lat = 0;
    }
    let blockNs = this.outBlock;
    let blockState = 1;
    // Block I/O on behalf of this call (reads that miss the page cache, O_SYNC writes, fsync).
    if (op.ioBelow !== 0 && ret >= 0 && mix30(r1 ^ 0x10) < op.ioBelow) {
      const dev = this.wl.devices[op.ioDev]!;
      const service = (op.ioWrite ? dev.write : dev.read).sample(mix30(r1 ^ 0x33));
      blockNs = (blockNs > 0 ? blockNs : 0) + service;
      blockState = 2;
    }
    t.ret[s] = ret;

    this.fireSysEnter(c, s, nr);
    // connect() fills in the socket's addresses and enters SYN_SENT before tcp_connect runs.
    if (op.kind === K_CONNECT && fd >= 0 && p.fdFile[fd] !== -1) this.connectBegin(c, s, p, fd);
    if (this.nrProbed[nr] !== 0) this.kprobesEnter(c, s, nr, op);
    if (op.cap >= 0 && this.kfnAny) this.fireCapable(c, s, p, op.cap);
    if (blockState === 2) this.issueBio(c, s, op, fd, p, blockNs);

    t.phase[s] = PH_KERNEL;
    if (blockNs >= 0) {
      this.block(c, s, blockNs === INF ? INF : now + blockNs, blockState);
      return;
    }
    const at = now + lat;
    this.cpuNext[c] = at;
    // Nothing else in the world happens before the exit: run it now (saves a trip through advance).
    if (at < this.horizon) {
      this.now = at;
      this.sysExit(c, s);
    }
  }

  /**
   * The world's hot loop: task s, current on CPU c and about to enter a plain call (see
   * World.plainOp), runs entry, exit, the user time after it and the next plain call, back
   * to back, while each event stays before the horizon (nothing else in the world happens
   * before it, so running it now is running it in time order). Every value a call needs is
   * computed inline from the call's draw; the loop leaves at the first event it must not run
   * (the horizon, a tick, a preemption, a call that is not plain, a probed syscall, a signal)
   * with the task's state exactly as sysEnter/sysExit would have left it.
   */
  private plainRun(c: number, s: number, inKernel: boolean): void {
    const t = this.t;
    const plainOp = this.plainOp;
    const hot = this.hot;
    const ops = this.ops;
    const p = this.procs[t.proc[s]!]!;
    const files = this.files;
    const a0 = s * 6;
    let now = hot[H_NOW]!;
    let op = ops[t.op[s]!]!;
    // Resumed at the exit of a call entered earlier: its return value and draw are the task's.
    let ret = t.ret[s]!;
    let r1 = t.r1[s]!;
    let entering = !inKernel;
    for (;;) {
      const nr = op.nr;
      const kind = op.kind;
      if (entering) {
        // ── entry ──
        t.nr[s] = nr;
        t.enterAt[s] = now;
        this.syscalls++;
        r1 = t.draw(s);
        t.r1[s] = r1;
        let fd = -1;
        const mode = op.fdMode;
        if (mode === FD_TOP) {
          const d = t.fdDepth[s]!;
          if (d > 0) fd = t.fdStack[s * 8 + d - 1]!;
        } else if (mode !== FD_NONE) fd = this.opFd(s, p, mode, op.fdArg);
        if (op.dynN !== 0) this.fillArgs(s, p, op, fd, r1);
        else {
          const st = op.argStatic;
          const args = t.args;
          args[a0] = st[0]!;
          args[a0 + 1] = st[1]!;
          args[a0 + 2] = st[2]!;
          args[a0 + 3] = st[3]!;
          args[a0 + 4] = st[4]!;
          args[a0 + 5] = st[5]!;
          hot[H_ARGCOUNT] = 0;
        }
        const lat = op.lat.sample(mix30(r1 ^ 0x1a7));
        ret = 0;
        if (kind === K_READ || kind === K_WRITE || kind === K_SENDFILE) {
          if (fd < 0 || p.fdFile[fd] === -1) ret = -9;
          else if (r1 < op.failBelow) ret = -op.failErrno.sample(mix30(r1));
          else {
            const count = hot[H_ARGCOUNT]!;
            ret = op.ret === null ? count : Math.min(count, op.ret.sample(mix30(r1 ^ 0x2b)));
          }
        } else if (kind === K_ACCEPT) {
          // A connection is already queued (the op does not block): the fd comes at exit.
          if (fd < 0 || p.fdFile[fd] === -1) ret = -9;
          else if (r1 < op.failBelow) ret = -op.failErrno.sample(mix30(r1));
        } else if (r1 < op.failBelow) ret = -op.failErrno.sample(mix30(r1));
        else if (op.ret !== null) ret = op.ret.sample(mix30(r1 ^ 0x2b));
        t.ret[s] = ret;
        t.phase[s] = PH_KERNEL;
        if (this.rawEnter !== null || this.sysEnterSites[nr] != null) this.fireSysEnter(c, s, nr);
        const at = now + lat;
        if (!(at < hot[H_HORIZON]!)) {
          this.cpuNext[c] = at;
          return;
        }
        now = at;
        hot[H_NOW] = now;
      }
      entering = true;

      // ── exit ──
      if (ret > 0 && (kind === K_READ || kind === K_WRITE)) {
        const f = p.fdFile[t.args[a0]!]!;
        if (f >= 0) {
          const fk = files.kind[f]!;
          if (fk === F_FILE) files.pos[f] += ret;
          else if (fk === F_SOCKET || fk === F_UNIX) {
            const sock = files.sock[f]!;
            if (sock >= 0) {
              if (kind === K_READ) this.socks.rx[sock] += ret;
              else this.socks.tx[sock] += ret;
            }
            if (fk === F_SOCKET && this.tps[kind === K_READ ? TP_RECV_LEN : TP_SEND_LEN] !== null) this.emitSockLen(c, s, kind === K_READ, sock, ret);
          }
        }
      } else if (op.exitFx) {
        // Calls that change fd tables, sockets or the address space.
        ret = this.sysExitEffects(c, s, op, nr, ret);
        t.ret[s] = ret;
      }
      if (this.rawExit !== null || this.sysExitSites[nr] != null) this.fireSysExit(c, s, nr, ret);
      const next = op.nextTab[mix30(r1 ^ 0x4e47) >>> op.nextShift]!;
      t.op[s] = next;
      t.nr[s] = -1;
      t.phase[s] = PH_USER;
      const end = now + op.think.sample(mix30(r1 ^ 0x7417));
      t.thinkEnd[s] = end;
      if (this.rqLen[c]! > 0 && now - t.runStart[s]! >= SLICE_NS) {
        this.preempt(c, s);
        return;
      }
      // User time until the next call: a tick first, the horizon, or a call this loop does not run.
      op = ops[next]!;
      if (end - now >= TICK_NS || !(end < hot[H_HORIZON]!) || plainOp[next] === 0 || this.nrProbed[op.nr] !== 0 || t.pendingSig[s] !== 0) {
        this.cpuNext[c] = end < now + TICK_NS ? end : now + TICK_NS;
        return;
      }
      now = end;
      hot[H_NOW] = now;
    }
  }

  /** Values fillArgs leaves for the outcome: the size drawn for count-like arguments, and a requested sleep/timeout (ns, -1 none). */
  private get argCount(): number {
    return this.hot[H_ARGCOUNT]!;
  }
  private set argCount(v: number) {
    this.hot[H_ARGCOUNT] = v;
  }
  private get argSleep(): number {
    return this.hot[H_ARGSLEEP]!;
  }
  private set argSleep(v: number) {
    this.hot[H_ARGSLEEP] = v;
  }
  /** Off-CPU time the outcome decided (-1: the call does not block). */
  private get outBlock(): number {
    return this.hot[H_OUTBLOCK]!;
  }
  private set outBlock(v: number) {
    this.hot[H_OUTBLOCK] = v;
  }

  /**
   * Fills the syscall's argument registers: the op's static values (prepared once per op),
   * then only the arguments that depend on the task, its process or the draw r1.
   */
  private fillArgs(s: number, p: Proc, op: CompiledOp, fd: number, r1: number): void {
    const t = this.t;
    const hot = this.hot;
    const a0 = s * 6;
    const args = t.args;
    const st = op.argStatic;
    args[a0] = st[0]!;
    args[a0 + 1] = st[1]!;
    args[a0 + 2] = st[2]!;
    args[a0 + 3] = st[3]!;
    args[a0 + 4] = st[4]!;
    args[a0 + 5] = st[5]!;
    let count = 0;
    let sleepNs = -1;
    // The shapes most ops have, straight-line (read/write-like calls, one fd, a path after dfd).
    switch (op.argShape) {
      case SHAPE_NONE:
        hot[H_ARGCOUNT] = 0;
        hot[H_ARGSLEEP] = -1;
        return;
      case SHAPE_FD:
        args[a0] = fd;
        hot[H_ARGCOUNT] = 0;
        hot[H_ARGSLEEP] = -1;
        return;
      case SHAPE_FD_BUF_COUNT:
        count = op.size.sample(mix30(r1 ^ 0xc0c0));
        args[a0] = fd;
        args[a0 + 1] = p.heapBase + 0x1000 + ((mix30(r1 ^ s) & 0x1f) << 12);
        args[a0 + 2] = count;
        hot[H_ARGCOUNT] = count;
        hot[H_ARGSLEEP] = -1;
        return;
      case SHAPE_AT_PATH:
        args[a0 + 1] = p.rodataBase + pathId(op.paths, mix30(r1 ^ 0x9a7));
        hot[H_ARGCOUNT] = 0;
        hot[H_ARGSLEEP] = -1;
        return;
    }
    const n = op.dynN;
    for (let k = 0; k < n; k++) {
      const i = op.dynPos[k]!;
      let v = 0;
      switch (op.dynSrc[k]) {
        case A_PROFILE:
          v = op.argDist[i]!.sample(mix30(r1 ^ (0x100 + i)));
          break;
        case A_FD:
          v = fd;
          break;
        case A_FD2:
          v = this.opFd(s, p, op.fd2Mode, op.fd2Arg);
          break;
        case A_PATH:
          v = p.rodataBase + pathId(op.paths, mix30(r1 ^ 0x9a7));
          break;
        case A_PATH2:
          v = p.rodataBase + pathId(op.paths2, mix30(r1));
          break;
        case A_BUF:
          v = p.heapBase + 0x1000 + ((mix30(r1 ^ s) & 0x1f) << 12);
          break;
        case A_COUNT:
          count = op.size.sample(mix30(r1 ^ 0xc0c0));
          v = count;
          break;
        case A_POS: {
          const f = fd >= 0 ? p.fdFile[fd]! : -1;
          v = f >= 0 ? this.files.pos[f]! : 0;
          break;
        }
        case A_STACK:
          v = t.stackTop[s]! - STK_SCRATCH;
          break;
        case A_TIMESPEC: {
          if (op.sleep === null) break;
          sleepNs = op.sleep.sample(mix30(r1 ^ 0x5e5e));
          v = t.stackTop[s]! - STK_TIMESPEC;
          const view = t.stackViews[s]!;
          const o = STACK_BYTES - STK_TIMESPEC;
          put64(view, o, Math.floor(sleepNs / 1e9));
          put64(view, o + 8, sleepNs % 1e9);
          break;
        }
        case A_TIMEOUT_MS:
          if (op.sleep !== null) {
            sleepNs = op.sleep.sample(mix30(r1 ^ 0x5e5e));
            v = Math.floor(sleepNs / 1e6);
          } else v = -1;
          break;
        case A_SOCKADDR:
          v = t.stackTop[s]! - this.writeSockaddr(s, p, op, fd, r1);
          break;
        case A_SOCKLENP:
          t.stackViews[s]!.setInt32(STACK_BYTES - STK_SOCKLEN, 16, true);
          v = t.stackTop[s]! - STK_SOCKLEN;
          break;
        case A_ARGV:
          v = t.stackTop[s]! - this.writeArgv(s, p, op);
          break;
        case A_ENVP:
          v = t.stackTop[s]! - STK_ENVP;
          break;
        case A_PID:
          v = this.killTarget(s, p, op, r1);
          break;
        case A_SIG:
          v = op.signal.sample(mix30(r1 ^ 0x5151));
          break;
        case A_FUTEX:
          v = p.heapBase + 0x800 + op.futexWord * 4;
          break;
        case A_IOV: {
          count = op.size.sample(mix30(r1 ^ 0xc0c0));
          const view = t.stackViews[s]!;
          const o = STACK_BYTES - STK_IOV;
          put64(view, o, p.heapBase + 0x1000);
          put64(view, o + 8, count);
          v = t.stackTop[s]! - STK_IOV;
          break;
        }
        case A_HEAP:
          v = p.heapBase + 0x400;
          break;
        case A_ADDR:
          v = op.kind === K_MMAP && this.nrInfo[op.nr]!.name === 'brk' ? p.heapEnd + (r1 & 1 ? 0x21000 : 0) : p.mmapNext - 0x1000;
          break;
      }
      args[a0 + i] = v;
    }
    hot[H_ARGCOUNT] = count;
    hot[H_ARGSLEEP] = sleepNs;
  }

  /** Outcomes of calls that wait: epoll/poll, sleeps, futexes, accept/connect, wait4, sync. Sets outBlock. */
  private outcomeBlocking(c: number, s: number, p: Proc, op: CompiledOp, r1: number, fd: number, lat: number): number {
    const t = this.t;
    const failed = r1 < op.failBelow;
    const sleepNs = this.argSleep;
    let ret = 0;
    let blockNs = -1;
    switch (op.kind) {
      case K_WAITEV:
        if (failed) {
          ret = -op.failErrno.sample(mix30(r1));
          break;
        }
        blockNs = op.block !== null ? op.block.sample(mix30(r1 ^ 0x77)) : 1_000_000;
        if (sleepNs >= 0 && blockNs >= sleepNs) {
          blockNs = sleepNs;
          ret = 0;
        } else ret = op.ret === null ? 1 : Math.max(1, op.ret.sample(mix30(r1 ^ 0x2b)));
        break;
      case K_SLEEP:
        blockNs = (sleepNs < 0 ? 1_000_000 : sleepNs) + lat;
        ret = failed ? -op.failErrno.sample(mix30(r1)) : 0;
        break;
      case K_FUTEX:
        if (op.futexWake) {
          ret = this.futexWake(c, p, op.futexWord, op.futexCount);
          break;
        }
        if (failed) {
          ret = -op.failErrno.sample(mix30(r1));
          break;
        }
        blockNs = op.block !== null ? op.block.sample(mix30(r1 ^ 0x77)) : 5_000_000;
        if (sleepNs >= 0 && sleepNs < blockNs) {
          blockNs = sleepNs;
          ret = -110;
        }
        t.futexWord[s] = op.futexWord;
        t.futexNext[s] = p.futexHead[op.futexWord]!;
        p.futexHead[op.futexWord] = s;
        break;
      case K_ACCEPT:
      case K_CONNECT:
        if (fd < 0 || p.fdFile[fd] === -1) {
          ret = -9;
          break;
        }
        if (failed) ret = -op.failErrno.sample(mix30(r1));
        if (op.block !== null) blockNs = op.block.sample(mix30(r1 ^ 0x77));
        break;
      case K_WAIT:
        ret = this.waitEnter(c, s, p);
        if (ret === -1) blockNs = INF;
        break;
      case K_SYNC:
      default:
        ret = failed ? -op.failErrno.sample(mix30(r1)) : 0;
        if (op.block !== null) blockNs = op.block.sample(mix30(r1 ^ 0x77));
    }
    this.outBlock = blockNs;
    return ret;
  }

  private fireSysEnter(c: number, s: number, nr: number): void {
    const raw = this.rawEnter;
    const per = this.sysEnterSites[nr];
    if (raw === null && (per === undefined || per === null)) return;
    const t = this.t;
    this.curCpu = c;
    this.curTask = s;
    this.ksKind = KS_SYS_ENTER;
    this.ksArg = nr;
    const a0 = s * 6;
    const args = t.args;
    const tid = t.tid[s]!;
    // common_type/flags/preempt_count and the high word of id never change: the Site wrote them.
    if (raw !== null) {
      const i32 = raw.i32;
      i32[1] = tid;
      i32[2] = nr;
      for (let i = 0; i < 6; i++) {
        const x = args[a0 + i]!;
        i32[4 + 2 * i] = x;
        i32[5 + 2 * i] = Math.floor(x * TWO_M32);
      }
      this.fire(raw);
    }
    if (per !== undefined && per !== null) {
      const i32 = per.i32;
      i32[1] = tid;
      i32[2] = nr;
      const n = (per.size - 16) >> 3;
      for (let i = 0; i < n; i++) {
        const x = args[a0 + i]!;
        i32[4 + 2 * i] = x;
        i32[5 + 2 * i] = Math.floor(x * TWO_M32);
      }
      this.fire(per);
    }
  }

  private fireSysExit(c: number, s: number, nr: number, ret: number): void {
    const raw = this.rawExit;
    const per = this.sysExitSites[nr];
    if (raw === null && (per === undefined || per === null)) return;
    this.curCpu = c;
    this.curTask = s;
    this.ksKind = KS_SYS_EXIT;
    this.ksArg = nr;
    const tid = this.t.tid[s]!;
    const hi = Math.floor(ret * TWO_M32);
    if (raw !== null) {
      const i32 = raw.i32;
      i32[1] = tid;
      i32[2] = nr;
      i32[4] = ret;
      i32[5] = hi;
      this.fire(raw);
    }
    if (per !== undefined && per !== null) {
      const i32 = per.i32;
      i32[1] = tid;
      i32[2] = nr;
      i32[4] = ret;
      i32[5] = hi;
      this.fire(per);
    }
  }

  private sysExit(c: number, s: number): void {
    const t = this.t;
    const op = this.ops[t.op[s]!]!;
    const nr = t.nr[s]!;
    let ret = t.ret[s]!;
    let nextOp = -1;
    if (this.overridden[s] === 1) {
      this.overridden[s] = 0;
      if (op.kind === K_EXECVE && ret < 0) nextOp = this.exit127;
    } else if (op.kind !== K_GENERIC) {
      const r = this.sysExitEffects(c, s, op, nr, ret);
      ret = r;
      // A failed exec exits 127 (the shell's "command not found"); a good one runs the new program.
      if (op.kind === K_EXECVE) nextOp = ret < 0 ? this.exit127 : op.program >= 0 ? this.wl.programs[op.program]!.startOp : -1;
    }
    t.ret[s] = ret;
    if (this.nrProbed[nr] !== 0) this.kprobesExit(c, s, nr, op);
    if (this.rawExit !== null || this.sysExitSites[nr] != null) this.fireSysExit(c, s, nr, ret);
    if (op.faults !== 0 && this.swFaults.length) {
      this.ctx(c, s, KS_SYSCALL, nr);
      this.countSoftware(this.swFaults, op.faults);
    }
    // Next op and user time before it, from the call's draw.
    const r1 = t.r1[s]!;
    t.op[s] = nextOp >= 0 ? nextOp : nextOf(op, mix30(r1 ^ 0x4e47));
    t.nr[s] = -1;
    t.phase[s] = PH_USER;
    const now = this.now;
    const end = now + op.think.sample(mix30(r1 ^ 0x7417));
    t.thinkEnd[s] = end;
    const at = end < now + TICK_NS ? end : now + TICK_NS;
    if (this.rqLen[c]! > 0 && now - t.runStart[s]! >= SLICE_NS) this.preempt(c, s);
    else this.cpuNext[c] = at;
  }

  /** What a returning syscall does to the world (fds, sockets, processes); returns its final ret. */
  private sysExitEffects(c: number, s: number, op: CompiledOp, nr: number, ret: number): number {
    const t = this.t;
    const p = this.procs[t.proc[s]!]!;
    // Effects, and return values that depend on the state at return time.
    switch (op.kind) {
      case K_READ:
      case K_WRITE:
        if (ret > 0) {
          const fd = t.args[s * 6]!;
          const f = p.fdFile[fd]!;
          if (f >= 0) {
            const kind = this.files.kind[f]!;
            if (kind === F_FILE) this.files.pos[f] += ret;
            else if (kind === F_SOCKET || kind === F_UNIX) {
              const sock = this.files.sock[f]!;
              if (sock >= 0) {
                if (op.kind === K_READ) this.socks.rx[sock] += ret;
                else this.socks.tx[sock] += ret;
              }
              if (kind === F_SOCKET && this.tps[op.kind === K_READ ? TP_RECV_LEN : TP_SEND_LEN] !== null) this.emitSockLen(c, s, op.kind === K_READ, sock, ret);
            }
          }
        }
        break;
      case K_OPEN:
        if (ret >= 0) ret = this.openFile(s, p, op);
        break;
      case K_CLOSE:
        ret = this.closeFd(c, s, p, t.args[s * 6]!);
        break;
      case K_SOCKET:
        if (ret >= 0) ret = this.newSocketFd(s, p, t.args[s * 6]!, t.args[s * 6 + 1]!);
        break;
      case K_CONNECT:
        this.connectEnd(c, s, p, ret);
        break;
      case K_ACCEPT:
        if (ret >= 0) ret = this.acceptSocket(c, s, p, op);
        break;
      case K_DUP:
        if (ret >= 0) ret = this.dupFd(s, p, op);
        break;
      case K_PIPE:
        if (ret >= 0) ret = this.makePipe(s, p);
        break;
      case K_CLONE:
        if (ret >= 0) ret = this.fork(c, s, p, op);
        break;
      case K_EXECVE:
        if (ret >= 0) this.exec(c, s, p, op);
        break;
      case K_KILL:
        if (ret >= 0) ret = this.sendKill(c, s, p, t.args[s * 6]!, t.args[s * 6 + (this.nrInfo[nr]!.name === 'tgkill' ? 2 : 1)]!);
        break;
      case K_MMAP:
        if (ret >= 0 && this.nrInfo[nr]!.name === 'mmap') {
          const len = (t.args[s * 6 + 1]! + 0xfff) & ~0xfff;
          p.mmapNext -= Math.max(0x1000, len);
          ret = p.mmapNext;
        } else if (ret >= 0 && this.nrInfo[nr]!.name === 'brk') {
          const want = t.args[s * 6]!;
          if (want > p.heapEnd) p.heapEnd = want;
          ret = p.heapEnd;
        }
        break;
      case K_SETID:
        if (ret >= 0) {
          if (p.uid === 0 || op.uid === p.uid) {
            if (this.nrInfo[nr]!.name.includes('gid')) p.gid = op.uid;
            else p.uid = op.uid;
          } else ret = -1;
        }
        break;
      case K_SENDFILE:
        if (ret > 0) {
          const f = p.fdFile[t.args[s * 6 + 1]!] ?? -1;
          if (f >= 0 && this.files.kind[f] === F_FILE) this.files.pos[f] += ret;
          const sock = this.sockOf(p, t.args[s * 6]!);
          if (sock >= 0) this.socks.tx[sock] += ret;
        }
        break;
    }
    return ret;
  }

  /** The fd an op works on: the thread's newest fd, a named fd of the process, or a fixed number. */
  private opFd(s: number, p: Proc, mode: number, arg: number): number {
    switch (mode) {
      case FD_TOP:
      case FD_POP: {
        const d = this.t.fdDepth[s]!;
        if (d > 0) return this.t.fdStack[s * 8 + d - 1]!;
        return -1;
      }
      case FD_UNDER: {
        const d = this.t.fdDepth[s]!;
        return d > 1 ? this.t.fdStack[s * 8 + d - 2]! : -1;
      }
      case FD_NAMED: {
        const own = this.threadFds[s];
        if (own !== undefined && own[arg]! >= 0) return own[arg]!;
        return p.named[arg]!;
      }
      case FD_FIXED:
        return arg;
      default:
        return -1;
    }
  }


  private pushFd(s: number, fd: number): void {
    const t = this.t;
    const d = t.fdDepth[s]!;
    if (d < TaskTable.FD_STACK) {
      t.fdStack[s * 8 + d] = fd;
      t.fdDepth[s] = d + 1;
    } else {
      t.fdStack.copyWithin(s * 8, s * 8 + 1, s * 8 + 8);
      t.fdStack[s * 8 + 7] = fd;
    }
  }

  private dropFd(s: number, fd: number): void {
    const t = this.t;
    const st = t.fdStack;
    const d = t.fdDepth[s]!;
    const base = s * 8;
    for (let i = d - 1; i >= 0; i--) {
      if (st[base + i] === fd) {
        // A loop, not copyWithin: the builtin's call costs more than moving at most 7 ints.
        for (let k = base + i; k < base + d - 1; k++) st[k] = st[k + 1]!;
        t.fdDepth[s] = d - 1;
        return;
      }
    }
  }

  private openFile(s: number, p: Proc, op: CompiledOp): number {
    const fd = p.lowestFreeFd();
    if (fd < 0) return -24;
    const pathAddr = this.t.args[s * 6 + op.pathArg]!;
    const id = pathAddr - p.rodataBase;
    let dent = 0;
    let kind = F_FILE;
    if (id >= 0 && id < this.wl.strings.length) {
      dent = this.dentOfId(id);
      if (this.ttyString[id] === 1) kind = F_TTY;
    }
    p.installFd(fd, this.files.alloc(kind, dent, -1, this.t.args[s * 6 + 2]! | 0));
    this.pushFd(s, fd);
    return fd;
  }

  private closeFd(c: number, s: number, p: Proc, fd: number): number {
    if (fd < 0 || fd >= p.fdFile.length || p.fdFile[fd] === -1) return -9;
    const f = p.fdFile[fd]!;
    p.clearFd(fd);
    this.dropFd(s, fd);
    this.releaseFile(c, s, f);
    return 0;
  }

  private releaseFile(c: number, s: number, f: number): void {
    const kind = this.files.kind[f]!;
    const sock = this.files.sock[f]!;
    if (!this.files.put(f)) return;
    if (kind === F_SOCKET && sock >= 0) {
      const so = this.socks;
      if (so.state[sock] === TCP_ESTABLISHED) {
        this.setSockState(c, s, sock, TCP_FIN_WAIT1);
        this.setSockState(c, s, sock, TCP_CLOSE);
        const d = this.tps[TP_TCP_DESTROY]!;
        if (d !== null) {
          this.ctx(c, s, KS_SYSCALL, this.t.nr[s]!);
          d.begin(0, 1, this.t.tid[s]!);
          this.sockAddrFields(d, sock, [0, 1, 2, 3, 4, 5, 6, 7]);
          d.int(8, so.cookie[sock]!);
          this.fire(d);
        }
      } else if (so.state[sock] !== TCP_CLOSE && so.state[sock] !== 10) this.setSockState(c, s, sock, TCP_CLOSE);
      so.release(sock);
    }
  }

  private newSocketFd(s: number, p: Proc, family: number, type: number): number {
    const fd = p.lowestFreeFd();
    if (fd < 0) return -24;
    const sock = this.socks.alloc(family & 0xffff, type & 0xf, (type & 0xf) === 2 ? 17 : 6);
    this.socks.saddr[sock] = this.wl.ip;
    p.installFd(fd, this.files.alloc(family === 1 ? F_UNIX : F_SOCKET, -1, sock, 2));
    this.pushFd(s, fd);
    return fd;
  }

  /** Writes the call's sockaddr on the thread's stack; returns its offset below the stack top. */
  private writeSockaddr(s: number, p: Proc, op: CompiledOp, fd: number, r: number): number {
    const t = this.t;
    const view = t.stackViews[s];
    if (!view) return t.stackTop[s]!;
    const o = STACK_BYTES - STK_SOCKADDR;
    let ip = 0;
    let port = 0;
    if (op.kind === K_CONNECT && op.addrIp.length > 0) {
      const k = op.addrIp.length === 1 ? 0 : Math.floor((mix30(r ^ 0xc0) / DRAW_RANGE) * op.addrIp.length);
      ip = op.addrIp[k]!;
      port = op.addrPort[k]!;
    } else if (op.kind === K_ACCEPT) {
      ip = op.addrIp.length > 0 ? op.addrIp[0]! + (mix30(r) & 0xff) : ((10 << 24) | (mix30(r) & 0xffffff)) | 0;
      port = 32768 + (mix30(r ^ 0x99) % 28232);
    } else if (fd >= 0) {
      const f = p.fdFile[fd]!;
      const sock = f >= 0 ? this.files.sock[f]! : -1;
      if (sock >= 0) {
        ip = this.socks.saddr[sock]!;
        port = this.socks.sport[sock]!;
      }
    }
    view.setUint16(o, 2, true);
    view.setUint16(o + 2, port, false);
    view.setInt32(o + 4, ip, false);
    view.setUint32(o + 8, 0, true);
    view.setUint32(o + 12, 0, true);
    return STK_SOCKADDR;
  }

  /** The socket behind fd of process p, or -1. */
  private sockOf(p: Proc, fd: number): number {
    const f = fd >= 0 && fd < p.fdFile.length ? p.fdFile[fd]! : -1;
    return f >= 0 ? this.files.sock[f]! : -1;
  }

  private connectBegin(c: number, s: number, p: Proc, fd: number): void {
    const sock = this.sockOf(p, fd);
    if (sock < 0) return;
    const view = this.t.stackViews[s]!;
    const o = STACK_BYTES - STK_SOCKADDR;
    const so = this.socks;
    so.daddr[sock] = view.getInt32(o + 4, false);
    so.dport[sock] = view.getUint16(o + 2, false);
    so.sport[sock] = 32768 + (mix30(this.t.tid[s]! ^ sock ^ (this.now | 0)) % 28232);
    if (so.family[sock] === 2) this.setSockState(c, s, sock, TCP_SYN_SENT);
  }

  private connectEnd(c: number, s: number, p: Proc, ret: number): void {
    const sock = this.sockOf(p, this.t.args[s * 6]!);
    if (sock < 0 || this.socks.family[sock] !== 2) return;
    this.setSockState(c, s, sock, ret >= 0 || ret === -115 ? TCP_ESTABLISHED : TCP_CLOSE);
  }

  private acceptSocket(c: number, s: number, p: Proc, op: CompiledOp): number {
    const fd = p.lowestFreeFd();
    if (fd < 0) return -24;
    const lf = p.fdFile[this.t.args[s * 6]!]!;
    const ls = lf >= 0 ? this.files.sock[lf]! : -1;
    const so = this.socks;
    const sock = so.alloc(2, 1, 6);
    const view = this.t.stackViews[s]!;
    const o = STACK_BYTES - STK_SOCKADDR;
    so.saddr[sock] = ls >= 0 ? so.saddr[ls]! || this.wl.ip : this.wl.ip;
    so.sport[sock] = ls >= 0 ? so.sport[ls]! : 80;
    so.daddr[sock] = view.getInt32(o + 4, false);
    so.dport[sock] = view.getUint16(o + 2, false);
    so.state[sock] = TCP_SYN_RECV;
    this.setSockState(c, s, sock, TCP_ESTABLISHED);
    p.installFd(fd, this.files.alloc(F_SOCKET, -1, sock, 2));
    this.pushFd(s, fd);
    void op;
    return fd;
  }

  private setSockState(c: number, s: number, sock: number, state: number): void {
    const so = this.socks;
    const old = so.state[sock]!;
    so.state[sock] = state;
    if (this.kfnAny) {
      this.ctx(c, s, KS_SYSCALL, this.t.nr[s]!);
      this.fireKfnEntry('tcp_set_state', this.kmem.addr(K_SOCK, sock), state);
    }
    const site = this.tps[TP_SOCK_STATE]!;
    if (site === null) return;
    this.ctx(c, s, KS_SYSCALL, this.t.nr[s]!);
    site.begin(0, 1, this.t.tid[s]!);
    site.int(0, 0);
    put64(site.view, site.off[0]!, 0);
    this.writeKernelPtr(site, 0, K_SOCK, sock);
    site.int(1, old);
    site.int(2, state);
    this.sockAddrFields(site, sock, [-1, 3, 4, 5, 7, 8, 9, 10]);
    site.int(6, so.protocol[sock]!);
    this.fire(site);
  }

  /** skaddr, sport, dport, family, saddr, daddr, saddr_v6, daddr_v6 by the given field indices (-1: skip). */
  private sockAddrFields(site: Site, sock: number, idx: readonly number[]): void {
    const so = this.socks;
    if (idx[0]! >= 0) this.writeKernelPtr(site, idx[0]!, K_SOCK, sock);
    site.int(idx[1]!, so.sport[sock]!);
    site.int(idx[2]!, so.dport[sock]!);
    site.int(idx[3]!, so.family[sock]!);
    const b = this.scratch4;
    const dv = this.scratch4v;
    dv.setInt32(0, so.saddr[sock]!, false);
    site.raw(idx[4]!, b, 0, 4);
    dv.setInt32(0, so.daddr[sock]!, false);
    site.raw(idx[5]!, b, 0, 4);
    // IPv4-mapped IPv6 addresses, as the kernel fills them for AF_INET sockets.
    const v6 = this.scratch16;
    v6.fill(0);
    v6[10] = 0xff;
    v6[11] = 0xff;
    new DataView(v6.buffer).setInt32(12, so.saddr[sock]!, false);
    site.raw(idx[6]!, v6, 0, 16);
    new DataView(v6.buffer).setInt32(12, so.daddr[sock]!, false);
    site.raw(idx[7]!, v6, 0, 16);
  }

  private readonly scratch4 = new Uint8Array(4);
  private readonly scratch4v = new DataView(this.scratch4.buffer);
  private readonly scratch16 = new Uint8Array(16);

  private writeKernelPtr(site: Site, field: number, cls: number, idx: number): void {
    const o = site.off[field]!;
    if (o < 0) return;
    site.view.setUint32(o, this.kmem.lo(cls, idx), true);
    site.view.setUint32(o + 4, kernelAddressHi(cls), true);
  }

  private emitSockLen(c: number, s: number, recv: boolean, sock: number, ret: number): void {
    const site = this.tps[recv ? TP_RECV_LEN : TP_SEND_LEN]!;
    if (site === null || sock < 0) return;
    this.ctx(c, s, KS_SYSCALL, this.t.nr[s]!);
    site.begin(0, 0, this.t.tid[s]!);
    this.writeKernelPtr(site, 0, K_SOCK, sock);
    site.int(1, this.socks.family[sock]!);
    site.int(2, this.socks.protocol[sock]!);
    site.int(3, ret);
    site.int(4, 0);
    this.fire(site);
  }

  private dupFd(s: number, p: Proc, op: CompiledOp): number {
    const old = this.t.args[s * 6]!;
    if (old < 0 || p.fdFile[old] === -1) return -9;
    const f = p.fdFile[old]!;
    let fd: number;
    if (this.nrInfo[op.nr]!.name === 'dup') fd = p.lowestFreeFd();
    else {
      fd = this.t.args[s * 6 + 1]!;
      if (fd < 0 || fd >= p.fdFile.length) return -9;
      if (fd === old) return fd;
      if (p.fdFile[fd] !== -1) {
        const prev = p.fdFile[fd]!;
        p.clearFd(fd);
        this.files.put(prev);
      }
    }
    if (fd < 0) return -24;
    this.files.refs[f]++;
    p.installFd(fd, f);
    return fd;
  }

  private makePipe(s: number, p: Proc): number {
    const r = p.lowestFreeFd();
    if (r < 0) return -24;
    p.installFd(r, this.files.alloc(F_PIPE, -1, -1, 0));
    const w = p.lowestFreeFd();
    if (w < 0) return -24;
    p.installFd(w, this.files.alloc(F_PIPE, -1, -1, 1));
    const view = this.t.stackViews[s];
    if (view) {
      view.setInt32(STACK_BYTES - STK_SCRATCH, r, true);
      view.setInt32(STACK_BYTES - STK_SCRATCH + 4, w, true);
    }
    this.pushFd(s, w);
    this.pushFd(s, r);
    return 0;
  }

  /** argv for execve: pointers to the program's argv strings (in the caller's rodata), NULL-terminated. */
  private writeArgv(s: number, p: Proc, op: CompiledOp): number {
    const t = this.t;
    const view = t.stackViews[s];
    if (!view) return t.stackTop[s]!;
    const prog = op.program >= 0 ? this.wl.programs[op.program]! : this.wl.programs[p.program]!;
    let o = STACK_BYTES - STK_ARGV;
    for (const a of prog.argv.slice(0, 30)) {
      put64(view, o, p.rodataBase + a);
      o += 8;
    }
    put64(view, o, 0);
    let e = STACK_BYTES - STK_ENVP;
    for (const id of this.wl.env.slice(0, 3)) {
      put64(view, e, p.rodataBase + id);
      e += 8;
    }
    put64(view, e, 0);
    return STK_ARGV;
  }

  // ── processes: fork, exec, exit, wait, signals ──

  private fork(c: number, s: number, p: Proc, op: CompiledOp): number {
    const t = this.t;
    const pid = this.nextPid++;
    const program = op.program >= 0 ? op.program : p.program;
    const child = this.newProc(pid, p.program, p.index, p.uid, p.gid, p.cgroup, false, this.rng);
    child.spawned = true;
    // The child shares the parent's open files (dup'ed) until exec; stdio at least.
    for (let fd = 0; fd < 3; fd++) {
      const f = p.fdFile[fd]!;
      if (f >= 0) {
        this.files.refs[f]++;
        child.installFd(fd, f);
      }
    }
    // The child execs its program first, or (fork_only) runs the program's behaviour as a copy of the parent.
    const cs = this.newTask(child, pid, t.commText(s), op.forkOnly ? this.wl.programs[program]!.startOp : this.execOp[program]!, t.prio[s]!);
    // Copy-on-write image: same layout as the parent until exec.
    child.exeBase = p.exeBase;
    child.rodataBase = p.rodataBase;
    child.heapBase = p.heapBase;
    child.heapEnd = p.heapEnd;
    child.libcBase = p.libcBase;
    child.mmapNext = p.mmapNext;
    this.images.set(pid, { program: p.program, exeBase: p.exeBase, libcBase: p.libcBase, kernel: false });
    t.phase[cs] = PH_FORKED;
    t.thinkEnd[cs] = 0;
    t.cpu[cs] = c;
    t.nr[cs] = op.nr;
    t.ret[cs] = 0;
    t.args.copyWithin(cs * 6, s * 6, s * 6 + 6);
    this.ctx(c, s, KS_SYSCALL, op.nr);
    const nt = this.tps[TP_NEWTASK]!;
    if (nt !== null) {
      nt.begin(0, 0, t.tid[s]!);
      nt.int(0, pid);
      nt.str(1, t.comm, s * 16, 16);
      nt.int(2, t.args[s * 6]! >>> 0);
      nt.int(3, 0);
      this.fire(nt);
    }
    const fk = this.tps[TP_FORK]!;
    if (fk !== null) {
      fk.begin(0, 0, t.tid[s]!);
      fk.str(0, t.comm, s * 16, 16);
      fk.int(1, t.tid[s]!);
      fk.str(2, t.comm, cs * 16, 16);
      fk.int(3, pid);
      this.fire(fk);
    }
    this.pendingChild = cs;
    t.state[cs] = ST_SLEEPING;
    this.wake(cs, c, true);
    return pid;
  }

  /** The child created by the fork in progress (for wake_up_new_task's argument). */
  private pendingChild = -1;

  private forkReturn(c: number, s: number): void {
    const t = this.t;
    this.ctx(c, s, KS_FORK_CHILD, 0);
    this.fireSysExit(c, s, t.nr[s]!, 0);
    t.nr[s] = -1;
    t.phase[s] = PH_USER;
    const end = this.now + 20_000 + (t.draw(s) % 60_000);
    t.thinkEnd[s] = end;
    this.continueOrPreempt(c, s, end);
  }

  private exec(c: number, s: number, p: Proc, op: CompiledOp): void {
    const t = this.t;
    const prog = this.wl.programs[op.program >= 0 ? op.program : p.program]!;
    this.ctx(c, s, KS_SYSCALL, op.nr);
    const pe = this.tps[TP_PREPARE_EXEC]!;
    if (pe !== null) {
      pe.begin(0, 0, t.tid[s]!);
      pe.text(0, prog.exeText);
      pe.text(1, prog.exeText);
      pe.int(2, t.tid[s]!);
      pe.str(3, t.comm, s * 16, 16);
      this.fire(pe);
    }
    const oldComm = t.comm.slice(s * 16, s * 16 + 16);
    p.program = op.program >= 0 ? op.program : p.program;
    this.layoutImage(p, this.rng);
    this.writeArgBlock(p, s);
    t.setComm(s, prog.comm);
    const rn = this.tps[TP_RENAME]!;
    if (rn !== null) {
      rn.begin(0, 0, t.tid[s]!);
      rn.int(0, t.tid[s]!);
      rn.str(1, oldComm, 0, 16);
      rn.str(2, t.comm, s * 16, 16);
      rn.int(3, 0);
      this.fire(rn);
    }
    const ex = this.tps[TP_EXEC]!;
    if (ex !== null) {
      ex.begin(0, 0, t.tid[s]!);
      ex.text(0, prog.exeText);
      ex.int(1, t.tgid[s]!);
      ex.int(2, t.tid[s]!);
      this.fire(ex);
    }
  }

  /** wait4 at entry: a zombie child is reaped now; with live children the caller blocks (-1). */
  private waitEnter(c: number, s: number, p: Proc): number {
    const t = this.t;
    const site = this.tps[TP_WAIT]!;
    if (site !== null) {
      this.ctx(c, s, KS_SYSCALL, t.nr[s]!);
      site.begin(0, 0, t.tid[s]!);
      site.str(0, t.comm, s * 16, 16);
      site.int(1, Math.max(0, t.args[s * 6]!));
      site.int(2, t.prio[s]!);
      this.fire(site);
    }
    if (p.zombies.length > 0) {
      const z = p.zombies.shift()!;
      const pid = t.tgid[z]!;
      this.reap(z);
      return pid;
    }
    if (p.liveChildren > 0) {
      p.waiter = s;
      return -1;
    }
    return -10;
  }

  private exitTask(c: number, s: number, code: number, viaSyscall: boolean): void {
    const t = this.t;
    const p = this.procs[t.proc[s]!]!;
    this.ctx(c, s, KS_EXIT, 0);
    if (this.kfnAny && !viaSyscall) this.fireKfnEntry('do_exit', null, code);
    const i = p.threads.indexOf(s);
    if (i >= 0) p.threads.splice(i, 1);
    const groupDead = p.threads.length === 0;
    const site = this.tps[TP_EXIT]!;
    if (site !== null) {
      site.begin(0, 0, t.tid[s]!);
      site.str(0, t.comm, s * 16, 16);
      site.int(1, t.tid[s]!);
      site.int(2, t.prio[s]!);
      site.int(3, groupDead ? 1 : 0);
      this.fire(site);
    }
    t.state[s] = ST_ZOMBIE;
    t.fdDepth[s] = 0;
    if (groupDead) {
      p.exited = true;
      p.exitCode = code;
      for (let fd = 0; fd < p.fdFile.length; fd++) {
        const f = p.fdFile[fd]!;
        if (f >= 0) {
          p.clearFd(fd);
          this.releaseFile(c, s, f);
        }
      }
      const parent = p.parent >= 0 ? this.procs[p.parent] : null;
      if (parent && !parent.exited) {
        parent.liveChildren--;
        if (!parent.kernel) this.postSignal(parent.leader, 17, false);
        if (parent.waiter >= 0) {
          const w = parent.waiter;
          parent.waiter = -1;
          t.ret[w] = p.tgid;
          this.reap(s);
          if (t.state[w] === ST_SLEEPING) this.wake(w, c, false);
        } else {
          parent.zombies.push(s);
          this.pushTimer(this.now + REAP_NS, T_REAP, s, t.gen[s]!);
        }
      } else this.reap(s);
    } else this.reap(s);
    this.switchOut(c, s, STATE_ZOMBIE, KS_SWITCH_EXIT);
  }

  /** Reaped: sched_process_free follows after an RCU grace period. */
  private reap(s: number): void {
    const t = this.t;
    t.state[s] = ST_DEAD;
    this.byTid.delete(t.tid[s]!);
    t.gen[s] = (t.gen[s]! + 1) | 0;
    this.pushTimer(this.now + RCU_NS + (mix30(s ^ (this.now | 0)) % 8_000_000), T_FREE, s, t.gen[s]!);
  }

  private freeTask(s: number, gen: number): void {
    const t = this.t;
    if (t.gen[s] !== gen || t.state[s] !== ST_DEAD) return;
    const c = t.cpu[s]!;
    const site = this.tps[TP_FREE]!;
    if (site !== null) {
      this.ctx(c, this.cpuCur[c]!, KS_IRQ_BLOCK, 0);
      site.begin(0, 1, t.tid[this.cpuCur[c]!]!);
      site.str(0, t.comm, s * 16, 16);
      site.int(1, t.tid[s]!);
      site.int(2, t.prio[s]!);
      this.fire(site);
    }
    const pi = t.proc[s]!;
    const p = this.procs[pi];
    t.gen[s] = (t.gen[s]! + 1) | 0;
    this.threadFds[s] = undefined;
    t.release(s);
    this.taskAddrCache[s] = undefined as unknown as bigint;
    delete this.taskAddrCache[s];
    if (p && p.exited && p.threads.length === 0 && p.leader === s) {
      this.procs[pi] = null;
      this.procFree.push(pi);
    }
  }

  /** Queues a signal for a task; fatal signals to spawned processes end them. */
  private postSignal(s: number, sig: number, fromBpf: boolean): void {
    const t = this.t;
    if (t.state[s] === ST_ZOMBIE || t.state[s] === ST_DEAD) return;
    // bpf_send_signal's default actions apply to any process: mark it with 0x80.
    t.pendingSig[s] = sig | (fromBpf && FATAL_SIGNALS.has(sig) ? 0x80 : 0);
    if (t.state[s] === ST_SLEEPING && (FATAL_SIGNALS.has(sig) || fromBpf)) {
      // Interrupted: the syscall returns -EINTR and the signal is handled on the way out.
      if (t.phase[s] === PH_KERNEL) t.ret[s] = -4;
      const p = this.procs[t.proc[s]!];
      if (p) {
        const w = t.futexWord[s]!;
        if (w >= 0) this.unlinkFutex(p, w, s);
        if (p.waiter === s) p.waiter = -1;
      }
      this.wake(s, this.curCpu, false);
    }
  }

  /** Delivers a pending signal at the start of the task's next syscall; true when the task died. */
  private deliverSignal(c: number, s: number): boolean {
    const t = this.t;
    const sig = t.pendingSig[s]! & 0x7f;
    const forced = (t.pendingSig[s]! & 0x80) !== 0;
    t.pendingSig[s] = 0;
    const p = this.procs[t.proc[s]!]!;
    const fatal = (sig === 9 || forced || (FATAL_SIGNALS.has(sig) && p.spawned)) && !p.kernel;
    const site = this.tps[TP_SIG_DELIVER]!;
    if (site !== null) {
      this.ctx(c, s, KS_SYSCALL, 0);
      site.begin(0x01, 1, t.tid[s]!);
      site.int(0, sig);
      site.int(1, 0);
      site.int(2, 0);
      site.int(3, fatal ? 0 : p.exeBase + 0x1200);
      site.int(4, fatal ? 0 : 0x14000000);
      this.fire(site);
    }
    if (!fatal) return false;
    this.exitTask(c, s, sig, false);
    return true;
  }

  private killTarget(s: number, p: Proc, op: CompiledOp, r: number): number {
    switch (op.target) {
      case TARGET_SELF:
        return p.tgid;
      case TARGET_PARENT:
        return this.ppidOf(p);
      case TARGET_CHILD: {
        for (let i = this.procs.length - 1; i >= 0; i--) {
          const q = this.procs[i];
          if (q && q.parent === p.index && !q.exited) return q.tgid;
        }
        return this.nextPid + 7;
      }
      case TARGET_RANDOM:
      default: {
        // Uniformly among the other live user processes.
        let n = 0;
        for (const q of this.procs) if (q && !q.exited && !q.kernel && q !== p) n++;
        let k = Math.floor((mix30(r ^ 0x4b11) / DRAW_RANGE) * n);
        for (const q of this.procs) if (q && !q.exited && !q.kernel && q !== p && k-- === 0) return q.tgid;
        return p.tgid;
      }
    }
    void s;
  }

  private sendKill(c: number, s: number, p: Proc, pid: number, sig: number): number {
    const target = this.byTid.get(pid);
    const t = this.t;
    if (target === undefined || t.state[target] === ST_ZOMBIE || t.state[target] === ST_DEAD) return -3;
    const q = this.procs[t.proc[target]!]!;
    if (p.uid !== 0 && p.uid !== q.uid) return -1;
    const site = this.tps[TP_SIG_GENERATE]!;
    // kill(pid, 0) only checks that the target exists: no signal is generated.
    if (site !== null && sig !== 0) {
      this.ctx(c, s, KS_SYSCALL, t.nr[s]!);
      site.begin(0x01, 1, t.tid[s]!);
      site.int(0, sig);
      site.int(1, 0);
      site.int(2, 0);
      site.str(3, t.comm, target * 16, 16);
      site.int(4, pid);
      site.int(5, 1);
      site.int(6, 0);
      this.fire(site);
    }
    if (sig !== 0 && !q.kernel) this.postSignal(q.leader, sig, false);
    return 0;
  }

  private futexWake(c: number, p: Proc, word: number, count: number): number {
    let woken = 0;
    while (woken < count && p.futexHead[word]! >= 0) {
      const w = p.futexHead[word]!;
      p.futexHead[word] = this.t.futexNext[w]!;
      this.t.futexWord[w] = -1;
      this.t.ret[w] = 0;
      if (this.t.state[w] === ST_SLEEPING) {
        this.wake(w, c, false);
        woken++;
      }
    }
    return woken;
  }

  private unlinkFutex(p: Proc, word: number, s: number): void {
    const t = this.t;
    let prev = -1;
    for (let w = p.futexHead[word]!; w >= 0; w = t.futexNext[w]!) {
      if (w === s) {
        if (prev < 0) p.futexHead[word] = t.futexNext[w]!;
        else t.futexNext[prev] = t.futexNext[w]!;
        break;
      }
      prev = w;
    }
    t.futexWord[s] = -1;
  }

  // ── kernel threads ──

  private kworkStep(c: number, s: number): void {
    const t = this.t;
    const op = this.ops[t.op[s]!]!;
    const r = t.draw(s);
    if (op.kwork === KW_WRITEBACK && t.aux[s]! > 0) {
      // Back from waiting on the flush: it is written.
      this.emitWriteback(TP_WB_WRITTEN, c, s, op, t.aux[s]!, r);
      t.aux[s] = 0;
    } else if (op.kwork === KW_WRITEBACK || op.kwork === KW_JOURNAL) {
      // A kworker's writeback is the device's wb_workfn work item (jbd2 is a kthread of its own).
      if (op.kwork === KW_WRITEBACK) this.emitWorkqueue(TP_WQ_START, c, s, op.ioDev);
      const n = 1 + (r & 3);
      let pages = 0;
      let done = this.now;
      for (let i = 0; i < n; i++) {
        const bytes = op.ioBytes.sample(mix30(r ^ (i * 0x9e37)));
        pages += Math.ceil(bytes / 4096);
        done = Math.max(done, this.issueBioRaw(c, s, op.ioDev, bytes, op.kwork === KW_JOURNAL ? RWBS_WS : RWBS_W, -1, mix30(r ^ i), -1));
      }
      if (op.kwork === KW_JOURNAL) this.issueBioRaw(c, s, op.ioDev, 0, RWBS_FLUSH, -1, r, -1);
      else {
        // writeback_start, then wait (D) for the pages to reach the disk before writeback_written.
        this.emitWriteback(TP_WB_START, c, s, op, pages, r);
        this.emitWorkqueue(TP_WQ_END, c, s, op.ioDev);
        t.aux[s] = pages;
        t.phase[s] = PH_KWORK;
        this.block(c, s, done + 2_000, 2);
        return;
      }
    }
    t.op[s] = nextOf(op, r);
    const sleep = op.block !== null ? op.block.sample(mix30(r ^ 0x77)) : 4_000_000;
    t.phase[s] = PH_KWORK;
    this.block(c, s, this.now + op.lat.sample(mix30(r ^ 0x31)) + sleep, STATE_IDLE);
  }

  /**
   * workqueue_execute_start/_end of the writeback work of device d: the work_struct embedded in
   * the device's backing_dev_info (an address inside the device's gendisk block: the world keeps
   * no bdi object) and wb_workfn's address.
   */
  private emitWorkqueue(tp: number, c: number, s: number, d: number): void {
    const site = this.tps[tp]!;
    if (site === null) return;
    this.ctx(c, s, KS_KWORK, 0);
    site.begin(0, 0, this.t.tid[s]!);
    const o = site.off[0]!;
    site.view.setUint32(o, (this.kmem.lo(K_MISC, MISC_BDEV + 3 * d + 1) + WB_WORK_OFFSET) >>> 0, true);
    site.view.setUint32(o + 4, kernelAddressHi(K_MISC), true);
    site.view.setBigUint64(site.off[1]!, this.ksyms.address('wb_workfn') ?? 0n, true);
    this.fire(site);
  }

  /** writeback_start / writeback_written for a kworker's flush of `pages` pages (periodic kupdate writeback). */
  private emitWriteback(tp: number, c: number, s: number, op: CompiledOp, pages: number, r: number): void {
    const wb = this.tps[tp]!;
    if (wb === null) return;
    const dev = this.wl.devices[op.ioDev]!;
    this.ctx(c, s, KS_KWORK, 0);
    wb.begin(0, 0, this.t.tid[s]!);
    wb.text(0, `${dev.dev >>> 20}:${dev.dev & 0xfffff}`);
    wb.int(1, tp === TP_WB_START ? 1024 + (r & 0x3ff) : pages);
    wb.int(2, dev.dev + 2);
    wb.int(3, 0);
    wb.int(4, 1);
    wb.int(5, 1);
    wb.int(6, 0);
    wb.int(7, 3);
    wb.int(8, 1);
    this.fire(wb);
  }

  // ── block I/O ──

  private issueBio(c: number, s: number, op: CompiledOp, fd: number, p: Proc, service: number): void {
    const bytes = Math.max(512, Math.ceil(op.ioBytes.sample(mix30(this.t.enterAt[s]! | 0 ^ s)) / 512) * 512);
    let sector = -1;
    const f = fd >= 0 ? p.fdFile[fd]! : -1;
    if (f >= 0 && this.files.dentry[f]! >= 0) {
      const d = this.files.dentry[f]!;
      sector = (this.dents.ino[d]! * 2048 + Math.floor(this.files.pos[f]! / 512)) % this.wl.devices[op.ioDev]!.sectors;
    }
    const rwbs = op.ioWrite ? (op.ioSync ? RWBS_WS : RWBS_W) : bytes >= 131072 ? RWBS_RA : RWBS_R;
    this.issueBioRaw(c, s, op.ioDev, bytes, rwbs, s, sector, service);
  }

  /**
   * Queues, issues and schedules the completion of one request; returns when it completes.
   * service: the device time the caller drew (-1: draw it here).
   */
  private issueBioRaw(c: number, s: number, devIdx: number, bytes: number, rwbs: number, waiter: number, sectorOrSeed: number, service: number): number {
    const dev = this.wl.devices[devIdx]!;
    const t = this.t;
    const sector = sectorOrSeed >= 0 && waiter >= 0 ? sectorOrSeed & ~7 : (((mix30(sectorOrSeed ^ 0x5ec) >>> 0) % Math.max(8, dev.sectors - 4096)) & ~7);
    const id = this.bios.alloc(dev.dev, devIdx, rwbs, bytes === 0 ? 0 : sector, bytes, t.comm, s * 16, t.tid[s]!, c, this.now);
    this.ctx(c, s, waiter >= 0 ? KS_SYSCALL : KS_KWORK, waiter >= 0 ? t.nr[s]! : 0);
    for (let k = 0; k < RQ_ISSUE_TPS.length; k++) {
      const tp = RQ_ISSUE_TPS[k]!;
      const site = this.tps[tp]!;
      if (site !== null) this.emitRq(site, id, EMITTED[tp]!.flags, EMITTED[tp]!.preempt, t.tid[s]!);
    }
    if (this.kfnAny) {
      this.fireKfnEntry('submit_bio', this.kmem.addr(K_BIO, id));
      this.fireKfnEntry('blk_account_io_start', this.kmem.addr(K_REQUEST, id));
      this.fireKfnEntry('blk_mq_start_request', this.kmem.addr(K_REQUEST, id));
    }
    const d = service >= 0 ? service : (rwbs === RWBS_R || rwbs === RWBS_RA ? dev.read : dev.write).sample(mix30(sectorOrSeed ^ 0xd15c));
    const done = this.now + Math.max(1000, d - 500);
    this.pushTimer(done, T_BIO_DONE, id, 0);
    return done;
  }

  private emitRq(site: Site, id: number, flags: number, preempt: number, pid: number): void {
    const b = this.bios;
    site.begin(flags, preempt, pid);
    site.int(RQ_DEV, b.dev[id]!);
    site.int(RQ_SECTOR, b.sector[id]!);
    site.int(RQ_NR_SECTOR, b.bytes[id]! >> 9);
    site.int(RQ_BYTES, b.bytes[id]!);
    site.int(RQ_IOPRIO, 0x4000);
    site.text(RQ_RWBS, RWBS_TEXT[b.rwbs[id]!]!);
    site.str(RQ_COMM, b.comm, id * 16, 16);
    site.text(RQ_CMD, '');
    site.int(RQ_ERROR, 0);
    this.fire(site);
  }

  private completeBio(id: number): void {
    const c = this.bios.cpu[id]!;
    const cur = this.cpuCur[c]!;
    this.ctx(c, cur, KS_IRQ_BLOCK, 0);
    const pid = this.t.tid[cur]!;
    for (let k = 0; k < RQ_DONE_TPS.length; k++) {
      const tp = RQ_DONE_TPS[k]!;
      const site = this.tps[tp]!;
      if (site !== null) this.emitRq(site, id, EMITTED[tp]!.flags, EMITTED[tp]!.preempt, pid);
    }
    if (this.kfnAny) {
      this.fireKfnEntry('blk_account_io_done', this.kmem.addr(K_REQUEST, id), this.ktimeNs());
      this.fireKfnEntry('blk_mq_end_request', this.kmem.addr(K_REQUEST, id), 0);
    }
    // The waiting task (if any) wakes by its own timer just after this completion.
    this.bios.release(id);
  }

  // ═══════════════════════════ probes ═══════════════════════════════════════════════

  private fire(site: Site): void {
    const n = site.nh;
    this.events += n;
    if (n === 1) {
      site.h0(site.bytes, site.view);
      return;
    }
    const hs = site.handlers;
    for (let i = 0; i < hs.length; i++) hs[i]!(site.bytes, site.view);
  }

  private ctx(c: number, s: number, ks: number, arg: number): void {
    this.curCpu = c;
    this.curTask = s;
    this.ksKind = ks;
    this.ksArg = arg;
  }

  private siteFor(target: AttachTarget): Site | string {
    switch (target.kind) {
      case 'rawtracepoint':
        throw new InternalError('raw tracepoints attach through attachRaw');
      case 'tracepoint':
        return this.tracepointSite(target.category, target.event);
      case 'kprobe':
      case 'kretprobe':
      case 'fentry':
      case 'fexit': {
        // A compiler-renamed symbol (finish_task_switch.isra.0) is the function it was made from.
        const name = target.func.replace(/\.(isra|constprop|part|cold|llvm)(\.\d+)*$/, '');
        const fn = this.cat.kernelFunction(name);
        if (!fn && !name.startsWith('__x64_sys_')) return `unknown kernel function '${target.func}'`;
        let k = this.kfn.get(name);
        if (!k) {
          k = { entry: null, ret: null, fentry: null, fexit: null, nargs: fn ? fn.args.length : 1 };
          this.kfn.set(name, k);
        }
        const slot = target.kind === 'kprobe' ? 'entry' : target.kind === 'kretprobe' ? 'ret' : target.kind;
        let site = k[slot];
        if (!site) {
          const size = slot === 'entry' || slot === 'ret' ? PT_REGS_SIZE : 8 * (Math.min(k.nargs, 12) + (slot === 'fexit' ? 1 : 0));
          site = new Site(`${target.kind}:${target.func}`, Math.max(8, size));
          k[slot] = site;
        }
        return site;
      }
      case 'profile':
      case 'interval': {
        const period = target.periodNs ?? (target.hz ? 1e9 / target.hz : 0);
        if (!(period > 0)) return `${target.kind}: a positive rate is required`;
        const site = new Site(`${target.kind}:${period}`, PERF_EVENT_DATA_SIZE);
        site.periodNs = period;
        site.hz = target.hz ?? 0;
        site.period = target.kind === 'profile' && target.hz ? Math.round(1e9 / target.hz) : Math.round(period);
        this.registerTimerSite(site, target.kind === 'profile' ? 'all' : 'one');
        return site;
      }
      case 'software':
      case 'hardware': {
        const site = new Site(`${target.kind}:${target.event}:${target.period}`, PERF_EVENT_DATA_SIZE);
        site.period = Math.max(1, target.period);
        const ev = target.event;
        const rate = HARDWARE_RATES[ev];
        if (ev === 'cpu-clock' || ev === 'task-clock') {
          site.periodNs = site.period;
          this.registerTimerSite(site, ev === 'task-clock' ? 'busy' : 'all');
        } else if (rate !== undefined) {
          site.periodNs = site.period / rate;
          this.registerTimerSite(site, 'busy');
        } else if (ev === 'context-switches') this.swSwitch = [...this.swSwitch, site];
        else if (ev === 'cpu-migrations') this.swMigrate = [...this.swMigrate, site];
        else if (ev === 'page-faults' || ev === 'minor-faults' || ev === 'major-faults') {
          if (ev === 'major-faults') site.period *= 50;
          this.swFaults = [...this.swFaults, site];
        } else this.swCounters.push({ event: ev, site });
        return site;
      }
    }
  }

  /** Raw tracepoints by event: their own site (the argument words) and the bridge that fills it. */
  private readonly rawSites = new Map<string, { site: Site; category: string; bridge: ProbeHandler }>();

  /**
   * A raw tracepoint rides on its tracepoint's site: a bridge handler there turns each record
   * into the TP_PROTO arguments and runs the raw site's handlers (in attach order, with the
   * tracepoint's own handlers in theirs).
   */
  private attachRaw(event: string, handler: ProbeHandler): Attachment | { readonly error: string } {
    let raw = this.rawSites.get(event);
    if (!raw) {
      const category = event === 'sys_enter' || event === 'sys_exit' ? 'raw_syscalls' : this.cat.rawTracepointCategory?.(event);
      const fmt = category === undefined ? undefined : this.cat.tracepoint(category, event);
      if (category === undefined || !fmt) return { error: `rawtracepoint not found: ${event}` };
      const site = new Site(`rawtracepoint:${event}`, RAW_ARGS_BYTES);
      const plan = rawArgPlan(category, event, fmt);
      const bridge: ProbeHandler = (_bytes, view) => {
        this.fillRawArgs(site, plan, view);
        const hs = site.handlers;
        for (let i = 0; i < hs.length; i++) hs[i]!(site.bytes, site.view);
      };
      raw = { site, category, bridge };
      this.rawSites.set(event, raw);
    }
    const { site, category, bridge } = raw;
    site.add(handler);
    if (site.nh === 1) {
      // Detached tracepoint sites are dropped from the hot tables: ask for the current one.
      const tp = this.tracepointSite(category, event);
      if (typeof tp === 'string') return { error: tp };
      tp.add(bridge);
      this.refreshProbeFlags();
    }
    return {
      bytes: site.bytes,
      view: site.view,
      size: site.size,
      detach: () => {
        site.remove(handler);
        if (site.nh > 0) return;
        const tp = this.tracepointSite(category, event);
        if (typeof tp !== 'string') tp.remove(bridge);
        this.refreshProbeFlags();
      },
    };
  }

  /** The raw arguments of one firing from its tracepoint record. */
  private fillRawArgs(site: Site, plan: readonly RawArgPlan[], record: DataView): void {
    const v = site.view;
    site.bytes.fill(0);
    for (let i = 0; i < plan.length; i++) {
      const p = plan[i]!;
      const off = i * 8;
      if (p.how === 0) put64(v, off, p.value);
      else if (p.how === 3) v.setBigUint64(off, this.kmem.addr(K_PTREGS, this.curTask), true);
      else {
        const x = readRecordField(record, p);
        if (p.how === 1) {
          if (typeof x === 'bigint') v.setBigUint64(off, x, true);
          else put64(v, off, x);
        } else v.setBigUint64(off, this.taskOfTid(Number(x)), true);
      }
    }
  }

  /** The task_struct address of a thread id (the CPU's idle task for 0), or 0 when it has none. */
  private taskOfTid(tid: number): bigint {
    if (tid === 0) return this.taskAddress(this.curCpu);
    const t = this.t;
    // Mostly the current task (an exiting one included); tids are never reused.
    if (t.tid[this.curTask] === tid) return this.taskAddress(this.curTask);
    for (let s = this.ncpu; s < t.cap; s++) if (t.tid[s] === tid) return this.taskAddress(s);
    return 0n;
  }

  private tracepointSite(category: string, event: string): Site | string {
    const key = `${category}:${event}`;
    const fmt = this.cat.tracepoint(category, event);
    if (!fmt) return `tracepoint not found: ${key}`;
    if (category === 'raw_syscalls') {
      if (event === 'sys_enter') return (this.rawEnter ??= new Site(key, fmt.size, fmt));
      if (event === 'sys_exit') return (this.rawExit ??= new Site(key, fmt.size, fmt));
    }
    if (category === 'syscalls') {
      const enter = event.startsWith('sys_enter_');
      const ev = event.slice(enter ? 10 : 9);
      const nr = this.nrEvent.indexOf(ev);
      if (nr >= 0) {
        const arr = enter ? this.sysEnterSites : this.sysExitSites;
        return (arr[nr] ??= new Site(key, fmt.size, fmt));
      }
    }
    const i = EMITTED_INDEX.get(key);
    if (i !== undefined) {
      const e = EMITTED[i]!;
      return (this.tps[i] ??= new Site(key, fmt.size, fmt, e.fields));
    }
    let site = this.otherTps.get(key);
    if (!site) {
      site = new Site(key, fmt.size, fmt);
      this.otherTps.set(key, site);
    }
    return site;
  }

  /** Marks which syscalls pass through a probed kernel function. */
  private refreshProbeFlags(): void {
    this.nrProbed.fill(0);
    const probed = new Set<string>();
    for (const [fn, k] of this.kfn) if (k.entry?.attached || k.ret?.attached || k.fentry?.attached || k.fexit?.attached) probed.add(fn);
    this.kfnAny = probed.size > 0;
    this.nrInfo.forEach((info, nr) => {
      if (!info) return;
      for (const path of [info.base, info.file, info.sock, info.tty, info.pipe, info.wake])
        if (path) for (const f of path.frames) if (probed.has(f.fn)) this.nrProbed[nr] = 1;
    });
    // Sites with no handlers stop costing: swap them out of the hot fields.
    if (this.rawEnter && !this.rawEnter.attached) this.rawEnter = null;
    if (this.rawExit && !this.rawExit.attached) this.rawExit = null;
    for (const arr of [this.tps, this.sysEnterSites, this.sysExitSites])
      for (let i = 0; i < arr.length; i++) if (arr[i] && !arr[i]!.attached) arr[i] = null;
  }

  /** The kernel path a syscall takes, by the kind of file its fd refers to. */
  private pathFor(s: number, nr: number, op: CompiledOp): KPath {
    const info = this.nrInfo[nr]!;
    if (op.kind === K_FUTEX && op.futexWake) return KERNEL_PATHS.get('futex:wake')!;
    if (info.file === null && info.sock === null && !(op.kind === K_CLOSE)) return info.base;
    const p = this.procs[this.t.proc[s]!]!;
    const fd = this.t.args[s * 6]!;
    const f = fd >= 0 && fd < p.fdFile.length ? p.fdFile[fd]! : -1;
    const kind = f >= 0 ? this.files.kind[f]! : F_FILE;
    if (op.kind === K_CLOSE) return kind === F_SOCKET ? KERNEL_PATHS.get('close:sock')! : info.base;
    switch (kind) {
      case F_SOCKET:
      case F_UNIX:
        return info.sock ?? info.base;
      case F_TTY:
        return info.tty ?? info.file ?? info.base;
      case F_PIPE:
      case F_EVENTFD:
      case F_EPOLL:
        return info.pipe ?? info.file ?? info.base;
      default:
        return info.file ?? info.base;
    }
  }

  private readonly kpOpen: number[] = [];

  private kprobesEnter(c: number, s: number, nr: number, op: CompiledOp): void {
    const path = this.pathFor(s, nr, op);
    this.kpOpen.length = 0;
    // A bad fd fails in fdget(): nothing below the syscall's first function runs.
    const badFd = this.t.ret[s] === -9;
    for (let i = 0; i < path.split; i++) if (!badFd || path.frames[i]!.depth <= 1) this.kframeEnter(c, s, nr, path, i);
  }

  private kprobesExit(c: number, s: number, nr: number, op: CompiledOp): void {
    const path = this.pathFor(s, nr, op);
    const open = this.kpStackFor(path);
    // A failed call stops where it failed: the work after the split point never happens.
    const end = this.t.ret[s]! < 0 ? path.split : path.frames.length;
    if (this.t.ret[s] === -9) for (let k = open.length - 1; k >= 0; k--) if (path.frames[open[k]!]!.depth > 1) open.splice(k, 1);
    for (let i = path.split; i < end; i++) {
      const d = path.frames[i]!.depth;
      while (open.length > 0 && path.frames[open[open.length - 1]!]!.depth >= d) this.kframeReturn(c, s, nr, path, open.pop()!);
      this.kframeEnterOnly(c, s, nr, path, i);
      open.push(i);
    }
    while (open.length > 0) this.kframeReturn(c, s, nr, path, open.pop()!);
  }

  /** Frames still open after the enter half: the spine to the split point. */
  private kpStackFor(path: KPath): number[] {
    const open: number[] = [];
    for (let i = 0; i < path.split; i++) {
      const d = path.frames[i]!.depth;
      while (open.length > 0 && path.frames[open[open.length - 1]!]!.depth >= d) open.pop();
      open.push(i);
    }
    return open;
  }

  private kframeEnter(c: number, s: number, nr: number, path: KPath, i: number): void {
    const open = this.kpOpen;
    const d = path.frames[i]!.depth;
    while (open.length > 0 && path.frames[open[open.length - 1]!]!.depth >= d) this.kframeReturn(c, s, nr, path, open.pop()!);
    this.kframeEnterOnly(c, s, nr, path, i);
    open.push(i);
  }

  private kframeEnterOnly(c: number, s: number, nr: number, path: KPath, i: number): void {
    const f = path.frames[i]!;
    const k = this.kfn.get(f.fn);
    if (!k) return;
    const entry = k.entry && k.entry.attached ? k.entry : null;
    const fentry = k.fentry && k.fentry.attached ? k.fentry : null;
    if (entry === null && fentry === null) return;
    this.ctx(c, s, KS_SYSCALL, nr);
    this.ksArg2 = i;
    this.kstackPath = path;
    this.curFuncIp = this.ksyms.address(f.fn) ?? 0n;
    if (entry !== null) {
      this.fillRegs(entry, s, f.fn, 1);
      for (let a = 0; a < f.args.length && a < 6; a++) this.putArg(entry, PT_ARG_OFFSETS[a]!, f.args[a]!, s, nr);
      this.fire(entry);
    }
    if (fentry !== null) {
      fentry.bytes.fill(0);
      for (let a = 0; a < f.args.length && a * 8 < fentry.size; a++) this.putArg(fentry, a * 8, f.args[a]!, s, nr);
      this.fire(fentry);
    }
    this.curFuncIp = 0n;
  }

  private kframeReturn(c: number, s: number, nr: number, path: KPath, i: number): void {
    const f = path.frames[i]!;
    const k = this.kfn.get(f.fn);
    if (!k) return;
    const ret = k.ret && k.ret.attached ? k.ret : null;
    const fexit = k.fexit && k.fexit.attached ? k.fexit : null;
    if (ret === null && fexit === null) return;
    this.ctx(c, s, KS_SYSCALL, nr);
    this.ksArg2 = i;
    this.kstackPath = path;
    // bpf_get_func_ip in a kretprobe/fexit is the probed function's entry, as at entry.
    this.curFuncIp = this.ksyms.address(f.fn) ?? 0n;
    if (ret !== null) {
      this.fillRegs(ret, s, f.fn, 0);
      // kretprobe: ip is the return address in the caller.
      this.putArg(ret, PT_REGS.ax, f.ret, s, nr);
      this.fire(ret);
    }
    if (fexit !== null) {
      fexit.bytes.fill(0);
      const n = Math.min(f.args.length, (fexit.size >> 3) - 1);
      for (let a = 0; a < n; a++) this.putArg(fexit, a * 8, f.args[a]!, s, nr);
      this.putArg(fexit, fexit.size - 8, f.ret, s, nr);
      this.fire(fexit);
    }
    this.curFuncIp = 0n;
  }

  /** kprobes on functions outside syscall paths (schedule, tcp_set_state, block accounting…). */
  private fireKfnEntry(fn: string, arg0: bigint | null, arg1?: number): void {
    const k = this.kfn.get(fn);
    if (!k) return;
    const entry = k.entry && k.entry.attached ? k.entry : null;
    const fentry = k.fentry && k.fentry.attached ? k.fentry : null;
    const ret = k.ret && k.ret.attached ? k.ret : null;
    if (entry === null && fentry === null && ret === null) return;
    this.curFuncIp = this.ksyms.address(fn) ?? 0n;
    const saved = this.ksKind;
    this.ksKind = KS_TIMER;
    this.ksArg = 0;
    this.kfnName = fn;
    if (entry !== null) {
      this.fillRegs(entry, this.curTask, fn, 1);
      if (arg0 !== null) entry.view.setBigUint64(PT_REGS.di, arg0, true);
      if (arg1 !== undefined) put64(entry.view, PT_REGS.si, arg1);
      this.fire(entry);
    }
    if (fentry !== null) {
      fentry.bytes.fill(0);
      if (arg0 !== null && fentry.size >= 8) fentry.view.setBigUint64(0, arg0, true);
      if (arg1 !== undefined && fentry.size >= 16) put64(fentry.view, 8, arg1);
      this.fire(fentry);
    }
    if (ret !== null) {
      this.fillRegs(ret, this.curTask, fn, 0);
      put64(ret.view, PT_REGS.ax, 0);
      this.fire(ret);
    }
    this.ksKind = saved;
    this.curFuncIp = 0n;
  }

  /** cap_capable(cred, ns, cap, opts) for a capability check an op makes outside its kernel path. */
  private fireCapable(c: number, s: number, p: Proc, cap: number): void {
    const k = this.kfn.get('cap_capable');
    if (!k) return;
    const entry = k.entry && k.entry.attached ? k.entry : null;
    const ret = k.ret && k.ret.attached ? k.ret : null;
    const fentry = k.fentry && k.fentry.attached ? k.fentry : null;
    if (entry === null && ret === null && fentry === null) return;
    this.ctx(c, s, KS_TIMER, 0);
    this.kfnName = 'cap_capable';
    this.curFuncIp = this.ksyms.address('cap_capable') ?? 0n;
    const cred = this.kmem.addr(K_CRED, p.index);
    const ns = this.kmem.addr(K_MISC, MISC_USERNS);
    if (entry !== null) {
      this.fillRegs(entry, s, 'cap_capable', 1);
      entry.view.setBigUint64(PT_REGS.di, cred, true);
      entry.view.setBigUint64(PT_REGS.si, ns, true);
      put64(entry.view, PT_REGS.dx, cap);
      put64(entry.view, PT_REGS.cx, 0);
      this.fire(entry);
    }
    if (fentry !== null) {
      fentry.bytes.fill(0);
      fentry.view.setBigUint64(0, cred, true);
      fentry.view.setBigUint64(8, ns, true);
      if (fentry.size >= 24) put64(fentry.view, 16, cap);
      this.fire(fentry);
    }
    if (ret !== null) {
      this.fillRegs(ret, s, 'cap_capable', 0);
      put64(ret.view, PT_REGS.ax, p.uid === 0 ? 0 : -1);
      this.fire(ret);
    }
    this.curFuncIp = 0n;
  }

  private kfnName = '';
  private kstackPath: KPath | null = null;

  /** pt_regs with the kernel stack pointer, segment registers and ip inside the function. */
  private fillRegs(site: Site, s: number, fn: string, ipPlus: number): void {
    const v = site.view;
    site.bytes.fill(0, 0, PT_REGS_SIZE);
    v.setUint32(PT_REGS.ip, this.ksyms.lo(fn, ipPlus), true);
    v.setUint32(PT_REGS.ip + 4, 0xffffffff, true);
    v.setUint32(PT_REGS.cs, 0x10, true);
    v.setUint32(PT_REGS.flags, 0x246, true);
    v.setUint32(PT_REGS.ss, 0x18, true);
    v.setUint32(PT_REGS.sp, this.kmem.lo(K_KSTACK, s) + 0x3e00, true);
    v.setUint32(PT_REGS.sp + 4, kernelAddressHi(K_KSTACK), true);
    v.setUint32(PT_REGS.bp, this.kmem.lo(K_KSTACK, s) + 0x3e80, true);
    v.setUint32(PT_REGS.bp + 4, kernelAddressHi(K_KSTACK), true);
    v.setInt32(PT_REGS.orig_ax, -1, true);
    v.setInt32(PT_REGS.orig_ax + 4, -1, true);
  }

  /** Writes the value of argument source `src` at byte `off` of the site's buffer. */
  private putArg(site: Site, off: number, src: number, s: number, nr: number): void {
    const v = site.view;
    const t = this.t;
    const a0 = s * 6;
    const p = this.procs[t.proc[s]!];
    const fd = t.args[a0]!;
    const file = p && fd >= 0 && fd < p.fdFile.length ? p.fdFile[fd]! : -1;
    const kptr = (cls: number, idx: number, plus = 0): void => {
      v.setUint32(off, (this.kmem.lo(cls, idx) + plus) >>> 0, true);
      v.setUint32(off + 4, kernelAddressHi(cls), true);
    };
    const op = this.ops[t.op[s]!]!;
    switch (src) {
      case KA.zero:
        put64(v, off, 0);
        return;
      case KA.one:
        put64(v, off, 1);
        return;
      case KA.uregs:
        kptr(K_PTREGS, s);
        return;
      case KA.fd:
        put64(v, off, op.kind === K_EXIT ? t.args[a0]! : fd);
        return;
      case KA.file:
      case KA.filep:
        if (src === KA.filep && t.ret[s]! < 0 && t.phase[s] === PH_KERNEL && file < 0) put64(v, off, t.ret[s]!);
        else if (file >= 0) kptr(K_FILE, file);
        else kptr(K_FILE, this.pendingFile(s));
        return;
      case KA.path:
        kptr(K_FILE, file >= 0 ? file : this.pendingFile(s), this.kmem.fieldOffset('struct file', 'f_path'));
        return;
      case KA.ppos:
        kptr(K_FILE, file >= 0 ? file : 0, this.kmem.fieldOffset('struct file', 'f_pos'));
        return;
      case KA.inode: {
        const f = file >= 0 ? file : this.pendingFile(s);
        kptr(K_INODE, Math.max(0, this.files.dentry[f] ?? 0));
        return;
      }
      case KA.dentry:
      case KA.dirinode: {
        const d = this.pathDentry(s, p, nr);
        if (src === KA.dirinode) kptr(K_INODE, this.dents.parent[d]!);
        else kptr(K_DENTRY, d);
        return;
      }
      case KA.qstr:
        kptr(K_DENTRY, this.pathDentry(s, p, nr), this.kmem.fieldOffset('struct dentry', 'd_name'));
        return;
      case KA.ubuf: {
        // The user pointer the syscall carries in its second register (buf, filename, ubuf).
        put64(v, off, op.kind === K_READ || op.kind === K_WRITE || op.kind === K_WAITEV || op.kind === K_FUTEX ? (op.kind === K_FUTEX ? t.args[a0]! : t.args[a0 + 1]!) : t.args[a0 + 1]!);
        return;
      }
      case KA.upath:
        put64(v, off, t.args[a0 + op.pathArg]!);
        return;
      case KA.count:
        put64(v, off, op.kind === K_READ || op.kind === K_WRITE ? t.args[a0 + 2]! : t.args[a0 + 2]!);
        return;
      case KA.pos:
        put64(v, off, file >= 0 ? this.files.pos[file]! : 0);
        return;
      case KA.dfd:
        put64(v, off, AT_FDCWD);
        return;
      case KA.kfilename:
        kptr(K_FILENAME, s);
        return;
      case KA.how:
      case KA.kstat:
      case KA.msg:
      case KA.kiocb:
      case KA.iter:
      case KA.sleeper:
      case KA.cloneargs:
      case KA.acceptarg:
      case KA.nameidata:
      case KA.bprm:
      case KA.iov:
      case KA.ksockaddr:
        kptr(K_KSTACK, s, 0x3c00 + (src & 15) * 0x20);
        return;
      case KA.sock:
      case KA.socket: {
        const sock = file >= 0 ? this.files.sock[file]! : -1;
        if (sock >= 0) kptr(src === KA.sock ? K_SOCK : K_SOCKOBJ, sock);
        else put64(v, off, 0);
        return;
      }
      case KA.newsock: {
        const r = t.ret[s]!;
        const nf = p && r >= 0 && r < p.fdFile.length ? p.fdFile[r]! : -1;
        const sock = nf >= 0 ? this.files.sock[nf]! : -1;
        if (sock >= 0) kptr(K_SOCK, sock);
        else put64(v, off, r < 0 ? r : 0);
        return;
      }
      case KA.addrlen:
        put64(v, off, 16);
        return;
      case KA.flags:
        put64(v, off, t.args[a0 + (this.nrInfo[nr]!.name === 'futex' ? 1 : 3)]! | 0);
        return;
      case KA.task:
        kptr(K_TASK, s);
        return;
      case KA.child:
        kptr(K_TASK, this.pendingChild >= 0 ? this.pendingChild : s);
        return;
      case KA.childpid:
      case KA.ret:
        put64(v, off, t.ret[s]!);
        return;
      case KA.ktime: {
        const view = t.stackViews[s];
        const o = STACK_BYTES - STK_TIMESPEC;
        put64(v, off, view ? Number(view.getBigInt64(o, true)) * 1e9 + Number(view.getBigInt64(o + 8, true)) : 0);
        return;
      }
      case KA.rel:
        put64(v, off, 1);
        return;
      case KA.clockid:
        put64(v, off, this.nrInfo[nr]!.name === 'clock_nanosleep' ? t.args[a0]! : 1);
        return;
      case KA.code:
        put64(v, off, (t.args[a0]! & 0xff) << 8);
        return;
      case KA.cred:
        kptr(K_CRED, t.proc[s]!);
        return;
      case KA.cap:
        put64(v, off, op.cap >= 0 ? op.cap : this.nrInfo[nr]!.name.includes('gid') ? 6 : 7);
        return;
      case KA.datasync:
        put64(v, off, 0);
        return;
      case KA.llmax:
        v.setUint32(off, 0xffffffff, true);
        v.setUint32(off + 4, 0x7fffffff, true);
        return;
      case KA.mask:
        put64(v, off, 0x7ff);
        return;
      case KA.net:
        kptr(K_MISC, MISC_NET);
        return;
      case KA.userns:
        kptr(K_MISC, MISC_USERNS);
        return;
      case KA.idmap:
        kptr(K_MISC, MISC_IDMAP);
        return;
      case KA.offset:
        put64(v, off, t.args[a0 + 1]!);
        return;
      case KA.whence:
        put64(v, off, t.args[a0 + 2]!);
        return;
      case KA.skb:
        kptr(K_SKB, this.curCpu);
        return;
      case KA.sig:
        put64(v, off, t.args[a0 + 1]!);
        return;
      default:
        put64(v, off, 0);
    }
  }

  /** The file an open in progress will install (its slot after the syscall returns), else 0. */
  private pendingFile(s: number): number {
    const p = this.procs[this.t.proc[s]!];
    const r = this.t.ret[s]!;
    if (p && r >= 0 && r < p.fdFile.length && p.fdFile[r]! >= 0) return p.fdFile[r]!;
    return this.files.used > 0 ? this.files.used - 1 : 0;
  }

  private pathDentry(s: number, p: Proc | null, _nr: number): number {
    if (!p) return 0;
    const op = this.ops[this.t.op[s]!]!;
    const i = op.pathArg;
    const id = this.t.args[s * 6 + i]! - p.rodataBase;
    return id >= 0 && id < this.wl.strings.length ? this.dentOfId(id) : 0;
  }

  // ── timer-driven sites (profile, interval, clock-based perf events) ──

  private readonly timerMode: ('all' | 'one' | 'busy')[] = [];

  private registerTimerSite(site: Site, mode: 'all' | 'one' | 'busy'): void {
    site.timer = this.timerSites.length;
    this.timerSites.push(site);
    this.timerMode.push(mode);
  }

  private startTimerSite(site: Site): void {
    const mode = this.timerMode[site.timer]!;
    this.timerStart[site.timer] = this.now;
    const ticks = new Float64Array(this.ncpu).fill(1);
    this.timerTicks[site.timer] = ticks;
    const first = Math.floor(this.now + site.periodNs);
    if (mode === 'one') this.pushTimer(first, T_SITE, site.timer, 0);
    else for (let c = 0; c < this.ncpu; c++) this.pushTimer(first, T_SITE, site.timer, c);
  }

  private readonly timerStart: number[] = [];
  /** Per timer site and CPU: how many ticks have fired (tick k is due at start + k·period, no drift). */
  private readonly timerTicks: Float64Array[] = [];

  private fireTimerSite(idx: number, c: number): void {
    const site = this.timerSites[idx]!;
    if (!site.attached) return;
    const mode = this.timerMode[idx]!;
    const ticks = this.timerTicks[idx]!;
    const k = ++ticks[c]!;
    this.pushTimer(Math.floor(this.timerStart[idx]! + k * site.periodNs), T_SITE, idx, c);
    const cur = this.cpuCur[c]!;
    if (mode === 'busy' && cur < this.ncpu) return;
    this.perfContext(site, c, cur);
    this.fire(site);
  }

  /** bpf_perf_event_data for CPU c's current state: user ip, kernel ip in a syscall, or idle. */
  private perfContext(site: Site, c: number, s: number): void {
    const t = this.t;
    const v = site.view;
    site.bytes.fill(0, 0, PERF_EVENT_DATA_SIZE);
    put64(v, PERF_SAMPLE_PERIOD, site.period);
    put64(v, PERF_ADDR, 0);
    v.setUint32(PT_REGS.flags, 0x246, true);
    if (s >= this.ncpu && (t.phase[s] === PH_USER || t.phase[s] === PH_FORKED)) {
      // In user mode: the ip is the innermost user frame; the kernel stack is empty.
      this.ctx(c, s, KS_NONE, 0);
      const ust = this.ustackFor(s);
      const ip = ust.length > 0 ? Number(ust[0]!) : 0;
      put64(v, PT_REGS.ip, ip);
      put64(v, PT_REGS.sp, t.stackTop[s]! - 0x1800 - (ip & 0x3f0));
      v.setUint32(PT_REGS.cs, 0x33, true);
      v.setUint32(PT_REGS.ss, 0x2b, true);
      return;
    }
    if (s < this.ncpu) this.ctx(c, s, KS_IDLE, 0);
    else if (t.phase[s] === PH_KWORK) this.ctx(c, s, KS_KWORK, 0);
    else {
      const nr = t.nr[s]!;
      this.ctx(c, s, KS_PROFILE, nr);
      this.kstackPath = nr >= 0 ? this.pathFor(s, nr, this.ops[t.op[s]!]!) : null;
    }
    // In the kernel: the ip is the innermost frame of the stack the sample sees.
    const ks = this.kernelStack();
    if (ks.length > 0) v.setBigUint64(PT_REGS.ip, ks[0]!, true);
    v.setUint32(PT_REGS.cs, 0x10, true);
    v.setUint32(PT_REGS.ss, 0x18, true);
  }

  private countSoftware(sites: Site[], n: number): void {
    for (const site of sites) {
      if (!site.attached) continue;
      site.count += n;
      if (site.count >= site.period) {
        site.count %= site.period;
        this.perfContext(site, this.curCpu, this.curTask);
        this.fire(site);
      }
    }
  }

  // ═══════════════════════════ stacks ═══════════════════════════════════════════════

  private kstackFor(kind: number, arg: number, arg2: number): readonly bigint[] {
    if (kind === KS_NONE) return EMPTY_STACK;
    // A task blocked in a syscall: the path its file kind takes (arg2 is the task's slot).
    if (kind === KS_SWITCH_SYSCALL) this.kstackPath = arg >= 0 && arg2 >= this.ncpu ? this.pathFor(arg2, arg, this.ops[this.t.op[arg2]!]!) : null;
    // key = kind + 32·(a + 1024·(b + 256·c)), each part bounded, so distinct stacks never share a key.
    let a = 0;
    let b = 0;
    let cc = 0;
    switch (kind) {
      case KS_SYSCALL:
        a = arg & 0x3ff;
        b = arg2 & 0xff;
        cc = this.kstackPath ? KPATH_IDS.get(this.kstackPath) ?? 0 : 0;
        break;
      case KS_PROFILE:
      case KS_SWITCH_SYSCALL:
        a = arg & 0x3ff;
        cc = this.kstackPath ? KPATH_IDS.get(this.kstackPath) ?? 0 : 0;
        break;
      case KS_SWITCH_KWORK:
      case KS_SYS_ENTER:
      case KS_SYS_EXIT:
        a = arg & 0x3ff;
        break;
      case KS_TIMER:
        a = hashName(this.kfnName) & 0x3ff;
        break;
      case KS_SWITCH_IDLE:
      case KS_IDLE:
        a = this.curCpu === 0 ? 1 : 0;
        break;
    }
    const key = kind + 32 * (a + 1024 * (b + 256 * cc));
    let st = this.stackCache.get(key);
    if (st) return st;
    const names = this.kstackNames(kind, arg, arg2);
    // A return address depends on the call it returns from: salt each frame with its callee.
    st = names.map((n, i) => this.ksyms.frame(n, i === 0 ? 0 : hashName(names[i - 1]!) + 1));
    if (kind === KS_SYSCALL || kind === KS_TIMER) {
      // In a kprobe the innermost frame is the probed function, just past the probe's int3.
      const f = this.ksyms.address(names[0]!);
      if (f !== undefined) (st as bigint[])[0] = f + 1n;
    }
    if (kind === KS_SYSCALL || kind === KS_TIMER) {
      // The innermost frame of a kprobe is the function's own address (+0 ... +4 for the probe).
      const a = this.ksyms.address(names[0]!);
      if (a !== undefined) (st as bigint[])[0] = a;
    }
    this.stackCache.set(key, st);
    return st;
  }

  private kstackNames(kind: number, arg: number, arg2: number): string[] {
    const entry = ['do_syscall_64', 'entry_SYSCALL_64_after_hwframe'];
    const idleTail = this.curCpu === 0
      ? ['do_idle', 'cpu_startup_entry', 'rest_init', 'start_kernel', 'x86_64_start_reservations', 'x86_64_start_kernel', 'common_startup_64']
      : ['do_idle', 'cpu_startup_entry', 'start_secondary', 'common_startup_64'];
    const spine = (path: KPath | null, upto: number): string[] => {
      if (!path) return [];
      const out: string[] = [];
      let depth = INF;
      for (let i = Math.min(upto, path.frames.length - 1); i >= 0; i--) {
        const f = path.frames[i]!;
        if (f.depth < depth) {
          out.push(f.fn);
          depth = f.depth;
        }
      }
      return out;
    };
    switch (kind) {
      case KS_SYS_ENTER:
        return ['syscall_trace_enter', ...entry];
      case KS_SYS_EXIT:
        return ['syscall_exit_to_user_mode', ...entry];
      case KS_SYSCALL:
        return [...spine(this.kstackPath ?? this.nrInfo[arg]?.base ?? null, arg2), 'x64_sys_call', ...entry];
      case KS_PROFILE: {
        const path = this.kstackPath ?? this.nrInfo[arg]?.base ?? null;
        return [...spine(path, path ? path.split - 1 : 0), 'x64_sys_call', ...entry];
      }
      case KS_SWITCH_SYSCALL: {
        const path = this.kstackPath ?? this.nrInfo[arg]?.base ?? null;
        const sp = spine(path, path ? path.split - 1 : 0);
        return ['__schedule', ...(sp[0] === 'schedule' ? [] : ['schedule']), ...sp, 'x64_sys_call', ...entry];
      }
      case KS_SWITCH_IDLE:
        return ['__schedule', 'schedule_idle', ...idleTail];
      case KS_SWITCH_PREEMPT:
        return ['__schedule', 'schedule', 'exit_to_user_mode_loop', 'irqentry_exit_to_user_mode', 'asm_sysvec_apic_timer_interrupt'];
      case KS_SWITCH_KWORK:
        return ['__schedule', 'schedule', ...KTHREAD_LOOPS[arg]!, 'kthread', 'ret_from_fork', 'ret_from_fork_asm'];
      case KS_IDLE:
        return ['pv_native_safe_halt', 'default_idle', 'default_idle_call', ...idleTail];
      case KS_IRQ_BLOCK:
        return ['blk_mq_complete_request', 'nvme_irq', '__handle_irq_event_percpu', 'handle_irq_event', 'handle_edge_irq', '__common_interrupt', 'common_interrupt', 'asm_common_interrupt'];
      case KS_KWORK:
        return ['blk_mq_submit_bio', 'submit_bio', 'ext4_io_submit', 'ext4_writepages', 'do_writepages', '__writeback_single_inode', 'writeback_sb_inodes', 'wb_writeback', 'wb_workfn', 'process_one_work', 'worker_thread', 'kthread', 'ret_from_fork', 'ret_from_fork_asm'];
      case KS_TIMER:
        return this.kfnName ? [this.kfnName, '__schedule', 'schedule'] : ['hrtimer_interrupt', '__sysvec_apic_timer_interrupt', 'sysvec_apic_timer_interrupt', 'asm_sysvec_apic_timer_interrupt'];
      case KS_FORK_CHILD:
        return ['syscall_exit_to_user_mode', 'ret_from_fork', 'ret_from_fork_asm'];
      case KS_WAKEUP:
        return ['try_to_wake_up', 'hrtimer_wakeup', '__hrtimer_run_queues', 'hrtimer_interrupt', '__sysvec_apic_timer_interrupt', 'sysvec_apic_timer_interrupt', 'asm_sysvec_apic_timer_interrupt'];
      case KS_EXIT:
        return ['do_exit', 'do_group_exit', '__x64_sys_exit_group', 'x64_sys_call', ...entry];
      case KS_SWITCH_EXIT:
        return ['__schedule', 'do_task_dead', 'do_exit', 'do_group_exit', '__x64_sys_exit_group', 'x64_sys_call', ...entry];
      default:
        return [];
    }
  }

  private ustackFor(s: number): readonly bigint[] {
    if (s < this.ncpu) return EMPTY_STACK;
    const t = this.t;
    const p = this.procs[t.proc[s]!];
    if (!p || p.kernel) return EMPTY_STACK;
    const inSyscall = t.phase[s] === PH_KERNEL || t.nr[s]! >= 0;
    const key = p.index * 0x1000000 + (t.op[s]! & 0xffff) * 0x100 + (inSyscall ? 1 : 0) * 2 + (p.threads[0] === s ? 1 : 0);
    const cached = this.ustackCache.get(key);
    if (cached && this.ustackOwner.get(key) === p.exeBase) return cached;
    const tab = this.progSyms[p.program]!;
    const frames: bigint[] = [];
    const libc = (name: string, salt: number): void => {
      const off = this.libcSyms.offsetOf(name);
      if (off !== undefined) frames.push(BigInt(p.libcBase + off + frameOffset(name, salt, this.libcSyms.sizeOf(name))));
    };
    const exe = (name: string, salt: number): void => {
      const off = tab.offsetOf(name);
      if (off !== undefined) frames.push(BigInt(p.exeBase + off + frameOffset(name, salt, tab.sizeOf(name))));
    };
    const op = this.ops[t.op[s]!]!;
    if (inSyscall) libc(LIBC_WRAPPER[op.syscall] ?? 'syscall', 1);
    const own = tab.names.filter((n) => n !== '_start' && n !== 'main');
    const depth = own.length === 0 ? 0 : 1 + (mix32(t.op[s]! ^ 0x77) % Math.min(4, own.length));
    for (let i = 0; i < depth; i++) exe(own[(mix32(t.op[s]! * 7 + i) % own.length)]!, i + 2);
    if (p.threads[0] === s || p.threads.length === 0) {
      exe('main', 9);
      libc('__libc_start_call_main', 10);
      libc('__libc_start_main_impl', 11);
      exe('_start', 12);
    } else {
      libc('start_thread', 13);
      libc('__clone3', 14);
    }
    this.ustackCache.set(key, frames);
    this.ustackOwner.set(key, p.exeBase);
    return frames;
  }

  private readonly ustackOwner = new Map<number, number>();

  // ═══════════════════════════ user memory ══════════════════════════════════════════

  /** Bytes of the mapping the last userMapping() call found, and its end offset. */
  private mapBytes: Uint8Array | null = null;
  private mapEnd = 0;

  /**
   * Finds [addr, addr+len) in the current process: returns the offset into mapBytes, or -1
   * (EFAULT) when any byte is unmapped.
   */
  private userMapping(addr: number, len: number): number {
    const s = this.curTask;
    if (s < this.ncpu) return -1;
    const t = this.t;
    const p = this.procs[t.proc[s]!];
    if (!p || p.kernel) return -1;
    const try1 = (start: number, bytes: Uint8Array): number => {
      if (addr >= start && addr + len <= start + bytes.length) {
        this.mapBytes = bytes;
        this.mapEnd = bytes.length;
        return addr - start;
      }
      return -1;
    };
    let r = try1(p.rodataBase, this.wl.strings);
    if (r >= 0) return r;
    r = try1(p.heapBase, this.heapContent);
    if (r >= 0) return r;
    for (const th of p.threads) {
      const b = t.stacks[th];
      if (b) {
        r = try1(t.stackTop[th]! - STACK_BYTES, b);
        if (r >= 0) return r;
      }
    }
    // A zombie's own stack is still readable in its exit path.
    const own = t.stacks[s];
    if (own) {
      r = try1(t.stackTop[s]! - STACK_BYTES, own);
      if (r >= 0) return r;
    }
    return -1;
  }
}

const EMPTY_STACK: readonly bigint[] = Object.freeze([]);
/** Block tracepoints at issue and at completion, in the order the kernel fires them. */
const RQ_ISSUE_TPS: readonly number[] = [TP_BIO_QUEUE, TP_GETRQ, TP_IO_START, TP_RQ_INSERT, TP_RQ_ISSUE];
const RQ_DONE_TPS: readonly number[] = [TP_RQ_COMPLETE, TP_IO_DONE];
// Argument shapes fillArgs writes without its per-argument loop (CompiledOp.argShape).
const SHAPE_OTHER = 0;
const SHAPE_NONE = 1;
const SHAPE_FD = 2;
const SHAPE_FD_BUF_COUNT = 3;
const SHAPE_AT_PATH = 4;

/** The shape of an op's dynamic arguments (positions and sources). */
function argShape(op: CompiledOp): number {
  const key = Array.from({ length: op.dynN }, (_, k) => `${op.dynPos[k]}:${op.dynSrc[k]}`).join(' ');
  if (key === '') return SHAPE_NONE;
  if (key === `0:${A_FD}`) return SHAPE_FD;
  if (key === `0:${A_FD} 1:${A_BUF} 2:${A_COUNT}`) return SHAPE_FD_BUF_COUNT;
  if (key === `1:${A_PATH}`) return SHAPE_AT_PATH;
  return SHAPE_OTHER;
}

/** Kinds whose exit changes fd tables, sockets or the address space (sysExitEffects), besides reads and writes. */
const EXIT_FX_KINDS: ReadonlySet<number> = new Set([K_OPEN, K_CLOSE, K_SOCKET, K_DUP, K_PIPE, K_MMAP, K_SETID, K_SENDFILE, K_ACCEPT]);
/** Kinds a plain call may have (World.plainOp). */
const PLAIN_KINDS: ReadonlySet<number> = new Set([K_GENERIC, K_FDOP, K_PATH, K_READ, K_WRITE, K_OPEN, K_CLOSE, K_SOCKET, K_DUP, K_PIPE, K_MMAP, K_SETID, K_SENDFILE, K_ACCEPT]);
/** 2^-32: the high word of a safe integer is floor(x · 2^-32), its low word ToInt32(x). */
const TWO_M32 = 2 ** -32;

/** The string id of one of an op's paths, drawn with r (a small integer: never boxed). */
function pathId(paths: Int32Array, r: number): number {
  const n = paths.length;
  if (n === 0) return 0;
  return paths[n === 1 ? 0 : Math.floor((r / DRAW_RANGE) * n)]!;
}

/** The op that follows `op` for draw r. */
function nextOf(op: CompiledOp, r: number): number {
  return op.nextTab[r >>> op.nextShift]!;
}
const KPATH_IDS = new Map<KPath, number>([...KERNEL_PATHS.values()].map((p, i) => [p, i + 1]));

/** The main loop a kernel thread sleeps in, by kind (see kthreadLoop). */
const KTHREAD_LOOPS: readonly (readonly string[])[] = [
  ['worker_thread'],
  ['smpboot_thread_fn'],
  ['schedule_timeout', 'rcu_gp_kthread'],
  ['kjournald2'],
  ['kthreadd'],
];

/** Which KTHREAD_LOOPS entry a kernel thread's comm names. */
function kthreadLoop(comm: Uint8Array, s: number): number {
  const c0 = comm[s * 16]!;
  const c1 = comm[s * 16 + 1]!;
  if (c0 === 0x6b && c1 === 0x73) return 1; // ksoftirqd
  if (c0 === 0x72) return 2; // rcu_*
  if (c0 === 0x6a) return 3; // jbd2
  if (c0 === 0x6b && c1 === 0x74) return 4; // kthreadd
  return 0;
}

function hashName(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return (h >>> 0) % 4093;
}


/** Events per ns of the hardware counters bpftrace can sample (a 3 GHz core at IPC 1.2). */
const HARDWARE_RATES: Readonly<Record<string, number>> = {
  'cpu-cycles': 3, cycles: 3, 'ref-cycles': 2.5, instructions: 3.6, 'branch-instructions': 0.6, branches: 0.6,
  'branch-misses': 0.006, 'cache-references': 0.02, 'cache-misses': 0.002, 'bus-cycles': 0.1,
  'frontend-stalls': 0.5, 'backend-stalls': 0.9,
};

/** Copies a NUL-terminated string (at most len bytes with the NUL); -EFAULT when it runs off the mapping. */
function copyStr(src: Uint8Array, from: number, end: number, dst: Uint8Array, off: number, len: number): number {
  let n = 0;
  const max = len - 1;
  while (n < max) {
    if (from + n >= end) {
      dst.fill(0, off, off + len);
      return EFAULT;
    }
    const b = src[from + n]!;
    if (b === 0) break;
    dst[off + n] = b;
    n++;
  }
  dst[off + n] = 0;
  return n + 1;
}

/** 256 KiB of plausible heap bytes (text lines and small binary records), seeded: what user buffers hold. */
function makeHeapContent(seed: number): Uint8Array {
  const b = new Uint8Array(0x40000);
  const r = new Sfc32(seed, 5);
  const words = ['GET', '/index.html', 'HTTP/1.1', 'Host:', 'localhost', 'user', 'id', 'value', 'status', 'ok', 'error', 'SELECT', 'FROM', 'WHERE', 'the', 'data', 'json', '{"k":', '1}', 'Content-Length:', '200', 'cache', 'log', 'info', 'warn', 'debug'];
  let i = 0;
  while (i < b.length - 64) {
    if (r.below(8) === 0) {
      const n = 8 + r.below(40);
      for (let k = 0; k < n && i < b.length; k++) b[i++] = r.below(256);
      continue;
    }
    const w = words[r.below(words.length)]!;
    for (let k = 0; k < w.length; k++) b[i++] = w.charCodeAt(k);
    b[i++] = r.below(6) === 0 ? 10 : 32;
  }
  return b;
}

export function resolveWorkload(w: string | WorkloadJson | CompiledWorkload, catalog: WorldCatalog): CompiledWorkload {
  if (typeof w === 'object' && 'ops' in w && 'strings' in w) return w;
  const json = typeof w === 'string' ? loadBundledWorkload(w) : w;
  if (typeof json === 'string') throw new Error(json);
  const compiled = compileWorkload(json, catalog);
  if (Array.isArray(compiled)) throw new Error(`workload '${json.name}':\n  ${compiled.join('\n  ')}`);
  return compiled;
}

/** The world of a seed, a CPU count and a workload. */
export function createWorld(opts: WorldOptions = {}): World {
  return new World(opts);
}
