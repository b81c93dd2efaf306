// The one opcode table: every instruction RFC 9669 defines, one row each, with its
// semantics as data (kind, op, width, size), the legal value range of each field (as uBPF's
// instruction-valid table: one loop checks them) and both text renderings as templates.
// Encode/decode, the assembler, the disassembler and validation walk these rows; the
// interpreter dispatches on the opcode byte and the row's `variant`. Not: behaviour.

import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_ATOMIC, BPF_B, BPF_CALL, BPF_CMPXCHG, BPF_DIV,
  BPF_DW, BPF_END, BPF_EXIT, BPF_FETCH, BPF_H, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE,
  BPF_JLT, BPF_JMP, BPF_JMP32, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_K, BPF_LD,
  BPF_LDX, BPF_LSH, BPF_MEM, BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_ST,
  BPF_STX, BPF_SUB, BPF_TO_BE, BPF_TO_LE, BPF_W, BPF_X, BPF_XCHG, BPF_XOR, type Insn,
} from './isa.js';

/** What an instruction does, coarsely; `op`, `source`, `width`, `size` and `signed` refine it. */
export type InsnKind =
  | 'alu' // dst = dst op operand (add … arsh, sdiv, smod)
  | 'neg' // dst = -dst
  | 'mov' // dst = operand
  | 'movsx' // dst = sign-extended low `size` bytes of src
  | 'end' // byte order conversion of the low `size` bytes
  | 'lddw' // dst = 64-bit immediate (or a pseudo value, see `pseudo`)
  | 'ldx' // dst = *(u{size} *)(src + off)
  | 'ldxs' // dst = *(s{size} *)(src + off)
  | 'st' // *(u{size} *)(dst + off) = imm
  | 'stx' // *(u{size} *)(dst + off) = src
  | 'atomic' // read-modify-write of *(u{size} *)(dst + off) with src; `op` is the imm
  | 'ja' // pc += off (JMP) or pc += imm (JMP32, "gotol")
  | 'jcond' // if (dst op operand) pc += off
  | 'call' // helper by id in imm
  | 'call_local' // bpf-to-bpf call, pc-relative imm
  | 'call_kfunc' // kernel function by BTF id in imm
  | 'exit';

/** Inclusive range of legal values of one instruction field. */
export interface FieldRange {
  readonly min: number;
  readonly max: number;
}

/** Endianness the `end` rows convert to (bswap rows swap unconditionally, as be on our LE machine). */
export type EndOrder = 'le' | 'be' | 'swap';

export interface OpcodeRow {
  /** Conformance-form mnemonic, e.g. `add32`, `ldxdw`, `lock fetch add`, `call`. Shared by a row's imm/reg twins. */
  readonly mnemonic: string;
  /** Other conformance mnemonics the assembler accepts for this row (`add64`, `swap16`). */
  readonly aliases: readonly string[];
  /** The 8-bit opcode. */
  readonly code: number;
  /** Index of this row among the rows sharing `code` (sdiv vs div, le16 vs le32, atomic ops, pseudo srcs). */
  readonly variant: number;
  readonly kind: InsnKind;
  /** ALU op (BPF_ADD…), JMP op (BPF_JEQ…), atomic op (the imm: BPF_ADD|BPF_FETCH, BPF_XCHG…), or 0. */
  readonly op: number;
  /** Where the second operand comes from. */
  readonly source: 'imm' | 'reg' | 'none';
  /** Operation width in bits: 32 for ALU / JMP32 / 32-bit atomics, else 64. */
  readonly width: 32 | 64;
  /** Bytes accessed (ldx/st/stx/atomic), bytes converted (end) or source bytes (movsx); else 0. */
  readonly size: 0 | 1 | 2 | 4 | 8;
  /** Signed semantics: sdiv/smod, signed jumps, arsh, ldxs, movsx. */
  readonly signed: boolean;
  /** lddw / call src value this row stands for (BPF_PSEUDO_*), else 0. */
  readonly pseudo: number;
  readonly endOrder?: EndOrder;
  /** Legal field values. Registers: 0..10 readable, 0..9 writable. */
  readonly dst: FieldRange;
  readonly src: FieldRange;
  readonly off: FieldRange;
  readonly imm: FieldRange;
  /** lddw only: legal imm of the second slot (whose other fields must be 0). */
  readonly imm2?: FieldRange;
  /** 1, or 2 for lddw. */
  readonly slots: 1 | 2;
  /** Kernel / llvm-objdump rendering, e.g. `{d} = *(u64 *)({s}{off})`. Placeholders: see asm/template.ts. */
  readonly kernel: string;
  /** Conformance-vector rendering, e.g. `ldxdw {d}, [{s}{off}]`. */
  readonly conf: string;
}

