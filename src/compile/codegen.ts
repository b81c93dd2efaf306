// The code generator's state for one eBPF function (a probe program or a callback) and the
// primitives every construct is built from: values (constants, temps, memory, context
// fields, unsafe kernel/user memory), conversion to a register, stores with C conversion,
// copies and zero fills, helper calls with argument shuffling, and branch-arm discipline for
// the register allocator. In: calls from expressions.ts, statements.ts and friends. Out:
// instructions in `e`. Not: what any bpftrace construct means.

import { InternalError } from '../diag/diagnostic.js';
import type { Span } from '../diag/source.js';
import { isAggregation, type IntType, type SizedType } from '../check/types.js';
import { BPF_AND, BPF_RSH, R0, R1, R10, R6, R9 } from '../ebpf/isa.js';
import { HELPER_ID } from '../ebpf/helpers/helper-ids.js';
import type { CheckedProbe, ProbeMatch, VarSlot } from '../check/program.js';
import type { Expr } from '../parse/ast.js';
import { Emitter, type Label, type Reg, type Width } from './emitter.js';
import { Frame, type Slot } from './frame.js';
import type { ProgramContext } from './program-context.js';
import { Registers, type RegSnapshot, type Temp } from './registers.js';

/** Memory at `base` + `off` (base: r10, r9 for scratch, or a register the caller keeps valid). */
export interface Mem {
  readonly base: Reg;
  readonly off: number;
}

/**
 * A value an expression produced. Scalars (integers, bools, pointers, symbols, uids…) are
 * 'imm' or 'reg' or a readable place; everything else lives in memory. Consuming a value
 * (scalar(), store(), memOf()) releases what it owns.
 */
export type Val =
  /** A constant scalar. */
  | { readonly k: 'imm'; readonly v: bigint; readonly t: SizedType }
  /** A scalar in a temp (owned). */
  | { readonly k: 'reg'; readonly temp: Temp; readonly t: SizedType }
  /** In program memory; `slot` is owned storage to free, absent for borrowed places (variables). */
  | { readonly k: 'mem'; readonly m: Mem; readonly t: SizedType; readonly slot?: Slot; readonly canonical?: boolean }
  /** In the context record at a constant offset. */
  | { readonly k: 'ctx'; readonly off: number; readonly t: SizedType }
  /** In kernel or user memory at an address (read with probe_read_*). `addr` is a scalar value. */
  | { readonly k: 'ext'; readonly addr: Val; readonly space: 'kernel' | 'user'; readonly t: SizedType }
  /** A string literal, written where it is needed. */
  | { readonly k: 'lit'; readonly bytes: string; readonly t: SizedType }
  /** No value (void calls). */
  | { readonly k: 'void'; readonly t: SizedType };

/** A helper argument. */
export type Arg =
  | { readonly imm: bigint }
  | { readonly temp: Temp }
  | { readonly reg: Reg }
  | { readonly addr: Mem }
  | { readonly map: number }
  | { readonly mapValue: number; readonly off: number }
  /** The address of a function of this program (a callback), by its label. */
  | { readonly func: Label }
  /**
   * A scalar read from the context or a stable memory place, loaded straight into its
   * argument register (argOf decides when that is safe).
   */
  | { readonly lazy: Extract<Val, { k: 'ctx' } | { k: 'mem' }> };

/** Base registers that helper calls leave alone (lazy argument loads may read through them). */
const STABLE_BASES = new Set<Reg>([R6, 7, 8, R9, R10]);

/** Types held in one register. */
export function isScalar(t: SizedType): boolean {
  switch (t.kind) {
    case 'int':
    case 'bool':
    case 'pointer':
    case 'ksym':
    case 'username':
    case 'strerror':
    case 'timestamp_mode':
    case 'stack_mode':
      return t.size <= 8;
    // An aggregation read in an expression is its number (maps.ts readAggregation).
    case 'count':
    case 'sum':
    case 'min':
    case 'max':
    case 'avg':
    case 'stats':
      return true;
    default:
      return false;
  }
}

/** The width a scalar occupies in memory. */
export function scalarWidth(t: SizedType): Width {
  const s = t.size;
  return (s === 1 || s === 2 || s === 4 ? s : 8) as Width;
}

export function isSignedInt(t: SizedType): boolean {
  return t.kind === 'int' && t.signed;
}

/** The integer type a scalar value computes as (aggregations read as 64-bit integers). */
export function intOf(t: SizedType): IntType {
  if (t.kind === 'int') return t;
  if (t.kind === 'bool') return { kind: 'int', size: 1, signed: false };
  if (isAggregation(t)) return { kind: 'int', size: 8, signed: t.signed };
  return { kind: 'int', size: 8, signed: false };
}

