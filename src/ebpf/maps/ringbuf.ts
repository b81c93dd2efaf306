// BPF_MAP_TYPE_RINGBUF with Linux's semantics: records of an 8-byte header (length with BUSY
// and DISCARD bits, page offset) and data rounded up to 8, reserved at the producer position,
// committed or discarded in place, and consumed in order by user space, stopping at the first
// record still BUSY. Linux maps the data pages twice so a record that wraps is contiguous; the
// region here is twice the data size for the same reason, and a wrapped record's tail is copied
// back to the start on commit so the first half always holds the ring's true contents.
// Not a key/value map: lookup/update/delete are unsupported, as in Linux.

import { copyBytes } from './copy-bytes.js';
import { ENOTSUPP, EAGAIN, EINVAL } from './errno.js';
import type { MapBatch, MapEntry, MapSpec, UserMap } from './map.js';
import type { Memory } from '../memory.js';

export const BPF_RINGBUF_BUSY_BIT = 0x80000000;
export const BPF_RINGBUF_DISCARD_BIT = 0x40000000;
export const BPF_RINGBUF_HDR_SZ = 8;
/** Largest record a program may reserve (UINT_MAX / 4 in Linux: the length field's low 30 bits). */
export const RINGBUF_MAX_RECORD_SZ = 0x3fffffff;

/** ringbuf_output / submit / discard flags. */
export const BPF_RB_NO_WAKEUP = 1;
export const BPF_RB_FORCE_WAKEUP = 2;
/** ringbuf_query flags. */
export const BPF_RB_AVAIL_DATA = 0;
export const BPF_RB_RING_SIZE = 1;
export const BPF_RB_CONS_POS = 2;
export const BPF_RB_PROD_POS = 3;

/** Page offset of the data area inside struct bpf_ringbuf (consumer page, producer page, then data). */
const DATA_PAGE_OFFSET = 3;

/** A consumer callback: the record is bytes[off..off+len); a negative return stops consumption. */
export type RingbufSampleFn = (bytes: Uint8Array, off: number, len: number) => number | void;

export class RingBufMap implements UserMap {
  readonly ncpus = 1;
  /** Size of the data area (max_entries: a power of two, a multiple of the page size). */
  readonly dataSize: number;
  readonly region: number;
  /** The region's bytes: the data area followed by its mirror. */
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  consumerPos = 0;
  producerPos = 0;
  /** Oldest record not yet committed (or producerPos): a reservation may not run more than the ring's size past it. */
  pendingPos = 0;
  /** Reservations (and outputs) refused because the ring was full. */
  dropped = 0;
  /** Commits that would wake the consumer in Linux. */
  wakeups = 0;

  constructor(
    readonly spec: MapSpec,
    readonly fd: number,
    private readonly mem: Memory,
  ) {
    this.dataSize = spec.maxEntries;
    this.bytes = new Uint8Array(this.dataSize * 2);
    this.view = new DataView(this.bytes.buffer);
    this.region = mem.allocRegion(this.bytes, true);
  }

  valueRegion(_cpu: number): number {
    return this.region;
  }

  // ── kernel side ──────────────────────────────────────────────────────────────────────

  /** Reserves size bytes; returns the data offset in the region, or -1 when it does not fit. */
  reserve(size: number): number {
    if (size > RINGBUF_MAX_RECORD_SZ || size < 0) return this.drop();
    const len = roundUp8(size + BPF_RINGBUF_HDR_SZ);
    if (len > this.dataSize) return this.drop();
    const prod = this.producerPos;
    let pend = this.pendingPos;
    while (pend < prod) {
      const hdrLen = this.view.getUint32(pend % this.dataSize, true);
      if (hdrLen & BPF_RINGBUF_BUSY_BIT) break;
      pend += roundUp8((hdrLen & RINGBUF_MAX_RECORD_SZ) + BPF_RINGBUF_HDR_SZ);
    }
    this.pendingPos = pend;
    const newProd = prod + len;
    const limit = this.dataSize - 1;
    if (newProd - this.consumerPos > limit || newProd - pend > limit) return this.drop();
    const hdr = prod % this.dataSize;
    this.view.setUint32(hdr, (size | BPF_RINGBUF_BUSY_BIT) >>> 0, true);
    this.view.setUint32(hdr + 4, (hdr >>> 12) + DATA_PAGE_OFFSET, true);
    this.producerPos = newProd;
    return hdr + BPF_RINGBUF_HDR_SZ;
  }

  private drop(): number {
    this.dropped++;
    return -1;
  }

