// Helper prototypes as data, the way Linux's struct bpf_func_proto describes each helper: the
// Linux id, the name, the type of each argument (r1..r5) and of the return value. The verifier
// reads this table to check calls; the helpers' behaviour lives in the other files of this
// folder. Which program types may call which helper is in ../progtypes.ts.

import type { MapTypeName } from '../maps/map.js';

/** What a helper argument must be (Linux's enum bpf_arg_type, with its flags spelled out). */
export type ArgKind =
  /** Any initialised register. */
  | 'anything'
  /** CONST_PTR_TO_MAP from lddw src=1. */
  | 'const_map_ptr'
  /** Pointer to map.keySize initialised bytes. */
  | 'map_key'
  /** Pointer to map.valueSize initialised bytes. */
  | 'map_value'
  /** The program's unmodified context pointer. */
  | 'ctx'
  /** Pointer to memory whose size is the next argument (or fixedSize). */
  | 'mem'
  /** Size of the previous 'mem' argument: a bounded scalar. */
  | 'const_size'
  /** ringbuf_reserve's size: a known constant, becomes the reserved record's size. */
  | 'const_alloc_size'
  /** A pointer returned by ringbuf_reserve. */
  | 'ringbuf_mem'
  /** Pointer into a read-only map value holding a NUL-terminated string. */
  | 'const_str'
  /** A subprogram's address (lddw src=4), called back by the helper. */
  | 'func'
  /** The callback's context: a stack pointer, or NULL. */
  | 'stack_or_null';

export interface ArgSpec {
  readonly kind: ArgKind;
  /** 'mem': the helper only reads it (MEM_RDONLY). */
  readonly rdonly?: boolean;
  /** 'mem': the helper fills it; it need not be initialised (MEM_UNINIT). */
  readonly uninit?: boolean;
  /** 'mem': the helper writes into it (MEM_WRITE). */
  readonly write?: boolean;
  /** 'mem': a NULL (scalar 0) is accepted too (PTR_MAYBE_NULL). */
  readonly maybeNull?: boolean;
  /** 'const_size': zero is accepted. */
  readonly orZero?: boolean;
  /** 'mem' without a size argument: the size in bytes (MEM_FIXED_SIZE). */
  readonly fixedSize?: number;
  /** 'mem' with fixedSize: the pointer must be aligned to it (MEM_ALIGNED). */
  readonly aligned?: boolean;
  /** 'ringbuf_mem': the call releases the reference (OBJ_RELEASE). */
  readonly release?: boolean;
}

/** What r0 holds after the call (Linux's enum bpf_return_type). */
export type RetKind =
  | 'integer'
  | 'void'
  | 'map_value_or_null'
  /** A ringbuf record of the reserved size, or NULL; a reference the program must release. */
  | 'ringbuf_mem_or_null'
  /** A trusted kernel pointer to the struct named by retBtf (RET_PTR_TO_BTF_ID_TRUSTED). */
  | 'btf_id_trusted';

/** Return ranges Linux narrows for some helpers (do_refine_retval_range). */
export type RetRange =
  /** [-MAX_ERRNO, size argument's maximum]: string reads and stack walks. */
  | 'errno_or_size'
  /** [0, nr_cpu_ids - 1]. */
  | 'cpu';

/** How a callback-calling helper calls its callback (the kernel's set_*_callback_state). */
export type CallbackKind =
  /** for_each_map_elem: (map, key, value, ctx) for each element; returns 0 (next) or 1 (stop). */
  | 'map_elem'
  /** loop: (index, ctx) nr_loops times; returns 0 (next) or 1 (stop). */
  | 'loop';

export interface HelperProto {
  readonly id: number;
  /** Name without the bpf_ prefix, as in the uapi's FN() list. */
  readonly name: string;
  readonly args: readonly ArgSpec[];
  readonly ret: RetKind;
  readonly retBtf?: string;
  readonly retRange?: RetRange;
  /** Map types the const_map_ptr argument may have; absent: any map that accepts the helper. */
  readonly mapTypes?: readonly MapTypeName[];
  /** The helper calls the 'func' argument back. */
  readonly callback?: CallbackKind;
}

