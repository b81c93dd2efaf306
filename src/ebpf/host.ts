// What the kernel under the machine offers to helpers: the current task, clocks, CPU and the
// memory outside the machine's regions (process address spaces, kernel objects). The
// synthetic world implements it; tests implement small fakes. Numbers that are 64-bit in
// Linux are JS numbers here when they stay below 2^53 (ns clocks, ids), else bigint.

export interface KernelHost {
  /** Virtual CPU the current event runs on (0-based). */
  cpu(): number;
  /** Number of possible CPUs (per-CPU maps keep this many values). */
  ncpus(): number;
  /** Current thread id (Linux pid) and thread group id (Linux tgid, bpftrace's pid). */
  tid(): number;
  tgid(): number;
  uid(): number;
  gid(): number;
  /** Current task's comm, NUL-padded into dst[off..off+16). */
  comm(dst: Uint8Array, off: number): void;
  /** CLOCK_MONOTONIC ns (ktime_get_ns). */
  ktimeNs(): number;
  /** CLOCK_BOOTTIME ns. */
  bootNs(): number;
  /** CLOCK_TAI ns. */
  taiNs(): number;
  /** CLOCK_REALTIME ns, for strftime and time(). */
  realtimeNs(): number;
  /** jiffies (HZ 250). */
  jiffies(): number;
  /** Kernel address of the current task_struct. */
  currentTask(): bigint;
  cgroupId(): bigint;
  numaNode(): number;
  /** Deterministic PRNG (get_prandom_u32), seeded by the world. */
  prandomU32(): number;
  /**
   * Copy len bytes from a user address of the current process, or from a kernel address,
   * into dst[off..]. Returns 0 or a negative errno (-14 EFAULT for an unmapped address);
   * on failure dst is zeroed as Linux does.
   */
  readUser(addr: bigint, dst: Uint8Array, off: number, len: number): number;
  readKernel(addr: bigint, dst: Uint8Array, off: number, len: number): number;
  /**
   * Copy a NUL-terminated string of at most len bytes (NUL included). Returns the number of
   * bytes copied including the NUL, or a negative errno, as probe_read_*_str do.
   */
  readUserStr(addr: bigint, dst: Uint8Array, off: number, len: number): number;
  readKernelStr(addr: bigint, dst: Uint8Array, off: number, len: number): number;
  /** Kernel and user stack of the current event as instruction addresses, innermost first. */
  kernelStack(): readonly bigint[];
  userStack(): readonly bigint[];
  /** Address of the probed function (get_func_ip) for kprobes/fentry; 0 otherwise. */
  funcIp(): bigint;
  /** send_signal(sig) to the current process; returns 0 or -errno. */
  sendSignal(sig: number): number;
  /** Optional: where trace_printk / trace_vprintk messages go (the trace pipe); dropped if absent. */
  tracePrintk?(message: string): void;
  /**
   * Optional (d_path, helper 147): the absolute path of the struct path at a kernel address,
   * or undefined when the address is not one (the helper then returns -EFAULT).
   */
  dPath?(pathAddr: bigint): string | undefined;
  /**
   * Optional (override_return, helper 58): from a kprobe on a syscall's path, make the call
   * return rc without doing its work; false when the current probe cannot override.
   */
  overrideReturn?(rc: number): boolean;
}
