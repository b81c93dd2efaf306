// printf(), system() and cat() formatting as bpftrace 0.23 does it at run time: the format is
// split after each conversion bpftrace recognises; each piece, with the text before its
// conversion, goes through C printf with one argument; the text after the last conversion
// is copied raw (so a trailing `%%` stays `%%`). In: format + decoded arguments. Out: a
// binary string. compilePrintf does the same work once per format for records of a known
// layout. Checking formats against argument types is src/check's job, not this one's.

import type { SizedType } from '../../check/types.js';
import { binaryFromUtf8, cStringAt } from './bytes.js';
import { hexFormatBuffer, textOfValue, type ValueTextOptions, DEFAULT_VALUE_TEXT_OPTIONS } from './text-value.js';
import type { Value } from './values.js';

/** What a conversion expects, and the C length it casts integers to. */
export type PrintfArgKind = 'integer' | 'string' | 'buffer';

export interface PrintfSpecifierRow {
  readonly token: string;
  readonly expects: PrintfArgKind;
  /** Bits the integer is truncated to before printing (C's integer promotions). */
  readonly bits: 8 | 16 | 32 | 64;
}

const LENGTH_BITS: readonly [string, 8 | 16 | 32 | 64][] = [
  ['hh', 8],
  ['h', 16],
  ['', 32],
  ['l', 64],
  ['ll', 64],
  ['j', 64],
  ['z', 64],
  ['t', 64],
];

/**
 * Every conversion bpftrace 0.23 accepts (`%i` and `%f` are not among them). Longer tokens
 * come first so the search prefers `%rx` over `%r` + `x`.
 */
export const PRINTF_SPECIFIERS: readonly PrintfSpecifierRow[] = [
  { token: 'rx', expects: 'buffer', bits: 64 },
  { token: 'rh', expects: 'buffer', bits: 64 },
  ...LENGTH_BITS.flatMap(([len, bits]) =>
    ['d', 'u', 'o', 'x', 'X', 'p'].map((c) => ({
      token: len + c,
      expects: 'integer' as const,
      // %p always prints the full 64-bit pointer.
      bits: c === 'p' ? (64 as const) : bits,
    })),
  ),
  { token: 's', expects: 'string', bits: 64 },
  { token: 'r', expects: 'buffer', bits: 64 },
  { token: 'c', expects: 'integer', bits: 8 },
];

const SPECIFIER_RE = new RegExp(
  `%-?[0-9]*(?:\\.[0-9]+)?(?:${[...PRINTF_SPECIFIERS]
    .sort((a, b) => b.token.length - a.token.length)
    .map((r) => r.token)
    .join('|')})`,
  'g',
);

const ROW_BY_TOKEN = new Map(PRINTF_SPECIFIERS.map((r) => [r.token, r]));

export interface PrintfOptions extends ValueTextOptions {
  /** str_trunc_trailer: appended to a %s string that fills max_strlen exactly. */
  readonly truncTrailer: string;
}

export const DEFAULT_PRINTF_OPTIONS: PrintfOptions = { ...DEFAULT_VALUE_TEXT_OPTIONS, truncTrailer: '..' };

/**
 * The pieces bpftrace formats one by one: each ends with a recognised conversion; a last
 * piece without one follows when text remains. `format` is a binary string.
 */
export function splitFormat(format: string): string[] {
  const parts: string[] = [];
  let last = 0;
  for (const m of format.matchAll(SPECIFIER_RE)) {
    const end = m.index + m[0].length;
    parts.push(format.slice(last, end));
    last = end;
  }
  if (last !== format.length) parts.push(format.slice(last));
  return parts;
}

/**
 * Formats like bpftrace's FormatString::format. `format` is the program's text (a JS
 * string; its UTF-8 bytes are what C sees). One argument per recognised conversion.
 */
export function formatPrintf(
  format: string,
  args: readonly Value[],
  opts: PrintfOptions = DEFAULT_PRINTF_OPTIONS,
): string {
  return formatPrintfBinary(binaryFromUtf8(format), args, opts);
}

/**
 * As formatPrintf, for a format that is already a binary string (one char per byte), as
 * string literals are after parsing (FormatSpec.format).
 */
