// Calls and returns: helper calls checked against their prototypes (Linux's check_helper_call /
// check_func_arg: argument types, map key and value sizes, memory and size pairs, references
// acquired by ringbuf_reserve and released by submit/discard), bpf-to-bpf calls that open a new
// frame, and exits (r0 readable, no leaked reference, the program type's return range). In: the
// env and the instruction; out: registers updated, or a rejection.

import { BPF_MAP_TYPE } from '../maps/map.js';
import { BPF_FUNC_MAX_ID, HELPER_PROTOS, MAP_TYPE_HELPERS, helperName, type ArgSpec, type CallbackKind } from '../helpers/prototypes.js';
import type { Insn } from '../isa.js';
import { checkMemRegion, checkMapValueAccess, checkPtrAlignment, BPF_F_RDONLY_PROG } from './access.js';
import { checkPtrOffReg } from './context.js';
import type { Env } from './env.js';
import { markRegPrecise, markSlotPrecise } from './precision.js';
import { regBoundsSync } from './scalar.js';
import {
  CONST_PTR_TO_MAP, FuncState, HIST_CALLBACK_ENTRY, IdMap, MEM_RDONLY, PTR_TO_FUNC, MEM_RINGBUF, NOT_INIT, PTR_MAYBE_NULL, PTR_TO_BTF_ID, PTR_TO_BUF,
  PTR_TO_CTX, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_STACK,
  PTR_TRUSTED, Reg, S64_MAX, S64_MIN, SCALAR, STACK_INVALID, STACK_MISC, STACK_SPILL, STACK_ZERO, baseType, isNullScalar,
  markKnownZero, markNotInit, markUnknown, regTypeStr, sameCallsites, slotOf, slotStart, widenImpreciseScalars,
  type VState,
} from './state.js';
import { checkStackRange, frameOf } from './stack.js';
import { tnumIsConst } from './tnum.js';

/** Linux's BPF_MAX_VAR_SIZ: helper sizes must stay below 2^29. */
const BPF_MAX_VAR_SIZ = 1 << 29;
const MAX_ERRNO = 4095;
const MAX_CALL_FRAMES = 8;
/** Id pairing for widening (one comparison at a time). */
const WIDEN_IDS = new IdMap();

const MEM_TYPES = [
  PTR_TO_STACK, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM, PTR_TO_MEM | MEM_RINGBUF,
  PTR_TO_BUF, PTR_TO_BTF_ID | PTR_TRUSTED,
];

/** Register types each argument kind accepts (the kernel's compatible_reg_types), in its order. */
const COMPATIBLE: Readonly<Record<ArgSpec['kind'], readonly number[]>> = {
  anything: [],
  const_map_ptr: [CONST_PTR_TO_MAP],
  map_key: MEM_TYPES,
  map_value: MEM_TYPES,
  ctx: [PTR_TO_CTX],
  mem: MEM_TYPES,
  const_size: [SCALAR],
  const_alloc_size: [SCALAR],
  ringbuf_mem: [PTR_TO_MEM | MEM_RINGBUF],
  const_str: [PTR_TO_MAP_VALUE],
  func: [PTR_TO_FUNC],
  stack_or_null: [PTR_TO_STACK],
};

/** Register types that may carry a fixed or variable offset into a helper (check_func_arg_reg_off). */
const OFFSET_OK = new Set([
  PTR_TO_STACK, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM,
  PTR_TO_MEM | MEM_RDONLY, PTR_TO_MEM | MEM_RINGBUF, PTR_TO_BUF, PTR_TO_BUF | MEM_RDONLY, SCALAR,
]);

interface CallMeta {
  mapFd: number;
  /** The key is a known constant (array maps): map_lookup_elem then cannot return NULL. */
  constKey: number;
  /** Raw-mode stack buffer the helper fills: frame, fixed offset, size. */
  raw: { frame: FuncState; off: number; size: number } | null;
  memSize: number;
  msizeMax: bigint;
  refObjId: number;
  releaseRegno: number;
}

