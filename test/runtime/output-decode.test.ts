// Decoding values from their C layout, combining per-CPU aggregation values, the layout
// contract's bucket mappings, and encode/decode round trips.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { AggregationType, SizedType, StackType } from '../../src/check/types.js';
import { boolType, intType, stringType, voidType } from '../../src/check/types.js';
import { InternalError } from '../../src/diag/diagnostic.js';
import {
  decodeAggregate,
  decodeMapDump,
  decodeMapValue,
  decodeValue,
  type DecodeContext,
} from '../../src/runtime/output/decode.js';
import { TextPrinter } from '../../src/runtime/output/text.js';
import { encodeValue } from '../../src/runtime/output/encode.js';
import {
  AGG_FIELDS,
  aggregationValueSize,
  histBucketCount,
  histBucketIndex,
  histBucketRange,
  lhistBucketCount,
  lhistBucketIndex,
} from '../../src/runtime/output/layouts.js';
import { i64, int, str, tuple, type Value } from '../../src/runtime/output/values.js';
import { aggType, I64, STR, tupleType } from './output-fixtures.js';

/** Little-endian bytes from (value, size) pairs, concatenated. */
function le(...fields: [bigint | number, number][]): Uint8Array {
  const out: number[] = [];
  for (const [v, size] of fields) {
    let x = BigInt.asUintN(size * 8, BigInt(v));
    for (let k = 0; k < size; k++) {
      out.push(Number(x & 0xffn));
      x >>= 8n;
    }
  }
  return Uint8Array.from(out);
}

const ascii = (text: string, size: number) => {
  const b = new Uint8Array(size);
  for (let k = 0; k < text.length && k < size; k++) b[k] = text.charCodeAt(k);
  return b;
};

