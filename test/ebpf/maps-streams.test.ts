// The maps that stream to user space or hold stacks: ringbuf (reserve/commit/discard, BUSY
// ordering, full, wraparound, query, wakeups), perf_event_array (errnos, record layout, lost
// samples) and stack_trace (ids from jhash2, collisions, REUSE/FAST_CMP, skip, ENOMEM).

import { describe, expect, test } from 'vitest';
import { createMap } from '../../src/ebpf/maps/create-map.js';
import { E2BIG, EAGAIN, EEXIST, EFAULT, EINVAL, ENOENT, ENOMEM, ENOSPC, EOPNOTSUPP } from '../../src/ebpf/maps/errno.js';
import { jhash2 } from '../../src/ebpf/maps/jhash.js';
import { BPF_F_CURRENT_CPU, PerfEventArrayMap } from '../../src/ebpf/maps/perf-event-array.js';
import {
  BPF_RB_AVAIL_DATA,
  BPF_RB_CONS_POS,
  BPF_RB_FORCE_WAKEUP,
  BPF_RB_NO_WAKEUP,
  BPF_RB_PROD_POS,
  BPF_RB_RING_SIZE,
  RingBufMap,
} from '../../src/ebpf/maps/ringbuf.js';
import { BPF_F_FAST_STACK_CMP, BPF_F_REUSE_STACKID, StackTraceMap } from '../../src/ebpf/maps/stack-trace.js';
import { Memory } from '../../src/ebpf/memory.js';

function ring(size = 4096): RingBufMap {
  return createMap({ name: 'rb', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: size }, new Memory(), 2, 1) as RingBufMap;
}

/** Drains rb into [len, first byte, last byte] triples. */
function drain(rb: RingBufMap): number[][] {
  const out: number[][] = [];
  rb.consume((b, off, len) => {
    out.push([len, b[off]!, b[off + len - 1]!]);
  });
  return out;
}

describe('ringbuf', () => {
  test('a reserved record is invisible until committed; discarded records are skipped', () => {
    const rb = ring();
    const a = rb.reserve(10);
    expect(a).toBe(8);
    rb.bytes.fill(0xaa, a, a + 10);
    const b = rb.reserve(3);
    expect(b).toBe(8 + 24);
    rb.bytes.fill(0xbb, b, b + 3);
    const c = rb.reserve(1);
    rb.bytes[c] = 0xcc;
    rb.commit(b, false, 0);
    rb.commit(c, true, 0);
    expect(drain(rb)).toEqual([]); // a is still BUSY and blocks b
    rb.commit(a, false, 0);
    expect(drain(rb)).toEqual([
      [10, 0xaa, 0xaa],
      [3, 0xbb, 0xbb],
    ]);
    expect(rb.query(BPF_RB_CONS_POS)).toBe(24 + 16 + 16);
    expect(rb.query(BPF_RB_AVAIL_DATA)).toBe(0);
  });

  test('header: length with BUSY bit while reserved, page offset; committing twice is ignored', () => {
    const rb = ring();
    const view = new DataView(rb.bytes.buffer);
    const a = rb.reserve(5);
    expect([view.getUint32(0, true), view.getUint32(4, true)]).toEqual([0x80000005, 3]);
    rb.commit(a, true, 0);
    expect(view.getUint32(0, true)).toBe(0x40000005);
    rb.commit(a, false, 0);
    expect(view.getUint32(0, true)).toBe(0x40000005);
  });

  test('full: a record may not bring the producer a whole ring ahead of the consumer', () => {
    const rb = ring();
    expect(rb.reserve(4080)).toBe(8); // 4088 bytes with the header
    expect(rb.reserve(0)).toBe(-1);
    expect(rb.dropped).toBe(1);
    expect(rb.output(new Uint8Array(4), 0, 4, 0)).toBe(-EAGAIN);
    expect(rb.dropped).toBe(2);
    expect(rb.reserve(4096)).toBe(-1);
    expect(ring().reserve(4089)).toBe(-1); // 4104 > ring size
  });

  test('wraparound: the record is contiguous in the region and its tail is copied to the ring start', () => {
    const rb = ring();
    expect(rb.output(new Uint8Array(3000).fill(1), 0, 3000, 0)).toBe(0);
    expect(drain(rb)).toEqual([[3000, 1, 1]]);
    const d = rb.reserve(2000);
    expect(d).toBe(3016);
    for (let i = 0; i < 2000; i++) rb.bytes[d + i] = i & 0xff;
    rb.commit(d, false, 0);
    // Positions 4096.. of the record wrap to 0..
    expect([...rb.bytes.subarray(0, 4)]).toEqual([(4096 - 3016) & 0xff, (4097 - 3016) & 0xff, (4098 - 3016) & 0xff, (4099 - 3016) & 0xff]);
    const seen: number[] = [];
    rb.consume((b, off, len) => {
      for (let i = 0; i < len; i++) if (b[off + i] !== (i & 0xff)) seen.push(i);
    });
    expect(seen).toEqual([]);
    expect([rb.query(BPF_RB_PROD_POS), rb.query(BPF_RB_CONS_POS), rb.query(BPF_RB_RING_SIZE)]).toEqual([5016, 5016, 4096]);
  });

  test('an uncommitted record blocks the consumer, so the space behind it stays taken', () => {
    const rb = ring();
    const a = rb.reserve(1000); // stays BUSY
    expect(rb.output(new Uint8Array(2000), 0, 2000, 0)).toBe(0);
    expect(drain(rb)).toEqual([]);
    // consumer is at 0: 1008 + 2008 + 1080 > 4095
    expect(rb.reserve(1072)).toBe(-1);
    rb.commit(a, false, 0);
    expect(drain(rb).map((r) => r[0])).toEqual([1000, 2000]);
    expect(rb.reserve(1072)).toBeGreaterThan(0);
  });

  test.each<[string, number, number]>([
    ['consumer caught up: wakeup', 0, 1],
    ['BPF_RB_NO_WAKEUP', BPF_RB_NO_WAKEUP, 0],
    ['BPF_RB_FORCE_WAKEUP', BPF_RB_FORCE_WAKEUP, 1],
  ])('%s', (_n, flags, wakeups) => {
    const rb = ring();
    expect(rb.output(new Uint8Array(8), 0, 8, flags)).toBe(0);
    expect(rb.wakeups).toBe(wakeups);
  });

  test('no wakeup for a record behind unconsumed data; bad output flags', () => {
    const rb = ring();
    rb.output(new Uint8Array(8), 0, 8, BPF_RB_NO_WAKEUP);
    rb.output(new Uint8Array(8), 0, 8, 0);
    expect(rb.wakeups).toBe(0);
    expect(rb.output(new Uint8Array(8), 0, 8, 4)).toBe(-EINVAL);
  });

  test('a consumer callback returning a negative number stops consumption after that record', () => {
    const rb = ring();
    for (let i = 0; i < 3; i++) rb.output(new Uint8Array([i]), 0, 1, 0);
    const got: number[] = [];
    expect(rb.consume((b, off) => (got.push(b[off]!), -7))).toBe(-7);
    expect(rb.consume((b, off) => void got.push(b[off]!))).toBe(2);
    expect(got).toEqual([0, 1, 2]);
  });
});

