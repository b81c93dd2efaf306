// BPF_MAP_TYPE_ARRAY and PERCPU_ARRAY: a u32 index in, the offset of its value in the slab
// out. Every index below max_entries always exists (zero-initialised), so NOEXIST updates
// fail with -EEXIST and deletes with -EINVAL, as in Linux. Values are value_size rounded up
// to 8 bytes apart, one slab region per map or per CPU.

import { copyBytes } from './copy-bytes.js';
import { E2BIG, EEXIST, EINVAL } from './errno.js';
import { validUpdateFlags, validUserValues } from './hash.js';
import { BPF_NOEXIST } from './map.js';
import type { MapBatch, MapEntry, MapSpec, UserMap } from './map.js';
import type { Memory } from '../memory.js';

export class ArrayMap implements UserMap {
  readonly ncpus: number;
  readonly valueSize: number;
  readonly valueStride: number;
  readonly maxEntries: number;
  readonly regions: Int32Array;
  readonly slabs: Uint8Array[];

  constructor(
    readonly spec: MapSpec,
    readonly fd: number,
    private readonly mem: Memory,
    ncpus: number,
    readonly percpu: boolean,
  ) {
    this.ncpus = percpu ? ncpus : 1;
    this.valueSize = spec.valueSize;
    this.valueStride = (spec.valueSize + 7) & ~7;
    this.maxEntries = spec.maxEntries;
    this.regions = new Int32Array(ncpus);
    this.slabs = [];
    for (let c = 0; c < this.ncpus; c++) {
      const slab = new Uint8Array(this.maxEntries * this.valueStride);
      this.slabs.push(slab);
      this.regions[c] = mem.allocRegion(slab, true);
    }
    if (!percpu) this.regions.fill(this.regions[0]!);
  }

  valueRegion(cpu: number): number {
    return this.regions[cpu]!;
  }

  lookup(key: Uint8Array, keyOff: number, _cpu: number): number {
    const index = (key[keyOff]! | (key[keyOff + 1]! << 8) | (key[keyOff + 2]! << 16) | (key[keyOff + 3]! << 24)) >>> 0;
    return index < this.maxEntries ? index * this.valueStride : -1;
  }

  update(key: Uint8Array, keyOff: number, value: Uint8Array, valueOff: number, flags: number, cpu: number): number {
    if (!validUpdateFlags(flags)) return -EINVAL;
    const off = this.lookup(key, keyOff, cpu);
    if (off < 0) return -E2BIG;
    if (flags === BPF_NOEXIST) return -EEXIST;
    copyBytes(this.slabs[this.percpu ? cpu : 0]!, off, value, valueOff, this.valueSize);
    return 0;
  }

  delete(_key: Uint8Array, _keyOff: number): number {
    return -EINVAL;
  }

  lookupUser(key: Uint8Array): Uint8Array[] | undefined {
    if (key.length !== 4) return undefined;
    const off = this.lookup(key, 0, 0);
    return off < 0 ? undefined : this.valuesAt(off);
  }

  updateUser(key: Uint8Array, values: readonly Uint8Array[], flags: number): number {
    if (key.length !== 4 || !validUserValues(values, this.ncpus, this.valueSize)) return -EINVAL;
    const rc = this.update(key, 0, values[0]!, 0, flags, 0);
    if (rc !== 0) return rc;
    const off = this.lookup(key, 0, 0);
    for (let c = 1; c < this.ncpus; c++) copyBytes(this.slabs[c]!, off, values[values.length === 1 ? 0 : c]!, 0, this.valueSize);
    return 0;
  }

  deleteUser(_key: Uint8Array): number {
    return -EINVAL;
  }

  private valuesAt(off: number): Uint8Array[] {
    return this.slabs.map((s) => s.slice(off, off + this.valueSize));
  }

  private entryAt(index: number): MapEntry {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, index, true);
    return { key, values: this.valuesAt(index * this.valueStride) };
  }

  *entries(): Iterable<MapEntry> {
    for (let i = 0; i < this.maxEntries; i++) yield this.entryAt(i);
  }

  lookupBatch(token: number, count: number): MapBatch {
    const entries: MapEntry[] = [];
    let i = Math.max(0, token);
    for (; i < this.maxEntries && entries.length < count; i++) entries.push(this.entryAt(i));
    return { entries, next: i < this.maxEntries ? i : null };
  }

  lookupAndDeleteBatch(_token: number, _count: number): number {
    return -EINVAL;
  }

  deleteBatch(_keys: readonly Uint8Array[]): number {
    return -EINVAL;
  }

  size(): number {
    return this.maxEntries;
  }

  clear(): void {
    for (const s of this.slabs) s.fill(0);
  }

  close(): void {
    for (let c = 0; c < this.ncpus; c++) this.mem.releaseRegion(this.regions[c]!);
  }
}
