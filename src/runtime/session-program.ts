// The program an interactive session has built, entry by entry: each typed entry (a probe
// block, a definition, or bare statements, which become a BEGIN block) is parsed alone, then
// every entry's items are laid out as one program text and parsed, checked and compiled
// together — so a map keeps the types earlier entries gave it. In: entries. Out: the checked
// and compiled program, which entry each compiled program came from, and diagnostics moved
// back into the text the user typed. Not: loading or running anything (session.ts does).
//
// Why re-check everything rather than seed the checker with the maps' types: the checker then
// sees exactly the program a script would be (string sizes widened by later uses, macros and
// structs of earlier entries, config), needs no second entry point, and its messages stay
// bpftrace's. Earlier BEGIN/END blocks are renamed to `test:` probes (which may repeat) so
// the program stays valid; only the newest entry's BEGIN runs.

import { InternalError, type Diagnostic, type Result } from '../diag/diagnostic.js';
import { replMessages } from '../diag/messages.js';
import { SourceFile, type Span } from '../diag/source.js';
import type { CheckedProgram } from '../check/program.js';
import { functionByName } from '../check/functions.js';
import type { CompiledProgram } from '../compile/compiled.js';
import type { AttachPoint, Probe, Program, TopLevel } from '../parse/ast.js';
import { parseProgram } from '../parse/parse-program.js';
import { STAGES, type PipelineInput, type Products } from '../pipeline.js';

/** How one top-level item lives in a session. */
export type ItemRole =
  /** C definitions, #define/#include, macros, fn, `let @m` declarations: kept until .reset. */
  | 'definition'
  /** `config = { … }`: kept until .reset; a newer one replaces it. */
  | 'config'
  /** An action block on world probes: attached while its run lasts. */
  | 'probe'
  /** A BEGIN block (or bare statements): runs once, when it is entered. */
  | 'begin'
  /** An END block: runs when the run ends. */
  | 'end';

export interface EntryItem {
  readonly role: ItemRole;
  /** Where the item is in the entry's programText. */
  readonly span: Span;
}

/** One accepted piece of input. */
export interface SessionEntry {
  /** 1-based over the session; earlier entries are named `repl:N` in messages. */
  readonly number: number;
  /** The text as typed (or the script as loaded), under the name messages use. */
  readonly source: SourceFile;
  /** What goes into the session program: the text, or bare statements wrapped in a BEGIN block. */
  readonly programText: string;
  /** Characters of programText before the typed text (the wrapper's `BEGIN { `). */
  readonly prefix: number;
  /** The typed text was statements, not program items. */
  readonly statements: boolean;
  readonly items: readonly EntryItem[];
  /** The entry parsed on its own (for `.dump ast`). */
  readonly ast: Program;
}

/** Statements are wrapped so that the typed text keeps its lines; the closing brace goes on a line of its own (a `//` comment may end the text). */
const BEGIN_WRAP = 'BEGIN { ';
const PRINT_WRAP = 'BEGIN { print(';

const SPECIAL: ReadonlySet<string> = new Set(['BEGIN', 'begin', 'END', 'end']);
const isBegin = (ap: AttachPoint): boolean => ap.provider === 'BEGIN' || ap.provider === 'begin';
const isEnd = (ap: AttachPoint): boolean => ap.provider === 'END' || ap.provider === 'end';

function roleOf(item: TopLevel): ItemRole | 'mixed' | 'import' {
  switch (item.kind) {
    case 'Config':
      return 'config';
    case 'Import':
      return 'import';
    case 'Probe': {
      const aps = item.attachPoints;
      if (aps.length > 0 && aps.every(isBegin)) return 'begin';
      if (aps.length > 0 && aps.every(isEnd)) return 'end';
      return aps.some((ap) => SPECIAL.has(ap.provider)) ? 'mixed' : 'probe';
    }
    default:
      return 'definition';
  }
}

/** Options of the parse that stay the same for a whole session. */
export interface EntryOptions {
  readonly positional: readonly string[];
}

/** Offset of a diagnostic, for choosing between two readings of the same text. */
function errorOffset(ds: readonly Diagnostic[]): number {
  const d = ds.find((x) => x.severity === 'error') ?? ds[0];
  return d?.span?.start ?? -1;
}

