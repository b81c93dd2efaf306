// The JSON printer per message type and value kind, beyond the recorded corpus: escaping,
// values bpftrace quotes or not, messages, lost events, helper errors, hist edges, tseries.

import { describe, expect, test } from 'vitest';
import type { SizedType } from '../../src/check/types.js';
import { binaryFromUtf8 } from '../../src/runtime/output/bytes.js';
import { JsonPrinter, histJson, jsonEscape, jsonOfValue, lhistJson } from '../../src/runtime/output/json.js';
import { i64, pointer, record, str, tuple, type TseriesAggregate, type Value } from '../../src/runtime/output/values.js';
import { aggType, histOf, I64, keyedMap, lhistOf, scalarMap, STR } from './output-fixtures.js';

const json = new JsonPrinter({ zone: 'utc', maxStrlen: 64, truncTrailer: '..' });

describe('escaping', () => {
  test.each<[string, string]>([
    ['plain', 'plain'],
    ['"q" \\ /', '\\"q\\" \\\\ /'],
    ['\n\r\t', '\\n\\r\\t'],
    ['\x00\x08\x0c\x1f', '\\u0000\\u0008\\u000c\\u001f'],
    ['\x7f', '\x7f'],
    [binaryFromUtf8('é'), '\\uffffffc3\\uffffffa9'],
  ])('%j', (input, want) => {
    expect(jsonEscape(input)).toBe(want);
  });
});

describe('values', () => {
  test.each<[string, Value, string]>([
    ['int', i64(-3), '-3'],
    ['bool', { kind: 'bool', value: true }, '1'],
    ['pointer, in decimal', pointer(0xff), '255'],
    ['string', str('a"b'), '"a\\"b"'],
    ['tuple', tuple(i64(1), str('x'), tuple(i64(2))), '[1,"x",[2]]'],
    ['record', record({ a: i64(1), b: str('x') }), '{ "a": 1, "b": "x" }'],
    ['array', { kind: 'array', elems: [i64(1), i64(2)] }, '[1,2]'],
    ['mac, unquoted as in bpftrace', { kind: 'mac_address', bytes: Uint8Array.from([1, 2, 3, 4, 5, 6]) }, '01:02:03:04:05:06'],
    ['inet', { kind: 'inet', family: 'inet', bytes: Uint8Array.from([127, 0, 0, 1]) }, '"127.0.0.1"'],
    ['ksym', { kind: 'ksym', address: 1n, symbol: 'vfs_read' }, '"vfs_read"'],
    ['stack', { kind: 'kstack', mode: 'bpftrace', frames: [{ address: 1n, symbol: 'f+1' }] }, '"\\n        f+1\\n"'],
    ['strerror', { kind: 'strerror', errno: 2 }, '"No such file or directory"'],
    ['enum, as its number', { kind: 'int', value: 1n, size: 4, signed: false, enumName: 'e', enumSymbol: 'ON' }, '1'],
    ['none', { kind: 'none' }, '""'],
  ])('%s', (_name, v, want) => {
    expect(jsonOfValue(v)).toBe(want);
    expect(json.value(v)).toBe(`{"type": "value", "data": ${want}}\n`);
  });

  test('inside a map key, strings are escaped but not quoted', () => {
    expect(jsonOfValue(str('a"b'), undefined, true)).toBe('a\\"b');
  });
});

describe('messages', () => {
  test.each<[string, string, string]>([
    ['printf', 'hi\n', '{"type": "printf", "data": "hi\\n"}\n'],
    ['time', '10:00:00\n', '{"type": "time", "data": "10:00:00\\n"}\n'],
    ['cat', 'file\n', '{"type": "cat", "data": "file\\n"}\n'],
    ['join', 'a b', '{"type": "join", "data": "a b"}\n'],
    ['system', 'out\n', '{"type": "syscall", "data": "out\\n"}\n'],
  ])('%s', (kind, text, want) => {
    const p = json as unknown as Record<string, (t: string) => string>;
    expect(p[kind]!.call(json, text)).toBe(want);
  });

  test('attach, lost events, helper errors, exit banner', () => {
    expect(json.attachedProbes(3)).toBe('{"type": "attached_probes", "data": {"probes": 3}}\n');
    expect(json.lostEvents(5)).toBe('{"type": "lost_events", "data": {"events": 5}}\n');
    expect(
      json.helperError({
        helperId: 1,
        helperName: 'map_lookup_elem',
        retcode: 0,
        location: 'x',
        sourceContext: [],
        line: 3,
        column: 7,
      }),
    ).toBe(
      '{"type": "helper_error", "msg": "Can\'t lookup map element because it does not exist.", ' +
        '"helper": "map_lookup_elem", "retcode": 0, "line": 3, "col": 7}\n',
    );
    expect(json.exitBanner()).toBe('\n\n');
  });
});

describe('maps', () => {
  test('empty maps print nothing', () => {
    expect(json.map(keyedMap('@a', I64, I64, []))).toBe('');
  });

  test('an all-zero histogram prints an empty list', () => {
    expect(json.map(scalarMap('@h', aggType('hist', true, [0n]), histOf([])))).toBe(
      '{"type": "hist", "data": {"@h": []}}\n',
    );
    expect(lhistJson(lhistOf([], 0, 10, 1))).toBe('[]');
  });

  test('hist ranges at the ends of int64', () => {
    expect(histJson(histOf([-5, (1n << 63n) - 1n]), 1n)).toMatch(
      /^\[\{"max": -1, "count": 1\}, .*\{"min": 4611686018427387904, "max": 9223372036854775807, "count": 1\}\]$/,
    );
  });

  test('tuple keys join with commas and are escaped twice', () => {
    const t: SizedType = { kind: 'tuple', size: 72, fields: [] };
    const m = keyedMap('@', t, I64, [[tuple(i64(1), str('a"b'), tuple(i64(2), str('c'))), i64(9)]]);
    expect(json.map(m)).toBe('{"type": "map", "data": {"@": {"1,a\\\\\\"b,[2,\\"c\\"]": 9}}}\n');
  });

  test('print(@m, top, div) applies as in text', () => {
    const m = keyedMap('@c', STR, aggType('count', false), [
      [str('a'), { kind: 'count', value: 10n }],
      [str('b'), { kind: 'count', value: 30n }],
      [str('c'), { kind: 'count', value: 20n }],
    ]);
    expect(json.map(m, { top: 2, div: 10 })).toBe('{"type": "map", "data": {"@c": {"c": 2, "b": 3}}}\n');
  });

  test('tseries (upstream): points with their interval start, missing intervals skipped', () => {
    const ts: TseriesAggregate = {
      kind: 'tseries',
      signed: true,
      intervalNs: 1_000_000_000n,
      numIntervals: 5,
      agg: 'none',
      points: [
        { epoch: 1_700_000_000n, value: 3n },
        { epoch: 1_700_000_002n, value: -1n },
      ],
    };
    expect(json.map(scalarMap('@t', aggType('tseries', true, [1_000_000_000n, 5n]), ts))).toBe(
      '{"type": "tseries", "data": {"@t": [' +
        '{"interval_start":"2023-11-14 22:13:20.000000000","value":3},' +
        '{"interval_start":"2023-11-14 22:13:22.000000000","value":-1}]}}\n',
    );
  });
});
