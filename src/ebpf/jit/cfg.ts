// The JIT's view of a loaded program's control flow: its functions (slot 0 and every local-call
// target), each one's basic blocks in address order, and each block's way out. In: a Program
// (its rows). Out: JitFunction[]. Not: structuring into JS loops and labels (structure.ts)
// or code (emit-*.ts). Functions are traced from their entry alone, so code two functions
// share (possible only in unverified programs) is compiled into both.

import { BPF_PSEUDO_FUNC } from '../isa.js';
import type { OpcodeRow } from '../opcodes.js';
import { targetOf, type Program } from '../program.js';

/** How a block ends. */
export type BlockEnd =
  /** Falls through into `next` (the following block starts there). */
  | { readonly kind: 'fall'; readonly next: number }
  /** `ja`: always to `target`. */
  | { readonly kind: 'jump'; readonly target: number }
  /** A conditional jump at `pc`: to `target` when taken, else to `next`. */
  | { readonly kind: 'cond'; readonly pc: number; readonly target: number; readonly next: number }
  /** A bpf-to-bpf call at `pc` to the function at `callee`; returns to `next`. */
  | { readonly kind: 'call'; readonly pc: number; readonly callee: number; readonly next: number }
  /** `exit` at `pc`. */
  | { readonly kind: 'exit'; readonly pc: number }
  /** The last instruction always faults (kfunc call, unresolved lddw pseudo forms). */
  | { readonly kind: 'fault' }
  /** The pseudo block past the last slot: running into it is the `fell_off` fault. */
  | { readonly kind: 'falloff' };

export interface JitBlock {
  /** First slot (the program's length for the fall-off block). */
  readonly start: number;
  /** Instruction slots in order (lddw's second slot left out). */
  readonly pcs: readonly number[];
  readonly end: BlockEnd;
}

export interface JitFunction {
  /** Slot of the first instruction; 0 for the main program. */
  readonly entry: number;
  /** The program itself, as opposed to a bpf-to-bpf callee (which may start at slot 0 too). */
  readonly isMain: boolean;
  /** Reachable blocks in address order (the fall-off block, if reachable, last). */
  readonly blocks: readonly JitBlock[];
  /** Some jump goes to a block at or before its own (a loop). */
  readonly hasBackEdge: boolean;
  /** Functions this one calls (entry slots). */
  readonly callees: readonly number[];
}

/** The slots control can go to from pc within its function, and whether pc ends a block. */
function successors(row: OpcodeRow, prog: Program, pc: number): { succ: number[]; ends: boolean } {
  const next = pc + row.slots;
  switch (row.kind) {
    case 'exit':
      return { succ: [], ends: true };
    case 'ja':
      return { succ: [targetOf(row, prog.insns[pc]!, pc)!], ends: true };
    case 'jcond':
      return { succ: [next, targetOf(row, prog.insns[pc]!, pc)!], ends: true };
    case 'call_local':
      return { succ: [next], ends: true };
    case 'call_kfunc':
      return { succ: [], ends: true };
    case 'lddw':
      // src 0, 1 and 4 are constants, src 2 resolves at run time; the other pseudo forms fault.
      return row.pseudo <= 2 || row.pseudo === BPF_PSEUDO_FUNC ? { succ: [next], ends: false } : { succ: [], ends: true };
    default:
      return { succ: [next], ends: false };
  }
}

function blockEnd(row: OpcodeRow | undefined, prog: Program, pc: number, next: number): BlockEnd {
  if (row === undefined) return { kind: 'fall', next };
  switch (row.kind) {
    case 'exit':
      return { kind: 'exit', pc };
    case 'ja':
      return { kind: 'jump', target: targetOf(row, prog.insns[pc]!, pc)! };
    case 'jcond':
      return { kind: 'cond', pc, target: targetOf(row, prog.insns[pc]!, pc)!, next };
    case 'call_local':
      return { kind: 'call', pc, callee: targetOf(row, prog.insns[pc]!, pc)!, next };
    case 'call_kfunc':
      return { kind: 'fault' };
    case 'lddw':
      return row.pseudo <= 2 || row.pseudo === BPF_PSEUDO_FUNC ? { kind: 'fall', next } : { kind: 'fault' };
    default:
      return { kind: 'fall', next };
  }
}

/** One function: the slots reachable from entry without entering callees, cut into blocks. */
function traceFunction(prog: Program, entry: number, isMain: boolean): JitFunction {
  const n = prog.insns.length;
  const rows = prog.rows;
  const reached = new Uint8Array(n + 1);
  const leader = new Uint8Array(n + 1);
  const callees = new Set<number>();
  leader[entry] = 1;
  const work = [entry];
  reached[entry] = 1;
  let hasBackEdge = false;
  while (work.length > 0) {
    const pc = work.pop()!;
    if (pc === n) continue; // the fall-off pseudo block
    const row = rows[pc]!;
    const { succ, ends } = successors(row, prog, pc);
    if (row.kind === 'call_local') callees.add(targetOf(row, prog.insns[pc]!, pc)!);
    for (const s of succ) {
      if (ends) leader[s] = 1;
      if (row.kind === 'ja' || (row.kind === 'jcond' && s !== pc + 1)) {
        if (s <= pc) hasBackEdge = true;
      }
      if (s === n) leader[s] = 1;
      if (!reached[s]) {
        reached[s] = 1;
        work.push(s);
      }
    }
  }
  const blocks: JitBlock[] = [];
  for (let start = 0; start <= n; start++) {
    if (!reached[start] || !leader[start]) continue;
    if (start === n) {
      blocks.push({ start, pcs: [], end: { kind: 'falloff' } });
      continue;
    }
    const pcs: number[] = [];
    let pc = start;
    for (;;) {
      const row = rows[pc]!;
      pcs.push(pc);
      const next = pc + row.slots;
      const { ends } = successors(row, prog, pc);
      if (ends || next > n || leader[next] || !reached[next]) {
        blocks.push({ start, pcs, end: blockEnd(row, prog, pc, next) });
        break;
      }
      pc = next;
    }
  }
  return { entry, isMain, blocks, hasBackEdge, callees: [...callees].sort((a, b) => a - b) };
}

/** The functions whose address some lddw src=4 takes: callbacks a helper may call. */
export function callbackEntries(prog: Program): number[] {
  const out: number[] = [];
  prog.funcEntries.forEach((f, slot) => {
    if (f === 1) out.push(slot);
  });
  return out;
}

/**
 * Every function of the program: main first, then the callees and callbacks in address order
 * (a call to slot 0, possible only unverified, gets a callee of its own beside main). Every
 * callback is one, reachable or not, as the interpreter would run it.
 */
export function traceFunctions(prog: Program): JitFunction[] {
  const main = traceFunction(prog, 0, true);
  const callees = new Map<number, JitFunction>();
  const work = [...main.callees, ...callbackEntries(prog)];
  while (work.length > 0) {
    const entry = work.pop()!;
    if (callees.has(entry)) continue;
    const fn = traceFunction(prog, entry, false);
    callees.set(entry, fn);
    for (const c of fn.callees) if (!callees.has(c)) work.push(c);
  }
  return [main, ...[...callees.values()].sort((a, b) => a.entry - b.entry)];
}
