// The JIT as the runtime's engine (src/runtime/engine.ts defines the plug-in point): verified
// instructions in, after the loader created the maps on the machine; a program whose run(ctx,
// out) is the generated code out. Structural problems come back as errors, as loadProgram gives
// them. Not: verification (the loader passes the verifier's analysis along).

import type { Insn } from '../isa.js';
import type { Machine } from '../machine.js';
import { loadProgram, type HelperTable, type ProgramError } from '../program.js';
import type { ProgramAnalysis } from '../verifier/analysis.js';
import { jitCompile, type JitProgram } from './jit.js';

export interface JitLoadOptions {
  readonly helpers: HelperTable;
  readonly budget?: number;
  readonly analysis?: ProgramAnalysis;
  /** The program's name: the generated code's source URL in stack traces and profiles. */
  readonly name: string;
}

export const jitEngine = {
  name: 'jit' as const,
  load(insns: readonly Insn[], m: Machine, opts: JitLoadOptions): JitProgram | { readonly errors: readonly ProgramError[] } {
    const loaded = loadProgram(insns, { helpers: opts.helpers, ...(opts.budget !== undefined ? { budget: opts.budget } : {}) });
    if (!loaded.ok) return { errors: loaded.errors };
    return jitCompile(loaded.prog, m, opts.analysis, { name: opts.name });
  },
};
