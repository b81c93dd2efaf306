// Values → bytes, the inverse of decode.ts for values that carry their bytes: integers,
// bools, strings, buffers, pointers, arrays, tuples, records, symbols' addresses, inet and
// mac addresses, uids, errnos. Used to order map keys by their bytes (as bpftrace's
// std::map does) when a dump has no raw keys, and by tests. Not for aggregations.

import type { SizedType } from '../../check/types.js';
import { isAggregation } from '../../check/types.js';
import { InternalError } from '../../diag/diagnostic.js';
import type { Value } from './values.js';

/** The bytes of `value` laid out as `type` (size type.size, zero padded). */
export function encodeValue(type: SizedType, value: Value): Uint8Array {
  const out = new Uint8Array(type.size);
  writeValue(type, value, out, 0);
  return out;
}

function writeInt(out: Uint8Array, off: number, size: number, v: bigint): void {
  let x = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    out[off + i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

function mismatch(type: SizedType, value: Value): never {
  throw new InternalError(`cannot encode a ${value.kind} value as ${type.kind}`);
}

/** Writes `value` as `type` at out[off..]; parts that only user space knows stay zero. */
export function writeValue(type: SizedType, value: Value, out: Uint8Array, off: number): void {
  switch (type.kind) {
    case 'int':
      if (value.kind !== 'int') return mismatch(type, value);
      return writeInt(out, off, type.size, value.value);
    case 'bool':
      if (value.kind !== 'bool') return mismatch(type, value);
      out[off] = value.value ? 1 : 0;
      return;
    case 'string': {
      if (value.kind !== 'string') return mismatch(type, value);
      const n = Math.min(value.text.length, type.size - 1);
      for (let i = 0; i < n; i++) out[off + i] = value.text.charCodeAt(i) & 0xff;
      return;
    }
    case 'buffer': {
      if (value.kind !== 'buffer') return mismatch(type, value);
      const n = Math.min(value.bytes.length, type.size - 4);
      writeInt(out, off, 4, BigInt(n));
      out.set(value.bytes.subarray(0, n), off + 4);
      return;
    }
    case 'pointer':
      if (value.kind !== 'pointer') return mismatch(type, value);
      return writeInt(out, off, 8, value.address);
    case 'array':
      if (value.kind !== 'array') return mismatch(type, value);
      value.elems.forEach((e, i) => writeValue(type.elem, e, out, off + i * type.elem.size));
      return;
    case 'tuple':
      if (value.kind !== 'tuple') return mismatch(type, value);
      type.fields.forEach((f, i) => {
        const e = value.elems[i];
        if (e !== undefined) writeValue(f.type, e, out, off + f.offset);
      });
      return;
    case 'record':
    case 'struct':
      if (value.kind !== 'record') return mismatch(type, value);
      type.fields.forEach((f, i) => {
        const e = value.fields[i];
        if (e !== undefined && f.bitfield === undefined) writeValue(f.type, e.value, out, off + f.offset);
      });
      return;
    case 'ksym':
    case 'usym':
      if (value.kind !== 'ksym' && value.kind !== 'usym') return mismatch(type, value);
      writeInt(out, off, 8, value.address);
      if (type.kind === 'usym' && type.size >= 12) writeInt(out, off + 8, 4, BigInt(value.pid ?? -1));
      return;
    case 'username':
      if (value.kind !== 'username') return mismatch(type, value);
      return writeInt(out, off, 8, value.uid);
    case 'inet':
      if (value.kind !== 'inet') return mismatch(type, value);
      writeInt(out, off, 8, value.family === 'inet6' ? 10n : 2n);
      out.set(value.bytes.subarray(0, Math.max(0, type.size - 8)), off + 8);
      return;
    case 'mac_address':
      if (value.kind !== 'mac_address') return mismatch(type, value);
      out.set(value.bytes.subarray(0, 6), off);
      return;
    case 'cgroup_path':
      if (value.kind !== 'cgroup_path') return mismatch(type, value);
      return writeInt(out, off + 8, 8, value.cgroupId);
    case 'strerror':
      if (value.kind !== 'strerror') return mismatch(type, value);
      return writeInt(out, off, 8, BigInt(value.errno));
    case 'kstack':
    case 'ustack':
    case 'timestamp':
      // Stack ids and clock readings are not kept in the decoded value; they order as zero.
      return;
    default:
      if (isAggregation(type)) throw new InternalError(`aggregation ${type.kind} is not a plain value`);
      // void and the marker types (timestamp_mode, stack_mode) have no bytes to write.
      return;
  }
}
