// Turns Ohm's rightmost failure into a bpftrace-style syntax error: the token found there,
// named the way bpftrace 0.23 names tokens (`;`, `identifier`, `builtin`, `end of file`…),
// and what could have come instead, in words ("expecting ; or }", "expecting expression").
// Input: the failure position and the expected items Ohm recorded. Output: one Diagnostic.
// It never mentions grammar rule names and does not parse anything itself.

import type { Diagnostic, Message } from '../diag/diagnostic.js';
import type { SourceFile, Span } from '../diag/source.js';
import { parseMessages } from '../diag/messages.js';

/** One expected item at the failure position, as Ohm reports it. */
export interface ExpectedItem {
  /** 'string' for a literal terminal, 'description' for a described rule, 'code' for a range. */
  readonly type: string;
  readonly text: string;
  /** Recorded inside a repetition that ended there (Ohm's "fluffy" failures). */
  readonly fluffy: boolean;
}

const KEYWORDS = new Set([
  'if', 'else', 'for', 'while', 'unroll', 'let', 'return', 'break', 'continue', 'sizeof', 'offsetof',
  'typeof', 'import', 'config', 'macro', 'fn', 'struct', 'union', 'enum',
]);

const BUILTINS = new Set([
  'pid', 'tid', 'uid', 'gid', 'nsecs', 'elapsed', 'numaid', 'cpu', 'ncpus', 'curtask', 'rand', 'ctx',
  'comm', 'kstack', 'ustack', 'retval', 'func', 'probe', 'username', 'cpid', 'cgroup', 'args', 'jiffies',
  'usermode',
]);

/** Operators, longest first, so that `<<=` is found before `<<` and `<`. */
const PUNCTUATION = [
  '<<=', '>>=', '==', '!=', '<=', '>=', '&&', '||', '<<', '>>', '++', '--', '->', '+=', '-=', '*=', '/=',
  '%=', '&=', '|=', '^=', '..', '$#',
];

/** Items that start an expression: when several are expected they are named "expression". */
const EXPRESSION_START = new Set([
  'identifier', 'string', 'integer', 'variable', 'positional parameter', '$#', 'map', 'builtin', 'true',
  'false', '{', 'typeof', 'offsetof', 'sizeof', 'if', '(', '&', '*', '~', '!', '-', '--', '++',
]);

const STATEMENT_START = new Set(['let', 'for', 'while', 'unroll', 'return', 'break', 'continue', 'import', '_']);

/** Operators that would continue an expression already complete: noise in "expecting". */
const CONTINUATIONS = new Set([
  '||', '&&', '|', '^', '&', '==', '!=', '<', '>', '<=', '>=', '<<', '>>', '+', '-', '*', '/', '%', '?',
  '.', '->', '[', '(', '++', '--', '=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=',
]);

/** Display order of expected tokens (bpftrace lists punctuation first, then token classes). */
const ORDER = [
  'end of file', ':', ';', '{', '}', '[', ']', '(', ')', ',', '/', '..', '=', 'expression', 'statement',
  'identifier', 'attach point', 'integer', 'string', 'variable', 'map', 'builtin', '#endif', '#else',
];

/** bpftrace lists at most this many alternatives, otherwise only what it found. */
const MAX_EXPECTED = 4;

interface FoundToken {
  readonly name: string;
  readonly span: Span;
  /** A lexical problem that explains the error better than "unexpected …". */
  readonly message?: Message;
}

function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z_]/.test(c);
}

/** The token that starts at `pos`, named as bpftrace names tokens in its messages. */
export function tokenAt(text: string, pos: number): FoundToken {
  const at = (n: number) => ({ start: pos, end: pos + n });
  if (pos >= text.length) return { name: 'end of file', span: { start: pos, end: pos } };
  const rest = text.slice(pos);
  const c = rest[0]!;
  if (isIdentStart(c)) {
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)![0];
    let name = 'identifier';
    if (KEYWORDS.has(word)) name = word;
    else if (BUILTINS.has(word) || /^s?arg[0-9]+$/.test(word) || word.startsWith('__builtin_')) name = 'builtin';
    else if (/^\s*\(/.test(rest.slice(word.length))) name = 'call';
    return { name, span: at(word.length) };
  }
  if (/[0-9]/.test(c)) {
    const word = /^[0-9][A-Za-z0-9_]*/.exec(rest)![0];
    return { name: 'integer', span: at(word.length), ...integerProblem(word) };
  }
  if (c === '"') {
    const line = /^"(?:\\.|[^"\\\n])*"?/.exec(rest)![0];
    if (line.length < 2 || !line.endsWith('"') || line.endsWith('\\"')) {
      return { name: 'string', span: at(line.length), message: parseMessages.unterminatedString() };
    }
    return { name: 'string', span: at(line.length) };
  }
  if (c === '$') {
    if (rest[1] === '#') return { name: '$#', span: at(2) };
    const digits = /^\$[0-9]+/.exec(rest);
    if (digits) return { name: 'positional parameter', span: at(digits[0].length) };
    const v = /^\$[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    return { name: 'variable', span: at(v ? v[0].length : 1) };
  }
  if (c === '@') {
    const m = /^@[A-Za-z0-9_]*/.exec(rest)![0];
    return { name: 'map', span: at(m.length) };
  }
  if (c === '#') {
    const line = /^[^\n]*/.exec(rest)![0].trimEnd();
    return { name: 'preprocessor directive', span: at(line.length) };
  }
  if (rest.startsWith('/*') && !rest.includes('*/')) {
    const line = /^[^\n]*/.exec(rest)![0].trimEnd();
    return { name: '/', span: at(line.length), message: parseMessages.unterminatedComment() };
  }
  for (const p of PUNCTUATION) if (rest.startsWith(p)) return { name: p, span: at(p.length) };
  // Control characters other than whitespace, and DEL: no token starts with them.
  if (/[\x00-\x08\x0e-\x1f\x7f]/.test(c)) return { name: 'invalid character', span: at(1), message: parseMessages.invalidCharacter(c) };
  return { name: displayToken(c), span: at(c.length) };
}

