// What the compiler hands to the loader and the runtime: one eBPF program per probe (or per
// probe match when the body depends on the match), the maps to create, and the tables user
// space needs to decode ring-buffer records, map keys and values. Pure data, no behaviour;
// compile-program.ts builds it, runtime/ and the ELF writer read it.

import type { AggregationType, SizedType } from '../check/types.js';
import type { FormatSpec } from '../check/format.js';
import type { ProviderName } from '../check/providers.js';
import type { Span } from '../diag/source.js';
import type { Insn } from '../ebpf/isa.js';
import type { MapSpec } from '../ebpf/maps/map.js';
import type { ProgTypeName } from '../ebpf/progtypes.js';

export interface CompileOptions {
  /**
   * Number of possible CPUs of the machine the program will run on: the bound of the loop
   * that adds up per-CPU copies when a program reads an aggregation, and `ncpus`' value.
   * Default 4 (the world's default `--cpus`).
   */
  readonly ncpus?: number;
  /** `--unsafe`: system() is allowed (the checker already refused it otherwise). */
  readonly unsafe?: boolean;
  /** Bytes of the ring buffer that carries async events (a power of two ≥ 4096). Default 256 KiB. */
  readonly ringbufSize?: number;
  /** `cpid`: the pid of the child command (-c), 0 without one. */
  readonly childPid?: number;
  /**
   * Reach the zero-value and globals arrays with `lddw map_value` (BPF_PSEUDO_MAP_VALUE,
   * direct value access) instead of a map_lookup_elem call. Default true; in an ELF object
   * these arrays are global variables of data sections (see elf.ts).
   */
  readonly directValueAccess?: boolean;
  /**
   * Report failed map updates and deletes as bpftrace 0.23 does (a helper_error record per
   * failure, through one shared subprogram per program). Default true; false compiles what
   * bpftrace 0.17 compiled (no reporting), for like-for-like measurements.
   */
  readonly helperErrors?: boolean;
  /**
   * bpftrace's -k: also report a map lookup that finds no element (helper map_lookup_elem,
   * retcode 0) and a failed probe read of memory, each as a helper_error record at its
   * expression. Default false.
   */
  readonly runtimeWarnings?: boolean;
  /** kaddr("name"): the kernel symbol's address (the runtime passes the world's symbol table). */
  readonly kernelSymbol?: (name: string) => bigint | undefined;
}

/** The whole compiled program. */
export interface CompiledProgram {
  /** Programs in emission order: probes in CheckedProbe.index order, matches in catalog order. */
  readonly programs: readonly CompiledProbeProgram[];
  /**
   * Maps to create, in order. Programs reference map i with `lddw rX, map_fd i + 1` (src 1):
   * a loader that creates them in this order with fds 1, 2, … needs no patching; one that
   * assigns other fds rewrites the imm of every slot listed in the program's `mapRelocs`.
   */
  readonly maps: readonly MapDef[];
  /** Async event kinds by id (the u64 at offset 0 of every ring-buffer record). */
  readonly asyncEvents: readonly AsyncEvent[];
  /** strftime() formats: a `timestamp` value's u32 at offset 0 indexes this table. */
  readonly strftimeFormats: readonly string[];
  /**
   * cgroup_path() filters ('*' when the call has none): a `cgroup_path` value's u64 at offset
   * 0 indexes this table, its u64 at 8 is the cgroup id (DecodeContext.cgroupPath).
   */
  readonly cgroupPathFilters: readonly string[];
  /** Indexes into `programs` of the BEGIN (and `begin`) programs, in run order. */
  readonly beginPrograms: readonly number[];
  /** Indexes into `programs` of the END programs, in run order. */
  readonly endPrograms: readonly number[];
  /** Index in `maps` of the ring buffer every async event goes through. */
  readonly ringbufMap: number;
  /** Index in `maps` of the globals array (see GLOBALS), or -1 when no program reads it. */
  readonly globalsMap: number;
}

