// Tool-style programs in the spirit of bpftrace's example tools that need only syscall
// tracepoints, timers and formatting (execsnoop, killsnoop, setuids, statsnoop, syncsnoop,
// syscount, opensnoop, naptime), written for these tests, run against the synthetic world and
// compared with golden output. When bpftrace's own tools are on this machine (the reference
// checkout), each of those runs too and must print its header and at least one event.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { expectGoldenBytes } from './golden-bytes.js';
import { runCli } from './run-cli.js';

const DIR = path.join(__dirname, '..', 'golden', 'e2e', 'tools');

const OURS: readonly { name: string; duration: string }[] = [
  { name: 'exec-trace', duration: '3s' },
  { name: 'kill-trace', duration: '3s' },
  { name: 'setuid-trace', duration: '10s' },
  { name: 'stat-trace', duration: '3s' },
  { name: 'sync-trace', duration: '3s' },
  { name: 'syscall-count', duration: '2s' },
  { name: 'open-trace', duration: '1s' },
  { name: 'sleep-trace', duration: '3s' },
];

describe('tool-style programs', () => {
  test.each(OURS)('$name', async ({ name, duration }) => {
    const r = await runCli(['--seed', '1', '--duration', duration, path.join(DIR, `${name}.bt`)], { cwd: DIR });
    expect([r.code, r.err]).toEqual([0, '']);
    expectGoldenBytes(path.join(DIR, `${name}.out`), r.out);
  });
});

const TOOLS = '/work/ref/bpftrace/tools';

/** bpftrace's tools: the header line each prints, and how long the world must run to show an event. */
const THEIRS: readonly { tool: string; header: RegExp; duration: string }[] = [
  { tool: 'execsnoop', header: /^TIME\s+PID\s+PPID\s+ARGS$/m, duration: '2s' },
  { tool: 'killsnoop', header: /^TIME\s+PID COMM\s+SIG\s+TPID RESULT$/m, duration: '3s' },
  { tool: 'setuids', header: /^TIME\s+PID\s+COMM\s+UID\s+SYSCALL\s+ARGS \(RET\)$/m, duration: '10s' },
  { tool: 'statsnoop', header: /^PID\s+COMM\s+ERR PATH$/m, duration: '3s' },
  { tool: 'syncsnoop', header: /^TIME\s+PID\s+COMM\s+EVENT$/m, duration: '10s' },
  { tool: 'syscount', header: /^Top 10 syscalls IDs:$/m, duration: '1s' },
  { tool: 'opensnoop', header: /^PID\s+COMM\s+FD\s+ERR PATH$/m, duration: '1s' },
  { tool: 'naptime', header: /^TIME\s+PPID\s+PCOMM\s+PID\s+COMM\s+SECONDS$/m, duration: '3s' },
];

describe.skipIf(!existsSync(TOOLS))("bpftrace's own tools (reference checkout)", () => {
  test.each(THEIRS)('$tool', async ({ tool, header, duration }) => {
    const r = await runCli(['--duration', duration, path.join(TOOLS, `${tool}.bt`)]);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(/^Attaching \d+ probes?\.\.\.\n/);
    expect(r.out).toMatch(header);
    // At least one line of data after the header (an event, or a map entry for syscount).
    const after = r.out.slice(r.out.search(header)).split('\n').slice(1);
    expect(after.some((l) => /\d/.test(l))).toBe(true);
  });
});
