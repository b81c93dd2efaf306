// BPF_MAP_TYPE_PERF_EVENT_ARRAY: slots of per-CPU perf ring buffers that perf_event_output
// writes PERF_RECORD_SAMPLE records into (header, u32 raw size padded so the record ends on 8
// bytes, raw data), with Linux's errnos and lost-sample accounting: a sample that does not fit
// is counted and reported as a PERF_RECORD_LOST before the next sample that fits. User space
// opens a buffer per slot (instead of passing perf event fds) and consumes records per slot.
// Programs cannot look values up; nothing here is a Memory region.

import { copyBytes } from './copy-bytes.js';
import { E2BIG, EINVAL, ENOENT, ENOSPC, EOPNOTSUPP } from './errno.js';
import type { MapBatch, MapEntry, MapSpec, UserMap } from './map.js';

export const BPF_F_INDEX_MASK = 0xffffffff;
export const BPF_F_CURRENT_CPU = 0xffffffff;
export const PERF_RECORD_LOST = 2;
export const PERF_RECORD_SAMPLE = 9;
const PERF_HEADER_SIZE = 8;
const LOST_RECORD_SIZE = 24;
const PAGE_SIZE = 4096;

export type PerfSampleFn = (bytes: Uint8Array, off: number, len: number) => void;
export type PerfLostFn = (lost: number) => void;

/** One perf ring: the data area followed by its mirror, so a wrapped record reads contiguously. */
export class PerfBuffer {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  head = 0;
  tail = 0;
  /** Samples lost since the last PERF_RECORD_LOST was written. */
  pendingLost = 0;
  /** Samples lost since the buffer was opened. */
  totalLost = 0;

