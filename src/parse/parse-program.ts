// The parse stage: program text → AST (src/parse/ast.ts) or syntax diagnostics.
// Matches grammar/bpftrace.ohm (precompiled, see scripts/build-grammar.js), builds the
// tree with the semantics, and checks what the grammar leaves open (the order of program
// sections, one config block). Pure: same text and options, same result. It does not
// resolve probes, macros, #defines or types — that is src/check.

import type { MatchResult } from 'ohm-js';
import { DiagnosticBag, type Result } from '../diag/diagnostic.js';
import type { SourceFile, Span } from '../diag/source.js';
import { parseMessages } from '../diag/messages.js';
import type { Expr, Program, TopLevel } from './ast.js';
import { bpftraceSemantics, grammar, withParseContext } from './semantics.js';
import { nestingLimitError } from './nesting.js';
import { syntaxError, type ExpectedItem } from './syntax-error.js';

/**
 * The longest program text parsed. Ohm memoises every rule application at every position:
 * 64 KiB of statements took about 2 s and 500 MB, 128 KiB 7 s and 1.2 GB, 1 MB exhausts
 * Node's heap. bpftrace's largest tool is under 10 KiB.
 */
export const MAX_PROGRAM_LENGTH = 64 * 1024;

export interface ParseOptions {
  /** Positional parameters (`$1` is the first), substituted into attach points. */
  readonly positional?: readonly string[];
}

/** Parses a whole program. Errors are located in `source` and rendered by src/diag. */
export function parseProgram(source: SourceFile, options: ParseOptions = {}): Result<Program> {
  if (source.text.length > MAX_PROGRAM_LENGTH) {
    const m = parseMessages.tooLong(source.text.length, MAX_PROGRAM_LENGTH);
    return { ok: false, diagnostics: [{ severity: 'error', id: m.id, message: m.text, source, hints: [] }] };
  }
  return withinStack(source, () => {
    const match = grammar.match(source.text, 'Program');
    if (match.failed()) return { ok: false, diagnostics: [failure(source, match)] };
    const bag = new DiagnosticBag();
    const context = { source, bag, ...(options.positional ? { positional: options.positional } : {}) };
    const program = withParseContext(context, () => bpftraceSemantics()(match)['program']() as Program);
    checkSectionOrder(source, program, bag);
    if (bag.hasErrors) return { ok: false, diagnostics: bag.items };
    const deep = nestingLimitError(program, source);
    if (deep) return { ok: false, diagnostics: [...bag.warnings, deep] };
    return { ok: true, value: program, warnings: bag.warnings };
  });
}

/**
 * Runs a parse that recurses once per nesting level (Ohm's matcher and the semantics):
 * a program nested deeper than the JavaScript stack allows gets a diagnostic, not a
 * RangeError trace.
 */
function withinStack<T>(source: SourceFile, parse: () => Result<T>): Result<T> {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const m = parseMessages.tooDeep();
    return { ok: false, diagnostics: [{ severity: 'error', id: m.id, message: m.text, source, hints: [] }] };
  }
}

/**
 * Parses one expression found at `span` of `source` (a `#define` value, a command-line
 * fragment), with spans pointing into `source`.
 */
export function parseExpression(source: SourceFile, span: Span = { start: 0, end: source.text.length }): Result<Expr> {
  // Blank out everything outside the span so offsets stay those of the whole source.
  const text = ' '.repeat(span.start) + source.text.slice(span.start, span.end);
  return withinStack(source, () => {
    const match = grammar.match(text, 'Expr');
    if (match.failed()) return { ok: false, diagnostics: [failure(source, match)] };
    const bag = new DiagnosticBag();
    const value = withParseContext({ source, bag }, () => bpftraceSemantics()(match)['expr']() as Expr);
    if (bag.hasErrors) return { ok: false, diagnostics: bag.items };
    const deep = nestingLimitError(value, source);
    if (deep) return { ok: false, diagnostics: [...bag.warnings, deep] };
    return { ok: true, value, warnings: bag.warnings };
  });
}

/** The parts of a failed MatchResult that ohm-js 17 has but does not declare in its types. */
interface FailedMatch {
  getRightmostFailurePosition(): number;
  getRightmostFailures(): { readonly type: string; getText(): string; isFluffy(): boolean }[];
}

function failure(source: SourceFile, match: MatchResult) {
  const failed = match as unknown as FailedMatch;
  const items: ExpectedItem[] = failed.getRightmostFailures().map((f) => ({
    type: f.type,
    text: f.getText(),
    fluffy: f.isFluffy(),
  }));
  return syntaxError(source, failed.getRightmostFailurePosition(), items);
}

/** Which section of a program an item belongs to: C definitions, preamble, main items. */
function section(item: TopLevel): number {
  switch (item.kind) {
    case 'Include':
    case 'Define':
    case 'Conditional':
    case 'CDefinition':
      return 0;
    case 'Config':
    case 'Import':
      return 1;
    default:
      return 2;
  }
}

/** bpftrace's order: C definitions, then config and imports, then everything else. */
function checkSectionOrder(source: SourceFile, program: Program, bag: DiagnosticBag): void {
  let reached = 0;
  let configs = 0;
  for (const item of program.items) {
    const s = section(item);
    if (item.kind === 'Config') {
      configs++;
      const keyword = { start: item.span.start, end: item.span.start + 'config'.length };
      if (reached > 1) bag.error(source, keyword, parseMessages.configOrder());
      else if (configs > 1) bag.error(source, keyword, parseMessages.duplicateConfig());
    } else if (s < reached) {
      if (s === 0) bag.error(source, item.span, parseMessages.cDefinitionOrder());
      else bag.error(source, { start: item.span.start, end: item.span.start + 'import'.length }, parseMessages.importOrder());
    }
    reached = Math.max(reached, s);
  }
}
