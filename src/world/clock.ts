// The world's clocks, all derived from one virtual time `t` (ns since the world started):
// CLOCK_MONOTONIC starts at a seeded uptime, BOOTTIME adds a seeded suspended time,
// REALTIME adds a seeded epoch (so strftime output depends only on the seed) and TAI adds
// the 37 leap seconds. Not a pacing mechanism: --realtime pacing belongs to the runtime.

import { Sfc32 } from './prng.js';

export const NS_PER_SEC = 1_000_000_000;
/** Kernel HZ (jiffies tick rate), as on common distribution kernels. */
export const HZ = 250;
/** Linux starts jiffies 5 minutes before wrap: (u32)(-300 * HZ). */
export const INITIAL_JIFFIES = 0x1_0000_0000 - 300 * HZ;
/** TAI − UTC since 2017. */
export const TAI_OFFSET_NS = 37 * NS_PER_SEC;
/** Earliest realtime epoch a seed can give: 2024-01-01T00:00:00Z. */
export const EPOCH_BASE_SEC = 1_704_067_200;

export interface ClockOffsets {
  /** CLOCK_MONOTONIC at t = 0 (the machine's uptime when tracing starts). */
  readonly monotonicNs: number;
  /** CLOCK_BOOTTIME − CLOCK_MONOTONIC (time spent suspended). */
  readonly suspendedNs: number;
  /** CLOCK_REALTIME − CLOCK_MONOTONIC. */
  readonly realtimeNs: number;
}

/**
 * Seeded offsets: uptime between 1 hour and 20 days, suspended time 0 to 2 hours (half the
 * machines never suspended), realtime start within 2024, on a whole microsecond.
 */
export function clockOffsets(seed: number): ClockOffsets {
  const r = new Sfc32(seed, 7);
  const uptimeSec = 3600 + r.below(20 * 86400 - 3600);
  const monotonicNs = uptimeSec * NS_PER_SEC + r.below(NS_PER_SEC);
  const suspendedNs = r.below(2) === 0 ? 0 : r.below(7200) * NS_PER_SEC + r.below(NS_PER_SEC);
  const startRealSec = EPOCH_BASE_SEC + r.below(365 * 86400);
  const startRealNs = startRealSec * NS_PER_SEC + r.below(1_000_000) * 1000;
  return { monotonicNs, suspendedNs, realtimeNs: startRealNs - monotonicNs };
}

export const monotonicAt = (o: ClockOffsets, t: number): number => o.monotonicNs + t;
export const boottimeAt = (o: ClockOffsets, t: number): number => o.monotonicNs + o.suspendedNs + t;
export const realtimeAt = (o: ClockOffsets, t: number): number => o.monotonicNs + o.realtimeNs + t;
export const taiAt = (o: ClockOffsets, t: number): number => o.monotonicNs + o.realtimeNs + TAI_OFFSET_NS + t;
export const jiffiesAt = (o: ClockOffsets, t: number): number =>
  INITIAL_JIFFIES + Math.floor((o.monotonicNs + t) / (NS_PER_SEC / HZ));
