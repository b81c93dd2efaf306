// Symbol tables of the synthetic machine: the kernel's text (every catalogued kernel function
// plus the frames its stacks show: entry_SYSCALL_64, do_syscall_64, __schedule…) placed at a
// seeded KASLR base, and user binaries (the workload's programs and libc) placed per process.
// In: names and a seed. Out: name → address and address → (name, offset), for kprobes, stacks,
// ksym/usym/kaddr/uaddr. Not an ELF reader: sizes are plausible, derived from the names.

import { mix32, Sfc32 } from './prng.js';

/** Frames that appear in stacks but are not probe targets in the catalog. */
export const KERNEL_FRAME_NAMES: readonly string[] = [
  'entry_SYSCALL_64', 'entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'x64_sys_call',
  'syscall_exit_to_user_mode', 'syscall_trace_enter', 'ret_from_fork', 'ret_from_fork_asm', 'kthread',
  'ksys_read', 'ksys_write', 'ksys_pread64', 'ksys_pwrite64', 'do_readv', 'do_writev', 'new_sync_read', 'new_sync_write',
  'filemap_read', 'filemap_get_pages', 'copy_page_to_iter', '_copy_to_user', '_copy_from_user', 'rep_movs_alternative',
  'generic_perform_write', 'ext4_buffered_write_iter', 'ext4_da_write_begin', 'ext4_da_write_end',
  'path_openat', 'do_open', 'link_path_walk', 'walk_component', 'getname_flags', 'alloc_empty_file', 'fd_install',
  '__fput', 'filp_close', 'close_fd', 'file_close_fd', 'task_work_run', 'vfs_statx_path', 'do_statx', 'vfs_fstatat',
  '__schedule', 'schedule', 'schedule_idle', 'schedule_timeout', 'schedule_hrtimeout_range',
  'schedule_hrtimeout_range_clock', 'io_schedule', 'folio_wait_bit_common', 'wait_woken',
  'do_idle', 'cpu_startup_entry', 'start_secondary', 'rest_init', 'start_kernel', 'x86_64_start_reservations',
  'x86_64_start_kernel', 'common_startup_64', 'cpuidle_idle_call', 'default_idle_call', 'default_idle',
  'arch_cpu_idle', 'pv_native_safe_halt', 'acpi_idle_enter', 'cpuidle_enter_state', 'cpuidle_enter',
  'do_epoll_wait', 'ep_poll', '__x64_sys_epoll_wait', 'do_sys_poll', 'do_select', 'core_sys_select',
  'futex_wait', 'futex_wait_queue', '__futex_wait', 'do_futex', 'futex_wake',
  'sk_wait_data', 'inet_recvmsg', 'inet_sendmsg', 'sock_read_iter', 'sock_write_iter', '__sys_recvfrom', '__sys_sendto',
  '__sys_connect', '__sys_accept4', 'do_accept', 'inet_accept', 'inet_stream_connect', '__inet_stream_connect',
  'tcp_sendmsg_locked', 'tcp_push', '__tcp_push_pending_frames', 'tcp_write_xmit', '__tcp_transmit_skb',
  'ip_queue_xmit', '__ip_queue_xmit', 'ip_finish_output2', '__dev_queue_xmit', 'tcp_rcv_state_process',
  'inet_csk_wait_for_connect', 'pipe_read', 'pipe_write', 'tty_read', 'n_tty_read', 'tty_write', 'n_tty_write',
  'wait_woken', 'do_wait', 'kernel_wait4', '__do_sys_wait4', 'do_group_exit', '__x64_sys_exit_group',
  'copy_process', 'dup_mm', 'bprm_execve', 'exec_binprm', 'load_elf_binary', 'begin_new_exec', 'do_execveat_common',
  'hrtimer_wakeup', '__hrtimer_run_queues', 'hrtimer_interrupt', '__sysvec_apic_timer_interrupt',
  'sysvec_apic_timer_interrupt', 'asm_sysvec_apic_timer_interrupt', 'try_to_wake_up', 'wake_up_process',
  'asm_exc_page_fault', 'exc_page_fault', 'do_user_addr_fault', 'handle_mm_fault', '__handle_mm_fault',
  'filemap_map_pages', 'do_anonymous_page', 'clear_page_erms', 'do_fault',
  'worker_thread', 'process_one_work', 'wb_workfn', 'wb_writeback', '__writeback_inodes_wb', 'writeback_sb_inodes',
  '__writeback_single_inode', 'do_writepages', 'ext4_writepages', 'ext4_do_writepages', 'ext4_io_submit',
  'kjournald2', 'jbd2_journal_commit_transaction', 'submit_bh_wbc', 'blk_mq_submit_bio', 'blk_mq_flush_plug_list',
  'blk_mq_dispatch_rq_list', '__blk_mq_sched_dispatch_requests', 'nvme_queue_rq', 'nvme_irq', 'nvme_process_cq',
  'blk_mq_complete_request', 'nvme_pci_complete_rq', 'blk_update_request', '__handle_irq_event_percpu',
  'handle_irq_event', 'handle_edge_irq', '__common_interrupt', 'common_interrupt', 'asm_common_interrupt',
  'smpboot_thread_fn', 'kthreadd', 'run_ksoftirqd', 'handle_softirqs', 'rcu_gp_kthread', 'rcu_core', 'rcu_do_batch',
  'delayed_put_task_struct', 'put_task_struct_rcu_user', 'release_task', 'kill_pid_info', 'group_send_sig_info',
  'do_send_sig_info', '__send_signal_locked', 'get_signal', 'arch_do_signal_or_restart', '__x64_sys_kill',
  'do_mmap', 'vm_mmap_pgoff', 'ksys_mmap_pgoff', 'do_vmi_munmap', '__vm_munmap', 'do_brk_flags',
  'ext4_fsync_journal', 'jbd2_log_wait_commit', 'jbd2_complete_transaction', 'file_write_and_wait_range',
  '__filemap_fdatawait_range', 'filemap_fdatawrite_wbc', 'ksys_fsync', '__x64_sys_fsync',
  '__sys_setresuid', '__sys_setuid', '__sys_setgid', 'commit_creds', 'security_capable', 'ns_capable', 'capable',
  'ep_poll_callback', '__wake_up_common', 'sock_def_readable', 'tcp_data_queue', 'tcp_v4_do_rcv',
  'ip_local_deliver_finish', 'ip_rcv', '__netif_receive_skb_core', 'net_rx_action', 'napi_poll', 'virtnet_poll',
  'update_process_times', 'tick_nohz_handler', 'sched_tick', 'task_tick_fair', 'update_curr', 'irqentry_exit_to_user_mode', 'exit_to_user_mode_loop', 'do_task_dead',
];

