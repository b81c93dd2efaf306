// The verifier log in the kernel's words and layout: instructions printed as the kernel's
// print_bpf_insn prints them ("0: (7a) *(u64 *)(r10 -8) = 0"), register and stack state as
// print_verifier_state prints it ("R0=map_value_or_null(id=1,ks=8,vs=8) fp-8=mmmmmmmm"), and the
// rejection that ends a log. In: instructions and states; out: strings. No checking here.

import type { Insn } from '../isa.js';
import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_END, BPF_EXIT, BPF_FETCH, BPF_IMM, BPF_IND,
  BPF_JA, BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX, BPF_MEMSX, BPF_NEG, BPF_PSEUDO_CALL, BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE, BPF_ST, BPF_STX, BPF_X, BPF_XCHG, SIZE_BYTES, classOf, modeOf, opOf, sizeOf, sourceOf,
  BPF_MOV, BPF_DIV, BPF_MOD,
} from '../isa.js';
import { helperName } from '../helpers/prototypes.js';
import type { MapSpec } from '../maps/map.js';
import { tnumIsConst, tnumIsUnknown, tnumToString, U64_MAX } from './tnum.js';
import {
  FuncState, PTR_TO_MEM, PTR_TO_STACK, Reg, SCALAR, S32_MAX, S32_MIN, S64_MAX, S64_MIN, SLOT_CHARS, STACK_SPILL,
  U32_MAX, VState, baseType, regTypeStr, slotStart, CONST_PTR_TO_MAP, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE,
  PTR_TO_BTF_ID, NOT_INIT, STACK_INVALID,
} from './state.js';

/** A rejection: the kernel's message (one or more lines) for the instruction at `insn`. */
export class VerifierReject {
  constructor(
    readonly message: string,
    readonly insn: number,
  ) {}
}

// ── instructions (kernel/bpf/disasm.c) ──────────────────────────────────────────────────

const ALU_OP_STR: Readonly<Record<number, string>> = {
  0x00: '+=', 0x10: '-=', 0x20: '*=', 0x30: '/=', 0x40: '|=', 0x50: '&=', 0x60: '<<=', 0x70: '>>=', 0x80: 'neg',
  0x90: '%=', 0xa0: '^=', 0xb0: '=', 0xc0: 's>>=', 0xd0: 'endian',
};
const JMP_OP_STR: Readonly<Record<number, string>> = {
  0x10: '==', 0x20: '>', 0x30: '>=', 0x40: '&', 0x50: '!=', 0x60: 's>', 0x70: 's>=', 0xa0: '<', 0xb0: '<=',
  0xc0: 's<', 0xd0: 's<=',
};
const SIZE_STR: Readonly<Record<number, string>> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' };
const SSIZE_STR: Readonly<Record<number, string>> = { 1: 's8', 2: 's16', 4: 's32', 8: 's64' };
const ATOMIC_OP_STR: Readonly<Record<number, string>> = { 0x00: '+=', 0x40: '|=', 0x50: '&=', 0xa0: '^=' };
const ATOMIC_FETCH_STR: Readonly<Record<number, string>> = { 0x00: 'add', 0x40: 'or', 0x50: 'and', 0xa0: 'xor' };

