// The text printer per value kind and per aggregation, beyond what the recorded corpus
// shows: stacks, symbols, users, timestamps, addresses, records, enums, tseries (against
// upstream's documented graph), bars, labels, events and warnings.

import { describe, expect, test } from 'vitest';
import type { SizedType } from '../../src/check/types.js';
import { intType } from '../../src/check/types.js';
import { binaryFromUtf8 } from '../../src/runtime/output/bytes.js';
import { formatTime, formatTimestamp, strftime } from '../../src/runtime/output/strftime.js';
import {
  barLength,
  histIndexLabel,
  histText,
  lhistIndexLabel,
  tseriesText,
  TextPrinter,
} from '../../src/runtime/output/text.js';
import { inetText, textOfValue } from '../../src/runtime/output/text-value.js';
import { i64, int, record, str, tuple, type InetValue, type StackValue, type Value } from '../../src/runtime/output/values.js';
import type { TseriesAggregate } from '../../src/runtime/output/values.js';
import { aggType, histOf, I64, keyedMap, scalarMap, STR } from './output-fixtures.js';

const UTC = { zone: 'utc' as const, maxStrlen: 64 };
const text = new TextPrinter({ ...UTC, truncTrailer: '..' });

const stack = (mode: StackValue['mode'], kind: StackValue['kind'] = 'kstack'): StackValue => ({
  kind,
  mode,
  frames: [
    { address: 0xffffffff81234567n, symbol: 'vfs_read+23', module: 'kernel' },
    { address: 0xffffffff81000010n, symbol: 'ksys_read+5' },
  ],
});

describe('plain values', () => {
  test.each<[string, Value, string]>([
    ['int', i64(-7), '-7'],
    ['enum with a name', { kind: 'int', value: 1n, size: 4, signed: false, enumName: 's', enumSymbol: 'ON' }, 'ON'],
    ['enum without a name', { kind: 'int', value: 9n, size: 4, signed: false, enumName: 's' }, '9'],
    ['bool', { kind: 'bool', value: false }, 'false'],
    ['string', str('hi there'), 'hi there'],
    ['buffer', { kind: 'buffer', bytes: Uint8Array.from([0x41, 0, 0x7e, 0x7f]) }, 'A\\x00~\\x7f'],
    ['tuple', tuple(i64(1), str('a'), tuple(i64(2))), '(1, a, (2))'],
    ['record', record({ a: i64(1), b: str('x') }), '{ .a = 1, .b = x }'],
    ['empty record', record({}), '{  }'],
    ['array', { kind: 'array', elems: [i64(1), i64(2), i64(3)] }, '[1,2,3]'],
    ['pointer', { kind: 'pointer', address: 0xffff8800n }, '0xffff8800'],
    ['ksym', { kind: 'ksym', address: 1n, symbol: 'do_sys_open' }, 'do_sys_open'],
    ['usym', { kind: 'usym', address: 1n, symbol: 'main', pid: 9 }, 'main'],
    ['username', { kind: 'username', uid: 0n, name: 'root' }, 'root'],
    ['mac', { kind: 'mac_address', bytes: Uint8Array.from([0, 0x1b, 0xa, 0xff, 1, 2]) }, '00:1B:0A:FF:01:02'],
    ['cgroup path', { kind: 'cgroup_path', cgroupId: 1n, path: 'unified:/system.slice' }, 'unified:/system.slice'],
    ['strerror', { kind: 'strerror', errno: 110 }, 'Connection timed out'],
    ['unknown errno', { kind: 'strerror', errno: 4000 }, 'Unknown error 4000'],
    ['none', { kind: 'none' }, ''],
  ])('%s', (_name, v, want) => {
    expect(textOfValue(v, UTC)).toBe(want);
    expect(text.value(v)).toBe(want + '\n');
  });

  test('a tuple key loses its parentheses only at the top', () => {
    expect(textOfValue(tuple(i64(1), tuple(i64(2), str('x'))), UTC, true)).toBe('1, (2, x)');
  });

  test.each<[StackValue['mode'], string]>([
    ['bpftrace', '\n        vfs_read+23\n        ksys_read+5\n'],
    ['perf', '\n\tffffffff81234567 vfs_read+23 (kernel)\n\tffffffff81000010 ksys_read+5\n'],
    ['raw', '\nffffffff81234567\nffffffff81000010\n'],
  ])('stacks in %s mode', (mode, want) => {
    expect(textOfValue(stack(mode), UTC)).toBe(want);
  });

  test.each<[number[], string]>([
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], '::1'],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], '::'],
    [[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], '2001:db8::1'],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4], '::ffff:1.2.3.4'],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1], '::10.0.0.1'],
    [[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2], 'fe80::1:0:0:2'],
    [[0, 1, 0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7], '1:0:2:3:4:5:6:7'],
    [[0x7f, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], '7f00:1::'],
  ])('inet_ntop of %j', (bytes, want) => {
    const v: InetValue = { kind: 'inet', family: 'inet6', bytes: Uint8Array.from(bytes) };
    expect(inetText(v)).toBe(want);
  });

  test('strftime values: %f is the microseconds, the zone is the caller\'s', () => {
    const ns = 1_700_000_000_123_456_789n; // 2023-11-14T22:13:20.123456789Z
    const v: Value = { kind: 'timestamp', format: '%Y-%m-%d %H:%M:%S.%f', epochNs: ns };
    expect(textOfValue(v, UTC)).toBe('2023-11-14 22:13:20.123456');
    expect(formatTimestamp('%f%f', 5_000n, 'utc', 64)).toBe('000005000005');
    // bpftrace prints "(?)" when the result does not fit max_strlen.
    expect(textOfValue(v, { zone: 'utc', maxStrlen: 10 })).toBe('(?)');
  });
});

