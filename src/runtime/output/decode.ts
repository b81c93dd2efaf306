// Bytes → values: decodeValue reads one value of a SizedType laid out as C lays it out
// (little endian, fields at their offsets), decodeAggregate combines the per-CPU copies of an
// aggregation value (layouts.ts) as bpftrace does. Symbols, stacks, user names and strftime
// formats come from a DecodeContext the runtime supplies. Nothing here prints.

import type { AggregationType, SizedType, StackType, StructType } from '../../check/types.js';
import { isAggregation } from '../../check/types.js';
import { InternalError } from '../../diag/diagnostic.js';
import { cStringAt } from './bytes.js';
import { AGG_FIELDS, histBucketCount, lhistBucketCount, TSERIES_AGG_CODES } from './layouts.js';
import type { AggregateValue, MapDump, StackFrame, Value } from './values.js';
import { NONE } from './values.js';

/**
 * What user space knows beyond the bytes. Every member is optional; without one the value
 * decodes to what bpftrace prints when it cannot resolve (hex addresses, empty names).
 */
export interface DecodeContext {
  /** Kernel symbol for an address (`vfs_read`, or with offset for stacks). */
  ksym?(address: bigint, withOffset: boolean): string;
  /** User symbol for an address in a process. */
  usym?(address: bigint, pid: number, withOffset: boolean): string;
  /** The frames of a stack id (addresses with symbols resolved), innermost first. */
  stack?(kind: 'kstack' | 'ustack', stackId: bigint, pid: number, type: StackType): readonly StackFrame[];
  /** /etc/passwd lookup. */
  username?(uid: bigint): string;
  /** The format string of strftime() call number `id` (the compiler's table). */
  strftimeFormat?(id: number): string;
  /** Nanoseconds to add to a timestamp of clock `mode` to get wall time since the epoch. */
  timestampBaseNs?(mode: number): bigint;
  /** cgroup_path(): the path of a cgroup id. */
  cgroupPath?(pathId: bigint, cgroupId: bigint): string;
  /** The enumerator name of a value of a C enum. */
  enumSymbol?(enumName: string, value: bigint): string | undefined;
}

const EMPTY_CONTEXT: DecodeContext = {};

/** Reads a little-endian integer of `size` bytes. */
export function readInt(bytes: Uint8Array, off: number, size: number, signed: boolean): bigint {
  if (off < 0 || off + size > bytes.length) {
    throw new InternalError(`read of ${size} bytes at ${off} outside a ${bytes.length}-byte value`);
  }
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]!);
  return signed ? BigInt.asIntN(size * 8, v) : v;
}

/** AF_INET and AF_INET6 as Linux numbers them. */
const AF_INET = 2n;
const AF_INET6 = 10n;

