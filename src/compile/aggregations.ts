// Aggregation functions to code, writing the value layouts of runtime/output/layouts.ts:
// count, sum, min, max, avg, stats, hist (log2 buckets with the bits argument), lhist and
// tseries. Each is one map_lookup_elem in steady state, then an in-place update (plain
// read-modify-write on per-CPU maps, atomic adds on shared ones); a new key is inserted
// with its first value (or from the zero map, then looked up again, for bucket arrays).
// In: `@m[k] = agg(args)`. Out: code. Not: reading aggregations (maps.ts).

import { InternalError } from '../diag/diagnostic.js';
import type { Call, Expr } from '../parse/ast.js';
import type { Span } from '../diag/source.js';
import { int64, uint64, type AggregationType } from '../check/types.js';
import { BPF_ADD, BPF_AND, BPF_DIV, BPF_LSH, BPF_MOD, BPF_RSH, BPF_SUB, R0 } from '../ebpf/isa.js';
import { HELPER_ID } from '../ebpf/helpers/helper-ids.js';
import { BPF_ANY, BPF_NOEXIST } from '../ebpf/maps/map.js';
import { AGG_FIELDS, histBucketIndex, lhistBucketCount, lhistBucketIndex } from '../runtime/output/layouts.js';
import { CodeGen, type Val } from './codegen.js';
import type { Cond, Label } from './emitter.js';
import type { UserMap } from './program-context.js';
import type { Temp } from './registers.js';
import { compileExpr } from './expressions.js';
import { buildKey, freeKey, lookup, update } from './maps.js';

/** A scalar operand that survives helper calls: a constant, or a temp (callee-saved when possible). */
type Operand = { readonly imm: bigint } | { readonly temp: Temp };

/** Where an aggregation is written, for helper error reports. */
export interface Site {
  readonly span: Span;
  readonly node: object;
}

const EEXIST = -17;

export function aggregate(cg: CodeGen, map: UserMap, keys: readonly Expr[] | undefined, call: Call, site: Site): void {
  const agg = map.aggregation;
  if (!agg) throw new InternalError(`map ${map.info.name} holds no aggregation`);
  const info = cg.pc.checked.calls.get(call);
  const kind = (info?.fn.name ?? agg.kind) as AggregationType['kind'];
  if (kind !== agg.kind) throw new InternalError(`map ${map.info.name} mixes ${agg.kind} and ${kind}`);
  // The argument first (bpftrace evaluates it before the key), as a value that outlives the lookup.
  let value: Operand | undefined;
  if (kind !== 'count') value = operand(cg, compileExpr(cg, call.args[0]!), agg.signed);
  let index: Operand | undefined;
  let tseries: { now: Temp; epoch: Temp; slot: Temp } | undefined;
  if (kind === 'hist') index = histIndex(cg, value!, Number(agg.params?.[0] ?? 0n));
  if (kind === 'lhist') index = lhistIndex(cg, value!, agg);
  if (kind === 'tseries') tseries = tseriesTime(cg, agg);
  const key = buildKey(cg, map, keys);
  const p = lookup(cg, map.index, key.m);
  // The pointer lives in r0 only where it is used: released here, adopted in the found arm.
  cg.regs.free(p);
  const found = cg.e.newLabel();
  const done = cg.e.newLabel();
  cg.enterBranches(false);
  if (map.array) {
    // An array always has its element: NULL only for the verifier's sake.
    cg.e.jImm('eq', R0, 0, done);
  } else {
    cg.e.jImm('ne', R0, 0, found);
    const s = cg.armStart();
    insertFirst(cg, map, agg, kind, key.m, value, done, site);
    cg.armEnd(s);
  }

  // Existing value: update in place.
  cg.e.bind(found);
  const s = cg.armStart();
  const ptr = cg.regs.adopt(R0);
  inPlace(cg, kind, agg, map.perCpu, ptr, value, index, tseries, done);
  cg.regs.free(ptr);
  cg.armEnd(s);
  cg.e.bind(done);
  cg.leaveBranches();
  freeKey(cg, key);
  for (const o of [value, index]) if (o && 'temp' in o) cg.regs.free(o.temp);
  if (tseries) for (const t of [tseries.now, tseries.epoch, tseries.slot]) cg.regs.free(t);
}

