// JavaScript text for one block's instructions: registers are the locals r0l/r0h … r9l/r9h
// (int32 halves), r10 is `fp`, the instruction count is `n`. The emitter tracks what it knows
// about each register inside the block (constant halves, stack-pointer offsets, the verifier's
// "fits in 32 bits" facts) and uses it to drop high-word work, carries and bounds checks.
// In: a block and the function's context. Out: lines of code. Not: control flow between
// blocks (codegen.ts decides what a jump becomes) or helper calls (emit-call.ts).

import {
  add, arsh, bswap16, bswap32, bswap64, hi as hiOf, lsh, mul, neg, rsh, sdiv, sdiv32, smod, smod32, sub, udiv, udiv32, umod,
  umod32,
} from '../int64.js';
import {
  BPF_ADD, BPF_AND, BPF_ARSH, BPF_CMPXCHG, BPF_DIV, BPF_FETCH, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE,
  BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_LSH, BPF_MOD, BPF_MUL, BPF_OR, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE, BPF_RSH, BPF_SUB, BPF_XCHG, BPF_XOR, MAX_BPF_STACK, type Insn,
} from '../isa.js';
import { REGION_CTX, REGION_FUNC, REGION_MAP_HANDLE, REGION_STACK } from '../memory.js';
import { ArrayMap } from '../maps/array.js';
import { HashMap } from '../maps/hash.js';
import type { BpfMap } from '../maps/map.js';
import type { OpcodeRow } from '../opcodes.js';
import type { Program } from '../program.js';
import type { InsnFacts } from '../verifier/analysis.js';
import type { JitBlock } from './cfg.js';

/** What the emitter knows about one register at a point of the block. */
interface Known {
  /** Constant low / high word, or null. */
  lo: number | null;
  hi: number | null;
  /** The register is a stack pointer fp + fpOff (high word REGION_STACK), or null. */
  fpOff: number | null;
}

/** Per-function facts the emitter reads. */
export interface FunctionContext {
  readonly prog: Program;
  /** The verifier's per-instruction facts; undefined for unverified programs (every access checked). */
  readonly facts: readonly InsnFacts[] | undefined;
  /** Main program (fp is the constant 512) or a bpf-to-bpf callee (fp is a parameter). */
  readonly isMain: boolean;
  /** Maps by fd as they are at compile time. */
  mapOf(fd: number): BpfMap | undefined;
  /** A module-level constant `name = expr` (evaluated once when the module is created). */
  alias(name: string, expr: string): string;
}

/** A JS literal for an int32, parenthesised when negative so it composes with any operator. */
export const lit = (v: number): string => (v < 0 ? `(${v | 0})` : `${v | 0}`);

const ALU_FOLD: Readonly<Record<number, (al: number, ah: number, bl: number, bh: number) => number>> = {
  [BPF_ADD]: add,
  [BPF_SUB]: sub,
  [BPF_MUL]: mul,
  [BPF_OR]: (al, ah, bl, bh) => foldPair(al | bl, ah | bh),
  [BPF_AND]: (al, ah, bl, bh) => foldPair(al & bl, ah & bh),
  [BPF_XOR]: (al, ah, bl, bh) => foldPair(al ^ bl, ah ^ bh),
  [BPF_LSH]: (al, ah, bl) => lsh(al, ah, bl),
  [BPF_RSH]: (al, ah, bl) => rsh(al, ah, bl),
  [BPF_ARSH]: (al, ah, bl) => arsh(al, ah, bl),
};
let foldHi = 0;
function foldPair(l: number, h: number): number {
  foldHi = h;
  return l;
}

/** Result of folding a 64-bit op on constants: [lo, hi], or null when not folded. */
function fold64(op: number, signed: boolean, al: number, ah: number, bl: number, bh: number): [number, number] | null {
  if (op === BPF_DIV) {
    const l = signed ? sdiv(al, ah, bl, bh) : udiv(al, ah, bl, bh);
    return [l, hiOf];
  }
  if (op === BPF_MOD) {
    const l = signed ? smod(al, ah, bl, bh) : umod(al, ah, bl, bh);
    return [l, hiOf];
  }
  const f = ALU_FOLD[op];
  if (f === undefined) return null;
  foldHi = Number.NaN;
  const l = f(al, ah, bl, bh);
  return [l, Number.isNaN(foldHi) ? hiOf : foldHi];
}

function fold32(op: number, signed: boolean, a: number, b: number): number | null {
  switch (op) {
    case BPF_ADD: return (a + b) | 0;
    case BPF_SUB: return (a - b) | 0;
    case BPF_MUL: return Math.imul(a, b);
    case BPF_DIV: return signed ? sdiv32(a, b) : udiv32(a, b);
    case BPF_MOD: return signed ? smod32(a, b) : umod32(a, b);
    case BPF_OR: return a | b;
    case BPF_AND: return a & b;
    case BPF_XOR: return a ^ b;
    case BPF_LSH: return a << b;
    case BPF_RSH: return (a >>> b) | 0;
    case BPF_ARSH: return a >> b;
    default: return null;
  }
}

const NO_VIEWS: ReadonlySet<number> = new Set();

/**
 * The region of a proven map value access when every path's pointer is into one map with a
 * single value region (not per-CPU): a hash or array map's slab never moves. Else null.
 */
