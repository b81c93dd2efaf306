// Kernel memory of the synthetic machine: every kernel object a program can reach (task_struct,
// cred, mm, files, file, dentry, inode, sock, socket, cfs_rq, request, bio, namespaces…) has an
// address 0xffff888X_XXXXXXXX (class in the high word, slot × stride in the low word) and is
// laid out per the catalog's struct layouts when read — materialised on demand from the
// simulation's state, so curtask->parent->pid or ((struct sock *)arg0)->__sk_common.skc_dport
// read what the world says. In: addresses. Out: bytes. Not writable: the kernel owns it.

import type { StructView } from './catalog-view.js';
import { EFAULT, MAX_FDS, STACK_BYTES } from './proc.js';
import { ST_DEAD, ST_RUNNABLE, ST_RUNNING, ST_SLEEPING, ST_ZOMBIE } from './tasks.js';
import { F_FILE, F_PIPE, F_SOCKET, F_TTY } from './vfs.js';
import type { World } from './world.js';

export const K_TASK = 1;
export const K_FILE = 2;
export const K_DENTRY = 3;
export const K_INODE = 4;
export const K_SOCK = 5;
export const K_SOCKET = 6;
export const K_MM = 7;
export const K_CRED = 8;
export const K_FILES = 9;
export const K_FDARRAY = 10;
export const K_FS = 11;
export const K_CFSRQ = 12;
export const K_STRINGS = 13;
export const K_PTREGS = 14;
export const K_KSTACK = 15;
export const K_FILENAME = 16;
export const K_REQUEST = 17;
export const K_BIO = 18;
export const K_SKB = 19;
export const K_MISC = 20;
export const K_SIGNAL = 21;

/** Singletons and per-device objects in K_MISC, by index. */
export const MISC_NET = 0;
export const MISC_USERNS = 1;
export const MISC_IDMAP = 2;
export const MISC_NSPROXY = 3;
export const MISC_UTS = 4;
export const MISC_PIDNS = 5;
export const MISC_MOUNT = 6;
export const MISC_SB = 7;
/** Per block device d: MISC_BDEV + 3d (block_device), +1 (gendisk), +2 (request_queue). */
export const MISC_BDEV = 16;

const HI_BASE = 0xffff8880;
export const kernelAddressHi = (cls: number): number => (HI_BASE + cls) >>> 0;

const STRIDE: Readonly<Record<number, number>> = {
  [K_TASK]: 0x1000, [K_FILE]: 0x100, [K_DENTRY]: 0x100, [K_INODE]: 0x400, [K_SOCK]: 0x1000,
  [K_SOCKET]: 0x100, [K_MM]: 0x800, [K_CRED]: 0x100, [K_FILES]: 0x400, [K_FDARRAY]: MAX_FDS * 8,
  [K_FS]: 0x40, [K_CFSRQ]: 0x200, [K_PTREGS]: 0x100, [K_KSTACK]: 0x4000, [K_FILENAME]: 0x1000,
  [K_REQUEST]: 0x100, [K_BIO]: 0x80, [K_SKB]: 0x100, [K_MISC]: 0x1000, [K_SIGNAL]: 0x800,
};

/** Where one binding writes: set before its writer runs. */
class FieldOut {
  view!: DataView;
  bytes!: Uint8Array;
  off = 0;
  size = 0;

  int(v: number): void {
    const o = this.off;
    switch (this.size) {
      case 1:
        this.bytes[o] = v;
        return;
      case 2:
        this.view.setUint16(o, v & 0xffff, true);
        return;
      case 4:
        this.view.setUint32(o, v >>> 0, true);
        return;
      default: {
        const hi = Math.floor(v / 0x1_0000_0000);
        this.view.setUint32(o, (v - hi * 0x1_0000_0000) >>> 0, true);
        this.view.setInt32(o + 4, hi, true);
      }
    }
  }

  /** Big-endian integer (network byte order fields: __be32 addresses, __be16 ports). */
  be(v: number): void {
    if (this.size === 2) this.view.setUint16(this.off, v & 0xffff, false);
    else this.view.setUint32(this.off, v >>> 0, false);
  }

  ptr(cls: number, idx: number, plus = 0): void {
    this.view.setUint32(this.off, (idx * (STRIDE[cls] ?? 0) + plus) >>> 0, true);
    this.view.setUint32(this.off + 4, kernelAddressHi(cls), true);
  }

  /** A kernel text/data address given by its low word (high word 0xffffffff). */
  text(lo: number): void {
    this.view.setUint32(this.off, lo >>> 0, true);
    this.view.setUint32(this.off + 4, 0xffffffff, true);
  }

  raw(src: Uint8Array, from: number, n: number): void {
    this.bytes.set(src.subarray(from, from + Math.min(n, this.size)), this.off);
  }

  text8(s: string): void {
    const b = new TextEncoder().encode(s);
    this.bytes.set(b.subarray(0, Math.max(0, this.size - 1)), this.off);
  }
}

type Writer = (idx: number, o: FieldOut) => void;

interface Binding {
  readonly off: number;
  readonly size: number;
  readonly write: Writer;
}

interface KClass {
  readonly size: number;
  readonly bindings: readonly Binding[];
}