/** How a function gets its context and where its variables live. */
export interface FnSetup {
  /** 'saved': r6 holds ctx; 'r1': ctx arrives in r1 and is read before any call or branch; 'none'. */
  readonly ctx: 'saved' | 'r1' | 'none';
  /** r9 holds the per-CPU scratch base. */
  readonly scratch: boolean;
  /** Register the probe's variables are addressed from (r10, or the callback's pointer to its caller's frame). */
  readonly varBase: Reg;
  /** The last ctx read (by count) after which an 'r1' ctx register may be reused. */
  readonly ctxReads: number;
  /** Fetch get_current_pid_tgid once at entry into this frame offset. */
  readonly pidTgidSlot?: number;
  /**
   * for-map callbacks made here look the per-CPU scratch value up themselves and keep it in
   * r9 (their variables or values live there); their caller's frame comes in r8 then.
   */
  readonly callbackScratch?: boolean;
  /** The first pass, whose code is thrown away: set-up code that would create internal maps is left out. */
  readonly trial?: boolean;
}

/** What the first pass learns about a function, to set the second one up. */
export interface Facts {
  ctxReads: number;
  ctxReadLate: boolean;
  pidTgidUses: number;
}

/** The probe a function belongs to, as builtins need it. */
export interface ProbeScope {
  readonly probe?: CheckedProbe;
  /** The matches this program serves (one when expanded per match). */
  readonly matches: readonly ProbeMatch[];
  /** What `probe` evaluates to. */
  readonly probeName: string;
  /** Canonical provider of the program's attach points ('kprobe', 'tracepoint', …). */
  readonly provider: string;
  readonly progType: string;
}

/** What compileProgram turns into a diagnostic: a stack limit or an unsupported construct. */
export interface CompileError {
  readonly kind: 'stack' | 'unsupported';
  readonly message: string;
  readonly span?: Span;
}

export interface LoopLabels {
  readonly brk: Label;
  readonly cont: Label;
}

export class CodeGen {
  readonly e: Emitter;
  readonly frame: Frame;
  readonly regs: Registers;
  readonly facts: Facts = { ctxReads: 0, ctxReadLate: false, pidTgidUses: 0 };
  /** Variable homes by VarSlot id (offsets from setup.varBase). */
  readonly vars = new Map<number, Slot>();
  readonly loops: LoopLabels[] = [];
  /** In a for-map callback: where `break` (stop) and `continue` (next element) go. */
  callbackExits: LoopLabels | undefined;
  /** In a subprogram: how `return e` leaves it (the value into r0, then exit). */
  returnValue: ((value: Expr | undefined) => void) | undefined;
  /** Labels of the `fn` subprograms this program calls, by name (emitted once each, at the end). */
  subprogLabels = new Map<string, Label>();
  /** Functions to emit after this one (for-map callbacks), sharing its instruction stream. */
  deferred: (() => void)[] = [];
  /** Deepest stack a callback called from here uses (the kernel limits the sum along a call chain). */
  callbackStack = 0;
  /** A for-map callback made here used scratch memory, and the scratch bytes it needed (from offset 0). */
  callbackUsedScratch = false;
  callbackScratchSize = 0;
  /** Where `return` and a failed predicate go. */
  readonly exitLabel: Label;
  /** Depth of conditional code and loops around the current point. */
  branchDepth = 0;
  loopDepth = 0;
  private ctxTemp: Temp | undefined;
  private ctxReadCount = 0;
  /** Compile errors for limits the checker cannot see (reported by compileProgram). */
  readonly errors: CompileError[] = [];

  constructor(
    readonly pc: ProgramContext,
    readonly setup: FnSetup,
    readonly scope: ProbeScope,
    emitter?: Emitter,
    scratchAllowed = true,
    /** Scratch offsets this function's own values start at (a callback's come after its caller's). */
    scratchBase = 0,
  ) {
    this.e = emitter ?? new Emitter();
    this.frame = new Frame(scratchAllowed, scratchBase);
    this.regs = new Registers(this.e, this.frame);
    this.exitLabel = this.e.newLabel();
    if (setup.ctx === 'saved') this.regs.reserve(R6);
    if (setup.scratch) this.regs.reserve(R9);
    if (setup.varBase !== R10) this.regs.reserve(setup.varBase);
    if (setup.ctx === 'r1') this.ctxTemp = this.regs.adopt(R1);
  }

  // ── values ───────────────────────────────────────────────────────────────────────────

  imm(v: bigint, t: SizedType): Val {
    return { k: 'imm', v, t };
  }

  reg(temp: Temp, t: SizedType): Val {
    return { k: 'reg', temp, t };
  }