describe('strftime conversions (C locale, UTC)', () => {
  const ns = 1_700_000_000_000_000_000n; // Tuesday 2023-11-14 22:13:20
  test.each<[string, string]>([
    ['%a %A %b %B %h', 'Tue Tuesday Nov November Nov'],
    ['%c', 'Tue Nov 14 22:13:20 2023'],
    ['%C %y %Y %G %g', '20 23 2023 2023 23'],
    ['%d %e %j %m', '14 14 318 11'],
    ['%D %F %x', '11/14/23 2023-11-14 11/14/23'],
    ['%H %I %k %l %M %S %p %P', '22 10 22 10 13 20 PM pm'],
    ['%r %R %T %X', '10:13:20 PM 22:13 22:13:20 22:13:20'],
    ['%s', '1700000000'],
    ['%u %w %U %W %V', '2 2 46 46 46'],
    ['%z %Z', '+0000 UTC'],
    ['%n%t%%', '\n\t%'],
    ['%Ey %Od', '23 14'],
    ['%Q stays', '%Q stays'],
  ])('%s', (fmt, want) => {
    expect(strftime(fmt, ns, 'utc')).toBe(want);
  });

  test('time() uses a 64-byte buffer and gives nothing for an empty result', () => {
    expect(formatTime('%H:%M:%S\n', 3_600_000_000_000n, 'utc')).toBe('01:00:00\n');
    expect(formatTime('', 0n, 'utc')).toBeUndefined();
    expect(formatTime('x'.repeat(64), 0n, 'utc')).toBeUndefined();
  });
});