/** Decodes the value of `type` at bytes[off..off+type.size). */
export function decodeValue(
  type: SizedType,
  bytes: Uint8Array,
  off: number,
  ctx: DecodeContext = EMPTY_CONTEXT,
): Value {
  switch (type.kind) {
    case 'int': {
      const value = readInt(bytes, off, type.size, type.signed);
      if (type.enumName === undefined) return { kind: 'int', value, size: type.size, signed: type.signed };
      const symbol = ctx.enumSymbol?.(type.enumName, value);
      return {
        kind: 'int',
        value,
        size: type.size,
        signed: type.signed,
        enumName: type.enumName,
        ...(symbol !== undefined ? { enumSymbol: symbol } : {}),
      };
    }
    case 'bool':
      return { kind: 'bool', value: readInt(bytes, off, 1, false) !== 0n };
    case 'string':
      return { kind: 'string', text: cStringAt(bytes, off, type.size) };
    case 'buffer': {
      // u32 length, then the bytes (at most size - 4 of them).
      const length = Number(readInt(bytes, off, 4, false));
      const n = Math.min(length, type.size - 4);
      return { kind: 'buffer', bytes: bytes.slice(off + 4, off + 4 + n) };
    }
    case 'pointer':
      return { kind: 'pointer', address: readInt(bytes, off, 8, false) };
    case 'array': {
      const elemSize = type.elem.size;
      const elems: Value[] = [];
      for (let i = 0; i < type.count; i++) elems.push(decodeValue(type.elem, bytes, off + i * elemSize, ctx));
      return { kind: 'array', elems };
    }
    case 'struct':
      return decodeStruct(type, bytes, off, ctx);
    case 'tuple':
      return { kind: 'tuple', elems: type.fields.map((f) => decodeValue(f.type, bytes, off + f.offset, ctx)) };
    case 'record':
      return {
        kind: 'record',
        fields: type.fields.map((f) => ({ name: f.name, value: decodeValue(f.type, bytes, off + f.offset, ctx) })),
      };
    case 'ksym': {
      const address = readInt(bytes, off, 8, false);
      return { kind: 'ksym', address, symbol: ctx.ksym?.(address, false) ?? unresolvedSymbol(address) };
    }
    case 'usym': {
      // u64 address, u32 pid (then u32 probe id when 16 bytes).
      const address = readInt(bytes, off, 8, false);
      const pid = type.size >= 12 ? Number(readInt(bytes, off + 8, 4, true)) : -1;
      return { kind: 'usym', address, pid, symbol: ctx.usym?.(address, pid, false) ?? unresolvedSymbol(address) };
    }
    case 'kstack':
    case 'ustack': {
      // i64 stack id; ustack adds the u32 pid at 8.
      const stackId = readInt(bytes, off, 8, true);
      const pid = type.kind === 'ustack' && type.size >= 12 ? Number(readInt(bytes, off + 8, 4, true)) : -1;
      const frames = stackId < 0n ? [] : (ctx.stack?.(type.kind, stackId, pid, type) ?? []);
      return { kind: type.kind, mode: type.mode, frames };
    }
    case 'username': {
      const uid = readInt(bytes, off, 8, false);
      return { kind: 'username', uid, name: ctx.username?.(uid) ?? '' };
    }
    case 'timestamp': {
      // u32 strftime id, u32 clock mode, u64 ns on that clock.
      const id = Number(readInt(bytes, off, 4, false));
      const mode = Number(readInt(bytes, off + 4, 4, false));
      const ns = readInt(bytes, off + 8, 8, false);
      const format = ctx.strftimeFormat?.(id);
      if (format === undefined) throw new InternalError(`strftime format ${id} unknown to the decoder`);
      return { kind: 'timestamp', format, epochNs: ns + (ctx.timestampBaseNs?.(mode) ?? 0n) };
    }
    case 'inet': {
      // u64 address family, then 4 (AF_INET) or 16 (AF_INET6) address bytes at 8.
      const family = readInt(bytes, off, 8, false);
      if (family === AF_INET6) return { kind: 'inet', family: 'inet6', bytes: bytes.slice(off + 8, off + 24) };
      if (family !== AF_INET) return { kind: 'inet', family: 'inet', bytes: new Uint8Array(0) };
      return { kind: 'inet', family: 'inet', bytes: bytes.slice(off + 8, off + 12) };
    }
    case 'mac_address':
      return { kind: 'mac_address', bytes: bytes.slice(off, off + 6) };
    case 'cgroup_path': {
      const pathId = readInt(bytes, off, 8, false);
      const cgroupId = readInt(bytes, off + 8, 8, false);
      return { kind: 'cgroup_path', cgroupId, path: ctx.cgroupPath?.(pathId, cgroupId) ?? '' };
    }
    case 'strerror':
      return { kind: 'strerror', errno: Number(readInt(bytes, off, 8, false)) };
    case 'count':
    case 'sum':
    case 'min':
    case 'max':
    case 'avg':
    case 'stats':
    case 'hist':
    case 'lhist':
    case 'tseries':
      throw new InternalError(`aggregation ${type.kind} decoded as a plain value; use decodeAggregate`);
    default:
      // void and the marker types (timestamp_mode, stack_mode) carry no printable value.
      return NONE;
  }
}

