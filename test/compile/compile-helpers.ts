// Test helpers for the compile stage: source text → checked → compiled, and verification of
// every program with the project's verifier. Shared by the compile tests; not a test itself.

import { SourceFile } from '../../src/diag/source.js';
import type { Diagnostic } from '../../src/diag/diagnostic.js';
import { parseProgram } from '../../src/parse/parse-program.js';
import { checkProgram } from '../../src/check/check.js';
import type { CheckedProgram } from '../../src/check/program.js';
import { compileProgram } from '../../src/compile/compile-program.js';
import type { CompiledProgram, CompileOptions } from '../../src/compile/compiled.js';
import { verifyProgram, type VerifyResult } from '../../src/ebpf/verifier/verify.js';

export type Stage = 'parse' | 'check' | 'compile';

export type Outcome =
  | { readonly ok: true; readonly checked: CheckedProgram; readonly compiled: CompiledProgram }
  | { readonly ok: false; readonly stage: Stage; readonly diagnostics: readonly Diagnostic[] };

/** Parses, checks and compiles a program (positional parameters as bpftrace takes them). */
export function compileSource(text: string, opts: { params?: readonly string[]; compile?: CompileOptions; name?: string } = {}): Outcome {
  const params = opts.params ?? [];
  const src = new SourceFile(opts.name ?? 'stdin', text);
  const p = parseProgram(src, { positional: params });
  if (!p.ok) return { ok: false, stage: 'parse', diagnostics: p.diagnostics };
  const c = checkProgram(p.value, src, { unsafe: true, positional: params, named: {} });
  if (!c.ok) return { ok: false, stage: 'check', diagnostics: c.diagnostics };
  const r = compileProgram(c.value, opts.compile ?? {});
  if (!r.ok) return { ok: false, stage: 'compile', diagnostics: r.diagnostics };
  return { ok: true, checked: c.value, compiled: r.value };
}

/** Compiles and throws with the diagnostics when any stage fails. */
export function mustCompile(text: string, opts: { params?: readonly string[]; compile?: CompileOptions } = {}): CompiledProgram {
  const r = compileSource(text, opts);
  if (!r.ok) throw new Error(`${r.stage} failed: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.compiled;
}

/** Verifies every program of a compiled program; maps by fd (index + 1). */
export function verifyAll(c: CompiledProgram, ncpus = 4): { name: string; result: VerifyResult }[] {
  const maps = [undefined, ...c.maps.map((m) => m.spec)];
  return c.programs.map((p) => ({
    name: p.name,
    result: verifyProgram(p.insns, { progType: p.progType, maps, ctxSize: p.ctxSize, nrCpuIds: ncpus }),
  }));
}

/** The last lines of a verifier log (the reason and the state), for failure messages. */
export function logTail(r: VerifyResult, lines = 8): string {
  return r.ok ? '' : r.log.split('\n').slice(-lines).join('\n');
}