describe('perf_event_array', () => {
  function perf(max = 2): PerfEventArrayMap {
    const m = createMap({ name: 'p', type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: max }, new Memory(), 2, 1) as PerfEventArrayMap;
    return m;
  }

  test.each<[string, number, number, number, number]>([
    ['current CPU', BPF_F_CURRENT_CPU, 0, 1, 0],
    ['explicit slot on its CPU', 1, 0, 1, 0],
    ['slot of another CPU', 0, 0, 1, -EOPNOTSUPP],
    ['slot past max_entries', 4, 0, 1, -E2BIG],
    ['slot without a buffer', 2, 0, 1, -ENOENT],
    ['flag bits above the index', 1, 1, 1, -EINVAL],
  ])('%s', (_n, flagsLo, flagsHi, cpu, want) => {
    const p = perf(4);
    expect(p.openBuffer(0, 0, 4096)).toBe(0);
    expect(p.openBuffer(1, 1, 4096)).toBe(0);
    expect(p.output(flagsLo, flagsHi, cpu, new Uint8Array([1, 2, 3, 4, 5]), 0, 5)).toBe(want);
  });

  test('openBuffer checks', () => {
    const p = perf();
    expect([p.openBuffer(2, 0, 4096), p.openBuffer(0, 0, 5000), p.openBuffer(0, 0, 1024), p.size()]).toEqual([-E2BIG, -EINVAL, -EINVAL, 0]);
  });

  test('sample records carry the raw size padded to end on 8 bytes', () => {
    const p = perf();
    p.openBuffer(1, 1, 4096);
    p.output(BPF_F_CURRENT_CPU, 0, 1, new Uint8Array([1, 2, 3, 4, 5]), 0, 5);
    const buf = p.buffers[1]!;
    expect([...buf.bytes.subarray(0, 24)]).toEqual([9, 0, 0, 0, 0, 0, 24, 0, 12, 0, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0]);
    const got: number[][] = [];
    expect(p.consume(1, (b, off, len) => got.push([...b.subarray(off, off + len)]))).toBe(1);
    expect(got).toEqual([[1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0]]);
  });

  test('samples that do not fit are lost, counted, and reported before the next one that fits', () => {
    const p = perf();
    p.openBuffer(0, 0, 4096);
    const data = new Uint8Array(1000).fill(7);
    const rcs = [0, 1, 2, 3, 4, 5].map(() => p.output(BPF_F_CURRENT_CPU, 0, 0, data, 0, 1000));
    expect(rcs).toEqual([0, 0, 0, 0, -ENOSPC, -ENOSPC]); // 4 x 1016 bytes fit in 4095
    expect(p.lost()).toBe(2);
    const events: string[] = [];
    const onSample = (_b: Uint8Array, _o: number, len: number): void => void events.push(`sample ${len}`);
    const onLost = (n: number): void => void events.push(`lost ${n}`);
    expect(p.consume(0, onSample, onLost)).toBe(4);
    data[999] = 9;
    expect(p.output(BPF_F_CURRENT_CPU, 0, 0, data, 0, 1000)).toBe(0); // wraps past the ring end
    let last = -1;
    p.consume(0, (b, off, len) => {
      events.push(`sample ${len}`);
      last = b[off + 999]!;
    }, onLost);
    expect(events).toEqual(['sample 1004', 'sample 1004', 'sample 1004', 'sample 1004', 'lost 2', 'sample 1004']);
    expect(last).toBe(9);
  });
});

