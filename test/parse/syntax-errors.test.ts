// Golden syntax errors: each test/golden/parse-errors/NAME.bt must fail to parse with
// exactly the text of NAME.err — bpftrace's located form (`stdin:L:C-C: ERROR: …`, the
// line, the `~~~` underline), words not rule names. UPDATE_GOLDEN=1 rewrites the .err files.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { SourceFile } from '../../src/diag/source.js';
import { renderDiagnostics } from '../../src/diag/render.js';
import { parseProgram } from '../../src/parse/parse-program.js';
import { expectGolden } from './golden.js';

const DIR = path.join(__dirname, '..', 'golden', 'parse-errors');
const cases = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.bt'))
  .sort()
  .map((f) => f.slice(0, -3));

describe('syntax errors', () => {
  test('there are at least 40 golden cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  test.each(cases)('%s', (name) => {
    const text = fs.readFileSync(path.join(DIR, `${name}.bt`), 'utf8');
    const r = parseProgram(new SourceFile('stdin', text));
    expect(r.ok).toBe(false);
    const rendered = r.ok ? '' : renderDiagnostics(r.diagnostics);
    // Never Ohm's vocabulary or a JavaScript trace.
    expect(rendered).not.toMatch(/Expected|Line \d+, col|\bat .*\.js|[A-Z][a-zA-Z]+_[a-z]+/);
    expectGolden(path.join(DIR, `${name}.err`), rendered);
  });
});
