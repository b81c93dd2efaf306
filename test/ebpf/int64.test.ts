// int64.ts against BigInt, the reference: every operation on random pairs biased toward the
// edges (0, ±1, INT32/INT64 limits), plus the RFC 9669 corner cases by name.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as i64 from '../../src/ebpf/int64.js';

const M64 = (1n << 64n) - 1n;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

const EDGES = [0n, 1n, 2n, M64, M64 - 1n, 1n << 63n, (1n << 63n) - 1n, (1n << 63n) + 1n, 0xffffffffn, 0x80000000n, 0x7fffffffn,
  0x100000000n, 0xffffffff00000000n, 0xffffffff80000000n, 1n << 53n, (1n << 53n) - 1n, 0x123456789abcdef0n];
const val = fc.oneof(fc.constantFrom(...EDGES), fc.bigInt({ min: 0n, max: M64 }), fc.bigInt({ min: 0n, max: 0xffffffffn }));

const lo = i64.loOf;
const hi = i64.hiOf;
/** Runs an int64 binary function on bigint operands and returns its result as a u64 bigint. */
function call2(f: (a: number, b: number, c: number, d: number) => number, a: bigint, b: bigint): bigint {
  const l = f(lo(a), hi(a), lo(b), hi(b));
  return i64.toU64(l, i64.hi);
}

// Reference semantics (RFC 9669 section 4.1), written with BigInt.
const truncDiv = (a: bigint, b: bigint): bigint => a / b; // BigInt division truncates toward zero
const REF: Record<string, (a: bigint, b: bigint) => bigint> = {
  add: (a, b) => u64(a + b),
  sub: (a, b) => u64(a - b),
  mul: (a, b) => u64(a * b),
  udiv: (a, b) => (b === 0n ? 0n : a / b),
  umod: (a, b) => (b === 0n ? a : a % b),
  sdiv: (a, b) => (b === 0n ? 0n : u64(truncDiv(s64(a), s64(b)))),
  smod: (a, b) => (b === 0n ? a : u64(s64(a) % s64(b))),
};
const IMPL = { add: i64.add, sub: i64.sub, mul: i64.mul, udiv: i64.udiv, umod: i64.umod, sdiv: i64.sdiv, smod: i64.smod };

