// C types as the catalog describes them: the C spelling plus a small resolved form (base,
// pointer depth, array length, signedness, sizes) that the checker maps to its SizedType
// without parsing C. parseCType turns a declaration's type text (a tracepoint format field,
// 'const char *', 'u8[6]') into that form; it is not a C parser beyond such declarations.

/** What a type is once typedefs, qualifiers, pointers and arrays are peeled off. */
export type CBaseKind = 'int' | 'bool' | 'float' | 'void' | 'struct' | 'union' | 'enum' | 'func';

export interface CType {
  /** The C spelling as the source has it: 'const char *', 'struct sock *', 'char[16]', 'umode_t'. */
  readonly text: string;
  /**
   * The base after typedefs and qualifiers, in BTF's spelling: 'char', 'long unsigned int',
   * 'struct sock', 'enum sock_type', 'void', 'func'. An anonymous struct has the name of its
   * typedef ('atomic_t') or, for an unnamed member type, 'struct parent::member'; either can
   * be passed to kernelStruct().
   */
  readonly base: string;
  readonly baseKind: CBaseKind;
  /** Bytes of one base value (0 for void and functions, or for a struct we know only by name). */
  readonly baseSize: number;
  /** Signedness of an integer or enum base. */
  readonly signed: boolean;
  /** Number of `*` between the base and the declarator ('char **' → 2). */
  readonly pointerDepth: number;
  /**
   * Set when the type is an array: its element count (0 for a flexible `[]`). The elements
   * are `pointerDepth` pointers to the base: 'struct x *[4]' is an array of 4 pointers.
   */
  readonly arrayLength?: number;
  /** Bytes of the whole type (8 for any pointer; element size × count for an array). */
  readonly size: number;
}

/** How parseCType learns about names it does not know itself. */
export interface CTypeNames {
  /** The resolved form of a typedef name (u32, pid_t, sigset_t), if known. */
  typedef(name: string): CType | undefined;
  /** The size of 'struct x' / 'union x' / 'enum x', if known. */
  tagSize(key: string): number | undefined;
  /** Whether 'enum x' is signed (it has a negative enumerator); unsigned when not known. */
  enumSigned?(key: string): boolean;
}

const QUALIFIERS = new Set(['const', 'volatile', 'restrict', '__restrict', '__user', '__kernel', '__iomem', '__rcu', '__percpu']);

/** An integer spelled with C keywords, in BTF's canonical spelling with its size and sign. */
function builtinInteger(words: readonly string[]): { base: string; size: number; signed: boolean } | undefined {
  let unsigned = false;
  let signedWord = false;
  let longs = 0;
  let short = false;
  let char = false;
  for (const w of words) {
    if (w === 'unsigned') unsigned = true;
    else if (w === 'signed') signedWord = true;
    else if (w === 'long') longs++;
    else if (w === 'short') short = true;
    else if (w === 'char') char = true;
    else if (w !== 'int') return undefined;
  }
  if (char) {
    // The kernel builds with -funsigned-char: plain char is unsigned, as BTF and the format files say.
    if (unsigned) return { base: 'unsigned char', size: 1, signed: false };
    if (signedWord) return { base: 'signed char', size: 1, signed: true };
    return { base: 'char', size: 1, signed: false };
  }
  if (short) return unsigned ? { base: 'short unsigned int', size: 2, signed: false } : { base: 'short int', size: 2, signed: true };
  if (longs >= 2)
    return unsigned ? { base: 'long long unsigned int', size: 8, signed: false } : { base: 'long long int', size: 8, signed: true };
  if (longs === 1) return unsigned ? { base: 'long unsigned int', size: 8, signed: false } : { base: 'long int', size: 8, signed: true };
  return unsigned ? { base: 'unsigned int', size: 4, signed: false } : { base: 'int', size: 4, signed: true };
}

const OTHER_BASES: Readonly<Record<string, { base: string; kind: CBaseKind; size: number }>> = {
  void: { base: 'void', kind: 'void', size: 0 },
  bool: { base: '_Bool', kind: 'bool', size: 1 },
  _Bool: { base: '_Bool', kind: 'bool', size: 1 },
  float: { base: 'float', kind: 'float', size: 4 },
  double: { base: 'double', kind: 'float', size: 8 },
};

/**
 * Resolves the type text of a declaration ('const struct sock *', 'unsigned long[6]',
 * 'struct iocb * *', 'cap_user_header_t'). Returns undefined when the base is a name that
 * `names` does not know.
 */
export function parseCType(text: string, names: CTypeNames): CType | undefined {
  let rest = text.trim();
  let arrayLength: number | undefined;
  const arr = /\[\s*(\d*)\s*\]\s*$/.exec(rest);
  if (arr) {
    arrayLength = arr[1] === '' ? 0 : Number(arr[1]);
    rest = rest.slice(0, arr.index);
    // Multi-dimensional arrays are counted as one run of elements.
    for (let more = /\[\s*(\d+)\s*\]\s*$/.exec(rest); more; more = /\[\s*(\d+)\s*\]\s*$/.exec(rest)) {
      arrayLength *= Number(more[1]);
      rest = rest.slice(0, more.index);
    }
  }
  const stars = (rest.match(/\*/g) ?? []).length;
  const words = rest
    .replace(/\*/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '' && !QUALIFIERS.has(w));
  if (words.length === 0) return undefined;

  let base: string;
  let baseKind: CBaseKind;
  let baseSize: number;
  let signed = false;
  let pointerDepth = stars;

  const tag = words[0];
  if ((tag === 'struct' || tag === 'union' || tag === 'enum') && words.length === 2) {
    base = `${tag} ${words[1]}`;
    baseKind = tag;
    baseSize = names.tagSize(base) ?? (tag === 'enum' ? 4 : 0);
    // An enum is unsigned unless it has a negative enumerator, which only BTF can tell.
    signed = tag === 'enum' && (names.enumSigned?.(base) ?? false);
  } else if (words.length === 1 && OTHER_BASES[words[0]!] !== undefined) {
    const o = OTHER_BASES[words[0]!]!;
    base = o.base;
    baseKind = o.kind;
    baseSize = o.size;
  } else {
    const int = builtinInteger(words);
    if (int) {
      base = int.base;
      baseKind = 'int';
      baseSize = int.size;
      signed = int.signed;
    } else if (words.length === 1) {
      const td = names.typedef(words[0]!);
      if (!td) return undefined;
      base = td.base;
      baseKind = td.baseKind;
      baseSize = td.baseSize;
      signed = td.signed;
      pointerDepth += td.pointerDepth;
      // A typedef of an array used directly keeps its length ('fd_set' is a struct; '__u8 x[16]' is not a typedef).
      if (arrayLength === undefined && stars === 0 && td.arrayLength !== undefined) {
        return { ...td, text: text.trim() };
      }
    } else {
      return undefined;
    }
  }

  const elemSize = pointerDepth > 0 ? 8 : baseSize;
  const size = arrayLength !== undefined ? elemSize * arrayLength : elemSize;
  const out: CType = { text: text.trim(), base, baseKind, baseSize, signed, pointerDepth, size };
  return arrayLength !== undefined ? { ...out, arrayLength } : out;
}
