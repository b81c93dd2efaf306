// Block I/O requests in flight (one per struct request / struct bio the world issued) as
// parallel typed arrays with a free list, so issuing and completing a request allocates
// nothing. In: what issueBio decides (device, op flags, sector, bytes, rwbs, the issuing
// task). Out: slots the block tracepoints, kprobes and kernel-memory views read. Not the
// scheduling of completions (world timers) nor the device model (workload devices).

/** rwbs strings of the requests the world issues, by code (BioTable.rwbs). */
export const RWBS_TEXT: readonly string[] = ['R', 'RA', 'W', 'WS', 'FF'];
export const RWBS_R = 0;
export const RWBS_RA = 1;
export const RWBS_W = 2;
export const RWBS_WS = 3;
export const RWBS_FLUSH = 4;

/** request->cmd_flags by rwbs code: REQ_OP_READ 0, REQ_OP_WRITE 1 (| REQ_SYNC 0x800), REQ_OP_FLUSH 2 | REQ_PREFLUSH. */
const OPF: readonly number[] = [0, 0, 1, 1 | 0x800, 2 | 0x40000];

export class BioTable {
  cap = 0;
  dev = new Int32Array(0);
  devIndex = new Int32Array(0);
  opf = new Int32Array(0);
  sector = new Float64Array(0);
  bytes = new Int32Array(0);
  rwbs = new Uint8Array(0);
  /** The issuing task's comm, 16 bytes per slot. */
  comm = new Uint8Array(0);
  pid = new Int32Array(0);
  cpu = new Int32Array(0);
  start = new Float64Array(0);
  /** 1 while the slot holds a request. */
  live = new Uint8Array(0);
  private free = new Int32Array(0);
  private nfree = 0;
  private used = 0;

  constructor(cap: number) {
    this.grow(cap);
  }

  /** A new request; comm is copied from src[commAt..commAt+16). */
  alloc(dev: number, devIndex: number, rwbs: number, sector: number, bytes: number, src: Uint8Array, commAt: number, pid: number, cpu: number, start: number): number {
    const i = this.nfree > 0 ? this.free[--this.nfree]! : this.used++;
    if (i >= this.cap) this.grow(this.cap * 2);
    this.dev[i] = dev;
    this.devIndex[i] = devIndex;
    this.opf[i] = OPF[rwbs]!;
    this.sector[i] = sector;
    this.bytes[i] = bytes;
    this.rwbs[i] = rwbs;
    const o = i * 16;
    for (let k = 0; k < 16; k++) this.comm[o + k] = src[commAt + k]!;
    this.pid[i] = pid;
    this.cpu[i] = cpu;
    this.start[i] = start;
    this.live[i] = 1;
    return i;
  }

  release(i: number): void {
    this.live[i] = 0;
    this.free[this.nfree++] = i;
  }

  private grow(cap: number): void {
    const g = <T extends Int32Array | Float64Array | Uint8Array>(old: T, per = 1): T => {
      const n = new (old.constructor as { new (n: number): T })(cap * per);
      n.set(old);
      return n;
    };
    this.dev = g(this.dev);
    this.devIndex = g(this.devIndex);
    this.opf = g(this.opf);
    this.sector = g(this.sector);
    this.bytes = g(this.bytes);
    this.rwbs = g(this.rwbs);
    this.comm = g(this.comm, 16);
    this.pid = g(this.pid);
    this.cpu = g(this.cpu);
    this.start = g(this.start);
    this.live = g(this.live);
    this.free = g(this.free);
    this.cap = cap;
  }
}
