import { describe, expect, test } from 'vitest';
import { kernelStruct, syscallByName, tracepointFormat } from '../../src/probes/catalog.js';
import { createWorld, type World } from '../../src/world/world.js';
import { cstr, decodeRecord } from './record-log.js';

const SEC = 1_000_000_000;
const NR = (n: string): number => syscallByName(n)!.nr;

/** Runs the world until `want` firings of a tracepoint were checked by `check` (called in the handler). */
function collect(w: World, category: string, event: string, want: number, check: (f: Record<string, number | string | bigint>, bytes: Uint8Array, view: DataView) => void, limit = 5 * SEC): number {
  const fmt = tracepointFormat(category, event)!;
  let n = 0;
  const a = w.attach({ kind: 'tracepoint', category, event }, (bytes, view) => {
    if (n >= want) return;
    n++;
    // The common header is always the format's.
    expect(view.getUint16(0, true)).toBe(fmt.id);
    expect(view.getInt32(4, true)).toBe(w.tid());
    check(decodeRecord(fmt, bytes, view), bytes, view);
    if (n >= want) w.stop();
  });
  if ('error' in a) throw new Error(a.error);
  expect(a.size).toBe(fmt.size);
  w.runUntil(limit);
  a.detach();
  return n;
}

function userStr(w: World, addr: number | bigint, len = 256): string | number {
  const b = new Uint8Array(len);
  const rc = w.readUserStr(BigInt(addr), b, 0, len);
  return rc < 0 ? rc : cstr(b, 0, len);
}

function kernelBytes(w: World, addr: bigint, len: number): Uint8Array {
  const b = new Uint8Array(len);
  expect(w.readKernel(addr, b, 0, len)).toBe(0);
  return b;
}

const u64 = (b: Uint8Array, off: number): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(off, true);
const field = (struct: string, name: string): { offset: number; size: number } => {
  const f = kernelStruct(struct)!.fields.find((x) => x.name === name)!;
  return { offset: f.offset, size: f.size };
};

