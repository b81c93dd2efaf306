// ALU instructions (Linux's check_alu_op / adjust_reg_min_max_vals / adjust_ptr_min_max_vals):
// reserved-field checks, moves that copy a register's whole abstract state, pointer arithmetic
// (allowed forms, fixed and variable offsets, sane-offset limits) and scalar arithmetic through
// scalar.ts. In: the env and one ALU/ALU64 instruction; out: the destination register updated,
// or a rejection. Division by a zero register is legal (the ISA defines the result).

import {
  BPF_ADD, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_DIV, BPF_END, BPF_LSH, BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH,
  BPF_SUB, BPF_TO_LE, BPF_X, BPF_XOR, classOf, opOf, sourceOf, type Insn,
} from '../isa.js';
import type { Env } from './env.js';
import { markRegPrecise } from './precision.js';
import {
  CONST_PTR_TO_MAP, PTR_TO_BTF_ID, PTR_TO_BUF, PTR_TO_CTX, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM,
  PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_STACK, Reg, S64_MAX, S64_MIN, SCALAR, baseType, mark32Unbounded,
  markKnownScalar, markUnknown, mayBeNull, regTypeStr,
} from './state.js';
import {
  coerceRegToSizeSx, coerceSubregToSizeSx, regBoundsSync, scalarAlu, zext32To64,
} from './scalar.js';
import { assignScalarId, BPF_MAX_VAR_OFF } from './stack.js';
import { U64_MAX, tnumAdd, tnumIsConst, tnumSub } from './tnum.js';

/** The kernel's bpf_alu_string, indexed by op >> 4. */
const ALU_STRING = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'endian'];
const aluStr = (op: number): string => ALU_STRING[op >> 4] ?? '?';

/** Pointer kinds arithmetic may be done on (adjust_ptr_min_max_vals). */
const ARITH_OK = new Set([PTR_TO_CTX, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY, PTR_TO_STACK, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_BTF_ID, PTR_TO_MEM, PTR_TO_BUF]);

const regWidth = (r: Reg): number => (r.umax === 0n ? 0 : r.umax.toString(2).length);

export function checkAluOp(env: Env, x: Insn): void {
  const op = opOf(x.code);
  const alu64 = classOf(x.code) === BPF_ALU64;
  const isX = sourceOf(x.code) === BPF_X;
  if (op === BPF_END || op === BPF_NEG) {
    if (op === BPF_NEG) {
      if (isX || x.src !== 0 || x.off !== 0 || x.imm !== 0) env.reject('BPF_NEG uses reserved fields');
    } else if (x.src !== 0 || x.off !== 0 || (x.imm !== 16 && x.imm !== 32 && x.imm !== 64) || (alu64 && sourceOf(x.code) !== BPF_TO_LE)) {
      env.reject('BPF_END uses reserved fields');
    }
    env.readReg(x.dst);
    env.writeReg(x.dst, true);
    return;
  }
  if (op === BPF_MOV) {
    checkMov(env, x, alu64, isX);
    return;
  }
  if (op > BPF_END) env.reject(`invalid BPF_ALU opcode ${op.toString(16)}`);
  const signedOk = op === BPF_DIV || op === BPF_MOD;
  if (isX) {
    if (x.imm !== 0 || (x.off !== 0 && x.off !== 1) || (x.off === 1 && !signedOk)) env.reject('BPF_ALU uses reserved fields');
    env.readReg(x.src);
  } else if (x.src !== 0 || (x.off !== 0 && x.off !== 1) || (x.off === 1 && !signedOk)) {
    env.reject('BPF_ALU uses reserved fields');
  }
  env.readReg(x.dst);
  if (signedOk && !isX && x.imm === 0) env.reject('div by zero');
  if ((op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH) && !isX) {
    if (x.imm < 0 || x.imm >= (alu64 ? 64 : 32)) env.reject(`invalid shift ${x.imm}`);
  }
  env.writeReg(x.dst, false);
  adjustRegMinMax(env, x, op, alu64, isX);
}

