// BTF (the BPF Type Format of a `.BTF` section): a builder that encodes the few kinds an
// object's maps, global variables and functions need (INT, PTR, ARRAY, STRUCT, FUNC_PROTO,
// FUNC, VAR, DATASEC), a decoder of every kind's layout with size resolution, enough to read
// map definitions back, and `.BTF.ext` function info (where each function starts and its
// FUNC type, which the kernel needs for callbacks). Not a C type system: no enums' values,
// no bitfield semantics, no line info.

export const BTF_MAGIC = 0xeb9f;
const BTF_HEADER_SIZE = 24;

export const BTF_KIND = {
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

export const BTF_INT_SIGNED = 1;
/** FUNC linkage (in vlen) and VAR linkage. */
export const BTF_FUNC_STATIC = 0;
export const BTF_FUNC_GLOBAL = 1;
export const BTF_VAR_GLOBAL_ALLOCATED = 1;

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** Offset in bits. */
  readonly offset: number;
}

/** A decoded type. `size` for sized kinds, `type` for references; arrays and members as parsed. */
export interface BtfType {
  readonly kind: number;
  readonly name: string;
  readonly vlen: number;
  readonly size: number;
  readonly type: number;
  readonly array?: { readonly type: number; readonly indexType: number; readonly nelems: number };
  readonly members?: readonly BtfMember[];
  /** DATASEC entries, FUNC_PROTO params (offset/size unused), VAR linkage in `linkage`. */
  readonly secinfo?: readonly { readonly type: number; readonly offset: number; readonly size: number }[];
  readonly params?: readonly { readonly name: string; readonly type: number }[];
  readonly linkage?: number;
}

// ── building ─────────────────────────────────────────────────────────────────────────────

export class BtfBuilder {
  private readonly words: number[] = [];
  private readonly strings: string[] = [''];
  private readonly stringOffsets = new Map<string, number>([['', 0]]);
  private stringBytes = 1;
  private count = 0;
  private readonly memo = new Map<string, number>();

  /** Offset of s in the string section (deduplicated). */
  str(s: string): number {
    let off = this.stringOffsets.get(s);
    if (off === undefined) {
      off = this.stringBytes;
      this.stringOffsets.set(s, off);
      this.strings.push(s);
      this.stringBytes += Buffer.byteLength(s) + 1;
    }
    return off;
  }

  private add(name: string, kind: number, vlen: number, sizeOrType: number, extra: readonly number[]): number {
    this.words.push(this.str(name), ((kind << 24) | (vlen & 0xffff)) >>> 0, sizeOrType >>> 0, ...extra.map((x) => x >>> 0));
    return ++this.count;
  }

  /** Returns the id for key, creating the type with make() the first time. */
  private once(key: string, make: () => number): number {
    let id = this.memo.get(key);
    if (id === undefined) {
      id = make();
      this.memo.set(key, id);
    }
    return id;
  }

  int(name: string, bytes: number, signed: boolean): number {
    return this.once(`int:${name}`, () => this.add(name, BTF_KIND.INT, 0, bytes, [((signed ? BTF_INT_SIGNED : 0) << 24) | (bytes * 8)]));
  }

  ptr(type: number): number {
    return this.once(`ptr:${type}`, () => this.add('', BTF_KIND.PTR, 0, type, []));
  }

  array(elem: number, nelems: number): number {
    const index = this.int('__ARRAY_SIZE_TYPE__', 4, false);
    return this.once(`array:${elem}:${nelems}`, () => this.add('', BTF_KIND.ARRAY, 0, 0, [elem, index, nelems]));
  }

  struct(name: string, size: number, members: readonly BtfMember[]): number {
    const extra = members.flatMap((mb) => [this.str(mb.name), mb.type, mb.offset]);
    return this.add(name, BTF_KIND.STRUCT, members.length, size, extra);
  }

  funcProto(ret: number, params: readonly { name: string; type: number }[]): number {
    const extra = params.flatMap((p) => [this.str(p.name), p.type]);
    return this.add('', BTF_KIND.FUNC_PROTO, params.length, ret, extra);
  }