export class KernelMemory {
  private readonly classes = new Map<number, KClass>();
  private readonly miscClasses = new Map<number, KClass>();
  private readonly scratch = new Uint8Array(0x4000);
  private readonly scratchView = new DataView(this.scratch.buffer);
  private readonly out = new FieldOut();
  private cachedKey = -1;
  private cachedStamp = -1;
  private cachedSize = 0;
  private readonly offsets = new Map<string, number>();

  constructor(private readonly w: World) {
    this.out.view = this.scratchView;
    this.out.bytes = this.scratch;
    this.build();
  }

  /** Low 32 bits of an object's address. */
  lo(cls: number, idx: number): number {
    return (idx * STRIDE[cls]!) >>> 0;
  }

  addr(cls: number, idx: number): bigint {
    return (BigInt(kernelAddressHi(cls)) << 32n) | BigInt(this.lo(cls, idx));
  }

  /** The dentry slot an address points at (its start), or -1. */
  dentryIndex(addr: bigint): number {
    if (Number(addr >> 32n) !== kernelAddressHi(K_DENTRY)) return -1;
    const lo = Number(addr & 0xffffffffn);
    const d = lo / STRIDE[K_DENTRY]!;
    return Number.isInteger(d) && d < this.w.dents.count ? d : -1;
  }

  /** Offset of a (dotted) field in a catalog struct; 0 when the catalog lacks it. */
  fieldOffset(struct: string, path: string): number {
    const key = `${struct}.${path}`;
    let o = this.offsets.get(key);
    if (o === undefined) {
      o = this.resolve(struct, path)?.off ?? 0;
      this.offsets.set(key, o);
    }
    return o;
  }

  /** Copies len bytes at addr; 0 or -EFAULT. */
  read(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    if (len <= 0) return 0;
    const hi = Number(addr >> 32n);
    let lo = Number(addr & 0xffffffffn);
    if (hi === 0xffffffff) return this.readImage(addr, dst, off, len);
    const cls = hi - HI_BASE;
    if (cls === K_STRINGS) {
      const blob = this.w.kstr;
      if (lo + len > blob.size) return EFAULT;
      dst.set(blob.bytes.subarray(lo, lo + len), off);
      return 0;
    }
    const stride = STRIDE[cls];
    if (stride === undefined) return EFAULT;
    let done = 0;
    while (done < len) {
      const idx = Math.floor(lo / stride);
      const inner = lo - idx * stride;
      const n = Math.min(len - done, stride - inner);
      const size = this.materialize(cls, idx);
      if (size < 0) return EFAULT;
      // Bytes past the struct (padding up to the stride) read as zero.
      for (let i = 0; i < n; i++) dst[off + done + i] = inner + i < size ? this.scratch[inner + i]! : 0;
      done += n;
      lo += n;
    }
    return 0;
  }

  /**
   * The kernel image: data objects (avenrun, jiffies_64, nr_cpu_ids, init_task) hold live
   * values; text reads as int3 padding (0xcc), as a probe_read of code would see bytes.
   */
  private readImage(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    const ks = this.w.ksyms;
    const d = ks.dataAt(addr);
    if (d) {
      const size = ks.data.sizeOf(d.name);
      if (d.offset + len > size) return EFAULT;
      const b = this.scratch;
      const v = this.scratchView;
      b.fill(0, 0, size);
      switch (d.name) {
        case 'avenrun':
          for (let i = 0; i < 3; i++) v.setBigUint64(8 * i, BigInt(this.w.loadAvg(i)), true);
          break;
        case 'jiffies_64':
          v.setBigUint64(0, BigInt(this.w.jiffies()), true);
          break;
        case 'nr_cpu_ids':
          v.setUint32(0, this.w.ncpu, true);
          break;
        case 'init_task':
          // The idle task of CPU 0 is init_task.
          return this.read(this.addr(K_TASK, 0) + BigInt(d.offset), dst, off, len);
      }
      dst.set(b.subarray(d.offset, d.offset + len), off);
      return 0;
    }
    const rel = addr - ks.base;
    if (rel < 0n || rel + BigInt(len) > 0x1000000n) return EFAULT;
    dst.fill(0xcc, off, off + len);
    return 0;
  }

  /** A NUL-terminated string of at most len bytes (NUL included); its length with the NUL, or -EFAULT. */
  readStr(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    const hi = Number(addr >> 32n);
    if (hi === 0xffffffff) {
      const tmp = new Uint8Array(len);
      if (this.readImage(addr, tmp, 0, len) < 0) return EFAULT;
      let n = 0;
      while (n < len - 1 && tmp[n] !== 0) {
        dst[off + n] = tmp[n]!;
        n++;
      }
      dst[off + n] = 0;
      return n + 1;
    }
    const lo = Number(addr & 0xffffffffn);
    const cls = hi - HI_BASE;
    let src: Uint8Array;
    let from: number;
    let end: number;
    if (cls === K_STRINGS) {
      src = this.w.kstr.bytes;
      from = lo;
      end = this.w.kstr.size;
    } else {
      const stride = STRIDE[cls];
      if (stride === undefined) return EFAULT;
      const idx = Math.floor(lo / stride);
      const size = this.materialize(cls, idx);
      if (size < 0) return EFAULT;
      src = this.scratch;
      from = lo - idx * stride;
      end = stride;
    }
    if (from >= end) return EFAULT;
    let n = 0;
    while (n < len - 1 && from + n < end && src[from + n] !== 0) {
      dst[off + n] = src[from + n]!;
      n++;
    }
    dst[off + n] = 0;
    return n + 1;
  }

