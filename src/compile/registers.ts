// Register allocation for the tree-walking code generator. Values being computed live in
// temps; a temp sits in one of r0..r9 or in a stack slot. Helper calls clobber r0..r5, so
// before one the live temps there move to r6..r9 (or spill); when every register is taken,
// the oldest temp spills. A spilled temp is loaded back when its register is next asked
// for. In: alloc/free requests from the code generator. Out: moves, spills and reloads
// emitted through the Emitter. Not: liveness analysis — owners free their temps.

import { InternalError } from '../diag/diagnostic.js';
import { R0, R10, R5, R6, R9 } from '../ebpf/isa.js';
import type { Emitter, Reg } from './emitter.js';

/**
 * A value in flight. While `current` ≥ 0 the register holds it; while -1, the spill slot
 * does. Reading `reg` brings a spilled temp back into a register (emitting the load), so
 * code holding a temp may always use `t.reg` right where it emits an instruction. A slot,
 * once given, stays with the temp until it is freed.
 */
export class Temp {
  /** The register holding the value, or -1 while spilled. */
  current: Reg = -1;
  /** Frame offset (from r10) of the spill slot. */
  spill: number | undefined;
  freed = false;
  constructor(
    readonly id: number,
    private readonly regs: Registers,
  ) {}

  /** The register holding the value, loading it back first when it was spilled. */
  get reg(): Reg {
    return this.current >= 0 ? this.current : this.regs.reload(this);
  }
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
const SCRATCH_FIRST: readonly Reg[] = [1, 2, 3, 4, 5, 0, 6, 7, 8, 9];
const CALLEE_FIRST: readonly Reg[] = [6, 7, 8, 9, 1, 2, 3, 4, 5, 0];

export class Registers {
  private readonly owner: (Temp | null)[] = new Array<Temp | null>(11).fill(null);
  /** Live temps in allocation order (the oldest spills first). */
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
    t.current = r;
  }

  /**
   * A free register in the given order of preference; when none is free, the oldest temp
   * (other than `keep`) is spilled to make one.
   */
  private freeRegister(order: readonly Reg[], keep?: Temp): Reg {
    const r = order.find((x) => this.isFree(x));
    if (r !== undefined) return r;
    const victim = [...this.live].find((t) => t !== keep && t.current >= 0);
    if (!victim) throw new InternalError('expression needs more registers than eBPF has');
    const freed = victim.current;
    this.spillTo(victim);
    return freed;
  }

  private spillTo(t: Temp): void {
    const from = t.current;
    const off = t.spill ?? this.slots.allocSpill();
    this.e.stx(8, R10, off, from);
    this.owner[from] = null;
    t.current = -1;
    t.spill = off;
  }

  /**
   * A new temp in a free register: callee-saved r6..r9 first when it must survive a call,
   * else a caller-saved one (r1..r5, then r0), falling back to the other kind.
   */
  alloc(survivesCall = false): Temp {
    const t = new Temp(this.nextId++, this);
    const r = this.freeRegister(survivesCall ? CALLEE_FIRST : SCRATCH_FIRST);
    this.take(t, r);
    this.live.add(t);
    return t;
  }

  /** A new temp that owns register r (which must be free: claim it first). */
  adopt(r: Reg): Temp {
    if (!this.isFree(r)) throw new InternalError(`r${r} adopted while in use`);
    const t = new Temp(this.nextId++, this);
    this.take(t, r);
    this.live.add(t);
    return t;
  }

  free(t: Temp | undefined): void {
    if (!t || t.freed) return;
    t.freed = true;
    if (t.current >= 0 && this.owner[t.current] === t) this.owner[t.current] = null;
    if (t.spill !== undefined) this.slots.freeSpill(t.spill);
    t.current = -1;
    t.spill = undefined;
    this.live.delete(t);
  }

  /** The register holding t (reloading a spilled temp). */
  reg(t: Temp): Reg {
    return t.reg;
  }

  /** Loads a spilled temp back into a free register. The slot stays reserved for t. */
  reload(t: Temp): Reg {
    if (t.freed) throw new InternalError(`temp ${t.id} used after free`);
    if (t.spill === undefined) throw new InternalError(`temp ${t.id} has neither a register nor a slot`);
    const r = this.freeRegister(SCRATCH_FIRST, t);
    // The slot stays reserved for t: a branch arm that reloaded it may be undone (restore).
    this.e.ldx(8, r, R10, t.spill);
    this.take(t, r);
    return r;
  }

  /** Moves t out of its register into another free one (callee-saved only when `calleeOnly`), or spills it. */
  private move(t: Temp, calleeOnly: boolean): void {
    const from = t.current;
    const order: Reg[] = calleeOnly ? [6, 7, 8, 9] : [...SCRATCH_FIRST];
    const to = order.find((x) => x !== from && this.isFree(x));
    if (to !== undefined) {
      this.owner[from] = null;
      this.e.mov(to, from);
      this.take(t, to);
      return;
    }
    this.spillTo(t);
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
    for (const t of this.live) places.set(t, { reg: t.current, spill: t.spill });
    return { places };
  }

  /**
   * At the end of a branch arm: temps that were live before it are put back where they
   * were, so both arms meet with one register assignment. A spilled temp reloaded inside
   * the arm is simply spilled again (its slot still holds the value); one spilled inside the
   * arm is loaded back into its register.
   */
  restore(s: RegSnapshot): void {
    for (const t of [...this.live]) {
      if (!s.places.has(t)) throw new InternalError(`temp ${t.id} allocated in a branch arm outlives it`);
    }
    // First drop the register copies of temps reloaded in the arm (freeing registers), then
    // load back the temps spilled in the arm; anything else moved is a code generator bug.
    for (const [t, p] of s.places) {
      if (t.freed) throw new InternalError(`temp ${t.id} freed inside a branch arm`);
      if (p.reg < 0 && p.spill !== undefined && t.current >= 0) {
        if (this.owner[t.current] === t) this.owner[t.current] = null;
        t.current = -1;
        t.spill = p.spill;
      }
    }
    for (const [t, p] of s.places) {
      if (t.current === p.reg && (p.reg >= 0 || t.spill === p.spill)) continue;
      if (p.reg >= 0 && t.current < 0 && t.spill !== undefined && this.isFree(p.reg)) {
        // Spilled under pressure in the arm: load it back where the other arm has it.
        this.e.ldx(8, p.reg, R10, t.spill);
        this.take(t, p.reg);
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

export { R6 };
