// The hand-written baselines' hash table, as a skilled engineer would write one for this job:
// keys are a fixed number of 32-bit words stored inline in an Int32Array, open addressing
// with linear probing, a multiplicative hash over the words, backward-shift deletion, values
// in parallel typed arrays owned by the caller (slot-indexed). No strings, no per-operation
// allocation. Not: the eBPF hash map (src/ebpf/maps/hash.ts), which the pipeline uses.

export class WordTable {
  /** @param {number} words key length in 32-bit words; @param {number} capacity entries (a power of two is chosen above 2×). */
  constructor(words, capacity) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.nw = words;
    this.mask = cap - 1;
    /** Position → slot + 1 (0: empty). */
    this.index = new Int32Array(cap);
    this.hashes = new Int32Array(capacity);
    this.keys = new Int32Array(capacity * words);
    this.size = 0;
    this.capacity = capacity;
    /** Free slots (a stack), so deleted slots are reused. */
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
    /** Where the last find stopped: the hit's position or the empty position for an insert. */
    this.pos = 0;
    this.hash = 0;
  }

  /** Slot of the key k[off..off + nw) or -1 (then pos/hash say where an insert goes). */
  find(k, off) {
    const nw = this.nw;
    let h = 0x3c6ef372 ^ nw;
    for (let i = 0; i < nw; i++) h = Math.imul(h ^ k[off + i], 0x9e3779b1);
    h ^= h >>> 15;
    this.hash = h;
    const index = this.index;
    const mask = this.mask;
    const keys = this.keys;
    let p = h & mask;
    for (;;) {
      const s = index[p];
      if (s === 0) {
        this.pos = p;
        return -1;
      }
      if (this.hashes[s - 1] === h) {
        const base = (s - 1) * nw;
        let i = 0;
        while (i < nw && keys[base + i] === k[off + i]) i++;
        if (i === nw) {
          this.pos = p;
          return s - 1;
        }
      }
      p = (p + 1) & mask;
    }
  }

  /** Slot of the key, inserted if missing (then `fresh` is true); -1 when full. */
  upsert(k, off) {
    const s = this.find(k, off);
    if (s >= 0) {
      this.fresh = false;
      return s;
    }
    if (this.freeTop === 0) return -1;
    const slot = this.free[--this.freeTop];
    const nw = this.nw;
    for (let i = 0; i < nw; i++) this.keys[slot * nw + i] = k[off + i];
    this.hashes[slot] = this.hash;
    this.index[this.pos] = slot + 1;
    this.size++;
    this.fresh = true;
    return slot;
  }

  /** Removes the entry found by the last successful find (slot at this.pos). */
  removeFound(slot) {
    const index = this.index;
    const mask = this.mask;
    let hole = this.pos;
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      const s = index[j];
      if (s === 0) break;
      const home = this.hashes[s - 1] & mask;
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!stays) {
        index[hole] = s;
        hole = j;
      }
    }
    index[hole] = 0;
    this.free[this.freeTop++] = slot;
    this.size--;
  }

  /** Slots in use (for summaries). */
  *slots() {
    for (let p = 0; p <= this.mask; p++) if (this.index[p] !== 0) yield this.index[p] - 1;
  }
}