describe('64-bit arithmetic matches BigInt', () => {
  test.each(Object.keys(REF))('%s', (name) => {
    fc.assert(
      fc.property(val, val, (a, b) => {
        expect(call2(IMPL[name as keyof typeof IMPL], a, b)).toBe(REF[name]!(a, b));
      }),
      { numRuns: 400 },
    );
  });

  test('neg', () => {
    fc.assert(
      fc.property(val, (a) => {
        expect(i64.toU64(i64.neg(lo(a), hi(a)), i64.hi)).toBe(u64(-a));
      }),
      { numRuns: 300 },
    );
  });

  test.each([
    ['lsh', (a: bigint, n: bigint) => u64(a << (n & 63n))],
    ['rsh', (a: bigint, n: bigint) => a >> (n & 63n)],
    ['arsh', (a: bigint, n: bigint) => u64(s64(a) >> (n & 63n))],
  ] as const)('%s masks the count to 63', (name, ref) => {
    fc.assert(
      fc.property(val, fc.integer({ min: -200, max: 200 }), (a, n) => {
        const f = i64[name];
        expect(i64.toU64(f(lo(a), hi(a), n), i64.hi)).toBe(ref(a, BigInt(n) & 0xffffffffn));
      }),
      { numRuns: 400 },
    );
  });

  test('comparisons', () => {
    fc.assert(
      fc.property(val, val, (a, b) => {
        const args = [lo(a), hi(a), lo(b), hi(b)] as const;
        expect(i64.eq(...args)).toBe(a === b);
        expect(i64.ltU(...args)).toBe(a < b);
        expect(i64.leU(...args)).toBe(a <= b);
        expect(i64.ltS(...args)).toBe(s64(a) < s64(b));
        expect(i64.leS(...args)).toBe(s64(a) <= s64(b));
      }),
      { numRuns: 500 },
    );
  });

  test('byte swaps and sign extension', () => {
    const swap = (v: bigint, bytes: number): bigint => {
      let r = 0n;
      for (let k = 0; k < bytes; k++) r = (r << 8n) | ((v >> BigInt(8 * k)) & 0xffn);
      return r;
    };
    fc.assert(
      fc.property(val, (a) => {
        expect(i64.toU64(i64.bswap16(lo(a)), i64.hi)).toBe(swap(a, 2));
        expect(i64.toU64(i64.bswap32(lo(a)), i64.hi)).toBe(swap(a, 4));
        expect(i64.toU64(i64.bswap64(lo(a), hi(a)), i64.hi)).toBe(swap(a, 8));
        expect(i64.toU64(i64.sext8(lo(a)), i64.hi)).toBe(u64(BigInt.asIntN(8, a)));
        expect(i64.toU64(i64.sext16(lo(a)), i64.hi)).toBe(u64(BigInt.asIntN(16, a)));
        expect(i64.toU64(i64.sext32(lo(a)), i64.hi)).toBe(u64(BigInt.asIntN(32, a)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('32-bit division matches BigInt', () => {
  const v32 = fc.oneof(fc.constantFrom(0, 1, -1, 0x7fffffff, -0x80000000, 7, -7), fc.integer({ min: -0x80000000, max: 0x7fffffff }));
  const asU = (x: number): bigint => BigInt(x >>> 0);
  const asS = (x: number): bigint => BigInt(x | 0);
  test('udiv32 / umod32 / sdiv32 / smod32', () => {
    fc.assert(
      fc.property(v32, v32, (a, b) => {
        expect(asU(i64.udiv32(a, b))).toBe(b === 0 ? 0n : asU(a) / asU(b));
        expect(asU(i64.umod32(a, b))).toBe(b === 0 ? asU(a) : asU(a) % asU(b));
        expect(asU(i64.sdiv32(a, b))).toBe(b === 0 ? 0n : BigInt.asUintN(32, asS(a) / asS(b)));
        expect(asU(i64.smod32(a, b))).toBe(b === 0 ? asU(a) : BigInt.asUintN(32, asS(a) % asS(b)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('RFC 9669 corner cases', () => {
  const MIN = 1n << 63n;
  test.each([
    ['udiv by 0 is 0', IMPL.udiv, 12345n, 0n, 0n],
    ['umod by 0 keeps the dividend', IMPL.umod, 12345n, 0n, 12345n],
    ['sdiv by 0 is 0', IMPL.sdiv, M64, 0n, 0n],
    ['smod by 0 keeps the dividend', IMPL.smod, M64 - 9n, 0n, M64 - 9n],
    ['INT64_MIN sdiv -1 is INT64_MIN', IMPL.sdiv, MIN, M64, MIN],
    ['INT64_MIN smod -1 is 0', IMPL.smod, MIN, M64, 0n],
    ['-10 sdiv 3 truncates to -3', IMPL.sdiv, u64(-10n), 3n, u64(-3n)],
    ['-10 smod 3 takes the dividend sign', IMPL.smod, u64(-10n), 3n, u64(-1n)],
    ['10 smod -3 is 1', IMPL.smod, 10n, u64(-3n), 1n],
    ['unsigned division of a value above 2^53 (BigInt path)', IMPL.udiv, M64, 3n, M64 / 3n],
    ['mul wraps', IMPL.mul, MIN, 2n, 0n],
  ])('%s', (_name, f, a, b, want) => {
    expect(call2(f, a, b)).toBe(want);
  });

  test('INT32_MIN sdiv32 -1 is INT32_MIN and smod32 is 0', () => {
    expect(i64.sdiv32(-0x80000000, -1)).toBe(-0x80000000);
    expect(i64.smod32(-0x80000000, -1)).toBe(0);
  });

  test('named width conversions', () => {
    expect([i64.u8(0x1ff), i64.u16(-1), i64.u32(-1), i64.i8(0x80), i64.i16(0x8000), i64.i32(0xffffffff)]).toEqual([
      0xff, 0xffff, 0xffffffff, -128, -32768, -1,
    ]);
    expect([i64.toI64(-1, -1), i64.toU64(-1, -1), i64.u64(-1n), i64.i64(M64)]).toEqual([-1n, M64, M64, -1n]);
    expect([i64.loOf(0x1_2345_6789n), i64.hiOf(0x1_2345_6789n), i64.toUnsignedNumber(5, 1)]).toEqual([0x23456789, 1, 0x1_0000_0005]);
  });
});
