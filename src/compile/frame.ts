// Memory for values that do not fit a register: slots in the 512-byte stack frame (below
// r10) and, for large values (strings of max_strlen bytes, big records), in a per-CPU
// scratch map value whose address the program keeps in r9. Slots are 8-byte aligned and
// freed explicitly, first fit, so nested and overlapping lifetimes both work. In: sizes.
// Out: {base register, offset}. Not: initialisation (the code generator writes slots).

import { InternalError } from '../diag/diagnostic.js';
import { MAX_BPF_STACK, R10, R9 } from '../ebpf/isa.js';
import type { Reg } from './emitter.js';
import type { SpillSlots } from './registers.js';

/** A piece of memory: `base` + `off` is its lowest address. */
export interface Slot {
  readonly base: Reg;
  readonly off: number;
  readonly size: number;
}

/** Values larger than this go to scratch memory even when the stack has room. */
export const STACK_VALUE_LIMIT = 256;
/** Per-CPU values may not exceed 32 KiB (PCPU_MIN_UNIT_SIZE). */
export const SCRATCH_LIMIT = 32768;

const UNIT = 8;

/** First-fit allocator over units of 8 bytes. */
class UnitPool {
  private readonly used: boolean[] = [];
  high = 0;
  constructor(private readonly limit: number) {}

  alloc(units: number): number | undefined {
    for (let i = 0; i + units <= this.limit; i++) {
      let ok = true;
      for (let k = 0; k < units; k++) {
        if (this.used[i + k]) {
          ok = false;
          i += k;
          break;
        }
      }
      if (!ok) continue;
      for (let k = 0; k < units; k++) this.used[i + k] = true;
      this.high = Math.max(this.high, i + units);
      return i;
    }
    return undefined;
  }

  free(at: number, units: number): void {
    for (let k = 0; k < units; k++) {
      if (!this.used[at + k]) throw new InternalError(`frame unit ${at + k} freed twice`);
      this.used[at + k] = false;
    }
  }
}

export class Frame implements SpillSlots {
  private readonly stack = new UnitPool(MAX_BPF_STACK / UNIT);
  private readonly scratch = new UnitPool(SCRATCH_LIMIT / UNIT);
  /** Set when something needed scratch memory (the program must set r9 up at entry). */
  usedScratch = false;
  /** Set when a value had to be on the stack and the stack was full. */
  overflow = false;
  /** Bytes of the values that did not fit (beyond the 512). */
  private overflowBytes = 0;

  constructor(
    /** May large values use scratch memory (r9)? False inside callbacks without it. */
    private readonly scratchAllowed: boolean,
    /** Scratch offsets start here (callbacks continue after their caller's area). */
    private readonly scratchBase = 0,
  ) {}

  /** Bytes of stack in use at most. */
  get stackSize(): number {
    return this.stack.high * UNIT;
  }

  /** Bytes of stack the function would need: what it used plus what did not fit. */
  get neededStack(): number {
    return this.stackSize + this.overflowBytes;
  }

  /** Bytes of scratch memory in use at most (from offset 0). */
  get scratchSize(): number {
    return this.scratchBase + this.scratch.high * UNIT;
  }

  /** A slot of `size` bytes: on the stack when small enough and there is room, else in scratch. */
  alloc(size: number, where: 'any' | 'stack' = 'any'): Slot {
    const units = Math.max(1, Math.ceil(size / UNIT));
    if (where === 'stack' || size <= STACK_VALUE_LIMIT || !this.scratchAllowed) {
      const at = this.stack.alloc(units);
      if (at !== undefined) return { base: R10, off: -(at + units) * UNIT, size: units * UNIT };
      if (where === 'stack' || !this.scratchAllowed) return this.overflowSlot(units);
    }
    const at = this.scratch.alloc(units);
    if (at === undefined) return this.overflowSlot(units);
    this.usedScratch = true;
    return { base: R9, off: this.scratchBase + at * UNIT, size: units * UNIT };
  }

  /** The stack is full: note it (compileProgram reports the limit) and hand out a slot anyway. */
  private overflowSlot(units: number): Slot {
    this.overflow = true;
    this.overflowBytes += units * UNIT;
    return { base: R10, off: -MAX_BPF_STACK - units * UNIT, size: units * UNIT };
  }

  free(s: Slot | undefined): void {
    if (!s) return;
    const units = s.size / UNIT;
    if (s.base === R10) {
      if (s.off < -MAX_BPF_STACK) return;
      this.stack.free(-s.off / UNIT - units, units);
    } else {
      this.scratch.free((s.off - this.scratchBase) / UNIT, units);
    }
  }

  allocSpill(): number {
    return this.alloc(8, 'stack').off;
  }

  freeSpill(off: number): void {
    this.free({ base: R10, off, size: 8 });
  }
}
