// The verifier's abstract machine state, shaped like Linux's bpf_reg_state / bpf_func_state /
// bpf_verifier_state: per register a type (scalar, ctx, fp, map_value, …) with the scalar
// bounds and known bits of its value or offset; per frame the registers and 512 bytes of stack
// (a type per byte, spilled registers per 8-byte slot); per path the frames and the references
// held. Copying and equivalence for pruning live here too. Not here: how instructions change it.

import { TNUM_UNKNOWN, TNUM_ZERO, tnumIn, tnumEquals, type Tnum, U64_MAX } from './tnum.js';

// ── register types (base type | flags), as the kernel's enum bpf_reg_type ──────────────────
export const NOT_INIT = 0;
export const SCALAR = 1;
export const PTR_TO_CTX = 2;
export const CONST_PTR_TO_MAP = 3;
export const PTR_TO_MAP_VALUE = 4;
export const PTR_TO_MAP_KEY = 5;
export const PTR_TO_STACK = 6;
export const PTR_TO_PACKET = 7;
export const PTR_TO_PACKET_META = 8;
export const PTR_TO_MEM = 9;
export const PTR_TO_BUF = 10;
export const PTR_TO_BTF_ID = 11;
export const PTR_TO_FUNC = 12;

export const BASE_TYPE_MASK = 0xff;
export const PTR_MAYBE_NULL = 1 << 8;
export const MEM_RDONLY = 1 << 9;
export const MEM_RINGBUF = 1 << 10;
export const PTR_TRUSTED = 1 << 11;

export const baseType = (t: number): number => t & BASE_TYPE_MASK;
export const mayBeNull = (t: number): boolean => (t & PTR_MAYBE_NULL) !== 0;
export const isPointerType = (t: number): boolean => t !== NOT_INIT && t !== SCALAR;

const BASE_NAMES: Readonly<Record<number, string>> = {
  [NOT_INIT]: '?',
  [SCALAR]: 'scalar',
  [PTR_TO_CTX]: 'ctx',
  [CONST_PTR_TO_MAP]: 'map_ptr',
  [PTR_TO_MAP_VALUE]: 'map_value',
  [PTR_TO_MAP_KEY]: 'map_key',
  [PTR_TO_STACK]: 'fp',
  [PTR_TO_PACKET]: 'pkt',
  [PTR_TO_PACKET_META]: 'pkt_meta',
  [PTR_TO_MEM]: 'mem',
  [PTR_TO_BUF]: 'buf',
  [PTR_TO_BTF_ID]: 'ptr_',
  [PTR_TO_FUNC]: 'func',
};

/** The kernel's reg_type_str: flag prefixes, base name, "_or_null" postfix. */
export function regTypeStr(t: number): string {
  const base = baseType(t);
  let postfix = '';
  if (mayBeNull(t)) postfix = base === PTR_TO_BTF_ID ? 'or_null_' : '_or_null';
  const prefix = (t & MEM_RDONLY ? 'rdonly_' : '') + (t & MEM_RINGBUF ? 'ringbuf_' : '') + (t & PTR_TRUSTED ? 'trusted_' : '');
  return prefix + (BASE_NAMES[base] ?? '?') + postfix;
}

export const S64_MIN = -(1n << 63n);
export const S64_MAX = (1n << 63n) - 1n;
export const S32_MIN = -0x80000000;
export const S32_MAX = 0x7fffffff;
export const U32_MAX = 0xffffffff;

/**
 * One register's abstract value. For scalars the bounds describe the value; for pointers they
 * describe the variable part of the offset and `off` holds the fixed part, as in Linux.
 */
export class Reg {
  type = NOT_INIT;
  /** Fixed offset of a pointer. */
  off = 0;
  varOff: Tnum = TNUM_ZERO;
  smin = 0n;
  smax = 0n;
  umin = 0n;
  umax = 0n;
  s32min = 0;
  s32max = 0;
  u32min = 0;
  u32max = 0;
  /** Links copies of one value (null checks, scalar range sharing). */
  id = 0;
  /** Reference this pointer holds (ringbuf_reserve); released by submit/discard. */
  refObjId = 0;
  /** CONST_PTR_TO_MAP / PTR_TO_MAP_VALUE: the map's fd. */
  mapFd = 0;
  /** PTR_TO_MEM: bytes accessible. PTR_TO_FUNC: the function's first instruction. */
  memSize = 0;
  /** PTR_TO_STACK: which frame's stack. */
  frameno = 0;
  /** PTR_TO_BTF_ID: the struct's name (task_struct). */
  btfName = '';
  /** Only on checkpoint states: the exact value matters to some later instruction. */
  precise = false;