  /** Frees what a value owns without using it. */
  release(v: Val): void {
    switch (v.k) {
      case 'reg':
        this.regs.free(v.temp);
        break;
      case 'mem':
        this.frame.free(v.slot);
        break;
      case 'ext':
        this.release(v.addr);
        break;
    }
  }

  /** The scalar value in an owned temp (consuming v). */
  scalar(v: Val, survivesCall = false): Temp {
    switch (v.k) {
      case 'imm': {
        const t = this.regs.alloc(survivesCall);
        this.e.movImm(t.reg, v.v);
        return t;
      }
      case 'reg':
        return v.temp;
      case 'mem': {
        const t = this.regs.alloc(survivesCall);
        this.loadScalar(t.reg, v.m, v.t);
        this.frame.free(v.slot);
        return t;
      }
      case 'ctx': {
        const base = this.ctxBase();
        const t = this.regs.alloc(survivesCall);
        this.loadScalar(t.reg, { base, off: v.off }, v.t);
        this.ctxDone();
        return t;
      }
      case 'ext': {
        const slot = this.readExt(v);
        const t = this.regs.alloc(survivesCall);
        this.loadScalar(t.reg, { base: slot.base, off: slot.off }, v.t);
        this.frame.free(slot);
        return t;
      }
      default:
        throw new InternalError(`a ${v.k} value of type ${v.t.kind} used as a scalar`);
    }
  }

  /** An ALU operand: a 32-bit immediate when the constant fits, else a temp (owned). */
  operand(v: Val): { imm: number } | { temp: Temp } {
    if (v.k === 'imm') {
      const x = BigInt.asIntN(64, v.v);
      if (x >= -0x8000_0000n && x <= 0x7fff_ffffn) return { imm: Number(x) };
    }
    return { temp: this.scalar(v) };
  }

  /** Loads a scalar of type t from memory with its width and signedness. */
  loadScalar(dst: Reg, m: Mem, t: SizedType): void {
    const w = scalarWidth(t);
    this.e.ldx(w, dst, m.base, m.off, isSignedInt(t) && w < 8);
  }

  /**
   * Brings a register value to its type's canonical form: narrower integers sign- or
   * zero-extended from their width, bools 0 or 1.
   */
  normalize(r: Reg, t: SizedType): void {
    if (t.kind === 'bool') {
      const skip = this.e.newLabel();
      this.e.jImm('eq', r, 0, skip);
      this.e.movImm(r, 1n);
      this.e.bind(skip);
      return;
    }
    if (t.kind !== 'int' || t.size === 8) return;
    if (t.signed) this.e.movsx(r, r, t.size);
    else if (t.size === 4) this.e.mov32(r, r);
    else this.e.aluImm(BPF_AND, r, t.size === 2 ? 0xffff : 0xff);
  }

  /** Converts an integer value to another integer type (C conversion), consuming v. */
  convertInt(v: Val, to: IntType): Val {
    if (v.k === 'imm') return this.imm(wrapTo(v.v, to), to);
    const from = v.t;
    if (from.kind === 'int' && !needsNormalize(from, to)) {
      if (v.k === 'reg') return this.reg(v.temp, to);
      // A place keeps its width until it is read: only same-size views may be retyped.
      if (from.size === to.size) return retype(v, to);
      return this.reg(this.scalar(v), to);
    }
    const t = this.scalar(v);
    this.normalize(t.reg, to);
    return this.reg(t, to);
  }

  // ── memory ───────────────────────────────────────────────────────────────────────────

  /** A slot of n bytes (stack when it fits, else scratch). */
  slot(n: number, where: 'any' | 'stack' = 'any'): Slot {
    return this.frame.alloc(n, where);
  }

  memOfSlot(s: Slot): Mem {
    return { base: s.base, off: s.off };
  }

  /**
   * The value in program memory (stack or scratch), copying or reading it there when it
   * is elsewhere. The result owns its slot when `slot` is set.
   */
  memOf(v: Val, canonical = false): { m: Mem; slot?: Slot } {
    switch (v.k) {
      case 'mem':
        return v.slot ? { m: v.m, slot: v.slot } : { m: v.m };
      default: {
        const s = this.slot(Math.max(1, v.t.size));
        this.store(v, this.memOfSlot(s), v.t, canonical);
        return { m: this.memOfSlot(s), slot: s };
      }
    }
  }

  /** Reads an ext value into a new slot of its size. */
  readExt(v: Extract<Val, { k: 'ext' }>, into?: Mem): Slot {
    const size = Math.max(1, v.t.size);
    const s = into ? undefined : this.slot(size);
    const dst = into ?? this.memOfSlot(s!);
    const helper = v.space === 'user' ? HELPER_ID.probe_read_user : HELPER_ID.probe_read_kernel;
    const addr = this.argOf(v.addr);
    this.callVoid(helper, [{ addr: dst }, { imm: BigInt(size) }, addr.arg], addr.consume);
    return s ?? { base: dst.base, off: dst.off, size };
  }

