// Instruction slots ↔ bytes in the Linux encoding: 8 bytes per slot, little-endian,
// opcode | dst:4 (low nibble) src:4 (high nibble) | off:16 | imm:32; lddw takes two slots.
// Also small constructors the compiler and tests build instructions with. Not validation:
// which field values are legal is the opcode table's business (opcodes.ts, program.ts).

import { BPF_DW, BPF_IMM, BPF_LD, INSN_SIZE, type Insn } from './isa.js';
import { InternalError } from '../diag/diagnostic.js';
import { hiOf, loOf } from './int64.js';

export type DecodeResult = { ok: true; insns: Insn[] } | { ok: false; error: string };

/** One slot from fields; off and imm are wrapped to their signed widths. */
export function insn(code: number, dst: number, src: number, off: number, imm: number): Insn {
  return { code: code & 0xff, dst: dst & 0xf, src: src & 0xf, off: (off << 16) >> 16, imm: imm | 0 };
}

/** The two slots of `lddw dst, value` (src selects a pseudo form; value's low word goes in the first slot). */
export function ldImm64(dst: number, value: bigint, src = 0): [Insn, Insn] {
  return [insn(BPF_LD | BPF_IMM | BPF_DW, dst, src, 0, loOf(value)), insn(0, 0, 0, 0, hiOf(value))];
}

/** Writes one slot at byte offset `at` of `out`. */
export function encodeInsn(i: Insn, out: DataView, at: number): void {
  out.setUint8(at, i.code);
  out.setUint8(at + 1, (i.dst & 0xf) | ((i.src & 0xf) << 4));
  out.setInt16(at + 2, i.off, true);
  out.setInt32(at + 4, i.imm, true);
}

export function encodeInsns(insns: readonly Insn[]): Uint8Array {
  const bytes = new Uint8Array(insns.length * INSN_SIZE);
  const view = new DataView(bytes.buffer);
  insns.forEach((i, n) => encodeInsn(i, view, n * INSN_SIZE));
  return bytes;
}

/** Splits bytes into slots; any byte string of a multiple of 8 bytes decodes (legality is checked elsewhere). */
export function decodeBytes(bytes: Uint8Array): DecodeResult {
  if (bytes.length % INSN_SIZE !== 0) {
    return { ok: false, error: `program length ${bytes.length} is not a multiple of ${INSN_SIZE} bytes` };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const insns: Insn[] = [];
  for (let at = 0; at < bytes.length; at += INSN_SIZE) {
    const regs = view.getUint8(at + 1);
    insns.push({
      code: view.getUint8(at),
      dst: regs & 0xf,
      src: regs >> 4,
      off: view.getInt16(at + 2, true),
      imm: view.getInt32(at + 4, true),
    });
  }
  return { ok: true, insns };
}

/** Slots as the 64-bit little-endian words the conformance `-- raw` form writes (`0x5566778800000018`). */
export function insnToWord(i: Insn): bigint {
  const b = encodeInsns([i]);
  return new DataView(b.buffer).getBigUint64(0, true);
}

export function wordToInsn(w: bigint): Insn {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, w), true);
  const r = decodeBytes(b);
  if (!r.ok) throw new InternalError(r.error); // 8 bytes always decode
  return r.insns[0]!;
}