  /** A private copy to change; the precision mark stays with the state that owned the original. */
  clone(): Reg {
    const r = new Reg();
    r.type = this.type;
    r.off = this.off;
    r.varOff = this.varOff;
    r.smin = this.smin;
    r.smax = this.smax;
    r.umin = this.umin;
    r.umax = this.umax;
    r.s32min = this.s32min;
    r.s32max = this.s32max;
    r.u32min = this.u32min;
    r.u32max = this.u32max;
    r.id = this.id;
    r.refObjId = this.refObjId;
    r.mapFd = this.mapFd;
    r.memSize = this.memSize;
    r.frameno = this.frameno;
    r.btfName = this.btfName;
    return r;
  }

  /** Copy everything but the precision mark, which belongs to the state the register sits in. */
  assign(src: Reg): void {
    this.type = src.type;
    this.off = src.off;
    this.varOff = src.varOff;
    this.smin = src.smin;
    this.smax = src.smax;
    this.umin = src.umin;
    this.umax = src.umax;
    this.s32min = src.s32min;
    this.s32max = src.s32max;
    this.u32min = src.u32min;
    this.u32max = src.u32max;
    this.id = src.id;
    this.refObjId = src.refObjId;
    this.mapFd = src.mapFd;
    this.memSize = src.memSize;
    this.frameno = src.frameno;
    this.btfName = src.btfName;
    this.precise = false;
  }
}

/** Register with every bound at its widest (unknown scalar) — the kernel's __mark_reg_unknown. */
export function markUnknown(r: Reg): void {
  r.type = SCALAR;
  r.off = 0;
  r.id = 0;
  r.refObjId = 0;
  r.mapFd = 0;
  r.memSize = 0;
  r.frameno = 0;
  r.btfName = '';
  r.precise = false;
  markUnbounded(r);
}

export function markUnbounded(r: Reg): void {
  r.varOff = TNUM_UNKNOWN;
  r.smin = S64_MIN;
  r.smax = S64_MAX;
  r.umin = 0n;
  r.umax = U64_MAX;
  r.s32min = S32_MIN;
  r.s32max = S32_MAX;
  r.u32min = 0;
  r.u32max = U32_MAX;
}

export function mark64Unbounded(r: Reg): void {
  r.smin = S64_MIN;
  r.smax = S64_MAX;
  r.umin = 0n;
  r.umax = U64_MAX;
}

export function mark32Unbounded(r: Reg): void {
  r.s32min = S32_MIN;
  r.s32max = S32_MAX;
  r.u32min = 0;
  r.u32max = U32_MAX;
}

/** Set every bound to one known 64-bit value (the kernel's __mark_reg_known). */
export function setKnown(r: Reg, value: bigint): void {
  const u = value >= 0n && value <= U64_MAX ? value : BigInt.asUintN(64, value);
  r.varOff = { value: u, mask: 0n };
  r.umin = u;
  r.umax = u;
  const s = u > S64_MAX ? u - (U64_MAX + 1n) : u;
  r.smin = s;
  r.smax = s;
  const lo = u <= 0xffffffffn ? Number(u) : Number(u & 0xffffffffn);
  r.u32min = lo;
  r.u32max = lo;
  r.s32min = lo | 0;
  r.s32max = lo | 0;
}

/** A known scalar (mov imm, lddw). */
export function markKnownScalar(r: Reg, value: bigint): void {
  markUnknown(r);
  setKnown(r, value);
}

/** A pointer with no offset: mark_reg_known_zero, the caller sets the type. */
export function markKnownZero(r: Reg): void {
  markUnknown(r);
  setKnown(r, 0n);
}

export function markNotInit(r: Reg): void {
  markUnknown(r);
  r.type = NOT_INIT;
}

