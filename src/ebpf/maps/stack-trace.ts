// BPF_MAP_TYPE_STACK_TRACE: get_stackid stores a call chain (u64 instruction pointers) in the
// bucket its jhash2 selects and returns the bucket index as the stack id, as Linux does:
// round_up_pow_of_two(max_entries) buckets, -EEXIST on a collision unless BPF_F_REUSE_STACKID,
// BPF_F_FAST_STACK_CMP trusting the hash alone, -EFAULT when nothing is left after the skip.
// User space reads a stack id's value as value_size bytes, zero-padded after the trace.
// Programs cannot look stacks up (the verifier allows only get_stackid on this map).

import { E2BIG, EEXIST, EFAULT, EINVAL, ENOENT, ENOMEM } from './errno.js';
import { jhash2 } from './jhash.js';
import type { MapBatch, MapEntry, MapSpec, UserMap } from './map.js';
import type { Memory } from '../memory.js';

export const BPF_F_SKIP_FIELD_MASK = 0xff;
export const BPF_F_USER_STACK = 1 << 8;
export const BPF_F_FAST_STACK_CMP = 1 << 9;
export const BPF_F_REUSE_STACKID = 1 << 10;
export const BPF_F_USER_BUILD_ID = 1 << 11;
/** sysctl kernel.perf_event_max_stack's default: the deepest chain Linux collects. */
export const PERF_MAX_STACK_DEPTH = 127;
/** Flags get_stackid accepts. */
export const GET_STACKID_FLAGS = BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP | BPF_F_REUSE_STACKID;

export class StackTraceMap implements UserMap {
  readonly ncpus = 1;
  readonly nBuckets: number;
  /** Instruction pointers a bucket holds (value_size / 8). */
  readonly depth: number;
  readonly region: number;
  readonly slab: Uint8Array;
  private readonly view: DataView;
  /** Frames stored in each bucket; 0 = empty. */
  private readonly nr: Int32Array;
  private readonly hashes: Uint32Array;
  private readonly words: Uint32Array;
  private used = 0;

  constructor(
    readonly spec: MapSpec,
    readonly fd: number,
    private readonly mem: Memory,
  ) {
    let n = 1;
    while (n < spec.maxEntries) n *= 2;
    this.nBuckets = n;
    this.depth = spec.valueSize / 8;
    this.slab = new Uint8Array(n * spec.valueSize);
    this.view = new DataView(this.slab.buffer);
    this.region = mem.allocRegion(this.slab, false);
    this.nr = new Int32Array(n);
    this.hashes = new Uint32Array(n);
    this.words = new Uint32Array(this.depth * 2);
  }

  /**
   * get_stackid for the call chain ips (innermost first, as collected for this event):
   * the stack id, or -EFAULT / -EEXIST / -ENOMEM. flags must already be within
   * GET_STACKID_FLAGS (the helper returns -EINVAL otherwise).
   */
  getStackId(ips: readonly bigint[], flags: number): number {
    const skip = flags & BPF_F_SKIP_FIELD_MASK;
    const collected = Math.min(ips.length, Math.min(this.depth + skip, PERF_MAX_STACK_DEPTH));
    if (collected <= skip) return -EFAULT;
    const traceNr = collected - skip;
    const w = this.words;
    for (let i = 0; i < traceNr; i++) {
      const ip = BigInt.asUintN(64, ips[skip + i]!);
      w[2 * i] = Number(ip & 0xffffffffn);
      w[2 * i + 1] = Number(ip >> 32n);
    }
    const hash = jhash2(w, traceNr * 2, 0);
    const id = hash & (this.nBuckets - 1);
    const occupied = this.nr[id]! > 0;
    const hashMatches = occupied && this.hashes[id] === hash;
    if (hashMatches && flags & BPF_F_FAST_STACK_CMP) return id;
    if (hashMatches && this.nr[id] === traceNr && this.sameTrace(id, traceNr)) return id;
    if (occupied && !(flags & BPF_F_REUSE_STACKID)) return -EEXIST;
    // Linux preallocates max_entries buckets' worth of traces for nBuckets slots.
    if (!occupied && this.used >= this.spec.maxEntries) return -ENOMEM;
    const base = id * this.spec.valueSize;
    for (let i = 0; i < traceNr; i++) {
      this.view.setUint32(base + 8 * i, w[2 * i]!, true);
      this.view.setUint32(base + 8 * i + 4, w[2 * i + 1]!, true);
    }
    this.slab.fill(0, base + 8 * traceNr, base + this.spec.valueSize);
    if (!occupied) this.used++;
    this.nr[id] = traceNr;
    this.hashes[id] = hash;
    return id;
  }

