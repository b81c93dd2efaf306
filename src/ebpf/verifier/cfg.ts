// The checks Linux makes before exploring any path (check_subprogs, resolve_pseudo_ldimm64,
// check_cfg): subprogram boundaries and jumps that stay inside them, lddw pairs and their map
// references, opcodes outside the instruction table, a depth-first walk of the control flow
// graph for unreachable instructions and back-edges, and the prune points where explored
// states are kept. In: the instructions and map lookup; out: subprogram starts and prune
// points, or a rejection. Nothing here follows register values.

import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_B, BPF_CALL, BPF_DW, BPF_END, BPF_EXIT, BPF_H, BPF_IND,
  BPF_JA, BPF_JMP, BPF_JMP32, BPF_K, BPF_LD, BPF_LDX, BPF_MEM, BPF_MEMSX, BPF_NEG, BPF_PSEUDO_CALL,
  BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE, BPF_ST, BPF_STX, BPF_TO_BE, BPF_TO_LE, BPF_W, BPF_X, LDDW, classOf,
  modeOf, opOf, type Insn,
} from '../isa.js';
import { HELPER_PROTOS } from '../helpers/prototypes.js';
import type { MapSpec } from '../maps/map.js';
import { VerifierReject } from './log.js';

/** lddw src=4: imm is the pc-relative offset of a subprogram; the register gets its address. */
export const BPF_PSEUDO_FUNC = 4;

/** Linux's BPF_MAX_VAR_OFF. */
const MAX_VAR_OFF = 1 << 29;

/** Every opcode in Linux's instruction table (BPF_INSN_MAP in kernel/bpf/core.c). */
export const VALID_OPCODES: ReadonlySet<number> = (() => {
  const s = new Set<number>();
  const aluOps = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0];
  for (const cls of [BPF_ALU, BPF_ALU64]) {
    for (const op of aluOps) for (const src of [BPF_K, BPF_X]) s.add(cls | op | src);
    s.add(cls | BPF_NEG);
  }
  s.add(BPF_ALU | BPF_END | BPF_TO_LE);
  s.add(BPF_ALU | BPF_END | BPF_TO_BE);
  s.add(BPF_ALU64 | BPF_END | BPF_TO_LE);
  const jmpOps = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
  for (const cls of [BPF_JMP, BPF_JMP32]) {
    for (const op of jmpOps) for (const src of [BPF_K, BPF_X]) s.add(cls | op | src);
    s.add(cls | BPF_JA);
  }
  s.add(BPF_JMP | BPF_CALL);
  s.add(BPF_JMP | BPF_EXIT);
  const sizes = [BPF_B, BPF_H, BPF_W, BPF_DW];
  for (const sz of sizes) {
    s.add(BPF_STX | BPF_ATOMIC | sz);
    s.add(BPF_STX | BPF_MEM | sz);
    s.add(BPF_ST | BPF_MEM | sz);
    s.add(BPF_LDX | BPF_MEM | sz);
  }
  for (const sz of [BPF_B, BPF_H, BPF_W]) {
    s.add(BPF_LDX | BPF_MEMSX | sz);
    s.add(BPF_LD | BPF_ABS | sz);
    s.add(BPF_LD | BPF_IND | sz);
  }
  s.add(LDDW);
  return s;
})();

export interface CfgInfo {
  /** First instruction of each subprogram, ascending; [0] is the main program. */
  readonly subprogStarts: number[];
  /** 1 where explored states are compared and kept (Linux's prune points). */
  readonly prunePoints: readonly number[];
  /** 1 at calls of helpers that call a callback: a state is always kept there (loop head). */
  readonly callsCallback: readonly number[];
  /** Successors of each instruction (for the analysis pass), -1 for none. */
  readonly succ0: readonly number[];
  readonly succ1: readonly number[];
}

const isLddw = (x: Insn | undefined): boolean => x !== undefined && x.code === LDDW;

/** Where a jump instruction goes when taken. */
function jumpTarget(x: Insn, i: number): number {
  return classOf(x.code) === BPF_JMP32 && opOf(x.code) === BPF_JA ? i + x.imm + 1 : i + x.off + 1;
}

