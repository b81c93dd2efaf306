// Helpers called as the machine calls them (arguments in r1..r5, result in r0) against a small
// fake KernelHost: exact r0 values, bytes written, Linux's errnos and zeroing on failure.

import { beforeEach, describe, expect, test } from 'vitest';
import type { KernelHost } from '../../src/ebpf/host.js';
import { HELPER_ID } from '../../src/ebpf/helpers/helper-ids.js';
import { HELPERS, helperTable } from '../../src/ebpf/helpers/helper-table.js';
import { Machine } from '../../src/ebpf/machine.js';
import { createMap } from '../../src/ebpf/maps/create-map.js';
import type { MachineMap } from '../../src/ebpf/maps/create-map.js';
import { HashMap } from '../../src/ebpf/maps/hash.js';
import { PerfEventArrayMap } from '../../src/ebpf/maps/perf-event-array.js';
import { RingBufMap } from '../../src/ebpf/maps/ringbuf.js';
import { StackTraceMap } from '../../src/ebpf/maps/stack-trace.js';
import type { MapSpec } from '../../src/ebpf/maps/map.js';
import { REGION_CTX, REGION_MAP_HANDLE, REGION_STACK } from '../../src/ebpf/memory.js';

const EFAULT = -14;
const EINVAL = -22;
const EPERM = -1;
const ENOENT = -2;

const USER_BASE = 0x7ffd12340000n;
const KERNEL_BASE = 0xffff888800001000n;

/** A process with a few bytes of user memory and a little kernel memory. */
class FakeHost implements KernelHost {
  tgidV = 1200;
  user = new Uint8Array(64);
  kernel = new Uint8Array(32);
  printed: string[] = [];
  signals: number[] = [];
  kstack: bigint[] = [0xffffffff81000100n, 0xffffffff81000200n, 0xffffffff81000300n];
  constructor() {
    this.user.set(new TextEncoder().encode('hello\0/etc/passwd\0'));
    this.user.set(new TextEncoder().encode('tail-no-nul'), 64 - 11);
    for (let i = 0; i < 32; i++) this.kernel[i] = 0xa0 + i;
  }
  cpu = (): number => 1;
  ncpus = (): number => 2;
  tid = (): number => 1234;
  tgid = (): number => this.tgidV;
  uid = (): number => 1000;
  gid = (): number => 100;
  comm(dst: Uint8Array, off: number): void {
    // NUL-padded to 16 bytes, as the KernelHost contract says.
    dst.fill(0, off, off + 16);
    dst.set(new TextEncoder().encode('kworker/u8:1'), off);
  }
  ktimeNs = (): number => 5_000_000_123_456;
  bootNs = (): number => 6_000_000_000_001;
  taiNs = (): number => 1_700_000_037_000_000_000;
  realtimeNs = (): number => 1_700_000_000_000_000_000;
  jiffies = (): number => 4_295_000_000;
  currentTask = (): bigint => 0xffff888812345600n;
  cgroupId = (): bigint => 0x1_0000_0007n;
  numaNode = (): number => 0;
  prandomU32 = (): number => 0xdeadbeef;
  private read(mem: Uint8Array, base: bigint, addr: bigint, dst: Uint8Array, off: number, len: number): number {
    const start = addr - base;
    if (start < 0n || start + BigInt(len) > BigInt(mem.length)) {
      dst.fill(0, off, off + len);
      return EFAULT;
    }
    dst.set(mem.subarray(Number(start), Number(start) + len), off);
    return 0;
  }
  private readStr(mem: Uint8Array, base: bigint, addr: bigint, dst: Uint8Array, off: number, len: number): number {
    const start = Number(addr - base);
    if (addr < base || start >= mem.length) return EFAULT;
    let n = 0;
    while (n < len - 1 && start + n < mem.length && mem[start + n] !== 0) n++;
    if (n < len - 1 && start + n >= mem.length) return EFAULT;
    dst.set(mem.subarray(start, start + n), off);
    dst[off + n] = 0;
    return n + 1;
  }
  readUser = (a: bigint, d: Uint8Array, o: number, l: number): number => this.read(this.user, USER_BASE, a, d, o, l);
  readKernel = (a: bigint, d: Uint8Array, o: number, l: number): number => this.read(this.kernel, KERNEL_BASE, a, d, o, l);
  readUserStr = (a: bigint, d: Uint8Array, o: number, l: number): number => this.readStr(this.user, USER_BASE, a, d, o, l);
  readKernelStr = (a: bigint, d: Uint8Array, o: number, l: number): number => this.readStr(this.kernel, KERNEL_BASE, a, d, o, l);
  kernelStack = (): readonly bigint[] => this.kstack;
  userStack = (): readonly bigint[] => [0x401000n, 0x402000n];
  funcIp = (): bigint => 0xffffffff81234560n;
  sendSignal(sig: number): number {
    this.signals.push(sig);
    return 0;
  }
  tracePrintk(message: string): void {
    this.printed.push(message);
  }
}

