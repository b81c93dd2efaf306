// The printers against real bpftrace 0.23 output: for each corpus program below, the values
// the program produces are built by hand (what the compiler and machine will later decode)
// and the rendered stdout must equal test/golden/programs/NAME.out byte for byte.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { boolType, intType, stringType, type SizedType } from '../../src/check/types.js';
import { JsonPrinter } from '../../src/runtime/output/json.js';
import { TextPrinter } from '../../src/runtime/output/text.js';
import {
  bool,
  buffer,
  i64,
  int,
  str,
  tuple,
  u64,
  type InetValue,
  type Value,
} from '../../src/runtime/output/values.js';
import {
  aggType,
  avgOf,
  count,
  emptyMap,
  histOf,
  I64,
  keyedMap,
  lhistOf,
  maxOf,
  minOf,
  GOLDEN_DIR,
  recorded,
  render,
  scalarMap,
  STR,
  statsOf,
  sum,
  times,
  tupleType,
  U64,
  type Run,
} from './output-fixtures.js';

const s = str;
const i = i64;
const bytes = (text: string) => buffer(Array.from(text, (c) => c.charCodeAt(0)));
const ipv4 = (a: number, b: number, c: number, d: number): InetValue => ({
  kind: 'inet',
  family: 'inet',
  bytes: Uint8Array.from([a, b, c, d]),
});
const printf = (fmt: string, ...args: Value[]) => ({ printf: fmt, args });

const COUNT = aggType('count', false);
const SUM = aggType('sum');
const USUM = aggType('sum', false);
const AVG = aggType('avg');
const STATS = aggType('stats');
const USTATS = aggType('stats', false);
const MIN = aggType('min');
const MAX = aggType('max');
const hist = (bits = 0) => aggType('hist', true, [BigInt(bits)]);
const lhist = (min: number, max: number, step: number) => aggType('lhist', true, [BigInt(min), BigInt(max), BigInt(step)]);
const INT_STR = tupleType(I64, STR);
const STR_INT = tupleType(STR, I64);
const BUF7: SizedType = { kind: 'buffer', size: 11 };
const INET: SizedType = { kind: 'inet', size: 24 };
const STRERROR: SizedType = { kind: 'strerror', size: 8 };

