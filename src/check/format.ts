// printf-style format strings (printf, system, cat, errorf, warnf): split into literal text
// and conversion specifiers, and checked against argument types the way bpftrace 0.23 does
// (same specifier table, same messages). Out: a FormatSpec the compiler and the runtime's
// formatter share. It does not format values; runtime/output does that.

import { typeName, type SizedType } from './types.js';

/** What kind of value a conversion expects. */
export type FormatArgKind = 'integer' | 'string' | 'buffer';

/** C length modifier, which decides how the runtime truncates the 64-bit value it holds. */
export type LengthModifier = '' | 'hh' | 'h' | 'l' | 'll' | 'j' | 'z' | 't';

export interface FormatConversion {
  /** The specifier as written, from '%' to the conversion letter(s): '%-16s', '%5.2lld', '%rx'. */
  readonly text: string;
  /** The conversion without flags/width/precision: 's', 'd', 'llu', 'rx', … */
  readonly token: string;
  /** The final conversion letter(s): 'd', 'u', 'x', 'X', 'o', 'p', 'c', 's', 'r', 'rx', 'rh'. */
  readonly conversion: string;
  readonly length: LengthModifier;
  /** '-' given. */
  readonly leftAlign: boolean;
  readonly width?: number;
  readonly precision?: number;
  readonly expects: FormatArgKind;
}

export interface FormatSpec {
  /** Index in CheckedProgram.formats. */
  readonly id: number;
  /** printf, system, cat, errorf, warnf. */
  readonly func: string;
  readonly format: string;
  /**
   * The format split after each conversion: parts[i] ends with conversions[i] (text
   * before it included); a trailing part without a conversion follows when the format
   * has text after the last one. This is how bpftrace's runtime walks it.
   */
  readonly parts: readonly string[];
  readonly conversions: readonly FormatConversion[];
  /** The argument types as checked (one per conversion). */
  readonly argTypes: readonly SizedType[];
}

// The table of conversions bpftrace accepts: s, r, rx, rh, c, and d/u/o/x/X/p with every
// C length modifier. Longer tokens first so `%rx` is not read as `%r` followed by `x`.
const INTEGER_LETTERS = ['d', 'u', 'o', 'x', 'X', 'p'];
const LENGTHS: LengthModifier[] = ['hh', 'h', 'll', 'l', 'j', 'z', 't', ''];

const TOKENS: { token: string; expects: FormatArgKind; length: LengthModifier; conversion: string }[] = [
  { token: 'rx', expects: 'buffer', length: '', conversion: 'rx' },
  { token: 'rh', expects: 'buffer', length: '', conversion: 'rh' },
  ...LENGTHS.flatMap((l) =>
    INTEGER_LETTERS.map((c) => ({ token: l + c, expects: 'integer' as FormatArgKind, length: l, conversion: c })),
  ),
  { token: 's', expects: 'string', length: '', conversion: 's' },
  { token: 'r', expects: 'buffer', length: '', conversion: 'r' },
  { token: 'c', expects: 'integer', length: '', conversion: 'c' },
];

// `%`, optional '-', width digits, optional .precision, then one of the tokens.
const SPECIFIER = new RegExp(`%(-?)([0-9]*)(?:\\.([0-9]+))?(${TOKENS.map((t) => t.token).join('|')})`, 'g');

/** Finds the conversions of a format string as bpftrace does (anything else is literal text). */
export function parseFormat(format: string): { parts: string[]; conversions: FormatConversion[] } {
  const conversions: FormatConversion[] = [];
  const parts: string[] = [];
  let last = 0;
  for (const m of format.matchAll(SPECIFIER)) {
    const row = TOKENS.find((t) => t.token === m[4])!;
    conversions.push({
      text: m[0],
      token: row.token,
      conversion: row.conversion,
      length: row.length,
      leftAlign: m[1] === '-',
      ...(m[2] ? { width: Number(m[2]) } : {}),
      ...(m[3] !== undefined ? { precision: Number(m[3]) } : {}),
      expects: row.expects,
    });
    const end = m.index + m[0].length;
    parts.push(format.slice(last, end));
    last = end;
  }
  if (last !== format.length) parts.push(format.slice(last));
  return { parts, conversions };
}

/** bpftrace's name for the kind of a value in printf messages ("int", "string", …). */
function valueKinds(t: SizedType): string[] {
  switch (t.kind) {
    case 'ksym':
    case 'usym':
    case 'username':
    case 'kstack':
    case 'ustack':
    case 'inet':
    case 'timestamp':
    case 'mac_address':
    case 'cgroup_path':
    case 'strerror':
      return ['string'];
    case 'pointer':
      return ['int'];
    case 'int':
      return t.enumName ? ['string', 'int'] : ['int'];
    case 'bool':
      return ['int'];
    case 'string':
      return ['string'];
    case 'buffer':
      return ['buffer'];
    default:
      return [kindName(t)];
  }
}

const EXPECTS_NAME: Record<FormatArgKind, string> = { integer: 'int', string: 'string', buffer: 'buffer' };

/**
 * Checks the arguments against the format. Returns the message text of the first problem
 * (without the function prefix handled by the caller's catalogue), or undefined when fine.
 */
export function checkFormatArgs(func: string, format: string, args: readonly SizedType[]): string | undefined {
  const { conversions } = parseFormat(format);
  if (args.length < conversions.length)
    return `${func}: Not enough arguments for format string (${args.length} supplied, ${conversions.length} expected)`;
  if (args.length > conversions.length)
    return `${func}: Too many arguments for format string (${args.length} supplied, ${conversions.length} expected)`;
  for (let i = 0; i < args.length; i++) {
    const kinds = valueKinds(args[i]!);
    const expected = EXPECTS_NAME[conversions[i]!.expects];
    if (!kinds.includes(expected))
      return `${func}: %${conversions[i]!.token} specifier expects a value of type ${expected} (${kinds.join(',')} supplied)`;
  }
  return undefined;
}

/** bpftrace's coarse type names (its `Type` enum): int, string, pointer, record, tuple, hist_t, … */
export function kindName(t: SizedType): string {
  switch (t.kind) {
    case 'int':
      return 'int';
    case 'void':
      return 'none';
    case 'struct':
      return 'record';
    case 'record':
      return 'record';
    case 'kstack':
    case 'ustack':
      return t.kind;
    case 'ksym':
    case 'usym':
      return `${t.kind}_t`;
    case 'cgroup_path':
    case 'strerror':
      return `${t.kind}_t`;
    case 'count':
    case 'sum':
    case 'min':
    case 'max':
    case 'avg':
    case 'stats':
    case 'hist':
    case 'lhist':
    case 'tseries':
      return `${t.kind}_t`;
    default:
      return t.kind;
  }
}

/** Full type text as bpftrace prints it in messages (delegates to types.ts). */
export function fullTypeName(t: SizedType): string {
  return typeName(t);
}
