// The session layer (src/runtime/session.ts) on its own: an entry-by-entry session prints
// exactly what the same program run by the command line prints, maps keep their entries and
// types across entries (and across a layout change), exit() ends the run but not the
// session, messages of later events point into the entry that holds them, and the world
// can be reseeded, reset and saved as a script that the command line runs.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { renderDiagnostics } from '../../src/diag/render.js';
import { Session, type SessionOptions } from '../../src/runtime/session.js';
import { runCli } from '../e2e/run-cli.js';

beforeAll(() => {
  process.env['TZ'] = 'UTC';
});

const BASE: SessionOptions = { seed: 1, cpus: 4, workload: 'mixed', engine: 'jit', format: 'text', quiet: false, unsafe: false, cwd: '/' };

/** A session whose output (stdout and stderr, in order) is collected in `text`. */
async function open(opts: Partial<SessionOptions> = {}) {
  const log = { out: '', err: '', all: '' };
  const s = await Session.open(
    { ...BASE, ...opts },
    {
      out: (t) => void ((log.out += t), (log.all += t)),
      err: (t) => void ((log.err += t), (log.all += t)),
      pause: () => new Promise((resolve) => setImmediate(resolve)),
    },
  );
  if (!(s instanceof Session)) throw new Error(s.message.text);
  /** Enters text; returns its rendered diagnostics. */
  const enter = (text: string): string => {
    const r = s.submit(text);
    return (r.ok ? '' : 'refused\n') + renderDiagnostics(r.diagnostics);
  };
  const take = (): string => {
    const t = log.all;
    log.all = '';
    return t;
  };
  return { s, log, enter, take };
}

describe('the same runtime as a run', () => {
  test.each([
    'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }',
    'tracepoint:syscalls:sys_enter_openat { printf("%d %s %s\\n", tid, comm, str(args.filename)); }',
    'kprobe:vfs_read { @bytes = hist(arg2); } kretprobe:vfs_read { @ret[comm] = stats(retval); }',
  ])('entered, run 1s, stopped = bpftrace-ts --duration 1s: %s', async (program) => {
    const cli = await runCli(['--duration', '1s', '-e', program]);
    expect(cli.code).toBe(0);
    const { s, enter, log } = await open();
    expect(enter(program)).toBe('');
    const r = await s.advance(1e9);
    expect(r.endedBy).toBe('duration');
    expect(s.endRun()).toBe(true);
    expect(log.out).toBe(cli.out);
    expect(log.out.length).toBeGreaterThan(200);
  });

  test('blocks entered one at a time see the same world as one program', async () => {
    const cli = await runCli(['--duration', '500ms', '-e', 'tracepoint:syscalls:sys_enter_openat { @o[comm] = count(); } tracepoint:syscalls:sys_enter_close { @c[comm] = count(); }']);
    const { s, enter, log } = await open({ quiet: true });
    enter('tracepoint:syscalls:sys_enter_openat { @o[comm] = count(); }');
    enter('tracepoint:syscalls:sys_enter_close { @c[comm] = count(); }');
    await s.advance(5e8);
    s.endRun();
    expect(log.out).toBe(cli.out.replace('Attaching 2 probes...\n', ''));
  });
});

