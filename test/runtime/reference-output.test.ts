// Whole runs through the command line whose stdout, stderr and exit code were recorded from
// bpftrace 0.23 (/opt/bpftrace-0.23/bpftrace, BEGIN spelled as it spells it, its
// RLIMIT_MEMLOCK warning dropped): the runtime-test cases of upstream's suite that 0.23
// passes, and the neighbouring behaviour 0.23 shows for them. Not the printers' unit tests.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../e2e/run-cli.js';

beforeAll(() => {
  process.env['TZ'] = 'UTC';
});

interface Case {
  argv: string[];
  env?: Record<string, string>;
  out: string;
  err?: string;
  code?: number;
}

const lines = (...l: string[]): string => l.map((x) => `${x}\n`).join('');

async function expectRun(c: Case): Promise<void> {
  const r = await runCli(c.argv, c.env ? { env: c.env } : {});
  expect({ code: r.code, out: r.out, err: r.err }).toEqual({ code: c.code ?? 0, out: c.out, err: c.err ?? '' });
}

describe('enum values print as their enumerator (0.23: text output only)', () => {
  const cases: [string, Case][] = [
    ['anonymous enum in map keys', {
      argv: ['-e', 'enum { ONE = 1, TWO = 2 }; BEGIN { @[ONE] = 11; @[TWO] = 22; @m[ONE] = 333; exit(); }'],
      out: lines('Attaching 1 probe...', '', '', '@[ONE]: 11', '@[TWO]: 22', '@m[ONE]: 333'),
    }],
    ['anonymous enum in a tuple key and a map value', {
      argv: ['-e', 'enum { ONE = 1, TWO = 2 }; BEGIN { @[ONE,TWO,ONE] = -1; @v = ONE; @t = (ONE, TWO); exit(); }'],
      out: lines('Attaching 1 probe...', '', '', '@[ONE, TWO, ONE]: -1', '@t: (ONE, TWO)', '@v: ONE'),
    }],
    ['anonymous enum in print() of a variable and a tuple', {
      argv: ['-e', 'enum { FOO = 333, BAR }; BEGIN { $f = FOO; print($f); $t = (FOO, BAR); print($t); exit(); }'],
      out: lines('Attaching 1 probe...', 'FOO', '(FOO, BAR)', '', ''),
    }],
    ['of two enumerators with one value the later names it; printf %s of an anonymous enum', {
      argv: ['-e', 'enum { ONE = 1, X = 1 }; enum { A = 1, B }; BEGIN { printf("%s %d %s\\n", A, B, B); @ = ONE; @c = (ONE, B); exit(); }'],
      out: lines('Attaching 1 probe...', 'A 2 B', '', '', '@: X', '@c: (X, B)'),
    }],
    ['a value with no enumerator prints its number', {
      argv: ['-e', 'enum Foo { ONE = 1 }; BEGIN { $v = 5; @z = (enum Foo)$v; exit(); }'],
      out: lines('Attaching 1 probe...', '', '', '@z: 5'),
    }],
    ['json output keeps the numbers', {
      argv: ['-f', 'json', '-e', 'enum { ONE = 1, TWO = 2 }; BEGIN { @ = ONE; @k[TWO] = ONE; @t = (ONE, TWO); $x = TWO; print($x); exit(); }'],
      out: lines(
        '{"type": "attached_probes", "data": {"probes": 1}}',
        '{"type": "value", "data": 2}',
        '',
        '',
        '{"type": "map", "data": {"@": 1}}',
        '{"type": "map", "data": {"@k": {"2": 1}}}',
        '{"type": "map", "data": {"@t": [1,2]}}',
      ),
    }],
    ['an anonymous enum type is named by its line in 0.23\'s definitions.h', {
      argv: ['-e', 'struct a { int x; }; enum { ONE = 1 }; enum { TWO = 2 }; BEGIN { @ = TWO; @ = "s"; exit(); }'],
      out: '',
      err: lines(
        "stdin:1:75-76: ERROR: Type mismatch for @: trying to assign value of type 'string[2]' when map already contains a value of type 'enum enum (unnamed at definitions.h:4:1)'",
        'struct a { int x; }; enum { ONE = 1 }; enum { TWO = 2 }; BEGIN { @ = TWO; @ = "s"; exit(); }',
        '                                                                          ~',
      ),
      code: 1,
    }],
  ];
  test.each(cases)('%s', async (_name, c) => expectRun(c));
});

