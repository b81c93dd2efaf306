// Every program of the golden corpus (test/golden/programs: kernel-independent programs with
// stdout recorded from bpftrace 0.23) through the whole pipeline — parse, check, compile,
// verify, load, run, print — compared byte for byte: stdout, exit code, and stderr (the
// checker's warnings) where bpftrace wrote some. Programs run from the corpus folder with
// TZ=UTC, as they were recorded, once with each engine.

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from './run-cli.js';

const GOLDEN = path.join(__dirname, '..', 'golden', 'programs');

interface Sidecar {
  args: string[];
  params: string[];
  exitCode: number;
  stderr?: string;
}

/**
 * Programs that do not match yet, each with the reason. A fixed program makes its
 * `test.fails` fail: then remove it from here.
 */
const KNOWN_FAILURES: Readonly<Record<string, string>> = {};

const names = readdirSync(GOLDEN)
  .filter((f) => f.endsWith('.bt'))
  .map((f) => f.slice(0, -3))
  .sort();

let cwd = '';
beforeAll(() => {
  cwd = process.cwd();
  process.env['TZ'] = 'UTC';
  // Scripts are named relative to the corpus folder, as recorded (`map-full.bt:7:3-12`).
  process.chdir(GOLDEN);
});
afterAll(() => process.chdir(cwd));

async function check(name: string, engine: 'interp' | 'jit'): Promise<void> {
  const side = JSON.parse(readFileSync(path.join(GOLDEN, `${name}.json`), 'utf8')) as Sidecar;
  const expected = readFileSync(path.join(GOLDEN, `${name}.out`), 'latin1');
  const r = await runCli(['--engine', engine, ...side.args, `${name}.bt`, ...side.params], { cwd: GOLDEN });
  expect({ out: r.out, code: r.code, err: r.err }).toEqual({ out: expected, code: side.exitCode, err: side.stderr ?? '' });
}

describe.each(['interp', 'jit'] as const)('golden corpus end to end (--engine %s)', (engine) => {
  test('the corpus is all there', () => {
    expect(names.length).toBe(174);
  });
  for (const name of names) {
    const reason = KNOWN_FAILURES[name];
    if (reason) test.fails(`${name} (known failure: ${reason})`, () => check(name, engine));
    else test(name, () => check(name, engine));
  }
});