export const isConst = (r: Reg): boolean => r.varOff.mask === 0n;
export const isScalarConst = (r: Reg): boolean => r.type === SCALAR && r.varOff.mask === 0n;
export const isNullScalar = (r: Reg): boolean => r.type === SCALAR && r.varOff.mask === 0n && r.varOff.value === 0n;

// ── stack ─────────────────────────────────────────────────────────────────────────────────
export const STACK_INVALID = 0;
export const STACK_SPILL = 1;
export const STACK_MISC = 2;
export const STACK_ZERO = 3;
export const SLOT_CHARS = ['?', 'r', 'm', '0'];

export const STACK_BYTES = 512;
export const STACK_SLOTS = 64;

/** 8-byte slot number of fp offset `off`, as the kernel's spi. */
export const slotOf = (off: number): number => (-off - 1) >> 3;
/** Lowest fp offset of slot spi. */
export const slotStart = (spi: number): number => -(spi + 1) * 8;

/** A set of stack slots (0..63) as two 32-bit words, for precision marks. */
export const slotBit = (spi: number): number => 1 << (spi & 31);

/** No stack byte written: every slot word 0 (STACK_INVALID). */
const EMPTY_STYPE: number[] = new Array<number>(STACK_SLOTS).fill(0);
const EMPTY_SPILL: (Reg | null)[] = new Array<Reg | null>(STACK_SLOTS).fill(null);

export class FuncState {
  regs: Reg[];
  /**
   * Type of each stack byte, two bits per byte packed per 8-byte slot: word spi, bits 2j..2j+1
   * for the byte at slotStart(spi) + j. (A plain small-integer array: cheap to copy, no
   * off-heap buffers for the garbage collector.)
   */
  stype: number[];
  /** Spilled register per slot (meaningful when the slot's lowest byte is STACK_SPILL). */
  spill: (Reg | null)[];
  /** Bytes of stack in use, a multiple of 8 (the kernel's allocated_stack). */
  allocated = 0;
  /** Call instruction that created this frame; -1 for the main program. */
  callsite = -1;
  frameno = 0;
  subprog = 0;
  /** This frame is a callback a helper called: its exit returns to the helper call. */
  inCallback = false;
  /** Callbacks this frame's current helper call has been entered so far (callback_depth):
   * bpf_loop stops calling again once it reaches the largest possible count. */
  callbackDepth = 0;
  // liveness: writes since the last checkpoint (current state) or in the segment that led
  // to this checkpoint (checkpoint copies); reads below the checkpoint (checkpoint copies).
  regWritten = 0;
  regRead = 0;
  /** Stack bytes written (per slot, bit j = slotStart(spi) + j); null: none. Shared with
   * copies until written (wShared), like rbytes. */
  private wbytes: number[] | null = null;
  private wShared = false;
  private allWritten = false;
  /** Stack bytes read below a checkpoint, per slot; null: none. */
  private rbytes: number[] | null = null;
  private rShared = false;
  private allRead = false;
  /** stype and spill may be shared with a copy: writers call own() first (copy on write). */
  private shared = false;
  /** Bit i: regs[i] belongs to this frame alone; others are shared with copies (copy on write). */
  private ownRegs = 0x7ff;

  constructor(empty = true) {
    this.regs = [];
    // A new frame's stack is all invalid: it starts as the shared empty stack, copied on write.
    this.stype = EMPTY_STYPE;
    this.spill = EMPTY_SPILL;
    this.shared = true;
    if (empty) for (let i = 0; i < 11; i++) this.regs.push(new Reg());
  }

  clone(): FuncState {
    const f = new FuncState(false);
    f.regs = this.regs.slice();
    f.ownRegs = 0;
    this.ownRegs = 0;
    // Spilled registers are never changed in place once shared (only replaced), except for
    // precision marks, which only ever make a state more conservative.
    f.stype = this.stype;
    f.spill = this.spill;
    f.shared = true;
    this.shared = true;
    f.allocated = this.allocated;
    f.callsite = this.callsite;
    f.frameno = this.frameno;
    f.subprog = this.subprog;
    f.inCallback = this.inCallback;
    f.callbackDepth = this.callbackDepth;
    f.regWritten = this.regWritten;
    f.regRead = this.regRead;
    f.wbytes = this.wbytes;
    f.allWritten = this.allWritten;
    f.rbytes = this.rbytes;
    f.allRead = this.allRead;
    if (this.wbytes !== null) f.wShared = this.wShared = true;
    if (this.rbytes !== null) f.rShared = this.rShared = true;
    return f;
  }

