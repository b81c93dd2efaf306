// The instruction emitter: builds one eBPF function as a list of instructions whose jump
// targets are labels, then tidies it (jump threading, jumps to the next instruction, code
// after an unconditional jump that no label reaches) and resolves labels to the Linux
// pc-relative offsets. In: calls from the code generator. Out: Insn slots plus the map
// relocations. Not: register or stack allocation (registers.ts, frame.ts).

import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_DW, BPF_EXIT, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE,
  BPF_JGT, BPF_JLE, BPF_JLT, BPF_JMP, BPF_JMP32, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT,
  BPF_K, BPF_LD, BPF_LDX, BPF_MEM, BPF_MEMSX, BPF_MOV, BPF_PSEUDO_CALL, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE,
  BPF_ST, BPF_STX, BPF_X, R10, SIZE_BYTES, type Insn,
} from '../ebpf/isa.js';
import { InternalError } from '../diag/diagnostic.js';
import { hiOf, loOf } from '../ebpf/int64.js';
import type { MapReloc } from './compiled.js';

export type Reg = number;
export type Label = number;
export type Width = 1 | 2 | 4 | 8;

/** Conditions of conditional jumps, by the kernel's names. */
export type Cond = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'sgt' | 'sge' | 'slt' | 'sle' | 'set';

const COND_OP: Readonly<Record<Cond, number>> = {
  eq: BPF_JEQ, ne: BPF_JNE, gt: BPF_JGT, ge: BPF_JGE, lt: BPF_JLT, le: BPF_JLE,
  sgt: BPF_JSGT, sge: BPF_JSGE, slt: BPF_JSLT, sle: BPF_JSLE, set: BPF_JSET,
};

/** The condition that holds exactly when `c` does not (jset has none). */
export const NEGATED: Readonly<Record<Exclude<Cond, 'set'>, Cond>> = {
  eq: 'ne', ne: 'eq', gt: 'le', le: 'gt', ge: 'lt', lt: 'ge', sgt: 'sle', sle: 'sgt', sge: 'slt', slt: 'sge',
};

/** `a c b` ⇔ `b SWAPPED[c] a`. */
export const SWAPPED: Readonly<Record<Exclude<Cond, 'set'>, Cond>> = {
  eq: 'eq', ne: 'ne', gt: 'lt', lt: 'gt', ge: 'le', le: 'ge', sgt: 'slt', slt: 'sgt', sge: 'sle', sle: 'sge',
};

const SIZE_CODE: Readonly<Record<Width, number>> = { 1: 0x10, 2: 0x08, 4: 0x00, 8: BPF_DW };

/** One instruction before layout; `target` replaces off (jumps) or imm (local calls). */
interface Item {
  insn: Insn;
  /** 2 for lddw. */
  slots: 1 | 2;
  /** lddw: the high word. */
  imm2: number;
  target?: Label;
  /** Local call: the target goes in imm. */
  targetInImm?: boolean;
  map?: number;
  /** A label bound before this item (several may be). */
  removed?: boolean;
  /** A `ja` placed so that a verifier walks its path first: never folded into the jump before it. */
  keep?: boolean;
}

export interface EmittedCode {
  readonly insns: Insn[];
  readonly mapRelocs: MapReloc[];
  /** Helper ids in call order (static calls, for statistics). */
  readonly helperCalls: number[];
}

const mk = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({
  code: code & 0xff,
  dst,
  src,
  off: (off << 16) >> 16,
  imm: imm | 0,
});

export class Emitter {
  private readonly items: Item[] = [];
  /** label → index of the item it precedes (items.length when bound at the end). */
  private readonly labelAt: number[] = [];

  // ── labels ───────────────────────────────────────────────────────────────────────────

  newLabel(): Label {
    this.labelAt.push(-1);
    return this.labelAt.length - 1;
  }

  bind(l: Label): void {
    if (this.labelAt[l] !== -1) throw new InternalError(`label ${l} bound twice`);
    this.labelAt[l] = this.items.length;
  }

  /** A new label bound here. */
  here(): Label {
    const l = this.newLabel();
    this.bind(l);
    return l;
  }

  /** Number of instructions emitted so far (before tidying). */
  get length(): number {
    return this.items.length;
  }

