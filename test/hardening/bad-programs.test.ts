// Bad programs never crash bpftrace-ts: mutants of the repository's programs (token
// deletions, insertions, swaps, truncation, odd characters, bytes that are not UTF-8, huge
// literals, two programs spliced), programs nested 10,000 deep in every way the grammar
// nests, and 1 MB one-liners each end with exit 0 or an `ERROR:` line and exit 1, within
// a time bound, with no stack trace (fuzz/cli-outcome.ts holds the verdict). `npm run fuzz`
// runs the same generators a hundred times longer.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { judge, runCli, type CliRun, type Ending } from '../../fuzz/cli-outcome.js';
import { DEEP_SHAPES } from '../../fuzz/deep-programs.js';
import { BAD_UTF8, HUGE_LITERALS, materialize, programCase } from '../../fuzz/program-mutations.js';
import { repositorySeeds } from '../../fuzz/seeds.js';
import { MAX_NESTING } from '../../src/parse/nesting.js';
import { MAX_PROGRAM_LENGTH } from '../../src/parse/parse-program.js';
import { expectGolden } from '../parse/golden.js';

/** Per-case bound. Real cases take milliseconds; this only has to catch a hang or a blow-up. */
const CASE_MS = 10_000;
const GOLDEN = path.join(import.meta.dirname, '..', 'golden', 'hardening');
const seeds = repositorySeeds();

function expectAcceptable(r: CliRun, text: string, argv: readonly string[]): Ending {
  const v = judge(r, { maxMs: CASE_MS, programText: text });
  if (!v.ok) throw new Error(`${v.reason}\nargv: ${JSON.stringify(argv).slice(0, 2000)}`);
  return v.ending;
}

describe('mutants of the repository programs', () => {
  test('seeds: every repository program is there and most check cleanly', async () => {
    expect(seeds.length).toBeGreaterThan(300);
    let clean = 0;
    for (const s of seeds) {
      const argv = ['--dry-run', ...(s.unsafe ? ['--unsafe'] : []), '-e', s.text, ...s.params];
      if (expectAcceptable(await runCli(argv), s.text, argv) === 'exit-0') clean++;
    }
    // The check-errors corpus is bad on purpose; everything else is good.
    expect(clean).toBeGreaterThan(seeds.filter((s) => !s.name.includes('check-errors')).length * 0.9);
  });

  test('2,000 mutants end in exit 0 or an ERROR: line, each within the bound', async () => {
    const endings = { 'exit-0': 0, error: 0, 'program-exit': 0, usage: 0 };
    await fc.assert(
      // One in 40 runs 20 ms in the synthetic world; the rest stop after checking (--dry-run).
      fc.asyncProperty(programCase(seeds, 40), async (c) => {
        const m = materialize(c, seeds);
        const r = await runCli(m.argv, m.stdin !== undefined ? { stdin: m.stdin } : {});
        endings[expectAcceptable(r, m.text, m.argv)]++;
      }),
      { numRuns: 2000, seed: Number(process.env['FUZZ_SEED'] ?? 20240607) },
    );
    // The mutants reach past the parser: some still run, most are refused somewhere.
    expect(endings['exit-0']).toBeGreaterThan(100);
    expect(endings.error).toBeGreaterThan(1000);
  });
});

describe(`nesting 10,000 deep: a diagnostic, never a RangeError (limit ${MAX_NESTING} levels)`, () => {
  test.each(Object.keys(DEEP_SHAPES))('%s', async (shape) => {
    const text = DEEP_SHAPES[shape]!(10_000);
    const argv = ['--dry-run', '-e', text];
    const r = await runCli(argv);
    // Only flat shapes (nested comments, escapes) may be fine at any depth.
    const ending = expectAcceptable(r, text, argv);
    if (!['nested comments', 'string escapes'].includes(shape)) expect(ending).toBe('error');
  });

  test.each(Object.keys(DEEP_SHAPES))('%s, 200 deep', async (shape) => {
    const text = DEEP_SHAPES[shape]!(200);
    const argv = ['--dry-run', '-e', text];
    expectAcceptable(await runCli(argv), text, argv);
  });

  test('the limit is exact and located: 499 additions pass, 500 are refused at the first operand', async () => {
    const chain = (n: number) => `BEGIN { $x = 1${' + 1'.repeat(n)}; }`;
    // The tree: Program > Probe > Block > AssignVar > n Binary nodes > Int.
    const fits = await runCli(['--dry-run', '-e', chain(MAX_NESTING - 5)]);
    expect([fits.code, fits.err]).toEqual([0, '']);
    const r = await runCli(['--dry-run', '-e', chain(MAX_NESTING - 4)]);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')[0]).toMatch(/^stdin:1:14-\d+: ERROR: the program nests expressions or blocks more than 500 levels deep$/);
    expect(r.err.split('\n').at(-2)).toBe('HINT: split a long chain of operators with variables: $a = …; $b = $a + …');
  });

  test('#define chains deepen the tree after parsing: refused after expansion, located', async () => {
    // 30 defines, each 20 additions deep: every one parses shallow, the expansion is 600 deep.
    const defines = Array.from({ length: 30 }, (_, i) => `#define D${i + 1} (D${i}${' + 1'.repeat(20)})`).join('\n');
    const r = await runCli(['--dry-run', '-e', `#define D0 1\n${defines}\nBEGIN { $x = D30; }`]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^stdin:\d+:\d+-\d+: ERROR: the program nests expressions or blocks more than 500 levels deep$/m);
    // A chain of defines deeper than 64 is stopped before that, as recursion.
    const long = await runCli(['--dry-run', '-e', DEEP_SHAPES['define chain']!(100)]);
    expect(long.err).toMatch(/^stdin:\d+:\d+-\d+: ERROR: Macro D\d+ expands recursively$/m);
  });

  test('exponential #define expansion stops at the expansion budget', async () => {
    const defines = Array.from({ length: 40 }, (_, i) => `#define A${i + 1} (A${i} + A${i})`).join('\n');
    const r = await runCli(['--dry-run', '-e', `#define A0 1\n${defines}\nBEGIN { $x = A40; }`]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^stdin:\d+:\d+-\d+: ERROR: Macro expansion limit reached: expanding A\d+ would copy more than 100000 nodes$/m);
    expect(r.ms).toBeLessThan(CASE_MS);
  });
});

