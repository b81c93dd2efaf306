// What the checker hands to the compiler: the program after imports, preprocessor, macros and
// positional/named parameters have been applied, every probe resolved against the catalog,
// every expression typed, every map and scratch variable given its one final type.
// Pure data (interfaces and a few lookups); the checking itself lives in check.ts and infer.ts.

import type { SourceFile, Span } from '../diag/source.js';
import type {
  AttachPoint,
  Block,
  Call,
  Expr,
  ForMap,
  ForRange,
  LetDecl,
  Probe,
  Program,
  Variable,
  Binary,
  Subprog,
} from '../parse/ast.js';
import type { AggregationType, SizedType, StructType } from './types.js';
import type { ConfigValues } from './config.js';
import type { FormatSpec } from './format.js';
import type { FunctionRow } from './functions.js';
import type { ProviderName, ProgType } from './providers.js';

/**
 * The checked program. The AST in `program`/`probes[i].body` is the *expanded* tree: macro
 * calls are replaced by the macro bodies (BlockExpr), `#define` constants and positional
 * parameters (`$1`, `$#`, `str($1 + 2)`) by literals, `getopt()` calls by literals holding
 * the command-line value, `#ifdef` branches by the branch taken, imports merged in. The
 * compiler therefore never meets Positional, PositionalCount, macro calls, Define or
 * Conditional nodes. Node identity is the key of every side table below.
 */
export interface CheckedProgram {
  /** The root source (the `-e` text or the script). */
  readonly source: SourceFile;
  /** Every source the program was assembled from (root first, then imports in order). */
  readonly sources: readonly SourceFile[];
  /** The expanded program (top level: CDefinitions, MapDecls, Subprogs and Probes only). */
  readonly program: Program;
  /** Config after defaults, the script's `config = {}` block and the caller's overrides. */
  readonly config: ConfigValues;
  /** Action blocks in source order (imports' probes in import order before the root's). */
  readonly probes: readonly CheckedProbe[];
  /** `fn name(...)` subprograms, if any. */
  readonly subprogs: readonly CheckedSubprog[];
  /** Every map by its name as written with '@' (`'@'` for the anonymous map). */
  readonly maps: ReadonlyMap<string, MapInfo>;
  /** Type of every expression node of the expanded tree (predicates, bodies, call args…). */
  readonly types: ReadonlyMap<Expr, SizedType>;
  /**
   * For binary operators whose operands are converted before the operation: the common
   * type both operands are brought to (integer promotion to the larger width, signed only
   * when both are). Absent for pointer arithmetic and string/array/tuple comparisons.
   */
  readonly operandTypes: ReadonlyMap<Binary, SizedType>;
  /** Every call of a builtin function, with its table row and what was resolved for it. */
  readonly calls: ReadonlyMap<Call, CallInfo>;
  /** Every scratch-variable occurrence (uses, targets, `let`, loop variables) → its slot. */
  readonly variables: ReadonlyMap<Variable, VarSlot>;
  /** Enum constants used as bare identifiers, by node (value already known). */
  readonly constants: ReadonlyMap<Expr, bigint>;
  /** Format strings of printf/system/cat/errorf/warnf, indexed by FormatSpec.id. */
  readonly formats: readonly FormatSpec[];
  /** Structs and unions the program can reach: its own, tracepoint records, kernel ones. */
  readonly structs: ReadonlyMap<string, StructType>;
  /** Named parameters declared through getopt(), for `--help` and value reporting. */
  readonly namedParams: readonly NamedParam[];
  /** The positional parameters given on the command line ($1 is index 0). */
  readonly positional: readonly string[];
}

/** One action block: `[name=]ap, ap… /pred/ { body }`. */
export interface CheckedProbe {
  /** 0-based, in the order the compiler should emit programs and run BEGIN/END blocks. */
  readonly index: number;
  readonly node: Probe;
  readonly attachPoints: readonly ResolvedAttachPoint[];
  readonly predicate?: Expr;
  readonly body: Block;
  /** The canonical provider when every attach point shares one, else undefined. */
  readonly provider?: ProviderName;
  /**
   * The eBPF program type when every attach point shares one (bpftrace allows mixing,
   * e.g. `kprobe:a, tracepoint:b:c { }`; each ResolvedAttachPoint then has its own).
   */
  readonly progType?: ProgType;
  /** Default address space of untyped integers read from the context (argN, retval, reg()). */
  readonly addressSpace: 'kernel' | 'user';
  /**
   * True when the body must be compiled once per match rather than once per probe:
   * it uses `probe`, `func` with differing values, or `args` over tracepoints with
   * different records. bpftrace does the same ("probe expansion").
   */
  readonly expandPerMatch: boolean;
  /** Scratch variables of this probe (one slot per distinct binding), in first-seen order. */
  readonly variables: readonly VarSlot[];
  /** Builtins the body uses (by name: 'pid', 'args', 'arg0', …), for the loader/compiler. */
  readonly builtinsUsed: readonly string[];
}

