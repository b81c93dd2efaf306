// End to end, the engines are interchangeable: bpftrace programs through the whole CLI
// (compile, verify, load, the synthetic world) print the same bytes, exit the same way and
// warn the same with --engine jit as with --engine interp. The programs are the one-liners the
// speed issue benchmarks and a few that exercise loops, strings, stacks and subprograms.

import { describe, expect, test } from 'vitest';
import { runCli } from '../e2e/run-cli.js';

const RUN = ['--seed', '3', '--duration', '500ms'];

const PROGRAMS: readonly (readonly [string, string])[] = [
  ['count by pid and comm', 'tracepoint:raw_syscalls:sys_enter { @[pid, comm] = count(); }'],
  ['count', 'tracepoint:raw_syscalls:sys_enter { @ = count(); }'],
  ['hist of read sizes', 'tracepoint:syscalls:sys_exit_read { @ = hist(args.ret); }'],
  ['lhist', 'kretprobe:vfs_read { @ = lhist(retval, 0, 2000, 200); }'],
  ['sum by comm', 'tracepoint:syscalls:sys_exit_read /args.ret > 0/ { @[comm] = sum(args.ret); }'],
  ['avg and stats', 'tracepoint:syscalls:sys_exit_read { @a = avg(args.ret); @s = stats(args.ret); @mn = min(args.ret); @mx = max(args.ret); }'],
  ['latency', 'kprobe:vfs_read { @start[tid] = nsecs; } kretprobe:vfs_read /@start[tid]/ { @ns[comm] = hist(nsecs - @start[tid]); delete(@start, tid); }'],
  ['printf of pid and comm', 'tracepoint:syscalls:sys_enter_openat { printf("%d %s %s\\n", pid, comm, str(args.filename)); }'],
  ['kernel stacks', 'tracepoint:sched:sched_switch { @[kstack] = count(); }'],
  ['a loop and a string', 'BEGIN { $i = 0; while ($i < 20) { @[$i % 3] = sum($i); $i++; } @s = "abc"; exit(); }'],
  ['a user function', 'fn twice($x: int64): int64 { return $x * 2; } tracepoint:raw_syscalls:sys_enter { @ = sum(twice(1)); }'],
];

describe('--engine jit prints what --engine interp prints', () => {
  test.each(PROGRAMS)('%s', async (_, prog) => {
    const interp = await runCli(['--engine', 'interp', ...RUN, '-e', prog]);
    const jit = await runCli(['--engine', 'jit', ...RUN, '-e', prog]);
    expect(interp.code, interp.err).toBe(0);
    expect({ code: jit.code, err: jit.err, out: jit.out }).toEqual({ code: interp.code, err: interp.err, out: interp.out });
    expect(interp.out.length).toBeGreaterThan(20);
  });
});
