// perf_event_output (25): ctx in r1 (unused here), the perf event array in r2, the slot or
// BPF_F_CURRENT_CPU in r3, the data pointer and size in r4/r5; the sample goes to that slot's
// per-CPU buffer with Linux's return codes (see PerfEventArrayMap.output).

import type { HelperFn } from '../machine.js';
import { EFAULT, EINVAL } from '../maps/errno.js';
import { PerfEventArrayMap } from '../maps/perf-event-array.js';
import { hi, lo, mapArg, readable, setR0Int } from './registers.js';

export const perfEventOutput: HelperFn = (m) => {
  const map = mapArg(m, 2);
  if (!(map instanceof PerfEventArrayMap)) return setR0Int(m, -EINVAL);
  const dHi = hi(m, 4);
  const dLo = lo(m, 4);
  const size = hi(m, 5) === 0 ? lo(m, 5) >>> 0 : -1;
  if (size < 0 || !readable(m, dHi, dLo, size)) return setR0Int(m, -EFAULT);
  setR0Int(m, map.output(lo(m, 3), hi(m, 3), m.host.cpu(), m.mem.bytes[dHi]!, dLo, size));
};