export function sharedValueRegion(f: InsnFacts | undefined, mapOf: (fd: number) => BpfMap | undefined): number | null {
  if (f === undefined || f.inBounds !== true || f.mem !== 'map_value' || f.memMap === undefined) return null;
  const map = mapOf(f.memMap);
  return (map instanceof ArrayMap || map instanceof HashMap) && !map.percpu ? map.regions[0]! : null;
}

/** Stack-pointer offsets the emitter tracks symbolically: fp + k stays a valid 32-bit offset. */
const FP_OFF_MIN = -MAX_BPF_STACK;
const FP_OFF_MAX = 1 << 20;

export class BlockEmitter {
  private readonly k: Known[] = [];
  readonly lines: string[] = [];
  /** vN holds the DataView of rN's region (see regionView). */
  private readonly viewOf: boolean[] = Array.from({ length: 11 }, () => false);
  /** Bytes of context the unchecked context reads need (the run entry checks the record is that long). */
  ctxEnd = 0;
  /**
   * Stack words (by 4-aligned byte offset in the stack region) whose int32 value this block
   * stored as a constant and nothing has written since: a map key built of constants hashes
   * at compile time (emit-call.ts). Any write the emitter cannot place forgets them all.
   */
  private readonly stackWords = new Map<number, number>();
  /** Instructions of the block before the current one, and the block's length. */
  private index = 0;
  private length = 0;

  constructor(
    private readonly fc: FunctionContext,
    /** Emits a fault: given the RunResult-filling call expression, the statement(s) to leave with. */
    readonly faultStmt: (call: string) => string,
    /** Emits a helper call (emit-call.ts). */
    private readonly helperCall: (em: BlockEmitter, pc: number) => void,
  ) {}

  // ── knowledge ──────────────────────────────────────────────────────────────────────────

  private reset(entry: boolean): void {
    this.viewOf.fill(false);
    this.stackWords.clear();
    this.k.length = 0;
    for (let r = 0; r <= 10; r++) this.k.push({ lo: null, hi: null, fpOff: null });
    const fp = this.k[10]!;
    fp.hi = REGION_STACK;
    if (this.fc.isMain) fp.lo = MAX_BPF_STACK;
    else fp.fpOff = 0;
    // A verified program starts with r1 = the context (the entry points check that it is).
    if (entry && this.fc.isMain && this.fc.facts !== undefined) {
      this.k[1]!.lo = 0;
      this.k[1]!.hi = REGION_CTX;
    }
  }

  private facts(pc: number): InsnFacts | undefined {
    return this.fc.facts?.[pc];
  }

  /** The verifier's facts at the start of pc: registers below 2^32 have a zero high word. */
  private applyFacts(pc: number): void {
    const f = this.facts(pc);
    if (f === undefined || !f.reached) return;
    for (let r = 0; r < 10; r++) if ((f.fits32 >> r) & 1) this.k[r]!.hi = 0;
  }

  /** The verifier proved rd < 2^32 at the start of the instruction after pc. */
  private fitsAfter(pc: number, rd: number): boolean {
    const f = this.facts(pc + 1);
    return f !== undefined && f.reached && ((f.fits32 >> rd) & 1) === 1;
  }

  private set(r: number, lo: number | null, hi: number | null, fpOff: number | null = null): void {
    const k = this.k[r]!;
    k.lo = lo;
    k.hi = hi;
    k.fpOff = fpOff;
    this.viewOf[r] = false;
  }

  /**
   * The DataView of the region rN points into, loaded once into vN for the rest of the block
   * (until rN is written), so repeated accesses through one pointer skip the region lookup.
   */
  private regionView(r: number): string {
    if (!this.viewOf[r]) {
      this.lines.push(`v${r} = V[${this.hi(r)}];`);
      this.viewOf[r] = true;
    }
    return `v${r}`;
  }

  kHi(r: number): number | null {
    const k = this.k[r]!;
    return k.fpOff !== null ? REGION_STACK : k.hi;
  }

  kLo(r: number): number | null {
    return this.k[r]!.lo;
  }

  fpOff(r: number): number | null {
    return this.k[r]!.fpOff;
  }

  /** Expression for rN's low word. */
  lo(r: number): string {
    const k = this.k[r]!;
    if (k.lo !== null) return lit(k.lo);
    if (k.fpOff !== null) return k.fpOff === 0 ? 'fp' : k.fpOff > 0 ? `(fp + ${k.fpOff})` : `(fp - ${-k.fpOff})`;
    return `r${r}l`;
  }

  hi(r: number): string {
    const h = this.kHi(r);
    return h !== null ? lit(h) : `r${r}h`;
  }

  /** The constant int32 at stack offset `at` (4-aligned), if this block stored one there. */
  stackWord(at: number): number | undefined {
    return this.stackWords.get(at);
  }

  /** Forgets every known stack word (a helper may have written the stack). */
  forgetStack(): void {
    this.stackWords.clear();
  }

  /** A store of `size` bytes at stack offset `at` (null: unknown, or memory that may be the stack). */
  private noteStore(at: number | null, size: number, lo: number | null, hi: number | null): void {
    if (at === null) return this.stackWords.clear();
    for (let w = (at & ~3) - 4; w < at + size; w += 4) if (w + 4 > at) this.stackWords.delete(w);
    if ((at & 3) !== 0 || size < 4) return;
    if (lo !== null) this.stackWords.set(at, lo);
    if (size === 8 && hi !== null) this.stackWords.set(at + 4, hi);
  }

