// Byte copies between Uint8Arrays at offsets without creating views: small copies (map keys
// and values, the common case) are a plain loop; large ones use set() on a subarray. Correct
// when source and destination share a buffer (set() clones overlapping sources).
// Not a bounds checker: callers pass ranges they have checked.

const LOOP_LIMIT = 64;

export function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
  if (len <= LOOP_LIMIT && (dst !== src || dstOff <= srcOff)) {
    for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i]!;
    return;
  }
  dst.set(src.subarray(srcOff, srcOff + len), dstOff);
}

export function zeroBytes(dst: Uint8Array, off: number, len: number): void {
  if (len <= LOOP_LIMIT) {
    for (let i = 0; i < len; i++) dst[off + i] = 0;
    return;
  }
  dst.fill(0, off, off + len);
}