describe('decodeValue', () => {
  test.each<[1 | 2 | 4 | 8, boolean, Uint8Array, bigint]>([
    [1, true, le([0xff, 1]), -1n],
    [1, false, le([0xff, 1]), 255n],
    [2, true, le([0x8000, 2]), -32768n],
    [4, false, le([0xfffffffe, 4]), 4294967294n],
    [8, true, le([-5, 8]), -5n],
    [8, false, le([-1, 8]), 18446744073709551615n],
  ])('int%i signed=%s', (size, signed, bytes, want) => {
    expect(decodeValue(intType(size, signed), bytes, 0)).toEqual({ kind: 'int', value: want, size, signed });
  });

  test('reads at an offset', () => {
    expect(decodeValue(I64, le([7, 4], [42, 8]), 4)).toEqual(i64(42));
  });

  test('bool, string, buffer, pointer', () => {
    expect(decodeValue(boolType, le([2, 1]), 0)).toEqual({ kind: 'bool', value: true });
    expect(decodeValue(stringType(8), ascii('hi\0junk', 8), 0)).toEqual(str('hi'));
    // A string filling its type has no NUL: it ends at the type's size.
    expect(decodeValue(stringType(4), ascii('abcdef', 6), 0)).toEqual(str('abcd'));
    const buf = decodeValue({ kind: 'buffer', size: 8 }, Uint8Array.from([3, 0, 0, 0, 9, 8, 7, 6]), 0);
    expect(buf).toEqual({ kind: 'buffer', bytes: Uint8Array.from([9, 8, 7]) });
    expect(decodeValue({ kind: 'pointer', size: 8, to: I64, space: 'kernel' }, le([0xffff0000n, 8]), 0)).toEqual({
      kind: 'pointer',
      address: 0xffff0000n,
    });
  });

  test('tuples and records at their field offsets; arrays element by element', () => {
    const t = tupleType(intType(1, false), I64, stringType(4));
    expect(t.fields.map((f) => f.offset)).toEqual([0, 8, 16]);
    const bytes = new Uint8Array(t.size);
    bytes.set(le([200, 1]), 0);
    bytes.set(le([-3, 8]), 8);
    bytes.set(ascii('ab', 4), 16);
    expect(decodeValue(t, bytes, 0)).toEqual(tuple(int(200, 1, false), i64(-3), str('ab')));
    const rec: SizedType = { kind: 'record', size: t.size, fields: t.fields.map((f, k) => ({ ...f, name: 'abc'[k]! })) };
    expect(decodeValue(rec, bytes, 0)).toEqual({
      kind: 'record',
      fields: [
        { name: 'a', value: int(200, 1, false) },
        { name: 'b', value: i64(-3) },
        { name: 'c', value: str('ab') },
      ],
    });
    const arr: SizedType = { kind: 'array', size: 6, elem: intType(2, true), count: 3 };
    expect(decodeValue(arr, le([1, 2], [-1, 2], [3, 2]), 0)).toEqual({
      kind: 'array',
      elems: [int(1, 2), int(-1, 2), int(3, 2)],
    });
  });

  test('struct bit fields', () => {
    const st: SizedType = {
      kind: 'struct',
      name: 'struct flags',
      size: 4,
      fields: [
        { name: 'lo', type: intType(4, false), offset: 0, bitfield: { bitOffset: 0, bitWidth: 3 } },
        { name: 'mid', type: intType(4, true), offset: 0, bitfield: { bitOffset: 3, bitWidth: 4 } },
      ],
    };
    // lo = 0b101, mid = 0b1111 (-1 as a signed 4-bit field)
    const v = decodeValue(st, le([0b1111101, 4]), 0);
    expect(v).toEqual({
      kind: 'record',
      fields: [
        { name: 'lo', value: { kind: 'int', value: 5n, size: 4, signed: false } },
        { name: 'mid', value: { kind: 'int', value: -1n, size: 4, signed: true } },
      ],
    });
  });

  const ctx: DecodeContext = {
    ksym: (a) => (a === 0xffffffff81000000n ? 'vfs_read' : `0x${a.toString(16)}`),
    usym: (a, pid) => `main@${pid}+${a}`,
    stack: (kind, id, pid) => [{ address: 0x10n, symbol: `${kind}-${id}-${pid}` }],
    username: (uid) => (uid === 0n ? 'root' : ''),
    strftimeFormat: (id) => ['%H:%M', '%Y'][id] ?? '',
    timestampBaseNs: (mode) => (mode === 1 ? 1_000_000_000_000n : 0n),
    cgroupPath: (_p, id) => `/sys/fs/cgroup/${id}`,
    enumSymbol: (name, v) => (name === 'state' && v === 1n ? 'RUNNING' : undefined),
  };

  test('symbols, stacks, users and cgroups resolve through the context', () => {
    const ksym: SizedType = { kind: 'ksym', size: 8 };
    expect(decodeValue(ksym, le([0xffffffff81000000n, 8]), 0, ctx)).toEqual({
      kind: 'ksym',
      address: 0xffffffff81000000n,
      symbol: 'vfs_read',
    });
    expect(decodeValue({ kind: 'usym', size: 16 }, le([77, 8], [42, 4], [0, 4]), 0, ctx)).toEqual({
      kind: 'usym',
      address: 77n,
      pid: 42,
      symbol: 'main@42+77',
    });
    const kstack: StackType = { kind: 'kstack', size: 8, mode: 'bpftrace', limit: 127 };
    expect(decodeValue(kstack, le([3, 8]), 0, ctx)).toEqual({
      kind: 'kstack',
      mode: 'bpftrace',
      frames: [{ address: 0x10n, symbol: 'kstack-3--1' }],
    });
    const ustack: StackType = { kind: 'ustack', size: 16, mode: 'perf', limit: 127 };
    expect(decodeValue(ustack, le([4, 8], [99, 4], [0, 4]), 0, ctx)).toEqual({
      kind: 'ustack',
      mode: 'perf',
      frames: [{ address: 0x10n, symbol: 'ustack-4-99' }],
    });
    // A failed get_stackid (negative id) has no frames.
    expect(decodeValue(kstack, le([-14, 8]), 0, ctx)).toEqual({ kind: 'kstack', mode: 'bpftrace', frames: [] });
    expect(decodeValue({ kind: 'username', size: 8 }, le([0, 8]), 0, ctx)).toEqual({
      kind: 'username',
      uid: 0n,
      name: 'root',
    });
    expect(decodeValue({ kind: 'cgroup_path', size: 16 }, le([0, 8], [5, 8]), 0, ctx)).toEqual({
      kind: 'cgroup_path',
      cgroupId: 5n,
      path: '/sys/fs/cgroup/5',
    });
  });

  test('without a context, symbols print as bpftrace prints unknown addresses', () => {
    expect(decodeValue({ kind: 'ksym', size: 8 }, le([0, 8]), 0)).toMatchObject({ symbol: '0' });
    expect(decodeValue({ kind: 'ksym', size: 8 }, le([1, 8]), 0)).toMatchObject({ symbol: '0x1' });
  });

  test('timestamps: format by id, clock base by mode', () => {
    const ts = decodeValue({ kind: 'timestamp', size: 16 }, le([1, 4], [1, 4], [500, 8]), 0, ctx);
    expect(ts).toEqual({ kind: 'timestamp', format: '%Y', epochNs: 1_000_000_000_500n });
    expect(() => decodeValue({ kind: 'timestamp', size: 16 }, le([0, 4], [0, 4], [0, 8]), 0)).toThrow(InternalError);
  });

  test('enums carry their enumerator name when the context knows it', () => {
    const t = { ...intType(4, false), enumName: 'state' };
    expect(decodeValue(t, le([1, 4]), 0, ctx)).toMatchObject({ enumName: 'state', enumSymbol: 'RUNNING' });
    expect(decodeValue(t, le([9, 4]), 0, ctx)).not.toHaveProperty('enumSymbol');
  });

  test('inet, mac, strerror, void', () => {
    const v4 = decodeValue({ kind: 'inet', size: 24 }, Uint8Array.from([2, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1]), 0);
    expect(v4).toEqual({ kind: 'inet', family: 'inet', bytes: Uint8Array.from([10, 0, 0, 1]) });
    const v6bytes = new Uint8Array(24);
    v6bytes[0] = 10;
    v6bytes[23] = 1;
    expect(decodeValue({ kind: 'inet', size: 24 }, v6bytes, 0)).toMatchObject({ family: 'inet6' });
    expect(decodeValue({ kind: 'mac_address', size: 6 }, Uint8Array.from([1, 2, 3, 4, 5, 6]), 0)).toEqual({
      kind: 'mac_address',
      bytes: Uint8Array.from([1, 2, 3, 4, 5, 6]),
    });
    expect(decodeValue({ kind: 'strerror', size: 8 }, le([2, 8]), 0)).toEqual({ kind: 'strerror', errno: 2 });
    expect(decodeValue(voidType, new Uint8Array(0), 0)).toEqual({ kind: 'none' });
  });

  test('aggregations and reads past the value are our bugs', () => {
    expect(() => decodeValue(aggType('count', false), new Uint8Array(8), 0)).toThrow(InternalError);
    expect(() => decodeValue(I64, new Uint8Array(4), 0)).toThrow(InternalError);
  });
});

