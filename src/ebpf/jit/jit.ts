// jitCompile: a loaded Program, the Machine it will run on and (for a verified program) the
// verifier's analysis in; a JitProgram out whose run/exec behave as the interpreter's
// run/execute — the same r0, instruction count, memory and map effects, and the same fault
// results — only faster. Without an analysis every access is checked and the register file is
// kept exact, so unverified programs (conformance vectors) run too. Not: verification.

import { execute, run as interpret, type RunResult } from '../interpreter.js';
import { probeRead, probeReadStr } from '../helpers/probe-read.js';
import type { Machine } from '../machine.js';
import { REGION_STACK, STACK_FRAMES } from '../memory.js';
import type { Program } from '../program.js';
import type { ProgramAnalysis } from '../verifier/analysis.js';
import { DEFAULT_CHUNK_CHARS, generate, SAVE_AREA_WORDS, type FunctionLayout } from './codegen.js';
import {
  accessFault, arsh64, budgetFault, caught, clearFault, fault, FAULTED, lsh64, mapValueAddr, mulhi, RET, rsh64, sdiv64, smod64,
  udiv64, umod64,
} from './runtime.js';

export interface JitOptions {
  /** Split functions whose generated source exceeds this many characters (default DEFAULT_CHUNK_CHARS). */
  readonly chunkChars?: number;
  /** Names the generated code in stack traces and CPU profiles (`jit/<name>.js`). */
  readonly name?: string;
}

export interface JitProgram {
  /** As interpreter.run: r1 = the context (re-pointed when ctx is not null), r10 = the stack. */
  readonly run: (ctx: Uint8Array | null, out: RunResult) => RunResult;
  /** As interpreter.execute: r0..r9 from m.regs (r1..r5 are the arguments). */
  readonly exec: (out: RunResult) => RunResult;
  /** The generated JavaScript (for tests, golden files and `--dump jit`). */
  readonly source: string;
  /** How each function was laid out. */
  readonly layouts: readonly FunctionLayout[];
}

export function jitCompile(prog: Program, m: Machine, analysis?: ProgramAnalysis, opts: JitOptions = {}): JitProgram {
  // Facts for another program would be worse than none.
  const facts = analysis !== undefined && analysis.insns.length === prog.insns.length ? analysis : undefined;
  const gen = generate(prog, facts, m.maps, { chunkChars: opts.chunkChars ?? DEFAULT_CHUNK_CHARS });
  const mem = m.mem;
  const env = {
    M: m,
    B: mem.bytes,
    V: mem.views,
    W: mem.writable,
    RG: m.regs,
    S: mem.views[REGION_STACK],
    SB: mem.bytes[REGION_STACK],
    RS: Array.from({ length: STACK_FRAMES }, () => new Int32Array(SAVE_AREA_WORDS)),
    RET,
    FAULTED,
    fault,
    accessFault,
    budgetFault,
    clearFault,
    caught,
    mulhi,
    udiv64,
    umod64,
    sdiv64,
    smod64,
    lsh64,
    rsh64,
    arsh64,
    mapValueAddr,
    probeRead,
    probeReadStr,
    // A context shorter than the proven reads need, or an exec() whose r1 is not the context:
    // the interpreter runs it, checking every access.
    fallback: {
      run: (ctx: Uint8Array | null, out: RunResult): RunResult => interpret(prog, m, ctx, out),
      exec: (out: RunResult): RunResult => execute(prog, m, out),
    },
    maps: gen.maps,
    helpers: gen.helpers,
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiling generated code is the JIT's purpose
  const url = `\n//# sourceURL=jit/${(opts.name ?? 'program').replace(/[^\w.-]/g, '_')}.js\n`;
  const factory = new Function('E', gen.source + url) as (e: typeof env) => { run: JitProgram['run']; exec: JitProgram['exec'] };
  const { run, exec } = factory(env);
  return { run, exec, source: gen.source, layouts: gen.layouts };
}