function fail(message: string, insn: number): never {
  throw new VerifierReject(message, insn);
}

function findSubprogs(insns: readonly Insn[]): number[] {
  const starts = new Set<number>([0]);
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    const call = x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_CALL;
    if (call || (x.code === LDDW && x.src === BPF_PSEUDO_FUNC)) {
      const t = i + x.imm + 1;
      if (t < 0 || t >= insns.length) fail('call to invalid destination', i);
      starts.add(t);
    }
  }
  return [...starts].sort((a, b) => a - b);
}

/** check_subprogs: jumps stay within their subprogram; each ends with exit or a jump. */
function checkSubprogs(insns: readonly Insn[], starts: readonly number[]): void {
  let sp = 0;
  let start = 0;
  let end = starts.length > 1 ? starts[1]! : insns.length;
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    const cls = classOf(x.code);
    const op = opOf(x.code);
    if ((cls === BPF_JMP || cls === BPF_JMP32) && op !== BPF_CALL && op !== BPF_EXIT) {
      const t = jumpTarget(x, i);
      if (t < start || t >= end) fail(`jump out of range from insn ${i} to ${t}`, i);
    }
    if (i === end - 1) {
      if (x.code !== (BPF_JMP | BPF_EXIT) && x.code !== (BPF_JMP32 | BPF_JA) && x.code !== (BPF_JMP | BPF_JA)) {
        fail('last insn is not an exit or jmp', i);
      }
      start = end;
      sp++;
      end = sp + 1 < starts.length ? starts[sp + 1]! : insns.length;
    }
  }
}

/** resolve_pseudo_ldimm64: lddw pairs, their map references, and the opcode table. */
function checkInsnTable(insns: readonly Insn[], mapOf: (fd: number) => MapSpec | undefined): void {
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    if (classOf(x.code) === BPF_LDX && ((modeOf(x.code) !== BPF_MEM && modeOf(x.code) !== BPF_MEMSX) || x.imm !== 0)) {
      fail('BPF_LDX uses reserved fields', i);
    }
    if (x.code === LDDW) {
      const y = insns[i + 1];
      if (y === undefined || y.code !== 0 || y.dst !== 0 || y.src !== 0 || y.off !== 0) fail('invalid bpf_ld_imm64 insn', i);
      if (x.src !== 0) {
        if (x.src === BPF_PSEUDO_FUNC) {
          i++;
          continue;
        }
        if (!((x.src === BPF_PSEUDO_MAP_FD && y.imm === 0) || x.src === BPF_PSEUDO_MAP_VALUE)) fail('unrecognized bpf_ld_imm64 insn', i);
        const map = mapOf(x.imm);
        if (map === undefined) fail(`fd ${x.imm} is not pointing to valid bpf_map`, i);
        if (x.src === BPF_PSEUDO_MAP_VALUE) {
          const off = y.imm >>> 0;
          if (off >= MAX_VAR_OFF) fail(`direct value offset of ${off} is not allowed`, i);
          if (map.type !== 'array') fail('no direct value access support for this map type', i);
          if (map.maxEntries !== 1 || off >= map.valueSize) {
            fail(`invalid access to map value pointer, value_size=${map.valueSize} off=${off}`, i);
          }
        }
      }
      i++;
      continue;
    }
    if (!VALID_OPCODES.has(x.code)) fail(`unknown opcode ${x.code.toString(16).padStart(2, '0')}`, i);
  }
}

/** Where control may go after instruction i: up to two successors, -1 for none. */
function fillSuccessors(insns: readonly Insn[], i: number, s0: number[], s1: number[]): void {
  const x = insns[i]!;
  const cls = classOf(x.code);
  s0[i] = i + 1;
  s1[i] = -1;
  if (cls === BPF_JMP || cls === BPF_JMP32) {
    const op = opOf(x.code);
    if (op === BPF_EXIT) s0[i] = -1;
    else if (op === BPF_CALL) {
      if (x.src === BPF_PSEUDO_CALL) s1[i] = i + x.imm + 1;
    } else if (op === BPF_JA) s0[i] = jumpTarget(x, i);
    else s1[i] = i + x.off + 1;
  } else if (isLddw(x)) {
    s0[i] = i + 2;
    // The function a callback address names is reachable from here.
    if (x.src === BPF_PSEUDO_FUNC) s1[i] = i + x.imm + 1;
  }
}