  func(name: string, proto: number, linkage: number): number {
    return this.add(name, BTF_KIND.FUNC, linkage, proto, []);
  }

  variable(name: string, type: number, linkage: number): number {
    return this.add(name, BTF_KIND.VAR, 0, type, [linkage]);
  }

  datasec(name: string, size: number, vars: readonly { type: number; offset: number; size: number }[]): number {
    return this.add(name, BTF_KIND.DATASEC, vars.length, size, vars.flatMap((v) => [v.type, v.offset, v.size]));
  }

  /** The .BTF section bytes: header, type section, string section. */
  encode(): Uint8Array {
    const typeLen = this.words.length * 4;
    const out = new Uint8Array(BTF_HEADER_SIZE + typeLen + this.stringBytes);
    const v = new DataView(out.buffer);
    v.setUint16(0, BTF_MAGIC, true);
    v.setUint8(2, 1); // version
    v.setUint8(3, 0); // flags
    v.setUint32(4, BTF_HEADER_SIZE, true);
    v.setUint32(8, 0, true); // type_off
    v.setUint32(12, typeLen, true);
    v.setUint32(16, typeLen, true); // str_off
    v.setUint32(20, this.stringBytes, true);
    this.words.forEach((w, i) => v.setUint32(BTF_HEADER_SIZE + 4 * i, w, true));
    let at = BTF_HEADER_SIZE + typeLen;
    for (const s of this.strings) {
      out.set(Buffer.from(s), at);
      at += Buffer.byteLength(s) + 1;
    }
    return out;
  }
}

// ── .BTF.ext ────────────────────────────────────────────────────────────────────────────

/** btf_ext_header up to line_info_len (libbpf reads CO-RE relocations only past it). */
const BTF_EXT_HEADER_SIZE = 24;
/** sizeof(struct bpf_func_info): insn_off, type_id. */
const FUNC_INFO_REC_SIZE = 8;

/** The functions of one executable section: each one's byte offset in it and its FUNC type. */
export interface FuncInfoSection {
  readonly section: string;
  readonly records: readonly { readonly insnOff: number; readonly typeId: number }[];
}

/**
 * `.BTF.ext` with function info only, as libbpf parses it: offsets in bytes (libbpf divides
 * by 8 when it builds each program's func_info), section names in btf's string table, so
 * call this before btf.encode(). Sections without records are left out (libbpf refuses them).
 */
export function encodeBtfExt(btf: BtfBuilder, sections: readonly FuncInfoSection[]): Uint8Array {
  const used = sections.filter((s) => s.records.length > 0);
  const words: number[] = [FUNC_INFO_REC_SIZE];
  for (const s of used) {
    words.push(btf.str(s.section), s.records.length);
    for (const r of s.records) words.push(r.insnOff, r.typeId);
  }
  const funcLen = words.length * 4;
  const out = new Uint8Array(BTF_EXT_HEADER_SIZE + funcLen);
  const v = new DataView(out.buffer);
  v.setUint16(0, BTF_MAGIC, true);
  v.setUint8(2, 1);
  v.setUint8(3, 0);
  v.setUint32(4, BTF_EXT_HEADER_SIZE, true);
  v.setUint32(8, 0, true); // func_info_off
  v.setUint32(12, funcLen, true);
  v.setUint32(16, funcLen, true); // line_info_off
  v.setUint32(20, 0, true); // line_info_len
  words.forEach((w, i) => v.setUint32(BTF_EXT_HEADER_SIZE + 4 * i, w >>> 0, true));
  return out;
}

