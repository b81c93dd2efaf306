// Kernel-side map operations on built code: what the engines call when a program's map
// access is not inlined. Hash maps with 8- and 24-byte keys (the `@[tid]` and `@[pid, comm]`
// shapes): a lookup that hits, one that misses, an update of an existing key, an insert then
// delete (the latency pattern's @start), an array lookup, and map_lookup_elem called as a
// helper through the register file (the interpreter's path). ns per operation, best of
// several windows of CPU time. Part of `npm run bench`; alone: `node bench/maps.mjs`.

import { pathToFileURL } from 'node:url';
import { helperTable } from '../dist/ebpf/helpers/helper-table.js';
import { Machine } from '../dist/ebpf/machine.js';
import { createMap } from '../dist/ebpf/maps/create-map.js';
import { Memory, REGION_MAP_HANDLE, REGION_STACK } from '../dist/ebpf/memory.js';
import { bestPerUnit } from './lib/timing.mjs';

const BATCH = 1000;
const KEYS = 1000;

/** A hash map holding KEYS keys of keySize bytes, and those keys back to back. */
function filledHash(keySize) {
  const mem = new Memory();
  const map = createMap({ name: 'h', type: 'hash', keySize, valueSize: 8, maxEntries: 4096 }, mem, 2, 1);
  const keys = new Uint8Array(KEYS * keySize);
  const view = new DataView(keys.buffer);
  const value = new Uint8Array(8);
  for (let i = 0; i < KEYS; i++) {
    view.setUint32(i * keySize, 1000 + i * 7, true);
    if (keySize >= 24) for (let j = 8; j < 24; j++) keys[i * keySize + j] = 97 + ((i + j) % 26);
    if (map.update(keys, i * keySize, value, 0, 0, 0) !== 0) throw new Error('update failed');
  }
  return { map, keys };
}

/** Rows of { name, nsPerOp }. */
export function mapFigures({ windowMs = 200, reps = 3 } = {}) {
  const opts = { rounds: reps, minMs: windowMs };
  const rows = [];
  const add = (name, fn) => rows.push({ name, nsPerOp: bestPerUnit(fn, BATCH, opts).cpuNs });
  let sink = 0;
  for (const keySize of [8, 24]) {
    const { map, keys } = filledHash(keySize);
    const miss = new Uint8Array(keySize).fill(0xee);
    const fresh = new Uint8Array(keySize).fill(0x5a);
    const value = new Uint8Array(8);
    add(`hash, ${keySize}-byte key: lookup (hit)`, () => {
      let s = 0;
      for (let i = 0; i < BATCH; i++) s += map.lookup(keys, (i % KEYS) * keySize, 0);
      sink += s;
    });
    add(`hash, ${keySize}-byte key: lookup (miss)`, () => {
      let s = 0;
      for (let i = 0; i < BATCH; i++) s += map.lookup(miss, 0, 0);
      sink += s;
    });
    add(`hash, ${keySize}-byte key: update (existing key)`, () => {
      let s = 0;
      for (let i = 0; i < BATCH; i++) s += map.update(keys, (i % KEYS) * keySize, value, 0, 0, 0);
      sink += s;
    });
    add(`hash, ${keySize}-byte key: insert + delete`, () => {
      let s = 0;
      for (let i = 0; i < BATCH; i++) {
        fresh[0] = i & 0xff;
        s += map.update(fresh, 0, value, 0, 0, 0) + map.delete(fresh, 0);
      }
      sink += s;
    });
  }
  {
    const mem = new Memory();
    const map = createMap({ name: 'a', type: 'array', keySize: 4, valueSize: 8, maxEntries: 1024 }, mem, 2, 1);
    const key = new Uint8Array(4);
    add('array: lookup', () => {
      for (let i = 0; i < BATCH; i++) {
        key[0] = i & 0xff;
        sink += map.lookup(key, 0, 0);
      }
    });
  }
  {
    // The interpreter's path: arguments from m.regs, a bounds check, the lookup, r0 written.
    const m = new Machine({ cpu: () => 0 });
    const map = createMap({ name: 'h', type: 'hash', keySize: 24, valueSize: 8, maxEntries: 4096 }, m.mem, 2, 1);
    m.maps[1] = map;
    const stack = m.mem.bytes[REGION_STACK];
    for (let i = 0; i < 16; i++) {
      stack[400] = i;
      map.update(stack, 400, stack, 0, 0, 0);
    }
    const lookup = helperTable[1];
    add('map_lookup_elem helper, 24-byte key (registers in, r0 out)', () => {
      for (let i = 0; i < BATCH; i++) {
        stack[400] = i & 15;
        m.regs[2] = 1;
        m.regs[3] = REGION_MAP_HANDLE;
        m.regs[4] = 400;
        m.regs[5] = REGION_STACK;
        lookup(m);
        sink += m.regs[0];
      }
    });
  }
  if (sink === 0.5) console.log(sink);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of mapFigures()) console.log(`${r.name.padEnd(62)} ${r.nsPerOp.toFixed(1).padStart(7)} ns/op`);
}
