// Every builtin function bpftrace has: arity, argument kinds, result type, whether it is
// asynchronous (runs in user space from a ring-buffer event), unsafe (needs --unsafe),
// evaluated at compile time, a map aggregation, and where it may be called. One row per
// function with a small `check` that types one call; infer.ts walks the table.

import type { Message } from '../diag/diagnostic.js';
import type { Span } from '../diag/source.js';
import { checkMessages as M } from '../diag/messages.js';
import type { Call, Expr, MapRef } from '../parse/ast.js';
import type { CallInfo } from './program.js';
import type { ProbeScope } from './scope.js';
import { families } from './scope.js';
import { checkFormatArgs, kindName, type FormatSpec } from './format.js';
import {
  boolType,
  int64,
  intType,
  pointerTo,
  stringType,
  typeName,
  uint32,
  uint64,
  uint8,
  voidType,
  type AggregationType,
  type SizedType,
} from './types.js';

/** How an argument position is read before the row's check runs. */
export type ArgKind =
  /** An ordinary expression, typed first. */
  | 'value'
  /** A map name without keys (`clear(@m)`), or a map with keys where the row allows it. */
  | 'map'
  /** A bare identifier naming a mode (`kstack(perf)`, `nsecs(monotonic)`, `pid(init)`). */
  | 'mode';

/** Where a call's result may go (bpftrace's check_assignment). */
export type Placement =
  /** Anywhere. */
  | 'any'
  /** Only as `@map = f(...)` / `@map[k] = f(...)`: the aggregations. */
  | 'map'
  /** As a statement only: never assigned, never a map key. */
  | 'statement'
  /** Only assigned to a scratch variable. */
  | 'variable';

export interface FunctionRow {
  readonly name: string;
  /** Accepted argument counts. */
  readonly minArgs: number;
  readonly maxArgs: number;
  /** bpftrace words arity errors two ways: "requires N arguments" (exact) or "requires at least"/"takes up to". */
  readonly exactArity: boolean;
  /** Reading of each argument position (the last entry repeats). */
  readonly argKinds: readonly ArgKind[];
  /** One line, for documentation and `--dump types`. */
  readonly signature: string;
  /** Runs in user space, from an event the program emits through the ring buffer. */
  readonly async: boolean;
  /** Requires --unsafe. */
  readonly unsafe: boolean;
  /** Evaluated while checking/compiling (kaddr, cgroupid, pton, …). */
  readonly compileTime: boolean;
  /** Produces a map aggregation value (count, sum, hist, …). */
  readonly aggregation: boolean;
  readonly placement: Placement;
  /** Probe families it may be used in (undefined: everywhere). */
  readonly allowedIn?: readonly string[];
  /** The BPF helpers the compiler needs for it (documentation for compile/). */
  readonly helpers: readonly string[];
  /** Types one call: the result type, or undefined while an argument type is still unknown. */
  check(c: CallChecker): SizedType | undefined;
}

/** What a row's check can see and do; implemented by infer.ts for one call. */
export interface CallChecker {
  readonly call: Call;
  readonly args: readonly Expr[];
  readonly scope: ProbeScope;
  /** The last inference pass: report errors that could still resolve in earlier passes. */
  readonly final: boolean;
  /** The call is the value of `@m = …` / `@m[k] = …` (then `assignedMap` is its name). */
  readonly assignedMap?: string;
  /** Inside a loop body (print(@m) in a loop warns). */
  readonly inLoop: boolean;
  typeOf(e: Expr): SizedType | undefined;
  /** The integer value of a constant expression (literals, negated literals, folded arithmetic). */
  intLiteral(e: Expr): bigint | undefined;
  /** The value of a string literal. */
  stringLiteral(e: Expr): string | undefined;
  /** `e` is a map reference (`@m` or `@m[k]`). */
  isMap(e: Expr): e is MapRef;
  /** Current key type of a map (null for a scalar map, undefined when not yet known). */
  mapKey(name: string): SizedType | null | undefined;
  /** Current value type of a map. */
  mapValue(name: string): SizedType | undefined;
  /** Unifies a key type into a map's key (as an access `@m[k]` would), reporting mismatches at `span`. */
  useMapKey(name: string, key: SizedType, span: Span): void;
  /** Registers a printf-like format; returns its spec. */
  format(func: string, fmt: string, argTypes: readonly SizedType[]): FormatSpec;
  error(m: Message, span?: Span, hints?: readonly string[]): void;
  warning(m: Message, span?: Span): void;
  /** What the compiler should know about this call (merged into CheckedProgram.calls). */
  note(info: Partial<Omit<CallInfo, 'fn' | 'discarded'>>): void;
}

// ── shared argument checks (bpftrace's check_arg) ─────────────────────────────────────────

type Want = 'int' | 'string' | 'pointer' | 'record' | 'stack_mode' | 'timestamp_mode';

function kindOf(t: SizedType | undefined): string {
  return t ? kindName(t) : 'none';
}

function matches(t: SizedType | undefined, want: Want): boolean {
  if (!t) return false;
  switch (want) {
    case 'int':
      return t.kind === 'int' || t.kind === 'bool';
    case 'string':
      return t.kind === 'string';
    case 'pointer':
      return t.kind === 'pointer';
    case 'record':
      return t.kind === 'struct' || t.kind === 'record';
    case 'stack_mode':
      return t.kind === 'stack_mode';
    case 'timestamp_mode':
      return t.kind === 'timestamp_mode';
  }
}

/** Requires a literal of the kind (`hist(x, 3)`'s bits); reports and returns false otherwise. */
function wantLiteral(c: CallChecker, i: number, want: Want): boolean {
  const arg = c.args[i]!;
  const t = c.typeOf(arg);
  const literal = want === 'int' ? c.intLiteral(arg) !== undefined : want === 'string' ? c.stringLiteral(arg) !== undefined : true;
  if (!literal || !matches(t, want)) {
    c.error(M.argWantsLiteral(c.call.name, want, kindOf(t)), c.call.span);
    return false;
  }
  return true;
}

