// Faults around a run, in-process through main() with captured streams: script files that
// cannot be read, empty programs, an unwritable -o, unsafe functions without --unsafe (each a
// clear one-line error and exit 1, in bpftrace's words where bpftrace has them), and Ctrl-C
// at each moment of a run (before BEGIN ends, mid-run, during END, while maps print), which
// ends the run as bpftrace does: END runs, maps print, exit 0. process.test.ts does the same
// with real processes and real signals.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** main() with captured streams; `interruptWhen` decides, after each write, whether Ctrl-C arrives now. */
async function run(argv: string[], opts: { stdin?: string; interruptWhen?: (out: string) => boolean } = {}): Promise<Run & { interrupted: boolean }> {
  let out = '';
  let err = '';
  let handler: (() => void) | undefined;
  let interrupted = false;
  const maybe = (): void => {
    if (!interrupted && handler && opts.interruptWhen?.(out)) {
      interrupted = true;
      handler();
    }
  };
  const io: CliIo = {
    writeOut: (t) => {
      out += t;
      maybe();
    },
    writeErr: (t) => void (err += t),
    readStdin: async () => opts.stdin ?? '',
    env: {},
    errIsTTY: false,
    onInterrupt(cb) {
      handler = cb;
      maybe();
      return () => void (handler = undefined);
    },
  };
  const code = await main(argv, io);
  return { code, out, err, interrupted };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bpftrace-ts-faults-'));
const isRoot = process.getuid?.() === 0;

describe('a script that cannot be read: one line, exit 1, nothing runs', () => {
  test('missing', async () => {
    const f = path.join(tmp, 'missing.bt');
    expect(await run([f])).toMatchObject({ code: 1, out: '', err: `ERROR: failed to open file '${f}': No such file or directory\n` });
  });

  test('a directory', async () => {
    expect(await run([tmp])).toMatchObject({ code: 1, out: '', err: `ERROR: failed to open file '${tmp}': Is a directory\n` });
  });

  test('a path through a file', async () => {
    const f = path.join(tmp, 'plain.bt');
    fs.writeFileSync(f, 'BEGIN { exit(); }\n');
    expect(await run([`${f}/x.bt`])).toMatchObject({ code: 1, out: '', err: `ERROR: failed to open file '${f}/x.bt': Not a directory\n` });
  });

  test.skipIf(isRoot)('unreadable (mode 000; as root process.test.ts switches user instead)', async () => {
    const f = path.join(tmp, 'secret.bt');
    fs.writeFileSync(f, 'BEGIN { exit(); }\n');
    fs.chmodSync(f, 0o000);
    expect(await run([f])).toMatchObject({ code: 1, out: '', err: `ERROR: failed to open file '${f}': Permission denied\n` });
  });

  test.each([
    ['empty stdin for -', ['-'], ''],
    ['blank stdin for -', ['-'], '\n\n   \t\n'],
    ['only a comment', ['-e', '// nothing here'], ''],
    ['only definitions', ['-e', '#define X 1\nstruct s { int a; }\nmacro m($x) { $x }'], ''],
  ])('%s: nothing to attach', async (_what, argv, stdin) => {
    expect(await run(argv, { stdin })).toMatchObject({ code: 1, out: '', err: 'ERROR: No probes to attach\n' });
  });
});

describe('-o FILE that cannot be written: refused before the program runs', () => {
  test.each([
    ['in a missing directory', () => path.join(tmp, 'no', 'such', 'dir', 'out.txt'), 'No such file or directory'],
    ['a directory', () => tmp, 'Is a directory'],
    ['under a plain file', () => `${path.join(tmp, 'plain.bt')}/out.txt`, 'Not a directory'],
  ])('%s', async (_what, file, reason) => {
    fs.writeFileSync(path.join(tmp, 'plain.bt'), 'BEGIN { exit(); }\n');
    const marker = path.join(tmp, 'ran-marker');
    const r = await run(['-o', file(), '-e', `BEGIN { printf("ran\\n"); exit(); }`]);
    expect(r).toMatchObject({ code: 1, out: '', err: `ERROR: Failed to open output file: "${file()}": ${reason}\n` });
    expect(fs.existsSync(marker)).toBe(false);
  });

  test('a device that fills up: the run stops and says so', async () => {
    const r = await run(['-o', '/dev/full', '-e', 'BEGIN { printf("x\\n"); exit(); }']);
    expect(r).toMatchObject({ code: 1, out: '', err: 'ERROR: failed to write to /dev/full: No space left on device\n' });
  });
});

describe('unsafe functions need --unsafe (bpftrace 0.23 words)', () => {
  test.each([
    ['system', 'BEGIN { system("ls"); exit(); }', 9, 21],
    ['signal', 'kprobe:vfs_read { signal(9); }', 19, 28],
    ['signal by name', 'kprobe:vfs_read { signal("SIGKILL"); }', 19, 36],
    ['signal_thread', 'kprobe:vfs_read { signal_thread(9); }', 19, 35],
    ['override', 'kprobe:vfs_read { override(1); }', 19, 30],
  ])('%s', async (name, program, from, to) => {
    const fn = name.split(' ')[0];
    const r = await run(['-e', program]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.split('\n').slice(0, 3)).toEqual([
      `stdin:1:${from}-${to}: ERROR: ${fn}() is an unsafe function being used in safe mode`,
      program,
      `${' '.repeat(from - 1)}${'~'.repeat(to - from)}`,
    ]);
    // With --unsafe the same program is accepted.
    expect((await run(['--unsafe', '--dry-run', '-e', program])).code).toBe(0);
  });
});

describe('Ctrl-C at any moment: END runs, maps print, exit 0', () => {
  const program = 'BEGIN { printf("begin\\n"); } interval:ms:1 { @ticks = count(); printf("tick\\n"); } END { printf("end\\n"); }';
  const argv = ['--duration', '1s', '-e', program];
  const ticks = (out: string) => out.split('\n').filter((l) => l === 'tick').length;

  /** The shape every interrupted run has: begin, N ticks, end, the exit banner, @ticks: N. */
  function expectComplete(r: Run): void {
    const n = ticks(r.out);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    // A count never incremented still prints as `@ticks: 0` (bpftrace 0.23 does).
    expect(r.out).toBe(`Attaching 3 probes...\nbegin\n${'tick\n'.repeat(n)}end\n\n\n@ticks: ${n}\n`);
  }

  test('before BEGIN has finished: BEGIN and END still run, no tick', async () => {
    const r = await run(argv, { interruptWhen: () => true });
    expect(r.interrupted).toBe(true);
    expectComplete(r);
    expect(ticks(r.out)).toBe(0);
  });

  test('mid-run: the ticks printed are the ticks counted', async () => {
    const r = await run(argv, { interruptWhen: (out) => ticks(out) >= 3 });
    expect(r.interrupted).toBe(true);
    expectComplete(r);
    // The run stops at the end of the current slice of virtual time, far before 1 s.
    expect(ticks(r.out)).toBeGreaterThanOrEqual(3);
    expect(ticks(r.out)).toBeLessThan(100);
  });

  test.each([
    ['during END', (out: string) => out.includes('end\n')],
    ['while the maps print', (out: string) => out.includes('@ticks')],
  ])('%s: nothing changes (same output as an uninterrupted run)', async (_when, trigger) => {
    const quiet = await run(['--duration', '30ms', '-e', program]);
    const r = await run(['--duration', '30ms', '-e', program], { interruptWhen: trigger });
    expect(r.interrupted).toBe(true);
    expect({ code: r.code, out: r.out, err: r.err }).toEqual({ code: quiet.code, out: quiet.out, err: quiet.err });
    expectComplete(r);
  });

});
