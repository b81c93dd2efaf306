// The interpreter: a loaded Program and a Machine in, a RunResult (r0, instructions, fault)
// out. Registers are m.regs' int32 (lo, hi) pairs, one switch over the opcode byte runs each
// pre-decoded record, every access is bounds-checked against its pointer's region, and
// faults are results, never exceptions; nothing is allocated per run. Not: verification.

import { MAX_BPF_STACK } from './isa.js';
// Named imports, not a namespace: reading `hi` as a module binding measured faster.
import {
  add, arsh, bswap16, bswap32, bswap64, hi, leS, leU, lsh, ltS, ltU, mul, neg, rsh,
  sdiv, sdiv32, sext16, sext32, sext8, smod, smod32, toU64, udiv, udiv32, umod, umod32,
} from './int64.js';
import type { Machine } from './machine.js';
import { REGION_CTX, REGION_STACK, STACK_FRAMES } from './memory.js';
import { type Program } from './program.js';

/** Why a run stopped early. */
export type FaultKind = 'read' | 'write' | 'budget' | 'call_depth' | 'helper' | 'fell_off' | 'unsupported';

/** What a run returns; pass the same object to every run to keep runs allocation-free. */
export interface RunResult {
  /** r0 at exit (or at the fault) as int32 halves; see r0Of() for a bigint. */
  r0Lo: number;
  r0Hi: number;
  /** Instructions executed (lddw counts once). */
  insns: number;
  /** undefined when the program reached its final exit. */
  fault: FaultKind | undefined;
  /** Human-readable reason, e.g. `invalid read of 8 bytes at region 5 offset 12 (size 8) at insn 3`. */
  faultMessage: string;
  /** Slot of the faulting instruction, or -1. */
  faultPc: number;
}

export function newRunResult(): RunResult {
  return { r0Lo: 0, r0Hi: 0, insns: 0, fault: undefined, faultMessage: '', faultPc: -1 };
}

/** r0 as an unsigned 64-bit bigint (for printing and tests; not for hot paths). */
export const r0Of = (r: RunResult): bigint => toU64(r.r0Lo, r.r0Hi);

// Register-file indexes (lo word; the hi word is +1).
const R0 = 0;
const R1 = 2;
const R6 = 12;
const R10 = 20;

/** Words saved per call frame: r6..r9 (8 words) and the return slot. */
const FRAME_WORDS = 9;
/** Frame stacks by nesting level, so a helper may run a program from inside a run. */
const framePool: Int32Array[] = [];
let nesting = 0;
/**
 * Slot of the helper call in progress and instructions run so far, for the fault a throwing
 * helper becomes; a callback the helper makes continues the count from helperInsns and leaves
 * its total there.
 */
let helperPc = -1;
let helperInsns = 0;
/** The run a helper's callback re-enters (see callFunc), set by execute for its duration. */
let curProg: Program | null = null;
let curOut: RunResult | null = null;
let curFrames: Int32Array | null = null;
/** Thrown through a helper when its callback faulted: the fault is already in the run's result. */
const CALLBACK_FAULT: unique symbol = Symbol('callback fault');

/** Four zero bytes: the key of element 0, which lddw map_value points into. */
const ZERO_KEY = new Uint8Array(4);

/**
 * Runs prog with r1 = pointer to the context region (offset 0) and r10 = the top of the
 * first stack frame. When ctx is given it becomes the context region (the region is
 * re-pointed only when the buffer changes).
 */
export function run(prog: Program, m: Machine, ctx: Uint8Array | null, out: RunResult = newRunResult()): RunResult {
  const mem = m.mem;
  if (ctx !== null && mem.bytes[REGION_CTX] !== ctx) mem.setRegion(REGION_CTX, ctx, false);
  // Only r1 (and r10, in execute) are defined at entry, as in Linux: the verifier rejects
  // any read of another register before it is written, so they are not cleared.
  m.regs[R1] = 0;
  m.regs[R1 + 1] = REGION_CTX;
  return execute(prog, m, out);
}

/** Runs prog with r0..r9 as the caller left them in m.regs (r1..r5 are the arguments); sets r10. */
export function execute(prog: Program, m: Machine, out: RunResult = newRunResult()): RunResult {
  out.fault = undefined;
  out.faultMessage = '';
  out.faultPc = -1;
  const level = nesting++;
  const frames = framePool[level] ?? (framePool[level] = new Int32Array(STACK_FRAMES * FRAME_WORDS));
  // A run inside a helper (nesting) must leave the outer run's callback state as it found it.
  const outerProg = curProg, outerOut = curOut, outerFrames = curFrames, outerCallFunc = m.callFunc;
  const outerPc = helperPc, outerInsns = helperInsns;
  curProg = prog;
  curOut = out;
  curFrames = frames;
  m.callFunc = callFunc;
  try {
    interpret(prog, m, out, frames, 0, 0, 0);
  } catch (e) {
    // Only a helper can throw (the loop itself has no throwing operation): report it as a
    // fault, unless it is a callback's fault on its way out (already recorded).
    if (e !== CALLBACK_FAULT) {
      fault(out, 'helper', helperPc, `helper threw at insn ${helperPc}: ${e instanceof Error ? e.message : String(e)}`);
      out.insns = helperInsns;
    }
  } finally {
    nesting--;
    curProg = outerProg;
    curOut = outerOut;
    curFrames = outerFrames;
    m.callFunc = outerCallFunc;
    helperPc = outerPc;
    helperInsns = outerInsns;
  }
  out.r0Lo = m.regs[R0]!;
  out.r0Hi = m.regs[R0 + 1]!;
  return out;
}

/**
 * Machine.callFunc while the interpreter runs: the function at `entry` runs as a frame of its
 * own one below the helper's caller (r10 = its own frame top), its instructions counted from
 * the helper call's count on. The caller's r6..r10 are saved here, in locals, so nested and
 * repeated callbacks cannot clobber them.
 */
function callFunc(m: Machine, entry: number): boolean {
  const prog = curProg!;
  const out = curOut!;
  const regs = m.regs;
  const pc = helperPc;
  if (entry < 0 || entry >= prog.funcEntries.length || prog.funcEntries[entry] !== 1) {
    throw new Error(`callback to insn ${entry}, which no lddw func names`);
  }
  const depth = (regs[R10]! >> 9) - 1;
  if (depth + 1 >= STACK_FRAMES) {
    fault(out, 'call_depth', pc, `the call stack is too deep (${STACK_FRAMES} frames) at insn ${pc}`);
    out.insns = helperInsns;
    throw CALLBACK_FAULT;
  }
  const r6l = regs[R6]!, r6h = regs[R6 + 1]!, r7l = regs[R6 + 2]!, r7h = regs[R6 + 3]!;
  const r8l = regs[R6 + 4]!, r8h = regs[R6 + 5]!, r9l = regs[R6 + 6]!, r9h = regs[R6 + 7]!;
  interpret(prog, m, out, curFrames!, entry, depth + 1, helperInsns);
  if (out.fault !== undefined) throw CALLBACK_FAULT;
  regs[R6] = r6l; regs[R6 + 1] = r6h; regs[R6 + 2] = r7l; regs[R6 + 3] = r7h;
  regs[R6 + 4] = r8l; regs[R6 + 5] = r8h; regs[R6 + 6] = r9l; regs[R6 + 7] = r9h;
  regs[R10] = (depth + 1) * MAX_BPF_STACK;
  regs[R10 + 1] = REGION_STACK;
  helperPc = pc;
  helperInsns = out.insns;
  return (regs[R0]! | regs[R0 + 1]!) !== 0;
}