describe('decodeAggregate combines per-CPU values', () => {
  test('count and sum add (sum wraps at 64 bits, signed or not)', () => {
    expect(decodeAggregate(aggType('count', false), [le([3, 8]), le([4, 8])])).toEqual({ kind: 'count', value: 7n });
    expect(decodeAggregate(aggType('sum'), [le([-10, 8]), le([3, 8])])).toEqual({ kind: 'sum', signed: true, value: -7n });
    expect(decodeAggregate(aggType('sum', false), [le([-1, 8]), le([2, 8])])).toEqual({
      kind: 'sum',
      signed: false,
      value: 1n,
    });
  });

  test('min and max ignore CPUs that never wrote', () => {
    const cpus = [le([100, 8], [0, 8]), le([-5, 8], [1, 8]), le([7, 8], [1, 8])];
    expect(decodeAggregate(aggType('min'), cpus)).toEqual({ kind: 'min', signed: true, value: -5n, set: true });
    expect(decodeAggregate(aggType('max'), cpus)).toEqual({ kind: 'max', signed: true, value: 7n, set: true });
    expect(decodeAggregate(aggType('max'), [le([9, 8], [0, 8])])).toEqual({ kind: 'max', signed: true, value: 0n, set: false });
    expect(AGG_FIELDS.min).toEqual({ value: 0, set: 8 });
  });

  test('avg and stats add totals and counts', () => {
    expect(decodeAggregate(aggType('stats'), [le([10, 8], [1, 8]), le([-31, 8], [2, 8])])).toEqual({
      kind: 'stats',
      signed: true,
      total: -21n,
      count: 3n,
    });
  });

  test('hist and lhist add bucket by bucket', () => {
    const t = aggType('hist', true, [0n]);
    const a = new Uint8Array(t.size);
    const b = new Uint8Array(t.size);
    a.set(le([2, 8]), 8 * 3);
    b.set(le([5, 8]), 8 * 3);
    b.set(le([1, 8]), 0);
    const h = decodeAggregate(t, [a, b]);
    expect(h.kind === 'hist' && [h.buckets[0], h.buckets[3], h.buckets.length]).toEqual([1n, 7n, 65]);
    const lt = aggType('lhist', true, [0n, 10n, 5n]);
    const l = decodeAggregate(lt, [le([1, 8], [2, 8], [3, 8], [4, 8])]);
    expect(l).toEqual({ kind: 'lhist', min: 0n, max: 10n, step: 5n, buckets: [1n, 2n, 3n, 4n] });
  });

  test('tseries keeps the newest epoch of each slot, merged by its agg function', () => {
    // 2 slots; interval 10; agg sum (code 4).
    const t: AggregationType = { kind: 'tseries', signed: true, size: 48, params: [10n, 2n, 4n] };
    const cpu0 = le([5, 8], [0, 8], [7, 8], [1, 8], [0, 8], [8, 8]);
    const cpu1 = le([6, 8], [0, 8], [7, 8], [100, 8], [0, 8], [6, 8]);
    expect(decodeAggregate(t, [cpu0, cpu1])).toEqual({
      kind: 'tseries',
      signed: true,
      intervalNs: 10n,
      numIntervals: 2,
      agg: 'sum',
      // slot 0: both CPUs wrote epoch 7 (5 + 6); slot 1: CPU 1's epoch 6 is stale.
      points: [
        { epoch: 7n, value: 11n },
        { epoch: 8n, value: 1n },
      ],
    });
    const avg: AggregationType = { ...t, params: [10n, 2n, 1n] };
    const a = decodeAggregate(avg, [le([9, 8], [2, 8], [3, 8], ...new Array(3).fill([0, 8]))]);
    expect(a.kind === 'tseries' && a.points).toEqual([{ epoch: 3n, value: 4n }]);
  });

  test('decodeMapValue adds per-CPU plain integers and decodes other values once', () => {
    expect(decodeMapValue(I64, [le([2, 8]), le([-5, 8])])).toEqual(i64(-3));
    expect(decodeMapValue(STR, [ascii('x', 64)])).toEqual(str('x'));
    expect(decodeMapValue(aggType('count', false), [le([1, 8])])).toEqual({ kind: 'count', value: 1n });
  });
});