const INTEGER_BODY = /^(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|[0-9][0-9_]*(?:[eE][0-9][0-9_]*)?)/;
const INTEGER_SUFFIX = /^(?:ns|us|ms|s|m|h|d|[uU](?:ll|LL|l|L)?|(?:ll|LL|l|L)[uU]?)$/;

/** Why a digit-led word is not an integer literal, if it is not one. */
function integerProblem(word: string): { message?: Message } {
  const body = INTEGER_BODY.exec(word);
  if (!body) return { message: parseMessages.invalidInteger(word) };
  const suffix = word.slice(body[0].length);
  if (suffix === '' || INTEGER_SUFFIX.test(suffix)) return {};
  if (/^0[xXbB]$/.test(word.slice(0, 2)) && body[0].length <= 2) return { message: parseMessages.invalidInteger(word) };
  return { message: parseMessages.invalidIntegerSuffix(suffix) };
}

/** bpftrace quotes a token only when its text would be confusing in a list (the comma). */
function displayToken(t: string): string {
  return t === ',' ? '","' : t;
}

/** An expected item → the word used in the message ('identifier', ';', '#endif'…). */
function expectedName(item: ExpectedItem): string | undefined {
  if (item.type === 'description') {
    if (item.text.startsWith('not ')) return undefined;
    return item.text === 'end of input' ? 'end of file' : item.text;
  }
  if (item.type === 'string') return item.text;
  // Character ranges come from inside identifiers and numbers.
  if (item.type === 'code') {
    if (/"[aA]"\.\."[zZ]"|"_"/.test(item.text)) return 'identifier';
    if (/"0"\.\."9"/.test(item.text)) return 'integer';
  }
  return undefined;
}

/** Names what may come at the failure position, or nothing when there are too many. */
export function describeExpected(items: readonly ExpectedItem[]): string[] {
  const firm = items.filter((i) => !i.fluffy);
  const chosen = firm.length > 0 ? firm : items;
  let names = [...new Set(chosen.map(expectedName).filter((n): n is string => n !== undefined))];
  // Between top-level items, what is missing is an attach point (or another item).
  if (items.some((i) => i.text === 'attach point')) return ['attach point'];
  // Inside #ifdef … the likely omission is the #endif.
  if (names.includes('#endif')) return ['#endif'];
  // Where an expression may start, an integer literal always may: name them all at once.
  if (names.includes('integer') && names.includes('variable')) {
    const statement = names.some((n) => STATEMENT_START.has(n));
    names = names.filter((n) => !EXPRESSION_START.has(n) && !STATEMENT_START.has(n));
    names.push(statement ? 'statement' : 'expression');
  } else {
    const structural = names.filter((n) => !CONTINUATIONS.has(n));
    // `/` divides, or closes a predicate when nothing else can come.
    if (structural.length > 0) names = structural;
    else if (names.includes('/')) names = ['/'];
  }
  names.sort((a, b) => rank(a) - rank(b));
  return names.map(displayToken);
}

function rank(name: string): number {
  const i = ORDER.indexOf(name);
  return i < 0 ? ORDER.length : i;
}

/** The offset just past the `}` closing the `{` at `open` (or the end of the text). */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i + 1;
  }
  return text.length;
}

/** The diagnostic for a program that does not match the grammar. */
export function syntaxError(source: SourceFile, pos: number, items: readonly ExpectedItem[]): Diagnostic {
  let found = tokenAt(source.text, pos);
  let message: Message;
  if (found.message) {
    message = found.message;
  } else if (found.name === '{' && items.some((i) => i.text === 'attach point')) {
    // An action block with nothing before it: say so, and show the whole block.
    message = parseMessages.noAttachPoints();
    found = { ...found, span: { start: pos, end: matchingBrace(source.text, pos) } };
  } else {
    const expected = describeExpected(items);
    message =
      expected.length > 0 && expected.length <= MAX_EXPECTED
        ? parseMessages.syntax(found.name, expected.join(' or '))
        : parseMessages.syntaxUnexpected(found.name);
  }
  return { severity: 'error', id: message.id, message: message.text, span: found.span, source, hints: message.hints ?? [] };
}
