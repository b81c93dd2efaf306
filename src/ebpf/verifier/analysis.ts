// Per-instruction facts the verifier proved, for the JIT: which memory kind each load/store
// touches, its fixed offset when constant, and which registers hold values below 2^32. Facts
// are gathered while paths are explored; pruned paths only guarantee what the explored state's
// precise values guarantee, so a forward taint pass over the CFG withdraws the 32-bit fact for
// values a pruned path may hold outside the explored bounds. In: the env's aux table; out: the
// table callers receive. Not a second verifier: nothing here rejects.

import {
  BPF_ALU, BPF_ALU64, BPF_CALL, BPF_JMP, BPF_LD, BPF_LDX, BPF_MOV, BPF_PSEUDO_CALL, BPF_ST, BPF_STX, BPF_X,
  classOf, opOf, sourceOf, type Insn,
} from '../isa.js';
import type { InsnAux } from './env.js';

export interface InsnFacts {
  /** Some path reached this instruction (false: dead code, every path decided a branch away). */
  readonly reached: boolean;
  /** Loads, stores, atomics: the memory every path's pointer pointed into ('mixed' if they differ). */
  readonly mem?: 'stack' | 'ctx' | 'map_value' | 'mem' | 'btf' | 'mixed';
  /** The access's offset from the start of that memory (frame pointer for the stack) when fixed. */
  readonly memOff?: number;
  /** A map value access: the map's fd, when every path's pointer points into that one map. */
  readonly memMap?: number;
  /** The access was proven inside its region on every path (kernel objects are read by probe). */
  readonly inBounds?: boolean;
  /** Bit n set: rn holds a scalar below 2^32 whenever this instruction starts. */
  readonly fits32: number;
}

export interface ProgramAnalysis {
  readonly insns: readonly InsnFacts[];
}

const ALL_REGS = 0x7ff;

/** Forward union of taint: which registers may hold out-of-bounds-of-explored values. */
function propagateTaint(insns: readonly Insn[], aux: readonly InsnAux[], succ0: readonly number[], succ1: readonly number[], multiFunc: boolean): Int32Array {
  const n = insns.length;
  const inRegs = new Int32Array(n);
  const inStack = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++) {
    inRegs[i] = aux[i]!.taint;
    inStack[i] = aux[i]!.stackTaint ? 1 : 0;
    if (inRegs[i] || inStack[i]) any = true;
  }
  if (!any) return inRegs;
  if (multiFunc) return inRegs.fill(ALL_REGS);
  const work: number[] = [];
  for (let i = 0; i < n; i++) if (inRegs[i] || inStack[i]) work.push(i);
  while (work.length) {
    const i = work.pop()!;
    const x = insns[i]!;
    let regs = inRegs[i]!;
    let stack = inStack[i]!;
    const cls = classOf(x.code);
    const bit = 1 << x.dst;
    if (cls === BPF_ALU || cls === BPF_ALU64) {
      const srcT = sourceOf(x.code) === BPF_X ? (regs >> x.src) & 1 : 0;
      if (opOf(x.code) === BPF_MOV) regs = srcT ? regs | bit : regs & ~bit;
      else if (srcT) regs |= bit;
    } else if (cls === BPF_LDX) {
      regs = stack ? regs | bit : regs & ~bit;
    } else if (cls === BPF_STX || cls === BPF_ST) {
      if (cls === BPF_STX && (regs >> x.src) & 1) stack = 1;
    } else if (cls === BPF_LD) {
      regs &= ~bit;
    } else if (cls === BPF_JMP && opOf(x.code) === BPF_CALL && x.src !== BPF_PSEUDO_CALL) {
      regs &= ~0x3f;
    }
    for (const s of [succ0[i]!, succ1[i]!]) {
      if (s < 0) continue;
      const nr = inRegs[s]! | regs;
      const ns = inStack[s]! | stack;
      if (nr !== inRegs[s] || ns !== inStack[s]) {
        inRegs[s] = nr;
        inStack[s] = ns;
        work.push(s);
      }
    }
  }
  return inRegs;
}

export function buildAnalysis(
  insns: readonly Insn[],
  aux: readonly InsnAux[],
  succ0: readonly number[],
  succ1: readonly number[],
  multiFunc: boolean,
): ProgramAnalysis {
  const taint = propagateTaint(insns, aux, succ0, succ1, multiFunc);
  const out: InsnFacts[] = aux.map((a, i) => {
    const fits32 = a.seen ? a.fits32 & ~taint[i]! : 0;
    if (a.mem === '') return { reached: a.seen, fits32 };
    const facts: InsnFacts = {
      reached: a.seen,
      mem: a.mem,
      inBounds: a.mem !== 'btf' && a.mem !== 'mixed',
      fits32,
      ...(a.memOff !== null ? { memOff: a.memOff } : {}),
      ...(a.memMap > 0 ? { memMap: a.memMap } : {}),
    };
    return facts;
  });
  return { insns: out };
}
