// Expressions to code: integer arithmetic with bpftrace's widths and signedness (64-bit
// registers, results brought back to their type), comparisons and logic as values or as
// branches, ternaries and if-expressions, casts, field/index/tuple access on values in the
// stack, the context or kernel/user memory, tuple and record literals, and `into`, which
// builds a value directly where it is stored (map keys, records, variables). Builtins,
// function calls, maps and strings have their own files.

import { InternalError } from '../diag/diagnostic.js';
import type { Binary, Expr, FieldAccess, Index, IncDec, Ternary, IfExpr, Unary, Cast, TupleLiteral, RecordLiteral } from '../parse/ast.js';
import { intType, uint64, int64, boolType, type IntType, type SizedType, type Field } from '../check/types.js';
import {
  BPF_ADD, BPF_AND, BPF_ARSH, BPF_DIV, BPF_LSH, BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR,
} from '../ebpf/isa.js';
import { CodeGen, intOf, isScalar, isSignedInt, scalarWidth, wrapTo, litBytes, type Mem, type Val } from './codegen.js';
import { NEGATED, SWAPPED, type Cond, type Label } from './emitter.js';
import type { Temp } from './registers.js';
import { compileBuiltin, compileBuiltinInto } from './builtins.js';
import { compileCall, compileCallInto } from './calls.js';
import { incDecMap, readMap, readMapInto } from './maps.js';
import { compareMem } from './strings.js';
import { compileStmts } from './statements.js';

export function typeOf(cg: CodeGen, e: Expr): SizedType {
  const t = cg.pc.checked.types.get(e);
  if (!t) throw new InternalError(`expression ${e.kind} at ${e.span.start} has no type`);
  return t;
}

function asInt(t: SizedType): IntType {
  return intOf(t);
}

// ── entry points ─────────────────────────────────────────────────────────────────────────

export function compileExpr(cg: CodeGen, e: Expr): Val {
  const constant = cg.pc.checked.constants.get(e);
  if (constant !== undefined) return cg.imm(wrapTo(constant, typeOf(cg, e)), typeOf(cg, e));
  switch (e.kind) {
    case 'Int': {
      const t = cg.pc.checked.types.get(e) ?? int64;
      return cg.imm(wrapTo(e.value, t), t);
    }
    case 'String':
      return { k: 'lit', bytes: e.value, t: typeOf(cg, e) };
    case 'Bool':
      return cg.imm(e.value ? 1n : 0n, boolType);
    case 'Variable':
      return readVariable(cg, e);
    case 'Map':
      return readMap(cg, e);
    case 'Builtin':
      return compileBuiltin(cg, e, e.name);
    case 'Identifier': {
      // Builtins may be written as identifiers (`ppid`, `__builtin_pid`).
      const name = e.name.startsWith('__builtin_') ? e.name.slice('__builtin_'.length) : e.name;
      return compileBuiltin(cg, e, name);
    }
    case 'Call':
      return compileCall(cg, e);
    case 'Binary':
      return binary(cg, e);
    case 'Unary':
      return unary(cg, e);
    case 'IncDec':
      return incDec(cg, e);
    case 'Ternary':
      return ternary(cg, e);
    case 'IfExpr':
      return ifExpr(cg, e);
    case 'Cast':
      return cast(cg, e);
    case 'FieldAccess':
      return fieldAccess(cg, e);
    case 'Index':
      return indexAccess(cg, e);
    case 'TupleAccess': {
      const base = compileExpr(cg, e.expr);
      const bt = base.t;
      if (bt.kind !== 'tuple') throw new InternalError('tuple access on a non-tuple');
      const f = bt.fields[e.index]!;
      return place(cg, base, f.offset, f.type);
    }
    case 'Tuple':
    case 'Record': {
      const t = typeOf(cg, e);
      const s = cg.slot(Math.max(1, t.size));
      into(cg, e, cg.memOfSlot(s), t, true);
      return { k: 'mem', m: cg.memOfSlot(s), t, slot: s };
    }
    case 'Sizeof': {
      const t = e.arg.kind === 'Type' ? typeOf(cg, e) : typeOf(cg, e.arg);
      return cg.imm(BigInt(t.size), uint64);
    }
    case 'Offsetof':
      throw new InternalError('offsetof without a constant value');
    case 'BlockExpr': {
      compileStmts(cg, e.stmts);
      return e.value ? compileExpr(cg, e.value) : { k: 'void', t: typeOf(cg, e) };
    }
    case 'Positional':
    case 'PositionalCount':
    case 'Typeof':
      throw new InternalError(`${e.kind} should have been expanded by the checker`);
  }
}

/** Compiles e for its effects only. */
export function compileDiscard(cg: CodeGen, e: Expr): void {
  cg.release(compileExpr(cg, e));
}

/**
 * Writes the value of e at dst as type dt, building it in place when it can (tuple and
 * record literals, string literals, comm, str() and friends) instead of copying.
 */