describe('huge literals', () => {
  test('every literal in BEGIN { $x = … }: exact outcomes (golden)', async () => {
    const lines: string[] = [];
    for (const lit of HUGE_LITERALS) {
      const text = `BEGIN { $x = ${lit}; }`;
      const r = await runCli(['--dry-run', '-e', text]);
      expectAcceptable(r, text, ['-e', text]);
      lines.push(`== ${lit} → exit ${r.code}`, r.err.trimEnd());
    }
    expectGolden(path.join(GOLDEN, 'huge-literals.txt'), `${lines.join('\n')}\n`);
  });

  test.each([
    ['a map size', 'let @a = hash(99999999999999999999); BEGIN { @a[1] = 1; }'],
    ['an unroll count', 'BEGIN { unroll(99999999999999999999) { } }'],
    ['a positional parameter index', 'BEGIN { $x = $99999999999999999999; }'],
    ['an array size in a cast', 'BEGIN { $x = (int8[18446744073709551616])0; }'],
    ['a hist bits argument', 'BEGIN { @ = hist(1, 18446744073709551616); }'],
    ['an lhist bound', 'BEGIN { @ = lhist(1, 0, 18446744073709551616, 1); }'],
    ['a profile rate', 'profile:hz:18446744073709551616 { exit(); }'],
    ['an interval', 'interval:s:18446744073709551616 { exit(); }'],
    ['a config value', 'config = { max_strlen = 18446744073709551616 } BEGIN { exit(); }'],
    ['a tuple index', 'BEGIN { $t = (1, 2); $x = $t.18446744073709551616; }'],
  ])('in %s: a located error', async (_what, text) => {
    const r = await runCli(['--dry-run', '-e', text]);
    expect(expectAcceptable(r, text, ['-e', text])).toBe('error');
    expect(r.err).toMatch(/^stdin:1:\d+(-\d+)?: ERROR: /);
  });
});

describe('1 MB one-liners', () => {
  const MB = 1 << 20;
  const fill = (unit: string, around: (body: string) => string) => around(unit.repeat(Math.ceil(MB / unit.length)));
  test.each([
    ['statements', fill('$x = 1; ', (b) => `BEGIN { ${b}}`)],
    ['one string literal', fill('a', (b) => `BEGIN { printf("${b}"); }`)],
    ['one identifier', fill('a', (b) => `BEGIN { $${b} = 1; }`)],
    ['one number', fill('9', (b) => `BEGIN { $x = ${b}; }`)],
    ['whitespace', fill(' ', (b) => `BEGIN {${b}}`)],
    ['a comment', fill('x', (b) => `BEGIN { /*${b}*/ }`)],
    ['probes', fill('interval:s:1 { @n = count(); }\n', (b) => b)],
  ])('%s: refused at once with the length limit', async (_what, text) => {
    const r = await runCli(['--dry-run', '-e', text]);
    expect([r.code, r.err]).toEqual([1, `ERROR: the program is ${text.length} characters long; bpftrace-ts parses programs of at most ${MAX_PROGRAM_LENGTH}\n`]);
    expect(r.ms).toBeLessThan(1000);
  });

  test('a program just under the limit parses (a long string literal is refused by the checker, located)', async () => {
    const text = `BEGIN { $s = "${'a'.repeat(MAX_PROGRAM_LENGTH - 40)}"; }`;
    const r = await runCli(['--dry-run', '-e', text]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^stdin:1:14-\d+: ERROR: String is too long \(over 1024 bytes\)/);
  });
});

describe('bytes that are not UTF-8', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bpftrace-ts-hardening-'));
  const program = Buffer.from('BEGIN { printf("x\\n"); exit(); }\n');
  test.each(BAD_UTF8.map((b, i) => [b.map((x) => x.toString(16).padStart(2, '0')).join(' '), i] as const))(
    '%s in a string, in a keyword, at the start — through a script file and stdin',
    async (_hex, i) => {
      const bad = Buffer.from(BAD_UTF8[i]!);
      for (const [k, at] of [[0, 17], [1, 2], [2, 0]] as const) {
        const bytes = Buffer.concat([program.subarray(0, at), bad, program.subarray(at)]);
        const file = path.join(tmp, `bad-${i}-${k}.bt`);
        fs.writeFileSync(file, bytes);
        const viaFile = await runCli(['--dry-run', file]);
        const viaStdin = await runCli(['--dry-run', '-'], { stdin: new Uint8Array(bytes) });
        const text = bytes.toString('utf8');
        const ending = expectAcceptable(viaFile, text, [file]);
        expect(expectAcceptable(viaStdin, text, ['-'])).toBe(ending);
        // Inside the string literal the bytes are just more (replacement) characters.
        if (k === 0) expect(ending).toBe('exit-0');
        else expect(ending).toBe('error');
      }
    },
  );
});