  /** A helper argument for a scalar value (a temp to consume, an immediate, or a lazy load). */
  argOf(v: Val): { arg: Arg; consume: Temp[] } {
    if (v.k === 'imm') return { arg: { imm: v.v }, consume: [] };
    if (v.k === 'ctx' && this.setup.ctx === 'saved' && isScalar(v.t)) return { arg: { lazy: v }, consume: [] };
    if (v.k === 'mem' && !v.slot && isScalar(v.t) && STABLE_BASES.has(v.m.base)) return { arg: { lazy: v }, consume: [] };
    const t = this.scalar(v);
    return { arg: { temp: t }, consume: [t] };
  }

  /**
   * Writes v at dst as type dt with C's conversion (integers truncated or extended,
   * strings truncated with a NUL or zero-padded, tuples element by element with zeroed
   * padding), consuming v. `canonical`: strings read from memory are made zero after
   * their NUL (map keys must compare byte for byte).
   */
  store(v: Val, dst: Mem, dt: SizedType, canonical = true): void {
    if (isScalar(dt)) {
      if (v.k === 'imm') {
        this.storeImm(dst, scalarWidth(dt), v.v);
        return;
      }
      const t = this.scalar(v);
      this.storeReg(dst, scalarWidth(dt), t.reg);
      this.regs.free(t);
      return;
    }
    if (v.k === 'lit') {
      // Into a string: truncated with a NUL. Into bytes (buf(), arrays): the bytes as they are.
      this.storeBytes(dst, dt.kind === 'string' ? litBytes(v.bytes, dt.size) : rawBytes(v.bytes, dt.size));
      return;
    }
    if (v.k === 'void') throw new InternalError('storing a void value');
    if (v.k === 'imm' || v.k === 'reg') {
      // A scalar stored into an aggregate place of the same size (e.g. usym built in a register).
      const t = this.scalar(v);
      this.storeReg(dst, scalarWidth(v.t), t.reg);
      this.regs.free(t);
      if (dt.size > v.t.size) this.zeroRange(dst, v.t.size, dt.size);
      return;
    }
    if ((dt.kind === 'tuple' || dt.kind === 'record') && (v.t.kind === 'tuple' || v.t.kind === 'record') && !sameLayout(v.t, dt)) {
      this.storeTupleConverted(v, dst, dt, canonical);
      return;
    }
    if (v.k === 'ext') {
      const n = Math.min(v.t.size, dt.size);
      if (n === dt.size && n === v.t.size) {
        this.readExt(v, dst);
        return;
      }
      const s = this.readExt(v);
      this.copy(this.memOfSlot(s), dst, n);
      this.frame.free(s);
      this.finishCopy(dst, n, v.t, dt);
      return;
    }
    // mem or ctx: copy bytes.
    const n = Math.min(v.t.size, dt.size);
    if (v.k === 'ctx') {
      const base = this.ctxBase();
      this.copy({ base, off: v.off }, dst, n);
      this.ctxDone();
    } else {
      this.copy(v.m, dst, n);
      this.frame.free(v.slot);
    }
    this.finishCopy(dst, n, v.t, dt);
  }

  /** After copying n bytes of a src value into a dst type: NUL-terminate truncated strings, zero the rest. */
  private finishCopy(dst: Mem, n: number, src: SizedType, dt: SizedType): void {
    if (dt.kind === 'string' && src.size > dt.size) this.storeImm({ base: dst.base, off: dst.off + dt.size - 1 }, 1, 0n);
    if (dt.size > n) this.zeroRange(dst, n, dt.size);
  }

  private storeTupleConverted(v: Val, dst: Mem, dt: SizedType, canonical: boolean): void {
    const src = v.t as Extract<SizedType, { kind: 'tuple' | 'record' }>;
    const to = dt as Extract<SizedType, { kind: 'tuple' | 'record' }>;
    const { m, slot } = this.memOf(v);
    let covered = 0;
    to.fields.forEach((f, i) => {
      const sf = src.fields[i];
      if (f.offset > covered) this.zeroRange(dst, covered, f.offset);
      if (sf) {
        const fv: Val = { k: 'mem', m: { base: m.base, off: m.off + sf.offset }, t: sf.type };
        this.store(fv, { base: dst.base, off: dst.off + f.offset }, f.type, canonical);
      } else this.zeroRange(dst, f.offset, f.offset + f.type.size);
      covered = f.offset + f.type.size;
    });
    if (to.size > covered) this.zeroRange(dst, covered, to.size);
    this.frame.free(slot);
  }