/** Requires a value of the kind; reports (final pass) and returns false otherwise. */
function wantArg(c: CallChecker, i: number, want: Want): boolean {
  const t = c.typeOf(c.args[i]!);
  if (matches(t, want)) return true;
  if (t === undefined && !c.final) return false;
  c.error(M.argWantsKind(c.call.name, want, kindOf(t)), c.call.span);
  return false;
}

function mapArg(c: CallChecker, i: number): MapRef | undefined {
  const a = c.args[i];
  return a && c.isMap(a) ? a : undefined;
}

// ── aggregations ────────────────────────────────────────────────────────────────────────

function agg(kind: AggregationType['kind'], signed: boolean, params?: readonly bigint[]): AggregationType {
  return params ? { kind, size: 8, signed, params } : { kind, size: 8, signed };
}

function signedArg(c: CallChecker, i: number): boolean {
  const t = c.typeOf(c.args[i]!);
  return t?.kind === 'int' ? t.signed : false;
}

const AGG_HELPERS = ['map_lookup_elem', 'map_update_elem'];

function aggregationRow(
  name: 'count' | 'sum' | 'min' | 'max' | 'avg' | 'stats',
  nargs: number,
  signature: string,
): FunctionRow {
  return {
    name,
    minArgs: nargs,
    maxArgs: nargs,
    exactArity: true,
    argKinds: ['value'],
    signature,
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: true,
    placement: 'map',
    helpers: AGG_HELPERS,
    check(c) {
      if (nargs === 0) return agg(name, true);
      if (!wantArg(c, 0, 'int')) return c.typeOf(c.args[0]!) === undefined ? undefined : agg(name, false);
      // count, avg and stats values print signed in bpftrace regardless of the argument.
      const signed = name === 'avg' || name === 'stats' ? true : signedArg(c, 0);
      return agg(name, signed);
    },
  };
}

// ── the table ───────────────────────────────────────────────────────────────────────────

const PRINTF_LIKE_MAX = 128;

function printfLike(name: string, opts: { async: boolean; unsafe: boolean; helpers: string[]; signature: string }): FunctionRow {
  return {
    name,
    minArgs: 1,
    maxArgs: PRINTF_LIKE_MAX,
    exactArity: false,
    argKinds: ['value'],
    signature: opts.signature,
    async: opts.async,
    unsafe: opts.unsafe,
    compileTime: false,
    aggregation: false,
    placement: 'statement',
    helpers: opts.helpers,
    check(c) {
      if (!wantLiteral(c, 0, 'string')) return voidType;
      const fmt = c.stringLiteral(c.args[0]!)!;
      const types = c.args.slice(1).map((a) => c.typeOf(a));
      if (types.some((t) => t === undefined)) {
        if (c.final) return voidType;
        return voidType;
      }
      const problem = checkFormatArgs(name, fmt, types as SizedType[]);
      if (problem) {
        c.error(M.formatMismatch(problem), c.call.span);
        return voidType;
      }
      c.note({ format: c.format(name, fmt, types as SizedType[]) });
      return voidType;
    },
  };
}

const STACK_MODES = new Set(['bpftrace', 'perf', 'raw']);
const MAX_STACK_FRAMES = 1024;
const DEFAULT_STACK_LIMIT = 127;

function stackRow(name: 'kstack' | 'ustack'): FunctionRow {
  return {
    name,
    minArgs: 0,
    maxArgs: 2,
    exactArity: false,
    argKinds: ['mode', 'value'],
    signature: `${name}_t ${name}([StackMode mode, ][int limit])`,
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['get_stackid'],
    check(c) {
      let mode = c.scope.config.stack_mode as 'bpftrace' | 'perf' | 'raw';
      let limit = DEFAULT_STACK_LIMIT;
      const readLimit = (i: number) => {
        if (!wantLiteral(c, i, 'int')) return;
        limit = Number(c.intLiteral(c.args[i]!)!);
      };
      const readMode = (i: number): boolean => {
        const t = c.typeOf(c.args[i]!);
        if (t?.kind !== 'stack_mode') {
          c.error(M.argWantsLiteral(name, 'stack_mode', kindOf(t)), c.call.span);
          return false;
        }
        mode = stackModeOf(c.args[i]!)!;
        return true;
      };
      if (c.args.length === 1) {
        if (c.typeOf(c.args[0]!)?.kind === 'stack_mode') readMode(0);
        else readLimit(0);
      } else if (c.args.length === 2) {
        readMode(0);
        readLimit(1);
      }
      if (limit > MAX_STACK_FRAMES) c.error(M.stackLimit(name, MAX_STACK_FRAMES, limit), c.call.span);
      c.note({ stack: { mode, limit } });
      return { kind: name, size: name === 'kstack' ? 16 : 24, mode, limit };
    },
  };
}

/** The stack mode named by an identifier argument (typed 'stack_mode' by infer.ts). */
export function stackModeOf(e: Expr): 'bpftrace' | 'perf' | 'raw' | undefined {
  return e.kind === 'Identifier' && STACK_MODES.has(e.name) ? (e.name as 'bpftrace' | 'perf' | 'raw') : undefined;
}

export const TIMESTAMP_MODES = new Set(['boot', 'monotonic', 'tai', 'sw_tai']);

/** Checks a key argument against the map's key type (delete, has_key). */
function keyArg(c: CallChecker, map: MapRef, key: Expr): void {
  const kt = c.typeOf(key);
  if (kt) c.useMapKey(map.name, kt, key.span);
}