  constructor(
    readonly cpu: number,
    readonly size: number,
  ) {
    this.bytes = new Uint8Array(size * 2);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Room for n more bytes (Linux's CIRC_SPACE: one byte always stays free). */
  private fits(n: number): boolean {
    return this.size - (this.head - this.tail) - 1 >= n;
  }

  /** Writes a sample (and a pending LOST record first); 0 or -ENOSPC. */
  write(src: Uint8Array, srcOff: number, size: number): number {
    const rawSize = ((size + 4 + 7) & ~7) - 4;
    const recSize = PERF_HEADER_SIZE + 4 + rawSize;
    const lostSize = this.pendingLost > 0 ? LOST_RECORD_SIZE : 0;
    if (!this.fits(recSize + lostSize)) {
      this.pendingLost++;
      this.totalLost++;
      return -ENOSPC;
    }
    if (lostSize > 0) {
      const at = this.begin(PERF_RECORD_LOST, LOST_RECORD_SIZE);
      this.view.setBigUint64(at + 8, 0n, true);
      this.view.setBigUint64(at + 16, BigInt(this.pendingLost), true);
      this.end(at, LOST_RECORD_SIZE);
      this.pendingLost = 0;
    }
    const at = this.begin(PERF_RECORD_SAMPLE, recSize);
    this.view.setUint32(at + 8, rawSize, true);
    copyBytes(this.bytes, at + 12, src, srcOff, size);
    for (let i = at + 12 + size; i < at + recSize; i++) this.bytes[i] = 0;
    this.end(at, recSize);
    return 0;
  }

  private begin(type: number, size: number): number {
    const at = this.head % this.size;
    this.view.setUint32(at, type, true);
    this.view.setUint16(at + 4, 0, true);
    this.view.setUint16(at + 6, size, true);
    return at;
  }

  private end(at: number, size: number): void {
    if (at + size > this.size) copyBytes(this.bytes, 0, this.bytes, this.size, at + size - this.size);
    this.head += size;
  }

  /** Reads every record as libbpf's perf_buffer does; returns the number of samples. */
  consume(onSample: PerfSampleFn, onLost?: PerfLostFn): number {
    let n = 0;
    while (this.tail < this.head) {
      const at = this.tail % this.size;
      const type = this.view.getUint32(at, true);
      const size = this.view.getUint16(at + 6, true);
      if (type === PERF_RECORD_SAMPLE) {
        n++;
        onSample(this.bytes, at + 12, this.view.getUint32(at + 8, true));
      } else if (type === PERF_RECORD_LOST) {
        onLost?.(Number(this.view.getBigUint64(at + 16, true)));
      }
      this.tail += size;
    }
    return n;
  }
}

export class PerfEventArrayMap implements UserMap {
  readonly ncpus = 1;
  readonly buffers: (PerfBuffer | undefined)[];
  private open = 0;

  constructor(
    readonly spec: MapSpec,
    readonly fd: number,
  ) {
    this.buffers = new Array<PerfBuffer | undefined>(spec.maxEntries).fill(undefined);
  }

  /**
   * User side: binds a perf buffer of `bytes` (a power of two, at least a page) on `cpu` to
   * slot index, as libbpf's perf_buffer__new does per CPU. 0, -E2BIG or -EINVAL.
   */
  openBuffer(index: number, cpu: number, bytes: number): number {
    if (index < 0 || index >= this.spec.maxEntries) return -E2BIG;
    if (bytes < PAGE_SIZE || (bytes & (bytes - 1)) !== 0) return -EINVAL;
    if (!this.buffers[index]) this.open++;
    this.buffers[index] = new PerfBuffer(cpu, bytes);
    return 0;
  }

  /**
   * perf_event_output from a program on `cpu`: flags (as lo/hi words) select the slot, or
   * BPF_F_CURRENT_CPU. 0, -EINVAL (unknown flag bits), -E2BIG (slot past max_entries),
   * -ENOENT (no buffer), -EOPNOTSUPP (buffer on another CPU), -ENOSPC (full; counted lost).
   */
  output(flagsLo: number, flagsHi: number, cpu: number, src: Uint8Array, srcOff: number, size: number): number {
    if (flagsHi !== 0) return -EINVAL;
    const index = flagsLo >>> 0 === BPF_F_CURRENT_CPU ? cpu : flagsLo >>> 0;
    if (index >= this.spec.maxEntries) return -E2BIG;
    const buf = this.buffers[index];
    if (!buf) return -ENOENT;
    if (buf.cpu !== cpu) return -EOPNOTSUPP;
    return buf.write(src, srcOff, size);
  }

  /** User side: consumes slot index's records; the number of samples. */
  consume(index: number, onSample: PerfSampleFn, onLost?: PerfLostFn): number {
    return this.buffers[index]?.consume(onSample, onLost) ?? 0;
  }

  /** Samples lost on every slot since their buffers were opened. */
  lost(): number {
    let n = 0;
    for (const b of this.buffers) n += b?.totalLost ?? 0;
    return n;
  }

  valueRegion(_cpu: number): number {
    return 0;
  }

  lookup(_key: Uint8Array, _keyOff: number, _cpu: number): number {
    return -1;
  }

  update(_k: Uint8Array, _ko: number, _v: Uint8Array, _vo: number, _flags: number, _cpu: number): number {
    return -EINVAL;
  }

  delete(key: Uint8Array, keyOff: number): number {
    const index = (key[keyOff]! | (key[keyOff + 1]! << 8) | (key[keyOff + 2]! << 16) | (key[keyOff + 3]! << 24)) >>> 0;
    if (index >= this.spec.maxEntries) return -E2BIG;
    if (!this.buffers[index]) return -ENOENT;
    this.buffers[index] = undefined;
    this.open--;
    return 0;
  }

  lookupUser(_key: Uint8Array): Uint8Array[] | undefined {
    return undefined;
  }

  updateUser(_key: Uint8Array, _values: readonly Uint8Array[], _flags: number): number {
    return -EINVAL;
  }

  deleteUser(key: Uint8Array): number {
    return key.length === 4 ? this.delete(key, 0) : -EINVAL;
  }

  /** Open slots: key the slot index, value the u32 CPU its buffer is bound to. */
  *entries(): Iterable<MapEntry> {
    for (let i = 0; i < this.buffers.length; i++) {
      const b = this.buffers[i];
      if (b) yield { key: u32Bytes(i), values: [u32Bytes(b.cpu)] };
    }
  }

  lookupBatch(_token: number, _count: number): MapBatch {
    return { entries: [], next: null };
  }

  lookupAndDeleteBatch(_token: number, _count: number): number {
    return -EINVAL;
  }

  deleteBatch(_keys: readonly Uint8Array[]): number {
    return -EINVAL;
  }

  size(): number {
    return this.open;
  }

  clear(): void {
    this.buffers.fill(undefined);
    this.open = 0;
  }

  close(): void {
    this.clear();
  }
}

function u32Bytes(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}