  /** *(u{w} *)dst = value, through a register when the value does not fit an imm store. */
  storeImm(dst: Mem, w: Width, value: bigint): void {
    if (!alignOk(dst, w)) {
      // The kernel wants aligned stack accesses: write the bytes in aligned pieces.
      const bytes = new Uint8Array(w);
      let x = BigInt.asUintN(64, value);
      for (let i = 0; i < w; i++) {
        bytes[i] = Number(x & 0xffn);
        x >>= 8n;
      }
      this.storeBytes(dst, bytes);
      return;
    }
    const v = BigInt.asIntN(64, value);
    if (w < 8 || (v >= -0x8000_0000n && v <= 0x7fff_ffffn)) {
      this.e.st(w, dst.base, dst.off, Number(BigInt.asIntN(32, v)));
      return;
    }
    // Two 32-bit stores cost the same as lddw + stx and need no register.
    if (alignOk(dst, 4)) {
      this.e.st(4, dst.base, dst.off, Number(BigInt.asIntN(32, v)));
      this.e.st(4, dst.base, dst.off + 4, Number(BigInt.asIntN(32, v >> 32n)));
      return;
    }
    const t = this.regs.alloc();
    this.e.movImm(t.reg, v);
    this.e.stx(8, dst.base, dst.off, t.reg);
    this.regs.free(t);
  }

  /** *(u{w} *)dst = register r, split into aligned pieces when dst is not aligned (r is preserved). */
  storeReg(dst: Mem, w: Width, r: Reg): void {
    if (alignOk(dst, w)) {
      this.e.stx(w, dst.base, dst.off, r);
      return;
    }
    const t = this.regs.alloc();
    this.e.mov(t.reg, r);
    let i = 0;
    while (i < w) {
      const c = chunkAt(dst, i, w - i);
      this.e.stx(c, dst.base, dst.off + i, t.reg);
      i += c;
      if (i < w) this.e.aluImm(BPF_RSH, t.reg, c * 8);
    }
    this.regs.free(t);
  }

  /** Writes literal bytes with the fewest immediate stores (8-byte words where aligned). */
  storeBytes(dst: Mem, bytes: Uint8Array): void {
    let i = 0;
    while (i < bytes.length) {
      const w = chunkAt(dst, i, bytes.length - i);
      let v = 0n;
      for (let k = w - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[i + k]!);
      if (w === 8) {
        const s = BigInt.asIntN(64, v);
        if (s >= -0x8000_0000n && s <= 0x7fff_ffffn) this.e.st(8, dst.base, dst.off + i, Number(s));
        else {
          this.e.st(4, dst.base, dst.off + i, Number(BigInt.asIntN(32, v)));
          this.e.st(4, dst.base, dst.off + i + 4, Number(BigInt.asIntN(32, v >> 32n)));
        }
      } else this.e.st(w, dst.base, dst.off + i, Number(BigInt.asIntN(32, v)));
      i += w;
    }
  }

  /** Zeroes bytes [from, to) of dst: immediate stores up to 64 bytes, else probe_read_kernel from NULL. */
  zeroRange(dst: Mem, from: number, to: number): void {
    if (to <= from) return;
    if (to - from > 64) {
      this.callVoid(HELPER_ID.probe_read_kernel, [{ addr: { base: dst.base, off: dst.off + from } }, { imm: BigInt(to - from) }, { imm: 0n }]);
      return;
    }
    let i = from;
    while (i < to) {
      const w = chunkAt(dst, i, to - i);
      this.e.st(w, dst.base, dst.off + i, 0);
      i += w;
    }
  }

  /** Copies n bytes: word by word up to 64 bytes, else probe_read_kernel. */
  copy(src: Mem, dst: Mem, n: number): void {
    if (n <= 0) return;
    if (src.base === dst.base && src.off === dst.off) return;
    if (n > 64) {
      this.callVoid(HELPER_ID.probe_read_kernel, [{ addr: dst }, { imm: BigInt(n) }, { addr: src }]);
      return;
    }
    const t = this.regs.alloc();
    let i = 0;
    while (i < n) {
      const w = Math.min(chunkAt(src, i, n - i), chunkAt(dst, i, n - i)) as Width;
      this.e.ldx(w, t.reg, src.base, src.off + i);
      this.e.stx(w, dst.base, dst.off + i, t.reg);
      i += w;
    }
    this.regs.free(t);
  }

  // ── helper calls ─────────────────────────────────────────────────────────────────────

  /**
   * Calls a helper with args in r1.. r5: live temps in r0..r5 are saved first (except the
   * consumed ones), the arguments are moved in without clobbering each other, and the
   * result is a new temp in r0 (the caller frees it).
   */
  call(helper: number, args: readonly Arg[], consume: readonly Temp[] = []): Temp {
    return this.callTarget({ helper }, args, consume);
  }