export function into(cg: CodeGen, e: Expr, dst: Mem, dt: SizedType, canonical: boolean): void {
  if ((e.kind === 'Tuple' || e.kind === 'Record') && (dt.kind === 'tuple' || dt.kind === 'record')) {
    intoTuple(cg, e, dst, dt, canonical);
    return;
  }
  if (e.kind === 'String' && dt.kind === 'string') {
    cg.storeBytes(dst, litBytes(e.value, dt.size));
    return;
  }
  if (e.kind === 'Call' && compileCallInto(cg, e, dst, dt, canonical)) return;
  if (e.kind === 'Map' && readMapInto(cg, e, dst, dt)) return;
  if (e.kind === 'Builtin' && compileBuiltinInto(cg, e.name, dst, dt)) return;
  if (e.kind === 'Ternary' && !isScalar(dt) && e.then) {
    ternaryInto(cg, e, dst, dt, canonical);
    return;
  }
  cg.store(compileExpr(cg, e), dst, dt, canonical);
}

function intoTuple(cg: CodeGen, e: TupleLiteral | RecordLiteral, dst: Mem, dt: Extract<SizedType, { kind: 'tuple' | 'record' }>, canonical: boolean): void {
  const elems = e.kind === 'Tuple' ? e.elems : e.fields.map((f) => f.value);
  let covered = 0;
  dt.fields.forEach((f: Field, i: number) => {
    if (f.offset > covered) cg.zeroRange(dst, covered, f.offset);
    const x = elems[i];
    const at = { base: dst.base, off: dst.off + f.offset };
    if (x) into(cg, x, at, f.type, canonical);
    else cg.zeroRange(dst, f.offset, f.offset + f.type.size);
    covered = f.offset + f.type.size;
  });
  if (dt.size > covered) cg.zeroRange(dst, covered, dt.size);
}

// ── variables ────────────────────────────────────────────────────────────────────────────

function readVariable(cg: CodeGen, e: Extract<Expr, { kind: 'Variable' }>): Val {
  const slot = cg.pc.checked.variables.get(e);
  if (!slot) throw new InternalError(`variable $${e.name} has no slot`);
  const m = cg.varMem(slot);
  if (isScalar(slot.type)) {
    const t = cg.regs.alloc();
    cg.loadScalar(t.reg, m, slot.type);
    return cg.reg(t, slot.type);
  }
  return { k: 'mem', m, t: slot.type };
}

// ── places: fields of values wherever they live ──────────────────────────────────────────

/** The part of `base` at byte `off` with type t (sharing base's storage). */
export function place(cg: CodeGen, base: Val, off: number, t: SizedType): Val {
  switch (base.k) {
    case 'mem':
      return { k: 'mem', m: { base: base.m.base, off: base.m.off + off }, t, ...(base.slot ? { slot: base.slot } : {}) };
    case 'ctx':
      return { k: 'ctx', off: base.off + off, t };
    case 'ext':
      return { k: 'ext', addr: addConst(cg, base.addr, BigInt(off)), space: base.space, t };
    case 'imm':
    case 'reg': {
      // A small aggregate held as a scalar (e.g. a usym in a register): shift the part out.
      const tmp = cg.scalar(base);
      if (off) cg.e.aluImm(BPF_RSH, tmp.reg, off * 8);
      cg.normalize(tmp.reg, t.kind === 'int' ? t : intType(scalarWidth(t), false));
      return cg.reg(tmp, t);
    }
    default: {
      const { m, slot } = cg.memOf(base);
      return { k: 'mem', m: { base: m.base, off: m.off + off }, t, ...(slot ? { slot } : {}) };
    }
  }
}

/** addr + k as a scalar value (consuming addr). */
export function addConst(cg: CodeGen, addr: Val, k: bigint): Val {
  if (k === 0n) return addr;
  if (addr.k === 'imm') return cg.imm(BigInt.asUintN(64, addr.v + k), addr.t);
  const t = cg.scalar(addr);
  if (k >= -0x8000_0000n && k <= 0x7fff_ffffn) cg.e.addImm(t.reg, Number(k));
  else {
    const c = cg.regs.alloc();
    cg.e.movImm(c.reg, k);
    cg.e.aluReg(BPF_ADD, t.reg, c.reg);
    cg.regs.free(c);
  }
  return cg.reg(t, addr.t);
}

function fieldAccess(cg: CodeGen, e: FieldAccess): Val {
  const base = compileExpr(cg, e.expr);
  let bt = base.t;
  if (bt.kind === 'pointer') {
    const to = bt.to;
    if (to.kind !== 'struct' && to.kind !== 'record' && to.kind !== 'tuple') throw new InternalError(`-> on a pointer to ${to.kind}`);
    const f = to.fields.find((x) => x.name === e.field);
    if (!f) throw new InternalError(`no field ${e.field}`);
    const ext: Val = { k: 'ext', addr: retypeScalar(base, uint64), space: bt.space, t: to };
    return fieldOf(cg, ext, f);
  }
  if (bt.kind !== 'struct' && bt.kind !== 'record' && bt.kind !== 'tuple') throw new InternalError(`field access on ${bt.kind}`);
  const f = bt.fields.find((x) => x.name === e.field);
  if (!f) throw new InternalError(`no field ${e.field} in ${bt.kind}`);
  bt = bt as Extract<SizedType, { kind: 'struct' }>;
  return fieldOf(cg, base, f);
}