/** One eBPF program and where it attaches. */
export interface CompiledProbeProgram {
  /** Unique name of the program (the ELF symbol): `tracepoint_syscalls_sys_enter_openat_0`. */
  readonly name: string;
  /** CheckedProbe.index of the action block it came from. */
  readonly probeIndex: number;
  /** The probe name `probe` prints for a per-match program, or the block's first match otherwise. */
  readonly probeName: string;
  /** Every concrete probe this program is attached to. */
  readonly attachTo: readonly AttachTarget[];
  /** BEGIN/END programs run in user space's order through BPF_PROG_TEST_RUN, not attached. */
  readonly special?: 'BEGIN' | 'END';
  /** The Linux program type (BPF_PROG_TYPE_*) it is loaded as. */
  readonly progType: ProgTypeName;
  /**
   * The ELF section name as libbpf names it for this program type and first attach target:
   * `tracepoint/syscalls/sys_enter_openat`, `kprobe/vfs_read`, `kretprobe/vfs_read`,
   * `perf_event`, `raw_tp/…`, `fentry/…`, `uprobe/…`.
   */
  readonly section: string;
  /** The instruction slots (lddw takes two). */
  readonly insns: readonly Insn[];
  /** Slots holding `lddw map_fd` (src 1) or `lddw map_value` (src 2) and the map index they name. */
  readonly mapRelocs: readonly MapReloc[];
  /** Bytes of the context record the program may read (tracepoint record size, pt_regs, …). */
  readonly ctxSize: number;
  /** Bytes of stack the program uses (≤ 512). */
  readonly stackSize: number;
}

export interface MapReloc {
  /** Slot index of the lddw. */
  readonly insn: number;
  /** Index into CompiledProgram.maps. */
  readonly map: number;
}

export interface AttachTarget {
  readonly provider: ProviderName;
  /** Full probe name: `tracepoint:syscalls:sys_enter_openat`, `kprobe:vfs_read`, `BEGIN`. */
  readonly probe: string;
  /** tracepoint category, uprobe binary…; '' when none. */
  readonly target: string;
  /** tracepoint event, kernel function…; '' when none. */
  readonly func: string;
  /** profile/interval/software/hardware period. */
  readonly period?: { readonly unit: 'hz' | 's' | 'ms' | 'us' | 'ns' | 'count'; readonly value: bigint };
  /** kprobe:func+offset. */
  readonly offset?: bigint;
}

/** What a map is for. */
export type MapRole =
  /** A bpftrace map (`@name`). */
  | 'user'
  /** The ring buffer of async events. */
  | 'ringbuf'
  /** Stack traces for kstack/ustack (get_stackid). */
  | 'stacks'
  /** One zero-filled value read-only source (new hist/lhist/tseries entries start from it). */
  | 'zero'
  /** Per-CPU scratch memory for values too large for the 512-byte stack. */
  | 'scratch'
  /** Values user space sets before BEGIN (see GLOBALS). */
  | 'globals'
  /** A constant lookup table filled from `initial` (syscall and signal names). */
  | 'table';

export interface MapDef {
  /** What createMap takes. `spec.name` is the bpftrace name for user maps ('@', '@start'). */
  readonly spec: MapSpec;
  readonly role: MapRole;
  /** user: the bpftrace map name with '@'. */
  readonly bpftraceName?: string;
  /**
   * user: the key type as laid out in the key bytes; undefined for a map without keys (its
   * one key is a zero u32 for arrays, a zero u64 for hashes).
   */
  readonly keyType?: SizedType;
  /** user: the value type (an AggregationType, with its real per-CPU size, for aggregations). */
  readonly valueType?: SizedType;
  /** user: set when the value is an aggregation (same object as valueType). */
  readonly aggregation?: AggregationType;
  /** Values are per CPU (sum them, or combine aggregations as layouts.ts says). */
  readonly perCpu: boolean;
  /** stacks: frames per stack (the value holds this many u64 addresses). */
  readonly stackLimit?: number;
  /**
   * user: an array map standing in for a keyless aggregation whose all-zero value means
   * "never written" (hist, lhist, tseries): print nothing for it while it is all zero and has
   * never been seen otherwise, as bpftrace prints nothing for the hash map it would have
   * used. Once user space saw it written (or zero() was applied to it), it is present.
   */
  readonly zeroMeansAbsent?: boolean;
  /** Entries the loader writes (updateUser) after creating the map, before any program runs. */
  readonly initial?: readonly { readonly key: Uint8Array; readonly value: Uint8Array }[];
}

