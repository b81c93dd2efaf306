// Semantics against real bpftrace: small BEGIN programs (test/golden/compile/semantics) whose
// output bpftrace 0.23.2 recorded — integer widths and promotions, unsigned division and
// shifts, string comparison and copies, map compound assignment and ++, has_key/delete,
// aggregations read back — compiled, run in the interpreter, and compared byte for byte.

import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { compileSource } from './compile-helpers.js';
import { Rig } from './rig.js';

const DIR = 'test/golden/compile/semantics';

test.each(readdirSync(DIR).filter((f) => f.endsWith('.bt')).sort())('%s', (file) => {
  const r = compileSource(readFileSync(`${DIR}/${file}`, 'utf8'), { name: file });
  if (!r.ok) throw new Error(`${r.stage}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  const out = new Rig(r.compiled, { checked: r.checked }).runSpecial();
  expect(out.text).toBe(readFileSync(`${DIR}/${file.replace(/\.bt$/, '.out')}`, 'utf8'));
});
