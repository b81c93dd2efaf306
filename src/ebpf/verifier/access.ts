// Loads, stores and atomics (Linux's check_mem_access / check_atomic): dispatch on the
// pointer's type to the stack, context, map value, ringbuf/helper memory and kernel-object
// rules, with alignment, bounds from the pointer's offset range, and the loaded register's
// new value. In: the env and one instruction's operands; out: registers and stack updated,
// facts recorded for the JIT, or a rejection. Not here: what the kernel allows per ctx field.

import { BPF_ADD, BPF_AND, BPF_CMPXCHG, BPF_FETCH, BPF_OR, BPF_XCHG, BPF_XOR, type Insn } from '../isa.js';
import { checkCtxAccess, checkPtrOffReg } from './context.js';
import type { Env } from './env.js';
import {
  MEM_RDONLY, PTR_TO_BTF_ID, PTR_TO_CTX, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM,
  PTR_TO_STACK, Reg, SCALAR, S64_MIN, baseType, markUnknown, mayBeNull, regTypeStr,
} from './state.js';
import { coerceRegToSize, coerceRegToSizeSx } from './scalar.js';
import {
  BPF_MAX_VAR_OFF, checkStackBounds, frameOf, stackReadFixed, stackReadVar, stackWriteFixed, stackWriteVar,
} from './stack.js';
import { tnumAdd, tnumConst, tnumIsAligned, tnumIsConst, tnumToString } from './tnum.js';

/** Linux's BPF_F_RDONLY_PROG map flag: programs may only read the map. */
export const BPF_F_RDONLY_PROG = 1 << 7;

const ALIGN_DESC: Readonly<Record<number, string>> = {
  [PTR_TO_MAP_KEY]: 'key ',
  [PTR_TO_MAP_VALUE]: 'value ',
  [PTR_TO_CTX]: 'context ',
  [PTR_TO_STACK]: 'stack ',
};

/** check_ptr_alignment: stack accesses are always aligned; others only when strict (atomics). */
export function checkPtrAlignment(env: Env, reg: Reg, off: number, size: number, strict: boolean): void {
  const base = baseType(reg.type);
  if (base === PTR_TO_STACK) strict = true;
  if (!strict || size === 1) return;
  const regOff = tnumAdd(reg.varOff, tnumConst(BigInt(reg.off + off)));
  if (!tnumIsAligned(regOff, size)) {
    env.reject(`misaligned ${ALIGN_DESC[base] ?? ''}access off ${tnumToString(reg.varOff)}+${reg.off}+${off} size ${size}`);
  }
}

/** __check_mem_access: one end of the range [off, off+size) within memSize; else the complaint. */
function memEndError(reg: Reg, off: number, size: number, memSize: number, zeroOk: boolean): string | null {
  const sizeOk = size > 0 || (size === 0 && zeroOk);
  if (off >= 0 && sizeOk && off + size <= memSize) return null;
  switch (baseType(reg.type)) {
    case PTR_TO_MAP_KEY:
      return `invalid access to map key, key_size=${memSize} off=${off} size=${size}`;
    case PTR_TO_MAP_VALUE:
      return `invalid access to map value, value_size=${memSize} off=${off} size=${size}`;
    default:
      return `invalid access to memory, mem_size=${memSize} off=${off} size=${size}`;
  }
}

/**
 * check_mem_region_access: the pointer's whole offset range, plus `off`, plus `size` bytes,
 * must stay inside a region of memSize bytes (map values, ringbuf records, helper memory).
 */