function decodeStruct(type: StructType, bytes: Uint8Array, off: number, ctx: DecodeContext): Value {
  return {
    kind: 'record',
    fields: type.fields.map((f) => {
      if (f.bitfield === undefined || f.type.kind !== 'int') {
        return { name: f.name, value: decodeValue(f.type, bytes, off + f.offset, ctx) };
      }
      const raw = readInt(bytes, off + f.offset, f.type.size, false);
      const width = BigInt(f.bitfield.bitWidth);
      const bits = (raw >> BigInt(f.bitfield.bitOffset)) & ((1n << width) - 1n);
      const value = f.type.signed ? BigInt.asIntN(f.bitfield.bitWidth, bits) : bits;
      return { name: f.name, value: { kind: 'int', value, size: f.type.size, signed: f.type.signed } };
    }),
  };
}

/** How bpftrace shows an address it cannot symbolize: `0x1f` (and `0` for null). */
export function unresolvedSymbol(address: bigint): string {
  return address === 0n ? '0' : `0x${address.toString(16)}`;
}

// ── aggregations ─────────────────────────────────────────────────────────────────────────

/**
 * Combines the per-CPU copies of an aggregation value (one element for shared maps, each
 * `type.size` bytes from offset 0) into one AggregateValue.
 */
export function decodeAggregate(type: AggregationType, perCpuValues: readonly Uint8Array[]): AggregateValue {
  const words = (off: number, signed: boolean) => perCpuValues.map((b) => readInt(b, off, 8, signed));
  const wrap = (v: bigint, signed: boolean) => (signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v));
  switch (type.kind) {
    case 'count':
      return { kind: 'count', value: wrap(sum(words(0, false)), false) };
    case 'sum':
      return { kind: 'sum', signed: type.signed, value: wrap(sum(words(0, type.signed)), type.signed) };
    case 'min':
    case 'max': {
      let set = false;
      let value = 0n;
      for (const b of perCpuValues) {
        // bpftrace reads the flag as a u32; any non-zero low word means written.
        if (readInt(b, AGG_FIELDS.min.set, 4, false) === 0n) continue;
        const v = readInt(b, AGG_FIELDS.min.value, 8, type.signed);
        if (!set || (type.kind === 'max' ? v > value : v < value)) value = v;
        set = true;
      }
      return { kind: type.kind, signed: type.signed, value, set };
    }
    case 'avg':
    case 'stats': {
      const total = wrap(sum(words(AGG_FIELDS.avg.total, type.signed)), type.signed);
      const count = wrap(sum(words(AGG_FIELDS.avg.count, false)), false);
      return { kind: type.kind, signed: type.signed, total, count };
    }
    case 'hist': {
      const bits = Number(type.params?.[0] ?? 0n);
      return { kind: 'hist', bits, buckets: sumBuckets(perCpuValues, histBucketCount(bits)) };
    }
    case 'lhist': {
      const [min, max, step] = lhistParams(type);
      return { kind: 'lhist', min, max, step, buckets: sumBuckets(perCpuValues, lhistBucketCount(min, max, step)) };
    }
    case 'tseries':
      return decodeTseries(type, perCpuValues);
  }
}

function sum(vs: readonly bigint[]): bigint {
  let s = 0n;
  for (const v of vs) s += v;
  return s;
}

function sumBuckets(perCpu: readonly Uint8Array[], count: number): bigint[] {
  const out: bigint[] = new Array<bigint>(count).fill(0n);
  for (const b of perCpu) {
    for (let i = 0; i < count; i++) out[i] = BigInt.asUintN(64, out[i]! + readInt(b, i * 8, 8, false));
  }
  return out;
}