function checkRegType(env: Env, regno: number, reg: Reg, spec: ArgSpec): void {
  let t = reg.type;
  if (spec.rdonly) t &= ~MEM_RDONLY;
  if (spec.maybeNull) t &= ~PTR_MAYBE_NULL;
  const ok = COMPATIBLE[spec.kind];
  if (ok.includes(t)) return;
  env.reject(`R${regno} type=${regTypeStr(reg.type)} expected=${ok.map(regTypeStr).join(', ')}`);
}

function checkArgRegOff(env: Env, reg: Reg, regno: number, spec: ArgSpec): void {
  if (spec.release) {
    if (reg.off) env.reject(`R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
    checkPtrOffReg(env, reg, regno, false);
    return;
  }
  if (OFFSET_OK.has(reg.type)) return;
  checkPtrOffReg(env, reg, regno, baseType(reg.type) === PTR_TO_BTF_ID);
}

/** check_helper_mem_access: `size` bytes at the pointer in `regno`, for a helper to read or fill. */
function checkHelperMem(env: Env, regno: number, size: number, write: boolean, zeroOk: boolean, raw: boolean, meta: CallMeta): void {
  const reg = env.regs[regno]!;
  switch (baseType(reg.type)) {
    case PTR_TO_MAP_KEY:
      checkMemRegion(env, regno, reg, reg.off, size, env.mapOf(reg.mapFd)!.keySize, zeroOk);
      return;
    case PTR_TO_MAP_VALUE:
      checkMapValueAccess(env, regno, reg, reg.off, size, write, zeroOk);
      return;
    case PTR_TO_MEM:
      if (reg.type & MEM_RDONLY && write) env.reject(`R${regno} cannot write into ${regTypeStr(reg.type)}`);
      checkMemRegion(env, regno, reg, reg.off, size, reg.memSize, zeroOk);
      return;
    case PTR_TO_STACK: {
      checkStackRange(env, regno, reg, reg.off, size, zeroOk, write, raw);
      if (raw && tnumIsConst(reg.varOff) && size > 0) {
        meta.raw = { frame: frameOf(env, reg), off: reg.off + Number(BigInt.asIntN(64, reg.varOff.value)), size };
      }
      return;
    }
    case PTR_TO_BTF_ID:
      if (reg.off < 0 || !tnumIsConst(reg.varOff)) env.reject(`R${regno} invalid mem access '${regTypeStr(reg.type)}'`);
      return;
    default:
      if (zeroOk && size === 0 && isNullScalar(reg)) return;
      env.reject(`R${regno} type=${regTypeStr(reg.type)} expected=${regTypeStr(PTR_TO_STACK)}`);
  }
}

/** check_mem_size_reg: the size argument bounds the access through the previous argument. */
function checkMemSizeReg(env: Env, regno: number, zeroOk: boolean, memSpec: ArgSpec, meta: CallMeta): void {
  const reg = env.regs[regno]!;
  const raw = !!memSpec.uninit && tnumIsConst(reg.varOff);
  if (reg.smin < 0n) env.reject(`R${regno} min value is negative, either use unsigned or 'var &= const'`);
  if (reg.umin === 0n && !zeroOk) env.reject(`R${regno} invalid zero-sized read: u64=[${BigInt.asIntN(64, reg.umin)},${reg.umax}]`);
  if (reg.umax >= BigInt(BPF_MAX_VAR_SIZ)) env.reject(`R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
  checkHelperMem(env, regno - 1, Number(reg.umax), !!memSpec.write, zeroOk, raw, meta);
  markRegPrecise(env, regno);
  meta.msizeMax = reg.umax;
}

/** check_reg_const_str: a constant pointer into a read-only array map's value. */
function checkConstStr(env: Env, regno: number, reg: Reg): void {
  const spec = env.mapOf(reg.mapFd)!;
  if (((spec.flags ?? 0) & BPF_F_RDONLY_PROG) === 0) env.reject(`R${regno} does not point to a readonly map'`);
  if (!tnumIsConst(reg.varOff)) env.reject(`R${regno} is not a constant address'`);
  if (spec.type !== 'array') env.reject('no direct value access support for this map type');
  checkMemRegion(env, regno, reg, reg.off, spec.valueSize - reg.off, spec.valueSize, false);
}

function checkFuncArg(env: Env, i: number, spec: ArgSpec | undefined, prev: ArgSpec | undefined, meta: CallMeta): void {
  if (spec === undefined) return;
  const regno = i + 1;
  const reg = env.readReg(regno);
  if (spec.kind === 'anything') return;
  if (!(isNullScalar(reg) && spec.maybeNull)) {
    checkRegType(env, regno, reg, spec);
    checkArgRegOff(env, reg, regno, spec);
  }
  if (spec.release) {
    if (!reg.refObjId && !isNullScalar(reg)) env.reject(`R${regno} must be referenced when passed to release function`);
    meta.releaseRegno = regno;
  }
  if (reg.refObjId) {
    if (meta.refObjId) env.reject(`more than one arg with ref_obj_id R${regno} ${reg.refObjId} ${meta.refObjId}`);
    meta.refObjId = reg.refObjId;
  }
  switch (spec.kind) {
    case 'const_map_ptr':
      meta.mapFd = reg.mapFd;
      return;
    case 'map_key': {
      const spec = env.mapOf(meta.mapFd)!;
      checkHelperMem(env, regno, spec.keySize, false, false, false, meta);
      if (spec.type === 'array' || spec.type === 'percpu_array') meta.constKey = constantMapKey(env, reg, spec.keySize);
      return;
    }
    case 'map_value':
      if (spec.maybeNull && isNullScalar(reg)) return;
      checkHelperMem(env, regno, env.mapOf(meta.mapFd)!.valueSize, !!spec.write, false, !!spec.uninit, meta);
      return;
    case 'mem':
      if (spec.fixedSize !== undefined) {
        checkHelperMem(env, regno, spec.fixedSize, !!spec.write, false, !!spec.uninit, meta);
        if (spec.aligned) checkPtrAlignment(env, reg, 0, spec.fixedSize, true);
      }
      return;
    case 'const_size':
      checkMemSizeReg(env, regno, !!spec.orZero, prev!, meta);
      return;
    case 'const_alloc_size':
      if (!tnumIsConst(reg.varOff)) env.reject(`R${regno} is not a known constant'`);
      meta.memSize = Number(reg.varOff.value);
      markRegPrecise(env, regno);
      return;
    case 'const_str':
      checkConstStr(env, regno, reg);
      return;
    default:
      return;
  }
}

/**
 * get_constant_map_key: the key bytes on the stack are a known number (zeroed bytes, or a
 * constant scalar spilled with the key's size), else -1. Relying on it makes it precise.
 */
function constantMapKey(env: Env, key: Reg, keySize: number): number {
  if (key.type !== PTR_TO_STACK || !tnumIsConst(key.varOff)) return -1;
  const frame = frameOf(env, key);
  const off = key.off + Number(BigInt.asIntN(64, key.varOff.value));
  const spi = slotOf(off);
  const end = slotStart(spi) + 8;
  let zeros = 0;
  for (let a = off; a < end && frame.bt(a) === STACK_ZERO; a++) zeros++;
  if (zeros >= keySize) return 0;
  if (off !== slotStart(spi) || !frame.isSpilled(spi)) return -1;
  const sp = frame.spill[spi]!;
  let spillSize = 0;
  for (let a = off; a < end && frame.bt(a) === STACK_SPILL; a++) spillSize++;
  if (sp.type !== SCALAR || spillSize !== keySize || !tnumIsConst(sp.varOff)) return -1;
  markSlotPrecise(env, frame.frameno, spi);
  const v = sp.varOff.value;
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
}

/** release_reference: the reference ends; every register holding it becomes an unknown scalar. */
function releaseReference(env: Env, id: number): boolean {
  const idx = env.cur.refs.findIndex((r) => r.id === id);
  if (idx < 0) return false;
  env.cur.refs.splice(idx, 1);
  for (const f of env.cur.frames) {
    for (let i = 0; i < 11; i++) if (f.regs[i]!.refObjId === id) markUnknown(f.wreg(i));
    for (let spi = 0; spi < f.spill.length; spi++) {
      const sp = f.spill[spi];
      if (sp !== null && sp.refObjId === id) markUnknown(f.writableSpill(spi));
    }
  }
  return true;
}

/** A helper filled a stack buffer: its bytes are now initialised (misc) data. */
function markRawBufferWritten(env: Env, frame: FuncState, off: number, size: number): void {
  frame.own();
  for (let i = off; i < off + size; i++) {
    const spi = slotOf(i);
    if (frame.isSpilled(spi)) {
      const base = -(spi + 1) * 8;
      frame.spill[spi] = null;
      for (let j = 0; j < 8; j++) if (frame.bt(base + j) !== STACK_INVALID) frame.setBt(base + j, STACK_MISC);
    }
    frame.setBt(i, STACK_MISC);
    // Whatever was there before, these bytes now hold what the helper wrote.
    frame.markWritten(spi, 1 << (i - slotStart(spi)));
  }
  env.updateStackDepth(frame, -off);
}

function checkMapCompat(env: Env, mapFd: number, id: number): void {
  const spec = env.mapOf(mapFd);
  if (spec === undefined) return;
  const proto = HELPER_PROTOS.get(id)!;
  const byMap = MAP_TYPE_HELPERS[spec.type];
  if ((byMap !== undefined && !byMap.includes(id)) || (proto.mapTypes !== undefined && !proto.mapTypes.includes(spec.type))) {
    env.reject(`cannot pass map_type ${BPF_MAP_TYPE[spec.type]} into func ${helperName(id)}#${id}`);
  }
}

export function checkHelperCall(env: Env, x: Insn): void {
  const id = x.imm;
  if (id < 0 || id >= BPF_FUNC_MAX_ID) env.reject(`invalid func ${helperName(id)}#${id}`);
  const proto = HELPER_PROTOS.get(id);
  if (proto === undefined || !env.prog.helpers.has(id)) env.reject(`program of this type cannot use helper ${helperName(id)}#${id}`);
  const meta: CallMeta = { mapFd: 0, constKey: -1, raw: null, memSize: 0, msizeMax: 0n, refObjId: 0, releaseRegno: 0 };
  for (let i = 0; i < 5; i++) checkFuncArg(env, i, proto.args[i], proto.args[i - 1], meta);
  if (meta.mapFd) checkMapCompat(env, meta.mapFd, id);
  if (env.prog.helpersUnsupported?.has(id)) env.reject(`func ${helperName(id)}#${id} not supported for program type ${env.prog.id}`);
  if (proto.callback !== undefined) callbackCall(env, proto.callback, meta.mapFd, proto.args.findIndex((a) => a.kind === 'func') + 1);
  if (meta.raw) markRawBufferWritten(env, meta.raw.frame, meta.raw.off, meta.raw.size);
  if (meta.releaseRegno) {
    let ok = false;
    if (meta.refObjId) ok = releaseReference(env, meta.refObjId);
    else if (isNullScalar(env.regs[meta.releaseRegno]!)) ok = true;
    if (!ok) env.reject(`func ${helperName(id)}#${id} reference has not been acquired before`);
  }
  for (let r = 0; r <= 5; r++) markNotInit(env.writeReg(r, false));
  const r0 = env.wreg(0);
  switch (proto.ret) {
    case 'integer':
      markUnknown(r0);
      if (proto.retRange === 'errno_or_size') {
        r0.smax = meta.msizeMax > S64_MAX ? S64_MAX : meta.msizeMax;
        r0.s32max = Number(meta.msizeMax > 0x7fffffffn ? 0x7fffffffn : meta.msizeMax);
        r0.smin = BigInt(-MAX_ERRNO);
        r0.s32min = -MAX_ERRNO;
        regBoundsSync(r0);
      } else if (proto.retRange === 'cpu' && env.opts.nrCpuIds > 0) {
        const max = env.opts.nrCpuIds - 1;
        r0.umin = 0n;
        r0.smin = 0n;
        r0.u32min = 0;
        r0.s32min = 0;
        r0.umax = BigInt(max);
        r0.smax = BigInt(max);
        r0.u32max = max;
        r0.s32max = max;
        regBoundsSync(r0);
      }
      break;
    case 'void':
      markNotInit(r0);
      break;
    case 'map_value_or_null': {
      markKnownZero(r0);
      r0.mapFd = meta.mapFd;
      // An array element named by a constant index in range always exists (Linux 6.13+).
      const spec = env.mapOf(meta.mapFd)!;
      if (id === 1 && meta.constKey >= 0 && meta.constKey < spec.maxEntries) {
        r0.type = PTR_TO_MAP_VALUE;
        break;
      }
      r0.type = PTR_TO_MAP_VALUE | PTR_MAYBE_NULL;
      r0.id = env.newId();
      break;
    }
    case 'ringbuf_mem_or_null': {
      markKnownZero(r0);
      r0.type = PTR_TO_MEM | MEM_RINGBUF | PTR_MAYBE_NULL;
      r0.memSize = meta.memSize;
      r0.id = env.newId();
      // acquire_reference_state: the program now holds a record it must submit or discard.
      const ref = env.newId();
      env.cur.refs.push({ id: ref, insnIdx: env.insnIdx });
      r0.id = ref;
      r0.refObjId = ref;
      break;
    }
    case 'btf_id_trusted':
      markKnownZero(r0);
      r0.type = PTR_TO_BTF_ID | PTR_TRUSTED;
      r0.btfName = proto.retBtf ?? '';
      break;
  }
}

/**
 * The helper will call its callback: once more, as a new path, unless bpf_loop has already
 * been entered as many times as its count (r1, which becomes precise) can be at most.
 */
function callbackCall(env: Env, kind: CallbackKind, mapFd: number, funcRegno: number): void {
  if (kind === 'loop') {
    markRegPrecise(env, 1);
    const caller = env.cur.cur;
    if (BigInt(caller.callbackDepth) >= env.regs[1]!.umax) {
      caller.callbackDepth = 0;
      return;
    }
  }
  pushCallback(env, kind, mapFd, funcRegno);
}

/**
 * push_callback_call: one more path enters the callback in a new frame, as the helper would
 * call it, while the current path goes on as if the helper had finished. The callback's exit
 * returns to the helper call, which may call it again, until the states there converge.
 */
function pushCallback(env: Env, kind: CallbackKind, mapFd: number, funcRegno: number): void {
  const st = env.cur.clone();
  if (st.frames.length >= MAX_CALL_FRAMES) env.reject(`the call stack of ${st.curframe + 2} frames is too deep`);
  const caller = st.cur;
  // The path into the callback counts one more entry; the path past the helper starts over.
  caller.callbackDepth++;
  env.cur.cur.callbackDepth = 0;
  const target = caller.regs[funcRegno]!.memSize;
  const callee = new FuncState();
  callee.frameno = st.curframe + 1;
  callee.callsite = env.insnIdx;
  callee.subprog = env.subprogOf(target);
  callee.inCallback = true;
  const r = callee.regs;
  if (kind === 'map_elem') {
    for (const [regno, type] of [[1, CONST_PTR_TO_MAP], [2, PTR_TO_MAP_KEY], [3, PTR_TO_MAP_VALUE]] as const) {
      markKnownZero(r[regno]!);
      r[regno]!.type = type;
      r[regno]!.mapFd = mapFd;
    }
    r[4]!.assign(caller.regs[3]!);
  } else {
    markUnknown(r[1]!);
    r[2]!.assign(caller.regs[3]!);
  }
  const fp = r[10]!;
  markKnownZero(fp);
  fp.type = PTR_TO_STACK;
  fp.frameno = callee.frameno;
  callee.regWritten = 0x7ff;
  callee.markAllWritten();
  st.frames.push(callee);
  st.callbackDepth++;
  st.hist = { idx: env.insnIdx, stackSlot: -1, linked: null, kind: HIST_CALLBACK_ENTRY, prev: st.hist };
  st.histLen++;
  env.pushState(st, target);
}

/** check_func_call / setup_func_entry: a bpf-to-bpf call opens the callee's frame. */
export function enterSubprog(env: Env, target: number): void {
  const st = env.cur;
  if (st.frames.length >= MAX_CALL_FRAMES) env.reject(`the call stack of ${st.curframe + 2} frames is too deep`);
  const caller = st.cur;
  const callee = new FuncState();
  callee.frameno = st.curframe + 1;
  callee.callsite = env.insnIdx;
  callee.subprog = env.subprogOf(target);
  for (let r = 1; r <= 5; r++) {
    const a = caller.regs[r]!;
    callee.regs[r]!.assign(a);
    if (a.type !== NOT_INIT) env.markRegRead(st.curframe, r);
  }
  const fp = callee.regs[10]!;
  markKnownZero(fp);
  fp.type = PTR_TO_STACK;
  fp.frameno = callee.frameno;
  // Nothing in the new frame comes from before the call: liveness stops here.
  callee.regWritten = 0x7ff;
  callee.markAllWritten();
  for (let r = 0; r <= 5; r++) {
    markNotInit(caller.wreg(r));
    caller.regWritten |= 1 << r;
  }
  st.frames.push(callee);
}

/** prepare_func_exit: the callee's r0 becomes the caller's; returns the instruction to resume at. */
export function exitSubprog(env: Env): number {
  const st = env.cur;
  const callee = st.cur;
  const r0 = env.readReg(0);
  if (callee.inCallback) {
    // The helper reads the callback's verdict: 0 (go on) or 1 (stop); then it may call again.
    if (r0.type !== SCALAR) env.reject('R0 not a scalar value');
    markRegPrecise(env, 0);
    if (r0.smin < 0n || r0.smax > 1n) {
      let has = '';
      if (r0.smin > S64_MIN) has += ` smin=${r0.smin}`;
      if (r0.smax < S64_MAX) has += ` smax=${r0.smax}`;
      if (has === '') has = ' unknown scalar value';
      env.reject(`At callback return the register R0 has${has} should have been in [0, 1]`);
    }
    st.frames.pop();
    // Back at the helper call, which may call again: what changed since the callback was last
    // entered from here, and no decision needed exact, is widened so the iterations converge.
    const prev = prevEntry(st, callee.callsite);
    if (prev !== null) widenImpreciseScalars(prev, st, WIDEN_IDS);
    return callee.callsite;
  }
  if (r0.type === PTR_TO_STACK) env.reject('cannot return stack pointer to the caller');
  st.frames.pop();
  const caller = st.cur;
  caller.wreg(0).assign(r0);
  caller.regWritten |= 1;
  return callee.callsite + 1;
}

/**
 * find_prev_entry: the latest checkpoint on the current path (its exploration unfinished, so
 * a loop leads from it to here) at instruction `idx` with the same call sites as `st`.
 */
function prevEntry(st: VState, idx: number): VState | null {
  for (let cp = st.parent; cp !== null; cp = cp.parent) {
    if (cp.insnIdx === idx && sameCallsites(cp.state, st)) return cp.state;
  }
  return null;
}

/** check_reference_leak + check_return_code at the main program's exit. */
export function checkMainExit(env: Env): void {
  if (env.cur.refs.length) {
    const lines = env.cur.refs.map((r) => `Unreleased reference id=${r.id} alloc_insn=${r.insnIdx}`);
    env.reject([...lines, 'BPF_EXIT instruction in main prog would lead to reference leak'].join('\n'));
  }
  const r0 = env.readReg(0);
  const range = env.prog.retRange;
  if (range === undefined) return;
  if (r0.type !== SCALAR) env.reject(`At program exit the register R0 is not a known value (${regTypeStr(r0.type)})`);
  markRegPrecise(env, 0);
  if (r0.smin < BigInt(range[0]) || r0.smax > BigInt(range[1])) {
    let has = '';
    if (r0.smin > S64_MIN) has += ` smin=${r0.smin}`;
    if (r0.smax < S64_MAX) has += ` smax=${r0.smax}`;
    if (has === '') has = ' unknown scalar value';
    env.reject(`At program exit the register R0 has${has} should have been in [${range[0]}, ${range[1]}]`);
  }
}
