// Linux ABI numbers the synthetic kernel needs to speak (x86-64): errno values, signals,
// open/mmap/clone/futex flags and socket constants, with names so workload profiles can
// say "ENOENT" or "O_RDONLY|O_CLOEXEC". Data only; no behaviour beyond name parsing.

export const ERRNO: Readonly<Record<string, number>> = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9,
  ECHILD: 10, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, EXDEV: 18,
  ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, EFBIG: 27,
  ENOSPC: 28, ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, ERANGE: 34, EDEADLK: 35,
  ENAMETOOLONG: 36, ENOSYS: 38, ENOTEMPTY: 39, ELOOP: 40, ENODATA: 61, ENOTSOCK: 88,
  EOPNOTSUPP: 95, EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETUNREACH: 101, ECONNABORTED: 103,
  ECONNRESET: 104, ENOBUFS: 105, EISCONN: 106, ENOTCONN: 107, ETIMEDOUT: 110, ECONNREFUSED: 111,
  EHOSTUNREACH: 113, EALREADY: 114, EINPROGRESS: 115,
};

export const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8,
  SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
  SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22,
  SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29,
  SIGPWR: 30, SIGSYS: 31,
};

/** Signals whose default action ends the process (the ones a workload sends to end a child). */
export const FATAL_SIGNALS: ReadonlySet<number> = new Set([1, 2, 3, 4, 6, 7, 8, 9, 11, 13, 14, 15, 24, 25, 26, 27, 31]);

/** Flag words a profile may write symbolically ("O_RDONLY|O_CLOEXEC"). */
export const FLAG_NAMES: Readonly<Record<string, number>> = {
  O_RDONLY: 0, O_WRONLY: 0o1, O_RDWR: 0o2, O_CREAT: 0o100, O_EXCL: 0o200, O_NOCTTY: 0o400,
  O_TRUNC: 0o1000, O_APPEND: 0o2000, O_NONBLOCK: 0o4000, O_DSYNC: 0o10000, O_DIRECT: 0o40000,
  O_LARGEFILE: 0o100000, O_DIRECTORY: 0o200000, O_NOFOLLOW: 0o400000, O_NOATIME: 0o1000000,
  O_CLOEXEC: 0o2000000, O_PATH: 0o10000000,
  PROT_NONE: 0, PROT_READ: 1, PROT_WRITE: 2, PROT_EXEC: 4,
  MAP_SHARED: 0x01, MAP_PRIVATE: 0x02, MAP_FIXED: 0x10, MAP_ANONYMOUS: 0x20, MAP_DENYWRITE: 0x800,
  MAP_STACK: 0x20000, MAP_NORESERVE: 0x4000,
  CLONE_VM: 0x100, CLONE_FS: 0x200, CLONE_FILES: 0x400, CLONE_SIGHAND: 0x800, CLONE_VFORK: 0x4000,
  CLONE_PARENT: 0x8000, CLONE_THREAD: 0x10000, CLONE_SYSVSEM: 0x40000, CLONE_SETTLS: 0x80000,
  CLONE_PARENT_SETTID: 0x100000, CLONE_CHILD_CLEARTID: 0x200000, CLONE_CHILD_SETTID: 0x1000000,
  SIGCHLD: 17,
  FUTEX_WAIT: 0, FUTEX_WAKE: 1, FUTEX_PRIVATE_FLAG: 128, FUTEX_WAIT_BITSET: 9, FUTEX_CLOCK_REALTIME: 256,
  AT_FDCWD: -100, AT_SYMLINK_NOFOLLOW: 0x100, AT_REMOVEDIR: 0x200, AT_EMPTY_PATH: 0x1000, AT_NO_AUTOMOUNT: 0x800,
  AF_UNIX: 1, AF_INET: 2, AF_INET6: 10, SOCK_STREAM: 1, SOCK_DGRAM: 2, SOCK_NONBLOCK: 0o4000, SOCK_CLOEXEC: 0o2000000,
  IPPROTO_TCP: 6, IPPROTO_UDP: 17,
  MSG_DONTWAIT: 0x40, MSG_NOSIGNAL: 0x4000,
  WNOHANG: 1, WUNTRACED: 2, __WALL: 0x40000000,
  CLOCK_REALTIME: 0, CLOCK_MONOTONIC: 1, CLOCK_MONOTONIC_RAW: 4, CLOCK_REALTIME_COARSE: 5, CLOCK_MONOTONIC_COARSE: 6, CLOCK_BOOTTIME: 7, CLOCK_TAI: 11, TIMER_ABSTIME: 1,
  F_GETFL: 3, F_SETFL: 4, F_GETFD: 1, F_SETFD: 2, FD_CLOEXEC: 1, F_DUPFD_CLOEXEC: 1030,
  SEEK_SET: 0, SEEK_CUR: 1, SEEK_END: 2, TCGETS: 0x5401, TIOCGWINSZ: 0x5413, FIONREAD: 0x541b,
  EPOLLIN: 1, EPOLLOUT: 4, EPOLLET: 0x80000000,
};