describe('cgroup_path() on a cgroup-v2-only machine: the unified hierarchy, filtered by name', () => {
  // 0.23 on a machine with v1 hierarchies mounted too prints them after unified:/ (blkio:/,…).
  test('the root cgroup, filters that match and do not, an unknown id', async () =>
    expectRun({
      argv: ['-e', 'BEGIN { print(cgroup_path(cgroup)); print(cgroup_path(cgroup, "uni*")); print(cgroup_path(cgroup, "cpu*")); printf("[%s]\\n", cgroup_path(12345678)); exit(); }'],
      out: lines('Attaching 1 probe...', 'unified:/', 'unified:/', '', '[]', '', ''),
    }));
  test('json', async () =>
    expectRun({
      argv: ['-f', 'json', '-e', 'BEGIN { print(cgroup_path(cgroup)); print((1, cgroup_path(cgroup, "unified"))); exit(); }'],
      out: lines('{"type": "attached_probes", "data": {"probes": 1}}', '{"type": "value", "data": "unified:/"}', '{"type": "value", "data": [1,"unified:/"]}', '', ''),
    }));
});

describe('cat(): max_cat_bytes from the config block or BPFTRACE_MAX_CAT_BYTES; a missing file', () => {
  // The file's first max_cat_bytes bytes as they are (0.23 adds no newline).
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bpftrace-ts-cat-')), 'digits');
  fs.writeFileSync(file, '0123456789\n');
  test('config block', async () => {
    const r = await runCli(['-e', `config = { max_cat_bytes = 3 } BEGIN { cat("${file}"); exit(); }`]);
    expect(r).toEqual({ code: 0, out: `Attaching 1 probe...\n012\n\n`, err: '' });
  });
  test('environment', async () => {
    const r = await runCli(['-e', `BEGIN { cat("${file}"); exit(); }`], { env: { BPFTRACE_MAX_CAT_BYTES: '1' } });
    expect(r).toEqual({ code: 0, out: `Attaching 1 probe...\n0\n\n`, err: '' });
  });
  test('a file that does not exist: 0.23\'s message on stderr, the run goes on', async () =>
    expectRun({
      argv: ['-e', 'BEGIN { cat("/does/not/exist/file"); printf("after\\n"); exit(); }'],
      out: lines('Attaching 1 probe...', 'after', '', ''),
      err: lines("ERROR: failed to open file '/does/not/exist/file': No such file or directory"),
    }));
});

describe('-k: a map lookup that finds nothing is reported where it is written', () => {
  const program = 'i:ms:100 { @[1] = 1; printf("%d\\n", @[2]); $x = @[1]; @s["a"] = "x"; printf("%s|\\n", @s["b"]); exit(); }';
  test('text: the warning, its helper and retcode, the line and the underline, on stdout', async () =>
    expectRun({
      argv: ['-k', '-e', program],
      out: lines(
        'Attaching 1 probe...',
        "stdin:1:37-41: WARNING: Can't lookup map element because it does not exist.",
        'Additional Info - helper: map_lookup_elem, retcode: 0',
        program,
        '                                    ~~~~',
        '0',
        "stdin:1:86-93: WARNING: Can't lookup map element because it does not exist.",
        'Additional Info - helper: map_lookup_elem, retcode: 0',
        program,
        '                                                                                     ~~~~~~~',
        '|',
        '',
        '',
        '@[1]: 1',
        '@s[a]: x',
      ),
    }));
  test('json', async () =>
    expectRun({
      argv: ['-k', '-f', 'json', '-e', 'i:ms:100 { @[1] = 1; printf("%d\\n", @[2]); exit(); }'],
      out: lines(
        '{"type": "attached_probes", "data": {"probes": 1}}',
        '{"type": "helper_error", "msg": "Can\'t lookup map element because it does not exist.", "helper": "map_lookup_elem", "retcode": 0, "line": 1, "col": 37}',
        '{"type": "printf", "data": "0\\n"}',
        '',
        '',
        '{"type": "map", "data": {"@": {"1": 1}}}',
      ),
    }));
  test('without -k nothing is said', async () =>
    expectRun({ argv: ['-e', program], out: lines('Attaching 1 probe...', '0', '|', '', '', '@[1]: 1', '@s[a]: x') }));
});
