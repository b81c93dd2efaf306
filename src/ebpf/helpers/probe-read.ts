// probe_read (4), probe_read_str (45), probe_read_user (112), probe_read_kernel (113),
// probe_read_user_str (114), probe_read_kernel_str (115): copy from an unsafe pointer into a
// region. A region pointer (stack, map value, ctx) is read from its region; any other value is
// an address of the synthetic world: user addresses go to host.readUser*, kernel ones to
// host.readKernel*, and the legacy compat helpers pick by address as x86-64 Linux does
// (below TASK_SIZE is user). On failure the destination is zeroed and r0 is the -errno.
// probeRead / probeReadStr take plain arguments so the JIT can call them without registers.

import type { HelperFn, Machine } from '../machine.js';
import { EFAULT } from '../maps/errno.js';
import { hi, isRegionPtr, lo, setR0Int, writable } from './registers.js';

/** Which address space an unsafe pointer is read from. */
export const ReadSpace = {
  /** probe_read / probe_read_str: user below TASK_SIZE, kernel above. */
  Compat: 0,
  User: 1,
  Kernel: 2,
} as const;
export type ReadSpace = (typeof ReadSpace)[keyof typeof ReadSpace];

/** x86-64 TASK_SIZE_MAX high word: user addresses lie below 0x00007ffffffff000. */
const TASK_SIZE_HI = 0x7fff;
const TASK_SIZE_LO = 0xfffff000;

function isUserAddress(srcHi: number, srcLo: number): boolean {
  const h = srcHi >>> 0;
  return h < TASK_SIZE_HI || (h === TASK_SIZE_HI && srcLo >>> 0 < TASK_SIZE_LO);
}

function spaceOf(space: ReadSpace, srcHi: number, srcLo: number): ReadSpace {
  if (space !== ReadSpace.Compat) return space;
  return isUserAddress(srcHi, srcLo) ? ReadSpace.User : ReadSpace.Kernel;
}

function address(srcHi: number, srcLo: number): bigint {
  return (BigInt(srcHi >>> 0) << 32n) | BigInt(srcLo >>> 0);
}

/** probe_read*(dst, size, src): 0 or -errno, dst zeroed on failure. */
export function probeRead(m: Machine, space: ReadSpace, dstHi: number, dstLo: number, size: number, srcHi: number, srcLo: number): number {
  if (size === 0) return 0;
  if (size < 0 || !writable(m, dstHi, dstLo, size)) return -EFAULT;
  const dst = m.mem.bytes[dstHi]!;
  if (isRegionPtr(srcHi)) {
    if (!m.mem.inBounds(srcHi, srcLo, size)) {
      dst.fill(0, dstLo, dstLo + size);
      return -EFAULT;
    }
    const src = m.mem.bytes[srcHi]!;
    if (src === dst) dst.copyWithin(dstLo, srcLo, srcLo + size);
    else dst.set(src.subarray(srcLo, srcLo + size), dstLo);
    return 0;
  }
  const addr = address(srcHi, srcLo);
  const rc =
    spaceOf(space, srcHi, srcLo) === ReadSpace.User
      ? m.host.readUser(addr, dst, dstLo, size)
      : m.host.readKernel(addr, dst, dstLo, size);
  if (rc < 0) dst.fill(0, dstLo, dstLo + size);
  return rc < 0 ? rc : 0;
}

/**
 * probe_read*_str(dst, size, src): bytes copied including the NUL (at most size, the last
 * byte forced to NUL when the string is longer), or -errno with dst zeroed. Bytes after the
 * NUL are left as they were, as in Linux.
 */
export function probeReadStr(m: Machine, space: ReadSpace, dstHi: number, dstLo: number, size: number, srcHi: number, srcLo: number): number {
  if (size === 0) return 0;
  if (size < 0 || !writable(m, dstHi, dstLo, size)) return -EFAULT;
  const dst = m.mem.bytes[dstHi]!;
  if (isRegionPtr(srcHi)) return regionStr(m, dst, dstLo, size, srcHi, srcLo);
  const addr = address(srcHi, srcLo);
  const rc =
    spaceOf(space, srcHi, srcLo) === ReadSpace.User
      ? m.host.readUserStr(addr, dst, dstLo, size)
      : m.host.readKernelStr(addr, dst, dstLo, size);
  if (rc < 0) dst.fill(0, dstLo, dstLo + size);
  return rc;
}

function regionStr(m: Machine, dst: Uint8Array, dstLo: number, size: number, srcHi: number, srcLo: number): number {
  const src = m.mem.bytes[srcHi];
  if (src === undefined || srcLo < 0 || srcLo >= src.length) {
    dst.fill(0, dstLo, dstLo + size);
    return -EFAULT;
  }
  // Find the string's length first: src and dst may be the same region.
  let n = 0;
  while (n < size - 1 && srcLo + n < src.length && src[srcLo + n] !== 0) n++;
  if (n < size - 1 && srcLo + n >= src.length) {
    dst.fill(0, dstLo, dstLo + size);
    return -EFAULT;
  }
  if (src === dst) dst.copyWithin(dstLo, srcLo, srcLo + n);
  else for (let i = 0; i < n; i++) dst[dstLo + i] = src[srcLo + i]!;
  dst[dstLo + n] = 0;
  return n + 1;
}

const readHelper =
  (space: ReadSpace): HelperFn =>
  (m) =>
    setR0Int(m, probeRead(m, space, hi(m, 1), lo(m, 1), sizeArg(m), hi(m, 3), lo(m, 3)));

const readStrHelper =
  (space: ReadSpace): HelperFn =>
  (m) =>
    setR0Int(m, probeReadStr(m, space, hi(m, 1), lo(m, 1), sizeArg(m), hi(m, 3), lo(m, 3)));

/** r2 is a u32 size; a value with high bits set cannot fit any region. */
function sizeArg(m: Machine): number {
  return hi(m, 2) === 0 ? lo(m, 2) >>> 0 : -1;
}

export const probeReadCompat = readHelper(ReadSpace.Compat);
export const probeReadUser = readHelper(ReadSpace.User);
export const probeReadKernel = readHelper(ReadSpace.Kernel);
export const probeReadStrCompat = readStrHelper(ReadSpace.Compat);
export const probeReadUserStr = readStrHelper(ReadSpace.User);
export const probeReadKernelStr = readStrHelper(ReadSpace.Kernel);
