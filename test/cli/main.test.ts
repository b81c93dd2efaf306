// The command line end to end through main() with captured streams: help, version,
// programs from -e / files / stdin, syntax errors in bpftrace's exact form, bad file
// names, listing, dumps, -o, and the reading of positional and named parameters.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { OPTIONS, parseCommandLine } from '../../src/cli/options.js';
import { SourceFile } from '../../src/diag/source.js';
import { dumpAst } from '../../src/parse/dump.js';
import { parseProgram } from '../../src/parse/parse-program.js';
import { listProbes } from '../../src/probes/list.js';
import { DUMP_POINTS } from '../../src/pipeline.js';
import { expectGolden } from '../parse/golden.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(argv: string[], options: { stdin?: string; tty?: boolean; env?: Record<string, string> } = {}): Promise<Run> {
  let out = '';
  let err = '';
  const io: CliIo = {
    writeOut: (t) => void (out += t),
    writeErr: (t) => void (err += t),
    readStdin: async () => options.stdin ?? '',
    env: options.env ?? {},
    errIsTTY: options.tty ?? false,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bpftrace-ts-cli-'));
const version = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string })
  .version;

describe('help and version', () => {
  test('--help prints the usage and every option, exit 0', async () => {
    const r = await run(['--help']);
    expect([r.code, r.err]).toEqual([0, '']);
    for (const o of OPTIONS) expect(r.out).toContain(o.usage ?? (o.name.length === 1 ? `-${o.name}` : `--${o.name}`));
    expectGolden(path.join(__dirname, '..', 'golden', 'cli', 'help.txt'), r.out);
  });

  test.each([['--version'], ['-V']])('%s', async (flag) => {
    expect(await run([flag])).toEqual({ code: 0, out: `bpftrace-ts v${version}\n`, err: '' });
  });
});