describe('entries', () => {
  test('statements run at once; maps persist; a lone expression prints', async () => {
    const { s, enter, take } = await open();
    expect(enter('printf("%d\\n", 1 + 2)')).toBe('');
    expect(take()).toBe('3\n');
    enter('@x = 5');
    enter('@s["a"] = "one"; @s["b"] = "two"');
    enter('@x += 10');
    expect(take()).toBe('');
    enter('@x');
    enter('@s["b"]');
    enter('comm');
    expect(take()).toBe('@x: 15\ntwo\nbpftrace\n');
    expect(s.mapNames()).toEqual(['@s', '@x']);
    expect(s.mapsText()).toBe('@s[a]: one\n@s[b]: two\n@x: 15\n');
    expect(s.live).toBe(true);
  });

  test('a map keeps its type across entries; a refused entry changes nothing', async () => {
    const { s, enter, take } = await open();
    enter('@x = 1');
    expect(enter('i:s:1 { @x = "one"; }')).toBe(
      [
        'refused',
        "stdin:1:9-11: ERROR: Type mismatch for @x: trying to assign value of type 'string[4]' when map already contains a value of type 'int64'",
        'i:s:1 { @x = "one"; }',
        '        ~~',
        '',
      ].join('\n'),
    );
    expect(s.attachedProbes()).toEqual([]);
    expect(s.mapsText()).toBe('@x: 1\n');
    expect(take()).toBe('');
  });

  test('entries survive a change of a map layout (a string key grows)', async () => {
    const { s, enter } = await open();
    enter('@a["x"] = 1');
    enter('@a["a much longer key"] = 2');
    expect(s.mapsText()).toBe('@a[x]: 1\n@a[a much longer key]: 2\n');
  });

  test('aggregations carry on counting across entries', async () => {
    const { s, enter } = await open({ quiet: true });
    enter('interval:ms:100 { @ticks = count(); }');
    await s.advance(5e8);
    enter('interval:ms:250 { @quarters = count(); }');
    await s.advance(5e8);
    expect(s.mapsText()).toBe('@quarters: 2\n@ticks: 10\n');
  });

  test('a probe the world does not have is refused with the loader message', async () => {
    const { enter } = await open();
    expect(enter('uprobe:/bin/bash:readline { @n = count(); }')).toBe(
      [
        'refused',
        'ERROR: cannot attach uprobe:/bin/bash:readline: the synthetic world has no uprobe probes',
        'HINT: the synthetic world simulates tracepoints, kprobes, kretprobes, fentry/fexit, profile, interval, software and hardware probes',
        '',
      ].join('\n'),
    );
  });
});

describe('the end of a run', () => {
  test('exit() in a probe ends the run: END runs, maps print, definitions stay', async () => {
    const { s, enter, take } = await open();
    enter('macro twice(v) { v * 2 }');
    enter('interval:ms:100 { @n = count(); if (@n == 3) { exit(); } }');
    expect(enter('END { printf("end after %d ticks\\n", twice((uint64)@n) / 2); }')).toBe('');
    expect(take()).toBe('Attaching 1 probe...\n');
    const r = await s.advance(2e9);
    expect(r).toEqual({ endedBy: 'exit', elapsedNs: 300_000_000, events: 3 });
    expect(take()).toBe('end after 3 ticks\n\n\n@n: 3\n');
    expect(s.live).toBe(false);
    expect(s.mapNames()).toEqual([]);
    // The macro is still defined; the maps start again.
    enter('@m = twice(21)');
    enter('@m');
    expect(take()).toBe('@m: 42\n');
  });

  test('exit() typed at the prompt ends the run; endRun() without a run is false', async () => {
    const { s, enter, take } = await open();
    enter('@x = 7');
    const r = s.submit('exit()');
    expect(r).toEqual({ ok: true, diagnostics: [], ended: true });
    expect(take()).toBe('\n\n@x: 7\n');
    expect(s.endRun()).toBe(false);
  });

  test('config print_maps_on_exit = false: the run ends without printing maps', async () => {
    const { s, enter, take } = await open();
    enter('config = { print_maps_on_exit = false }');
    enter('@x = 7');
    s.endRun();
    expect(take()).toBe('\n\n');
    // A newer config replaces it.
    enter('config = { print_maps_on_exit = true }');
    enter('@y = 8');
    s.endRun();
    expect(take()).toBe('\n\n@y: 8\n');
  });
});

