// The opcode table: it lists exactly RFC 9669's instructions, its rows never overlap, its
// templates use only known placeholders, and its legal-field loop rejects what Linux
// rejects with a message naming the field.

import { describe, expect, test } from 'vitest';
import type { Insn } from '../../src/ebpf/isa.js';
import { describeMismatch, type FieldRange, isRow, matchRow, OPCODES, type OpcodeRow } from '../../src/ebpf/opcodes.js';
import { PLACEHOLDERS } from '../../src/ebpf/asm/template.js';

const hex = (c: number): string => `0x${c.toString(16).padStart(2, '0')}`;

describe('the table lists RFC 9669', () => {
  test('every opcode byte, and no other', () => {
    const codes = [...new Set(OPCODES.map((r) => r.code))].sort((a, b) => a - b).map(hex);
    expect(codes.join(' ')).toBe(
      [
        '0x04 0x05 0x06 0x07 0x0c 0x0f 0x14 0x15 0x16 0x17 0x18 0x1c 0x1d 0x1e 0x1f 0x24 0x25 0x26 0x27 0x2c 0x2d 0x2e 0x2f',
        '0x34 0x35 0x36 0x37 0x3c 0x3d 0x3e 0x3f 0x44 0x45 0x46 0x47 0x4c 0x4d 0x4e 0x4f 0x54 0x55 0x56 0x57 0x5c 0x5d 0x5e',
        '0x5f 0x61 0x62 0x63 0x64 0x65 0x66 0x67 0x69 0x6a 0x6b 0x6c 0x6d 0x6e 0x6f 0x71 0x72 0x73 0x74 0x75 0x76 0x77 0x79',
        '0x7a 0x7b 0x7c 0x7d 0x7e 0x7f 0x81 0x84 0x85 0x87 0x89 0x91 0x94 0x95 0x97 0x9c 0x9f 0xa4 0xa5 0xa6 0xa7 0xac 0xad',
        '0xae 0xaf 0xb4 0xb5 0xb6 0xb7 0xbc 0xbd 0xbe 0xbf 0xc3 0xc4 0xc5 0xc6 0xc7 0xcc 0xcd 0xce 0xcf 0xd4 0xd5 0xd6 0xd7',
        '0xdb 0xdc 0xdd 0xde',
      ].join(' '),
    );
  });

  test('rows per kind', () => {
    const count = new Map<string, number>();
    for (const r of OPCODES) count.set(r.kind, (count.get(r.kind) ?? 0) + 1);
    expect(Object.fromEntries([...count].sort())).toEqual({
      alu: 52, atomic: 20, call: 1, call_kfunc: 1, call_local: 1, end: 9, exit: 1, ja: 2, jcond: 44, lddw: 7, ldx: 4,
      ldxs: 3, mov: 4, movsx: 5, neg: 2, st: 4, stx: 4,
    });
    expect(OPCODES).toHaveLength(164);
  });

  test('the rows sharing an opcode are told apart by one field, in variant order', () => {
    const shared = new Map<number, OpcodeRow[]>();
    for (const r of OPCODES) shared.set(r.code, [...(shared.get(r.code) ?? []), r]);
    const described = [...shared].filter(([, rows]) => rows.length > 1).map(([code, rows]) => {
      const field = (['off', 'imm', 'src'] as const).find((f) => new Set(rows.map((r) => r[f].min)).size === rows.length);
      return `${hex(code)} ${field}: ${rows.map((r) => `${r.variant}=${r.mnemonic}`).join(' ')}`;
    });
    expect(described).toEqual([
      '0x37 off: 0=div 1=sdiv',
      '0x3f off: 0=div 1=sdiv',
      '0x97 off: 0=mod 1=smod',
      '0x9f off: 0=mod 1=smod',
      '0xbf off: 0=mov 1=movsx864 2=movsx1664 3=movsx3264',
      '0x34 off: 0=div32 1=sdiv32',
      '0x3c off: 0=div32 1=sdiv32',
      '0x94 off: 0=mod32 1=smod32',
      '0x9c off: 0=mod32 1=smod32',
      '0xbc off: 0=mov32 1=movsx832 2=movsx1632',
      '0xd4 imm: 0=le16 1=le32 2=le64',
      '0xdc imm: 0=be16 1=be32 2=be64',
      '0xd7 imm: 0=bswap16 1=bswap32 2=bswap64',
      '0x85 src: 0=call 1=call 2=call',
      '0x18 src: 0=lddw 1=lddw 2=lddw 3=lddw 4=lddw 5=lddw 6=lddw',
      '0xdb imm: 0=lock add 1=lock or 2=lock and 3=lock xor 4=lock fetch add 5=lock fetch or 6=lock fetch and 7=lock fetch xor 8=lock xchg 9=lock cmpxchg',
      '0xc3 imm: 0=lock add32 1=lock or32 2=lock and32 3=lock xor32 4=lock fetch add32 5=lock fetch or32 6=lock fetch and32 7=lock fetch xor32 8=lock xchg32 9=lock cmpxchg32',
    ]);
  });
});