  /** A bpf-to-bpf call of the function at `label`, with the helper calling convention. */
  callFunction(label: Label, args: readonly Arg[], consume: readonly Temp[] = []): Temp {
    return this.callTarget({ local: label }, args, consume);
  }

  private callTarget(target: { helper: number } | { local: Label }, args: readonly Arg[], consume: readonly Temp[]): Temp {
    if (args.length > 5) throw new InternalError('a call takes at most 5 arguments');
    const dying = new Set(consume);
    this.regs.beforeCall(dying);
    // Register-to-register moves first, as a parallel move; then everything else.
    const moves: { to: Reg; from: Reg }[] = [];
    const rest: { to: Reg; arg: Arg }[] = [];
    args.forEach((a, i) => {
      const to = R1 + i;
      if ('temp' in a) {
        if (a.temp.current >= 0) moves.push({ to, from: a.temp.current });
        else rest.push({ to, arg: a });
      } else if ('reg' in a) moves.push({ to, from: a.reg });
      else rest.push({ to, arg: a });
    });
    this.parallelMove(moves);
    // Lazy loads read r6..r10 only, so they come after the moves into r1..r5.
    for (const { to, arg } of rest) if ('lazy' in arg) this.setArg(to, arg);
    for (const { to, arg } of rest) if (!('lazy' in arg)) this.setArg(to, arg);
    if ('helper' in target) this.e.call(target.helper);
    else this.e.callLocal(target.local);
    this.calls++;
    for (const t of consume) this.regs.free(t);
    return this.regs.adopt(R0);
  }

  callVoid(helper: number, args: readonly Arg[], consume: readonly Temp[] = []): void {
    this.regs.free(this.call(helper, args, consume));
  }

  private setArg(to: Reg, a: Arg): void {
    if ('imm' in a) this.e.movImm(to, a.imm);
    else if ('addr' in a) {
      this.e.mov(to, a.addr.base);
      this.e.addImm(to, a.addr.off);
    } else if ('map' in a) this.e.ldMap(to, a.map);
    else if ('mapValue' in a) this.e.ldMapValue(to, a.mapValue, a.off);
    else if ('func' in a) this.e.ldFunc(to, a.func);
    else if ('lazy' in a) {
      const v = a.lazy;
      if (v.k === 'ctx') {
        this.loadScalar(to, { base: this.ctxBase(), off: v.off }, v.t);
        this.ctxDone();
      } else this.loadScalar(to, v.m, v.t);
    }
    else if ('temp' in a) this.e.ldx(8, to, R10, a.temp.spill!);
    else throw new InternalError('register argument in the non-register pass');
  }

  /** Moves registers so that each `to` receives its `from`, breaking cycles through a free register. */
  private parallelMove(moves: { to: Reg; from: Reg }[]): void {
    let pending = moves.filter((m) => m.to !== m.from);
    while (pending.length > 0) {
      const ready = pending.find((m) => !pending.some((o) => o !== m && o.from === m.to));
      if (ready) {
        this.e.mov(ready.to, ready.from);
        pending = pending.filter((m) => m !== ready);
        continue;
      }
      // A cycle: park one source in a register nobody reads or writes here.
      const busy = new Set<Reg>(pending.flatMap((m) => [m.to, m.from]));
      const spare = [0, 1, 2, 3, 4, 5].find((r) => !busy.has(r) && this.regs.available(r));
      if (spare === undefined) throw new InternalError('no spare register to break an argument cycle');
      const m = pending[0]!;
      this.e.mov(spare, m.from);
      pending = pending.map((x) => (x.from === m.from ? { to: x.to, from: spare } : x));
    }
  }

  /**
   * A pointer to element 0's value of an internal array map (zero source, globals): one
   * `lddw map_value` with direct value access, else a map_lookup_elem of key 0 whose NULL
   * (impossible for an array, but the verifier wants the check) jumps to `orElse`.
   * The pointer is in the returned temp.
   */
  arrayValue(map: number, orElse: Label): Temp {
    if (this.pc.directValueAccess) {
      const t = this.regs.alloc();
      this.e.ldMapValue(t.reg, map, 0);
      return t;
    }
    const k = this.slot(8, 'stack');
    this.e.st(4, k.base, k.off, 0);
    const p = this.call(HELPER_ID.map_lookup_elem, [{ map }, { addr: this.memOfSlot(k) }]);
    this.frame.free(k);
    this.e.jImm('eq', p.reg, 0, orElse);
    return p;
  }

  /** The shared subprogram that emits helper_error records (bound at the end when used). */
  private errorStub: Label | undefined;

