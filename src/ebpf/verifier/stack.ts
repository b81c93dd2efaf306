// Stack accesses as Linux checks them: bounds within the 512-byte frame, per-byte
// initialisation (invalid / misc / zero / spilled register), spills and fills that keep a
// register's type and bounds at 8-byte aligned slots, variable-offset reads and writes, and the
// ranges helpers read or fill. In: the env, the pointer register and the access; out: the stack
// and destination register updated, or a rejection in the kernel's words.

import type { Env } from './env.js';
import { markRegPrecise } from './precision.js';
import {
  FuncState, NOT_INIT, PTR_TO_STACK, Reg, SCALAR, STACK_INVALID, STACK_MISC, STACK_SPILL, STACK_ZERO,
  isNullScalar, markKnownScalar, markUnknown, slotOf, slotStart,
} from './state.js';
import { tnumIsConst, tnumToString } from './tnum.js';

const MAX_BPF_STACK = 512;
/** Linux's BPF_MAX_VAR_OFF: variable offsets must stay within ±2^29. */
export const BPF_MAX_VAR_OFF = 1 << 29;

/** The frame a stack pointer points into. */
export function frameOf(env: Env, ptr: Reg): FuncState {
  return env.cur.frames[ptr.frameno]!;
}

function growStack(frame: FuncState, bytes: number): void {
  const rounded = (bytes + 7) & ~7;
  if (rounded > frame.allocated) frame.allocated = rounded;
}

/**
 * check_stack_access_within_bounds: [off, off + size) relative to the pointer must lie in
 * [-512, 0) (reads: within the stack already in use, unless uninitialised reads are allowed).
 * `off` includes the pointer's fixed offset.
 */
export function checkStackBounds(env: Env, regno: number, ptr: Reg, off: number, size: number, write: boolean): void {
  const frame = frameOf(env, ptr);
  const extra = write ? ' write to' : ' read from';
  let minOff: number;
  let maxOff: number;
  if (tnumIsConst(ptr.varOff)) {
    minOff = Number(BigInt.asIntN(64, ptr.varOff.value)) + off;
    maxOff = minOff + size;
  } else {
    if (ptr.smax >= BigInt(BPF_MAX_VAR_OFF) || ptr.smin <= -BigInt(BPF_MAX_VAR_OFF)) {
      env.reject(`invalid unbounded variable-offset${extra} stack R${regno}`);
    }
    minOff = Number(ptr.smin) + off;
    maxOff = Number(ptr.smax) + off + size;
  }
  const minValid = write || env.opts.allowUninitStack ? -MAX_BPF_STACK : -frame.allocated;
  if (minOff < minValid || minOff > -1 || maxOff > 0 || size < 0) {
    if (tnumIsConst(ptr.varOff)) env.reject(`invalid${extra} stack R${regno} off=${off} size=${size}`);
    env.reject(`invalid variable-offset${extra} stack R${regno} var_off=${tnumToString(ptr.varOff)} off=${off} size=${size}`);
  }
  growStack(frame, -minOff);
  env.updateStackDepth(frame, -minOff);
}

/** Mark the bytes of a slot other than the spilled ones: misc, unless invalid or zero. */
function markSlotMisc(frame: FuncState, off: number): void {
  const t = frame.bt(off);
  if (t !== STACK_ZERO && t !== STACK_INVALID) frame.setBt(off, STACK_MISC);
}

/** save_register_state: the low `size` bytes of slot spi hold register `reg`. */
function saveRegisterState(env: Env, frame: FuncState, spi: number, reg: Reg, size: number): void {
  frame.own();
  const copy = new Reg();
  copy.assign(reg);
  frame.spill[spi] = copy;
  frame.markWritten(spi, (1 << size) - 1);
  const base = slotStart(spi);
  for (let i = 0; i < 8; i++) {
    if (i < size) frame.setBt(base + i, STACK_SPILL);
    else markSlotMisc(frame, base + i);
  }
  env.scratchedSlots.push(spi);
}

/** A scalar without an id gets one before it is copied, so the copies stay linked. */
export function needsScalarId(r: Reg): boolean {
  return r.type === SCALAR && r.id === 0 && !tnumIsConst(r.varOff);
}

/** assign_scalar_id_before_mov for register regno of the current frame; returns the register. */
export function assignScalarId(env: Env, regno: number): Reg {
  if (!needsScalarId(env.regs[regno]!)) return env.regs[regno]!;
  const r = env.wreg(regno);
  r.id = env.newId();
  return r;
}

/** Bits the scalar may need (get_reg_width). */
function regWidth(r: Reg): number {
  const v = r.umax;
  return v === 0n ? 0 : v.toString(2).length;
}

/** Turn spilled-register bytes of a slot into misc bytes (scrub_spilled_slot). */
function scrubSlot(frame: FuncState, spi: number): void {
  frame.own();
  const base = slotStart(spi);
  frame.spill[spi] = null;
  for (let i = 0; i < 8; i++) if (frame.bt(base + i) !== STACK_INVALID) frame.setBt(base + i, STACK_MISC);
}

