// The REPL end to end with piped input: a scripted session (define a probe, run, print maps,
// make an error, recover, end the run) through main() in-process and through a real process
// with stdin and stderr on pipes, compared with one golden transcript; -i with a program, a
// script loaded and saved, the end of input in the middle of an entry, and how the command
// line chooses the REPL.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable, PassThrough } from 'node:stream';
import { beforeAll, describe, expect, test } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { parseCommandLine } from '../../src/cli/options.js';
import { COMMANDS } from '../../src/cli/repl/commands.js';
import { DUMP_POINTS } from '../../src/pipeline.js';
import { expectGolden } from '../parse/golden.js';
import { CLI, ROOT } from './cli-path.js';

beforeAll(() => {
  process.env['TZ'] = 'UTC';
});

const SESSIONS = path.join(import.meta.dirname, 'sessions');
const GOLDEN = path.join(ROOT, 'test', 'golden', 'repl');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bpftrace-ts-repl-'));

/** Runs main(argv) with `input` piped into the REPL; stdout and stderr in one transcript, in order. */
export async function pipedRepl(argv: string[], input: string, cwd = tmp): Promise<{ code: number; transcript: string }> {
  let transcript = '';
  const capture = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      transcript += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      done();
    },
  });
  const stdin = new PassThrough();
  stdin.end(input);
  const io: CliIo = {
    writeOut: (t) => void (transcript += t),
    writeErr: (t) => void (transcript += t),
    readStdin: async () => input,
    env: {},
    errIsTTY: false,
    cwd: () => cwd,
    interactive: () => ({ input: stdin, output: capture, writeErr: (t) => void (transcript += t), terminal: false, colour: false }),
  };
  const code = await main(argv, io);
  return { code, transcript };
}

describe('a scripted session, piped', () => {
  const input = fs.readFileSync(path.join(SESSIONS, 'tour.in'), 'utf8');

  test('in-process: the golden transcript', async () => {
    const r = await pipedRepl(['-i'], input);
    expect(r.code).toBe(0);
    expectGolden(path.join(GOLDEN, 'tour.out'), r.transcript);
  });
});

