// A loaded program: its slots, each slot's opcode-table row, and the pre-decoded form the
// interpreter runs (typed arrays, one fixed-size record per slot), with helpers bound by id
// as the kernel binds them at load. In: Insn[] (any bytes decoded by encode.ts). Out: a
// Program, or structural errors (illegal fields, bad lddw, jumps out of range) by slot.
// Not: verification — types, bounds and initialisation are the verifier's.

import {
  BPF_ADD, BPF_ALU, BPF_AND, BPF_COMPLEXITY_LIMIT_INSNS, BPF_DIV, BPF_LSH, BPF_MOD, BPF_MOV, BPF_MUL, BPF_OR, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD,
  BPF_RSH, BPF_SUB, BPF_XOR, LDXB, LDXDW, LDXH, LDXSB, LDXSH, LDXSW, LDXW, STB, STDW, STH, STW, STXB, STXDW,
  STXH, STXW, type Insn,
} from './isa.js';
import type { HelperFn } from './machine.js';
import { REGION_FUNC, REGION_MAP_HANDLE } from './memory.js';
import { describeMismatch, isRow, matchRow, OPCODES, type OpcodeRow } from './opcodes.js';
import type { InsnFacts, ProgramAnalysis } from './verifier/analysis.js';

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
 *            (the opcode of a proven load or store is its PROVEN pseudo-opcode)
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
  /**
   * 1 at each slot some `lddw src=4` (BPF_PSEUDO_FUNC) names: the functions a helper may call
   * back (Machine.callFunc refuses any other slot).
   */
  readonly funcEntries: Uint8Array;
}

export interface LoadOptions {
  readonly helpers?: HelperTable;
  /** Default BPF_COMPLEXITY_LIMIT_INSNS (1,000,000). */
  readonly budget?: number;
  /**
   * The verifier's facts for these instructions: loads and stores it proved inside a stack
   * frame, a map value or a ringbuf record get the PROVEN pseudo-opcodes, which the
   * interpreter runs without a bounds check (context accesses stay checked: the record a run
   * gets may be shorter than the verifier assumed), and 64-bit ALU operations proven to stay
   * below 2^32 run as their 32-bit forms.
   */
  readonly analysis?: ProgramAnalysis;
}

/**
 * Pseudo-opcodes of proven loads and stores, in the record's opcode byte only: values no
 * instruction has (0xe0-0xfd), so the interpreter's switch reaches their unchecked cases
 * directly. Keyed by the real opcode.
 */
export const PROVEN: Readonly<Record<number, number>> = {
  [LDXDW]: 0xe0, [LDXW]: 0xe1, [LDXH]: 0xe2, [LDXB]: 0xe3, [LDXSW]: 0xe4, [LDXSH]: 0xe5, [LDXSB]: 0xe6,
  [STXDW]: 0xe7, [STXW]: 0xe8, [STXH]: 0xe9, [STXB]: 0xea, [STDW]: 0xeb, [STW]: 0xec, [STH]: 0xed, [STB]: 0xee,
};
/** The same for accesses proven inside a stack frame: the stack's view needs no region lookup. */
export const PROVEN_STACK: Readonly<Record<number, number>> = {
  [LDXDW]: 0xef, [LDXW]: 0xf0, [LDXH]: 0xf1, [LDXB]: 0xf2, [LDXSW]: 0xf3, [LDXSH]: 0xf4, [LDXSB]: 0xf5,
  [STXDW]: 0xf6, [STXW]: 0xf7, [STXH]: 0xf8, [STXB]: 0xf9, [STDW]: 0xfa, [STW]: 0xfb, [STH]: 0xfc, [STB]: 0xfd,
};
for (const p of [...Object.values(PROVEN), ...Object.values(PROVEN_STACK)]) {
  if (OPCODES.some((r) => r.code === p)) throw new Error(`program: pseudo-opcode 0x${p.toString(16)} is a real opcode`);
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
      return row.pseudo === BPF_PSEUDO_FUNC ? pc + 1 + i.imm : undefined;
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
      // A map fd and a function address are constant pointers (REGION_MAP_HANDLE, fd) and
      // (REGION_FUNC, slot): run them as plain loads.
      return i.src === BPF_PSEUDO_MAP_FD || i.src === BPF_PSEUDO_FUNC ? 0 : i.src;
    default:
      return 0;
  }
}