/** Text-printer runs, by corpus program. */
const TEXT: Record<string, Run> = {
  // ── printf ──────────────────────────────────────────────────────────────────────────
  'printf-literal': {
    probes: 1,
    events: [printf('hello world\n'), printf('no newline'), printf(' -- continued\n')],
  },
  'printf-escapes': {
    probes: 1,
    events: [
      printf('tab\there\n'),
      printf('quote " backslash \\ done\n'),
      printf('hex ABC octal ABC\n'),
      printf('cr\rX\n'),
      printf('bell-free ~ tilde\n'),
    ],
  },
  'printf-percent': {
    probes: 1,
    events: [
      printf('100%%\n'),
      printf('a %% b %d %%\n', i(5)),
      printf('%d%% done\n', i(50)),
      printf('%% d is not a specifier, %d is\n', i(7)),
    ],
  },
  'printf-percent-quirks': {
    probes: 1,
    events: [printf('%%d\n', i(1)), printf('%s %%s\n', s('a'), s('b')), printf('[%5%]\n'), printf('%d [%5%] %%\n', i(3))],
  },
  'printf-d': {
    probes: 1,
    events: [
      printf('[%d] [%d] [%d] [%d]\n', i(0), i(1), i(-1), i(123456)),
      printf('[%d] [%d]\n', i(2147483647), i(-2147483648)),
      printf('[%d] [%d]\n', i(2147483648), i(4294967296)),
      printf('[%d] [%d]\n', i(1n << 40n), i((1n << 40n) + 5n)),
    ],
  },
  'printf-d-width': {
    probes: 1,
    events: [
      printf('[%5d] [%-5d] [%05d] [%1d]\n', i(42), i(42), i(42), i(42)),
      printf('[%5d] [%-5d] [%05d]\n', i(-42), i(-42), i(-42)),
      printf('[%10d] [%-10d]|\n', i(123456789), i(123456789)),
      printf('[%.3d] [%8.3d] [%-8.3d]\n', i(7), i(7), i(7)),
    ],
  },
  'printf-u': {
    probes: 1,
    events: [
      printf('[%u] [%u] [%u]\n', i(0), i(42), i(-1)),
      printf('[%lu] [%llu] [%lu]\n', i(-1), i(-1), u64(18446744073709551615n)),
      printf('[%6u] [%-6u] [%06u]\n', i(99), i(99), i(99)),
    ],
  },
  'printf-x': {
    probes: 1,
    events: [
      printf('[%x] [%X] [%x] [%X]\n', i(255), i(255), i(-1), i(3054)),
      printf('[%lx] [%lX] [%llx]\n', i(-1), i(0xdeadbeefcafen), i(0x123456789abcdef0n)),
      printf('[%08x] [%-8x] [%8X]\n', i(0xbeef), i(0xbeef), i(0xbeef)),
      printf('[%016lx]\n', i(0xabc)),
    ],
  },
  'printf-o': {
    probes: 1,
    events: [
      printf('[%o] [%o] [%o]\n', i(8), i(511), i(0)),
      printf('[%lo] [%o]\n', i(-1), i(-1)),
      printf('[%6o] [%-6o] [%06o]\n', i(64), i(64), i(64)),
    ],
  },
  'printf-c': {
    probes: 1,
    events: [
      printf('[%c%c%c]\n', i(72), i(105), i(33)),
      printf('[%3c] [%-3c]\n', i(65), i(66)),
      printf('[%c]\n', i(321)),
    ],
  },
  'printf-p': {
    probes: 1,
    events: [
      printf('[%p] [%p]\n', i(4096), u64(0xffffffff81000000n)),
      printf('[%20p] [%-20p]\n', i(255), i(255)),
      printf('[%p] [%5p]\n', i(0), i(0)),
    ],
  },
  'printf-length-hh': {
    probes: 1,
    events: [
      printf('[%hhd] [%hhd] [%hhd] [%hhd]\n', i(127), i(128), i(255), i(300)),
      printf('[%hhu] [%hhu] [%hhx] [%hho]\n', i(-1), i(257), i(4095), i(511)),
    ],
  },
  'printf-length-h': {
    probes: 1,
    events: [
      printf('[%hd] [%hd] [%hd]\n', i(32767), i(32768), i(70000)),
      printf('[%hu] [%hx] [%hX] [%ho]\n', i(-1), i(0x12345), i(0xabcde), i(65535)),
    ],
  },
  'printf-length-l': {
    probes: 1,
    events: [
      printf('[%ld] [%ld] [%ld]\n', i(1n << 40n), i(-(1n << 40n)), i(-(1n << 63n))),
      printf('[%lld] [%lld] [%llu]\n', i((1n << 63n) - 1n), i(-5), i(1n << 63n)),
    ],
  },
  'printf-length-zjt': {
    probes: 1,
    events: [
      printf('[%zd] [%zu] [%zx]\n', i(-1), i(-1), i(1n << 36n)),
      printf('[%jd] [%ju] [%jx]\n', i(-2), i(-2), i(1n << 36n)),
      printf('[%td] [%tu] [%tx]\n', i(-3), i(-3), i(1n << 36n)),
    ],
  },
  'printf-s': {
    probes: 1,
    events: [
      printf('[%s] [%s]\n', s('hello'), s('')),
      printf('[%10s] [%-10s]|\n', s('right'), s('left')),
      printf('[%.3s] [%.10s] [%.0s]\n', s('abcdef'), s('abc'), s('gone')),
      printf('[%8.2s] [%-8.2s]\n', s('abcdef'), s('abcdef')),
      printf('[%2s]\n', s('longer than width')),
    ],
  },
  'printf-many-args': {
    probes: 1,
    events: [
      printf('%d %d %d %d %d %d %d %d %d %d\n', ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => i(n))),
      printf('%s-%d-%s-%x-%c\n', s('a'), i(2), s('c'), i(255), i(69)),
    ],
  },
  'printf-signed-types': (() => {
    const vals = [int(-5, 1, true), int(250, 1, false), int(-300, 2, true), int(4000000000, 4, false), int(-7, 4, true)];
    return {
      probes: 1,
      events: ['%d', '%u', '%x', '%ld', '%lu'].map((c) => printf(`${c} ${c} ${c} ${c} ${c}\n`, ...vals)),
    };
  })(),
  'printf-r-buffers': {
    probes: 1,
    events: [
      printf('[%r]\n', bytes('ab\x01\xff\n c')),
      printf('[%rx]\n', bytes('ab\x01\xff\n c')),
      printf('[%rh]\n', bytes('ab\x01\xff\n c')),
      printf('[%r]\n', bytes('hel')),
      printf('[%20r]|[%-20rh]|\n', bytes('xyz'), bytes('xyz')),
    ],
  },
  'printf-bool': {
    probes: 1,
    events: [printf('%d %d\n', bool(true), bool(false)), printf('%d %d\n', bool(true), bool(false))],
  },
  'printf-mixed-width': {
    probes: 1,
    events: [
      printf('%-6s %6s %-8s\n', s('PID'), s('COMM'), s('STATE')),
      printf('%-6d %6s %-8s\n', i(1), s('init'), s('S')),
      printf('%-6d %6s %-8s\n', i(4242), s('bash'), s('R')),
    ],
  },
  'printf-string-fields': {
    probes: 1,
    events: [printf('[%-6s|%3d]\n', s('abc'), i(5)), printf('[%s]\n', s('abc'))],
  },
  'str-utf8': {
    probes: 1,
    events: [printf('[%s] [%-8s] [%8s]\n', s('héllo'), s('é'), s('ü')), { print: s('naïve') }],
  },
  'str-max-strlen': {
    probes: 1,
    printf: { maxStrlen: 8 },
    events: [
      printf('[%s]\n', s('abcdef')),
      printf('[%s]\n', s('abcdefg')),
      printf('[%s]\n', s('abcdefg')),
      { print: s('abcdefg') },
    ],
    maps: [scalarMap('@s', stringType(8), s('abcdefg'))],
  },
  'str-trailer-default': {
    probes: 1,
    events: [printf('[%s]\n', s('0123456789012345678901234567890123456789012345678901234567890123456789'))],
  },
  'config-block': {
    probes: 1,
    printf: { maxStrlen: 16 },
    events: [printf('[%s]\n', s('this is much lo'))],
  },
  'strftime-literal': {
    probes: 1,
    events: [printf('[%s]\n', { kind: 'timestamp', format: 'literal text %%', epochNs: 0n })],
  },
  'special-inet-strerror': {
    probes: 1,
    events: [
      printf('%s %s\n', ipv4(127, 0, 0, 1), ipv4(255, 255, 255, 255)),
      printf('[%s] [%s]\n', { kind: 'strerror', errno: 1 }, { kind: 'strerror', errno: 13 }),
      printf('[%20s]\n', ipv4(192, 168, 1, 1)),
      { print: ipv4(127, 0, 0, 1) },
      { print: { kind: 'strerror', errno: 2 } },
    ],
    maps: [
      scalarMap('@n', INET, {
        kind: 'inet',
        family: 'inet6',
        bytes: Uint8Array.from([0x7f, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      }),
      keyedMap('@e', I64, STRERROR, [
        [i(1), { kind: 'strerror', errno: 2 }],
        [i(2), { kind: 'strerror', errno: 110 }],
      ]),
      keyedMap('@a', I64, INET, [
        [i(2), ipv4(127, 0, 0, 2)],
        [i(1), ipv4(127, 0, 0, 1)],
      ]),
    ],
  },
  'system-output': {
    probes: 1,
    events: [printf('before\n'), { system: 'from system 42\n' }, printf('after\n')],
  },
  'cat-file': {
    probes: 1,
    events: [
      printf('before cat\n'),
      { cat: 'first line of cat input\nsecond line, no newline at end' },
      printf('|after cat\n'),
      { cat: 'first line of cat input\nsecond line, no newline at end' },
      printf('\n'),
    ],
  },

  // ── print() of values ───────────────────────────────────────────────────────────────
  'int-print': {
    probes: 1,
    events: [
      { print: i(42) },
      { print: i(-42) },
      { print: int(255, 1, false) },
      { print: int(-1, 1, true) },
      { print: u64(18446744073709551615n) },
      { print: i(-(1n << 63n)) },
    ],
  },
  'str-basic': {
    probes: 1,
    events: [printf('%s world\n', s('hello')), { print: s('hello') }, { print: s('literal') }, { print: s('') }],
  },
  'str-escapes-print': {
    probes: 1,
    events: [{ print: s('tab\tsep') }, { print: s('quote"q') }],
    maps: [scalarMap('@s', STR, s('line1\nline2'))],
  },
  'tuple-print': {
    probes: 1,
    events: [
      { print: tuple(i(1), i(2)) },
      { print: tuple(i(1), s('two'), i(3)) },
      { print: tuple(tuple(i(1), i(2)), s('x'), tuple(i(3), tuple(i(4), s('y')))) },
      { print: tuple(i(-1), int(255, 1, false), bool(true)) },
    ],
  },
  'print-mixed-order': {
    probes: 1,
    events: [
      printf('one\n'),
      { print: i(2) },
      printf('three\n'),
      { print: tuple(s('four'), i(4)) },
      { printMap: scalarMap('@m', I64, i(5)) },
      printf('six\n'),
    ],
    maps: [scalarMap('@m', I64, i(5))],
  },
  'quiet-mode': {
    probes: 1,
    quiet: true,
    events: [printf('quiet\n')],
    maps: [scalarMap('@x', I64, i(1))],
  },

  // ── maps of plain values ────────────────────────────────────────────────────────────
  'int-map-values': {
    probes: 1,
    maps: [
      scalarMap('@neg', I64, i(-5)),
      scalarMap('@big', U64, u64(18446744073709551615n)),
      scalarMap('@zero', I64, i(0)),
      scalarMap('@i32', intType(4, true), int(-7, 4, true)),
      scalarMap('@u8', intType(1, false), int(200, 1, false)),
    ],
  },
  'int-map-incdec': {
    probes: 1,
    maps: [
      scalarMap('@a', I64, i(2)),
      scalarMap('@b', I64, i(-1)),
      keyedMap('@c', I64, I64, [
        [i(1), i(2)],
        [i(2), i(1)],
      ]),
      scalarMap('@d', I64, i(3)),
    ],
  },
  'map-name-order': {
    probes: 1,
    maps: (
      [
        ['@b', 1],
        ['@A', 2],
        ['@_z', 3],
        ['@a', 4],
        ['@a1', 5],
        ['@Z', 6],
        ['@aa', 7],
        ['@', 8],
        ['@b_', 9],
      ] as const
    ).map(([n, v]) => scalarMap(n, I64, i(v))),
  },
  'map-sort-values': {
    probes: 1,
    maps: [
      keyedMap('@v', I64, I64, [
        [i(1), i(300)],
        [i(2), i(-5)],
        [i(3), i(100)],
        [i(4), i(0)],
        [i(5), i(200)],
      ]),
    ],
  },
  'map-sort-unsigned-values': {
    probes: 1,
    maps: [
      keyedMap('@u', I64, U64, [
        [i(1), u64(5)],
        [i(2), u64(18446744073709551615n)],
        [i(3), u64(7)],
      ]),
    ],
  },
  'map-sort-int-keys': {
    probes: 1,
    maps: [
      keyedMap('@k', I64, STR, [
        [i(5), s('e')],
        [i(1), s('a')],
        [i(1000000), s('big')],
        [i(3), s('c')],
        [i(2), s('b')],
      ]),
    ],
  },
  'map-many-entries': {
    probes: 1,
    maps: [
      keyedMap(
        '@sq',
        I64,
        I64,
        Array.from({ length: 20 }, (_, k) => [i(20 - k), i((20 - k) ** 2)] as const),
      ),
    ],
  },
  'map-bool-values': {
    probes: 1,
    maps: [
      scalarMap('@b', boolType, bool(true)),
      scalarMap('@f', boolType, bool(false)),
      keyedMap('@k', I64, boolType, [[i(1), bool(true)]]),
    ],
  },
  'map-assign-overwrite': {
    probes: 1,
    maps: [scalarMap('@x', I64, i(2)), keyedMap('@y', I64, STR, [[i(1), s('b')]])],
  },
  'map-int-key-types': {
    probes: 1,
    maps: [
      keyedMap('@a', intType(4, true), I64, [[int(-1, 4, true), i(1)]]),
      keyedMap('@b', intType(2, false), I64, [[int(7, 2, false), i(2)]]),
      keyedMap('@c', intType(1, false), I64, [[int(200, 1, false), i(3)]]),
      keyedMap('@d', I64, I64, [[i(-9), i(4)]]),
    ],
  },
  'map-delete': {
    probes: 1,
    maps: [keyedMap('@a', I64, I64, [[i(1), i(10)]]), emptyMap('@b', null, I64)],
  },
  'map-empty': {
    probes: 1,
    maps: [
      emptyMap('@a', I64, I64),
      emptyMap('@h', I64, hist()),
      emptyMap('@s', I64, STATS),
      scalarMap('@z', I64, i(1)),
    ],
  },
  'map-clear': {
    probes: 1,
    maps: [emptyMap('@a', I64, I64), scalarMap('@c', COUNT, count(0)), emptyMap('@x', null, I64)],
  },
  'map-zero': {
    probes: 1,
    maps: [
      keyedMap('@a', I64, COUNT, [[i(1), count(0)]]),
      keyedMap('@s', I64, SUM, [[i(1), sum([])]]),
      keyedMap('@m', I64, MAX, [[i(1), maxOf([])]]),
      scalarMap('@h', hist(), histOf([])),
      keyedMap('@l', I64, lhist(0, 10, 1), [[i(1), lhistOf([], 0, 10, 1)]]),
      keyedMap('@x', I64, I64, [[i(1), i(0)]]),
    ],
  },
  'map-has-key': {
    probes: 1,
    events: [printf('%d %d %d %d\n', i(1), i(0), i(1), i(0)), printf('yes\n')],
    maps: [keyedMap('@a', I64, I64, [[i(1), i(0)]]), keyedMap('@b', STR, I64, [[s('k'), i(1)]])],
  },
  'map-missing-read': {
    probes: 1,
    events: [printf('%d %d\n', i(5), i(0)), printf('%d\n', i(1))],
    maps: [keyedMap('@a', I64, I64, [[i(1), i(5)]])],
  },
  'str-map-keys': {
    probes: 1,
    maps: [
      keyedMap('@x', STR, I64, [
        [s('zeta'), i(1)],
        [s('alpha'), i(2)],
        [s('mid'), i(3)],
        [s(''), i(4)],
      ]),
    ],
  },
  'str-map-values': {
    probes: 1,
    maps: [
      keyedMap('@name', I64, STR, [
        [i(3), s('three')],
        [i(1), s('one')],
        [i(2), s('two')],
        [i(10), s('ten')],
      ]),
    ],
  },
  'str-map-values-negative-keys': {
    probes: 1,
    maps: [
      keyedMap('@s', I64, STR, [
        [i(-1), s('minus one')],
        [i(1), s('one')],
        [i(0), s('zero')],
        [i(-100), s('minus hundred')],
      ]),
    ],
  },
  'str-string-keys-values': {
    probes: 1,
    maps: [
      keyedMap('@kv', STR, STR, [
        [s('b'), s('bee')],
        [s('a'), s('ay')],
        [s('c'), s('see')],
      ]),
    ],
  },
  'tuple-map-values': {
    probes: 1,
    maps: [
      keyedMap('@t', I64, INT_STR, [
        [i(2), tuple(i(20), s('b'))],
        [i(1), tuple(i(10), s('a'))],
        [i(3), tuple(i(30), s('c'))],
      ]),
      scalarMap('@single', tupleType(I64, STR, I64), tuple(i(1), s('x'), i(2))),
    ],
  },
  'tuple-map-keys': {
    probes: 1,
    maps: [
      keyedMap('@k', INT_STR, I64, [
        [tuple(i(1), s('b')), i(30)],
        [tuple(i(2), s('a')), i(10)],
        [tuple(i(1), s('a')), i(20)],
        [tuple(i(3), s('c')), i(40)],
      ]),
    ],
  },
  'tuple-keys-key-sorted': {
    probes: 1,
    maps: [
      keyedMap('@k', INT_STR, STR, [
        [tuple(i(2), s('b')), s('v1')],
        [tuple(i(1), s('z')), s('v2')],
        [tuple(i(2), s('a')), s('v3')],
        [tuple(i(1), s('a')), s('v4')],
      ]),
    ],
  },
  'tuple-string-keys-sort': {
    probes: 1,
    maps: [
      keyedMap('@t', STR_INT, STR, [
        [tuple(s('b'), i(1)), s('x')],
        [tuple(s('a'), i(2)), s('y')],
        [tuple(s('a'), i(1)), s('z')],
      ]),
    ],
  },
  'tuple-key-three': {
    probes: 1,
    maps: [
      keyedMap('@k', tupleType(I64, I64, I64), I64, [
        [tuple(i(1), i(2), i(3)), i(7)],
        [tuple(i(4), i(5), i(6)), i(8)],
        [tuple(i(-1), i(-2), i(-3)), i(9)],
      ]),
    ],
  },
  'map-full': {
    probes: 1,
    events: [
      {
        helperError: {
          helperId: 2,
          helperName: 'map_update_elem',
          retcode: -7,
          location: 'map-full.bt:7:3-12',
          sourceContext: ['  @a[3] = 3;', '  ~~~~~~~~~'],
          line: 7,
          column: 3,
        },
      },
      printf('still running\n'),
    ],
    maps: [
      keyedMap('@a', I64, I64, [
        [i(1), i(1)],
        [i(2), i(2)],
      ]),
    ],
  },

  // ── aggregations ────────────────────────────────────────────────────────────────────
  'agg-count': { probes: 1, maps: [scalarMap('@c', COUNT, count(3))] },
  'agg-count-keyed': {
    probes: 1,
    maps: [
      keyedMap('@c', STR, COUNT, [
        [s('d'), count(4)],
        [s('b'), count(2)],
        [s('a'), count(1)],
        [s('c'), count(3)],
      ]),
    ],
  },
  'agg-count-pid-comm': {
    probes: 1,
    maps: [
      keyedMap('@', INT_STR, COUNT, [
        [tuple(i(1234), s('bash')), count(2)],
        [tuple(i(99), s('sshd')), count(1)],
        [tuple(i(7), s('init')), count(3)],
      ]),
    ],
  },
  'agg-sum': { probes: 1, maps: [scalarMap('@s', SUM, sum([10, 20, -5])), scalarMap('@neg', SUM, sum([-100, -1]))] },
  'agg-sum-keyed': {
    probes: 1,
    maps: [
      keyedMap('@bytes', STR, SUM, [
        [s('read'), sum([4096, 100])],
        [s('write'), sum([10])],
        [s('open'), sum([-50])],
      ]),
    ],
  },
  'agg-sum-unsigned': {
    probes: 1,
    maps: [
      scalarMap('@u', USUM, sum([-1, 2], false)),
      scalarMap('@v', USUM, sum([4000000000, 4000000000], false)),
    ],
  },
  'agg-avg': { probes: 1, maps: [scalarMap('@a', AVG, avgOf([10, 20, 31])), scalarMap('@neg', AVG, avgOf([-10, -5]))] },
  'agg-avg-keyed': {
    probes: 1,
    maps: [
      keyedMap('@a', STR, AVG, [
        [s('x'), avgOf([100])],
        [s('y'), avgOf([1, 2])],
        [s('z'), avgOf([-7, -8])],
      ]),
    ],
  },
  'agg-min-max': {
    probes: 1,
    maps: [
      scalarMap('@mn', MIN, minOf([10, 3, 7])),
      scalarMap('@mx', MAX, maxOf([10, 3, 70])),
      scalarMap('@nmin', MIN, minOf([-5, -50])),
      scalarMap('@nmax', MAX, maxOf([-5, -50])),
    ],
  },
  'agg-min-keyed-negative': {
    probes: 1,
    maps: [
      keyedMap('@m', I64, MIN, [
        [i(1), minOf([-5])],
        [i(2), minOf([3])],
        [i(3), minOf([10])],
        [i(4), minOf([-100])],
      ]),
    ],
  },
  'agg-max-keyed': {
    probes: 1,
    maps: [
      keyedMap('@m', STR, MAX, [
        [s('c'), maxOf([30])],
        [s('a'), maxOf([10])],
        [s('b'), maxOf([20, 25])],
      ]),
    ],
  },
  'agg-stats': { probes: 1, maps: [scalarMap('@s', STATS, statsOf([10, 20, 31]))] },
  'agg-stats-keyed': {
    probes: 1,
    maps: [
      keyedMap('@s', STR, STATS, [
        [s('b'), statsOf([100, 200])],
        [s('a'), statsOf([5])],
        [s('c'), statsOf([-10, -20, -31])],
      ]),
    ],
  },
  'agg-stats-unsigned': { probes: 1, maps: [scalarMap('@s', USTATS, statsOf([10, 11], false))] },
  'agg-mixed-maps': {
    probes: 1,
    maps: [
      scalarMap('@count', COUNT, count(1)),
      scalarMap('@sum', SUM, sum([5])),
      scalarMap('@avg', AVG, avgOf([5])),
      scalarMap('@min', MIN, minOf([5])),
      scalarMap('@max', MAX, maxOf([5])),
      scalarMap('@stats', STATS, statsOf([5])),
      scalarMap('@hist', hist(), histOf([5])),
      scalarMap('@lhist', lhist(0, 10, 1), lhistOf([5], 0, 10, 1)),
      scalarMap('@value', I64, i(5)),
    ],
  },
  'agg-read-value': {
    probes: 1,
    events: [
      printf('%d %d\n', i(2), i(42)),
      printf('count above one\n'),
      { print: i(43) },
      { printMap: scalarMap('@m', MAX, maxOf([3])) },
    ],
    maps: [scalarMap('@c', COUNT, count(2)), scalarMap('@s', SUM, sum([40, 2])), scalarMap('@m', MAX, maxOf([3]))],
  },

  // ── hist ────────────────────────────────────────────────────────────────────────────
  'hist-basic': { probes: 1, maps: [scalarMap('@h', hist(), histOf([0, 1, 2, 3, 4, 5, 7, 8, 100, 100, 100]))] },
  'hist-negative-zero': { probes: 1, maps: [scalarMap('@h', hist(), histOf([-1, -100, 0, 0, 0, 1]))] },
  'hist-only-negative': { probes: 1, maps: [scalarMap('@h', hist(), histOf([-5]))] },
  'hist-gap': { probes: 1, maps: [scalarMap('@h', hist(), histOf([1, 1000]))] },
  'hist-suffixes': {
    probes: 1,
    maps: [scalarMap('@h', hist(), histOf([1000, 1024, 2000000, 1n << 30n, 5000000000]))],
  },
  'hist-large-range': {
    probes: 1,
    maps: [
      scalarMap('@k', hist(), histOf([1023, 1n << 40n])),
      scalarMap('@e', hist(), histOf([1n << 62n, (1n << 63n) - 1n])),
    ],
  },
  'hist-unsigned-huge': {
    probes: 1,
    maps: [scalarMap('@h', hist(), histOf([(1n << 64n) - 1n, 1n << 63n, (1n << 63n) - 1n]))],
  },
  'hist-bits0': { probes: 1, maps: [scalarMap('@h', hist(0), histOf([0, 1, 2, 3, 6, 40], 0))] },
  'hist-bits1': { probes: 1, maps: [scalarMap('@h', hist(1), histOf([0, 1, 2, 3, 4, 5, 6, 7, 8, 13], 1))] },
  'hist-bits2': { probes: 1, maps: [scalarMap('@h', hist(2), histOf([0, 3, 7, 8, 10, 12, 15, 16, 225, 225], 2))] },
  'hist-bits3': { probes: 1, maps: [scalarMap('@h', hist(3), histOf([15, 16, 17, 18, 31, 32, 100], 3))] },
  'hist-bits4': { probes: 1, maps: [scalarMap('@h', hist(4), histOf([0, 31, 32, 34, 1000, 1100, -3], 4))] },
  'hist-bits5': { probes: 1, maps: [scalarMap('@h', hist(5), histOf([63, 64, 66, 2000, 2048, 3000000], 5))] },
  'hist-bits-suffix': {
    probes: 1,
    maps: [
      scalarMap('@a', hist(2), histOf([1500], 2)),
      scalarMap('@b', hist(3), histOf([3000000], 3)),
      scalarMap('@c', hist(1), histOf([1n << 33n], 1)),
    ],
  },
  'hist-keyed': {
    probes: 1,
    maps: [
      keyedMap('@h', STR, hist(), [
        [s('small'), histOf([1])],
        [s('big'), histOf([1000, 2000, 3000])],
        [s('mid'), histOf([50, 60])],
      ]),
    ],
  },
  'hist-keyed-ties': {
    probes: 1,
    maps: [
      keyedMap('@h', I64, hist(), [
        [i(2), histOf([3, 300])],
        [i(1), histOf([3])],
        [i(256), histOf([5, 5])],
      ]),
    ],
  },
  'hist-tuple-keys': {
    probes: 1,
    maps: [
      keyedMap('@h', INT_STR, hist(), [
        [tuple(i(1), s('a')), histOf([4, 4])],
        [tuple(i(2), s('b')), histOf([64])],
      ]),
      keyedMap('@l', STR_INT, lhist(0, 10, 5), [[tuple(s('k'), i(2)), lhistOf([4], 0, 10, 5)]]),
    ],
  },
  'hist-bars': {
    probes: 1,
    maps: [scalarMap('@h', hist(), histOf([...Array.from({ length: 100 }, (_, k) => k), 1, 1, 3]))],
  },
  'hist-bar-rounding': {
    probes: 1,
    maps: [scalarMap('@h', hist(), histOf([...times(3, 1), ...times(7, 2), ...times(11, 4), ...times(13, 8), 16]))],
  },

  // ── lhist ───────────────────────────────────────────────────────────────────────────
  'lhist-basic': { probes: 1, maps: [scalarMap('@l', lhist(0, 100, 10), lhistOf([0, 5, 15, 15, 99], 0, 100, 10))] },
  'lhist-edges': { probes: 1, maps: [scalarMap('@l', lhist(0, 10, 2), lhistOf([-1, 0, 9, 10, 11, 1000], 0, 10, 2))] },
  'lhist-under-only': { probes: 1, maps: [scalarMap('@l', lhist(0, 10, 1), lhistOf([-5], 0, 10, 1))] },
  'lhist-over-only': { probes: 1, maps: [scalarMap('@l', lhist(0, 10, 1), lhistOf([50, 50], 0, 10, 1))] },
  'lhist-gap': { probes: 1, maps: [scalarMap('@l', lhist(0, 10, 1), lhistOf([1, 8], 0, 10, 1))] },
  'lhist-offset-min': {
    probes: 1,
    maps: [scalarMap('@l', lhist(50, 150, 25), lhistOf([10, 50, 74, 75, 149, 150], 50, 150, 25))],
  },
  'lhist-uneven-step': {
    probes: 1,
    maps: [scalarMap('@l', lhist(0, 10, 3), lhistOf([0, 4, 8, 9, 10, 12], 0, 10, 3))],
  },
  'lhist-kilo': {
    probes: 1,
    maps: [scalarMap('@l', lhist(0, 8192, 1024), lhistOf([0, 1500, 5000, 9000], 0, 8192, 1024))],
  },
  'lhist-mega': {
    probes: 1,
    maps: [
      scalarMap('@l', lhist(0, 4194304, 1048576), lhistOf([100, 2000000, 3500000], 0, 4194304, 1048576)),
      scalarMap('@m', lhist(512, 3584, 1024), lhistOf([1500], 512, 3584, 1024)),
    ],
  },
  'lhist-ms': {
    probes: 1,
    maps: [scalarMap('@ms', lhist(0, 10000, 1000), lhistOf([0, 2500, 2600, 7000, 10000], 0, 10000, 1000))],
  },
  'lhist-keyed': {
    probes: 1,
    maps: [
      keyedMap('@l', STR, lhist(0, 10, 1), [
        [s('c'), lhistOf([20, 20, -1], 0, 10, 1)],
        [s('a'), lhistOf([3], 0, 10, 1)],
        [s('b'), lhistOf([5, 6], 0, 10, 1)],
      ]),
    ],
  },

  // ── print(@map, top, div) mid-run ───────────────────────────────────────────────────
  'map-print-mid': (() => {
    const c = keyedMap('@c', STR, COUNT, [
      [s('x'), count(1)],
      [s('y'), count(2)],
      [s('w'), count(3)],
      [s('z'), count(4)],
    ]);
    return { probes: 1, events: [{ printMap: c }, printf('after print\n')], maps: [c] };
  })(),
  'map-print-top': (() => {
    const c = keyedMap(
      '@c',
      I64,
      I64,
      [1, 2, 3, 4, 5].map((k) => [i(k), i(k * 10)] as const),
    );
    return {
      probes: 1,
      events: [
        { printMap: c, top: 2 },
        { printMap: c, top: 10 },
        { printMap: c, top: 0 },
      ],
      maps: [emptyMap('@c', I64, I64)],
    };
  })(),
  'map-print-div': (() => {
    const c = keyedMap('@c', I64, I64, [
      [i(1), i(1000)],
      [i(2), i(2500)],
      [i(3), i(999)],
    ]);
    return {
      probes: 1,
      events: [
        { printMap: c, top: 0, div: 1000 },
        { printMap: c, top: 2, div: 10 },
      ],
      maps: [emptyMap('@c', I64, I64)],
    };
  })(),
  'map-print-scalar': {
    probes: 1,
    events: [
      { printMap: scalarMap('@x', I64, i(5)) },
      { printMap: scalarMap('@c', COUNT, count(1)) },
      { printMap: scalarMap('@s', SUM, sum([25])), div: 10 },
    ],
    maps: [scalarMap('@x', I64, i(5)), scalarMap('@c', COUNT, count(1)), scalarMap('@s', SUM, sum([25]))],
  },
  'map-print-stats-top-div': (() => {
    const st = keyedMap('@s', STR, STATS, [
      [s('a'), statsOf([1000])],
      [s('b'), statsOf([2000])],
      [s('c'), statsOf([3000])],
    ]);
    const av = keyedMap('@a', STR, AVG, [
      [s('a'), avgOf([1000])],
      [s('b'), avgOf([2000])],
      [s('c'), avgOf([3000])],
    ]);
    return {
      probes: 1,
      events: [
        { printMap: st, top: 1, div: 10 },
        { printMap: av, top: 1, div: 10 },
        { printMap: av, top: 0, div: 100 },
      ],
      maps: [emptyMap('@s', STR, STATS), emptyMap('@a', STR, AVG)],
    };
  })(),
  'map-print-hist-top-div': (() => {
    const h = keyedMap('@h', STR, hist(), [
      [s('a'), histOf([10])],
      [s('b'), histOf([10, 20])],
      [s('c'), histOf([10, 20, 20])],
    ]);
    const l = scalarMap('@l', lhist(0, 10, 1), lhistOf([5, 5], 0, 10, 1));
    return {
      probes: 1,
      events: [
        { printMap: h, top: 2 },
        { printMap: h, top: 0, div: 2 },
        { printMap: l, top: 0, div: 2 },
      ],
      maps: [emptyMap('@h', STR, hist()), emptyMap('@l', null, lhist(0, 10, 1))],
    };
  })(),
  'map-print-hist-mid': (() => {
    const h = scalarMap('@h', hist(), histOf([10, 20]));
    const l = scalarMap('@l', lhist(0, 5, 1), lhistOf([3], 0, 5, 1));
    const st = scalarMap('@s', STATS, statsOf([7]));
    return {
      probes: 1,
      events: [{ printMap: h }, { printMap: l }, { printMap: st }, printf('done\n')],
      maps: [h, l, st],
    };
  })(),
  'map-print-min-max': (() => {
    const mn = keyedMap('@mn', STR, MIN, [
      [s('a'), minOf([100])],
      [s('b'), minOf([-3])],
    ]);
    const mx = scalarMap('@mx', MAX, maxOf([2000]));
    return {
      probes: 1,
      events: [
        { printMap: mn, div: 10 },
        { printMap: mx, div: 10 },
      ],
      maps: [mn, mx],
    };
  })(),

  // ── whole programs whose output is printf and maps ─────────────────────────────────
  'flow-end': {
    probes: 2,
    events: [printf('in END, x=%d\n', i(1))],
    maps: [scalarMap('@x', I64, i(1)), scalarMap('@y', I64, i(2))],
  },
  'flow-end-clear': {
    probes: 2,
    events: [printf('cleared\n')],
    maps: [emptyMap('@a', I64, COUNT), scalarMap('@b', I64, i(5))],
  },
  'flow-interval': {
    probes: 1,
    events: [1, 2, 3].map((n) => printf('tick %d\n', i(n))),
    maps: [scalarMap('@ticks', I64, i(3))],
  },
  'flow-interval-begin-end': {
    probes: 3,
    events: [printf('start\n'), printf('stop after %d\n', i(2))],
    maps: [scalarMap('@n', COUNT, count(2))],
  },
  'flow-predicate': {
    probes: 4,
    events: [printf('predicate true\n'), printf('tick %d\n', i(1)), printf('tick %d\n', i(2))],
    maps: [scalarMap('@n', I64, i(2))],
  },
  'flow-for-map': {
    probes: 1,
    events: [printf('total %d\n', i(140)), printf('%s -> %d\n', s('only'), i(42))],
    maps: [
      keyedMap('@a', I64, I64, [
        [i(3), i(30)],
        [i(1), i(10)],
        [i(2), i(20)],
      ]),
      keyedMap('@one', STR, I64, [[s('only'), i(42)]]),
    ],
  },
  'params-positional': {
    probes: 1,
    events: [printf('%d %d %d\n', i(40), i(2), i(42)), printf('argc %d\n', i(2))],
  },
  'str-params': {
    probes: 1,
    events: [printf('[%s] [%s]\n', s('first'), s('second arg')), printf('%d\n', i(2))],
  },
};

/** JSON-printer runs, by corpus program (all recorded with -f json). */
const JSON_RUNS: Record<string, Run> = {
  'json-printf': {
    probes: 1,
    events: [
      printf('hello %s %d\n', s('world'), i(42)),
      printf('quote " backslash \\ tab \t cr \r\n'),
      printf('no newline'),
      printf('ctrl \x01 \x1f\n'),
    ],
  },
  'json-quiet': { probes: 1, quiet: true, events: [printf('x\n')] },
  'json-exit-code': { probes: 1, events: [printf('bye\n')] },
  'json-system': { probes: 1, events: [{ system: 'hello from system\n' }] },
  'json-print-values': {
    probes: 1,
    events: [
      { print: i(42) },
      { print: i(-1) },
      { print: s('string "quoted"') },
      { print: tuple(i(1), s('a'), tuple(i(2), s('b'))) },
      { print: bool(true) },
      { print: int(200, 1, false) },
    ],
  },
  'json-buffers': {
    probes: 1,
    events: [printf('%r|%rx|%rh\n', bytes('a\x01b'), bytes('a\x01b'), bytes('a\x01b')), { print: bytes('AB\x00C') }],
    maps: [scalarMap('@b', BUF7, bytes('xy\n'))],
  },
  'json-strings-utf8': {
    probes: 1,
    events: [printf('héllo\n'), { print: s('ü') }],
    maps: [keyedMap('@u', STR, I64, [[s('é'), i(1)]])],
  },
  'json-maps-scalar': {
    probes: 1,
    maps: [
      scalarMap('@x', I64, i(5)),
      scalarMap('@neg', I64, i(-3)),
      scalarMap('@s', STR, s('text')),
      scalarMap('@c', COUNT, count(1)),
      scalarMap('@sum', SUM, sum([10])),
      scalarMap('@mn', MIN, minOf([-2])),
      scalarMap('@mx', MAX, maxOf([9])),
    ],
  },
  'json-maps-keyed': {
    probes: 1,
    maps: [
      keyedMap('@a', I64, I64, [
        [i(1), i(10)],
        [i(2), i(5)],
      ]),
      keyedMap('@b', STR, I64, [
        [s('x'), i(1)],
        [s('y"q'), i(2)],
      ]),
      keyedMap('@c', INT_STR, I64, [
        [tuple(i(1), s('bash')), i(3)],
        [tuple(i(2), s('sh')), i(4)],
      ]),
    ],
  },
  'json-min-max-keyed': {
    probes: 1,
    maps: [
      keyedMap('@mn', STR, MIN, [
        [s('a'), minOf([5])],
        [s('b'), minOf([-5])],
      ]),
      keyedMap('@mx', I64, MAX, [
        [i(1), maxOf([7])],
        [i(2), maxOf([-7])],
      ]),
    ],
  },
  'json-int-keys': {
    probes: 1,
    maps: [
      keyedMap('@m', I64, STR, [
        [i(-1), s('neg')],
        [i(3), s('three')],
      ]),
      keyedMap('@h', I64, hist(), [[i(-2), histOf([2])]]),
    ],
  },
  'json-bool-map': {
    probes: 1,
    maps: [scalarMap('@b', boolType, bool(true)), keyedMap('@k', I64, boolType, [[i(1), bool(false)]])],
  },
  'json-map-tuple-values': {
    probes: 1,
    maps: [
      scalarMap('@t', INT_STR, tuple(i(1), s('one'))),
      keyedMap('@k', I64, INT_STR, [[i(5), tuple(i(2), s('two'))]]),
    ],
  },
  'json-hist': {
    probes: 1,
    maps: [
      scalarMap('@h', hist(), histOf([-1, 0, 1, 5, 1000])),
      keyedMap('@k', STR, hist(), [
        [s('b'), histOf([20, 20])],
        [s('a'), histOf([3])],
      ]),
    ],
  },
  'json-hist-bits': { probes: 1, maps: [scalarMap('@h', hist(2), histOf([0, 5, 10, 100], 2))] },
  'json-lhist': {
    probes: 1,
    maps: [
      scalarMap('@l', lhist(0, 10, 2), lhistOf([-1, 3, 9, 10], 0, 10, 2)),
      keyedMap('@k', I64, lhist(0, 100, 10), [[i(1), lhistOf([5], 0, 100, 10)]]),
    ],
  },
  'json-stats': {
    probes: 1,
    maps: [
      scalarMap('@s', STATS, statsOf([10, 21])),
      scalarMap('@a', AVG, avgOf([10, 21])),
      keyedMap('@ks', STR, STATS, [[s('x'), statsOf([5])]]),
      keyedMap('@ka', STR, AVG, [
        [s('y'), avgOf([7])],
        [s('x'), avgOf([5])],
      ]),
    ],
  },
  'json-tuple-keys-hist': {
    probes: 1,
    maps: [
      keyedMap('@h', INT_STR, hist(), [[tuple(i(1), s('a')), histOf([4])]]),
      keyedMap('@l', STR_INT, lhist(0, 10, 5), [[tuple(s('k'), i(2)), lhistOf([4], 0, 10, 5)]]),
      keyedMap('@s', INT_STR, STATS, [[tuple(i(3), s('x')), statsOf([9])]]),
    ],
  },
  'json-empty-maps': {
    probes: 1,
    maps: [emptyMap('@a', I64, I64), emptyMap('@h', I64, hist()), emptyMap('@s', I64, STATS), scalarMap('@z', I64, i(1))],
  },
  'json-interval': { probes: 1, maps: [scalarMap('@ticks', COUNT, count(2))] },
  'json-print-map-mid': (() => {
    const c2 = keyedMap('@c', STR, COUNT, [
      [s('a'), count(1)],
      [s('b'), count(2)],
    ]);
    // print() events are read after the probe finished: they all see the final map.
    return {
      probes: 1,
      events: [{ printMap: c2 }, { printMap: c2, top: 1 }, { printMap: c2, top: 0, div: 2 }],
      maps: [c2],
    };
  })(),
  'json-print-hist-mid': (() => {
    const h = scalarMap('@h', hist(), histOf([10]));
    const st = scalarMap('@s', STATS, statsOf([7]));
    const av = scalarMap('@a', AVG, avgOf([7]));
    return {
      probes: 1,
      events: [{ printMap: h }, { printMap: st }, { printMap: av }, printf('done\n')],
      maps: [h, st, av],
    };
  })(),
  'json-map-full': {
    probes: 1,
    events: [
      {
        helperError: {
          helperId: 2,
          helperName: 'map_update_elem',
          retcode: -7,
          location: 'json-map-full.bt:7:3-12',
          sourceContext: [],
          line: 7,
          column: 3,
        },
      },
    ],
    maps: [
      keyedMap('@a', I64, I64, [
        [i(1), i(1)],
        [i(2), i(2)],
      ]),
    ],
  },
};

describe('text printer reproduces bpftrace 0.23 output', () => {
  test.each(Object.keys(TEXT))('%s', (name) => {
    expect(render(new TextPrinter(), TEXT[name]!)).toBe(recorded(name));
  });
});

describe('JSON printer reproduces bpftrace 0.23 -f json output', () => {
  test.each(Object.keys(JSON_RUNS))('%s', (name) => {
    expect(render(new JsonPrinter(), JSON_RUNS[name]!)).toBe(recorded(name));
  });
});

/**
 * Programs whose point is computation (integer semantics, control flow, parameters) rather
 * than printing: their output is plain printf of integers and strings, already covered
 * above; the end-to-end test runs them. printf-flag-edges lives in output-printf.test.ts.
 */
const COMPUTATION_ONLY = [
  'define-macro',
  'flow-exit-code',
  'flow-exit-stops',
  'flow-if-else',
  'flow-multiple-begin',
  'flow-return',
  'flow-scratch-vars',
  'flow-unroll',
  'flow-while',
  'int-arith',
  'int-bitwise',
  'int-casts',
  'int-compare',
  'int-division-signed',
  'int-incdec',
  'int-literals',
  'int-overflow',
  'int-shifts',
  'int-ternary',
  'int-unsigned-compare',
  'params-hex',
  'params-missing',
  'printf-flag-edges',
  'str-compare',
  'str-contains',
  'str-param-len',
  'tuple-access',
];

describe('the corpus', () => {
  const programs = readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.bt'))
    .map((f) => f.slice(0, -3))
    .sort();

  test('has at least 120 programs, each with its recording and sidecar', () => {
    expect(programs.length).toBeGreaterThanOrEqual(120);
    for (const name of programs) {
      expect(existsSync(`${GOLDEN_DIR}${name}.out`), name).toBe(true);
      const side = JSON.parse(readFileSync(`${GOLDEN_DIR}${name}.json`, 'utf8')) as Record<string, unknown>;
      expect(Object.keys(side).filter((k) => k !== 'stderr'), name).toEqual([
        'args',
        'params',
        'exitCode',
        'recordedWith',
      ]);
      expect(side.recordedWith, name).toBe('bpftrace v0.23.2');
    }
  });

  test('every program is rebuilt by hand above or listed as computation-only', () => {
    const covered = new Set([...Object.keys(TEXT), ...Object.keys(JSON_RUNS), ...COMPUTATION_ONLY]);
    expect(programs.filter((p) => !covered.has(p))).toEqual([]);
    expect([...covered].filter((p) => !programs.includes(p))).toEqual([]);
  });

  test('JSON fixtures are exactly the programs recorded with -f json', () => {
    const json = programs.filter((p) => {
      const side = JSON.parse(readFileSync(`${GOLDEN_DIR}${p}.json`, 'utf8')) as { args: string[] };
      return side.args.includes('json');
    });
    expect(json).toEqual(Object.keys(JSON_RUNS).sort());
  });
});
