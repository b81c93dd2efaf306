// Compiled programs run: every program of the output corpus (test/golden/programs, recorded
// from bpftrace 0.23.2) is compiled, loaded into the machine, run by the interpreter on the
// test rig (BEGIN, interval probes on a virtual clock, END) and its output — printf, print,
// helper warnings, maps at exit — must equal bpftrace's byte for byte. The rig stands in for
// the runtime; what is checked here is the code the compiler generates.

import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { compileSource } from './compile-helpers.js';
import { Rig } from './rig.js';

const DIR = 'test/golden/programs';

interface Meta {
  readonly args?: readonly string[];
  readonly params?: readonly string[];
  readonly exitCode?: number;
}

/** Programs that need what the machine does not offer yet, with the reason. */
const PENDING: Readonly<Record<string, string>> = {
};

const programs = readdirSync(DIR)
  .filter((f) => f.endsWith('.bt'))
  .sort()
  .map((f) => {
    const meta = JSON.parse(readFileSync(`${DIR}/${f.replace(/\.bt$/, '.json')}`, 'utf8')) as Meta;
    return [f, meta] as const;
  });

describe('compiled corpus programs print what bpftrace 0.23 printed', () => {
  for (const [file, reason] of Object.entries(PENDING)) test.skip(`${file} (skipped: ${reason})`, () => undefined);
  test.each(programs.filter(([f]) => !PENDING[f]))('%s', (file, meta) => {
    const text = readFileSync(`${DIR}/${file}`, 'utf8');
    const r = compileSource(text, { params: meta.params ?? [], name: file });
    if (!r.ok) throw new Error(`${r.stage}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
    const args = meta.args ?? [];
    const json = args.includes('json');
    const expected = readFileSync(`${DIR}/${file.replace(/\.bt$/, '.out')}`, 'utf8')
      .replace(/^Attaching \d+ probes?\.\.\.\n/, '')
      .replace(/^\{"type": "attached_probes".*\n/, '');
    const run = new Rig(r.compiled, { checked: r.checked, dir: DIR }).runSpecial(1000, json ? 'json' : 'text');
    expect(run.text).toBe(expected);
    expect(run.exitCode).toBe(meta.exitCode ?? 0);
  });
});