describe('layouts', () => {
  test.each([
    [0, 65],
    [1, 127],
    [2, 249],
    [3, 489],
    [4, 961],
    [5, 1889],
  ])('hist bits %i has %i buckets; the largest int64 lands in the last', (bits, n) => {
    expect(histBucketCount(bits)).toBe(n);
    expect(histBucketIndex((1n << 63n) - 1n, bits)).toBe(n - 1);
    expect(histBucketRange(n - 1, bits).max).toBe((1n << 63n) - 1n);
    expect(aggregationValueSize('hist', [BigInt(bits)])).toBe(8 * n);
  });

  test.each<[bigint, number, number, [bigint | null, bigint]]>([
    [-1n, 0, 0, [null, -1n]],
    [0n, 0, 1, [0n, 0n]],
    [1n, 0, 2, [1n, 1n]],
    [2n, 0, 3, [2n, 3n]],
    [1000n, 0, 11, [512n, 1023n]],
    [3n, 1, 4, [3n, 3n]],
    [4n, 1, 5, [4n, 5n]],
    [13n, 1, 8, [12n, 15n]],
    [225n, 2, 28, [224n, 255n]],
    [16n, 3, 17, [16n, 17n]],
    [34n, 4, 34, [34n, 35n]],
    [66n, 5, 66, [66n, 67n]],
    [1n << 64n, 0, 1, [0n, 0n]],
    [(1n << 64n) - 1n, 0, 0, [null, -1n]],
  ])('hist(%s, %i) → bucket %i', (v, bits, index, [min, max]) => {
    expect(histBucketIndex(v, bits)).toBe(index);
    expect(histBucketRange(index, bits)).toEqual({ min, max });
  });

  test('every non-negative value falls inside its bucket range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), fc.integer({ min: 0, max: 5 }), (v, bits) => {
        const { min, max } = histBucketRange(histBucketIndex(v, bits), bits);
        return min !== null && min <= v && v <= max;
      }),
    );
  });

  test('lhist buckets: below min, one per step, and max or above', () => {
    expect(lhistBucketCount(0n, 10n, 2n)).toBe(7);
    expect([-1n, 0n, 9n, 10n, 11n].map((v) => lhistBucketIndex(v, 0n, 10n, 2n))).toEqual([0, 1, 5, 6, 6]);
    // step not dividing the range: the partial top bucket folds into the last.
    expect([8n, 9n, 10n].map((v) => lhistBucketIndex(v, 0n, 10n, 3n))).toEqual([3, 4, 4]);
    expect(lhistBucketCount(0n, 10n, 3n)).toBe(5);
  });

  test('value sizes', () => {
    expect(['count', 'sum', 'min', 'max', 'avg', 'stats'].map((k) => aggregationValueSize(k as 'count'))).toEqual([
      8, 8, 16, 16, 16, 16,
    ]);
    expect(aggregationValueSize('lhist', [0n, 100n, 10n])).toBe(8 * 12);
    expect(aggregationValueSize('tseries', [1_000_000_000n, 5n])).toBe(120);
    expect(() => aggregationValueSize('hist', [6n])).toThrow(InternalError);
    expect(() => aggregationValueSize('lhist', [10n, 0n, 1n])).toThrow(InternalError);
  });
});