function retypeScalar(v: Val, t: SizedType): Val {
  if (v.k === 'imm' || v.k === 'reg' || v.k === 'mem' || v.k === 'ctx' || v.k === 'ext') return { ...v, t } as Val;
  return v;
}

/** One field of a struct value, with bit fields extracted and __data_loc resolved. */
function fieldOf(cg: CodeGen, base: Val, f: Field): Val {
  if (f.dataLoc) {
    // The u32 at the field holds (length << 16) | offset of the data within the record.
    if (base.k !== 'ctx') throw new InternalError('__data_loc field outside the context');
    const ctx = cg.ctxBase();
    const t = cg.regs.alloc();
    cg.e.ldx(4, t.reg, ctx, base.off + f.offset);
    cg.e.aluImm(BPF_AND, t.reg, 0xffff);
    cg.e.aluReg(BPF_ADD, t.reg, ctx);
    cg.ctxDone();
    return cg.reg(t, f.type);
  }
  if (f.bitfield && f.type.kind === 'int') {
    const whole = cg.scalar(place(cg, base, f.offset, intType(f.type.size, false)));
    const { bitOffset, bitWidth } = f.bitfield;
    if (bitOffset) cg.e.aluImm(BPF_RSH, whole.reg, bitOffset);
    if (bitWidth < 32) cg.e.aluImm(BPF_AND, whole.reg, (1 << bitWidth) - 1);
    else if (bitWidth < 64) {
      const shift = 64 - bitWidth;
      cg.e.aluImm(BPF_LSH, whole.reg, shift);
      cg.e.aluImm(BPF_RSH, whole.reg, shift);
    }
    if (f.type.signed && bitWidth < 64) {
      const shift = 64 - bitWidth;
      cg.e.aluImm(BPF_LSH, whole.reg, shift);
      cg.e.aluImm(BPF_ARSH, whole.reg, shift);
    }
    return cg.reg(whole, f.type);
  }
  return place(cg, base, f.offset, f.type);
}

function indexAccess(cg: CodeGen, e: Index): Val {
  const base = compileExpr(cg, e.expr);
  const bt = base.t;
  if (bt.kind === 'tuple') {
    // `$t[1 + 1]`: the checker proved the index constant and in range, like `$t.2`.
    const n = cg.pc.checked.constants.get(e.index);
    if (n === undefined) throw new InternalError('tuple index is not a constant');
    const f = bt.fields[Number(n)]!;
    return place(cg, base, f.offset, f.type);
  }
  const elem = bt.kind === 'pointer' ? bt.to : bt.kind === 'array' ? bt.elem : bt.kind === 'string' ? typeOf(cg, e) : undefined;
  if (!elem) throw new InternalError(`index on ${bt.kind}`);
  const size = Math.max(1, elem.size);
  const idx = compileExpr(cg, e.index);
  if (bt.kind === 'pointer') {
    const addr = scaledAdd(cg, retypeScalar(base, uint64), idx, size);
    return { k: 'ext', addr, space: bt.space, t: elem };
  }
  if (idx.k === 'imm') return place(cg, base, Number(idx.v) * size, elem);
  // A variable index into an array value: read it through its address (bounds checked by the read).
  if (base.k === 'ext') return { k: 'ext', addr: scaledAdd(cg, base.addr, idx, size), space: base.space, t: elem };
  const count = bt.kind === 'array' ? bt.count : bt.kind === 'string' ? bt.size : 1;
  return variableIndex(cg, base, idx, size, count, elem);
}

/** base[idx] for an array in program memory or the context with a run-time index. */
function variableIndex(cg: CodeGen, base: Val, idx: Val, size: number, count: number, elem: SizedType): Val {
  const { m, slot } = cg.memOf(base);
  const i = cg.scalar(idx);
  const out = cg.slot(Math.max(8, size));
  const outMem = cg.memOfSlot(out);
  // Out of range reads as zero; in range, the element is copied through a bounded pointer.
  cg.zeroRange(outMem, 0, size);
  const done = cg.e.newLabel();
  cg.e.jImm('ge', i.reg, count, done);
  if (size > 1) cg.e.aluImm(BPF_MUL, i.reg, size);
  cg.e.aluReg(BPF_ADD, i.reg, m.base);
  cg.e.addImm(i.reg, m.off);
  cg.copy({ base: i.reg, off: 0 }, outMem, size);
  cg.e.bind(done);
  cg.regs.free(i);
  cg.frame.free(slot);
  return { k: 'mem', m: outMem, t: elem, slot: out };
}

/** addr + idx * size as a scalar. */
function scaledAdd(cg: CodeGen, addr: Val, idx: Val, size: number): Val {
  if (idx.k === 'imm') return addConst(cg, addr, BigInt.asIntN(64, idx.v) * BigInt(size));
  const i = cg.scalar(idx);
  if (size > 1) cg.e.aluImm(BPF_MUL, i.reg, size);
  const o = cg.operand(addr);
  if ('imm' in o) {
    cg.e.addImm(i.reg, o.imm);
    return cg.reg(i, uint64);
  }
  cg.e.aluReg(BPF_ADD, o.temp.reg, i.reg);
  cg.regs.free(i);
  return cg.reg(o.temp, uint64);
}

