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