const ROWS: FunctionRow[] = [
  aggregationRow('count', 0, 'count_t count()'),
  aggregationRow('sum', 1, 'sum_t sum(int64 n)'),
  aggregationRow('min', 1, 'min_t min(int64 n)'),
  aggregationRow('max', 1, 'max_t max(int64 n)'),
  aggregationRow('avg', 1, 'avg_t avg(int64 n)'),
  aggregationRow('stats', 1, 'stats_t stats(int64 n)'),
  {
    name: 'hist',
    minArgs: 1,
    maxArgs: 2,
    exactArity: false,
    argKinds: ['value'],
    signature: 'hist_t hist(int64 n[, int k])',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: true,
    placement: 'map',
    helpers: AGG_HELPERS,
    check(c) {
      let bits = 0n;
      if (c.args.length === 2) {
        if (!wantLiteral(c, 1, 'int')) return undefined;
        bits = c.intLiteral(c.args[1]!)!;
        if (bits < 0n || bits > 5n) c.error(M.histBits(bits), c.call.span);
      }
      wantArg(c, 0, 'int');
      c.note({ literals: [undefined, bits] });
      return agg('hist', signedArg(c, 0), [bits]);
    },
  },
  {
    name: 'lhist',
    minArgs: 4,
    maxArgs: 4,
    exactArity: true,
    argKinds: ['value'],
    signature: 'lhist_t lhist(int64 n, int64 min, int64 max, int64 step)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: true,
    placement: 'map',
    helpers: AGG_HELPERS,
    check(c) {
      wantArg(c, 0, 'int');
      for (const i of [1, 2, 3]) if (!wantLiteral(c, i, 'int')) return agg('lhist', false, [0n, 0n, 1n]);
      const [min, max, step] = [1, 2, 3].map((i) => c.intLiteral(c.args[i]!)!) as [bigint, bigint, bigint];
      if (step <= 0n) c.error(M.lhistStep(step), c.call.span);
      else if ((max - min) / step > 1000n) c.error(M.lhistBuckets((max - min) / step), c.call.span);
      if (min < 0n) c.error(M.lhistMinNegative(min), c.call.span);
      if (min > max) c.error(M.lhistMinMax(min, max), c.call.span);
      if (step > 0n && max - min < step) c.error(M.lhistStepRange(step, max - min), c.call.span);
      c.note({ literals: [undefined, min, max, step] });
      return agg('lhist', signedArg(c, 0), [min, max, step]);
    },
  },
  {
    name: 'tseries',
    minArgs: 3,
    maxArgs: 4,
    exactArity: false,
    argKinds: ['value'],
    signature: 'tseries_t tseries(int64 n, int64 interval_ns, int64 num_intervals[, const string agg])',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: true,
    placement: 'map',
    helpers: [...AGG_HELPERS, 'ktime_get_boot_ns'],
    check(c) {
      wantArg(c, 0, 'int');
      if (!wantLiteral(c, 1, 'int') || !wantLiteral(c, 2, 'int')) return agg('tseries', false, [1n, 1n]);
      const interval = c.intLiteral(c.args[1]!)!;
      const count = c.intLiteral(c.args[2]!)!;
      if (interval <= 0n) c.error(M.tseriesInterval(), c.call.span);
      if (count <= 0n || count > 1000000n) c.error(M.tseriesCount(), c.call.span);
      let how = 'none';
      if (c.args.length === 4) {
        if (!wantLiteral(c, 3, 'string')) return undefined;
        how = c.stringLiteral(c.args[3]!)!;
        if (!['avg', 'max', 'min', 'sum'].includes(how)) c.error(M.tseriesAgg(how), c.args[3]!.span);
      }
      c.note({ literals: [undefined, interval, count, how] });
      return agg('tseries', signedArg(c, 0), [interval, count]);
    },
  },
  {
    name: 'delete',
    minArgs: 1,
    maxArgs: 2,
    exactArity: false,
    argKinds: ['map', 'value'],
    signature: 'bool delete(map m, mapkey k) | deprecated bool delete(mapkey k)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['map_delete_elem'],
    check(c) {
      const map = mapArg(c, 0);
      if (!map) {
        c.error(M.deleteUsage(), c.args[0]!.span);
        return boolType;
      }
      if (c.args.length === 1) {
        if (map.keys && map.keys.length > 0) {
          // Deprecated form `delete(@m[k])`: the key is the map's index.
          const key = map.keys.length === 1 ? map.keys[0]! : undefined;
          c.note({ map: map.name, ...(key ? { key } : {}) });
          return boolType;
        }
        const kt = c.mapKey(map.name);
        if (kt && c.final) c.error(M.deleteUsage(), map.span);
        c.note({ map: map.name });
        return boolType;
      }
      if (map.keys && map.keys.length > 0) c.error(M.deleteKeyedMap(), map.span);
      keyArg(c, map, c.args[1]!);
      c.note({ map: map.name, key: c.args[1]! });
      return boolType;
    },
  },
  {
    name: 'has_key',
    minArgs: 2,
    maxArgs: 2,
    exactArity: false,
    argKinds: ['map', 'value'],
    signature: 'boolean has_key(map m, mapkey k)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['map_lookup_elem'],
    check(c) {
      const map = mapArg(c, 0);
      if (!map) {
        c.error(M.hasKeyNotMap(), c.args[0]!.span);
        return uint8;
      }
      if (map.keys && map.keys.length > 0) c.error(M.hasKeyMapValue(), map.span);
      const kt = c.mapKey(map.name);
      if (kt === null) c.error(M.hasKeyScalar(), map.span);
      else keyArg(c, map, c.args[1]!);
      c.note({ map: map.name, key: c.args[1]! });
      return uint8;
    },
  },
  {
    name: 'str',
    minArgs: 1,
    maxArgs: 2,
    exactArity: false,
    argKinds: ['value'],
    signature: 'string str(char * data [, uint32 length])',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['probe_read_kernel_str', 'probe_read_user_str'],
    check(c) {
      const t = c.typeOf(c.args[0]!);
      if (t === undefined && !c.final) return undefined;
      let size = c.scope.config.max_strlen;
      // str() of a string (a positional parameter, an already-read string) copies it, bounded like any other.
      if (!t || (t.kind !== 'int' && t.kind !== 'pointer' && t.kind !== 'array' && t.kind !== 'string')) {
        c.error(M.strWantsIntOrPointer(t ? typeName(t) : 'none'), c.call.span);
      }
      if (c.args.length === 2) {
        if (wantArg(c, 1, 'int')) {
          const n = c.intLiteral(c.args[1]!);
          if (n !== undefined) {
            if (n < 0n) c.error(M.strNegativeLength(n), c.call.span);
            else if (n > BigInt(c.scope.config.max_strlen))
              c.warning(M.strLengthTooLong(n, c.scope.config.max_strlen), c.call.span);
            else size = Number(n);
          }
        }
      }
      c.note({ size, addressSpace: spaceOf(c, t) });
      return stringType(size);
    },
  },
  {
    name: 'buf',
    minArgs: 1,
    maxArgs: 2,
    exactArity: false,
    argKinds: ['value'],
    signature: 'buffer buf(void * data, [int64 length])',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['probe_read_kernel', 'probe_read_user'],
    check(c) {
      const t = c.typeOf(c.args[0]!);
      if (t === undefined && !c.final) return undefined;
      const maxSize = c.scope.config.max_strlen - 4;
      let size = maxSize;
      if (!t || !['int', 'string', 'pointer', 'array'].includes(t.kind)) {
        c.error(M.bufWantsArg(kindOf(t)), c.call.span);
      }
      if (c.args.length === 1) {
        if (t?.kind === 'array') size = t.size;
        else if (t) c.error(M.bufNeedsLength(kindOf(t)), c.call.span);
      } else {
        wantArg(c, 1, 'int');
        const n = c.intLiteral(c.args[1]!);
        if (n !== undefined) {
          if (n < 0n) c.error(M.bufNegativeLength(n), c.call.span);
          size = Number(n);
        }
      }
      if (size > maxSize) {
        c.warning(M.bufTooLong(c.scope.config.max_strlen), c.call.span);
        size = maxSize;
      }
      c.note({ size, addressSpace: spaceOf(c, t) });
      return { kind: 'buffer', size: size + 4 };
    },
  },
  symbolRow('ksym', { kind: 'ksym', size: 8 }, 'ksym_t ksym(uint64 addr)'),
  symbolRow('usym', { kind: 'usym', size: 16 }, 'usym_t usym(uint64 * addr)'),
  {
    name: 'ntop',
    minArgs: 1,
    maxArgs: 2,
    exactArity: false,
    argKinds: ['value'],
    signature: 'inet ntop([int64 af, ] int addr | char addr[4] | char addr[16])',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['probe_read_kernel'],
    check(c) {
      const addr = c.args[c.args.length - 1]!;
      if (c.args.length === 2) wantArg(c, 0, 'int');
      const t = c.typeOf(addr);
      if (t === undefined && !c.final) return undefined;
      if (!t || !['int', 'string', 'array'].includes(t.kind)) c.error(M.ntopWantsArg(kindOf(t)), c.call.span);
      else if ((t.kind === 'array' || t.kind === 'string') && t.size !== 4 && t.size !== 16) c.error(M.ntopSize(), c.call.span);
      return { kind: 'inet', size: 24 };
    },
  },
  {
    name: 'pton',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'char addr[4|16] pton(const string addr)',
    async: false,
    unsafe: false,
    compileTime: true,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      const addr = c.stringLiteral(c.args[0]!);
      if (addr === undefined) {
        c.error(M.argWantsLiteral('pton', 'string', kindOf(c.typeOf(c.args[0]!))), c.call.span);
        return undefined;
      }
      const bytes = parseAddress(addr);
      if (bytes === 'family') {
        c.error(M.ptonFamily(addr), c.call.span);
        return undefined;
      }
      if (bytes === undefined) {
        c.error(M.ptonInvalid(addr), c.call.span);
        return undefined;
      }
      c.note({ literals: bytes.map((b) => BigInt(b)) });
      return { kind: 'array', size: bytes.length, elem: uint8, count: bytes.length };
    },
  },
  {
    name: 'join',
    minArgs: 1,
    maxArgs: 2,
    exactArity: false,
    argKinds: ['value'],
    signature: 'void join(char *arr[], [char * sep = " "])',
    async: true,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'statement',
    helpers: ['probe_read_kernel', 'probe_read_kernel_str', 'ringbuf_output'],
    check(c) {
      const t = c.typeOf(c.args[0]!);
      if (t === undefined && !c.final) return voidType;
      if (!t || (t.kind !== 'int' && t.kind !== 'pointer')) c.error(M.joinWantsArg(kindOf(t)), c.call.span);
      let sep = ' ';
      if (c.args.length > 1) {
        if (wantLiteral(c, 1, 'string')) sep = c.stringLiteral(c.args[1]!)!;
      }
      c.note({ literals: [undefined, sep], addressSpace: spaceOf(c, t), size: c.scope.config.max_strlen });
      return voidType;
    },
  },
  {
    name: 'reg',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'uint64 reg(const string name)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    allowedIn: ['kprobe', 'kretprobe', 'uprobe', 'uretprobe', 'usdt', 'profile', 'interval', 'software', 'hardware', 'watchpoint', 'asyncwatchpoint'],
    helpers: [],
    check(c) {
      if (wantLiteral(c, 0, 'string')) {
        const name = c.stringLiteral(c.args[0]!)!;
        const offset = PT_REGS_OFFSETS[name];
        if (offset === undefined) c.error(M.regUnknown(name), c.call.span);
        else c.note({ literals: [BigInt(offset)] });
      }
      return uint64;
    },
  },
  {
    name: 'kaddr',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'uint64 kaddr(const string name)',
    async: false,
    unsafe: false,
    compileTime: true,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      // `kaddr(str($1))`: str() of a literal (a substituted parameter) names the symbol too, as in bpftrace 0.23.
      const arg = c.args[0]!;
      const inner = arg.kind === 'Call' && arg.name === 'str' && arg.args.length === 1 ? arg.args[0]! : undefined;
      const name = inner?.kind === 'String' ? inner.value : undefined;
      if (name !== undefined) c.note({ literals: [name] });
      else if (wantLiteral(c, 0, 'string')) c.note({ literals: [c.stringLiteral(arg)] });
      return uint64;
    },
  },
  {
    name: 'percpu_kaddr',
    minArgs: 1,
    maxArgs: 2,
    exactArity: false,
    argKinds: ['value'],
    signature: 'uint64 *percpu_kaddr(const string name[, int cpu])',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['this_cpu_ptr', 'per_cpu_ptr'],
    check(c) {
      wantLiteral(c, 0, 'string');
      if (c.args.length === 2) wantArg(c, 1, 'int');
      return uint64;
    },
  },
  {
    name: 'uaddr',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'T * uaddr(const string sym)',
    async: false,
    unsafe: false,
    compileTime: true,
    aggregation: false,
    placement: 'any',
    allowedIn: ['uprobe', 'uretprobe', 'usdt'],
    helpers: [],
    check(c) {
      if (!wantLiteral(c, 0, 'string')) return undefined;
      const sym = c.stringLiteral(c.args[0]!)!;
      const re = /^[a-zA-Z0-9./_-]+$/;
      if (!re.test(sym)) c.error(M.uaddrSymbol(sym), c.call.span);
      return pointerTo(uint64, 'user');
    },
  },
  {
    name: 'cgroupid',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'uint64 cgroupid(const string path)',
    async: false,
    unsafe: false,
    compileTime: true,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      wantLiteral(c, 0, 'string');
      return uint64;
    },
  },
  printfLike('printf', { async: true, unsafe: false, helpers: ['ringbuf_output'], signature: 'void printf(const string fmt, args...)' }),
  printfLike('system', { async: true, unsafe: true, helpers: ['ringbuf_output'], signature: 'void system(string namefmt [, ...args])' }),
  printfLike('cat', { async: true, unsafe: false, helpers: ['ringbuf_output'], signature: 'void cat(string namefmt, [...args])' }),
  printfLike('errorf', { async: true, unsafe: false, helpers: ['ringbuf_output'], signature: 'void errorf(const string fmt, args...)' }),
  printfLike('warnf', { async: true, unsafe: false, helpers: ['ringbuf_output'], signature: 'void warnf(const string fmt, args...)' }),
  printfLike('debugf', { async: false, unsafe: false, helpers: ['trace_printk'], signature: 'void debugf(const string fmt, args...)' }),
  {
    name: 'exit',
    minArgs: 0,
    maxArgs: 1,
    exactArity: false,
    argKinds: ['value'],
    signature: 'void exit([int code])',
    async: true,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'statement',
    helpers: ['ringbuf_output'],
    check(c) {
      if (c.args.length === 1) wantArg(c, 0, 'int');
      return voidType;
    },
  },
  {
    name: 'print',
    minArgs: 1,
    maxArgs: 3,
    exactArity: false,
    argKinds: ['map', 'value'],
    signature: 'void print(T val) | void print(@map[, uint64 top[, uint64 div]])',
    async: true,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'statement',
    helpers: ['ringbuf_output'],
    check(c) {
      const arg = c.args[0]!;
      const map = mapArg(c, 0);
      if (map) {
        if (c.inLoop && c.final) c.warning(M.printInLoop(), c.call.span);
        const vt = c.mapValue(map.name);
        if (map.keys && map.keys.length > 0) {
          if (c.args.length > 1) c.error(M.printIndexedArgs(), c.call.span);
          else if (vt && (vt.kind === 'hist' || vt.kind === 'lhist' || vt.kind === 'stats' || vt.kind === 'tseries'))
            c.error(M.printIndexedMultiOutput(typeName(vt)), c.call.span);
          return voidType;
        }
        const lits: (bigint | undefined)[] = [undefined];
        for (const i of [1, 2]) {
          if (c.args.length > i) {
            if (wantLiteral(c, i, 'int')) lits.push(c.intLiteral(c.args[i]!));
          }
        }
        if (vt?.kind === 'stats' && c.args.length > 1 && c.final) c.warning(M.printStatsTopDiv(), c.call.span);
        c.note({ map: map.name, literals: lits });
        return voidType;
      }
      const t = c.typeOf(arg);
      if (t === undefined) {
        // An argument that failed to type: bpftrace follows up with this (dropped when an earlier pass failed).
        if (c.final && arg.kind !== 'Variable') c.error(M.notPrintable('none', 'print'), c.call.span);
        return c.final ? voidType : undefined;
      }
      if (t.kind === 'void' || t.kind === 'stack_mode' || t.kind === 'timestamp_mode') {
        c.error(M.notPrintable(typeName(t), 'print'), c.call.span);
      } else if (c.args.length !== 1) {
        c.error(M.printNonMapArgs(c.args.length), c.call.span);
      }
      return voidType;
    },
  },
  {
    name: 'cgroup_path',
    minArgs: 1,
    maxArgs: 2,
    exactArity: false,
    argKinds: ['value'],
    signature: 'cgroup_path_t cgroup_path(int cgroupid[, string filter])',
    async: true,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      wantArg(c, 0, 'int');
      if (c.args.length > 1) wantArg(c, 1, 'string');
      return { kind: 'cgroup_path', size: 16 };
    },
  },
  mapOpRow('clear', 'void clear(map m)', ['map_get_next_key', 'map_delete_elem'], true),
  mapOpRow('zero', 'void zero(map m)', ['map_get_next_key', 'map_update_elem'], true),
  {
    name: 'len',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['map'],
    signature: 'int64 len(map m) | int64 len(kstack|ustack)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['for_each_map_elem'],
    check(c) {
      const map = mapArg(c, 0);
      if (map) {
        if (map.keys && map.keys.length > 0) c.error(M.mapOpIndexed('len'), c.call.span);
        c.note({ map: map.name });
        return int64;
      }
      const t = c.typeOf(c.args[0]!);
      if (t === undefined && !c.final) return undefined;
      if (t?.kind !== 'kstack' && t?.kind !== 'ustack') c.error(M.lenWantsMapOrStack(), c.call.span);
      return int64;
    },
  },
  {
    name: 'time',
    minArgs: 0,
    maxArgs: 1,
    exactArity: false,
    argKinds: ['value'],
    signature: 'void time([const string fmt])',
    async: true,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'statement',
    helpers: ['ringbuf_output'],
    check(c) {
      let fmt = '%H:%M:%S\n';
      if (c.args.length > 0 && wantLiteral(c, 0, 'string')) fmt = c.stringLiteral(c.args[0]!)!;
      c.note({ literals: [fmt] });
      return voidType;
    },
  },
  {
    name: 'strftime',
    minArgs: 2,
    maxArgs: 2,
    exactArity: false,
    argKinds: ['value'],
    signature: 'timestamp strftime(const string fmt, uint64 timestamp_ns)',
    async: true,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      if (wantLiteral(c, 0, 'string') && wantArg(c, 1, 'int')) {
        const ts = c.args[1]!;
        if (ts.kind === 'Call' && ts.name === 'nsecs' && ts.args[0]?.kind === 'Identifier' && ts.args[0].name === 'monotonic')
          c.error(M.strftimeMonotonic(), c.call.span);
        const n = c.intLiteral(ts);
        if (n !== undefined && n < 0n) c.error(M.strftimeNegative(), c.call.span);
        c.note({ literals: [c.stringLiteral(c.args[0]!)!] });
      }
      return { kind: 'timestamp', size: 16 };
    },
  },
  stackRow('kstack'),
  stackRow('ustack'),
  signalRow('signal', ['send_signal']),
  signalRow('signal_thread', ['send_signal_thread']),
  {
    name: 'path',
    minArgs: 1,
    maxArgs: 2,
    exactArity: false,
    argKinds: ['value'],
    signature: 'char * path(struct path * path [, int32 size])',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['d_path'],
    check(c) {
      for (const p of c.scope.probe?.providers ?? []) {
        if (p.family !== 'fentry' && p.family !== 'fexit' && p.family !== 'iter') {
          c.error(M.pathNotAllowed(), c.call.span);
          break;
        }
      }
      const t = c.typeOf(c.args[0]!);
      if (t === undefined && !c.final) return undefined;
      if (!t || (t.kind !== 'pointer' && t.kind !== 'struct' && t.kind !== 'record')) c.error(M.pathWantsArg(kindOf(t)), c.call.span);
      let size = c.scope.config.max_strlen;
      if (c.args.length === 2 && wantLiteral(c, 1, 'int')) {
        const n = c.intLiteral(c.args[1]!)!;
        if (n < 0n) c.error(M.pathNegativeSize(), c.call.span);
        size = Number(n);
      }
      c.note({ size });
      return stringType(size);
    },
  },
  {
    name: 'strerror',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'strerror_t strerror(int error)',
    async: true,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      wantArg(c, 0, 'int');
      return { kind: 'strerror', size: 8 };
    },
  },
  {
    name: 'syscall_name',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'string syscall_name(int nr_syscall)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['map_lookup_elem'],
    check(c) {
      wantArg(c, 0, 'int');
      return stringType(32);
    },
  },
  {
    name: 'signal_name',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'string signal_name(int sig)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      wantArg(c, 0, 'int');
      return stringType(16);
    },
  },
  {
    name: 'strncmp',
    minArgs: 3,
    maxArgs: 3,
    exactArity: true,
    argKinds: ['value'],
    signature: 'int64 strncmp(char * s1, char * s2, int64 n)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      wantArg(c, 0, 'string');
      wantArg(c, 1, 'string');
      if (wantLiteral(c, 2, 'int')) {
        const n = c.intLiteral(c.args[2]!)!;
        if (n < 0n) c.error(M.strncmpNegative(), c.call.span);
        c.note({ literals: [undefined, undefined, n] });
      }
      return uint64;
    },
  },
  {
    name: 'strcontains',
    minArgs: 2,
    maxArgs: 2,
    exactArity: true,
    argKinds: ['value'],
    signature: 'bool strcontains(string haystack, string needle)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      const a = wantArg(c, 0, 'string');
      const b = wantArg(c, 1, 'string');
      if (a && b && c.final) {
        const s0 = c.typeOf(c.args[0]!)!.size;
        const s1 = c.typeOf(c.args[1]!)!.size;
        if (s0 * s1 > 2000) c.warning(M.strcontainsComplexity(), c.call.span);
      }
      return uint64;
    },
  },
  {
    name: 'strstr',
    minArgs: 2,
    maxArgs: 2,
    exactArity: true,
    argKinds: ['value'],
    signature: 'int64 strstr(string haystack, string needle)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      wantArg(c, 0, 'string');
      wantArg(c, 1, 'string');
      return int64;
    },
  },
  {
    name: 'strlen',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'uint64 strlen(string exp)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      const t = c.typeOf(c.args[0]!);
      if (t === undefined && !c.final) return undefined;
      if (!t || (t.kind !== 'string' && t.kind !== 'array' && t.kind !== 'pointer')) c.error(M.argWantsKind('strlen', 'string', kindOf(t)), c.call.span);
      return uint64;
    },
  },
  {
    name: 'override',
    minArgs: 1,
    maxArgs: 1,
    exactArity: false,
    argKinds: ['value'],
    signature: 'void override(uint64 rc)',
    async: false,
    unsafe: true,
    compileTime: false,
    aggregation: false,
    placement: 'statement',
    helpers: ['override_return'],
    check(c) {
      wantArg(c, 0, 'int');
      for (const fam of families(c.scope)) {
        if (fam !== 'kprobe') {
          c.error(M.overrideKprobeOnly(), c.call.span);
          break;
        }
      }
      return voidType;
    },
  },
  ptrSpaceRow('kptr', 'kernel'),
  ptrSpaceRow('uptr', 'user'),
  {
    name: 'macaddr',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'macaddr_t macaddr(char [6] mac)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['probe_read_kernel'],
    check(c) {
      const arg = c.args[0]!;
      const t = c.typeOf(arg);
      if (t === undefined && !c.final) return undefined;
      if (!t || !['int', 'array', 'pointer', 'string'].includes(t.kind)) c.error(M.macaddrWantsArg(kindOf(t)), c.call.span);
      else if ((t.kind === 'array' || t.kind === 'string') && t.size !== 6) c.error(M.macaddrSize(), c.call.span);
      if (t?.kind === 'string' && c.stringLiteral(arg) !== undefined) c.error(M.macaddrLiteral(), c.call.span);
      return { kind: 'mac_address', size: 6 };
    },
  },
  {
    name: 'unwatch',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'void unwatch(void * addr)',
    async: true,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'statement',
    helpers: ['ringbuf_output'],
    check(c) {
      wantArg(c, 0, 'int');
      return voidType;
    },
  },
  {
    name: 'bswap',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'uintN bswap(uintN n)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      const t = c.typeOf(c.args[0]!);
      if (t === undefined) return c.final ? uint64 : undefined;
      if (t.kind !== 'int') {
        c.error(M.argWantsKind('bswap', 'int', kindOf(t)), c.call.span);
        return uint64;
      }
      return intType(t.size, false);
    },
  },
  {
    name: 'skboutput',
    minArgs: 4,
    maxArgs: 4,
    exactArity: true,
    argKinds: ['value'],
    signature: 'uint32 skboutput(const string path, struct sk_buff *skb, uint64 length, const uint64 offset)',
    async: true,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'variable',
    helpers: ['skb_output'],
    check(c) {
      wantLiteral(c, 0, 'string');
      wantArg(c, 1, 'pointer');
      wantArg(c, 2, 'int');
      wantArg(c, 3, 'int');
      return uint32;
    },
  },
  {
    name: 'socket_cookie',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'uint64 socket_cookie(struct sock *sk)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['get_socket_cookie'],
    check(c) {
      wantArg(c, 0, 'pointer');
      return uint64;
    },
  },
  {
    name: 'nsecs',
    minArgs: 0,
    maxArgs: 1,
    exactArity: false,
    argKinds: ['mode'],
    signature: 'uint64 nsecs([boot|monotonic|tai|sw_tai])',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['ktime_get_boot_ns', 'ktime_get_ns', 'ktime_get_tai_ns'],
    check(c) {
      let clock: 'boot' | 'monotonic' | 'tai' | 'sw_tai' = 'boot';
      if (c.args.length === 1) {
        const a = c.args[0]!;
        if (c.typeOf(a)?.kind !== 'timestamp_mode') c.error(M.argWantsKind('nsecs', 'timestamp_mode', kindOf(c.typeOf(a))), c.call.span);
        else clock = (a as { name: string }).name as typeof clock;
      }
      c.note({ clock });
      return uint64;
    },
  },
  nsRow('pid'),
  nsRow('tid'),
  {
    name: 'getopt',
    minArgs: 1,
    maxArgs: 3,
    exactArity: false,
    argKinds: ['value'],
    signature: 'bool|int|string getopt(string name[, default[, string description]])',
    async: false,
    unsafe: false,
    compileTime: true,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      // Rewritten to a literal before inference; reaching here means the call was malformed.
      wantLiteral(c, 0, 'string');
      return c.args.length > 1 ? c.typeOf(c.args[1]!) : boolType;
    },
  },
  {
    name: 'is_err',
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: 'bool is_err(void * ptr)',
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      const t = c.typeOf(c.args[0]!);
      if (t === undefined && !c.final) return undefined;
      if (t?.kind !== 'pointer' && t?.kind !== 'int') c.error(M.argWantsKind('is_err', 'pointer', kindOf(t)), c.call.span);
      return boolType;
    },
  },
  {
    name: 'write_user',
    minArgs: 3,
    maxArgs: 3,
    exactArity: true,
    argKinds: ['value'],
    signature: 'bool write_user(T * dst, T * src, uint32 len)',
    async: false,
    unsafe: true,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['probe_write_user'],
    check(c) {
      wantArg(c, 2, 'int');
      return boolType;
    },
  },
];

