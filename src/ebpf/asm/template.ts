// The text templates of the opcode table, compiled once per row and syntax: a renderer
// (fields → text) and a matcher (text → the raw operand strings). In: a row's `kernel` or
// `conf` template. Out: text, or captured operand text keyed by placeholder. Not: number
// parsing or label resolution (assemble.ts does both), nor choosing the row (the caller).
//
// Placeholders:  {d} {s}  register: `rN` (kernel) or `%rN` (conformance)
//                {wd} {ws} 32-bit register view `wN` (kernel only)
//                {off}  memory offset: ` + 8` / ` - 8` (kernel), `+8` / `-8` (conformance); optional when parsed
//                {imm}  32-bit immediate, signed hex        {imm64} lddw value, unsigned hex over both slots
//                {id}   imm as a decimal id (helper, fd)    {id2}   the second lddw slot's imm, decimal
//                {tgt}  jump target from off: `+N` / `-N` or a label      {tgt32} the same from imm
//                {pc32} local call target from imm: `pc+N` or a label

import type { OpcodeRow } from '../opcodes.js';

export type Syntax = 'kernel' | 'conformance';

export const PLACEHOLDERS = ['d', 's', 'wd', 'ws', 'off', 'imm', 'imm64', 'id', 'id2', 'tgt', 'tgt32', 'pc32'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

type Piece = { readonly lit: string } | { readonly ph: Placeholder };

/** Values a template is rendered from: register numbers and the raw field values. */
export interface RenderFields {
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
  /** Second lddw slot's imm. */
  readonly imm2: number;
}

export interface CompiledTemplate {
  readonly pieces: readonly Piece[];
  readonly regex: RegExp;
  /** The placeholder each capture group belongs to, in group order. */
  readonly groups: readonly Placeholder[];
}

const NUM = '(?:0x[0-9a-f]+|\\d+)';
const LABEL = '[a-z_.$][\\w.$]*';

function captureFor(ph: Placeholder, syntax: Syntax): string {
  switch (ph) {
    case 'd':
    case 's':
      return syntax === 'kernel' ? 'r(\\d+)' : '%r(\\d+)';
    case 'wd':
    case 'ws':
      return 'w(\\d+)';
    case 'off':
      return `(?:\\s*([+-]\\s*${NUM}))?`;
    case 'imm':
    case 'imm64':
    case 'id2':
      return `([+-]?\\s*${NUM})`;
    case 'id':
      return `(${NUM})`;
    case 'tgt':
    case 'tgt32':
      return `([+-]?\\s*${NUM}|${LABEL})`;
    case 'pc32':
      return `(pc\\s*[+-]\\s*${NUM}|${LABEL})`;
  }
}

function split(template: string): Piece[] {
  const pieces: Piece[] = [];
  const re = /\{(\w+)\}/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    if (m.index > last) pieces.push({ lit: template.slice(last, m.index) });
    pieces.push({ ph: m[1] as Placeholder });
    last = m.index + m[0].length;
  }
  if (last < template.length) pieces.push({ lit: template.slice(last) });
  return pieces;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wordy = (c: string | undefined): boolean => c !== undefined && /\w/.test(c);

/**
 * Compiles a template. A space in a template matches any run of blanks, and must match at
 * least one where it separates two words (`call 1`, `goto +2` stays `goto +2`, not `goto+2`).
 * `mnemonicAlternatives` replaces the template's leading mnemonic by a choice (aliases).
 */
export function compileTemplate(template: string, syntax: Syntax, mnemonicAlternatives?: readonly string[]): CompiledTemplate {
  const pieces = split(template);
  const groups: Placeholder[] = [];
  let src = '^\\s*';
  pieces.forEach((p, n) => {
    if ('ph' in p) {
      src += captureFor(p.ph, syntax);
      groups.push(p.ph);
      return;
    }
    let text = p.lit;
    if (n === 0 && mnemonicAlternatives && mnemonicAlternatives.length > 1) {
      const first = mnemonicAlternatives[0]!;
      if (text.startsWith(first)) {
        const longestFirst = [...mnemonicAlternatives].sort((a, b) => b.length - a.length);
        src += `(?:${longestFirst.map(escape).join('|')})`;
        text = text.slice(first.length);
      }
    }
    const prev = pieces[n - 1];
    const next = pieces[n + 1];
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c !== ' ') {
        src += escape(c);
        continue;
      }
      // Word on both sides of the blank: a placeholder other than {off} counts as a word.
      const before = i > 0 ? wordy(text[i - 1]) : prev !== undefined && 'ph' in prev;
      const after = i < text.length - 1 ? wordy(text[i + 1]) : next !== undefined && 'ph' in next && next.ph !== 'off';
      src += before && after ? '\\s+' : '\\s*';
    }
  });
  src += '\\s*$';
  return { pieces, regex: new RegExp(src, 'i'), groups };
}

