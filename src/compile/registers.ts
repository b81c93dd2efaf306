// Register allocation for the tree-walking code generator. Values being computed live in
// temps; a temp sits in one of r0..r9 or, when it had to survive a helper call with every
// callee-saved register taken, in a stack slot. Helper calls clobber r0..r5, so before one
// the live temps there move to r6..r9 (or spill). In: alloc/free/claim requests from the
// code generator. Out: moves, spills and reloads emitted through the Emitter. Not: liveness
// analysis — temps are freed explicitly by the code that owns them.

import { InternalError } from '../diag/diagnostic.js';
import { R0, R10, R5, R6, R9 } from '../ebpf/isa.js';
import type { Emitter, Reg } from './emitter.js';

/**
 * A value in flight. While `reg` ≥ 0 the register holds it; while -1, the spill slot does.
 * A slot, once given, stays with the temp until it is freed.
 */
export class Temp {
  reg: Reg = -1;
  /** Frame offset (from r10) while spilled. */
  spill: number | undefined;
  freed = false;
  constructor(readonly id: number) {}
}

/** Where stack slots for spills come from (frame.ts). */
export interface SpillSlots {
  allocSpill(): number;
  freeSpill(off: number): void;
}

export interface RegSnapshot {
  readonly places: ReadonlyMap<Temp, { reg: Reg; spill: number | undefined }>;
}

const CALLER_SAVED: readonly Reg[] = [R0, 1, 2, 3, 4, R5];

export class Registers {
  private readonly owner: (Temp | null)[] = new Array<Temp | null>(11).fill(null);
  private readonly live = new Set<Temp>();
  private nextId = 0;
  /** Registers never handed out (r9 when it holds the scratch base, r6 when it holds ctx). */
  private readonly reserved = new Set<Reg>([R10]);

  constructor(
    private readonly e: Emitter,
    private readonly slots: SpillSlots,
  ) {}

  reserve(r: Reg): void {
    if (this.owner[r]) throw new InternalError(`r${r} reserved while in use`);
    this.reserved.add(r);
  }

  isReserved(r: Reg): boolean {
    return this.reserved.has(r);
  }

  private isFree(r: Reg): boolean {
    return this.owner[r] === null && !this.reserved.has(r);
  }

  private take(t: Temp, r: Reg): void {
    this.owner[r] = t;
    t.reg = r;
  }

  /**
   * A new temp in a free register: callee-saved r6..r9 first when it must survive a call,
   * else a caller-saved one (r1..r5, then r0), falling back to the other kind.
   */
  alloc(survivesCall = false): Temp {
    const t = new Temp(this.nextId++);
    const order: Reg[] = survivesCall ? [6, 7, 8, 9, 1, 2, 3, 4, 5, 0] : [1, 2, 3, 4, 5, 0, 6, 7, 8, 9];
    const r = order.find((x) => this.isFree(x));
    if (r === undefined) throw new InternalError('expression needs more registers than eBPF has');
    this.take(t, r);
    this.live.add(t);
    return t;
  }

  /** A new temp that owns register r (which must be free: claim it first). */
  adopt(r: Reg): Temp {
    if (!this.isFree(r)) throw new InternalError(`r${r} adopted while in use`);
    const t = new Temp(this.nextId++);
    this.take(t, r);
    this.live.add(t);
    return t;
  }

  free(t: Temp | undefined): void {
    if (!t || t.freed) return;
    t.freed = true;
    if (t.reg >= 0 && this.owner[t.reg] === t) this.owner[t.reg] = null;
    if (t.spill !== undefined) this.slots.freeSpill(t.spill);
    t.reg = -1;
    t.spill = undefined;
    this.live.delete(t);
  }

  /** The register holding t, reloading a spilled temp into a free register first. */
  reg(t: Temp): Reg {
    if (t.freed) throw new InternalError(`temp ${t.id} used after free`);
    if (t.reg >= 0) return t.reg;
    const order: Reg[] = [1, 2, 3, 4, 5, 0, 6, 7, 8, 9];
    const r = order.find((x) => this.isFree(x));
    if (r === undefined || t.spill === undefined) throw new InternalError('no register to reload a spilled temp into');
    // The slot stays reserved for t: a branch arm that reloaded it may be undone (restore).
    this.e.ldx(8, r, R10, t.spill);
    this.take(t, r);
    return r;
  }

  /** Makes r free: its temp moves to another register (callee-saved when `forCall`). */
  claim(r: Reg, forCall = false): void {
    const t = this.owner[r];
    if (!t) return;
    this.move(t, forCall || r >= R6);
  }

  /** Moves t out of its register into another free one, or spills it. */
  private move(t: Temp, calleeOnly: boolean): void {
    const from = t.reg;
    const order: Reg[] = calleeOnly ? [6, 7, 8, 9] : [1, 2, 3, 4, 5, 0, 6, 7, 8, 9];
    const to = order.find((x) => x !== from && this.isFree(x) && !(calleeOnly && CALLER_SAVED.includes(x)));
    this.owner[from] = null;
    if (to !== undefined) {
      this.e.mov(to, from);
      this.take(t, to);
      return;
    }
    const off = t.spill ?? this.slots.allocSpill();
    this.e.stx(8, R10, off, from);
    t.reg = -1;
    t.spill = off;
  }

  /**
   * Before a helper call: every live temp in r0..r5 moves to r6..r9 or a spill slot, except
   * those in `dying` (arguments the call consumes: their registers are read while the
   * arguments are set up and die with the call).
   */
  beforeCall(dying: ReadonlySet<Temp> = new Set()): void {
    for (const r of CALLER_SAVED) {
      const t = this.owner[r];
      if (t && !dying.has(t)) this.move(t, true);
    }
  }

  /** True when no temp occupies r. */
  available(r: Reg): boolean {
    return this.isFree(r);
  }

  /** Moves every temp held in r0..r5 to callee-saved registers or spill slots (before branches that call). */
  evacuateCallerSaved(): void {
    this.beforeCall();
  }

  snapshot(): RegSnapshot {
    const places = new Map<Temp, { reg: Reg; spill: number | undefined }>();
    for (const t of this.live) places.set(t, { reg: t.reg, spill: t.spill });
    return { places };
  }

  /**
   * At the end of a branch arm: temps that were live before it are put back where they
   * were, so both arms meet with one register assignment. A spilled temp reloaded inside
   * the arm is simply spilled again (its slot still holds the value).
   */
  restore(s: RegSnapshot): void {
    for (const t of [...this.live]) {
      if (!s.places.has(t)) throw new InternalError(`temp ${t.id} allocated in a branch arm outlives it`);
    }
    for (const [t, p] of s.places) {
      if (t.freed) throw new InternalError(`temp ${t.id} freed inside a branch arm`);
      if (t.reg === p.reg && t.spill === p.spill) continue;
      if (p.reg < 0 && p.spill !== undefined) {
        // Reloaded in the arm: drop the register copy, the slot is still valid.
        if (t.reg >= 0 && this.owner[t.reg] === t) this.owner[t.reg] = null;
        t.reg = -1;
        t.spill = p.spill;
        continue;
      }
      throw new InternalError(`temp ${t.id} moved from r${p.reg} inside a branch arm`);
    }
  }

  /** Live temp count (tests and assertions). */
  get liveCount(): number {
    return this.live.size;
  }

  /** Registers currently holding temps (for assertions). */
  occupied(): Reg[] {
    const out: Reg[] = [];
    for (let r = 0; r <= R9; r++) if (this.owner[r]) out.push(r);
    return out;
  }
}
