// How the synthetic kernel fills and interprets each system call it simulates: a semantic
// kind (what the call does to the world: opens an fd, blocks, forks…) and, per argument
// position, where the value comes from (the op's fd, a path string in user memory, a size
// draw, a timespec written to the thread's stack…). Data walked by the world; syscalls
// without a recipe are GENERIC (arguments from the profile or zero, return from the profile).

export const K_GENERIC = 0;
export const K_READ = 1;
export const K_WRITE = 2;
export const K_OPEN = 3;
export const K_CLOSE = 4;
export const K_PATH = 5;
export const K_FDOP = 6;
export const K_SOCKET = 7;
export const K_CONNECT = 8;
export const K_ACCEPT = 9;
export const K_WAITEV = 10;
export const K_FUTEX = 11;
export const K_SLEEP = 12;
export const K_EXECVE = 13;
export const K_CLONE = 14;
export const K_EXIT = 15;
export const K_WAIT = 16;
export const K_KILL = 17;
export const K_MMAP = 18;
export const K_SETID = 19;
export const K_SYNC = 20;
export const K_DUP = 21;
export const K_PIPE = 22;
export const K_SENDFILE = 23;

// Argument sources.
export const A_ZERO = 0;
/** From the op's `args` (a constant or a distribution), by the catalog's argument name. */
export const A_PROFILE = 1;
export const A_FD = 2;
export const A_DFD = 3;
export const A_PATH = 4;
export const A_BUF = 5;
export const A_COUNT = 6;
export const A_POS = 7;
/** A scratch struct on the thread's stack (stat buffer, sigaction, rusage, msghdr…). */
export const A_STACK = 8;
/** A struct __kernel_timespec on the stack holding the op's requested sleep / timeout. */
export const A_TIMESPEC = 9;
/** A struct sockaddr_in on the stack (the connect destination, the accepted peer). */
export const A_SOCKADDR = 10;
export const A_SOCKLEN = 11;
/** Pointer to an int on the stack holding the sockaddr length. */
export const A_SOCKLENP = 12;
export const A_ARGV = 13;
export const A_ENVP = 14;
export const A_PID = 15;
export const A_SIG = 16;
export const A_FUTEX = 17;
export const A_FUTEXOP = 18;
export const A_IOV = 19;
/** A buffer in the process heap that is not the data buffer (epoll events, pollfds). */
export const A_HEAP = 20;
export const A_TIMEOUT_MS = 21;
export const A_ADDR = 22;
export const A_UID = 23;
export const A_CLONEFLAGS = 24;
export const A_ONE = 25;
export const A_PATH2 = 26;
export const A_FD2 = 27;

export interface Recipe {
  readonly kind: number;
  /** Per argument position, in the catalog's order. */
  readonly args: readonly number[];
  /** Defaults for A_PROFILE arguments when the op gives none (flag expressions or numbers). */
  readonly defaults?: Readonly<Record<string, string | number>>;
}

const P = A_PROFILE;

