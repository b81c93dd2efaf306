import { describe, expect, test } from 'vitest';
import { createWorld, type World } from '../../src/world/world.js';
import { syscallByName } from '../../src/probes/catalog.js';
import { fnv, fnvNum, logTracepoints, type Rec } from './record-log.js';

const SEC = 1_000_000_000;

/** Hash of everything a set of probes sees: time, cpu, task and the record bytes. */
function streamHash(seed: number, keys: readonly string[], extra: (w: World) => void = () => {}, dur = SEC / 2, workload = 'mixed', fastPath = true): { hash: number; n: number } {
  const w = createWorld({ seed, workload, fastPath });
  let h = 0x811c9dc5;
  let n = 0;
  for (const key of keys) {
    const [category, event] = key.split(':') as [string, string];
    const a = w.attach({ kind: 'tracepoint', category, event }, (bytes) => {
      h = fnvNum(h, w.now);
      h = fnvNum(h, w.cpu() * 0x10000 + w.tid());
      h = fnv(h, bytes, 64);
      n++;
    });
    if ('error' in a) throw new Error(a.error);
  }
  extra(w);
  w.runUntil(dur);
  return { hash: h, n };
}

const KEYS = ['raw_syscalls:sys_enter', 'raw_syscalls:sys_exit', 'sched:sched_switch', 'sched:sched_process_fork', 'sched:sched_process_exec', 'sched:sched_process_exit', 'block:block_rq_issue'];

describe('determinism', () => {
  test('the same seed gives the same event stream', () => {
    const a = streamHash(7, KEYS);
    const b = streamHash(7, KEYS);
    expect(a.n).toBeGreaterThan(300);
    expect(b).toEqual(a);
  });

  test('different seeds give different streams', () => {
    expect(streamHash(7, KEYS).hash).not.toBe(streamHash(8, KEYS).hash);
  });

  test('what else is attached does not change a probe’s stream', () => {
    const alone = streamHash(3, ['raw_syscalls:sys_enter']);
    const crowded = streamHash(3, ['raw_syscalls:sys_enter'], (w) => {
      for (const t of [
        { kind: 'tracepoint', category: 'sched', event: 'sched_switch' },
        { kind: 'kprobe', func: 'vfs_read' },
        { kind: 'kretprobe', func: 'vfs_read' },
        { kind: 'profile', hz: 99 },
        { kind: 'interval', periodNs: 100_000_000 },
        { kind: 'software', event: 'page-faults', period: 10 },
      ] as const) {
        const a = w.attach(t, () => {});
        if ('error' in a) throw new Error(a.error);
      }
    });
    expect(crowded).toEqual(alone);
  });

  test.each(['webserver', 'database', 'build'])('%s is deterministic too', (wl) => {
    expect(streamHash(11, KEYS, () => {}, SEC / 5, wl)).toEqual(streamHash(11, KEYS, () => {}, SEC / 5, wl));
  });

  const WIDE = [...KEYS, 'syscalls:sys_enter_openat', 'syscalls:sys_exit_read', 'sock:inet_sock_set_state', 'sched:sched_wakeup'];

  test.each(['mixed', 'webserver', 'database', 'build'])('%s: the plain-call loop gives the same stream as the general entry and exit', (wl) => {
    const fast = streamHash(6, WIDE, () => {}, SEC / 4, wl);
    const general = streamHash(6, WIDE, () => {}, SEC / 4, wl, false);
    expect(fast.n).toBeGreaterThan(300);
    expect(fast).toEqual(general);
  });

  test('running event by event (step) gives the same stream as runUntil', () => {
    const batched = streamHash(8, WIDE, () => {}, SEC / 4, 'webserver');
    const stepped = streamHash(8, WIDE, (w) => {
      while (w.nextEventTime() <= SEC / 4) w.step();
    }, SEC / 4, 'webserver');
    expect(stepped).toEqual(batched);
  });

  test.each(['webserver', 'database'])('%s: each task’s syscalls come from its own stream, whatever the CPU count', (wl) => {
    const perTask = (cpus: number): Map<number, number[]> => {
      const w = createWorld({ seed: 3, workload: wl, cpus });
      const m = new Map<number, number[]>();
      w.attach({ kind: 'tracepoint', category: 'raw_syscalls', event: 'sys_enter' }, (_b, v) => {
        let a = m.get(w.tid());
        if (!a) m.set(w.tid(), (a = []));
        if (a.length < 100) a.push(v.getInt32(8, true));
      });
      w.runUntil(SEC / 2);
      return m;
    };
    const two = perTask(2);
    const eight = perTask(8);
    let compared = 0;
    for (const [tid, calls] of two) {
      const other = eight.get(tid);
      if (!other) continue;
      const n = Math.min(calls.length, other.length);
      expect(calls.slice(0, n)).toEqual(other.slice(0, n));
      compared++;
    }
    expect(compared).toBeGreaterThan(8);
  });
});

