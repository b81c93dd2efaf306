// The machine's address space. A pointer an eBPF program holds is a 64-bit value whose high
// 32 bits name a region and whose low 32 bits are an offset into it, so every load and store
// resolves to (region bytes, offset) and is bounds-checked against that region alone: a
// pointer can never reach another region or the host. Regions are the stack, the context
// record, map value storage (one region per map and CPU), ring-buffer records and helper
// scratch. Simulated process memory and kernel memory of the synthetic world are not regions:
// programs reach them only through probe_read_* helpers, as on Linux.

/** High word of a null pointer. */
export const REGION_NULL = 0;
/** The program stack; r10 = (REGION_STACK, frame top). */
export const REGION_STACK = 1;
/** The context record the probe passes in r1. */
export const REGION_CTX = 2;
/** Map handles (lddw src=1): (REGION_MAP_HANDLE, map fd). Not dereferenceable. */
export const REGION_MAP_HANDLE = 3;
/** First id handed out by allocRegion. */
export const FIRST_DYNAMIC_REGION = 4;
/** Ids stay far below user (0x7ff…) and kernel (0xffff…) address high words. */
export const MAX_REGIONS = 0x1000;
/**
 * Function addresses (lddw src=4, BPF_PSEUDO_FUNC): (REGION_FUNC, slot of the function's first
 * instruction), what a callback-calling helper receives. Above every region id, so never
 * dereferenceable.
 */
export const REGION_FUNC = MAX_REGIONS;

/** Bytes of stack: 8 frames of MAX_BPF_STACK, r10 of frame n at (n + 1) * 512. */
export const STACK_FRAMES = 8;
export const STACK_SIZE = 512 * STACK_FRAMES;

/**
 * Parallel arrays indexed by region id, so a load is `views[hi].getUint32(lo + off, true)`
 * after one bounds check, with no object lookups on the hot path.
 */
export class Memory {
  readonly bytes: Uint8Array[] = [];
  readonly views: DataView[] = [];
  readonly writable: boolean[] = [];
  private readonly free: number[] = [];
  private next = FIRST_DYNAMIC_REGION;

  constructor() {
    const empty = new Uint8Array(0);
    for (let id = 0; id < FIRST_DYNAMIC_REGION; id++) this.setRegion(id, empty, false);
    this.setRegion(REGION_STACK, new Uint8Array(STACK_SIZE), true);
  }

  /** Registers a buffer as a new region and returns its id (the pointer's high word). */
  allocRegion(bytes: Uint8Array, writable: boolean): number {
    const id = this.free.pop() ?? this.next++;
    if (id >= MAX_REGIONS) throw new RangeError('too many memory regions');
    this.setRegion(id, bytes, writable);
    return id;
  }

  /** Points an existing region at new bytes (the ctx for each event, a map slab that grew). */
  setRegion(id: number, bytes: Uint8Array, writable: boolean, view?: DataView): void {
    this.bytes[id] = bytes;
    this.views[id] = view ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.writable[id] = writable;
  }

  releaseRegion(id: number): void {
    if (id < FIRST_DYNAMIC_REGION) return;
    this.setRegion(id, new Uint8Array(0), false);
    this.free.push(id);
  }

  /** True when [lo, lo+size) lies inside region hi. */
  inBounds(hi: number, lo: number, size: number): boolean {
    const b = this.bytes[hi];
    return b !== undefined && lo >= 0 && lo + size <= b.length;
  }
}
