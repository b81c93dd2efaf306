// bpftrace maps to code: keys built in place (tuples packed as the checker lays them out,
// strings zero-padded so equal keys are equal bytes), reads where a missing key reads as
// zero, reads of aggregations summed or combined over the per-CPU copies, assignment,
// compound assignment and ++/-- (one lookup, an in-place update, an insert only for a new
// key), delete and has_key. In: map references and statements. Out: code. Not: aggregation
// functions (aggregations.ts) nor map-wide operations run by user space (async.ts).

import { InternalError } from '../diag/diagnostic.js';
import type { AssignMap, Expr, IncDec, MapRef } from '../parse/ast.js';
import type { Span } from '../diag/source.js';
import { int64, uint64, type IntType, type SizedType } from '../check/types.js';
import { BPF_ADD, BPF_DIV, R0 } from '../ebpf/isa.js';
import { HELPER_ID } from '../ebpf/helpers/helper-ids.js';
import { BPF_ANY } from '../ebpf/maps/map.js';
import { AGG_FIELDS } from '../runtime/output/layouts.js';
import { CodeGen, isScalar, sameLayout, scalarWidth, wrapTo, type Mem, type Val } from './codegen.js';
import { sameAst } from '../parse/equal.js';
import type { Slot } from './frame.js';
import type { UserMap } from './program-context.js';
import type { Temp } from './registers.js';
import { arith, compileExpr, into, pointerOffset, ResultCell, typeOf } from './expressions.js';
import { aggregate } from './aggregations.js';
import { compileStmts } from './statements.js';

export interface KeyMem {
  readonly m: Mem;
  readonly slot?: Slot;
}

/** Keys kept for reuse at once at most (each holds a stack slot). */
const KEY_CACHE_SIZE = 4;

/** Builtins whose value cannot change while one probe runs. */
const STABLE_BUILTINS = new Set(['pid', 'tid', 'uid', 'gid', 'comm', 'cpu', 'cgroup', 'username', 'ncpus', 'probe', 'numaid', 'curtask', 'args', 'retval', 'ctx', 'func']);

/** An expression whose value is the same wherever it is evaluated in one probe run (no side effects). */
function stable(e: Expr): boolean {
  switch (e.kind) {
    case 'Int':
    case 'String':
    case 'Bool':
    case 'Identifier':
      return true;
    case 'Builtin':
      return STABLE_BUILTINS.has(e.name) || /^arg[0-9]+$/.test(e.name);
    case 'Cast':
      return stable(e.expr);
    case 'FieldAccess':
      return !e.arrow && stable(e.expr) || (e.expr.kind === 'Builtin' && e.expr.name === 'args');
    case 'TupleAccess':
      return stable(e.expr);
    case 'Binary':
      return stable(e.left) && stable(e.right);
    case 'Unary':
      return e.op !== '*' && e.op !== '&' && stable(e.operand);
    case 'Tuple':
      return e.elems.every(stable);
    default:
      return false;
  }
}

/**
 * The key of `map` for the given key expressions, built in memory (the constant 0 for
 * keyless maps). A key of stable expressions built earlier on every path to here (same key
 * type, same expressions) is reused as it is: `@start[tid]` in a predicate and the body, or
 * `@min[comm]` then `@max[comm]`, build their key once.
 */
export function buildKey(cg: CodeGen, map: UserMap, keys: readonly Expr[] | undefined): KeyMem {
  const exprs = map.scalar || !keys ? [] : keys;
  const kt: SizedType = map.scalar || !keys || keys.length === 0 ? { kind: 'int', size: map.keySize === 4 ? 4 : 8, signed: false } : map.def.keyType!;
  const cacheable = exprs.every(stable);
  if (cacheable) {
    const hit = cg.keyCache.find((c) => c.exprs.length === exprs.length && sameLayout(c.keyType, kt) && c.keyType.size === kt.size && cg.dominates(c.path) && sameAst(c.exprs, exprs));
    if (hit) return { m: cg.memOfSlot(hit.slot) };
  }
  const built = buildKeyFresh(cg, map, keys);
  if (!cacheable || !built.slot) return built;
  // Keep it (the slot stays allocated while cached).
  cg.keyCache.push({ keyType: kt, exprs, slot: built.slot, path: [...cg.armPath] });
  if (cg.keyCache.length > KEY_CACHE_SIZE) cg.frame.free(cg.keyCache.shift()!.slot);
  return { m: built.m };
}

