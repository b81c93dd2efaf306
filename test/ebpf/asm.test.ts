// The assembler and disassembler in both syntaxes: every table row round trips
// bytes → text → bytes and text → bytes → text; a golden listing shows each row's encoding
// and both renderings; syntax details (labels, the implicit `exit` label, comments, aliases,
// immediate ranges) and every error message are pinned down.

import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { assemble } from '../../src/ebpf/asm/assemble.js';
import { disassemble, formatInsn } from '../../src/ebpf/asm/disassemble.js';
import type { Syntax } from '../../src/ebpf/asm/template.js';
import { encodeInsns } from '../../src/ebpf/encode.js';
import type { Insn } from '../../src/ebpf/isa.js';
import { type FieldRange, OPCODES, type OpcodeRow } from '../../src/ebpf/opcodes.js';
import { expectGolden } from '../parse/golden.js';

const GOLDEN = path.join(import.meta.dirname, '../golden/asm');

/** Slot sequences of a row at the corners and middle of every field (and of lddw's second imm). */
function instances(row: OpcodeRow): Insn[][] {
  const pick = (r: FieldRange): number[] => [...new Set([r.min, r.max, Math.trunc((r.min + r.max) / 2)])];
  const out: Insn[][] = [];
  for (const dst of pick(row.dst)) for (const src of pick(row.src)) for (const off of pick(row.off)) for (const imm of pick(row.imm)) {
    const first = { code: row.code, dst, src, off, imm };
    if (row.slots === 1) out.push([first]);
    else for (const imm2 of pick(row.imm2!)) out.push([first, { code: 0, dst: 0, src: 0, off: 0, imm: imm2 }]);
  }
  return out;
}

/** One typical instance per row, for the listing. */
function typical(row: OpcodeRow): Insn[] {
  const clamp = (r: FieldRange, v: number): number => Math.min(r.max, Math.max(r.min, v));
  const first = { code: row.code, dst: clamp(row.dst, 1), src: clamp(row.src, 2), off: clamp(row.off, -8), imm: clamp(row.imm, row.imm.min < 0 ? -16 : 16) };
  return row.slots === 1 ? [first] : [first, { code: 0, dst: 0, src: 0, off: 0, imm: clamp(row.imm2!, 0x20) }];
}

const SYNTAXES: Syntax[] = ['kernel', 'conformance'];