export function formatPrintfBinary(
  format: string,
  args: readonly Value[],
  opts: PrintfOptions = DEFAULT_PRINTF_OPTIONS,
): string {
  const parts = splitFormat(format);
  let out = '';
  let i = 0;
  for (; i < args.length && i < parts.length; i++) {
    out += formatPiece(parts[i]!, args[i]!, opts);
  }
  if (i < parts.length) out += parts[i];
  return out;
}

/** One piece: bpftrace swaps %r/%rx/%rh for %s over a hex-formatted buffer first. */
function formatPiece(piece: string, arg: Value, opts: PrintfOptions): string {
  const tail = piece.slice(piece.lastIndexOf('%'));
  if (tail === '%r' || tail === '%rx' || tail === '%rh') {
    const bytes = arg.kind === 'buffer' ? arg.bytes : new Uint8Array(0);
    const text = hexFormatBuffer(bytes, tail === '%r', tail !== '%rh');
    // std::regex("%r[x|h]?"): the class also matches '|', as in bpftrace.
    return cFormat(piece.replace(/%r[x|h]?/g, '%s'), { kind: 'string', text });
  }
  return cFormat(piece, printable(arg, opts));
}

/** What C's vararg receives: a string, or a 64-bit pattern. */
type Printable = { kind: 'string'; text: string } | { kind: 'integer'; bits: bigint; enumName?: string };

function printable(arg: Value, opts: PrintfOptions): Printable {
  switch (arg.kind) {
    case 'int':
      // An enum prints its name under %s and its number under the integer conversions.
      return arg.enumName !== undefined
        ? { kind: 'integer', bits: arg.value, enumName: arg.enumSymbol ?? arg.value.toString() }
        : { kind: 'integer', bits: arg.value };
    case 'bool':
      return { kind: 'integer', bits: arg.value ? 1n : 0n };
    case 'pointer':
      return { kind: 'integer', bits: arg.address };
    case 'string': {
      // bpftrace's heuristic: a string exactly filling max_strlen was probably truncated.
      const text = arg.text.length + 1 === opts.maxStrlen ? arg.text + opts.truncTrailer : arg.text;
      return { kind: 'string', text };
    }
    default:
      return { kind: 'string', text: textOfValue(arg, opts) };
  }
}

interface Spec {
  readonly leftAlign: boolean;
  readonly zeroPad: boolean;
  readonly plus: boolean;
  readonly space: boolean;
  readonly alt: boolean;
  readonly width: number;
  readonly precision: number | undefined;
  readonly length: string;
  readonly conv: string;
}