/** Result of a store, for precision backtracking: the slot spilled into, or -1. */
export function stackWriteFixed(
  env: Env,
  frame: FuncState,
  off: number,
  size: number,
  valueRegno: number,
  stImm: number | null,
): number {
  const spi = slotOf(off);
  const cur = env.frame;
  let reg = valueRegno >= 0 ? cur.regs[valueRegno]! : null;
  const aligned = off % 8 === 0;
  env.scratchedSlots.push(spi);
  if (reg !== null && aligned && reg.type === SCALAR) {
    const fits = regWidth(reg) <= size * 8;
    if (fits) reg = assignScalarId(env, valueRegno);
    saveRegisterState(env, frame, spi, reg, size);
    if (!fits) frame.spill[spi]!.id = 0;
    return frame.frameno * 64 + spi;
  }
  if (reg === null && aligned && stImm !== null) {
    const fake = new Reg();
    markKnownScalar(fake, BigInt(stImm));
    saveRegisterState(env, frame, spi, fake, size);
    return frame.frameno * 64 + spi;
  }
  if (reg !== null && reg.type !== SCALAR && reg.type !== NOT_INIT) {
    if (size !== 8) env.reject('invalid size of register spill');
    if (frame !== cur && reg.type === PTR_TO_STACK) env.reject('cannot spill pointers to stack into stack frame of the caller');
    saveRegisterState(env, frame, spi, reg, size);
    return frame.frameno * 64 + spi;
  }
  // A plain data write destroys any spilled register in the slot.
  frame.own();
  if (frame.isSpilled(spi)) scrubSlot(frame, spi);
  frame.spill[spi] = null;
  frame.markWritten(spi, byteMask(off, size));
  let type = STACK_MISC;
  if ((reg !== null && isNullScalar(reg)) || (reg === null && stImm === 0)) {
    if (reg !== null) markRegPrecise(env, valueRegno);
    type = STACK_ZERO;
  }
  for (let i = 0; i < size; i++) frame.setBt(off + i, type);
  return -1;
}

export function stackWriteVar(env: Env, frame: FuncState, ptr: Reg, off: number, size: number, valueRegno: number, stImm: number | null): void {
  const minOff = Number(ptr.smin) + off;
  const maxOff = Number(ptr.smax) + off + size;
  const value = valueRegno >= 0 ? env.regs[valueRegno]! : null;
  const writingZero = (value !== null && isNullScalar(value)) || (value === null && stImm === 0);
  let zeroUsed = false;
  frame.own();
  for (let i = minOff; i < maxOff; i++) {
    const spi = slotOf(i);
    const t = frame.bt(i);
    if (writingZero && t === STACK_SPILL) {
      const sp = frame.spill[spi];
      if (sp !== null && sp.type === SCALAR && tnumIsConst(sp.varOff) && sp.varOff.value === 0n) {
        zeroUsed = true;
        continue;
      }
    }
    if (frame.isSpilled(spi)) scrubSlot(frame, spi);
    let nt = STACK_MISC;
    if (writingZero && frame.bt(i) === STACK_ZERO) {
      nt = STACK_ZERO;
      zeroUsed = true;
    }
    if (frame.bt(i) === STACK_INVALID && !env.opts.allowUninitStack) {
      env.reject(`uninit stack in range of var-offset write prohibited for !root; insn ${env.insnIdx}, off: ${i}`);
    }
    frame.setBt(i, nt);
  }
  if (zeroUsed && valueRegno >= 0) markRegPrecise(env, valueRegno);
}

/** The bytes [off, off + size) of their (single) slot, bit j = slotStart + j. */
export function byteMask(off: number, size: number): number {
  return ((1 << size) - 1) << (off - slotStart(slotOf(off)));
}

/** Count the spilled bytes at the bottom of a slot (the kernel's spill_size). */
function spillSize(frame: FuncState, spi: number): number {
  const base = slotStart(spi);
  let n = 0;
  while (n < 8 && frame.bt(base + n) === STACK_SPILL) n++;
  return n;
}