// ── operators ────────────────────────────────────────────────────────────────────────────

const ALU: Readonly<Record<string, number>> = {
  '+': BPF_ADD, '-': BPF_SUB, '*': BPF_MUL, '/': BPF_DIV, '%': BPF_MOD, '&': BPF_AND, '|': BPF_OR, '^': BPF_XOR, '<<': BPF_LSH, '>>': BPF_RSH,
};
const COMMUTATIVE = new Set(['+', '*', '&', '|', '^']);
const COMPARE: Readonly<Record<string, Cond>> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
const SIGNED_COND: Readonly<Partial<Record<Cond, Cond>>> = { lt: 'slt', le: 'sle', gt: 'sgt', ge: 'sge' };

function binary(cg: CodeGen, e: Binary): Val {
  const rt = typeOf(cg, e);
  if (e.op === '&&' || e.op === '||' || e.op in COMPARE) return boolValue(cg, e, rt);
  const lt = typeOf(cg, e.left);
  const rtype = typeOf(cg, e.right);
  if (lt.kind === 'pointer' || rtype.kind === 'pointer') return pointerArith(cg, e, rt);
  const common = cg.pc.checked.operandTypes.get(e) ?? asInt(rt);
  const a = cg.convertInt(compileExpr(cg, e.left), common.kind === 'int' ? common : asInt(common));
  const b = cg.convertInt(compileExpr(cg, e.right), common.kind === 'int' ? common : asInt(common));
  return arith(cg, e.op, a, b, common.kind === 'int' ? common : asInt(common), rt);
}

/**
 * a op b in 64 bits, brought to the result type. As in bpftrace 0.23, `/`, `%` and `>>` are
 * unsigned whatever the operands' signedness (its LLVM IR uses udiv, urem and lshr; the
 * checker warns about signed operands).
 */
export function arith(cg: CodeGen, op: string, a: Val, b: Val, common: IntType, rt: SizedType): Val {
  const signed = false;
  if (a.k === 'imm' && b.k === 'imm') return cg.imm(wrapTo(fold(op, a.v, b.v, signed), rt), rt);
  if (a.k === 'imm' && b.k !== 'imm' && COMMUTATIVE.has(op)) [a, b] = [b, a];
  // Identities that need no instruction.
  if (b.k === 'imm' && ((b.v === 0n && (op === '+' || op === '-' || op === '|' || op === '^' || op === '<<' || op === '>>')) || (b.v === 1n && (op === '*' || op === '/')))) {
    cg.release(b);
    const t = cg.scalar(a);
    cg.normalize(t.reg, rt);
    return cg.reg(t, rt);
  }
  const t = cg.scalar(a);
  const o = cg.operand(b);
  let code = ALU[op]!;
  let off = 0;
  if (op === '>>' && signed) code = BPF_ARSH;
  if ((op === '/' || op === '%') && signed) off = 1;
  if ('imm' in o) {
    // Power-of-two unsigned multiply/divide/modulo become shifts and masks.
    const p = powerOfTwo(o.imm);
    if (p !== undefined && !signed && op === '/' ) cg.e.aluImm(BPF_RSH, t.reg, p);
    else if (p !== undefined && !signed && op === '%') cg.e.aluImm(BPF_AND, t.reg, o.imm - 1);
    else if (p !== undefined && op === '*') cg.e.aluImm(BPF_LSH, t.reg, p);
    else cg.e.aluImm(code, t.reg, o.imm, 64, off);
  } else {
    cg.e.aluReg(code, t.reg, cg.regs.reg(o.temp), 64, off);
    cg.regs.free(o.temp);
  }
  cg.normalize(t.reg, rt);
  return cg.reg(t, rt);
}

function powerOfTwo(n: number): number | undefined {
  if (n <= 0 || (n & (n - 1)) !== 0) return undefined;
  return Math.log2(n);
}

/** Constant folding with eBPF's semantics (x / 0 = 0, x % 0 = x); `signed` selects sdiv/smod/arsh. */
function fold(op: string, a: bigint, b: bigint, signed: boolean): bigint {
  const A = signed ? BigInt.asIntN(64, a) : BigInt.asUintN(64, a);
  const B = signed ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b);
  switch (op) {
    case '+':
      return A + B;
    case '-':
      return A - B;
    case '*':
      return A * B;
    case '/':
      return B === 0n ? 0n : A / B;
    case '%':
      return B === 0n ? A : A % B;
    case '&':
      return A & B;
    case '|':
      return A | B;
    case '^':
      return A ^ B;
    case '<<':
      return BigInt.asUintN(64, A) << (B & 63n);
    case '>>':
      return signed ? BigInt.asIntN(64, A) >> (B & 63n) : BigInt.asUintN(64, A) >> (B & 63n);
  }
  throw new InternalError(`no folding for ${op}`);
}

/** An integer added to a pointer, in bytes: v × the pointee's size (at least 1), as a uint64. */
export function pointerOffset(cg: CodeGen, v: Val, ptr: Extract<SizedType, { kind: 'pointer' }>): Val {
  const size = BigInt(Math.max(1, ptr.to.size));
  const i = cg.convertInt(v.t.kind === 'int' ? v : retypeScalar(v, int64), int64);
  return retypeScalar(arith(cg, '*', i, cg.imm(size, int64), int64, int64), uint64);
}