/** ALU64 operations whose low word is the ALU32 operation on the low words. */
const LOW_WORD_OPS = new Set([BPF_ADD, BPF_SUB, BPF_MUL, BPF_AND, BPF_OR, BPF_XOR, BPF_MOV]);

/**
 * The ALU32 opcode that computes an ALU64 instruction exactly, given the verifier's facts, or
 * the instruction's own opcode. When the result is proven below 2^32, add, sub, mul, and, or,
 * xor and mov are their 32-bit forms (equal low words, zero high word); a left shift too when
 * by a constant below 32; a right shift and unsigned div/mod also need their operands below
 * 2^32. The interpreter's 32-bit cases skip all high-word work.
 */
function narrowed(row: OpcodeRow, i: Insn, facts: readonly InsnFacts[], pc: number): number {
  if ((row.kind !== 'alu' && row.kind !== 'mov') || row.width !== 64) return row.code;
  const after = facts[pc + 1];
  const before = facts[pc]!;
  const fits = (f: InsnFacts | undefined, r: number): boolean => f !== undefined && f.reached && ((f.fits32 >> r) & 1) === 1;
  if (!fits(after, i.dst)) return row.code;
  const alu32 = (row.code & 0xf8) | BPF_ALU;
  const imm = row.source === 'imm';
  const small = imm && (i.imm & 63) < 32;
  switch (row.op) {
    case BPF_LSH:
      return small ? alu32 : row.code;
    case BPF_RSH:
      return small && fits(before, i.dst) ? alu32 : row.code;
    case BPF_DIV:
    case BPF_MOD:
      return !row.signed && fits(before, i.dst) && (imm ? i.imm >= 0 : fits(before, i.src)) ? alu32 : row.code;
    default:
      return LOW_WORD_OPS.has(row.op) ? alu32 : row.code;
  }
}

export function loadProgram(insns: readonly Insn[], opts: LoadOptions = {}): LoadResult {
  const { rows, errors } = checkStructure(insns);
  if (errors.length > 0) return { ok: false, errors };
  const code = new Int32Array((insns.length + 1) * STRIDE);
  const funcEntries = new Uint8Array(insns.length);
  // Facts for other instructions would be worse than none.
  const facts = opts.analysis !== undefined && opts.analysis.insns.length === insns.length ? opts.analysis.insns : undefined;
  for (let pc = 0; pc < insns.length; pc++) {
    const row = rows[pc];
    if (!row) continue; // lddw's second slot: never executed, left as opcode 0
    const i = insns[pc]!;
    const at = pc * STRIDE;
    const f = facts?.[pc];
    const proven = f !== undefined && f.inBounds === true && (f.mem === 'stack' || f.mem === 'map_value' || f.mem === 'mem');
    const op = proven
      ? (f.mem === 'stack' ? PROVEN_STACK : PROVEN)[row.code] ?? row.code
      : facts !== undefined ? narrowed(row, i, facts, pc) : row.code;
    code[at + W_OP] = op | ((2 * i.dst) << 8) | ((2 * i.src) << 16) | (selectorOf(row, i) << 24);
    code[at + W_OFF] = targetOf(row, i, pc) ?? i.off;
    code[at + W_IMM] = i.imm;
    code[at + W_IMMHI] = i.imm >> 31;
    if (row.kind === 'lddw') {
      code[at + W_IMMHI] = insns[pc + 1]!.imm;
      if (row.pseudo === BPF_PSEUDO_MAP_FD) code[at + W_IMMHI] = REGION_MAP_HANDLE;
      if (row.pseudo === BPF_PSEUDO_FUNC) {
        const entry = pc + 1 + i.imm;
        funcEntries[entry] = 1;
        code[at + W_IMM] = entry;
        code[at + W_IMMHI] = REGION_FUNC;
      }
    }
  }
  const prog: Program = {
    insns,
    rows,
    code,
    helpers: opts.helpers ?? [],
    budget: opts.budget ?? BPF_COMPLEXITY_LIMIT_INSNS,
    funcEntries,
  };
  return { ok: true, prog };
}