  /** Forgets everything about r0..r5 (after a call); r6..r9 keep their values. */
  forgetCallerSaved(): void {
    for (let r = 0; r <= 5; r++) this.set(r, null, null);
  }

  /** Forgets r1..r5, which a helper call leaves undefined. */
  forgetArgs(): void {
    for (let r = 1; r <= 5; r++) this.set(r, null, null);
  }

  /** Sets rd from a pair of expressions and what is known of them. */
  assign(rd: number, lo: string, hi: string, kLo: number | null, kHi: number | null, fpOff: number | null = null): void {
    if (lo !== `r${rd}l`) this.lines.push(`r${rd}l = ${lo};`);
    if (hi !== `r${rd}h`) this.lines.push(`r${rd}h = ${hi};`);
    this.set(rd, kLo, kHi, fpOff);
  }

  /** Instructions counted so far minus those after the current one: the count a fault here reports. */
  insnsExpr(): string {
    const after = Math.max(0, this.length - 1 - this.index);
    return after === 0 ? 'n' : `(n - ${after})`;
  }

  fault(kind: string, pc: number, message: string): string {
    return this.faultStmt(`fault(out, ${JSON.stringify(kind)}, ${pc}, ${JSON.stringify(message)}, ${this.insnsExpr()}, r0l, r0h)`);
  }

  // ── the block ──────────────────────────────────────────────────────────────────────────

  /**
   * Emits the block's instructions; a final jump, local call or exit is left to `terminator`,
   * which codegen.ts supplies (what a jump becomes depends on the function's layout). `entry`:
   * the block is the program's first and nothing jumps to it, so r1 is known to be the context.
   * `views`: registers whose vN already holds their region's view (loaded before a loop that
   * never writes them).
   */
  emitBody(block: JitBlock, terminator: (pc: number) => void, entry = false, views: ReadonlySet<number> = NO_VIEWS): void {
    this.reset(entry);
    // Registers whose region view the enclosing loop loaded into vN before it started.
    for (const r of views) this.viewOf[r] = true;
    this.length = block.pcs.length;
    if (this.length > 0) this.lines.push(`n += ${this.length};`);
    const prog = this.fc.prog;
    block.pcs.forEach((pc, i) => {
      this.index = i;
      this.applyFacts(pc);
      const row = prog.rows[pc]!;
      const x = prog.insns[pc]!;
      const last = i === block.pcs.length - 1;
      if (last && (row.kind === 'ja' || row.kind === 'jcond' || row.kind === 'exit' || row.kind === 'call_local')) {
        terminator(pc);
        return;
      }
      this.insn(pc, row, x);
    });
  }

  private insn(pc: number, row: OpcodeRow, x: Insn): void {
    switch (row.kind) {
      case 'alu':
        return row.width === 64 ? this.alu64(pc, row, x) : this.alu32(row, x);
      case 'mov':
        return this.mov(pc, row, x);
      case 'movsx':
        return this.movsx(row, x);
      case 'neg':
        return this.neg(row, x);
      case 'end':
        return this.end(row, x);
      case 'lddw':
        return this.lddw(pc, row, x);
      case 'ldx':
      case 'ldxs':
        return this.load(pc, row, x);
      case 'st':
      case 'stx':
        return this.store(pc, row, x);
      case 'atomic':
        return this.atomic(pc, row, x);
      case 'call':
        return this.helperCall(this, pc);
      case 'call_kfunc':
        this.lines.push(this.fault('unsupported', pc, `kfunc calls are not supported (insn ${pc})`));
        return;
      default:
        throw new Error(`emit-insn: ${row.kind} at ${pc} is not a straight-line instruction`);
    }
  }

  // ── ALU ────────────────────────────────────────────────────────────────────────────────

  /** The second operand's halves and their known values. */
  private operand(row: OpcodeRow, x: Insn): { bl: string; bh: string; kl: number | null; kh: number | null } {
    if (row.source === 'reg') return { bl: this.lo(x.src), bh: this.hi(x.src), kl: this.kLo(x.src), kh: this.kHi(x.src) };
    return { bl: lit(x.imm), bh: lit(x.imm >> 31), kl: x.imm, kh: x.imm >> 31 };
  }

