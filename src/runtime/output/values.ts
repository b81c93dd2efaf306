// The value model of everything bpftrace prints: plain values (decoded from event records
// and map keys/values by decode.ts, or built by hand in tests), aggregation values, and map
// dumps. Printers (text.ts, json.ts) read only these; they never see bytes or the machine.
// Strings here are binary strings (one char per byte, see bytes.ts), never UTF-16 text.

import type { SizedType } from '../../check/types.js';
import { voidType } from '../../check/types.js';
import { binaryFromUtf8 } from './bytes.js';
import type { TSERIES_AGG_CODES } from './layouts.js';

// ── plain values ─────────────────────────────────────────────────────────────────────────

/** An integer of a C width; `value` is the mathematical value (negative only when signed). */
export interface IntValue {
  readonly kind: 'int';
  readonly value: bigint;
  readonly size: 1 | 2 | 4 | 8;
  readonly signed: boolean;
  /** A C enum: its type name, and the enumerator's name when the value has one. */
  readonly enumName?: string;
  readonly enumSymbol?: string;
}

export interface BoolValue {
  readonly kind: 'bool';
  readonly value: boolean;
}

/** A C string without its NUL, as a binary string. */
export interface StringValue {
  readonly kind: 'string';
  readonly text: string;
}

/** buf(): raw bytes, printed hex-escaped. */
export interface BufferValue {
  readonly kind: 'buffer';
  readonly bytes: Uint8Array;
}

export interface TupleValue {
  readonly kind: 'tuple';
  readonly elems: readonly Value[];
}

/** A named tuple or a C struct/union: printed `{ .a = 1, .b = 2 }`. */
export interface RecordValue {
  readonly kind: 'record';
  readonly fields: readonly { readonly name: string; readonly value: Value }[];
}

export interface ArrayValue {
  readonly kind: 'array';
  readonly elems: readonly Value[];
}

export interface PointerValue {
  readonly kind: 'pointer';
  readonly address: bigint;
}

/** ksym()/usym(): the address and the symbol user space resolved for it. */
export interface SymbolValue {
  readonly kind: 'ksym' | 'usym';
  readonly address: bigint;
  readonly symbol: string;
  readonly pid?: number;
}

/** One frame of a stack: its address, its symbol with offset (`vfs_read+20`), its module. */
export interface StackFrame {
  readonly address: bigint;
  readonly symbol: string;
  /** ustack perf mode prints `(module)` after the symbol. */
  readonly module?: string;
}

export interface StackValue {
  readonly kind: 'kstack' | 'ustack';
  readonly mode: 'bpftrace' | 'perf' | 'raw';
  readonly frames: readonly StackFrame[];
}

export interface UsernameValue {
  readonly kind: 'username';
  readonly uid: bigint;
  readonly name: string;
}

/** strftime(): a wall-clock instant (ns since the Unix epoch) and the format to show it in. */
export interface TimestampValue {
  readonly kind: 'timestamp';
  readonly format: string;
  readonly epochNs: bigint;
}

/** ntop(): 4 bytes (AF_INET) or 16 bytes (AF_INET6) in network order. */
export interface InetValue {
  readonly kind: 'inet';
  readonly family: 'inet' | 'inet6';
  readonly bytes: Uint8Array;
}

export interface MacAddressValue {
  readonly kind: 'mac_address';
  readonly bytes: Uint8Array;
}

export interface CgroupPathValue {
  readonly kind: 'cgroup_path';
  readonly cgroupId: bigint;
  readonly path: string;
}

export interface StrerrorValue {
  readonly kind: 'strerror';
  readonly errno: number;
}

/** No value: the key of a map without keys (`@x = 1`). */
export interface NoneValue {
  readonly kind: 'none';
}

export type Value =
  | IntValue
  | BoolValue
  | StringValue
  | BufferValue
  | TupleValue
  | RecordValue
  | ArrayValue
  | PointerValue
  | SymbolValue
  | StackValue
  | UsernameValue
  | TimestampValue
  | InetValue
  | MacAddressValue
  | CgroupPathValue
  | StrerrorValue
  | NoneValue;

// ── aggregation values (already combined over CPUs) ─────────────────────────────────────

export interface CountAggregate {
  readonly kind: 'count';
  readonly value: bigint;
}

export interface SumAggregate {
  readonly kind: 'sum';
  readonly signed: boolean;
  readonly value: bigint;
}

/** min()/max(); `set` is false while no CPU has written a value (prints 0). */
export interface MinMaxAggregate {
  readonly kind: 'min' | 'max';
  readonly signed: boolean;
  readonly value: bigint;
  readonly set: boolean;
}

