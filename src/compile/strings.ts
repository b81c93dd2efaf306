// Strings and other byte values in programs: equality of strings (C-string semantics, up to
// the NUL) and of tuples, records and arrays (all bytes), strlen, strncmp and strcontains.
// Short values are compared by unrolled loads against constants or each other; long ones
// by a bounded loop the verifier can walk. In: values. Out: 0/1 (or a count) in a temp.
// Not: reading strings from kernel or user memory (calls.ts, str()).

import { CodeGen, chunkAt, litBytes, type Mem, type Val } from './codegen.js';
import type { Label } from './emitter.js';
import type { Slot } from './frame.js';
import type { Temp } from './registers.js';
import { BPF_ADD } from '../ebpf/isa.js';

/** Bytes up to which a string comparison is unrolled. */
const UNROLL_LIMIT = 64;

/** Memory of a value for reading bytes (stack, scratch or the context). */
function readable(cg: CodeGen, v: Val): { m: Mem; slot?: Slot; ctx: boolean } {
  if (v.k === 'ctx') return { m: { base: cg.ctxBase(), off: v.off }, ctx: true };
  const { m, slot } = cg.memOf(v);
  return { m, ...(slot ? { slot } : {}), ctx: false };
}

function done(cg: CodeGen, r: { slot?: Slot; ctx: boolean }): void {
  cg.frame.free(r.slot);
  if (r.ctx) cg.ctxDone();
}

/** 1 when a and b are equal (strings as C strings, other values byte for byte), else 0. */
export function compareMem(cg: CodeGen, a: Val, b: Val): Temp {
  if (a.t.kind === 'string' && b.t.kind === 'string') {
    if (b.k === 'lit') return equalsLiteral(cg, a, b.bytes);
    if (a.k === 'lit') return equalsLiteral(cg, b, a.bytes);
    return equalStrings(cg, a, b);
  }
  return equalBytes(cg, a, b);
}

/** 1 when the string v equals the literal (its first n + 1 bytes are the literal and a NUL). */
function equalsLiteral(cg: CodeGen, v: Val, text: string): Temp {
  const n = text.length + 1;
  if (n > v.t.size) {
    cg.release(v);
    const none = cg.regs.alloc();
    cg.e.movImm(none.reg, 0n);
    return none;
  }
  // The result's register is taken after the value is readable: reading it may call a
  // helper, which would save a register that holds nothing yet.
  const src = readable(cg, v);
  const res = cg.regs.alloc();
  const bytes = litBytes(text, n);
  const fail = cg.e.newLabel();
  cg.e.movImm(res.reg, 0n);
  const x = cg.regs.alloc();
  let i = 0;
  while (i < n) {
    const w = chunkAt(src.m, i, n - i);
    let want = 0n;
    for (let k = w - 1; k >= 0; k--) want = (want << 8n) | BigInt(bytes[i + k]!);
    cg.e.ldx(w, x.reg, src.m.base, src.m.off + i);
    jumpUnless(cg, x.reg, want, w, fail);
    i += w;
  }
  cg.regs.free(x);
  cg.e.movImm(res.reg, 1n);
  cg.e.bind(fail);
  done(cg, src);
  return res;
}

/** Jumps to fail unless the w-byte value in r equals want. */
function jumpUnless(cg: CodeGen, r: number, want: bigint, w: number, fail: Label): void {
  if (w === 8) {
    const s = BigInt.asIntN(64, want);
    if (s >= -0x8000_0000n && s <= 0x7fff_ffffn) cg.e.jImm('ne', r, Number(s), fail);
    else {
      const t = cg.regs.alloc();
      cg.e.movImm(t.reg, s);
      cg.e.jReg('ne', r, t.reg, fail);
      cg.regs.free(t);
    }
    return;
  }
  // Narrow loads are zero-extended; a 32-bit compare handles values above 2^31.
  cg.e.jImm('ne', r, Number(BigInt.asIntN(32, want)), fail, w === 4 ? 32 : 64);
}