/** Compiler-style symbol size for a name: 0x40..0x7c0 bytes, 16-aligned, stable across runs. */
function symbolSize(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return 0x40 + (mix32(h) % 0x78) * 16;
}

/** A plausible offset into a function for a return address in a stack frame. */
export function frameOffset(name: string, salt: number, size: number): number {
  let h = salt | 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return 5 + (mix32(h) % Math.max(1, size - 8));
}

/** Functions laid out back to back from offset `textOffset`, sorted by address for lookup. */
export class SymbolTable {
  readonly names: string[] = [];
  readonly starts: number[] = [];
  readonly sizes: number[] = [];
  private readonly index = new Map<string, number>();

  constructor(names: Iterable<string>, textOffset: number, seed: number) {
    // Order by a seeded hash so the layout looks linked, not alphabetical, yet is reproducible.
    const uniq = [...new Set(names)];
    const keyed = uniq.map((n) => {
      let h = seed | 0;
      for (let i = 0; i < n.length; i++) h = Math.imul(h ^ n.charCodeAt(i), 0x01000193);
      return { n, k: mix32(h) };
    });
    keyed.sort((a, b) => a.k - b.k || (a.n < b.n ? -1 : 1));
    let at = textOffset;
    for (const { n } of keyed) {
      const size = symbolSize(n);
      this.index.set(n, this.names.length);
      this.names.push(n);
      this.starts.push(at);
      this.sizes.push(size);
      at += size + 16 * (mix32(at) % 4);
    }
  }

  /** Places one more symbol at a fixed offset (kept sorted by address). */
  add(name: string, start: number, size: number): void {
    let i = this.starts.length;
    while (i > 0 && this.starts[i - 1]! > start) i--;
    this.names.splice(i, 0, name);
    this.starts.splice(i, 0, start);
    this.sizes.splice(i, 0, size);
    this.index.clear();
    this.names.forEach((n, k) => this.index.set(n, k));
  }

  /** Offset of a function's first byte, or undefined. */
  offsetOf(name: string): number | undefined {
    const i = this.index.get(name);
    return i === undefined ? undefined : this.starts[i];
  }

