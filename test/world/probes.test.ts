import { describe, expect, test } from 'vitest';
import { syscallByName } from '../../src/probes/catalog.js';
import { EPOCH_BASE_SEC, TAI_OFFSET_NS } from '../../src/world/clock.js';
import { PT_REGS, PERF_SAMPLE_PERIOD } from '../../src/world/probes.js';
import { createWorld } from '../../src/world/world.js';

const SEC = 1_000_000_000;
const NR = (n: string): number => syscallByName(n)!.nr;

describe('kprobes and kretprobes', () => {
  test('a failed open returns ERR_PTR(-errno) from do_filp_open: curl\'s look for ~/.curlrc (ENOENT) within its first second', () => {
    const w = createWorld({ seed: 1 });
    const errs: string[] = [];
    w.attach({ kind: 'fexit', func: 'do_filp_open' }, (_b, v) => {
      const ret = v.getBigInt64(24, true);
      if (ret < 0n && ret >= -4095n) {
        const comm = new Uint8Array(16);
        w.comm(comm, 0);
        errs.push(`${new TextDecoder().decode(comm.subarray(0, comm.indexOf(0)))} ${ret}`);
      }
    });
    w.runUntil(SEC);
    expect(errs[0]).toBe('curl -2');
  });

  test('get_func_ip is the probed function\'s entry in kretprobes and fexit as in kprobes, 0 in tracepoints', () => {
    const w = createWorld({ seed: 2 });
    const seen = new Set<string>();
    const read = w.kernelSymbolAddress('vfs_read');
    w.attach({ kind: 'kretprobe', func: 'vfs_read' }, () => void seen.add(`kr ${w.funcIp() === read}`));
    w.attach({ kind: 'fexit', func: 'vfs_read' }, () => void seen.add(`fexit ${w.funcIp() === read}`));
    w.attach({ kind: 'tracepoint', category: 'syscalls', event: 'sys_exit_read' }, () => void seen.add(`tp ${w.funcIp()}`));
    w.runUntil(SEC / 2);
    expect([...seen].sort()).toEqual(['fexit true', 'kr true', 'tp 0']);
  });

  test('kretprobe:vfs_read ax equals sys_exit_read ret, and kprobe arg2 the count (lessons 6 and 7)', () => {
    const w = createWorld({ seed: 2 });
    const fromK: number[] = [];
    const fromTp: number[] = [];
    const counts: number[] = [];
    const starts = new Map<number, number>();
    const lat: number[] = [];
    w.attach({ kind: 'kprobe', func: 'vfs_read' }, (_b, v) => {
      counts.push(Number(v.getBigUint64(PT_REGS.dx, true)));
      starts.set(w.tid(), w.now);
      expect(w.funcIp()).toBe(w.kernelSymbolAddress('vfs_read'));
    });
    w.attach({ kind: 'kretprobe', func: 'vfs_read' }, (_b, v) => {
      fromK.push(Number(v.getBigInt64(PT_REGS.ax, true)));
      const s = starts.get(w.tid());
      if (s !== undefined) lat.push(w.now - s);
    });
    // read() and pread64() both go through vfs_read.
    for (const event of ['sys_exit_read', 'sys_exit_pread64'])
      w.attach({ kind: 'tracepoint', category: 'syscalls', event }, (_b, v) => {
        const ret = Number(v.getBigInt64(16, true));
        if (ret !== -9) fromTp.push(ret);
      });
    w.runUntil(2 * SEC);
    expect(fromK.length).toBeGreaterThan(20);
    // Every read() that got past fd lookup went through vfs_read; the kretprobe saw its return.
    expect(fromK).toEqual(fromTp);
    // At most one read per CPU can still be in flight when the run stops.
    expect(counts.length - fromK.length).toBeGreaterThanOrEqual(0);
    expect(counts.length - fromK.length).toBeLessThanOrEqual(4);
    expect(lat.every((x) => x > 0)).toBe(true);
  });

  test('a kprobe fires within its syscall, on the calling task', () => {
    const w = createWorld({ seed: 2 });
    let inside = 0;
    let current = -1;
    w.attach({ kind: 'tracepoint', category: 'raw_syscalls', event: 'sys_enter' }, (_b, v) => {
      current = v.getInt32(8, true) === NR('openat') ? w.tid() : -1;
    });
    w.attach({ kind: 'kprobe', func: 'do_sys_openat2' }, () => {
      expect(w.tid()).toBe(current);
      inside++;
    });
    w.runUntil(SEC);
    expect(inside).toBeGreaterThan(10);
  });

  test('every __x64_sys_ wrapper is probeable and its arg0 is the user pt_regs', () => {
    const w = createWorld({ seed: 2 });
    let seen = 0;
    w.attach({ kind: 'kprobe', func: '__x64_sys_openat' }, (_b, v) => {
      const regs = v.getBigUint64(PT_REGS.di, true);
      const b = new Uint8Array(168);
      expect(w.readKernel(regs, b, 0, 168)).toBe(0);
      const dv = new DataView(b.buffer);
      expect(Number(dv.getBigInt64(PT_REGS.orig_ax, true))).toBe(NR('openat'));
      expect(Number(dv.getBigInt64(PT_REGS.di, true))).toBe(-100);
      const name = new Uint8Array(64);
      expect(w.readUserStr(dv.getBigUint64(PT_REGS.si, true), name, 0, 64)).toBeGreaterThan(1);
      seen++;
    });
    w.runUntil(SEC);
    expect(seen).toBeGreaterThan(5);
  });

  test('fentry/fexit get the arguments as u64s, fexit the return value last', () => {
    const w = createWorld({ seed: 2 });
    const a = w.attach({ kind: 'fexit', func: 'vfs_read' }, (_b, v) => {
      const count = Number(v.getBigUint64(16, true));
      const ret = Number(v.getBigInt64(32, true));
      expect(ret).toBeLessThanOrEqual(count);
    });
    if ('error' in a) throw new Error(a.error);
    expect(a.size).toBe(40);
    w.runUntil(SEC);
  });

  test('compiler-renamed symbols attach to the function they come from', () => {
    const w = createWorld({ seed: 2 });
    let n = 0;
    const a = w.attach({ kind: 'kprobe', func: 'finish_task_switch.isra.0' }, () => n++);
    expect('error' in a).toBe(false);
    w.runUntil(SEC / 10);
    expect(n).toBeGreaterThan(10);
  });

  test('unknown functions are refused', () => {
    const w = createWorld({ seed: 2 });
    expect(w.attach({ kind: 'kprobe', func: 'no_such_function' }, () => {})).toEqual({ error: "unknown kernel function 'no_such_function'" });
    expect(w.attach({ kind: 'tracepoint', category: 'sched', event: 'nope' }, () => {})).toEqual({ error: 'tracepoint not found: sched:nope' });
  });

  test('block and scheduler kprobes outside syscalls', () => {
    const w = createWorld({ seed: 2, workload: 'database' });
    const hits: Record<string, number> = {};
    for (const func of ['blk_account_io_start', 'blk_account_io_done', 'finish_task_switch', 'schedule']) {
      w.attach({ kind: 'kprobe', func }, () => {
        hits[func] = (hits[func] ?? 0) + 1;
      });
    }
    w.runUntil(SEC / 2);
    expect(hits['blk_account_io_start']).toBeGreaterThan(10);
    expect(Math.abs(hits['blk_account_io_start']! - hits['blk_account_io_done']!)).toBeLessThan(40);
    expect(hits['finish_task_switch']).toBeGreaterThan(100);
    expect(hits['schedule']).toBeGreaterThan(100);
  });
});

