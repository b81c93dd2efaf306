// The plug-in point for the engines that run verified eBPF: an Engine turns a program's
// instructions into something the loader calls once per probe firing. The interpreter is
// one engine; the JIT (src/ebpf/jit) is another, registered in ENGINES by name. Engines are
// imported lazily so a run pays only for the one it uses. Not: verification or attaching.

import type { EngineName } from '../cli/options.js';
import type { RunResult } from '../ebpf/interpreter.js';
import type { Insn } from '../ebpf/isa.js';
import type { Machine } from '../ebpf/machine.js';
import type { HelperTable, ProgramError } from '../ebpf/program.js';
import type { ProgramAnalysis } from '../ebpf/verifier/analysis.js';

/** What an engine is told about a program besides its instructions. */
export interface EngineLoadOptions {
  /** Helpers by Linux id, as the machine binds them. */
  readonly helpers: HelperTable;
  /** Instructions one run may execute before it is stopped (a fault of kind 'budget'). */
  readonly budget?: number;
  /** The verifier's facts about the accepted program (ranges, reachable code) for cheaper code. */
  readonly analysis?: ProgramAnalysis;
  /** The program's name, for generated code and fault messages. */
  readonly name: string;
}

/** A program ready to run on the machine it was loaded for. */
export interface RunnableProgram {
  /**
   * Runs once with r1 = the context region (ctx becomes that region when given) and r10 = the
   * stack top; writes r0, the instruction count and any fault into `out` and returns it.
   * Must not throw and must not allocate per call; a throwing helper is a fault.
   */
  run(ctx: Uint8Array | null, out: RunResult): RunResult;
}

export interface Engine {
  readonly name: EngineName;
  /** Prepares insns (already verified) for running on m, or says what is structurally wrong. */
  load(insns: readonly Insn[], m: Machine, opts: EngineLoadOptions): RunnableProgram | { readonly errors: readonly ProgramError[] };
}

/** Engines by name; undefined for an engine this build does not have. */
const ENGINES: Readonly<Record<EngineName, (() => Promise<Engine>) | undefined>> = {
  interp: async () => (await import('./interp-engine.js')).interpreterEngine,
  jit: async () => (await import('../ebpf/jit/engine.js')).jitEngine,
};

/** The engine named on the command line, or undefined when this build has none by that name. */
export async function loadEngine(name: EngineName): Promise<Engine | undefined> {
  const make = ENGINES[name];
  return make ? make() : undefined;
}