  private sameTrace(id: number, traceNr: number): boolean {
    const base = id * this.spec.valueSize;
    for (let i = 0; i < traceNr * 2; i++) if (this.view.getUint32(base + 4 * i, true) !== this.words[i]) return false;
    return true;
  }

  /** User side: the frames of stack id (innermost first), or undefined. */
  trace(id: number): bigint[] | undefined {
    if (id < 0 || id >= this.nBuckets || this.nr[id] === 0) return undefined;
    const out: bigint[] = [];
    const base = id * this.spec.valueSize;
    for (let i = 0; i < this.nr[id]!; i++) out.push(this.view.getBigUint64(base + 8 * i, true));
    return out;
  }

  valueRegion(_cpu: number): number {
    return this.region;
  }

  lookup(_key: Uint8Array, _keyOff: number, _cpu: number): number {
    return -1;
  }

  update(_k: Uint8Array, _ko: number, _v: Uint8Array, _vo: number, _flags: number, _cpu: number): number {
    return -EINVAL;
  }

  delete(key: Uint8Array, keyOff: number): number {
    const id = (key[keyOff]! | (key[keyOff + 1]! << 8) | (key[keyOff + 2]! << 16) | (key[keyOff + 3]! << 24)) >>> 0;
    if (id >= this.nBuckets) return -E2BIG;
    if (this.nr[id] === 0) return -ENOENT;
    this.nr[id] = 0;
    this.used--;
    return 0;
  }

  private entryAt(id: number): MapEntry {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, id, true);
    const base = id * this.spec.valueSize;
    return { key, values: [this.slab.slice(base, base + this.spec.valueSize)] };
  }

  lookupUser(key: Uint8Array): Uint8Array[] | undefined {
    if (key.length !== 4) return undefined;
    const id = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
    return id < this.nBuckets && this.nr[id]! > 0 ? this.entryAt(id).values : undefined;
  }

  updateUser(_key: Uint8Array, _values: readonly Uint8Array[], _flags: number): number {
    return -EINVAL;
  }

  deleteUser(key: Uint8Array): number {
    return key.length === 4 ? this.delete(key, 0) : -EINVAL;
  }

  *entries(): Iterable<MapEntry> {
    for (let id = 0; id < this.nBuckets; id++) if (this.nr[id]! > 0) yield this.entryAt(id);
  }

  lookupBatch(token: number, count: number): MapBatch {
    return this.batch(token, count, false);
  }

  lookupAndDeleteBatch(token: number, count: number): MapBatch {
    return this.batch(token, count, true);
  }

  private batch(token: number, count: number, del: boolean): MapBatch {
    const entries: MapEntry[] = [];
    let id = Math.max(0, token);
    for (; id < this.nBuckets && entries.length < count; id++) {
      if (this.nr[id] === 0) continue;
      entries.push(this.entryAt(id));
      if (del) {
        this.nr[id] = 0;
        this.used--;
      }
    }
    while (id < this.nBuckets && this.nr[id] === 0) id++;
    return { entries, next: id < this.nBuckets ? id : null };
  }

  deleteBatch(keys: readonly Uint8Array[]): number {
    let n = 0;
    for (const k of keys) {
      const rc = this.deleteUser(k);
      if (rc < 0) return rc;
      n++;
    }
    return n;
  }

  size(): number {
    return this.used;
  }

  clear(): void {
    this.nr.fill(0);
    this.slab.fill(0);
    this.used = 0;
  }

  close(): void {
    this.mem.releaseRegion(this.region);
  }
}
