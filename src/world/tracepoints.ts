// The tracepoints the synthetic kernel emits beyond the syscall ones, each with the fields the
// world writes, in the order its emitters name them by index. Offsets and sizes come from the
// catalog's format files when a site is created, so records match them byte for byte.
// Data only; the emitters live where the events happen (sched.ts, syscalls.ts, block.ts).

export const TP_SWITCH = 0;
export const TP_WAKING = 1;
export const TP_WAKEUP = 2;
export const TP_WAKEUP_NEW = 3;
export const TP_FORK = 4;
export const TP_EXEC = 5;
export const TP_EXIT = 6;
export const TP_FREE = 7;
export const TP_WAIT = 8;
export const TP_STAT_RUNTIME = 9;
export const TP_MIGRATE = 10;
export const TP_WAKE_IDLE = 11;
export const TP_PREPARE_EXEC = 12;
export const TP_BIO_QUEUE = 13;
export const TP_GETRQ = 14;
export const TP_IO_START = 15;
export const TP_RQ_INSERT = 16;
export const TP_RQ_ISSUE = 17;
export const TP_RQ_COMPLETE = 18;
export const TP_IO_DONE = 19;
export const TP_SIG_GENERATE = 20;
export const TP_SIG_DELIVER = 21;
export const TP_SOCK_STATE = 22;
export const TP_SEND_LEN = 23;
export const TP_RECV_LEN = 24;
export const TP_TCP_DESTROY = 25;
export const TP_NEWTASK = 26;
export const TP_RENAME = 27;
export const TP_WB_WRITTEN = 28;
export const TP_WB_START = 29;
export const TP_WQ_START = 30;
export const TP_WQ_END = 31;

export interface EmittedTracepoint {
  readonly category: string;
  readonly event: string;
  readonly fields: readonly string[];
  /** common_flags (TRACE_FLAG_IRQS_OFF 0x01, HARDIRQ 0x08, SOFTIRQ 0x10…) and preempt count. */
  readonly flags: number;
  readonly preempt: number;
}

const RQ = ['dev', 'sector', 'nr_sector', 'bytes', 'ioprio', 'rwbs', 'comm', 'cmd', 'error'];
const SOCK_LEN = ['sk', 'family', 'protocol', 'ret', 'flags'];

