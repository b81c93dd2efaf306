// How bpftrace 0.23 writes one plain value as text: print() lines, map keys and values,
// and the strings printf's %s receives for symbols, addresses and the like. In: a Value.
// Out: a binary string. Aggregations and map layout are text.ts's business, not this file's.

import { formatTimestamp, type TimeZone } from './strftime.js';
import { strerror } from './strerror.js';
import type { InetValue, StackValue, Value } from './values.js';

export interface ValueTextOptions {
  /** Zone of strftime() values. */
  readonly zone: TimeZone;
  /** max_strlen: the buffer strftime() values are formatted into. */
  readonly maxStrlen: number;
}

export const DEFAULT_VALUE_TEXT_OPTIONS: ValueTextOptions = { zone: 'local', maxStrlen: 64 };

/** `inMapKey`: a top-level tuple key loses its parentheses (`@[1, bash]`). */
export function textOfValue(v: Value, opts: ValueTextOptions = DEFAULT_VALUE_TEXT_OPTIONS, inMapKey = false): string {
  switch (v.kind) {
    case 'int':
      return v.enumSymbol ?? v.value.toString();
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'string':
      return v.text;
    case 'buffer':
      return hexFormatBuffer(v.bytes, true, true);
    case 'tuple': {
      const inner = v.elems.map((e) => textOfValue(e, opts)).join(', ');
      return inMapKey ? inner : `(${inner})`;
    }
    case 'record':
      return `{ ${v.fields.map((f) => `.${f.name} = ${textOfValue(f.value, opts)}`).join(', ')} }`;
    case 'array':
      return `[${v.elems.map((e) => textOfValue(e, opts)).join(',')}]`;
    case 'pointer':
      return `0x${v.address.toString(16)}`;
    case 'ksym':
    case 'usym':
      return v.symbol;
    case 'kstack':
    case 'ustack':
      return stackText(v);
    case 'username':
      return v.name;
    case 'timestamp':
      return formatTimestamp(v.format, v.epochNs, opts.zone, opts.maxStrlen) ?? '(?)';
    case 'inet':
      return inetText(v);
    case 'mac_address':
      return macText(v.bytes);
    case 'cgroup_path':
      return v.path;
    case 'strerror':
      return strerror(v.errno);
    case 'none':
      return '';
  }
}

/**
 * bpftrace's hex_format_buffer: printable ASCII kept (keepAscii), other bytes as `\xNN`
 * (escapeHex), or every byte as two hex digits separated by spaces (neither).
 */
export function hexFormatBuffer(bytes: Uint8Array, keepAscii: boolean, escapeHex: boolean): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const hex = b.toString(16).padStart(2, '0');
    if (keepAscii && b >= 32 && b <= 126) out += String.fromCharCode(b);
    else if (escapeHex) out += `\\x${hex}`;
    else out += i === bytes.length - 1 ? hex : `${hex} `;
  }
  return out;
}

/** A stack as bpftrace prints it: a leading newline, then one line per frame. */
export function stackText(v: StackValue): string {
  let out = '\n';
  for (const f of v.frames) {
    switch (v.mode) {
      case 'raw':
        out += `${f.address.toString(16)}\n`;
        break;
      case 'perf':
        out += `\t${f.address.toString(16)} ${f.symbol}${f.module !== undefined ? ` (${f.module})` : ''}\n`;
        break;
      case 'bpftrace':
        out += `        ${f.symbol}\n`;
        break;
    }
  }
  return out;
}

/** MAC addresses print in upper-case hex, colon separated. */
export function macText(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 6), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');
}

/** inet_ntop(3) as glibc writes it. */
export function inetText(v: InetValue): string {
  if (v.family === 'inet') return v.bytes.length === 4 ? Array.from(v.bytes).join('.') : '';
  if (v.bytes.length !== 16) return '';
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((v.bytes[2 * i]! << 8) | v.bytes[2 * i + 1]!);
  // The longest run of two or more zero words (the first of equal runs) becomes "::".
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      cur = cur.base === -1 ? { base: i, len: 1 } : { base: cur.base, len: cur.len + 1 };
      if (cur.len > best.len) best = { ...cur };
    } else {
      cur = { base: -1, len: 0 };
    }
  }
  if (best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses end in dotted quad.
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      out += Array.from(v.bytes.subarray(12, 16)).join('.');
      return out;
    }
    out += words[i]!.toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ':';
  return out;
}