// ── field ranges ─────────────────────────────────────────────────────────────────────────
const range = (min: number, max: number): FieldRange => ({ min, max });
const ZERO = range(0, 0);
const REG = range(0, 10);
const WREG = range(0, 9);
const OFF16 = range(-0x8000, 0x7fff);
const IMM32 = range(-0x8000_0000, 0x7fff_ffff);
/** Ids (helper, BTF, map fd or index): Linux rejects negative ones. */
const ID = range(0, 0x7fff_ffff);
const only = (v: number): FieldRange => range(v, v);

interface RowSpec {
  mnemonic: string;
  aliases?: string[];
  code: number;
  kind: InsnKind;
  op?: number;
  source?: 'imm' | 'reg' | 'none';
  width?: 32 | 64;
  size?: 0 | 1 | 2 | 4 | 8;
  signed?: boolean;
  pseudo?: number;
  endOrder?: EndOrder;
  dst: FieldRange;
  src: FieldRange;
  off: FieldRange;
  imm: FieldRange;
  imm2?: FieldRange;
  kernel: string;
  conf: string;
}

const specs: RowSpec[] = [];
const add = (s: RowSpec): void => {
  specs.push(s);
};

// ── ALU and ALU64 ────────────────────────────────────────────────────────────────────────
// [op, mnemonic, kernel operator, signed, off value that selects it]
const BINARY_ALU: readonly (readonly [number, string, string, boolean, number])[] = [
  [BPF_ADD, 'add', '+=', false, 0],
  [BPF_SUB, 'sub', '-=', false, 0],
  [BPF_MUL, 'mul', '*=', false, 0],
  [BPF_DIV, 'div', '/=', false, 0],
  [BPF_DIV, 'sdiv', 's/=', true, 1],
  [BPF_OR, 'or', '|=', false, 0],
  [BPF_AND, 'and', '&=', false, 0],
  [BPF_LSH, 'lsh', '<<=', false, 0],
  [BPF_RSH, 'rsh', '>>=', false, 0],
  [BPF_MOD, 'mod', '%=', false, 0],
  [BPF_MOD, 'smod', 's%=', true, 1],
  [BPF_XOR, 'xor', '^=', false, 0],
  [BPF_ARSH, 'arsh', 's>>=', true, 0],
];

for (const [cls, width] of [[BPF_ALU64, 64], [BPF_ALU, 32]] as const) {
  const sfx = width === 32 ? '32' : '';
  const aliasOf = (m: string): string[] => (width === 64 ? [`${m}64`] : []);
  const r = width === 64 ? '{d}' : '{wd}';
  const rs = width === 64 ? '{s}' : '{ws}';
  for (const [op, name, oper, signed, off] of BINARY_ALU) {
    const common = { kind: 'alu' as const, op, width, signed, dst: WREG, off: only(off) };
    add({ ...common, mnemonic: name + sfx, aliases: aliasOf(name), code: cls | BPF_K | op, source: 'imm',
      src: ZERO, imm: IMM32, kernel: `${r} ${oper} {imm}`, conf: `${name}${sfx} {d}, {imm}` });
    add({ ...common, mnemonic: name + sfx, aliases: aliasOf(name), code: cls | BPF_X | op, source: 'reg',
      src: REG, imm: ZERO, kernel: `${r} ${oper} ${rs}`, conf: `${name}${sfx} {d}, {s}` });
  }
  add({ mnemonic: `neg${sfx}`, aliases: aliasOf('neg'), code: cls | BPF_K | BPF_NEG, kind: 'neg', op: BPF_NEG,
    source: 'none', width, dst: WREG, src: ZERO, off: ZERO, imm: ZERO, kernel: `${r} = -${r}`, conf: `neg${sfx} {d}` });
  add({ mnemonic: `mov${sfx}`, aliases: aliasOf('mov'), code: cls | BPF_K | BPF_MOV, kind: 'mov', op: BPF_MOV,
    source: 'imm', width, dst: WREG, src: ZERO, off: ZERO, imm: IMM32, kernel: `${r} = {imm}`, conf: `mov${sfx} {d}, {imm}` });
  add({ mnemonic: `mov${sfx}`, aliases: aliasOf('mov'), code: cls | BPF_X | BPF_MOV, kind: 'mov', op: BPF_MOV,
    source: 'reg', width, dst: WREG, src: REG, off: ZERO, imm: ZERO, kernel: `${r} = ${rs}`, conf: `mov${sfx} {d}, {s}` });
  // movsx: off selects the source width; ALU sign-extends to 32 bits then zero-extends.
  for (const bits of width === 64 ? ([8, 16, 32] as const) : ([8, 16] as const)) {
    add({ mnemonic: `movsx${bits}${width}`, code: cls | BPF_X | BPF_MOV, kind: 'movsx', op: BPF_MOV, source: 'reg',
      width, size: (bits / 8) as 1 | 2 | 4, signed: true, dst: WREG, src: REG, off: only(bits), imm: ZERO,
      kernel: `${r} = (s${bits})${rs}`, conf: `movsx${bits}${width} {d}, {s}` });
  }
}

