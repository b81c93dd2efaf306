// The disassembler: instruction slots to text in either syntax, one line per instruction
// (lddw's two slots make one line), rendered from the opcode table's templates so that
// assemble(disassemble(x)) gives x back. Not: labels (targets print as `+N`), verification.

import { type Insn } from '../isa.js';
import { describeMismatch, isRow, matchRow } from '../opcodes.js';
import { renderTemplate, type Syntax, templateOf } from './template.js';

export interface DisasmOptions {
  /** Default `kernel`. */
  readonly syntax?: Syntax;
}

/**
 * Text of the instruction at slot `pc`. Illegal slots render as `<invalid: …>` with the
 * reason, so a listing of any bytes is still readable (and is refused by the assembler).
 */
export function formatInsn(insns: readonly Insn[], pc: number, opts: DisasmOptions = {}): string {
  const syntax = opts.syntax ?? 'kernel';
  const i = insns[pc];
  if (!i) return `<invalid: no instruction at ${pc}>`;
  const m = matchRow(i);
  if (!isRow(m)) return `<invalid: ${describeMismatch(m)}>`;
  let imm2 = 0;
  if (m.slots === 2) {
    const next = insns[pc + 1];
    if (!next) return '<invalid: lddw without its second slot>';
    if (next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
      return '<invalid: second slot of lddw must hold only an imm>';
    }
    imm2 = next.imm;
  }
  return renderTemplate(templateOf(m, syntax), { dst: i.dst, src: i.src, off: i.off, imm: i.imm, imm2 }, syntax);
}

/** One line per instruction; `slotOf[n]` is the slot index line n starts at. */
export function disassemble(insns: readonly Insn[], opts: DisasmOptions = {}): string[] {
  const lines: string[] = [];
  for (let pc = 0; pc < insns.length; pc += slotsAt(insns, pc)) lines.push(formatInsn(insns, pc, opts));
  return lines;
}

/** Slots the instruction at pc occupies: 2 for a well-formed lddw, else 1. */
export function slotsAt(insns: readonly Insn[], pc: number): 1 | 2 {
  const i = insns[pc];
  if (!i) return 1;
  const m = matchRow(i);
  return isRow(m) && m.slots === 2 && pc + 1 < insns.length ? 2 : 1;
}
