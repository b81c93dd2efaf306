// The 12 lessons of bpftrace's one-liner tutorial (docs/tutorial_one_liners.md) against the
// synthetic world, each with a fixed seed and a short --duration, compared with golden
// output (test/golden/e2e/lesson-*.out; UPDATE_GOLDEN=1 rewrites them). Lesson 5 filters on
// the pid of the world's node process instead of the tutorial's 18644, which this machine
// does not have. Each lesson is also run with the JIT, which must print the same bytes.

import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { expectGoldenBytes } from './golden-bytes.js';
import { runCli } from './run-cli.js';

const GOLDEN = path.join(__dirname, '..', 'golden', 'e2e');
/** The node process of the default ('mixed') workload under seed 1. */
const NODE_PID = 476;
const RUN = ['--seed', '1', '--duration', '2s'];

const LESSONS: readonly { name: string; argv: string[] }[] = [
  { name: 'lesson-01-listing', argv: ['-l', 'tracepoint:syscalls:sys_enter_*'] },
  { name: 'lesson-02-hello', argv: [...RUN, '-e', 'BEGIN { printf("hello world\\n"); }'] },
  {
    name: 'lesson-03-file-opens',
    argv: [...RUN, '-e', 'tracepoint:syscalls:sys_enter_openat { printf("%s %s\\n", comm, str(args.filename)); }'],
  },
  { name: 'lesson-04-syscalls-by-process', argv: [...RUN, '-e', 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'] },
  {
    name: 'lesson-05-read-bytes',
    argv: [...RUN, '-e', `tracepoint:syscalls:sys_exit_read /pid == ${NODE_PID}/ { @bytes = hist(args.ret); }`],
  },
  { name: 'lesson-06-vfs-read-bytes', argv: [...RUN, '-e', 'kretprobe:vfs_read { @bytes = lhist(retval, 0, 2000, 200); }'] },
  {
    name: 'lesson-07-read-latency',
    argv: [
      ...RUN,
      '-e',
      'kprobe:vfs_read { @start[tid] = nsecs; } kretprobe:vfs_read /@start[tid]/ { @ns[comm] = hist(nsecs - @start[tid]); delete(@start, tid); }',
    ],
  },
  // The tutorial's own end: interval:s:5 { exit(); } (no --duration).
  { name: 'lesson-08-sched-events', argv: ['--seed', '1', '-e', 'tracepoint:sched:sched* { @[probe] = count(); } interval:s:5 { exit(); }'] },
  { name: 'lesson-09-profile-kstacks', argv: [...RUN, '-e', 'profile:hz:99 { @[kstack] = count(); }'] },
  { name: 'lesson-10-switch-kstacks', argv: [...RUN, '-e', 'tracepoint:sched:sched_switch { @[kstack] = count(); }'] },
  { name: 'lesson-11-block-io', argv: [...RUN, '-e', 'tracepoint:block:block_rq_issue { @ = hist(args.bytes); }'] },
  { name: 'lesson-12-struct-path', argv: [...RUN, path.join(GOLDEN, 'lesson-12-path.bt')] },
];

describe('tutorial one-liners', () => {
  test.each(LESSONS)('$name', async ({ name, argv }) => {
    const r = await runCli(argv);
    expect([r.code, r.err]).toEqual([0, '']);
    expectGoldenBytes(path.join(GOLDEN, `${name}.out`), r.out);
  });

  test.each(LESSONS.filter((l) => l.argv[0] !== '-l'))('$name prints the same with --engine jit', async ({ name, argv }) => {
    const jit = await runCli(['--engine', 'jit', ...argv]);
    expect([jit.code, jit.err]).toEqual([0, '']);
    expectGoldenBytes(path.join(GOLDEN, `${name}.out`), jit.out);
  });
});
