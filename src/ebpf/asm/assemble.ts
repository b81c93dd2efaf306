// The assembler: text in either syntax — kernel/llvm-objdump (`r0 = *(u64 *)(r10 - 8)`) or
// the conformance vectors' (`ldxdw %r0, [%r10-8]`), even mixed line by line — to instruction
// slots. Lines may carry labels (`name:`) and `#` or `//` comments; jump and call targets are
// labels or signed offsets. Out: Insn[] or every error with its line. Not: verification.

import { type Insn } from '../isa.js';
import { describeMismatch, isRow, matchRow, OPCODES, type OpcodeRow } from '../opcodes.js';
import { matchTemplate, type Placeholder, type Syntax, templateOf } from './template.js';

export interface AsmError {
  /** 1-based line number in the input. */
  readonly line: number;
  readonly message: string;
}

export type AsmResult =
  | { readonly ok: true; readonly insns: Insn[]; readonly labels: ReadonlyMap<string, number> }
  | { readonly ok: false; readonly errors: readonly AsmError[] };

export interface AsmOptions {
  /** Which syntax lines are in; `auto` (default) tries the conformance form, then the kernel form. */
  readonly syntax?: Syntax | 'auto';
}

/** Conformance rows by the first word of their mnemonic or an alias (`lock` → every atomic). */
const CONF_INDEX: ReadonlyMap<string, readonly OpcodeRow[]> = (() => {
  const m = new Map<string, OpcodeRow[]>();
  for (const row of OPCODES) {
    for (const name of new Set([row.mnemonic, ...row.aliases].map((n) => n.split(' ')[0]!))) {
      let list = m.get(name);
      if (!list) m.set(name, (list = []));
      list.push(row);
    }
  }
  return m;
})();

/** The label a jump to `exit` means when no such label is defined: the last exit instruction. */
const IMPLICIT_EXIT_LABEL = 'exit';

interface Parsed {
  readonly row: OpcodeRow;
  readonly ops: ReadonlyMap<Placeholder, string>;
  readonly line: number;
  readonly pc: number;
}

type ParseOutcome = { row: OpcodeRow; ops: Map<Placeholder, string> } | { error: string };

function parseInstruction(text: string, syntax: Syntax | 'auto'): ParseOutcome {
  const first = text.split(/[\s,]/, 1)[0]!.toLowerCase();
  const candidates = CONF_INDEX.get(first);
  let mismatch: string | undefined;
  const tryRows = (rows: readonly OpcodeRow[], s: Syntax): ParseOutcome | undefined => {
    for (const row of rows) {
      const m = matchTemplate(templateOf(row, s), text);
      if (m === undefined) continue;
      if (m instanceof Map) return { row, ops: m };
      mismatch ??= `operands {${m.mismatch}} of '${row.kernel}' must name the same register`;
    }
    return undefined;
  };
  if (candidates && syntax !== 'kernel') {
    const r = tryRows(candidates, 'conformance');
    if (r) return r;
  }
  if (syntax !== 'conformance') {
    const r = tryRows(OPCODES, 'kernel');
    if (r) return r;
  }
  if (mismatch) return { error: mismatch };
  if (candidates && syntax !== 'kernel') {
    // Name the forms of the longest mnemonic the line starts with (`lock or` rather than every `lock`).
    const words = text.toLowerCase().split(/\s+/);
    const named = (r: OpcodeRow): number =>
      Math.max(...[r.mnemonic, ...r.aliases].map((n) => (words.slice(0, n.split(' ').length).join(' ') === n ? n.length : 0)));
    const best = Math.max(...candidates.map(named));
    const forms = [...new Set(candidates.filter((r) => named(r) === best).map((r) => usage(r.conf)))];
    const shown = forms.slice(0, 4).join("' or '") + (forms.length > 4 ? `' or ${forms.length - 4} more` : "'");
    return { error: `invalid operands for ${first}: expected '${shown}` };
  }
  return { error: `unknown instruction '${text}'` };
}

/** A conformance template as a usage hint: `ldxb {d}, [{s}{off}]` → `ldxb %rD, [%rS+off]`. */
function usage(template: string): string {
  const words: Record<string, string> = {
    d: '%rD', s: '%rS', off: '+off', imm: 'imm', imm64: 'imm64', id: 'id', id2: 'value', tgt: '+off|label',
    tgt32: '+off|label', pc32: 'pc+off|label', wd: 'wD', ws: 'wS',
  };
  return template.replace(/\{(\w+)\}/g, (_, p: string) => words[p] ?? p);
}

// ── numbers ──────────────────────────────────────────────────────────────────────────────
interface IntText {
  readonly value: bigint;
  readonly hex: boolean;
}

function parseInteger(text: string): IntText | undefined {
  const m = /^([+-]?)(0x[0-9a-f]+|\d+)$/i.exec(text);
  if (!m) return undefined;
  const mag = BigInt(m[2]!);
  return { value: m[1] === '-' ? -mag : mag, hex: /^0x/i.test(m[2]!) };
}

const I32_MIN = -(1n << 31n);
const I32_MAX = (1n << 31n) - 1n;
const U32_MAX = (1n << 32n) - 1n;

/**
 * A 32-bit immediate: decimal must fit a signed 32-bit value; hex may also spell the
 * unsigned bit pattern (`0xffffffff` is -1), as the conformance vectors write them.
 */