/** An attach point after aliases, parameters and wildcards are resolved. */
export interface ResolvedAttachPoint {
  readonly node: AttachPoint;
  /** Canonical provider: 'kprobe' for `k`, 'fentry' for `f`/`kfunc`, 'BEGIN' for `begin`… */
  readonly provider: ProviderName;
  readonly progType: ProgType;
  /** Parts after the provider, as written (e.g. ['syscalls', 'sys_enter_*']). */
  readonly parts: readonly string[];
  /** Concrete probes this attach point fires on (one for non-wildcard ones). */
  readonly matches: readonly ProbeMatch[];
  /** profile/interval/software/hardware: the unit and count (`hz:99` → {unit:'hz', value:99}). */
  readonly period?: { readonly unit: 'hz' | 's' | 'ms' | 'us' | 'ns' | 'count'; readonly value: bigint };
  /** kprobe:func+offset */
  readonly offset?: bigint;
}

export interface ProbeMatch {
  /** Full probe name as `probe` prints it: 'tracepoint:syscalls:sys_enter_openat', 'kprobe:vfs_read', 'BEGIN'. */
  readonly name: string;
  /** tracepoint category, uprobe binary, usdt binary…; '' when the provider has none. */
  readonly target: string;
  /** tracepoint event, kernel function, signal name, iterator…; '' when none. */
  readonly func: string;
  /**
   * The context record the program reads: the tracepoint's format struct (fields at the
   * format file's offsets), the function's arguments for fentry/fexit/rawtracepoint.
   */
  readonly args?: StructType;
  /** fentry/fexit: the function's return type (what `retval` is). */
  readonly retval?: SizedType;
}

export interface CheckedSubprog {
  readonly node: Subprog;
  readonly params: readonly VarSlot[];
  readonly returnType: SizedType;
  readonly variables: readonly VarSlot[];
}

/** A scratch variable binding: one stack slot. Shadowed/other-block variables get other slots. */
export interface VarSlot {
  /** Unique over the program. */
  readonly id: number;
  /** As written, with '$'. Macro-local variables keep their name but get their own slot. */
  readonly name: string;
  readonly type: SizedType;
  /** Where it was first assigned or declared. */
  readonly span: Span;
  /** The statement that introduced it: a `let`, a for loop, or undefined (first assignment). */
  readonly declaredBy?: LetDecl | ForMap | ForRange;
  /** Index of the probe it belongs to (-1 for subprogram variables). */
  readonly probe: number;
}

/** A map as the whole program uses it. */
export interface MapInfo {
  /** With '@'; '@' alone for the anonymous map. */
  readonly name: string;
  /**
   * Key type: undefined for scalar maps (`@x = 1`). Integer keys are int64 (bpftrace widens
   * them), several keys form a tuple, strings take the largest size used.
   */
  readonly keyType?: SizedType;
  /** Value type: integers are 8 bytes wide, aggregations are AggregationType. */
  readonly valueType: SizedType;
  /** The value is written by an aggregation function (count, sum, hist, …). */
  readonly aggregation?: AggregationType;
  /** Linux map type to create. */
  readonly bpfMapType: BpfMapType;
  /** max_entries: the `let @m = hash(N)` size, else config max_map_keys (1 for scalar array maps). */
  readonly maxEntries: number;
  /** Declared with `let @m = kind(N)`. */
  readonly declared: boolean;
  /** The program reads the map's value somewhere (not only writes it). */
  readonly read: boolean;
  /** Where it is first used (for messages). */
  readonly span: Span;
}

export type BpfMapType = 'hash' | 'lru_hash' | 'percpu_hash' | 'lru_percpu_hash' | 'percpu_array' | 'array';

/** What the checker resolved for one call of a builtin function (or of the program's own `fn`). */
export interface CallInfo {
  /** The function's table row; for a call of a subprogram, a row made for it (its name is the `fn`'s). */
  readonly fn: FunctionRow;
  /** The call is of the program's own `fn` subprogram (see CheckedProgram.subprogs). */
  readonly subprog?: boolean;
  /** printf, system, cat, errorf, warnf: the parsed format string (id indexes `formats`). */
  readonly format?: FormatSpec;
  /** Map-taking functions (clear, zero, print(@m), len(@m), delete, has_key, for): the map name. */
  readonly map?: string;
  /**
   * delete/has_key: the key expression (`delete(@m, k)`, and `delete(@m[k])` with one key;
   * for `delete(@m[k1, k2])` the keys are those of the MapRef argument).
   */
  readonly key?: Expr;
  /** str/buf/path: the byte size the result holds. */
  readonly size?: number;
  /** str/buf/… on an address: which address space to read from. */
  readonly addressSpace?: 'kernel' | 'user';
  /** Literal arguments evaluated at check time (hist bits, lhist min/max/step, print top/div, exit code…). */
  readonly literals?: readonly (bigint | string | undefined)[];
  /** kstack/ustack: the mode and frame limit. */
  readonly stack?: { readonly mode: 'bpftrace' | 'perf' | 'raw'; readonly limit: number };
  /** nsecs(mode): the clock. */
  readonly clock?: 'boot' | 'monotonic' | 'tai' | 'sw_tai';
  /** signal(): the signal number. */
  readonly signal?: number;
  /** The call's value is discarded (an expression statement). */
  readonly discarded: boolean;
}

export interface NamedParam {
  readonly name: string;
  readonly kind: 'bool' | 'int' | 'string';
  readonly default: boolean | bigint | string;
  /** The value in effect: from the command line, else the default. */
  readonly value: boolean | bigint | string;
  readonly description?: string;
}

/** Lookups the compiler uses often. */
export function typeOf(checked: CheckedProgram, e: Expr): SizedType | undefined {
  return checked.types.get(e);
}

export function slotOf(checked: CheckedProgram, v: Variable): VarSlot | undefined {
  return checked.variables.get(v);
}