const ANY: ArgSpec = { kind: 'anything' };
const MAP: ArgSpec = { kind: 'const_map_ptr' };
const KEY: ArgSpec = { kind: 'map_key' };
const VALUE: ArgSpec = { kind: 'map_value' };
const CTX: ArgSpec = { kind: 'ctx' };
const MEM_RO: ArgSpec = { kind: 'mem', rdonly: true };
const MEM_RO_OR_NULL: ArgSpec = { kind: 'mem', rdonly: true, maybeNull: true };
const MEM_OR_NULL_W: ArgSpec = { kind: 'mem', maybeNull: true, write: true };
const UNINIT_MEM: ArgSpec = { kind: 'mem', uninit: true, write: true };
const SIZE: ArgSpec = { kind: 'const_size' };
const SIZE_OR_ZERO: ArgSpec = { kind: 'const_size', orZero: true };
const ALLOC_SIZE: ArgSpec = { kind: 'const_alloc_size', orZero: true };
const RINGBUF_RELEASE: ArgSpec = { kind: 'ringbuf_mem', release: true };
const CONST_STR: ArgSpec = { kind: 'const_str' };
const LONG_OUT: ArgSpec = { kind: 'mem', uninit: true, write: true, fixedSize: 8, aligned: true };
const FUNC: ArgSpec = { kind: 'func' };
const CB_CTX: ArgSpec = { kind: 'stack_or_null', maybeNull: true };

const PERCPU_MAPS: readonly MapTypeName[] = ['percpu_array', 'percpu_hash', 'lru_percpu_hash'];

const int = (id: number, name: string, args: readonly ArgSpec[] = [], extra: Partial<HelperProto> = {}): HelperProto => ({
  id,
  name,
  args,
  ret: 'integer',
  ...extra,
});

const PROTOS: readonly HelperProto[] = [
  { id: 1, name: 'map_lookup_elem', args: [MAP, KEY], ret: 'map_value_or_null' },
  int(2, 'map_update_elem', [MAP, KEY, VALUE, ANY]),
  int(3, 'map_delete_elem', [MAP, KEY]),
  int(4, 'probe_read', [UNINIT_MEM, SIZE_OR_ZERO, ANY]),
  int(5, 'ktime_get_ns'),
  // Arguments 3..5 are the format's values; Linux leaves them unchecked (ARG_DONTCARE).
  int(6, 'trace_printk', [MEM_RO, SIZE]),
  int(7, 'get_prandom_u32'),
  int(8, 'get_smp_processor_id', [], { retRange: 'cpu' }),
  int(14, 'get_current_pid_tgid'),
  int(15, 'get_current_uid_gid'),
  int(16, 'get_current_comm', [UNINIT_MEM, SIZE]),
  int(22, 'perf_event_read', [MAP, ANY], { mapTypes: ['perf_event_array'] }),
  int(25, 'perf_event_output', [CTX, MAP, ANY, MEM_RO, SIZE_OR_ZERO], { mapTypes: ['perf_event_array'] }),
  int(26, 'skb_load_bytes', [CTX, ANY, UNINIT_MEM, SIZE]),
  int(27, 'get_stackid', [CTX, MAP, ANY], { mapTypes: ['stack_trace'] }),
  int(35, 'get_current_task'),
  int(36, 'probe_write_user', [ANY, MEM_RO, SIZE]),
  int(42, 'get_numa_node_id'),
  int(45, 'probe_read_str', [UNINIT_MEM, SIZE_OR_ZERO, ANY], { retRange: 'errno_or_size' }),
  int(46, 'get_socket_cookie', [CTX]),
  int(47, 'get_socket_uid', [CTX]),
  int(58, 'override_return', [CTX, ANY]),
  int(67, 'get_stack', [CTX, UNINIT_MEM, SIZE_OR_ZERO, ANY], { retRange: 'errno_or_size' }),
  int(80, 'get_current_cgroup_id'),
  int(109, 'send_signal', [ANY]),
  int(112, 'probe_read_user', [UNINIT_MEM, SIZE_OR_ZERO, ANY]),
  int(113, 'probe_read_kernel', [UNINIT_MEM, SIZE_OR_ZERO, ANY]),
  int(114, 'probe_read_user_str', [UNINIT_MEM, SIZE_OR_ZERO, ANY], { retRange: 'errno_or_size' }),
  int(115, 'probe_read_kernel_str', [UNINIT_MEM, SIZE_OR_ZERO, ANY], { retRange: 'errno_or_size' }),
  int(117, 'send_signal_thread', [ANY]),
  int(118, 'jiffies64'),
  int(120, 'get_ns_current_pid_tgid', [ANY, ANY, UNINIT_MEM, SIZE]),
  int(123, 'get_current_ancestor_cgroup_id', [ANY]),
  int(125, 'ktime_get_boot_ns'),
  int(130, 'ringbuf_output', [MAP, MEM_RO, SIZE_OR_ZERO, ANY], { mapTypes: ['ringbuf'] }),
  { id: 131, name: 'ringbuf_reserve', args: [MAP, ALLOC_SIZE, ANY], ret: 'ringbuf_mem_or_null', mapTypes: ['ringbuf'] },
  { id: 132, name: 'ringbuf_submit', args: [RINGBUF_RELEASE, ANY], ret: 'void' },
  { id: 133, name: 'ringbuf_discard', args: [RINGBUF_RELEASE, ANY], ret: 'void' },
  int(134, 'ringbuf_query', [MAP, ANY], { mapTypes: ['ringbuf'] }),
  { id: 158, name: 'get_current_task_btf', args: [], ret: 'btf_id_trusted', retBtf: 'task_struct' },
  int(160, 'ktime_get_coarse_ns'),
  int(164, 'for_each_map_elem', [MAP, FUNC, CB_CTX, ANY], { callback: 'map_elem' }),
  int(165, 'snprintf', [MEM_OR_NULL_W, SIZE_OR_ZERO, CONST_STR, MEM_RO_OR_NULL, SIZE_OR_ZERO]),
  int(173, 'get_func_ip', [CTX]),
  int(174, 'get_attach_cookie', [CTX]),
  int(177, 'trace_vprintk', [MEM_RO, SIZE, MEM_RO_OR_NULL, SIZE_OR_ZERO]),
  int(181, 'loop', [ANY, FUNC, CB_CTX, ANY], { callback: 'loop' }),
  int(182, 'strncmp', [MEM_RO, SIZE, CONST_STR]),
  int(183, 'get_func_arg', [CTX, ANY, LONG_OUT]),
  int(184, 'get_func_ret', [CTX, LONG_OUT]),
  int(185, 'get_func_arg_cnt', [CTX]),
  { id: 195, name: 'map_lookup_percpu_elem', args: [MAP, KEY, ANY], ret: 'map_value_or_null', mapTypes: PERCPU_MAPS },
  int(208, 'ktime_get_tai_ns'),
];