// Byte order: ALU|TO_LE, ALU|TO_BE and ALU64 (unconditional swap); imm is the width in bits.
for (const [code, order, name] of [
  [BPF_ALU | BPF_TO_LE | BPF_END, 'le', 'le'],
  [BPF_ALU | BPF_TO_BE | BPF_END, 'be', 'be'],
  [BPF_ALU64 | BPF_TO_LE | BPF_END, 'swap', 'bswap'],
] as const) {
  for (const bits of [16, 32, 64] as const) {
    add({ mnemonic: `${name}${bits}`, aliases: order === 'swap' ? [`swap${bits}`] : [], code, kind: 'end',
      op: BPF_END, source: 'none', width: 64, size: (bits / 8) as 2 | 4 | 8, endOrder: order, dst: WREG, src: ZERO,
      off: ZERO, imm: only(bits), kernel: `{d} = ${name}${bits} {d}`, conf: `${name}${bits} {d}` });
  }
}

// ── JMP and JMP32 ────────────────────────────────────────────────────────────────────────
const COND_JUMPS: readonly (readonly [number, string, string, boolean])[] = [
  [BPF_JEQ, 'jeq', '==', false],
  [BPF_JGT, 'jgt', '>', false],
  [BPF_JGE, 'jge', '>=', false],
  [BPF_JSET, 'jset', '&', false],
  [BPF_JNE, 'jne', '!=', false],
  [BPF_JSGT, 'jsgt', 's>', true],
  [BPF_JSGE, 'jsge', 's>=', true],
  [BPF_JLT, 'jlt', '<', false],
  [BPF_JLE, 'jle', '<=', false],
  [BPF_JSLT, 'jslt', 's<', true],
  [BPF_JSLE, 'jsle', 's<=', true],
];

add({ mnemonic: 'ja', code: BPF_JMP | BPF_JA, kind: 'ja', op: BPF_JA, dst: ZERO, src: ZERO, off: OFF16, imm: ZERO,
  kernel: 'goto {tgt}', conf: 'ja {tgt}' });
add({ mnemonic: 'ja32', code: BPF_JMP32 | BPF_JA, kind: 'ja', op: BPF_JA, width: 32, dst: ZERO, src: ZERO, off: ZERO,
  imm: IMM32, kernel: 'gotol {tgt32}', conf: 'ja32 {tgt32}' });
for (const [cls, width] of [[BPF_JMP, 64], [BPF_JMP32, 32]] as const) {
  const sfx = width === 32 ? '32' : '';
  const r = width === 64 ? '{d}' : '{wd}';
  const rs = width === 64 ? '{s}' : '{ws}';
  for (const [op, name, oper, signed] of COND_JUMPS) {
    const common = { mnemonic: name + sfx, kind: 'jcond' as const, op, width, signed, dst: REG, off: OFF16 };
    add({ ...common, code: cls | BPF_K | op, source: 'imm', src: ZERO, imm: IMM32,
      kernel: `if ${r} ${oper} {imm} goto {tgt}`, conf: `${name}${sfx} {d}, {imm}, {tgt}` });
    add({ ...common, code: cls | BPF_X | op, source: 'reg', src: REG, imm: ZERO,
      kernel: `if ${r} ${oper} ${rs} goto {tgt}`, conf: `${name}${sfx} {d}, {s}, {tgt}` });
  }
}
add({ mnemonic: 'call', code: BPF_JMP | BPF_CALL, kind: 'call', op: BPF_CALL, pseudo: 0, dst: ZERO, src: only(0),
  off: ZERO, imm: ID, kernel: 'call {id}', conf: 'call {id}' });