function checkMov(env: Env, x: Insn, alu64: boolean, isX: boolean): void {
  if (isX) {
    const okOff = alu64 ? [0, 8, 16, 32] : [0, 8, 16];
    if (!okOff.includes(x.off) || x.imm !== 0) env.reject('BPF_MOV uses reserved fields');
    env.readReg(x.src);
  } else if (x.src !== 0 || x.off !== 0) {
    env.reject('BPF_MOV uses reserved fields');
  }
  const dst = env.writeReg(x.dst, false);
  if (!isX) {
    markKnownScalar(dst, alu64 ? BigInt(x.imm) : BigInt(x.imm >>> 0));
    return;
  }
  let src = env.regs[x.src]!;
  if (alu64) {
    if (x.off === 0) {
      src = assignScalarId(env, x.src);
      dst.assign(src);
    } else if (src.type === SCALAR) {
      const noSext = src.umax < 1n << BigInt(x.off - 1);
      if (noSext) src = assignScalarId(env, x.src);
      dst.assign(src);
      if (!noSext) dst.id = 0;
      coerceRegToSizeSx(dst, x.off >> 3);
    } else {
      markUnknown(dst);
    }
    return;
  }
  if (src.type === SCALAR) {
    if (x.off === 0) {
      const u32 = regWidth(src) <= 32;
      if (u32) src = assignScalarId(env, x.src);
      dst.assign(src);
      if (!u32) dst.id = 0;
    } else {
      const noSext = src.umax < 1n << BigInt(x.off - 1);
      if (noSext) src = assignScalarId(env, x.src);
      dst.assign(src);
      if (!noSext) dst.id = 0;
      coerceSubregToSizeSx(dst, x.off >> 3);
    }
  } else {
    // A pointer's low half is a meaningless number.
    markUnknown(dst);
  }
  zext32To64(dst);
  regBoundsSync(dst);
}

function adjustRegMinMax(env: Env, x: Insn, op: number, alu64: boolean, isX: boolean): void {
  const dst = env.wreg(x.dst);
  if (isX) {
    const src = env.regs[x.src]!;
    if (src.type !== SCALAR) {
      if (dst.type !== SCALAR) {
        if (op === BPF_SUB) {
          markUnknown(dst);
          return;
        }
        env.reject(`R${x.dst} pointer ${aluStr(op)} pointer prohibited`);
      }
      markRegPrecise(env, x.dst);
      // scalar += pointer: the scalar (dst) is about to be overwritten, keep a copy.
      adjustPtr(env, x, op, alu64, src, dst.clone(), true);
      return;
    }
    if (dst.type !== SCALAR) {
      markRegPrecise(env, x.src);
      adjustPtr(env, x, op, alu64, dst, src, false);
      return;
    }
    const s = src.clone();
    scalarAlu(dst, s, op, !alu64);
    dst.id = 0;
    return;
  }
  // A constant operated on by an immediate stays a constant (the common case, no bound work).
  if (dst.type === SCALAR && tnumIsConst(dst.varOff)) {
    const r = CONST_K_OPS[op]?.(dst.varOff.value, BigInt(x.imm), alu64);
    if (r !== undefined) {
      markKnownScalar(dst, r);
      return;
    }
  }
  const k = env.scratch;
  markKnownScalar(k, BigInt(x.imm));
  if (dst.type !== SCALAR) {
    adjustPtr(env, x, op, alu64, dst, k, false);
    return;
  }
  scalarAlu(dst, k, op, !alu64);
  dst.id = 0;
}

const M32 = 0xffffffffn;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
/** dst op imm on a known dst, as the ISA computes it (imm sign-extended; 32-bit ops zero-extend). */
const CONST_K_OPS: Readonly<Record<number, (d: bigint, k: bigint, alu64: boolean) => bigint>> = {
  [BPF_ADD]: (d, k, w) => (w ? u64(d + k) : (d + k) & M32),
  [BPF_SUB]: (d, k, w) => (w ? u64(d - k) : (d - k) & M32),
  [BPF_MUL]: (d, k, w) => (w ? u64(d * k) : (d * k) & M32),
  [BPF_AND]: (d, k, w) => (w ? u64(d & k) : d & k & M32),
  [BPF_OR]: (d, k, w) => (w ? u64(d | k) : (d | k) & M32),
  [BPF_XOR]: (d, k, w) => (w ? u64(d ^ k) : (d ^ k) & M32),
  [BPF_LSH]: (d, k, w) => (w ? u64(d << k) : (d << k) & M32),
  [BPF_RSH]: (d, k, w) => (w ? d >> k : (d & M32) >> k),
  [BPF_ARSH]: (d, k, w) => (w ? u64(BigInt.asIntN(64, d) >> k) : BigInt.asUintN(32, BigInt.asIntN(32, d & M32) >> k)),
};