const ptr = (region: number, off: number): bigint => (BigInt(region) << 32n) | BigInt(off);
const mapHandle = (fd: number): bigint => ptr(REGION_MAP_HANDLE, fd);
const stackPtr = (off: number): bigint => ptr(REGION_STACK, off);

let host: FakeHost;
let m: Machine;

function addMap(spec: MapSpec): MachineMap {
  const map = createMap(spec, m.mem, 2, m.maps.length);
  m.maps.push(map);
  return map;
}

/** Calls helper `name` with r1..r5 = args and returns r0 as a signed bigint. */
function call(name: keyof typeof HELPER_ID, ...args: (bigint | number)[]): bigint {
  args.forEach((a, i) => {
    const v = BigInt.asUintN(64, BigInt(a));
    m.regs[2 * (i + 1)] = Number(v & 0xffffffffn);
    m.regs[2 * (i + 1) + 1] = Number(v >> 32n);
  });
  m.regs[0] = 0x5a5a5a5a;
  m.regs[1] = 0x5a5a5a5a;
  helperTable[HELPER_ID[name]]!(m);
  return (BigInt(m.regs[1]!) << 32n) | BigInt(m.regs[0]! >>> 0);
}

const stack = (): Uint8Array => m.mem.bytes[REGION_STACK]!;
const str = (b: Uint8Array): string => new TextDecoder().decode(b);
const putStr = (off: number, s: string): void => void stack().set(new TextEncoder().encode(s + '\0'), off);

beforeEach(() => {
  host = new FakeHost();
  m = new Machine(host);
});

describe('registry', () => {
  test('helperTable is indexed by Linux helper id', () => {
    expect(helperTable[1]).toBe(HELPERS.map_lookup_elem);
    expect(helperTable[130]).toBe(HELPERS.ringbuf_output);
    expect(helperTable[9]).toBeUndefined();
    expect(helperTable.length).toBe(209);
    expect(helperTable[164]).toBe(HELPERS.for_each_map_elem);
    expect(helperTable[181]).toBe(HELPERS.loop);
    expect(Object.keys(HELPER_ID).length).toBe(42);
  });
});

