// Kernel-side map operation cost: hash lookups that hit with 8- and 24-byte keys (the
// `@[pid]` and `@[pid, comm]` shapes), a miss, an array lookup, and map_lookup_elem called as
// a helper through registers. Each bench body runs a
// batch of BATCH operations, so ns/op = 1e9 / (hz * BATCH). Run: npx vitest bench --run bench/maps.bench.ts
// Not a test: nothing here asserts a time.

import { bench, describe } from 'vitest';
import type { KernelHost } from '../src/ebpf/host.js';
import { helperTable } from '../src/ebpf/helpers/helper-table.js';
import { Machine } from '../src/ebpf/machine.js';
import { createMap } from '../src/ebpf/maps/create-map.js';
import { Memory, REGION_MAP_HANDLE, REGION_STACK } from '../src/ebpf/memory.js';

const BATCH = 1000;
const KEYS = 1000;

function setup(keySize: number) {
  const mem = new Memory();
  const map = createMap({ name: 'h', type: 'hash', keySize, valueSize: 8, maxEntries: 4096 }, mem, 2, 1);
  const keys = new Uint8Array(KEYS * keySize);
  const value = new Uint8Array(8);
  for (let i = 0; i < KEYS; i++) {
    const v = new DataView(keys.buffer, i * keySize, keySize);
    v.setUint32(0, 1000 + i * 7, true);
    if (keySize >= 24) for (let j = 8; j < 24; j++) keys[i * keySize + j] = 97 + ((i + j) % 26);
    map.update(keys, i * keySize, value, 0, 0, 0);
  }
  return { map, keys };
}

for (const keySize of [8, 24]) {
  describe(`hash map, ${keySize}-byte key`, () => {
    const { map, keys } = setup(keySize);
    let sink = 0;
    let k = 0;
    // Loop state lives in locals: closure-captured variables would dominate the timing.
    bench(`lookup hit x${BATCH}`, () => {
      let s = 0;
      let kk = k;
      for (let i = 0; i < BATCH; i++) {
        s += map.lookup(keys, kk * keySize, 0);
        kk = kk + 1 === KEYS ? 0 : kk + 1;
      }
      k = kk;
      sink += s;
    });
    const miss = new Uint8Array(keySize).fill(0xee);
    bench(`lookup miss x${BATCH}`, () => {
      let s = 0;
      for (let i = 0; i < BATCH; i++) s += map.lookup(miss, 0, 0);
      sink += s;
    });
    bench(`update existing x${BATCH}`, () => {
      let s = 0;
      let kk = k;
      for (let i = 0; i < BATCH; i++) {
        s += map.update(keys, kk * keySize, keys, 0, 0, 0);
        kk = kk + 1 === KEYS ? 0 : kk + 1;
      }
      k = kk;
      sink += s;
    });
    if (sink === 0.5) console.log(sink);
  });
}

describe('array map', () => {
  const mem = new Memory();
  const map = createMap({ name: 'a', type: 'array', keySize: 4, valueSize: 8, maxEntries: 1024 }, mem, 2, 1);
  const key = new Uint8Array(4);
  let sink = 0;
  bench(`lookup x${BATCH}`, () => {
    for (let i = 0; i < BATCH; i++) {
      key[0] = i & 0xff;
      sink += map.lookup(key, 0, 0);
    }
  });
  if (sink === 0.5) console.log(sink);
});

describe('map_lookup_elem helper (registers in, r0 out)', () => {
  // The interpreter's path: arguments from m.regs, a bounds check, the lookup, r0 written.
  const host = { cpu: () => 0 } as unknown as KernelHost;
  const m = new Machine(host);
  const map = createMap({ name: 'h', type: 'hash', keySize: 24, valueSize: 8, maxEntries: 4096 }, m.mem, 2, 1);
  m.maps.push(map);
  const stack = m.mem.bytes[REGION_STACK]!;
  for (let i = 0; i < 16; i++) {
    stack[4064] = i;
    map.update(stack, 4064, stack, 0, 0, 0);
  }
  const lookup = helperTable[1]!;
  let sink = 0;
  bench(`24-byte key hit x${BATCH}`, () => {
    for (let i = 0; i < BATCH; i++) {
      stack[4064] = i & 15;
      m.regs[2] = 1;
      m.regs[3] = REGION_MAP_HANDLE;
      m.regs[4] = 4064;
      m.regs[5] = REGION_STACK;
      lookup(m);
      sink += m.regs[0]!;
    }
  });
  if (sink === 0.5) console.log(sink);
});
