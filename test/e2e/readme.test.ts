// The README's language tour is run as written: every `bpftrace-ts …` command of its sh
// blocks (a command goes on while a single quote is open) runs with seed 1 and, unless it
// says otherwise, one second of virtual time; its output is compared with a golden file
// (test/golden/e2e/readme-N.out; UPDATE_GOLDEN=1 rewrites them). A README example that
// stops working fails here.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { expectGoldenBytes } from './golden-bytes.js';
import { runCli } from './run-cli.js';

const ROOT = path.join(__dirname, '..', '..');
const GOLDEN = path.join(__dirname, '..', 'golden', 'e2e');

/** The `bpftrace-ts …` command lines of the README's sh blocks, joined over open quotes. */
function readmeCommands(text: string): string[] {
  const commands: string[] = [];
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let current: string | undefined;
    for (const line of block[1]!.split('\n')) {
      if (current !== undefined) current += `\n${line}`;
      else if (line.startsWith('bpftrace-ts ')) current = line;
      else continue;
      if ((current.match(/'/g) ?? []).length % 2 === 0) {
        commands.push(current);
        current = undefined;
      }
    }
  }
  return commands;
}

/** Shell words of one command: blanks split, single quotes group (all the README uses). */
function shellWords(command: string): string[] {
  const words: string[] = [];
  for (const m of command.matchAll(/'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2]!);
  return words;
}

const commands = readmeCommands(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

describe('README examples', () => {
  test('the tour has its examples', () => {
    expect(commands.length).toBe(6);
  });

  test.each(commands.map((command, i) => ({ command, i, n: String(i + 1) })))('example $n', async ({ command, i }) => {
    const argv = shellWords(command).slice(1);
    const run = ['--seed', '1', ...(argv.includes('--duration') ? [] : ['--duration', '1s'])];
    const r = await runCli([...run, ...argv]);
    expect([r.code, r.err]).toEqual([0, '']);
    expectGoldenBytes(path.join(GOLDEN, `readme-${i + 1}.out`), r.out);
  });
});