function symbolRow(name: 'ksym' | 'usym', type: SizedType, signature: string): FunctionRow {
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature,
    async: true,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: name === 'usym' ? ['get_current_pid_tgid'] : [],
    check(c) {
      const t = c.typeOf(c.args[0]!);
      if (t === undefined && !c.final) return undefined;
      if (!t || (t.kind !== 'int' && t.kind !== 'pointer')) c.error(M.symWantsIntOrPointer(name), c.call.span);
      return type;
    },
  };
}

function mapOpRow(name: 'clear' | 'zero', signature: string, helpers: string[], async: boolean): FunctionRow {
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['map'],
    signature,
    async,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'statement',
    helpers,
    check(c) {
      const map = mapArg(c, 0);
      if (!map) c.error(M.mapOpWantsMap(name), c.call.span);
      else {
        if (map.keys && map.keys.length > 0) c.error(M.mapOpIndexed(name), c.call.span);
        c.note({ map: map.name });
      }
      return voidType;
    },
  };
}

function signalRow(name: 'signal' | 'signal_thread', helpers: string[]): FunctionRow {
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    exactArity: false,
    argKinds: ['value'],
    signature: `void ${name}(const string sig | uint32 signum)`,
    async: false,
    unsafe: true,
    compileTime: false,
    aggregation: false,
    placement: 'statement',
    allowedIn: ['kprobe', 'kretprobe', 'uprobe', 'uretprobe', 'usdt', 'tracepoint', 'profile', 'fentry', 'fexit', 'rawtracepoint'],
    helpers,
    check(c) {
      const arg = c.args[0]!;
      const t = c.typeOf(arg);
      const s = c.stringLiteral(arg);
      const n = c.intLiteral(arg);
      if (t?.kind === 'string' && s !== undefined) {
        const num = SIGNALS[s];
        if (num === undefined) c.error(M.signalInvalidName(s), c.call.span);
        else c.note({ signal: num });
      } else if (t?.kind === 'int' && n !== undefined) {
        if (n < 1n || n > 64n) c.error(M.signalOutOfRange(n), c.call.span);
        else c.note({ signal: Number(n) });
      } else if (t?.kind !== 'int') {
        if (t === undefined && !c.final) return voidType;
        c.error(M.signalWantsArg(), c.call.span);
      }
      return voidType;
    },
  };
}

