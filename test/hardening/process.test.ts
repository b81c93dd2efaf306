// The same faults with real processes: exit codes as the shell sees them, nothing on stderr
// but one ERROR: line (never a stack trace), a closed stdin, a user who may not read the
// script, Ctrl-C as a real SIGINT during a paced run, and `| head` closing the pipe. Runs the
// built CLI (bin/bpftrace-ts.js) when dist/ is newer than src/, else the same main() from
// source (fuzz/launch-source.mjs).

import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { DEEP_SHAPES } from '../../fuzz/deep-programs.js';

const ROOT = path.join(import.meta.dirname, '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

const built = path.join(ROOT, 'dist', 'cli', 'main.js');
const distFresh = fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestMtime(path.join(ROOT, 'src'));
const CLI = distFresh ? path.join(ROOT, 'bin', 'bpftrace-ts.js') : path.join(ROOT, 'fuzz', 'launch-source.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bpftrace-ts-process-'));
const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/m;

function cli(args: string[], opts: SpawnOptions & { input?: string } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, ...opts });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

describe.concurrent(`exit codes and stderr of a real process (${distFresh ? 'bin/bpftrace-ts.js' : 'from source: dist/ is older than src/'})`, () => {
  test('a missing script: one line, exit 1', () => {
    const f = path.join(tmp, 'missing.bt');
    expect(cli([f])).toEqual({ code: 1, signal: null, out: '', err: `ERROR: failed to open file '${f}': No such file or directory\n` });
  });

  test('10,000 nested parentheses: a diagnostic, no stack trace, exit 1', () => {
    const r = cli(['-e', DEEP_SHAPES['parentheses']!(10_000)]);
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(STACK_FRAME);
    expect(r.err).toBe('ERROR: the program nests expressions or blocks too deeply to be parsed\n');
  });

  test('a 3,000-term sum: a located diagnostic, no stack trace, exit 1', () => {
    const r = cli(['-e', DEEP_SHAPES['plus chain']!(3_000)]);
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(STACK_FRAME);
    expect(r.err).toMatch(/^stdin:1:14-\d+: ERROR: the program nests expressions or blocks more than 500 levels deep\n/);
  });

  test('stdin closed for -: nothing to attach, exit 1', () => {
    const r = spawnSync('/bin/sh', ['-c', `exec "${process.execPath}" "${CLI}" - <&-`], { encoding: 'utf8', timeout: 60_000 });
    expect({ code: r.status, out: r.stdout, err: r.stderr }).toEqual({ code: 1, out: '', err: 'ERROR: No probes to attach\n' });
  });

  test('stdout on a full device: the run stops and says so, exit 1', () => {
    const fd = fs.openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [CLI, '-e', 'BEGIN { printf("x\\n"); exit(); }'], { encoding: 'utf8', stdio: ['ignore', fd, 'pipe'], timeout: 60_000 });
    fs.closeSync(fd);
    expect({ code: r.status, err: r.stderr }).toEqual({ code: 1, err: 'ERROR: failed to write to stdout: No space left on device\n' });
  });

  test.skipIf(process.getuid?.() !== 0)('a script the user may not read (run as nobody): Permission denied, exit 1', () => {
    const f = path.join(tmp, 'secret.bt');
    fs.writeFileSync(f, 'BEGIN { exit(); }\n');
    fs.chmodSync(f, 0o000);
    fs.chmodSync(tmp, 0o755);
    expect(cli([f], { uid: 65534, gid: 65534 })).toEqual({ code: 1, signal: null, out: '', err: `ERROR: failed to open file '${f}': Permission denied\n` });
  });
});

/** Spawns a run, waits for `ready` on stdout, then does `act`; resolves when the process ends. */
function during(args: string[], ready: RegExp, act: (child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string; ms: number }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let acted = false;
    let actedAt = 0;
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      out += d;
      if (!acted && ready.test(out)) {
        acted = true;
        actedAt = Date.now();
        act(child);
      }
    });
    child.stdout!.on('error', () => undefined);
    child.stderr!.on('data', (d: string) => void (err += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(kill);
      resolve({ code, signal, out, err, ms: Date.now() - actedAt });
    });
  });
}

describe.concurrent('signals', () => {
  const program = 'BEGIN { printf("begin\\n"); } interval:ms:50 { @ticks = count(); printf("tick\\n"); } END { printf("end\\n"); }';

  test('SIGINT mid-run (paced to the wall clock): END runs, the maps print, exit 0', async () => {
    const r = await during(['--realtime', '-e', program], /tick\n/, (c) => c.kill('SIGINT'));
    const n = r.out.split('\n').filter((l) => l === 'tick').length;
    expect({ code: r.code, signal: r.signal, err: r.err }).toEqual({ code: 0, signal: null, err: '' });
    expect(r.out).toBe(`Attaching 3 probes...\nbegin\n${'tick\n'.repeat(n)}end\n\n\n@ticks: ${n}\n`);
    expect(r.ms).toBeLessThan(5_000);
  });

  test('SIGINT twice: the second changes nothing', async () => {
    const r = await during(['--realtime', '-e', program], /tick\n/, (c) => {
      c.kill('SIGINT');
      c.kill('SIGINT');
    });
    const n = r.out.split('\n').filter((l) => l === 'tick').length;
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(r.out).toBe(`Attaching 3 probes...\nbegin\n${'tick\n'.repeat(n)}end\n\n\n@ticks: ${n}\n`);
  });

  test('| head: the reader goes away, the run ends quietly and soon', async () => {
    const r = await during(['--duration', '1000s', '-e', 'interval:us:100 { printf("line %d\\n", 1); }'], /line 1\n/, (c) => c.stdout!.destroy());
    expect({ code: r.code, signal: r.signal, err: r.err }).toEqual({ code: 0, signal: null, err: '' });
    expect(r.ms).toBeLessThan(10_000);
  });
});