describe('stack_trace', () => {
  const ip = (n: number): bigint => 0xffffffff81000000n + BigInt(n) * 0x10n;
  function stacks(maxEntries = 4, depth = 3): StackTraceMap {
    return createMap({ name: 's', type: 'stack_trace', keySize: 4, valueSize: depth * 8, maxEntries }, new Memory(), 2, 1) as StackTraceMap;
  }
  const idOf = (ips: bigint[], buckets: number): number => jhash2(new Uint32Array(new BigUint64Array(ips).buffer), ips.length * 2, 0) & (buckets - 1);

  test('the id is jhash2 of the trace masked to the bucket count; the same stack gets the same id', () => {
    const s = stacks();
    const trace = [0xffffffff81000010n, 0xffffffff81234567n, 0xffffffff81abcdefn];
    expect(s.getStackId(trace, 0)).toBe(361534963 & 3);
    expect(s.getStackId([...trace], 0)).toBe(3);
    expect(s.trace(3)).toEqual(trace);
    expect(s.size()).toBe(1);
  });

  test('frames beyond the value size are cut; skip drops innermost frames; nothing left is -EFAULT', () => {
    const s = stacks(8, 2);
    const id = s.getStackId([ip(1), ip(2), ip(3), ip(4)], 1);
    expect(id).toBe(idOf([ip(2), ip(3)], 8));
    expect(s.trace(id)).toEqual([ip(2), ip(3)]);
    expect(s.getStackId([ip(1)], 1)).toBe(-EFAULT);
    expect(s.getStackId([], 0)).toBe(-EFAULT);
  });

  test('collisions: -EEXIST, unless BPF_F_REUSE_STACKID replaces the bucket; FAST_STACK_CMP trusts the hash', () => {
    const s = stacks(1, 3); // one bucket: every stack collides
    const a = [ip(1), ip(2)];
    const b = [ip(3)];
    expect(s.getStackId(a, 0)).toBe(0);
    expect(s.getStackId(b, 0)).toBe(-EEXIST);
    expect(s.getStackId(b, BPF_F_FAST_STACK_CMP)).toBe(-EEXIST); // different hash
    expect(s.getStackId(b, BPF_F_REUSE_STACKID)).toBe(0);
    expect(s.trace(0)).toEqual(b);
    expect([...s.lookupUser(new Uint8Array(4))![0]!]).toEqual([...new Uint8Array(new BigUint64Array([ip(3), 0n, 0n]).buffer)]);
  });

  test('-ENOMEM once max_entries buckets hold stacks (buckets are rounded up to a power of two)', () => {
    const s = stacks(3, 1);
    expect(s.nBuckets).toBe(4);
    const byBucket = new Map<number, bigint>();
    for (let n = 0; byBucket.size < 4; n++) if (!byBucket.has(idOf([ip(n)], 4))) byBucket.set(idOf([ip(n)], 4), ip(n));
    const ids = [...byBucket.values()].map((x) => s.getStackId([x], 0));
    expect(ids.slice(0, 3).every((id) => id >= 0)).toBe(true);
    expect(ids[3]).toBe(-ENOMEM);
    expect(s.deleteUser(new Uint8Array([ids[0]!, 0, 0, 0]))).toBe(0);
    expect(s.deleteUser(new Uint8Array([ids[0]!, 0, 0, 0]))).toBe(-ENOENT);
    expect(s.getStackId([[...byBucket.values()][3]!], 0)).toBeGreaterThanOrEqual(0);
  });
});
