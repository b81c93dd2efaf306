// Precision tracking (Linux's mark_chain_precision): when a scalar's exact range starts to
// matter (a pointer offset, a helper size, a decided branch), walk the path's instruction
// history backwards to the registers and stack slots it came from, and mark them precise in
// every checkpoint on the way. Pruning compares only precise scalars. In: the env and what
// must be precise; out: marks on checkpoint states. The walk follows bpf-to-bpf calls and
// returns between frames, and into and out of helper callbacks (bpf_loop, for_each_map_elem);
// where it meets what it does not model (an atomic fetch) it marks every scalar precise
// instead, which is always safe.

import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_END, BPF_EXIT, BPF_FETCH, BPF_IMM, BPF_JA, BPF_JMP, BPF_JMP32,
  BPF_LD, BPF_LDX, BPF_MOV, BPF_NEG, BPF_PSEUDO_CALL, BPF_ST, BPF_STX, BPF_X, BPF_CMPXCHG, classOf, modeOf, opOf,
  sourceOf,
} from '../isa.js';
import type { Env } from './env.js';
import { HELPER_PROTOS, type CallbackKind } from '../helpers/prototypes.js';
import { HIST_CALLBACK_ENTRY, HIST_CALLBACK_EXIT, SCALAR, STACK_SPILL, slotBit, slotStart, type HistEntry, type VState } from './state.js';

const MAX_FRAMES = 8;

class Backtrack {
  readonly regs = new Int32Array(MAX_FRAMES);
  readonly lo = new Int32Array(MAX_FRAMES);
  readonly hi = new Int32Array(MAX_FRAMES);

  reset(): this {
    for (let f = 0; f < MAX_FRAMES; f++) {
      this.regs[f] = 0;
      this.lo[f] = 0;
      this.hi[f] = 0;
    }
    return this;
  }

  empty(): boolean {
    for (let f = 0; f < MAX_FRAMES; f++) if (this.regs[f] || this.lo[f] || this.hi[f]) return false;
    return true;
  }
  hasReg(f: number, r: number): boolean {
    return (this.regs[f]! & (1 << r)) !== 0;
  }
  setReg(f: number, r: number): void {
    this.regs[f]! |= 1 << r;
  }
  clearReg(f: number, r: number): void {
    this.regs[f]! &= ~(1 << r);
  }
  hasSlot(f: number, spi: number): boolean {
    return ((spi < 32 ? this.lo[f]! : this.hi[f]!) & slotBit(spi)) !== 0;
  }
  setSlot(f: number, spi: number): void {
    if (spi < 32) this.lo[f]! |= slotBit(spi);
    else this.hi[f]! |= slotBit(spi);
  }
  clearSlot(f: number, spi: number): void {
    if (spi < 32) this.lo[f]! &= ~slotBit(spi);
    else this.hi[f]! &= ~slotBit(spi);
  }
  hasLoc(f: number, loc: number): boolean {
    return loc >= 0 ? this.hasReg(f, loc) : this.hasSlot(f, -1 - loc);
  }
  setLoc(f: number, loc: number): void {
    if (loc >= 0) this.setReg(f, loc);
    else this.setSlot(f, -1 - loc);
  }
}

const FAIL = -1;
/** One work set, reused: precision requests never nest. */
const BT = new Backtrack();

