// Whole runs through the command line whose stdout, stderr and exit code were recorded from
// bpftrace 0.23 (/opt/bpftrace-0.23/bpftrace, BEGIN spelled as it spells it, its
// RLIMIT_MEMLOCK warning dropped): the runtime-test cases of upstream's suite that 0.23
// passes, and the neighbouring behaviour 0.23 shows for them. Not the printers' unit tests.

import { beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../e2e/run-cli.js';

beforeAll(() => {
  process.env['TZ'] = 'UTC';
});

interface Case {
  argv: string[];
  out: string;
  err?: string;
  code?: number;
}

const lines = (...l: string[]): string => l.map((x) => `${x}\n`).join('');

async function expectRun(c: Case): Promise<void> {
  const r = await runCli(c.argv);
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