describe('maps of special values', () => {
  test('stack values: no blank separator, the stack starts on the next line', () => {
    const t: SizedType = { kind: 'kstack', size: 8, mode: 'bpftrace', limit: 127 };
    const m = keyedMap('@', I64, t, [
      [i64(2), stack('bpftrace')],
      [i64(1), { kind: 'kstack', mode: 'bpftrace', frames: [{ address: 1n, symbol: 'schedule+0' }] }],
    ]);
    expect(text.map(m)).toBe(
      '@[1]: \n        schedule+0\n@[2]: \n        vfs_read+23\n        ksys_read+5\n\n',
    );
  });

  test('stack keys, as in @[kstack] = count()', () => {
    const t: SizedType = { kind: 'kstack', size: 8, mode: 'bpftrace', limit: 127 };
    const m = keyedMap('@', t, aggType('count', false), [[stack('bpftrace'), { kind: 'count', value: 12n }]]);
    expect(text.map(m)).toBe('@[\n        vfs_read+23\n        ksys_read+5\n]: 12\n');
  });

  test('ksym and usym values run together, as in bpftrace', () => {
    const m = keyedMap('@f', I64, { kind: 'ksym', size: 8 }, [
      [i64(1), { kind: 'ksym', address: 1n, symbol: 'a' }],
      [i64(2), { kind: 'ksym', address: 2n, symbol: 'b' }],
    ]);
    expect(text.map(m)).toBe('@f[1]: a@f[2]: b\n');
  });

  test('enum values print symbolically unless divided', () => {
    const t = { ...intType(4, false), enumName: 'state' };
    const on: Value = { kind: 'int', value: 1000n, size: 4, signed: false, enumName: 'state', enumSymbol: 'ON' };
    expect(text.map(scalarMap('@e', t, on))).toBe('@e: ON\n');
    expect(text.map(scalarMap('@e', t, on), { div: 10 })).toBe('@e: 100\n');
  });

  test('a zeroed avg map prints an average of 0 (bpftrace divides by zero and dies)', () => {
    const m = scalarMap('@a', aggType('stats'), { kind: 'stats', signed: true, total: 0n, count: 0n });
    expect(text.map(m)).toBe('@a: count 0, average 0, total 0\n\n');
  });

  test('integer values divide like C: signed toward zero, unsigned as unsigned', () => {
    const m = keyedMap('@v', I64, I64, [
      [i64(1), i64(-25)],
      [i64(2), i64(25)],
    ]);
    expect(text.map(m, { div: 10 })).toBe('@v[1]: -2\n@v[2]: 2\n');
  });
});

describe('hist and lhist details', () => {
  test('labels', () => {
    expect([10, 11, 20, 21, 30, 40, 50, 60, 64].map((i) => histIndexLabel(i, 0))).toEqual([
      '512',
      '1K',
      '512K',
      '1M',
      '512M',
      '512G',
      '512T',
      '512P',
      '8E',
    ]);
    expect(histIndexLabel(27, 2)).toBe('224');
    expect([0n, 1024n, 1536n, 2097152n, 1000n].map((n) => lhistIndexLabel(n, 1024n))).toEqual([
      '0',
      '1K',
      '1536',
      '2M',
      '1000',
    ]);
    expect(lhistIndexLabel(2048n, 1000n)).toBe('2048');
  });

  test('bars scale in single precision and truncate', () => {
    expect([1n, 3n, 7n, 11n, 13n].map((c) => barLength(c, 13))).toEqual([4, 12, 28, 44, 52]);
    expect(barLength(1n, 3)).toBe(17);
    expect(barLength(2n, 3)).toBe(34);
  });

  test('counts wider than the column push the bar right', () => {
    const big = { ...histOf([]), buckets: histOf([]).buckets.map((_, k) => (k === 1 ? 123456789n : 0n)) };
    expect(histText(big, 1n)).toBe(`[0]             123456789 |${'@'.repeat(52)}|\n`);
  });

  test('an all-zero histogram prints no rows', () => {
    expect(text.map(scalarMap('@h', aggType('hist', true, [0n]), histOf([])))).toBe('@h:\n\n');
  });
});