/** The function info of a `.BTF.ext` section, section names resolved in the `.BTF` bytes' strings. */
export function decodeFuncInfo(ext: Uint8Array, btf: Uint8Array): FuncInfoSection[] {
  const v = new DataView(ext.buffer, ext.byteOffset, ext.byteLength);
  if (ext.length < BTF_EXT_HEADER_SIZE || v.getUint16(0, true) !== BTF_MAGIC) throw new BtfFormatError('bad BTF.ext magic');
  const hdrLen = v.getUint32(4, true);
  const off = hdrLen + v.getUint32(8, true);
  const len = v.getUint32(12, true);
  if (off + len > ext.length) throw new BtfFormatError('BTF.ext func info out of bounds');
  if (len === 0) return [];
  const recSize = v.getUint32(off, true);
  if (recSize < FUNC_INFO_REC_SIZE || recSize % 4 !== 0) throw new BtfFormatError(`BTF.ext func info record size ${recSize}`);
  const name = btfStringReader(btf);
  const out: FuncInfoSection[] = [];
  let at = off + 4;
  while (at < off + len) {
    if (at + 8 > off + len) throw new BtfFormatError('truncated BTF.ext func info section');
    const section = name(v.getUint32(at, true));
    const n = v.getUint32(at + 4, true);
    at += 8;
    if (n === 0 || at + n * recSize > off + len) throw new BtfFormatError(`BTF.ext func info section '${section}' has a bad record count`);
    out.push({ section, records: Array.from({ length: n }, (_, i) => ({ insnOff: v.getUint32(at + i * recSize, true), typeId: v.getUint32(at + i * recSize + 4, true) })) });
    at += n * recSize;
  }
  return out;
}

/** A reader of the string section of `.BTF` bytes, by offset. */
function btfStringReader(bytes: Uint8Array): (off: number) => string {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < BTF_HEADER_SIZE || v.getUint16(0, true) !== BTF_MAGIC) throw new BtfFormatError('bad BTF magic');
  const hdrLen = v.getUint32(4, true);
  const strOff = hdrLen + v.getUint32(16, true);
  const strLen = v.getUint32(20, true);
  if (strOff + strLen > bytes.length) throw new BtfFormatError('BTF sections out of bounds');
  return (off) => {
    if (off >= strLen) throw new BtfFormatError(`BTF string offset ${off} out of bounds`);
    let end = strOff + off;
    while (end < strOff + strLen && bytes[end] !== 0) end++;
    return Buffer.from(bytes.subarray(strOff + off, end)).toString('utf8');
  };
}

// ── decoding ─────────────────────────────────────────────────────────────────────────────

export class BtfFormatError extends Error {
  override readonly name = 'BtfFormatError';
}

/** Words after the 12-byte common header, per kind (vlen-dependent ones computed below). */
function extraWords(kind: number, vlen: number): number {
  switch (kind) {
    case BTF_KIND.INT:
    case BTF_KIND.VAR:
    case BTF_KIND.DECL_TAG:
      return 1;
    case BTF_KIND.ARRAY:
      return 3;
    case BTF_KIND.STRUCT:
    case BTF_KIND.UNION:
    case BTF_KIND.DATASEC:
    case BTF_KIND.ENUM64:
      return 3 * vlen;
    case BTF_KIND.ENUM:
    case BTF_KIND.FUNC_PROTO:
      return 2 * vlen;
    case BTF_KIND.PTR:
    case BTF_KIND.FWD:
    case BTF_KIND.TYPEDEF:
    case BTF_KIND.VOLATILE:
    case BTF_KIND.CONST:
    case BTF_KIND.RESTRICT:
    case BTF_KIND.FUNC:
    case BTF_KIND.FLOAT:
    case BTF_KIND.TYPE_TAG:
      return 0;
    default:
      throw new BtfFormatError(`unknown BTF kind ${kind}`);
  }
}

