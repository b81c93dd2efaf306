// The byte layouts of aggregation values in map values: the contract between the compiler
// (which writes them, one copy per CPU in per-CPU maps) and decode.ts (which reads and
// combines them). Sizes, field offsets and the hist/lhist/tseries bucket mappings live here
// and only here. Little endian throughout. No decoding or printing happens in this file.
//
// | kind    | bytes per CPU              | fields                                                     |
// | ------- | -------------------------- | ---------------------------------------------------------- |
// | count   | 8                          | u64 count @0                                               |
// | sum     | 8                          | i64/u64 total @0 (wraps)                                   |
// | min/max | 16                         | i64/u64 value @0, u64 set @8 (non-zero once written)       |
// | avg     | 16                         | i64/u64 total @0, u64 count @8                             |
// | stats   | 16                         | i64/u64 total @0, u64 count @8                             |
// | hist    | 8 * histBucketCount(bits)  | u64 count per bucket, index = histBucketIndex(v, bits)     |
// | lhist   | 8 * lhistBucketCount(...)  | u64 count per bucket, index = lhistBucketIndex(v, ...)     |
// | tseries | 24 * numIntervals          | per slot: i64 value @0, i64 meta @8, u64 epoch @16         |
//
// Per-CPU values are combined as bpftrace does (decode.ts decodeAggregate): count, sum, hist
// and lhist add; min/max take the extreme over CPUs whose `set` is non-zero; avg/stats add
// totals and counts, then divide once.

import type { AggregationType } from '../../check/types.js';
import { InternalError } from '../../diag/diagnostic.js';

export type AggregationKind = AggregationType['kind'];

/** Field offsets inside one CPU's value. */
export const AGG_FIELDS = {
  count: { value: 0 },
  sum: { value: 0 },
  min: { value: 0, set: 8 },
  max: { value: 0, set: 8 },
  avg: { total: 0, count: 8 },
  stats: { total: 0, count: 8 },
  tseries: { slotSize: 24, value: 0, meta: 8, epoch: 16 },
} as const;

/** Bytes of one CPU's value for the kinds whose size does not depend on arguments. */
export const FIXED_AGG_SIZES = {
  count: 8,
  sum: 8,
  min: 16,
  max: 16,
  avg: 16,
  stats: 16,
} as const;

/** hist(v, bits): the bits argument must be 0..5 (bpftrace's limit). */
export const HIST_MAX_BITS = 5;

// ── hist ─────────────────────────────────────────────────────────────────────────────────
//
// Index 0 holds negative values. Values 0 .. 2^bits-1 have one index each (1 + v). Above
// that, each power of two [2^p, 2^(p+1)) is split into 2^bits equal buckets:
//   p = floor(log2 v), s = p - bits, x = (v >> s) & (2^bits - 1), index = ((s+1) << bits) + x + 1.
// The mapping is bpftrace's; the first 2 << bits indexes after 0 each hold a single value.
//
//   bits | buckets | single-value indexes (value = index-1) | first range bucket
//   0    | 65      | 1..2    (0, 1)                        | 3 = [2, 4)
//   1    | 127     | 1..4    (0..3)                        | 5 = [4, 6)
//   2    | 249     | 1..8    (0..7)                        | 9 = [8, 10)
//   3    | 489     | 1..16   (0..15)                       | 17 = [16, 18)
//   4    | 961     | 1..32   (0..31)                       | 33 = [32, 34)
//   5    | 1889    | 1..64   (0..63)                       | 65 = [64, 66)
// The last index, (64-bits) << bits, ends at 2^63-1 (values are signed 64-bit; unsigned
// values of 2^63 and above land in index 0 as in bpftrace).

/** Number of u64 buckets in a hist value: ((64 - bits) << bits) + 1. */
export function histBucketCount(bits: number): number {
  checkBits(bits);
  return ((64 - bits) << bits) + 1;
}