/** Fields of the globals map's single value (role 'globals'), set by user space before BEGIN. */
export const GLOBALS = {
  /** u64 CLOCK_BOOTTIME ns when tracing started (`elapsed` subtracts it). */
  startBootNs: 0,
  size: 8,
} as const;

/**
 * The clock a `timestamp` value (strftime()) was read from: its u32 at offset 4. User space
 * adds the offset from that clock to the wall clock (DecodeContext.timestampBaseNs).
 */
export const TIMESTAMP_MODE = { boot: 0, monotonic: 1, tai: 2, sw_tai: 3 } as const;

/**
 * Every ring-buffer record starts with this u64: the index of its AsyncEvent. The payload
 * follows at the offsets the event lists (naturally aligned, as a C struct would be).
 */
export const ASYNC_HEADER_SIZE = 8;

export type AsyncEvent =
  | HelperErrorEvent
  | PrintfEvent
  | PrintValueEvent
  | MapOpEvent
  | ExitEvent
  | TimeEvent
  | JoinEvent;

/**
 * A helper failed in a probe (map full on update, missing key on delete): print bpftrace's
 * warning with the call's location. The i64 return code is at offset 8.
 */
export interface HelperErrorEvent {
  readonly kind: 'helper_error';
  readonly id: number;
  readonly size: 16;
  /** Linux helper id: 2 map_update_elem, 3 map_delete_elem. */
  readonly helperId: number;
  /** libbpf's name: 'map_update_elem'. */
  readonly helperName: string;
  /** The statement or call that failed, in the root source. */
  readonly span: Span;
  readonly retcodeOffset: 8;
}

/** A field of a record: its type and where it starts. */
export interface RecordField {
  readonly type: SizedType;
  readonly offset: number;
}

/**
 * printf / system / cat / errorf / warnf: the format (with its parts and conversions, from
 * the checker) and one field per conversion. Format the arguments decoded at their
 * offsets; system runs the result as a command; cat prints the file it names.
 */
export interface PrintfEvent {
  readonly kind: 'printf' | 'system' | 'cat' | 'errorf' | 'warnf';
  readonly id: number;
  /** Total record size, header included. */
  readonly size: number;
  readonly format: FormatSpec;
  readonly args: readonly RecordField[];
  /** errorf/warnf: where the call is, for the `file:line:col: ERROR:` prefix. */
  readonly span?: Span;
}

/** print(value): one value to print as print() prints it. */
export interface PrintValueEvent {
  readonly kind: 'print_value';
  readonly id: number;
  readonly size: number;
  readonly value: RecordField;
}

/**
 * print(@m[, top[, div]]), clear(@m), zero(@m) called in a probe: user space does it when
 * the record arrives. No payload besides the header.
 */
export interface MapOpEvent {
  readonly kind: 'print_map' | 'clear_map' | 'zero_map';
  readonly id: number;
  readonly size: number;
  /** Index into CompiledProgram.maps. */
  readonly map: number;
  /** The bpftrace map name ('@start'). */
  readonly mapName: string;
  /** print: top (0 = all) and div (1 = no division). */
  readonly top?: bigint;
  readonly div?: bigint;
}

/** exit([code]): stop tracing (END probes run); the i64 code is at offset 8. */
export interface ExitEvent {
  readonly kind: 'exit';
  readonly id: number;
  readonly size: 16;
  readonly codeOffset: 8;
}

/** time([fmt]): print the current wall-clock time with a strftime format. */
export interface TimeEvent {
  readonly kind: 'time';
  readonly id: number;
  readonly size: 8;
  readonly format: string;
}

/**
 * join(arr[, sep]): `count` strings of `stringSize` bytes each (NUL-padded) starting at
 * offset 8; an empty first byte ends the list early. Print them separated by `separator`.
 */
export interface JoinEvent {
  readonly kind: 'join';
  readonly id: number;
  readonly size: number;
  readonly separator: string;
  readonly count: number;
  readonly stringSize: number;
}