export const RECIPES: Readonly<Record<string, Recipe>> = {
  read: { kind: K_READ, args: [A_FD, A_BUF, A_COUNT] },
  pread64: { kind: K_READ, args: [A_FD, A_BUF, A_COUNT, A_POS] },
  readv: { kind: K_READ, args: [A_FD, A_IOV, A_ONE] },
  preadv: { kind: K_READ, args: [A_FD, A_IOV, A_ONE, A_POS, A_ZERO] },
  recvfrom: { kind: K_READ, args: [A_FD, A_BUF, A_COUNT, P, A_ZERO, A_ZERO] },
  recvmsg: { kind: K_READ, args: [A_FD, A_STACK, P] },
  getdents64: { kind: K_READ, args: [A_FD, A_BUF, A_COUNT] },
  write: { kind: K_WRITE, args: [A_FD, A_BUF, A_COUNT] },
  pwrite64: { kind: K_WRITE, args: [A_FD, A_BUF, A_COUNT, A_POS] },
  writev: { kind: K_WRITE, args: [A_FD, A_IOV, A_ONE] },
  pwritev: { kind: K_WRITE, args: [A_FD, A_IOV, A_ONE, A_POS, A_ZERO] },
  sendto: { kind: K_WRITE, args: [A_FD, A_BUF, A_COUNT, P, A_ZERO, A_ZERO], defaults: { flags: 'MSG_NOSIGNAL' } },
  sendmsg: { kind: K_WRITE, args: [A_FD, A_STACK, P], defaults: { flags: 'MSG_NOSIGNAL' } },
  sendfile64: { kind: K_SENDFILE, args: [A_FD, A_FD2, A_ZERO, A_COUNT] },
  openat: { kind: K_OPEN, args: [A_DFD, A_PATH, P, P], defaults: { flags: 'O_RDONLY|O_CLOEXEC', mode: 0 } },
  open: { kind: K_OPEN, args: [A_PATH, P, P], defaults: { flags: 'O_RDONLY', mode: 0 } },
  creat: { kind: K_OPEN, args: [A_PATH, P], defaults: { mode: 0o644 } },
  openat2: { kind: K_OPEN, args: [A_DFD, A_PATH, A_STACK, P], defaults: { usize: 24 } },
  close: { kind: K_CLOSE, args: [A_FD] },
  newstat: { kind: K_PATH, args: [A_PATH, A_STACK] },
  newlstat: { kind: K_PATH, args: [A_PATH, A_STACK] },
  newfstatat: { kind: K_PATH, args: [A_DFD, A_PATH, A_STACK, P], defaults: { flag: 0 } },
  statx: { kind: K_PATH, args: [A_DFD, A_PATH, P, P, A_STACK], defaults: { flags: 'AT_NO_AUTOMOUNT', mask: 0xfff } },
  access: { kind: K_PATH, args: [A_PATH, P], defaults: { mode: 4 } },
  faccessat: { kind: K_PATH, args: [A_DFD, A_PATH, P], defaults: { mode: 4 } },
  faccessat2: { kind: K_PATH, args: [A_DFD, A_PATH, P, P], defaults: { mode: 4, flags: 0 } },
  readlink: { kind: K_PATH, args: [A_PATH, A_BUF, A_COUNT] },
  readlinkat: { kind: K_PATH, args: [A_DFD, A_PATH, A_BUF, A_COUNT] },
  unlink: { kind: K_PATH, args: [A_PATH] },
  unlinkat: { kind: K_PATH, args: [A_DFD, A_PATH, P], defaults: { flag: 0 } },
  mkdir: { kind: K_PATH, args: [A_PATH, P], defaults: { mode: 0o755 } },
  mkdirat: { kind: K_PATH, args: [A_DFD, A_PATH, P], defaults: { mode: 0o755 } },
  rmdir: { kind: K_PATH, args: [A_PATH] },
  chdir: { kind: K_PATH, args: [A_PATH] },
  rename: { kind: K_PATH, args: [A_PATH, A_PATH2] },
  renameat: { kind: K_PATH, args: [A_DFD, A_PATH, A_DFD, A_PATH2] },
  renameat2: { kind: K_PATH, args: [A_DFD, A_PATH, A_DFD, A_PATH2, P] },
  chmod: { kind: K_PATH, args: [A_PATH, P], defaults: { mode: 0o644 } },
  fchmodat: { kind: K_PATH, args: [A_DFD, A_PATH, P], defaults: { mode: 0o644 } },
  statfs: { kind: K_PATH, args: [A_PATH, A_STACK] },
  truncate: { kind: K_PATH, args: [A_PATH, P] },
  utimensat: { kind: K_PATH, args: [A_DFD, A_PATH, A_ZERO, P] },
  newfstat: { kind: K_FDOP, args: [A_FD, A_STACK] },
  fstatfs: { kind: K_FDOP, args: [A_FD, A_STACK] },
  lseek: { kind: K_FDOP, args: [A_FD, P, P], defaults: { offset: 0, whence: 'SEEK_CUR' } },
  fcntl: { kind: K_FDOP, args: [A_FD, P, P], defaults: { cmd: 'F_GETFL', arg: 0 } },
  ioctl: { kind: K_FDOP, args: [A_FD, P, A_STACK], defaults: { cmd: 'TCGETS' } },
  fadvise64: { kind: K_FDOP, args: [A_FD, A_ZERO, A_ZERO, P], defaults: { advice: 2 } },
  ftruncate: { kind: K_FDOP, args: [A_FD, P] },
  flock: { kind: K_FDOP, args: [A_FD, P], defaults: { cmd: 2 } },
  fallocate: { kind: K_FDOP, args: [A_FD, P, A_POS, A_COUNT] },
  epoll_ctl: { kind: K_FDOP, args: [A_FD, P, A_FD2, A_STACK], defaults: { op: 1 } },
  shutdown: { kind: K_FDOP, args: [A_FD, P], defaults: { how: 1 } },
  setsockopt: { kind: K_FDOP, args: [A_FD, P, P, A_STACK, P], defaults: { level: 6, optname: 1, optlen: 4 } },
  getsockopt: { kind: K_FDOP, args: [A_FD, P, P, A_STACK, A_SOCKLENP], defaults: { level: 1, optname: 4 } },
  getsockname: { kind: K_FDOP, args: [A_FD, A_SOCKADDR, A_SOCKLENP] },
  getpeername: { kind: K_FDOP, args: [A_FD, A_SOCKADDR, A_SOCKLENP] },
  bind: { kind: K_FDOP, args: [A_FD, A_SOCKADDR, A_SOCKLEN] },
  listen: { kind: K_FDOP, args: [A_FD, P], defaults: { backlog: 511 } },
  fsync: { kind: K_SYNC, args: [A_FD] },
  fdatasync: { kind: K_SYNC, args: [A_FD] },
  syncfs: { kind: K_SYNC, args: [A_FD] },
  sync: { kind: K_SYNC, args: [] },
  sync_file_range: { kind: K_SYNC, args: [A_FD, A_POS, A_COUNT, P] },
  msync: { kind: K_SYNC, args: [A_ADDR, A_COUNT, P], defaults: { flags: 4 } },
  socket: { kind: K_SOCKET, args: [P, P, P], defaults: { family: 'AF_INET', type: 'SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK', protocol: 0 } },
  connect: { kind: K_CONNECT, args: [A_FD, A_SOCKADDR, A_SOCKLEN] },
  accept: { kind: K_ACCEPT, args: [A_FD, A_SOCKADDR, A_SOCKLENP] },
  accept4: { kind: K_ACCEPT, args: [A_FD, A_SOCKADDR, A_SOCKLENP, P], defaults: { flags: 'SOCK_CLOEXEC|SOCK_NONBLOCK' } },
  epoll_wait: { kind: K_WAITEV, args: [A_FD, A_HEAP, P, A_TIMEOUT_MS], defaults: { maxevents: 512 } },
  epoll_pwait: { kind: K_WAITEV, args: [A_FD, A_HEAP, P, A_TIMEOUT_MS, A_ZERO, P], defaults: { maxevents: 512, sigsetsize: 8 } },
  epoll_pwait2: { kind: K_WAITEV, args: [A_FD, A_HEAP, P, A_TIMESPEC, A_ZERO, P], defaults: { maxevents: 512, sigsetsize: 8 } },
  poll: { kind: K_WAITEV, args: [A_HEAP, P, A_TIMEOUT_MS], defaults: { nfds: 2 } },
  ppoll: { kind: K_WAITEV, args: [A_HEAP, P, A_TIMESPEC, A_ZERO, P], defaults: { nfds: 2, sigsetsize: 8 } },
  select: { kind: K_WAITEV, args: [P, A_HEAP, A_ZERO, A_ZERO, A_TIMESPEC], defaults: { n: 8 } },
  pselect6: { kind: K_WAITEV, args: [P, A_HEAP, A_ZERO, A_ZERO, A_TIMESPEC, A_STACK], defaults: { n: 8 } },
  futex: { kind: K_FUTEX, args: [A_FUTEX, A_FUTEXOP, P, A_TIMESPEC, A_ZERO, P], defaults: { val: 0, val3: 0 } },
  nanosleep: { kind: K_SLEEP, args: [A_TIMESPEC, A_ZERO] },
  clock_nanosleep: { kind: K_SLEEP, args: [P, P, A_TIMESPEC, A_ZERO], defaults: { which_clock: 'CLOCK_MONOTONIC', flags: 0 } },
  execve: { kind: K_EXECVE, args: [A_PATH, A_ARGV, A_ENVP] },
  execveat: { kind: K_EXECVE, args: [A_DFD, A_PATH, A_ARGV, A_ENVP, P] },
  clone: {
    kind: K_CLONE,
    args: [A_CLONEFLAGS, A_ZERO, A_ZERO, A_STACK, A_ZERO],
    defaults: { clone_flags: 'CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD' },
  },
  clone3: { kind: K_CLONE, args: [A_STACK, P], defaults: { size: 88 } },
  fork: { kind: K_CLONE, args: [] },
  vfork: { kind: K_CLONE, args: [] },
  exit_group: { kind: K_EXIT, args: [P], defaults: { error_code: 0 } },
  exit: { kind: K_EXIT, args: [P], defaults: { error_code: 0 } },
  wait4: { kind: K_WAIT, args: [A_PID, A_STACK, P, A_ZERO], defaults: { options: 0 } },
  waitid: { kind: K_WAIT, args: [P, A_PID, A_STACK, P, A_ZERO], defaults: { which: 1, options: 4 } },
  kill: { kind: K_KILL, args: [A_PID, A_SIG] },
  tkill: { kind: K_KILL, args: [A_PID, A_SIG] },
  tgkill: { kind: K_KILL, args: [A_PID, A_PID, A_SIG] },
  mmap: { kind: K_MMAP, args: [A_ZERO, A_COUNT, P, P, P, A_ZERO], defaults: { prot: 'PROT_READ|PROT_WRITE', flags: 'MAP_PRIVATE|MAP_ANONYMOUS', fd: -1 } },
  munmap: { kind: K_MMAP, args: [A_ADDR, A_COUNT] },
  mprotect: { kind: K_MMAP, args: [A_ADDR, A_COUNT, P], defaults: { prot: 'PROT_READ' } },
  madvise: { kind: K_MMAP, args: [A_ADDR, A_COUNT, P], defaults: { behavior: 4 } },
  brk: { kind: K_MMAP, args: [A_ADDR] },
  setuid: { kind: K_SETID, args: [A_UID] },
  setgid: { kind: K_SETID, args: [A_UID] },
  setfsuid: { kind: K_SETID, args: [A_UID] },
  setfsgid: { kind: K_SETID, args: [A_UID] },
  setreuid: { kind: K_SETID, args: [A_UID, A_UID] },
  setregid: { kind: K_SETID, args: [A_UID, A_UID] },
  setresuid: { kind: K_SETID, args: [A_UID, A_UID, A_UID] },
  setresgid: { kind: K_SETID, args: [A_UID, A_UID, A_UID] },
  dup: { kind: K_DUP, args: [A_FD] },
  dup2: { kind: K_DUP, args: [A_FD, A_FD2] },
  dup3: { kind: K_DUP, args: [A_FD, A_FD2, P] },
  pipe: { kind: K_PIPE, args: [A_STACK] },
  pipe2: { kind: K_PIPE, args: [A_STACK, P], defaults: { flags: 'O_CLOEXEC' } },
  getrandom: { kind: K_GENERIC, args: [A_BUF, A_COUNT, P] },
  getcwd: { kind: K_GENERIC, args: [A_BUF, P], defaults: { size: 4096 } },
  rt_sigaction: { kind: K_GENERIC, args: [P, A_STACK, A_STACK, P], defaults: { sig: 'SIGCHLD', sigsetsize: 8 } },
  rt_sigprocmask: { kind: K_GENERIC, args: [P, A_STACK, A_STACK, P], defaults: { how: 0, sigsetsize: 8 } },
  set_robust_list: { kind: K_GENERIC, args: [A_HEAP, P], defaults: { len: 24 } },
  rseq: { kind: K_GENERIC, args: [A_HEAP, P, P, P], defaults: { rseq_len: 32, sig: 0x53053053 } },
  prlimit64: { kind: K_GENERIC, args: [P, P, A_ZERO, A_STACK], defaults: { pid: 0, resource: 7 } },
  arch_prctl: { kind: K_GENERIC, args: [P, A_STACK], defaults: { option: 0x1002 } },
  sysinfo: { kind: K_GENERIC, args: [A_STACK] },
  uname: { kind: K_GENERIC, args: [A_STACK] },
  newuname: { kind: K_GENERIC, args: [A_STACK] },
  clock_gettime: { kind: K_GENERIC, args: [P, A_STACK], defaults: { which_clock: 'CLOCK_MONOTONIC' } },
  gettimeofday: { kind: K_GENERIC, args: [A_STACK, A_ZERO] },
};

/** The recipe of a syscall, or the generic one (all arguments from the profile). */
export function recipeOf(name: string, argCount: number, event: string | null = null): Recipe {
  return RECIPES[name] ?? (event !== null ? RECIPES[event] : undefined) ?? { kind: K_GENERIC, args: new Array<number>(argCount).fill(A_PROFILE) };
}
