// BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH: key bytes in, the offset of
// the value in the map's value slab (one Memory region per map, or per CPU) out. Storage is
// preallocated to max_entries like Linux's default; keys are hashed in place as 32-bit words
// into an open-addressing table (linear probing, backward-shift deletion), so the kernel side
// never allocates or builds strings. LRU maps evict the least recently used entry when full
// (an exact LRU list, where Linux keeps an approximation with per-CPU lists).

import { copyBytes, zeroBytes } from './copy-bytes.js';
import { E2BIG, EEXIST, EFAULT, EINVAL, ENOENT } from './errno.js';
import { BPF_ANY, BPF_EXIST, BPF_NOEXIST } from './map.js';
import type { MapBatch, MapEntry, MapSpec, UserMap } from './map.js';
import type { Memory } from '../memory.js';

/**
 * Fixed seed: iteration and probe order must not vary between runs. Exported for the JIT,
 * which inlines find() (murmur3 over the key words, linear probing) for small keys.
 */
export const HASH_SEED = 0x2545f491;

/**
 * find()'s hash of a key whose size is a multiple of 4, from its little-endian 32-bit words:
 * the JIT hashes constant keys with it at compile time.
 */
export function hashKeyWords(words: readonly number[], keySize: number): number {
  let h = HASH_SEED ^ keySize;
  for (let k of words) {
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

export interface HashMapKind {
  readonly percpu: boolean;
  readonly lru: boolean;
}

export class HashMap implements UserMap {
  readonly ncpus: number;
  readonly keySize: number;
  /** Key length in 32-bit words (the last one zero-padded). */
  readonly keyWords: number;
  readonly valueSize: number;
  /** Bytes between consecutive values in a slab: value_size rounded up to 8, as Linux does. */
  readonly valueStride: number;
  readonly maxEntries: number;
  readonly percpu: boolean;
  readonly lru: boolean;
  /** Region id of each CPU's slab (all the same region for shared maps). */
  readonly regions: Int32Array;
  readonly slabs: Uint8Array[];
  /** A DataView of each CPU's slab (the region's own view), for the JIT's value copies. */
  readonly slabViews: DataView[] = [];
  /** Key words of each slot, keyWords per slot. */
  readonly keys: Int32Array;
  /** Hash of each slot's key. */
  readonly slotHash: Int32Array;
  /** Open-addressing table: slot + 1, or 0 for an empty position. */
  readonly table: Int32Array;
  readonly mask: number;
  /** The key being looked up, as words (filled by find, or by the JIT before insertAt). */
  readonly probeKey: Int32Array;
  private probeHash = 0;
  /** Table position where find stopped: the hit, or the empty position to insert at. */
  private probeIdx = 0;
  private readonly used: Uint8Array;
  /** The last key buffer seen and a DataView of it, to read key words without allocating. */
  private lastKeyBytes: Uint8Array | null = null;
  private lastView: DataView = new DataView(new ArrayBuffer(0));
  /** The same for the last value buffer written from (often the stack too, but cached apart). */
  private lastValueBytes: Uint8Array | null = null;
  private lastValueView: DataView = new DataView(new ArrayBuffer(0));
  private readonly freeSlots: Int32Array;
  private freeTop: number;
  private count = 0;
  /** LRU list over slots, most recent at head; -1 terminates. */
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private head = -1;
  private tail = -1;

  constructor(
    readonly spec: MapSpec,
    readonly fd: number,
    private readonly mem: Memory,
    ncpus: number,
    kind: HashMapKind,
  ) {
    this.percpu = kind.percpu;
    this.lru = kind.lru;
    this.ncpus = kind.percpu ? ncpus : 1;
    this.keySize = spec.keySize;
    this.keyWords = (spec.keySize + 3) >> 2;
    this.valueSize = spec.valueSize;
    this.valueStride = (spec.valueSize + 7) & ~7;
    this.maxEntries = spec.maxEntries;
    const n = spec.maxEntries;
    this.regions = new Int32Array(ncpus);
    this.slabs = [];
    for (let c = 0; c < this.ncpus; c++) {
      const slab = new Uint8Array(n * this.valueStride);
      this.slabs.push(slab);
      this.regions[c] = mem.allocRegion(slab, true);
      this.slabViews.push(mem.views[this.regions[c]!]!);
    }
    if (!kind.percpu) this.regions.fill(this.regions[0]!);
    this.keys = new Int32Array(n * this.keyWords);
    this.slotHash = new Int32Array(n);
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    this.table = new Int32Array(cap);
    this.mask = cap - 1;
    this.probeKey = new Int32Array(this.keyWords);
    this.used = new Uint8Array(n);
    this.freeSlots = new Int32Array(n);
    this.freeTop = 0;
    this.resetFreeList();
    this.prev = new Int32Array(kind.lru ? n : 0);
    this.next = new Int32Array(kind.lru ? n : 0);
  }

  valueRegion(cpu: number): number {
    return this.regions[cpu]!;
  }

  // ── kernel side ──────────────────────────────────────────────────────────────────────

  lookup(key: Uint8Array, keyOff: number, _cpu: number): number {
    if (keyOff < 0 || keyOff + this.keySize > key.length) return -1;
    const slot = this.find(key, keyOff);
    if (slot < 0) return -1;
    if (this.lru && slot !== this.head) this.touch(slot);
    return slot * this.valueStride;
  }

  update(key: Uint8Array, keyOff: number, value: Uint8Array, valueOff: number, flags: number, cpu: number): number {
    if (!validUpdateFlags(flags)) return -EINVAL;
    if (keyOff < 0 || keyOff + this.keySize > key.length) return -EFAULT;
    if (valueOff < 0 || valueOff + this.valueSize > value.length) return -EFAULT;
    const slot = this.find(key, keyOff);
    if (slot >= 0) {
      if (flags === BPF_NOEXIST) return -EEXIST;
      this.writeValue(this.percpu ? cpu : 0, slot * this.valueStride, value, valueOff);
      if (this.lru && slot !== this.head) this.touch(slot);
      return 0;
    }
    if (flags === BPF_EXIST) return -ENOENT;
    const fresh = this.insertProbed();
    if (fresh < 0) return fresh;
    const off = fresh * this.valueStride;
    if (this.percpu) {
      for (let c = 0; c < this.ncpus; c++) {
        if (c === cpu) this.writeValue(c, off, value, valueOff);
        else zeroBytes(this.slabs[c]!, off, this.valueStride);
      }
    } else {
      this.writeValue(0, off, value, valueOff);
    }
    return 0;
  }

  /**
   * Copies value_size bytes from value[valueOff..] into CPU c's slab at off, a 32-bit word at
   * a time through DataViews (a byte loop costs as much as the lookup itself). Correct when
   * value lies in the same slab: a value never overlaps another slot's storage partially.
   */
  private writeValue(c: number, off: number, value: Uint8Array, valueOff: number): void {
    const n = this.valueSize;
    if (n > 64) return copyBytes(this.slabs[c]!, off, value, valueOff, n);
    const dst = this.slabViews[c]!;
    let src = this.lastValueView;
    if (this.lastValueBytes !== value) {
      src = this.lastValueView = new DataView(value.buffer, value.byteOffset, value.byteLength);
      this.lastValueBytes = value;
    }
    let i = 0;
    for (; i + 4 <= n; i += 4) dst.setInt32(off + i, src.getInt32(valueOff + i, true), true);
    for (; i < n; i++) dst.setUint8(off + i, src.getUint8(valueOff + i));
  }

  /** A DataView of key bytes, from a one-entry cache. */
  private viewOf(bytes: Uint8Array): DataView {
    if (this.lastKeyBytes !== bytes) {
      this.lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.lastKeyBytes = bytes;
    }
    return this.lastView;
  }

  delete(key: Uint8Array, keyOff: number): number {
    if (keyOff < 0 || keyOff + this.keySize > key.length) return -EFAULT;
    const slot = this.find(key, keyOff);
    if (slot < 0) return -ENOENT;
    this.remove(slot, this.probeIdx);
    return 0;
  }

  /**
   * Slot of the key at key[keyOff..] (which the caller has bounds-checked), or -1. Leaves the key's words, hash and the table
   * position (hit, or the empty position where it would go) in probe*.
   */
  find(key: Uint8Array, keyOff: number): number {
    const w = this.probeKey;
    const size = this.keySize;
    const full = size >> 2;
    let h = HASH_SEED ^ size;
    let o = keyOff;
    // Key buffers are few (the stack, now and then a map value): one cached view is enough.
    const view = this.viewOf(key);
    for (let i = 0; i < full; i++, o += 4) {
      let k = view.getInt32(o, true);
      w[i] = k;
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      h ^= Math.imul(k, 0x1b873593);
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
    const rest = size & 3;
    if (rest !== 0) {
      let k = key[o]!;
      if (rest > 1) k |= key[o + 1]! << 8;
      if (rest > 2) k |= key[o + 2]! << 16;
      w[full] = k;
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      h ^= Math.imul(k, 0x1b873593);
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    this.probeHash = h;
    const table = this.table;
    const mask = this.mask;
    const hashes = this.slotHash;
    const keys = this.keys;
    const nw = this.keyWords;
    let idx = h & mask;
    for (;;) {
      const s = table[idx]!;
      if (s === 0) {
        this.probeIdx = idx;
        return -1;
      }
      const slot = s - 1;
      if (hashes[slot] === h) {
        const base = slot * nw;
        let i = 0;
        while (i < nw && keys[base + i] === w[i]) i++;
        if (i === nw) {
          this.probeIdx = idx;
          return slot;
        }
      }
      idx = (idx + 1) & mask;
    }
  }

  /**
   * The JIT's insert after its inlined probe missed: the key's words already in probeKey, its
   * hash h, the empty table position idx where the probe stopped. Returns the new slot, its
   * value zeroed on every CPU (the caller writes the updating CPU's), or -E2BIG when full.
   * Not for LRU maps (their eviction moves entries; the JIT calls update() for them).
   */
  insertAt(idx: number, h: number): number {
    if (this.lru || this.count >= this.maxEntries) return -E2BIG;
    this.probeHash = h;
    this.probeIdx = idx;
    const slot = this.insertProbed();
    if (this.percpu) for (let c = 0; c < this.ncpus; c++) zeroBytes(this.slabs[c]!, slot * this.valueStride, this.valueStride);
    return slot;
  }

  /** The JIT's delete after its inlined probe found slot at table position idx. */
  removeAt(slot: number, idx: number): void {
    this.remove(slot, idx);
  }

  /** Inserts the key find() just missed; returns its slot or -E2BIG (LRU maps evict instead). */
  private insertProbed(): number {
    if (this.count >= this.maxEntries) {
      if (!this.lru || this.tail < 0) return -E2BIG;
      this.remove(this.tail, this.tableIndexOf(this.tail));
      // Backward-shift deletion may have moved entries: find the empty position again.
      let idx = this.probeHash & this.mask;
      while (this.table[idx] !== 0) idx = (idx + 1) & this.mask;
      this.probeIdx = idx;
    }
    const slot = this.freeSlots[--this.freeTop]!;
    const nw = this.keyWords;
    const base = slot * nw;
    for (let i = 0; i < nw; i++) this.keys[base + i] = this.probeKey[i]!;
    this.slotHash[slot] = this.probeHash;
    this.table[this.probeIdx] = slot + 1;
    this.used[slot] = 1;
    this.count++;
    if (this.lru) this.pushHead(slot);
    return slot;
  }

  private tableIndexOf(slot: number): number {
    let idx = this.slotHash[slot]! & this.mask;
    while (this.table[idx] !== slot + 1) idx = (idx + 1) & this.mask;
    return idx;
  }

  /** Removes slot, which sits at table position idx, closing the probe gap behind it. */
  private remove(slot: number, idx: number): void {
    const table = this.table;
    const mask = this.mask;
    let hole = idx;
    let j = idx;
    for (;;) {
      j = (j + 1) & mask;
      const s = table[j]!;
      if (s === 0) break;
      const home = this.slotHash[s - 1]! & mask;
      // Move s back into the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!stays) {
        table[hole] = s;
        hole = j;
      }
    }
    table[hole] = 0;
    this.used[slot] = 0;
    this.freeSlots[this.freeTop++] = slot;
    this.count--;
    if (this.lru) this.unlink(slot);
  }

  private resetFreeList(): void {
    // Slot 0 is handed out first.
    for (let i = 0; i < this.maxEntries; i++) this.freeSlots[i] = this.maxEntries - 1 - i;
    this.freeTop = this.maxEntries;
  }

  // ── LRU list ─────────────────────────────────────────────────────────────────────────

  private touch(slot: number): void {
    this.unlink(slot);
    this.pushHead(slot);
  }

  private pushHead(slot: number): void {
    this.prev[slot] = -1;
    this.next[slot] = this.head;
    if (this.head >= 0) this.prev[this.head] = slot;
    this.head = slot;
    if (this.tail < 0) this.tail = slot;
  }

  private unlink(slot: number): void {
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
  }

  /** Keys from least to most recently used (LRU maps only; for tests and dumps). */
  lruOrder(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let s = this.tail; s >= 0; s = this.prev[s]!) out.push(this.keyOf(s));
    return out;
  }

  /** Kernel side (for_each_map_elem): the first slot holding an entry at or after `from`, or -1; entries() order. */
  nextUsedSlot(from: number): number {
    for (let s = Math.max(0, from); s < this.maxEntries; s++) if (this.used[s]) return s;
    return -1;
  }

  /** Kernel side: the key bytes of a used slot into dst[off..off + keySize), without allocating. */
  copyKey(slot: number, dst: Uint8Array, off: number): void {
    const base = slot * this.keyWords;
    for (let i = 0; i < this.keySize; i++) dst[off + i] = (this.keys[base + (i >> 2)]! >>> ((i & 3) * 8)) & 0xff;
  }

  // ── user side ────────────────────────────────────────────────────────────────────────

  private keyOf(slot: number): Uint8Array {
    const out = new Uint8Array(this.keySize);
    const base = slot * this.keyWords;
    for (let i = 0; i < this.keySize; i++) out[i] = (this.keys[base + (i >> 2)]! >>> ((i & 3) * 8)) & 0xff;
    return out;
  }

  private valuesOf(slot: number): Uint8Array[] {
    const off = slot * this.valueStride;
    return this.slabs.map((s) => s.slice(off, off + this.valueSize));
  }

  lookupUser(key: Uint8Array): Uint8Array[] | undefined {
    if (key.length !== this.keySize) return undefined;
    // User-space lookups do not count as uses for LRU, as in Linux.
    const slot = this.find(key, 0);
    return slot < 0 ? undefined : this.valuesOf(slot);
  }

  updateUser(key: Uint8Array, values: readonly Uint8Array[], flags: number): number {
    if (key.length !== this.keySize || !validUserValues(values, this.ncpus, this.valueSize)) return -EINVAL;
    const rc = this.update(key, 0, values[0]!, 0, flags, 0);
    if (rc !== 0 || !this.percpu) return rc;
    const off = this.find(key, 0) * this.valueStride;
    for (let c = 0; c < this.ncpus; c++) copyBytes(this.slabs[c]!, off, values[values.length === 1 ? 0 : c]!, 0, this.valueSize);
    return rc;
  }

  deleteUser(key: Uint8Array): number {
    if (key.length !== this.keySize) return -EINVAL;
    return this.delete(key, 0);
  }

  *entries(): Iterable<MapEntry> {
    for (let s = 0; s < this.maxEntries; s++) if (this.used[s]) yield { key: this.keyOf(s), values: this.valuesOf(s) };
  }

  lookupBatch(token: number, count: number): MapBatch {
    return this.batch(token, count, false);
  }

  lookupAndDeleteBatch(token: number, count: number): MapBatch {
    return this.batch(token, count, true);
  }

  private batch(token: number, count: number, del: boolean): MapBatch {
    const entries: MapEntry[] = [];
    let s = Math.max(0, token);
    for (; s < this.maxEntries && entries.length < count; s++) {
      if (!this.used[s]) continue;
      entries.push({ key: this.keyOf(s), values: this.valuesOf(s) });
      if (del) this.remove(s, this.tableIndexOf(s));
    }
    while (s < this.maxEntries && !this.used[s]) s++;
    return { entries, next: s < this.maxEntries ? s : null };
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
    return this.count;
  }

  clear(): void {
    this.table.fill(0);
    this.used.fill(0);
    for (const s of this.slabs) s.fill(0);
    this.count = 0;
    this.head = this.tail = -1;
    this.resetFreeList();
  }

  close(): void {
    for (let c = 0; c < this.ncpus; c++) this.mem.releaseRegion(this.regions[c]!);
  }
}

/**
 * map_update_elem accepts BPF_ANY, BPF_NOEXIST or BPF_EXIST; anything else is -EINVAL
 * (BPF_F_LOCK included: it needs a bpf_spin_lock in the value, which no value here has).
 */
export function validUpdateFlags(flags: number): boolean {
  return flags === BPF_ANY || flags === BPF_NOEXIST || flags === BPF_EXIST;
}

/** values: one per CPU, or a single value for every CPU; each value_size bytes. */
export function validUserValues(values: readonly Uint8Array[], ncpus: number, valueSize: number): boolean {
  if (values.length !== 1 && values.length !== ncpus) return false;
  return values.every((v) => v.length === valueSize);
}
