// Test helper: attaches to world probes and decodes each firing into a plain record (time, cpu,
// task, and the tracepoint's fields read through the catalog's format), so tests can assert
// on streams. Decoding uses the format file's offsets, independently of how the world wrote them.

import { tracepointFormat } from '../../src/probes/catalog.js';
import type { TracepointFormat } from '../../src/probes/tracepoint_format.js';
import type { World } from '../../src/world/world.js';
import type { AttachTarget } from '../../src/world/probes.js';

export interface Rec {
  readonly probe: string;
  readonly t: number;
  readonly cpu: number;
  readonly tid: number;
  readonly tgid: number;
  readonly comm: string;
  readonly f: Readonly<Record<string, number | string | bigint>>;
}

const dec = new TextDecoder();

export function cstr(b: Uint8Array, off: number, max: number): string {
  let e = off;
  while (e < off + max && e < b.length && b[e] !== 0) e++;
  return dec.decode(b.subarray(off, e));
}

/** Decodes a tracepoint record field by field as its format file lays it out. */
export function decodeRecord(fmt: TracepointFormat, bytes: Uint8Array, view: DataView): Record<string, number | string | bigint> {
  const out: Record<string, number | string | bigint> = {};
  for (const f of fmt.fields) {
    if (f.dataLoc) {
      const loc = view.getUint32(f.offset, true);
      out[f.name] = cstr(bytes, loc & 0xffff, loc >>> 16);
      continue;
    }
    if (f.typeText.startsWith('char[') || f.typeText.includes('char[')) {
      out[f.name] = cstr(bytes, f.offset, f.size);
      continue;
    }
    if (f.arrayLength !== undefined && f.arrayLength > 0 && f.size !== 8) {
      out[f.name] = Array.from(bytes.subarray(f.offset, f.offset + f.size)).join('.');
      continue;
    }
    switch (f.size) {
      case 1:
        out[f.name] = f.signed ? view.getInt8(f.offset) : view.getUint8(f.offset);
        break;
      case 2:
        out[f.name] = f.signed ? view.getInt16(f.offset, true) : view.getUint16(f.offset, true);
        break;
      case 4:
        out[f.name] = f.signed ? view.getInt32(f.offset, true) : view.getUint32(f.offset, true);
        break;
      case 8: {
        const v = f.signed ? view.getBigInt64(f.offset, true) : view.getBigUint64(f.offset, true);
        out[f.name] = v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;
        break;
      }
      default:
        out[f.name] = Array.from(bytes.subarray(f.offset, f.offset + f.size)).join('.');
    }
  }
  return out;
}

/** Attaches to tracepoints ('category:event') and logs decoded records. */
export function logTracepoints(w: World, keys: readonly string[], into: Rec[], limit = Infinity): void {
  for (const key of keys) {
    const [category, event] = key.split(':') as [string, string];
    const fmt = tracepointFormat(category, event);
    if (!fmt) throw new Error(`no format for ${key}`);
    const target: AttachTarget = { kind: 'tracepoint', category, event };
    const a = w.attach(target, (bytes, view) => {
      if (into.length >= limit) return;
      into.push({ probe: key, t: w.now, cpu: w.cpu(), tid: w.tid(), tgid: w.tgid(), comm: commOf(w), f: decodeRecord(fmt, bytes, view) });
    });
    if ('error' in a) throw new Error(a.error);
  }
}

export function commOf(w: World): string {
  const b = new Uint8Array(16);
  w.comm(b, 0);
  return cstr(b, 0, 16);
}

/** FNV-1a over a byte range, folded into a running hash. */
export function fnv(h: number, bytes: Uint8Array, n: number): number {
  for (let i = 0; i < n; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

export function fnvNum(h: number, x: number): number {
  h = Math.imul(h ^ (x >>> 0), 0x01000193);
  return Math.imul(h ^ Math.floor(x / 0x1_0000_0000), 0x01000193) >>> 0;
}
