// Compiled probe programs run against synthetic events: the test rig's fake kernel sets the
// current task, CPU and clock, the tracepoint record is built byte for byte, and after N
// events the maps hold exactly what bpftrace's semantics say (per-CPU copies included).

import { describe, expect, test } from 'vitest';
import { histBucketIndex, lhistBucketIndex } from '../../src/runtime/output/layouts.js';
import type { AggregateValue, MapDump, Value } from '../../src/runtime/output/values.js';
import { mustCompile } from './compile-helpers.js';
import { FakeKernel, Rig } from './rig.js';

/** A sys_exit_read record: `ret` (long) at offset 16. */
function exitRead(ret: bigint): Uint8Array {
  const b = new Uint8Array(24);
  new DataView(b.buffer).setBigInt64(16, ret, true);
  return b;
}

/** A sys_enter_openat record: `filename` (const char *) at offset 24. */
function enterOpenat(filename: bigint): Uint8Array {
  const b = new Uint8Array(48);
  new DataView(b.buffer).setBigUint64(24, filename, true);
  return b;
}

function keyText(v: Value): string {
  switch (v.kind) {
    case 'int':
      return String(v.value);
    case 'string':
      return v.text;
    case 'tuple':
      return v.elems.map(keyText).join(',');
    case 'none':
      return '';
    default:
      return v.kind;
  }
}

function entries(d: MapDump): Map<string, Value | AggregateValue> {
  return new Map(d.entries.map((e) => [keyText(e.key), e.value]));
}