function buildKeyFresh(cg: CodeGen, map: UserMap, keys: readonly Expr[] | undefined): KeyMem {
  if (map.scalar || !keys || keys.length === 0) {
    const s = cg.slot(8);
    cg.e.st(map.keySize === 4 ? 4 : 8, s.base, s.off, 0);
    return { m: cg.memOfSlot(s), slot: s };
  }
  const kt = map.def.keyType!;
  const s = cg.slot(Math.max(1, kt.size));
  const m = cg.memOfSlot(s);
  if (keys.length === 1) into(cg, keys[0]!, m, kt, true);
  else {
    if (kt.kind !== 'tuple') throw new InternalError(`map ${map.info.name} has several keys but a ${kt.kind} key type`);
    let covered = 0;
    kt.fields.forEach((f, i) => {
      if (f.offset > covered) cg.zeroRange(m, covered, f.offset);
      into(cg, keys[i]!, { base: m.base, off: m.off + f.offset }, f.type, true);
      covered = f.offset + f.type.size;
    });
    if (kt.size > covered) cg.zeroRange(m, covered, kt.size);
  }
  return { m, slot: s };
}

export function freeKey(cg: CodeGen, k: KeyMem): void {
  cg.frame.free(k.slot);
}

/** map_lookup_elem(map, key): the value pointer or NULL in a temp (r0). */
export function lookup(cg: CodeGen, map: number, key: Mem): Temp {
  return cg.call(HELPER_ID.map_lookup_elem, [{ map }, { addr: key }]);
}

/**
 * map_update_elem(map, key, value, flags): the value from memory, or from the pointer in
 * `fromPtr` (consumed) when given. Returns r0 (0 or -errno).
 */
export function update(cg: CodeGen, map: number, key: Mem, value: Mem, flags: number, fromPtr?: Temp): Temp {
  const v = fromPtr ? { temp: fromPtr } : { addr: value };
  return cg.call(HELPER_ID.map_update_elem, [{ map }, { addr: key }, v, { imm: BigInt(flags) }], fromPtr ? [fromPtr] : []);
}

// ── reads ────────────────────────────────────────────────────────────────────────────────

export function readMap(cg: CodeGen, e: MapRef): Val {
  const map = cg.pc.userMap(e.name);
  const t = typeOf(cg, e);
  const key = buildKey(cg, map, e.keys);
  if (map.aggregation) {
    const v = readAggregation(cg, map, key.m, t);
    freeKey(cg, key);
    return v;
  }
  const p = lookup(cg, map.index, key.m);
  freeKey(cg, key);
  cg.reportLookupMiss(p, e.span, e);
  return valueAt(cg, map, p, t);
}

/**
 * `@m[k]` written straight into dst when the value is an aggregate of the destination's
 * layout (a string read into a record or a variable): one copy instead of two. Returns false
 * when it does not apply.
 */
export function readMapInto(cg: CodeGen, e: MapRef, dst: Mem, dt: SizedType): boolean {
  const map = cg.pc.userMap(e.name);
  const vt = map.valueType;
  if (map.aggregation || isScalar(vt) || vt.kind !== dt.kind || vt.size !== dt.size || !sameLayout(vt, dt)) return false;
  const key = buildKey(cg, map, e.keys);
  const p = lookup(cg, map.index, key.m);
  freeKey(cg, key);
  cg.reportLookupMiss(p, e.span, e);
  copyOrZero(cg, p, dst, vt.size);
  return true;
}

