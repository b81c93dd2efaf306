// From C types to bpftrace types: the catalog's CType (kernel struct fields, function
// arguments, tracepoint fields), the program's own struct/union/enum definitions, and type
// names written in casts and `let` declarations. Out: SizedType / StructType, built lazily
// and cached by name so that self-referencing kernel structs (task_struct) stay finite.
// It does not check expressions; infer.ts does.

import {
  cTypeNames,
  kernelFunction,
  kernelStruct,
  kernelTypedef,
  type CType,
  type KernelFunction,
  type TracepointFormat,
} from '../probes/catalog.js';
import { parseCType } from '../probes/ctype.js';
import type { CDefinition } from '../parse/ast.js';
import {
  boolType,
  intType,
  pointerTo,
  stringType,
  voidType,
  type Field,
  type SizedType,
  type StructType,
} from './types.js';

/** bpftrace's integer type names. */
export const INT_TYPE_NAMES: Readonly<Record<string, SizedType>> = {
  uint8: intType(1, false),
  int8: intType(1, true),
  uint16: intType(2, false),
  int16: intType(2, true),
  uint32: intType(4, false),
  int32: intType(4, true),
  uint64: intType(8, false),
  int64: intType(8, true),
};

/**
 * The kernel's fixed-width integer typedefs, usable in casts as bpftrace allows with BTF
 * (`(uint64_t)x`), whether or not the catalog lists them.
 */
export const FIXED_WIDTH_TYPEDEFS: Readonly<Record<string, SizedType>> = Object.fromEntries(
  ([1, 2, 4, 8] as const).flatMap((size) => {
    const bits = size * 8;
    const u = intType(size, false);
    const i = intType(size, true);
    return [
      [`uint${bits}_t`, u],
      [`int${bits}_t`, i],
      [`u${bits}`, u],
      [`s${bits}`, i],
      [`__u${bits}`, u],
      [`__s${bits}`, i],
    ];
  }),
);

/** C spellings bpftrace hints at when used in a cast (`(int)x` → did you mean int32?). */
export const C_TYPE_HINTS: Readonly<Record<string, string>> = { char: 'int8', short: 'int16', int: 'int32', long: 'int64' };

/** Alignment of a type in a C struct. */
export function alignOf(t: SizedType): number {
  switch (t.kind) {
    case 'int':
    case 'bool':
    case 'pointer':
      return t.size;
    case 'array':
      return alignOf(t.elem);
    case 'struct':
    case 'tuple':
    case 'record':
      return Math.max(1, ...t.fields.map((f) => alignOf(f.type)));
    case 'string':
    case 'buffer':
      return 1;
    default:
      return Math.min(8, Math.max(1, t.size));
  }
}

/** Lays out fields C-style (natural alignment, tail padding), as bpftrace does for tuples. */
export function layoutFields(types: readonly { name: string; type: SizedType }[]): { fields: Field[]; size: number } {
  let offset = 0;
  let maxAlign = 1;
  const fields: Field[] = [];
  for (const { name, type } of types) {
    const a = alignOf(type);
    maxAlign = Math.max(maxAlign, a);
    offset = Math.ceil(offset / a) * a;
    fields.push({ name, type, offset });
    offset += type.size;
  }
  return { fields, size: Math.ceil(offset / maxAlign) * maxAlign };
}

export function tupleType(elems: readonly SizedType[]): SizedType {
  const { fields, size } = layoutFields(elems.map((type, i) => ({ name: String(i), type })));
  return { kind: 'tuple', size, fields };
}

export function recordType(entries: readonly { name: string; type: SizedType }[]): SizedType {
  const { fields, size } = layoutFields(entries);
  return { kind: 'record', size, fields };
}

/**
 * The name an enum's values carry in their type (and print by): its tag, or for an anonymous
 * enum the one bpftrace 0.23 reports, its line in the definitions.h it generates (the n-th
 * of the program's C definitions, 1-based, sits on line n + 1). Distinct per anonymous enum,
 * and never empty, so an anonymous enum's values are enum-typed like a named one's.
 */
