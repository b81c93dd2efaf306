// Asynchronous actions: what a probe asks user space to do, sent as ring-buffer records.
// Each call site gets an event id and a record layout (compiled.ts: a u64 id, then the
// arguments at their C offsets, padding zeroed so the whole record is initialised); the
// program builds the record in memory and emits it with ringbuf_output. printf, system,
// cat, errorf, warnf, print (values and maps), clear, zero, exit, time, join; debugf goes to
// the trace pipe with trace_vprintk. In: the call. Out: code and the event table entry.

import { InternalError } from '../diag/diagnostic.js';
import type { Call } from '../parse/ast.js';
import type { CallInfo } from '../check/program.js';
import { uint64, voidType, type SizedType } from '../check/types.js';
import { alignOf } from '../check/ctypes.js';
import { HELPER_ID } from '../ebpf/helpers/helper-ids.js';
import { CodeGen, litBytes, type Mem, type Val } from './codegen.js';
import { ASYNC_HEADER_SIZE, type AsyncEvent, type RecordField } from './compiled.js';
import { compileExpr, into, typeOf } from './expressions.js';

const ASYNC = new Set(['printf', 'system', 'cat', 'errorf', 'warnf', 'exit', 'print', 'clear', 'zero', 'time', 'join', 'debugf']);

/** Strings join() collects at most. */
export const JOIN_MAX_ARGS = 16;

export function isAsync(name: string): boolean {
  return ASYNC.has(name);
}

/** Lays fields out after the header, C style; returns them and the record size (a multiple of 8). */
export function layoutRecord(types: readonly SizedType[]): { fields: RecordField[]; size: number } {
  let off = ASYNC_HEADER_SIZE;
  const fields: RecordField[] = [];
  for (const type of types) {
    const a = Math.max(1, alignOf(type));
    off = Math.ceil(off / a) * a;
    fields.push({ type, offset: off });
    off += type.size;
  }
  return { fields, size: Math.ceil(off / 8) * 8 };
}

export function asyncCall(cg: CodeGen, e: Call, info: CallInfo): Val {
  const none: Val = { k: 'void', t: voidType };
  switch (e.name) {
    case 'printf':
    case 'system':
    case 'cat':
    case 'errorf':
    case 'warnf':
      formatted(cg, e, info);
      return none;
    case 'print':
      print(cg, e, info);
      return none;
    case 'clear':
    case 'zero': {
      const map = cg.pc.userMap(info.map!);
      const ev = cg.pc.event(e, (id) => ({ kind: e.name === 'clear' ? 'clear_map' : 'zero_map', id, size: 8, map: map.index, mapName: map.info.name }));
      emit(cg, ev, () => undefined);
      return none;
    }
    case 'exit': {
      const ev = cg.pc.event(e, (id) => ({ kind: 'exit', id, size: 16, codeOffset: 8 }));
      emit(cg, ev, (m) => {
        if (e.args.length > 0) cg.store(compileExpr(cg, e.args[0]!), { base: m.base, off: m.off + 8 }, uint64);
        else cg.e.st(8, m.base, m.off + 8, 0);
      });
      // exit() ends the probe as well.
      cg.e.ja(cg.exitLabel);
      return none;
    }
    case 'time': {
      const format = String(info.literals?.[0] ?? '%H:%M:%S\n');
      const ev = cg.pc.event(e, (id) => ({ kind: 'time', id, size: 8, format }));
      emit(cg, ev, () => undefined);
      return none;
    }
    case 'join':
      join(cg, e, info);
      return none;
    case 'debugf':
      debugf(cg, e, info);
      return none;
  }
  throw new InternalError(`${e.name} is not an async action`);
}

/**
 * Builds the record of `ev` in memory: the id, then whatever `fill` writes, then
 * ringbuf_output of the whole record.
 */
function emit(cg: CodeGen, ev: AsyncEvent, fill: (m: Mem) => void): void {
  const s = cg.slot(ev.size);
  const m = cg.memOfSlot(s);
  cg.storeImm(m, 8, BigInt(ev.id));
  fill(m);
  cg.callVoid(HELPER_ID.ringbuf_output, [{ map: cg.pc.ringbuf() }, { addr: m }, { imm: BigInt(ev.size) }, { imm: 0n }]);
  cg.frame.free(s);
}

/** Writes each value at its field, zeroing the gaps between fields and at the end. */
function fillFields(cg: CodeGen, m: Mem, fields: readonly RecordField[], size: number, write: (i: number, at: Mem) => void): void {
  let covered = ASYNC_HEADER_SIZE;
  fields.forEach((f, i) => {
    if (f.offset > covered) cg.zeroRange(m, covered, f.offset);
    write(i, { base: m.base, off: m.off + f.offset });
    covered = f.offset + f.type.size;
  });
  if (size > covered) cg.zeroRange(m, covered, size);
}

function formatted(cg: CodeGen, e: Call, info: CallInfo): void {
  const format = info.format;
  if (!format) throw new InternalError(`${e.name} without a checked format`);
  const args = e.args.slice(1);
  const types = args.map((a) => typeOf(cg, a));
  const { fields, size } = layoutRecord(types);
  const kind = e.name as 'printf' | 'system' | 'cat' | 'errorf' | 'warnf';
  const ev = cg.pc.event(e, (id) => ({
    kind,
    id,
    size,
    format,
    args: fields,
    ...(kind === 'errorf' || kind === 'warnf' ? { span: e.span } : {}),
  }));
  emit(cg, ev, (m) => fillFields(cg, m, fields, size, (i, at) => into(cg, args[i]!, at, fields[i]!.type, false)));
}

