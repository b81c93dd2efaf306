// Output text is bytes, as in bpftrace: printf widths count bytes and strings from the
// machine may hold any byte. Printers therefore produce *binary strings* (one char per byte,
// codes 0..255); write them with `Buffer.from(text, 'latin1')`. This file converts to and from
// them. It does not format anything.

/** A JS (UTF-16) string → its UTF-8 bytes as a binary string. */
export function binaryFromUtf8(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A binary string → the JS string its bytes spell in UTF-8 (for tests and messages). */
export function utf8FromBinary(binary: string): string {
  return Buffer.from(binary, 'latin1').toString('utf8');
}

/** Bytes → binary string. */
export function binaryFromBytes(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/** Binary string → bytes (what goes to stdout). */
export function bytesFromBinary(binary: string): Uint8Array {
  return new Uint8Array(Buffer.from(binary, 'latin1'));
}

/** The bytes of a C string: up to the first NUL within [start, start+max). */
export function cStringAt(bytes: Uint8Array, start: number, max: number): string {
  let end = start;
  const limit = Math.min(bytes.length, start + max);
  while (end < limit && bytes[end] !== 0) end++;
  // Short strings (comm, most printf arguments) are cheaper built here than through a Buffer.
  if (end - start > SHORT_STRING) return binaryFromBytes(bytes, start, end);
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Up to this many bytes, cStringAt builds the string itself. */
const SHORT_STRING = 32;
