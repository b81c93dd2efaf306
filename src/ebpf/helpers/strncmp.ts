// strncmp (182): compares the first s1_sz bytes of s1 with the NUL-terminated constant s2 as
// the kernel's strncmp does (stops at a NUL or a difference, returns -1, 0 or 1).
// Reads only regions; -EFAULT for a pointer outside one.

import type { HelperFn } from '../machine.js';
import { EFAULT } from '../maps/errno.js';
import { hi, lo, readable, setR0Int } from './registers.js';

export const strncmp: HelperFn = (m) => {
  const aHi = hi(m, 1);
  const aLo = lo(m, 1);
  const n = hi(m, 2) === 0 ? lo(m, 2) >>> 0 : -1;
  const bHi = hi(m, 3);
  const bLo = lo(m, 3);
  if (n < 0 || (n > 0 && !readable(m, aHi, aLo, n)) || !readable(m, bHi, bLo, 1)) return setR0Int(m, -EFAULT);
  const a = m.mem.bytes[aHi]!;
  const b = m.mem.bytes[bHi]!;
  for (let i = 0; i < n; i++) {
    const c1 = a[aLo + i]!;
    const c2 = bLo + i < b.length ? b[bLo + i]! : 0;
    if (c1 !== c2) return setR0Int(m, c1 < c2 ? -1 : 1);
    if (c1 === 0) break;
  }
  setR0Int(m, 0);
};