  /** True when dataOff is the data of a reserved, not yet committed record. */
  isReserved(dataOff: number): boolean {
    const hdr = dataOff - BPF_RINGBUF_HDR_SZ;
    if (hdr < 0 || hdr >= this.dataSize || (hdr & 7) !== 0) return false;
    return (this.view.getUint32(hdr, true) & BPF_RINGBUF_BUSY_BIT) !== 0;
  }

  /** ringbuf_submit / ringbuf_discard of the record whose data starts at dataOff. */
  commit(dataOff: number, discard: boolean, flags: number): void {
    if (!this.isReserved(dataOff)) return;
    const hdr = dataOff - BPF_RINGBUF_HDR_SZ;
    const len = this.view.getUint32(hdr, true) & RINGBUF_MAX_RECORD_SZ;
    const end = dataOff + len;
    if (end > this.dataSize) {
      const from = Math.max(this.dataSize, dataOff);
      copyBytes(this.bytes, from - this.dataSize, this.bytes, from, end - from);
    }
    this.view.setUint32(hdr, discard ? (len | BPF_RINGBUF_DISCARD_BIT) >>> 0 : len, true);
    if (flags & BPF_RB_NO_WAKEUP) return;
    if (flags & BPF_RB_FORCE_WAKEUP || this.consumerPos % this.dataSize === hdr) this.wakeups++;
  }

  /** ringbuf_output: 0, -EINVAL for unknown flags, -EAGAIN when the ring is full. */
  output(src: Uint8Array, srcOff: number, size: number, flags: number): number {
    if ((flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) !== 0) return -EINVAL;
    const off = this.reserve(size);
    if (off < 0) return -EAGAIN;
    copyBytes(this.bytes, off, src, srcOff, size);
    this.commit(off, false, flags);
    return 0;
  }

  /** ringbuf_query. */
  query(flags: number): number {
    switch (flags) {
      case BPF_RB_AVAIL_DATA:
        return this.producerPos - this.consumerPos;
      case BPF_RB_RING_SIZE:
        return this.dataSize;
      case BPF_RB_CONS_POS:
        return this.consumerPos;
      case BPF_RB_PROD_POS:
        return this.producerPos;
      default:
        return 0;
    }
  }

  // ── user side ────────────────────────────────────────────────────────────────────────

  /**
   * Consumes committed records in order as libbpf's ring_buffer__consume does: discarded
   * records are skipped, a BUSY record stops. Returns the number of records passed to fn, or
   * fn's negative return.
   */
  consume(fn: RingbufSampleFn): number {
    let n = 0;
    while (this.consumerPos < this.producerPos) {
      const hdr = this.consumerPos % this.dataSize;
      const hdrLen = this.view.getUint32(hdr, true);
      if (hdrLen & BPF_RINGBUF_BUSY_BIT) break;
      const len = hdrLen & RINGBUF_MAX_RECORD_SZ;
      this.consumerPos += roundUp8(len + BPF_RINGBUF_HDR_SZ);
      if (hdrLen & BPF_RINGBUF_DISCARD_BIT) continue;
      n++;
      const rc = fn(this.bytes, hdr + BPF_RINGBUF_HDR_SZ, len);
      if (typeof rc === 'number' && rc < 0) return rc;
    }
    return n;
  }

  lookup(_key: Uint8Array, _keyOff: number, _cpu: number): number {
    return -1;
  }

  update(_k: Uint8Array, _ko: number, _v: Uint8Array, _vo: number, _flags: number, _cpu: number): number {
    return -ENOTSUPP;
  }

  delete(_key: Uint8Array, _keyOff: number): number {
    return -ENOTSUPP;
  }

  lookupUser(_key: Uint8Array): Uint8Array[] | undefined {
    return undefined;
  }

  updateUser(_key: Uint8Array, _values: readonly Uint8Array[], _flags: number): number {
    return -ENOTSUPP;
  }

  deleteUser(_key: Uint8Array): number {
    return -ENOTSUPP;
  }

  entries(): Iterable<MapEntry> {
    return [];
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
    return 0;
  }

  /** Empties the ring (positions back to 0, counters kept). */
  clear(): void {
    this.consumerPos = this.producerPos = this.pendingPos = 0;
    this.bytes.fill(0);
  }

  close(): void {
    this.mem.releaseRegion(this.region);
  }
}

/** n stays below 2^31 here (record lengths are at most 2^30 + 8). */
function roundUp8(n: number): number {
  return (n + 7) & ~7;
}