/** Instances of a row at the corners and middle of each field's range. */
function samples(row: OpcodeRow): Insn[] {
  const pick = (r: FieldRange): number[] => [...new Set([r.min, r.max, Math.trunc((r.min + r.max) / 2)])];
  const out: Insn[] = [];
  for (const dst of pick(row.dst)) for (const src of pick(row.src)) for (const off of pick(row.off)) for (const imm of pick(row.imm)) {
    out.push({ code: row.code, dst, src, off, imm });
  }
  return out;
}

describe('rows', () => {
  test.each(OPCODES.map((r) => [`${hex(r.code)} ${r.mnemonic} (${r.kind}, variant ${r.variant})`, r] as const))(
    '%s matches only its own instances',
    (_name, row) => {
      for (const insn of samples(row)) {
        const owners = OPCODES.filter((r) => r.code === insn.code && (['dst', 'src', 'off', 'imm'] as const).every((f) => insn[f] >= r[f].min && insn[f] <= r[f].max));
        expect(owners).toEqual([row]);
        expect(matchRow(insn)).toBe(row);
      }
    },
  );

  test('templates use only known placeholders and conformance forms start with the mnemonic', () => {
    for (const r of OPCODES) {
      for (const t of [r.kernel, r.conf]) {
        for (const m of t.matchAll(/\{(\w+)\}/g)) expect(PLACEHOLDERS).toContain(m[1]);
      }
      expect(r.conf.startsWith(r.mnemonic)).toBe(true);
    }
  });
});

describe('the legal-field loop', () => {
  const I = (code: number, fields: Partial<Insn> = {}): Insn => ({ code, dst: 0, src: 0, off: 0, imm: 0, ...fields });
  test.each([
    ['add imm with src set', I(0x07, { src: 1 }), 'unused src field of add imm must be 0, is 1'],
    ['add32 reg with imm set', I(0x0c, { imm: 1 }), 'unused imm field of add32 reg must be 0, is 1'],
    ['mov into r10', I(0xb7, { dst: 10 }), 'mov imm cannot write r10 (frame pointer is read-only)'],
    ['ldxw into r10', I(0x61, { dst: 10, src: 1 }), 'ldxw cannot write r10 (frame pointer is read-only)'],
    ['register 11', I(0x0f, { src: 11 }), 'invalid src register 11 for add reg'],
    ['neg with a register source', I(0x8c), 'unknown opcode 0x8c'],
    ['ldxdw sign-extending (no such row)', I(0x99), 'unknown opcode 0x99'],
    ['legacy packet access', I(0x20), 'unknown opcode 0x20'],
    ['le with width 8', I(0xd4, { imm: 8 }), 'imm of le16 must be one of 16, 32, 64, is 8'],
    ['call with src 3', I(0x85, { src: 3 }), 'src of call must be one of 0, 1, 2, is 3'],
    ['lddw with src 7', I(0x18, { src: 7 }), 'src of lddw must be one of 0, 1, 2, 3, 4, 5, 6, is 7'],
    ['movsx from 4 bits', I(0xbf, { off: 4 }), 'off of mov reg must be one of 0, 8, 16, 32, is 4'],
    ['movsx32 from 32 bits', I(0xbc, { off: 32 }), 'off of mov32 reg must be one of 0, 8, 16, is 32'],
    ['div with off 2', I(0x37, { off: 2 }), 'off of div imm must be one of 0, 1, is 2'],
    ['unknown atomic op', I(0xdb, { imm: 2 }), 'imm of lock add must be one of 0x0, 0x40, 0x50, 0xa0, 0x1, 0x41, 0x51, 0xa1, 0xe1, 0xf1, is 0x2'],
    ['ja with imm', I(0x05, { imm: 1 }), 'unused imm field of ja must be 0, is 1'],
    ['ja32 with off', I(0x06, { off: 1 }), 'unused off field of ja32 must be 0, is 1'],
    ['exit with dst', I(0x95, { dst: 1 }), 'unused dst field of exit must be 0, is 1'],
    ['kfunc from a module BTF', I(0x85, { src: 2, off: 1 }), 'unused off field of call kfunc must be 0, is 1'],
  ])('%s', (_name, insn, message) => {
    const m = matchRow(insn);
    expect(isRow(m)).toBe(false);
    if (!isRow(m)) expect(describeMismatch(m)).toBe(message);
  });
});