describe('round trips over the whole table', () => {
  test.each(SYNTAXES)('bytes → %s text → bytes → the same text', (syntax) => {
    let count = 0;
    for (const row of OPCODES) {
      for (const slots of instances(row)) {
        const text = formatInsn(slots, 0, { syntax });
        const back = assemble(text, { syntax });
        expect(back, `${row.mnemonic}: ${text}`).toEqual(expect.objectContaining({ ok: true, insns: slots }));
        if (back.ok) expect(disassemble(back.insns, { syntax })).toEqual([text]);
        // Auto-detection finds the same instruction.
        const auto = assemble(text);
        expect(auto.ok && auto.insns).toEqual(slots);
        count++;
      }
    }
    expect(count).toBeGreaterThan(1000);
  });

  test('the listing of one typical instance per row', () => {
    const lines = OPCODES.map((row) => {
      const slots = typical(row);
      const bytes = [...encodeInsns(slots)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      return `${bytes.padEnd(47)}  ${formatInsn(slots, 0).padEnd(48)}  ${formatInsn(slots, 0, { syntax: 'conformance' })}`;
    });
    expectGolden(path.join(GOLDEN, 'every-row.txt'), `${lines.join('\n')}\n`);
  });
});

describe('assembling', () => {
  const ok = (text: string, syntax?: Syntax): Insn[] => {
    const r = assemble(text, syntax ? { syntax } : {});
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.insns;
  };

  test('labels resolve to slot offsets, lddw counting two slots', () => {
    const insns = ok(`
      start: lddw %r1, 0x100000000   # two slots
      jeq %r1, 0, done
      ja start
      done:
      exit`);
    expect(insns.map((i) => [i.code, i.off])).toEqual([[0x18, 0], [0, 0], [0x15, 1], [0x05, -4], [0x95, 0]]);
  });

  test('`exit` as a target means the last exit instruction unless a label is called so', () => {
    expect(ok('jne %r0, 1, exit\nmov %r0, 2\nexit').map((i) => i.off)).toEqual([1, 0, 0]);
    expect(ok('ja exit\nexit:\nmov %r0, 2\nexit').map((i) => i.off)).toEqual([0, 0, 0]);
  });

  test('local calls and gotol take labels into imm', () => {
    expect(ok('call local f\nexit\nf:\nexit').map((i) => [i.src, i.imm])).toEqual([[1, 1], [0, 0], [0, 0]]);
    expect(ok('call f\nexit\nf:\nexit', 'kernel').map((i) => [i.src, i.imm])).toEqual([[1, 1], [0, 0], [0, 0]]);
    expect(ok('gotol back\nback: exit', 'kernel')[0]).toEqual({ code: 0x06, dst: 0, src: 0, off: 0, imm: 0 });
  });

  test('aliases, omitted offsets, case, comments and mixed syntax', () => {
    const a = ok(`
      ADD64 %r1, 0XFF     // aliases and upper case
      swap16 %r2
      ldxdw %r0, [%r1]
      r3 = *(u32 *)(r1 +0x10)
      w4 = w5 ; comment-free line continues
    `.replace(' ; comment-free line continues', ''));
    expect(disassemble(a, { syntax: 'conformance' })).toEqual([
      'add %r1, 0xff',
      'bswap16 %r2',
      'ldxdw %r0, [%r1+0]',
      'ldxw %r3, [%r1+16]',
      'mov32 %r4, %r5',
    ]);
  });

  test.each([
    ['mov32 %r0, 0xffffffff', -1],
    ['mov32 %r0, -0x80000000', -0x80000000],
    ['mov32 %r0, 2147483647', 0x7fffffff],
    ['jne %r0, 0x80000000, +0', -0x80000000],
  ])('32-bit immediate %s', (text, imm) => {
    expect(ok(text)[0]!.imm).toBe(imm);
  });

  test('lddw takes any 64-bit pattern', () => {
    expect(ok('lddw %r0, -1').map((i) => i.imm)).toEqual([-1, -1]);
    expect(ok('lddw %r0, 18446744073709551615').map((i) => i.imm)).toEqual([-1, -1]);
    expect(ok('lddw %r0, -9223372036854775808').map((i) => i.imm)).toEqual([0, -0x80000000]);
    expect(ok('r1 = map_value(3, -4) ll', 'kernel').map((i) => [i.src, i.imm])).toEqual([[2, 3], [0, -4]]);
  });

  test.each([
    ['ldxq %r0, %r1', 1, "unknown instruction 'ldxq %r0, %r1'"],
    ['ldxb %r0, %r1', 1, "invalid operands for ldxb: expected 'ldxb %rD, [%rS+off]'"],
    ['lock or [%r10-8]', 1, "invalid operands for lock: expected 'lock or [%rD+off], %rS'"],
    ['lock', 1, "invalid operands for lock: expected 'lock add [%rD+off], %rS' or 'lock or [%rD+off], %rS' or 'lock and [%rD+off], %rS' or 'lock xor [%rD+off], %rS' or 16 more"],
    ['lddw %r0', 1, "invalid operands for lddw: expected 'lddw %rD, imm64' or 'lddw %rD, map_fd(id)' or 'lddw %rD, map_value(id, value)' or 'lddw %rD, btf_id(id, value)' or 3 more"],
    ['or %r0, %r50', 1, 'invalid register r50'],
    ['mov %r10, 1', 1, 'mov imm cannot write r10 (frame pointer is read-only)'],
    ['mov32 %r0, 2147483648', 1, 'immediate 2147483648 does not fit in 32 bits'],
    ['mov32 %r0, 0x100000000', 1, 'immediate 0x100000000 does not fit in 32 bits'],
    ['lddw %r0, 0x10000000000000000', 1, 'immediate 0x10000000000000000 does not fit in 64 bits'],
    ['ldxb %r0, [%r1+0x10000]', 1, 'offset +0x10000 out of range -32768..32767'],
    ['ldxb %r0, [%r1-32769]', 1, 'offset -32769 out of range -32768..32767'],
    ['\n\nja NOT_A_LABEL\nexit', 3, "undefined label 'NOT_A_LABEL'"],
    ['ja +32768', 1, 'jump offset +32768 out of range -32768..32767'],
    ['x:\nx:\nexit', 2, "label 'x' defined twice"],
    ['r1 = -r2', 1, "operands {d} of '{d} = -{d}' must name the same register"],
    ['call -1', 1, "invalid operands for call: expected 'call id' or 'call local +off|label' or 'call kfunc id'"],
    ['# only a comment', 1, 'no instructions'],
    ['', 1, 'no instructions'],
  ])('rejects %j', (text, line, message) => {
    expect(assemble(text)).toEqual({ ok: false, errors: [{ line, message }] });
  });

  test('keeps going after an error and reports every line', () => {
    const r = assemble('mov %r0, 1\nbogus\nmov %r11, 0\nexit');
    expect(r).toEqual({
      ok: false,
      errors: [
        { line: 2, message: "unknown instruction 'bogus'" },
        { line: 3, message: 'invalid register r11' },
      ],
    });
  });

  test('a forced syntax refuses the other one', () => {
    expect(assemble('r0 = 0x1', { syntax: 'conformance' }).ok).toBe(false);
    expect(assemble('mov %r0, 1', { syntax: 'kernel' }).ok).toBe(false);
  });
});

describe('disassembling', () => {
  test('illegal slots render with their reason', () => {
    const bad: Insn[] = [
      { code: 0x8c, dst: 0, src: 0, off: 0, imm: 0 },
      { code: 0x07, dst: 0, src: 1, off: 0, imm: 0 },
      { code: 0x18, dst: 1, src: 0, off: 0, imm: 0 },
    ];
    expect(disassemble(bad)).toEqual([
      '<invalid: unknown opcode 0x8c>',
      '<invalid: unused src field of add imm must be 0, is 1>',
      '<invalid: lddw without its second slot>',
    ]);
    expect(formatInsn([{ code: 0x18, dst: 1, src: 0, off: 0, imm: 0 }, { code: 0x07, dst: 0, src: 0, off: 0, imm: 0 }], 0)).toBe(
      '<invalid: second slot of lddw must hold only an imm>',
    );
  });
});
