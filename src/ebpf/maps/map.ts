// The contract every map type implements, for both sides: the kernel side (helpers, the JIT)
// works on key and value bytes in place and never allocates; the user side (runtime, tests)
// iterates and reads whole entries. Errors are Linux's negative errnos, never exceptions.

export const BPF_MAP_TYPE = {
  hash: 1,
  array: 2,
  perf_event_array: 4,
  percpu_hash: 5,
  percpu_array: 6,
  stack_trace: 7,
  lru_hash: 9,
  lru_percpu_hash: 10,
  ringbuf: 27,
} as const;
export type MapTypeName = keyof typeof BPF_MAP_TYPE;

/** map_update_elem flags */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

export interface MapSpec {
  readonly name: string;
  readonly type: MapTypeName;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
}

export interface BpfMap {
  readonly spec: MapSpec;
  /** The fd programs reference with lddw src=1. */
  readonly fd: number;
  /** Region id holding this CPU's values (per-CPU maps have one per CPU). */
  valueRegion(cpu: number): number;
  /** Kernel side: offset of the value for key bytes[keyOff..], in valueRegion(cpu), or -1. */
  lookup(key: Uint8Array, keyOff: number, cpu: number): number;
  /** Kernel side: 0 or -errno (-E2BIG full, -EEXIST with BPF_NOEXIST, -ENOENT with BPF_EXIST). */
  update(key: Uint8Array, keyOff: number, value: Uint8Array, valueOff: number, flags: number, cpu: number): number;
  /** Kernel side: 0 or -ENOENT (-EINVAL for arrays). */
  delete(key: Uint8Array, keyOff: number): number;
  /** User side: every entry's key, and its value per CPU (one element for shared maps). */
  entries(): Iterable<{ key: Uint8Array; values: Uint8Array[] }>;
  /** User side: the number of keys present. */
  size(): number;
  /** User side: remove every entry (arrays: zero every value). */
  clear(): void;
}

// ── extensions (maps helper): flags, the user-side surface and the errno values ──────────

/** map_update_elem flag that needs a bpf_spin_lock in the value; no value here has one. */
export const BPF_F_LOCK = 4;
/** Map creation flags this machine accepts (others are -EINVAL at creation). */
export const BPF_F_NO_PREALLOC = 1;
export const BPF_F_RDONLY_PROG = 1 << 7;
export const BPF_F_WRONLY_PROG = 1 << 8;

/** One entry as user space reads it: values has one element per CPU for per-CPU maps. */
export interface MapEntry {
  key: Uint8Array;
  values: Uint8Array[];
}

/** A page of a batch lookup: entries, and the token to continue from (null at the end). */
export interface MapBatch {
  entries: MapEntry[];
  next: number | null;
}

/**
 * What the runtime and tests use besides the kernel side: copies in and out by key bytes,
 * per-CPU values listed per CPU, batches in iteration order. These may allocate.
 */
export interface UserMap extends BpfMap {
  /** Number of CPUs the map keeps values for (1 for shared maps). */
  readonly ncpus: number;
  /** Copies of the value for key (one per CPU for per-CPU maps), or undefined (ENOENT). */
  lookupUser(key: Uint8Array): Uint8Array[] | undefined;
  /**
   * Sets key's value; values has one element per CPU for per-CPU maps or a single value that
   * every CPU receives. 0 or -errno, with the same errnos as the kernel side.
   */
  updateUser(key: Uint8Array, values: readonly Uint8Array[], flags: number): number;
  /** 0 or -errno. */
  deleteUser(key: Uint8Array): number;
  /** Up to count entries from token (0 to start), in entries() order. */
  lookupBatch(token: number, count: number): MapBatch;
  /** As lookupBatch, deleting what it returns; -EINVAL for maps without deletion (arrays), as in Linux. */
  lookupAndDeleteBatch(token: number, count: number): MapBatch | number;
  /** Deletes each key; returns how many were deleted, or the first -errno. */
  deleteBatch(keys: readonly Uint8Array[]): number;
  /** Releases the map's memory regions; the map is unusable afterwards. */
  close(): void;
}