/** Captured operand text by placeholder, or the placeholder whose repeated occurrences disagree. */
export function matchTemplate(t: CompiledTemplate, line: string): Map<Placeholder, string> | undefined | { mismatch: Placeholder } {
  const m = t.regex.exec(line);
  if (!m) return undefined;
  const out = new Map<Placeholder, string>();
  for (let g = 0; g < t.groups.length; g++) {
    const ph = t.groups[g]!;
    const text = m[g + 1];
    if (text === undefined) continue; // an omitted optional {off}
    const norm = text.replace(/\s+/g, '');
    const seen = out.get(ph);
    if (seen !== undefined && seen.toLowerCase() !== norm.toLowerCase()) return { mismatch: ph };
    out.set(ph, norm);
  }
  return out;
}

// ── rendering ────────────────────────────────────────────────────────────────────────────
export const signedHex = (v: number): string => (v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);
const signedDec = (v: number): string => (v < 0 ? `${v}` : `+${v}`);

export function renderTemplate(t: CompiledTemplate, f: RenderFields, syntax: Syntax): string {
  let out = '';
  for (const p of t.pieces) {
    if ('lit' in p) {
      out += p.lit;
      continue;
    }
    switch (p.ph) {
      case 'd':
        out += syntax === 'kernel' ? `r${f.dst}` : `%r${f.dst}`;
        break;
      case 's':
        out += syntax === 'kernel' ? `r${f.src}` : `%r${f.src}`;
        break;
      case 'wd':
        out += `w${f.dst}`;
        break;
      case 'ws':
        out += `w${f.src}`;
        break;
      case 'off':
        out += syntax === 'kernel' ? (f.off < 0 ? ` - ${-f.off}` : ` + ${f.off}`) : signedDec(f.off);
        break;
      case 'imm':
        out += signedHex(f.imm);
        break;
      case 'imm64':
        out += `0x${((BigInt(f.imm2 >>> 0) << 32n) | BigInt(f.imm >>> 0)).toString(16)}`;
        break;
      case 'id':
        out += `${f.imm}`;
        break;
      case 'id2':
        out += `${f.imm2}`;
        break;
      case 'tgt':
        out += signedDec(f.off);
        break;
      case 'tgt32':
        out += signedDec(f.imm);
        break;
      case 'pc32':
        out += `pc${signedDec(f.imm)}`;
        break;
    }
  }
  return out;
}

// ── per-row caches ───────────────────────────────────────────────────────────────────────
const cache = new Map<OpcodeRow, { kernel?: CompiledTemplate; conf?: CompiledTemplate }>();

/** The row's compiled template for a syntax (compiled on first use). */
export function templateOf(row: OpcodeRow, syntax: Syntax): CompiledTemplate {
  let c = cache.get(row);
  if (!c) cache.set(row, (c = {}));
  if (syntax === 'kernel') return (c.kernel ??= compileTemplate(row.kernel, 'kernel'));
  return (c.conf ??= compileTemplate(row.conf, 'conformance', [row.mnemonic, ...row.aliases]));
}