/** Every prototype by Linux helper id. */
export const HELPER_PROTOS: ReadonlyMap<number, HelperProto> = new Map(PROTOS.map((p) => [p.id, p]));

/** Helper ids by name (without bpf_), for the compiler: HELPER_IDS.get('map_lookup_elem') === 1. */
export const HELPER_IDS: ReadonlyMap<string, number> = new Map(PROTOS.map((p) => [p.name, p.id]));

/**
 * Linux's helper names by id for every id it defines (uapi FN() order), so the verifier log
 * can name a helper this machine does not implement: "program of this type cannot use helper
 * bpf_skb_store_bytes#9". Ids past the end print as "unknown".
 */
const LINUX_HELPER_NAMES: readonly string[] = (
  'unspec map_lookup_elem map_update_elem map_delete_elem probe_read ktime_get_ns trace_printk ' +
  'get_prandom_u32 get_smp_processor_id skb_store_bytes l3_csum_replace l4_csum_replace tail_call ' +
  'clone_redirect get_current_pid_tgid get_current_uid_gid get_current_comm get_cgroup_classid ' +
  'skb_vlan_push skb_vlan_pop skb_get_tunnel_key skb_set_tunnel_key perf_event_read redirect ' +
  'get_route_realm perf_event_output skb_load_bytes get_stackid csum_diff skb_get_tunnel_opt ' +
  'skb_set_tunnel_opt skb_change_proto skb_change_type skb_under_cgroup get_hash_recalc ' +
  'get_current_task probe_write_user current_task_under_cgroup skb_change_tail skb_pull_data ' +
  'csum_update set_hash_invalid get_numa_node_id skb_change_head xdp_adjust_head probe_read_str ' +
  'get_socket_cookie get_socket_uid set_hash setsockopt skb_adjust_room redirect_map ' +
  'sk_redirect_map sock_map_update xdp_adjust_meta perf_event_read_value perf_prog_read_value ' +
  'getsockopt override_return sock_ops_cb_flags_set msg_redirect_map msg_apply_bytes ' +
  'msg_cork_bytes msg_pull_data bind xdp_adjust_tail skb_get_xfrm_state get_stack ' +
  'skb_load_bytes_relative fib_lookup sock_hash_update msg_redirect_hash sk_redirect_hash ' +
  'lwt_push_encap lwt_seg6_store_bytes lwt_seg6_adjust_srh lwt_seg6_action rc_repeat rc_keydown ' +
  'skb_cgroup_id get_current_cgroup_id get_local_storage sk_select_reuseport ' +
  'skb_ancestor_cgroup_id sk_lookup_tcp sk_lookup_udp sk_release map_push_elem map_pop_elem ' +
  'map_peek_elem msg_push_data msg_pop_data rc_pointer_rel spin_lock spin_unlock sk_fullsock ' +
  'tcp_sock skb_ecn_set_ce get_listener_sock skc_lookup_tcp tcp_check_syncookie sysctl_get_name ' +
  'sysctl_get_current_value sysctl_get_new_value sysctl_set_new_value strtol strtoul ' +
  'sk_storage_get sk_storage_delete send_signal tcp_gen_syncookie skb_output probe_read_user ' +
  'probe_read_kernel probe_read_user_str probe_read_kernel_str tcp_send_ack send_signal_thread ' +
  'jiffies64 read_branch_records get_ns_current_pid_tgid xdp_output get_netns_cookie ' +
  'get_current_ancestor_cgroup_id sk_assign ktime_get_boot_ns seq_printf seq_write sk_cgroup_id ' +
  'sk_ancestor_cgroup_id ringbuf_output ringbuf_reserve ringbuf_submit ringbuf_discard ' +
  'ringbuf_query csum_level skc_to_tcp6_sock skc_to_tcp_sock skc_to_tcp_timewait_sock ' +
  'skc_to_tcp_request_sock skc_to_udp6_sock get_task_stack load_hdr_opt store_hdr_opt ' +
  'reserve_hdr_opt inode_storage_get inode_storage_delete d_path copy_from_user snprintf_btf ' +
  'seq_printf_btf skb_cgroup_classid redirect_neigh per_cpu_ptr this_cpu_ptr redirect_peer ' +
  'task_storage_get task_storage_delete get_current_task_btf bprm_opts_set ktime_get_coarse_ns ' +
  'ima_inode_hash sock_from_file check_mtu for_each_map_elem snprintf sys_bpf ' +
  'btf_find_by_name_kind sys_close timer_init timer_set_callback timer_start timer_cancel ' +
  'get_func_ip get_attach_cookie task_pt_regs get_branch_snapshot trace_vprintk skc_to_unix_sock ' +
  'kallsyms_lookup_name find_vma loop strncmp get_func_arg get_func_ret get_func_arg_cnt ' +
  'get_retval set_retval xdp_get_buff_len xdp_load_bytes xdp_store_bytes copy_from_user_task ' +
  'skb_set_tstamp ima_file_hash kptr_xchg map_lookup_percpu_elem skc_to_mptcp_sock ' +
  'dynptr_from_mem ringbuf_reserve_dynptr ringbuf_submit_dynptr ringbuf_discard_dynptr ' +
  'dynptr_read dynptr_write dynptr_data tcp_raw_gen_syncookie_ipv4 tcp_raw_gen_syncookie_ipv6 ' +
  'tcp_raw_check_syncookie_ipv4 tcp_raw_check_syncookie_ipv6 ktime_get_tai_ns ' +
  'user_ringbuf_drain cgrp_storage_get cgrp_storage_delete'
).split(' ');

/** Linux's __BPF_FUNC_MAX_ID: ids at or past it are "invalid func". */
export const BPF_FUNC_MAX_ID = LINUX_HELPER_NAMES.length;

/** "bpf_map_lookup_elem" for id 1, "unknown" for ids Linux does not define (func_id_name). */
export function helperName(id: number): string {
  const n = id > 0 ? LINUX_HELPER_NAMES[id] : undefined;
  return n === undefined ? 'unknown' : `bpf_${n}`;
}

/**
 * Helpers a map of each type may be passed to, for the types that restrict it (the map side
 * of Linux's check_map_func_compatibility); other map types accept any helper whose own
 * mapTypes allows them.
 */
export const MAP_TYPE_HELPERS: Readonly<Partial<Record<MapTypeName, readonly number[]>>> = {
  perf_event_array: [22, 25],
  ringbuf: [130, 131, 134],
  stack_trace: [27],
};