/** Copies n bytes from the pointer in p (consumed) to dst, or zeroes dst when p is NULL. */
export function copyOrZero(cg: CodeGen, p: Temp, dst: Mem, n: number): void {
  const missing = cg.e.newLabel();
  const done = cg.e.newLabel();
  const reg = p.reg;
  cg.regs.free(p);
  cg.enterBranches(n > 64);
  cg.e.jImm('eq', reg, 0, missing);
  let snap = cg.armStart();
  copyFromPtr(cg, cg.regs.adopt(reg), dst, n);
  cg.armEnd(snap);
  cg.e.ja(done);
  cg.e.bind(missing);
  snap = cg.armStart();
  cg.zeroRange(dst, 0, n);
  cg.armEnd(snap);
  cg.e.bind(done);
  cg.leaveBranches();
}

/**
 * The value a lookup pointer (in temp p, consumed) points to, or zero when it is NULL:
 * scalars load through the pointer unless it is 0 (which is already the zero value),
 * aggregates copy from it or from the zero map.
 */
function valueAt(cg: CodeGen, map: UserMap, p: Temp, t: SizedType): Val {
  const vt = map.valueType;
  if (isScalar(vt)) {
    const skip = cg.e.newLabel();
    cg.e.jImm('eq', p.reg, 0, skip);
    cg.loadScalar(p.reg, { base: p.reg, off: 0 }, vt);
    cg.e.bind(skip);
    const v = cg.reg(p, vt);
    return vt.kind === 'int' && t.kind === 'int' ? cg.convertInt(v, t) : v;
  }
  // Found: copy the value; missing: zero the slot.
  const s = cg.slot(Math.max(1, vt.size));
  copyOrZero(cg, p, cg.memOfSlot(s), vt.size);
  return { k: 'mem', m: cg.memOfSlot(s), t: vt, slot: s };
}

/** Copies n bytes from the pointer in temp p (consumed) to dst. */
export function copyFromPtr(cg: CodeGen, p: Temp, dst: Mem, n: number): void {
  if (n > 64) {
    cg.callVoid(HELPER_ID.probe_read_kernel, [{ addr: dst }, { imm: BigInt(n) }, { temp: p }], [p]);
    return;
  }
  cg.copy({ base: cg.regs.reg(p), off: 0 }, dst, n);
  cg.regs.free(p);
}

/** Accumulators that survive the helper calls of a per-CPU loop: callee-saved registers, or stack. */
class Acc {
  private constructor(
    private readonly cg: CodeGen,
    readonly temp: Temp | undefined,
    readonly slot: Slot | undefined,
  ) {}

  static make(cg: CodeGen, initial: bigint): Acc {
    const t = cg.regs.alloc(true);
    if (t.reg >= 6) {
      cg.e.movImm(t.reg, initial);
      return new Acc(cg, t, undefined);
    }
    cg.regs.free(t);
    const s = cg.slot(8, 'stack');
    cg.storeImm(cg.memOfSlot(s), 8, initial);
    return new Acc(cg, undefined, s);
  }

  /** The value in a register for reading: the accumulator's own, or a loaded copy (free with done()). */
  read(): Temp {
    if (this.temp) return this.temp;
    const r = this.cg.regs.alloc();
    this.cg.e.ldx(8, r.reg, this.slot!.base, this.slot!.off);
    return r;
  }

  done(r: Temp): void {
    if (r !== this.temp) this.cg.regs.free(r);
  }

  /** acc = value of register r. */
  set(r: number): void {
    if (this.temp) this.cg.e.mov(this.temp.reg, r);
    else this.cg.e.stx(8, this.slot!.base, this.slot!.off, r);
  }

  setImm(v: bigint): void {
    if (this.temp) this.cg.e.movImm(this.temp.reg, v);
    else this.cg.storeImm({ base: this.slot!.base, off: this.slot!.off }, 8, v);
  }

  /** acc += register r. */
  add(r: number): void {
    if (this.temp) {
      this.cg.e.aluReg(BPF_ADD, this.temp.reg, r);
      return;
    }
    const x = this.read();
    this.cg.e.aluReg(BPF_ADD, x.reg, r);
    this.set(x.reg);
    this.done(x);
  }

