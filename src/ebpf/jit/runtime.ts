// What generated code calls besides the machine's own objects: the 64-bit operations too long
// to inline (their high word comes back in RET[0]), and the cold paths that turn a fault into
// a RunResult exactly as the interpreter words it. In: int32 halves and fault details. Out:
// low words, RET, filled RunResults. Not: hot-path arithmetic (the emitters inline it).

import {
  arsh, hi, lsh, mulhiU32, rsh, sdiv, smod, udiv, umod,
} from '../int64.js';
import type { FaultKind, RunResult } from '../interpreter.js';
import type { Machine } from '../machine.js';

/**
 * Values that come back beside a function's return value: [0] a 64-bit result's high word or
 * a callee's r0 high word, [1] a callee's instruction count, [2..11] a callee's r1..r5 in
 * unverified programs. Read right after the call that set them.
 */
export const RET = new Int32Array(12);

/** Thrown (after the RunResult is filled) to unwind every frame of a run that faulted. */
export const FAULTED: unique symbol = Symbol('faulted');

export function udiv64(al: number, ah: number, bl: number, bh: number): number {
  const l = udiv(al, ah, bl, bh);
  RET[0] = hi;
  return l;
}
export function umod64(al: number, ah: number, bl: number, bh: number): number {
  const l = umod(al, ah, bl, bh);
  RET[0] = hi;
  return l;
}
export function sdiv64(al: number, ah: number, bl: number, bh: number): number {
  const l = sdiv(al, ah, bl, bh);
  RET[0] = hi;
  return l;
}
export function smod64(al: number, ah: number, bl: number, bh: number): number {
  const l = smod(al, ah, bl, bh);
  RET[0] = hi;
  return l;
}
export function lsh64(l: number, h: number, n: number): number {
  const r = lsh(l, h, n);
  RET[0] = hi;
  return r;
}
export function rsh64(l: number, h: number, n: number): number {
  const r = rsh(l, h, n);
  RET[0] = hi;
  return r;
}
export function arsh64(l: number, h: number, n: number): number {
  const r = arsh(l, h, n);
  RET[0] = hi;
  return r;
}
export { mulhiU32 as mulhi };

/** Fills out as the interpreter does for a fault; returns out. */
export function fault(out: RunResult, kind: FaultKind, pc: number, message: string, insns: number, r0l: number, r0h: number): RunResult {
  out.fault = kind;
  out.faultPc = pc;
  out.faultMessage = message;
  out.insns = insns;
  out.r0Lo = r0l;
  out.r0Hi = r0h;
  return out;
}

/** The interpreter's wording of an access outside its region. */
export function accessFault(
  out: RunResult, m: Machine, write: boolean, pc: number, region: number, lo: number, off: number, size: number, insns: number,
  r0l: number, r0h: number,
): RunResult {
  const b = region >= 0 ? m.mem.bytes[region] : undefined;
  const where = b === undefined
    ? `unknown region ${region >>> 0}`
    : `region ${region} offset ${(lo >>> 0) + off} (size ${b.length}${write && !m.mem.writable[region] ? ', read-only' : ''})`;
  return fault(out, write ? 'write' : 'read', pc, `invalid ${write ? 'write' : 'read'} of ${size} bytes at ${where} at insn ${pc}`, insns, r0l, r0h);
}

export function budgetFault(out: RunResult, budget: number, pc: number, insns: number, r0l: number, r0h: number, atExit: boolean): RunResult {
  const message = atExit
    ? `the program ran more than ${budget} instructions`
    : `the program ran more than ${budget} instructions (stopped at insn ${pc})`;
  return fault(out, 'budget', pc, message, insns, r0l, r0h);
}

/** A run's fault fields cleared (only when the previous run faulted: runs stay write-light). */
export function clearFault(out: RunResult): void {
  out.fault = undefined;
  out.faultMessage = '';
  out.faultPc = -1;
}

/** What a throw out of the generated code becomes: a fault already recorded, or a throwing helper. */
export function caught(e: unknown, out: RunResult, m: Machine, helperPc: number, helperInsns: number): RunResult {
  if (e === FAULTED) return out;
  const msg = e instanceof Error ? e.message : String(e);
  return fault(out, 'helper', helperPc, `helper threw at insn ${helperPc}: ${msg}`, helperInsns, m.regs[0]!, m.regs[1]!);
}

/** Four zero bytes: the key of element 0, which lddw map_value points into. */
const ZERO_KEY = new Uint8Array(4);

/**
 * lddw map_value (src=2): element 0's value (plus off) in the map's region for this CPU, as
 * RET[0] = offset, RET[1] = region; false when the map has no such value.
 */
export function mapValueAddr(m: Machine, fd: number, off: number): boolean {
  const map = m.maps[fd];
  const cpu = m.host.cpu();
  const at = map ? map.lookup(ZERO_KEY, 0, cpu) : -1;
  if (map === undefined || at < 0) return false;
  RET[0] = (at + off) | 0;
  RET[1] = map.valueRegion(cpu);
  return true;
}