/** check_reg_sane_offset: offsets beyond ±2^29 or unbounded below are refused. */
function checkSaneOffset(env: Env, r: Reg, ptrType: number): void {
  const t = regTypeStr(ptrType);
  const val = BigInt.asIntN(64, r.varOff.value);
  const lim = BigInt(BPF_MAX_VAR_OFF);
  if (tnumIsConst(r.varOff) && (val >= lim || val <= -lim)) env.reject(`math between ${t} pointer and ${val} is not allowed`);
  if (r.off >= BPF_MAX_VAR_OFF || r.off <= -BPF_MAX_VAR_OFF) env.reject(`${t} pointer offset ${r.off} is not allowed`);
  if (r.smin === S64_MIN) env.reject(`math between ${t} pointer and register with unbounded min value is not allowed`);
  if (r.smin >= lim || r.smin <= -lim) env.reject(`value ${r.smin} makes ${t} pointer be out of bounds`);
}

const fitsS32 = (v: number): boolean => v >= -0x80000000 && v <= 0x7fffffff;

/** pointer op scalar (or scalar += pointer when offIsDst). The result goes to x.dst. */
function adjustPtr(env: Env, x: Insn, op: number, alu64: boolean, ptr: Reg, offReg: Reg, offIsDst: boolean): void {
  const dst = env.wreg(x.dst);
  const known = tnumIsConst(offReg.varOff);
  const { smin, smax, umin, umax } = offReg;
  if ((known && (smin !== smax || umin !== umax)) || smin > smax || umin > umax) {
    markUnknown(dst);
    return;
  }
  if (!alu64) {
    if (op === BPF_SUB) {
      markUnknown(dst);
      return;
    }
    env.reject(`R${x.dst} 32-bit pointer arithmetic prohibited`);
  }
  if (mayBeNull(ptr.type)) env.reject(`R${x.dst} pointer arithmetic on ${regTypeStr(ptr.type)} prohibited, null-check it first`);
  const base = baseType(ptr.type);
  if (!ARITH_OK.has(base) && !(base === CONST_PTR_TO_MAP && known && smin === 0n && op === BPF_ADD)) {
    env.reject(`R${x.dst} pointer arithmetic on ${regTypeStr(ptr.type)} prohibited`);
  }
  dst.assign(ptr);
  checkSaneOffset(env, offReg, ptr.type);
  checkSaneOffset(env, ptr, ptr.type);
  mark32Unbounded(dst);
  const k = Number(smin);
  switch (op) {
    case BPF_ADD:
      if (known && fitsS32(ptr.off + k)) {
        dst.off = ptr.off + k;
        break;
      }
      dst.smin = ptr.smin + smin;
      dst.smax = ptr.smax + smax;
      if (dst.smin < S64_MIN || dst.smax > S64_MAX) {
        dst.smin = S64_MIN;
        dst.smax = S64_MAX;
      }
      if (ptr.umin + umin > U64_MAX || ptr.umax + umax > U64_MAX) {
        dst.umin = 0n;
        dst.umax = U64_MAX;
      } else {
        dst.umin = ptr.umin + umin;
        dst.umax = ptr.umax + umax;
      }
      dst.varOff = tnumAdd(ptr.varOff, offReg.varOff);
      break;
    case BPF_SUB:
      if (offIsDst) env.reject(`R${x.dst} tried to subtract pointer from scalar`);
      if (base === PTR_TO_STACK) env.reject(`R${x.dst} subtraction from stack pointer prohibited`);
      if (known && fitsS32(ptr.off - k)) {
        dst.off = ptr.off - k;
        break;
      }
      dst.smin = ptr.smin - smax;
      dst.smax = ptr.smax - smin;
      if (dst.smin < S64_MIN || dst.smax > S64_MAX) {
        dst.smin = S64_MIN;
        dst.smax = S64_MAX;
      }
      if (ptr.umin < umax) {
        dst.umin = 0n;
        dst.umax = U64_MAX;
      } else {
        dst.umin = ptr.umin - umax;
        dst.umax = ptr.umax - umin;
      }
      dst.varOff = tnumSub(ptr.varOff, offReg.varOff);
      break;
    default:
      if (op === BPF_AND || op === BPF_OR || op === BPF_XOR) {
        env.reject(`R${x.dst} bitwise operator ${aluStr(op)} on pointer prohibited`);
      }
      env.reject(`R${x.dst} pointer arithmetic with ${aluStr(op)} operator prohibited`);
  }
  checkSaneOffset(env, dst, ptr.type);
  regBoundsSync(dst);
}