  /** The final value as an owned temp. */
  take(): Temp {
    if (this.temp) return this.temp;
    const r = this.read();
    this.cg.frame.free(this.slot);
    return r;
  }

  drop(): void {
    if (this.temp) this.cg.regs.free(this.temp);
    else this.cg.frame.free(this.slot);
  }
}

/**
 * An aggregation read as a number: count and sum add the per-CPU copies, min and max take
 * the extreme of the copies that were written, avg divides total by count. Per-CPU copies
 * come from map_lookup_percpu_elem, once per possible CPU (unrolled; it stops at the first
 * NULL, a missing key or a CPU beyond the machine's).
 */
export function readAggregation(cg: CodeGen, map: UserMap, key: Mem, t: SizedType): Val {
  const agg = map.aggregation!;
  const signed = agg.signed;
  const cpus = map.perCpu ? cg.pc.ncpus : 1;
  const lookupCpu = (cpu: number): Temp =>
    map.perCpu
      ? cg.call(HELPER_ID.map_lookup_percpu_elem, [{ map: map.index }, { addr: key }, { imm: BigInt(cpu) }])
      : lookup(cg, map.index, key);
  cg.regs.evacuateCallerSaved();
  const done = cg.e.newLabel();
  const rt: IntType = t.kind === 'int' ? t : signed ? int64 : uint64;
  switch (agg.kind) {
    case 'count':
    case 'sum': {
      const acc = Acc.make(cg, 0n);
      for (let cpu = 0; cpu < cpus; cpu++) {
        const p = lookupCpu(cpu);
        cg.e.jImm('eq', p.reg, 0, done);
        cg.e.ldx(8, p.reg, p.reg, 0);
        acc.add(p.reg);
        cg.regs.free(p);
      }
      cg.e.bind(done);
      return cg.convertInt(cg.reg(acc.take(), signed ? int64 : uint64), rt);
    }
    case 'min':
    case 'max': {
      const acc = Acc.make(cg, 0n);
      const set = Acc.make(cg, 0n);
      for (let cpu = 0; cpu < cpus; cpu++) {
        const p = lookupCpu(cpu);
        const next = cg.e.newLabel();
        const take = cg.e.newLabel();
        cg.e.jImm('eq', p.reg, 0, done);
        const x = cg.regs.alloc();
        cg.e.ldx(4, x.reg, p.reg, AGG_FIELDS.min.set);
        cg.e.jImm('eq', x.reg, 0, next);
        cg.e.ldx(8, x.reg, p.reg, AGG_FIELDS.min.value);
        const s = set.read();
        cg.e.jImm('eq', s.reg, 0, take);
        set.done(s);
        const a = acc.read();
        const keep = agg.kind === 'min' ? (signed ? 'sge' : 'ge') : signed ? 'sle' : 'le';
        cg.e.jReg(keep, x.reg, a.reg, next);
        acc.done(a);
        cg.e.bind(take);
        acc.set(x.reg);
        set.setImm(1n);
        cg.e.bind(next);
        cg.regs.free(x);
        cg.regs.free(p);
      }
      cg.e.bind(done);
      set.drop();
      return cg.convertInt(cg.reg(acc.take(), signed ? int64 : uint64), rt);
    }
    case 'avg':
    case 'stats': {
      const total = Acc.make(cg, 0n);
      const count = Acc.make(cg, 0n);
      for (let cpu = 0; cpu < cpus; cpu++) {
        const p = lookupCpu(cpu);
        cg.e.jImm('eq', p.reg, 0, done);
        const x = cg.regs.alloc();
        cg.e.ldx(8, x.reg, p.reg, AGG_FIELDS.avg.total);
        total.add(x.reg);
        cg.e.ldx(8, x.reg, p.reg, AGG_FIELDS.avg.count);
        count.add(x.reg);
        cg.regs.free(x);
        cg.regs.free(p);
      }
      cg.e.bind(done);
      const c = count.take();
      const tt = total.take();
      cg.e.aluReg(BPF_DIV, tt.reg, c.reg, 64, signed ? 1 : 0);
      cg.regs.free(c);
      return cg.convertInt(cg.reg(tt, signed ? int64 : uint64), rt);
    }
    default:
      throw new InternalError(`${agg.kind} values cannot be read in a program`);
  }
}