/** C-string equality of two run-time strings, byte by byte up to the first NUL. */
function equalStrings(cg: CodeGen, a: Val, b: Val): Temp {
  const sa = a.t.size;
  const sb = b.t.size;
  const n = Math.min(sa, sb);
  const ra = readable(cg, a);
  const rb = readable(cg, b);
  const res = cg.regs.alloc();
  const x = cg.regs.alloc();
  const y = cg.regs.alloc();
  const fail = cg.e.newLabel();
  const eq = cg.e.newLabel();
  cg.e.movImm(res.reg, 0n);
  if (n <= UNROLL_LIMIT) {
    for (let i = 0; i < n; i++) {
      cg.e.ldx(1, x.reg, ra.m.base, ra.m.off + i);
      cg.e.ldx(1, y.reg, rb.m.base, rb.m.off + i);
      cg.e.jReg('ne', x.reg, y.reg, fail);
      cg.e.jImm('eq', x.reg, 0, eq);
    }
  } else {
    byteLoop(cg, ra.m, rb.m, n, x, y, fail, eq);
  }
  // n bytes equal without a NUL: equal only if the longer one ends there.
  if (sa !== sb) {
    const longer = sa > sb ? ra.m : rb.m;
    cg.e.ldx(1, x.reg, longer.base, longer.off + n);
    cg.e.jImm('ne', x.reg, 0, fail);
  }
  cg.e.bind(eq);
  cg.e.movImm(res.reg, 1n);
  cg.e.bind(fail);
  cg.regs.free(x);
  cg.regs.free(y);
  done(cg, ra);
  done(cg, rb);
  return res;
}

/**
 * A bounded loop over n byte pairs: pointers advance one byte per iteration, a counter
 * bounds it. Jumps to fail on a difference, to eq on a common NUL.
 */
function byteLoop(cg: CodeGen, a: Mem, b: Mem, n: number, x: Temp, y: Temp, fail: Label, eq: Label): void {
  const pa = cg.regs.alloc();
  const pb = cg.regs.alloc();
  const i = cg.regs.alloc();
  cg.e.mov(pa.reg, a.base);
  cg.e.addImm(pa.reg, a.off);
  cg.e.mov(pb.reg, b.base);
  cg.e.addImm(pb.reg, b.off);
  cg.e.movImm(i.reg, 0n);
  cg.loopDepth++;
  const top = cg.e.here();
  cg.e.ldx(1, x.reg, pa.reg, 0);
  cg.e.ldx(1, y.reg, pb.reg, 0);
  cg.e.jReg('ne', x.reg, y.reg, fail);
  cg.e.jImm('eq', x.reg, 0, eq);
  cg.e.addImm(pa.reg, 1);
  cg.e.addImm(pb.reg, 1);
  cg.e.addImm(i.reg, 1);
  cg.e.jImm('lt', i.reg, n, top);
  cg.loopDepth--;
  cg.regs.free(pa);
  cg.regs.free(pb);
  cg.regs.free(i);
}

/** Byte equality of two values of the same size (tuples, records, arrays, buffers). */
function equalBytes(cg: CodeGen, a: Val, b: Val): Temp {
  const n = Math.min(a.t.size, b.t.size);
  const ra = readable(cg, a);
  const rb = readable(cg, b);
  const res = cg.regs.alloc();
  const x = cg.regs.alloc();
  const y = cg.regs.alloc();
  const fail = cg.e.newLabel();
  cg.e.movImm(res.reg, 0n);
  let i = 0;
  while (i < n) {
    const w = Math.min(chunkAt(ra.m, i, n - i), chunkAt(rb.m, i, n - i)) as 1 | 2 | 4 | 8;
    cg.e.ldx(w, x.reg, ra.m.base, ra.m.off + i);
    cg.e.ldx(w, y.reg, rb.m.base, rb.m.off + i);
    cg.e.jReg('ne', x.reg, y.reg, fail);
    i += w;
  }
  cg.e.movImm(res.reg, 1n);
  cg.e.bind(fail);
  cg.regs.free(x);
  cg.regs.free(y);
  done(cg, ra);
  done(cg, rb);
  return res;
}

/** strlen(s): the bytes before the first NUL (at most the string's size). */
export function strlen(cg: CodeGen, v: Val): Temp {
  const size = v.t.size;
  const r = readable(cg, v);
  const n = cg.regs.alloc();
  const x = cg.regs.alloc();
  const end = cg.e.newLabel();
  cg.e.movImm(n.reg, 0n);
  if (size <= UNROLL_LIMIT) {
    for (let i = 0; i < size; i++) {
      cg.e.ldx(1, x.reg, r.m.base, r.m.off + i);
      cg.e.jImm('eq', x.reg, 0, end);
      cg.e.addImm(n.reg, 1);
    }
  } else {
    const p = cg.regs.alloc();
    cg.e.mov(p.reg, r.m.base);
    cg.e.addImm(p.reg, r.m.off);
    cg.loopDepth++;
    const top = cg.e.here();
    cg.e.ldx(1, x.reg, p.reg, 0);
    cg.e.jImm('eq', x.reg, 0, end);
    cg.e.addImm(p.reg, 1);
    cg.e.addImm(n.reg, 1);
    cg.e.jImm('lt', n.reg, size, top);
    cg.loopDepth--;
    cg.regs.free(p);
  }
  cg.e.bind(end);
  cg.regs.free(x);
  done(cg, r);
  return n;
}

