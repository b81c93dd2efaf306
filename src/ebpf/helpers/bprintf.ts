// The format engine behind trace_printk, trace_vprintk and snprintf: a format string and u64
// arguments in, the text out, or -EINVAL for a format Linux's bpf_bprintf_prepare rejects
// (non-printable bytes, more conversions than arguments, precision, unknown conversions).
// Conversions: %d %i %u %x %X with l/ll, %c, %s, %% and the %p family (%p %pK %px %pks %pus
// %pB %ps %pS %pI4 %pi4 %pI6 %pi6), flags [0 +-] and a width, formatted as vsnprintf does.
// Known difference: plain %p prints the raw address where Linux prints a hashed one, and
// symbols (%pB %ps %pS) print as 0x-addresses since the world has no kallsyms.

import type { Machine } from '../machine.js';
import { EINVAL } from '../maps/errno.js';
import { ReadSpace, probeRead, probeReadStr } from './probe-read.js';

/** MAX_BPRINTF_BUF: the output (and string arguments) are cut at this many bytes. */
export const MAX_BPRINTF_BUF = 1024;
/** MAX_BPRINTF_VARARGS (snprintf, trace_vprintk) and MAX_TRACE_PRINTK_VARARGS. */
export const MAX_BPRINTF_VARARGS = 12;
export const MAX_TRACE_PRINTK_VARARGS = 3;

interface Spec {
  left: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  width: number;
}

const isPrintOrSpace = (c: number): boolean => (c >= 0x20 && c < 0x7f) || (c >= 0x09 && c <= 0x0d);
const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
const isPunct = (c: number): boolean => c > 0x20 && c < 0x7f && !isAlnum(c);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

function pad(s: string, spec: Spec, zeroOk: boolean): string {
  if (s.length >= spec.width) return s;
  if (spec.left) return s + ' '.repeat(spec.width - s.length);
  if (spec.zero && zeroOk) {
    const sign = s[0] === '-' || s[0] === '+' || s[0] === ' ' ? s[0] : '';
    return sign + '0'.repeat(spec.width - s.length) + s.slice(sign.length);
  }
  return ' '.repeat(spec.width - s.length) + s;
}

/** Scratch for string and IP arguments, registered as a helper-scratch region of each Machine. */
const scratch = new Uint8Array(MAX_BPRINTF_BUF);
const latin1 = new TextDecoder('latin1');

/** Reads a NUL-terminated string argument as %s (compat), %pks (kernel) or %pus (user) do. */
function stringArg(m: Machine, space: ReadSpace, ptr: bigint): string {
  const ptrHi = Number(ptr >> 32n) | 0;
  const ptrLo = Number(ptr & 0xffffffffn) | 0;
  const region = scratchRegion(m);
  const n = probeReadStr(m, space, region, 0, MAX_BPRINTF_BUF, ptrHi, ptrLo);
  return n <= 0 ? '' : latin1.decode(scratch.subarray(0, n - 1));
}

function bytesArg(m: Machine, ptr: bigint, len: number): Uint8Array {
  const region = scratchRegion(m);
  probeRead(m, ReadSpace.Kernel, region, 0, len, Number(ptr >> 32n) | 0, Number(ptr & 0xffffffffn) | 0);
  return scratch.subarray(0, len);
}

/** Each Machine gets one extra region for helper scratch, registered on first use. */
const scratchRegions = new WeakMap<Machine, number>();
function scratchRegion(m: Machine): number {
  let id = scratchRegions.get(m);
  if (id === undefined || m.mem.bytes[id] !== scratch) {
    id = m.mem.allocRegion(scratch, true);
    scratchRegions.set(m, id);
  }
  return id;
}

function hex(v: bigint, digits: number, upper = false): string {
  const s = v.toString(16).padStart(digits, '0');
  return upper ? s.toUpperCase() : s;
}

/**
 * Formats fmt[0..len) (len excludes the terminating NUL) with args, allowing at most
 * maxArgs conversions. Returns the text, or -EINVAL.
 */