/** check_cfg: a depth-first walk marking prune points, rejecting back-edges when loops are off. */
// Plain small-integer arrays, not typed arrays: these are short-lived, and typed arrays over
// 64 bytes live off-heap, which makes the garbage collector run far more often.
function walkCfg(insns: readonly Insn[], boundedLoops: boolean): { prune: number[]; callsCallback: number[]; succ0: number[]; succ1: number[] } {
  const n = insns.length;
  const prune = new Array<number>(n).fill(0);
  const callsCallback = new Array<number>(n).fill(0);
  const succ0 = new Array<number>(n).fill(-1);
  const succ1 = new Array<number>(n).fill(-1);
  const state = new Array<number>(n).fill(0); // 0 unseen, 1 on the stack, 2 done
  const stack = new Array<number>(n).fill(0);
  const edge = new Array<number>(n).fill(0);
  let sp = 0;
  stack[sp++] = 0;
  state[0] = 1;
  while (sp > 0) {
    const t = stack[sp - 1]!;
    const k = edge[sp - 1]!;
    if (k === 0) {
      fillSuccessors(insns, t, succ0, succ1);
      const x = insns[t]!;
      const cls = classOf(x.code);
      const op = opOf(x.code);
      if ((cls === BPF_JMP || cls === BPF_JMP32) && op !== BPF_EXIT) {
        if (op === BPF_CALL) {
          if (t + 1 < n) prune[t + 1] = 1;
          if (x.src === BPF_PSEUDO_CALL) prune[t] = 1;
          // The callback returns here for its next iteration: keep states to find a fixpoint.
          if (x.src === 0 && HELPER_PROTOS.get(x.imm)?.callback !== undefined) {
            prune[t] = 1;
            callsCallback[t] = 1;
          }
        } else if (op === BPF_JA) {
          const w = succ0[t]!;
          if (w >= 0 && w < n) prune[w] = 1;
        } else prune[t] = 1;
        const b = succ1[t]!;
        if (b >= 0 && b < n) prune[b] = 1;
      } else if (isLddw(x) && x.src === BPF_PSEUDO_FUNC) {
        const b = succ1[t]!;
        if (b >= 0 && b < n) prune[b] = 1;
      }
    }
    if (k >= 2) {
      state[t] = 2;
      sp--;
      continue;
    }
    edge[sp - 1] = k + 1;
    const w = k === 0 ? succ0[t]! : succ1[t]!;
    // Targets below 0 were refused by checkSubprogs; -1 is "no successor".
    if (w === -1) continue;
    if (w < 0 || w >= n) fail(`jump out of range from insn ${t} to ${w}`, t);
    if (state[w] === 0) {
      state[w] = 1;
      stack[sp] = w;
      edge[sp] = 0;
      sp++;
    } else if (state[w] === 1 && !boundedLoops) {
      fail(`back-edge from insn ${t} to ${w}`, t);
    }
  }
  for (let i = 0; i < n; i++) {
    if (state[i] !== 2) fail(`unreachable insn ${i}`, i);
    if (isLddw(insns[i])) {
      if (state[i + 1] !== 0) fail(`jump into the middle of ldimm64 insn ${i}`, i);
      i++;
    }
  }
  return { prune, callsCallback, succ0, succ1 };
}

export function checkCfg(insns: readonly Insn[], mapOf: (fd: number) => MapSpec | undefined, boundedLoops: boolean): CfgInfo {
  const subprogStarts = findSubprogs(insns);
  checkSubprogs(insns, subprogStarts);
  checkInsnTable(insns, mapOf);
  const { prune, callsCallback, succ0, succ1 } = walkCfg(insns, boundedLoops);
  return { subprogStarts, prunePoints: prune, callsCallback, succ0, succ1 };
}
