// One probe (or one match of it) to one eBPF program: the prologue (context kept in r6 when
// it is read after a call, the scratch base in r9, get_current_pid_tgid fetched once when
// used twice, variables zeroed unless first assigned), the predicate, the body, the `r0 = 0;
// exit` epilogue, and for-map callbacks after it. Compiled twice: the first pass learns
// what the program needs, the second emits it with exactly that set up.
// In: a CheckedProbe. Out: the program's instructions and what the loader needs.

import type { CheckedProbe, ProbeMatch } from '../check/program.js';
import type { SizedType } from '../check/types.js';
import { InternalError } from '../diag/diagnostic.js';
import { MAX_BPF_STACK, R0, R1, R10, R6, R9 } from '../ebpf/isa.js';
import { HELPER_ID } from '../ebpf/helpers/helper-ids.js';
import { MAX_BPF_FUNC_ARGS, PERF_MAX_TRACE_SIZE, PT_REGS_SIZE, type ProgTypeName } from '../ebpf/progtypes.js';
import { CodeGen, type CompileError, type FnSetup, type ProbeScope } from './codegen.js';
import type { EmittedCode } from './emitter.js';
import { definitelyAssigned } from './analysis.js';
import { branch } from './expressions.js';
import { compileBlock } from './statements.js';
import type { ProgramContext } from './program-context.js';

export interface ProbeCode {
  readonly code: EmittedCode;
  readonly stackSize: number;
  readonly errors: readonly CompileError[];
}

/** Compiles the body of `probe` as the program for `matches`. */
export function compileProbe(pc: ProgramContext, probe: CheckedProbe, matches: readonly ProbeMatch[], probeName: string): ProbeCode {
  const provider: string = probe.provider ?? probe.attachPoints[0]?.provider ?? '';
  const scope: ProbeScope = { probe, matches, probeName, provider, progType: progTypeOf(probe) };
  // Pass 1: everything optional switched on, to learn what is used.
  let setup: FnSetup = { ctx: 'saved', scratch: true, varBase: R10, ctxReads: 0, callbackScratch: true, trial: true };
  let cg = emitProbe(pc, probe, scope, setup, false);
  for (let pass = 0; pass < 3; pass++) {
    const f = cg.facts;
    const next: FnSetup = {
      ctx: f.ctxReads === 0 ? 'none' : f.ctxReadLate ? 'saved' : 'r1',
      scratch: cg.frame.usedScratch,
      varBase: R10,
      ctxReads: f.ctxReads,
      // The cache is the frame's first slot.
      ...(f.pidTgidUses >= 2 ? { pidTgidSlot: -8 } : {}),
      callbackScratch: cg.callbackUsedScratch,
    };
    const again = emitProbe(pc, probe, scope, next, true);
    // The second pass must not need more than it was given (a slot more can push a value to scratch).
    if ((again.frame.usedScratch && !next.scratch) || (again.callbackUsedScratch && !next.callbackScratch)) {
      setup = { ...next, scratch: true };
      cg = again;
      continue;
    }
    cg = again;
    setup = next;
    break;
  }
  if (cg.frame.usedScratch || cg.callbackUsedScratch) pc.scratch(Math.max(cg.frame.usedScratch ? cg.frame.scratchSize : 0, cg.callbackScratchSize));
  const errors = [...cg.errors];
  const stack = cg.frame.neededStack + cg.callbackStack;
  if (cg.frame.overflow || stack > MAX_BPF_STACK) {
    errors.push({
      kind: 'stack',
      span: probe.node.span,
      message: `the program needs ${stack} bytes of stack, more than eBPF's ${MAX_BPF_STACK}: its values are too large or too many to keep on the stack`,
    });
  }
  return { code: cg.e.finish(), stackSize: cg.frame.stackSize, errors };
}

/** `final`: the pass whose code is kept (the first pass creates no scratch map). */
function emitProbe(pc: ProgramContext, probe: CheckedProbe, scope: ProbeScope, setup: FnSetup, final: boolean): CodeGen {
  // The pid_tgid cache needs a slot before anything else: its offset is fixed as the first one.
  const cg = new CodeGen(pc, setup, scope);
  const e = cg.e;
  const pidSlot = setup.pidTgidSlot;
  if (pidSlot !== undefined && cg.slot(8, 'stack').off !== pidSlot) throw new InternalError('the pid_tgid cache is not the first slot');
  if (setup.ctx === 'saved') e.mov(R6, R1);
  if (setup.scratch && final) {
    const k = cg.slot(8, 'stack');
    e.st(4, k.base, k.off, 0);
    const map = pc.scratch(8);
    const p = cg.call(HELPER_ID.map_lookup_elem, [{ map }, { addr: cg.memOfSlot(k) }]);
    cg.frame.free(k);
    e.jImm('eq', p.reg, 0, cg.exitLabel);
    e.mov(R9, p.reg);
    cg.regs.free(p);
  }
  if (pidSlot !== undefined) {
    const r = cg.call(HELPER_ID.get_current_pid_tgid, []);
    e.stx(8, R10, pidSlot, r.reg);
    cg.regs.free(r);
  }
  // What the body needs is counted from here (the prologue's calls precede every ctx read).
  cg.startBody();
  // Variables: a home each; zeroed unless their first use is a plain top-level assignment.
  const assigned = definitelyAssigned(pc.checked, probe.body, probe.predicate);
  for (const v of probe.variables) {
    const s = cg.slot(Math.max(1, v.type.size));
    cg.vars.set(v.id, s);
    if (!assigned.has(v.id)) cg.zeroRange(cg.memOfSlot(s), 0, Math.max(1, v.type.size));
  }
  if (probe.predicate) {
    cg.enterBranches(false);
    branch(cg, probe.predicate, cg.exitLabel, false);
    cg.leaveBranches();
  }
  compileBlock(cg, probe.body);
  e.bind(cg.exitLabel);
  e.movImm(R0, 0n);
  e.exit();
  while (cg.deferred.length > 0) cg.deferred.shift()!();
  if (cg.regs.liveCount > (setup.ctx === 'r1' ? 1 : 0)) {
    // A temp outlived its expression: a code generator bug.
    throw new InternalError(`registers still held at the end of probe ${scope.probeName}: r${cg.regs.occupied().join(', r')}`);
  }
  return cg;
}

/** The program type of a probe's programs (the checker refuses mixed ones; default kprobe). */
export function progTypeOf(probe: CheckedProbe): ProgTypeName {
  return (probe.progType ?? probe.attachPoints[0]?.progType ?? 'kprobe') as ProgTypeName;
}

/** Bytes of context a program of this type reads. */
export function ctxSizeOf(progType: ProgTypeName, matches: readonly ProbeMatch[]): number {
  switch (progType) {
    case 'tracepoint':
      return Math.max(8, ...matches.map((m) => m.args?.size ?? 8)) || PERF_MAX_TRACE_SIZE;
    case 'kprobe':
      return PT_REGS_SIZE;
    case 'perf_event':
      return PT_REGS_SIZE + 16;
    case 'tracing': {
      const n = Math.max(0, ...matches.map((m) => m.args?.fields.length ?? 0));
      return 8 * Math.min(MAX_BPF_FUNC_ARGS, n + 1);
    }
    default:
      return 8 * MAX_BPF_FUNC_ARGS;
  }
}

export type { SizedType };
