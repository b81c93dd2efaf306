// The probe catalog reader: tracepoint formats, kernel function signatures, kernel struct
// layouts, kernel enums and the x86-64 syscall table, read from probes/ on first use and cached. Every
// call is synchronous; nothing is read at import time, and a tracepoint's format file is
// read only when that tracepoint is asked for. It does not match patterns (probe_names.ts).

import { readFileSync } from 'node:fs';
import { catalogPath } from './location.js';
import { type CType, type CTypeNames } from './ctype.js';
import { parseTracepointFormat, type TracepointFormat } from './tracepoint_format.js';

export type { CType, CBaseKind, CTypeNames } from './ctype.js';
export type { TracepointFormat, TracepointField } from './tracepoint_format.js';

// ── tracepoints ───────────────────────────────────────────────────────────────────────────

export interface TracepointId {
  readonly category: string;
  readonly event: string;
}

let tracepointIndex: readonly TracepointId[] | undefined;
let tracepointKeys: ReadonlySet<string> | undefined;
const formats = new Map<string, TracepointFormat>();

/** Every tracepoint the synthetic kernel offers, sorted by 'category:event' (C locale). */
export function listTracepoints(): readonly TracepointId[] {
  if (!tracepointIndex) {
    const text = readFileSync(catalogPath('tracepoints', 'index.txt'), 'utf8');
    const list: TracepointId[] = [];
    for (const line of text.split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) list.push({ category: line.slice(0, colon), event: line.slice(colon + 1) });
    }
    tracepointIndex = list;
    tracepointKeys = new Set(list.map((t) => `${t.category}:${t.event}`));
  }
  return tracepointIndex;
}

export function hasTracepoint(category: string, event: string): boolean {
  listTracepoints();
  return tracepointKeys!.has(`${category}:${event}`);
}

/** The exact text of a tracepoint's format file, or undefined for one the catalog lacks. */
export function tracepointFormatText(category: string, event: string): string | undefined {
  if (!hasTracepoint(category, event)) return undefined;
  return readFileSync(catalogPath('tracepoints', category, event, 'format'), 'utf8');
}

/** The parsed format of category:event (fields, offsets, sizes), or undefined if not catalogued. */
export function tracepointFormat(category: string, event: string): TracepointFormat | undefined {
  const key = `${category}:${event}`;
  const hit = formats.get(key);
  if (hit) return hit;
  const text = tracepointFormatText(category, event);
  if (text === undefined) return undefined;
  const parsed = parseTracepointFormat(text, category, event, cTypeNames());
  formats.set(key, parsed);
  return parsed;
}

// ── kernel types: typedefs and tag sizes (small), struct layouts (loaded on demand) ────────

interface TypesFile {
  readonly typedefs: Readonly<Record<string, CType>>;
  readonly tagSizes: Readonly<Record<string, number>>;
  readonly signedEnums: readonly string[];
}

let types: TypesFile | undefined;
function typesFile(): TypesFile {
  types ??= JSON.parse(readFileSync(catalogPath('kernel', 'types.json'), 'utf8')) as TypesFile;
  return types;
}

/** The resolved form of a kernel typedef used by the catalog (u32, pid_t, umode_t, sigset_t). */
export function kernelTypedef(name: string): CType | undefined {
  return Object.hasOwn(typesFile().typedefs, name) ? typesFile().typedefs[name] : undefined;
}

/** Bytes of 'struct x' / 'union x' / 'enum x' for any tag the catalog mentions. */
export function kernelTypeSize(key: string): number | undefined {
  const sizes = typesFile().tagSizes;
  if (Object.hasOwn(sizes, key)) return sizes[key];
  return kernelStruct(key)?.size;
}

let names: CTypeNames | undefined;
/** Name lookups for parseCType backed by the catalog. */
export function cTypeNames(): CTypeNames {
  names ??= {
    typedef: kernelTypedef,
    tagSize: (key) => (Object.hasOwn(typesFile().tagSizes, key) ? typesFile().tagSizes[key] : undefined),
    enumSigned: (key) => typesFile().signedEnums.includes(key),
  };
  return names;
}

export interface KernelStructField {
  readonly name: string;
  readonly type: CType;
  /** Byte offset from the start of the struct (of the byte holding the first bit, for a bit field). */
  readonly offset: number;
  /** Bytes of the field's type (of its storage unit's type, for a bit field). */
  readonly size: number;
  /** Bit fields: first bit within the byte at `offset` (little-endian numbering), and width. */
  readonly bitfield?: { readonly bitOffset: number; readonly bitWidth: number };
}

export interface KernelStruct {
  /** 'struct task_struct', 'union rcu_special', 'atomic_t', 'struct dentry::d_u'. */
  readonly name: string;
  readonly size: number;
  readonly union?: boolean;
  /**
   * In declaration order. Members of anonymous structs and unions are lifted into the parent
   * at their real offsets, as C lets a program name them (so union members overlap).
   */
  readonly fields: readonly KernelStructField[];
}