/** strncmp(a, b, n): 0 when the first n bytes (up to a common NUL) are equal, else 1. */
export function strncmp(cg: CodeGen, a: Val, b: Val, n: number): Temp {
  const limit = Math.min(n, a.t.size, b.t.size);
  const ra = readable(cg, a);
  const rb = readable(cg, b);
  const res = cg.regs.alloc();
  const x = cg.regs.alloc();
  const y = cg.regs.alloc();
  const fail = cg.e.newLabel();
  const eq = cg.e.newLabel();
  cg.e.movImm(res.reg, 1n);
  if (limit <= UNROLL_LIMIT) {
    for (let i = 0; i < limit; i++) {
      cg.e.ldx(1, x.reg, ra.m.base, ra.m.off + i);
      cg.e.ldx(1, y.reg, rb.m.base, rb.m.off + i);
      cg.e.jReg('ne', x.reg, y.reg, fail);
      cg.e.jImm('eq', x.reg, 0, eq);
    }
  } else byteLoop(cg, ra.m, rb.m, limit, x, y, fail, eq);
  cg.e.bind(eq);
  cg.e.movImm(res.reg, 0n);
  cg.e.bind(fail);
  cg.regs.free(x);
  cg.regs.free(y);
  done(cg, ra);
  done(cg, rb);
  return res;
}

/**
 * strcontains(haystack, needle): 1 when needle (up to its first NUL) occurs in haystack (up
 * to its first NUL). A literal needle is compared unrolled at each haystack position; a
 * run-time one byte by byte, unrolled up to UNROLL_LIMIT bytes, else by an inner loop.
 */
export function strcontains(cg: CodeGen, hay: Val, needle: Val): Temp {
  if (needle.k !== 'lit') return strcontainsRuntime(cg, hay, needle);
  const nul = needle.bytes.indexOf('\0');
  const text = nul < 0 ? needle.bytes : needle.bytes.slice(0, nul);
  if (text.length === 0) {
    cg.release(hay);
    const all = cg.regs.alloc();
    cg.e.movImm(all.reg, 1n);
    return all;
  }
  const r = readable(cg, hay);
  const last = hay.t.size - text.length;
  const res = scanHaystack(cg, r.m, last < 0 ? undefined : { op: 'le', bound: last }, (s, next) => {
    for (let k = 0; k < text.length; k++) {
      if (k > 0) cg.e.ldx(1, s.x.reg, s.p.reg, k);
      orNext(cg, (ok) => cg.e.jImm('eq', s.x.reg, text.charCodeAt(k) & 0xff, ok), next);
    }
  });
  done(cg, r);
  return res;
}

/** The registers of a haystack scan: p addresses position i, whose byte x holds; y, when asked for, is the matcher's. */
interface Scan {
  readonly p: Temp;
  readonly i: Temp;
  readonly x: Temp;
  readonly y: Temp | undefined;
}

/**
 * The haystack scan both strcontains forms share: res = 0; at each position i (its byte in
 * x) before the haystack's NUL and while `i op bound`, `matchAt` compares the needle there,
 * falling through on a match and going to `next` otherwise; `before` runs first (it may jump
 * to found) and has the extra register y. No `loop` (the needle cannot fit): res stays 0. Returns res, 1 when found.
 */
function scanHaystack(
  cg: CodeGen,
  hay: Mem,
  loop: { readonly op: 'le' | 'lt'; readonly bound: number } | undefined,
  matchAt: (s: Scan, next: Label, found: Label) => void,
  before?: (s: Scan, found: Label) => void,
): Temp {
  const res = cg.regs.alloc();
  const s: Scan = { p: cg.regs.alloc(), i: cg.regs.alloc(), x: cg.regs.alloc(), y: before ? cg.regs.alloc() : undefined };
  const found = cg.e.newLabel();
  const end = cg.e.newLabel();
  cg.e.movImm(res.reg, 0n);
  before?.(s, found);
  cg.e.mov(s.p.reg, hay.base);
  cg.e.addImm(s.p.reg, hay.off);
  cg.e.movImm(s.i.reg, 0n);
  if (!loop) {
    cg.e.ja(end);
  } else {
    cg.loopDepth++;
    const top = cg.e.here();
    const next = cg.e.newLabel();
    cg.e.ldx(1, s.x.reg, s.p.reg, 0);
    cg.e.jImm('eq', s.x.reg, 0, end);
    matchAt(s, next, found);
    cg.e.ja(found);
    cg.e.bind(next);
    cg.e.addImm(s.p.reg, 1);
    cg.e.addImm(s.i.reg, 1);
    cg.e.jImm(loop.op, s.i.reg, loop.bound, top);
    cg.loopDepth--;
    cg.e.ja(end);
  }
  cg.e.bind(found);
  cg.e.movImm(res.reg, 1n);
  cg.e.bind(end);
  cg.regs.free(s.p);
  cg.regs.free(s.i);
  cg.regs.free(s.x);
  if (s.y) cg.regs.free(s.y);
  return res;
}