describe('tseries (upstream format)', () => {
  // The graph from bpftrace's docs/stdlib.md: 20 intervals of 100ms from 10:41:46.700.
  const values = [0, 0, 1, 2, 1, 0, 1, 0, 1, 0, 2, 0, 0, 1, 1, 1, 0, 2, 1, 1];
  const start = ((10 * 3600 + 41 * 60 + 46) * 1000 + 700) / 100; // in 100ms epochs
  const ts: TseriesAggregate = {
    kind: 'tseries',
    signed: true,
    intervalNs: 100_000_000n,
    numIntervals: 20,
    agg: 'min',
    points: values.map((v, k) => ({ epoch: BigInt(start + k), value: BigInt(v) })),
  };
  const rows = [
    '10:41:46.700 *                                                   | 0',
    '10:41:46.800 *                                                   | 0',
    '10:41:46.900 |                         *                         | 1',
    '10:41:47.000 |                                                   * 2',
  ];

  test('matches the documented graph', () => {
    const out = tseriesText(ts, { first: BigInt(start), last: BigInt(start + 19) }, 'utc').split('\n');
    expect(out[0]).toBe(`${' '.repeat(13)}0${' '.repeat(51)}2`);
    expect(out[1]).toBe(`hh:mm:ss.ms  |${'_'.repeat(51)}|`);
    expect(out.slice(2, 6)).toEqual(rows);
    expect(out[21]).toBe('10:41:48.600 |                         *                         | 1');
    expect(out[22]).toBe(`${' '.repeat(13)}v${'_'.repeat(51)}v`);
    expect(out[23]).toBe(out[0]);
    expect(out.length).toBe(25);
  });

  test('as a map: name line, graph, blank line', () => {
    const t = aggType('tseries', true, [100_000_000n, 20n, 3n]);
    const out = text.map(scalarMap('@', t, ts));
    expect(out.startsWith('@:\n             0')).toBe(true);
    expect(out.endsWith('2\n\n')).toBe(true);
  });

  test('missing intervals show a dash; negative ranges mark zero; μs units', () => {
    const t2: TseriesAggregate = {
      ...ts,
      intervalNs: 5_000n,
      points: [
        { epoch: 2n, value: -4n },
        { epoch: 4n, value: 4n },
      ],
    };
    const out = tseriesText(t2, { first: 0n, last: 4n }, 'utc').split('\n');
    expect(out[1]).toBe(binaryFromUtf8('hh:mm:ss.μs') + '    |' + '_'.repeat(51) + '|');
    expect(out[2]).toBe(`00:00:00.000010 *${' '.repeat(25)}.${' '.repeat(25)}| -4`);
    expect(out[3]).toBe(`00:00:00.000015 |${' '.repeat(25)}.${' '.repeat(25)}| -`);
    expect(out[4]).toBe(`00:00:00.000020 |${' '.repeat(25)}.${' '.repeat(25)}* 4`);
  });
});

describe('events', () => {
  test('attach line, lost events, join, exit banner', () => {
    expect(text.attachedProbes(1)).toBe('Attaching 1 probe...\n');
    expect(text.attachedProbes(12)).toBe('Attaching 12 probes...\n');
    expect(text.lostEvents(37)).toBe('Lost 37 events\n');
    expect(text.join('a b c')).toBe('a b c\n');
    expect(text.time('12:00:00\n')).toBe('12:00:00\n');
    expect(text.exitBanner()).toBe('\n\n');
  });

  test('helper errors other than map full', () => {
    const base = { helperName: 'map_delete_elem', location: 'stdin:1:9-20', sourceContext: ['x', '~'], line: 1, column: 9 };
    expect(text.helperError({ ...base, helperId: 3, retcode: -2 })).toBe(
      "stdin:1:9-20: WARNING: Can't delete map element because it does not exist.\n" +
        'Additional Info - helper: map_delete_elem, retcode: -2\nx\n~\n',
    );
    expect(text.helperError({ ...base, helperId: 6, helperName: 'trace_printk', retcode: -22 })).toContain(
      'WARNING: Invalid argument\nAdditional Info - helper: trace_printk, retcode: -22\n',
    );
  });

  test('print() of strings with tuples of keys in maps of strings', () => {
    const m = keyedMap('@', STR, STR, [[str('k'), str('v')]]);
    expect(text.map(m)).toBe('@[k]: v\n');
    expect(text.value(int(-1, 1, true))).toBe('-1\n');
  });
});
