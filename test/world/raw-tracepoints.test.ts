import { describe, expect, test } from 'vitest';
import { K_PTREGS, K_TASK, kernelAddressHi } from '../../src/world/kernel-memory.js';
import { createWorld } from '../../src/world/world.js';

const SEC = 1_000_000_000;
const hi = (v: DataView, off: number): number => v.getUint32(off + 4, true);

describe('raw tracepoints', () => {
  test('sys_enter/sys_exit pass (regs, id) and (regs, ret): the ids and returns of raw_syscalls, the task\'s pt_regs', () => {
    const w = createWorld({ seed: 3 });
    const tpEnter: number[] = [];
    const rawEnter: number[] = [];
    const tpExit: number[] = [];
    const rawExit: number[] = [];
    w.attach({ kind: 'tracepoint', category: 'raw_syscalls', event: 'sys_enter' }, (_b, v) => void tpEnter.push(Number(v.getBigInt64(8, true))));
    w.attach({ kind: 'rawtracepoint', event: 'sys_enter' }, (_b, v) => {
      expect(hi(v, 0)).toBe(kernelAddressHi(K_PTREGS));
      rawEnter.push(Number(v.getBigInt64(8, true)));
    });
    w.attach({ kind: 'tracepoint', category: 'raw_syscalls', event: 'sys_exit' }, (_b, v) => void tpExit.push(Number(v.getBigInt64(16, true))));
    w.attach({ kind: 'rawtracepoint', event: 'sys_exit' }, (_b, v) => void rawExit.push(Number(v.getBigInt64(8, true))));
    w.runUntil(SEC);
    expect(rawEnter.length).toBeGreaterThan(50);
    expect(rawEnter).toEqual(tpEnter);
    expect(rawExit).toEqual(tpExit);
  });

  test('sched_switch passes (preempt, prev, next, prev_state) with task_struct pointers of the record\'s pids', () => {
    const w = createWorld({ seed: 3 });
    const seen: [bigint, bigint, number][] = [];
    let current = 0n;
    w.attach({ kind: 'tracepoint', category: 'sched', event: 'sched_switch' }, () => void (current = w.currentTask()));
    w.attach({ kind: 'rawtracepoint', event: 'sched_switch' }, (_b, v) => {
      seen.push([v.getBigUint64(8, true), v.getBigUint64(16, true), Number(v.getBigUint64(0, true))]);
      // The task switching out is the one running when the tracepoint fires.
      expect(v.getBigUint64(8, true)).toBe(current);
    });
    w.runUntil(SEC / 4);
    expect(seen.length).toBeGreaterThan(10);
    for (const [prev, next, preempt] of seen) {
      expect(preempt).toBe(0);
      expect(Number(prev >> 32n)).toBe(kernelAddressHi(K_TASK));
      expect(Number(next >> 32n)).toBe(kernelAddressHi(K_TASK));
      expect(prev).not.toBe(next);
    }
  });

  test('handlers on one point run in attach order, raw and ordinary alike', () => {
    const w = createWorld({ seed: 5 });
    const order: string[] = [];
    w.attach({ kind: 'rawtracepoint', event: 'sys_enter' }, () => void order.push('raw1'));
    w.attach({ kind: 'tracepoint', category: 'raw_syscalls', event: 'sys_enter' }, () => void order.push('tp'));
    w.attach({ kind: 'rawtracepoint', event: 'sys_enter' }, () => void order.push('raw2'));
    w.attach({ kind: 'kprobe', func: 'vfs_read' }, () => void order.push('k1'));
    w.attach({ kind: 'kprobe', func: 'vfs_read' }, () => void order.push('k2'));
    w.runUntil(SEC / 10);
    const text = order.join(' ');
    expect(order.filter((x) => x === 'raw1').length).toBeGreaterThan(5);
    expect(text.replace(/ ?k[12]/g, '').trim()).toMatch(/^(raw1 raw2 tp )*raw1 raw2 tp$/);
    expect(text.replace(/ ?(raw[12]|tp)/g, '').trim()).toMatch(/^(k1 k2 ?)+$/);
  });

  test('a detached raw tracepoint stops firing; an unknown one is refused', () => {
    const w = createWorld({ seed: 5 });
    let n = 0;
    const a = w.attach({ kind: 'rawtracepoint', event: 'sys_exit' }, () => void n++);
    if ('error' in a) throw new Error(a.error);
    w.runUntil(SEC / 10);
    const before = n;
    expect(before).toBeGreaterThan(0);
    a.detach();
    w.runUntil(SEC / 5);
    expect(n).toBe(before);
    expect(w.attach({ kind: 'rawtracepoint', event: 'nonsense' }, () => undefined)).toEqual({ error: 'rawtracepoint not found: nonsense' });
  });

  test('same seed, same raw arguments', () => {
    const run = (): string[] => {
      const w = createWorld({ seed: 9 });
      const out: string[] = [];
      w.attach({ kind: 'rawtracepoint', event: 'sched_wakeup' }, (_b, v) => void out.push(v.getBigUint64(0, true).toString(16)));
      w.runUntil(SEC / 5);
      return out;
    };
    const a = run();
    expect(a.length).toBeGreaterThan(0);
    expect(run()).toEqual(a);
  });
});