export function enumTypeName(def: CDefinition, ordinal: number): string {
  return def.name !== '' ? def.name : `enum (unnamed at definitions.h:${ordinal + 1}:1)`;
}

/**
 * Resolves struct names to StructTypes: the program's definitions first, then the kernel
 * catalog. Kernel structs are created once per name with their fields computed on first
 * access, so a struct may point to itself.
 */
export class StructRegistry {
  private readonly cache = new Map<string, StructType>();
  private readonly programDefs = new Map<string, CDefinition>();
  /** Enum constants of the program's own enums, by constant name. */
  readonly enumConstants = new Map<string, { value: bigint; enumName: string }>();
  /** Program-defined enums by name with their constants (for printing symbolically). */
  readonly enums = new Map<string, Map<bigint, string>>();

  /** Definitions added so far: an anonymous enum is named by its place among them. */
  private definitionCount = 0;

  addDefinition(def: CDefinition): void {
    this.definitionCount++;
    if (def.tag === 'enum') {
      const name = enumTypeName(def, this.definitionCount);
      let next = 0n;
      const values = new Map<bigint, string>();
      for (const e of def.enumerators) {
        const v = e.value ?? next;
        this.enumConstants.set(e.name, { value: v, enumName: name });
        values.set(v, e.name);
        next = v + 1n;
      }
      this.enums.set(name, values);
      return;
    }
    this.programDefs.set(`${def.tag} ${def.name}`, def);
    this.cache.delete(`${def.tag} ${def.name}`);
  }

