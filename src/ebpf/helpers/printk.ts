// trace_printk (6), trace_vprintk (177) and snprintf (165) over the bprintf engine:
// trace_printk's format is (pointer, size) with the NUL inside size and up to three u64
// arguments in r3..r5; the v-variants take an array of u64 (a multiple of 8 bytes, at most
// 12). Messages go to host.tracePrintk; the return values are Linux's (formatted length for
// the trace variants, length + 1 for snprintf, -EINVAL for a rejected format).

import type { HelperFn, Machine } from '../machine.js';
import { EFAULT, EINVAL } from '../maps/errno.js';
import { MAX_BPRINTF_BUF, MAX_BPRINTF_VARARGS, MAX_TRACE_PRINTK_VARARGS, bprintf } from './bprintf.js';
import { hi, lo, readable, setR0Int, u64Arg, writable } from './registers.js';

/** Length of the format at (fmtHi, fmtLo) up to its NUL within size bytes, or -1. */
function formatLength(m: Machine, fmtHi: number, fmtLo: number, size: number): number {
  if (size <= 0) return -1;
  const bytes = m.mem.bytes[fmtHi];
  if (bytes === undefined || !readable(m, fmtHi, fmtLo, 1)) return -1;
  const end = Math.min(bytes.length, fmtLo + size);
  for (let i = fmtLo; i < end; i++) if (bytes[i] === 0) return i - fmtLo;
  return -1;
}

/** u64 arguments from an array in a region; undefined when it is malformed. */
function arrayArgs(m: Machine, dHi: number, dLo: number, dataLen: number): bigint[] | undefined {
  if (dataLen < 0 || dataLen % 8 !== 0 || dataLen > MAX_BPRINTF_VARARGS * 8) return undefined;
  if (dataLen === 0) return [];
  if (!readable(m, dHi, dLo, dataLen)) return undefined;
  const view = m.mem.views[dHi]!;
  const args: bigint[] = [];
  for (let i = 0; i < dataLen; i += 8) args.push(view.getBigUint64(dLo + i, true));
  return args;
}

function emit(m: Machine, text: string): number {
  m.host.tracePrintk?.(text.length >= MAX_BPRINTF_BUF ? text.slice(0, MAX_BPRINTF_BUF - 1) : text);
  return text.length;
}

/** trace_printk(fmt, fmt_size, arg1, arg2, arg3) */
export const tracePrintk: HelperFn = (m) => {
  const size = hi(m, 2) === 0 ? lo(m, 2) >>> 0 : -1;
  const len = formatLength(m, hi(m, 1), lo(m, 1), size);
  if (len < 0) return setR0Int(m, -EINVAL);
  const text = bprintf(m, m.mem.bytes[hi(m, 1)]!, lo(m, 1), len, [u64Arg(m, 3), u64Arg(m, 4), u64Arg(m, 5)], MAX_TRACE_PRINTK_VARARGS);
  setR0Int(m, typeof text === 'number' ? text : emit(m, text));
};

/** trace_vprintk(fmt, fmt_size, data, data_len) */
export const traceVprintk: HelperFn = (m) => {
  const size = hi(m, 2) === 0 ? lo(m, 2) >>> 0 : -1;
  const len = formatLength(m, hi(m, 1), lo(m, 1), size);
  const args = arrayArgs(m, hi(m, 3), lo(m, 3), hi(m, 4) === 0 ? lo(m, 4) >>> 0 : -1);
  if (len < 0 || args === undefined) return setR0Int(m, -EINVAL);
  const text = bprintf(m, m.mem.bytes[hi(m, 1)]!, lo(m, 1), len, args, MAX_BPRINTF_VARARGS);
  setR0Int(m, typeof text === 'number' ? text : emit(m, text));
};

/** snprintf(str, str_size, fmt, data, data_len): the formatted length + 1, output cut to str_size. */
export const snprintf: HelperFn = (m) => {
  const sHi = hi(m, 1);
  const sLo = lo(m, 1);
  const strSize = hi(m, 2) === 0 ? lo(m, 2) >>> 0 : -1;
  const args = arrayArgs(m, hi(m, 4), lo(m, 4), hi(m, 5) === 0 ? lo(m, 5) >>> 0 : -1);
  if (args === undefined) return setR0Int(m, -EINVAL);
  const fmtBytes = m.mem.bytes[hi(m, 3)];
  const len = fmtBytes === undefined ? -1 : formatLength(m, hi(m, 3), lo(m, 3), fmtBytes.length - lo(m, 3));
  if (len < 0) return setR0Int(m, -EINVAL);
  const text = bprintf(m, fmtBytes!, lo(m, 3), len, args, args.length);
  if (typeof text === 'number') return setR0Int(m, text);
  if (strSize < 0 || (strSize > 0 && !writable(m, sHi, sLo, strSize))) return setR0Int(m, -EFAULT);
  if (strSize > 0) {
    const dst = m.mem.bytes[sHi]!;
    const n = Math.min(text.length, strSize - 1);
    for (let i = 0; i < n; i++) dst[sLo + i] = text.charCodeAt(i) & 0xff;
    dst[sLo + n] = 0;
  }
  setR0Int(m, text.length + 1);
};