const NR = (name: string): number => syscallByName(name)!.nr;

describe('consistency', () => {
  test('fds: openat returns the lowest free fd, and reads/writes/closes use open fds', () => {
    const w = createWorld({ seed: 21, workload: 'mixed' });
    // The fd tables as they stand before anything runs.
    const open = new Map<number, Set<number>>();
    for (const p of w.procs) {
      if (!p) continue;
      const set = new Set<number>();
      p.fdFile.forEach((f, fd) => f >= 0 && set.add(fd));
      open.set(p.tgid, set);
    }
    const fdOf = new Map<number, number>();
    let checkedOpens = 0;
    let readsOnOpened = 0;
    const problems: string[] = [];
    const opened = new Set<string>();
    const fdCreating = new Set([NR('openat'), NR('socket'), NR('accept4'), NR('accept')]);
    const fdUsing = new Set([NR('read'), NR('write'), NR('pread64'), NR('writev'), NR('recvfrom'), NR('sendto'), NR('fstat')]);
    w.attach({ kind: 'tracepoint', category: 'raw_syscalls', event: 'sys_enter' }, (_b, v) => {
      const nr = v.getInt32(8, true);
      fdOf.set(w.tid(), Number(v.getBigInt64(16, true)));
      if (nr === NR('clone')) return;
    });
    w.attach({ kind: 'tracepoint', category: 'raw_syscalls', event: 'sys_exit' }, (_b, v) => {
      const nr = v.getInt32(8, true);
      const ret = Number(v.getBigInt64(16, true));
      const tgid = w.tgid();
      let set = open.get(tgid);
      if (!set) {
        // A forked child: stdio inherited.
        set = new Set([0, 1, 2]);
        open.set(tgid, set);
      }
      const fd = fdOf.get(w.tid())!;
      if (fdCreating.has(nr) && ret >= 0) {
        let lowest = 0;
        while (set.has(lowest)) lowest++;
        if (ret !== lowest) problems.push(`pid ${tgid} got fd ${ret}, lowest free was ${lowest}`);
        set.add(ret);
        opened.add(`${tgid}:${ret}`);
        checkedOpens++;
      } else if (nr === NR('close')) {
        if (ret === 0 && !set.delete(fd)) problems.push(`pid ${tgid} closed fd ${fd} that was not open`);
        if (ret === -9 && set.has(fd)) problems.push(`pid ${tgid}: close(${fd}) said EBADF on an open fd`);
      } else if (fdUsing.has(nr)) {
        if (ret !== -9 && !set.has(fd)) problems.push(`pid ${tgid}: syscall ${nr} on fd ${fd} that is not open returned ${ret}`);
        if (ret === -9 && set.has(fd)) problems.push(`pid ${tgid}: syscall ${nr} on open fd ${fd} said EBADF`);
        if (ret >= 0 && opened.has(`${tgid}:${fd}`)) readsOnOpened++;
      }
    });
    w.runUntil(3 * SEC);
    expect(problems.slice(0, 5)).toEqual([]);
    expect(checkedOpens).toBeGreaterThan(50);
    expect(readsOnOpened).toBeGreaterThan(50);
  });

  test('a process that exited makes no more syscalls', () => {
    const w = createWorld({ seed: 5, workload: 'build' });
    const recs: Rec[] = [];
    logTracepoints(w, ['sched:sched_process_exit', 'raw_syscalls:sys_enter'], recs);
    w.runUntil(2 * SEC);
    const dead = new Map<number, number>();
    let exits = 0;
    const late: string[] = [];
    for (const r of recs) {
      if (r.probe === 'sched:sched_process_exit') {
        if (r.f['group_dead'] === 1) dead.set(r.tgid, r.t);
        exits++;
      } else if (dead.has(r.tgid)) late.push(`${r.comm} ${r.tgid} syscall ${String(r.f['id'])} at ${r.t} after exit at ${dead.get(r.tgid)}`);
    }
    expect(exits).toBeGreaterThan(10);
    expect(late.slice(0, 3)).toEqual([]);
  });

  test('sched_switch agrees with what each CPU runs', () => {
    const w = createWorld({ seed: 9, workload: 'webserver', cpus: 4 });
    const recs: Rec[] = [];
    logTracepoints(w, ['sched:sched_switch', 'raw_syscalls:sys_enter', 'raw_syscalls:sys_exit'], recs);
    w.runUntil(SEC / 2);
    const current = new Map<number, number>();
    const problems: string[] = [];
    let switches = 0;
    for (const r of recs) {
      const cur = current.get(r.cpu);
      if (r.probe === 'sched:sched_switch') {
        switches++;
        if (r.f['prev_pid'] !== r.tid) problems.push(`switch on cpu ${r.cpu}: prev ${String(r.f['prev_pid'])} but current task ${r.tid}`);
        if (cur !== undefined && cur !== r.f['prev_pid']) problems.push(`cpu ${r.cpu} was running ${cur}, switch says prev ${String(r.f['prev_pid'])}`);
        const next = r.f['next_pid'] as number;
        if (next !== 0) for (const [c, t] of current) if (c !== r.cpu && t === next) problems.push(`${next} on cpus ${c} and ${r.cpu} at ${r.t}`);
        current.set(r.cpu, next);
      } else if (cur !== undefined && cur !== r.tid) problems.push(`${r.probe} by ${r.tid} on cpu ${r.cpu} while ${cur} runs there`);
    }
    expect(switches).toBeGreaterThan(500);
    expect(problems.slice(0, 5)).toEqual([]);
  });

  test('events arrive in time order and every sys_enter has its sys_exit on the same task', () => {
    const w = createWorld({ seed: 4, workload: 'database' });
    const recs: Rec[] = [];
    logTracepoints(w, ['raw_syscalls:sys_enter', 'raw_syscalls:sys_exit'], recs);
    w.runUntil(SEC / 4);
    const pending = new Map<number, number>();
    let back = 0;
    let last = 0;
    for (const r of recs) {
      if (r.t < last) back++;
      last = r.t;
      if (r.probe === 'raw_syscalls:sys_enter') {
        expect(pending.has(r.tid)).toBe(false);
        if (r.f['id'] !== NR('exit_group')) pending.set(r.tid, r.f['id'] as number);
      } else if (pending.has(r.tid)) {
        expect(r.f['id']).toBe(pending.get(r.tid));
        pending.delete(r.tid);
      }
    }
    expect(back).toBe(0);
  });

  test('fork, exec, exit and free happen in order with matching pids', () => {
    const w = createWorld({ seed: 2, workload: 'build' });
    const recs: Rec[] = [];
    logTracepoints(w, ['sched:sched_process_fork', 'sched:sched_process_exec', 'sched:sched_process_exit', 'sched:sched_process_free', 'sched:sched_wakeup_new'], recs);
    w.runUntil(2 * SEC);
    const stage = new Map<number, string>();
    const problems: string[] = [];
    for (const r of recs) {
      const f = r.f;
      switch (r.probe) {
        case 'sched:sched_process_fork':
          if (f['parent_pid'] !== r.tid) problems.push('fork not in parent context');
          stage.set(f['child_pid'] as number, 'forked');
          break;
        case 'sched:sched_wakeup_new':
          if (stage.get(f['pid'] as number) !== 'forked') problems.push(`wakeup_new of ${String(f['pid'])} before its fork`);
          break;
        case 'sched:sched_process_exec':
          if (stage.get(f['pid'] as number) === 'forked') stage.set(f['pid'] as number, 'exec');
          if (!String(f['filename']).startsWith('/')) problems.push(`exec filename ${String(f['filename'])}`);
          break;
        case 'sched:sched_process_exit':
          if (stage.has(r.tid)) stage.set(r.tid, 'exit');
          break;
        case 'sched:sched_process_free': {
          const s = stage.get(f['pid'] as number);
          if (s !== undefined && s !== 'exit') problems.push(`free of ${String(f['pid'])} in stage ${s}`);
          stage.delete(f['pid'] as number);
        }
      }
    }
    expect(recs.filter((r) => r.probe === 'sched:sched_process_fork').length).toBeGreaterThan(10);
    expect(recs.filter((r) => r.probe === 'sched:sched_process_free').length).toBeGreaterThan(5);
    expect(problems).toEqual([]);
  });
});

