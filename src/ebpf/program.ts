// A loaded program: its slots, each slot's opcode-table row, and the pre-decoded form the
// interpreter runs (typed arrays, one fixed-size record per slot), with helpers bound by id
// as the kernel binds them at load. In: Insn[] (any bytes decoded by encode.ts). Out: a
// Program, or structural errors (illegal fields, bad lddw, jumps out of range) by slot.
// Not: verification — types, bounds and initialisation are the verifier's.

import { BPF_COMPLEXITY_LIMIT_INSNS, BPF_PSEUDO_MAP_FD, type Insn } from './isa.js';
import type { HelperFn } from './machine.js';
import { REGION_MAP_HANDLE } from './memory.js';
import { describeMismatch, isRow, matchRow, type OpcodeRow } from './opcodes.js';

/** Helpers by Linux helper id (index). */
export type HelperTable = readonly (HelperFn | undefined)[];

export interface ProgramError {
  /** Slot index. */
  readonly pc: number;
  readonly message: string;
}

/**
 * Pre-decoded record layout: STRIDE int32 words per slot, plus one sentinel record after
 * the last slot (opcode 0, which no instruction has: running into it is a fault).
 *   [W_OP]   opcode | (2 * dst) << 8 | (2 * src) << 16 | selector << 24
 *            register fields are indexes into Machine.regs (lo word; hi word is +1); the
 *            selector is the field that tells rows sharing an opcode apart: off for
 *            div/mod/mov (sdiv, smod, movsx), imm for end and atomics, src for call and lddw
 *   [W_OFF]  memory offset, or the absolute target slot of a jump / ja32 / local call
 *   [W_IMM]  imm (lddw: the value's low word)
 *   [W_IMMHI] imm's sign extension (imm >> 31) so 64-bit ops need no work; lddw: the high
 *            word (second slot's imm); map_fd lddw: pre-resolved to the map handle pointer
 */
export const STRIDE = 4;
export const W_OP = 0;
export const W_OFF = 1;
export const W_IMM = 2;
export const W_IMMHI = 3;

export interface Program {
  readonly insns: readonly Insn[];
  /** Row of each slot; undefined for lddw's second slot. */
  readonly rows: readonly (OpcodeRow | undefined)[];
  /** Pre-decoded records, (insns.length + 1) * STRIDE words. */
  readonly code: Int32Array;
  readonly helpers: HelperTable;
  /** Instructions one run may execute before it is stopped. */
  readonly budget: number;
}

export interface LoadOptions {
  readonly helpers?: HelperTable;
  /** Default BPF_COMPLEXITY_LIMIT_INSNS (1,000,000). */
  readonly budget?: number;
}

export type LoadResult = { readonly ok: true; readonly prog: Program } | { readonly ok: false; readonly errors: readonly ProgramError[] };

/**
 * Rows of every slot and what is structurally wrong: illegal opcodes or field values, an
 * lddw without a clean second slot, jumps and local calls that leave the program or land
 * inside an lddw. Messages follow the kernel's wording where it has one.
 */
export function checkStructure(insns: readonly Insn[]): { rows: (OpcodeRow | undefined)[]; errors: ProgramError[] } {
  const rows: (OpcodeRow | undefined)[] = new Array<OpcodeRow | undefined>(insns.length).fill(undefined);
  const errors: ProgramError[] = [];
  const second = new Uint8Array(insns.length); // 1 where a slot is lddw's second half
  if (insns.length === 0) errors.push({ pc: 0, message: 'empty program' });
  for (let pc = 0; pc < insns.length; pc++) {
    const m = matchRow(insns[pc]!);
    if (!isRow(m)) {
      errors.push({ pc, message: describeMismatch(m) });
      continue;
    }
    rows[pc] = m;
    if (m.slots === 2) {
      const next = insns[pc + 1];
      const imm2 = m.imm2!;
      if (!next || next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0 || next.imm < imm2.min || next.imm > imm2.max) {
        errors.push({ pc, message: 'invalid bpf_ld_imm64 insn' });
        continue;
      }
      second[pc + 1] = 1;
      pc++;
    }
  }
  for (let pc = 0; pc < insns.length; pc++) {
    const row = rows[pc];
    const t = row ? targetOf(row, insns[pc]!, pc) : undefined;
    if (t === undefined) continue;
    if (t < 0 || t >= insns.length) errors.push({ pc, message: `jump out of range from insn ${pc} to ${t}` });
    else if (second[t]) errors.push({ pc, message: `jump into the middle of ldimm64 insn ${t - 1}` });
  }
  return { rows, errors };
}

/** The slot a jump, ja32, local call or lddw func reference goes to, else undefined. */
export function targetOf(row: OpcodeRow, i: Insn, pc: number): number | undefined {
  switch (row.kind) {
    case 'jcond':
      return pc + 1 + i.off;
    case 'ja':
      return pc + 1 + (row.width === 32 ? i.imm : i.off);
    case 'call_local':
      return pc + 1 + i.imm;
    case 'lddw':
      return row.pseudo === 4 ? pc + 1 + i.imm : undefined;
    default:
      return undefined;
  }
}

/** Which field tells apart the rows sharing this row's opcode (see STRIDE). */
function selectorOf(row: OpcodeRow, i: Insn): number {
  switch (row.kind) {
    case 'alu':
    case 'mov':
    case 'movsx':
      return i.off & 0xff;
    case 'end':
    case 'atomic':
      return i.imm & 0xff;
    case 'call':
    case 'call_local':
    case 'call_kfunc':
      return i.src;
    case 'lddw':
      // A map fd is a constant pointer (REGION_MAP_HANDLE, fd): run it as a plain load.
      return i.src === BPF_PSEUDO_MAP_FD ? 0 : i.src;
    default:
      return 0;
  }
}

export function loadProgram(insns: readonly Insn[], opts: LoadOptions = {}): LoadResult {
  const { rows, errors } = checkStructure(insns);
  if (errors.length > 0) return { ok: false, errors };
  const code = new Int32Array((insns.length + 1) * STRIDE);
  for (let pc = 0; pc < insns.length; pc++) {
    const row = rows[pc];
    if (!row) continue; // lddw's second slot: never executed, left as opcode 0
    const i = insns[pc]!;
    const at = pc * STRIDE;
    code[at + W_OP] = row.code | ((2 * i.dst) << 8) | ((2 * i.src) << 16) | (selectorOf(row, i) << 24);
    code[at + W_OFF] = targetOf(row, i, pc) ?? i.off;
    code[at + W_IMM] = i.imm;
    code[at + W_IMMHI] = i.imm >> 31;
    if (row.kind === 'lddw') {
      code[at + W_IMMHI] = insns[pc + 1]!.imm;
      if (row.pseudo === BPF_PSEUDO_MAP_FD) code[at + W_IMMHI] = REGION_MAP_HANDLE;
    }
  }
  const prog: Program = {
    insns,
    rows,
    code,
    helpers: opts.helpers ?? [],
    budget: opts.budget ?? BPF_COMPLEXITY_LIMIT_INSNS,
  };
  return { ok: true, prog };
}
