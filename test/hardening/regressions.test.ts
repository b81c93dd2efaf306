// Every crash and bad message the hardening suites and `npm run fuzz` found, as the smallest
// program that showed it, with the exact answer it gets now (bpftrace 0.23's words where it
// has them). A case here was once a stack trace, a hang, an exhausted heap or an empty
// message; it must stay a clean ending.

import { describe, expect, test } from 'vitest';
import { runCli } from '../../fuzz/cli-outcome.js';

describe('found by the hardening suites', () => {
  test.each([
    // The parser built a BigInt from '0x' (SyntaxError: Cannot convert 0x to a BigInt).
    ['0x_ literal', ['-e', 'BEGIN { $x = 0x_; }'], 'stdin:1:14-17: ERROR: invalid integer: 0x_\nBEGIN { $x = 0x_; }\n             ~~~\n'],
    // NUL and ESC were whitespace (Ohm's built-in space is \x00-\x20).
    ['a NUL byte', ['-e', '\0BEGIN { exit(); }'], "stdin:1:1-2: ERROR: invalid character '\\x00'\n\0BEGIN { exit(); }\n~\n"],
    ['an escape character', ['-e', 'BEGIN {\x1b exit(); }'], "stdin:1:8-9: ERROR: invalid character '\\x1b'\nBEGIN {\x1b exit(); }\n       ~\n"],
    // 10^999999999 was computed before being compared with 2^64.
    ['an interval of 1e999999999 s', ['-e', 'interval:s:1e999999999 { exit(); }'], 'stdin:1:1-23: ERROR: Invalid rate of interval probe\ninterval:s:1e999999999 { exit(); }\n~~~~~~~~~~~~~~~~~~~~~~\n'],
    ['a period past 2^64 ns', ['-e', 'interval:ms:18446744073709551615 { exit(); }'], 'stdin:1:1-33: ERROR: interval frequency should be a positive integer\ninterval:ms:18446744073709551615 { exit(); }\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n'],
    // Messages with an empty name in them.
    ['interval:', ['-e', 'interval: { exit(); }'], 'stdin:1:1-10: ERROR: interval probe type requires 1 or 2 arguments, found 1\ninterval: { exit(); }\n~~~~~~~~~\n'],
    ['hardware:', ['-e', 'hardware:{ }'], 'stdin:1:1-10: ERROR: hardware probe must have a hardware event name\nhardware:{ }\n~~~~~~~~~\n'],
    ['software:', ['-e', 'software:{ }'], 'stdin:1:1-10: ERROR: software probe must have a software event name\nsoftware:{ }\n~~~~~~~~~\n'],
  ])('%s', async (_what, argv, err) => {
    const r = await runCli(['--dry-run', ...argv]);
    expect({ code: r.code, out: r.out, err: r.err }).toEqual({ code: 1, out: '', err });
  });

  test('an exponential #define expansion ran out of memory: the expansion budget stops it', async () => {
    const defines = Array.from({ length: 25 }, (_, i) => `#define A${i + 1} (A${i} + A${i})`).join('\n');
    const r = await runCli(['--dry-run', '-e', `#define A0 1\n${defines}\nBEGIN { $x = A25; }`]);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')[0]).toMatch(/^stdin:\d+:\d+-\d+: ERROR: Macro expansion limit reached: expanding A\d+ would copy more than 100000 nodes$/);
  });

  test('a 3,000-term sum overflowed the checker\'s stack: located at the first operand', async () => {
    const r = await runCli(['--dry-run', '-e', `BEGIN { $x = 1${' + 1'.repeat(3000)}; }`]);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')[0]).toBe('stdin:1:14-10031: ERROR: the program nests expressions or blocks more than 500 levels deep');
  });
});

describe('found by npm run fuzz', () => {
  test.each([
    // A program starting with '-' was read as options; '-:…_…' crashed yargs-parser (argv._.push).
    ['a program text beginning with -', ['--dry-run', '-e', '-:vfs_read } @start[tid]'], 1, 'stdin:1:1-2: ERROR: syntax error, unexpected -, expecting attach point\n-:vfs_read } @start[tid]\n~\n'],
    // The checker folded 1 << 99999999999999 as a bigint (RangeError: Maximum BigInt size exceeded).
    ['a constant shift by 10^14', ['--dry-run', '-e', 'BEGIN { $x = 1 << 99999999999999; $y = 1 >> 99999999999999; }'], 0, ''],
    // delete(@m[k]) of a map never assigned reached the compiler ('map nope unknown to the checker').
    ['delete(@m[k]) of an undefined map', ['--dry-run', '-e', 'BEGIN { delete(@nope[1]); exit(); }'], 1, 'stdin:1:9-24: ERROR: Undefined map: @nope\nBEGIN { delete(@nope[1]); exit(); }\n        ~~~~~~~~~~~~~~~\n'],
    ['print(@m[k]) of an undefined map', ['--dry-run', '-e', 'BEGIN { print(@nope[1]); exit(); }'], 1, 'stdin:1:9-23: ERROR: Undefined map: @nope\nBEGIN { print(@nope[1]); exit(); }\n        ~~~~~~~~~~~~~~\n'],
  ])('%s', async (_what, argv, code, err) => {
    const r = await runCli(argv);
    expect({ code: r.code, out: r.out, err: r.err }).toEqual({ code, out: '', err });
  });

  test.each(['comm', 'cgroup', 'cpu', 'rand', 'jiffies', 'uid', 'gid', 'numaid', 'ncpus', 'username', 'probe'])(
    '%s() (stdlib.md\'s function form) compiled to "call was not resolved by the checker"',
    async (name) => {
      const fmt = ['comm', 'username', 'probe'].includes(name) ? '%s' : '%d';
      const plain = await runCli(['--duration', '1ms', '-e', `BEGIN { printf("${fmt}\\n", ${name}); exit(); }`]);
      const called = await runCli(['--duration', '1ms', '-e', `BEGIN { printf("${fmt}\\n", ${name}()); exit(); }`]);
      expect(called.err).toBe('');
      expect(called.code).toBe(0);
      // The same value as the builtin (rand differs from draw to draw: only its line count).
      if (name === 'rand') expect(called.out.split('\n').length).toBe(plain.out.split('\n').length);
      else expect(called.out).toBe(plain.out);
    },
  );
});