function fault(out: RunResult, kind: FaultKind, pc: number, message: string): void {
  out.fault = kind;
  out.faultPc = pc;
  out.faultMessage = message;
}

function accessFault(
  out: RunResult, m: Machine, write: boolean, pc: number, region: number, lo: number, off: number, size: number, insns: number,
): void {
  out.insns = insns;
  const b = region >= 0 ? m.mem.bytes[region] : undefined;
  const where = b === undefined
    ? `unknown region ${region >>> 0}`
    : `region ${region} offset ${(lo >>> 0) + off} (size ${b.length}${write && !m.mem.writable[region] ? ', read-only' : ''})`;
  fault(out, write ? 'write' : 'read', pc, `invalid ${write ? 'write' : 'read'} of ${size} bytes at ${where} at insn ${pc}`);
}

/**
 * Offset of [ptr + off, ptr + off + size) inside the pointer's region (high word), or -1 when
 * any byte of it lies outside. lo is the pointer's low word: one at or above 2^31 (negative
 * as int32) puts the access beyond every region (all are smaller than 2^31 - 2^15 bytes), so
 * the offset is computed in int32 arithmetic, which V8 keeps in a register.
 */
function resolve(bytes: readonly Uint8Array[], region: number, lo: number, off: number, size: number): number {
  if (lo < 0 || region >>> 0 >= bytes.length) return -1;
  const o = lo + off;
  return o >= 0 && o + size <= bytes[region]!.length ? o : -1;
}

function resolveWritable(bytes: readonly Uint8Array[], writable: readonly boolean[], region: number, lo: number, off: number, size: number): number {
  const o = resolve(bytes, region, lo, off, size);
  return o >= 0 && writable[region] ? o : -1;
}