describe('task and clock helpers', () => {
  test.each<[keyof typeof HELPER_ID, bigint]>([
    ['get_current_pid_tgid', (1200n << 32n) | 1234n],
    ['get_current_uid_gid', (100n << 32n) | 1000n],
    ['get_smp_processor_id', 1n],
    ['get_prandom_u32', 0xdeadbeefn],
    ['ktime_get_ns', 5_000_000_123_456n],
    ['ktime_get_boot_ns', 6_000_000_000_001n],
    ['ktime_get_coarse_ns', 5_000_000_123_456n],
    ['ktime_get_tai_ns', 1_700_000_037_000_000_000n],
    ['jiffies64', 4_295_000_000n],
    ['get_current_task', BigInt.asIntN(64, 0xffff888812345600n)],
    ['get_current_task_btf', BigInt.asIntN(64, 0xffff888812345600n)],
    ['get_current_cgroup_id', 0x1_0000_0007n],
    ['get_numa_node_id', 0n],
    ['get_func_ip', BigInt.asIntN(64, 0xffffffff81234560n)],
  ])('%s', (name, want) => expect(call(name)).toBe(want));

  test.each<[number, string]>([
    [16, 'kworker/u8:1\0\0\0\0'],
    [4, 'kwo\0'],
    [20, 'kworker/u8:1' + '\0'.repeat(8)],
    [1, '\0'],
  ])('get_current_comm into %i bytes: truncated, NUL-terminated, zero-padded', (size, want) => {
    stack().fill(0xff, 100, 140);
    expect(call('get_current_comm', stackPtr(100), size)).toBe(0n);
    expect(str(stack().subarray(100, 100 + size))).toBe(want);
    expect(stack()[100 + size]).toBe(0xff);
  });

  test('get_current_comm into a read-only region is -EFAULT', () => {
    expect(call('get_current_comm', ptr(REGION_CTX, 0), 16)).toBe(BigInt(EFAULT));
  });

  test.each<[string, bigint, bigint, number, bigint, number[]]>([
    ['init namespace', 4n, 0xeffffffcn, 8, 0n, [1234, 1200]],
    ['other namespace', 4n, 0xeffffffbn, 8, BigInt(EINVAL), [0, 0]],
    ['dev wider than dev_t', (1n << 32n) | 4n, 0xeffffffcn, 8, BigInt(EINVAL), [0, 0]],
    ['wrong size', 4n, 0xeffffffcn, 12, BigInt(EINVAL), [0, 0, 0]],
  ])('get_ns_current_pid_tgid: %s', (_n, dev, ino, size, want, words) => {
    stack().fill(0xff, 200, 220);
    expect(call('get_ns_current_pid_tgid', dev, ino, stackPtr(200), size)).toBe(want);
    const v = new DataView(stack().buffer, 200, 12);
    expect(words.map((_, i) => v.getUint32(4 * i, true))).toEqual(words);
  });

  test.each<[string, number, number, bigint, number[]]>([
    ['SIGKILL', 1200, 9, 0n, [9]],
    ['signal 0 only checks', 1200, 0, 0n, [0]],
    ['signal 65 is invalid', 1200, 65, BigInt(EINVAL), []],
    ['init cannot be signalled', 1, 9, BigInt(EPERM), []],
    ['kernel threads cannot be signalled', 0, 9, BigInt(EPERM), []],
  ])('send_signal: %s', (_n, tgid, sig, want, sent) => {
    host.tgidV = tgid;
    expect(call('send_signal', sig)).toBe(want);
    expect(host.signals).toEqual(sent);
  });
});