describe('programs', () => {
  test('kaddr() of a symbol the kernel does not have: bpftrace\'s words, located', async () => {
    expect(await run(['-e', 'begin { print(kaddr("asdfzzzzzzz")) }'])).toEqual({
      code: 1,
      out: '',
      err: 'stdin:1:15-35: ERROR: Failed to resolve kernel symbol: asdfzzzzzzz\nbegin { print(kaddr("asdfzzzzzzz")) }\n              ~~~~~~~~~~~~~~~~~~~~\n',
    });
  });

  test('--no-warnings drops the checker\'s warnings and the run\'s helper-error reports, as bpftrace 0.23', async () => {
    const program = 'config = { max_map_keys = 1 } BEGIN { @a[1] = 1; @a[2] = 2; $u = (uint32)1; if ($u < -1) { } exit(); }';
    const loud = await run(['-e', program]);
    expect(loud.out).toContain("WARNING: Map full; can't update element.");
    expect(loud.err).toContain('WARNING: comparison of integers of different signs');
    expect(await run(['--no-warnings', '-e', program])).toEqual({ code: 0, out: 'Attaching 1 probe...\n\n\n@a[1]: 1\n', err: '' });
  });

  test('--dry-run of a valid program prints nothing and exits 0', async () => {
    expect(await run(['--dry-run', '-e', 'BEGIN { printf("hi\\n"); exit(); }'])).toEqual({ code: 0, out: '', err: '' });
  });

  test('a syntax error in -e: bpftrace form on stderr, exit 1', async () => {
    expect(await run(['--dry-run', '-e', 'BEGIN { printf("hi") exit(); }'])).toEqual({
      code: 1,
      out: '',
      err: [
        'stdin:1:22-26: ERROR: syntax error, unexpected call, expecting ; or }',
        'BEGIN { printf("hi") exit(); }',
        '                     ~~~~',
        '',
      ].join('\n'),
    });
  });

  test('an error in a script names the script', async () => {
    const file = path.join(tmp, 'broken.bt');
    fs.writeFileSync(file, 'BEGIN\n{\n  $x = ;\n}\n');
    const r = await run(['--dry-run', file]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${file}:3:8-9: ERROR: syntax error, unexpected ;, expecting expression\n  $x = ;\n       ~\n`);
  });

  test('a missing file is one line, exit 1', async () => {
    expect(await run(['--dry-run', 'no-such-file.bt'])).toEqual({
      code: 1,
      out: '',
      err: "ERROR: failed to open file 'no-such-file.bt': No such file or directory\n",
    });
  });

  test('a directory is one line, exit 1', async () => {
    expect(await run(['--dry-run', tmp])).toEqual({ code: 1, out: '', err: `ERROR: failed to open file '${tmp}': Is a directory\n` });
  });

  test('- reads the program from stdin', async () => {
    expect(await run(['--dry-run', '-'], { stdin: 'BEGIN { exit(); }' })).toEqual({ code: 0, out: '', err: '' });
    const bad = await run(['--dry-run', '-'], { stdin: 'BEGIN { 1 2 }' });
    expect([bad.code, bad.err.split('\n')[0]]).toEqual([1, 'stdin:1:11-12: ERROR: syntax error, unexpected integer, expecting ; or }']);
  });

  test('checker errors stop the run too', async () => {
    const r = await run(['--dry-run', '-e', 'BEGIN { $x = no_such_function(); }']);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')[0]).toMatch(/^stdin:1:14-30: ERROR: /);
  });

  test('without --dry-run the program runs', async () => {
    expect(await run(['-e', 'BEGIN { printf("hi\\n"); exit(); }'])).toEqual({
      code: 0,
      out: 'Attaching 1 probe...\nhi\n\n\n',
      err: '',
    });
  });

  test('diagnostics are coloured on a terminal unless NO_COLOR is set', async () => {
    const coloured = await run(['--dry-run', '-e', 'BEGIN { ; }'], { tty: true });
    expect(coloured.err).toMatch(/\x1b\[31mERROR:/);
    const plain = await run(['--dry-run', '-e', 'BEGIN { ; }'], { tty: true, env: { NO_COLOR: '1' } });
    expect(plain.err).not.toMatch(/\x1b\[/);
  });
});

describe('dumps and output', () => {
  const program = 'kprobe:vfs_read /pid == 1/ { @[comm] = count(); }';
  const expected = (() => {
    const r = parseProgram(new SourceFile('stdin', program));
    if (!r.ok) throw new Error('fixture does not parse');
    return dumpAst(r.value);
  })();

  test('-d ast prints the tree on stdout', async () => {
    expect(await run(['--dry-run', '-d', 'ast', '-e', program])).toEqual({ code: 0, out: expected, err: '' });
    expect((await run(['--dry-run', '--dump', 'ast', '-e', program])).out).toBe(expected);
  });

  test('-o FILE receives the output instead of stdout', async () => {
    const file = path.join(tmp, 'dump.txt');
    expect(await run(['--dry-run', '-d', 'ast', '-o', file, '-e', program])).toEqual({ code: 0, out: '', err: '' });
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
  });

  test('an unknown dump point is refused with the valid ones', async () => {
    expect(await run(['-d', 'nope', '-e', program])).toEqual({
      code: 1,
      out: '',
      err: `ERROR: USAGE: invalid option for -d: nope (valid: ${['all', ...DUMP_POINTS].join(', ')})\nHINT: bpftrace-ts --help lists the options\n`,
    });
  });

  test('an unknown output format is refused in 0.23\'s words', async () => {
    expect(await run(['-f', 'xml', '-e', program])).toEqual({ code: 1, out: '', err: 'ERROR: Invalid output format "xml"\nValid formats: \'text\', \'json\'\n' });
  });
});

describe('command line mistakes', () => {
  // bpftrace 0.23: getopt's complaint (glibc's words, its own name first), the usage text
  // on stderr, exit 1.
  test.each([
    [['-e', 'BEGIN {}', '--aa=20'], "unrecognized option '--aa=20'"],
    [['--output', '/tmp/x', '-e', 'BEGIN {}'], "unrecognized option '--output'"],
    [['-Z', '-e', 'BEGIN {}'], "invalid option -- 'Z'"],
    [['-qZ', '-e', 'BEGIN {}'], "invalid option -- 'Z'"],
    [['-e', 'BEGIN {}', '-o'], "option requires an argument -- 'o'"],
    [['-e', 'BEGIN {}', '--seed'], "option '--seed' requires an argument"],
    [['--dry-run=3', '-e', 'BEGIN {}'], "option '--dry-run' doesn't allow an argument"],
  ])('a refused option %j: %s, then the usage', async (argv, problem) => {
    const help = await run(['--help']);
    expect(await run(argv)).toEqual({ code: 1, out: '', err: `bpftrace-ts: ${problem}\n${help.out}` });
  });

  test('options end at --; an option value may start with -', async () => {
    expect((await run(['--dry-run', '-e', '-1', '--', '--aa=1'])).err).not.toContain('unrecognized');
    expect((await run(['--dry-run', '-e', 'BEGIN {}', '--', '--aa=1', '-Z'])).code).toBe(0);
  });

  test.each([[['-kk']], [['-k', '-k']], [['-qkk']]])('%j: 0.23\'s deprecation error, exit 1', async (flags) => {
    expect(await run([...flags, '-e', 'BEGIN { exit(); }'])).toEqual({
      code: 1,
      out: '',
      err: 'ERROR: USAGE: -kk has been deprecated. Use a single -k for runtime warnings for errors in map lookups and probe reads.\n',
    });
  });

  test('no program at all', async () => {
    const r = await run([]);
    expect([r.code, r.err.split('\n')[0]]).toEqual([1, 'ERROR: USAGE: no program given: use -e PROGRAM, a FILE or - for stdin']);
  });
});

describe('listing', () => {
  test.each([
    [['-l', 'tracepoint:sched:sched_switch'], 'tracepoint:sched:sched_switch', false],
    [['-lv', 'tracepoint:sched:sched_switch'], 'tracepoint:sched:sched_switch', true],
    [['-l', '-v', 'kprobe:vfs_*'], 'kprobe:vfs_*', true],
    [['--list', 'tracepoint:sched:*'], 'tracepoint:sched:*', false],
  ])('%j prints what listProbes gives', async (argv, pattern, verbose) => {
    const r = await run(argv);
    expect(r).toEqual({ code: 0, out: listProbes(pattern, verbose), err: '' });
    expect(r.out.length).toBeGreaterThan(0);
  });

  test('-l FILE lists the probes of the program in FILE when it exists (else FILE is a search), as bpftrace 0.23', async () => {
    const file = path.join(tmp, 'listing.bt');
    fs.writeFileSync(file, 'interval:ms:1000 {}\ninterval:s:1 {}\ntracepoint:sched:sched_switch {}\n');
    expect(await run(['-l', file])).toEqual({ code: 0, out: 'interval:ms:\ninterval:s:\ntracepoint:sched:sched_switch\n', err: '' });
    expect(await run(['-l', path.join(tmp, 'no-such.bt')])).toEqual({ code: 0, out: '', err: '' });
  });

  test('-l with a program lists the probes of its attach points', async () => {
    const r = await run(['-l', '-e', 'tracepoint:sched:sched_switch { }']);
    expect(r).toEqual({ code: 0, out: listProbes('tracepoint:sched:sched_switch', false), err: '' });
  });
});

describe('reading the command line', () => {
  test('positional parameters follow the program; named ones follow --', () => {
    const r = parseCommandLine(['-e', 'BEGIN {}', 'a', '007', '--', 'c', '--n=1', '--flag', '--s=x=y'], DUMP_POINTS);
    if (r.kind !== 'run') throw new Error(r.kind);
    expect(r.commandLine.program).toEqual({ kind: 'inline', text: 'BEGIN {}' });
    expect(r.commandLine.positional).toEqual(['a', '007', 'c']);
    expect([...r.commandLine.named]).toEqual([
      ['n', '1'],
      ['flag', true],
      ['s', 'x=y'],
    ]);
  });

  test('a script takes the first argument; the rest are parameters', () => {
    const r = parseCommandLine(['script.bt', 'x', 'y'], DUMP_POINTS);
    if (r.kind !== 'run') throw new Error(r.kind);
    expect([r.commandLine.program, r.commandLine.positional]).toEqual([{ kind: 'file', path: 'script.bt' }, ['x', 'y']]);
  });

  test('flags land in their fields', () => {
    const r = parseCommandLine(['-q', '--unsafe', '-f', 'json', '-o', 'out.txt', '-v', '--dry-run', '-d', 'all', '-'], DUMP_POINTS);
    if (r.kind !== 'run') throw new Error(r.kind);
    const c = r.commandLine;
    expect([c.quiet, c.unsafe, c.format, c.outputFile, c.verbose, c.dryRun, c.dumps, c.program]).toEqual([
      true,
      true,
      'json',
      'out.txt',
      true,
      true,
      DUMP_POINTS,
      { kind: 'stdin' },
    ]);
  });

  test('-l takes its pattern from the first argument', () => {
    const r = parseCommandLine(['-lv', 'kprobe:*'], DUMP_POINTS);
    if (r.kind !== 'run') throw new Error(r.kind);
    expect([r.commandLine.list, r.commandLine.verbose, r.commandLine.listPattern, r.commandLine.program]).toEqual([
      true,
      true,
      'kprobe:*',
      undefined,
    ]);
  });
});
