// Kernel-side objects behind file descriptors: open files (struct file), the dentry/inode of
// every path the workload touches (with parents, so d_parent walks reach "/"), and sockets
// (struct sock). Parallel typed arrays with free lists; names live in a kernel string blob
// that kernel-memory.ts exposes at kernel addresses. Not the fd tables (Proc) nor the
// byte layouts (kernel-memory.ts).

import { mix32 } from './prng.js';

export const F_FILE = 1;
export const F_SOCKET = 2;
export const F_EPOLL = 3;
export const F_PIPE = 4;
export const F_TTY = 5;
export const F_EVENTFD = 6;
export const F_UNIX = 7;

/** Growable blob of NUL-terminated kernel strings (dentry names, full paths, comms). */
export class KernelStrings {
  bytes = new Uint8Array(1 << 16);
  size = 0;
  private readonly ids = new Map<string, number>();
  private readonly enc = new TextEncoder();

  id(s: string): number {
    const have = this.ids.get(s);
    if (have !== undefined) return have;
    const b = this.enc.encode(s);
    while (this.size + b.length + 1 > this.bytes.length) {
      const n = new Uint8Array(this.bytes.length * 2);
      n.set(this.bytes);
      this.bytes = n;
    }
    const at = this.size;
    this.bytes.set(b, at);
    this.bytes[at + b.length] = 0;
    this.size += b.length + 1;
    this.ids.set(s, at);
    return at;
  }
}

export class Dentries {
  /** Kernel string offset of the last component ("passwd"; "/" for the root). */
  name: number[] = [];
  nameLen: number[] = [];
  parent: number[] = [];
  /** Offset of the whole path string in KernelStrings. */
  full: number[] = [];
  ino: number[] = [];
  /** S_IFREG | 0644 etc. */
  mode: number[] = [];
  size: number[] = [];
  private readonly byPath = new Map<string, number>();

  constructor(
    private readonly strings: KernelStrings,
    private readonly seed: number,
  ) {
    this.lookup('/');
  }

  /** The dentry of an absolute path, creating it and its ancestors on first use. */
  lookup(path: string): number {
    const have = this.byPath.get(path);
    if (have !== undefined) return have;
    let parent = -1;
    let comp = '/';
    if (path !== '/') {
      const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
      const cut = trimmed.lastIndexOf('/');
      parent = this.lookup(cut <= 0 ? '/' : trimmed.slice(0, cut));
      // Anything with a child is a directory.
      this.mode[parent] = 0o40755;
      this.size[parent] = 4096;
      comp = trimmed.slice(cut + 1);
    }
    const d = this.name.length;
    this.byPath.set(path, d);
    this.name.push(this.strings.id(comp));
    this.nameLen.push(new TextEncoder().encode(comp).length);
    this.parent.push(parent < 0 ? d : parent);
    this.full.push(this.strings.id(path));
    // Inode numbers hash the path: they do not depend on the order paths were first seen.
    let ph = 0x811c9dc5;
    for (let i = 0; i < path.length; i++) ph = Math.imul(ph ^ path.charCodeAt(i), 0x01000193);
    const h = mix32(this.seed ^ ph);
    this.ino.push(d === 0 ? 2 : 131072 + (h % 4_000_000));
    const isDir = path === '/' || path.endsWith('/');
    this.mode.push(path.startsWith('/dev/') ? 0o20620 : isDir ? 0o40755 : 0o100644);
    this.size.push(isDir ? 4096 : 512 + (h % 262144));
    return d;
  }

  pathOf(d: number): string | undefined {
    for (const [p, i] of this.byPath) if (i === d) return p;
    return undefined;
  }

  get count(): number {
    return this.name.length;
  }
}

/** Open files: one slot per struct file. */
export class FileTable {
  cap = 0;
  kind = new Uint8Array(0);
  dentry = new Int32Array(0);
  sock = new Int32Array(0);
  pos = new Float64Array(0);
  flags = new Int32Array(0);
  refs = new Int32Array(0);
  private free: number[] = [];
  used = 0;

  constructor(cap: number) {
    this.grow(cap);
  }

  alloc(kind: number, dentry: number, sock: number, flags: number): number {
    const f = this.free.length > 0 ? this.free.pop()! : this.used++;
    if (f >= this.cap) this.grow(this.cap * 2);
    this.kind[f] = kind;
    this.dentry[f] = dentry;
    this.sock[f] = sock;
    this.pos[f] = 0;
    this.flags[f] = flags;
    this.refs[f] = 1;
    return f;
  }

  /** Drops a reference; returns true when the file was released. */
  put(f: number): boolean {
    if (--this.refs[f]! > 0) return false;
    this.kind[f] = 0;
    this.free.push(f);
    return true;
  }

  private grow(cap: number): void {
    const g = <T extends Int32Array | Float64Array | Uint8Array>(old: T): T => {
      const n = new (old.constructor as { new (n: number): T })(cap);
      n.set(old);
      return n;
    };
    this.kind = g(this.kind);
    this.dentry = g(this.dentry);
    this.sock = g(this.sock);
    this.pos = g(this.pos);
    this.flags = g(this.flags);
    this.refs = g(this.refs);
    this.cap = cap;
  }
}

/** TCP/UDP/unix sockets: addresses in host order, ports as numbers. */
export class SocketTable {
  cap = 0;
  family = new Uint16Array(0);
  type = new Uint8Array(0);
  protocol = new Uint8Array(0);
  state = new Uint8Array(0);
  saddr = new Int32Array(0);
  daddr = new Int32Array(0);
  sport = new Int32Array(0);
  dport = new Int32Array(0);
  cookie = new Float64Array(0);
  /** Bytes sent and received (tcp_sock bytes_acked / bytes_received). */
  tx = new Float64Array(0);
  rx = new Float64Array(0);
  private free: number[] = [];
  used = 0;
  private nextCookie = 4096;

  constructor(cap: number) {
    this.grow(cap);
  }

  alloc(family: number, type: number, protocol: number): number {
    const s = this.free.length > 0 ? this.free.pop()! : this.used++;
    if (s >= this.cap) this.grow(this.cap * 2);
    this.family[s] = family;
    this.type[s] = type;
    this.protocol[s] = protocol;
    this.state[s] = 7; // TCP_CLOSE
    this.saddr[s] = 0;
    this.daddr[s] = 0;
    this.sport[s] = 0;
    this.dport[s] = 0;
    this.cookie[s] = this.nextCookie++;
    this.tx[s] = 0;
    this.rx[s] = 0;
    return s;
  }

  release(s: number): void {
    this.family[s] = 0;
    this.free.push(s);
  }

  private grow(cap: number): void {
    const g = <T extends Int32Array | Float64Array | Uint8Array | Uint16Array>(old: T): T => {
      const n = new (old.constructor as { new (n: number): T })(cap);
      n.set(old);
      return n;
    };
    this.family = g(this.family);
    this.type = g(this.type);
    this.protocol = g(this.protocol);
    this.state = g(this.state);
    this.saddr = g(this.saddr);
    this.daddr = g(this.daddr);
    this.sport = g(this.sport);
    this.dport = g(this.dport);
    this.cookie = g(this.cookie);
    this.tx = g(this.tx);
    this.rx = g(this.rx);
    this.cap = cap;
  }
}