  /** Register i, private to this frame, to change in place. */
  wreg(i: number): Reg {
    const bit = 1 << i;
    if ((this.ownRegs & bit) === 0) {
      this.regs[i] = this.regs[i]!.clone();
      this.ownRegs |= bit;
    }
    return this.regs[i]!;
  }

  /** Make stype and spill private to this frame before writing them. */
  own(): void {
    if (!this.shared) return;
    this.stype = this.stype.slice();
    this.spill = this.spill.slice();
    this.shared = false;
  }

  /** Replace slot spi's spilled register (or clear it). */
  setSpill(spi: number, reg: Reg | null): void {
    this.own();
    this.spill[spi] = reg;
  }

  /** A private copy of slot spi's spilled register, to change in place. */
  writableSpill(spi: number): Reg {
    this.own();
    const r = this.spill[spi]!.clone();
    this.spill[spi] = r;
    return r;
  }

  /** Type of the stack byte at fp offset off (-512..-1). */
  bt(off: number): number {
    const spi = (-off - 1) >> 3;
    return (this.stype[spi]! >> ((off + (spi + 1) * 8) << 1)) & 3;
  }

  /** Set the type of the byte at fp offset off; the caller has called own(). */
  setBt(off: number, t: number): void {
    const spi = (-off - 1) >> 3;
    const sh = (off + (spi + 1) * 8) << 1;
    this.stype[spi] = (this.stype[spi]! & ~(3 << sh)) | (t << sh);
  }

  isSpilled(spi: number): boolean {
    return (this.stype[spi]! & 3) === STACK_SPILL && this.spill[spi] !== null;
  }

  // ── liveness of stack bytes (byte masks per 8-byte slot) ──
  writtenBytes(spi: number): number {
    return this.allWritten ? 0xff : (this.wbytes?.[spi] ?? 0);
  }
  markWritten(spi: number, mask: number): void {
    if (this.allWritten) return;
    if (this.wbytes === null) this.wbytes = new Array<number>(STACK_SLOTS).fill(0);
    else if ((this.wbytes[spi]! & mask) === mask) return;
    else if (this.wShared) {
      this.wbytes = this.wbytes.slice();
      this.wShared = false;
    }
    this.wbytes[spi]! |= mask;
  }
  /** A new frame: nothing in it comes from before. */
  markAllWritten(): void {
    this.allWritten = true;
  }
  /** A new checkpoint starts a new segment of writes. */
  clearWritten(): void {
    this.wbytes = null;
    this.wShared = false;
    this.allWritten = false;
  }
  readBytes(spi: number): number {
    return this.allRead ? 0xff : (this.rbytes?.[spi] ?? 0);
  }
  markReadBytes(spi: number, mask: number): void {
    if (this.allRead) return;
    if (this.rbytes === null) this.rbytes = new Array<number>(STACK_SLOTS).fill(0);
    else if (this.rShared) {
      this.rbytes = this.rbytes.slice();
      this.rShared = false;
    }
    this.rbytes[spi]! |= mask;
  }
  markAllRead(): void {
    this.allRead = true;
  }
}

export interface RefState {
  id: number;
  insnIdx: number;
}

/** A linked register recorded with a conditional jump, for precision backtracking. */
export interface LinkedReg {
  frame: number;
  /** Register number, or -1 - spi for a spilled stack slot. */
  loc: number;
}

/** One executed instruction on the current path, for precision backtracking. */
export interface HistEntry {
  idx: number;
  /** A stack spill/fill at a fixed slot: frame * 64 + spi, else -1. */
  stackSlot: number;
  linked: LinkedReg[] | null;
  /** HIST_* : an ordinary instruction, or where a callback frame was entered or left. */
  kind: number;
  /** The instruction executed before, in the same segment (a persistent list: copies share it). */
  prev: HistEntry | null;
}