/** Undo one instruction: which registers/slots before it determined the precise ones after it. */
function backtrackInsn(env: Env, h: HistEntry, fr: number, bt: Backtrack): number {
  const x = env.insns[h.idx]!;
  const cls = classOf(x.code);
  const op = opOf(x.code);
  const d = x.dst;
  const s = x.src;
  if (h.linked) syncLinked(h, bt);
  if (cls === BPF_ALU || cls === BPF_ALU64) {
    if (!bt.hasReg(fr, d)) return 0;
    if (op === BPF_END || op === BPF_NEG) return 0;
    if (op === BPF_MOV) {
      bt.clearReg(fr, d);
      if (sourceOf(x.code) === BPF_X && s !== 10) bt.setReg(fr, s);
      return 0;
    }
    if (sourceOf(x.code) === BPF_X && s !== 10) bt.setReg(fr, s);
    return 0;
  }
  if (cls === BPF_LDX) {
    if (!bt.hasReg(fr, d)) return 0;
    bt.clearReg(fr, d);
    if (h.stackSlot >= 0) bt.setSlot(h.stackSlot >> 6, h.stackSlot & 63);
    return 0;
  }
  if (cls === BPF_STX || cls === BPF_ST) {
    if (cls === BPF_STX && bt.hasReg(fr, d)) return FAIL;
    if (cls === BPF_STX && modeOf(x.code) === BPF_ATOMIC) {
      if (x.imm & BPF_FETCH && (bt.hasReg(fr, s) || (x.imm === BPF_CMPXCHG && bt.hasReg(fr, 0)))) return FAIL;
      return 0;
    }
    if (h.stackSlot < 0) return 0;
    const sf = h.stackSlot >> 6;
    const spi = h.stackSlot & 63;
    if (!bt.hasSlot(sf, spi)) return 0;
    bt.clearSlot(sf, spi);
    if (cls === BPF_STX) bt.setReg(fr, s);
    return 0;
  }
  if (cls === BPF_JMP || cls === BPF_JMP32) {
    if (op === BPF_CALL) {
      bt.clearReg(fr, 0);
      for (let r = 1; r <= 5; r++) if (bt.hasReg(fr, r)) return FAIL;
      return 0;
    }
    if (op === BPF_JA) return 0;
    if (sourceOf(x.code) === BPF_X && (bt.hasReg(fr, d) || bt.hasReg(fr, s))) {
      bt.setReg(fr, d);
      bt.setReg(fr, s);
    }
    if (h.linked) syncLinked(h, bt);
    return 0;
  }
  if (cls === BPF_LD) {
    if (!bt.hasReg(fr, d)) return 0;
    if (modeOf(x.code) !== BPF_IMM) return FAIL;
    bt.clearReg(fr, d);
    return 0;
  }
  return 0;
}

function syncLinked(h: HistEntry, bt: Backtrack): void {
  const linked = h.linked!;
  if (!linked.some((l) => bt.hasLoc(l.frame, l.loc))) return;
  for (const l of linked) bt.setLoc(l.frame, l.loc);
}

/**
 * Set the marks in checkpoint state `st`; drop from bt what is not a scalar or already precise.
 * The marked register is made the checkpoint's own first: states copied from it later (the
 * current path, checkpoints below) share the object and must not inherit the mark, as in
 * Linux, where only the walked parents are marked. (A loop's state where a callback is entered
 * again would otherwise look precise and never be widened.)
 */
function markInState(st: VState, bt: Backtrack): boolean {
  for (let f = 0; f < MAX_FRAMES; f++) {
    if (!bt.regs[f] && !bt.lo[f] && !bt.hi[f]) continue;
    const fs = st.frames[f];
    if (fs === undefined) return false;
    for (let r = 0; r < 11; r++) {
      if (!bt.hasReg(f, r)) continue;
      const reg = fs.regs[r]!;
      if (reg.type !== SCALAR || reg.precise) bt.clearReg(f, r);
      else fs.wreg(r).precise = true;
    }
    for (let spi = 0; spi < 64; spi++) {
      if (!bt.hasSlot(f, spi)) continue;
      const sp = fs.spill[spi];
      if (fs.bt(slotStart(spi)) !== STACK_SPILL || sp === null || sp.type !== SCALAR || sp.precise) {
        bt.clearSlot(f, spi);
      } else fs.writableSpill(spi).precise = true;
    }
  }
  return true;
}

/** Every scalar in every checkpoint above the current path becomes precise. */
function markAllPrecise(env: Env): void {
  for (let cp = env.cur.parent; cp !== null; cp = cp.parent) {
    for (const f of cp.state.frames) {
      for (const r of f.regs) if (r.type === SCALAR) r.precise = true;
      for (const sp of f.spill) if (sp !== null && sp.type === SCALAR) sp.precise = true;
    }
  }
}

/** r1..r5 as a register mask. */
const ARGS = 0x3e;

/** The callback argument (by helper's callback kind) that is the caller's r3, passed on. */
const CTX_ARG: Readonly<Record<CallbackKind, number>> = { loop: 2, map_elem: 4 };

