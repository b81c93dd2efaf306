// The Linux program types this machine runs, as data: the BPF_PROG_TYPE_* id, the context
// record each receives in r1 (its size and which offsets and sizes may be read or written, as
// the kernel's *_is_valid_access functions decide), the helpers each may call, and the range
// r0 must be in at exit. The verifier reads this; the loader and ELF writer use the ids.

export type ProgTypeName = 'socket_filter' | 'kprobe' | 'tracepoint' | 'perf_event' | 'raw_tracepoint' | 'tracing';

/** Linux's enum bpf_prog_type. */
export const BPF_PROG_TYPE: Readonly<Record<ProgTypeName, number>> = {
  socket_filter: 1,
  kprobe: 2,
  tracepoint: 5,
  perf_event: 7,
  raw_tracepoint: 17,
  tracing: 26,
};

/** x86-64 struct pt_regs: 21 longs. */
export const PT_REGS_SIZE = 168;
/** Linux's PERF_MAX_TRACE_SIZE: the largest tracepoint record. */
export const PERF_MAX_TRACE_SIZE = 8192;
/** MAX_BPF_FUNC_ARGS longs of raw tracepoint / fentry arguments. */
export const MAX_BPF_FUNC_ARGS = 12;

/** Offsets into struct pt_regs (x86-64), for kprobe argument and return value reads. */
export const PT_REGS_OFFSET = {
  r15: 0, r14: 8, r13: 16, r12: 24, bp: 32, bx: 40, r11: 48, r10: 56, r9: 64, r8: 72, ax: 80, cx: 88,
  dx: 96, si: 104, di: 112, orig_ax: 120, ip: 128, cs: 136, flags: 144, sp: 152, ss: 160,
} as const;

export interface CtxAccess {
  /** Offset from the start of the context. */
  readonly off: number;
  readonly size: 1 | 2 | 4 | 8;
  readonly write: boolean;
  /** The record size the loader gave (tracepoint formats, fentry argument counts). */
  readonly ctxSize: number;
}

export interface ProgTypeInfo {
  readonly name: ProgTypeName;
  readonly id: number;
  /** Context size when the loader does not give one. */
  readonly defaultCtxSize: number;
  /** May this context access be made (the kernel's is_valid_access)? */
  readonly ctxAccessOk: (a: CtxAccess) => boolean;
  /** Helper ids this program type may call. */
  readonly helpers: ReadonlySet<number>;
  /** Helpers Linux knows for this type but refuses once their arguments are checked (get_func_ip). */
  readonly helpersUnsupported?: ReadonlySet<number>;
  /** Range r0 must be in at exit, when Linux enforces one. */
  readonly retRange?: readonly [number, number];
  /** May use the legacy packet loads (BPF_LD | BPF_ABS / BPF_IND). */
  readonly ldAbs: boolean;
}

const aligned = (a: CtxAccess): boolean => a.off % a.size === 0;

/** A u64 field whose narrower parts may be read (bpf_ctx_narrow_access_ok). */
const narrowOk = (a: CtxAccess, fieldOff: number, fieldSize: number): boolean =>
  a.off >= fieldOff && a.off + a.size <= fieldOff + fieldSize && aligned(a);

// Helpers every tracing-flavoured type may call (bpf_tracing_func_proto on Linux 6.18, as
// probed on this machine), before each type's own additions.
const TRACING_BASE = [
  1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 22, 25, 27, 35, 42, 45, 67, 80, 109, 112, 113, 114, 115, 117, 118, 120, 123,
  125, 130, 131, 132, 133, 134, 158, 164, 165, 174, 177, 181, 182, 195, 208,
];

// struct __sk_buff fields a socket filter may read: [offset, size]. Narrow reads of u32
// fields are allowed; cb[0..4] may also be written. data/data_end, the address fields,
// tstamp, wire_len, hwtstamp and sk are not readable from this program type.
const SKB_U32_FIELDS: readonly (readonly [number, number])[] = [
  [0, 4], [4, 4], [8, 4], [12, 4], [16, 4], [20, 4], [24, 4], [28, 4], [32, 4], [36, 4], [40, 4], [44, 4],
  [48, 20], [68, 4], [84, 4], [164, 4], [176, 4],
];
const SKB_CB: readonly [number, number] = [48, 20];
const SK_BUFF_SIZE = 192;