export const EMITTED: readonly EmittedTracepoint[] = [
  { category: 'sched', event: 'sched_switch', fields: ['prev_comm', 'prev_pid', 'prev_prio', 'prev_state', 'next_comm', 'next_pid', 'next_prio'], flags: 0x01, preempt: 0 },
  { category: 'sched', event: 'sched_waking', fields: ['comm', 'pid', 'prio', 'target_cpu'], flags: 0x01, preempt: 1 },
  { category: 'sched', event: 'sched_wakeup', fields: ['comm', 'pid', 'prio', 'target_cpu'], flags: 0x01, preempt: 2 },
  { category: 'sched', event: 'sched_wakeup_new', fields: ['comm', 'pid', 'prio', 'target_cpu'], flags: 0x01, preempt: 2 },
  { category: 'sched', event: 'sched_process_fork', fields: ['parent_comm', 'parent_pid', 'child_comm', 'child_pid'], flags: 0, preempt: 0 },
  { category: 'sched', event: 'sched_process_exec', fields: ['filename', 'pid', 'old_pid'], flags: 0, preempt: 0 },
  { category: 'sched', event: 'sched_process_exit', fields: ['comm', 'pid', 'prio', 'group_dead'], flags: 0, preempt: 0 },
  { category: 'sched', event: 'sched_process_free', fields: ['comm', 'pid', 'prio'], flags: 0, preempt: 1 },
  { category: 'sched', event: 'sched_process_wait', fields: ['comm', 'pid', 'prio'], flags: 0, preempt: 0 },
  { category: 'sched', event: 'sched_stat_runtime', fields: ['comm', 'pid', 'runtime'], flags: 0x01, preempt: 1 },
  { category: 'sched', event: 'sched_migrate_task', fields: ['comm', 'pid', 'prio', 'orig_cpu', 'dest_cpu'], flags: 0x01, preempt: 2 },
  { category: 'sched', event: 'sched_wake_idle_without_ipi', fields: ['cpu'], flags: 0x01, preempt: 2 },
  { category: 'sched', event: 'sched_prepare_exec', fields: ['interp', 'filename', 'pid', 'comm'], flags: 0, preempt: 0 },
  { category: 'block', event: 'block_bio_queue', fields: RQ, flags: 0, preempt: 0 },
  { category: 'block', event: 'block_getrq', fields: RQ, flags: 0, preempt: 0 },
  { category: 'block', event: 'block_io_start', fields: RQ, flags: 0, preempt: 0 },
  { category: 'block', event: 'block_rq_insert', fields: RQ, flags: 0, preempt: 0 },
  { category: 'block', event: 'block_rq_issue', fields: RQ, flags: 0, preempt: 1 },
  { category: 'block', event: 'block_rq_complete', fields: RQ, flags: 0x09, preempt: 1 },
  { category: 'block', event: 'block_io_done', fields: RQ, flags: 0x09, preempt: 1 },
  { category: 'signal', event: 'signal_generate', fields: ['sig', 'errno', 'code', 'comm', 'pid', 'group', 'result'], flags: 0x01, preempt: 1 },
  { category: 'signal', event: 'signal_deliver', fields: ['sig', 'errno', 'code', 'sa_handler', 'sa_flags'], flags: 0x01, preempt: 1 },
  {
    category: 'sock',
    event: 'inet_sock_set_state',
    fields: ['skaddr', 'oldstate', 'newstate', 'sport', 'dport', 'family', 'protocol', 'saddr', 'daddr', 'saddr_v6', 'daddr_v6'],
    flags: 0,
    preempt: 1,
  },
  { category: 'sock', event: 'sock_send_length', fields: SOCK_LEN, flags: 0, preempt: 0 },
  { category: 'sock', event: 'sock_recv_length', fields: SOCK_LEN, flags: 0, preempt: 0 },
  {
    category: 'tcp',
    event: 'tcp_destroy_sock',
    fields: ['skaddr', 'sport', 'dport', 'family', 'saddr', 'daddr', 'saddr_v6', 'daddr_v6', 'sock_cookie'],
    flags: 0,
    preempt: 1,
  },
  { category: 'task', event: 'task_newtask', fields: ['pid', 'comm', 'clone_flags', 'oom_score_adj'], flags: 0, preempt: 0 },
  { category: 'task', event: 'task_rename', fields: ['pid', 'oldcomm', 'newcomm', 'oom_score_adj'], flags: 0, preempt: 0 },
  {
    category: 'writeback',
    event: 'writeback_written',
    fields: ['name', 'nr_pages', 'sb_dev', 'sync_mode', 'for_kupdate', 'range_cyclic', 'for_background', 'reason', 'cgroup_ino'],
    flags: 0,
    preempt: 0,
  },
  {
    category: 'writeback',
    event: 'writeback_start',
    fields: ['name', 'nr_pages', 'sb_dev', 'sync_mode', 'for_kupdate', 'range_cyclic', 'for_background', 'reason', 'cgroup_ino'],
    flags: 0,
    preempt: 0,
  },
  { category: 'workqueue', event: 'workqueue_execute_start', fields: ['work', 'function'], flags: 0, preempt: 0 },
  { category: 'workqueue', event: 'workqueue_execute_end', fields: ['work', 'function'], flags: 0, preempt: 0 },
];

/** Field indices shared by the block request tracepoints (RQ above). */
export const RQ_DEV = 0;
export const RQ_SECTOR = 1;
export const RQ_NR_SECTOR = 2;
export const RQ_BYTES = 3;
export const RQ_IOPRIO = 4;
export const RQ_RWBS = 5;
export const RQ_COMM = 6;
export const RQ_CMD = 7;
export const RQ_ERROR = 8;

export const EMITTED_INDEX: ReadonlyMap<string, number> = new Map(EMITTED.map((e, i) => [`${e.category}:${e.event}`, i]));
