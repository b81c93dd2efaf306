// `fn name($a: T, …): R { … }` subprograms as bpf-to-bpf functions: each program that calls
// one gets its own copy after its code (emitted once), called with the helper convention —
// scalar arguments in r1..r5, the scalar result in r0, its own stack frame. In: calls of
// subprograms. Out: the call and, deferred, the function. Not: inlining.

import { InternalError } from '../diag/diagnostic.js';
import type { Call, Expr } from '../parse/ast.js';
import type { CheckedSubprog } from '../check/program.js';
import { R0, R10 } from '../ebpf/isa.js';
import { CodeGen, isScalar, scalarWidth, type Arg, type Val } from './codegen.js';
import type { Temp } from './registers.js';
import { compileExpr, typeOf } from './expressions.js';
import { compileBlock } from './statements.js';

export function callSubprog(cg: CodeGen, e: Call): Val {
  const sub = cg.pc.checked.subprogs.find((s) => s.node.name === e.name);
  if (!sub) throw new InternalError(`no subprogram ${e.name}`);
  const t = typeOf(cg, e);
  if (sub.params.some((p) => !isScalar(p.type)) || (t.kind !== 'void' && !isScalar(t))) {
    cg.error(`${e.name}(): subprograms with string or record parameters or results are not supported yet`, e.span);
    return t.kind === 'void' ? { k: 'void', t } : cg.imm(0n, t);
  }
  if (sub.params.length > 5) {
    cg.error(`${e.name}(): a subprogram takes at most 5 arguments in eBPF`, e.span);
    return cg.imm(0n, t);
  }
  const args: Arg[] = [];
  const consume: Temp[] = [];
  e.args.forEach((a, i) => {
    const pt = sub.params[i]!.type;
    const v = compileExpr(cg, a);
    const conv = pt.kind === 'int' && (v.t.kind === 'int' || v.t.kind === 'bool') ? cg.convertInt(v, pt) : v;
    const x = cg.argOf(conv);
    args.push(x.arg);
    consume.push(...x.consume);
  });
  const r = cg.callFunction(labelOf(cg, sub), args, consume);
  if (t.kind === 'void') {
    cg.regs.free(r);
    return { k: 'void', t };
  }
  return cg.reg(r, t);
}

/** The label of `sub` in this program, scheduling its body on first use. */
function labelOf(cg: CodeGen, sub: CheckedSubprog): number {
  const have = cg.subprogLabels.get(sub.node.name);
  if (have !== undefined) return have;
  const label = cg.e.newLabel();
  cg.subprogLabels.set(sub.node.name, label);
  cg.deferred.push(() => emitSubprog(cg, sub, label));
  return label;
}

function emitSubprog(parent: CodeGen, sub: CheckedSubprog, label: number): void {
  const fn = new CodeGen(parent.pc, { ctx: 'none', scratch: false, varBase: R10, ctxReads: 0 }, parent.scope, parent.e, false);
  fn.deferred = parent.deferred;
  fn.subprogLabels = parent.subprogLabels;
  const e = fn.e;
  e.bind(label);
  // Arguments arrive in r1..r5: store them in the parameters' homes first.
  const incoming = sub.params.map((_, i) => fn.regs.adopt(1 + i));
  for (const v of sub.variables) {
    const s = fn.slot(Math.max(1, v.type.size), 'stack');
    fn.vars.set(v.id, s);
    if (!sub.params.includes(v)) fn.zeroRange(fn.memOfSlot(s), 0, Math.max(1, v.type.size));
  }
  sub.params.forEach((p, i) => {
    const home = fn.varMem(p);
    e.stx(scalarWidth(p.type), home.base, home.off, incoming[i]!.reg);
    fn.regs.free(incoming[i]);
  });
  const ret = sub.returnType;
  fn.returnValue = (value: Expr | undefined) => {
    if (value && ret.kind !== 'void') {
      const v = compileExpr(fn, value);
      const conv = ret.kind === 'int' && (v.t.kind === 'int' || v.t.kind === 'bool') ? fn.convertInt(v, ret) : v;
      const t = fn.scalar(conv);
      e.mov(R0, t.reg);
      fn.regs.free(t);
    } else {
      if (value) fn.release(compileExpr(fn, value));
      e.movImm(R0, 0n);
    }
    e.exit();
  };
  compileBlock(fn, sub.node.body);
  e.bind(fn.exitLabel);
  e.movImm(R0, 0n);
  e.exit();
  parent.callbackStack = Math.max(parent.callbackStack, fn.frame.neededStack + fn.callbackStack);
  for (const err of fn.errors) parent.errors.push(err);
}
