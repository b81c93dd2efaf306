// get_stackid (27) and get_stack (67): the current event's kernel or user call chain (from the
// host, innermost first) into a stack trace map bucket or a program buffer, with Linux's flag
// checks, skip handling and return codes. The chain is cut at PERF_MAX_STACK_DEPTH frames
// (counting the skipped ones), as perf_callchain collects it.

import type { HelperFn, Machine } from '../machine.js';
import { EFAULT, EINVAL } from '../maps/errno.js';
import {
  BPF_F_SKIP_FIELD_MASK,
  BPF_F_USER_BUILD_ID,
  BPF_F_USER_STACK,
  GET_STACKID_FLAGS,
  PERF_MAX_STACK_DEPTH,
  StackTraceMap,
} from '../maps/stack-trace.js';
import { hi, lo, mapArg, setR0Int, writable } from './registers.js';

function chain(m: Machine, flags: number): readonly bigint[] {
  return flags & BPF_F_USER_STACK ? m.host.userStack() : m.host.kernelStack();
}

/** get_stackid(ctx, map, flags): the stack id or -errno. */
export const getStackid: HelperFn = (m) => {
  const map = mapArg(m, 2);
  if (!(map instanceof StackTraceMap)) return setR0Int(m, -EINVAL);
  const flags = lo(m, 3) >>> 0;
  if (hi(m, 3) !== 0 || (flags & ~GET_STACKID_FLAGS) !== 0) return setR0Int(m, -EINVAL);
  setR0Int(m, map.getStackId(chain(m, flags), flags));
};

/**
 * get_stack(ctx, buf, size, flags): copies the chain's u64 ips into buf, zero-filling the rest;
 * returns the bytes copied, or -errno with buf zeroed. Build ids are not supported (-EINVAL).
 */
export function getStackInto(m: Machine, dHi: number, dLo: number, size: number, flags: number): number {
  if (size < 0 || !writable(m, dHi, dLo, size)) return -EFAULT;
  const dst = m.mem.bytes[dHi]!;
  const fail = (err: number): number => {
    dst.fill(0, dLo, dLo + size);
    return err;
  };
  if ((flags & ~(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_USER_BUILD_ID)) !== 0) return fail(-EINVAL);
  if (flags & BPF_F_USER_BUILD_ID) return fail(-EINVAL);
  if (size % 8 !== 0) return fail(-EINVAL);
  const skip = flags & BPF_F_SKIP_FIELD_MASK;
  const numElem = size / 8;
  const ips = chain(m, flags);
  const collected = Math.min(ips.length, Math.min(numElem + skip, PERF_MAX_STACK_DEPTH));
  if (collected < skip) return fail(-EFAULT);
  const n = Math.min(collected - skip, numElem);
  const view = m.mem.views[dHi]!;
  for (let i = 0; i < n; i++) view.setBigUint64(dLo + 8 * i, BigInt.asUintN(64, ips[skip + i]!), true);
  dst.fill(0, dLo + 8 * n, dLo + size);
  return 8 * n;
}

export const getStack: HelperFn = (m) => {
  const size = hi(m, 3) === 0 ? lo(m, 3) >>> 0 : -1;
  const flags = hi(m, 4) === 0 ? lo(m, 4) >>> 0 : 0xffffffff;
  setR0Int(m, getStackInto(m, hi(m, 2), lo(m, 2), size, flags));
};