export function bprintf(m: Machine, fmt: Uint8Array, off: number, len: number, args: readonly bigint[], maxArgs: number): string | number {
  let out = '';
  let argi = 0;
  const at = (i: number): number => (i < len ? fmt[off + i]! : 0);
  for (let i = 0; i < len; i++) {
    const c = at(i);
    if (!isPrintOrSpace(c)) return -EINVAL;
    if (c !== 0x25 /* % */) {
      out += String.fromCharCode(c);
      continue;
    }
    if (at(i + 1) === 0x25) {
      out += '%';
      i++;
      continue;
    }
    if (argi >= maxArgs || argi >= args.length) return -EINVAL;
    i++;
    const spec: Spec = { left: false, plus: false, space: false, zero: false, width: 0 };
    for (;;) {
      const f = at(i);
      if (f === 0x30) spec.zero = true;
      else if (f === 0x2b) spec.plus = true;
      else if (f === 0x2d) spec.left = true;
      else if (f === 0x20) spec.space = true;
      else break;
      i++;
    }
    if (at(i) >= 0x31 && at(i) <= 0x39) {
      while (isDigit(at(i))) spec.width = spec.width * 10 + (at(i++) - 0x30);
    }
    const arg = BigInt.asUintN(64, args[argi++]!);
    const conv = String.fromCharCode(at(i));
    if (conv === 'p') {
      const next = String.fromCharCode(at(i + 1));
      const after = String.fromCharCode(at(i + 2));
      if ((next === 'k' || next === 'u') && after === 's') {
        out += pad(stringArg(m, next === 'k' ? ReadSpace.Kernel : ReadSpace.User, arg), spec, false);
        i += 2;
      } else if (next === 'B' || next === 's' || next === 'S') {
        out += pad(`0x${hex(arg, 1)}`, spec, false);
        i++;
      } else if ((next === 'i' || next === 'I') && (after === '4' || after === '6')) {
        out += pad(formatIp(bytesArg(m, arg, after === '4' ? 4 : 16), next === 'I'), spec, false);
        i += 2;
      } else if (at(i + 1) === 0 || isPunct(at(i + 1)) || at(i + 1) === 0x20 || next === 'K' || next === 'x') {
        out += pad(hex(arg, 16), spec, false);
        if (next === 'K' || next === 'x') i++;
      } else {
        return -EINVAL;
      }
      continue;
    }
    if (conv === 'c') {
      out += pad(String.fromCharCode(Number(arg & 0xffn)), spec, false);
      continue;
    }
    if (conv === 's') {
      out += pad(stringArg(m, ReadSpace.Compat, arg), spec, false);
      continue;
    }
    let wide = false;
    if (at(i) === 0x6c /* l */) {
      wide = true;
      i++;
      if (at(i) === 0x6c) i++;
    }
    const k = String.fromCharCode(at(i));
    const v = wide ? arg : arg & 0xffffffffn;
    const bits = wide ? 64 : 32;
    switch (k) {
      case 'd':
      case 'i': {
        const sv = BigInt.asIntN(bits, v);
        const sign = sv < 0n ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
        out += pad(sign + (sv < 0n ? -sv : sv).toString(), spec, true);
        break;
      }
      case 'u':
        out += pad(v.toString(), spec, true);
        break;
      case 'x':
      case 'X':
        out += pad(hex(v, 1, k === 'X'), spec, true);
        break;
      default:
        return -EINVAL;
    }
  }
  return out;
}

function formatIp(b: Uint8Array, dotted: boolean): string {
  if (b.length === 4) {
    const parts = Array.from(b, (x) => (dotted ? String(x) : String(x).padStart(3, '0')));
    return parts.join('.');
  }
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) groups.push(hex(BigInt((b[2 * g]! << 8) | b[2 * g + 1]!), 4));
  return dotted ? groups.join(':') : groups.join('');
}
