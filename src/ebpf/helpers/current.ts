// Helpers that report the current event's context from the KernelHost: get_prandom_u32 (7),
// get_smp_processor_id (8), get_current_pid_tgid (14), get_current_uid_gid (15),
// get_current_comm (16), get_current_task (35), get_numa_node_id (42),
// get_current_cgroup_id (80), get_ns_current_pid_tgid (120), get_current_task_btf (158),
// get_func_ip (173). Packing and return codes are Linux's; values come from the host.

import type { HelperFn } from '../machine.js';
import { EFAULT, EINVAL } from '../maps/errno.js';
import { hi, lo, setR0, setR0Big, setR0Int, setR0U32, u64Arg, writable } from './registers.js';

/** TASK_COMM_LEN */
export const TASK_COMM_LEN = 16;

/**
 * The pid namespace every task of the synthetic world lives in: the initial one, as
 * stat(/proc/self/ns/pid) reports it on Linux (nsfs device 4, PROC_PID_INIT_INO).
 */
export const INIT_PID_NS_DEV = 4n;
export const INIT_PID_NS_INO = 0xeffffffcn;

export const getPrandomU32: HelperFn = (m) => setR0U32(m, m.host.prandomU32());

export const getSmpProcessorId: HelperFn = (m) => setR0U32(m, m.host.cpu());

/** tgid in the high 32 bits, thread id in the low 32. */
export const getCurrentPidTgid: HelperFn = (m) => setR0(m, m.host.tid(), m.host.tgid());

/** gid in the high 32 bits, uid in the low 32. */
export const getCurrentUidGid: HelperFn = (m) => setR0(m, m.host.uid(), m.host.gid());

const commScratch = new Uint8Array(TASK_COMM_LEN);

/**
 * get_current_comm(buf, size): strscpy_pad of the task's comm: at most size - 1 characters,
 * NUL-terminated, the rest of buf zeroed. 0, or -EFAULT for a buffer outside its region.
 */
export const getCurrentComm: HelperFn = (m) => {
  const dHi = hi(m, 1);
  const dLo = lo(m, 1);
  const size = hi(m, 2) === 0 ? lo(m, 2) >>> 0 : -1;
  if (size === 0) return setR0Int(m, 0);
  if (size < 0 || !writable(m, dHi, dLo, size)) return setR0Int(m, -EFAULT);
  const dst = m.mem.bytes[dHi]!;
  if (size === TASK_COMM_LEN) {
    // The host writes the comm NUL-padded to all 16 bytes (the KernelHost contract) straight
    // into the buffer; the last byte is forced to NUL as strscpy_pad's copy of at most 15
    // characters leaves it.
    m.host.comm(dst, dLo);
    dst[dLo + TASK_COMM_LEN - 1] = 0;
    return setR0Int(m, 0);
  }
  commScratch.fill(0);
  m.host.comm(commScratch, 0);
  let i = 0;
  for (; i < size - 1 && i < TASK_COMM_LEN && commScratch[i] !== 0; i++) dst[dLo + i] = commScratch[i]!;
  for (; i < size; i++) dst[dLo + i] = 0;
  setR0Int(m, 0);
};

export const getCurrentTask: HelperFn = (m) => setR0Big(m, m.host.currentTask());

/** Same pointer; the verifier types it as a BTF task_struct pointer. */
export const getCurrentTaskBtf: HelperFn = getCurrentTask;

export const getNumaNodeId: HelperFn = (m) => setR0Int(m, m.host.numaNode());

export const getCurrentCgroupId: HelperFn = (m) => setR0Big(m, m.host.cgroupId());

export const getFuncIp: HelperFn = (m) => setR0Big(m, m.host.funcIp());

/** sizeof(struct bpf_pidns_info): u32 pid, u32 tgid. */
const PIDNS_INFO_SIZE = 8;

/**
 * get_ns_current_pid_tgid(dev, ino, nsdata, size): the pid and tgid as seen from the pid
 * namespace (dev, ino). -EINVAL (nsdata zeroed) for a wrong size, a dev that is not a dev_t
 * or a namespace the task is not in.
 */
export const getNsCurrentPidTgid: HelperFn = (m) => {
  const dHi = hi(m, 3);
  const dLo = lo(m, 3);
  const size = hi(m, 4) === 0 ? lo(m, 4) >>> 0 : -1;
  if (size < 0 || !writable(m, dHi, dLo, size)) return setR0Int(m, -EFAULT);
  const dst = m.mem.bytes[dHi]!;
  const dev = u64Arg(m, 1);
  const ino = u64Arg(m, 2);
  if (size !== PIDNS_INFO_SIZE || dev > 0xffffffffn || dev !== INIT_PID_NS_DEV || ino !== INIT_PID_NS_INO) {
    dst.fill(0, dLo, dLo + size);
    return setR0Int(m, -EINVAL);
  }
  const view = m.mem.views[dHi]!;
  view.setUint32(dLo, m.host.tid(), true);
  view.setUint32(dLo + 4, m.host.tgid(), true);
  setR0Int(m, 0);
};
