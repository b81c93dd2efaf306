// Literal decoding: integer forms and their limits, string escapes and their errors, and
// the string encoder used by the printer (decode(encode(x)) === x for every byte).

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeInteger, decodeString, encodeString } from '../../src/parse/literals.js';

describe('integers', () => {
  test.each([
    ['0', 0n],
    ['42', 42n],
    ['0x10', 16n],
    ['0Xff', 255n],
    ['010', 8n],
    ['0b1010', 10n],
    ['1_000_000', 1_000_000n],
    ['0xdead_beef', 0xdeadbeefn],
    ['1e3', 1000n],
    ['9e18', 9_000_000_000_000_000_000n],
    ['1e19', 10_000_000_000_000_000_000n],
    ['18446744073709551615', 18446744073709551615n],
    ['4294967295u', 4294967295n],
    ['10UL', 10n],
    ['10ull', 10n],
    ['10L', 10n],
    ['10LL', 10n],
    ['10llu', 10n],
    ['1ns', 1n],
    ['1us', 1_000n],
    ['1ms', 1_000_000n],
    ['1s', 1_000_000_000n],
    ['2m', 120_000_000_000n],
    ['1h', 3_600_000_000_000n],
    ['1d', 86_400_000_000_000n],
    ['1e3ms', 1_000_000_000n],
  ])('%s = %s', (text, value) => {
    expect(decodeInteger(text)).toEqual({ ok: true, value });
  });

  test.each([
    ['18446744073709551616', 'overflow error, maximum value is 18446744073709551615: 18446744073709551616'],
    ['0x1ffffffffffffffff', 'overflow error, maximum value is 18446744073709551615: 0x1ffffffffffffffff'],
    ['4294967296u', 'overflow error, maximum value is 4294967295: 4294967296u'],
    ['9223372036854775808l', 'overflow error, maximum value is 9223372036854775807: 9223372036854775808l'],
    ['1e20', 'overflow error, maximum value is 18446744073709551615: 1e20'],
    ['213504d', 'overflow error, maximum value is 18446744073709551615: 213504d'],
    ['12e3', 'coefficient part of scientific literal must be 1-9: 12e3'],
    ['09', 'invalid integer: 09'],
  ])('%s is rejected', (text, message) => {
    const d = decodeInteger(text);
    expect(d.ok ? 'accepted' : d.message.text).toBe(message);
  });
});

describe('strings', () => {
  test.each([
    ['plain', 'plain'],
    ['a\\nb', 'a\nb'],
    ['\\t\\r', '\t\r'],
    ['\\"q\\"', '"q"'],
    ['back\\\\slash', 'back\\slash'],
    ['\\x41\\x4a', 'AJ'],
    ['\\x4', '\x04'],
    ['\\101\\0', 'A\0'],
    ['\\0123', '\n3'],
    ['\\377', '\xff'],
    ['é€', '\xc3\xa9\xe2\x82\xac'],
  ])('"%s"', (body, value) => {
    expect(decodeString(body)).toEqual({ ok: true, value });
  });

  test.each([
    ['\\q', "invalid escape character '\\q'", 0, 2],
    ['ok\\xZZ', "invalid escape character '\\x'", 2, 4],
    ['\\777', "octal escape sequence out of range '\\777'", 0, 4],
  ])('"%s" is rejected', (body, message, start, end) => {
    const d = decodeString(body);
    expect(d.ok ? 'accepted' : [d.message.text, d.start, d.end]).toEqual([message, start, end]);
  });

  test('encodeString writes what decodeString reads back, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const value = String.fromCharCode(...bytes);
        expect(decodeString(encodeString(value))).toEqual({ ok: true, value });
      }),
    );
  });

  test('an escape followed by a digit stays unambiguous', () => {
    expect(encodeString('\x01' + '7')).toBe('\\0017');
  });
});