const hex = (v: number | bigint): string => `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
const signed = (v: number): string => (v >= 0 ? `+${v}` : `${v}`);

/** One instruction as the verifier log prints it (without the "N: (xx) " prefix). */
export function insnText(insns: readonly Insn[], i: number): string {
  const x = insns[i]!;
  const cls = classOf(x.code);
  const op = opOf(x.code);
  if (cls === BPF_ALU || cls === BPF_ALU64) {
    const r = cls === BPF_ALU64 ? 'r' : 'w';
    if (op === BPF_END) {
      const kind = cls === BPF_ALU64 ? 'bswap' : sourceOf(x.code) === BPF_X ? 'be' : 'le';
      return `${r}${x.dst} = ${kind}${x.imm} ${r}${x.dst}`;
    }
    if (op === BPF_NEG) return `${r}${x.dst} = -${r}${x.dst}`;
    const sdiv = (op === BPF_DIV || op === BPF_MOD) && x.off === 1 ? 's' : '';
    const opStr = sdiv + ALU_OP_STR[op];
    if (sourceOf(x.code) === BPF_X) {
      if (op === BPF_MOV && x.off !== 0) return `${r}${x.dst} = (s${x.off})${r}${x.src}`;
      return `${r}${x.dst} ${opStr} ${r}${x.src}`;
    }
    return `${r}${x.dst} ${opStr} ${x.imm}`;
  }
  if (cls === BPF_STX) {
    const size = SIZE_BYTES[sizeOf(x.code)]!;
    if (modeOf(x.code) === BPF_ATOMIC) {
      const aop = x.imm & ~BPF_FETCH;
      const w = size === 8 ? 'r' : 'w';
      if (x.imm === BPF_XCHG) return `${w}${x.src} = atomic${size === 8 ? '64' : ''}_xchg((${SIZE_STR[size]} *)(r${x.dst} ${signed(x.off)}), ${w}${x.src})`;
      if (x.imm === BPF_CMPXCHG) return `${w}0 = atomic${size === 8 ? '64' : ''}_cmpxchg((${SIZE_STR[size]} *)(r${x.dst} ${signed(x.off)}), ${w}0, ${w}${x.src})`;
      if (x.imm & BPF_FETCH) return `${w}${x.src} = atomic${size === 8 ? '64' : ''}_fetch_${ATOMIC_FETCH_STR[aop] ?? '?'}((${SIZE_STR[size]} *)(r${x.dst} ${signed(x.off)}), ${w}${x.src})`;
      return `lock *(${SIZE_STR[size]} *)(r${x.dst} ${signed(x.off)}) ${ATOMIC_OP_STR[aop] ?? '?'} r${x.src}`;
    }
    return `*(${SIZE_STR[size]} *)(r${x.dst} ${signed(x.off)}) = r${x.src}`;
  }
  if (cls === BPF_ST) return `*(${SIZE_STR[SIZE_BYTES[sizeOf(x.code)]!]} *)(r${x.dst} ${signed(x.off)}) = ${x.imm}`;
  if (cls === BPF_LDX) {
    const size = SIZE_BYTES[sizeOf(x.code)]!;
    const t = modeOf(x.code) === BPF_MEMSX ? SSIZE_STR[size] : SIZE_STR[size];
    return `r${x.dst} = *(${t} *)(r${x.src} ${signed(x.off)})`;
  }
  if (cls === BPF_LD) {
    const mode = modeOf(x.code);
    const size = SIZE_STR[SIZE_BYTES[sizeOf(x.code)]!];
    if (mode === BPF_ABS) return `r0 = *(${size} *)skb[${x.imm}]`;
    if (mode === BPF_IND) return `r0 = *(${size} *)skb[r${x.src} + ${x.imm}]`;
    if (mode === BPF_IMM) {
      const hi = insns[i + 1]?.imm ?? 0;
      if (x.src === BPF_PSEUDO_MAP_FD) return `r${x.dst} = map[id:${x.imm}]`;
      if (x.src === BPF_PSEUDO_MAP_VALUE) return `r${x.dst} = map[id:${x.imm}][0]+${hi}`;
      const v = (BigInt(hi >>> 0) << 32n) | BigInt(x.imm >>> 0);
      return `r${x.dst} = ${hex(v)}`;
    }
    return `BUG_ld_${x.code.toString(16).padStart(2, '0')}`;
  }
  if (cls === BPF_JMP || cls === BPF_JMP32) {
    if (op === BPF_CALL) {
      if (x.src === BPF_PSEUDO_CALL) return `call pc${signed(x.imm)}`;
      return `call ${helperName(x.imm)}#${x.imm}`;
    }
    if (op === BPF_EXIT) return 'exit';
    if (op === BPF_JA) return cls === BPF_JMP ? `goto pc${signed(x.off)}` : `gotol pc${signed(x.imm)}`;
    const r = cls === BPF_JMP ? 'r' : 'w';
    const rhs = sourceOf(x.code) === BPF_X ? `${r}${x.src}` : hex(cls === BPF_JMP32 ? x.imm >>> 0 : x.imm);
    return `if ${r}${x.dst} ${JMP_OP_STR[op] ?? '?'} ${rhs} goto pc${signed(x.off)}`;
  }
  return `BUG_${x.code.toString(16).padStart(2, '0')}`;
}

export function insnLine(insns: readonly Insn[], i: number): string {
  return `${i}: (${insns[i]!.code.toString(16).padStart(2, '0')}) ${insnText(insns, i)}`;
}

// ── register state (kernel/bpf/log.c) ────────────────────────────────────────────────────

const snum = (v: bigint): string => (v >= -512n && v <= 512n ? v.toString() : hex(v));
const unum = (v: bigint): string => (v <= 512n ? v.toString() : hex(v));

function scalarRanges(r: Reg): string[] {
  const s32 = (v: number): bigint => (v >= -512 && v <= 512 ? BigInt(v) : BigInt(v >>> 0));
  const items: { name: string; val: bigint; omit: boolean }[] = [
    { name: 'smin', val: r.smin, omit: r.smin === S64_MIN },
    { name: 'smax', val: r.smax, omit: r.smax === S64_MAX },
    { name: 'umin', val: r.umin, omit: r.umin === 0n },
    { name: 'umax', val: r.umax, omit: r.umax === U64_MAX },
    { name: 'smin32', val: s32(r.s32min), omit: r.s32min === S32_MIN },
    { name: 'smax32', val: s32(r.s32max), omit: r.s32max === S32_MAX },
    { name: 'umin32', val: BigInt(r.u32min), omit: r.u32min === 0 },
    { name: 'umax32', val: BigInt(r.u32max), omit: r.u32max === U32_MAX },
  ];
  const out: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const m1 = items[i]!;
    if (m1.omit) continue;
    const neg1 = m1.name[0] === 's' && m1.val < 0n;
    let text = `${m1.name}=`;
    for (let j = i + 2; j < items.length; j += 2) {
      const m2 = items[j]!;
      if (m2.omit || m2.val !== m1.val) continue;
      if ((m2.name[0] === 's' && m2.val < 0n) !== neg1) continue;
      m2.omit = true;
      text += `${m2.name}=`;
    }
    out.push(text + (m1.name[0] === 's' ? snum(m1.val) : unum(m1.val)));
  }
  return out;
}

