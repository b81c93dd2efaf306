// Programs newer bpftrace accepts and 0.23 refuses (test/golden/compile/beyond-023, see its
// README): compiled, run in the interpreter and compared with the output upstream specifies.

import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { compileSource } from './compile-helpers.js';
import { Rig } from './rig.js';

const DIR = 'test/golden/compile/beyond-023';

test.each(readdirSync(DIR).filter((f) => f.endsWith('.bt')).sort())('%s', (file) => {
  const r = compileSource(readFileSync(`${DIR}/${file}`, 'utf8'), { name: file });
  if (!r.ok) throw new Error(`${r.stage}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  const out = new Rig(r.compiled, { checked: r.checked }).runSpecial();
  expect(out.text).toBe(readFileSync(`${DIR}/${file.replace(/\.bt$/, '.out')}`, 'utf8'));
});