let structs: Readonly<Record<string, KernelStruct>> | undefined;
function structTable(): Readonly<Record<string, KernelStruct>> {
  structs ??= (JSON.parse(readFileSync(catalogPath('kernel', 'structs.json'), 'utf8')) as { structs: Record<string, KernelStruct> })
    .structs;
  return structs;
}

/**
 * The layout of a kernel struct or union. Accepts 'struct sock', 'sock', 'union u', a typedef
 * of a struct ('atomic_t', 'spinlock_t') or a CType base ('struct dentry::d_u').
 */
export function kernelStruct(name: string): KernelStruct | undefined {
  const table = structTable();
  const trimmed = name.trim();
  for (const key of [trimmed, `struct ${trimmed}`, `union ${trimmed}`]) {
    if (Object.hasOwn(table, key)) return table[key];
  }
  const td = kernelTypedef(trimmed);
  if (td && td.pointerDepth === 0 && td.arrayLength === undefined && (td.baseKind === 'struct' || td.baseKind === 'union')) {
    return Object.hasOwn(table, td.base) ? table[td.base] : undefined;
  }
  return undefined;
}

let definitions: ReadonlyMap<string, string> | undefined;

/**
 * The C definition of a laid-out named struct or union, or of a catalogued named enum, as the
 * kernel's BTF prints it (`struct path {\n\tstruct vfsmount *mnt;\n…};`), for
 * `bpftrace -lv 'struct path'` and `-lv 'enum tcp_ca_state'`.
 */
export function kernelStructDefinition(key: string): string | undefined {
  if (!definitions) {
    const map = new Map<string, string>();
    for (const file of ['structs.h', 'enums.h']) {
      const lines = readFileSync(catalogPath('kernel', file), 'utf8').split('\n');
      for (let i = 0; i < lines.length; i++) {
        const m = /^((?:struct|union|enum) \w+) \{(\};)?$/.exec(lines[i]!);
        if (!m) continue;
        let j = i;
        while (!m[2] && !/^\}.*;$/.test(lines[j]!)) j++;
        map.set(m[1]!, lines.slice(i, j + 1).join('\n'));
        i = j;
      }
    }
    definitions = map;
  }
  return definitions.get(key);
}