/** Types by id (index 0 is void). */
export function decodeBtf(bytes: Uint8Array): BtfType[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < BTF_HEADER_SIZE || v.getUint16(0, true) !== BTF_MAGIC) throw new BtfFormatError('bad BTF magic');
  const hdrLen = v.getUint32(4, true);
  const typeOff = hdrLen + v.getUint32(8, true);
  const typeLen = v.getUint32(12, true);
  const strOff = hdrLen + v.getUint32(16, true);
  const strLen = v.getUint32(20, true);
  if (typeOff + typeLen > bytes.length || strOff + strLen > bytes.length) throw new BtfFormatError('BTF sections out of bounds');
  const name = (off: number): string => {
    if (off >= strLen) throw new BtfFormatError(`BTF string offset ${off} out of bounds`);
    let end = strOff + off;
    while (end < strOff + strLen && bytes[end] !== 0) end++;
    return Buffer.from(bytes.subarray(strOff + off, end)).toString('utf8');
  };
  const types: BtfType[] = [{ kind: 0, name: 'void', vlen: 0, size: 0, type: 0 }];
  let at = typeOff;
  const end = typeOff + typeLen;
  while (at < end) {
    if (at + 12 > end) throw new BtfFormatError('truncated BTF type');
    const nameOff = v.getUint32(at, true);
    const info = v.getUint32(at + 4, true);
    const sizeOrType = v.getUint32(at + 8, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const words = extraWords(kind, vlen);
    const x = at + 12;
    if (x + 4 * words > end) throw new BtfFormatError('truncated BTF type');
    const w = (i: number): number => v.getUint32(x + 4 * i, true);
    const base = { kind, name: name(nameOff), vlen, size: sizeOrType, type: sizeOrType };
    if (kind === BTF_KIND.ARRAY) types.push({ ...base, array: { type: w(0), indexType: w(1), nelems: w(2) } });
    else if (kind === BTF_KIND.STRUCT || kind === BTF_KIND.UNION)
      types.push({ ...base, members: Array.from({ length: vlen }, (_, i) => ({ name: name(w(3 * i)), type: w(3 * i + 1), offset: w(3 * i + 2) })) });
    else if (kind === BTF_KIND.DATASEC)
      types.push({ ...base, secinfo: Array.from({ length: vlen }, (_, i) => ({ type: w(3 * i), offset: w(3 * i + 1), size: w(3 * i + 2) })) });
    else if (kind === BTF_KIND.FUNC_PROTO)
      types.push({ ...base, params: Array.from({ length: vlen }, (_, i) => ({ name: name(w(2 * i)), type: w(2 * i + 1) })) });
    else if (kind === BTF_KIND.VAR) types.push({ ...base, linkage: w(0) });
    else types.push(base);
    at = x + 4 * words;
  }
  return types;
}

const MODIFIERS: ReadonlySet<number> = new Set([BTF_KIND.TYPEDEF, BTF_KIND.VOLATILE, BTF_KIND.CONST, BTF_KIND.RESTRICT, BTF_KIND.TYPE_TAG]);

/** Follows typedefs and qualifiers to the type they name. */
export function skipModifiers(types: readonly BtfType[], id: number): number {
  for (let depth = 0; depth < 32; depth++) {
    const t = types[id];
    if (t === undefined) throw new BtfFormatError(`BTF type id ${id} out of range`);
    if (!MODIFIERS.has(t.kind)) return id;
    id = t.type;
  }
  throw new BtfFormatError('BTF modifier chain too long');
}

/** Size in bytes of type id, as btf__resolve_size computes it. */
export function resolveSize(types: readonly BtfType[], id: number): number {
  let n = 1;
  for (let depth = 0; depth < 32; depth++) {
    const t = types[skipModifiers(types, id)]!;
    switch (t.kind) {
      case BTF_KIND.INT:
      case BTF_KIND.STRUCT:
      case BTF_KIND.UNION:
      case BTF_KIND.ENUM:
      case BTF_KIND.ENUM64:
      case BTF_KIND.DATASEC:
      case BTF_KIND.FLOAT:
        return n * t.size;
      case BTF_KIND.PTR:
        return n * 8;
      case BTF_KIND.ARRAY:
        n *= t.array!.nelems;
        id = t.array!.type;
        continue;
      default:
        throw new BtfFormatError(`BTF type id ${id} has no size`);
    }
  }
  throw new BtfFormatError('BTF array nesting too deep');
}