function pointerArith(cg: CodeGen, e: Binary, rt: SizedType): Val {
  const lt = typeOf(cg, e.left);
  const rtt = typeOf(cg, e.right);
  if (lt.kind === 'pointer' && rtt.kind === 'pointer') {
    const a = compileExpr(cg, e.left);
    const b = compileExpr(cg, e.right);
    const v = arith(cg, e.op, retypeScalar(a, uint64), retypeScalar(b, uint64), uint64, uint64);
    const size = Math.max(1, lt.to.size);
    return e.op === '-' && size > 1 ? arith(cg, '/', v, cg.imm(BigInt(size), uint64), int64, rt) : v;
  }
  const ptrLeft = lt.kind === 'pointer';
  const ptr = (ptrLeft ? lt : rtt) as Extract<SizedType, { kind: 'pointer' }>;
  const size = Math.max(1, ptr.to.size);
  let p = compileExpr(cg, ptrLeft ? e.left : e.right);
  let i = compileExpr(cg, ptrLeft ? e.right : e.left);
  if (!ptrLeft) [p, i] = [p, i];
  i = arith(cg, '*', retypeScalar(i, int64), cg.imm(BigInt(size), int64), int64, int64);
  return arith(cg, e.op, retypeScalar(p, uint64), i, uint64, rt);
}

/** A comparison or logical operator as a 0/1 value. */
function boolValue(cg: CodeGen, e: Binary, rt: SizedType): Val {
  // Constant operands fold.
  const c = constantTruth(cg, e);
  if (c !== undefined) return cg.imm(c ? 1n : 0n, rt);
  const mayCall = cg.pc.analysis.mayCall(e);
  const cell = ResultCell.make(cg, rt, mayCall);
  const no = cg.e.newLabel();
  cg.enterBranches(mayCall);
  cell.set(cg.imm(0n, rt));
  branch(cg, e, no, false);
  cell.set(cg.imm(1n, rt));
  cg.e.bind(no);
  cg.leaveBranches();
  return cell.get();
}

/** The truth of a comparison of two constants, when both sides are constant. */
function constantTruth(cg: CodeGen, e: Expr): boolean | undefined {
  const c = cg.pc.checked.constants.get(e);
  if (c !== undefined) return c !== 0n;
  if (e.kind === 'Int') return e.value !== 0n;
  if (e.kind === 'Bool') return e.value;
  if (e.kind === 'Unary' && e.op === '!') {
    const x = constantTruth(cg, e.operand);
    return x === undefined ? undefined : !x;
  }
  if (e.kind === 'Binary' && (e.op === '&&' || e.op === '||')) {
    const a = constantTruth(cg, e.left);
    const b = constantTruth(cg, e.right);
    if (e.op === '&&' && (a === false || b === false)) return a === false || !cg.pc.analysis.mayCall(e.left) ? false : undefined;
    if (a !== undefined && b !== undefined) return e.op === '&&' ? a && b : a || b;
    return undefined;
  }
  if (e.kind === 'Binary' && e.op in COMPARE) {
    const lt = cg.pc.checked.types.get(e.left);
    const rtt = cg.pc.checked.types.get(e.right);
    if (lt?.kind !== 'int' || rtt?.kind !== 'int') return undefined;
    const a = constantInt(cg, e.left);
    const b = constantInt(cg, e.right);
    if (a === undefined || b === undefined) return undefined;
    const common = (cg.pc.checked.operandTypes.get(e) ?? int64) as IntType;
    const A = wrapTo(a, common);
    const B = wrapTo(b, common);
    const ua = common.signed ? A : BigInt.asUintN(64, A);
    const ub = common.signed ? B : BigInt.asUintN(64, B);
    switch (e.op) {
      case '==':
        return ua === ub;
      case '!=':
        return ua !== ub;
      case '<':
        return ua < ub;
      case '<=':
        return ua <= ub;
      case '>':
        return ua > ub;
      case '>=':
        return ua >= ub;
    }
  }
  return undefined;
}

function constantInt(cg: CodeGen, e: Expr): bigint | undefined {
  const c = cg.pc.checked.constants.get(e);
  if (c !== undefined) return c;
  if (e.kind === 'Int') return e.value;
  if (e.kind === 'Bool') return e.value ? 1n : 0n;
  if (e.kind === 'Unary' && e.op === '-') {
    const x = constantInt(cg, e.operand);
    return x === undefined ? undefined : -x;
  }
  return undefined;
}

/**
 * Emits a jump to `target` taken exactly when the truth of e equals `jumpIf`; falls through
 * otherwise. The caller has entered conditional code (enterBranches) as needed.
 */