// %[flags][width][.precision][length]conversion, as glibc parses it.
const C_SPEC_RE = /^%([-+ #0']*)([0-9]*)(?:\.([0-9]*))?(hh|h|ll|l|L|q|j|z|Z|t)?([a-zA-Z%])/;
const LENGTH_TO_BITS: Record<string, 8 | 16 | 32 | 64> = {
  hh: 8,
  h: 16,
  '': 32,
  l: 64,
  ll: 64,
  q: 64,
  L: 64,
  j: 64,
  z: 64,
  Z: 64,
  t: 64,
};

/**
 * C printf of `piece` with one argument. The first integer/string conversion consumes it;
 * `%%` prints `%`; a conversion glibc does not know, or a second one (undefined behaviour
 * in C, absent from checked programs), is copied as written.
 */
export function cFormat(piece: string, arg: Printable): string {
  let out = '';
  let used = false;
  for (let i = 0; i < piece.length; i++) {
    const c = piece[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const m = C_SPEC_RE.exec(piece.slice(i));
    if (m === null) {
      out += c;
      continue;
    }
    const [text, flags = '', width = '', precision, length = '', conv = ''] = m;
    i += text.length - 1;
    if (conv === '%' && text === '%%') {
      out += '%';
      continue;
    }
    if (used || !'diouxXcsp'.includes(conv)) {
      out += text;
      continue;
    }
    used = true;
    const spec: Spec = {
      leftAlign: flags.includes('-'),
      zeroPad: flags.includes('0'),
      plus: flags.includes('+'),
      space: flags.includes(' '),
      alt: flags.includes('#'),
      width: width === '' ? 0 : Number(width),
      precision: precision === undefined ? undefined : precision === '' ? 0 : Number(precision),
      length,
      conv,
    };
    out += convert(spec, arg);
  }
  return out;
}

function padTo(body: string, spec: Spec): string {
  if (body.length >= spec.width) return body;
  const fill = ' '.repeat(spec.width - body.length);
  return spec.leftAlign ? body + fill : fill + body;
}

function convert(spec: Spec, arg: Printable): string {
  if (spec.conv === 's') {
    const text = arg.kind === 'string' ? arg.text : (arg.enumName ?? '');
    return padTo(spec.precision === undefined ? text : text.slice(0, spec.precision), spec);
  }
  const pattern = arg.kind === 'integer' ? BigInt.asUintN(64, arg.bits) : 0n;
  if (spec.conv === 'c') return padTo(String.fromCharCode(Number(pattern & 0xffn)), spec);
  if (spec.conv === 'p') return pointerText(pattern, spec);
  const bits = LENGTH_TO_BITS[spec.length] ?? 32;
  const signed = spec.conv === 'd' || spec.conv === 'i';
  const value = signed ? BigInt.asIntN(bits, pattern) : BigInt.asUintN(bits, pattern);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const radix = spec.conv === 'o' ? 8 : spec.conv === 'x' || spec.conv === 'X' ? 16 : 10;
  let digits = magnitude.toString(radix);
  if (spec.conv === 'X') digits = digits.toUpperCase();
  if (spec.precision !== undefined) {
    digits = spec.precision === 0 && magnitude === 0n ? '' : digits.padStart(spec.precision, '0');
  }
  let prefix = negative ? '-' : signed && spec.plus ? '+' : signed && spec.space ? ' ' : '';
  if (spec.alt && magnitude !== 0n) {
    if (spec.conv === 'x') prefix += '0x';
    else if (spec.conv === 'X') prefix += '0X';
    else if (spec.conv === 'o' && !digits.startsWith('0')) digits = '0' + digits;
  }
  if (spec.zeroPad && !spec.leftAlign && spec.precision === undefined) {
    digits = digits.padStart(spec.width - prefix.length, '0');
  }
  return padTo(prefix + digits, spec);
}

/** glibc's %p: `(nil)` for null, else like %#lx (zero padding goes after the 0x). */
function pointerText(pattern: bigint, spec: Spec): string {
  if (pattern === 0n) return padTo('(nil)', spec);
  let digits = pattern.toString(16);
  if (spec.precision !== undefined) digits = digits.padStart(spec.precision, '0');
  if (spec.zeroPad && !spec.leftAlign && spec.precision === undefined) digits = digits.padStart(spec.width - 2, '0');
  return padTo(`0x${digits}`, spec);
}

/** The specifier row of a token ('lld', 'rx', …), for callers that check formats. */
export function printfSpecifier(token: string): PrintfSpecifierRow | undefined {
  return ROW_BY_TOKEN.get(token);
}

// ── formats compiled for a record layout ─────────────────────────────────────────────────

/** Where a conversion's argument lies in a record. */
export interface PrintfField {
  readonly type: SizedType;
  readonly offset: number;
}

/** The piece's text for the record at bytes[off..]. */
type PieceFn = (bytes: Uint8Array, off: number) => string;

const TWO32 = 4294967296;
/** Largest high word of a 64-bit integer whose value a double holds exactly. */
const SAFE_HI = 0x200000;

/**
 * formatPrintfBinary(format, the fields decoded at their offsets, opts), compiled once: the
 * format is split and its conversions parsed here, and the common pieces (an integer or a
 * string under d/u/o/x/X/s with at most `-`/`0` flags and a width) read their argument
 * straight from the record, with numbers instead of BigInts where the value fits a double.
 * Every other piece, and an integer beyond 2^53, takes the general path (decode, then
 * formatPiece), so the text is the same byte for byte. `decode` is decodeValue with the
 * run's DecodeContext.
 */
export function compilePrintf(
  format: string,
  fields: readonly PrintfField[],
  opts: PrintfOptions,
  decode: (type: SizedType, bytes: Uint8Array, off: number) => Value,
): (bytes: Uint8Array, off: number) => string {
  const parts = splitFormat(format);
  const n = Math.min(fields.length, parts.length);
  const pieces: PieceFn[] = [];
  for (let i = 0; i < n; i++) {
    const piece = parts[i]!;
    const field = fields[i]!;
    const general: PieceFn = (bytes, off) => formatPiece(piece, decode(field.type, bytes, off + field.offset), opts);
    pieces.push(fastPiece(piece, field, opts, general) ?? general);
  }
  const tail = n < parts.length ? parts[n]! : '';
  switch (pieces.length) {
    case 0:
      return () => tail;
    case 1: {
      const [a] = pieces as [PieceFn];
      return (bytes, off) => a(bytes, off) + tail;
    }
    case 2: {
      const [a, b] = pieces as [PieceFn, PieceFn];
      return (bytes, off) => a(bytes, off) + b(bytes, off) + tail;
    }
    default:
      return (bytes, off) => {
        let out = '';
        for (let i = 0; i < pieces.length; i++) out += pieces[i]!(bytes, off);
        return out + tail;
      };
  }
}

/** The fast form of one piece, or undefined when only the general path prints it exactly. */
function fastPiece(piece: string, field: PrintfField, opts: PrintfOptions, general: PieceFn): PieceFn | undefined {
  const pct = piece.indexOf('%');
  if (pct < 0 || pct !== piece.lastIndexOf('%')) return undefined;
  const m = C_SPEC_RE.exec(piece.slice(pct));
  if (m === null || pct + m[0].length !== piece.length) return undefined;
  const [, flags = '', widthText = '', precision, length = '', conv = ''] = m;
  if (precision !== undefined || !/^[-0]*$/.test(flags)) return undefined;
  const prefix = piece.slice(0, pct);
  const width = widthText === '' ? 0 : Number(widthText);
  const left = flags.includes('-');
  const pad = (body: string): string => {
    if (body.length >= width) return body;
    const fill = ' '.repeat(width - body.length);
    return left ? body + fill : fill + body;
  };
  const type = field.type;
  const at = field.offset;
  if (conv === 's' && type.kind === 'string') {
    const size = type.size;
    const limit = opts.maxStrlen;
    const trailer = opts.truncTrailer;
    return (bytes, off) => {
      const text = cStringAt(bytes, off + at, size);
      return prefix + pad(text.length + 1 === limit ? text + trailer : text);
    };
  }
  if (!'duoxX'.includes(conv) || type.kind !== 'int' || type.enumName !== undefined) return undefined;
  const size = type.size;
  const signedArg = type.signed;
  const bits = LENGTH_TO_BITS[length] ?? 32;
  const signed = conv === 'd';
  const radix = conv === 'o' ? 8 : conv === 'x' || conv === 'X' ? 16 : 10;
  const upper = conv === 'X';
  const zeroPad = flags.includes('0') && !left;
  return (bytes, off) => {
    const p = off + at;
    if (p < 0 || p + size > bytes.length) return general(bytes, off);
    // The argument as C's 64-bit vararg: (hi, lo), sign- or zero-extended from its size.
    let lo: number;
    let hi: number;
    if (size === 8) {
      lo = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
      hi = bytes[p + 4]! | (bytes[p + 5]! << 8) | (bytes[p + 6]! << 16) | (bytes[p + 7]! << 24);
    } else {
      lo = size === 4 ? bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24) : size === 2 ? bytes[p]! | (bytes[p + 1]! << 8) : bytes[p]!;
      const shift = 32 - size * 8;
      if (signedArg) lo = (lo << shift) >> shift;
      else if (size === 4) lo >>>= 0;
      hi = lo < 0 ? -1 : 0;
    }
    // The cast the length modifier makes, then the conversion's signedness.
    let v: number;
    if (bits === 64) {
      if (signed ? hi < -SAFE_HI || hi >= SAFE_HI : hi >>> 0 >= SAFE_HI) return general(bytes, off);
      v = (signed ? hi : hi >>> 0) * TWO32 + (lo >>> 0);
    } else {
      const shift = 32 - bits;
      v = signed ? (lo << shift) >> shift : bits === 32 ? lo >>> 0 : (lo << shift) >>> shift;
    }
    const negative = v < 0;
    let digits = (negative ? -v : v).toString(radix);
    if (upper) digits = digits.toUpperCase();
    const sign = negative ? '-' : '';
    if (zeroPad) digits = digits.padStart(width - sign.length, '0');
    return prefix + pad(sign + digits);
  };
}