// The loop. Records are read lazily per case (see program.ts for the layout): w = op word,
// i = record index; d/s are register-file indexes. Non-branch cases `continue`; branch cases
// `break` when the branch is taken, to the shared jump code after the switch, which also
// counts instructions per straight-line run (pc - blockStart) and checks the budget there.
// It starts at slot `entry` in frame `base` (0: the program; deeper: a helper's callback,
// which returns at the exit of that frame) with `start` instructions already counted.
function interpret(prog: Program, m: Machine, out: RunResult, frames: Int32Array, entry: number, base: number, start: number): void {
  const code = prog.code;
  const regs = m.regs;
  const bytes = m.mem.bytes;
  const views = m.mem.views;
  const stack = views[REGION_STACK]!;
  const writable = m.mem.writable;
  const helpers = prog.helpers;
  const budget = prog.budget;
  let pc = entry;
  let blockStart = entry;
  let executed = start;
  let depth = base;
  let i = 0;
  let w = 0;
  regs[R10] = (base + 1) * MAX_BPF_STACK;
  regs[R10 + 1] = REGION_STACK;

  for (;;) {
    i = pc << 2; // pc * STRIDE (4): a shift on the slot index measured faster than stepping a word index
    w = code[i]!;
    pc++;
    switch (w & 0xff) {
      // ── ALU64, imm operand (imm and its sign extension in i+2, i+3) ──────────────────
      case 0x07: { // add (carry out of the low word computed without a branch)
        const d = (w >>> 8) & 0xff;
        const a = regs[d]!;
        const b = code[i + 2]!;
        const r = (a + b) | 0;
        regs[d] = r;
        regs[d + 1] = (regs[d + 1]! + code[i + 3]! + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
        continue;
      }
      case 0x17: { // sub (borrow likewise)
        const d = (w >>> 8) & 0xff;
        const a = regs[d]!;
        const b = code[i + 2]!;
        const r = (a - b) | 0;
        regs[d] = r;
        regs[d + 1] = (regs[d + 1]! - code[i + 3]! - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        continue;
      }
      case 0x27: { // mul
        const d = (w >>> 8) & 0xff;
        regs[d] = mul(regs[d]!, regs[d + 1]!, code[i + 2]!, code[i + 3]!);
        regs[d + 1] = hi;
        continue;
      }
      case 0x37: { // div (selector 1: sdiv)
        const d = (w >>> 8) & 0xff;
        regs[d] = w >>> 24 === 0
          ? udiv(regs[d]!, regs[d + 1]!, code[i + 2]!, code[i + 3]!)
          : sdiv(regs[d]!, regs[d + 1]!, code[i + 2]!, code[i + 3]!);
        regs[d + 1] = hi;
        continue;
      }
      case 0x47: { // or
        const d = (w >>> 8) & 0xff;
        regs[d] |= code[i + 2]!;
        regs[d + 1] |= code[i + 3]!;
        continue;
      }
      case 0x57: { // and
        const d = (w >>> 8) & 0xff;
        regs[d] &= code[i + 2]!;
        regs[d + 1] &= code[i + 3]!;
        continue;
      }
      case 0x67: { // lsh (count masked to 63; the common constant shifts are inlined)
        const d = (w >>> 8) & 0xff;
        const n = code[i + 2]! & 63;
        if (n > 0 && n < 32) {
          regs[d + 1] = (regs[d + 1]! << n) | (regs[d]! >>> (32 - n));
          regs[d] <<= n;
        } else {
          regs[d] = lsh(regs[d]!, regs[d + 1]!, n);
          regs[d + 1] = hi;
        }
        continue;
      }
      case 0x77: { // rsh
        const d = (w >>> 8) & 0xff;
        const n = code[i + 2]! & 63;
        if (n > 0 && n < 32) {
          regs[d] = (regs[d]! >>> n) | (regs[d + 1]! << (32 - n));
          regs[d + 1] = regs[d + 1]! >>> n;
        } else {
          regs[d] = rsh(regs[d]!, regs[d + 1]!, n);
          regs[d + 1] = hi;
        }
        continue;
      }
      case 0x87: { // neg
        const d = (w >>> 8) & 0xff;
        regs[d] = neg(regs[d]!, regs[d + 1]!);
        regs[d + 1] = hi;
        continue;
      }
      case 0x97: { // mod (selector 1: smod)
        const d = (w >>> 8) & 0xff;
        regs[d] = w >>> 24 === 0
          ? umod(regs[d]!, regs[d + 1]!, code[i + 2]!, code[i + 3]!)
          : smod(regs[d]!, regs[d + 1]!, code[i + 2]!, code[i + 3]!);
        regs[d + 1] = hi;
        continue;
      }
      case 0xa7: { // xor
        const d = (w >>> 8) & 0xff;
        regs[d] ^= code[i + 2]!;
        regs[d + 1] ^= code[i + 3]!;
        continue;
      }
      case 0xb7: { // mov
        const d = (w >>> 8) & 0xff;
        regs[d] = code[i + 2]!;
        regs[d + 1] = code[i + 3]!;
        continue;
      }
      case 0xc7: { // arsh
        const d = (w >>> 8) & 0xff;
        regs[d] = arsh(regs[d]!, regs[d + 1]!, code[i + 2]!);
        regs[d + 1] = hi;
        continue;
      }
      case 0xd7: { // bswap16/32/64 (selector = width)
        const d = (w >>> 8) & 0xff;
        const sel = w >>> 24;
        regs[d] = sel === 16 ? bswap16(regs[d]!) : sel === 32 ? bswap32(regs[d]!) : bswap64(regs[d]!, regs[d + 1]!);
        regs[d + 1] = hi;
        continue;
      }

      // ── ALU64, register operand ─────────────────────────────────────────────────────
      case 0x0f: { // add
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        const a = regs[d]!;
        const b = regs[s]!;
        const r = (a + b) | 0;
        regs[d] = r;
        regs[d + 1] = (regs[d + 1]! + regs[s + 1]! + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
        continue;
      }
      case 0x1f: { // sub
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        const a = regs[d]!;
        const b = regs[s]!;
        const r = (a - b) | 0;
        regs[d] = r;
        regs[d + 1] = (regs[d + 1]! - regs[s + 1]! - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        continue;
      }
      case 0x2f: { // mul
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        regs[d] = mul(regs[d]!, regs[d + 1]!, regs[s]!, regs[s + 1]!);
        regs[d + 1] = hi;
        continue;
      }
      case 0x3f: { // div (selector 1: sdiv)
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        regs[d] = w >>> 24 === 0
          ? udiv(regs[d]!, regs[d + 1]!, regs[s]!, regs[s + 1]!)
          : sdiv(regs[d]!, regs[d + 1]!, regs[s]!, regs[s + 1]!);
        regs[d + 1] = hi;
        continue;
      }
      case 0x4f: { // or
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        regs[d] |= regs[s]!;
        regs[d + 1] |= regs[s + 1]!;
        continue;
      }
      case 0x5f: { // and
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        regs[d] &= regs[s]!;
        regs[d + 1] &= regs[s + 1]!;
        continue;
      }
      case 0x6f: { // lsh
        const d = (w >>> 8) & 0xff;
        regs[d] = lsh(regs[d]!, regs[d + 1]!, regs[(w >>> 16) & 0xff]!);
        regs[d + 1] = hi;
        continue;
      }
      case 0x7f: { // rsh
        const d = (w >>> 8) & 0xff;
        regs[d] = rsh(regs[d]!, regs[d + 1]!, regs[(w >>> 16) & 0xff]!);
        regs[d + 1] = hi;
        continue;
      }
      case 0x9f: { // mod (selector 1: smod)
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        regs[d] = w >>> 24 === 0
          ? umod(regs[d]!, regs[d + 1]!, regs[s]!, regs[s + 1]!)
          : smod(regs[d]!, regs[d + 1]!, regs[s]!, regs[s + 1]!);
        regs[d + 1] = hi;
        continue;
      }
      case 0xaf: { // xor
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        regs[d] ^= regs[s]!;
        regs[d + 1] ^= regs[s + 1]!;
        continue;
      }
      case 0xbf: { // mov; selector 8/16/32: movsx
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        const sel = w >>> 24;
        if (sel === 0) {
          regs[d] = regs[s]!;
          regs[d + 1] = regs[s + 1]!;
        } else {
          regs[d] = sel === 8 ? sext8(regs[s]!) : sel === 16 ? sext16(regs[s]!) : sext32(regs[s]!);
          regs[d + 1] = hi;
        }
        continue;
      }
      case 0xcf: { // arsh
        const d = (w >>> 8) & 0xff;
        regs[d] = arsh(regs[d]!, regs[d + 1]!, regs[(w >>> 16) & 0xff]!);
        regs[d + 1] = hi;
        continue;
      }

      // ── ALU (32-bit): operate on low words, zero the high word ────────────────────────
      case 0x04: { // add32 imm
        const d = (w >>> 8) & 0xff;
        regs[d] = (regs[d]! + code[i + 2]!) | 0;
        regs[d + 1] = 0;
        continue;
      }
      case 0x0c: { // add32 reg
        const d = (w >>> 8) & 0xff;
        regs[d] = (regs[d]! + regs[(w >>> 16) & 0xff]!) | 0;
        regs[d + 1] = 0;
        continue;
      }
      case 0x14: { // sub32 imm
        const d = (w >>> 8) & 0xff;
        regs[d] = (regs[d]! - code[i + 2]!) | 0;
        regs[d + 1] = 0;
        continue;
      }
      case 0x1c: { // sub32 reg
        const d = (w >>> 8) & 0xff;
        regs[d] = (regs[d]! - regs[(w >>> 16) & 0xff]!) | 0;
        regs[d + 1] = 0;
        continue;
      }
      case 0x24: { // mul32 imm
        const d = (w >>> 8) & 0xff;
        regs[d] = Math.imul(regs[d]!, code[i + 2]!);
        regs[d + 1] = 0;
        continue;
      }
      case 0x2c: { // mul32 reg
        const d = (w >>> 8) & 0xff;
        regs[d] = Math.imul(regs[d]!, regs[(w >>> 16) & 0xff]!);
        regs[d + 1] = 0;
        continue;
      }
      case 0x34: { // div32 imm (selector 1: sdiv32)
        const d = (w >>> 8) & 0xff;
        regs[d] = w >>> 24 === 0 ? udiv32(regs[d]!, code[i + 2]!) : sdiv32(regs[d]!, code[i + 2]!);
        regs[d + 1] = 0;
        continue;
      }
      case 0x3c: { // div32 reg (selector 1: sdiv32)
        const d = (w >>> 8) & 0xff;
        const b = regs[(w >>> 16) & 0xff]!;
        regs[d] = w >>> 24 === 0 ? udiv32(regs[d]!, b) : sdiv32(regs[d]!, b);
        regs[d + 1] = 0;
        continue;
      }
      case 0x44: { // or32 imm
        const d = (w >>> 8) & 0xff;
        regs[d] |= code[i + 2]!;
        regs[d + 1] = 0;
        continue;
      }
      case 0x4c: { // or32 reg
        const d = (w >>> 8) & 0xff;
        regs[d] |= regs[(w >>> 16) & 0xff]!;
        regs[d + 1] = 0;
        continue;
      }
      case 0x54: { // and32 imm
        const d = (w >>> 8) & 0xff;
        regs[d] &= code[i + 2]!;
        regs[d + 1] = 0;
        continue;
      }
      case 0x5c: { // and32 reg
        const d = (w >>> 8) & 0xff;
        regs[d] &= regs[(w >>> 16) & 0xff]!;
        regs[d + 1] = 0;
        continue;
      }
      case 0x64: { // lsh32 imm (count masked to 31 by JS itself)
        const d = (w >>> 8) & 0xff;
        regs[d] <<= code[i + 2]!;
        regs[d + 1] = 0;
        continue;
      }
      case 0x6c: { // lsh32 reg
        const d = (w >>> 8) & 0xff;
        regs[d] <<= regs[(w >>> 16) & 0xff]!;
        regs[d + 1] = 0;
        continue;
      }
      case 0x74: { // rsh32 imm
        const d = (w >>> 8) & 0xff;
        regs[d] = regs[d]! >>> code[i + 2]!;
        regs[d + 1] = 0;
        continue;
      }
      case 0x7c: { // rsh32 reg
        const d = (w >>> 8) & 0xff;
        regs[d] = regs[d]! >>> regs[(w >>> 16) & 0xff]!;
        regs[d + 1] = 0;
        continue;
      }
      case 0x84: { // neg32
        const d = (w >>> 8) & 0xff;
        regs[d] = -regs[d]! | 0;
        regs[d + 1] = 0;
        continue;
      }
      case 0x94: { // mod32 imm (selector 1: smod32)
        const d = (w >>> 8) & 0xff;
        regs[d] = w >>> 24 === 0 ? umod32(regs[d]!, code[i + 2]!) : smod32(regs[d]!, code[i + 2]!);
        regs[d + 1] = 0;
        continue;
      }
      case 0x9c: { // mod32 reg (selector 1: smod32)
        const d = (w >>> 8) & 0xff;
        const b = regs[(w >>> 16) & 0xff]!;
        regs[d] = w >>> 24 === 0 ? umod32(regs[d]!, b) : smod32(regs[d]!, b);
        regs[d + 1] = 0;
        continue;
      }
      case 0xa4: { // xor32 imm
        const d = (w >>> 8) & 0xff;
        regs[d] ^= code[i + 2]!;
        regs[d + 1] = 0;
        continue;
      }
      case 0xac: { // xor32 reg
        const d = (w >>> 8) & 0xff;
        regs[d] ^= regs[(w >>> 16) & 0xff]!;
        regs[d + 1] = 0;
        continue;
      }
      case 0xb4: { // mov32 imm
        const d = (w >>> 8) & 0xff;
        regs[d] = code[i + 2]!;
        regs[d + 1] = 0;
        continue;
      }
      case 0xbc: { // mov32 reg; selector 8/16: movsx to 32 bits
        const d = (w >>> 8) & 0xff;
        const v = regs[(w >>> 16) & 0xff]!;
        const sel = w >>> 24;
        regs[d] = sel === 0 ? v : sel === 8 ? (v << 24) >> 24 : (v << 16) >> 16;
        regs[d + 1] = 0;
        continue;
      }
      case 0xc4: { // arsh32 imm
        const d = (w >>> 8) & 0xff;
        regs[d] >>= code[i + 2]!;
        regs[d + 1] = 0;
        continue;
      }
      case 0xcc: { // arsh32 reg
        const d = (w >>> 8) & 0xff;
        regs[d] >>= regs[(w >>> 16) & 0xff]!;
        regs[d + 1] = 0;
        continue;
      }
      case 0xd4: { // le16/32/64: on this little-endian machine, truncation to the width
        const d = (w >>> 8) & 0xff;
        const sel = w >>> 24;
        if (sel === 16) regs[d] &= 0xffff;
        if (sel !== 64) regs[d + 1] = 0;
        continue;
      }
      case 0xdc: { // be16/32/64: byte swap of the low width bits, zero-extended
        const d = (w >>> 8) & 0xff;
        const sel = w >>> 24;
        regs[d] = sel === 16 ? bswap16(regs[d]!) : sel === 32 ? bswap32(regs[d]!) : bswap64(regs[d]!, regs[d + 1]!);
        regs[d + 1] = hi;
        continue;
      }

      // ── lddw ───────────────────────────────────────────────────────────────────────
      case 0x18: {
        const d = (w >>> 8) & 0xff;
        pc++; // the second slot
        blockStart++; // …which is not an instruction of its own
        const sel = w >>> 24;
        if (sel === 0) {
          regs[d] = code[i + 2]!;
          regs[d + 1] = code[i + 3]!;
          continue;
        }
        if (sel === 2) { // map_value: pointer to element 0's value of map fd imm, plus offset
          const map = m.maps[code[i + 2]!];
          const cpu = m.host.cpu();
          const at = map ? map.lookup(ZERO_KEY, 0, cpu) : -1;
          if (map && at >= 0) {
            regs[d] = (at + code[i + 3]!) | 0;
            regs[d + 1] = map.valueRegion(cpu);
            continue;
          }
          fault(out, 'unsupported', pc - 2, `lddw map_value: map fd ${code[i + 2]} has no value to point into at insn ${pc - 2}`);
        } else {
          fault(out, 'unsupported', pc - 2, `lddw src=${sel} must be resolved by the loader before running (insn ${pc - 2})`);
        }
        out.insns = executed + pc - blockStart;
        return;
      }

      // ── LDX (zero-extending) and LDXS (sign-extending): dst = *(size *)(src + off) ────────
      case 0x79: { // ldxdw
        const s = (w >>> 16) & 0xff;
        const region = regs[s + 1]!;
        const o = resolve(bytes, region, regs[s]!, code[i + 1]!, 8);
        if (o < 0) return accessFault(out, m, false, pc - 1, region, regs[s]!, code[i + 1]!, 8, executed + pc - blockStart);
        const v = views[region]!;
        const d = (w >>> 8) & 0xff;
        regs[d] = v.getInt32(o, true);
        regs[d + 1] = v.getInt32(o + 4, true);
        continue;
      }
      case 0x61: { // ldxw
        const s = (w >>> 16) & 0xff;
        const region = regs[s + 1]!;
        const o = resolve(bytes, region, regs[s]!, code[i + 1]!, 4);
        if (o < 0) return accessFault(out, m, false, pc - 1, region, regs[s]!, code[i + 1]!, 4, executed + pc - blockStart);
        const v = views[region]!;
        const d = (w >>> 8) & 0xff;
        regs[d] = v.getInt32(o, true);
        regs[d + 1] = 0;
        continue;
      }
      case 0x69: { // ldxh
        const s = (w >>> 16) & 0xff;
        const region = regs[s + 1]!;
        const o = resolve(bytes, region, regs[s]!, code[i + 1]!, 2);
        if (o < 0) return accessFault(out, m, false, pc - 1, region, regs[s]!, code[i + 1]!, 2, executed + pc - blockStart);
        const v = views[region]!;
        const d = (w >>> 8) & 0xff;
        regs[d] = v.getUint16(o, true);
        regs[d + 1] = 0;
        continue;
      }
      case 0x71: { // ldxb
        const s = (w >>> 16) & 0xff;
        const region = regs[s + 1]!;
        const o = resolve(bytes, region, regs[s]!, code[i + 1]!, 1);
        if (o < 0) return accessFault(out, m, false, pc - 1, region, regs[s]!, code[i + 1]!, 1, executed + pc - blockStart);
        const v = views[region]!;
        const d = (w >>> 8) & 0xff;
        regs[d] = v.getUint8(o);
        regs[d + 1] = 0;
        continue;
      }
      case 0x81: { // ldxsw
        const s = (w >>> 16) & 0xff;
        const region = regs[s + 1]!;
        const o = resolve(bytes, region, regs[s]!, code[i + 1]!, 4);
        if (o < 0) return accessFault(out, m, false, pc - 1, region, regs[s]!, code[i + 1]!, 4, executed + pc - blockStart);
        const v = views[region]!;
        const d = (w >>> 8) & 0xff;
        const x = v.getInt32(o, true);
        regs[d] = x;
        regs[d + 1] = x >> 31;
        continue;
      }
      case 0x89: { // ldxsh
        const s = (w >>> 16) & 0xff;
        const region = regs[s + 1]!;
        const o = resolve(bytes, region, regs[s]!, code[i + 1]!, 2);
        if (o < 0) return accessFault(out, m, false, pc - 1, region, regs[s]!, code[i + 1]!, 2, executed + pc - blockStart);
        const v = views[region]!;
        const d = (w >>> 8) & 0xff;
        const x = v.getInt16(o, true);
        regs[d] = x;
        regs[d + 1] = x >> 31;
        continue;
      }
      case 0x91: { // ldxsb
        const s = (w >>> 16) & 0xff;
        const region = regs[s + 1]!;
        const o = resolve(bytes, region, regs[s]!, code[i + 1]!, 1);
        if (o < 0) return accessFault(out, m, false, pc - 1, region, regs[s]!, code[i + 1]!, 1, executed + pc - blockStart);
        const v = views[region]!;
        const d = (w >>> 8) & 0xff;
        const x = v.getInt8(o);
        regs[d] = x;
        regs[d + 1] = x >> 31;
        continue;
      }

      // ── proven loads and stores (program.ts PROVEN): the verifier put them inside the
      //    pointer's map value or ringbuf record, so no bounds check ──────────────────────
      case 0xe0: { // ldxdw
        const s = (w >>> 16) & 0xff;
        const v = views[regs[s + 1]!]!;
        const o = regs[s]! + code[i + 1]!;
        const d = (w >>> 8) & 0xff;
        regs[d] = v.getInt32(o, true);
        regs[d + 1] = v.getInt32(o + 4, true);
        continue;
      }
      case 0xe1: { // ldxw
        const s = (w >>> 16) & 0xff;
        const d = (w >>> 8) & 0xff;
        regs[d] = views[regs[s + 1]!]!.getInt32(regs[s]! + code[i + 1]!, true);
        regs[d + 1] = 0;
        continue;
      }
      case 0xe2: { // ldxh
        const s = (w >>> 16) & 0xff;
        const d = (w >>> 8) & 0xff;
        regs[d] = views[regs[s + 1]!]!.getUint16(regs[s]! + code[i + 1]!, true);
        regs[d + 1] = 0;
        continue;
      }
      case 0xe3: { // ldxb
        const s = (w >>> 16) & 0xff;
        const d = (w >>> 8) & 0xff;
        regs[d] = views[regs[s + 1]!]!.getUint8(regs[s]! + code[i + 1]!);
        regs[d + 1] = 0;
        continue;
      }
      case 0xe4: { // ldxsw
        const s = (w >>> 16) & 0xff;
        const d = (w >>> 8) & 0xff;
        const x = views[regs[s + 1]!]!.getInt32(regs[s]! + code[i + 1]!, true);
        regs[d] = x;
        regs[d + 1] = x >> 31;
        continue;
      }
      case 0xe5: { // ldxsh
        const s = (w >>> 16) & 0xff;
        const d = (w >>> 8) & 0xff;
        const x = views[regs[s + 1]!]!.getInt16(regs[s]! + code[i + 1]!, true);
        regs[d] = x;
        regs[d + 1] = x >> 31;
        continue;
      }
      case 0xe6: { // ldxsb
        const s = (w >>> 16) & 0xff;
        const d = (w >>> 8) & 0xff;
        const x = views[regs[s + 1]!]!.getInt8(regs[s]! + code[i + 1]!);
        regs[d] = x;
        regs[d + 1] = x >> 31;
        continue;
      }
      case 0xe7: { // stxdw
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        const v = views[regs[d + 1]!]!;
        const o = regs[d]! + code[i + 1]!;
        v.setInt32(o, regs[s]!, true);
        v.setInt32(o + 4, regs[s + 1]!, true);
        continue;
      }
      case 0xe8: { // stxw
        const d = (w >>> 8) & 0xff;
        views[regs[d + 1]!]!.setInt32(regs[d]! + code[i + 1]!, regs[(w >>> 16) & 0xff]!, true);
        continue;
      }
      case 0xe9: { // stxh
        const d = (w >>> 8) & 0xff;
        views[regs[d + 1]!]!.setInt16(regs[d]! + code[i + 1]!, regs[(w >>> 16) & 0xff]!, true);
        continue;
      }
      case 0xea: { // stxb
        const d = (w >>> 8) & 0xff;
        views[regs[d + 1]!]!.setInt8(regs[d]! + code[i + 1]!, regs[(w >>> 16) & 0xff]!);
        continue;
      }
      case 0xeb: { // stdw
        const d = (w >>> 8) & 0xff;
        const v = views[regs[d + 1]!]!;
        const o = regs[d]! + code[i + 1]!;
        v.setInt32(o, code[i + 2]!, true);
        v.setInt32(o + 4, code[i + 3]!, true);
        continue;
      }
      case 0xec: { // stw
        const d = (w >>> 8) & 0xff;
        views[regs[d + 1]!]!.setInt32(regs[d]! + code[i + 1]!, code[i + 2]!, true);
        continue;
      }
      case 0xed: { // sth
        const d = (w >>> 8) & 0xff;
        views[regs[d + 1]!]!.setInt16(regs[d]! + code[i + 1]!, code[i + 2]!, true);
        continue;
      }
      case 0xee: { // stb
        const d = (w >>> 8) & 0xff;
        views[regs[d + 1]!]!.setInt8(regs[d]! + code[i + 1]!, code[i + 2]!);
        continue;
      }

      // ── proven loads and stores (program.ts PROVEN_STACK): inside a stack frame ─────────────
      case 0xef: { // ldxdw
        const s = (w >>> 16) & 0xff;
        const v = stack;
        const o = regs[s]! + code[i + 1]!;
        const d = (w >>> 8) & 0xff;
        regs[d] = v.getInt32(o, true);
        regs[d + 1] = v.getInt32(o + 4, true);
        continue;
      }
      case 0xf0: { // ldxw
        const s = (w >>> 16) & 0xff;
        const d = (w >>> 8) & 0xff;
        regs[d] = stack.getInt32(regs[s]! + code[i + 1]!, true);
        regs[d + 1] = 0;
        continue;
      }
      case 0xf1: { // ldxh
        const s = (w >>> 16) & 0xff;
        const d = (w >>> 8) & 0xff;
        regs[d] = stack.getUint16(regs[s]! + code[i + 1]!, true);
        regs[d + 1] = 0;
        continue;
      }
      case 0xf2: { // ldxb
        const s = (w >>> 16) & 0xff;
        const d = (w >>> 8) & 0xff;
        regs[d] = stack.getUint8(regs[s]! + code[i + 1]!);
        regs[d + 1] = 0;
        continue;
      }
      case 0xf3: { // ldxsw
        const s = (w >>> 16) & 0xff;
        const d = (w >>> 8) & 0xff;
        const x = stack.getInt32(regs[s]! + code[i + 1]!, true);
        regs[d] = x;
        regs[d + 1] = x >> 31;
        continue;
      }
      case 0xf4: { // ldxsh
        const s = (w >>> 16) & 0xff;
        const d = (w >>> 8) & 0xff;
        const x = stack.getInt16(regs[s]! + code[i + 1]!, true);
        regs[d] = x;
        regs[d + 1] = x >> 31;
        continue;
      }
      case 0xf5: { // ldxsb
        const s = (w >>> 16) & 0xff;
        const d = (w >>> 8) & 0xff;
        const x = stack.getInt8(regs[s]! + code[i + 1]!);
        regs[d] = x;
        regs[d + 1] = x >> 31;
        continue;
      }
      case 0xf6: { // stxdw
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        const v = stack;
        const o = regs[d]! + code[i + 1]!;
        v.setInt32(o, regs[s]!, true);
        v.setInt32(o + 4, regs[s + 1]!, true);
        continue;
      }
      case 0xf7: { // stxw
        const d = (w >>> 8) & 0xff;
        stack.setInt32(regs[d]! + code[i + 1]!, regs[(w >>> 16) & 0xff]!, true);
        continue;
      }
      case 0xf8: { // stxh
        const d = (w >>> 8) & 0xff;
        stack.setInt16(regs[d]! + code[i + 1]!, regs[(w >>> 16) & 0xff]!, true);
        continue;
      }
      case 0xf9: { // stxb
        const d = (w >>> 8) & 0xff;
        stack.setInt8(regs[d]! + code[i + 1]!, regs[(w >>> 16) & 0xff]!);
        continue;
      }
      case 0xfa: { // stdw
        const d = (w >>> 8) & 0xff;
        const v = stack;
        const o = regs[d]! + code[i + 1]!;
        v.setInt32(o, code[i + 2]!, true);
        v.setInt32(o + 4, code[i + 3]!, true);
        continue;
      }
      case 0xfb: { // stw
        const d = (w >>> 8) & 0xff;
        stack.setInt32(regs[d]! + code[i + 1]!, code[i + 2]!, true);
        continue;
      }
      case 0xfc: { // sth
        const d = (w >>> 8) & 0xff;
        stack.setInt16(regs[d]! + code[i + 1]!, code[i + 2]!, true);
        continue;
      }
      case 0xfd: { // stb
        const d = (w >>> 8) & 0xff;
        stack.setInt8(regs[d]! + code[i + 1]!, code[i + 2]!);
        continue;
      }

      // ── STX (register) and ST (imm, sign-extended): *(size *)(dst + off) = value ───────────
      case 0x7b: { // stxdw
        const d = (w >>> 8) & 0xff;
        const region = regs[d + 1]!;
        const o = resolveWritable(bytes, writable, region, regs[d]!, code[i + 1]!, 8);
        if (o < 0) return accessFault(out, m, true, pc - 1, region, regs[d]!, code[i + 1]!, 8, executed + pc - blockStart);
        const v = views[region]!;
        v.setInt32(o, regs[(w >>> 16) & 0xff]!, true);
        v.setInt32(o + 4, regs[((w >>> 16) & 0xff) + 1]!, true);
        continue;
      }
      case 0x63: { // stxw
        const d = (w >>> 8) & 0xff;
        const region = regs[d + 1]!;
        const o = resolveWritable(bytes, writable, region, regs[d]!, code[i + 1]!, 4);
        if (o < 0) return accessFault(out, m, true, pc - 1, region, regs[d]!, code[i + 1]!, 4, executed + pc - blockStart);
        const v = views[region]!;
        v.setInt32(o, regs[(w >>> 16) & 0xff]!, true);
        continue;
      }
      case 0x6b: { // stxh
        const d = (w >>> 8) & 0xff;
        const region = regs[d + 1]!;
        const o = resolveWritable(bytes, writable, region, regs[d]!, code[i + 1]!, 2);
        if (o < 0) return accessFault(out, m, true, pc - 1, region, regs[d]!, code[i + 1]!, 2, executed + pc - blockStart);
        const v = views[region]!;
        v.setInt16(o, regs[(w >>> 16) & 0xff]!, true);
        continue;
      }
      case 0x73: { // stxb
        const d = (w >>> 8) & 0xff;
        const region = regs[d + 1]!;
        const o = resolveWritable(bytes, writable, region, regs[d]!, code[i + 1]!, 1);
        if (o < 0) return accessFault(out, m, true, pc - 1, region, regs[d]!, code[i + 1]!, 1, executed + pc - blockStart);
        const v = views[region]!;
        v.setInt8(o, regs[(w >>> 16) & 0xff]!);
        continue;
      }
      case 0x7a: { // stdw
        const d = (w >>> 8) & 0xff;
        const region = regs[d + 1]!;
        const o = resolveWritable(bytes, writable, region, regs[d]!, code[i + 1]!, 8);
        if (o < 0) return accessFault(out, m, true, pc - 1, region, regs[d]!, code[i + 1]!, 8, executed + pc - blockStart);
        const v = views[region]!;
        v.setInt32(o, code[i + 2]!, true);
        v.setInt32(o + 4, code[i + 3]!, true);
        continue;
      }
      case 0x62: { // stw
        const d = (w >>> 8) & 0xff;
        const region = regs[d + 1]!;
        const o = resolveWritable(bytes, writable, region, regs[d]!, code[i + 1]!, 4);
        if (o < 0) return accessFault(out, m, true, pc - 1, region, regs[d]!, code[i + 1]!, 4, executed + pc - blockStart);
        const v = views[region]!;
        v.setInt32(o, code[i + 2]!, true);
        continue;
      }
      case 0x6a: { // sth
        const d = (w >>> 8) & 0xff;
        const region = regs[d + 1]!;
        const o = resolveWritable(bytes, writable, region, regs[d]!, code[i + 1]!, 2);
        if (o < 0) return accessFault(out, m, true, pc - 1, region, regs[d]!, code[i + 1]!, 2, executed + pc - blockStart);
        const v = views[region]!;
        v.setInt16(o, code[i + 2]!, true);
        continue;
      }
      case 0x72: { // stb
        const d = (w >>> 8) & 0xff;
        const region = regs[d + 1]!;
        const o = resolveWritable(bytes, writable, region, regs[d]!, code[i + 1]!, 1);
        if (o < 0) return accessFault(out, m, true, pc - 1, region, regs[d]!, code[i + 1]!, 1, executed + pc - blockStart);
        const v = views[region]!;
        v.setInt8(o, code[i + 2]!);
        continue;
      }

      // ── atomics (selector = the operation's imm) ───────────────────────────────────
      case 0xdb: // 64-bit
      case 0xc3: { // 32-bit
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        const wide = (w & 0xff) === 0xdb;
        const size = wide ? 8 : 4;
        const region = regs[d + 1]!;
        const o = resolveWritable(bytes, writable, region, regs[d]!, code[i + 1]!, size);
        if (o < 0) return accessFault(out, m, true, pc - 1, region, regs[d]!, code[i + 1]!, size, executed + pc - blockStart);
        const v = views[region]!;
        const oldLo = v.getInt32(o, true);
        const oldHi = wide ? v.getInt32(o + 4, true) : 0;
        const sl = regs[s]!;
        const sh = wide ? regs[s + 1]! : 0;
        const sel = w >>> 24;
        let nl = 0;
        let nh = 0;
        switch (sel & 0xf0) {
          case 0x00: // add
            nl = add(oldLo, oldHi, sl, sh);
            nh = hi;
            break;
          case 0x40: // or
            nl = oldLo | sl;
            nh = oldHi | sh;
            break;
          case 0x50: // and
            nl = oldLo & sl;
            nh = oldHi & sh;
            break;
          case 0xa0: // xor
            nl = oldLo ^ sl;
            nh = oldHi ^ sh;
            break;
          case 0xe0: // xchg
            nl = sl;
            nh = sh;
            break;
          default: { // 0xf0 cmpxchg: compare with r0, store src on equality, r0 = old value
            const eq = wide ? regs[R0] === oldLo && regs[R0 + 1] === oldHi : regs[R0] === oldLo;
            nl = eq ? sl : oldLo;
            nh = eq ? sh : oldHi;
            regs[R0] = oldLo;
            regs[R0 + 1] = oldHi;
            break;
          }
        }
        v.setInt32(o, nl, true);
        if (wide) v.setInt32(o + 4, nh, true);
        if ((sel & 0x01) !== 0 && sel !== 0xf1) { // BPF_FETCH (xchg included): src = old value
          regs[s] = oldLo;
          regs[s + 1] = oldHi;
        }
        continue;
      }

      // ── JMP: conditional jumps against imm (sign-extended) or a register ─────────────
      case 0x05: // ja
      case 0x06: // ja32 (gotol)
        break;
      case 0x15: { // jeq imm
        const d = (w >>> 8) & 0xff;
        if (regs[d] === code[i + 2] && regs[d + 1] === code[i + 3]) break;
        continue;
      }
      case 0x1d: { // jeq reg
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        if (regs[d] === regs[s] && regs[d + 1] === regs[s + 1]) break;
        continue;
      }
      case 0x55: { // jne imm
        const d = (w >>> 8) & 0xff;
        if (regs[d] !== code[i + 2] || regs[d + 1] !== code[i + 3]) break;
        continue;
      }
      case 0x5d: { // jne reg
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        if (regs[d] !== regs[s] || regs[d + 1] !== regs[s + 1]) break;
        continue;
      }
      case 0x45: { // jset imm
        const d = (w >>> 8) & 0xff;
        if ((regs[d]! & code[i + 2]!) !== 0 || (regs[d + 1]! & code[i + 3]!) !== 0) break;
        continue;
      }
      case 0x4d: { // jset reg
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        if ((regs[d]! & regs[s]!) !== 0 || (regs[d + 1]! & regs[s + 1]!) !== 0) break;
        continue;
      }
      case 0x25: { // jgt imm (unsigned)
        const d = (w >>> 8) & 0xff;
        if (ltU(code[i + 2]!, code[i + 3]!, regs[d]!, regs[d + 1]!)) break;
        continue;
      }
      case 0x2d: { // jgt reg
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        if (ltU(regs[s]!, regs[s + 1]!, regs[d]!, regs[d + 1]!)) break;
        continue;
      }
      case 0x35: { // jge imm
        const d = (w >>> 8) & 0xff;
        if (leU(code[i + 2]!, code[i + 3]!, regs[d]!, regs[d + 1]!)) break;
        continue;
      }
      case 0x3d: { // jge reg
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        if (leU(regs[s]!, regs[s + 1]!, regs[d]!, regs[d + 1]!)) break;
        continue;
      }
      case 0xa5: { // jlt imm
        const d = (w >>> 8) & 0xff;
        if (ltU(regs[d]!, regs[d + 1]!, code[i + 2]!, code[i + 3]!)) break;
        continue;
      }
      case 0xad: { // jlt reg
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        if (ltU(regs[d]!, regs[d + 1]!, regs[s]!, regs[s + 1]!)) break;
        continue;
      }
      case 0xb5: { // jle imm
        const d = (w >>> 8) & 0xff;
        if (leU(regs[d]!, regs[d + 1]!, code[i + 2]!, code[i + 3]!)) break;
        continue;
      }
      case 0xbd: { // jle reg
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        if (leU(regs[d]!, regs[d + 1]!, regs[s]!, regs[s + 1]!)) break;
        continue;
      }
      case 0x65: { // jsgt imm
        const d = (w >>> 8) & 0xff;
        if (ltS(code[i + 2]!, code[i + 3]!, regs[d]!, regs[d + 1]!)) break;
        continue;
      }
      case 0x6d: { // jsgt reg
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        if (ltS(regs[s]!, regs[s + 1]!, regs[d]!, regs[d + 1]!)) break;
        continue;
      }
      case 0x75: { // jsge imm
        const d = (w >>> 8) & 0xff;
        if (leS(code[i + 2]!, code[i + 3]!, regs[d]!, regs[d + 1]!)) break;
        continue;
      }
      case 0x7d: { // jsge reg
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        if (leS(regs[s]!, regs[s + 1]!, regs[d]!, regs[d + 1]!)) break;
        continue;
      }
      case 0xc5: { // jslt imm
        const d = (w >>> 8) & 0xff;
        if (ltS(regs[d]!, regs[d + 1]!, code[i + 2]!, code[i + 3]!)) break;
        continue;
      }
      case 0xcd: { // jslt reg
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        if (ltS(regs[d]!, regs[d + 1]!, regs[s]!, regs[s + 1]!)) break;
        continue;
      }
      case 0xd5: { // jsle imm
        const d = (w >>> 8) & 0xff;
        if (leS(regs[d]!, regs[d + 1]!, code[i + 2]!, code[i + 3]!)) break;
        continue;
      }
      case 0xdd: { // jsle reg
        const d = (w >>> 8) & 0xff;
        const s = (w >>> 16) & 0xff;
        if (leS(regs[d]!, regs[d + 1]!, regs[s]!, regs[s + 1]!)) break;
        continue;
      }

      // ── JMP32: the same on the low words ──────────────────────────────────────────
      case 0x16: // jeq32 imm
        if (regs[(w >>> 8) & 0xff] === code[i + 2]) break;
        continue;
      case 0x1e: // jeq32 reg
        if (regs[(w >>> 8) & 0xff] === regs[(w >>> 16) & 0xff]) break;
        continue;
      case 0x56: // jne32 imm
        if (regs[(w >>> 8) & 0xff] !== code[i + 2]) break;
        continue;
      case 0x5e: // jne32 reg
        if (regs[(w >>> 8) & 0xff] !== regs[(w >>> 16) & 0xff]) break;
        continue;
      case 0x46: // jset32 imm
        if ((regs[(w >>> 8) & 0xff]! & code[i + 2]!) !== 0) break;
        continue;
      case 0x4e: // jset32 reg
        if ((regs[(w >>> 8) & 0xff]! & regs[(w >>> 16) & 0xff]!) !== 0) break;
        continue;
      case 0x26: // jgt32 imm
        if (regs[(w >>> 8) & 0xff]! >>> 0 > code[i + 2]! >>> 0) break;
        continue;
      case 0x2e: // jgt32 reg
        if (regs[(w >>> 8) & 0xff]! >>> 0 > regs[(w >>> 16) & 0xff]! >>> 0) break;
        continue;
      case 0x36: // jge32 imm
        if (regs[(w >>> 8) & 0xff]! >>> 0 >= code[i + 2]! >>> 0) break;
        continue;
      case 0x3e: // jge32 reg
        if (regs[(w >>> 8) & 0xff]! >>> 0 >= regs[(w >>> 16) & 0xff]! >>> 0) break;
        continue;
      case 0xa6: // jlt32 imm
        if (regs[(w >>> 8) & 0xff]! >>> 0 < code[i + 2]! >>> 0) break;
        continue;
      case 0xae: // jlt32 reg
        if (regs[(w >>> 8) & 0xff]! >>> 0 < regs[(w >>> 16) & 0xff]! >>> 0) break;
        continue;
      case 0xb6: // jle32 imm
        if (regs[(w >>> 8) & 0xff]! >>> 0 <= code[i + 2]! >>> 0) break;
        continue;
      case 0xbe: // jle32 reg
        if (regs[(w >>> 8) & 0xff]! >>> 0 <= regs[(w >>> 16) & 0xff]! >>> 0) break;
        continue;
      case 0x66: // jsgt32 imm
        if (regs[(w >>> 8) & 0xff]! > code[i + 2]!) break;
        continue;
      case 0x6e: // jsgt32 reg
        if (regs[(w >>> 8) & 0xff]! > regs[(w >>> 16) & 0xff]!) break;
        continue;
      case 0x76: // jsge32 imm
        if (regs[(w >>> 8) & 0xff]! >= code[i + 2]!) break;
        continue;
      case 0x7e: // jsge32 reg
        if (regs[(w >>> 8) & 0xff]! >= regs[(w >>> 16) & 0xff]!) break;
        continue;
      case 0xc6: // jslt32 imm
        if (regs[(w >>> 8) & 0xff]! < code[i + 2]!) break;
        continue;
      case 0xce: // jslt32 reg
        if (regs[(w >>> 8) & 0xff]! < regs[(w >>> 16) & 0xff]!) break;
        continue;
      case 0xd6: // jsle32 imm
        if (regs[(w >>> 8) & 0xff]! <= code[i + 2]!) break;
        continue;
      case 0xde: // jsle32 reg
        if (regs[(w >>> 8) & 0xff]! <= regs[(w >>> 16) & 0xff]!) break;
        continue;

      // ── calls and exit ─────────────────────────────────────────────────────────────
      case 0x85: {
        const sel = w >>> 24;
        if (sel === 0) { // helper by id: arguments in r1..r5, result in r0
          const fn = helpers[code[i + 2]!];
          if (fn === undefined) {
            fault(out, 'helper', pc - 1, `call to unknown helper ${code[i + 2]} at insn ${pc - 1}`);
            out.insns = executed + pc - blockStart;
            return;
          }
          helperPc = pc - 1;
          helperInsns = executed + pc - blockStart;
          fn(m);
          // What callbacks of the helper ran (helperInsns is unchanged when none did).
          executed = helperInsns - (pc - blockStart);
          continue;
        }
        if (sel === 1) { // local call: save r6..r9 and the return slot, open a new stack frame
          if (depth + 1 >= STACK_FRAMES) {
            fault(out, 'call_depth', pc - 1, `the call stack is too deep (${STACK_FRAMES} frames) at insn ${pc - 1}`);
            out.insns = executed + pc - blockStart;
            return;
          }
          const f = depth * FRAME_WORDS;
          for (let k = 0; k < 8; k++) frames[f + k] = regs[R6 + k]!;
          frames[f + 8] = pc;
          depth++;
          regs[R10] = (depth + 1) * MAX_BPF_STACK;
          regs[R10 + 1] = REGION_STACK;
          break;
        }
        fault(out, 'unsupported', pc - 1, `kfunc calls are not supported (insn ${pc - 1})`);
        out.insns = executed + pc - blockStart;
        return;
      }
      case 0x95: { // exit: return to the caller's frame, or end the run
        executed += pc - blockStart;
        if (depth === base) {
          out.insns = executed;
          // A callback's return is not the program's end: the caller checks the budget.
          if (base === 0 && executed > budget) fault(out, 'budget', pc - 1, `the program ran more than ${budget} instructions`);
          return;
        }
        depth--;
        const f = depth * FRAME_WORDS;
        for (let k = 0; k < 8; k++) regs[R6 + k] = frames[f + k]!;
        regs[R10] = (depth + 1) * MAX_BPF_STACK;
        regs[R10 + 1] = REGION_STACK;
        pc = frames[f + 8]!;
        blockStart = pc;
        continue;
      }

      default: // opcode 0: the sentinel after the last slot
        fault(out, 'fell_off', pc - 1, `the program ran past its last instruction (insn ${pc - 1})`);
        out.insns = executed + pc - 1 - blockStart;
        return;
    }
    // A taken jump or call: close the straight-line run, check the budget, go to the target.
    executed += pc - blockStart;
    if (executed > budget) {
      fault(out, 'budget', pc - 1, `the program ran more than ${budget} instructions (stopped at insn ${pc - 1})`);
      out.insns = executed;
      return;
    }
    pc = code[i + 1]!;
    blockStart = pc;
  }
}