describe('rates', () => {
  test.each([
    ['mixed', 500, 20_000],
    ['webserver', 20_000, 200_000],
    ['database', 8_000, 120_000],
    ['build', 1_000, 40_000],
  ])('%s issues a plausible number of syscalls per second', (workload, lo, hi) => {
    const w = createWorld({ seed: 1, workload });
    w.runUntil(SEC);
    const rate = w.syscalls;
    expect(rate).toBeGreaterThan(lo);
    expect(rate).toBeLessThan(hi);
  });

  test('build keeps CPUs busy and spawns processes; mixed mostly idles', () => {
    const busy = (workload: string): { idle: number; forks: number } => {
      const w = createWorld({ seed: 1, workload });
      // After the first processes have ramped up.
      w.runUntil(SEC / 2);
      let idle = 0;
      let samples = 0;
      let forks = 0;
      w.attach({ kind: 'profile', hz: 997 }, () => {
        samples++;
        if (w.tid() === 0) idle++;
      });
      w.attach({ kind: 'tracepoint', category: 'sched', event: 'sched_process_fork' }, () => forks++);
      w.runUntil(2 * SEC);
      return { idle: idle / samples, forks };
    };
    const build = busy('build');
    const mixed = busy('mixed');
    expect(build.idle).toBeLessThan(0.5);
    expect(mixed.idle).toBeGreaterThan(0.8);
    expect(build.forks).toBeGreaterThan(10);
    expect(mixed.forks).toBeGreaterThan(0);
  });
});
