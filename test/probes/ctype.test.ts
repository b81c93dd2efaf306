import { describe, expect, test } from 'vitest';
import { parseCType, type CType, type CTypeNames } from '../../src/probes/ctype.js';
import { cTypeNames } from '../../src/probes/catalog.js';

/** A tiny, fixed name table so these cases do not depend on the catalog's data. */
const names: CTypeNames = {
  typedef: (n) =>
    (
      ({
        u32: { text: 'u32', base: 'unsigned int', baseKind: 'int', baseSize: 4, signed: false, pointerDepth: 0, size: 4 },
        pid_t: { text: 'pid_t', base: 'int', baseKind: 'int', baseSize: 4, signed: true, pointerDepth: 0, size: 4 },
        cap_user_header_t: {
          text: 'struct __user_cap_header_struct *',
          base: 'struct __user_cap_header_struct',
          baseKind: 'struct',
          baseSize: 8,
          signed: false,
          pointerDepth: 1,
          size: 8,
        },
      }) as Record<string, CType>
    )[n],
  tagSize: (k) => ({ 'struct sock': 784, 'enum hrtimer_mode': 4 })[k],
};

type Row = [string, Omit<CType, 'text'>];
const rows: Row[] = [
  ['int', { base: 'int', baseKind: 'int', baseSize: 4, signed: true, pointerDepth: 0, size: 4 }],
  ['unsigned', { base: 'unsigned int', baseKind: 'int', baseSize: 4, signed: false, pointerDepth: 0, size: 4 }],
  ['unsigned long', { base: 'long unsigned int', baseKind: 'int', baseSize: 8, signed: false, pointerDepth: 0, size: 8 }],
  ['long', { base: 'long int', baseKind: 'int', baseSize: 8, signed: true, pointerDepth: 0, size: 8 }],
  ['unsigned long long', { base: 'long long unsigned int', baseKind: 'int', baseSize: 8, signed: false, pointerDepth: 0, size: 8 }],
  ['short', { base: 'short int', baseKind: 'int', baseSize: 2, signed: true, pointerDepth: 0, size: 2 }],
  ['unsigned short', { base: 'short unsigned int', baseKind: 'int', baseSize: 2, signed: false, pointerDepth: 0, size: 2 }],
  ['unsigned char', { base: 'unsigned char', baseKind: 'int', baseSize: 1, signed: false, pointerDepth: 0, size: 1 }],
  ['char', { base: 'char', baseKind: 'int', baseSize: 1, signed: false, pointerDepth: 0, size: 1 }],
  ['signed char', { base: 'signed char', baseKind: 'int', baseSize: 1, signed: true, pointerDepth: 0, size: 1 }],
  ['bool', { base: '_Bool', baseKind: 'bool', baseSize: 1, signed: false, pointerDepth: 0, size: 1 }],
  ['const char *', { base: 'char', baseKind: 'int', baseSize: 1, signed: false, pointerDepth: 1, size: 8 }],
  ['const char *const *', { base: 'char', baseKind: 'int', baseSize: 1, signed: false, pointerDepth: 2, size: 8 }],
  ['void *', { base: 'void', baseKind: 'void', baseSize: 0, signed: false, pointerDepth: 1, size: 8 }],
  ['const void *const', { base: 'void', baseKind: 'void', baseSize: 0, signed: false, pointerDepth: 1, size: 8 }],
  ['struct sock *', { base: 'struct sock', baseKind: 'struct', baseSize: 784, signed: false, pointerDepth: 1, size: 8 }],
  ['struct iocb * *', { base: 'struct iocb', baseKind: 'struct', baseSize: 0, signed: false, pointerDepth: 2, size: 8 }],
  ['enum hrtimer_mode', { base: 'enum hrtimer_mode', baseKind: 'enum', baseSize: 4, signed: false, pointerDepth: 0, size: 4 }],
  ['char[16]', { base: 'char', baseKind: 'int', baseSize: 1, signed: false, pointerDepth: 0, size: 16, arrayLength: 16 }],
  ['char[]', { base: 'char', baseKind: 'int', baseSize: 1, signed: false, pointerDepth: 0, size: 0, arrayLength: 0 }],
  ['unsigned long[6]', { base: 'long unsigned int', baseKind: 'int', baseSize: 8, signed: false, pointerDepth: 0, size: 48, arrayLength: 6 }],
  ['u32[2][3]', { base: 'unsigned int', baseKind: 'int', baseSize: 4, signed: false, pointerDepth: 0, size: 24, arrayLength: 6 }],
  ['struct sock *[4]', { base: 'struct sock', baseKind: 'struct', baseSize: 784, signed: false, pointerDepth: 1, size: 32, arrayLength: 4 }],
  ['const pid_t', { base: 'int', baseKind: 'int', baseSize: 4, signed: true, pointerDepth: 0, size: 4 }],
  ['u32 *', { base: 'unsigned int', baseKind: 'int', baseSize: 4, signed: false, pointerDepth: 1, size: 8 }],
  ['cap_user_header_t', { base: 'struct __user_cap_header_struct', baseKind: 'struct', baseSize: 8, signed: false, pointerDepth: 1, size: 8 }],
  ['cap_user_header_t *', { base: 'struct __user_cap_header_struct', baseKind: 'struct', baseSize: 8, signed: false, pointerDepth: 2, size: 8 }],
];

describe('parseCType', () => {
  test.each(rows)('%s', (text, expected) => {
    expect(parseCType(text, names)).toEqual({ text, ...expected });
  });

  test.each(['mystery_t', 'struct', 'unsigned float', ''])('unknown or malformed %j is undefined', (text) => {
    expect(parseCType(text, names)).toBeUndefined();
  });
});

describe('parseCType with the catalog names', () => {
  test.each([
    ['umode_t', 'short unsigned int', 2, false],
    ['loff_t', 'long long int', 8, true],
    ['sector_t', 'long long unsigned int', 8, false],
    ['dev_t', 'unsigned int', 4, false],
    ['size_t', 'long unsigned int', 8, false],
  ] as const)('%s resolves to %s', (text, base, size, signed) => {
    expect(parseCType(text, cTypeNames())).toMatchObject({ base, size, signed, pointerDepth: 0 });
  });
});