/** Moves diagnostics of a wrapped parse back into the typed text. */
function unwrapDiagnostics(ds: readonly Diagnostic[], source: SourceFile, prefix: number): Diagnostic[] {
  const n = source.text.length;
  const clamp = (x: number): number => Math.max(0, Math.min(n, x - prefix));
  return ds.map((d) => (d.span ? { ...d, source, span: { start: clamp(d.span.start), end: clamp(d.span.end) } } : { ...d, source }));
}

/**
 * A lone expression typed at the prompt is printed (`@x`, `1 + 2`, `comm`, `str(arg0)`);
 * calls that return nothing (printf, print, clear…) and increments are statements already.
 */
function printsAlone(program: Program): boolean {
  const probe = program.items[0];
  if (program.items.length !== 1 || probe?.kind !== 'Probe') return false;
  const stmts = probe.body.stmts;
  if (stmts.length !== 1 || stmts[0]!.kind !== 'ExprStmt' || stmts[0]!.discard) return false;
  const e = stmts[0]!.expr;
  if (e.kind === 'IncDec') return false;
  if (e.kind !== 'Call') return true;
  const row = functionByName(e.name);
  return row !== undefined && !row.aggregation && row.placement === 'any' && !row.signature.startsWith('void ');
}

/**
 * Reads one entry: program items if it parses as a program, else statements (a BEGIN block
 * around them). When neither reading parses, the error of the reading that got further is
 * the one shown (ties go to the program reading). Errors are located in `source`.
 */
export function readEntry(source: SourceFile, number: number, options: EntryOptions): Result<SessionEntry> {
  const parse = (text: string): Result<Program> => parseProgram(new SourceFile(source.name, text), { positional: options.positional });
  const asItems = parseProgram(source, { positional: options.positional });
  let chosen: { result: Result<Program>; text: string; prefix: number; statements: boolean } = {
    result: asItems,
    text: source.text,
    prefix: 0,
    statements: false,
  };
  if (!asItems.ok) {
    const wrapped = `${BEGIN_WRAP}${source.text}\n}`;
    const asStatements = parse(wrapped);
    if (asStatements.ok) {
      chosen = { result: asStatements, text: wrapped, prefix: BEGIN_WRAP.length, statements: true };
      if (printsAlone(asStatements.value)) {
        const bare = source.text.replace(/[\s;]+$/, '');
        // A `//` comment may end the text: the parenthesis goes on the next line.
        const printed = /\/\/[^\n]*$/.test(bare) ? `${PRINT_WRAP}${bare}\n)\n}` : `${PRINT_WRAP}${bare})\n}`;
        const r = parse(printed);
        if (r.ok) chosen = { result: r, text: printed, prefix: PRINT_WRAP.length, statements: true };
      }
    } else {
      const itemsAt = errorOffset(asItems.diagnostics);
      let statements = asStatements.diagnostics;
      let statementsAt = errorOffset(statements) - BEGIN_WRAP.length;
      // An error on the wrapper's closing brace is the end of what was typed: say so in those words.
      if (statementsAt >= source.text.length) {
        const open = parse(`${BEGIN_WRAP}${source.text}`);
        if (!open.ok) statements = open.diagnostics;
        statementsAt = source.text.length;
      }
      if (statementsAt > itemsAt) return { ok: false, diagnostics: unwrapDiagnostics(statements, source, BEGIN_WRAP.length) };
    }
  }
  const r = chosen.result;
  if (!r.ok) return { ok: false, diagnostics: unwrapDiagnostics(r.diagnostics, source, chosen.prefix) };
  const items: EntryItem[] = [];
  const problems: Diagnostic[] = [];
  for (const item of r.value.items) {
    const role = roleOf(item);
    const at = { start: Math.max(0, item.span.start - chosen.prefix), end: Math.max(0, item.span.end - chosen.prefix) };
    if (role === 'import') problems.push(error(source, at, replMessages.importInRepl()));
    else if (role === 'mixed') problems.push(error(source, at, replMessages.mixedSpecial()));
    else items.push({ role, span: item.span });
  }
  if (problems.length > 0) return { ok: false, diagnostics: problems };
  return {
    ok: true,
    value: {
      number,
      source,
      programText: chosen.text,
      prefix: chosen.prefix,
      statements: chosen.statements,
      items,
      ast: r.value,
    },
    warnings: unwrapDiagnostics(r.warnings, source, chosen.prefix),
  };
}