describe('encodeValue is decodeValue inverted', () => {
  const t = tupleType(I64, stringType(16), intType(2, true), tupleType(boolType, intType(4, false)));
  const arb = fc.tuple(
    fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
    fc.string({ maxLength: 15, unit: fc.constantFrom(...'abcxyz -_'.split('')) }),
    fc.integer({ min: -32768, max: 32767 }),
    fc.boolean(),
    fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  );
  test('for tuples of integers, strings and bools', () => {
    fc.assert(
      fc.property(arb, ([a, b, c, d, e]) => {
        const v: Value = tuple(i64(a), str(b), int(c, 2), tuple({ kind: 'bool', value: d }, int(e, 4, false)));
        expect(decodeValue(t, encodeValue(t, v), 0)).toEqual(v);
      }),
    );
  });
});

describe('decodeMapDump', () => {
  test('keys, per-CPU values and raw key bytes, ready for the printers', () => {
    const dump = decodeMapDump('@c', STR, aggType('count', false), [
      { key: ascii('b', 64), values: [le([2, 8]), le([3, 8])] },
      { key: ascii('a', 64), values: [le([1, 8]), le([0, 8])] },
    ]);
    expect(dump.entries.map((e) => [e.key, e.value])).toEqual([
      [str('b'), { kind: 'count', value: 5n }],
      [str('a'), { kind: 'count', value: 1n }],
    ]);
    expect(dump.entries[0]!.keyBytes).toEqual(ascii('b', 64));
    expect(new TextPrinter().map(dump)).toBe('@c[a]: 1\n@c[b]: 5\n');
    const scalar = decodeMapDump('@x', voidType, I64, [{ key: le([0, 8]), values: [le([-4, 8])] }]);
    expect(new TextPrinter().map(scalar)).toBe('@x: -4\n');
  });
});