function ptrSpaceRow(name: 'kptr' | 'uptr', space: 'kernel' | 'user'): FunctionRow {
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    exactArity: true,
    argKinds: ['value'],
    signature: `T * ${name}(T * ptr)`,
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check(c) {
      const t = c.typeOf(c.args[0]!);
      if (t === undefined) return c.final ? uint64 : undefined;
      if (t.kind === 'pointer') return { ...t, space };
      if (t.kind === 'int') return t;
      c.error(M.argWantsKind(name, 'int or pointer', kindOf(t)), c.call.span);
      return t;
    },
  };
}

/** pid(curr_ns|init), tid(curr_ns|init): call forms of the builtins. */
function nsRow(name: 'pid' | 'tid'): FunctionRow {
  return {
    name,
    minArgs: 0,
    maxArgs: 1,
    exactArity: false,
    argKinds: ['mode'],
    signature: `uint32 ${name}([curr_ns|init])`,
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: ['get_current_pid_tgid', 'get_ns_current_pid_tgid'],
    check(c) {
      if (c.args.length === 1) {
        const a = c.args[0]!;
        if (a.kind !== 'Identifier' || (a.name !== 'curr_ns' && a.name !== 'init')) c.error(M.pidNamespace(name), c.call.span);
        else c.note({ literals: [a.name] });
      }
      return uint32;
    },
  };
}

