// printf format strings: the specifiers bpftrace recognises (and the text it leaves alone),
// the split the runtime walks, and the argument checks with bpftrace 0.23's messages.

import { describe, expect, test } from 'vitest';
import { checkFormatArgs, parseFormat } from '../../src/check/format.js';
import { intType, stringType, type SizedType } from '../../src/check/types.js';

describe('parseFormat', () => {
  test.each([
    ['%d', ['d']],
    ['%-16s|%5.2lu|%llx|%hhd|%c|%p|%zu|%jd|%td', ['s', 'lu', 'llx', 'hhd', 'c', 'p', 'zu', 'jd', 'td']],
    ['%r %rx %rh', ['r', 'rx', 'rh']],
    ['100%% done %d', ['d']],
    ['%f %e %+d %i', []],
    ['no conversions', []],
  ])('%s', (format, tokens) => {
    expect(parseFormat(format).conversions.map((c) => c.token)).toEqual(tokens);
  });

  test('width, precision, alignment and length are split out', () => {
    const [c] = parseFormat('%-10.3lld').conversions;
    expect(c).toEqual({ text: '%-10.3lld', token: 'lld', conversion: 'd', length: 'll', leftAlign: true, width: 10, precision: 3, expects: 'integer' });
  });

  test('parts end after each conversion, as the runtime formats them', () => {
    expect(parseFormat('a %d b %s c').parts).toEqual(['a %d', ' b %s', ' c']);
    expect(parseFormat('%d%d').parts).toEqual(['%d', '%d']);
  });
});

describe('checkFormatArgs', () => {
  const u32 = intType(4, false);
  const str16 = stringType(16);
  const ptr: SizedType = { kind: 'pointer', size: 8, to: intType(1, true), space: 'kernel' };
  test.each<[string, SizedType[], string | undefined]>([
    ['%d %s', [u32, str16], undefined],
    ['%x', [ptr], undefined],
    ['%s', [{ kind: 'ksym', size: 8 }], undefined],
    ['%s', [{ kind: 'inet', size: 24 }], undefined],
    ['%r', [{ kind: 'buffer', size: 12 }], undefined],
    ['%s %d', [{ kind: 'int', size: 8, signed: false, enumName: 'e' }, { kind: 'int', size: 8, signed: false, enumName: 'e' }], undefined],
    ['%d %d', [u32], 'printf: Not enough arguments for format string (1 supplied, 2 expected)'],
    ['%d', [u32, u32], 'printf: Too many arguments for format string (2 supplied, 1 expected)'],
    ['%s', [u32], 'printf: %s specifier expects a value of type string (int supplied)'],
    ['%d', [str16], 'printf: %d specifier expects a value of type int (string supplied)'],
    ['%r', [str16], 'printf: %r specifier expects a value of type buffer (string supplied)'],
  ])('%s', (format, args, message) => {
    expect(checkFormatArgs('printf', format, args)).toBe(message);
  });
});
