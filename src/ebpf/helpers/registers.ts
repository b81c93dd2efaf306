// How helpers read their arguments and write their result: r1..r5 and r0 as (lo, hi) int32
// halves in m.regs, pointers as (region, offset) per memory.ts, map handles as
// (REGION_MAP_HANDLE, fd). Pure accessors and checks; no helper semantics live here.

import type { Machine } from '../machine.js';
import type { BpfMap } from '../maps/map.js';
import { MAX_REGIONS, REGION_MAP_HANDLE } from '../memory.js';

const TWO32 = 0x1_0000_0000;

/** Low / high 32 bits of rn as int32. */
export const lo = (m: Machine, n: number): number => m.regs[2 * n]!;
export const hi = (m: Machine, n: number): number => m.regs[2 * n + 1]!;

/** rn as an unsigned 32-bit number when its high word is 0, else -1 (out of u32 range). */
export function u32Arg(m: Machine, n: number): number {
  return m.regs[2 * n + 1] === 0 ? m.regs[2 * n]! >>> 0 : -1;
}

/** rn as an unsigned 64-bit bigint (slow path: addresses for the host). */
export function u64Arg(m: Machine, n: number): bigint {
  return (BigInt(m.regs[2 * n + 1]! >>> 0) << 32n) | BigInt(m.regs[2 * n]! >>> 0);
}

export function setR0(m: Machine, low: number, high: number): void {
  m.regs[0] = low;
  m.regs[1] = high;
}

/** r0 = a signed 32-bit value (0, a length or -errno), sign-extended. */
export function setR0Int(m: Machine, v: number): void {
  m.regs[0] = v;
  m.regs[1] = v < 0 ? -1 : 0;
}

/** r0 = an unsigned 32-bit value, zero-extended. */
export function setR0U32(m: Machine, v: number): void {
  m.regs[0] = v;
  m.regs[1] = 0;
}

/** r0 = a non-negative integer below 2^53 (clocks, ids). */
export function setR0Num(m: Machine, v: number): void {
  m.regs[0] = v % TWO32;
  m.regs[1] = Math.floor(v / TWO32);
}

/** r0 = a 64-bit value given as bigint (task pointers, cgroup ids). */
export function setR0Big(m: Machine, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  m.regs[0] = Number(u & 0xffffffffn);
  m.regs[1] = Number(u >> 32n);
}

/** True when (regionId, off) names size readable bytes of a region (not NULL, not a map handle). */
export function isRegionPtr(regionId: number): boolean {
  return regionId > 0 && regionId < MAX_REGIONS && regionId !== REGION_MAP_HANDLE;
}

export function readable(m: Machine, regionId: number, off: number, size: number): boolean {
  return isRegionPtr(regionId) && m.mem.inBounds(regionId, off, size);
}

export function writable(m: Machine, regionId: number, off: number, size: number): boolean {
  return isRegionPtr(regionId) && m.mem.writable[regionId] === true && m.mem.inBounds(regionId, off, size);
}

/** The map rn refers to (a lddw src=1 value), or undefined. */
export function mapArg(m: Machine, n: number): BpfMap | undefined {
  return m.regs[2 * n + 1] === REGION_MAP_HANDLE ? m.maps[m.regs[2 * n]!] : undefined;
}