describe('messages of later events', () => {
  test('errorf is located in its entry: stdin while it is the newest, repl:N once others follow', async () => {
    const { s, enter, log } = await open({ quiet: true });
    enter('interval:ms:100 { errorf("tick %d", (int64)1); }');
    await s.advance(1e8);
    enter('@other = 1');
    await s.advance(1e8);
    expect(log.err).toBe(
      [
        'stdin:1:19-46: ERROR: tick 1',
        'interval:ms:100 { errorf("tick %d", (int64)1); }',
        '                  ~~~~~~~~~~~~~~~~~~~~~~~~~~~',
        'repl:1:1:19-46: ERROR: tick 1',
        'interval:ms:100 { errorf("tick %d", (int64)1); }',
        '                  ~~~~~~~~~~~~~~~~~~~~~~~~~~~',
        '',
      ].join('\n'),
    );
  });
});

describe('the world', () => {
  const program = 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }';

  test('same seed, same output; .seed moves the run to a new world', async () => {
    const a = await open({ quiet: true });
    a.enter(program);
    await a.s.advance(3e8);
    const first = a.s.mapsText();
    a.s.reseed(1);
    expect(a.s.now).toBe(0);
    a.s.clearMaps();
    // An empty map prints as an empty line, as bpftrace prints it at exit.
    expect(a.s.mapsText()).toBe('\n');
    await a.s.advance(3e8);
    expect(a.s.mapsText()).toBe(first);
    a.s.reseed(2);
    a.s.clearMaps('@');
    await a.s.advance(3e8);
    expect(a.s.mapsText()).not.toBe(first);
    expect(a.s.clearMaps('@nope')?.text).toBe('no map named @nope in this run');
  });

  test('.workload changes what runs; an unknown one is refused', async () => {
    const { s } = await open();
    expect(renderDiagnostics(s.setWorkload('nonesuch'))).toBe(
      "ERROR: unknown workload 'nonesuch' (available: build, database, mixed, webserver)\n",
    );
    expect(s.workload).toBe('mixed');
    expect(s.setWorkload('webserver')).toEqual([]);
    expect(s.workload).toBe('webserver');
  });

  test('reset forgets everything', async () => {
    const { s, enter } = await open({ quiet: true });
    enter('macro m() { 1 }');
    enter(program);
    await s.advance(1e8);
    s.reset();
    expect([s.live, s.now, s.mapNames(), s.attachedProbes(), s.scriptText()]).toEqual([false, 0, [], [], '']);
    expect(enter('@x = m()')).toBe('refused\nstdin:1:6-7: ERROR: Unknown function: m\n@x = m()\n     ~\n');
  });
});

describe('showing the session', () => {
  test('.dump of the last entry', async () => {
    const { s, enter } = await open();
    expect(s.dump('ast')).toEqual({ id: 'repl-nothing-to-dump', text: 'nothing entered yet' });
    enter('@x = 1 + 2');
    expect(s.dump('ast')).toMatch(/^Program\n BEGIN\n/);
    expect(s.dump('bpf')).toMatch(/^BEGIN_\d+: raw_tracepoint program, section raw_tp\/BEGIN, attached to BEGIN\n/);
    expect(s.dump('types')).toMatch(/^config: max_strlen=1024 max_map_keys=4096 stack_mode=bpftrace\nmaps:\n  @x: int64 /);
  });

  test('the saved script runs as the session ran', async () => {
    const { s, enter } = await open({ quiet: true });
    enter('config = { max_strlen = 64 }');
    enter('struct S { int a; }');
    enter('@start = 1');
    enter('printf("hello\\n")');
    enter('tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }');
    enter('END { printf("bye\\n"); }');
    const script = s.scriptText();
    expect(script).toBe(
      [
        'struct S { int a; }',
        '',
        'config = { max_strlen = 64 }',
        '',
        'BEGIN',
        '{',
        '  { @start = 1 }',
        '  { printf("hello\\n") }',
        '}',
        '',
        'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }',
        '',
        'END',
        '{',
        '  { printf("bye\\n"); }',
        '}',
        '',
      ].join('\n'),
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bpftrace-ts-repl-')), 'saved.bt');
    fs.writeFileSync(file, script);
    const run = await runCli(['--duration', '1s', file]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^Attaching 3 probes\.\.\.\nhello\nbye\n\n\n@\[/);
  });
});