export const HIST_INSN = 0;
/** A helper's callback was entered (idx: the helper call). */
export const HIST_CALLBACK_ENTRY = 1;
/** A callback returned to its helper call (idx: the callback's exit). */
export const HIST_CALLBACK_EXIT = 2;

/** A path being explored: frames, references held, and its link to the last checkpoint. */
export class VState {
  frames: FuncState[] = [];
  refs: RefState[] = [];
  parent: Checkpoint | null = null;
  /** Last instruction executed since `parent` (for precision backtracking), and how many. */
  hist: HistEntry | null = null;
  histLen = 0;
  /** Position in the branch stack's log, for the kernel-style trace. */
  logPos = 0;
  /** Callback iterations entered on this path (callback_unroll_depth): a loop through a
   * helper that calls back is not an infinite loop while this keeps growing. */
  callbackDepth = 0;

  get cur(): FuncState {
    return this.frames[this.frames.length - 1]!;
  }
  get curframe(): number {
    return this.frames.length - 1;
  }

  clone(): VState {
    const s = new VState();
    s.frames = this.frames.map((f) => f.clone());
    s.refs = this.refs.map((r) => ({ id: r.id, insnIdx: r.insnIdx }));
    s.parent = this.parent;
    s.hist = this.hist;
    s.histLen = this.histLen;
    s.logPos = this.logPos;
    s.callbackDepth = this.callbackDepth;
    return s;
  }
}

/** An explored state kept at a prune point. */
export interface Checkpoint {
  state: VState;
  insnIdx: number;
  /** Paths still being explored below this checkpoint. */
  branches: number;
  parent: Checkpoint | null;
  hit: number;
  miss: number;
}

// ── equivalence (the kernel's states_equal / regsafe / stacksafe) ───────────────────────────

/** Maps ids of the old state to ids of the current one, consistently. */
export class IdMap {
  private readonly olds: number[] = [];
  private readonly curs: number[] = [];
  private tmp = 1 << 30;

  reset(): void {
    if (this.olds.length) {
      this.olds.length = 0;
      this.curs.length = 0;
    }
    this.tmp = 1 << 30;
  }

  check(oldId: number, curId: number): boolean {
    if ((oldId === 0) !== (curId === 0)) return false;
    if (oldId === 0) return true;
    for (let i = 0; i < this.olds.length; i++) {
      if (this.olds[i] === oldId) return this.curs[i] === curId;
      if (this.curs[i] === curId) return false;
    }
    this.olds.push(oldId);
    this.curs.push(curId);
    return true;
  }

  checkScalar(oldId: number, curId: number): boolean {
    return this.check(oldId || ++this.tmp, curId || ++this.tmp);
  }
}

export const enum Exact {
  NotExact,
  RangeWithin,
  Exact,
}

function rangeWithin(o: Reg, c: Reg): boolean {
  return (
    o.umin <= c.umin &&
    o.umax >= c.umax &&
    o.smin <= c.smin &&
    o.smax >= c.smax &&
    o.u32min <= c.u32min &&
    o.u32max >= c.u32max &&
    o.s32min <= c.s32min &&
    o.s32max >= c.s32max
  );
}

function sameHead(o: Reg, c: Reg): boolean {
  return o.type === c.type && o.off === c.off && o.mapFd === c.mapFd && o.memSize === c.memSize && o.btfName === c.btfName;
}

function regsExact(o: Reg, c: Reg, idmap: IdMap): boolean {
  return (
    sameHead(o, c) &&
    o.frameno === c.frameno &&
    tnumEquals(o.varOff, c.varOff) &&
    o.umin === c.umin &&
    o.umax === c.umax &&
    o.smin === c.smin &&
    o.smax === c.smax &&
    o.u32min === c.u32min &&
    o.u32max === c.u32max &&
    o.s32min === c.s32min &&
    o.s32max === c.s32max &&
    idmap.check(o.id, c.id) &&
    idmap.check(o.refObjId, c.refObjId)
  );
}