describe('a real process with stdin and stderr on pipes', () => {
  test('the same transcript as in-process (stderr joined to stdout in order)', () => {
    const r = spawnSync('/bin/sh', ['-c', `exec "${process.execPath}" "${CLI}" -i 2>&1 < "${path.join(SESSIONS, 'tour.in')}"`], {
      encoding: 'utf8',
      timeout: 120_000,
      cwd: tmp,
      env: { ...process.env, TZ: 'UTC' },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(fs.readFileSync(path.join(GOLDEN, 'tour.out'), 'utf8'));
  });
});

describe('the REPL around the session', () => {
  test('-i with a program: it is the first entry; the end of input ends the run', async () => {
    const r = await pipedRepl(['-i', '-q', '-e', 'interval:ms:250 { @ticks = count(); }'], '.run\n');
    expect(r).toEqual({ code: 0, transcript: 'ran 1s: 4 events (the world is at 1.000s)\n\n\n@ticks: 4\n' });
  });

  test('an entry cut off by the end of input is entered, and its error shown', async () => {
    const r = await pipedRepl(['-i'], 'kprobe:vfs_read {\n  @n = count();\n');
    expect(r).toEqual({
      code: 0,
      transcript: ['stdin:2:16-16: ERROR: syntax error, unexpected end of file, expecting }', '  @n = count();', '               ', ''].join('\n'),
    });
  });

  test('a probe written before its block continues to the block; an empty line ends it', async () => {
    const r = await pipedRepl(['-i', '-q'], 'kprobe:vfs_read\n{ @n = count(); }\n.probes\ninterval:s:1\n\n.probes\n');
    expect(r.transcript).toBe(
      [
        'kprobe:vfs_read',
        'stdin:1:13-13: ERROR: syntax error, unexpected end of file, expecting {',
        'interval:s:1',
        '            ',
        'kprobe:vfs_read',
        '',
        '',
        '@n: 0',
        '',
      ].join('\n'),
    );
  });

  test('.save writes the session; .load reads it back into a fresh session', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'save-'));
    const saved = await pipedRepl(['-i', '-q'], '@base = 100\ni:ms:200 { @n = count(); }\n.save s.bt\n.save /nonexistent/dir/s.bt\n', dir);
    expect(saved.transcript).toBe(
      [
        'wrote s.bt',
        "ERROR: failed to write '/nonexistent/dir/s.bt': No such file or directory",
        '',
        '',
        '@base: 100',
        '@n: 0',
        '',
      ].join('\n'),
    );
    expect(fs.readFileSync(path.join(dir, 's.bt'), 'utf8')).toBe('BEGIN\n{\n  { @base = 100 }\n}\n\ni:ms:200 { @n = count(); }\n');
    const loaded = await pipedRepl(['-i'], '.load s.bt\n.run\n.load missing.bt\n.stop\n', dir);
    expect(loaded.transcript).toBe(
      [
        'Attaching 1 probe...',
        'ran 1s: 5 events (the world is at 1.000s)',
        "ERROR: failed to open file 'missing.bt': No such file or directory",
        '',
        '',
        '@base: 100',
        '@n: 5',
        'the run ended: its probes are detached and its maps are gone',
        '',
      ].join('\n'),
    );
  });

  test('.help explains entries and lists every command', async () => {
    const r = await pipedRepl(['-i'], '.help\n');
    expect(r.transcript).toMatch(/^Type bpftrace at the prompt:\n/);
    for (const c of COMMANDS) expect(r.transcript).toContain(`\n${c.usage.padEnd(21)}${c.help}\n`);
  });

  test('.load and .save without a file say their usage, and the session goes on', async () => {
    const r = await pipedRepl(['-i'], '.load\n.save\nprintf("%d\\n", 7)\n');
    expect(r.transcript).toBe('ERROR: usage: .load FILE.bt\nERROR: usage: .save FILE.bt\n7\n\n\n');
  });

  test('errors in a loaded script name the script', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'load-'));
    fs.writeFileSync(path.join(dir, 'bad.bt'), 'BEGIN {\n  @x = nosuch();\n}\n');
    const r = await pipedRepl(['-i'], '.load bad.bt\n', dir);
    expect(r.transcript).toBe('bad.bt:2:8-14: ERROR: Unknown function: nosuch\n  @x = nosuch();\n       ~~~~~~\n');
  });
});

describe('choosing the REPL', () => {
  test.each([
    [['-i'], false, { interactive: true }],
    [[], true, { interactive: true }],
    [['-e', 'BEGIN { }'], true, { program: { kind: 'inline', text: 'BEGIN { }' } }],
    [['-i', '-e', 'BEGIN { }'], false, { interactive: true, program: { kind: 'inline', text: 'BEGIN { }' } }],
    [['-l'], true, {}],
  ])('%j with stdin a terminal: %s', (argv, tty, expected) => {
    const r = parseCommandLine(argv, DUMP_POINTS, { stdinIsTTY: tty });
    expect(r.kind).toBe('run');
    if (r.kind !== 'run') return;
    expect({ interactive: r.commandLine.interactive, program: r.commandLine.program }).toEqual({ interactive: undefined, program: undefined, ...expected });
  });

  test.each([
    [[], false, 'USAGE: no program given: use -e PROGRAM, a FILE or - for stdin'],
    [['-i', '-'], false, 'USAGE: -i reads entries from stdin: give a program to start with by -e PROGRAM or a FILE'],
  ])('%j refused', (argv, tty, message) => {
    expect(parseCommandLine(argv, DUMP_POINTS, { stdinIsTTY: tty })).toEqual({ kind: 'error', message });
  });

  test('an unknown workload: one error, exit 1, no REPL', async () => {
    expect(await pipedRepl(['-i', '--workload', 'nonesuch'], '@x = 1\n')).toEqual({
      code: 1,
      transcript: "ERROR: unknown workload 'nonesuch' (available: build, database, mixed, webserver)\n",
    });
  });
});
