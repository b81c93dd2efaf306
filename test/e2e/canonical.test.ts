// The canonical one-liner, exactly as a user types it: no --duration, so the default ends the
// run and says so on stderr; the map prints as bpftrace prints `@[pid, comm]` counts —
// one line per key, ascending by count, after the exit banner.

import { expect, test } from 'vitest';
import { runCli } from './run-cli.js';

test("bpftrace-ts -e 'tracepoint:raw_syscalls:sys_enter { @[pid, comm] = count(); }'", async () => {
  const r = await runCli(['-e', 'tracepoint:raw_syscalls:sys_enter { @[pid, comm] = count(); }']);
  expect(r.code).toBe(0);
  expect(r.err).toBe(
    'bpftrace-ts: stopped after 5s of virtual time (the default; the program did not exit — use --duration or Ctrl-C to choose)\n',
  );
  const [head, body] = r.out.split('\n\n\n');
  expect(head).toBe('Attaching 1 probe...');
  const lines = body!.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines.length).toBeGreaterThan(10);
  const counts = lines.map((l) => {
    const m = /^@\[(\d+), ([^\]]+)\]: (\d+)$/.exec(l);
    expect(m, l).not.toBeNull();
    return Number(m![3]);
  });
  expect(counts).toEqual([...counts].sort((a, b) => a - b));
  // The same command prints the same bytes every time.
  expect(await runCli(['-e', 'tracepoint:raw_syscalls:sys_enter { @[pid, comm] = count(); }'])).toEqual(r);
});
