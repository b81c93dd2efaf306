// The world's pending future events (wakeups, I/O completions, profile and interval ticks,
// task frees) as a binary min-heap over typed arrays, ordered by (time, insertion order) so
// that equal times always pop in the same order. In: push(time, kind, a, b). Out: the
// earliest event's fields. Not a general priority queue: no allocation after growth.

/** Infinity as a module constant: a global `Infinity` read on a path V8 has not seen yet compiles to a
 * generic global load whose tagged result boxes every time it meets (measured: one heap number per call). */
const INF = Infinity;

export class TimerHeap {
  time: Float64Array = new Float64Array(64);
  private seq: Float64Array = new Float64Array(64);
  kind: Int32Array = new Int32Array(64);
  a: Int32Array = new Int32Array(64);
  b: Int32Array = new Int32Array(64);
  private heap: Int32Array = new Int32Array(64);
  private freeSlots: Int32Array = new Int32Array(64);
  private nfree = 0;
  private nslots = 0;
  size = 0;
  private counter = 0;

  /** Time of the earliest event, or Infinity. */
  topTime(): number {
    return this.size === 0 ? INF : this.time[this.heap[0]!]!;
  }

  /** Slot of the earliest event (valid until the next push); call only when size > 0. */
  top(): number {
    return this.heap[0]!;
  }

  push(time: number, kind: number, a: number, b: number): number {
    let slot: number;
    if (this.nfree > 0) slot = this.freeSlots[--this.nfree]!;
    else {
      if (this.nslots === this.time.length) this.grow();
      slot = this.nslots++;
    }
    this.time[slot] = time;
    this.seq[slot] = this.counter++;
    this.kind[slot] = kind;
    this.a[slot] = a;
    this.b[slot] = b;
    let i = this.size++;
    const heap = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const ps = heap[p]!;
      if (!this.less(slot, ps)) break;
      heap[i] = ps;
      i = p;
    }
    heap[i] = slot;
    return slot;
  }

  /** Removes the earliest event; its slot's fields stay readable until the next push. */
  pop(): number {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap[--this.size]!;
    let i = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(heap[r]!, heap[l]!) ? r : l;
      if (!this.less(heap[c]!, last)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    if (n > 0) heap[i] = last;
    this.freeSlots[this.nfree++] = top;
    return top;
  }

  private less(x: number, y: number): boolean {
    const tx = this.time[x]!;
    const ty = this.time[y]!;
    return tx < ty || (tx === ty && this.seq[x]! < this.seq[y]!);
  }

  private grow(): void {
    const n = this.time.length * 2;
    const f64 = (o: Float64Array): Float64Array => {
      const x = new Float64Array(n);
      x.set(o);
      return x;
    };
    const i32 = (o: Int32Array): Int32Array => {
      const x = new Int32Array(n);
      x.set(o);
      return x;
    };
    this.time = f64(this.time);
    this.seq = f64(this.seq);
    this.kind = i32(this.kind);
    this.a = i32(this.a);
    this.b = i32(this.b);
    this.heap = i32(this.heap);
    this.freeSlots = i32(this.freeSlots);
  }
}