/**
 * A test whose failure goes to `next` (the following haystack position) by falling through:
 * a verifier walks the fall-through first and keeps the taken branch pending, so the long
 * path (on to the next position) is walked at once and the pending matches, walked later,
 * meet states already seen there. Jumping to `next` instead would leave one pending state
 * per compared byte per position (the kernel's 8192-jump limit for long strings).
 */
function orNext(cg: CodeGen, test: (ok: Label) => void, next: Label): void {
  const ok = cg.e.newLabel();
  test(ok);
  cg.e.ja(next, true);
  cg.e.bind(ok);
}

/**
 * strcontains with a needle known only at run time. For each haystack position i before its
 * NUL, the needle's bytes k are compared with haystack[i + k] (i + k bounded by the
 * haystack's size, so every read is in bounds for the verifier); the needle's NUL, or its
 * end, means found.
 */
function strcontainsRuntime(cg: CodeGen, hay: Val, needle: Val): Temp {
  const hsize = hay.t.size;
  const nsize = needle.t.size;
  const rh = readable(cg, hay);
  const rn = readable(cg, needle);
  // An empty needle is in every haystack, the empty one too.
  const emptyNeedle = ({ y }: Scan, found: Label): void => {
    cg.e.ldx(1, y!.reg, rn.m.base, rn.m.off);
    cg.e.jImm('eq', y!.reg, 0, found);
  };
  const res = scanHaystack(
    cg,
    rh.m,
    { op: 'lt', bound: hsize },
    ({ p, i, x, y: yTemp }, next, found) => {
      const y = yTemp!;
      if (nsize <= UNROLL_LIMIT) {
        for (let k = 0; k < nsize; k++) {
          if (k === 0) cg.e.ldx(1, y.reg, rn.m.base, rn.m.off);
          else {
            cg.e.ldx(1, y.reg, rn.m.base, rn.m.off + k);
            cg.e.jImm('eq', y.reg, 0, found);
            if (k >= hsize) {
              cg.e.ja(next);
              break;
            }
            orNext(cg, (ok) => cg.e.jImm('le', i.reg, hsize - 1 - k, ok), next);
            cg.e.ldx(1, x.reg, p.reg, k);
          }
          orNext(cg, (ok) => cg.e.jReg('eq', x.reg, y.reg, ok), next);
        }
        return;
      }
      // pn walks the needle, k counts its bytes; x = p + k addresses the haystack byte.
      const pn = cg.regs.alloc();
      const k = cg.regs.alloc();
      cg.e.mov(pn.reg, rn.m.base);
      cg.e.addImm(pn.reg, rn.m.off);
      cg.e.movImm(k.reg, 0n);
      const inner = cg.e.here();
      cg.e.ldx(1, y.reg, pn.reg, 0);
      cg.e.jImm('eq', y.reg, 0, found);
      cg.e.mov(x.reg, i.reg);
      cg.e.aluReg(BPF_ADD, x.reg, k.reg);
      orNext(cg, (ok) => cg.e.jImm('lt', x.reg, hsize, ok), next);
      cg.e.mov(x.reg, p.reg);
      cg.e.aluReg(BPF_ADD, x.reg, k.reg);
      cg.e.ldx(1, x.reg, x.reg, 0);
      orNext(cg, (ok) => cg.e.jReg('eq', x.reg, y.reg, ok), next);
      cg.e.addImm(pn.reg, 1);
      cg.e.addImm(k.reg, 1);
      cg.e.jImm('lt', k.reg, nsize, inner);
      cg.regs.free(pn);
      cg.regs.free(k);
    },
    emptyNeedle,
  );
  done(cg, rh);
  done(cg, rn);
  return res;
}