/** The bucket a value is counted in; `value` is taken as a signed 64-bit integer. */
export function histBucketIndex(value: bigint, bits: number): number {
  checkBits(bits);
  const n = BigInt.asIntN(64, value);
  if (n < 0n) return 0;
  const mask = (1n << BigInt(bits)) - 1n;
  if (n <= mask) return Number(n) + 1;
  const top = n.toString(2).length - 1; // position of the leftmost 1
  const shift = top - bits;
  const x = Number((n >> BigInt(shift)) & mask);
  return ((shift + 1) << bits) + x + 1;
}

/** The values a bucket holds: [min, max] inclusive; min is null for the negative bucket. */
export function histBucketRange(index: number, bits: number): { min: bigint | null; max: bigint } {
  checkBits(bits);
  if (index === 0) return { min: null, max: -1n };
  if (index <= 2 << bits) return { min: BigInt(index - 1), max: BigInt(index - 1) };
  return { min: histRangeStart(index - 1, bits), max: histRangeStart(index, bits) - 1n };
}

/** Where the range bucket after index `i` starts (bpftrace's "interval start" of i). */
export function histRangeStart(i: number, bits: number): bigint {
  const n = 1 << bits;
  const power = (i >> bits) - 1;
  const bucket = i & (n - 1);
  return (1n << BigInt(power)) * BigInt(n + bucket);
}

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 0 || bits > HIST_MAX_BITS) {
    throw new InternalError(`hist bits ${bits} outside 0..${HIST_MAX_BITS}`);
  }
}

// ── lhist ────────────────────────────────────────────────────────────────────────────────
//
// Index 0: value < min. Index 1 + (v - min) / step for min <= v < max. Values >= max (and a
// value equal to max) go to index 1 + (max - min) / step, the last. When step does not divide
// max - min, the top partial bucket folds into the last one, as in bpftrace.

/** Number of u64 buckets in an lhist value: (max - min) / step + 2. */
export function lhistBucketCount(min: bigint, max: bigint, step: bigint): number {
  return Number((max - min) / step) + 2;
}

/** The bucket of a signed 64-bit value. */
export function lhistBucketIndex(value: bigint, min: bigint, max: bigint, step: bigint): number {
  const v = BigInt.asIntN(64, value);
  if (v < min) return 0;
  if (v > max) return 1 + Number((max - min) / step);
  return 1 + Number((v - min) / step);
}

// ── tseries ──────────────────────────────────────────────────────────────────────────────
//
// One value holds numIntervals slots. A write at time `now` (the wall/TAI clock, ns) goes to
// epoch = now / interval_ns, slot = epoch % numIntervals. A slot whose stored epoch differs
// from the current one is reset first. `meta` is: the write time (agg none, latest wins),
// the number of values (avg), 1 once set (min/max), unused (sum). epoch 0 marks an unused
// slot; the wall clock never yields it.

/** The agg function of a tseries, as AggregationType.params[2] numbers it (absent = none). */
export const TSERIES_AGG_CODES = ['none', 'avg', 'max', 'min', 'sum'] as const;

export function tseriesValueSize(numIntervals: number): number {
  return AGG_FIELDS.tseries.slotSize * numIntervals;
}

// ── sizes ────────────────────────────────────────────────────────────────────────────────

/**
 * Bytes of one CPU's value for an aggregation, from its kind and arguments: hist [bits],
 * lhist [min, max, step], tseries [interval_ns, num_intervals, agg code]. The compiler sizes maps
 * with this; AggregationType.size must equal it.
 */
export function aggregationValueSize(kind: AggregationKind, params: readonly bigint[] = []): number {
  switch (kind) {
    case 'count':
    case 'sum':
    case 'min':
    case 'max':
    case 'avg':
    case 'stats':
      return FIXED_AGG_SIZES[kind];
    case 'hist':
      return 8 * histBucketCount(Number(params[0] ?? 0n));
    case 'lhist': {
      const [min, max, step] = params;
      if (min === undefined || max === undefined || step === undefined || step <= 0n || max <= min) {
        throw new InternalError(`lhist needs min < max and step > 0, got ${params.join(', ')}`);
      }
      return 8 * lhistBucketCount(min, max, step);
    }
    case 'tseries': {
      const count = params[1];
      if (count === undefined || count <= 0n) throw new InternalError('tseries needs num_intervals > 0');
      return tseriesValueSize(Number(count));
    }
  }
}