  /** Fills the scratch buffer with object (cls, idx); returns its size or -1 if it does not exist. */
  private materialize(cls: number, idx: number): number {
    const key = cls * 0x1000000 + idx;
    const stamp = this.w.events * 4 + this.w.now;
    if (key === this.cachedKey && stamp === this.cachedStamp) return this.cachedSize;
    const k = cls === K_MISC ? this.miscClasses.get(idx) : this.classes.get(cls);
    if (!k || !this.exists(cls, idx)) return -1;
    const size = Math.min(k.size || STRIDE[cls]!, this.scratch.length);
    this.scratch.fill(0, 0, size);
    const out = this.out;
    for (const b of k.bindings) {
      out.off = b.off;
      out.size = b.size;
      b.write(idx, out);
    }
    this.cachedKey = key;
    this.cachedStamp = stamp;
    this.cachedSize = size;
    return size;
  }

  private exists(cls: number, idx: number): boolean {
    const w = this.w;
    switch (cls) {
      case K_TASK:
      case K_PTREGS:
      case K_KSTACK:
      case K_FILENAME:
        return idx < w.t.cap;
      case K_FILE:
        return idx < w.files.cap;
      case K_DENTRY:
      case K_INODE:
        return idx < w.dents.count;
      case K_SOCK:
      case K_SOCKET:
        return idx < w.socks.cap;
      case K_MM:
      case K_CRED:
      case K_FILES:
      case K_FDARRAY:
      case K_FS:
      case K_SIGNAL:
        return idx < w.procs.length + 1;
      case K_CFSRQ:
      case K_SKB:
        return idx < w.ncpu;
      case K_REQUEST:
      case K_BIO:
        return idx < 1 << 20;
      case K_MISC:
        return this.miscClasses.has(idx);
      default:
        return false;
    }
  }

  // ── layout resolution ──

  private resolve(struct: string, path: string): { off: number; size: number; view: StructView } | undefined {
    let view = this.w.cat.struct(struct);
    let off = 0;
    const parts = path.split('.');
    for (let i = 0; i < parts.length; i++) {
      if (!view) return undefined;
      const f = view.fields.find((x) => x.name === parts[i] && !x.bitfield);
      if (!f) return undefined;
      off += f.offset;
      if (i === parts.length - 1) return { off, size: f.size, view };
      const next = f.type.pointerDepth === 0 && (f.type.baseKind === 'struct' || f.type.baseKind === 'union') ? this.w.cat.struct(f.type.base) : undefined;
      view = next;
    }
    return undefined;
  }

  private klass(struct: string, defs: readonly (readonly [string, Writer])[]): KClass {
    const view = this.w.cat.struct(struct);
    const bindings: Binding[] = [];
    for (const [path, write] of defs) {
      const r = this.resolve(struct, path);
      if (r) bindings.push({ off: r.off, size: r.size, write });
    }
    return { size: view?.size ?? 0, bindings };
  }

