// A process (thread group) of the synthetic kernel: its fd table, children, futex waiters and
// simulated address space — the executable's string table (paths, argv) mapped read-only at
// a seeded PIE base, a heap whose bytes are shared world-wide plausible data, libc, and one
// small stack per thread. In: layout seeds. Out: user-memory reads (EFAULT outside mappings).
// Not the task table: threads are slots in TaskTable; Proc holds what they share.

export const MAX_FDS = 1024;
export const EFAULT = -14;
/** Bytes of each thread's stack that are backed (the top of the stack). */
export const STACK_BYTES = 16384;
/** Offsets below the stack top of per-call structs the world writes (argv, timespec…). */
export const STK_ARGS = 0x400; // argv/env strings of the process (main thread), up to 0x400 bytes
export const STK_ARGV = 0x600; // argv pointer array (execve argument), 32 pointers
export const STK_ENVP = 0x700;
export const STK_TIMESPEC = 0x720;
export const STK_SOCKADDR = 0x740;
export const STK_SOCKLEN = 0x750;
export const STK_IOV = 0x760;
export const STK_SCRATCH = 0xa00; // struct stat, sigaction, msghdr… (0x200 bytes)
export const STK_FUTEX = 0xc00;

export class Proc {
  /** fd → file slot, or -1. */
  readonly fdFile = new Int32Array(MAX_FDS).fill(-1);
  /** Named fd index (workload fdNames) → fd number, or -1. */
  readonly named: Int32Array;
  /** Task slots of its live threads; threads[0] is the leader while it lives. */
  readonly threads: number[] = [];
  /** Slots of exited children not yet reaped. */
  readonly zombies: number[] = [];
  liveChildren = 0;
  /** Slot of a thread blocked in wait4 for any child, or -1. */
  waiter = -1;
  /** Futex word → head of the waiting task list (TaskTable.futexNext links). */
  readonly futexHead = new Int32Array(64).fill(-1);
  exited = false;
  exitCode = 0;
  /** Pending SIGCHLD-style signal for handled delivery (0 none). */
  spawned = false;
  /** Lowest fd not known to be used (search hint). */
  fdHint = 0;
  /** Count of page faults (software:page-faults). */
  faults = 0;

  // Address space. Numbers: every user address is below 2^47.
  exeBase = 0;
  rodataBase = 0;
  heapBase = 0;
  heapEnd = 0;
  libcBase = 0;
  mmapNext = 0;
  /** Bytes of the argv/env block at the top of the main stack, and where it lies. */
  argStart = 0;
  argEnd = 0;
  envEnd = 0;

  constructor(
    readonly index: number,
    public tgid: number,
    public leader: number,
    public program: number,
    public parent: number,
    public uid: number,
    public gid: number,
    public cgroup: number,
    readonly kernel: boolean,
    fdNameCount: number,
  ) {
    this.named = new Int32Array(fdNameCount).fill(-1);
  }

  /** Lowest free fd ≥ from (Linux's allocation rule), or -1 when the table is full. */
  lowestFreeFd(from = 0): number {
    for (let fd = Math.max(from, this.fdHint); fd < MAX_FDS; fd++) {
      if (this.fdFile[fd] === -1) {
        // Everything below the first free fd is in use: remember where to start next time.
        if (from <= this.fdHint) this.fdHint = fd;
        return fd;
      }
    }
    if (from <= this.fdHint) this.fdHint = MAX_FDS;
    return -1;
  }

  installFd(fd: number, file: number): void {
    this.fdFile[fd] = file;
    if (fd === this.fdHint) this.fdHint = fd + 1;
  }

  clearFd(fd: number): void {
    this.fdFile[fd] = -1;
    if (fd < this.fdHint) this.fdHint = fd;
  }
}

/** A read-only or shared byte range of user memory. */
export interface Mapping {
  readonly start: number;
  readonly bytes: Uint8Array;
}