/**
 * The missing-key arm: insert the first value (per-CPU maps: done), or zeroes for bucket
 * arrays and find the value again; shared maps retry through a lookup when another CPU
 * inserted first. Falls through to the found arm with the value pointer in r0.
 */
function insertFirst(
  cg: CodeGen,
  map: UserMap,
  agg: AggregationType,
  kind: string,
  key: { base: number; off: number },
  value: Operand | undefined,
  done: Label,
  site: Site,
): void {
  if (kind === 'hist' || kind === 'lhist' || kind === 'tseries') {
    // Insert zeroes (a concurrent insert wins harmlessly), then find the value again.
    const zero = cg.arrayValue(cg.pc.zero(agg.size), done);
    const r = update(cg, map.index, key, { base: 0, off: 0 }, BPF_NOEXIST, zero);
    cg.checkHelper(r, HELPER_ID.map_update_elem, 'map_update_elem', site.span, site.node, EEXIST);
    cg.regs.free(lookup(cg, map.index, key));
    cg.e.jImm('eq', R0, 0, done);
    return;
  }
  const init = cg.slot(agg.size);
  const m = cg.memOfSlot(init);
  writeFirst(cg, kind, m, value);
  const r = update(cg, map.index, key, m, map.perCpu ? BPF_ANY : BPF_NOEXIST);
  cg.frame.free(init);
  if (map.perCpu) {
    cg.checkHelper(r, HELPER_ID.map_update_elem, 'map_update_elem', site.span, site.node);
    cg.e.ja(done);
    return;
  }
  // Shared map: another CPU may have inserted the key first; then add to its value.
  cg.e.jImm('eq', r.reg, 0, done);
  cg.regs.free(r);
  cg.regs.free(lookup(cg, map.index, key));
  cg.e.jImm('eq', R0, 0, done);
}

function operand(cg: CodeGen, v: Val, signed: boolean): Operand {
  if (v.k === 'imm') return { imm: BigInt.asIntN(64, v.v) };
  const t = cg.scalar(v.t.kind === 'int' ? cg.convertInt(v, signed ? int64 : uint64) : v, true);
  return { temp: t };
}

/** The first value of a new key, in the aggregation's layout. */
function writeFirst(cg: CodeGen, kind: string, m: { base: number; off: number }, value: Operand | undefined): void {
  const put = (off: number, v: Operand) => {
    if ('imm' in v) cg.storeImm({ base: m.base, off: m.off + off }, 8, v.imm);
    else cg.e.stx(8, m.base, m.off + off, cg.regs.reg(v.temp));
  };
  switch (kind) {
    case 'count':
      cg.e.st(8, m.base, m.off, 1);
      return;
    case 'sum':
      put(0, value!);
      return;
    case 'min':
    case 'max':
      put(AGG_FIELDS.min.value, value!);
      cg.e.st(8, m.base, m.off + AGG_FIELDS.min.set, 1);
      return;
    case 'avg':
    case 'stats':
      put(AGG_FIELDS.avg.total, value!);
      cg.e.st(8, m.base, m.off + AGG_FIELDS.avg.count, 1);
      return;
  }
  throw new InternalError(`no first value for ${kind}`);
}

/** The register of an operand, loading constants into a new temp (returned for freeing). */
function regOf(cg: CodeGen, o: Operand): { reg: number; own?: Temp } {
  if ('temp' in o) return { reg: cg.regs.reg(o.temp) };
  const t = cg.regs.alloc();
  cg.e.movImm(t.reg, o.imm);
  return { reg: t.reg, own: t };
}

/** *(u64 *)(ptr + off) += v: a plain read-modify-write on per-CPU values, atomic on shared ones. */
function addAt(cg: CodeGen, perCpu: boolean, ptr: number, off: number, v: Operand): void {
  if (perCpu) {
    const x = cg.regs.alloc();
    cg.e.ldx(8, x.reg, ptr, off);
    if ('imm' in v && v.imm >= -0x8000_0000n && v.imm <= 0x7fff_ffffn) cg.e.addImm(x.reg, Number(v.imm));
    else {
      const r = regOf(cg, v);
      cg.e.aluReg(BPF_ADD, x.reg, r.reg);
      cg.regs.free(r.own);
    }
    cg.e.stx(8, ptr, off, x.reg);
    cg.regs.free(x);
    return;
  }
  const r = regOf(cg, v);
  cg.e.atomicAdd(8, ptr, off, r.reg);
  cg.regs.free(r.own);
}

