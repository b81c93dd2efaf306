// Decodes literal tokens the grammar has already recognised: integers (decimal, hex,
// octal, binary, `1_000`, `1e3`, C suffixes, durations) into bigint values, and string
// bodies (C escapes) into byte strings. Problems come back as messages with the offending
// stretch; nothing here throws for a user mistake, and nothing here parses programs.

import type { Message } from '../diag/diagnostic.js';
import { parseMessages } from '../diag/messages.js';

export const U64_MAX = (1n << 64n) - 1n;

/** A decoded literal, or the message and the part of the token (offsets within it) at fault. */
export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: Message; readonly start: number; readonly end: number };

/** Suffix → [largest value before scaling, multiplier]. Durations scale to nanoseconds. */
const INTEGER_SUFFIXES: ReadonlyMap<string, readonly [bigint, bigint]> = new Map([
  ['', [U64_MAX, 1n]],
  ['u', [0xffff_ffffn, 1n]],
  ['ul', [U64_MAX, 1n]],
  ['ull', [U64_MAX, 1n]],
  ['l', [(1n << 63n) - 1n, 1n]],
  ['ll', [(1n << 63n) - 1n, 1n]],
  ['lu', [U64_MAX, 1n]],
  ['llu', [U64_MAX, 1n]],
  ['ns', [U64_MAX, 1n]],
  ['us', [U64_MAX, 1_000n]],
  ['ms', [U64_MAX, 1_000_000n]],
  ['s', [U64_MAX, 1_000_000_000n]],
  ['m', [U64_MAX, 60_000_000_000n]],
  ['h', [U64_MAX, 3_600_000_000_000n]],
  ['d', [U64_MAX, 86_400_000_000_000n]],
]);

const DURATION_SUFFIXES = new Set(['ns', 'us', 'ms', 's', 'm', 'h', 'd']);

/** Splits `0x1fUL` into body and suffix; the grammar guarantees the shape. */
function splitSuffix(text: string): [string, string] {
  if (/^0[xX]/.test(text)) {
    const m = /^(0[xX][0-9a-fA-F_]+)([uUlL]*)$/.exec(text);
    return m ? [m[1]!, m[2]!] : [text, ''];
  }
  const m = /^([0-9_]+(?:[eE][0-9_]+)?|0[bB][01_]+)([a-zA-Z]*)$/.exec(text);
  return m ? [m[1]!, m[2]!] : [text, ''];
}

/** The value of an integer literal as written (`text` is the whole token). */
export function decodeInteger(text: string): Decoded<bigint> {
  const [body, rawSuffix] = splitSuffix(text);
  const suffix = DURATION_SUFFIXES.has(rawSuffix) ? rawSuffix : rawSuffix.toLowerCase();
  const fail = (message: Message): Decoded<bigint> => ({ ok: false, message, start: 0, end: text.length });
  const digits = body.replace(/_/g, '');
  let value: bigint;
  // `0x_`, `0b_`: the grammar allows a body of separators only; there is no number in it.
  if (/^0[xXbB]$/.test(digits)) return fail(parseMessages.invalidInteger(text));
  if (/^0[xX]/.test(digits)) {
    value = BigInt(digits);
  } else if (/^0[bB]/.test(digits)) {
    value = BigInt(digits);
  } else if (/^0[0-9]/.test(digits)) {
    if (!/^0[0-7]+$/.test(digits)) return fail(parseMessages.invalidInteger(text));
    value = BigInt('0o' + digits.slice(1));
  } else {
    const exp = /^([0-9]+)[eE]([0-9]+)$/.exec(digits);
    if (exp) {
      const coefficient = BigInt(exp[1]!);
      if (coefficient < 1n || coefficient > 9n) return fail(parseMessages.scientificCoefficient(text));
      const power = Number(exp[2]!);
      if (power > 19) return fail(parseMessages.integerOverflow(U64_MAX, text));
      value = coefficient * 10n ** BigInt(power);
    } else {
      value = BigInt(digits);
    }
  }
  if (value > U64_MAX) return fail(parseMessages.integerOverflow(U64_MAX, text));
  const spec = INTEGER_SUFFIXES.get(suffix);
  if (!spec) {
    const at = text.length - rawSuffix.length;
    return { ok: false, message: parseMessages.invalidIntegerSuffix(rawSuffix), start: at, end: text.length };
  }
  const [max, multiplier] = spec;
  if (value > max / multiplier) return fail(parseMessages.integerOverflow(max, text));
  return { ok: true, value: value * multiplier };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '"': '"',
  '\\': '\\',
};

/**
 * Decodes the body of a string literal (between the quotes) into a byte string: one
 * character per byte. Non-ASCII characters of the source are UTF-8 encoded.
 */
export function decodeString(body: string): Decoded<string> {
  let out = '';
  for (let i = 0; i < body.length; ) {
    const c = body[i]!;
    if (c !== '\\') {
      const code = body.codePointAt(i)!;
      if (code < 0x80) out += c;
      else for (const b of Buffer.from(String.fromCodePoint(code), 'utf8')) out += String.fromCharCode(b);
      i += code > 0xffff ? 2 : 1;
      continue;
    }
    const start = i;
    const e = body[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    if (e >= '0' && e <= '7') {
      let j = i + 1;
      while (j < body.length && j < i + 4 && body[j]! >= '0' && body[j]! <= '7') j++;
      const digits = body.slice(i + 1, j);
      const value = parseInt(digits, 8);
      if (value > 255) {
        return { ok: false, message: parseMessages.octalEscapeRange(digits), start, end: j };
      }
      out += String.fromCharCode(value);
      i = j;
      continue;
    }
    if (e === 'x' || e === 'X') {
      let j = i + 2;
      while (j < body.length && j < i + 4 && /[0-9a-fA-F]/.test(body[j]!)) j++;
      if (j === i + 2) return { ok: false, message: parseMessages.invalidEscape(e), start, end: i + 2 };
      out += String.fromCharCode(parseInt(body.slice(i + 2, j), 16));
      i = j;
      continue;
    }
    return { ok: false, message: parseMessages.invalidEscape(e), start, end: i + 2 };
  }
  return { ok: true, value: out };
}

/** Writes a byte string back as the body of a string literal that decodes to it. */
export function encodeString(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const c = value[i]!;
    if (c === '"' || c === '\\') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c === '\r') out += '\\r';
    else if (code >= 0x20 && code < 0x7f) out += c;
    // Three octal digits, so a following digit is never read as part of the escape.
    else out += '\\' + code.toString(8).padStart(3, '0');
  }
  return out;
}
