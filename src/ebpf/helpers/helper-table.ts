// The registry the interpreter and JIT call helpers through: helperTable[id] is the
// implementation of Linux helper `id` (undefined for helpers this machine does not have).
// Built once from a name → implementation table so ids stay in helper-ids.ts alone.

import type { HelperFn } from '../machine.js';
import { forEachMapElem, loop } from './callbacks.js';
import { jiffies64, ktimeGetBootNs, ktimeGetCoarseNs, ktimeGetNs, ktimeGetTaiNs } from './clock.js';
import {
  getCurrentCgroupId,
  getCurrentComm,
  getCurrentPidTgid,
  getCurrentTask,
  getCurrentTaskBtf,
  getCurrentUidGid,
  getFuncIp,
  getNsCurrentPidTgid,
  getNumaNodeId,
  getPrandomU32,
  getSmpProcessorId,
} from './current.js';
import { HELPER_ID } from './helper-ids.js';
import type { HelperName } from './helper-ids.js';
import { mapDeleteElem, mapLookupElem, mapLookupPercpuElem, mapUpdateElem } from './map-helpers.js';
import { perfEventOutput } from './perf-output.js';
import { snprintf, tracePrintk, traceVprintk } from './printk.js';
import {
  probeReadCompat,
  probeReadKernel,
  probeReadKernelStr,
  probeReadStrCompat,
  probeReadUser,
  probeReadUserStr,
} from './probe-read.js';
import { ringbufDiscard, ringbufOutput, ringbufQuery, ringbufReserve, ringbufSubmit } from './ringbuf-helpers.js';
import { sendSignal, sendSignalThread } from './signal.js';
import { getStack, getStackid } from './stack.js';
import { strncmp } from './strncmp.js';

export const HELPERS: Readonly<Record<HelperName, HelperFn>> = {
  map_lookup_elem: mapLookupElem,
  map_update_elem: mapUpdateElem,
  map_delete_elem: mapDeleteElem,
  probe_read: probeReadCompat,
  ktime_get_ns: ktimeGetNs,
  trace_printk: tracePrintk,
  get_prandom_u32: getPrandomU32,
  get_smp_processor_id: getSmpProcessorId,
  get_current_pid_tgid: getCurrentPidTgid,
  get_current_uid_gid: getCurrentUidGid,
  get_current_comm: getCurrentComm,
  perf_event_output: perfEventOutput,
  get_stackid: getStackid,
  get_current_task: getCurrentTask,
  get_numa_node_id: getNumaNodeId,
  probe_read_str: probeReadStrCompat,
  get_stack: getStack,
  get_current_cgroup_id: getCurrentCgroupId,
  send_signal: sendSignal,
  probe_read_user: probeReadUser,
  probe_read_kernel: probeReadKernel,
  probe_read_user_str: probeReadUserStr,
  probe_read_kernel_str: probeReadKernelStr,
  send_signal_thread: sendSignalThread,
  jiffies64,
  get_ns_current_pid_tgid: getNsCurrentPidTgid,
  ktime_get_boot_ns: ktimeGetBootNs,
  ringbuf_output: ringbufOutput,
  ringbuf_reserve: ringbufReserve,
  ringbuf_submit: ringbufSubmit,
  ringbuf_discard: ringbufDiscard,
  ringbuf_query: ringbufQuery,
  get_current_task_btf: getCurrentTaskBtf,
  ktime_get_coarse_ns: ktimeGetCoarseNs,
  for_each_map_elem: forEachMapElem,
  snprintf,
  get_func_ip: getFuncIp,
  trace_vprintk: traceVprintk,
  loop,
  strncmp,
  map_lookup_percpu_elem: mapLookupPercpuElem,
  ktime_get_tai_ns: ktimeGetTaiNs,
};

function buildTable(): (HelperFn | undefined)[] {
  const table: (HelperFn | undefined)[] = [];
  for (const [name, id] of Object.entries(HELPER_ID)) table[id] = HELPERS[name as HelperName];
  // Dense array (no holes) so indexing stays on the fast elements path.
  for (let i = 0; i < table.length; i++) if (!(i in table)) table[i] = undefined;
  return table;
}

/** Implementations indexed by Linux helper id. */
export const helperTable: (HelperFn | undefined)[] = buildTable();