/** avg()/stats(): the running total and count; the average is computed when printed. */
export interface AvgAggregate {
  readonly kind: 'avg' | 'stats';
  readonly signed: boolean;
  readonly total: bigint;
  readonly count: bigint;
}

/** hist(): counts indexed as layouts.ts histBucketIndex() defines, length histBucketCount(bits). */
export interface HistAggregate {
  readonly kind: 'hist';
  readonly bits: number;
  readonly buckets: readonly bigint[];
}

/** lhist(): [below min, (max-min)/step buckets, at or above max]. */
export interface LhistAggregate {
  readonly kind: 'lhist';
  readonly min: bigint;
  readonly max: bigint;
  readonly step: bigint;
  readonly buckets: readonly bigint[];
}

export type TseriesAggFunc = (typeof TSERIES_AGG_CODES)[number];

/** tseries(): the value of each interval that has one, oldest first. */
export interface TseriesAggregate {
  readonly kind: 'tseries';
  readonly signed: boolean;
  readonly intervalNs: bigint;
  readonly numIntervals: number;
  readonly agg: TseriesAggFunc;
  /** `epoch` is the interval number: the interval starts at epoch * intervalNs. */
  readonly points: readonly { readonly epoch: bigint; readonly value: bigint }[];
}

export type AggregateValue =
  | CountAggregate
  | SumAggregate
  | MinMaxAggregate
  | AvgAggregate
  | HistAggregate
  | LhistAggregate
  | TseriesAggregate;

export const AGGREGATE_KINDS: ReadonlySet<string> = new Set([
  'count',
  'sum',
  'min',
  'max',
  'avg',
  'stats',
  'hist',
  'lhist',
  'tseries',
]);

export function isAggregateValue(v: Value | AggregateValue): v is AggregateValue {
  return AGGREGATE_KINDS.has(v.kind);
}

// ── map dumps ────────────────────────────────────────────────────────────────────────────

export interface MapDumpEntry {
  /** The key; `{ kind: 'none' }` for maps without keys. */
  readonly key: Value;
  readonly value: Value | AggregateValue;
  /**
   * The key as the map holds it. bpftrace breaks ties between equal histogram totals by
   * these bytes; when absent, printers encode `key` with keyType (encode.ts).
   */
  readonly keyBytes?: Uint8Array;
}

/** A whole map as read from user space, in any order: printers sort it as bpftrace does. */
export interface MapDump {
  /** With its sigil: '@', '@bytes'. */
  readonly name: string;
  /** voidType for maps without keys. */
  readonly keyType: SizedType;
  readonly valueType: SizedType;
  readonly entries: readonly MapDumpEntry[];
}

// ── constructors (tests and the decoder build values with these) ─────────────────────────

export const NONE: NoneValue = { kind: 'none' };

/** Wraps `value` to a C integer of `size` bytes: two's complement, sign per `signed`. */
export function wrapInt(value: bigint, size: 1 | 2 | 4 | 8, signed: boolean): bigint {
  const bits = BigInt(size * 8);
  return signed ? BigInt.asIntN(Number(bits), value) : BigInt.asUintN(Number(bits), value);
}

export function int(value: bigint | number, size: 1 | 2 | 4 | 8 = 8, signed = true): IntValue {
  return { kind: 'int', value: wrapInt(BigInt(value), size, signed), size, signed };
}

export function i64(value: bigint | number): IntValue {
  return int(value, 8, true);
}

export function u64(value: bigint | number): IntValue {
  return int(value, 8, false);
}

export function bool(value: boolean): BoolValue {
  return { kind: 'bool', value };
}

/** A string value from JS text (encoded as UTF-8 bytes). */
export function str(text: string): StringValue {
  return { kind: 'string', text: binaryFromUtf8(text) };
}

export function buffer(bytes: Uint8Array | readonly number[]): BufferValue {
  return { kind: 'buffer', bytes: Uint8Array.from(bytes) };
}

export function tuple(...elems: Value[]): TupleValue {
  return { kind: 'tuple', elems };
}

export function record(fields: Record<string, Value> | readonly [string, Value][]): RecordValue {
  const list = Array.isArray(fields) ? fields : Object.entries(fields);
  return { kind: 'record', fields: list.map(([name, value]) => ({ name, value })) };
}

export function pointer(address: bigint | number): PointerValue {
  return { kind: 'pointer', address: BigInt.asUintN(64, BigInt(address)) };
}

/** An entry of a map dump; `key` omitted for maps without keys. */
export function entry(value: Value | AggregateValue, key: Value = NONE): MapDumpEntry {
  return { key, value };
}

export function mapDump(
  name: string,
  keyType: SizedType | null,
  valueType: SizedType,
  entries: readonly MapDumpEntry[],
): MapDump {
  return { name, keyType: keyType ?? voidType, valueType, entries };
}