  /** True when the last emitted instruction never falls through (exit or ja) and no label follows it. */
  get unreachable(): boolean {
    const last = this.items[this.items.length - 1];
    if (!last) return false;
    if (this.labelAt.includes(this.items.length)) return false;
    const c = last.insn.code;
    return c === (BPF_JMP | BPF_EXIT) || c === (BPF_JMP | BPF_JA);
  }

  private push(insn: Insn, extra: Partial<Item> = {}): void {
    this.items.push({ insn, slots: 1, imm2: 0, ...extra });
  }

  // ── ALU ──────────────────────────────────────────────────────────────────────────────

  /** dst = src (64-bit). A move to itself emits nothing. */
  mov(dst: Reg, src: Reg): void {
    if (dst !== src) this.push(mk(BPF_ALU64 | BPF_X | BPF_MOV, dst, src, 0, 0));
  }

  /** w dst = w src: copies the low 32 bits and clears the high ones. */
  mov32(dst: Reg, src: Reg): void {
    this.push(mk(BPF_ALU | BPF_X | BPF_MOV, dst, src, 0, 0));
  }

  /** dst = sign-extended low `from` bytes of src (movsx, Linux 6.6+). */
  movsx(dst: Reg, src: Reg, from: 1 | 2 | 4): void {
    this.push(mk(BPF_ALU64 | BPF_X | BPF_MOV, dst, src, from * 8, 0));
  }

  /** dst = value, with the shortest sequence: mov imm (sign-extended 32-bit), mov32 imm (zero-extended), or lddw. */
  movImm(dst: Reg, value: bigint): void {
    const v = BigInt.asIntN(64, value);
    if (v >= -0x8000_0000n && v <= 0x7fff_ffffn) {
      this.push(mk(BPF_ALU64 | BPF_K | BPF_MOV, dst, 0, 0, Number(v)));
    } else if (v >= 0n && v <= 0xffff_ffffn) {
      this.push(mk(BPF_ALU | BPF_K | BPF_MOV, dst, 0, 0, Number(v) | 0));
    } else {
      this.ldImm64(dst, v);
    }
  }

  ldImm64(dst: Reg, value: bigint): void {
    this.push(mk(BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, loOf(value)), { slots: 2, imm2: hiOf(value) });
  }

  /** dst = pointer to map `map` (relocated to its fd). */
  ldMap(dst: Reg, map: number): void {
    this.push(mk(BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_MAP_FD, 0, map + 1), { slots: 2, imm2: 0, map });
  }

  /** dst = pointer to byte `off` of element 0's value of array map `map` (direct value access). */
  ldMapValue(dst: Reg, map: number, off: number): void {
    this.push(mk(BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_MAP_VALUE, 0, map + 1), { slots: 2, imm2: off, map });
  }

  /** dst op= imm (op: BPF_ADD…); width 32 uses the ALU class (result zero-extended). */
  aluImm(op: number, dst: Reg, imm: number, width: 32 | 64 = 64, off = 0): void {
    if (imm < -0x8000_0000 || imm > 0x7fff_ffff || !Number.isInteger(imm)) throw new InternalError(`alu imm ${imm} out of range`);
    this.push(mk((width === 64 ? BPF_ALU64 : BPF_ALU) | BPF_K | op, dst, 0, off, imm));
  }

  /** dst op= src. `off` selects sdiv/smod (1). */
  aluReg(op: number, dst: Reg, src: Reg, width: 32 | 64 = 64, off = 0): void {
    this.push(mk((width === 64 ? BPF_ALU64 : BPF_ALU) | BPF_X | op, dst, src, off, 0));
  }

  /** dst += imm, nothing for 0. */
  addImm(dst: Reg, imm: number): void {
    if (imm !== 0) this.aluImm(BPF_ADD, dst, imm);
  }

  /** dst = r10 + off: the address of a stack slot. */
  fpAddr(dst: Reg, off: number): void {
    this.mov(dst, R10);
    this.addImm(dst, off);
  }

  /** Byte swap / endianness conversion (op BPF_END). */
  raw(insn: Insn): void {
    this.push(insn);
  }

  // ── memory ───────────────────────────────────────────────────────────────────────────

