// The verifier's working context (Linux's bpf_verifier_env): the program, its options, the
// path being explored, id generation, and the register-operand checks and liveness marks
// every instruction handler uses. In: the program and options; the handlers in alu.ts,
// access.ts, branch.ts and calls.ts mutate `cur` through it. Exploration order is verify.ts.

import type { Insn } from '../isa.js';
import type { MapSpec } from '../maps/map.js';
import type { ProgTypeInfo } from '../progtypes.js';
import { VerifierReject } from './log.js';
import { Checkpoint, FuncState, NOT_INIT, Reg, VState, markUnknown } from './state.js';

export interface EnvOptions {
  /** Reads of never-written stack bytes are allowed (Linux: CAP_PERFMON). */
  readonly allowUninitStack: boolean;
  /** Bounded loops allowed (Linux: CAP_BPF); else every back-edge is rejected. */
  readonly boundedLoops: boolean;
  /** Value of nr_cpu_ids for bounding get_smp_processor_id; 0: unbounded. */
  readonly nrCpuIds: number;
}

/** Facts about one instruction gathered over every path that reached it. */
export interface InsnAux {
  seen: boolean;
  /** Memory kind a load/store's pointer had ('' until a visit; 'mixed' if paths disagree). */
  mem: '' | 'stack' | 'ctx' | 'map_value' | 'mem' | 'btf' | 'mixed';
  /** Fixed offset (pointer off + insn off) when constant and equal on every path, else null. */
  memOff: number | null;
  /** A map value access: the map's fd when the same on every path; -1 before a visit, 0 otherwise. */
  memMap: number;
  /** Registers (bit n = rn) holding a scalar below 2^32 on every visit. */
  fits32: number;
  /** Registers whose scalar value a pruned path may hold outside the explored bounds. */
  taint: number;
  /** The stack held such scalars at a pruning point here. */
  stackTaint: boolean;
}

export class Env {
  cur: VState = new VState();
  insnIdx = 0;
  prevInsnIdx = -1;
  idGen = 0;
  insnProcessed = 0;
  jmpsProcessed = 0;
  prevJmpsProcessed = 0;
  prevInsnProcessed = 0;
  totalStates = 0;
  peakStates = 0;
  curStates = 0;
  maxStatesPerInsn = 0;
  readonly explored = new Map<number, Checkpoint[]>();
  /** Max stack depth touched, per subprogram. */
  readonly stackDepth: number[];
  readonly aux: InsnAux[];
  /** Registers and stack slots the current instruction touched, for the log comment. */
  scratchedRegs = 0;
  scratchedSlots: number[] = [];
  /** Queue another path to explore from instruction insnIdx (set by the explorer). */
  pushState: (state: VState, insnIdx: number) => void = () => undefined;
  /** A register to hold an immediate operand; never part of a state. */
  readonly scratch = new Reg();
  /** Log lines of the current path (only when logging). */
  readonly log: string[] | null;

  constructor(
    readonly insns: readonly Insn[],
    readonly prog: ProgTypeInfo,
    readonly ctxSize: number,
    readonly mapOf: (fd: number) => MapSpec | undefined,
    readonly opts: EnvOptions,
    /** Instruction index where each subprogram starts, ascending, [0] === 0. */
    readonly subprogStarts: readonly number[],
    logging: boolean,
  ) {
    this.stackDepth = subprogStarts.map(() => 0);
    this.aux = insns.map(() => ({ seen: false, mem: '', memOff: null, memMap: -1, fits32: 0, taint: 0, stackTaint: false }));
    this.log = logging ? [] : null;
  }

  reject(message: string): never {
    throw new VerifierReject(message, this.insnIdx);
  }

  get frame(): FuncState {
    return this.cur.cur;
  }
  /** The current frame's registers, to read. Change them through wreg/writeReg. */
  get regs(): readonly Reg[] {
    return this.cur.cur.regs;
  }

  /** Register i of the current frame, private to the current path, to change in place. */
  wreg(i: number): Reg {
    return this.cur.cur.wreg(i);
  }

  newId(): number {
    return ++this.idGen;
  }

  subprogOf(insn: number): number {
    let lo = 0;
    let hi = this.subprogStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.subprogStarts[mid]! <= insn) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The kernel's check_reg_arg(regno, SRC_OP): the register must be initialised. */
  readReg(regno: number): Reg {
    if (regno > 10) this.reject(`R${regno} is invalid`);
    const r = this.regs[regno]!;
    this.scratchedRegs |= 1 << regno;
    if (r.type === NOT_INIT) this.reject(`R${regno} !read_ok`);
    if (regno !== 10) this.markRegRead(this.cur.curframe, regno);
    return r;
  }

  /** check_reg_arg(regno, DST_OP[_NO_MARK]): r10 is read-only; the register is overwritten. */
  writeReg(regno: number, unknown: boolean): Reg {
    if (regno > 10) this.reject(`R${regno} is invalid`);
    if (regno === 10) this.reject('frame pointer is read only');
    this.scratchedRegs |= 1 << regno;
    const f = this.frame;
    f.regWritten |= 1 << regno;
    const r = f.wreg(regno);
    if (unknown) markUnknown(r);
    return r;
  }

  /**
   * A read of register `regno` of frame `fi` that no write on this path since the last
   * checkpoint screens: every checkpoint up the chain (until one whose segment wrote it)
   * learns that its value of the register matters.
   */
  markRegRead(fi: number, regno: number): void {
    const bit = 1 << regno;
    if (this.cur.frames[fi]!.regWritten & bit) return;
    for (let cp = this.cur.parent; cp !== null; cp = cp.parent) {
      const pf = cp.state.frames[fi];
      if (pf === undefined || pf.regRead & bit) return;
      pf.regRead |= bit;
      if (pf.regWritten & bit) return;
    }
  }

  /** Bytes `mask` of slot spi (bit j: slotStart + j) of frame fi are read (as markRegRead). */
  markStackRead(fi: number, spi: number, mask: number): void {
    mask &= ~this.cur.frames[fi]!.writtenBytes(spi);
    for (let cp = this.cur.parent; cp !== null && mask !== 0; cp = cp.parent) {
      const pf = cp.state.frames[fi];
      if (pf === undefined) return;
      mask &= ~pf.readBytes(spi);
      if (mask === 0) return;
      pf.markReadBytes(spi, mask);
      mask &= ~pf.writtenBytes(spi);
    }
  }

  /** Reads from a pruned path: its continuation uses what the explored state `old` used. */
  propagateLiveness(old: VState): void {
    for (let fi = 0; fi < old.frames.length; fi++) {
      const of = old.frames[fi]!;
      for (let r = 0; r < 10; r++) if (of.regRead & (1 << r)) this.markRegRead(fi, r);
      for (let spi = 0; spi < 64; spi++) {
        const m = of.readBytes(spi);
        if (m !== 0) this.markStackRead(fi, spi, m);
      }
    }
  }

  /** Record the deepest stack byte the current subprogram touches. */
  updateStackDepth(frame: FuncState, depth: number): void {
    if (depth > this.stackDepth[frame.subprog]!) this.stackDepth[frame.subprog] = depth;
  }
}