function inPlace(
  cg: CodeGen,
  kind: string,
  agg: AggregationType,
  perCpu: boolean,
  ptr: Temp,
  value: Operand | undefined,
  index: Operand | undefined,
  ts: { now: Temp; epoch: Temp; slot: Temp } | undefined,
  done: Label,
): void {
  const p = ptr.reg;
  switch (kind) {
    case 'count':
      addAt(cg, perCpu, p, 0, { imm: 1n });
      return;
    case 'sum':
      addAt(cg, perCpu, p, 0, value!);
      return;
    case 'avg':
    case 'stats':
      addAt(cg, perCpu, p, AGG_FIELDS.avg.total, value!);
      addAt(cg, perCpu, p, AGG_FIELDS.avg.count, { imm: 1n });
      return;
    case 'min':
    case 'max':
      extreme(cg, kind, agg.signed, p, 0, AGG_FIELDS.min.set, value!, done);
      return;
    case 'hist':
    case 'lhist': {
      const buckets = agg.size / 8;
      if (!index) throw new InternalError(`${kind} without a bucket index`);
      if ('imm' in index) {
        addAt(cg, perCpu, p, Number(index.imm) * 8, { imm: 1n });
        return;
      }
      const i = cg.regs.reg(index.temp);
      // An explicit bound, so any verifier sees the access stays inside the value.
      cg.e.jImm('gt', i, buckets - 1, done);
      cg.e.aluImm(BPF_LSH, i, 3);
      cg.e.aluReg(BPF_ADD, p, i);
      addAt(cg, perCpu, p, 0, { imm: 1n });
      return;
    }
    case 'tseries':
      tseriesUpdate(cg, agg, p, value!, ts!, done);
      return;
  }
  throw new InternalError(`no in-place update for ${kind}`);
}

/** min/max: replace the value when the slot is unset or the new value is beyond it. */
function extreme(cg: CodeGen, kind: 'min' | 'max', signed: boolean, p: number, valueOff: number, setOff: number, v: Operand, done: Label): void {
  const write = cg.e.newLabel();
  const x = cg.regs.alloc();
  cg.e.ldx(4, x.reg, p, setOff);
  cg.e.jImm('eq', x.reg, 0, write);
  cg.e.ldx(8, x.reg, p, valueOff);
  // Keep the current value when it is already at least as extreme.
  const keep: Cond = kind === 'min' ? (signed ? 'sle' : 'le') : signed ? 'sge' : 'ge';
  if ('imm' in v && v.imm >= -0x8000_0000n && v.imm <= 0x7fff_ffffn) cg.e.jImm(keep, x.reg, Number(v.imm), done);
  else {
    const r = regOf(cg, v);
    cg.e.jReg(keep, x.reg, r.reg, done);
    cg.regs.free(r.own);
  }
  cg.e.bind(write);
  if ('imm' in v) cg.storeImm({ base: p, off: valueOff }, 8, v.imm);
  else cg.e.stx(8, p, valueOff, cg.regs.reg(v.temp));
  cg.e.st(8, p, setOff, 1);
  cg.regs.free(x);
}

// ── bucket indexes ───────────────────────────────────────────────────────────────────────

/** Jump to l when (reg c value); values outside imm32 go through a register. */
function jumpConst(cg: CodeGen, c: Cond, reg: number, value: bigint, l: Label): void {
  const v = BigInt.asIntN(64, value);
  if (v >= -0x8000_0000n && v <= 0x7fff_ffffn) {
    cg.e.jImm(c, reg, Number(v), l);
    return;
  }
  const t = cg.regs.alloc();
  cg.e.movImm(t.reg, v);
  cg.e.jReg(c, reg, t.reg, l);
  cg.regs.free(t);
}