  /** dst = *(u{size} *)(src + off), or sign-extending (ldxs, Linux 6.6+). */
  ldx(size: Width, dst: Reg, src: Reg, off: number, signed = false): void {
    const mode = signed && size !== 8 ? BPF_MEMSX : BPF_MEM;
    this.push(mk(BPF_LDX | mode | SIZE_CODE[size], dst, src, off, 0));
  }

  /** *(u{size} *)(dst + off) = src */
  stx(size: Width, dst: Reg, off: number, src: Reg): void {
    this.push(mk(BPF_STX | BPF_MEM | SIZE_CODE[size], dst, src, off, 0));
  }

  /** *(u{size} *)(dst + off) = imm (a 64-bit store sign-extends the 32-bit imm). */
  st(size: Width, dst: Reg, off: number, imm: number): void {
    this.push(mk(BPF_ST | BPF_MEM | SIZE_CODE[size], dst, 0, off, imm));
  }

  /** lock *(u{size} *)(dst + off) += src */
  atomicAdd(size: 4 | 8, dst: Reg, off: number, src: Reg): void {
    this.push(mk(BPF_STX | BPF_ATOMIC | SIZE_CODE[size], dst, src, off, BPF_ADD));
  }

  // ── control flow ─────────────────────────────────────────────────────────────────────

  /**
   * goto l. `keep`: after a conditional jump, this path stays the fall-through (the one a
   * verifier walks first, the jump's target waiting) instead of becoming the inverted jump.
   */
  ja(l: Label, keep = false): void {
    this.push(mk(BPF_JMP | BPF_JA, 0, 0, 0, 0), keep ? { target: l, keep } : { target: l });
  }

  /** if (dst c imm) goto l; width 32 compares the low words (JMP32). */
  jImm(c: Cond, dst: Reg, imm: number, l: Label, width: 32 | 64 = 64): void {
    if (imm < -0x8000_0000 || imm > 0x7fff_ffff || !Number.isInteger(imm)) throw new InternalError(`jump imm ${imm} out of range`);
    this.push(mk((width === 64 ? BPF_JMP : BPF_JMP32) | BPF_K | COND_OP[c], dst, 0, 0, imm), { target: l });
  }

  /** if (dst c src) goto l */
  jReg(c: Cond, dst: Reg, src: Reg, l: Label, width: 32 | 64 = 64): void {
    this.push(mk((width === 64 ? BPF_JMP : BPF_JMP32) | BPF_X | COND_OP[c], dst, src, 0, 0), { target: l });
  }

  call(helper: number): void {
    this.push(mk(BPF_JMP | BPF_CALL, 0, 0, 0, helper));
  }

  /** bpf-to-bpf call of the function starting at label l. */
  callLocal(l: Label): void {
    this.push(mk(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0), { target: l, targetInImm: true });
  }

  /** lddw dst, the address of the function at label l (BPF_PSEUDO_FUNC, for callbacks). */
  ldFunc(dst: Reg, l: Label): void {
    this.push(mk(BPF_LD | BPF_IMM | BPF_DW, dst, 4, 0, 0), { slots: 2, imm2: 0, target: l, targetInImm: true });
  }