/** Every 'struct x' / 'union x' / 'enum x' the catalog knows by name (laid out, only sized, or an enum with constants), sorted. */
export function kernelTypeNames(): readonly string[] {
  const names = new Set(Object.keys(typesFile().tagSizes));
  for (const k of Object.keys(structTable())) if (/^(struct|union) \w+$/.test(k)) names.add(k);
  for (const e of enumsFile().enums) if (!e.anonymous) names.add(`enum ${e.name}`);
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// ── kernel enums ──────────────────────────────────────────────────────────────────────────

export interface KernelEnum {
  /** The tag ('tcp_ca_state'), or for an unnamed enum a label from its first enumerator: '(unnamed TCP_ESTABLISHED)'. */
  readonly name: string;
  readonly anonymous: boolean;
  /** Bytes (1 for `__attribute__((mode(byte)))` enums such as rw_hint). */
  readonly size: number;
  /** BTF marks an enum signed when an enumerator is negative (rpm_status). */
  readonly signed: boolean;
  /**
   * Enumerators in declaration order, only those a bare identifier resolves to (a name an
   * earlier BTF enum also holds belongs to that one). Values may repeat.
   */
  readonly values: readonly { readonly name: string; readonly value: bigint }[];
}

interface EnumsJson {
  readonly enums: Readonly<Record<string, { readonly value: number | string; readonly enum: string }>>;
  readonly types: Readonly<Record<string, { readonly size: number; readonly signed: boolean; readonly anonymous?: boolean }>>;
}

let enumTable: { readonly enums: readonly KernelEnum[]; readonly byName: ReadonlyMap<string, KernelEnum>; readonly byConstant: ReadonlyMap<string, KernelEnum> } | undefined;
function enumsFile(): NonNullable<typeof enumTable> {
  if (enumTable) return enumTable;
  const file = JSON.parse(readFileSync(catalogPath('kernel', 'enums.json'), 'utf8')) as EnumsJson;
  const values = new Map<string, { name: string; value: bigint }[]>(Object.keys(file.types).map((k) => [k, []]));
  const byConstant = new Map<string, string>();
  for (const [name, c] of Object.entries(file.enums)) {
    values.get(c.enum)?.push({ name, value: BigInt(c.value) });
    byConstant.set(name, c.enum);
  }
  const enums = Object.entries(file.types).map(([name, t]) => ({
    name,
    anonymous: t.anonymous === true,
    size: t.size,
    signed: t.signed,
    values: values.get(name)!,
  }));
  const byName = new Map(enums.map((e) => [e.name, e]));
  enumTable = { enums, byName, byConstant: new Map([...byConstant].map(([c, e]) => [c, byName.get(e)!])) };
  return enumTable;
}

/** A catalogued kernel enum by tag: 'tcp_ca_state' or 'enum tcp_ca_state'. */
export function kernelEnum(name: string): KernelEnum | undefined {
  return enumsFile().byName.get(name.trim().replace(/^enum\s+/, ''));
}

/** The enum a bare identifier such as TCP_CLOSE names a constant of, and its value. */
export function kernelEnumConstant(name: string): { readonly value: bigint; readonly enum: KernelEnum } | undefined {
  const e = enumsFile().byConstant.get(name);
  if (!e) return undefined;
  return { value: e.values.find((v) => v.name === name)!.value, enum: e };
}

/** Every catalogued kernel enum, ascending by BTF id (the order bpftrace searches them). */
export function kernelEnums(): readonly KernelEnum[] {
  return enumsFile().enums;
}

/** Names of every struct the catalog lays out, sorted. */
export function kernelStructNames(): readonly string[] {
  return Object.keys(structTable()).sort();
}

// ── kernel functions ────────────────────────────────────────────────────────────────────────

export interface KernelFunctionArg {
  readonly name: string;
  readonly type: CType;
}

export interface KernelFunction {
  readonly name: string;
  /** In order: arg0 is args[0]. */
  readonly args: readonly KernelFunctionArg[];
  readonly ret: CType;
  /** The kernel's BTF describes it, so fentry/fexit can attach (and -lv lists it there). */
  readonly btf: boolean;
  /** The kernel has it only under a compiler-renamed symbol (finish_task_switch.isra.0). */
  readonly inlinedOrRenamed?: boolean;
}

let functions: readonly KernelFunction[] | undefined;
let functionMap: ReadonlyMap<string, KernelFunction> | undefined;

/** Every catalogued kernel function (kprobe-able), sorted by name. */
export function kernelFunctions(): readonly KernelFunction[] {
  if (!functions) {
    const file = JSON.parse(readFileSync(catalogPath('kernel', 'functions.json'), 'utf8')) as { functions: KernelFunction[] };
    functions = file.functions;
    functionMap = new Map(functions.map((f) => [f.name, f]));
  }
  return functions;
}

export function kernelFunction(name: string): KernelFunction | undefined {
  kernelFunctions();
  return functionMap!.get(name);
}

// ── syscalls ──────────────────────────────────────────────────────────────────────────────

export interface SyscallEntry {
  /** The x86-64 number (orig_rax, args.__syscall_nr, args.id of raw_syscalls). */
  readonly nr: number;
  /** The user-visible name: 'stat', 'umount2'. */
  readonly name: string;
  /**
   * The suffix of its syscalls:sys_enter_/sys_exit_ tracepoints, which can differ from the
   * name ('newstat', 'umount'); undefined when this kernel has no tracepoint for it.
   */
  readonly event?: string;
}

let syscalls: readonly SyscallEntry[] | undefined;
let syscallsByNr: ReadonlyMap<number, SyscallEntry> | undefined;
let syscallsByName: ReadonlyMap<string, SyscallEntry> | undefined;
let syscallsByEvent: ReadonlyMap<string, SyscallEntry> | undefined;

/** The x86-64 syscall table, ascending by number. */
export function syscallTable(): readonly SyscallEntry[] {
  if (!syscalls) {
    const list: SyscallEntry[] = [];
    for (const line of readFileSync(catalogPath('syscalls', 'x86_64.tbl'), 'utf8').split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const [nr, name, event] = line.split('\t');
      list.push({ nr: Number(nr), name: name!, ...(event && event !== '-' ? { event } : {}) });
    }
    syscalls = list;
    syscallsByNr = new Map(list.map((s) => [s.nr, s]));
    syscallsByName = new Map(list.map((s) => [s.name, s]));
    syscallsByEvent = new Map(list.filter((s) => s.event).map((s) => [s.event!, s]));
  }
  return syscalls;
}

/** 'read' for 0; undefined for a number with no syscall. */
export function syscallName(nr: number): string | undefined {
  syscallTable();
  return syscallsByNr!.get(nr)?.name;
}

/** By user-visible name ('openat', 'stat'). */
export function syscallByName(name: string): SyscallEntry | undefined {
  syscallTable();
  return syscallsByName!.get(name);
}

/** By tracepoint suffix: 'newstat' (from sys_enter_newstat) → stat, nr 4. */
export function syscallByEvent(event: string): SyscallEntry | undefined {
  syscallTable();
  return syscallsByEvent!.get(event);
}