  /**
   * After a map_update_elem / map_delete_elem whose result is in r (consumed): when it
   * failed, call the shared error subprogram with the site's event id and the code. The
   * program goes on afterwards, as bpftrace's does.
   */
  checkHelper(r: Temp, helperId: number, helperName: string, span: Span | undefined, node: object, ignore?: number): void {
    if (!this.pc.helperErrors || !span) {
      this.regs.free(r);
      return;
    }
    const ev = this.pc.event(node, (id) => ({ kind: 'helper_error', id, size: 16, helperId, helperName, span, retcodeOffset: 8 }));
    const ok = this.e.newLabel();
    const reg = r.reg;
    this.regs.free(r);
    // Both paths must meet with one register assignment: save live temps first.
    this.regs.beforeCall();
    this.e.jImm('sge', reg, 0, ok);
    if (ignore !== undefined) this.e.jImm('eq', reg, ignore, ok);
    this.e.mov(2, reg);
    this.e.movImm(1, BigInt(ev.id));
    this.e.callLocal(this.helperErrorStub());
    this.calls++;
    this.e.bind(ok);
  }

  /**
   * -k (runtimeWarnings): after a map_lookup_elem whose result is in p (kept, still to be
   * null-checked by the caller), report a lookup that found nothing as bpftrace does: a
   * helper_error record with retcode 0 at the map expression.
   */
  reportLookupMiss(p: Temp, span: Span | undefined, node: object): void {
    if (!this.pc.runtimeWarnings || !span) return;
    const ev = this.pc.event(node, (id) => ({
      kind: 'helper_error',
      id,
      size: 16,
      helperId: HELPER_ID.map_lookup_elem,
      helperName: 'map_lookup_elem',
      span,
      retcodeOffset: 8,
    }));
    const found = this.e.newLabel();
    // p survives the call: it is moved out of r0..r5 first, on both paths alike.
    this.regs.beforeCall();
    this.e.jImm('ne', this.regs.reg(p), 0, found);
    this.e.movImm(2, 0n);
    this.e.movImm(1, BigInt(ev.id));
    this.e.callLocal(this.helperErrorStub());
    this.calls++;
    this.e.bind(found);
  }

  /** The shared subprogram writing a helper_error record {id: r1, retcode: r2}, emitted once at the end. */
  private helperErrorStub(): Label {
    if (this.errorStub === undefined) {
      const stub = this.e.newLabel();
      this.errorStub = stub;
      const rb = this.pc.ringbuf();
      // Its own frame: the record {id, retcode} at r10 - 16.
      this.deferred.push(() => {
        this.e.bind(stub);
        this.e.stx(8, R10, -16, 1);
        this.e.stx(8, R10, -8, 2);
        this.e.ldMap(1, rb);
        this.e.mov(2, R10);
        this.e.addImm(2, -16);
        this.e.movImm(3, 16n);
        this.e.movImm(4, 0n);
        this.e.call(HELPER_ID.ringbuf_output);
        this.e.movImm(R0, 0n);
        this.e.exit();
        this.callbackStack = Math.max(this.callbackStack, 16);
      });
    }
    return this.errorStub;
  }

  // ── the context ──────────────────────────────────────────────────────────────────────

  /** The register holding the context pointer for a read; call ctxDone() after the read. */
  ctxBase(): Reg {
    this.facts.ctxReads++;
    if (this.loopDepth > 0 || this.branchDepth > 0 || this.calls > 0) this.facts.ctxReadLate = true;
    switch (this.setup.ctx) {
      case 'saved':
        return R6;
      case 'r1':
        if (!this.ctxTemp) throw new InternalError('ctx read after its register was released');
        return this.regs.reg(this.ctxTemp);
      default:
        // First pass without a plan: pretend r6 (the second pass decides).
        return R6;
    }
  }

  /** Marks the end of one ctx read: the last one releases r1 when ctx lives there. */
  ctxDone(): void {
    this.ctxReadCount++;
    if (this.setup.ctx === 'r1' && this.ctxReadCount >= this.setup.ctxReads && this.ctxTemp) {
      this.regs.free(this.ctxTemp);
      this.ctxTemp = undefined;
    }
  }

  /** The context as a helper argument (a read that ends when the call is emitted). */
  withCtxArg<T>(f: (ctx: Arg) => T): T {
    const base = this.ctxBase();
    const arg: Arg = this.setup.ctx === 'r1' && this.ctxTemp ? { temp: this.ctxTemp } : { reg: base };
    const r = f(arg);
    this.ctxDone();
    return r;
  }

  /** Helper calls emitted so far (in the body). */
  private calls = 0;

  /** The prologue is done: facts count the body only. */
  startBody(): void {
    this.calls = 0;
    this.facts.ctxReads = 0;
    this.facts.ctxReadLate = false;
    this.facts.pidTgidUses = 0;
  }