  sizeOf(name: string): number {
    const i = this.index.get(name);
    return i === undefined ? 0 : this.sizes[i]!;
  }

  /** The function containing offset `off`, or -1. */
  find(off: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= off) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0) return -1;
    return off < this.starts[hi]! + this.sizes[hi]! ? hi : -1;
  }
}

export interface Symbolized {
  readonly name: string;
  readonly offset: number;
  /** The binary or "[kernel.kallsyms]". */
  readonly module: string;
}

/** Kernel text: 0xffffffff81000000 plus a seeded KASLR slide of whole 2 MiB pages. */
/** Kernel data objects programs read by name (loads.bt reads avenrun), with their sizes. */
export const KERNEL_DATA: readonly (readonly [string, number])[] = [
  ['avenrun', 24],
  ['jiffies_64', 8],
  ['nr_cpu_ids', 4],
  ['init_task', 0x1000],
];
/** Offset of the data section from the text base. */
export const KERNEL_DATA_OFFSET = 0x2000000;

export class KernelSymbols {
  /** Low 32 bits of the text base; the high 32 bits are always 0xffffffff. */
  readonly baseLo: number;
  readonly base: bigint;
  readonly table: SymbolTable;
  /** Data symbols, laid out from KERNEL_DATA_OFFSET. */
  readonly data: SymbolTable;
  private readonly bigCache = new Map<string, bigint>();

  constructor(names: Iterable<string>, seed: number) {
    const slide = new Sfc32(seed, 11).below(256) * 0x200000;
    this.baseLo = (0x81000000 + slide) >>> 0;
    this.base = 0xffffffff00000000n + BigInt(this.baseLo);
    this.table = new SymbolTable(names, 0x1000, seed ^ 0x5a5a);
    this.data = new SymbolTable([], KERNEL_DATA_OFFSET, 0);
    let at = KERNEL_DATA_OFFSET;
    for (const [name, size] of KERNEL_DATA) {
      this.data.add(name, at, size);
      at += (size + 63) & ~63;
    }
  }

  /** Low 32 bits of a function's address (high word 0xffffffff), or 0 when unknown. */
  lo(name: string, plus = 0): number {
    const off = this.table.offsetOf(name);
    return off === undefined ? 0 : (this.baseLo + off + plus) >>> 0;
  }

  /** A function's or data object's address. */
  address(name: string): bigint | undefined {
    const hit = this.bigCache.get(name);
    if (hit !== undefined) return hit;
    const off = this.table.offsetOf(name) ?? this.data.offsetOf(name);
    if (off === undefined) return undefined;
    const a = this.base + BigInt(off);
    this.bigCache.set(name, a);
    return a;
  }

  /** The data object at a kernel address and the offset into it, or undefined. */
  dataAt(addr: bigint): { name: string; offset: number } | undefined {
    const rel = addr - this.base;
    if (rel < BigInt(KERNEL_DATA_OFFSET) || rel > BigInt(KERNEL_DATA_OFFSET + 0x100000)) return undefined;
    const i = this.data.find(Number(rel));
    return i < 0 ? undefined : { name: this.data.names[i]!, offset: Number(rel) - this.data.starts[i]! };
  }

  /** A return address inside `name` (deterministic per name and salt). */
  frame(name: string, salt = 0): bigint {
    const off = this.table.offsetOf(name);
    if (off === undefined) return 0n;
    return this.base + BigInt(off + frameOffset(name, salt, this.table.sizeOf(name)));
  }

  symbolize(addr: bigint): Symbolized | undefined {
    const rel = addr - this.base;
    if (rel < 0n || rel > 0x4000000n) return undefined;
    const off = Number(rel);
    const i = this.table.find(off);
    if (i >= 0) return { name: this.table.names[i]!, offset: off - this.table.starts[i]!, module: '[kernel.kallsyms]' };
    const d = this.data.find(off);
    return d < 0 ? undefined : { name: this.data.names[d]!, offset: off - this.data.starts[d]!, module: '[kernel.kallsyms]' };
  }
}