/** Fixed-offset read into register dst (or -1: only checked). Returns the filled slot or -1. */
export function stackReadFixed(env: Env, frame: FuncState, off: number, size: number, dst: number): number {
  const spi = slotOf(off);
  const slotFlag = frame.frameno * 64 + spi;
  env.scratchedSlots.push(spi);
  if (frame.isSpilled(spi)) {
    let reg = frame.spill[spi]!;
    const ssize = spillSize(frame, spi);
    if (size !== 8 || ssize !== 8) {
      if (reg.type !== SCALAR) env.reject('invalid size of register fill');
      env.markStackRead(frame.frameno, spi, byteMask(off, size));
      if (dst < 0) return -1;
      const d = env.wreg(dst);
      if (size <= ssize && off % 8 === 0) {
        if (size === 4 && ssize === 4 && regWidth(reg) <= 32 && needsScalarId(reg)) {
          reg = frame.writableSpill(spi);
          reg.id = env.newId();
        }
        d.assign(reg);
        if (regWidth(reg) > size * 8) d.id = 0;
        return slotFlag;
      }
      let spillCnt = 0;
      let zeroCnt = 0;
      for (let i = 0; i < size; i++) {
        const t = frame.bt(off + i);
        if (t === STACK_SPILL) spillCnt++;
        else if (t === STACK_ZERO) zeroCnt++;
        else if (t !== STACK_MISC && !(t === STACK_INVALID && env.opts.allowUninitStack)) {
          env.reject(`invalid read from stack off ${off}+${i} size ${size}`);
        }
      }
      if (spillCnt === size && tnumIsConst(reg.varOff) && reg.varOff.value === 0n) {
        markKnownScalar(d, 0n);
        return slotFlag;
      }
      if (zeroCnt === size) markKnownScalar(d, 0n);
      else markUnknown(d);
      return -1;
    }
    env.markStackRead(frame.frameno, spi, 0xff);
    if (dst >= 0) {
      env.wreg(dst).assign(reg);
      return slotFlag;
    }
    return -1;
  }
  let zeros = 0;
  for (let i = 0; i < size; i++) {
    const t = frame.bt(off + i);
    if (t === STACK_MISC) continue;
    if (t === STACK_ZERO) {
      zeros++;
      continue;
    }
    if (t === STACK_INVALID && env.opts.allowUninitStack) continue;
    env.reject(`invalid read from stack off ${off}+${i} size ${size}`);
  }
  env.markStackRead(frame.frameno, spi, byteMask(off, size));
  if (dst >= 0) {
    if (zeros === size) markKnownScalar(env.wreg(dst), 0n);
    else markUnknown(env.wreg(dst));
  }
  return -1;
}

/**
 * check_stack_range_initialized: every byte a helper (or a variable-offset read) may touch is
 * initialised — unless `raw` (the helper fills the buffer). With `clobber` the bytes become
 * misc afterwards. Returns the fixed offset range for raw mode, else null.
 */
export function checkStackRange(
  env: Env,
  regno: number,
  ptr: Reg,
  off: number,
  size: number,
  zeroOk: boolean,
  write: boolean,
  raw: boolean,
): void {
  if (size === 0 && !zeroOk) env.reject('invalid zero-sized read');
  checkStackBounds(env, regno, ptr, off, size, write);
  const frame = frameOf(env, ptr);
  let minOff: number;
  let maxOff: number;
  if (tnumIsConst(ptr.varOff)) {
    minOff = maxOff = Number(BigInt.asIntN(64, ptr.varOff.value)) + off;
  } else {
    raw = false;
    minOff = Number(ptr.smin) + off;
    maxOff = Number(ptr.smax) + off;
  }
  if (raw) return;
  if (write) frame.own();
  // Bytes read, gathered per slot and marked once per slot.
  let spiMark = -1;
  let mask = 0;
  for (let i = minOff; i < maxOff + size; i++) {
    const spi = slotOf(i);
    if (spi !== spiMark) {
      if (mask !== 0) env.markStackRead(frame.frameno, spiMark, mask);
      spiMark = spi;
      mask = 0;
    }
    mask |= 1 << (i - slotStart(spi));
    const t = frame.bt(i);
    if (t === STACK_MISC) continue;
    if (t === STACK_ZERO || (t === STACK_INVALID && env.opts.allowUninitStack)) {
      if (write) frame.setBt(i, STACK_MISC);
      continue;
    }
    if (frame.isSpilled(spi)) {
      if (write) scrubSlot(frame, spi);
      continue;
    }
    if (tnumIsConst(ptr.varOff)) env.reject(`invalid read from stack R${regno} off ${minOff}+${i - minOff} size ${size}`);
    env.reject(`invalid read from stack R${regno} var_off ${tnumToString(ptr.varOff)}+${i - minOff} size ${size}`);
  }
  if (mask !== 0) env.markStackRead(frame.frameno, spiMark, mask);
}

/** Variable-offset read into dst: every possibly-read byte must be initialised. */
export function stackReadVar(env: Env, regno: number, ptr: Reg, off: number, size: number, dst: number): void {
  checkStackRange(env, regno, ptr, off, size, false, false, false);
  const frame = frameOf(env, ptr);
  const minOff = Number(ptr.smin) + off;
  const maxOff = Number(ptr.smax) + off + size;
  let allZero = true;
  for (let i = minOff; i < maxOff; i++) if (frame.bt(i) !== STACK_ZERO) allZero = false;
  if (allZero) markKnownScalar(env.wreg(dst), 0n);
  else markUnknown(env.wreg(dst));
}