function print(cg: CodeGen, e: Call, info: CallInfo): void {
  const arg = e.args[0]!;
  // The anonymous map's name is '' (falsy): test for presence.
  if (info.map !== undefined && arg.kind === 'Map' && !(arg.keys && arg.keys.length > 0)) {
    const map = cg.pc.userMap(info.map);
    const lits = info.literals ?? [];
    const top = typeof lits[1] === 'bigint' ? lits[1] : 0n;
    const div = typeof lits[2] === 'bigint' ? lits[2] : 1n;
    const ev = cg.pc.event(e, (id) => ({ kind: 'print_map', id, size: 8, map: map.index, mapName: map.info.name, top, div }));
    emit(cg, ev, () => undefined);
    return;
  }
  const t = typeOf(cg, arg);
  const { fields, size } = layoutRecord([t]);
  const ev = cg.pc.event(e, (id) => ({ kind: 'print_value', id, size, value: fields[0]! }));
  emit(cg, ev, (m) => fillFields(cg, m, fields, size, (_, at) => into(cg, arg, at, t, false)));
}

/**
 * join(arr[, sep]): up to JOIN_MAX_ARGS strings read through the pointer array `arr`,
 * stopping at the first NULL; the record is zeroed first so unused strings are empty.
 */
function join(cg: CodeGen, e: Call, info: CallInfo): void {
  const separator = typeof info.literals?.[1] === 'string' ? info.literals[1] : ' ';
  const stringSize = info.size ?? cg.pc.checked.config.max_strlen;
  const size = ASYNC_HEADER_SIZE + JOIN_MAX_ARGS * stringSize;
  const ev = cg.pc.event(e, (id) => ({ kind: 'join', id, size, separator, count: JOIN_MAX_ARGS, stringSize }));
  const space = info.addressSpace ?? 'kernel';
  const readPtr = space === 'user' ? HELPER_ID.probe_read_user : HELPER_ID.probe_read_kernel;
  const readStr = space === 'user' ? HELPER_ID.probe_read_user_str : HELPER_ID.probe_read_kernel_str;
  emit(cg, ev, (m) => {
    cg.zeroRange(m, ASYNC_HEADER_SIZE, size);
    const base = cg.scalar(compileExpr(cg, e.args[0]!), true);
    const cell = cg.slot(8, 'stack');
    const end = cg.e.newLabel();
    cg.enterBranches(true);
    for (let i = 0; i < JOIN_MAX_ARGS; i++) {
      cg.callVoid(readPtr, [{ addr: cg.memOfSlot(cell) }, { imm: 8n }, { temp: base }]);
      const p = cg.regs.alloc();
      cg.e.ldx(8, p.reg, cell.base, cell.off);
      cg.e.jImm('eq', p.reg, 0, end);
      cg.callVoid(readStr, [{ addr: { base: m.base, off: m.off + ASYNC_HEADER_SIZE + i * stringSize } }, { imm: BigInt(stringSize) }, { temp: p }], [p]);
      cg.e.addImm(cg.regs.reg(base), 8);
    }
    cg.e.bind(end);
    cg.leaveBranches();
    cg.frame.free(cell);
    cg.regs.free(base);
  });
}

/** debugf(fmt, args…): trace_vprintk with the format and a u64 per argument on the stack. */
function debugf(cg: CodeGen, e: Call, info: CallInfo): void {
  const text = info.format?.format ?? '';
  const fmtBytes = litBytes(text, text.length + 1);
  const fmt = cg.slot(fmtBytes.length, 'stack');
  cg.storeBytes(cg.memOfSlot(fmt), fmtBytes);
  const args = e.args.slice(1);
  const data = cg.slot(Math.max(8, args.length * 8), 'stack');
  const held: { slot: ReturnType<CodeGen['slot']> }[] = [];
  args.forEach((a, i) => {
    const at = { base: data.base, off: data.off + 8 * i };
    const v = compileExpr(cg, a);
    if (v.t.kind === 'string') {
      // %s takes a pointer to the string.
      const { m, slot } = cg.memOf(v);
      if (slot) held.push({ slot });
      const p = cg.regs.alloc();
      cg.e.mov(p.reg, m.base);
      cg.e.addImm(p.reg, m.off);
      cg.e.stx(8, at.base, at.off, p.reg);
      cg.regs.free(p);
    } else cg.store(v.t.kind === 'int' ? cg.convertInt(v, uint64) : v, at, uint64);
  });
  if (args.length === 0) cg.e.st(8, data.base, data.off, 0);
  cg.callVoid(HELPER_ID.trace_vprintk, [{ addr: cg.memOfSlot(fmt) }, { imm: BigInt(fmtBytes.length) }, { addr: cg.memOfSlot(data) }, { imm: BigInt(args.length * 8) }]);
  for (const h of held) cg.frame.free(h.slot);
  cg.frame.free(data);
  cg.frame.free(fmt);
}