describe('aggregations after synthetic events', () => {
  test('@[pid, comm] = count(): one entry per task, counts summed over CPUs', () => {
    const rig = new Rig(mustCompile('tracepoint:raw_syscalls:sys_enter { @[pid, comm] = count(); }'));
    const tasks = [
      { pid: 10, comm: 'bash', n: 5 },
      { pid: 20, comm: 'sshd', n: 3 },
      { pid: 10, comm: 'bash', n: 2 },
      { pid: 30, comm: 'a-very-long-command-name', n: 1 },
    ];
    let cpu = 0;
    for (const t of tasks) {
      for (let i = 0; i < t.n; i++) {
        rig.host.pid = t.pid;
        rig.host.commV = t.comm;
        rig.host.cpuId = cpu++ % 4;
        rig.run(0, new Uint8Array(64));
      }
    }
    const m = entries(rig.dump('@'));
    expect([...m.keys()].sort()).toEqual(['10,bash', '20,sshd', '30,a-very-long-com']);
    expect(m.get('10,bash')).toEqual({ kind: 'count', value: 7n });
    expect(m.get('20,sshd')).toEqual({ kind: 'count', value: 3n });
    expect(m.get('30,a-very-long-com')).toEqual({ kind: 'count', value: 1n });
    // The per-CPU copies hold the events each CPU saw.
    const { map } = rig.mapDef('@');
    const bash = [...map.entries()].find((e) => new DataView(e.key.buffer, e.key.byteOffset).getBigInt64(0, true) === 10n)!;
    expect(bash.values.map((v) => new DataView(v.buffer, v.byteOffset).getBigUint64(0, true))).toEqual([3n, 2n, 1n, 1n]);
  });

  test('sum, avg, min, max and stats of signed values', () => {
    const rig = new Rig(
      mustCompile('tracepoint:syscalls:sys_exit_read { @s[comm] = sum(args->ret); @a = avg(args->ret); @mn = min(args->ret); @mx = max(args->ret); @st = stats(args->ret); }'),
    );
    const values = [100n, -20n, 7n, 4096n, -5n];
    values.forEach((v, i) => {
      rig.host.cpuId = i % 3;
      rig.run(0, exitRead(v));
    });
    expect(entries(rig.dump('@s')).get('bash')).toEqual({ kind: 'sum', signed: true, value: 4178n });
    expect(entries(rig.dump('@a')).get('')).toEqual({ kind: 'avg', signed: true, total: 4178n, count: 5n });
    expect(entries(rig.dump('@mn')).get('')).toEqual({ kind: 'min', signed: true, value: -20n, set: true });
    expect(entries(rig.dump('@mx')).get('')).toEqual({ kind: 'max', signed: true, value: 4096n, set: true });
    expect(entries(rig.dump('@st')).get('')).toEqual({ kind: 'stats', signed: true, total: 4178n, count: 5n });
  });

  test.each([0, 1, 3, 5])('hist buckets with %i bits match the layout table', (bits) => {
    const rig = new Rig(mustCompile(`tracepoint:syscalls:sys_exit_read { @h = hist(args->ret, ${bits}); }`));
    const values = [-7n, -1n, 0n, 1n, 2n, 3n, 4n, 5n, 7n, 8n, 9n, 15n, 16n, 100n, 1000n, 4095n, 4096n, 65535n, 1n << 40n, (1n << 62n) + 5n, (1n << 63n) - 1n];
    const want = new Map<number, bigint>();
    for (const v of values) {
      rig.run(0, exitRead(v));
      const i = histBucketIndex(v, bits);
      want.set(i, (want.get(i) ?? 0n) + 1n);
    }
    const h = entries(rig.dump('@h')).get('') as Extract<AggregateValue, { kind: 'hist' }>;
    expect(h.bits).toBe(bits);
    const got = new Map<number, bigint>();
    h.buckets.forEach((n, i) => {
      if (n !== 0n) got.set(i, n);
    });
    expect(got).toEqual(want);
  });

  test('lhist buckets: under min, in range, at and over max', () => {
    const rig = new Rig(mustCompile('tracepoint:syscalls:sys_exit_read { @l = lhist(args->ret, 0, 10000, 1000); }'));
    const values = [-1n, 0n, 999n, 1000n, 5500n, 9999n, 10000n, 123456n];
    const want = new Map<number, bigint>();
    for (const v of values) {
      rig.run(0, exitRead(v));
      const i = lhistBucketIndex(v, 0n, 10000n, 1000n);
      want.set(i, (want.get(i) ?? 0n) + 1n);
    }
    const l = entries(rig.dump('@l')).get('') as Extract<AggregateValue, { kind: 'lhist' }>;
    const got = new Map<number, bigint>();
    l.buckets.forEach((n, i) => {
      if (n !== 0n) got.set(i, n);
    });
    expect(got).toEqual(want);
    expect(l.buckets.length).toBe(12);
  });

  test('the latency pattern: start time per thread, hist of deltas, start deleted', () => {
    const rig = new Rig(
      mustCompile(
        'tracepoint:syscalls:sys_enter_read { @start[tid] = nsecs; } tracepoint:syscalls:sys_exit_read /@start[tid]/ { @ns[comm] = hist(nsecs - @start[tid]); delete(@start[tid]); }',
      ),
    );
    const enter = rig.index('tracepoint:syscalls:sys_enter_read');
    const exit = rig.index('tracepoint:syscalls:sys_exit_read');
    const deltas = [1000, 1500, 3000, 70000];
    deltas.forEach((d, i) => {
      rig.host.tidV = 500 + i;
      rig.host.boot = 1_000_000 * (i + 1);
      rig.run(enter, new Uint8Array(64));
      rig.host.boot += d;
      rig.run(exit, exitRead(10n));
    });
    // An exit without an enter is filtered by the predicate.
    rig.host.tidV = 999;
    rig.run(exit, exitRead(10n));
    expect(rig.dump('@start').entries).toEqual([]);
    const h = entries(rig.dump('@ns')).get('bash') as Extract<AggregateValue, { kind: 'hist' }>;
    const got = new Map<number, bigint>();
    h.buckets.forEach((n, i) => {
      if (n !== 0n) got.set(i, n);
    });
    const want = new Map<number, bigint>();
    for (const d of deltas) want.set(histBucketIndex(BigInt(d), 0), (want.get(histBucketIndex(BigInt(d), 0)) ?? 0n) + 1n);
    expect(got).toEqual(want);
  });

  test('map keys of strings compare whole: str() keys are zero-padded', () => {
    const host = new FakeKernel();
    const enc = (s: string) => new TextEncoder().encode(`${s}\0garbage-after-the-nul`);
    host.user.set(0x7000_0000n, enc('/etc/passwd'));
    host.user.set(0x7000_1000n, enc('/tmp'));
    host.user.set(0x7000_2000n, new TextEncoder().encode('/etc/passwd\0other-garbage'));
    const rig = new Rig(mustCompile('config = { max_strlen = 64 } tracepoint:syscalls:sys_enter_openat { @[str(args->filename)] = count(); }'), { host });
    for (const a of [0x7000_0000n, 0x7000_1000n, 0x7000_2000n, 0x7000_0000n]) rig.run(0, enterOpenat(a));
    const m = entries(rig.dump('@'));
    expect(m.get('/etc/passwd')).toEqual({ kind: 'count', value: 3n });
    expect(m.get('/tmp')).toEqual({ kind: 'count', value: 1n });
    expect(m.size).toBe(2);
  });

  test('printf records carry the arguments at their offsets', () => {
    const host = new FakeKernel();
    host.user.set(0x7100_0000n, new TextEncoder().encode('/usr/lib/libc.so.6\0'));
    const rig = new Rig(mustCompile('tracepoint:syscalls:sys_enter_openat { printf("%d %s %s\\n", pid, comm, str(args->filename)); }'), { host });
    host.pid = 4242;
    host.commV = 'cat';
    rig.run(0, enterOpenat(0x7100_0000n));
    const [r] = rig.records();
    expect(r!.event.kind).toBe('printf');
    expect(rig.args(r!)).toEqual([
      { kind: 'int', value: 4242n, size: 4, signed: false },
      { kind: 'string', text: 'cat' },
      { kind: 'string', text: '/usr/lib/libc.so.6' },
    ]);
  });

  test('declared shared maps: count adds atomically, an LRU hash keeps the newest keys', () => {
    const compiled = mustCompile(
      'let @c = hash(8); let @l = lruhash(2); tracepoint:syscalls:sys_exit_read { @c[args->ret] = count(); @l[args->ret] = args->ret * 10; }',
    );
    expect(compiled.maps.find((m) => m.bpftraceName === '@c')!.spec).toMatchObject({ type: 'hash', maxEntries: 8 });
    expect(compiled.maps.find((m) => m.bpftraceName === '@l')!.spec).toMatchObject({ type: 'lru_hash', maxEntries: 2 });
    const rig = new Rig(compiled);
    for (const v of [1n, 2n, 1n, 3n, 1n]) rig.run(0, exitRead(v));
    const c = entries(rig.dump('@c'));
    expect(c.get('1')).toEqual({ kind: 'count', value: 3n });
    expect(c.get('3')).toEqual({ kind: 'count', value: 1n });
    expect([...entries(rig.dump('@l')).keys()].sort()).toEqual(['1', '3']);
    // Atomic adds on the shared map (lock xadd), plain adds nowhere.
    expect(compiled.programs[0]!.insns.some((i) => i.code === 0xdb)).toBe(true);
  });

  test('the canonical one-liner costs one lookup per event once its key exists', () => {
    const rig = new Rig(mustCompile('tracepoint:raw_syscalls:sys_enter { @[pid, comm] = count(); }', { compile: { helperErrors: false } }));
    rig.run(0, new Uint8Array(64));
    const before = rig.executed;
    rig.run(0, new Uint8Array(64));
    // call 14, shift, store, comm (4), lookup (4), branch, add (3), return (2).
    expect(rig.executed - before).toBeLessThanOrEqual(17);
    expect(entries(rig.dump('@')).get('100,bash')).toEqual({ kind: 'count', value: 2n });
  });
});

