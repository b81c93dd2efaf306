// The order bpftrace 0.23 prints map entries in. Counts, sums and integers: by value
// (signed per type); min/max: by value read as unsigned (so negative minimums come last, a
// bpftrace quirk kept on purpose); avg/stats: by average; hist/lhist: by total count; any
// other value: by key (integers unsigned, strings bytewise, tuples field by field).
// Ties keep key-byte order, which is what bpftrace's std::map gives histograms and a
// deterministic choice where bpftrace leaves hash order. tseries (upstream only): by latest
// interval. Also `top`. Nothing is printed here.

import type { SizedType } from '../../check/types.js';
import { encodeValue } from './encode.js';
import type { AggregateValue, MapDump, MapDumpEntry, Value } from './values.js';

type Ordered = { entry: MapDumpEntry; keyBytes: Uint8Array; sortKey: bigint | undefined };

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strncmp over the strings' bytes (binary strings compare by char code = byte). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The number bpftrace sorts a value by, or undefined when it sorts by key. */
export function sortValue(v: Value | AggregateValue): bigint | undefined {
  switch (v.kind) {
    case 'count':
      return v.value;
    case 'sum':
      return v.value;
    case 'int':
      return v.value;
    case 'bool':
      return v.value ? 1n : 0n;
    case 'min':
    case 'max':
      return BigInt.asUintN(64, v.value);
    case 'avg':
    case 'stats':
      return averageOf(v.total, v.count, v.signed);
    case 'hist':
    case 'lhist':
      return BigInt.asUintN(64, v.buckets.reduce((s, c) => s + c, 0n));
    case 'tseries':
      // Upstream bpftrace: least recently updated first.
      return v.points.at(-1)?.epoch ?? 0n;
    default:
      return undefined;
  }
}

/**
 * total / count with C division (truncation; unsigned for unsigned values). bpftrace
 * divides by zero here (it crashes on a zeroed avg map); the average of nothing is 0 here.
 */
export function averageOf(total: bigint, count: bigint, signed: boolean): bigint {
  if (count === 0n) return 0n;
  if (signed) return BigInt.asIntN(64, BigInt.asIntN(64, total) / BigInt.asIntN(64, count));
  return BigInt.asUintN(64, total) / BigInt.asUintN(64, count);
}

/** Entries in bpftrace's print order. */
export function orderEntries(dump: MapDump): MapDumpEntry[] {
  const rows: Ordered[] = dump.entries.map((entry) => ({
    entry,
    keyBytes: entry.keyBytes ?? encodeValue(dump.keyType, entry.key),
    sortKey: sortValue(entry.value),
  }));
  rows.sort((a, b) => compareBytes(a.keyBytes, b.keyBytes));
  if (rows.length > 0 && rows.every((r) => r.sortKey !== undefined)) {
    rows.sort((a, b) => compareBig(a.sortKey!, b.sortKey!));
  } else {
    sortByKey(dump.keyType, rows);
  }
  return rows.map((r) => r.entry);
}

function stableSortBy(rows: Ordered[], cmp: (a: Value, b: Value) => number): void {
  rows.sort((a, b) => cmp(a.entry.key, b.entry.key));
}

const byUnsignedInt = (a: Value, b: Value): number =>
  a.kind === 'int' && b.kind === 'int'
    ? compareBig(BigInt.asUintN(a.size * 8, a.value), BigInt.asUintN(b.size * 8, b.value))
    : 0;

const byString = (a: Value, b: Value): number =>
  a.kind === 'string' && b.kind === 'string' ? compareStrings(a.text, b.text) : 0;

/** bpftrace's sort_by_key: integers and strings sort; other key kinds keep their order. */
function sortByKey(keyType: SizedType, rows: Ordered[]): void {
  if (keyType.kind === 'tuple') {
    // Last field first, each sort stable, so the first field decides.
    for (let i = keyType.fields.length - 1; i >= 0; i--) {
      const field = keyType.fields[i]!.type;
      const elem = (v: Value): Value => (v.kind === 'tuple' ? (v.elems[i] ?? v) : v);
      if (field.kind === 'int') stableSortBy(rows, (a, b) => byUnsignedInt(elem(a), elem(b)));
      else if (field.kind === 'string') stableSortBy(rows, (a, b) => byString(elem(a), elem(b)));
    }
  } else if (keyType.kind === 'int') {
    stableSortBy(rows, byUnsignedInt);
  } else if (keyType.kind === 'string') {
    stableSortBy(rows, byString);
  }
}

/** print(@m, top): only the last `top` entries of the ordered list (0 = all). */
export function applyTop<T>(ordered: readonly T[], top: number): readonly T[] {
  return top > 0 && ordered.length > top ? ordered.slice(ordered.length - top) : ordered;
}