  private alu64(pc: number, row: OpcodeRow, x: Insn): void {
    const d = x.dst;
    const op = row.op;
    const { bl, bh, kl, kh } = this.operand(row, x);
    const al = this.lo(d);
    const ah = this.hi(d);
    const kal = this.kLo(d);
    const kah = this.kHi(d);
    if (kal !== null && kah !== null && kl !== null && kh !== null) {
      const f = fold64(op, row.signed, kal, kah, kl, kh);
      if (f !== null) return this.assign(d, lit(f[0]), lit(f[1]), f[0], f[1]);
    }
    // Stack-pointer arithmetic by a constant stays symbolic while it cannot carry.
    const fo = this.fpOff(d);
    if (fo !== null && kl !== null && kh === kl >> 31 && (op === BPF_ADD || op === BPF_SUB)) {
      const k2 = op === BPF_ADD ? fo + kl : fo - kl;
      if (k2 >= FP_OFF_MIN && k2 <= FP_OFF_MAX) {
        this.set(d, null, null, k2);
        return this.assign(d, this.lo(d), lit(REGION_STACK), null, null, k2);
      }
    }
    const fits = this.fitsAfter(pc, d);
    const L = `r${d}l`;
    const Hd = `r${d}h`;
    const out = this.lines;
    const hiZero = kah === 0 && kh === 0;
    switch (op) {
      case BPF_ADD:
        if (fits) return this.assign(d, `(${al} + ${bl}) | 0`, '0', null, 0);
        if (hiZero) {
          out.push(`t0 = ${al};`, `${L} = (t0 + ${bl}) | 0;`, `${Hd} = (${L} >>> 0) < (t0 >>> 0) ? 1 : 0;`);
        } else {
          out.push(`t0 = ${al};`, `${L} = (t0 + ${bl}) | 0;`, `${Hd} = (${ah} + ${bh} + ((${L} >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;`);
        }
        return this.set(d, null, null);
      case BPF_SUB:
        if (row.source === 'reg' && x.src === d) return this.assign(d, '0', '0', 0, 0);
        if (fits) return this.assign(d, `(${al} - ${bl}) | 0`, '0', null, 0);
        out.push(`t0 = ${al};`, `t1 = ${bl};`, `${L} = (t0 - t1) | 0;`, `${Hd} = (${ah} - ${bh} - ((t0 >>> 0) < (t1 >>> 0) ? 1 : 0)) | 0;`);
        return this.set(d, null, null);
      case BPF_MUL: {
        if (fits) return this.assign(d, `Math.imul(${al}, ${bl})`, '0', null, 0);
        out.push(`t0 = ${al};`, `t1 = ${bl};`, `${L} = Math.imul(t0, t1);`);
        // High word: the high half of the low words' product, plus the cross products. By a
        // constant below 2^21 the product is exact as a double.
        const high = kl !== null && kl >= 0 && kl < 1 << 21 ? `(((t0 >>> 0) * ${kl} / 4294967296) | 0)` : 'mulhi(t0, t1)';
        const terms = [high];
        if (kh !== 0) terms.push(`Math.imul(t0, ${bh})`);
        if (kah !== 0) terms.push(`Math.imul(${ah}, t1)`);
        out.push(`${Hd} = ${terms.length === 1 ? terms[0] : `(${terms.join(' + ')}) | 0`};`);
        return this.set(d, null, null);
      }
      case BPF_DIV:
      case BPF_MOD: {
        const isDiv = op === BPF_DIV;
        // Unsigned and both below 2^32: the 32-bit operation is the 64-bit one.
        if (!row.signed && hiZero) {
          if (kl !== null && kl !== 0) {
            out.push(`${L} = ((${al} >>> 0) ${isDiv ? '/' : '%'} ${kl >>> 0}) | 0;`);
          } else if (kl === 0) {
            if (isDiv) out.push(`${L} = 0;`);
          } else {
            out.push(`t1 = ${bl};`);
            out.push(isDiv
              ? `${L} = t1 === 0 ? 0 : ((${al} >>> 0) / (t1 >>> 0)) | 0;`
              : `${L} = t1 === 0 ? ${al} : ((${al} >>> 0) % (t1 >>> 0)) | 0;`);
          }
          out.push(`${Hd} = 0;`);
          return this.set(d, null, 0);
        }
        const fn = `${row.signed ? 's' : 'u'}${isDiv ? 'div' : 'mod'}64`;
        out.push(`${L} = ${fn}(${al}, ${ah}, ${bl}, ${bh});`, `${Hd} = RET[0];`);
        return this.set(d, null, null);
      }
      case BPF_OR:
      case BPF_AND:
      case BPF_XOR: {
        const o = op === BPF_OR ? '|' : op === BPF_AND ? '&' : '^';
        const lo = `${al} ${o} ${bl}`;
        let h: string;
        let khOut: number | null = null;
        if (fits) {
          h = '0';
          khOut = 0;
        } else if (kh !== null && kah !== null) {
          khOut = op === BPF_OR ? kah | kh : op === BPF_AND ? kah & kh : kah ^ kh;
          h = lit(khOut);
        } else if (kh === 0) {
          h = op === BPF_AND ? '0' : ah;
          khOut = op === BPF_AND ? 0 : kah;
        } else if (kh === -1) {
          h = op === BPF_OR ? '-1' : op === BPF_AND ? ah : `~${ah}`;
          khOut = op === BPF_OR ? -1 : op === BPF_AND ? kah : null;
        } else {
          h = `${ah} ${o} ${bh}`;
        }
        return this.assign(d, lo, h, null, khOut);
      }
      case BPF_LSH:
      case BPF_RSH:
      case BPF_ARSH:
        return this.shift64(pc, row, x, al, ah, kah, fits);
      default:
        throw new Error(`emit-insn: alu64 op ${op}`);
    }
  }