add({ mnemonic: 'call', code: BPF_JMP | BPF_CALL, kind: 'call_local', op: BPF_CALL, pseudo: 1, dst: ZERO,
  src: only(1), off: ZERO, imm: IMM32, kernel: 'call {pc32}', conf: 'call local {tgt32}' });
// kfunc: Linux puts a module BTF fd index in off; only vmlinux kfuncs (off 0) exist here.
add({ mnemonic: 'call', code: BPF_JMP | BPF_CALL, kind: 'call_kfunc', op: BPF_CALL, pseudo: 2, dst: ZERO,
  src: only(2), off: ZERO, imm: ID, kernel: 'call kfunc {id}', conf: 'call kfunc {id}' });
add({ mnemonic: 'exit', code: BPF_JMP | BPF_EXIT, kind: 'exit', op: BPF_EXIT, dst: ZERO, src: ZERO, off: ZERO,
  imm: ZERO, kernel: 'exit', conf: 'exit' });

// ── LD: the 16-byte immediate load and its pseudo sources ────────────────────────────────
// [src, kernel value, conformance value, second-slot imm range]
const LDDW_FORMS: readonly (readonly [number, string, FieldRange])[] = [
  [0, '{imm64}', IMM32], // plain 64-bit constant
  [1, 'map_fd({id})', ZERO], // BPF_PSEUDO_MAP_FD: pointer to map by fd
  [2, 'map_value({id}, {id2})', IMM32], // BPF_PSEUDO_MAP_VALUE: fd, offset into its value
  [3, 'btf_id({id}, {id2})', IMM32], // BPF_PSEUDO_BTF_ID: kernel variable by BTF id, module BTF fd
  [4, 'func({tgt32})', ZERO], // BPF_PSEUDO_FUNC: address of a subprogram, pc-relative
  [5, 'map_idx({id})', ZERO], // BPF_PSEUDO_MAP_IDX: map by index into fd_array
  [6, 'map_idx_value({id}, {id2})', IMM32], // BPF_PSEUDO_MAP_IDX_VALUE: index, offset
];
for (const [src, value, imm2] of LDDW_FORMS) {
  // The first imm is the value's low word (src 0), a pc-relative offset (func) or an id.
  const imm = src === 0 || src === 4 ? IMM32 : ID;
  add({ mnemonic: 'lddw', code: BPF_LD | BPF_IMM | BPF_DW, kind: 'lddw', pseudo: src, dst: WREG, src: only(src),
    off: ZERO, imm, imm2, kernel: `{d} = ${value} ll`, conf: `lddw {d}, ${value}` });
}

// ── LDX / ST / STX / atomics ─────────────────────────────────────────────────────────────
const SIZES: readonly (readonly [number, 1 | 2 | 4 | 8, string])[] = [
  [BPF_B, 1, 'b'],
  [BPF_H, 2, 'h'],
  [BPF_W, 4, 'w'],
  [BPF_DW, 8, 'dw'],
];
for (const [sz, bytes, s] of SIZES) {
  const bits = bytes * 8;
  add({ mnemonic: `ldx${s}`, code: BPF_LDX | BPF_MEM | sz, kind: 'ldx', size: bytes, dst: WREG, src: REG,
    off: OFF16, imm: ZERO, kernel: `{d} = *(u${bits} *)({s}{off})`, conf: `ldx${s} {d}, [{s}{off}]` });
  if (bytes !== 8) {
    add({ mnemonic: `ldxs${s}`, code: BPF_LDX | BPF_MEMSX | sz, kind: 'ldxs', size: bytes, signed: true, dst: WREG,
      src: REG, off: OFF16, imm: ZERO, kernel: `{d} = *(s${bits} *)({s}{off})`, conf: `ldxs${s} {d}, [{s}{off}]` });
  }
  add({ mnemonic: `st${s}`, code: BPF_ST | BPF_MEM | sz, kind: 'st', source: 'imm', size: bytes, dst: REG, src: ZERO,
    off: OFF16, imm: IMM32, kernel: `*(u${bits} *)({d}{off}) = {imm}`, conf: `st${s} [{d}{off}], {imm}` });
  add({ mnemonic: `stx${s}`, code: BPF_STX | BPF_MEM | sz, kind: 'stx', source: 'reg', size: bytes, dst: REG, src: REG,
    off: OFF16, imm: ZERO, kernel: `*(u${bits} *)({d}{off}) = {s}`, conf: `stx${s} [{d}{off}], {s}` });
}

