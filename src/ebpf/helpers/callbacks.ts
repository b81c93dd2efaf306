// The helpers that call back into the program: for_each_map_elem (164) and loop (181). They
// read the callback's address (REGION_FUNC, slot) from r2 and call it through
// Machine.callFunc, which the running engine provides, with Linux's arguments and stop rule
// (a non-zero r0 stops). Out: r0 = elements visited / iterations run, or -errno. Not: the
// re-entry itself (frames, registers, instruction counts are the engine's).

import type { HelperFn, Machine } from '../machine.js';
import { ArrayMap } from '../maps/array.js';
import { E2BIG, EINVAL } from '../maps/errno.js';
import { HashMap } from '../maps/hash.js';
import { REGION_FUNC, REGION_MAP_HANDLE } from '../memory.js';
import { hi, lo, mapArg, setR0Int } from './registers.js';

/** Linux's BPF_MAX_LOOPS: bpf_loop refuses more iterations with -E2BIG. */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;

/**
 * The key a map_elem callback points at: a read-only region per machine and nesting level
 * (a callback may iterate a map itself, and its own key must stay put meanwhile). The
 * region's bytes are exactly the map's key size, over a backing buffer that only grows.
 */
interface KeyBuffer {
  readonly region: number;
  backing: Uint8Array;
  bytes: Uint8Array;
}

const keyBuffers = new WeakMap<Machine, KeyBuffer[]>();
/** for_each_map_elem calls in progress (the index of the key buffer the innermost one uses). */
let level = 0;

function keyBuffer(m: Machine, size: number): KeyBuffer {
  let list = keyBuffers.get(m);
  if (list === undefined) keyBuffers.set(m, (list = []));
  let kb = list[level];
  if (kb === undefined) {
    const backing = new Uint8Array(size);
    kb = { region: m.mem.allocRegion(backing, false), backing, bytes: backing };
    list[level] = kb;
    return kb;
  }
  if (kb.bytes.length !== size) {
    if (kb.backing.length < size) kb.backing = new Uint8Array(size);
    kb.bytes = kb.backing.subarray(0, size);
    m.mem.setRegion(kb.region, kb.bytes, false);
  }
  return kb;
}

/** r1..r5 of a map_elem callback: (map, key, value, ctx, 0). */
function setElemArgs(m: Machine, fd: number, keyRegion: number, valueRegion: number, valueOff: number, ctxLo: number, ctxHi: number): void {
  const r = m.regs;
  r[2] = fd;
  r[3] = REGION_MAP_HANDLE;
  r[4] = 0;
  r[5] = keyRegion;
  r[6] = valueOff;
  r[7] = valueRegion;
  r[8] = ctxLo;
  r[9] = ctxHi;
  r[10] = 0;
  r[11] = 0;
}

/**
 * for_each_map_elem(map, callback, ctx, flags): calls callback(map, &key, &value, ctx) for
 * each element in the map's iteration order (a hash map's entries() order; every index of an
 * array), with this CPU's value for per-CPU maps, until it returns non-zero. r0 = the number
 * of elements visited, the one that stopped included; -EINVAL for flags other than 0.
 */
export const forEachMapElem: HelperFn = (m) => {
  const map = mapArg(m, 1);
  const entry = lo(m, 2);
  if (map === undefined || hi(m, 2) !== REGION_FUNC || lo(m, 4) !== 0 || hi(m, 4) !== 0) return setR0Int(m, -EINVAL);
  // Maps without a for-each operation (the verifier refuses them).
  if (!(map instanceof HashMap || map instanceof ArrayMap)) return setR0Int(m, -EINVAL);
  const fd = lo(m, 1);
  const ctxLo = lo(m, 3);
  const ctxHi = hi(m, 3);
  const cpu = m.host.cpu();
  const valueRegion = map.valueRegion(cpu);
  const kb = keyBuffer(m, map.spec.keySize);
  let visited = 0;
  level++;
  try {
    if (map instanceof HashMap) {
      for (let s = map.nextUsedSlot(0); s >= 0; s = map.nextUsedSlot(s + 1)) {
        map.copyKey(s, kb.bytes, 0);
        visited++;
        setElemArgs(m, fd, kb.region, valueRegion, s * map.valueStride, ctxLo, ctxHi);
        if (m.callFunc(m, entry)) break;
      }
    } else {
      const key = kb.bytes;
      for (let i = 0; i < map.maxEntries; i++) {
        key[0] = i & 0xff;
        key[1] = (i >>> 8) & 0xff;
        key[2] = (i >>> 16) & 0xff;
        key[3] = i >>> 24;
        visited++;
        setElemArgs(m, fd, kb.region, valueRegion, i * map.valueStride, ctxLo, ctxHi);
        if (m.callFunc(m, entry)) break;
      }
    }
  } finally {
    level--;
  }
  setR0Int(m, visited);
};

/**
 * loop(nr_loops, callback, ctx, flags): calls callback(i, ctx) for i = 0 … nr_loops - 1 until
 * it returns non-zero. r0 = the iterations run (i + 1 when stopped at i); -EINVAL for flags
 * other than 0, -E2BIG above BPF_MAX_LOOPS. nr_loops is a u32 (the high word is ignored).
 */
export const loop: HelperFn = (m) => {
  const nr = lo(m, 1) >>> 0;
  const entry = lo(m, 2);
  if (hi(m, 2) !== REGION_FUNC || lo(m, 4) !== 0 || hi(m, 4) !== 0) return setR0Int(m, -EINVAL);
  if (nr > BPF_MAX_LOOPS) return setR0Int(m, -E2BIG);
  const ctxLo = lo(m, 3);
  const ctxHi = hi(m, 3);
  const r = m.regs;
  for (let i = 0; i < nr; i++) {
    r[2] = i;
    r[3] = 0;
    r[4] = ctxLo;
    r[5] = ctxHi;
    r[6] = 0;
    r[7] = 0;
    r[8] = 0;
    r[9] = 0;
    r[10] = 0;
    r[11] = 0;
    if (m.callFunc(m, entry)) return setR0Int(m, i + 1);
  }
  setR0Int(m, nr);
};