function skbAccessOk(a: CtxAccess): boolean {
  if (a.off < 0 || a.off >= SK_BUFF_SIZE || !aligned(a)) return false;
  if (a.write) return a.off >= SKB_CB[0] && a.off + a.size <= SKB_CB[0] + SKB_CB[1];
  return SKB_U32_FIELDS.some(([o, s]) => a.off >= o && a.off + a.size <= o + s && (a.size <= 4 || s > 4));
}

/** bpf_get_func_ip is known to every tracing type but works only for kprobes and fentry. */
const GET_FUNC_IP_ONLY_FOR_PROBES: ReadonlySet<number> = new Set([173]);

const PROG_TYPES: readonly ProgTypeInfo[] = [
  {
    name: 'socket_filter',
    id: 1,
    defaultCtxSize: SK_BUFF_SIZE,
    ctxAccessOk: skbAccessOk,
    helpers: new Set([
      1, 2, 3, 5, 6, 7, 8, 14, 15, 16, 22, 25, 26, 35, 42, 46, 47, 80, 109, 112, 113, 114, 115, 117, 118, 120, 123,
      125, 130, 131, 132, 133, 134, 158, 160, 164, 165, 177, 181, 182, 195, 208,
    ]),
    ldAbs: true,
  },
  {
    name: 'kprobe',
    id: 2,
    defaultCtxSize: PT_REGS_SIZE,
    ctxAccessOk: (a) => !a.write && a.off >= 0 && a.off < PT_REGS_SIZE && aligned(a) && a.off + a.size <= PT_REGS_SIZE,
    // get_func_ip, and override_return as on kernels built with CONFIG_BPF_KPROBE_OVERRIDE.
    helpers: new Set([...TRACING_BASE, 58, 173]),
    ldAbs: false,
  },
  {
    name: 'tracepoint',
    id: 5,
    defaultCtxSize: PERF_MAX_TRACE_SIZE,
    // The first 8 bytes (common_type, flags, preempt_count, pid) are not readable.
    ctxAccessOk: (a) => !a.write && a.off >= 8 && a.off < PERF_MAX_TRACE_SIZE && aligned(a) && a.off + a.size <= a.ctxSize,
    helpers: new Set([...TRACING_BASE, 173]),
    helpersUnsupported: GET_FUNC_IP_ONLY_FOR_PROBES,
    ldAbs: false,
  },
  {
    name: 'perf_event',
    id: 7,
    // struct bpf_perf_event_data: pt_regs, u64 sample_period, u64 addr.
    defaultCtxSize: PT_REGS_SIZE + 16,
    ctxAccessOk: (a) => {
      if (a.write || a.off < 0 || a.off >= PT_REGS_SIZE + 16 || !aligned(a)) return false;
      if (a.off >= PT_REGS_SIZE) return narrowOk(a, a.off < PT_REGS_SIZE + 8 ? PT_REGS_SIZE : PT_REGS_SIZE + 8, 8);
      return a.size === 8;
    },
    helpers: new Set([...TRACING_BASE, 173]),
    helpersUnsupported: GET_FUNC_IP_ONLY_FOR_PROBES,
    ldAbs: false,
  },
  {
    name: 'raw_tracepoint',
    id: 17,
    defaultCtxSize: MAX_BPF_FUNC_ARGS * 8,
    ctxAccessOk: (a) => !a.write && a.off >= 0 && a.off < MAX_BPF_FUNC_ARGS * 8 && aligned(a) && a.off + a.size <= a.ctxSize,
    helpers: new Set([...TRACING_BASE, 173]),
    helpersUnsupported: GET_FUNC_IP_ONLY_FOR_PROBES,
    ldAbs: false,
  },
  {
    name: 'tracing',
    id: 26,
    defaultCtxSize: MAX_BPF_FUNC_ARGS * 8,
    ctxAccessOk: (a) => !a.write && a.off >= 0 && a.off < MAX_BPF_FUNC_ARGS * 8 && aligned(a) && a.off + a.size <= a.ctxSize,
    helpers: new Set([...TRACING_BASE, 173, 183, 184, 185]),
    // fentry/fexit programs must return 0.
    retRange: [0, 0],
    ldAbs: false,
  },
];

export const PROG_TYPE_INFO: Readonly<Record<ProgTypeName, ProgTypeInfo>> = Object.fromEntries(
  PROG_TYPES.map((p) => [p.name, p]),
) as Record<ProgTypeName, ProgTypeInfo>;
