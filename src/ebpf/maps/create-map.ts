// MapSpec in, a map of the spec's type living in the given Memory out, after the checks
// Linux's BPF_MAP_CREATE makes (sizes, flags, max_entries), with its errnos. The loader calls
// this once per map; a spec Linux would refuse is a MapCreateError carrying the errno.
// Not the loader: fds are the caller's to assign, attaching buffers to perf arrays too.

import { ArrayMap } from './array.js';
import { E2BIG, EINVAL, ENOMEM, ENOTSUPP } from './errno.js';
import { HashMap } from './hash.js';
import { BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG } from './map.js';
import type { MapSpec, MapTypeName } from './map.js';
import { PerfEventArrayMap } from './perf-event-array.js';
import { RingBufMap } from './ringbuf.js';
import { PERF_MAX_STACK_DEPTH, StackTraceMap } from './stack-trace.js';
import type { Memory } from '../memory.js';

export type MachineMap = HashMap | ArrayMap | RingBufMap | PerfEventArrayMap | StackTraceMap;

/** KMALLOC_MAX_SIZE on x86-64 (4 MiB): the largest single allocation. */
const KMALLOC_MAX_SIZE = 1 << 22;
/** sizeof(struct htab_elem) on x86-64: the header before each hash element's key and value. */
const HTAB_ELEM_SIZE = 48;
/** PCPU_MIN_UNIT_SIZE: the largest per-CPU value (value_size rounded up to 8). */
const MAX_PERCPU_VALUE = 32768;
/** An array's largest value_size. */
const INT_MAX = 0x7fffffff;
/**
 * Linux allocates what these limits allow when memory permits; this machine preallocates a
 * map's storage in JavaScript buffers and refuses one needing more than this many bytes with
 * -ENOMEM, as Linux does when the allocation fails.
 */
const MAX_MAP_BYTES = 1 << 30;
const PAGE_SIZE = 4096;

export class MapCreateError extends Error {
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
    this.name = 'MapCreateError';
  }
}

type Check = (s: MapSpec) => number;

const roundUp8 = (n: number): number => Math.ceil(n / 8) * 8;

const hashCheck =
  (percpu: boolean, lru: boolean): Check =>
  (s) => {
    if (s.keySize <= 0 || s.valueSize <= 0 || s.maxEntries <= 0) return -EINVAL;
    if (lru && (s.flags ?? 0) & BPF_F_NO_PREALLOC) return -ENOTSUPP;
    // htab_map_alloc_check (Linux 6.x, checked on 6.18 with bpftool map create): key and value
    // together must fit one kmalloc beside the element header; keys are not limited to the
    // 512-byte stack (bpftrace 0.23's string keys are 1024 bytes).
    if (s.keySize + s.valueSize >= KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE) return -E2BIG;
    if (percpu && roundUp8(s.valueSize) > MAX_PERCPU_VALUE) return -E2BIG;
    return 0;
  };

const arrayCheck =
  (percpu: boolean): Check =>
  (s) => {
    if (s.keySize !== 4 || s.valueSize <= 0 || s.maxEntries <= 0) return -EINVAL;
    if ((s.flags ?? 0) & BPF_F_NO_PREALLOC) return -EINVAL;
    if (s.valueSize > INT_MAX || (percpu && roundUp8(s.valueSize) > MAX_PERCPU_VALUE)) return -E2BIG;
    return 0;
  };

/** Per type: the creation checks after the common flag check. */
const CHECKS: Record<MapTypeName, Check> = {
  hash: hashCheck(false, false),
  percpu_hash: hashCheck(true, false),
  lru_hash: hashCheck(false, true),
  lru_percpu_hash: hashCheck(true, true),
  array: arrayCheck(false),
  percpu_array: arrayCheck(true),
  ringbuf: (s) => {
    if (s.keySize !== 0 || s.valueSize !== 0 || (s.flags ?? 0) !== 0) return -EINVAL;
    const n = s.maxEntries;
    return n >= PAGE_SIZE && (n & (n - 1)) === 0 ? 0 : -EINVAL;
  },
  perf_event_array: (s) => (s.keySize === 4 && s.valueSize === 4 && s.maxEntries > 0 ? 0 : -EINVAL),
  stack_trace: (s) => {
    if (s.maxEntries <= 0 || s.keySize !== 4 || s.valueSize < 8 || s.valueSize % 8 !== 0) return -EINVAL;
    return s.valueSize / 8 > PERF_MAX_STACK_DEPTH ? -EINVAL : 0;
  },
};

const KNOWN_FLAGS = BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;

/** 0 when Linux would create the map, else its -errno. */
export function checkMapSpec(spec: MapSpec): number {
  const check = CHECKS[spec.type] as Check | undefined;
  if (!check) return -EINVAL;
  const flags = spec.flags ?? 0;
  if (flags & ~KNOWN_FLAGS || (flags & BPF_F_RDONLY_PROG && flags & BPF_F_WRONLY_PROG)) return -EINVAL;
  if (!Number.isInteger(spec.keySize) || !Number.isInteger(spec.valueSize) || !Number.isInteger(spec.maxEntries)) return -EINVAL;
  return check(spec);
}

/** Bytes of preallocated storage a hash or array map needs on this machine (keys, and values per CPU). */
function storageBytes(spec: MapSpec, ncpus: number): number {
  const perCpu = spec.type === 'percpu_hash' || spec.type === 'lru_percpu_hash' || spec.type === 'percpu_array' ? ncpus : 1;
  const keys = spec.type.endsWith('hash') ? Math.ceil(spec.keySize / 4) * 4 + 4 : 0;
  return (keys + roundUp8(spec.valueSize) * perCpu) * spec.maxEntries;
}

/** Creates the map for spec with its value storage as regions of mem. Throws MapCreateError. */
export function createMap(spec: MapSpec, mem: Memory, ncpus: number, fd: number): MachineMap {
  let rc = checkMapSpec(spec);
  if (rc === 0 && storageBytes(spec, ncpus) > MAX_MAP_BYTES && !['ringbuf', 'perf_event_array', 'stack_trace'].includes(spec.type)) rc = -ENOMEM;
  if (rc !== 0) throw new MapCreateError(-rc, `map '${spec.name}': creation failed with errno ${-rc}`);
  switch (spec.type) {
    case 'hash':
      return new HashMap(spec, fd, mem, ncpus, { percpu: false, lru: false });
    case 'percpu_hash':
      return new HashMap(spec, fd, mem, ncpus, { percpu: true, lru: false });
    case 'lru_hash':
      return new HashMap(spec, fd, mem, ncpus, { percpu: false, lru: true });
    case 'lru_percpu_hash':
      return new HashMap(spec, fd, mem, ncpus, { percpu: true, lru: true });
    case 'array':
      return new ArrayMap(spec, fd, mem, ncpus, false);
    case 'percpu_array':
      return new ArrayMap(spec, fd, mem, ncpus, true);
    case 'ringbuf':
      return new RingBufMap(spec, fd, mem);
    case 'perf_event_array':
      return new PerfEventArrayMap(spec, fd);
    case 'stack_trace':
      return new StackTraceMap(spec, fd, mem);
  }
}
