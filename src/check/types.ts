// The checker's type system (bpftrace's SizedType): every value a program handles has one,
// with its size in bytes, so the compiler can lay it out on the stack and in maps and the
// output can decode it. Pure data plus small constructors; no checking logic lives here.

export type SizedType =
  | VoidType
  | IntType
  | BoolType
  | StringType
  | BufferType
  | PointerType
  | ArrayType
  | StructType
  | TupleType
  | RecordType
  | SymbolType
  | StackType
  | SpecialType
  | AggregationType;

/** No value (statements, printf's result). */
export interface VoidType {
  readonly kind: 'void';
  readonly size: 0;
}

export interface IntType {
  readonly kind: 'int';
  readonly size: 1 | 2 | 4 | 8;
  readonly signed: boolean;
  /** Set when the integer is a C enum: printed symbolically by print(). */
  readonly enumName?: string;
}

export interface BoolType {
  readonly kind: 'bool';
  readonly size: 1;
}

/** A NUL-padded string of at most size-1 characters (size includes the NUL). */
export interface StringType {
  readonly kind: 'string';
  readonly size: number;
}

/** buf(): a length-prefixed byte buffer (u32 length, then `size - 4`... see compile/layout). */
export interface BufferType {
  readonly kind: 'buffer';
  readonly size: number;
}

export interface PointerType {
  readonly kind: 'pointer';
  readonly size: 8;
  readonly to: SizedType;
  /** Where the pointee lives: read with probe_read_kernel or probe_read_user. */
  readonly space: 'kernel' | 'user';
}

export interface ArrayType {
  readonly kind: 'array';
  readonly size: number;
  readonly elem: SizedType;
  readonly count: number;
}

export interface Field {
  readonly name: string;
  readonly type: SizedType;
  readonly offset: number;
  /** For C bit fields. */
  readonly bitfield?: { readonly bitOffset: number; readonly bitWidth: number };
  /**
   * Tracepoint `__data_loc` field: the 4 bytes at `offset` hold (length << 16) | offset of
   * the data within the record; `type` is a pointer to the data's element type.
   */
  readonly dataLoc?: boolean;
  /** Tracepoint common_* field (bpftrace refuses to read those). */
  readonly common?: boolean;
}

/** A C struct or union: a tracepoint's args record, a kernel struct, or the program's own. */
export interface StructType {
  readonly kind: 'struct';
  /** 'struct task_struct', 'union u', or the tracepoint record name 'struct _tracepoint_syscalls_sys_enter_openat'. */
  readonly name: string;
  readonly size: number;
  readonly fields: readonly Field[];
  readonly union?: boolean;
}

/** `(a, b)`: elements laid out like a C struct (naturally aligned, padded). */
export interface TupleType {
  readonly kind: 'tuple';
  readonly size: number;
  readonly fields: readonly Field[];
}

/** `(name = a, other = b)` */
export interface RecordType {
  readonly kind: 'record';
  readonly size: number;
  readonly fields: readonly Field[];
}

/** ksym()/usym()/kaddr-like values printed as symbols: a u64 address (usym: plus a pid). */
export interface SymbolType {
  readonly kind: 'ksym' | 'usym';
  readonly size: 8 | 16;
}

/** kstack/ustack: a stack id in the stack_trace map (ustack: plus the pid), with how to print it. */
export interface StackType {
  readonly kind: 'kstack' | 'ustack';
  /** bpftrace 0.23: 16 for kstack (stack id, nr frames), 24 for ustack (plus pid). */
  readonly size: 8 | 16 | 24;
  readonly mode: 'bpftrace' | 'perf' | 'raw';
  readonly limit: number;
}

/**
 * Values with a fixed layout and a special printer: username (uid → name), timestamp
 * (strftime), inet (ntop), mac_address, cgroup_path, strerror, timestamp_mode. stack_mode is
 * the type of the mode identifiers `kstack(perf)` takes (size 0, never stored).
 */
export interface SpecialType {
  readonly kind: 'username' | 'timestamp' | 'inet' | 'mac_address' | 'cgroup_path' | 'strerror' | 'timestamp_mode' | 'stack_mode';
  readonly size: number;
}

/** A map value written by an aggregation function; never mixed with plain values. */
export interface AggregationType {
  readonly kind: 'count' | 'sum' | 'min' | 'max' | 'avg' | 'stats' | 'hist' | 'lhist' | 'tseries';
  /** Bytes of one map value as the compiler lays it out (per CPU). */
  readonly size: number;
  /** The argument's signedness (sum/min/max/avg/stats of signed values print signed). */
  readonly signed: boolean;
  /** hist: log2 bits argument (0..5); lhist: min, max, step; tseries: interval, count. */
  readonly params?: readonly bigint[];
}

// ── constructors ────────────────────────────────────────────────────────────────────────

export const voidType: VoidType = { kind: 'void', size: 0 };
export const boolType: BoolType = { kind: 'bool', size: 1 };

export function intType(size: 1 | 2 | 4 | 8, signed: boolean): IntType {
  return { kind: 'int', size, signed };
}

export const uint8 = intType(1, false);
export const uint16 = intType(2, false);
export const uint32 = intType(4, false);
export const uint64 = intType(8, false);
export const int8 = intType(1, true);
export const int16 = intType(2, true);
export const int32 = intType(4, true);
export const int64 = intType(8, true);

export function stringType(size: number): StringType {
  return { kind: 'string', size };
}

export function pointerTo(to: SizedType, space: 'kernel' | 'user' = 'kernel'): PointerType {
  return { kind: 'pointer', size: 8, to, space };
}

export function isAggregation(t: SizedType): t is AggregationType {
  return ['count', 'sum', 'min', 'max', 'avg', 'stats', 'hist', 'lhist', 'tseries'].includes(t.kind);
}

export function isInteger(t: SizedType): t is IntType {
  return t.kind === 'int';
}

/** The name bpftrace prints for a type in messages: 'int64', 'string[16]', 'uint8 *', '(int64,string[16])'. */
export function typeName(t: SizedType): string {
  switch (t.kind) {
    case 'void':
      return 'none';
    case 'int':
      return t.enumName ? `enum ${t.enumName}` : `${t.signed ? '' : 'u'}int${t.size * 8}`;
    case 'bool':
      return 'bool';
    case 'string':
      return `string[${t.size}]`;
    case 'buffer':
      return `buffer[${t.size}]`;
    case 'pointer':
      return `${typeName(t.to)} *`;
    case 'array':
      return `${typeName(t.elem)}[${t.count}]`;
    case 'struct':
      return t.name;
    case 'tuple':
      return `(${t.fields.map((f) => typeName(f.type)).join(',')})`;
    case 'record':
      return `(${t.fields.map((f) => `${f.name}=${typeName(f.type)}`).join(',')})`;
    case 'kstack':
    case 'ustack':
      return t.kind;
    case 'ksym':
    case 'usym':
      return `${t.kind}_t`;
    case 'inet':
      return `inet[${t.size}]`;
    case 'cgroup_path':
    case 'strerror':
      return `${t.kind}_t`;
    case 'count':
    case 'sum':
    case 'min':
    case 'max':
    case 'avg':
    case 'stats':
      return `${t.signed ? '' : 'u'}${t.kind}_t`;
    case 'hist':
    case 'lhist':
    case 'tseries':
      return `${t.kind}_t`;
    default:
      return t.kind;
  }
}
