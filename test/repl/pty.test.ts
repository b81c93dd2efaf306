// The REPL on a pseudo-terminal (test/repl/pty-session.py drives it as a person would): the
// prompt and its continuation, Tab completion of a probe name (common part, then the list on
// a second Tab) and of a map, an error and recovery, colours on a terminal (prompt, errors,
// histogram bars) and none under NO_COLOR, Ctrl-C clearing a line and stopping a long .run,
// Ctrl-D leaving, and history carried from one session to the next through the file.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { expectGolden } from '../parse/golden.js';
import { CLI, ROOT } from './cli-path.js';

const HELPER = path.join(import.meta.dirname, 'pty-session.py');
const hasPython = spawnSync('python3', ['-c', 'import pty'], { encoding: 'utf8' }).status === 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bpftrace-ts-pty-'));
const historyFile = path.join(tmp, 'history');

interface Step {
  send?: string;
  expect?: string;
  delay?: number;
}

/** Runs the CLI with `args` on a terminal through the steps; the raw bytes it drew. */
function onTerminal(args: string[], steps: Step[], env: Record<string, string> = {}): { status: number | null; raw: string; err: string } {
  const file = path.join(tmp, `steps-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(steps));
  const r = spawnSync('python3', [HELPER, file, '--', process.execPath, CLI, ...args], {
    encoding: 'latin1',
    timeout: 180_000,
    cwd: tmp,
    env: { ...process.env, TZ: 'UTC', TERM: 'xterm', BPFTRACE_TS_HISTORY: historyFile, ...env },
  });
  return { status: r.status, raw: r.stdout, err: r.stderr };
}

/** What the screen shows, roughly: control sequences dropped, line ends as `\n`. */
function screenText(raw: string): string {
  return raw
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/\r+\n/g, '\n')
    .replace(/\r/g, '');
}

const PROMPT = 'bpftrace> ';

describe.skipIf(!hasPython)('on a terminal', () => {
  test('a scripted session: probe, completion, run, maps, an error, recovery, colours, Ctrl-C, Ctrl-D', () => {
    const r = onTerminal(
      ['-i'],
      [
        { expect: PROMPT },
        // Tab completes the common part; a second Tab lists the candidates.
        { send: 'tracepoint:syscalls:sys_enter_opena\t', expect: 'openat' },
        { send: '\t', expect: 'sys_enter_openat2' },
        // The entry continues while its brace is open.
        { send: ' {\r', expect: '... ' },
        { send: '@opens[comm] = count(); }\r', expect: PROMPT },
        { send: '.ru\t', expect: '.run' },
        { send: ' 500ms\r', expect: PROMPT },
        { send: '@op\t', expect: '@opens' },
        { send: '\r', expect: PROMPT },
        // An error, located in the typed text; the REPL goes on.
        { send: '@opens = 1\r', expect: PROMPT },
        { send: 'kprobe:vfs_read { @bytes = hist(arg2); }\r', expect: PROMPT },
        { send: '.run\r', expect: PROMPT },
        { send: 'print(@bytes)\r', expect: PROMPT },
        // Ctrl-C drops the line being typed; on an empty line it says how to leave.
        { send: '@x = 1 +', expect: '+' },
        { send: '\x03', expect: PROMPT },
        { send: '\x03', expect: PROMPT },
        { send: 'printf("from the first session\\n")\r', expect: PROMPT },
        // Ctrl-D leaves: the run ends and its maps print.
        { send: '\x04', expect: '@opens[node]' },
      ],
    );
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expectGolden(path.join(ROOT, 'test', 'golden', 'repl', 'terminal.txt'), screenText(r.raw));
    // Colours: the prompt, the ERROR label and underline, histogram bars, the notes.
    expect(r.raw).toContain('\x1b[1m\x1b[36mbpftrace> \x1b[39m\x1b[22m');
    expect(r.raw).toContain('\x1b[31mERROR:\x1b[39m');
    expect(r.raw).toContain('|\x1b[32m@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\x1b[39m|');
    expect(r.raw).toContain('\x1b[2mran 500ms: 37 events (the world is at 0.500s)\x1b[22m');
    // Typed lines are kept, oldest first (the line dropped by Ctrl-C is not).
    expect(fs.readFileSync(historyFile, 'utf8')).toBe(
      [
        'tracepoint:syscalls:sys_enter_openat {',
        '@opens[comm] = count(); }',
        '.run 500ms',
        '@opens',
        '@opens = 1',
        'kprobe:vfs_read { @bytes = hist(arg2); }',
        '.run',
        'print(@bytes)',
        'printf("from the first session\\n")',
        '',
      ].join('\n'),
    );

    // The next session: history recalls the last line; Ctrl-C stops a long run; no colour under NO_COLOR.
    const next = onTerminal(
      ['-i', '-q'],
      [
        { expect: PROMPT },
        { send: '\x1b[A', expect: 'first session' },
        { send: '\r', expect: PROMPT },
        { send: 'interval:ms:10 { @ticks = count(); }\r', expect: PROMPT },
        { send: '.run 1h\r' },
        { send: '\x03', delay: 1, expect: PROMPT },
        { send: '.exit\r', expect: '@ticks:' },
      ],
      { NO_COLOR: '1' },
    );
    expect(next.err).toBe('');
    expect(next.status).toBe(0);
    expect(next.raw).not.toMatch(/\x1b\[[0-9;]*m/);
    const screen = screenText(next.raw);
    expect(screen).toContain(`${PROMPT}printf("from the first session\\n")\nfrom the first session\n`);
    const stopped = /\nstopped after [\d.]+m?s: (\d+) events \(the world is at \d+\.\d{3}s\)\n/.exec(screen);
    expect(stopped).not.toBeNull();
    // The run was stopped, not ended: .exit ends it and prints the ticks counted.
    const ticks = Number(stopped![1]);
    expect(screen.endsWith(`${PROMPT}.exit\n\n\n@ticks: ${ticks}\n`)).toBe(true);
  });
});
