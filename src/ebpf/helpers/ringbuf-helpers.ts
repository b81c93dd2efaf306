// ringbuf_output (130), ringbuf_reserve (131), ringbuf_submit (132), ringbuf_discard (133),
// ringbuf_query (134) over RingBufMap: a reserved record is a pointer (ringbuf region, data
// offset) the program writes through before submitting or discarding it. Return codes are
// Linux's (-EINVAL for unknown flags, -EAGAIN when full, NULL from a failed reserve).

import type { HelperFn, Machine } from '../machine.js';
import { EFAULT, EINVAL } from '../maps/errno.js';
import { BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP, RingBufMap } from '../maps/ringbuf.js';
import { hi, lo, mapArg, readable, setR0, setR0Int, setR0Num } from './registers.js';

/** ringbuf_output(ringbuf, data, size, flags): 0 or -errno. */
export const ringbufOutput: HelperFn = (m) => {
  const rb = mapArg(m, 1);
  if (!(rb instanceof RingBufMap)) return setR0Int(m, -EINVAL);
  const dHi = hi(m, 2);
  const dLo = lo(m, 2);
  const size = hi(m, 3) === 0 ? lo(m, 3) >>> 0 : -1;
  if (hi(m, 4) !== 0) return setR0Int(m, -EINVAL);
  if (size < 0 || !readable(m, dHi, dLo, size)) return setR0Int(m, -EFAULT);
  setR0Int(m, rb.output(m.mem.bytes[dHi]!, dLo, size, lo(m, 4)));
};

/** ringbuf_reserve(ringbuf, size, flags): pointer to the record's data or NULL (flags must be 0). */
export const ringbufReserve: HelperFn = (m) => {
  const rb = mapArg(m, 1);
  if (!(rb instanceof RingBufMap) || hi(m, 2) !== 0 || lo(m, 3) !== 0 || hi(m, 3) !== 0) return setR0(m, 0, 0);
  const off = rb.reserve(lo(m, 2) >>> 0);
  if (off < 0) setR0(m, 0, 0);
  else setR0(m, off, rb.region);
};

/** The ring buffer a record pointer belongs to. */
function ringbufOfRegion(m: Machine, region: number): RingBufMap | undefined {
  for (const map of m.maps) if (map instanceof RingBufMap && map.region === region) return map;
  return undefined;
}

const WAKEUP_FLAGS = BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP;

const commitHelper =
  (discard: boolean): HelperFn =>
  (m) => {
    ringbufOfRegion(m, hi(m, 1))?.commit(lo(m, 1), discard, lo(m, 2) & WAKEUP_FLAGS);
    setR0(m, 0, 0);
  };

/** ringbuf_submit(data, flags) */
export const ringbufSubmit = commitHelper(false);
/** ringbuf_discard(data, flags) */
export const ringbufDiscard = commitHelper(true);

/** ringbuf_query(ringbuf, flags): available data, size or a position; 0 for unknown flags. */
export const ringbufQuery: HelperFn = (m) => {
  const rb = mapArg(m, 1);
  if (!(rb instanceof RingBufMap) || hi(m, 2) !== 0) return setR0(m, 0, 0);
  setR0Num(m, rb.query(lo(m, 2)));
};