  private build(): void {
    const w = this.w;
    const t = w.t;
    const proc = (s: number) => (t.proc[s]! >= 0 ? w.procs[t.proc[s]!] ?? null : null);
    const seOff = this.fieldOffset('struct task_struct', 'se');

    const taskState = (s: number): number => {
      switch (t.state[s]) {
        case ST_RUNNING:
        case ST_RUNNABLE:
          return 0;
        case ST_SLEEPING:
          return t.blockState[s] === 0x80 ? 0x402 : t.blockState[s]!;
        case ST_ZOMBIE:
          return 0;
        case ST_DEAD:
          return 0x80;
        default:
          return 0x80;
      }
    };
    const parentSlot = (s: number): number => {
      const p = proc(s);
      if (!p || p.parent < 0) return 0;
      const pp = w.procs[p.parent];
      if (!pp || pp.exited) {
        const init = w.procs.find((x) => x && x.tgid === 1);
        return init ? init.leader : 0;
      }
      return pp.leader;
    };

    this.classes.set(
      K_TASK,
      this.klass('struct task_struct', [
        ['thread_info.flags', (s, o) => o.int(t.phase[s] === 1 ? 0x8 : 0)],
        ['thread_info.cpu', (s, o) => o.int(t.cpu[s]!)],
        ['__state', (s, o) => o.int(taskState(s))],
        ['stack', (s, o) => o.ptr(K_KSTACK, s)],
        ['usage', (_s, o) => o.int(2)],
        ['flags', (s, o) => o.int(s < w.ncpu ? 0x00200042 : proc(s)?.kernel ? 0x00208040 : t.state[s] === ST_ZOMBIE ? 0x00400104 : 0x00400100)],
        ['on_cpu', (s, o) => o.int(t.state[s] === ST_RUNNING ? 1 : 0)],
        ['recent_used_cpu', (s, o) => o.int(t.cpu[s]!)],
        ['wake_cpu', (s, o) => o.int(t.cpu[s]!)],
        ['on_rq', (s, o) => o.int(t.state[s] === ST_RUNNING || t.state[s] === ST_RUNNABLE ? 1 : 0)],
        ['prio', (s, o) => o.int(t.prio[s]!)],
        ['static_prio', (s, o) => o.int(t.prio[s]!)],
        ['normal_prio', (s, o) => o.int(t.prio[s]!)],
        ['se.load.weight', (_s, o) => o.int(1048576)],
        ['se.on_rq', (s, o) => o.int(t.state[s] === ST_RUNNING || t.state[s] === ST_RUNNABLE ? 1 : 0)],
        ['se.exec_start', (s, o) => o.int(w.clocks.monotonicNs + t.runStart[s]!)],
        ['se.sum_exec_runtime', (s, o) => o.int(Math.floor(t.sumExec[s]! + (t.state[s] === ST_RUNNING ? w.now - t.runStart[s]! : 0)))],
        ['se.vruntime', (s, o) => o.int(Math.floor(t.sumExec[s]! + w.clocks.monotonicNs / 8))],
        ['se.cfs_rq', (s, o) => o.ptr(K_CFSRQ, t.cpu[s]!)],
        ['sched_info.pcount', (s, o) => o.int(t.nvcsw[s]! + t.nivcsw[s]!)],
        ['sched_info.last_arrival', (s, o) => o.int(w.clocks.monotonicNs + t.runStart[s]!)],
        ['mm', (s, o) => (proc(s) && !proc(s)!.kernel ? o.ptr(K_MM, t.proc[s]!) : o.int(0))],
        ['active_mm', (s, o) => (proc(s) && !proc(s)!.kernel ? o.ptr(K_MM, t.proc[s]!) : o.int(0))],
        ['exit_state', (s, o) => o.int(t.state[s] === ST_ZOMBIE ? 0x20 : t.state[s] === ST_DEAD ? 0x10 : 0)],
        ['exit_code', (s, o) => o.int(proc(s)?.exitCode ?? 0)],
        ['exit_signal', (s, o) => o.int(s < w.ncpu ? 0 : 17)],
        ['pid', (s, o) => o.int(t.tid[s]!)],
        ['tgid', (s, o) => o.int(t.tgid[s]!)],
        ['real_parent', (s, o) => o.ptr(K_TASK, parentSlot(s))],
        ['parent', (s, o) => o.ptr(K_TASK, parentSlot(s))],
        ['group_leader', (s, o) => o.ptr(K_TASK, t.leader[s]!)],
        ['utime', (s, o) => o.int(Math.floor(t.sumExec[s]! * 0.6))],
        ['stime', (s, o) => o.int(Math.floor(t.sumExec[s]! * 0.4))],
        ['nvcsw', (s, o) => o.int(t.nvcsw[s]!)],
        ['nivcsw', (s, o) => o.int(t.nivcsw[s]!)],
        ['start_time', (s, o) => o.int(w.clocks.monotonicNs + t.startTime[s]!)],
        ['start_boottime', (s, o) => o.int(w.clocks.monotonicNs + w.clocks.suspendedNs + t.startTime[s]!)],
        ['min_flt', (s, o) => o.int(proc(s)?.faults ?? 0)],
        ['real_cred', (s, o) => o.ptr(K_CRED, t.proc[s]! >= 0 ? t.proc[s]! : w.procs.length)],
        ['cred', (s, o) => o.ptr(K_CRED, t.proc[s]! >= 0 ? t.proc[s]! : w.procs.length)],
        ['comm', (s, o) => o.raw(t.comm, s * 16, 16)],
        ['fs', (s, o) => o.ptr(K_FS, t.proc[s]! >= 0 ? t.proc[s]! : w.procs.length)],
        ['files', (s, o) => o.ptr(K_FILES, t.proc[s]! >= 0 ? t.proc[s]! : w.procs.length)],
        ['nsproxy', (_s, o) => o.ptr(K_MISC, MISC_NSPROXY)],
        ['signal', (s, o) => o.ptr(K_SIGNAL, t.proc[s]! >= 0 ? t.proc[s]! : w.procs.length)],
        ['loginuid', (s, o) => o.int(proc(s) && !proc(s)!.kernel && proc(s)!.uid >= 1000 ? proc(s)!.uid : 0xffffffff)],
        ['sessionid', (s, o) => o.int(proc(s) && proc(s)!.uid >= 1000 ? 3 : 0xffffffff)],
      ]),
    );

    const procOf = (i: number) => w.procs[i] ?? null;
    this.classes.set(
      K_CRED,
      this.klass('struct cred', [
        ['usage', (_i, o) => o.int(4)],
        ...['uid', 'suid', 'euid', 'fsuid'].map((f) => [f, (i: number, o: FieldOut) => o.int(procOf(i)?.uid ?? 0)] as const),
        ...['gid', 'sgid', 'egid', 'fsgid'].map((f) => [f, (i: number, o: FieldOut) => o.int(procOf(i)?.gid ?? 0)] as const),
        ['user_ns', (_i, o) => o.ptr(K_MISC, MISC_USERNS)],
      ]),
    );

    this.classes.set(
      K_MM,
      this.klass('struct mm_struct', [
        ['mmap_base', (i, o) => o.int(procOf(i)?.libcBase ?? 0)],
        ['task_size', (_i, o) => o.int(0x7ffffffff000)],
        ['map_count', (_i, o) => o.int(48)],
        ['total_vm', (i, o) => o.int(procOf(i) ? 2400 + (procOf(i)!.tgid % 5000) : 0)],
        ['hiwater_rss', (i, o) => o.int(procOf(i) ? 600 + (procOf(i)!.tgid % 900) : 0)],
        ['start_code', (i, o) => o.int((procOf(i)?.exeBase ?? 0) + 0x1000)],
        ['end_code', (i, o) => o.int((procOf(i)?.exeBase ?? 0) + 0x80000)],
        ['start_brk', (i, o) => o.int(procOf(i)?.heapBase ?? 0)],
        ['brk', (i, o) => o.int(procOf(i)?.heapEnd ?? 0)],
        ['start_stack', (i, o) => o.int(procOf(i) && procOf(i)!.threads.length ? t.stackTop[procOf(i)!.leader]! - 0x800 : 0)],
        ['arg_start', (i, o) => o.int(procOf(i)?.argStart ?? 0)],
        ['arg_end', (i, o) => o.int(procOf(i)?.argEnd ?? 0)],
        ['env_start', (i, o) => o.int(procOf(i)?.argEnd ?? 0)],
        ['env_end', (i, o) => o.int(procOf(i)?.envEnd ?? 0)],
        ['owner', (i, o) => o.ptr(K_TASK, Math.max(0, procOf(i)?.leader ?? 0))],
      ]),
    );

    const fdtabOff = this.fieldOffset('struct files_struct', 'fdtab');
    this.classes.set(
      K_FILES,
      this.klass('struct files_struct', [
        ['count', (_i, o) => o.int(1)],
        ['fdt', (i, o) => o.ptr(K_FILES, i, fdtabOff)],
        ['fdtab.max_fds', (_i, o) => o.int(MAX_FDS)],
        ['fdtab.fd', (i, o) => o.ptr(K_FDARRAY, i)],
        ['next_fd', (i, o) => o.int(procOf(i)?.fdHint ?? 0)],
      ]),
    );
    this.classes.set(K_FDARRAY, {
      size: MAX_FDS * 8,
      bindings: Array.from({ length: MAX_FDS }, (_, fd) => ({
        off: fd * 8,
        size: 8,
        write: (i: number, o: FieldOut) => {
          const p = procOf(i);
          const f = p ? p.fdFile[fd]! : -1;
          if (f >= 0) o.ptr(K_FILE, f);
        },
      })),
    });
    this.classes.set(
      K_FS,
      this.klass('struct fs_struct', [
        ['users', (_i, o) => o.int(1)],
        ['umask', (_i, o) => o.int(0o22)],
        ['root.mnt', (_i, o) => o.ptr(K_MISC, MISC_MOUNT, this.fieldOffset('struct mount', 'mnt'))],
        ['root.dentry', (_i, o) => o.ptr(K_DENTRY, 0)],
        ['pwd.mnt', (_i, o) => o.ptr(K_MISC, MISC_MOUNT, this.fieldOffset('struct mount', 'mnt'))],
        ['pwd.dentry', (i, o) => o.ptr(K_DENTRY, w.cwdDentry(i))],
      ]),
    );
    this.classes.set(
      K_SIGNAL,
      this.klass('struct signal_struct', [
        ['nr_threads', (i, o) => o.int(procOf(i)?.threads.length ?? 1)],
        ['group_exit_code', (i, o) => o.int(procOf(i)?.exitCode ?? 0)],
        ['oom_score_adj', (_i, o) => o.int(0)],
      ]),
    );

    const f = w.files;
    this.classes.set(
      K_FILE,
      this.klass('struct file', [
        ['f_mode', (i, o) => o.int(0x4801d | ((f.flags[i]! & 3) === 0 ? 1 : (f.flags[i]! & 3) === 1 ? 2 : 3))],
        ['f_flags', (i, o) => o.int(f.flags[i]! | 0o100000)],
        ['f_pos', (i, o) => o.int(f.pos[i]!)],
        ['private_data', (i, o) => (f.kind[i] === F_SOCKET && f.sock[i]! >= 0 ? o.ptr(K_SOCKET, f.sock[i]!) : o.int(0))],
        ['f_inode', (i, o) => (f.dentry[i]! >= 0 ? o.ptr(K_INODE, f.dentry[i]!) : o.int(0))],
        ['f_path.mnt', (_i, o) => o.ptr(K_MISC, MISC_MOUNT, this.fieldOffset('struct mount', 'mnt'))],
        ['f_path.dentry', (i, o) => (f.dentry[i]! >= 0 ? o.ptr(K_DENTRY, f.dentry[i]!) : o.int(0))],
        ['f_op', (i, o) => o.text(w.ksyms.lo(f.kind[i] === F_SOCKET ? 'sock_read_iter' : f.kind[i] === F_TTY ? 'tty_read' : f.kind[i] === F_PIPE ? 'pipe_read' : 'ext4_file_read_iter', 0x100))],
        ['f_ref', (i, o) => o.int(f.refs[i]!)],
      ]),
    );
    void F_FILE;

    const d = w.dents;
    const nameHash = (i: number): number => {
      let h = 0;
      const b = w.kstr.bytes;
      for (let k = d.name[i]!; b[k] !== 0; k++) h = (Math.imul(h, 31) + b[k]!) | 0;
      return h >>> 0;
    };
    this.classes.set(
      K_DENTRY,
      this.klass('struct dentry', [
        ['d_flags', (i, o) => o.int((d.mode[i]! & 0o170000) === 0o40000 ? 0x200000 : 0x400000)],
        ['d_parent', (i, o) => o.ptr(K_DENTRY, d.parent[i]!)],
        ['d_name.hash', (i, o) => o.int(nameHash(i))],
        ['d_name.len', (i, o) => o.int(d.nameLen[i]!)],
        ['d_name.name', (i, o) => o.ptr(K_STRINGS, 0, d.name[i]!)],
        ['d_inode', (i, o) => o.ptr(K_INODE, i)],
        ['d_shortname', (i, o) => o.raw(w.kstr.bytes, d.name[i]!, Math.min(d.nameLen[i]!, 39))],
        ['d_sb', (_i, o) => o.ptr(K_MISC, MISC_SB)],
      ]),
    );
    const realSec = (): number => Math.floor((w.clocks.monotonicNs + w.clocks.realtimeNs) / 1e9) - 86400 * 30;
    this.classes.set(
      K_INODE,
      this.klass('struct inode', [
        ['i_mode', (i, o) => o.int(d.mode[i]!)],
        ['i_uid', (_i, o) => o.int(0)],
        ['i_gid', (_i, o) => o.int(0)],
        ['i_sb', (_i, o) => o.ptr(K_MISC, MISC_SB)],
        ['i_ino', (i, o) => o.int(d.ino[i]!)],
        ['__i_nlink', (i, o) => o.int((d.mode[i]! & 0o170000) === 0o40000 ? 2 : 1)],
        ['i_size', (i, o) => o.int(d.size[i]!)],
        ['i_atime_sec', (i, o) => o.int(realSec() + (d.ino[i]! % 86400))],
        ['i_mtime_sec', (i, o) => o.int(realSec() - (d.ino[i]! % 2_000_000))],
        ['i_ctime_sec', (i, o) => o.int(realSec() - (d.ino[i]! % 2_000_000))],
        ['i_blocks', (i, o) => o.int(Math.ceil(d.size[i]! / 512))],
      ]),
    );

    const so = w.socks;
    const sk = 'inet_conn.icsk_inet.sk.';
    const skc = `${sk}__sk_common.`;
    const mapped = (o: FieldOut, ip: number): void => {
      o.bytes.fill(0, o.off, o.off + 16);
      o.bytes[o.off + 10] = 0xff;
      o.bytes[o.off + 11] = 0xff;
      o.view.setInt32(o.off + 12, ip, false);
    };
    this.classes.set(
      K_SOCK,
      this.klass('struct tcp_sock', [
        [`${skc}skc_daddr`, (i, o) => o.be(so.daddr[i]!)],
        [`${skc}skc_rcv_saddr`, (i, o) => o.be(so.saddr[i]!)],
        [`${skc}skc_dport`, (i, o) => o.be(so.dport[i]!)],
        [`${skc}skc_num`, (i, o) => o.int(so.sport[i]!)],
        [`${skc}skc_family`, (i, o) => o.int(so.family[i]!)],
        [`${skc}skc_state`, (i, o) => o.int(so.state[i]!)],
        [`${skc}skc_v6_daddr`, (i, o) => mapped(o, so.daddr[i]!)],
        [`${skc}skc_v6_rcv_saddr`, (i, o) => mapped(o, so.saddr[i]!)],
        [`${skc}skc_cookie`, (i, o) => o.int(so.cookie[i]!)],
        [`${skc}skc_refcnt`, (_i, o) => o.int(2)],
        [`${sk}sk_rcvbuf`, (_i, o) => o.int(131072)],
        [`${sk}sk_sndbuf`, (_i, o) => o.int(87040)],
        [`${sk}sk_protocol`, (i, o) => o.int(so.protocol[i]!)],
        [`${sk}sk_type`, (i, o) => o.int(so.type[i]!)],
        [`${sk}sk_socket`, (i, o) => o.ptr(K_SOCKET, i)],
        ['inet_conn.icsk_inet.inet_saddr', (i, o) => o.be(so.saddr[i]!)],
        ['inet_conn.icsk_inet.inet_sport', (i, o) => o.be(so.sport[i]!)],
        ['srtt_us', (i, o) => o.int((180 + (so.cookie[i]! % 400)) << 3)],
        ['mdev_us', (i, o) => o.int(60 + (so.cookie[i]! % 100))],
        ['snd_cwnd', (_i, o) => o.int(10)],
        ['mss_cache', (_i, o) => o.int(1448)],
        ['bytes_received', (i, o) => o.int(so.rx[i]!)],
        ['bytes_acked', (i, o) => o.int(so.tx[i]!)],
        ['segs_in', (i, o) => o.int(2 + Math.ceil(so.rx[i]! / 1448))],
        ['segs_out', (i, o) => o.int(2 + Math.ceil(so.tx[i]! / 1448))],
      ]),
    );
    this.classes.set(
      K_SOCKET,
      this.klass('struct socket', [
        ['state', (i, o) => o.int(so.state[i] === 1 ? 3 : 1)],
        ['type', (i, o) => o.int(so.type[i]!)],
        ['sk', (i, o) => o.ptr(K_SOCK, i)],
      ]),
    );

    this.classes.set(
      K_CFSRQ,
      this.klass('struct cfs_rq', [
        ['load.weight', (c, o) => o.int(1048576 * (w.rqLen[c]! + (w.cpuCur[c] === c ? 0 : 1)))],
        ['nr_queued', (c, o) => o.int(w.rqLen[c]! + (w.cpuCur[c] === c ? 0 : 1))],
        ['h_nr_queued', (c, o) => o.int(w.rqLen[c]! + (w.cpuCur[c] === c ? 0 : 1))],
        ['h_nr_runnable', (c, o) => o.int(w.rqLen[c]! + (w.cpuCur[c] === c ? 0 : 1))],
        ['curr', (c, o) => (w.cpuCur[c] === c ? o.int(0) : o.ptr(K_TASK, w.cpuCur[c]!, seOff))],
      ]),
    );

    // User registers saved at syscall entry (what __x64_sys_* receive as their pt_regs *).
    const regArgs = [112, 104, 96, 56, 72, 64]; // di, si, dx, r10, r8, r9
    this.classes.set(K_PTREGS, {
      size: 168,
      bindings: [
        ...regArgs.map((off, a) => ({ off, size: 8, write: (s: number, o: FieldOut) => o.int(t.args[s * 6 + a]!) })),
        { off: 120, size: 8, write: (s: number, o: FieldOut) => o.int(t.nr[s]!) },
        { off: 80, size: 8, write: (s: number, o: FieldOut) => o.int(t.phase[s] === 1 ? -38 : t.ret[s]!) },
        { off: 128, size: 8, write: (s: number, o: FieldOut) => o.int(w.userIp(s)) },
        { off: 136, size: 8, write: (_s: number, o: FieldOut) => o.int(0x33) },
        { off: 144, size: 8, write: (_s: number, o: FieldOut) => o.int(0x246) },
        { off: 152, size: 8, write: (s: number, o: FieldOut) => o.int(t.stackTop[s]! ? t.stackTop[s]! - STACK_BYTES + 0x800 : 0) },
        { off: 160, size: 8, write: (_s: number, o: FieldOut) => o.int(0x2b) },
      ],
    });
    this.classes.set(K_KSTACK, { size: 0x4000, bindings: [] });
    // struct filename: name (→ iname), uptr, refcnt, aname, iname[].
    this.classes.set(K_FILENAME, {
      size: 0x1000,
      bindings: [
        { off: 0, size: 8, write: (s: number, o: FieldOut) => o.ptr(K_FILENAME, s, 32) },
        { off: 8, size: 8, write: (s: number, o: FieldOut) => o.int(w.taskPathArg(s)) },
        { off: 16, size: 4, write: (_s: number, o: FieldOut) => o.int(1) },
        { off: 32, size: 4000, write: (s: number, o: FieldOut) => o.text8(w.taskPathText(s)) },
      ],
    });

    const bio = (i: number) => w.bioInfo(i);
    const bdevIdx = (i: number) => MISC_BDEV + 3 * (bio(i)?.devIndex ?? 0);
    this.classes.set(
      K_REQUEST,
      this.klass('struct request', [
        ['q', (i, o) => o.ptr(K_MISC, bdevIdx(i) + 2)],
        ['cmd_flags', (i, o) => o.int(bio(i)?.opf ?? 0)],
        ['tag', (i, o) => o.int(i & 1023)],
        ['internal_tag', (_i, o) => o.int(-1)],
        ['timeout', (_i, o) => o.int(30000)],
        ['__data_len', (i, o) => o.int(bio(i)?.bytes ?? 0)],
        ['__sector', (i, o) => o.int(bio(i)?.sector ?? 0)],
        ['bio', (i, o) => o.ptr(K_BIO, i)],
        ['biotail', (i, o) => o.ptr(K_BIO, i)],
        ['part', (i, o) => o.ptr(K_MISC, bdevIdx(i))],
        ['start_time_ns', (i, o) => o.int(w.clocks.monotonicNs + (bio(i)?.start ?? 0))],
        ['io_start_time_ns', (i, o) => o.int(w.clocks.monotonicNs + (bio(i)?.start ?? 0))],
        ['stats_sectors', (i, o) => o.int((bio(i)?.bytes ?? 0) >> 9)],
      ]),
    );
    this.classes.set(
      K_BIO,
      this.klass('struct bio', [
        ['bi_bdev', (i, o) => o.ptr(K_MISC, bdevIdx(i))],
        ['bi_opf', (i, o) => o.int(bio(i)?.opf ?? 0)],
        ['bi_ioprio', (_i, o) => o.int(0x4000)],
        ['bi_iter.bi_sector', (i, o) => o.int(bio(i)?.sector ?? 0)],
        ['bi_iter.bi_size', (i, o) => o.int(bio(i)?.bytes ?? 0)],
        ['bi_vcnt', (i, o) => o.int(Math.ceil((bio(i)?.bytes ?? 0) / 4096))],
      ]),
    );
    this.classes.set(
      K_SKB,
      this.klass('struct sk_buff', [
        ['len', (_i, o) => o.int(1514)],
        ['protocol', (_i, o) => o.be(0x0800)],
        ['truesize', (_i, o) => o.int(2304)],
      ]),
    );

    // Singletons.
    // Interned now, not on first read: what a probe reads must never move later addresses.
    const devname = w.kstr.id(`/dev/${w.wl.devices[0]!.name}p2`);
    const misc = (idx: number, k: KClass): void => {
      this.miscClasses.set(idx, k);
    };
    misc(MISC_NET, { size: 0x1000, bindings: [] });
    misc(MISC_USERNS, { size: 0x1000, bindings: [] });
    misc(MISC_IDMAP, { size: 0x100, bindings: [] });
    misc(
      MISC_NSPROXY,
      this.klass('struct nsproxy', [
        ['count', (_i, o) => o.int(100)],
        ['uts_ns', (_i, o) => o.ptr(K_MISC, MISC_UTS)],
        ['pid_ns_for_children', (_i, o) => o.ptr(K_MISC, MISC_PIDNS)],
        ['net_ns', (_i, o) => o.ptr(K_MISC, MISC_NET)],
      ]),
    );
    misc(
      MISC_UTS,
      this.klass('struct uts_namespace', [
        ['name.sysname', (_i, o) => o.text8('Linux')],
        ['name.nodename', (_i, o) => o.text8(w.hostname)],
        ['name.release', (_i, o) => o.text8(KERNEL_RELEASE)],
        ['name.version', (_i, o) => o.text8('#1 SMP PREEMPT_DYNAMIC')],
        ['name.machine', (_i, o) => o.text8('x86_64')],
        ['name.domainname', (_i, o) => o.text8('(none)')],
      ]),
    );
    misc(MISC_PIDNS, this.klass('struct pid_namespace', [['level', (_i, o) => o.int(0)], ['pid_allocated', (_i, o) => o.int(w.processes().length)]]));
    misc(
      MISC_MOUNT,
      this.klass('struct mount', [
        ['mnt_parent', (_i, o) => o.ptr(K_MISC, MISC_MOUNT)],
        ['mnt_mountpoint', (_i, o) => o.ptr(K_DENTRY, 0)],
        ['mnt.mnt_root', (_i, o) => o.ptr(K_DENTRY, 0)],
        ['mnt.mnt_sb', (_i, o) => o.ptr(K_MISC, MISC_SB)],
        ['mnt.mnt_flags', (_i, o) => o.int(0x20)],
        ['mnt_devname', (_i, o) => o.ptr(K_STRINGS, 0, devname)],
        ['mnt_id', (_i, o) => o.int(29)],
      ]),
    );
    misc(
      MISC_SB,
      this.klass('struct super_block', [
        ['s_dev', (_i, o) => o.int(w.wl.devices[0]!.dev + 2)],
        ['s_blocksize', (_i, o) => o.int(4096)],
        ['s_magic', (_i, o) => o.int(0xef53)],
        ['s_bdev', (_i, o) => o.ptr(K_MISC, MISC_BDEV)],
        ['s_id', (_i, o) => o.text8(`${w.wl.devices[0]!.name}p2`)],
      ]),
    );
    w.wl.devices.forEach((dev, i) => {
      const base = MISC_BDEV + 3 * i;
      misc(
        base,
        this.klass('struct block_device', [
          ['bd_start_sect', (_x, o) => o.int(0)],
          ['bd_nr_sectors', (_x, o) => o.int(dev.sectors)],
          ['bd_disk', (_x, o) => o.ptr(K_MISC, base + 1)],
          ['bd_queue', (_x, o) => o.ptr(K_MISC, base + 2)],
          ['bd_dev', (_x, o) => o.int(dev.dev)],
        ]),
      );
      misc(
        base + 1,
        this.klass('struct gendisk', [
          ['major', (_x, o) => o.int(dev.dev >>> 20)],
          ['first_minor', (_x, o) => o.int(dev.dev & 0xfffff)],
          ['minors', (_x, o) => o.int(64)],
          ['disk_name', (_x, o) => o.text8(dev.name)],
          ['part0', (_x, o) => o.ptr(K_MISC, base)],
          ['queue', (_x, o) => o.ptr(K_MISC, base + 2)],
        ]),
      );
      misc(base + 2, this.klass('struct request_queue', [['disk', (_x, o) => o.ptr(K_MISC, base + 1)], ['id', (_x, o) => o.int(i)]]));
    });
  }
}

export const KERNEL_RELEASE = '6.8.0-45-generic';