export function regText(r: Reg, frameno: number, map: (fd: number) => MapSpec | undefined): string {
  const t = r.type;
  if (t === SCALAR && tnumIsConst(r.varOff)) return (r.precise ? 'P' : '') + snum(BigInt.asIntN(64, r.varOff.value));
  let s = (t === SCALAR && r.precise ? 'P' : '') + regTypeStr(t);
  if (t === PTR_TO_STACK) {
    if (frameno !== r.frameno) s += `[${r.frameno}]`;
    if (tnumIsConst(r.varOff)) return s + snum(BigInt.asIntN(64, r.varOff.value) + BigInt(r.off));
  }
  if (baseType(t) === PTR_TO_BTF_ID) s += r.btfName;
  const parts: string[] = [];
  if (r.id) parts.push(`id=${r.id}`);
  if (r.refObjId) parts.push(`ref_obj_id=${r.refObjId}`);
  const b = baseType(t);
  if (b === CONST_PTR_TO_MAP || b === PTR_TO_MAP_KEY || b === PTR_TO_MAP_VALUE) {
    const spec = map(r.mapFd);
    if (spec) {
      if (/^[A-Za-z0-9_.]+$/.test(spec.name)) parts.push(`map=${spec.name.slice(0, 15)}`);
      parts.push(`ks=${spec.keySize},vs=${spec.valueSize}`);
    }
  }
  if (t !== SCALAR && r.off) parts.push(`off=${r.off}`);
  if (b === PTR_TO_MEM) parts.push(`sz=${r.memSize}`);
  if (tnumIsConst(r.varOff)) {
    if (r.varOff.value) parts.push(`imm=${r.varOff.value.toString(16)}`);
  } else {
    parts.push(...scalarRanges(r));
    if (!tnumIsUnknown(r.varOff)) parts.push(`var_off=${tnumToString(r.varOff)}`);
  }
  return `${s}(${parts.join(',')})`;
}

function slotText(f: FuncState, spi: number, map: (fd: number) => MapSpec | undefined): string | null {
  const base = slotStart(spi);
  let chars = '';
  let valid = false;
  // The kernel prints the slot's bytes from the highest address down.
  for (let j = 7; j >= 0; j--) {
    const t = f.bt(base + j);
    if (t !== STACK_INVALID) valid = true;
    chars += SLOT_CHARS[t];
  }
  if (!valid) return null;
  const sp = f.spill[spi];
  if (f.bt(base) === STACK_SPILL && sp) {
    const cut = chars.indexOf('r');
    return `fp${slotStart(spi)}=${chars.slice(0, cut)}${regText(sp, f.frameno, map)}`;
  }
  return `fp${slotStart(spi)}=${chars}`;
}

/** The registers and stack slots of the current frame; all of them, or the ones listed. */
export function stateText(
  st: VState,
  map: (fd: number) => MapSpec | undefined,
  regs?: number,
  slots?: readonly number[],
): string {
  const f = st.cur;
  const parts: string[] = [];
  if (st.frames.length > 1) parts.push(`frame${f.frameno}:`);
  for (let i = 0; i < 11; i++) {
    const r = f.regs[i]!;
    if (r.type === NOT_INIT) continue;
    if (regs !== undefined && (regs & (1 << i)) === 0) continue;
    parts.push(`R${i}=${regText(r, f.frameno, map)}`);
  }
  const n = f.allocated >> 3;
  for (let spi = 0; spi < n; spi++) {
    if (slots !== undefined && !slots.includes(spi)) continue;
    const s = slotText(f, spi, map);
    if (s) parts.push(s);
  }
  if (st.refs.length) parts.push(`refs=${st.refs.map((r) => r.id).join(',')}`);
  return parts.join(' ');
}

/** The kernel aligns the "; state" comment after an instruction to column 40. */
export function withComment(line: string, comment: string): string {
  if (comment === '') return line;
  // The kernel measures the printed line with its newline.
  const pos = line.length + 1;
  const pad = Math.ceil(Math.max(pos, 8) / 40) * 40 - pos - 1;
  return `${line}${' '.repeat(Math.max(pad, 1))}; ${comment}`;
}

export function statsLine(processed: number, maxStates: number, total: number, peak: number): string {
  return `processed ${processed} insns (limit 1000000) max_states_per_insn ${maxStates} total_states ${total} peak_states ${peak} mark_read 0`;
}