function error(source: SourceFile, span: Span, m: { id: string; text: string; hints?: readonly string[] }): Diagnostic {
  return { severity: 'error', id: m.id, message: m.text, span, source, hints: m.hints ?? [] };
}

/**
 * Is the text an entry still being typed? True while brackets, braces or a comment are open,
 * or when both readings fail only at the end of the text (`kprobe:vfs_read` before its block).
 */
export function entryIncomplete(text: string, options: EntryOptions): boolean {
  if (text.trim() === '') return false;
  if (openBrackets(text) > 0) return true;
  const asItems = parseProgram(new SourceFile('stdin', text), { positional: options.positional });
  if (asItems.ok) return false;
  const wrapped = parseProgram(new SourceFile('stdin', `${BEGIN_WRAP}${text}\n}`), { positional: options.positional });
  if (wrapped.ok) return false;
  const end = text.trimEnd().length;
  const at = Math.max(errorOffset(asItems.diagnostics), errorOffset(wrapped.diagnostics) - BEGIN_WRAP.length);
  return at >= end && !/[;}]\s*$/.test(text);
}

/**
 * Brackets, braces and parentheses opened and not yet closed, outside strings and comments;
 * an unterminated block comment counts as open. Negative when more are closed than opened.
 */
export function openBrackets(text: string): number {
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return depth + 1;
      i = close + 2;
      continue;
    } else if (c === '"') {
      i++;
      while (i < n && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
    } else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    i++;
  }
  return depth;
}

// ── the session program ───────────────────────────────────────────────────────────────

/** Where compiled program i came from. */
export interface ProgramOrigin {
  readonly entry: SessionEntry;
  readonly role: ItemRole;
}

export interface BuildInput {
  /** The entries of the session, in the order they were entered (the new one last). */
  readonly entries: readonly SessionEntry[];
  /** The entry being added: its BEGIN block stays BEGIN; earlier ones are kept for their types only. */
  readonly current?: SessionEntry;
  readonly positional: readonly string[];
  readonly named: ReadonlyMap<string, string | true>;
  readonly unsafe: boolean;
  readonly ncpus: number;
  readonly kernelSymbol?: (name: string) => bigint | undefined;
}

export interface BuiltProgram {
  readonly checked: CheckedProgram;
  readonly compiled: CompiledProgram;
  /** Per compiled.programs index. */
  readonly origins: readonly ProgramOrigin[];
  /** Warnings about the current entry, located in it. */
  readonly warnings: readonly Diagnostic[];
  /** The layout, to move spans of later messages (errorf, helper errors) back into entries. */
  readonly layout: ProgramLayout;
}

/** One item's place in the session program text. */
interface Piece {
  readonly entry: SessionEntry;
  readonly item: EntryItem;
  /** Offset of the piece in the session program text. */
  readonly base: number;
}

/** C definitions first, then config, then everything else (bpftrace's section order). */
export function sectionOf(item: EntryItem, top: TopLevel | undefined): number {
  if (item.role === 'config') return 1;
  if (item.role !== 'definition' || !top) return 2;
  return top.kind === 'Include' || top.kind === 'Define' || top.kind === 'Conditional' || top.kind === 'CDefinition' ? 0 : 2;
}

export class ProgramLayout {
  readonly source: SourceFile;
  private readonly pieces: readonly Piece[];

  constructor(
    entries: readonly SessionEntry[],
    private readonly current: SessionEntry | undefined,
  ) {
    const ordered: { entry: SessionEntry; item: EntryItem; section: number }[] = [];
    for (const entry of entries) {
      entry.items.forEach((item, i) => ordered.push({ entry, item, section: sectionOf(item, entry.ast.items[i]) }));
    }
    // A stable sort keeps entry order within a section.
    ordered.sort((a, b) => a.section - b.section);
    const pieces: Piece[] = [];
    let text = '';
    for (const { entry, item } of ordered) {
      pieces.push({ entry, item, base: text.length });
      text += entry.programText.slice(item.span.start, item.span.end) + '\n';
    }
    this.pieces = pieces;
    this.source = new SourceFile('repl', text);
  }

  /** The piece holding a session program offset. */
  pieceAt(offset: number): Piece | undefined {
    let found: Piece | undefined;
    for (const p of this.pieces) {
      if (p.base > offset) break;
      found = p;
    }
    return found;
  }