export function branch(cg: CodeGen, e: Expr, target: Label, jumpIf: boolean): void {
  const c = constantTruth(cg, e);
  if (c !== undefined) {
    if (c === jumpIf) cg.e.ja(target);
    return;
  }
  if (e.kind === 'Unary' && e.op === '!') {
    branch(cg, e.operand, target, !jumpIf);
    return;
  }
  if (e.kind === 'Binary' && (e.op === '&&' || e.op === '||')) {
    const and = e.op === '&&';
    if (and !== jumpIf) {
      // &&, jump when false (or ||, jump when true): either side decides alone.
      branch(cg, e.left, target, jumpIf);
      // The right side runs only on some paths: what it computes is not available after.
      cg.pushArm();
      branch(cg, e.right, target, jumpIf);
      cg.popArm();
    } else {
      const skip = cg.e.newLabel();
      branch(cg, e.left, skip, !jumpIf);
      cg.pushArm();
      branch(cg, e.right, target, jumpIf);
      cg.popArm();
      cg.e.bind(skip);
    }
    return;
  }
  if (e.kind === 'Binary' && e.op in COMPARE) {
    const lt = typeOf(cg, e.left);
    const rtt = typeOf(cg, e.right);
    if (isScalar(lt) && isScalar(rtt)) {
      compareJump(cg, e, target, jumpIf);
      return;
    }
    // Strings, tuples, arrays: equality of their bytes.
    const eq = aggregateEqual(cg, e);
    const jumpWhenEqual = (e.op === '==') === jumpIf;
    cg.e.jImm(jumpWhenEqual ? 'ne' : 'eq', eq.reg, 0, target);
    cg.regs.free(eq);
    return;
  }
  const v = compileExpr(cg, e);
  if (v.k === 'imm') {
    if ((v.v !== 0n) === jumpIf) cg.e.ja(target);
    return;
  }
  if (!isScalar(v.t)) throw new InternalError(`condition of type ${v.t.kind}`);
  const t = cg.scalar(v);
  cg.e.jImm(jumpIf ? 'ne' : 'eq', t.reg, 0, target);
  cg.regs.free(t);
}

function compareJump(cg: CodeGen, e: Binary, target: Label, jumpIf: boolean): void {
  const lt = typeOf(cg, e.left);
  const rtt = typeOf(cg, e.right);
  const common = lt.kind === 'pointer' || rtt.kind === 'pointer' ? uint64 : ((cg.pc.checked.operandTypes.get(e) as IntType | undefined) ?? asInt(lt));
  let a = cg.convertInt(retypeScalar(compileExpr(cg, e.left), lt.kind === 'pointer' ? uint64 : lt), common);
  let b = cg.convertInt(retypeScalar(compileExpr(cg, e.right), rtt.kind === 'pointer' ? uint64 : rtt), common);
  let cond: Cond = COMPARE[e.op]!;
  if (common.signed && SIGNED_COND[cond]) cond = SIGNED_COND[cond]!;
  if (!jumpIf) cond = NEGATED[cond as Exclude<Cond, 'set'>];
  if (a.k === 'imm' && b.k !== 'imm') {
    [a, b] = [b, a];
    cond = SWAPPED[cond as Exclude<Cond, 'set'>];
  }
  const ta = cg.scalar(a);
  const o = cg.operand(b);
  if ('imm' in o) cg.e.jImm(cond, ta.reg, o.imm, target);
  else {
    cg.e.jReg(cond, ta.reg, cg.regs.reg(o.temp), target);
    cg.regs.free(o.temp);
  }
  cg.regs.free(ta);
}

/** 1 when the two aggregate operands of e hold equal values, else 0 (in a temp). */
function aggregateEqual(cg: CodeGen, e: Binary): Temp {
  const a = compileExpr(cg, e.left);
  const b = compileExpr(cg, e.right);
  return compareMem(cg, a, b);
}

function unary(cg: CodeGen, e: Unary): Val {
  const rt = typeOf(cg, e);
  switch (e.op) {
    case '!':
      return notValue(cg, e, rt);
    case '-':
    case '~': {
      // Computed in the operand's width (bpftrace: ~(uint32)0 is 0xffffffff), then widened.
      const v = compileExpr(cg, e.operand);
      const ot = v.t.kind === 'int' ? v.t : rt;
      if (v.k === 'imm') return cg.imm(wrapTo(wrapTo(e.op === '-' ? -v.v : ~v.v, ot), rt), rt);
      const t = cg.scalar(v);
      if (e.op === '-') cg.e.aluImm(BPF_NEG, t.reg, 0);
      else cg.e.aluImm(BPF_XOR, t.reg, -1);
      cg.normalize(t.reg, ot);
      if (rt.kind === 'int' && ot.kind === 'int' && ot.size < rt.size && ot.signed && !rt.signed) cg.normalize(t.reg, rt);
      return cg.reg(t, rt);
    }
    case '*': {
      const v = compileExpr(cg, e.operand);
      const pt = v.t;
      // An integer is an address in the probe's address space (bpftrace reads 8 bytes).
      const space = pt.kind === 'pointer' ? pt.space : (cg.scope.probe?.addressSpace ?? 'kernel');
      return { k: 'ext', addr: retypeScalar(v, uint64), space, t: rt };
    }
    case '&': {
      const slot = e.operand.kind === 'Variable' ? cg.pc.checked.variables.get(e.operand) : undefined;
      if (slot) {
        // `&$x`: the variable's place in the frame or in scratch memory (read back through
        // probe_read_kernel as any kernel address would be).
        const m = cg.varMem(slot);
        const t = cg.regs.alloc();
        cg.e.mov(t.reg, m.base);
        cg.e.addImm(t.reg, m.off);
        return cg.reg(t, rt);
      }
      const v = compileExpr(cg, e.operand);
      if (v.k === 'ext') return retypeScalar(v.addr, rt);
      throw new InternalError('address of a value that is not in kernel or user memory');
    }
  }
}