/** Backing out of a callback's frame `fr` through its entry at helper call `callIdx`; false: not modelled. */
function callbackEntry(env: Env, callIdx: number, fr: number, bt: Backtrack): boolean {
  const kind = HELPER_PROTOS.get(env.insns[callIdx]!.imm)?.callback;
  if (kind === undefined || bt.regs[fr]! & ~ARGS || bt.lo[fr] || bt.hi[fr]) return false;
  if (bt.hasReg(fr, CTX_ARG[kind])) bt.setReg(fr - 1, 3);
  bt.regs[fr] = 0;
  return true;
}

function run(env: Env, bt: Backtrack): void {
  let hist = env.cur.hist;
  let fr = env.cur.curframe;
  let cp = env.cur.parent;
  for (;;) {
    for (let h = hist; h !== null; h = h.prev) {
      const x = env.insns[h.idx]!;
      if (h.kind === HIST_CALLBACK_EXIT) {
        // The callback returned to its helper call: before this we were in its frame. Its r0
        // went to the helper, not to us; the caller's registers and stack passed through.
        if (fr + 1 >= MAX_FRAMES) {
          markAllPrecise(env);
          return;
        }
        fr++;
        bt.regs[fr] = 0;
        bt.lo[fr] = 0;
        bt.hi[fr] = 0;
      } else if (h.kind === HIST_CALLBACK_ENTRY) {
        // The helper entered the callback here: its arguments came from the helper, the
        // context pointer from the caller's r3; nothing else of the callback's frame existed.
        if (fr === 0 || !callbackEntry(env, h.idx, fr, bt)) {
          markAllPrecise(env);
          return;
        }
        fr--;
      } else if (x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_CALL) {
        // Back out of the callee's frame into the caller's: its arguments were the caller's
        // r1..r5; nothing else of the new frame existed before the call.
        if (bt.regs[fr]! & ~ARGS || bt.lo[fr] || bt.hi[fr] || fr === 0) {
          markAllPrecise(env);
          return;
        }
        bt.regs[fr - 1]! |= bt.regs[fr]!;
        bt.regs[fr] = 0;
        fr--;
      } else if (x.code === (BPF_JMP | BPF_EXIT)) {
        // A subprogram returned here: before this we were in its frame, r0 is its result.
        if (bt.regs[fr]! & ARGS) {
          markAllPrecise(env);
          return;
        }
        const r0 = bt.hasReg(fr, 0);
        bt.clearReg(fr, 0);
        fr++;
        if (fr >= MAX_FRAMES) {
          markAllPrecise(env);
          return;
        }
        if (r0) bt.setReg(fr, 0);
      } else if (backtrackInsn(env, h, fr, bt) === FAIL) {
        markAllPrecise(env);
        return;
      }
      if (bt.empty()) return;
    }
    if (cp === null) return;
    if (fr !== cp.state.curframe || !markInState(cp.state, bt)) {
      markAllPrecise(env);
      return;
    }
    if (bt.empty()) return;
    hist = cp.state.hist;
    fr = cp.state.curframe;
    cp = cp.parent;
  }
}

/** The scalar in register `regno` of the current frame must be exact from here on. */
export function markRegPrecise(env: Env, regno: number): void {
  if (env.regs[regno]!.type !== SCALAR) return;
  const bt = BT.reset();
  bt.setReg(env.cur.curframe, regno);
  run(env, bt);
}

/** The scalar spilled in slot spi of frame fi must be exact from here on. */
export function markSlotPrecise(env: Env, fi: number, spi: number): void {
  const bt = BT.reset();
  bt.setSlot(fi, spi);
  run(env, bt);
}

/** After pruning against `old`: what was precise there must be precise on the current path. */
export function propagatePrecision(env: Env, old: VState): void {
  const bt = BT.reset();
  for (let f = 0; f < old.frames.length; f++) {
    const of = old.frames[f]!;
    for (let r = 0; r < 10; r++) {
      const reg = of.regs[r]!;
      if (reg.type === SCALAR && reg.precise && of.regRead & (1 << r)) bt.setReg(f, r);
    }
    for (let spi = 0; spi < 64; spi++) {
      const sp = of.spill[spi];
      if (sp !== null && sp.type === SCALAR && sp.precise && of.readBytes(spi) !== 0) bt.setSlot(f, spi);
    }
  }
  if (!bt.empty()) run(env, bt);
}
