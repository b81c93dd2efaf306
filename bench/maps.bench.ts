// Kernel-side map operation cost: hash lookups that hit with 8- and 24-byte keys (the
// `@[pid]` and `@[pid, comm]` shapes), a miss, and an array lookup. Each bench body runs a
// batch of BATCH operations, so ns/op = 1e9 / (hz * BATCH). Run: npx vitest bench --run bench/maps.bench.ts
// Not a test: nothing here asserts a time.

import { bench, describe } from 'vitest';
import { createMap } from '../src/ebpf/maps/create-map.js';
import { Memory } from '../src/ebpf/memory.js';

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
    bench(`lookup hit x${BATCH}`, () => {
      for (let i = 0; i < BATCH; i++) {
        sink += map.lookup(keys, k * keySize, 0);
        k = k + 1 === KEYS ? 0 : k + 1;
      }
    });
    const miss = new Uint8Array(keySize).fill(0xee);
    bench(`lookup miss x${BATCH}`, () => {
      for (let i = 0; i < BATCH; i++) sink += map.lookup(miss, 0, 0);
    });
    bench(`update existing x${BATCH}`, () => {
      for (let i = 0; i < BATCH; i++) {
        sink += map.update(keys, k * keySize, keys, 0, 0, 0);
        k = k + 1 === KEYS ? 0 : k + 1;
      }
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
