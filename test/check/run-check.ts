// Test helper: source text → parse → check, with the rendered diagnostics bpftrace-style.
// Shared by the checker's tests; not a test itself.

import { SourceFile } from '../../src/diag/source.js';
import { renderDiagnostics } from '../../src/diag/render.js';
import { parseProgram } from '../../src/parse/parse-program.js';
import { checkProgram, type CheckOptions } from '../../src/check/check.js';
import type { CheckedProgram } from '../../src/check/program.js';

export interface CheckRun {
  readonly ok: boolean;
  /** Everything printed on stderr (warnings and errors), rendered. */
  readonly stderr: string;
  readonly checked?: CheckedProgram;
}

export function runCheck(text: string, opts: Partial<CheckOptions> & { name?: string } = {}): CheckRun {
  const source = new SourceFile(opts.name ?? 'stdin', text);
  const positional = opts.positional ?? [];
  const parsed = parseProgram(source, { positional });
  if (!parsed.ok) return { ok: false, stderr: 'PARSE: ' + renderDiagnostics(parsed.diagnostics) };
  const r = checkProgram(parsed.value, source, { unsafe: false, positional, named: {}, ...opts });
  if (!r.ok) return { ok: false, stderr: renderDiagnostics(r.diagnostics) };
  return { ok: true, stderr: renderDiagnostics(r.warnings), checked: r.value };
}