function notValue(cg: CodeGen, e: Unary, rt: SizedType): Val {
  const c = constantTruth(cg, e);
  if (c !== undefined) return cg.imm(c ? 1n : 0n, rt);
  const v = compileExpr(cg, e.operand);
  const t = cg.scalar(v);
  const r = cg.regs.alloc();
  const skip = cg.e.newLabel();
  cg.e.movImm(r.reg, 0n);
  cg.e.jImm('ne', t.reg, 0, skip);
  cg.e.movImm(r.reg, 1n);
  cg.e.bind(skip);
  cg.regs.free(t);
  return cg.reg(r, rt);
}

function incDec(cg: CodeGen, e: IncDec): Val {
  const rt = typeOf(cg, e);
  if (e.target.kind === 'Map') return incDecMap(cg, e, rt);
  const slot = cg.pc.checked.variables.get(e.target);
  if (!slot) throw new InternalError(`variable $${e.target.name} has no slot`);
  const m = cg.varMem(slot);
  const t = cg.regs.alloc();
  cg.loadScalar(t.reg, m, slot.type);
  const delta = e.op === '++' ? 1 : -1;
  let old: Temp | undefined;
  if (!e.prefix) {
    old = cg.regs.alloc();
    cg.e.mov(old.reg, t.reg);
  }
  if (slot.type.kind === 'pointer') cg.e.addImm(t.reg, delta * Math.max(1, slot.type.to.size));
  else cg.e.addImm(t.reg, delta);
  cg.normalize(t.reg, slot.type);
  cg.e.stx(scalarWidth(slot.type), m.base, m.off, t.reg);
  if (old) {
    cg.regs.free(t);
    return cg.reg(old, rt);
  }
  return cg.reg(t, rt);
}

// ── conditional values ───────────────────────────────────────────────────────────────────

/**
 * Where both arms of a conditional put their value: a register that no helper call in the
 * arms disturbs (callee-saved when they call), or memory.
 */
export class ResultCell {
  private constructor(
    private readonly cg: CodeGen,
    readonly t: SizedType,
    private readonly temp: Temp | undefined,
    private readonly slot: { base: number; off: number; size: number } | undefined,
  ) {}

  static make(cg: CodeGen, t: SizedType, mayCall: boolean): ResultCell {
    if (isScalar(t)) {
      if (mayCall) cg.regs.evacuateCallerSaved();
      const temp = cg.regs.alloc(mayCall);
      if (!mayCall || temp.reg >= 6) return new ResultCell(cg, t, temp, undefined);
      cg.regs.free(temp);
      return new ResultCell(cg, t, undefined, cg.slot(8));
    }
    return new ResultCell(cg, t, undefined, cg.slot(Math.max(1, t.size)));
  }

  get mem(): Mem {
    return { base: this.slot!.base, off: this.slot!.off };
  }

  /** Stores an arm's value (converted to the cell's type). */
  set(v: Val): void {
    if (this.temp) {
      if (v.k === 'imm') this.cg.e.movImm(this.temp.reg, wrapTo(v.v, this.t));
      else {
        const x = this.cg.scalar(v);
        this.cg.e.mov(this.temp.reg, x.reg);
        this.cg.regs.free(x);
        if (v.t.kind === 'int' && this.t.kind === 'int' && v.t.size > this.t.size) this.cg.normalize(this.temp.reg, this.t);
      }
      return;
    }
    this.cg.store(v, this.mem, isScalar(this.t) ? uint64 : this.t);
  }

  /** Jumps to l when the (scalar) cell holds a non-zero value. */
  jumpIfNonZero(l: Label): void {
    if (this.temp) {
      this.cg.e.jImm('ne', this.temp.reg, 0, l);
      return;
    }
    const r = this.cg.regs.alloc();
    this.cg.loadScalar(r.reg, this.mem, uint64);
    this.cg.e.jImm('ne', r.reg, 0, l);
    this.cg.regs.free(r);
  }

  get(): Val {
    if (this.temp) return this.cg.reg(this.temp, this.t);
    if (isScalar(this.t)) {
      const r = this.cg.regs.alloc();
      this.cg.loadScalar(r.reg, this.mem, uint64);
      this.cg.frame.free(this.slot);
      return this.cg.reg(r, this.t);
    }
    return { k: 'mem', m: this.mem, t: this.t, slot: this.slot! };
  }
}