  private shift64(pc: number, row: OpcodeRow, x: Insn, al: string, ah: string, kah: number | null, fits: boolean): void {
    const d = x.dst;
    const L = `r${d}l`;
    const Hd = `r${d}h`;
    const op = row.op;
    if (row.source === 'reg') {
      const fn = op === BPF_LSH ? 'lsh64' : op === BPF_RSH ? 'rsh64' : 'arsh64';
      if (fits && op === BPF_LSH) {
        this.lines.push(`t1 = ${this.lo(x.src)} & 63;`, `${L} = t1 < 32 ? ${al} << t1 : 0;`, `${Hd} = 0;`);
        return this.set(d, null, 0);
      }
      if (kah === 0 && op !== BPF_LSH) {
        // Logical and arithmetic right shifts agree on a value below 2^32.
        this.lines.push(`t1 = ${this.lo(x.src)} & 63;`, `${L} = t1 < 32 ? (${al} >>> t1) | 0 : 0;`, `${Hd} = 0;`);
        return this.set(d, null, 0);
      }
      this.lines.push(`${L} = ${fn}(${al}, ${ah}, ${this.lo(x.src)});`, `${Hd} = RET[0];`);
      return this.set(d, null, null);
    }
    const s = x.imm & 63;
    if (s === 0) return;
    if (op === BPF_LSH) {
      if (fits) return this.assign(d, s < 32 ? `${al} << ${s}` : '0', '0', s < 32 ? null : 0, 0);
      if (s < 32) this.lines.push(`${Hd} = (${ah} << ${s}) | (${al} >>> ${32 - s});`, `${L} = ${al} << ${s};`);
      else this.lines.push(`${Hd} = ${s === 32 ? al : `${al} << ${s - 32}`};`, `${L} = 0;`);
      return this.set(d, s < 32 ? null : 0, null);
    }
    const logical = op === BPF_RSH || kah === 0;
    if (kah === 0) {
      // High word zero: the low word is all there is.
      if (s < 32) return this.assign(d, `${al} >>> ${s}`, '0', null, 0);
      return this.assign(d, '0', '0', 0, 0);
    }
    if (s < 32) {
      this.lines.push(`${L} = (${al} >>> ${s}) | (${ah} << ${32 - s});`, `${Hd} = ${ah} ${logical ? '>>>' : '>>'} ${s};`);
      return this.set(d, null, null);
    }
    if (logical) {
      this.lines.push(`${L} = ${s === 32 ? ah : `${ah} >>> ${s - 32}`};`, `${Hd} = 0;`);
      return this.set(d, null, 0);
    }
    this.lines.push(`${L} = ${s === 32 ? ah : `${ah} >> ${s - 32}`};`, `${Hd} = ${ah} >> 31;`);
    return this.set(d, null, null);
  }

  private alu32(row: OpcodeRow, x: Insn): void {
    const d = x.dst;
    const op = row.op;
    const b = row.source === 'reg' ? this.lo(x.src) : lit(x.imm);
    const kb = row.source === 'reg' ? this.kLo(x.src) : x.imm;
    const a = this.lo(d);
    const ka = this.kLo(d);
    if (ka !== null && kb !== null) {
      const f = fold32(op, row.signed, ka, kb);
      if (f !== null) return this.assign(d, lit(f), '0', f, 0);
    }
    let e: string;
    switch (op) {
      case BPF_ADD: e = `(${a} + ${b}) | 0`; break;
      case BPF_SUB: e = `(${a} - ${b}) | 0`; break;
      case BPF_MUL: e = `Math.imul(${a}, ${b})`; break;
      case BPF_OR: e = `${a} | ${b}`; break;
      case BPF_AND: e = `${a} & ${b}`; break;
      case BPF_XOR: e = `${a} ^ ${b}`; break;
      case BPF_LSH: e = `${a} << ${b}`; break;
      case BPF_RSH: e = `(${a} >>> ${b}) | 0`; break;
      case BPF_ARSH: e = `${a} >> ${b}`; break;
      case BPF_DIV:
      case BPF_MOD: {
        const isDiv = op === BPF_DIV;
        if (kb !== null && kb !== 0) {
          e = row.signed
            ? isDiv ? `(${a} / ${lit(kb)}) | 0` : `(${a} % ${lit(kb)}) | 0`
            : `((${a} >>> 0) ${isDiv ? '/' : '%'} ${kb >>> 0}) | 0`;
        } else if (kb === 0) {
          e = isDiv ? '0' : a;
        } else {
          this.lines.push(`t1 = ${b};`);
          const q = row.signed
            ? isDiv ? `(${a} / t1) | 0` : `(${a} % t1) | 0`
            : `((${a} >>> 0) ${isDiv ? '/' : '%'} (t1 >>> 0)) | 0`;
          e = `t1 === 0 ? ${isDiv ? '0' : a} : ${q}`;
        }
        break;
      }
      default:
        throw new Error(`emit-insn: alu32 op ${op}`);
    }
    this.assign(d, e, '0', null, 0);
  }

  private mov(pc: number, row: OpcodeRow, x: Insn): void {
    const d = x.dst;
    if (row.source === 'imm') {
      if (row.width === 32) return this.assign(d, lit(x.imm), '0', x.imm, 0);
      return this.assign(d, lit(x.imm), lit(x.imm >> 31), x.imm, x.imm >> 31);
    }
    const s = x.src;
    if (s === d) {
      if (row.width === 32) this.assign(d, `r${d}l`, '0', this.kLo(d), 0);
      return;
    }
    if (row.width === 32) return this.assign(d, this.lo(s), '0', this.kLo(s), 0);
    const fits = this.fitsAfter(pc, d);
    this.assign(d, this.lo(s), fits ? '0' : this.hi(s), this.kLo(s), fits ? 0 : this.kHi(s), this.fpOff(s));
  }

