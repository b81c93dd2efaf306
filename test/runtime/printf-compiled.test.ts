// compilePrintf against the general path it replaces on the hot path: for formats and record
// layouts (integers of every size and signedness under every length modifier, flags and
// widths it handles itself, strings near max_strlen, and pieces it must hand to the general
// path), the compiled formatter's text equals formatPrintfBinary over decodeValue, byte for
// byte; a property test does the same for random values and specifiers.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { intType, stringType, type SizedType } from '../../src/check/types.js';
import { decodeValue } from '../../src/runtime/output/decode.js';
import { compilePrintf, DEFAULT_PRINTF_OPTIONS, formatPrintfBinary, type PrintfField } from '../../src/runtime/output/printf.js';

const opts = { ...DEFAULT_PRINTF_OPTIONS, maxStrlen: 16 };

/** A record: each field at the next 8-byte boundary after an 8-byte header. */
function layout(types: readonly SizedType[]): { fields: PrintfField[]; size: number } {
  let off = 8;
  const fields = types.map((type) => {
    const f = { type, offset: off };
    off += (type.size + 7) & ~7;
    return f;
  });
  return { fields, size: off };
}

function recordOf(fields: readonly PrintfField[], size: number, values: readonly (bigint | string)[], at = 0): Uint8Array {
  const bytes = new Uint8Array(at + size);
  const view = new DataView(bytes.buffer);
  fields.forEach((f, i) => {
    const v = values[i]!;
    if (typeof v === 'string') {
      for (let k = 0; k < v.length && k < f.type.size; k++) bytes[at + f.offset + k] = v.charCodeAt(k);
      return;
    }
    const pattern = BigInt.asUintN(64, v);
    for (let k = 0; k < f.type.size; k++) view.setUint8(at + f.offset + k, Number((pattern >> BigInt(8 * k)) & 0xffn));
  });
  return bytes;
}

function both(format: string, types: readonly SizedType[], values: readonly (bigint | string)[], at = 0): [string, string] {
  const { fields, size } = layout(types);
  const bytes = recordOf(fields, size, values, at);
  const compiled = compilePrintf(format, fields, opts, (t, b, o) => decodeValue(t, b, o))(bytes, at);
  const general = formatPrintfBinary(format, fields.map((f) => decodeValue(f.type, bytes, at + f.offset)), opts);
  return [compiled, general];
}

const i8 = intType(1, true);
const u8 = intType(1, false);
const i16 = intType(2, true);
const u16 = intType(2, false);
const i32 = intType(4, true);
const u32 = intType(4, false);
const i64 = intType(8, true);
const u64 = intType(8, false);

describe('compiled printf equals the general path', () => {
  test.each<[string, SizedType[], (bigint | string)[], string]>([
    ['%d %s\n', [i64, stringType(16)], [1234n, 'bash'], '1234 bash\n'],
    ['%d', [i64], [-1n], '-1'],
    ['%ld', [i64], [-(1n << 40n)], '-1099511627776'],
    ['%ld', [i64], [1n << 60n], '1152921504606846976'],
    ['%lu', [i64], [-1n], '18446744073709551615'],
    ['%llx', [u64], [0xdeadbeefcafen], 'deadbeefcafe'],
    ['%lX', [u64], [(1n << 64n) - 2n], 'FFFFFFFFFFFFFFFE'],
    ['%u', [i64], [-1n], '4294967295'],
    ['%x', [i32], [-1n], 'ffffffff'],
    ['%hhd', [i64], [128n], '-128'],
    ['%hhu', [i8], [-1n], '255'],
    ['%hd', [u16], [0x8000n], '-32768'],
    ['%hu', [i16], [-2n], '65534'],
    ['%o', [u8], [8n], '10'],
    ['%d', [u32], [0xffffffffn], '-1'],
    ['%lu', [u32], [0xffffffffn], '4294967295'],
    ['%-6d|', [i64], [42n], '42    |'],
    ['%6d|', [i64], [-42n], '   -42|'],
    ['%06d|', [i64], [-42n], '-00042|'],
    ['%-06d|', [i64], [42n], '42    |'],
    ['%08lx', [u64], [0xbeefn], '0000beef'],
    ['%-16s|', [stringType(16)], ['sshd'], 'sshd            |'],
    ['%4s|', [stringType(16)], ['abcdef'], 'abcdef|'],
    ['%s', [stringType(16)], ['exactly15chars!'], 'exactly15chars!..'],
    ['%s', [stringType(32)], ['\u00ff\u0080x'], '\u00ff\u0080x'],
    ['100%% %d', [i64], [7n], '100% 7'],
    ['%+d', [i64], [7n], '+7'],
    ['%.3d', [i64], [7n], '007'],
    ['%5.2s|', [stringType(16)], ['abc'], '   ab|'],
    ['%c%c', [i64, i64], [104n, 105n], 'hi'],
    ['%d and %d', [i64], [1n], '1 and %d'],
    ['%d', [i64, i64], [1n, 2n], '1'],
    ['no conversions %%', [], [], 'no conversions %%'],
    ['%s=%d', [i64, i64], [3n, 4n], '=4'],
  ])('%j of %j', (format, types, values, expected) => {
    const [compiled, general] = both(format, types, values);
    expect(general).toBe(expected);
    expect(compiled).toBe(general);
  });

  test('a record at an offset inside a larger buffer (the ring buffer)', () => {
    expect(both('%d %s|', [i64, stringType(16)], [-5n, 'nginx'], 24)).toEqual(['-5 nginx|', '-5 nginx|']);
  });

  test('random integers, sizes, lengths, conversions, flags and widths', () => {
    const types = [i8, u8, i16, u16, i32, u32, i64, u64];
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }),
        fc.constantFrom('', 'hh', 'h', 'l', 'll', 'z', 'j'),
        fc.constantFrom('d', 'u', 'o', 'x', 'X'),
        fc.constantFrom('', '-', '0', '-0'),
        fc.constantFrom('', '1', '5', '12', '25'),
        (type, value, length, conv, flags, width) => {
          const format = `<%${flags}${width}${length}${conv}>`;
          const [compiled, general] = both(format, [type], [value]);
          expect(compiled).toBe(general);
        },
      ),
      { numRuns: 3000, seed: 7 },
    );
  });
});