function ternary(cg: CodeGen, e: Ternary): Val {
  const rt = typeOf(cg, e);
  const c = constantTruth(cg, e.cond);
  if (c !== undefined && !cg.pc.analysis.mayCall(e.cond)) return compileExpr(cg, c ? (e.then ?? e.cond) : e.else);
  const mayCall = cg.pc.analysis.mayCall(e);
  if (!e.then) {
    // `a ?: b`: a when it is non-zero.
    const cell = ResultCell.make(cg, rt, mayCall);
    cg.enterBranches(mayCall);
    const done = cg.e.newLabel();
    cell.set(compileExpr(cg, e.cond));
    cell.jumpIfNonZero(done);
    const s = cg.armStart();
    cell.set(compileExpr(cg, e.else));
    cg.armEnd(s);
    cg.e.bind(done);
    cg.leaveBranches();
    return cell.get();
  }
  if (rt.kind === 'void') return voidConditional(cg, rt, e.cond, e.then, e.else, mayCall);
  return conditional(cg, rt, mayCall, (no) => branch(cg, e.cond, no, false), () => compileExpr(cg, e.then!), () => compileExpr(cg, e.else));
}

function ternaryInto(cg: CodeGen, e: Ternary, dst: Mem, dt: SizedType, canonical: boolean): void {
  const mayCall = cg.pc.analysis.mayCall(e);
  cg.enterBranches(mayCall);
  const no = cg.e.newLabel();
  const done = cg.e.newLabel();
  branch(cg, e.cond, no, false);
  let s = cg.armStart();
  into(cg, e.then!, dst, dt, canonical);
  cg.armEnd(s);
  cg.e.ja(done);
  cg.e.bind(no);
  s = cg.armStart();
  into(cg, e.else, dst, dt, canonical);
  cg.armEnd(s);
  cg.e.bind(done);
  cg.leaveBranches();
}

function ifExpr(cg: CodeGen, e: IfExpr): Val {
  const rt = typeOf(cg, e);
  const mayCall = cg.pc.analysis.mayCall(e);
  if (rt.kind === 'void') return voidConditional(cg, rt, e.cond, e.then, e.else, mayCall);
  return conditional(cg, rt, mayCall, (no) => branch(cg, e.cond, no, false), () => compileExpr(cg, e.then), () => compileExpr(cg, e.else));
}

/** `c ? f() : g()` / `if c { f() } else { g() }` of no value: one arm runs, nothing is kept. */
function voidConditional(cg: CodeGen, rt: SizedType, cond: Expr, then: Expr, otherwise: Expr, mayCall: boolean): Val {
  cg.enterBranches(mayCall);
  const no = cg.e.newLabel();
  const done = cg.e.newLabel();
  branch(cg, cond, no, false);
  let s = cg.armStart();
  cg.release(compileExpr(cg, then));
  cg.armEnd(s);
  cg.e.ja(done);
  cg.e.bind(no);
  s = cg.armStart();
  cg.release(compileExpr(cg, otherwise));
  cg.armEnd(s);
  cg.e.bind(done);
  cg.leaveBranches();
  return { k: 'void', t: rt };
}

/** cond ? a : b through a result cell. */
function conditional(cg: CodeGen, rt: SizedType, mayCall: boolean, test: (no: Label) => void, a: () => Val, b: () => Val): Val {
  const cell = ResultCell.make(cg, rt, mayCall);
  cg.enterBranches(mayCall);
  const no = cg.e.newLabel();
  const done = cg.e.newLabel();
  test(no);
  let s = cg.armStart();
  cell.set(a());
  cg.armEnd(s);
  cg.e.ja(done);
  cg.e.bind(no);
  s = cg.armStart();
  cell.set(b());
  cg.armEnd(s);
  cg.e.bind(done);
  cg.leaveBranches();
  return cell.get();
}

// ── casts ────────────────────────────────────────────────────────────────────────────────

function cast(cg: CodeGen, e: Cast): Val {
  const to = typeOf(cg, e);
  const v = compileExpr(cg, e.expr);
  const from = v.t;
  if (to.kind === 'int' || to.kind === 'bool') {
    if (isScalar(from)) return to.kind === 'int' ? cg.convertInt(retypeScalar(v, asInt(from)), to) : toBool(cg, v);
    // An aggregate reinterpreted as an integer: its first bytes.
    return cg.convertInt(place(cg, v, 0, intType(scalarWidth(to), false)), to.kind === 'int' ? to : intType(1, false));
  }
  if (to.kind === 'pointer' || isScalar(to)) return retypeScalar(v, to);
  if (to.kind === 'array' && isScalar(from)) {
    const s = cg.slot(Math.max(8, to.size));
    const m = cg.memOfSlot(s);
    cg.store(v, m, intType(scalarWidth(from), false));
    if (to.size > 8) cg.zeroRange(m, 8, to.size);
    return { k: 'mem', m, t: to, slot: s };
  }
  // Same bytes, another view (arrays, strings, structs).
  if (v.k === 'mem' || v.k === 'ctx' || v.k === 'ext') return { ...v, t: to } as Val;
  const { m, slot } = cg.memOf(v);
  return { k: 'mem', m, t: to, ...(slot ? { slot } : {}) };
}

function toBool(cg: CodeGen, v: Val): Val {
  if (v.k === 'imm') return cg.imm(v.v !== 0n ? 1n : 0n, boolType);
  const t = cg.scalar(v);
  cg.normalize(t.reg, boolType);
  return cg.reg(t, boolType);
}

export { isSignedInt };