/**
 * hist(v, bits): index 0 for negative values, 1 + v up to 2^bits - 1, then for
 * p = floor(log2 v), s = p - bits: ((s + 1) << bits) + ((v >> s) & mask) + 1. floor(log2)
 * is a binary search by shifts; every path only moves forward and uses no helper.
 */
function histIndex(cg: CodeGen, value: Operand, bits: number): Operand {
  if ('imm' in value) return { imm: BigInt(histBucketIndex(value.imm, bits)) };
  // Every register first, then their numbers (an allocation may spill an older temp).
  const idx = cg.regs.alloc(true);
  const w = cg.regs.alloc();
  const t = cg.regs.alloc();
  const v = cg.regs.reg(value.temp);
  const done = cg.e.newLabel();
  const i = idx.reg;
  const mask = (1 << bits) - 1;
  cg.e.movImm(i, 0n);
  cg.e.jImm('slt', v, 0, done);
  if (bits === 0) {
    // idx accumulates floor(log2 v) + 2 directly.
    cg.e.movImm(i, 1n);
    cg.e.jImm('eq', v, 0, done);
    cg.e.movImm(i, 2n);
    // The value is not needed after its bucket: shift it in place.
    log2Steps(cg, v, i, t.reg);
  } else {
    cg.e.mov(i, v);
    cg.e.addImm(i, 1);
    cg.e.jImm('le', v, mask, done);
    // p = floor(log2 v) into i, from a copy of v in w.
    cg.e.mov(w.reg, v);
    cg.e.movImm(i, 0n);
    log2Steps(cg, w.reg, i, t.reg);
    // s = p - bits; x = (v >> s) & mask; idx = (s << bits) + x + (1 << bits) + 1
    cg.e.addImm(i, -bits);
    cg.e.mov(w.reg, v);
    cg.e.aluReg(BPF_RSH, w.reg, i);
    cg.e.aluImm(BPF_AND, w.reg, mask);
    cg.e.aluImm(BPF_LSH, i, bits);
    cg.e.aluReg(BPF_ADD, i, w.reg);
    cg.e.addImm(i, (1 << bits) + 1);
  }
  cg.e.bind(done);
  cg.regs.free(w);
  cg.regs.free(t);
  return { temp: idx };
}

/**
 * Adds floor(log2 w) to acc (w ≥ 1, destroyed) by halving the search range 32, 16, 8, 4,
 * 2, 1; `t` is a scratch register.
 */
function log2Steps(cg: CodeGen, w: number, acc: number, t: number): void {
  // The 32-bit step: compare through a shifted copy (the bound does not fit an imm).
  const s16 = cg.e.newLabel();
  cg.e.mov(t, w);
  cg.e.aluImm(BPF_RSH, t, 32);
  cg.e.jImm('eq', t, 0, s16);
  cg.e.mov(w, t);
  cg.e.addImm(acc, 32);
  cg.e.bind(s16);
  for (const step of [16, 8, 4, 2]) {
    const next = cg.e.newLabel();
    cg.e.jImm('le', w, (2 ** step) - 1, next);
    cg.e.aluImm(BPF_RSH, w, step);
    cg.e.addImm(acc, step);
    cg.e.bind(next);
  }
  const end = cg.e.newLabel();
  cg.e.jImm('le', w, 1, end);
  cg.e.addImm(acc, 1);
  cg.e.bind(end);
}

/** lhist: 0 below min, the last bucket from max up, else 1 + (v - min) / step. */
function lhistIndex(cg: CodeGen, value: Operand, agg: AggregationType): Operand {
  const [min, max, step] = agg.params ?? [];
  if (min === undefined || max === undefined || step === undefined) throw new InternalError('lhist without bounds');
  if ('imm' in value) return { imm: BigInt(lhistBucketIndex(value.imm, min, max, step)) };
  const last = lhistBucketCount(min, max, step) - 1;
  const idx = cg.regs.alloc(true);
  const v = cg.regs.reg(value.temp);
  const i = idx.reg;
  const done = cg.e.newLabel();
  cg.e.movImm(i, 0n);
  jumpConst(cg, 'slt', v, min, done);
  cg.e.movImm(i, BigInt(last));
  jumpConst(cg, 'sge', v, max, done);
  cg.e.mov(i, v);
  if (min !== 0n) {
    if (min >= -0x8000_0000n && min <= 0x7fff_ffffn) cg.e.aluImm(BPF_SUB, i, Number(min));
    else {
      const t = cg.regs.alloc();
      cg.e.movImm(t.reg, min);
      cg.e.aluReg(BPF_SUB, i, t.reg);
      cg.regs.free(t);
    }
  }
  if (step !== 1n) {
    if (step <= 0x7fff_ffffn) cg.e.aluImm(BPF_DIV, i, Number(step));
    else {
      const t = cg.regs.alloc();
      cg.e.movImm(t.reg, step);
      cg.e.aluReg(BPF_DIV, i, t.reg);
      cg.regs.free(t);
    }
  }
  cg.e.addImm(i, 1);
  cg.e.bind(done);
  return { temp: idx };
}