  /** The entry's source as messages name it: `stdin` (or the script) for the current entry, `repl:N` for earlier typed ones. */
  sourceOf(entry: SessionEntry): SourceFile {
    if (entry === this.current || entry.source.name !== 'stdin') return entry.source;
    return new SourceFile(`repl:${entry.number}`, entry.source.text);
  }

  /** A span of the session program as the entry's source and a span in it. */
  locate(span: Span): { source: SourceFile; span: Span } | undefined {
    const p = this.pieceAt(span.start);
    if (!p) return undefined;
    const n = p.entry.source.text.length;
    const move = (x: number): number => Math.max(0, Math.min(n, x - p.base + p.item.span.start - p.entry.prefix));
    return { source: this.sourceOf(p.entry), span: { start: move(span.start), end: move(Math.max(span.end, span.start)) } };
  }

  /** A diagnostic of the session program, located in the entry it is about. */
  relocate(d: Diagnostic): Diagnostic {
    if (!d.span || (d.source && d.source !== this.source)) return d;
    const at = this.locate(d.span);
    return at ? { ...d, source: at.source, span: at.span } : d;
  }

  /** Whether a diagnostic is about the current entry (or about no entry). */
  concernsCurrent(d: Diagnostic): boolean {
    if (!d.span || (d.source && d.source !== this.source)) return true;
    return this.pieceAt(d.span.start)?.entry === this.current;
  }

  /** The origin of an item by its start in the session program. */
  originAt(offset: number): ProgramOrigin | undefined {
    const p = this.pieceAt(offset);
    return p ? { entry: p.entry, role: p.item.role } : undefined;
  }

  /**
   * The parsed session program with the BEGIN and END blocks of earlier entries renamed to
   * `test:` probes (which may repeat): they are checked and compiled for their types and, for
   * END, run when the run ends, but only the current entry's BEGIN is the program's BEGIN.
   */
  rename(program: Program): Program {
    const items = program.items.map((item) => {
      if (item.kind !== 'Probe') return item;
      const origin = this.originAt(item.span.start);
      if (!origin || origin.entry === this.current || (origin.role !== 'begin' && origin.role !== 'end')) return item;
      const name = `repl_${origin.entry.number}_${origin.role}`;
      const aps: AttachPoint[] = item.attachPoints.map((ap) => ({ ...ap, raw: `test:${name}`, provider: 'test', parts: [name] }));
      return { ...item, attachPoints: aps } satisfies Probe;
    });
    return { ...program, items };
  }
}

const stage = (name: string) => STAGES.find((s) => s.name === name)!;

/** Parses, checks and compiles the session program with `current` as its newest entry. */
export function buildProgram(input: BuildInput): Result<BuiltProgram> {
  const layout = new ProgramLayout(input.entries, input.current);
  const fail = (ds: readonly Diagnostic[]): Result<BuiltProgram> => ({ ok: false, diagnostics: ds.map((d) => layout.relocate(d)) });
  const parsed = parseProgram(layout.source, { positional: input.positional });
  if (!parsed.ok) return fail(parsed.diagnostics);
  const pipelineInput: PipelineInput = {
    source: layout.source,
    positional: input.positional,
    named: input.named,
    unsafe: input.unsafe,
    ncpus: input.ncpus,
    ...(input.kernelSymbol ? { kernelSymbol: input.kernelSymbol } : {}),
  };
  let products: Products = { program: layout.rename(parsed.value) };
  const warnings: Diagnostic[] = [...parsed.warnings];
  for (const name of ['check', 'compile']) {
    const r = stage(name).run(pipelineInput, products);
    if (!r.ok) return fail([...warnings, ...r.diagnostics].filter((d) => d.severity === 'error' || layout.concernsCurrent(d)));
    warnings.push(...r.warnings);
    products = r.value;
  }
  const checked = products.checked!;
  const compiled = products.compiled!;
  const origins = compiled.programs.map((p) => {
    const node = checked.probes[p.probeIndex]!.node;
    const origin = layout.originAt(node.span.start);
    if (!origin) throw new InternalError(`session program: no entry holds program '${p.name}'`);
    return origin;
  });
  return {
    ok: true,
    value: { checked, compiled, origins, warnings: warnings.filter((d) => layout.concernsCurrent(d)).map((d) => layout.relocate(d)), layout },
    warnings: [],
  };
}