/** libc functions: the syscall wrappers user stacks start in, and process start-up frames. */
export const LIBC_SYMBOLS: readonly string[] = [
  '__libc_start_call_main', '__libc_start_main_impl', '__GI___libc_read', '__GI___libc_write', '__libc_pread64',
  '__libc_pwrite64', '__GI___readv', '__GI___writev', '__libc_open64', '__GI___openat64', '__GI___close',
  '__GI___fstatat64', '__GI___fstat64', '__statx', '__GI___access', '__GI___lseek64', '__GI___fcntl64_nocancel',
  '__GI___ioctl', '__GI___getdents64', '__GI___unlinkat', '__GI___readlinkat', '__socket', '__libc_connect',
  '__libc_accept4', '__libc_accept', '__libc_sendto', '__libc_recvfrom', '__libc_sendmsg', '__libc_recvmsg',
  'epoll_wait', '__GI_epoll_pwait', '__GI___poll', '__GI_ppoll', '__select', '__pselect64',
  '__futex_abstimed_wait_common', '__GI___lll_lock_wait', '__GI___lll_lock_wake', '__pthread_cond_wait',
  '__GI___nanosleep', '__GI___clock_nanosleep', '__GI___execve', '_Fork', '__libc_fork', '__clone3',
  'start_thread', '__GI__exit', '__GI___wait4', '__GI_kill', '__GI___mmap64', '__GI___munmap', '__GI___mprotect',
  '__brk', '__GI___madvise', '__setuid', '__setresuid', '__setgid', '__GI___fsync', '__GI_fdatasync', 'sync',
  '__GI___dup2', '__GI___pipe2', '__sendfile64', '__GI___getrandom', '__GI___getcwd', '__GI___sigaction',
  '__GI___sigprocmask', '__GI___bind', '__GI___listen', '__GI___getsockname', '__setsockopt', '__getsockopt',
  '__GI_epoll_ctl', '__GI___shutdown', 'syscall', 'malloc', 'free', '_int_malloc', '__memcpy_avx_unaligned_erms',
];

/** Which libc wrapper a syscall's user stack starts in. */
export const LIBC_WRAPPER: Readonly<Record<string, string>> = {
  read: '__GI___libc_read', write: '__GI___libc_write', pread64: '__libc_pread64', pwrite64: '__libc_pwrite64',
  readv: '__GI___readv', writev: '__GI___writev', open: '__libc_open64', openat: '__GI___openat64', close: '__GI___close',
  newfstatat: '__GI___fstatat64', stat: '__GI___fstatat64', lstat: '__GI___fstatat64', fstat: '__GI___fstat64',
  statx: '__statx', access: '__GI___access', faccessat2: '__GI___access', lseek: '__GI___lseek64',
  fcntl: '__GI___fcntl64_nocancel', ioctl: '__GI___ioctl', getdents64: '__GI___getdents64', unlinkat: '__GI___unlinkat',
  readlinkat: '__GI___readlinkat', readlink: '__GI___readlinkat', socket: '__socket', connect: '__libc_connect',
  accept4: '__libc_accept4', accept: '__libc_accept', sendto: '__libc_sendto', recvfrom: '__libc_recvfrom',
  sendmsg: '__libc_sendmsg', recvmsg: '__libc_recvmsg', epoll_wait: 'epoll_wait', epoll_pwait: '__GI_epoll_pwait',
  poll: '__GI___poll', ppoll: '__GI_ppoll', select: '__select', pselect6: '__pselect64',
  futex: '__futex_abstimed_wait_common', nanosleep: '__GI___nanosleep', clock_nanosleep: '__GI___clock_nanosleep',
  execve: '__GI___execve', clone: '_Fork', clone3: '__clone3', fork: '_Fork', vfork: '_Fork',
  exit_group: '__GI__exit', exit: '__GI__exit', wait4: '__GI___wait4', kill: '__GI_kill', tgkill: '__GI_kill',
  mmap: '__GI___mmap64', munmap: '__GI___munmap', mprotect: '__GI___mprotect', brk: '__brk', madvise: '__GI___madvise',
  setuid: '__setuid', setresuid: '__setresuid', setgid: '__setgid', fsync: '__GI___fsync', fdatasync: '__GI_fdatasync',
  sync: 'sync', dup2: '__GI___dup2', dup3: '__GI___dup2', pipe2: '__GI___pipe2', sendfile: '__sendfile64',
  getrandom: '__GI___getrandom', getcwd: '__GI___getcwd', rt_sigaction: '__GI___sigaction',
  rt_sigprocmask: '__GI___sigprocmask', bind: '__GI___bind', listen: '__GI___listen', getsockname: '__GI___getsockname',
  setsockopt: '__setsockopt', getsockopt: '__getsockopt', epoll_ctl: '__GI_epoll_ctl', shutdown: '__GI___shutdown',
};

export const LIBC_PATH = '/usr/lib/x86_64-linux-gnu/libc.so.6';