  exit(): void {
    this.push(mk(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  }

  // ── layout ───────────────────────────────────────────────────────────────────────────

  /** Tidies and lays out the code: label offsets resolved, map relocations by slot. */
  finish(): EmittedCode {
    this.tidy();
    const live = this.items.filter((it) => !it.removed);
    // Slot of each live item and of each label.
    const slotOfItem = new Map<Item, number>();
    let slot = 0;
    for (const it of live) {
      slotOfItem.set(it, slot);
      slot += it.slots;
    }
    const labelSlot = (l: Label): number => {
      let at = this.labelAt[l]!;
      if (at < 0) throw new InternalError(`label ${l} never bound`);
      while (at < this.items.length && this.items[at]!.removed) at++;
      return at < this.items.length ? slotOfItem.get(this.items[at]!)! : slot;
    };
    const insns: Insn[] = [];
    const mapRelocs: MapReloc[] = [];
    const helperCalls: number[] = [];
    for (const it of live) {
      const pc = slotOfItem.get(it)!;
      let insn = it.insn;
      if (it.target !== undefined) {
        const rel = labelSlot(it.target) - (pc + 1);
        if (it.targetInImm) insn = { ...insn, imm: rel };
        else {
          if (rel < -0x8000 || rel > 0x7fff) throw new InternalError(`jump of ${rel} slots does not fit in off`);
          insn = { ...insn, off: rel };
        }
      }
      if (it.map !== undefined) mapRelocs.push({ insn: pc, map: it.map });
      if (insn.code === (BPF_JMP | BPF_CALL) && insn.src === 0) helperCalls.push(insn.imm);
      insns.push(insn);
      if (it.slots === 2) insns.push(mk(0, 0, 0, 0, it.imm2));
    }
    return { insns, mapRelocs, helperCalls };
  }

  /** Item index a label resolves to after removals (the next live item), or items.length. */
  private resolveLabel(l: Label): number {
    let at = this.labelAt[l]!;
    while (at < this.items.length && this.items[at]!.removed) at++;
    return at;
  }

  private isJa(it: Item | undefined): boolean {
    return it !== undefined && it.insn.code === (BPF_JMP | BPF_JA) && it.target !== undefined;
  }

  private isExit(it: Item | undefined): boolean {
    return it !== undefined && it.insn.code === (BPF_JMP | BPF_EXIT);
  }

  private isCond(it: Item): boolean {
    const cls = it.insn.code & 7;
    return (cls === BPF_JMP || cls === BPF_JMP32) && it.target !== undefined && !it.targetInImm && !this.isJa(it);
  }

  /** Peephole passes to a fixed point; each only removes instructions or retargets jumps. */
  private tidy(): void {
    for (let round = 0; round < 20; round++) {
      let changed = false;
      const n = this.items.length;
      // Jump threading: a jump whose target is `ja M` goes to M instead.
      for (const it of this.items) {
        if (it.removed || it.target === undefined || it.targetInImm) continue;
        const seen = new Set<number>();
        let t = it.target;
        for (;;) {
          const at = this.resolveLabel(t);
          const dest = this.items[at];
          if (!this.isJa(dest) || seen.has(t) || dest === it) break;
          seen.add(t);
          t = dest!.target!;
        }
        if (t !== it.target) {
          it.target = t;
          changed = true;
        }
      }
      // `if c goto L1; ja L2; L1:` → `if !c goto L2`.
      let targets = this.targetedItems();
      for (let i = 0; i < n; i++) {
        const a = this.items[i]!;
        if (a.removed || !this.isCond(a)) continue;
        const j = this.nextLive(i);
        const b = this.items[j];
        if (!b || !this.isJa(b) || b.keep || targets.has(j)) continue;
        const after = this.nextLive(j);
        if (this.resolveLabel(a.target!) !== after) continue;
        const op = a.insn.code & 0xf0;
        const cond = (Object.keys(COND_OP) as Cond[]).find((c) => COND_OP[c] === op);
        if (!cond || cond === 'set') continue;
        a.insn = { ...a.insn, code: (a.insn.code & 0x0f) | COND_OP[NEGATED[cond]] };
        a.target = b.target;
        b.removed = true;
        changed = true;
        targets = this.targetedItems();
      }
      // A jump to the next live instruction does nothing.
      for (let i = 0; i < n; i++) {
        const it = this.items[i]!;
        if (it.removed || it.target === undefined || it.targetInImm) continue;
        if (!(this.isJa(it) || this.isCond(it))) continue;
        if (this.resolveLabel(it.target) === this.nextLive(i)) {
          it.removed = true;
          changed = true;
        }
      }
      // Code after ja/exit that no jump reaches is dead.
      const targeted = this.targetedItems();
      let dead = false;
      for (let i = 0; i < n; i++) {
        const it = this.items[i]!;
        if (it.removed) continue;
        if (dead && !targeted.has(i)) {
          it.removed = true;
          changed = true;
          continue;
        }
        dead = this.isJa(it) || this.isExit(it);
      }
      if (!changed) break;
    }
  }

  private nextLive(i: number): number {
    let j = i + 1;
    while (j < this.items.length && this.items[j]!.removed) j++;
    return j;
  }

  /** Item indexes some live jump or call lands on. */
  private targetedItems(): Set<number> {
    const s = new Set<number>();
    for (const it of this.items) if (!it.removed && it.target !== undefined) s.add(this.resolveLabel(it.target));
    return s;
  }
}

/** Bytes of a load/store size code, for tests and dumps. */
export function widthOfSizeCode(code: number): Width {
  return SIZE_BYTES[code & 0x18]!;
}
