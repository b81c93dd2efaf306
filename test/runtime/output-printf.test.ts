// printf formatting, specifier by specifier: every conversion and length modifier bpftrace
// 0.23 accepts, flags, widths, precisions, %r buffers, the `%%` quirks of its piecewise
// formatting, the truncation trailer. Expected strings are what bpftrace 0.23 printed.

import { describe, expect, test } from 'vitest';
import { TextPrinter } from '../../src/runtime/output/text.js';
import {
  DEFAULT_PRINTF_OPTIONS,
  PRINTF_SPECIFIERS,
  formatPrintf,
  printfSpecifier,
  splitFormat,
} from '../../src/runtime/output/printf.js';
import { utf8FromBinary } from '../../src/runtime/output/bytes.js';
import { bool, buffer, i64, int, pointer, str, u64, type Value } from '../../src/runtime/output/values.js';
import { recorded, render } from './output-fixtures.js';

const i = i64;
const s = str;
const buf = (text: string) => buffer(Array.from(text, (c) => c.charCodeAt(0)));

describe('integer conversions', () => {
  test.each<[string, Value, string]>([
    ['%d', i(0), '0'],
    ['%d', i(-1), '-1'],
    ['%d', i(2147483648), '-2147483648'],
    ['%d', i(1n << 40n), '0'],
    ['%u', i(-1), '4294967295'],
    ['%x', i(-1), 'ffffffff'],
    ['%X', i(3054), 'BEE'],
    ['%o', i(8), '10'],
    ['%hhd', i(128), '-128'],
    ['%hhd', i(300), '44'],
    ['%hhu', i(-1), '255'],
    ['%hhx', i(4095), 'ff'],
    ['%hho', i(511), '377'],
    ['%hd', i(32768), '-32768'],
    ['%hu', i(-1), '65535'],
    ['%hX', i(0xabcde), 'BCDE'],
    ['%ld', i(1n << 40n), '1099511627776'],
    ['%lu', i(-1), '18446744073709551615'],
    ['%lld', i(-5), '-5'],
    ['%llu', i(1n << 63n), '9223372036854775808'],
    ['%lx', i(-1), 'ffffffffffffffff'],
    ['%lo', i(-1), '1777777777777777777777'],
    ['%zd', i(-1), '-1'],
    ['%zu', i(-1), '18446744073709551615'],
    ['%jd', i(-2), '-2'],
    ['%ju', i(-2), '18446744073709551614'],
    ['%td', i(-3), '-3'],
    ['%tx', i(1n << 36n), '1000000000'],
    ['%c', i(72), 'H'],
    ['%c', i(321), 'A'],
    ['%p', i(4096), '0x1000'],
    ['%p', u64(0xffffffff81000000n), '0xffffffff81000000'],
    ['%p', i(0), '(nil)'],
    ['%lp', pointer(0xdead), '0xdead'],
  ])('%s of %o', (fmt, arg, want) => {
    expect(formatPrintf(fmt, [arg])).toBe(want);
  });

  test('the value is cut to the conversion, whatever the width of its type', () => {
    const vals = [int(-5, 1, true), int(250, 1, false), int(-300, 2, true), int(4000000000, 4, false), int(-7, 4, true)];
    expect(vals.map((v) => formatPrintf('%d', [v])).join(' ')).toBe('-5 250 -300 -294967296 -7');
    expect(vals.map((v) => formatPrintf('%u', [v])).join(' ')).toBe('4294967291 250 4294966996 4000000000 4294967289');
    expect(vals.map((v) => formatPrintf('%lu', [v])).join(' ')).toBe(
      '18446744073709551611 250 18446744073709551316 4000000000 18446744073709551609',
    );
  });

  test('bools and pointers print as integers', () => {
    expect(formatPrintf('%d %d %x', [bool(true), bool(false), pointer(255)])).toBe('1 0 ff');
  });

  test('enums print their name under %s and their number under %d', () => {
    const e: Value = { kind: 'int', value: 2n, size: 4, signed: false, enumName: 'e', enumSymbol: 'TWO' };
    expect(formatPrintf('%s=%d', [e, e])).toBe('TWO=2');
  });
});

describe('flags, width and precision', () => {
  test.each<[string, Value, string]>([
    ['[%5d]', i(42), '[   42]'],
    ['[%-5d]', i(42), '[42   ]'],
    ['[%05d]', i(42), '[00042]'],
    ['[%05d]', i(-42), '[-0042]'],
    ['[%-05d]', i(42), '[42   ]'],
    ['[%.3d]', i(7), '[007]'],
    ['[%8.3d]', i(7), '[     007]'],
    ['[%08.3d]', i(7), '[     007]'],
    ['[%-8.3x]', i(255), '[0ff     ]'],
    ['[%.0d]', i(0), '[]'],
    ['[%.0x]', i(0), '[]'],
    ['[%.2o]', i(8), '[10]'],
    ['[%08x]', i(0xbeef), '[0000beef]'],
    ['[%016lx]', i(0xabc), '[0000000000000abc]'],
    ['[%20p]', i(255), '[                0xff]'],
    ['[%-20p]', i(255), '[0xff                ]'],
    ['[%016p]', i(4096), '[0x00000000001000]'],
    ['[%010p]', i(0), '[     (nil)]'],
    ['[%3c]', i(65), '[  A]'],
    ['[%-3c]', i(66), '[B  ]'],
    ['[%05c]', i(65), '[    A]'],
    ['[%10s]', s('right'), '[     right]'],
    ['[%-10s]', s('left'), '[left      ]'],
    ['[%.3s]', s('abcdef'), '[abc]'],
    ['[%.0s]', s('gone'), '[]'],
    ['[%8.2s]', s('abcdef'), '[      ab]'],
    ['[%05s]', s('ab'), '[   ab]'],
    ['[%2s]', s('longer'), '[longer]'],
  ])('%s', (fmt, arg, want) => {
    expect(formatPrintf(fmt, [arg])).toBe(want);
  });

  test('widths count bytes, not characters', () => {
    expect(utf8FromBinary(formatPrintf('[%-8s] [%8s]', [s('é'), s('ü')]))).toBe('[é      ] [      ü]');
  });
});