// ── writes ───────────────────────────────────────────────────────────────────────────────

/** `@m[k] = v`, `@m[k] op= v`, and aggregation calls. */
export function assignMap(cg: CodeGen, s: AssignMap): void {
  const map = cg.pc.userMap(s.target.name);
  // `@m = { let $a = 1; avg($a) }`: the block's statements run, its value aggregates.
  let agg: Expr = s.value;
  while (agg.kind === 'BlockExpr' && agg.value) agg = agg.value;
  if (agg.kind === 'Call' && cg.pc.checked.calls.get(agg)?.fn.aggregation) {
    for (let b: Expr = s.value; b.kind === 'BlockExpr' && b.value; b = b.value) compileStmts(cg, b.stmts);
    aggregate(cg, map, s.target.keys, agg, { span: s.span, node: s });
    return;
  }
  if (s.op) {
    compound(cg, map, s.target.keys, s.op, compileExpr(cg, s.value), undefined, s);
    return;
  }
  const vt = map.valueType;
  const vs = cg.slot(Math.max(1, vt.size));
  into(cg, s.value, cg.memOfSlot(vs), vt, true);
  const key = buildKey(cg, map, s.target.keys);
  cg.checkHelper(update(cg, map.index, key.m, cg.memOfSlot(vs), BPF_ANY), HELPER_ID.map_update_elem, 'map_update_elem', s.span, s);
  freeKey(cg, key);
  cg.frame.free(vs);
}

/**
 * `@m[k] op= v` (and ++/--): one lookup; an existing value is updated in place, a missing
 * one is inserted as `0 op v`. With `want`, returns the old value (postfix) or the new one.
 */
function compound(
  cg: CodeGen,
  map: UserMap,
  keys: readonly Expr[] | undefined,
  op: string,
  v: Val,
  wantOld: boolean | undefined,
  site: { readonly span: Span },
): Val {
  const vt = map.valueType;
  if (vt.kind !== 'int' && vt.kind !== 'pointer') throw new InternalError(`compound assignment to a ${vt.kind} map value`);
  // A pointer moves by whole pointees (`@p += 2` on an int32 * adds 8), computed as a uint64.
  const at: IntType = vt.kind === 'pointer' ? uint64 : vt;
  const step = vt.kind === 'pointer' ? pointerOffset(cg, v, vt) : v;
  const want = wantOld !== undefined;
  const operand = step.k === 'imm' ? step : cg.reg(cg.scalar(step, true), step.t);
  const cell = want ? ResultCell.make(cg, vt, true) : undefined;
  const key = buildKey(cg, map, keys);
  const p = lookup(cg, map.index, key.m);
  // The pointer stays in r0 for the found arm only: released here, adopted again there.
  cg.regs.free(p);
  const found = cg.e.newLabel();
  const done = cg.e.newLabel();
  cg.enterBranches(false);
  cg.e.jImm('ne', R0, 0, found);
  // Missing: insert 0 op v.
  let s = cg.armStart();
  const init = arith(cg, op, cg.imm(0n, at), copyOperand(cg, operand), at, at);
  if (cell) cell.set(wantOld ? cg.imm(0n, at) : copyOperand(cg, init));
  const slot = cg.slot(8);
  cg.store(init, cg.memOfSlot(slot), at);
  cg.checkHelper(update(cg, map.index, key.m, cg.memOfSlot(slot), BPF_ANY), HELPER_ID.map_update_elem, 'map_update_elem', site.span, site);
  cg.frame.free(slot);
  cg.armEnd(s);
  cg.e.ja(done);
  // Found: read, combine, write back.
  cg.e.bind(found);
  s = cg.armStart();
  const ptr = cg.regs.adopt(R0);
  const x = cg.regs.alloc();
  cg.loadScalar(x.reg, { base: ptr.reg, off: 0 }, at);
  if (cell && wantOld) cell.set(cg.reg(dup(cg, x), at));
  const nt = cg.scalar(arith(cg, op, cg.reg(x, at), copyOperand(cg, operand), at, at));
  cg.e.stx(scalarWidth(at), ptr.reg, 0, nt.reg);
  if (cell && !wantOld) cell.set(cg.reg(nt, at));
  else cg.regs.free(nt);
  cg.regs.free(ptr);
  cg.armEnd(s);
  cg.e.bind(done);
  cg.leaveBranches();
  cg.release(operand);
  freeKey(cg, key);
  return cell ? cell.get() : { k: 'void', t: vt };
}