export function checkMemRegion(env: Env, regno: number, reg: Reg, off: number, size: number, memSize: number, zeroOk: boolean): void {
  const smin = reg.smin;
  if (smin < 0n && (smin === S64_MIN || BigInt(off) + smin !== BigInt.asIntN(32, BigInt(off) + smin) || smin + BigInt(off) < 0n)) {
    env.reject(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  }
  const low = memEndError(reg, Number(smin) + off, size, memSize, zeroOk);
  if (low !== null) env.reject(`${low}\nR${regno} min value is outside of the allowed memory range`);
  if (reg.umax >= BigInt(BPF_MAX_VAR_OFF)) {
    env.reject(`R${regno} unbounded memory access, make sure to bounds check any such access`);
  }
  const high = memEndError(reg, Number(reg.umax) + off, size, memSize, zeroOk);
  if (high !== null) env.reject(`${high}\nR${regno} max value is outside of the allowed memory range`);
}

/** Map values: read-only maps refuse writes; then the region check against value_size. */
export function checkMapValueAccess(env: Env, regno: number, reg: Reg, off: number, size: number, write: boolean, zeroOk: boolean): void {
  const spec = env.mapOf(reg.mapFd)!;
  if (write && ((spec.flags ?? 0) & BPF_F_RDONLY_PROG) !== 0) {
    env.reject(`write into map forbidden, value_size=${spec.valueSize} off=${off} size=${size}`);
  }
  checkMemRegion(env, regno, reg, off, size, spec.valueSize, zeroOk);
}

const MEM_KIND: Readonly<Record<number, 'stack' | 'ctx' | 'map_value' | 'mem' | 'btf'>> = {
  [PTR_TO_MAP_KEY]: 'map_value',
  [PTR_TO_STACK]: 'stack',
  [PTR_TO_CTX]: 'ctx',
  [PTR_TO_MAP_VALUE]: 'map_value',
  [PTR_TO_MEM]: 'mem',
  [PTR_TO_BTF_ID]: 'btf',
};

function recordFact(env: Env, reg: Reg, off: number): void {
  const aux = env.aux[env.insnIdx]!;
  const kind = MEM_KIND[baseType(reg.type)] ?? 'mixed';
  const fixed = tnumIsConst(reg.varOff) ? off + Number(BigInt.asIntN(64, reg.varOff.value)) : null;
  if (aux.mem === '') aux.memOff = fixed;
  else if (aux.memOff !== fixed) aux.memOff = null;
  const map = baseType(reg.type) === PTR_TO_MAP_VALUE ? reg.mapFd : 0;
  aux.memMap = aux.memMap === -1 || aux.memMap === map ? map : 0;
  aux.mem = aux.mem === '' || aux.mem === kind ? kind : 'mixed';
}

/** Largest offset assumed for a kernel object we have no BTF layout for. */
const BTF_OBJ_MAX = 1 << 16;

/**
 * check_mem_access. `off` is the instruction's offset; valueRegno is the register loaded into
 * (reads) or stored from (writes), -1 for none; stImm the immediate of a BPF_ST store.
 * Returns the stack slot (frame * 64 + spi) spilled to or filled from, else -1.
 */
export function checkMemAccess(
  env: Env,
  regno: number,
  off: number,
  size: 1 | 2 | 4 | 8,
  write: boolean,
  valueRegno: number,
  stImm: number | null,
  strictAlign: boolean,
  signExt: boolean,
  firstVisitFact: boolean,
): number {
  const reg = env.regs[regno]!;
  checkPtrAlignment(env, reg, off, size, strictAlign);
  const totalOff = off + reg.off;
  const base = baseType(reg.type);
  let slot = -1;
  if (firstVisitFact) recordFact(env, reg, totalOff);
  const t = reg.type;
  if (t === PTR_TO_MAP_KEY) {
    // A callback's key pointer: the map's key, read-only.
    if (write) env.reject(`write to change key R${regno} not allowed`);
    checkMemRegion(env, regno, reg, totalOff, size, env.mapOf(reg.mapFd)!.keySize, false);
    if (valueRegno >= 0) markUnknown(env.wreg(valueRegno));
  } else if (base === PTR_TO_MAP_VALUE && !mayBeNull(t)) {
    checkMapValueAccess(env, regno, reg, totalOff, size, write, false);
    if (!write && valueRegno >= 0) markUnknown(env.wreg(valueRegno));
  } else if (base === PTR_TO_MEM) {
    if (mayBeNull(t)) env.reject(`R${regno} invalid mem access '${regTypeStr(t)}'`);
    if (write && t & MEM_RDONLY) env.reject(`R${regno} cannot write into ${regTypeStr(t)}`);
    checkMemRegion(env, regno, reg, totalOff, size, reg.memSize, false);
    if (!write && valueRegno >= 0) markUnknown(env.wreg(valueRegno));
  } else if (t === PTR_TO_CTX) {
    checkPtrOffReg(env, reg, regno, false);
    checkCtxAccess(env, totalOff, size, write);
    if (!write && valueRegno >= 0) markUnknown(env.wreg(valueRegno));
  } else if (t === PTR_TO_STACK) {
    checkStackBounds(env, regno, reg, totalOff, size, write);
    const frame = frameOf(env, reg);
    const varOff = !tnumIsConst(reg.varOff);
    if (write) {
      if (!varOff) slot = stackWriteFixed(env, frame, totalOff + Number(BigInt.asIntN(64, reg.varOff.value)), size, valueRegno, stImm);
      else stackWriteVar(env, frame, reg, totalOff, size, valueRegno, stImm);
    } else {
      if (valueRegno < 0 && varOff) {
        env.reject(`variable offset stack pointer cannot be passed into helper function; var_off=${tnumToString(reg.varOff)} off=${totalOff} size=${size}`);
      }
      if (!varOff) slot = stackReadFixed(env, frame, totalOff + Number(BigInt.asIntN(64, reg.varOff.value)), size, valueRegno);
      else stackReadVar(env, regno, reg, totalOff, size, valueRegno);
    }
  } else if (base === PTR_TO_BTF_ID && !mayBeNull(t)) {
    if (write) env.reject('only read is supported');
    if (totalOff < 0) env.reject(`R${regno} is ${regTypeStr(t)}${reg.btfName} invalid negative access: off=${totalOff}`);
    if (!tnumIsConst(reg.varOff)) {
      env.reject(`R${regno} is ${regTypeStr(t)}${reg.btfName} invalid variable offset: off=${totalOff}, var_off=${tnumToString(reg.varOff)}`);
    }
    if (totalOff + size > BTF_OBJ_MAX) env.reject(`access beyond struct ${reg.btfName} at off ${totalOff} size ${size}`);
    if (valueRegno >= 0) markUnknown(env.wreg(valueRegno));
  } else {
    env.reject(`R${regno} invalid mem access '${regTypeStr(t)}'`);
  }
  if (!write && valueRegno >= 0 && size < 8 && env.regs[valueRegno]!.type === SCALAR) {
    const v = env.wreg(valueRegno);
    {
      if (signExt) coerceRegToSizeSx(v, size);
      else coerceRegToSize(v, size);
    }
  }
  return slot;
}

const ATOMIC_OPS = new Set([
  BPF_ADD, BPF_ADD | BPF_FETCH, BPF_AND, BPF_AND | BPF_FETCH, BPF_OR, BPF_OR | BPF_FETCH, BPF_XOR,
  BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG,
]);

/** check_atomic: read-modify-write of a map value, stack slot or helper memory. */
export function checkAtomic(env: Env, x: Insn, size: number, firstVisit: boolean): void {
  if (!ATOMIC_OPS.has(x.imm)) env.reject(`BPF_ATOMIC uses invalid atomic opcode ${(x.imm >>> 0).toString(16).padStart(2, '0')}`);
  if (size !== 4 && size !== 8) env.reject('invalid atomic operand size');
  env.readReg(x.src);
  env.readReg(x.dst);
  if (x.imm === BPF_CMPXCHG) env.readReg(0);
  const dst = env.regs[x.dst]!;
  if (dst.type === PTR_TO_CTX) env.reject(`BPF_ATOMIC stores into R${x.dst} ${regTypeStr(dst.type)} is not allowed`);
  // The fetched old value lands in loadReg, which is overwritten before the access is checked.
  const loadReg = x.imm & BPF_FETCH ? (x.imm === BPF_CMPXCHG ? 0 : x.src) : -1;
  if (loadReg >= 0) env.writeReg(loadReg, true);
  const sz = size as 4 | 8;
  checkMemAccess(env, x.dst, x.off, sz, false, -1, null, true, false, firstVisit);
  // The fetched value is loaded as a load would (a stack slot's spilled value comes back).
  if (loadReg >= 0) checkMemAccess(env, x.dst, x.off, sz, false, loadReg, null, true, false, false);
  checkMemAccess(env, x.dst, x.off, sz, true, -1, null, true, false, false);
}