  private movsx(row: OpcodeRow, x: Insn): void {
    const d = x.dst;
    const s = this.lo(x.src);
    const e = row.size === 1 ? `(${s} << 24) >> 24` : row.size === 2 ? `(${s} << 16) >> 16` : s;
    if (row.width === 32) return this.assign(d, e, '0', null, 0);
    this.lines.push(`r${d}l = ${e};`, `r${d}h = r${d}l >> 31;`);
    this.set(d, null, null);
  }

  private neg(row: OpcodeRow, x: Insn): void {
    const d = x.dst;
    if (row.width === 32) return this.assign(d, `-${this.lo(d)} | 0`, '0', null, 0);
    const kl = this.kLo(d);
    const kh = this.kHi(d);
    if (kl !== null && kh !== null) {
      const l = neg(kl, kh);
      return this.assign(d, lit(l), lit(hiOf), l, hiOf);
    }
    this.lines.push(`r${d}l = -r${d}l | 0;`, `r${d}h = (~${this.hi(d)} + (r${d}l === 0 ? 1 : 0)) | 0;`);
    this.set(d, null, null);
  }

  private end(row: OpcodeRow, x: Insn): void {
    const d = x.dst;
    const L = `r${d}l`;
    const a = this.lo(d);
    if (row.endOrder === 'le') {
      // Little-endian host: truncation to the width, zero-extended.
      if (row.size === 2) return this.assign(d, `${a} & 65535`, '0', null, 0);
      if (row.size === 4) return this.assign(d, a, '0', this.kLo(d), 0);
      return;
    }
    const kl = this.kLo(d);
    const kh = this.kHi(d);
    if (kl !== null && kh !== null) {
      const l = row.size === 2 ? bswap16(kl) : row.size === 4 ? bswap32(kl) : bswap64(kl, kh);
      return this.assign(d, lit(l), lit(hiOf), l, hiOf);
    }
    const swap32 = (v: string): string => `((${v} & 255) << 24) | ((${v} & 65280) << 8) | ((${v} >>> 8) & 65280) | (${v} >>> 24)`;
    if (row.size === 2) return this.assign(d, `((${a} & 255) << 8) | ((${a} >>> 8) & 255)`, '0', null, 0);
    if (row.size === 4) return this.assign(d, swap32(a), '0', null, 0);
    this.lines.push(`t0 = ${a};`, `${L} = ${swap32(this.hi(d))};`, `r${d}h = ${swap32('t0')};`);
    this.set(d, null, null);
  }

  private lddw(pc: number, row: OpcodeRow, x: Insn): void {
    const d = x.dst;
    const hiImm = this.fc.prog.insns[pc + 1]!.imm;
    if (row.pseudo === 0) return this.assign(d, lit(x.imm), lit(hiImm), x.imm, hiImm);
    if (row.pseudo === BPF_PSEUDO_MAP_FD) return this.assign(d, lit(x.imm), lit(REGION_MAP_HANDLE), x.imm, REGION_MAP_HANDLE);
    if (row.pseudo === BPF_PSEUDO_MAP_VALUE) {
      // A shared array's element 0 never moves: the pointer is a constant.
      const map = this.fc.mapOf(x.imm);
      if (map instanceof ArrayMap && !map.percpu && map.maxEntries > 0) {
        return this.assign(d, lit(hiImm), lit(map.regions[0]!), hiImm, map.regions[0]!);
      }
      this.lines.push(
        `if (!mapValueAddr(M, ${x.imm}, ${hiImm})) ${this.fault('unsupported', pc, `lddw map_value: map fd ${x.imm} has no value to point into at insn ${pc}`)}`,
        `r${d}l = RET[0];`,
        `r${d}h = RET[1];`,
      );
      return this.set(d, null, null);
    }
    if (row.pseudo === BPF_PSEUDO_FUNC) {
      const entry = pc + 1 + x.imm;
      return this.assign(d, lit(entry), lit(REGION_FUNC), entry, REGION_FUNC);
    }
    this.lines.push(this.fault('unsupported', pc, `lddw src=${row.pseudo} must be resolved by the loader before running (insn ${pc})`));
  }

  // ── memory ─────────────────────────────────────────────────────────────────────────────

  /**
   * Where an access goes: a DataView expression and a byte offset expression. Proven accesses
   * (stack, map values, ringbuf records, reads of a context the run entry sized) use their
   * view directly; others are checked here against the region, faulting like the interpreter.
   */
  private address(pc: number, base: number, off: number, size: number, write: boolean): { view: string; at: (extra: number) => string } {
    const f = this.facts(pc);
    const offText = (k: number): string => (k === 0 ? '' : k > 0 ? ` + ${k}` : ` - ${-k}`);
    if (f !== undefined && f.inBounds === true) {
      const fo = this.fpOff(base);
      const kl = this.kLo(base);
      if (f.mem === 'stack') {
        if (fo !== null) return { view: 'S', at: (e) => `fp${offText(fo + off + e)}` };
        return { view: 'S', at: (e) => (kl !== null ? `${kl + off + e}` : `r${base}l${offText(off + e)}`) };
      }
      const at = (e: number): string => (kl !== null ? `${kl + off + e}` : `${this.lo(base)}${offText(off + e)}`);
      if (f.mem === 'ctx' && !write && f.memOff !== undefined) {
        this.ctxEnd = Math.max(this.ctxEnd, f.memOff + size);
        return { view: 'C', at };
      }
      // One shared map's values: its region's view never changes, a module constant (which
      // V8 folds: no view load, a bounds check against a known length).
      const shared = sharedValueRegion(f, this.fc.mapOf);
      if (shared !== null) return { view: this.fc.alias(`VR${shared}`, `V[${shared}]`), at };
      if (f.mem === 'map_value' || f.mem === 'mem') return { view: this.regionView(base), at };
    }
    const l = this.lo(base);
    const h = this.hi(base);
    const checks = [`${l} < 0`, `(pa = ${l}${offText(off)}) < 0`, `((pr = ${h}) >>> 0) >= V.length`, `pa + ${size} > V[pr].byteLength`];
    if (write) checks.push('!W[pr]');
    const call = `accessFault(out, M, ${write}, ${pc}, ${h}, ${l}, ${off}, ${size}, ${this.insnsExpr()}, r0l, r0h)`;
    this.lines.push(`if (${checks.join(' || ')}) ${this.faultStmt(call)}`);
    return { view: 'V[pr]', at: (e) => `pa${offText(e)}` };
  }