export function lhistParams(type: AggregationType): [bigint, bigint, bigint] {
  const [min, max, step] = type.params ?? [];
  if (min === undefined || max === undefined || step === undefined) {
    throw new InternalError('lhist type without min, max and step');
  }
  return [min, max, step];
}

/**
 * Each slot is combined over CPUs like bpftrace's reduce_tseries_value: only the copies of
 * the newest epoch count (older ones are stale intervals that shared the slot), merged by
 * the agg function; avg divides total by count at the end.
 */
function decodeTseries(type: AggregationType, perCpuValues: readonly Uint8Array[]): AggregateValue {
  const intervalNs = type.params?.[0] ?? 0n;
  const numIntervals = Number(type.params?.[1] ?? 0n);
  const agg = TSERIES_AGG_CODES[Number(type.params?.[2] ?? 0n)] ?? 'none';
  const f = AGG_FIELDS.tseries;
  const points: { epoch: bigint; value: bigint }[] = [];
  for (let slot = 0; slot < numIntervals; slot++) {
    const base = slot * f.slotSize;
    let epoch = 0n;
    let value = 0n;
    let meta = 0n;
    for (const b of perCpuValues) {
      const e = readInt(b, base + f.epoch, 8, false);
      if (e === 0n || e < epoch) continue;
      const v = readInt(b, base + f.value, 8, type.signed);
      const m = readInt(b, base + f.meta, 8, true);
      if (e > epoch) {
        epoch = e;
        value = v;
        meta = m;
        continue;
      }
      switch (agg) {
        case 'none':
          if (m > meta) {
            value = v;
            meta = m;
          }
          break;
        case 'avg':
          value += v;
          meta += m;
          break;
        case 'sum':
          value += v;
          break;
        case 'min':
          if (v < value) value = v;
          break;
        case 'max':
          if (v > value) value = v;
          break;
      }
    }
    if (epoch === 0n) continue;
    if (agg === 'avg') value = meta === 0n ? 0n : value / meta;
    points.push({ epoch, value: type.signed ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value) });
  }
  points.sort((a, b) => (a.epoch < b.epoch ? -1 : a.epoch > b.epoch ? 1 : 0));
  return { kind: 'tseries', signed: type.signed, intervalNs, numIntervals, agg, points };
}

/** A map value of either kind: an aggregation combined over CPUs, or a plain value. */
export function decodeMapValue(
  type: SizedType,
  perCpuValues: readonly Uint8Array[],
  ctx: DecodeContext = EMPTY_CONTEXT,
): Value | AggregateValue {
  if (isAggregation(type)) return decodeAggregate(type, perCpuValues);
  const first = perCpuValues[0];
  if (first === undefined) throw new InternalError('map value without bytes');
  if (perCpuValues.length > 1 && type.kind === 'int') {
    // A per-CPU map of plain integers: bpftrace adds the copies.
    let total = 0n;
    for (const b of perCpuValues) total += readInt(b, 0, type.size, type.signed);
    const value = type.signed ? BigInt.asIntN(type.size * 8, total) : BigInt.asUintN(type.size * 8, total);
    return { kind: 'int', value, size: type.size, signed: type.signed };
  }
  return decodeValue(type, first, 0, ctx);
}

/**
 * A whole map as user space reads it (keys and per-CPU values, e.g. UserMap.entries()) →
 * a MapDump the printers take. Maps without keys have keyType voidType.
 */
export function decodeMapDump(
  name: string,
  keyType: SizedType,
  valueType: SizedType,
  entries: Iterable<{ readonly key: Uint8Array; readonly values: readonly Uint8Array[] }>,
  ctx: DecodeContext = EMPTY_CONTEXT,
): MapDump {
  const out: MapDump['entries'][number][] = [];
  for (const e of entries) {
    const key = keyType.kind === 'void' ? NONE : decodeValue(keyType, e.key, 0, ctx);
    out.push({ key, value: decodeMapValue(valueType, e.values, ctx), keyBytes: e.key.slice() });
  }
  return { name, keyType, valueType, entries: out };
}