function imm32(t: IntText): number | undefined {
  const max = t.hex ? U32_MAX : I32_MAX;
  return t.value < I32_MIN || t.value > max ? undefined : Number(BigInt.asIntN(32, t.value));
}

/** lddw's value: anything that is a 64-bit pattern, signed or unsigned. */
function imm64(t: IntText): bigint | undefined {
  return t.value < -(1n << 63n) || t.value > (1n << 64n) - 1n ? undefined : BigInt.asUintN(64, t.value);
}

function inRange(t: IntText, min: number, max: number): number | undefined {
  return t.value < BigInt(min) || t.value > BigInt(max) ? undefined : Number(t.value);
}

// ── the assembler ────────────────────────────────────────────────────────────────────────
export function assemble(text: string, opts: AsmOptions = {}): AsmResult {
  const syntax = opts.syntax ?? 'auto';
  const errors: AsmError[] = [];
  const labels = new Map<string, number>();
  const parsed: Parsed[] = [];
  let pc = 0;
  let lastExit = -1;

  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    let rest = raw.replace(/(#|\/\/).*$/, '').trim();
    for (let m = /^([a-z_.$][\w.$]*)\s*:/i.exec(rest); m; m = /^([a-z_.$][\w.$]*)\s*:/i.exec(rest)) {
      if (labels.has(m[1]!)) errors.push({ line, message: `label '${m[1]}' defined twice` });
      labels.set(m[1]!, pc);
      rest = rest.slice(m[0].length).trim();
    }
    if (rest === '') return;
    const p = parseInstruction(rest, syntax);
    if ('error' in p) {
      errors.push({ line, message: p.error });
      return;
    }
    if (p.row.kind === 'exit') lastExit = pc;
    parsed.push({ row: p.row, ops: p.ops, line, pc });
    pc += p.row.slots;
  });
  if (parsed.length === 0 && errors.length === 0) errors.push({ line: 1, message: 'no instructions' });

  const insns: Insn[] = [];
  for (const p of parsed) {
    const built = build(p, labels, lastExit);
    if (typeof built === 'string') errors.push({ line: p.line, message: built });
    else insns.push(...built);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, insns, labels };
}

/** The slots of one parsed line, or what is wrong with its operands. */
function build(p: Parsed, labels: ReadonlyMap<string, number>, lastExit: number): Insn[] | string {
  const { row, ops } = p;
  const fixed = (r: { min: number; max: number }): number => (r.min === r.max ? r.min : 0);
  let dst = fixed(row.dst);
  let src = fixed(row.src);
  let off = fixed(row.off);
  let imm = fixed(row.imm);
  let imm2 = 0;

  const target = (text: string, min: number, max: number): number | string => {
    const n = parseInteger(text.replace(/^pc/i, ''));
    if (n) return inRange(n, min, max) ?? `jump offset ${text} out of range ${min}..${max}`;
    const at = labels.get(text) ?? (text === IMPLICIT_EXIT_LABEL && lastExit >= 0 ? lastExit : undefined);
    if (at === undefined) return `undefined label '${text}'`;
    const rel = at - (p.pc + 1);
    return rel < min || rel > max ? `label '${text}' is out of jump range (${rel})` : rel;
  };

  for (const [ph, text] of ops) {
    const n = parseInteger(text);
    switch (ph) {
      case 'd':
      case 's':
      case 'wd':
      case 'ws': {
        const reg = Number(text);
        if (reg > 10) return `invalid register ${ph.startsWith('w') ? 'w' : 'r'}${text}`;
        if (ph.endsWith('d')) dst = reg;
        else src = reg;
        break;
      }
      case 'off': {
        const v = n ? inRange(n, -0x8000, 0x7fff) : undefined;
        if (v === undefined) return `offset ${text} out of range -32768..32767`;
        off = v;
        break;
      }
      case 'imm': {
        const v = n ? imm32(n) : undefined;
        if (v === undefined) return `immediate ${text} does not fit in 32 bits`;
        imm = v;
        break;
      }
      case 'imm64': {
        const v = n ? imm64(n) : undefined;
        if (v === undefined) return `immediate ${text} does not fit in 64 bits`;
        imm = Number(BigInt.asIntN(32, v));
        imm2 = Number(BigInt.asIntN(32, v >> 32n));
        break;
      }
      case 'id': {
        const v = n ? inRange(n, 0, 0x7fff_ffff) : undefined;
        if (v === undefined) return `id ${text} out of range 0..2147483647`;
        imm = v;
        break;
      }
      case 'id2': {
        const v = n ? imm32(n) : undefined;
        if (v === undefined) return `value ${text} does not fit in 32 bits`;
        imm2 = v;
        break;
      }
      case 'tgt': {
        const v = target(text, -0x8000, 0x7fff);
        if (typeof v === 'string') return v;
        off = v;
        break;
      }
      case 'tgt32':
      case 'pc32': {
        const v = target(text, -0x8000_0000, 0x7fff_ffff);
        if (typeof v === 'string') return v;
        imm = v;
        break;
      }
    }
  }
  const first: Insn = { code: row.code, dst, src, off, imm };
  const m = matchRow(first);
  if (!isRow(m)) return describeMismatch(m);
  return row.slots === 2 ? [first, { code: 0, dst: 0, src: 0, off: 0, imm: imm2 }] : [first];
}