/** Capabilities (include/uapi/linux/capability.h), for cap_capable's cap argument. */
export const CAPABILITIES: Readonly<Record<string, number>> = {
  CAP_CHOWN: 0, CAP_DAC_OVERRIDE: 1, CAP_DAC_READ_SEARCH: 2, CAP_FOWNER: 3, CAP_FSETID: 4, CAP_KILL: 5,
  CAP_SETGID: 6, CAP_SETUID: 7, CAP_SETPCAP: 8, CAP_LINUX_IMMUTABLE: 9, CAP_NET_BIND_SERVICE: 10,
  CAP_NET_BROADCAST: 11, CAP_NET_ADMIN: 12, CAP_NET_RAW: 13, CAP_IPC_LOCK: 14, CAP_IPC_OWNER: 15,
  CAP_SYS_MODULE: 16, CAP_SYS_RAWIO: 17, CAP_SYS_CHROOT: 18, CAP_SYS_PTRACE: 19, CAP_SYS_PACCT: 20,
  CAP_SYS_ADMIN: 21, CAP_SYS_BOOT: 22, CAP_SYS_NICE: 23, CAP_SYS_RESOURCE: 24, CAP_SYS_TIME: 25,
  CAP_SYS_TTY_CONFIG: 26, CAP_MKNOD: 27, CAP_LEASE: 28, CAP_AUDIT_WRITE: 29, CAP_AUDIT_CONTROL: 30,
  CAP_SETFCAP: 31, CAP_MAC_OVERRIDE: 32, CAP_MAC_ADMIN: 33, CAP_SYSLOG: 34, CAP_WAKE_ALARM: 35,
  CAP_BLOCK_SUSPEND: 36, CAP_AUDIT_READ: 37, CAP_PERFMON: 38, CAP_BPF: 39, CAP_CHECKPOINT_RESTORE: 40,
};

/** AT_FDCWD as the kernel passes it in a 64-bit register (sign-extended -100). */
export const AT_FDCWD = -100;
/** TCP states (include/net/tcp_states.h) for sock:inet_sock_set_state. */
export const TCP_ESTABLISHED = 1;
export const TCP_SYN_SENT = 2;
export const TCP_SYN_RECV = 3;
export const TCP_FIN_WAIT1 = 4;
export const TCP_CLOSE = 7;
export const TCP_CLOSE_WAIT = 8;
export const TCP_LAST_ACK = 9;
export const TCP_LISTEN = 10;

/** Task states as sched_switch's prev_state reports them. */
export const TASK_RUNNING = 0;
export const TASK_INTERRUPTIBLE = 1;
export const TASK_UNINTERRUPTIBLE = 2;
export const TASK_DEAD = 0x80;
export const EXIT_ZOMBIE = 0x20;
export const EXIT_DEAD = 0x10;

/**
 * Parses "O_RDONLY|O_CLOEXEC", "0x80000", "420" or a number into an integer; returns an
 * error message for an unknown name.
 */
export function parseFlags(v: unknown, where: string): number | string {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v !== 'string') return `${where}: expected an integer or a flag expression`;
  let out = 0;
  for (const raw of v.split('|')) {
    const part = raw.trim();
    if (/^-?(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.test(part)) {
      out |= part.startsWith('0x') || part.startsWith('-0x') ? parseInt(part, 16) : part.length > 1 && part.startsWith('0') ? parseInt(part, 8) : parseInt(part, 10);
      continue;
    }
    const n = FLAG_NAMES[part] ?? SIGNALS[part] ?? ERRNO[part];
    if (n === undefined) return `${where}: unknown flag '${part}'`;
    out |= n;
  }
  return out;
}