/** Offsets of the x86-64 struct pt_regs registers that reg() accepts. */
export const PT_REGS_OFFSETS: Readonly<Record<string, number>> = {
  r15: 0, r14: 8, r13: 16, r12: 24, bp: 32, bx: 40, r11: 48, r10: 56, r9: 64, r8: 72,
  ax: 80, cx: 88, dx: 96, si: 104, di: 112, orig_ax: 120, ip: 128, cs: 136, flags: 144, sp: 152, ss: 160,
};

/** Signal names accepted by signal(). */
export const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17,
  SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25,
  SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
};

function spaceOf(c: CallChecker, t: SizedType | undefined): 'kernel' | 'user' {
  if (t?.kind === 'pointer') return t.space;
  return c.scope.probe?.addressSpace ?? 'kernel';
}

/** IPv4 dotted quad or IPv6 text → bytes; 'family' when neither '.' nor ':' appears. */
export function parseAddress(text: string): number[] | 'family' | undefined {
  if (text.includes('.')) {
    const parts = text.split('.');
    if (parts.length !== 4 || parts.some((p) => !/^[0-9]{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    return parts.map(Number);
  }
  if (!text.includes(':')) return 'family';
  return parseIpv6(text);
}

function parseIpv6(text: string): number[] | undefined {
  let head = text;
  let tail = '';
  const dbl = text.indexOf('::');
  if (dbl >= 0) {
    if (text.indexOf('::', dbl + 1) >= 0) return undefined;
    head = text.slice(0, dbl);
    tail = text.slice(dbl + 2);
  }
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseAddress(p);
        if (!Array.isArray(v4)) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const h = groups(head);
  const t = groups(tail);
  if (!h || !t) return undefined;
  const missing = 8 - h.length - t.length;
  if (dbl >= 0 ? missing < 1 : missing !== 0) return undefined;
  const all = [...h, ...Array<number>(dbl >= 0 ? missing : 0).fill(0), ...t];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

export const FUNCTIONS: readonly FunctionRow[] = ROWS;

const BY_NAME = new Map(ROWS.map((r) => [r.name, r]));

export function functionByName(name: string): FunctionRow | undefined {
  return BY_NAME.get(name);
}

export function functionNames(): string[] {
  return ROWS.map((r) => r.name);
}

/** Family check for rows with `allowedIn`; returns the first disallowed provider name. */
export function disallowedProvider(row: FunctionRow, scope: ProbeScope): string | undefined {
  if (!row.allowedIn || !scope.probe) return undefined;
  for (const p of scope.probe.providers) if (!row.allowedIn.includes(p.family)) return p.name;
  return undefined;
}