  /** Every struct resolved so far (for CheckedProgram.structs). */
  all(): ReadonlyMap<string, StructType> {
    return this.cache;
  }

  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }

  /** 'struct task_struct', 'union x', a typedef of a struct ('atomic_t'). */
  lookup(name: string): StructType | undefined {
    const key = name.trim();
    const hit = this.cache.get(key);
    if (hit) return hit;
    const def = this.programDefs.get(key);
    if (def) return this.fromDefinition(key, def);
    const ks = kernelStruct(key);
    if (!ks) return undefined;
    const cached = this.cache.get(ks.name);
    if (cached) {
      this.cache.set(key, cached);
      return cached;
    }
    let fields: Field[] | undefined;
    const registry = this;
    const st = {
      kind: 'struct' as const,
      name: ks.name.includes('::') ? ks.name : ks.name,
      size: ks.size,
      ...(ks.union ? { union: true } : {}),
      get fields(): readonly Field[] {
        fields ??= ks.fields.map((f) => {
          const type = registry.fromCType(f.type);
          return f.bitfield ? { name: f.name, type, offset: f.offset, bitfield: f.bitfield } : { name: f.name, type, offset: f.offset };
        });
        return fields;
      },
    } satisfies StructType;
    this.cache.set(key, st);
    this.cache.set(ks.name, st);
    return st;
  }

  private fromDefinition(key: string, def: CDefinition): StructType {
    // Placeholder first, so a field `struct self *next` resolves to this same object.
    const st: { kind: 'struct'; name: string; size: number; fields: Field[]; union?: boolean } = {
      kind: 'struct',
      name: key,
      size: 0,
      fields: [],
      ...(def.tag === 'union' ? { union: true } : {}),
    };
    this.cache.set(key, st);
    const types = def.fields.map((f, i) => {
      let type: SizedType;
      if (f.inline) {
        // `struct { … } name;` members: a nested type named after its place, as BTF names them.
        const inner = this.fromDefinition(`${key}::${f.name || `(anon ${i})`}`, f.inline);
        type = f.type.pointer > 0 ? pointerTo(inner, 'kernel') : inner;
        if (f.type.arraySize !== undefined) type = arrayOf(type, f.type.arraySize);
      } else type = this.fromText(f.type.name, f.type.pointer, f.type.arraySize) ?? intType(8, true);
      return { name: f.name, type, bitWidth: f.bitWidth, anonymous: !!f.inline && f.name === '' };
    });
    if (def.tag === 'union') {
      st.fields = types.map((t) => ({ name: t.name, type: t.type, offset: 0 }));
      const size = Math.max(0, ...types.map((t) => t.type.size));
      const align = Math.max(1, ...types.map((t) => alignOf(t.type)));
      st.size = Math.ceil(size / align) * align;
    } else {
      let offset = 0;
      let bit = 0;
      let maxAlign = 1;
      for (const t of types) {
        const a = alignOf(t.type);
        maxAlign = Math.max(maxAlign, a);
        if (t.bitWidth !== undefined) {
          const unitBits = t.type.size * 8;
          const unitStart = Math.floor(offset / a) * a;
          let bitPos = (offset - unitStart) * 8 + bit;
          if (bitPos + t.bitWidth > unitBits) {
            offset = unitStart + t.type.size;
            bit = 0;
            bitPos = 0;
          }
          const byte = Math.floor(offset / a) * a + Math.floor(bitPos / 8);
          st.fields.push({ name: t.name, type: t.type, offset: byte, bitfield: { bitOffset: bitPos % 8, bitWidth: t.bitWidth } });
          const endBits = bitPos + t.bitWidth;
          offset = Math.floor(offset / a) * a + Math.floor(endBits / 8);
          bit = endBits % 8;
          continue;
        }
        if (bit > 0) {
          offset += 1;
          bit = 0;
        }
        offset = Math.ceil(offset / a) * a;
        st.fields.push({ name: t.name, type: t.type, offset });
        offset += t.type.size;
      }
      if (bit > 0) offset += 1;
      st.size = Math.ceil(offset / maxAlign) * maxAlign;
    }
    // Members of anonymous nested structs/unions belong to this struct, at their real offsets.
    st.fields = st.fields.flatMap((f, i) =>
      types[i]?.anonymous && f.type.kind === 'struct' ? f.type.fields.map((g) => ({ ...g, offset: g.offset + f.offset })) : [f],
    );
    return st;
  }

  /** A C type written as text pieces (a struct field of the program, a cast to a C name). */
  fromText(name: string, pointer: number, arraySize?: number): SizedType | undefined {
    const builtin = INT_TYPE_NAMES[name] ?? FIXED_WIDTH_TYPEDEFS[name];
    let base: SizedType | undefined = builtin ?? (name === 'bool' ? boolType : undefined);
    if (!base) {
      const tagged = /^(struct|union|enum)\s+(\w+)$/.exec(name);
      if (tagged && tagged[1] !== 'enum') {
        base = this.lookup(name) ?? { kind: 'struct', name, size: 0, fields: [] };
      } else {
        const c = parseCType(name, cTypeNames());
        if (!c) return undefined;
        base = this.fromCType(c);
      }
    }
    let t = base;
    for (let i = 0; i < pointer; i++) t = pointerTo(t, 'kernel');
    if (arraySize !== undefined) t = arrayOf(t, arraySize);
    return t;
  }

  /** The catalog's resolved C type → bpftrace type (char arrays become strings, as bpftrace does). */
  fromCType(c: CType, space: 'kernel' | 'user' = 'kernel'): SizedType {
    let base: SizedType;
    switch (c.baseKind) {
      case 'int':
        base = c.base === 'char' ? intType(1, true) : sizedInt(c.baseSize, c.signed);
        break;
      case 'bool':
        base = boolType;
        break;
      case 'enum': {
        const size = (c.baseSize === 1 || c.baseSize === 2 || c.baseSize === 4 || c.baseSize === 8 ? c.baseSize : 4) as 1 | 2 | 4 | 8;
        base = { kind: 'int', size, signed: c.signed, enumName: c.base.replace(/^enum /, '') };
        break;
      }
      case 'float':
        base = sizedInt(c.baseSize, true);
        break;
      case 'void':
      case 'func':
        base = voidType;
        break;
      case 'struct':
      case 'union':
        base = this.lookup(c.base) ?? { kind: 'struct', name: c.base, size: c.baseSize, fields: [] };
        break;
    }
    let t = base;
    for (let i = 0; i < c.pointerDepth; i++) t = pointerTo(t, space);
    if (c.arrayLength !== undefined) t = arrayOf(t, c.arrayLength);
    return t;
  }
}

