// Linux instruction encoding: field packing, the 64-bit word form the conformance vectors
// use, lddw's two slots, and that any byte string of whole slots decodes and re-encodes as is.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeBytes, encodeInsns, insn, insnToWord, ldImm64, wordToInsn } from '../../src/ebpf/encode.js';
import { LDXDW, STXDW, type Insn } from '../../src/ebpf/isa.js';

const bytesOf = (hex: string): Uint8Array => Uint8Array.from(hex.split(/\s+/).map((b) => parseInt(b, 16)));
const hexOf = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

describe('encoding', () => {
  test.each([
    ['r0 = *(u64 *)(r10 - 8)', insn(LDXDW, 0, 10, -8, 0), '79 a0 f8 ff 00 00 00 00'],
    ['*(u64 *)(r10 - 16) = r1', insn(STXDW, 10, 1, -16, 0), '7b 1a f0 ff 00 00 00 00'],
    ['r1 += -1', insn(0x07, 1, 0, 0, -1), '07 01 00 00 ff ff ff ff'],
    ['call 14', insn(0x85, 0, 0, 0, 14), '85 00 00 00 0e 00 00 00'],
    ['if r1 > r2 goto -3', insn(0x2d, 1, 2, -3, 0), '2d 21 fd ff 00 00 00 00'],
  ])('%s', (_text, i, hex) => {
    expect(hexOf(encodeInsns([i]))).toBe(hex);
    const d = decodeBytes(bytesOf(hex));
    expect(d).toEqual({ ok: true, insns: [i] });
  });

  test('lddw spans two slots, low word first', () => {
    const slots = ldImm64(3, 0x1122334455667788n);
    expect(hexOf(encodeInsns(slots))).toBe('18 03 00 00 88 77 66 55 00 00 00 00 44 33 22 11');
    expect(slots.map(insnToWord)).toEqual([0x5566778800000318n, 0x1122334400000000n]);
    expect(ldImm64(1, 7n, 1)[0]).toEqual({ code: 0x18, dst: 1, src: 1, off: 0, imm: 7 });
    expect(ldImm64(0, -1n).map((s) => s.imm)).toEqual([-1, -1]);
  });

  test('64-bit words (the conformance -- raw form) decode little-endian', () => {
    expect(wordToInsn(0x5566778800000018n)).toEqual({ code: 0x18, dst: 0, src: 0, off: 0, imm: 0x55667788 });
    expect(wordToInsn(0x0000000000000095n)).toEqual({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
  });

  test('insn() wraps fields to their widths', () => {
    expect(insn(0x1ff, 0x1b, 0x2c, 0x18000, 0x1_0000_0001)).toEqual({ code: 0xff, dst: 0xb, src: 0xc, off: -0x8000, imm: 1 });
  });

  test('a length that is not whole slots is an error', () => {
    expect(decodeBytes(new Uint8Array(12))).toEqual({ ok: false, error: 'program length 12 is not a multiple of 8 bytes' });
  });

  test('any whole slots round trip byte for byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }).map((b) => b.slice(0, b.length - (b.length % 8))), (bytes) => {
        const d = decodeBytes(bytes);
        expect(d.ok).toBe(true);
        if (d.ok) expect(hexOf(encodeInsns(d.insns as Insn[]))).toBe(hexOf(bytes));
      }),
      { numRuns: 300 },
    );
  });
});