describe('timers and perf events', () => {
  test('profile:hz:99 fires 99 times a second on every CPU', () => {
    const w = createWorld({ seed: 2, cpus: 4 });
    const perCpu = [0, 0, 0, 0];
    let period = 0;
    w.attach({ kind: 'profile', hz: 99 }, (_b, v) => {
      perCpu[w.cpu()]!++;
      period = Number(v.getBigUint64(PERF_SAMPLE_PERIOD, true));
    });
    w.runUntil(2 * SEC);
    expect(perCpu).toEqual([198, 198, 198, 198]);
    expect(period).toBe(10_101_010);
  });

  test('interval fires on one CPU at its period', () => {
    const w = createWorld({ seed: 2 });
    const times: number[] = [];
    const cpus = new Set<number>();
    w.attach({ kind: 'interval', periodNs: 250_000_000 }, () => {
      times.push(w.now);
      cpus.add(w.cpu());
    });
    w.runUntil(SEC);
    expect(times).toEqual([250_000_000, 500_000_000, 750_000_000, 1_000_000_000]);
    expect([...cpus]).toEqual([0]);
  });

  test('profile samples show user, kernel and idle states with matching ips', () => {
    const w = createWorld({ seed: 2, workload: 'build' });
    let user = 0;
    let kernel = 0;
    let idle = 0;
    w.attach({ kind: 'profile', hz: 499 }, (_b, v) => {
      const ip = v.getBigUint64(PT_REGS.ip, true);
      const cs = v.getUint32(PT_REGS.cs, true);
      if (w.tid() === 0) {
        idle++;
        expect(w.symbolizeKernel(ip)?.name).toBe('pv_native_safe_halt');
      } else if (cs === 0x33) {
        user++;
        expect(ip < 0x800000000000n).toBe(true);
        expect(w.symbolizeUser(w.tgid(), ip)).toBeDefined();
        expect(w.kernelStack()).toEqual([]);
        expect(w.userStack().length).toBeGreaterThan(2);
      } else {
        kernel++;
        expect(w.symbolizeKernel(ip)).toBeDefined();
      }
    });
    w.runUntil(SEC);
    expect(user).toBeGreaterThan(100);
    expect(user + kernel + idle).toBe(499 * 4);
  });

  test('software events: context-switches and page-faults count, cpu-clock ticks', () => {
    const w = createWorld({ seed: 2, workload: 'build' });
    let cs = 0;
    let switches = 0;
    let faults = 0;
    let clock = 0;
    w.attach({ kind: 'software', event: 'context-switches', period: 10 }, () => cs++);
    w.attach({ kind: 'tracepoint', category: 'sched', event: 'sched_switch' }, () => switches++);
    w.attach({ kind: 'software', event: 'page-faults', period: 100 }, () => faults++);
    w.attach({ kind: 'software', event: 'cpu-clock', period: 10_000_000 }, () => clock++);
    w.runUntil(SEC);
    expect(cs).toBe(Math.floor(switches / 10) - (Math.floor(switches / 10) - cs));
    expect(Math.abs(cs * 10 - switches)).toBeLessThan(10 * 4);
    expect(faults).toBeGreaterThan(5);
    expect(clock).toBe(400);
  });
});

