// Statements to code: assignments to variables and maps, `let`, if/else, unroll (copies of
// the body), while and for-range loops (bounded loops the verifier walks: a counter or
// condition it can follow), for over maps (for-map.ts), break, continue and return.
// Every branch arm leaves the register assignment as it found it. In: statements of a
// checked probe. Out: code. Not: expressions (expressions.ts).

import { InternalError } from '../diag/diagnostic.js';
import type { AssignVar, Block, ForRange, If, LetDecl, Stmt, While } from '../parse/ast.js';
import { int64, uint64, type IntType } from '../check/types.js';
import { CodeGen, isScalar, scalarWidth, type Val } from './codegen.js';
import { arith, branch, compileDiscard, compileExpr, into, pointerOffset } from './expressions.js';
import { assignMap, incDecMapStatement } from './maps.js';
import { compileForMap } from './for-map.js';
import { compileRangeByLoop } from './loop-callback.js';

export function compileStmts(cg: CodeGen, stmts: readonly Stmt[]): void {
  for (const s of stmts) compileStmt(cg, s);
}

export function compileBlock(cg: CodeGen, b: Block): void {
  compileStmts(cg, b.stmts);
}

export function compileStmt(cg: CodeGen, s: Stmt): void {
  switch (s.kind) {
    case 'ExprStmt':
      if (s.expr.kind === 'IncDec' && s.expr.target.kind === 'Map') incDecMapStatement(cg, s.expr);
      else compileDiscard(cg, s.expr);
      return;
    case 'AssignVar':
      assignVar(cg, s);
      return;
    case 'AssignMap':
      assignMap(cg, s);
      return;
    case 'LetDecl':
      letDecl(cg, s);
      return;
    case 'If':
      ifStmt(cg, s);
      return;
    case 'Unroll': {
      const n = cg.pc.checked.constants.get(s.count) ?? (s.count.kind === 'Int' ? s.count.value : undefined);
      if (n === undefined) throw new InternalError('unroll count is not a constant');
      for (let i = 0n; i < n; i++) compileBlock(cg, s.body);
      return;
    }
    case 'While':
      whileLoop(cg, s);
      return;
    case 'ForRange':
      forRange(cg, s);
      return;
    case 'ForMap':
      compileForMap(cg, s);
      return;
    case 'Jump':
      jump(cg, s);
      return;
    case 'Block':
      compileBlock(cg, s);
      return;
    case 'Import':
      return;
  }
}

function assignVar(cg: CodeGen, s: AssignVar): void {
  const slot = cg.pc.checked.variables.get(s.target);
  if (!slot) throw new InternalError(`variable $${s.target.name} has no slot`);
  const m = cg.varMem(slot);
  if (!s.op) {
    into(cg, s.value, m, slot.type, true);
    return;
  }
  if (slot.type.kind === 'pointer') {
    // `$p += n`: n whole pointees.
    const step = pointerOffset(cg, compileExpr(cg, s.value), slot.type);
    const r = cg.scalar(arith(cg, s.op, { k: 'mem', m, t: uint64 }, step, uint64, uint64));
    cg.e.stx(8, m.base, m.off, r.reg);
    cg.regs.free(r);
    return;
  }
  if (!isScalar(slot.type) || slot.type.kind !== 'int') throw new InternalError(`compound assignment to a ${slot.type.kind} variable`);
  const t = slot.type;
  const cur: Val = { k: 'mem', m, t };
  const v = compileExpr(cg, s.value);
  // Computed in 64 bits with the variable's signedness, then brought back to its width.
  const common: IntType = { kind: 'int', size: 8, signed: t.signed };
  const r = cg.scalar(arith(cg, s.op, cg.convertInt(cur, common), cg.convertInt(v, common), common, t));
  cg.e.stx(scalarWidth(t), m.base, m.off, r.reg);
  cg.regs.free(r);
}

function letDecl(cg: CodeGen, s: LetDecl): void {
  const slot = cg.pc.checked.variables.get(s.target);
  if (!slot) throw new InternalError(`variable $${s.target.name} has no slot`);
  const m = cg.varMem(slot);
  if (s.value) into(cg, s.value, m, slot.type, true);
  else cg.zeroRange(m, 0, Math.max(1, slot.type.size));
}