  private load(pc: number, row: OpcodeRow, x: Insn): void {
    const d = x.dst;
    let { view, at } = this.address(pc, x.src, x.off, row.size, false);
    const L = `r${d}l`;
    const Hd = `r${d}h`;
    // The destination may be the base register: take the view and address first.
    if (d === x.src && view.startsWith('V[r')) {
      this.lines.push(`pv = ${view};`);
      view = 'pv';
    }
    if (d === x.src && at(0).includes(`r${d}l`)) {
      this.lines.push(`pa = ${at(0)};`);
      at = (e) => (e === 0 ? 'pa' : `pa + ${e}`);
    }
    if (row.size === 8) {
      const fits = this.fitsAfter(pc, d);
      if (fits) {
        this.lines.push(`${L} = ${view}.getInt32(${at(0)}, true);`, `${Hd} = 0;`);
        return this.set(d, null, 0);
      }
      this.lines.push(`${Hd} = ${view}.getInt32(${at(4)}, true);`, `${L} = ${view}.getInt32(${at(0)}, true);`);
      return this.set(d, null, null);
    }
    const signed = row.kind === 'ldxs';
    const get = row.size === 4 ? 'Int32' : row.size === 2 ? (signed ? 'Int16' : 'Uint16') : signed ? 'Int8' : 'Uint8';
    const le = row.size === 1 ? '' : ', true';
    this.lines.push(`${L} = ${view}.get${get}(${at(0)}${le});`);
    if (signed) {
      this.lines.push(`${Hd} = ${L} >> 31;`);
      return this.set(d, null, null);
    }
    this.lines.push(`${Hd} = 0;`);
    this.set(d, null, 0);
  }

  private store(pc: number, row: OpcodeRow, x: Insn): void {
    const { view, at } = this.address(pc, x.dst, x.off, row.size, true);
    const vl = row.kind === 'st' ? lit(x.imm) : this.lo(x.src);
    const vh = row.kind === 'st' ? lit(x.imm >> 31) : this.hi(x.src);
    this.trackStore(view, at(0), row.size, row.kind === 'st' ? x.imm : this.kLo(x.src), row.kind === 'st' ? x.imm >> 31 : this.kHi(x.src));
    switch (row.size) {
      case 8:
        this.lines.push(`${view}.setInt32(${at(0)}, ${vl}, true);`, `${view}.setInt32(${at(4)}, ${vh}, true);`);
        return;
      case 4:
        this.lines.push(`${view}.setInt32(${at(0)}, ${vl}, true);`);
        return;
      case 2:
        this.lines.push(`${view}.setInt16(${at(0)}, ${vl}, true);`);
        return;
      default:
        this.lines.push(`${view}.setInt8(${at(0)}, ${vl});`);
    }
  }

  /**
   * What a store does to the known stack words: a constant stack offset updates them; map
   * values and helper memory are other regions; any other store may hit the stack.
   */
  private trackStore(view: string, at: string, size: number, lo: number | null, hi: number | null): void {
    if (view === 'S') return this.noteStore(/^\d+$/.test(at) ? Number(at) : null, size, lo, hi);
    if (/^v\d$/.test(view) || view.startsWith('VR')) return;
    this.noteStore(null, size, null, null);
  }

