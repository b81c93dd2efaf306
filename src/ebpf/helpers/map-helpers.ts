// map_lookup_elem (1), map_update_elem (2), map_delete_elem (3) and map_lookup_percpu_elem
// (195): the map from r1's handle, the key (and value) from region pointers, the value
// pointer or Linux's return code into r0. Bounds are checked again here although the verifier
// has proven them, so a bad program yields NULL or -EFAULT, never a JS exception.

import type { HelperFn } from '../machine.js';
import { EFAULT, EINVAL } from '../maps/errno.js';
import { ArrayMap } from '../maps/array.js';
import { HashMap } from '../maps/hash.js';
import { hi, lo, mapArg, readable, setR0, setR0Int, u32Arg } from './registers.js';

/** map_lookup_elem(map, key): pointer to the value or NULL. */
export const mapLookupElem: HelperFn = (m) => {
  const map = mapArg(m, 1);
  const kHi = hi(m, 2);
  const kLo = lo(m, 2);
  if (map === undefined || !readable(m, kHi, kLo, map.spec.keySize)) return setR0(m, 0, 0);
  const cpu = m.host.cpu();
  const off = map.lookup(m.mem.bytes[kHi]!, kLo, cpu);
  if (off < 0) setR0(m, 0, 0);
  else setR0(m, off, map.valueRegion(cpu));
};

/** map_update_elem(map, key, value, flags): 0 or -errno. */
export const mapUpdateElem: HelperFn = (m) => {
  const map = mapArg(m, 1);
  if (map === undefined) return setR0Int(m, -EINVAL);
  const kHi = hi(m, 2);
  const kLo = lo(m, 2);
  const vHi = hi(m, 3);
  const vLo = lo(m, 3);
  if (!readable(m, kHi, kLo, map.spec.keySize) || !readable(m, vHi, vLo, map.spec.valueSize)) return setR0Int(m, -EFAULT);
  // Flags are a u64; anything above 32 bits is as invalid as an unknown low bit.
  const flags = hi(m, 4) === 0 ? lo(m, 4) >>> 0 : 0xffffffff;
  setR0Int(m, map.update(m.mem.bytes[kHi]!, kLo, m.mem.bytes[vHi]!, vLo, flags, m.host.cpu()));
};

/** map_delete_elem(map, key): 0 or -errno. */
export const mapDeleteElem: HelperFn = (m) => {
  const map = mapArg(m, 1);
  if (map === undefined) return setR0Int(m, -EINVAL);
  const kHi = hi(m, 2);
  const kLo = lo(m, 2);
  if (!readable(m, kHi, kLo, map.spec.keySize)) return setR0Int(m, -EFAULT);
  setR0Int(m, map.delete(m.mem.bytes[kHi]!, kLo));
};

/** map_lookup_percpu_elem(map, key, cpu): pointer to that CPU's value, NULL past the last CPU. */
export const mapLookupPercpuElem: HelperFn = (m) => {
  const map = mapArg(m, 1);
  const kHi = hi(m, 2);
  const kLo = lo(m, 2);
  const cpu = u32Arg(m, 3);
  const percpu = (map instanceof HashMap || map instanceof ArrayMap) && map.percpu;
  if (!percpu || cpu < 0 || cpu >= map.ncpus || !readable(m, kHi, kLo, map.spec.keySize)) return setR0(m, 0, 0);
  const off = map.lookup(m.mem.bytes[kHi]!, kLo, cpu);
  if (off < 0) setR0(m, 0, 0);
  else setR0(m, off, map.valueRegion(cpu));
};