  // ── variables ────────────────────────────────────────────────────────────────────────

  varMem(v: VarSlot): Mem {
    const s = this.vars.get(v.id);
    if (!s) throw new InternalError(`variable ${v.name} has no home`);
    // Stack homes are addressed from varBase (a callback reaches its probe's frame so);
    // large variables live in the probe's scratch memory, which a callback reaches through
    // its own lookup of the same per-CPU value.
    if (s.base !== R10) {
      this.frame.usedScratch = true;
      if (this.setup.varBase !== R10 && !this.setup.scratch) this.error(`variable ${v.name} is too large to use inside a for-map loop`);
      return { base: s.base, off: s.off };
    }
    return { base: this.setup.varBase, off: s.off };
  }

  // ── branch discipline ────────────────────────────────────────────────────────────────

  /** Enters conditional code: when it may call helpers, live temps leave r0..r5 first. */
  enterBranches(mayCall: boolean): void {
    if (mayCall) this.regs.evacuateCallerSaved();
    this.branchDepth++;
  }

  leaveBranches(): void {
    this.branchDepth--;
  }

  armStart(): RegSnapshot {
    this.pushArm();
    return this.regs.snapshot();
  }

  armEnd(s: RegSnapshot): void {
    this.regs.restore(s);
    this.popArm();
  }

  /**
   * The conditional arms enclosing the current point, innermost last. A value computed
   * under a path of arms is available later only where that path is still open (it
   * dominates): the key cache checks this.
   */
  readonly armPath: number[] = [];
  private nextArm = 0;

  pushArm(): void {
    this.armPath.push(this.nextArm++);
  }

  popArm(): void {
    this.armPath.pop();
  }

  /** Is a value made under `path` available here (every arm of it still open)? */
  dominates(path: readonly number[]): boolean {
    if (path.length > this.armPath.length) return false;
    return path.every((a, i) => this.armPath[i] === a);
  }

  /** Map keys built in memory and kept for reuse (maps.ts). */
  readonly keyCache: { readonly keyType: SizedType; readonly exprs: readonly unknown[]; readonly slot: Slot; readonly path: readonly number[] }[] = [];

  /** A construct this compiler has no code for (reported as a located error). */
  error(message: string, span?: Span): void {
    this.errors.push({ kind: 'unsupported', message, ...(span ? { span } : {}) });
  }

}

// ── small pure helpers ──────────────────────────────────────────────────────────────────

/** The value of v converted to integer type t (C conversion). */
export function wrapTo(v: bigint, t: SizedType): bigint {
  if (t.kind === 'bool') return v !== 0n ? 1n : 0n;
  if (t.kind !== 'int') return BigInt.asIntN(64, v);
  const bits = t.size * 8;
  const x = t.signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
  return BigInt.asIntN(64, x);
}

/** Does converting a canonical `from` register to `to` need instructions? */
function needsNormalize(from: IntType, to: IntType): boolean {
  if (to.size === 8) return false;
  if (to.size > from.size) return from.signed && !to.signed;
  if (to.size === from.size) return from.signed !== to.signed;
  return true;
}

function retype(v: Val, t: SizedType): Val {
  switch (v.k) {
    case 'mem':
      return { ...v, t };
    case 'ctx':
      return { ...v, t };
    case 'ext':
      return { ...v, t };
    default:
      return v;
  }
}

/** Do two tuple/record types have the same byte layout? */
export function sameLayout(a: SizedType, b: SizedType): boolean {
  if (a.size !== b.size || a.kind !== b.kind) return false;
  if (a.kind === 'tuple' || a.kind === 'record') {
    const bf = (b as typeof a).fields;
    return a.fields.length === bf.length && a.fields.every((f, i) => f.offset === bf[i]!.offset && sameLayout(f.type, bf[i]!.type));
  }
  if (a.kind === 'int' && b.kind === 'int') return a.signed === b.signed;
  return true;
}

/** Literal string bytes laid out in `size` bytes: truncated with a NUL, zero padded. */
export function litBytes(text: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const n = Math.min(text.length, size - 1);
  for (let i = 0; i < n; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Literal bytes in `size` bytes, cut or zero-padded, no NUL forced. */
export function rawBytes(text: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < Math.min(text.length, size); i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Address alignment of dst + i (offsets of slots are multiples of 8). */
function alignOk(dst: Mem, a: number): boolean {
  return ((dst.off % a) + a) % a === 0;
}

/** The widest access (8, 4, 2, 1) that is aligned at dst + i and fits in `left` bytes. */
export function chunkAt(dst: Mem, i: number, left: number): Width {
  for (const w of [8, 4, 2, 1] as const) {
    if (w <= left && (((dst.off + i) % w) + w) % w === 0) return w;
  }
  return 1;
}