describe('tracepoint records match their format files', () => {
  test('raw_syscalls:sys_enter and sys_exit', () => {
    const w = createWorld({ seed: 3 });
    const n = collect(w, 'raw_syscalls', 'sys_enter', 50, (f) => {
      expect(typeof f['id']).toBe('number');
      expect(f['id']).toBeGreaterThanOrEqual(0);
      expect(f['id']).toBeLessThan(512);
    });
    expect(n).toBe(50);
    collect(w, 'raw_syscalls', 'sys_exit', 50, (f) => {
      expect(f['id']).toBeGreaterThanOrEqual(0);
      expect(typeof f['ret']).toBe('number');
    });
  });

  test('syscalls:sys_enter_openat: dfd, a readable filename, flags, mode', () => {
    const w = createWorld({ seed: 3 });
    const seen = new Set<string>();
    const n = collect(w, 'syscalls', 'sys_enter_openat', 40, (f) => {
      expect(f['__syscall_nr']).toBe(NR('openat'));
      expect(f['dfd']).toBe(2n ** 64n - 100n);
      const name = userStr(w, f['filename'] as number);
      expect(typeof name).toBe('string');
      expect(String(name)).toMatch(/^\/|^[a-z]/);
      seen.add(String(name));
      expect(typeof f['flags']).toBe('number');
    });
    expect(n).toBe(40);
    expect(seen.size).toBeGreaterThan(3);
  });

  test('syscalls:sys_exit_openat carries the fd or -errno', () => {
    const w = createWorld({ seed: 3 });
    const rets: number[] = [];
    collect(w, 'syscalls', 'sys_exit_openat', 60, (f) => {
      expect(f['__syscall_nr']).toBe(NR('openat'));
      rets.push(f['ret'] as number);
    });
    expect(rets.some((r) => r >= 3)).toBe(true);
    expect(rets.every((r) => r >= 0 || [-2, -13, -24].includes(r))).toBe(true);
  });

  test('syscalls:sys_enter_read: fd, buf in the heap, count', () => {
    const w = createWorld({ seed: 3, workload: 'webserver' });
    collect(w, 'syscalls', 'sys_enter_read', 30, (f) => {
      expect(f['fd']).toBeGreaterThanOrEqual(0);
      expect(f['count']).toBeGreaterThan(0);
      const b = new Uint8Array(16);
      expect(w.readUser(BigInt(f['buf'] as number), b, 0, 16)).toBe(0);
    });
  });

  test('nanosleep: rqtp is a real timespec, and the sleep lasts at least that long', () => {
    const w = createWorld({ seed: 3 });
    const asked = new Map<number, { at: number; ns: number }>();
    let checked = 0;
    w.attach({ kind: 'tracepoint', category: 'syscalls', event: 'sys_enter_nanosleep' }, (bytes, view) => {
      const f = decodeRecord(tracepointFormat('syscalls', 'sys_enter_nanosleep')!, bytes, view);
      const ts = new Uint8Array(16);
      expect(w.readUser(BigInt(f['rqtp'] as number), ts, 0, 16)).toBe(0);
      const sec = Number(u64(ts, 0));
      const nsec = Number(u64(ts, 8));
      expect(nsec).toBeLessThan(1e9);
      asked.set(w.tid(), { at: w.now, ns: sec * 1e9 + nsec });
    });
    w.attach({ kind: 'tracepoint', category: 'syscalls', event: 'sys_exit_nanosleep' }, (_b, v) => {
      const a = asked.get(w.tid());
      if (!a) return;
      // A signal cuts a sleep short with -EINTR; otherwise it lasts at least what was asked.
      if (Number(v.getBigInt64(16, true)) === -4) {
        expect(w.now - a.at).toBeLessThan(a.ns);
        return;
      }
      expect(w.now - a.at).toBeGreaterThanOrEqual(a.ns);
      expect(w.now - a.at).toBeLessThan(a.ns + 10_000_000);
      checked++;
    });
    w.runUntil(3 * SEC);
    expect(checked).toBeGreaterThan(2);
  });

  test('sched:sched_switch', () => {
    const w = createWorld({ seed: 3 });
    collect(w, 'sched', 'sched_switch', 100, (f) => {
      expect(f['prev_pid']).toBe(w.tid());
      const comm = new Uint8Array(16);
      w.comm(comm, 0);
      expect(f['prev_comm']).toBe(cstr(comm, 0, 16));
      expect([0, 1, 2, 0x20, 0x80, 0x100]).toContain(f['prev_state']);
      expect(f['prev_prio']).toBe(120);
      if (f['next_pid'] === 0) expect(f['next_comm']).toBe(`swapper/${w.cpu()}`);
    });
  });

  test('sched:sched_process_exec and sched_process_fork use __data_loc strings', () => {
    const w = createWorld({ seed: 3, workload: 'build' });
    collect(w, 'sched', 'sched_process_exec', 10, (f, bytes, view) => {
      const loc = view.getUint32(8, true);
      expect(loc & 0xffff).toBeGreaterThanOrEqual(tracepointFormat('sched', 'sched_process_exec')!.size);
      expect(bytes[(loc & 0xffff) + (loc >>> 16) - 1]).toBe(0);
      expect(String(f['filename'])).toMatch(/^\/(usr\/)?(bin|libexec)\//);
      expect(f['pid']).toBe(w.tgid());
      expect(f['old_pid']).toBe(w.tid());
    });
    collect(w, 'sched', 'sched_process_fork', 10, (f) => {
      expect(f['parent_pid']).toBe(w.tid());
      expect(f['child_comm']).toBe(f['parent_comm']);
      expect(f['child_pid']).toBeGreaterThan(w.tid());
    });
  });

  test('block:block_rq_issue and block_rq_complete', () => {
    const w = createWorld({ seed: 3, workload: 'database' });
    const issued = new Set<string>();
    collect(w, 'block', 'block_rq_issue', 40, (f) => {
      expect([259 << 20, (259 << 20) | 4]).toContain(f['dev']);
      expect(f['bytes']).toBe((f['nr_sector'] as number) * 512);
      expect(['R', 'RA', 'W', 'WS', 'FF']).toContain(f['rwbs']);
      expect(String(f['comm']).length).toBeGreaterThan(0);
      expect(f['cmd']).toBe('');
      issued.add(`${String(f['dev'])}:${String(f['sector'])}`);
    });
    let matched = 0;
    collect(w, 'block', 'block_rq_complete', 40, (f) => {
      expect(f['error']).toBe(0);
      if (issued.has(`${String(f['dev'])}:${String(f['sector'])}`)) matched++;
    });
    expect(issued.size).toBeGreaterThan(5);
  });

  test('signal and socket tracepoints', () => {
    const w = createWorld({ seed: 3, workload: 'mixed' });
    collect(w, 'sock', 'inet_sock_set_state', 10, (f) => {
      expect(f['family']).toBe(2);
      expect(f['protocol']).toBe(6);
      expect(f['oldstate']).not.toBe(f['newstate']);
      expect(typeof f['skaddr']).toBe('bigint');
    }, 10 * SEC);
    const w2 = createWorld({ seed: 3, workload: 'mixed' });
    collect(w2, 'signal', 'signal_generate', 3, (f) => {
      expect(f['sig']).toBeGreaterThan(0);
      expect(f['result']).toBeGreaterThanOrEqual(0);
    }, 10 * SEC);
  });
});

describe('user memory', () => {
  test('unmapped addresses fault and zero the destination', () => {
    const w = createWorld({ seed: 1 });
    let done = false;
    w.attach({ kind: 'tracepoint', category: 'raw_syscalls', event: 'sys_enter' }, () => {
      if (done) return;
      done = true;
      const b = new Uint8Array(8).fill(7);
      expect(w.readUser(0x1000n, b, 0, 8)).toBe(-14);
      expect([...b]).toEqual(new Array(8).fill(0));
      expect(w.readUserStr(0n, b, 0, 8)).toBe(-14);
      expect(w.readUser(0xffff888100000000n, b, 0, 8)).toBe(-14);
    });
    w.runUntil(SEC / 10);
    expect(done).toBe(true);
  });

  test('readUserStr truncates to the buffer and counts the NUL', () => {
    const w = createWorld({ seed: 1 });
    let checked = 0;
    w.attach({ kind: 'tracepoint', category: 'syscalls', event: 'sys_enter_openat' }, (_b, view) => {
      const ptr = view.getBigUint64(24, true);
      const full = new Uint8Array(256);
      const n = w.readUserStr(ptr, full, 0, 256);
      const s = cstr(full, 0, 256);
      expect(n).toBe(new TextEncoder().encode(s).length + 1);
      const small = new Uint8Array(5);
      expect(w.readUserStr(ptr, small, 0, 5)).toBe(Math.min(5, n));
      expect(cstr(small, 0, 5)).toBe(s.slice(0, 4));
      checked++;
    });
    w.runUntil(SEC);
    expect(checked).toBeGreaterThan(3);
  });

  test('execve arguments: filename and a NULL-terminated argv', () => {
    const w = createWorld({ seed: 1, workload: 'build' });
    let checked = 0;
    w.attach({ kind: 'tracepoint', category: 'syscalls', event: 'sys_enter_execve' }, (bytes, view) => {
      const f = decodeRecord(tracepointFormat('syscalls', 'sys_enter_execve')!, bytes, view);
      const file = String(userStr(w, f['filename'] as number));
      const argv: string[] = [];
      const p = new Uint8Array(8);
      for (let i = 0; i < 16; i++) {
        expect(w.readUser(BigInt(f['argv'] as number) + BigInt(8 * i), p, 0, 8)).toBe(0);
        const a = u64(p, 0);
        if (a === 0n) break;
        argv.push(String(userStr(w, a)));
      }
      expect(file.startsWith('/')).toBe(true);
      expect(argv.length).toBeGreaterThan(0);
      checked++;
    });
    w.runUntil(SEC);
    expect(checked).toBeGreaterThan(3);
  });
});

describe('kernel memory follows the catalog layouts', () => {
  test('curtask: pid, tgid, comm, parent->pid, cred->uid, mm->arg_start', () => {
    const w = createWorld({ seed: 1 });
    const procs = new Map(w.processes().map((p) => [p.tgid, p]));
    let checked = 0;
    w.attach({ kind: 'tracepoint', category: 'raw_syscalls', event: 'sys_enter' }, () => {
      if (checked >= 20) return;
      const task = w.currentTask();
      const ts = 'struct task_struct';
      const b = kernelBytes(w, task, kernelStruct(ts)!.size);
      const dv = new DataView(b.buffer);
      expect(dv.getInt32(field(ts, 'pid').offset, true)).toBe(w.tid());
      expect(dv.getInt32(field(ts, 'tgid').offset, true)).toBe(w.tgid());
      const comm = new Uint8Array(16);
      w.comm(comm, 0);
      expect(cstr(b, field(ts, 'comm').offset, 16)).toBe(cstr(comm, 0, 16));
      const parent = dv.getBigUint64(field(ts, 'parent').offset, true);
      const pb = kernelBytes(w, parent + BigInt(field(ts, 'pid').offset), 4);
      const proc = procs.get(w.tgid());
      if (proc) expect(new DataView(pb.buffer).getInt32(0, true)).toBe(proc.ppid);
      const cred = dv.getBigUint64(field(ts, 'cred').offset, true);
      const cb = kernelBytes(w, cred + BigInt(field('struct cred', 'uid').offset), 4);
      expect(new DataView(cb.buffer).getUint32(0, true)).toBe(w.uid());
      const mm = dv.getBigUint64(field(ts, 'mm').offset, true);
      const argStart = u64(kernelBytes(w, mm + BigInt(field('struct mm_struct', 'arg_start').offset), 8), 0);
      expect(String(userStr(w, argStart)).length).toBeGreaterThan(0);
      checked++;
    });
    w.runUntil(SEC);
    expect(checked).toBe(20);
  });

  test('task->se.cfs_rq->nr_queued counts the CPU’s runnable tasks (runqlen.bt)', () => {
    const w = createWorld({ seed: 1, workload: 'build' });
    const seOff = field('struct task_struct', 'se').offset + field('struct sched_entity', 'cfs_rq').offset;
    const nrq = field('struct cfs_rq', 'nr_queued').offset;
    const lens: number[] = [];
    w.attach({ kind: 'profile', hz: 99 }, () => {
      const cfs = u64(kernelBytes(w, w.currentTask() + BigInt(seOff), 8), 0);
      lens.push(new DataView(kernelBytes(w, cfs + BigInt(nrq), 4).buffer).getUint32(0, true));
    });
    w.runUntil(2 * SEC);
    expect(lens.length).toBeGreaterThan(700);
    expect(Math.max(...lens)).toBeGreaterThan(1);
  });

  test('kprobe:vfs_open arg0 is a struct path whose dentry names the opened file (lesson 12)', () => {
    const w = createWorld({ seed: 1 });
    const opened: string[] = [];
    const names: string[] = [];
    w.attach({ kind: 'tracepoint', category: 'syscalls', event: 'sys_enter_openat' }, (_b, view) => {
      opened.push(String(userStr(w, view.getBigUint64(24, true))));
    });
    const dentryOff = field('struct path', 'dentry').offset;
    const nameOff = field('struct dentry', 'd_name').offset + field('struct qstr', 'name').offset;
    w.attach({ kind: 'kprobe', func: 'vfs_open' }, (_b, view) => {
      const path = view.getBigUint64(112, true); // di
      const dentry = u64(kernelBytes(w, path + BigInt(dentryOff), 8), 0);
      const name = u64(kernelBytes(w, dentry + BigInt(nameOff), 8), 0);
      const buf = new Uint8Array(64);
      expect(w.readKernelStr(name, buf, 0, 64)).toBeGreaterThan(1);
      names.push(cstr(buf, 0, 64));
    });
    w.runUntil(2 * SEC);
    expect(names.length).toBeGreaterThan(10);
    // Each vfs_open names the last component of the path its openat asked for.
    const base = (p: string): string => p.replace(/\/$/, '').split('/').pop()!;
    const expected = opened.map(base);
    for (const n of names) expect(expected).toContain(n);
  });

  test('kprobe:tcp_connect: sk->__sk_common has the destination (tcpconnect.bt)', () => {
    const w = createWorld({ seed: 1 });
    const sc = 'struct sock_common';
    const ports: number[] = [];
    w.attach({ kind: 'kprobe', func: 'tcp_connect' }, (_b, view) => {
      const sk = view.getBigUint64(112, true);
      const b = kernelBytes(w, sk, kernelStruct(sc)!.size);
      const dv = new DataView(b.buffer);
      expect(dv.getUint16(field(sc, 'skc_family').offset, true)).toBe(2);
      const dport = dv.getUint16(field(sc, 'skc_dport').offset, false);
      const daddr = [...b.subarray(field(sc, 'skc_daddr').offset, field(sc, 'skc_daddr').offset + 4)].join('.');
      expect(['10.0.0.20', '10.0.0.21', '127.0.0.1']).toContain(daddr);
      expect(dv.getUint16(field(sc, 'skc_num').offset, true)).toBeGreaterThanOrEqual(32768);
      ports.push(dport);
    });
    w.runUntil(3 * SEC);
    expect(ports.length).toBeGreaterThan(2);
    for (const p of ports) expect([9090, 3000]).toContain(p);
  });

  test('reads outside any object fault', () => {
    const w = createWorld({ seed: 1 });
    const b = new Uint8Array(8);
    expect(w.readKernel(0xffffffff00000000n, b, 0, 8)).toBe(-14);
    expect(w.readKernel(0x10n, b, 0, 8)).toBe(-14);
  });
});