// ── tseries ──────────────────────────────────────────────────────────────────────────────

/** The current time, its interval number and the slot it maps to, computed before the lookup. */
function tseriesTime(cg: CodeGen, agg: AggregationType): { now: Temp; epoch: Temp; slot: Temp } {
  const [interval, count] = agg.params ?? [];
  if (!interval || !count) throw new InternalError('tseries without interval and count');
  const now = cg.call(HELPER_ID.ktime_get_tai_ns, []);
  const keepNow = cg.regs.alloc(true);
  cg.e.mov(keepNow.reg, now.reg);
  cg.regs.free(now);
  const epoch = cg.regs.alloc(true);
  cg.e.mov(epoch.reg, keepNow.reg);
  divConst(cg, epoch.reg, interval, BPF_DIV);
  const slot = cg.regs.alloc(true);
  cg.e.mov(slot.reg, epoch.reg);
  divConst(cg, slot.reg, count, BPF_MOD);
  return { now: keepNow, epoch, slot };
}

function divConst(cg: CodeGen, r: number, k: bigint, op: number): void {
  if (k <= 0x7fff_ffffn) cg.e.aluImm(op, r, Number(k));
  else {
    const t = cg.regs.alloc();
    cg.e.movImm(t.reg, k);
    cg.e.aluReg(op, r, t.reg);
    cg.regs.free(t);
  }
}

function tseriesUpdate(cg: CodeGen, agg: AggregationType, p: number, v: Operand, ts: { now: Temp; epoch: Temp; slot: Temp }, done: Label): void {
  const f = AGG_FIELDS.tseries;
  const count = Number(agg.params?.[1] ?? 1n);
  const how = Number(agg.params?.[2] ?? 0n);
  const slot = cg.regs.reg(ts.slot);
  cg.e.jImm('ge', slot, count, done);
  const off = cg.regs.alloc();
  cg.e.mov(off.reg, slot);
  cg.e.aluImm(0x20 /* BPF_MUL */, off.reg, f.slotSize);
  cg.e.aluReg(BPF_ADD, p, off.reg);
  // A slot last written in another interval starts over.
  const fresh = cg.e.newLabel();
  cg.e.ldx(8, off.reg, p, f.epoch);
  cg.e.jReg('eq', off.reg, cg.regs.reg(ts.epoch), fresh);
  cg.e.st(8, p, f.value, 0);
  cg.e.st(8, p, f.meta, 0);
  cg.e.stx(8, p, f.epoch, cg.regs.reg(ts.epoch));
  cg.e.bind(fresh);
  cg.regs.free(off);
  switch (how) {
    case 0: {
      // none: the latest value wins; meta holds its time.
      const r = regOf(cg, v);
      cg.e.stx(8, p, f.value, r.reg);
      cg.regs.free(r.own);
      cg.e.stx(8, p, f.meta, cg.regs.reg(ts.now));
      return;
    }
    case 1:
      addAt(cg, true, p, f.value, v);
      addAt(cg, true, p, f.meta, { imm: 1n });
      return;
    case 2:
      extreme(cg, 'max', agg.signed, p, f.value, f.meta, v, done);
      return;
    case 3:
      extreme(cg, 'min', agg.signed, p, f.value, f.meta, v, done);
      return;
    default:
      addAt(cg, true, p, f.value, v);
  }
}