describe('stacks and symbols', () => {
  test('kstack at kprobe:vfs_read walks up to the syscall entry', () => {
    const w = createWorld({ seed: 2 });
    let names: string[] = [];
    w.attach({ kind: 'kprobe', func: 'vfs_read' }, () => {
      names = w.kernelStack().map((a) => w.symbolizeKernel(a)!.name);
      w.stop();
    });
    w.runUntil(SEC);
    expect(names.slice(0, 2)).toEqual(['vfs_read', 'ksys_read']);
    expect(names.slice(-3)).toEqual(['x64_sys_call', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe']);
  });

  test('sched_switch kstacks: blocked in a syscall, idle, preempted', () => {
    const w = createWorld({ seed: 2, workload: 'build' });
    const tops = new Set<string>();
    w.attach({ kind: 'tracepoint', category: 'sched', event: 'sched_switch' }, () => {
      const st = w.kernelStack().map((a) => w.symbolizeKernel(a)!.name);
      expect(st[0]).toBe('__schedule');
      tops.add(st[1]!);
    });
    w.runUntil(SEC);
    expect([...tops].sort()).toEqual(['do_task_dead', 'schedule', 'schedule_idle']);
  });

  test('ustack of a syscall starts in its libc wrapper and ends in _start or clone3', () => {
    const w = createWorld({ seed: 2 });
    let checked = 0;
    w.attach({ kind: 'tracepoint', category: 'syscalls', event: 'sys_enter_read' }, () => {
      const frames = w.userStack().map((a) => w.symbolizeUser(w.tgid(), a));
      expect(frames.every((f) => f !== undefined)).toBe(true);
      expect(frames[0]!.name).toBe('__GI___libc_read');
      expect(['_start', '__clone3']).toContain(frames[frames.length - 1]!.name);
      checked++;
    });
    w.runUntil(SEC);
    expect(checked).toBeGreaterThan(10);
  });

  test('symbol tables round-trip and offsets stay inside functions', () => {
    const w = createWorld({ seed: 2 });
    for (const name of ['vfs_read', 'do_sys_openat2', 'tcp_connect', 'entry_SYSCALL_64', '__x64_sys_execve']) {
      const a = w.kernelSymbolAddress(name)!;
      expect(a >> 32n).toBe(0xffffffffn);
      expect(w.symbolizeKernel(a)).toEqual({ name, offset: 0, module: '[kernel.kallsyms]' });
      expect(w.symbolizeKernel(a + 5n)?.offset).toBe(5);
    }
    expect(w.kernelSymbolAddress('no_such')).toBeUndefined();
    expect(w.userSymbolAddress('/usr/bin/node', 'main')).toBeDefined();
  });

  test('KASLR depends on the seed', () => {
    expect(createWorld({ seed: 1 }).kernelSymbolAddress('vfs_read')).not.toBe(createWorld({ seed: 2 }).kernelSymbolAddress('vfs_read'));
  });
});

describe('clocks', () => {
  test('monotonic, boot, realtime and TAI move together from seeded starts', () => {
    const w = createWorld({ seed: 5 });
    const m0 = w.ktimeNs();
    const b0 = w.bootNs();
    const r0 = w.realtimeNs();
    w.runUntil(SEC);
    expect(w.ktimeNs() - m0).toBe(SEC);
    expect(w.bootNs() - b0).toBe(SEC);
    expect(b0).toBeGreaterThanOrEqual(m0);
    expect(m0).toBeGreaterThan(3600 * SEC);
    expect(r0 / SEC).toBeGreaterThanOrEqual(EPOCH_BASE_SEC);
    expect(r0 / SEC).toBeLessThan(EPOCH_BASE_SEC + 366 * 86400);
    expect(w.taiNs() - w.realtimeNs()).toBe(TAI_OFFSET_NS);
    expect(createWorld({ seed: 5 }).realtimeNs()).toBe(r0);
    expect(createWorld({ seed: 6 }).realtimeNs()).not.toBe(r0);
  });

  test('jiffies tick at HZ 250', () => {
    const w = createWorld({ seed: 5 });
    const j0 = w.jiffies();
    w.runUntil(SEC);
    expect(w.jiffies() - j0).toBeGreaterThanOrEqual(249);
    expect(w.jiffies() - j0).toBeLessThanOrEqual(251);
  });
});

describe('signals', () => {
  test('send_signal(SIGKILL) from a probe ends the process: exit follows, no more syscalls', () => {
    const w = createWorld({ seed: 2 });
    let victim = -1;
    let after = 0;
    let exited = false;
    w.attach({ kind: 'tracepoint', category: 'syscalls', event: 'sys_enter_nanosleep' }, () => {
      if (victim < 0 && w.tgid() > 1) {
        victim = w.tgid();
        expect(w.sendSignal(9)).toBe(0);
      }
    });
    w.attach({ kind: 'tracepoint', category: 'sched', event: 'sched_process_exit' }, () => {
      if (w.tgid() === victim) exited = true;
    });
    w.attach({ kind: 'tracepoint', category: 'raw_syscalls', event: 'sys_enter' }, () => {
      if (exited && w.tgid() === victim) after++;
    });
    w.runUntil(3 * SEC);
    expect(victim).toBeGreaterThan(1);
    expect(exited).toBe(true);
    expect(after).toBe(0);
  });
});

describe('helpers the runtime needs beyond KernelHost', () => {
  test('dPath of vfs_open’s struct path is the opened absolute path', () => {
    const w = createWorld({ seed: 4 });
    const asked: string[] = [];
    const got: string[] = [];
    w.attach({ kind: 'tracepoint', category: 'syscalls', event: 'sys_enter_openat' }, (_b, v) => {
      const buf = new Uint8Array(256);
      w.readUserStr(v.getBigUint64(24, true), buf, 0, 256);
      asked.push(new TextDecoder().decode(buf.subarray(0, buf.indexOf(0))));
    });
    w.attach({ kind: 'kprobe', func: 'vfs_open' }, (_b, v) => {
      got.push(w.dPath(v.getBigUint64(PT_REGS.di, true))!);
    });
    w.runUntil(SEC);
    expect(got.length).toBeGreaterThan(10);
    for (const p of got) expect(asked).toContain(p);
    expect(w.dPath(0x1234n)).toBeUndefined();
  });

  test('userName from the workload’s passwd', () => {
    const w = createWorld({ seed: 4, workload: 'webserver' });
    expect(w.userName(0)).toBe('root');
    expect(w.userName(33)).toBe('www-data');
    expect(w.userName(4242)).toBeUndefined();
  });

  test('overrideReturn from a syscall kprobe makes the call fail without effects', () => {
    const w = createWorld({ seed: 4 });
    let overridden = 0;
    const rets: number[] = [];
    w.attach({ kind: 'kprobe', func: '__x64_sys_openat' }, () => {
      expect(w.overrideReturn(-13)).toBe(true);
      overridden++;
    });
    w.attach({ kind: 'tracepoint', category: 'syscalls', event: 'sys_exit_openat' }, (_b, v) => rets.push(Number(v.getBigInt64(16, true))));
    w.runUntil(SEC);
    expect(overridden).toBeGreaterThan(5);
    expect(rets.every((r) => r === -13)).toBe(true);
    // Outside a kprobe it is refused.
    expect(w.overrideReturn(-1)).toBe(false);
  });

  test('programs that read kernel memory do not change what other probes see', () => {
    const run = (reader: boolean): number => {
      const w = createWorld({ seed: 12 });
      let h = 0;
      w.attach({ kind: 'tracepoint', category: 'block', event: 'block_rq_issue' }, (b) => {
        for (let i = 0; i < 48; i++) h = Math.imul(h ^ b[i]!, 16777619);
      });
      w.attach({ kind: 'tracepoint', category: 'raw_syscalls', event: 'sys_enter' }, (b) => {
        for (let i = 0; i < 64; i++) h = Math.imul(h ^ b[i]!, 16777619);
      });
      if (reader)
        w.attach({ kind: 'kprobe', func: 'vfs_open' }, (_b, v) => {
          w.dPath(v.getBigUint64(PT_REGS.di, true));
          const out = new Uint8Array(4096);
          w.readKernel(w.currentTask(), out, 0, 3264);
        });
      w.runUntil(SEC);
      return h;
    };
    expect(run(true)).toBe(run(false));
  });
});

describe('tool-facing details', () => {
  test('cap_capable fires with the capability a call checks (capable.bt)', () => {
    const w = createWorld({ seed: 6 });
    const caps = new Set<number>();
    w.attach({ kind: 'kprobe', func: 'cap_capable' }, (_b, v) => {
      caps.add(Number(v.getBigUint64(PT_REGS.dx, true)));
      const cred = v.getBigUint64(PT_REGS.di, true);
      const b = new Uint8Array(4);
      expect(w.readKernel(cred + 8n, b, 0, 4)).toBe(0);
    });
    w.runUntil(8 * SEC);
    // CAP_SYS_PTRACE (systemd reading /proc/1), CAP_KILL (the health check), CAP_SETGID/SETUID (cron's job).
    expect([...caps].sort((a, b) => a - b)).toEqual([5, 6, 7, 19]);
  });

  test('writeback_start and writeback_written pair up per device (writeback.bt)', () => {
    const w = createWorld({ seed: 6, workload: 'webserver' });
    const open = new Map<number, number>();
    const lat: number[] = [];
    w.attach({ kind: 'tracepoint', category: 'writeback', event: 'writeback_start' }, (_b, v) => {
      open.set(v.getUint32(48, true), w.now);
    });
    w.attach({ kind: 'tracepoint', category: 'writeback', event: 'writeback_written' }, (_b, v) => {
      const t0 = open.get(v.getUint32(48, true));
      if (t0 !== undefined) lat.push(w.now - t0);
      expect(v.getInt32(68, true)).toBe(3);
    });
    w.runUntil(2 * SEC);
    expect(lat.length).toBeGreaterThan(3);
    expect(lat.every((x) => x > 1000 && x < 100_000_000)).toBe(true);
  });

  test('avenrun and jiffies_64 are readable at their kaddr (loads.bt)', () => {
    const w = createWorld({ seed: 6, workload: 'build' });
    const read = (): number[] => {
      const b = new Uint8Array(24);
      expect(w.readKernel(w.kernelSymbolAddress('avenrun')!, b, 0, 24)).toBe(0);
      const v = new DataView(b.buffer);
      return [0, 1, 2].map((i) => Number(v.getBigUint64(8 * i, true)));
    };
    const before = read();
    expect(before.every((x) => x > 0 && x < 20 * 2048)).toBe(true);
    w.runUntil(12 * SEC);
    const after = read();
    // A saturated 4-CPU build pushes the 1-minute average up.
    expect(after[0]).toBeGreaterThan(before[0]!);
    const j = new Uint8Array(8);
    expect(w.readKernel(w.kernelSymbolAddress('jiffies_64')!, j, 0, 8)).toBe(0);
    expect(Number(new DataView(j.buffer).getBigUint64(0, true))).toBe(w.jiffies());
    expect(w.symbolizeKernel(w.kernelSymbolAddress('avenrun')! + 8n)).toEqual({ name: 'avenrun', offset: 8, module: '[kernel.kallsyms]' });
  });

  test('tcp_sock byte counters follow what the connection sent and received (tcplife.bt)', () => {
    const w = createWorld({ seed: 6, workload: 'webserver' });
    let checked = 0;
    w.attach({ kind: 'tracepoint', category: 'tcp', event: 'tcp_destroy_sock' }, (_b, v) => {
      const sk = v.getBigUint64(8, true);
      const b = new Uint8Array(8);
      expect(w.readKernel(sk + 1824n, b, 0, 8)).toBe(0); // bytes_acked
      expect(Number(new DataView(b.buffer).getBigUint64(0, true))).toBeGreaterThan(0);
      checked++;
    });
    w.runUntil(SEC);
    expect(checked).toBeGreaterThan(20);
  });

  test('a task woken onto an idle CPU runs a few microseconds later (runqlat.bt)', () => {
    const w = createWorld({ seed: 6 });
    const woken = new Map<number, number>();
    const lat: number[] = [];
    w.attach({ kind: 'tracepoint', category: 'sched', event: 'sched_wakeup' }, (_b, v) => woken.set(v.getInt32(24, true), w.now));
    w.attach({ kind: 'tracepoint', category: 'sched', event: 'sched_switch' }, (_b, v) => {
      const t0 = woken.get(v.getInt32(56, true));
      if (t0 !== undefined) lat.push(w.now - t0);
    });
    w.runUntil(SEC);
    expect(lat.length).toBeGreaterThan(100);
    expect(Math.min(...lat)).toBeGreaterThanOrEqual(1500);
    expect(lat.filter((x) => x < 20_000).length / lat.length).toBeGreaterThan(0.8);
  });
});

test('every catalogued kernel function has a symbol', async () => {
  const { kernelFunctions } = await import('../../src/probes/catalog.js');
  const w = createWorld({ seed: 1 });
  const missing = kernelFunctions().filter((f) => w.kernelSymbolAddress(f.name) === undefined).map((f) => f.name);
  expect(missing).toEqual([]);
});

describe('workqueue tracepoints', () => {
  test('a kworker\'s writeback runs as the wb_workfn work item: execute_start, then execute_end on the same work', () => {
    const w = createWorld({ seed: 1 });
    const seen: string[] = [];
    const wbWorkfn = w.kernelSymbolAddress('wb_workfn');
    for (const event of ['workqueue_execute_start', 'workqueue_execute_end'])
      w.attach({ kind: 'tracepoint', category: 'workqueue', event }, (_b, v) => {
        const fn = v.getBigUint64(16, true);
        seen.push(`${event.slice(18)} ${v.getBigUint64(8, true).toString(16)} ${fn === wbWorkfn ? 'wb_workfn' : fn.toString(16)}`);
      });
    w.runUntil(10 * SEC);
    expect(seen.slice(0, 4)).toEqual([
      'start ffff889400011800 wb_workfn',
      'end ffff889400011800 wb_workfn',
      'start ffff889400011800 wb_workfn',
      'end ffff889400011800 wb_workfn',
    ]);
  });
});

describe('comm() into a program buffer', () => {
  test('aligned (word stores through a cached view) and unaligned destinations get the same 16 bytes', () => {
    const w = createWorld({ seed: 1 });
    const seen: string[] = [];
    const stack = new Uint8Array(64);
    const odd = new Uint8Array(new ArrayBuffer(40), 1, 36);
    w.attach({ kind: 'tracepoint', category: 'raw_syscalls', event: 'sys_enter' }, () => {
      stack.fill(0xff);
      odd.fill(0xff);
      w.comm(stack, 16);
      w.comm(stack, 48);
      w.comm(odd, 3);
      const a = Array.from(stack.subarray(16, 32));
      expect(Array.from(stack.subarray(48, 64))).toEqual(a);
      expect(Array.from(odd.subarray(3, 19))).toEqual(a);
      expect(stack[15]).toBe(0xff);
      expect(stack[32]).toBe(0xff);
      seen.push(new TextDecoder().decode(stack.subarray(16, 16 + a.indexOf(0))));
    });
    w.runUntil(SEC / 10);
    expect(seen.length).toBeGreaterThan(10);
    expect(new Set(seen).size).toBeGreaterThan(1);
    expect(seen.every((c) => /^[\w./:-]+$/.test(c))).toBe(true);
  });
});