describe('probe_read family', () => {
  const dst = 300;
  test.each<[keyof typeof HELPER_ID, bigint, number, bigint, number[]]>([
    ['probe_read_user', USER_BASE, 5, 0n, [104, 101, 108, 108, 111]],
    ['probe_read_user', USER_BASE + 62n, 4, BigInt(EFAULT), [0, 0, 0, 0]],
    ['probe_read_kernel', KERNEL_BASE + 2n, 3, 0n, [0xa2, 0xa3, 0xa4]],
    ['probe_read_kernel', USER_BASE, 3, BigInt(EFAULT), [0, 0, 0]],
    ['probe_read', USER_BASE + 1n, 2, 0n, [101, 108]], // compat: user address
    ['probe_read', KERNEL_BASE, 2, 0n, [0xa0, 0xa1]], // compat: kernel address
    ['probe_read', 0n, 2, BigInt(EFAULT), [0, 0]], // NULL
    ['probe_read_user', USER_BASE, 0, 0n, []],
  ])('%s(dst, %i … ) → r0 and bytes', (name, src, size, want, bytes) => {
    stack().fill(0xff, dst, dst + 8);
    expect(call(name, stackPtr(dst), size, src)).toBe(want);
    expect([...stack().subarray(dst, dst + size)]).toEqual(bytes);
    expect(stack()[dst + size]).toBe(0xff);
  });

  test.each<[keyof typeof HELPER_ID, bigint, number, bigint, string]>([
    ['probe_read_user_str', USER_BASE, 16, 6n, 'hello\0'],
    ['probe_read_user_str', USER_BASE + 6n, 16, 12n, '/etc/passwd\0'],
    ['probe_read_user_str', USER_BASE + 6n, 5, 5n, '/etc\0'],
    ['probe_read_user_str', USER_BASE, 1, 1n, '\0'],
    ['probe_read_user_str', USER_BASE + 53n, 16, BigInt(EFAULT), '\0'.repeat(16)],
    ['probe_read_user_str', USER_BASE + 53n, 8, 8n, 'tail-no\0'],
    ['probe_read_user_str', 0x1000n, 8, BigInt(EFAULT), '\0'.repeat(8)],
    ['probe_read_str', USER_BASE, 3, 3n, 'he\0'],
    ['probe_read_kernel_str', USER_BASE, 4, BigInt(EFAULT), '\0\0\0\0'],
  ])('%s(dst, %i … ) → r0, string; bytes after the NUL untouched', (name, src, size, want, s) => {
    stack().fill(0xff, dst, dst + 24);
    expect(call(name, stackPtr(dst), size, src)).toBe(want);
    expect(str(stack().subarray(dst, dst + s.length))).toBe(s);
    expect(stack()[dst + size]).toBe(0xff);
  });

  test('probe_read_user_str with size 0 returns 0 and writes nothing', () => {
    stack()[dst] = 0xff;
    expect(call('probe_read_user_str', stackPtr(dst), 0, USER_BASE)).toBe(0n);
    expect(stack()[dst]).toBe(0xff);
  });

  test('region pointers (stack, map values) are read from their region', () => {
    putStr(40, 'abc');
    expect(call('probe_read_kernel_str', stackPtr(dst), 8, stackPtr(40))).toBe(4n);
    expect(str(stack().subarray(dst, dst + 4))).toBe('abc\0');
    const arr = addMap({ name: 'a', type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 });
    m.mem.bytes[arr.valueRegion(0)]!.set([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(call('probe_read', stackPtr(dst), 8, ptr(arr.valueRegion(0), 0))).toBe(0n);
    expect([...stack().subarray(dst, dst + 8)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(call('probe_read', stackPtr(dst), 8, ptr(arr.valueRegion(0), 4))).toBe(BigInt(EFAULT));
    expect([...stack().subarray(dst, dst + 8)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('a destination outside a writable region is -EFAULT', () => {
    expect(call('probe_read_user', ptr(REGION_CTX, 0), 4, USER_BASE)).toBe(BigInt(EFAULT));
    expect(call('probe_read_user', stackPtr(4094), 4, USER_BASE)).toBe(BigInt(EFAULT));
  });
});

describe('map helpers', () => {
  test('lookup / update / delete through r1 = map handle, r2 = key pointer', () => {
    const map = addMap({ name: 'h', type: 'hash', keySize: 8, valueSize: 8, maxEntries: 2 }) as HashMap;
    const view = new DataView(stack().buffer);
    view.setBigUint64(8, 42n, true);
    view.setBigUint64(16, 7n, true);
    expect(call('map_lookup_elem', mapHandle(map.fd), stackPtr(8))).toBe(0n);
    expect(call('map_update_elem', mapHandle(map.fd), stackPtr(8), stackPtr(16), 0)).toBe(0n);
    const r0 = call('map_lookup_elem', mapHandle(map.fd), stackPtr(8));
    expect(r0).toBe(ptr(map.valueRegion(1), 0));
    expect(m.mem.views[map.valueRegion(1)]!.getBigUint64(0, true)).toBe(7n);
    expect(call('map_update_elem', mapHandle(map.fd), stackPtr(8), stackPtr(16), 1)).toBe(-17n);
    expect(call('map_update_elem', mapHandle(map.fd), stackPtr(8), stackPtr(16), 1n << 32n)).toBe(BigInt(EINVAL));
    expect(call('map_update_elem', mapHandle(map.fd), stackPtr(4090), stackPtr(16), 0)).toBe(BigInt(EFAULT));
    expect(call('map_delete_elem', mapHandle(map.fd), stackPtr(8))).toBe(0n);
    expect(call('map_delete_elem', mapHandle(map.fd), stackPtr(8))).toBe(BigInt(ENOENT));
    expect(call('map_lookup_elem', mapHandle(99), stackPtr(8))).toBe(0n);
    expect(call('map_lookup_elem', stackPtr(0), stackPtr(8))).toBe(0n);
  });

  test('map_lookup_percpu_elem returns the given CPU\'s value, NULL past the last CPU or for shared maps', () => {
    const pc = addMap({ name: 'p', type: 'percpu_array', keySize: 4, valueSize: 8, maxEntries: 1 });
    const shared = addMap({ name: 's', type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 });
    expect(call('map_lookup_percpu_elem', mapHandle(pc.fd), stackPtr(0), 0)).toBe(ptr(pc.valueRegion(0), 0));
    expect(call('map_lookup_percpu_elem', mapHandle(pc.fd), stackPtr(0), 1)).toBe(ptr(pc.valueRegion(1), 0));
    expect(call('map_lookup_percpu_elem', mapHandle(pc.fd), stackPtr(0), 2)).toBe(0n);
    expect(call('map_lookup_percpu_elem', mapHandle(shared.fd), stackPtr(0), 0)).toBe(0n);
  });
});

describe('output helpers', () => {
  test('ringbuf reserve / submit / discard / output / query', () => {
    const rb = addMap({ name: 'rb', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 }) as RingBufMap;
    const r0 = call('ringbuf_reserve', mapHandle(rb.fd), 16, 0);
    expect(r0).toBe(ptr(rb.region, 8));
    m.mem.views[rb.region]!.setBigUint64(8, 0x1122n, true);
    expect(call('ringbuf_submit', r0, 0)).toBe(0n);
    expect(call('ringbuf_reserve', mapHandle(rb.fd), 16, 1)).toBe(0n); // flags must be 0
    const r1 = call('ringbuf_reserve', mapHandle(rb.fd), 8, 0);
    call('ringbuf_discard', r1, 0);
    putStr(64, 'evt');
    expect(call('ringbuf_output', mapHandle(rb.fd), stackPtr(64), 4, 0)).toBe(0n);
    expect(call('ringbuf_output', mapHandle(rb.fd), stackPtr(64), 4, 8)).toBe(BigInt(EINVAL));
    expect(call('ringbuf_output', mapHandle(rb.fd), stackPtr(64), 5000, 0)).toBe(BigInt(EFAULT));
    expect(call('ringbuf_query', mapHandle(rb.fd), 0)).toBe(24n + 16n + 16n);
    expect(call('ringbuf_query', mapHandle(rb.fd), 1)).toBe(4096n);
    const recs: string[] = [];
    rb.consume((b, off, len) => void recs.push(Buffer.from(b.subarray(off, off + len)).toString('hex')));
    expect(recs).toEqual(['2211000000000000' + '0'.repeat(16), '65767400']);
    expect(call('ringbuf_output', mapHandle(rb.fd), stackPtr(0), 4089, 0)).toBe(-11n); // -EAGAIN
  });

  test('perf_event_output writes to the current CPU\'s buffer', () => {
    const p = addMap({ name: 'p', type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: 2 }) as PerfEventArrayMap;
    p.openBuffer(1, 1, 4096);
    putStr(0, 'abcdefg');
    expect(call('perf_event_output', ptr(REGION_CTX, 0), mapHandle(p.fd), 0xffffffffn, stackPtr(0), 8)).toBe(0n);
    expect(call('perf_event_output', ptr(REGION_CTX, 0), mapHandle(p.fd), 0n, stackPtr(0), 8)).toBe(BigInt(ENOENT));
    const got: string[] = [];
    p.consume(1, (b, off, len) => void got.push(str(b.subarray(off, off + len))));
    expect(got).toEqual(['abcdefg\0\0\0\0\0']);
  });

  test('get_stackid and get_stack use the host\'s call chains', () => {
    const s = addMap({ name: 's', type: 'stack_trace', keySize: 4, valueSize: 127 * 8, maxEntries: 64 }) as StackTraceMap;
    const id = call('get_stackid', ptr(REGION_CTX, 0), mapHandle(s.fd), 0);
    expect(id).toBeGreaterThanOrEqual(0n);
    expect(s.trace(Number(id))).toEqual(host.kstack);
    const uid = call('get_stackid', ptr(REGION_CTX, 0), mapHandle(s.fd), 1 << 8);
    expect(s.trace(Number(uid))).toEqual([0x401000n, 0x402000n]);
    expect(call('get_stackid', ptr(REGION_CTX, 0), mapHandle(s.fd), 1 << 12)).toBe(BigInt(EINVAL));

    stack().fill(0xff, 0, 40);
    expect(call('get_stack', ptr(REGION_CTX, 0), stackPtr(0), 32, 1)).toBe(16n); // skip 1: two frames left
    const v = new DataView(stack().buffer);
    expect([0, 8, 16, 24].map((o) => v.getBigUint64(o, true))).toEqual([0xffffffff81000200n, 0xffffffff81000300n, 0n, 0n]);
    expect(call('get_stack', ptr(REGION_CTX, 0), stackPtr(0), 12, 0)).toBe(BigInt(EINVAL));
    expect([...stack().subarray(0, 12)]).toEqual(new Array(12).fill(0));
    expect(call('get_stack', ptr(REGION_CTX, 0), stackPtr(0), 16, 5)).toBe(BigInt(EFAULT));
  });
});

describe('printk and strings', () => {
  function printk(fmt: string, ...args: bigint[]): bigint {
    putStr(1000, fmt);
    return call('trace_printk', stackPtr(1000), fmt.length + 1, ...args);
  }

  test.each<[string, bigint[], string]>([
    ['pid %d comm %s\n', [1234n, stackPtr(40)], 'pid 1234 comm abc\n'],
    ['%d %u %x', [0xffffffffn, 0xffffffffn, 255n], '-1 4294967295 ff'],
    ['%ld %lu %llx', [-2n, -1n, 0xdeadbeefcafen], '-2 18446744073709551615 deadbeefcafe'],
    ['[%5d][%-5d][%05d]', [42n, 42n, -42n], '[   42][42   ][-0042]'],
    ['[%+d][% d][%-+4d]', [7n, 7n, 7n], '[+7][ 7][+7  ]'],
    ['%c%c %X %%', [104n, 105n, 0xabcn], 'hi ABC %'],
    ['%px %pK', [0xffff8888n, 1n], '00000000ffff8888 0000000000000001'],
    ['%pus|%pks|%s', [USER_BASE, KERNEL_BASE + 32n, USER_BASE + 6n], 'hello||/etc/passwd'],
    ['%pI4 %pi4', [stackPtr(48), stackPtr(48)], '10.0.0.1 010.000.000.001'],
  ])('trace_printk(%j)', (fmt, args, want) => {
    putStr(40, 'abc');
    stack().set([10, 0, 0, 1], 48);
    expect(printk(fmt, ...args)).toBe(BigInt(want.length));
    expect(host.printed).toEqual([want]);
  });

  test.each<[string, string, bigint[]]>([
    ['unknown conversion', '%q', [1n]],
    ['precision', '%.3d', [1n]],
    ['four conversions', '%d %d %d %d', [1n, 2n, 3n]],
    ['non-printable byte', 'a\x01b', []],
  ])('trace_printk rejects %s with -EINVAL', (_n, fmt, args) => {
    expect(printk(fmt, ...args)).toBe(BigInt(EINVAL));
    expect(host.printed).toEqual([]);
  });

  test('trace_printk needs the NUL within fmt_size', () => {
    putStr(1000, 'abc');
    expect(call('trace_printk', stackPtr(1000), 3)).toBe(BigInt(EINVAL));
    expect(call('trace_printk', stackPtr(1000), 4)).toBe(3n);
  });

  test('snprintf formats u64 arguments from an array, cuts at str_size and returns length + 1', () => {
    putStr(0, 'pid=%d comm=%s');
    const v = new DataView(stack().buffer);
    v.setBigUint64(64, 4321n, true);
    v.setBigUint64(72, stackPtr(80), true);
    putStr(80, 'sshd');
    stack().fill(0xff, 200, 232);
    expect(call('snprintf', stackPtr(200), 32, stackPtr(0), stackPtr(64), 16)).toBe(BigInt('pid=4321 comm=sshd'.length + 1));
    expect(str(stack().subarray(200, 219))).toBe('pid=4321 comm=sshd\0');
    expect(call('snprintf', stackPtr(200), 6, stackPtr(0), stackPtr(64), 16)).toBe(19n);
    expect(str(stack().subarray(200, 206))).toBe('pid=4\0');
    expect(call('snprintf', stackPtr(200), 32, stackPtr(0), stackPtr(64), 12)).toBe(BigInt(EINVAL));
    expect(call('snprintf', stackPtr(200), 32, stackPtr(0), stackPtr(64), 8)).toBe(BigInt(EINVAL)); // 2 conversions, 1 arg
  });

  test('trace_vprintk takes its arguments from an array', () => {
    putStr(0, '%d-%d');
    const v = new DataView(stack().buffer);
    v.setBigUint64(64, 1n, true);
    v.setBigUint64(72, 2n, true);
    expect(call('trace_vprintk', stackPtr(0), 6, stackPtr(64), 16)).toBe(3n);
    expect(host.printed).toEqual(['1-2']);
  });

  test.each<[string, number, string, bigint]>([
    ['equal', 3, 'abc', 0n],
    ['shorter s1 size', 2, 'abd', 0n],
    ['less', 3, 'abd', -1n],
    ['greater', 3, 'abb', 1n],
    ['s2 ends first', 4, 'ab', 1n],
  ])('strncmp: %s', (_n, size, s2, want) => {
    putStr(0, 'abc');
    putStr(16, s2);
    expect(call('strncmp', stackPtr(0), size, stackPtr(16))).toBe(want);
  });
});