export function regsafe(o: Reg, c: Reg, idmap: IdMap, exact: Exact): boolean {
  if (exact === Exact.Exact) return (o.type === NOT_INIT && c.type === NOT_INIT) || regsExact(o, c, idmap);
  if (o.type === NOT_INIT) return true;
  if (o.type !== c.type) return false;
  switch (baseType(o.type)) {
    case SCALAR:
      if (!o.precise && exact === Exact.NotExact) return true;
      if (!idmap.checkScalar(o.id, c.id)) return false;
      return rangeWithin(o, c) && tnumIn(o.varOff, c.varOff);
    case PTR_TO_MAP_KEY:
    case PTR_TO_MAP_VALUE:
    case PTR_TO_MEM:
    case PTR_TO_BUF:
      return (
        sameHead(o, c) &&
        rangeWithin(o, c) &&
        tnumIn(o.varOff, c.varOff) &&
        idmap.check(o.id, c.id) &&
        idmap.check(o.refObjId, c.refObjId)
      );
    case PTR_TO_STACK:
      return regsExact(o, c, idmap) && o.frameno === c.frameno;
    default:
      return regsExact(o, c, idmap);
  }
}

const UNBOUND_SCALAR = ((): Reg => {
  const r = new Reg();
  markUnknown(r);
  return r;
})();

/** A slot that reads as a scalar: a full 64-bit scalar spill, or eight misc bytes. */
function scalarForSlot(f: FuncState, spi: number, allowUninit: boolean): Reg | null {
  const base = slotStart(spi);
  const sp = f.spill[spi];
  if (sp !== null && sp.type === SCALAR) {
    let all = true;
    for (let j = 0; j < 8; j++) if (f.bt(base + j) !== STACK_SPILL) all = false;
    if (all) return sp;
  }
  for (let j = 0; j < 8; j++) {
    const t = f.bt(base + j);
    if (t !== STACK_MISC && !(allowUninit && t === STACK_INVALID)) return null;
  }
  return UNBOUND_SCALAR;
}

/** Only some bytes of the slot are read later: those must be as safe in c as in o. */
function partialSlotSafe(o: FuncState, c: FuncState, spi: number, live: number, idmap: IdMap, exact: Exact, allowUninit: boolean): boolean {
  const base = slotStart(spi);
  let spillChecked = false;
  for (let j = 0; j < 8; j++) {
    if ((live & (1 << j)) === 0) continue;
    const ot = o.bt(base + j);
    if (ot === STACK_INVALID || (allowUninit && ot === STACK_MISC)) continue;
    if (spi >= c.allocated >> 3) return false;
    const ct = c.bt(base + j);
    if (ot === STACK_MISC) {
      if (ct === STACK_MISC || ct === STACK_ZERO) continue;
      if (ct === STACK_SPILL && c.spill[spi]?.type === SCALAR) continue;
      return false;
    }
    if (ot !== ct) return false;
    if (ot === STACK_SPILL && !spillChecked) {
      spillChecked = true;
      const os = o.spill[spi];
      const cs = c.spill[spi];
      if (os === null || cs === null || o.isSpilled(spi) !== c.isSpilled(spi)) return false;
      if (!regsafe(os, cs, idmap, exact)) return false;
    }
  }
  return true;
}

function stacksafe(o: FuncState, c: FuncState, idmap: IdMap, exact: Exact, allowUninit: boolean): boolean {
  const slots = o.allocated >> 3;
  for (let spi = 0; spi < slots; spi++) {
    const base = slotStart(spi);
    if (exact !== Exact.NotExact) {
      if (spi >= c.allocated >> 3) return false;
      if (o.stype[spi] !== c.stype[spi]) return false;
    }
    const live = exact === Exact.NotExact ? o.readBytes(spi) : 0xff;
    if (live === 0) continue;
    if (live !== 0xff) {
      if (!partialSlotSafe(o, c, spi, live, idmap, exact, allowUninit)) return false;
      continue;
    }
    let checkedSpill = false;
    for (let j = 0; j < 8; j++) {
      const ot = o.bt(base + j);
      if (ot === STACK_INVALID) continue;
      if (allowUninit && ot === STACK_MISC) continue;
      if (spi >= c.allocated >> 3) return false;
      const oreg = scalarForSlot(o, spi, allowUninit);
      const creg = scalarForSlot(c, spi, allowUninit);
      if (oreg !== null && creg !== null) {
        if (!regsafe(oreg, creg, idmap, exact)) return false;
        break;
      }
      const ct = c.bt(base + j);
      if (ot === STACK_MISC && ct === STACK_ZERO) continue;
      if (ot !== ct) return false;
      if (ot === STACK_SPILL && !checkedSpill) {
        checkedSpill = true;
        const os = o.spill[spi];
        const cs = c.spill[spi];
        if (os === null || cs === null) {
          if (os !== cs) return false;
        } else if (!regsafe(os, cs, idmap, exact)) return false;
      }
    }
  }
  return true;
}