function sizedInt(size: number, signed: boolean): SizedType {
  const s = (size === 1 || size === 2 || size === 4 || size === 8 ? size : 8) as 1 | 2 | 4 | 8;
  return intType(s, signed);
}

/** `T[n]`; arrays of chars (int8/uint8 from C `char`) become strings as bpftrace types them. */
export function arrayOf(elem: SizedType, count: number): SizedType {
  if (elem.kind === 'int' && elem.size === 1 && elem.signed && !elem.enumName) return stringType(count);
  return { kind: 'array', size: elem.size * count, elem, count };
}

/** A plain array (no char→string conversion): casts like `(int8[4])x` keep the array. */
export function plainArray(elem: SizedType, count: number): SizedType {
  return { kind: 'array', size: elem.size * count, elem, count };
}

// ── probe contexts ───────────────────────────────────────────────────────────────────────

/** bpftrace's name for a tracepoint's record type. */
export function tracepointStructName(category: string, event: string): string {
  return `struct _tracepoint_${category}_${event}`;
}

/** Integer fields the format declares narrower than the 8 bytes they occupy (syscall args) are widened, as bpftrace does. */
const WIDENED_8: Readonly<Record<string, SizedType>> = {
  int: intType(8, true),
  'unsigned int': intType(8, false),
  unsigned: intType(8, false),
  u32: intType(8, false),
  pid_t: intType(8, false),
  uid_t: intType(8, false),
  gid_t: intType(8, false),
};

/**
 * The record of a tracepoint as `args` sees it: every field at the format's offset. Pointers
 * in syscalls records are user-space addresses. `__data_loc` fields are marked `dataLoc` and
 * typed as a pointer to char (str() reads the string they locate).
 */
export function tracepointStruct(fmt: TracepointFormat, registry: StructRegistry): StructType {
  const space = fmt.category === 'syscalls' ? 'user' : 'kernel';
  const fields: Field[] = fmt.fields.map((f) => {
    let type: SizedType;
    if (f.dataLoc) type = pointerTo(intType(1, true), 'kernel');
    else if (f.arrayLength === undefined && f.size === 8 && WIDENED_8[f.typeText] !== undefined) type = WIDENED_8[f.typeText]!;
    else type = registry.fromCType(f.type, space);
    const field: Field & { dataLoc?: boolean; common?: boolean } = { name: f.name, type, offset: f.offset };
    if (f.dataLoc) field.dataLoc = true;
    if (f.common) field.common = true;
    return field;
  });
  return { kind: 'struct', name: tracepointStructName(fmt.category, fmt.event), size: fmt.size, fields };
}

/** fentry/fexit/rawtracepoint arguments: one 8-byte slot per argument, as the trampoline passes them. */
export function functionArgsStruct(fn: KernelFunction, registry: StructRegistry, provider: string): StructType {
  const fields: Field[] = fn.args.map((a, i) => ({ name: a.name, type: registry.fromCType(a.type), offset: i * 8 }));
  return { kind: 'struct', name: `struct ${provider}:vmlinux:${fn.name}`, size: fn.args.length * 8, fields };
}

export function functionRetType(fn: KernelFunction, registry: StructRegistry): SizedType {
  return registry.fromCType(fn.ret);
}

export { kernelFunction, kernelTypedef };