// Atomics: [imm, conformance word, kernel 64-bit template, kernel 32-bit template]
const ATOMIC_OPS: readonly (readonly [number, string, string, string])[] = [
  [BPF_ADD, 'add', 'lock *(u64 *)({d}{off}) += {s}', 'lock *(u32 *)({d}{off}) += {ws}'],
  [BPF_OR, 'or', 'lock *(u64 *)({d}{off}) |= {s}', 'lock *(u32 *)({d}{off}) |= {ws}'],
  [BPF_AND, 'and', 'lock *(u64 *)({d}{off}) &= {s}', 'lock *(u32 *)({d}{off}) &= {ws}'],
  [BPF_XOR, 'xor', 'lock *(u64 *)({d}{off}) ^= {s}', 'lock *(u32 *)({d}{off}) ^= {ws}'],
  [BPF_ADD | BPF_FETCH, 'fetch add', '{s} = atomic_fetch_add((u64 *)({d}{off}), {s})',
    '{ws} = atomic_fetch_add((u32 *)({d}{off}), {ws})'],
  [BPF_OR | BPF_FETCH, 'fetch or', '{s} = atomic_fetch_or((u64 *)({d}{off}), {s})',
    '{ws} = atomic_fetch_or((u32 *)({d}{off}), {ws})'],
  [BPF_AND | BPF_FETCH, 'fetch and', '{s} = atomic_fetch_and((u64 *)({d}{off}), {s})',
    '{ws} = atomic_fetch_and((u32 *)({d}{off}), {ws})'],
  [BPF_XOR | BPF_FETCH, 'fetch xor', '{s} = atomic_fetch_xor((u64 *)({d}{off}), {s})',
    '{ws} = atomic_fetch_xor((u32 *)({d}{off}), {ws})'],
  [BPF_XCHG, 'xchg', '{s} = xchg_64({d}{off}, {s})', '{ws} = xchg32_32({d}{off}, {ws})'],
  [BPF_CMPXCHG, 'cmpxchg', 'r0 = cmpxchg_64({d}{off}, r0, {s})', 'w0 = cmpxchg32_32({d}{off}, w0, {ws})'],
];
for (const [sz, bytes, width] of [[BPF_DW, 8, 64], [BPF_W, 4, 32]] as const) {
  const sfx = width === 32 ? '32' : '';
  for (const [imm, word, k64, k32] of ATOMIC_OPS) {
    add({ mnemonic: `lock ${word}${sfx}`, code: BPF_STX | BPF_ATOMIC | sz, kind: 'atomic', op: imm, source: 'reg',
      width, size: bytes, dst: REG, src: REG, off: OFF16, imm: only(imm), kernel: width === 64 ? k64 : k32,
      conf: `lock ${word}${sfx} [{d}{off}], {s}` });
  }
}

// ── the table and its indexes ────────────────────────────────────────────────────────────
const variants = new Map<number, number>();
export const OPCODES: readonly OpcodeRow[] = specs.map((s) => {
  const variant = variants.get(s.code) ?? 0;
  variants.set(s.code, variant + 1);
  const row: OpcodeRow = {
    mnemonic: s.mnemonic,
    aliases: s.aliases ?? [],
    code: s.code,
    variant,
    kind: s.kind,
    op: s.op ?? 0,
    source: s.source ?? 'none',
    width: s.width ?? 64,
    size: s.size ?? 0,
    signed: s.signed ?? false,
    pseudo: s.pseudo ?? 0,
    dst: s.dst,
    src: s.src,
    off: s.off,
    imm: s.imm,
    slots: s.kind === 'lddw' ? 2 : 1,
    kernel: s.kernel,
    conf: s.conf,
    ...(s.endOrder ? { endOrder: s.endOrder } : {}),
    ...(s.imm2 ? { imm2: s.imm2 } : {}),
  };
  return Object.freeze(row);
});

