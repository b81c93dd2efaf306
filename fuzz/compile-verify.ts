// The check behind a program that bpftrace-ts accepts: what the compiler makes of it must
// pass our verifier (DESIGN.md: any reject there is our bug), and the compiler must answer
// with code or located diagnostics, never an exception. In: program text and parameters.
// Out: undefined, or why it failed. Not: running the program (the runtime suites do).

import { checkProgram } from '../src/check/check.js';
import { compileProgram } from '../src/compile/compile-program.js';
import { SourceFile } from '../src/diag/source.js';
import type { MapSpec } from '../src/ebpf/maps/map.js';
import { verifyProgram } from '../src/ebpf/verifier/verify.js';
import { parseProgram } from '../src/parse/parse-program.js';
import { clip } from './cli-outcome.js';

export interface CompileVerifyInput {
  readonly text: string;
  readonly positional: readonly string[];
  readonly unsafe: boolean;
}

export type CompileVerifyResult =
  | { readonly ok: true; readonly programs: number }
  /** Refused before compiling (parse/check errors): nothing to verify. */
  | { readonly ok: true; readonly programs: 0; readonly refused: true }
  | { readonly ok: false; readonly reason: string };

export function compileAndVerify(input: CompileVerifyInput): CompileVerifyResult {
  const source = new SourceFile('stdin', input.text);
  const parsed = parseProgram(source, { positional: input.positional });
  if (!parsed.ok) return { ok: true, programs: 0, refused: true };
  const checked = checkProgram(parsed.value, source, { unsafe: input.unsafe, positional: input.positional, named: {} });
  if (!checked.ok) return { ok: true, programs: 0, refused: true };
  let compiled;
  try {
    compiled = compileProgram(checked.value, { ncpus: 4, unsafe: input.unsafe });
  } catch (e) {
    return { ok: false, reason: `the compiler threw: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
  if (!compiled.ok) {
    const unlocated = compiled.diagnostics.find((d) => d.severity === 'error' && d.span === undefined);
    if (unlocated) return { ok: false, reason: `the compiler refused without a location: ${unlocated.message}` };
    return { ok: true, programs: 0, refused: true };
  }
  const maps: (MapSpec | undefined)[] = [undefined, ...compiled.value.maps.map((d) => d.spec)];
  for (const p of compiled.value.programs) {
    const v = verifyProgram(p.insns, { progType: p.progType, maps, ctxSize: p.ctxSize, nrCpuIds: 4 });
    if (!v.ok) {
      return { ok: false, reason: `the verifier rejects the compiled program ${p.name}: ${v.error.message} at insn ${v.error.insn}\n${clip(v.log, 3000)}` };
    }
  }
  return { ok: true, programs: compiled.value.programs.length };
}