function refsafe(o: VState, c: VState, idmap: IdMap): boolean {
  if (o.refs.length !== c.refs.length) return false;
  for (let i = 0; i < o.refs.length; i++) if (!idmap.check(o.refs[i]!.id, c.refs[i]!.id)) return false;
  return true;
}

/** The kernel's states_equal: may the explored state `o` stand in for the current state `c`? */
export function statesEqual(o: VState, c: VState, idmap: IdMap, exact: Exact, allowUninit: boolean): boolean {
  if (o.frames.length !== c.frames.length) return false;
  idmap.reset();
  if (!refsafe(o, c, idmap)) return false;
  for (let i = 0; i < o.frames.length; i++) {
    const of = o.frames[i]!;
    const cf = c.frames[i]!;
    if (of.callsite !== cf.callsite) return false;
    for (let r = 0; r < 10; r++) {
      if (exact === Exact.NotExact && (of.regRead & (1 << r)) === 0) continue;
      if (!regsafe(of.regs[r]!, cf.regs[r]!, idmap, exact)) return false;
    }
    if (!stacksafe(of, cf, idmap, exact, allowUninit)) return false;
  }
  return true;
}

/** Quick test before the exact comparison used for infinite-loop detection. */
export function statesMaybeLooping(o: VState, c: VState): boolean {
  if (o.frames.length !== c.frames.length) return false;
  const of = o.cur;
  const cf = c.cur;
  for (let r = 0; r < 11; r++) {
    const a = of.regs[r]!;
    const b = cf.regs[r]!;
    if (a.type !== b.type || a.off !== b.off || !tnumEquals(a.varOff, b.varOff) || a.umin !== b.umin || a.umax !== b.umax) return false;
  }
  return true;
}

/** maybe_widen_reg: a scalar that is not precise and changed since `o` becomes unknown in `c`. */
function maybeWidenReg(o: Reg, c: Reg, idmap: IdMap, write: () => Reg): void {
  if (o.type !== SCALAR || c.type !== SCALAR) return;
  if (o.precise || c.precise || regsExact(o, c, idmap)) return;
  markUnknown(write());
}

/**
 * widen_imprecise_scalars: `c` came back to where the explored state `o` (its ancestor) was,
 * one loop iteration later. Scalars in registers and spilled slots that no decision has needed
 * exact (not precise) and that differ between the two are forgotten in `c`, so the next
 * iteration finds `o`'s successor covering it instead of unrolling the loop value by value.
 */
export function widenImpreciseScalars(o: VState, c: VState, idmap: IdMap): void {
  idmap.reset();
  for (let fr = o.curframe; fr >= 0; fr--) {
    const of = o.frames[fr]!;
    const cf = c.frames[fr]!;
    for (let r = 0; r < 11; r++) maybeWidenReg(of.regs[r]!, cf.regs[r]!, idmap, () => cf.wreg(r));
    const slots = Math.min(of.allocated, cf.allocated) >> 3;
    for (let spi = 0; spi < slots; spi++) {
      if (!of.isSpilled(spi) || !cf.isSpilled(spi)) continue;
      maybeWidenReg(of.spill[spi]!, cf.spill[spi]!, idmap, () => cf.writableSpill(spi));
    }
  }
}

/** Both states stand at the same chain of call sites (same_callsites). */
export function sameCallsites(a: VState, b: VState): boolean {
  if (a.frames.length !== b.frames.length) return false;
  for (let i = 0; i < a.frames.length; i++) if (a.frames[i]!.callsite !== b.frames[i]!.callsite) return false;
  return true;
}