describe('for-map loops after synthetic events', () => {
  // Each record's arguments (the format text is not applied).
  const printed = (rig: Rig): string[] => rig.records().map((r) => rig.args(r).map(keyText).join(' '));

  test('a per-CPU count in a for-map loop is every CPU’s copies combined, as bpftrace 0.23 prints it', () => {
    // Recorded: `profile:hz:997 { @[cpu] = count(); } interval:ms:300 { for ($kv : @) { printf("%d %d\n",
    // $kv.0, (uint64)$kv.1); } }` printed each CPU's full count from the one CPU running the interval.
    const host = new FakeKernel();
    const rig = new Rig(mustCompile('tracepoint:raw_syscalls:sys_enter { @[cpu] = count(); } interval:s:1 { for ($kv : @) { printf("%d %d\\n", $kv.0, (uint64)$kv.1); } }'), { host });
    const enter = rig.index('tracepoint:raw_syscalls:sys_enter');
    for (const [cpu, n] of [[0, 3], [1, 2], [0, 1]] as const) {
      host.cpuId = cpu;
      for (let k = 0; k < n; k++) rig.run(enter);
    }
    host.cpuId = 3;
    rig.run(rig.index('interval:s:1'));
    expect(printed(rig)).toEqual(['0 4', '1 2']);
  });

  test('1024-byte string keys (bpftrace 0.23’s default max_strlen): the loop variable lives in scratch memory', () => {
    const host = new FakeKernel();
    const rig = new Rig(
      mustCompile('tracepoint:syscalls:sys_enter_openat { @[str(args->filename)] = count(); } interval:s:1 { for ($kv : @) { printf("%s %d\\n", $kv.0, (uint64)$kv.1); } printf("len %d\\n", len(@)); }'),
      { host },
    );
    expect(rig.mapDef('@').def.spec.keySize).toBe(1024);
    const files = ['/etc/passwd', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/etc/passwd'];
    files.forEach((f, i) => host.user.set(0x10000n * BigInt(i + 1), new TextEncoder().encode(`${f}\0`)));
    const enter = rig.index('tracepoint:syscalls:sys_enter_openat');
    files.forEach((_, i) => {
      host.cpuId = i % 2;
      rig.run(enter, enterOpenat(0x10000n * BigInt(i + 1)));
    });
    rig.run(rig.index('interval:s:1'));
    expect(printed(rig)).toEqual(['/etc/passwd 2', '/usr/lib/x86_64-linux-gnu/libc.so.6 1', '2']);
  });
});