/** Rows by opcode byte (several rows share a code and differ in off, imm or src). */
export const ROWS_BY_CODE: readonly (readonly OpcodeRow[])[] = (() => {
  const t: OpcodeRow[][] = Array.from({ length: 256 }, () => []);
  for (const row of OPCODES) t[row.code]!.push(row);
  return t;
})();

const FIELDS = ['dst', 'src', 'off', 'imm'] as const;
export type InsnField = (typeof FIELDS)[number];

/** Why a slot matches no row: the field (or the opcode itself) and its value. */
export interface RowMismatch {
  readonly field: InsnField | 'code';
  readonly value: number;
  /** The row the slot came closest to, when the opcode exists. */
  readonly row?: OpcodeRow;
  /** The slot itself. */
  readonly insn: Insn;
}

/** The row an instruction slot is, or why it is none: the one loop over the legal-field table. */
export function matchRow(insn: Insn): OpcodeRow | RowMismatch {
  const rows = ROWS_BY_CODE[insn.code & 0xff] ?? [];
  if (rows.length === 0) return { field: 'code', value: insn.code, insn };
  let best: RowMismatch | undefined;
  let bestBad = 5;
  for (const row of rows) {
    let bad = 0;
    let first: InsnField | undefined;
    for (const f of FIELDS) {
      const r = row[f];
      const v = insn[f];
      if (v < r.min || v > r.max) {
        bad++;
        first ??= f;
      }
    }
    if (bad === 0) return row;
    if (bad < bestBad) {
      bestBad = bad;
      best = { field: first!, value: insn[first!], row, insn };
    }
  }
  return best!;
}

export const isRow = (x: OpcodeRow | RowMismatch): x is OpcodeRow => 'kind' in x;

/**
 * Human text for a mismatch, e.g. `unused src field of add imm must be 0, is 1`, or for a
 * field that selects among rows sharing the opcode, `src of call must be one of 0, 1, 2, is 3`.
 */
export function describeMismatch(m: RowMismatch): string {
  if (m.field === 'code' || !m.row) return `unknown opcode 0x${(m.value & 0xff).toString(16).padStart(2, '0')}`;
  const r = m.row[m.field];
  const what = rowTitle(m.row);
  // Rows of this opcode that accept every other field: the field is what selects among them.
  const field = m.field;
  const siblings = ROWS_BY_CODE[m.row.code]!.filter((row) =>
    FIELDS.every((f) => f === field || (m.insn[f] >= row[f].min && m.insn[f] <= row[f].max)),
  );
  if (siblings.length > 1 && siblings.every((row) => row[field].min === row[field].max)) {
    const show = (v: number): string => (m.row!.kind === 'atomic' ? `0x${v.toString(16)}` : `${v}`);
    return `${field} of ${what} must be one of ${siblings.map((row) => show(row[field].min)).join(', ')}, is ${show(m.value)}`;
  }
  if (r.min === 0 && r.max === 0) return `unused ${m.field} field of ${what} must be 0, is ${m.value}`;
  if (m.field === 'dst' || m.field === 'src') {
    return m.value === 10 && r.max === 9
      ? `${what} cannot write r10 (frame pointer is read-only)`
      : `invalid ${m.field} register ${m.value} for ${what}`;
  }
  return r.min === r.max
    ? `${m.field} of ${what} must be ${r.min}, is ${m.value}`
    : `${m.field} of ${what} out of range ${r.min}..${r.max}: ${m.value}`;
}

/** `add32 imm`, `ldxdw`, `lddw src=1` — a short name for messages. */
export function rowTitle(row: OpcodeRow): string {
  if (row.kind === 'lddw') return row.pseudo === 0 ? 'lddw' : `lddw src=${row.pseudo}`;
  if (row.kind === 'call_local') return 'call local';
  if (row.kind === 'call_kfunc') return 'call kfunc';
  if (row.kind === 'alu' || row.kind === 'mov' || row.kind === 'jcond') return `${row.mnemonic} ${row.source}`;
  return row.mnemonic;
}