  private atomic(pc: number, row: OpcodeRow, x: Insn): void {
    const wide = row.size === 8;
    const a = this.address(pc, x.dst, x.off, row.size, true);
    this.trackStore(a.view, a.at(0), row.size, null, null);
    const s = x.src;
    const out = this.lines;
    out.push(`pv = ${a.view};`, `pa = ${a.at(0)};`, 'o0 = pv.getInt32(pa, true);');
    out.push(wide ? 'o1 = pv.getInt32(pa + 4, true);' : 'o1 = 0;');
    const sl = this.lo(s);
    const sh = wide ? this.hi(s) : '0';
    const op = row.op;
    let nl: string;
    let nh: string;
    switch (op & 0xf0) {
      case BPF_ADD:
        out.push(`t0 = (o0 + ${sl}) | 0;`);
        nl = 't0';
        nh = `(o1 + ${sh} + ((t0 >>> 0) < (o0 >>> 0) ? 1 : 0)) | 0`;
        break;
      case BPF_OR:
        nl = `o0 | ${sl}`;
        nh = `o1 | ${sh}`;
        break;
      case BPF_AND:
        nl = `o0 & ${sl}`;
        nh = `o1 & ${sh}`;
        break;
      case BPF_XOR:
        nl = `o0 ^ ${sl}`;
        nh = `o1 ^ ${sh}`;
        break;
      case BPF_XCHG & 0xf0:
        nl = sl;
        nh = sh;
        break;
      default: { // cmpxchg: store src where the memory equals r0; r0 = the old value
        const eq = wide ? `${this.lo(0)} === o0 && ${this.hi(0)} === o1` : `${this.lo(0)} === o0`;
        out.push(`if (${eq}) {`, `  pv.setInt32(pa, ${sl}, true);`);
        if (wide) out.push(`  pv.setInt32(pa + 4, ${sh}, true);`);
        out.push('}', 'r0l = o0;', 'r0h = o1;');
        this.set(0, null, wide ? null : 0);
        return;
      }
    }
    out.push(`pv.setInt32(pa, ${nl}, true);`);
    if (wide) out.push(`pv.setInt32(pa + 4, ${nh}, true);`);
    if ((op & BPF_FETCH) !== 0 && op !== BPF_CMPXCHG) {
      out.push(`r${s}l = o0;`, `r${s}h = o1;`);
      this.set(s, null, wide ? null : 0);
    }
  }

  // ── conditions ─────────────────────────────────────────────────────────────────────────

  /** The condition of a conditional jump at pc as a JS boolean expression. */
  condition(pc: number): string {
    const row = this.fc.prog.rows[pc]!;
    const x = this.fc.prog.insns[pc]!;
    const d = x.dst;
    const reg = row.source === 'reg';
    const al = this.lo(d);
    const bl = reg ? this.lo(x.src) : lit(x.imm);
    const u = (v: string): string => (/^\d+$/.test(v) ? v : /^\(-\d+\)$/.test(v) ? `${Number(v.slice(1, -1)) >>> 0}` : `(${v} >>> 0)`);
    const op = row.op;
    if (row.width === 32) return cmp32(op, al, bl, u);
    const ah = this.hi(d);
    const bh = reg ? this.hi(x.src) : lit(x.imm >> 31);
    const kah = this.kHi(d);
    const kbh = reg ? this.kHi(x.src) : x.imm >> 31;
    const sameHi = kah !== null && kbh !== null && kah === kbh;
    if (op === BPF_JSET && kah !== null && kbh !== null) return (kah & kbh) !== 0 ? 'true' : `(${al} & ${bl}) !== 0`;
    if (sameHi) {
      // Equal high words: the low words decide, compared unsigned (also for signed jumps).
      return cmp32(unsignedOf(op), al, bl, u);
    }
    switch (op) {
      case BPF_JEQ: return `${al} === ${bl} && ${ah} === ${bh}`;
      case BPF_JNE: return `${al} !== ${bl} || ${ah} !== ${bh}`;
      case BPF_JSET: return `(${al} & ${bl}) !== 0 || (${ah} & ${bh}) !== 0`;
      default: {
        const signed = op === BPF_JSGT || op === BPF_JSGE || op === BPF_JSLT || op === BPF_JSLE;
        const rel = REL[op]!;
        const hiCmp = signed ? `${ah} ${rel.strict} ${bh}` : `${u(ah)} ${rel.strict} ${u(bh)}`;
        return `${ah} === ${bh} ? ${u(al)} ${rel.op} ${u(bl)} : ${hiCmp}`;
      }
    }
  }
}

const REL: Readonly<Record<number, { op: string; strict: string }>> = {
  [BPF_JGT]: { op: '>', strict: '>' },
  [BPF_JGE]: { op: '>=', strict: '>' },
  [BPF_JLT]: { op: '<', strict: '<' },
  [BPF_JLE]: { op: '<=', strict: '<' },
  [BPF_JSGT]: { op: '>', strict: '>' },
  [BPF_JSGE]: { op: '>=', strict: '>' },
  [BPF_JSLT]: { op: '<', strict: '<' },
  [BPF_JSLE]: { op: '<=', strict: '<' },
};

function unsignedOf(op: number): number {
  switch (op) {
    case BPF_JSGT: return BPF_JGT;
    case BPF_JSGE: return BPF_JGE;
    case BPF_JSLT: return BPF_JLT;
    case BPF_JSLE: return BPF_JLE;
    default: return op;
  }
}

function cmp32(op: number, a: string, b: string, u: (v: string) => string): string {
  switch (op) {
    case BPF_JEQ: return `${a} === ${b}`;
    case BPF_JNE: return `${a} !== ${b}`;
    case BPF_JSET: return `(${a} & ${b}) !== 0`;
    case BPF_JGT: return `${u(a)} > ${u(b)}`;
    case BPF_JGE: return `${u(a)} >= ${u(b)}`;
    case BPF_JLT: return `${u(a)} < ${u(b)}`;
    case BPF_JLE: return `${u(a)} <= ${u(b)}`;
    case BPF_JSGT: return `${a} > ${b}`;
    case BPF_JSGE: return `${a} >= ${b}`;
    case BPF_JSLT: return `${a} < ${b}`;
    case BPF_JSLE: return `${a} <= ${b}`;
    default: throw new Error(`emit-insn: jump op ${op}`);
  }
}