function ifStmt(cg: CodeGen, s: If): void {
  const mayCall = cg.pc.analysis.mayCall(s);
  cg.enterBranches(mayCall);
  const no = cg.e.newLabel();
  const end = cg.e.newLabel();
  branch(cg, s.cond, no, false);
  let snap = cg.armStart();
  compileBlock(cg, s.then);
  cg.armEnd(snap);
  if (s.else) {
    cg.e.ja(end);
    cg.e.bind(no);
    snap = cg.armStart();
    if (s.else.kind === 'If') ifStmt(cg, s.else);
    else compileBlock(cg, s.else);
    cg.armEnd(snap);
  } else cg.e.bind(no);
  cg.e.bind(end);
  cg.leaveBranches();
}

function whileLoop(cg: CodeGen, s: While): void {
  const mayCall = cg.pc.analysis.mayCall(s);
  cg.enterBranches(mayCall);
  cg.loopDepth++;
  const top = cg.e.here();
  const end = cg.e.newLabel();
  const snap = cg.armStart();
  branch(cg, s.cond, end, false);
  cg.loops.push({ brk: end, cont: top });
  compileBlock(cg, s.body);
  cg.loops.pop();
  cg.armEnd(snap);
  cg.e.ja(top);
  cg.e.bind(end);
  cg.loopDepth--;
  cg.leaveBranches();
}

/** for ($i : a..b): $i from a while $i < b, b evaluated once; bounds known only at run time loop through bpf_loop. */
function forRange(cg: CodeGen, s: ForRange): void {
  const slot = cg.pc.checked.variables.get(s.variable);
  if (!slot) throw new InternalError(`loop variable $${s.variable.name} has no slot`);
  const m = cg.varMem(slot);
  const t = slot.type.kind === 'int' ? slot.type : int64;
  const fromVal = cg.convertInt(compileExpr(cg, s.from), t);
  const constStart = fromVal.k === 'imm';
  cg.store(fromVal, m, t);
  const endVal = cg.convertInt(compileExpr(cg, s.to), t);
  if (endVal.k !== 'imm' || !constStart) {
    compileRangeByLoop(cg, s, slot, t, endVal);
    return;
  }
  const endImm = endVal.v;
  const mayCall = cg.pc.analysis.mayCall(s.body);
  cg.enterBranches(mayCall);
  cg.loopDepth++;
  const top = cg.e.here();
  const cont = cg.e.newLabel();
  const end = cg.e.newLabel();
  const snap = cg.armStart();
  const i = cg.regs.alloc();
  cg.loadScalar(i.reg, m, t);
  const ge = t.signed ? 'sge' : 'ge';
  if (endImm >= -0x8000_0000n && endImm <= 0x7fff_ffffn) cg.e.jImm(ge, i.reg, Number(endImm), end);
  else {
    const b = cg.regs.alloc();
    cg.e.movImm(b.reg, endImm);
    cg.e.jReg(ge, i.reg, b.reg, end);
    cg.regs.free(b);
  }
  cg.regs.free(i);
  cg.loops.push({ brk: end, cont });
  compileBlock(cg, s.body);
  cg.loops.pop();
  cg.e.bind(cont);
  const j = cg.regs.alloc();
  cg.loadScalar(j.reg, m, t);
  cg.e.addImm(j.reg, 1);
  cg.e.stx(scalarWidth(t), m.base, m.off, j.reg);
  cg.regs.free(j);
  cg.armEnd(snap);
  cg.e.ja(top);
  cg.e.bind(end);
  cg.loopDepth--;
  cg.leaveBranches();
}

function jump(cg: CodeGen, s: Extract<Stmt, { kind: 'Jump' }>): void {
  if (s.jump === 'return') {
    if (cg.returnValue) {
      cg.returnValue(s.value);
      return;
    }
    if (s.value) compileDiscard(cg, s.value);
    cg.e.ja(cg.exitLabel);
    return;
  }
  const loop = cg.loops[cg.loops.length - 1];
  if (!loop) {
    // In a for-map callback: continue returns 0 (next element), break returns 1 (stop).
    if (cg.callbackExits) {
      cg.e.ja(s.jump === 'break' ? cg.callbackExits.brk : cg.callbackExits.cont);
      return;
    }
    throw new InternalError(`${s.jump} outside a loop`);
  }
  cg.e.ja(s.jump === 'break' ? loop.brk : loop.cont);
}