/** A copy of a temp in a new temp. */
function dup(cg: CodeGen, t: Temp): Temp {
  const c = cg.regs.alloc();
  cg.e.mov(c.reg, cg.regs.reg(t));
  return c;
}

/** A value usable once more without consuming the original (constants are shared, temps copied). */
function copyOperand(cg: CodeGen, v: Val): Val {
  if (v.k === 'imm') return v;
  if (v.k === 'reg') return cg.reg(dup(cg, v.temp), v.t);
  throw new InternalError('operand kept in memory');
}

export function incDecMap(cg: CodeGen, e: IncDec, rt: SizedType): Val {
  const target = e.target as MapRef;
  const map = cg.pc.userMap(target.name);
  const one = cg.imm(1n, map.valueType.kind === 'int' ? map.valueType : int64);
  const v = compound(cg, map, target.keys, e.op === '++' ? '+' : '-', one, !e.prefix, e);
  return v.k === 'void' || v.t.kind !== 'int' || rt.kind !== 'int' ? v : cg.convertInt(v, rt);
}

/** `@m[k]++` as a statement: no value wanted. */
export function incDecMapStatement(cg: CodeGen, e: IncDec): void {
  const target = e.target as MapRef;
  const map = cg.pc.userMap(target.name);
  compound(cg, map, target.keys, e.op === '++' ? '+' : '-', cg.imm(1n, map.valueType.kind === 'int' ? map.valueType : int64), undefined, e);
}

/** delete(@m[k]) / delete(@m, k): map_delete_elem; the value is 1 when a key was removed. */
export function deleteKey(cg: CodeGen, mapName: string, key: Expr | undefined, discarded: boolean, site: { readonly span: Span }): Val {
  const map = cg.pc.userMap(mapName);
  const k = buildKey(cg, map, key ? keyExprs(key) : undefined);
  const r = cg.call(HELPER_ID.map_delete_elem, [{ map: map.index }, { addr: k.m }]);
  freeKey(cg, k);
  if (discarded) {
    // bpftrace warns when the key was not there.
    cg.checkHelper(r, HELPER_ID.map_delete_elem, 'map_delete_elem', site.span, site);
    return { k: 'void', t: uint64 };
  }
  // 0 on success → 1; -ENOENT → 0.
  const out = cg.regs.alloc();
  const skip = cg.e.newLabel();
  cg.e.movImm(out.reg, 0n);
  cg.e.jImm('ne', r.reg, 0, skip);
  cg.e.movImm(out.reg, 1n);
  cg.e.bind(skip);
  cg.regs.free(r);
  return cg.reg(out, { kind: 'bool', size: 1 });
}

/** has_key(@m, k): 1 when the lookup finds the key. */
export function hasKey(cg: CodeGen, mapName: string, key: Expr | undefined, t: SizedType): Val {
  const map = cg.pc.userMap(mapName);
  const k = buildKey(cg, map, key ? keyExprs(key) : undefined);
  const p = lookup(cg, map.index, k.m);
  freeKey(cg, k);
  const skip = cg.e.newLabel();
  cg.e.jImm('eq', p.reg, 0, skip);
  cg.e.movImm(p.reg, 1n);
  cg.e.bind(skip);
  return cg.reg(p, t);
}

/** A key expression as the list buildKey takes: `@m[a, b]` style tuples stay one expression. */
function keyExprs(key: Expr): readonly Expr[] {
  if (key.kind === 'Map') return key.keys ?? [];
  return [key];
}

export { wrapTo };
