// `--dump bpf` goldens: representative programs (test/golden/compile/*.bt) and the exact
// text of their compiled programs and maps (*.bpf beside them). Regenerate with
// UPDATE_GOLDEN=1 and review the diff: any change here is a change in generated code.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { dumpBpf } from '../../src/compile/dump.js';
import { logTail, mustCompile, verifyAll } from './compile-helpers.js';

const DIR = 'test/golden/compile';
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.bt'))
  .sort();

describe('--dump bpf', () => {
  test.each(files)('%s', (file) => {
    const compiled = mustCompile(readFileSync(`${DIR}/${file}`, 'utf8'));
    for (const v of verifyAll(compiled)) expect(v.result.ok, `${v.name}\n${logTail(v.result)}`).toBe(true);
    const text = dumpBpf(compiled);
    const golden = `${DIR}/${file.replace(/\.bt$/, '.bpf')}`;
    if (UPDATE || !existsSync(golden)) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });
});
