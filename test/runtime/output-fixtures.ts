// Builders for the printer tests: SizedTypes laid out as C does, aggregation values filled
// from the values a program fed them (through the layouts.ts contract), map dumps, and a
// simulated run (attach line, events in order, maps at exit) rendered by one printer.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AggregationType, Field, SizedType, TupleType } from '../../src/check/types.js';
import { intType, stringType } from '../../src/check/types.js';
import { formatPrintf, type PrintfOptions, DEFAULT_PRINTF_OPTIONS } from '../../src/runtime/output/printf.js';
import {
  aggregationValueSize,
  histBucketCount,
  histBucketIndex,
  lhistBucketCount,
  lhistBucketIndex,
} from '../../src/runtime/output/layouts.js';
import type { HelperErrorInfo, OutputPrinter } from '../../src/runtime/output/printer.js';
import { printMapsAtExit } from '../../src/runtime/output/printer.js';
import type {
  AggregateValue,
  AvgAggregate,
  HistAggregate,
  LhistAggregate,
  MapDump,
  MapDumpEntry,
  MinMaxAggregate,
  Value,
} from '../../src/runtime/output/values.js';
import { NONE } from '../../src/runtime/output/values.js';

export const GOLDEN_DIR = fileURLToPath(new URL('../golden/programs/', import.meta.url));

/** A recorded stdout, as a binary string (one char per byte). */
export function recorded(name: string): string {
  return readFileSync(`${GOLDEN_DIR}${name}.out`, 'latin1');
}

// ── types ────────────────────────────────────────────────────────────────────────────────

export const I64 = intType(8, true);
export const U64 = intType(8, false);
export const STR = stringType(64);

function alignOf(t: SizedType): number {
  switch (t.kind) {
    case 'int':
    case 'pointer':
      return t.size;
    case 'tuple':
    case 'record':
    case 'struct':
      return Math.max(1, ...t.fields.map((f) => alignOf(f.type)));
    case 'array':
      return alignOf(t.elem);
    case 'count':
    case 'sum':
    case 'min':
    case 'max':
    case 'avg':
    case 'stats':
    case 'ksym':
    case 'usym':
    case 'kstack':
    case 'ustack':
    case 'username':
    case 'inet':
      return 8;
    default:
      return 1;
  }
}

/** A tuple type with C layout (natural alignment, tail padding). */
export function tupleType(...types: SizedType[]): TupleType {
  let off = 0;
  const fields: Field[] = types.map((type, i) => {
    const a = alignOf(type);
    off = Math.ceil(off / a) * a;
    const f = { name: String(i), type, offset: off };
    off += type.size;
    return f;
  });
  const a = Math.max(1, ...types.map(alignOf));
  return { kind: 'tuple', size: Math.ceil(off / a) * a, fields };
}

export function aggType(kind: AggregationType['kind'], signed = true, params: bigint[] = []): AggregationType {
  return { kind, signed, params, size: aggregationValueSize(kind, params) };
}

// ── aggregation values from the values a program fed them ────────────────────────────────

export function count(n: number): AggregateValue {
  return { kind: 'count', value: BigInt(n) };
}

export function sum(values: number[], signed = true): AggregateValue {
  const total = values.reduce((s, v) => s + BigInt(v), 0n);
  return { kind: 'sum', signed, value: signed ? BigInt.asIntN(64, total) : BigInt.asUintN(64, total) };
}

export function minOf(values: (number | bigint)[], signed = true): MinMaxAggregate {
  const vs = values.map(BigInt);
  return { kind: 'min', signed, set: vs.length > 0, value: vs.length ? vs.reduce((a, b) => (b < a ? b : a)) : 0n };
}

export function maxOf(values: (number | bigint)[], signed = true): MinMaxAggregate {
  const vs = values.map(BigInt);
  return { kind: 'max', signed, set: vs.length > 0, value: vs.length ? vs.reduce((a, b) => (b > a ? b : a)) : 0n };
}

export function avgOf(values: number[], signed = true, kind: 'avg' | 'stats' = 'avg'): AvgAggregate {
  return { kind, signed, total: values.reduce((s, v) => s + BigInt(v), 0n), count: BigInt(values.length) };
}

export function statsOf(values: number[], signed = true): AvgAggregate {
  return avgOf(values, signed, 'stats');
}

export function histOf(values: (number | bigint)[], bits = 0): HistAggregate {
  const buckets = new Array<bigint>(histBucketCount(bits)).fill(0n);
  for (const v of values) buckets[histBucketIndex(BigInt(v), bits)]! += 1n;
  return { kind: 'hist', bits, buckets };
}

export function lhistOf(values: (number | bigint)[], min: number, max: number, step: number): LhistAggregate {
  const [mn, mx, st] = [BigInt(min), BigInt(max), BigInt(step)];
  const buckets = new Array<bigint>(lhistBucketCount(mn, mx, st)).fill(0n);
  for (const v of values) buckets[lhistBucketIndex(BigInt(v), mn, mx, st)]! += 1n;
  return { kind: 'lhist', min: mn, max: mx, step: st, buckets };
}

/** `n` copies of v (for hist inputs). */
export function times(n: number, v: number): number[] {
  return new Array<number>(n).fill(v);
}

// ── maps ─────────────────────────────────────────────────────────────────────────────────

export function scalarMap(name: string, valueType: SizedType, value: Value | AggregateValue): MapDump {
  return { name, keyType: { kind: 'void', size: 0 }, valueType, entries: [{ key: NONE, value }] };
}

export function keyedMap(
  name: string,
  keyType: SizedType,
  valueType: SizedType,
  entries: readonly (readonly [Value, Value | AggregateValue])[],
): MapDump {
  return { name, keyType, valueType, entries: entries.map(([key, value]): MapDumpEntry => ({ key, value })) };
}

export function emptyMap(name: string, keyType: SizedType | null, valueType: SizedType): MapDump {
  return { name, keyType: keyType ?? { kind: 'void', size: 0 }, valueType, entries: [] };
}

// ── a run ────────────────────────────────────────────────────────────────────────────────

export type RunEvent =
  | { readonly printf: string; readonly args?: readonly Value[] }
  | { readonly print: Value }
  | { readonly printMap: MapDump; readonly top?: number; readonly div?: number }
  | { readonly system: string }
  | { readonly cat: string }
  | { readonly helperError: HelperErrorInfo };

export interface Run {
  /** Probes attached; omitted output when quiet. */
  readonly probes: number;
  readonly quiet?: boolean;
  readonly events?: readonly RunEvent[];
  /** Every map of the program as it stands at exit (any order). */
  readonly maps?: readonly MapDump[];
  readonly printf?: Partial<PrintfOptions>;
}

/** What bpftrace writes to stdout for this run. */
export function render(printer: OutputPrinter, run: Run): string {
  const popts = { ...DEFAULT_PRINTF_OPTIONS, ...run.printf };
  let out = run.quiet ? '' : printer.attachedProbes(run.probes);
  for (const e of run.events ?? []) {
    if ('printf' in e) out += printer.printf(formatPrintf(e.printf, e.args ?? [], popts));
    else if ('print' in e) out += printer.value(e.print);
    else if ('printMap' in e) out += printer.map(e.printMap, { top: e.top ?? 0, div: e.div ?? 0 });
    else if ('system' in e) out += printer.system(e.system);
    else if ('cat' in e) out += printer.cat(e.cat);
    else out += printer.helperError(e.helperError);
  }
  return out + printMapsAtExit(printer, run.maps ?? []);
}
