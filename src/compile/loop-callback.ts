// Loop bodies run as callbacks of a looping helper (bpf_for_each_map_elem for `for ($kv :
// @m)`, bpf_loop for ranges whose bounds are known only at run time): a bpf-to-bpf function
// placed after the probe's code, called with our context pointer (the probe's frame, so the
// body reads and writes the probe's variables through it). In: the body and what to do on
// entry and on continue. Out: the callback's code. Not: the call to the helper (callers).

import type { Block, ForRange } from '../parse/ast.js';
import type { VarSlot } from '../check/program.js';
import type { IntType } from '../check/types.js';
import { HELPER_ID } from '../ebpf/helpers/helper-ids.js';
import { BPF_SUB, R0, R2, R8, R9 } from '../ebpf/isa.js';
import { CodeGen, scalarWidth, type Arg, type Val } from './codegen.js';
import type { Temp } from './registers.js';
import type { Label, Reg } from './emitter.js';
import { compileBlock } from './statements.js';
import { someNode } from './walk.js';

/**
 * Calls a looping helper whose callback is a loop body (`args` as CodeGen.call takes them),
 * with the flag a `return` in the body sets: cleared before the call, checked after it (the
 * probe then exits). Out: the flag's offset in the probe's frame for emitLoopCallback, or
 * undefined when the body has no `return`.
 */
export function callLoopingHelper(cg: CodeGen, body: Block, helper: number, args: readonly Arg[], consume: readonly Temp[] = []): number | undefined {
  const returns = someNode(body, (x) => x.kind === 'Jump' && x.jump === 'return');
  const flag = returns ? cg.slot(8, 'stack') : undefined;
  if (flag) cg.e.st(8, flag.base, flag.off, 0);
  cg.callVoid(helper, args, consume);
  if (!flag) return undefined;
  const r = cg.regs.alloc();
  cg.e.ldx(8, r.reg, flag.base, flag.off);
  cg.e.jImm('ne', r.reg, 0, cg.exitLabel);
  cg.regs.free(r);
  cg.frame.free(flag);
  return flag.off;
}

/**
 * Emits the callback at `fn`: the context pointer (in `ctxReg` on entry) becomes the
 * variable base; when variables or values live in scratch memory, the callback looks this
 * CPU's scratch value up itself (the memory its probe uses: same CPU, same run). `enter`
 * runs first with the helper's other arguments still in their registers (it adopts those it
 * needs before the lookup's call could clobber them) and returns what fills the loop
 * variable once scratch memory is known; then the body runs; `next` runs on continue (and at the end of
 * the body) before returning 0 (go on); break returns 1 (stop); `return` in the body sets
 * the flag at `flagOff` of the probe's frame, which the probe checks after the helper.
 */
export function emitLoopCallback(
  parent: CodeGen,
  fn: Label,
  ctxReg: Reg,
  flagOff: number | undefined,
  body: Block,
  enter: (cb: CodeGen) => (() => void) | undefined,
  next?: (cb: CodeGen) => void,
): void {
  // The previous pass said whether callbacks need scratch memory (the first pass assumes so).
  const scratch = parent.setup.callbackScratch === true;
  const varBase = scratch ? R8 : R9;
  const trial = parent.setup.trial === true;
  const setup = { ctx: 'none', scratch, varBase, ctxReads: 0, callbackScratch: scratch, trial } as const;
  const scratchBase = parent.frame.scratchSize;
  const cb = new CodeGen(parent.pc, setup, parent.scope, parent.e, scratch, scratchBase);
  cb.deferred = parent.deferred;
  for (const [id, home] of parent.vars) cb.vars.set(id, home);
  const e = cb.e;
  const cont = e.newLabel();
  const brk = e.newLabel();
  e.bind(fn);
  e.mov(varBase, ctxReg);
  const fill = enter(cb);
  if (scratch && !trial) {
    // r9 = this CPU's scratch value (the lookup cannot fail: the array has its one element).
    const k = cb.slot(8, 'stack');
    e.st(4, k.base, k.off, 0);
    const p = cb.call(HELPER_ID.map_lookup_elem, [{ map: cb.pc.scratch(8) }, { addr: cb.memOfSlot(k) }]);
    cb.frame.free(k);
    e.jImm('eq', p.reg, 0, brk);
    e.mov(R9, p.reg);
    cb.regs.free(p);
  }
  fill?.();
  cb.callbackExits = { brk, cont };
  compileBlock(cb, body);
  e.bind(cont);
  next?.(cb);
  e.movImm(R0, 0n);
  e.exit();
  e.bind(brk);
  e.movImm(R0, 1n);
  e.exit();
  // `return` in the body: tell the probe, stop iterating.
  e.bind(cb.exitLabel);
  if (flagOff !== undefined) e.st(8, varBase, flagOff, 1);
  e.movImm(R0, 1n);
  e.exit();
  parent.callbackStack = Math.max(parent.callbackStack, cb.frame.neededStack + cb.callbackStack);
  if (cb.frame.usedScratch || cb.callbackUsedScratch) {
    parent.callbackUsedScratch = true;
    parent.callbackScratchSize = Math.max(parent.callbackScratchSize, cb.frame.usedScratch ? cb.frame.scratchSize : 0, cb.callbackScratchSize);
  }
  for (const err of cb.errors) parent.errors.push(err);
}

/**
 * `for ($i : a..b)` whose bounds are known only at run time: bpf_loop runs the body b - a
 * times (none when b <= a), the verifier checking the body once instead of walking a loop
 * it cannot bound. $i (already a) lives in the probe's frame; each iteration ends by adding
 * one to it, `continue` included.
 */
export function compileRangeByLoop(cg: CodeGen, s: ForRange, slot: VarSlot, t: IntType, end: Val): void {
  const m = cg.varMem(slot);
  const n = cg.scalar(cg.convertInt(end, t), true);
  const start = cg.regs.alloc();
  cg.loadScalar(start.reg, m, t);
  const empty = cg.e.newLabel();
  const counted = cg.e.newLabel();
  cg.e.jReg(t.signed ? 'sle' : 'le', n.reg, start.reg, empty);
  cg.e.aluReg(BPF_SUB, n.reg, start.reg);
  cg.e.ja(counted);
  cg.e.bind(empty);
  cg.e.movImm(n.reg, 0n);
  cg.e.bind(counted);
  cg.regs.free(start);
  const fn = cg.e.newLabel();
  const flagOff = callLoopingHelper(cg, s.body, HELPER_ID.loop, [{ temp: n }, { func: fn }, { reg: cg.setup.varBase }, { imm: 0n }], [n]);
  cg.deferred.push(() =>
    // bpf_loop calls fn(index, ctx): the context pointer arrives in r2.
    emitLoopCallback(cg, fn, R2, flagOff, s.body, () => undefined, (cb) => {
      const i = cb.varMem(slot);
      const r = cb.regs.alloc();
      cb.loadScalar(r.reg, i, t);
      cb.e.addImm(r.reg, 1);
      cb.normalize(r.reg, t);
      cb.e.stx(scalarWidth(t), i.base, i.off, r.reg);
      cb.regs.free(r);
    }),
  );
}