describe('%r buffers', () => {
  const b = buf('ab\x01\xff\n c');
  test.each<[string, string]>([
    ['[%r]', '[ab\\x01\\xff\\x0a c]'],
    ['[%rx]', '[\\x61\\x62\\x01\\xff\\x0a\\x20\\x63]'],
    ['[%rh]', '[61 62 01 ff 0a 20 63]'],
    // bpftrace only rewrites a bare %r/%rx/%rh; with a width, glibc sees %20r and prints it.
    ['[%20r]', '[%20r]'],
  ])('%s', (fmt, want) => {
    expect(formatPrintf(fmt, [b])).toBe(want);
  });
});

describe('how the format is cut into pieces', () => {
  test.each<[string, string[]]>([
    ['100%%\n', ['100%%\n']],
    ['a %d b %s\n', ['a %d', ' b %s', '\n']],
    ['%%d', ['%%d']],
    ['%rx%rh%r', ['%rx', '%rh', '%r']],
    ['%-10.3lld|', ['%-10.3lld', '|']],
    // Not conversions to bpftrace 0.23 (its checker rejects them): plain text.
    ['%i %f', ['%i %f']],
  ])('%j', (fmt, parts) => {
    expect(splitFormat(fmt)).toEqual(parts);
  });

  test.each<[string, Value[], string]>([
    ['100%%\n', [], '100%%\n'],
    ['a %% b %d %%\n', [i(5)], 'a % b 5 %%\n'],
    ['%d%% done\n', [i(50)], '50%% done\n'],
    ['%%d\n', [i(1)], '%d\n'],
    ['%s %%s\n', [s('a'), s('b')], 'a %s\n'],
    ['[%5%]\n', [], '[%5%]\n'],
    ['%d [%5%] %%\n', [i(3)], '3 [%5%] %%\n'],
  ])('%j', (fmt, args, want) => {
    expect(formatPrintf(fmt, args)).toBe(want);
  });
});

describe('strings', () => {
  test('a string exactly filling max_strlen gets the truncation trailer', () => {
    const opts = { ...DEFAULT_PRINTF_OPTIONS, maxStrlen: 8 };
    expect(formatPrintf('[%s] [%s]', [s('abcdef'), s('abcdefg')], opts)).toBe('[abcdef] [abcdefg..]');
    expect(formatPrintf('[%s]', [s('abcdefg')], { ...opts, truncTrailer: '~' })).toBe('[abcdefg~]');
  });

  test('special values print as their text under %s', () => {
    const inet: Value = { kind: 'inet', family: 'inet', bytes: Uint8Array.from([192, 168, 1, 1]) };
    expect(formatPrintf('[%20s] %s', [inet, { kind: 'strerror', errno: 13 }])).toBe(
      '[         192.168.1.1] Permission denied',
    );
  });
});

describe('the specifier table', () => {
  test('holds exactly what bpftrace 0.23 accepts', () => {
    const tokens = PRINTF_SPECIFIERS.map((r) => r.token).sort();
    const ints = ['', 'hh', 'h', 'l', 'll', 'j', 'z', 't'].flatMap((l) => ['d', 'u', 'o', 'x', 'X', 'p'].map((c) => l + c));
    expect(tokens).toEqual([...ints, 's', 'r', 'rx', 'rh', 'c'].sort());
    expect(printfSpecifier('i')).toBeUndefined();
    expect(printfSpecifier('lld')).toEqual({ token: 'lld', expects: 'integer', bits: 64 });
    expect(printfSpecifier('hhx')?.bits).toBe(8);
    expect(printfSpecifier('rx')?.expects).toBe('buffer');
  });
});

test('printf-flag-edges matches its recording', () => {
  const run = {
    probes: 1,
    events: [
      { printf: '[%05s] [%016p] [%05c] [%-05d]\n', args: [s('ab'), i(4096), i(65), i(42)] },
      { printf: '[%.0d] [%.3x] [%08.3d] [%-8.3x]\n', args: [i(0), i(5), i(7), i(255)] },
      { printf: '[%.5s] [%010p] [%.0x] [%.2o]\n', args: [s('abc'), i(0), i(0), i(8)] },
      { printf: '[%-3c|%3c]\n', args: [i(120), i(121)] },
    ],
  };
  expect(render(new TextPrinter(), run)).toBe(recorded('printf-flag-edges'));
});
