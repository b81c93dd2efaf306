// Workload profiles (probes/workloads/*.json) and their compilation into the numeric tables
// the world runs on: programs, behaviours as Markov chains of ops (each op one syscall or one
// piece of kernel-thread work), the initial process tree, block devices and the string table
// mapped into every process. In: parsed JSON + the catalog's syscall table. Out: a
// CompiledWorkload, or the list of everything wrong with the profile. Not the simulation.

import { Dist, apportion, type DistSpec } from './distributions.js';
import { AT_FDCWD, CAPABILITIES, ERRNO, SIGNALS, parseFlags } from './linux-constants.js';
import { A_CLONEFLAGS, A_DFD, A_FUTEXOP, A_ONE, A_PROFILE, A_SOCKLEN, A_UID, A_ZERO, K_EXIT, recipeOf } from './syscall-recipes.js';
import { DRAW_BITS, DRAW_RANGE } from './prng.js';
import type { WorldCatalog } from './catalog-view.js';

// ── the JSON shape ───────────────────────────────────────────────────────────────────────

export interface WorkloadJson {
  readonly name: string;
  readonly description: string;
  /** Named path sets: an op's `path: "@etc"` draws from files.etc. */
  readonly files?: Readonly<Record<string, readonly string[]>>;
  /** Environment strings every execve passes (envp). */
  readonly env?: readonly string[];
  readonly devices?: readonly DeviceJson[];
  /** This machine's IPv4 address (source address of connections). */
  readonly ip?: string;
  /** User names by uid (/etc/passwd), for bpftrace's `username`; root is always there. */
  readonly users?: Readonly<Record<string, string>>;
  readonly programs: Readonly<Record<string, ProgramJson>>;
  readonly behaviours: Readonly<Record<string, BehaviourJson>>;
  readonly processes: readonly ProcessJson[];
}

export interface DeviceJson {
  /** 'nvme0n1' */
  readonly name: string;
  readonly major: number;
  readonly minor: number;
  /** Service time of a request, ns. */
  readonly read: DistSpec;
  readonly write: DistSpec;
  /** Device size in 512-byte sectors. */
  readonly sectors: number;
}

export interface ProgramJson {
  readonly exe: string;
  /** Defaults to the exe's basename truncated to 15 bytes, as the kernel does. */
  readonly comm?: string;
  readonly argv?: readonly string[];
  readonly behaviour: string;
  /** Function names of the binary, for user stacks and usym(). */
  readonly symbols?: readonly string[];
}

export interface ThreadJson {
  readonly comm?: string;
  readonly behaviour: string;
  readonly count?: number;
  /**
   * Fds of each thread of this spec (a connection thread's client socket): thread k gets
   * fd + k, and a remote port + k; the thread's ops find them by name before the process's.
   */
  readonly fds?: readonly FdJson[];
}

export interface FdJson {
  readonly name: string;
  readonly fd: number;
  readonly type: 'file' | 'socket' | 'listen' | 'epoll' | 'pipe' | 'tty' | 'eventfd' | 'udp' | 'unix';
  readonly path?: string;
  /** 'ip:port' */
  readonly local?: string;
  readonly remote?: string;
}

export interface ProcessJson {
  /** Name other processes use as `parent`; defaults to the program name. */
  readonly name?: string;
  readonly program: string;
  /** Fixed pid (systemd is 1, kthreadd 2); others are allocated from a seeded start. */
  readonly pid?: number;
  readonly parent?: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly cgroup?: string;
  readonly count?: number;
  readonly nice?: number;
  /** Extra threads beside the main one, which runs the program's behaviour. */
  readonly threads?: readonly ThreadJson[];
  readonly fds?: readonly FdJson[];
  /** A kernel thread: no user memory, no syscalls; ops are `kwork`. */
  readonly kernel?: boolean;
}

export interface BehaviourJson {
  readonly start: string;
  /** User-mode time between syscalls when an op gives none, ns. */
  readonly think?: DistSpec;
  readonly ops: Readonly<Record<string, OpJson>>;
}

export interface OpJson {
  readonly sys?: string;
  readonly kwork?: 'writeback' | 'journal' | 'sleep';
  readonly fd?: string | number;
  readonly fd2?: string | number;
  readonly path?: string | readonly string[];
  readonly path2?: string | readonly string[];
  readonly args?: Readonly<Record<string, number | string | DistSpec>>;
  readonly size?: DistSpec;
  readonly ret?: DistSpec | 'full';
  readonly fail?: { readonly p: number; readonly errno: string | readonly (readonly [string, number])[] };
  readonly lat?: DistSpec;
  readonly block?: DistSpec;
  readonly state?: 'S' | 'D';
  readonly io?: { readonly p?: number; readonly bytes: DistSpec; readonly dir?: 'R' | 'W'; readonly sync?: boolean; readonly dev?: string };
  readonly think?: DistSpec;
  readonly sleep?: DistSpec;
  readonly futex?: { readonly word: number; readonly op: 'wait' | 'wake'; readonly count?: number };
  readonly addr?: string | readonly string[];
  readonly spawn?: string;
  /** A spawning op whose child does not exec: it runs the program's behaviour in the parent's image (a forked worker, cron's job child). */
  readonly fork_only?: boolean;
  /** For spawning ops: at most this many live children (make -j4); beyond it the thread does `full` instead. */
  readonly limit?: number;
  readonly full?: string;
  readonly exec?: string;
  readonly signal?: string | readonly (readonly [string, number])[];
  readonly target?: 'child' | 'parent' | 'self' | 'random';
  readonly uid?: number;
  /** A capability the call checks (cap_capable fires with it): 'CAP_SYS_PTRACE'. */
  readonly cap?: string;
  readonly faults?: number;
  readonly next?: Readonly<Record<string, number>>;
}

// ── compiled form ────────────────────────────────────────────────────────────────────────

export const FD_NONE = 0;
/** The call creates an fd (openat, socket, accept); it becomes the thread's top fd. */
export const FD_NEW = 1;
/** The thread's most recently created fd that is still open. */
export const FD_TOP = 2;
/** Like FD_TOP, and the call closes it. */
export const FD_POP = 3;
/** The thread's second-newest fd (the connection under a file opened to serve it). */
export const FD_UNDER = 6;
/** A named fd of the process (fds in the process spec). */
export const FD_NAMED = 4;
export const FD_FIXED = 5;

export const KW_NONE = 0;
export const KW_WRITEBACK = 1;
export const KW_JOURNAL = 2;
export const KW_SLEEP = 3;

export const TARGET_CHILD = 0;
export const TARGET_PARENT = 1;
export const TARGET_SELF = 2;
export const TARGET_RANDOM = 3;

/** Slots of an op's next-op table: weights are quantised to 1/NEXT_SLOTS. */
export const NEXT_BITS = 12;
export const NEXT_SLOTS = 1 << NEXT_BITS;

/** Argument sources whose value never changes, and that value. */
const STATIC_ARG: Readonly<Record<number, number>> = { [A_ZERO]: 0, [A_DFD]: AT_FDCWD, [A_SOCKLEN]: 16, [A_ONE]: 1 };

export class CompiledOp {
  /** Syscall number, or -1 for kernel-thread work. */
  nr = -1;
  kind = 0;
  kwork = KW_NONE;
  /** Arguments the syscall takes (its sys_enter_ format's fields). */
  nargs = 0;
  readonly argSrc = new Int8Array(6);
  readonly argConst = new Float64Array(6);
  readonly argDist: (Dist | null)[] = [null, null, null, null, null, null];
  fdMode = FD_NONE;
  /** Named fd index or fixed fd number. */
  fdArg = 0;
  fd2Mode = FD_NONE;
  fd2Arg = 0;
  /** String ids of the paths the op draws from, uniformly. */
  paths: Int32Array = new Int32Array(0);
  paths2: Int32Array = new Int32Array(0);
  size: Dist = Dist.constant(0);
  /** Null: the call returns its full size (reads/writes) or 0. */
  ret: Dist | null = null;
  /** Draw (30-bit) below which the call fails. */
  failBelow = 0;
  failErrno: Dist = Dist.constant(0);
  lat: Dist = Dist.constant(1000);
  block: Dist | null = null;
  /** prev_state when the op blocks: 1 (S) or 2 (D). */
  blockState = 1;
  ioBelow = 0;
  ioBytes: Dist = Dist.constant(4096);
  ioWrite = false;
  ioSync = false;
  ioDev = 0;
  think: Dist = Dist.constant(10_000);
  sleep: Dist | null = null;
  futexWord = 0;
  futexWake = false;
  futexCount = 1;
  /** Remote IPv4 addresses (host order) and ports an op connects to. */
  addrIp: Int32Array = new Int32Array(0);
  addrPort: Int32Array = new Int32Array(0);
  program = -1;
  forkOnly = false;
  limit = 0;
  /** Op run instead when the process already has `limit` live children. */
  full = -1;
  signal: Dist = Dist.constant(15);
  target = TARGET_CHILD;
  uid = 0;
  /** Capability checked by the call (-1: none beyond what its kernel path checks). */
  cap = -1;
  faults = 0;
  /** The ops that may follow (each at least once in nextTab). */
  nextOps: Int32Array = new Int32Array(0);
  /**
   * The op that follows for a 30-bit draw r is nextTab[r >>> nextShift]: NEXT_SLOTS cells
   * (weights quantised to 1/NEXT_SLOTS) or one cell when only one op can follow — a lookup,
   * not a threshold scan, because a scan's branches mispredict on every draw.
   */
  nextTab: Int32Array = new Int32Array(1);
  nextShift = DRAW_BITS;
  constructor(
    readonly index: number,
    readonly name: string,
    readonly behaviour: number,
    readonly syscall: string,
  ) {}

  /** The ops that may follow, by slots out of NEXT_SLOTS (a single op: slots ignored). */
  setNext(ops: readonly number[], slots: readonly number[]): void {
    this.nextOps = Int32Array.from(ops);
    if (ops.length === 1) {
      this.nextTab = Int32Array.of(ops[0]!);
      this.nextShift = DRAW_BITS;
      return;
    }
    const tab = new Int32Array(NEXT_SLOTS);
    let at = 0;
    for (let i = 0; i < ops.length; i++) {
      tab.fill(ops[i]!, at, at + slots[i]!);
      at += slots[i]!;
    }
    this.nextTab = tab;
    this.nextShift = DRAW_BITS - NEXT_BITS;
  }

  /**
   * Argument values that are the same on every call (zeros, profile constants, AT_FDCWD, the
   * uid of a setuid…), and the positions and sources of those that are not: the world copies
   * the six statics and computes only the dynamic ones.
   */
  readonly argStatic = new Float64Array(6);
  /** Set by the world: a plain call whose exit has effects beyond file positions (an open, a close…). */
  exitFx = false;
  /** Argument position of the call's path (0 when it has none). */
  pathArg = 0;
  /** Set by the world: which straight-line argument writer fits the dynamic arguments (0: the general loop). */
  argShape = 0;
  readonly dynPos = new Int8Array(6);
  readonly dynSrc = new Int8Array(6);
  dynN = 0;

  /** Splits the arguments into static values and dynamic sources (after argSrc/argConst/argDist are final). */
  prepareArgs(): void {
    this.dynN = 0;
    this.argStatic.fill(0);
    for (let i = 0; i < this.nargs; i++) {
      const src = this.argSrc[i]!;
      const fixed = STATIC_ARG[src];
      if (src === A_PROFILE && this.argDist[i] === null) this.argStatic[i] = this.argConst[i]!;
      else if (src === A_UID) this.argStatic[i] = this.uid;
      else if (src === A_CLONEFLAGS) this.argStatic[i] = this.argConst[i]!;
      else if (src === A_FUTEXOP) this.argStatic[i] = this.futexWake ? 129 : 128;
      else if (fixed !== undefined) this.argStatic[i] = fixed;
      else {
        this.dynPos[this.dynN] = i;
        this.dynSrc[this.dynN] = src;
        this.dynN++;
      }
    }
  }

  /** The op after this one for a 30-bit draw. */
  next(r: number): number {
    return this.nextTab[r >>> this.nextShift]!;
  }
}

export interface CompiledProgram {
  readonly name: string;
  readonly exe: number;
  readonly exeText: string;
  readonly comm: string;
  /** String ids of argv. */
  readonly argv: readonly number[];
  readonly startOp: number;
  readonly symbols: readonly string[];
}

export interface CompiledThread {
  readonly comm: string;
  readonly startOp: number;
  readonly fds: readonly CompiledFd[];
}

export interface CompiledFd {
  readonly name: string;
  readonly fd: number;
  readonly type: FdJson['type'];
  readonly path: number;
  readonly localIp: number;
  readonly localPort: number;
  readonly remoteIp: number;
  readonly remotePort: number;
}

export interface CompiledProcess {
  readonly name: string;
  readonly program: number;
  readonly pid: number;
  /** Index into processes of the parent, or -1 (kthreadd/systemd's parent is pid 0). */
  readonly parent: number;
  readonly uid: number;
  readonly gid: number;
  readonly cgroup: string;
  readonly nice: number;
  readonly kernel: boolean;
  readonly threads: readonly CompiledThread[];
  readonly fds: readonly CompiledFd[];
}

export interface CompiledDevice {
  readonly name: string;
  /** dev_t as the block tracepoints print it: major << 20 | minor. */
  readonly dev: number;
  readonly read: Dist;
  readonly write: Dist;
  readonly sectors: number;
}

export interface CompiledWorkload {
  readonly name: string;
  readonly description: string;
  /** NUL-terminated strings back to back; a string id is its offset. */
  readonly strings: Uint8Array;
  readonly stringText: ReadonlyMap<number, string>;
  readonly env: readonly number[];
  readonly programs: readonly CompiledProgram[];
  readonly ops: readonly CompiledOp[];
  readonly processes: readonly CompiledProcess[];
  readonly devices: readonly CompiledDevice[];
  readonly ip: number;
  /** Named fds across all processes, by index (FD_NAMED's fdArg). */
  readonly fdNames: readonly string[];
  readonly users: ReadonlyMap<number, string>;
}

// ── compilation ──────────────────────────────────────────────────────────────────────────

class StringTableBuilder {
  private readonly ids = new Map<string, number>();
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  readonly text = new Map<number, string>();

  id(s: string): number {
    const have = this.ids.get(s);
    if (have !== undefined) return have;
    const bytes = new TextEncoder().encode(s + '\0');
    const id = this.size;
    this.ids.set(s, id);
    this.text.set(id, s);
    this.parts.push(bytes);
    this.size += bytes.length;
    return id;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size + 64);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

export function parseIpv4(s: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (!m) return undefined;
  const b = [m[1], m[2], m[3], m[4]].map((x) => Number(x));
  if (b.some((x) => x > 255)) return undefined;
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) | 0;
}

function parseEndpoint(s: string): { ip: number; port: number } | undefined {
  const i = s.lastIndexOf(':');
  if (i < 0) return undefined;
  const ip = parseIpv4(s.slice(0, i));
  const port = Number(s.slice(i + 1));
  if (ip === undefined || !Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  return { ip, port };
}

export const commOf = (exe: string): string => {
  const base = exe.slice(exe.lastIndexOf('/') + 1);
  // TASK_COMM_LEN is 16 including the NUL.
  return new TextDecoder().decode(new TextEncoder().encode(base).slice(0, 15));
};

/**
 * Compiles a profile. Every problem is collected (with a JSON-path-like location) so that a
 * profile author sees them all at once.
 */
export function compileWorkload(json: WorkloadJson, catalog: WorldCatalog): CompiledWorkload | string[] {
  const errors: string[] = [];
  const strings = new StringTableBuilder();
  const sysByName = new Map<string, { nr: number; event: string | null }>();
  for (const s of catalog.syscalls) sysByName.set(s.name, { nr: s.nr, event: s.event ?? null });
  const argNames = (event: string | null): string[] => {
    if (event === null) return [];
    const f = catalog.tracepoint('syscalls', `sys_enter_${event}`);
    return f ? f.fields.filter((x) => !x.common && x.name !== '__syscall_nr').map((x) => x.name) : [];
  };
  const dist = (spec: unknown, where: string, fallback: Dist): Dist => {
    if (spec === undefined) return fallback;
    const d = Dist.compile(spec, where);
    if (typeof d === 'string') {
      errors.push(d);
      return fallback;
    }
    return d;
  };
  const num = (v: unknown, where: string): number => {
    const n = parseFlags(v, where);
    if (typeof n === 'string') {
      errors.push(n);
      return 0;
    }
    return n;
  };

  if (typeof json.name !== 'string' || typeof json.description !== 'string') errors.push('workload: name and description are required');
  const files = json.files ?? {};
  const resolvePaths = (p: string | readonly string[] | undefined, where: string): Int32Array => {
    if (p === undefined) return new Int32Array(0);
    const out: number[] = [];
    for (const item of typeof p === 'string' ? [p] : p) {
      if (item.startsWith('@')) {
        const set = files[item.slice(1)];
        if (!set) errors.push(`${where}: unknown file set '${item}'`);
        else for (const f of set) out.push(strings.id(f));
      } else out.push(strings.id(item));
    }
    if (out.length === 0) errors.push(`${where}: empty path list`);
    return Int32Array.from(out);
  };

  // Devices first: ops name them.
  const devices: CompiledDevice[] = (json.devices ?? [
    { name: 'nvme0n1', major: 259, minor: 0, read: { lognormal: { median: 90_000, p99: 900_000 } }, write: { lognormal: { median: 30_000, p99: 2_000_000 } }, sectors: 1_000_215_216 },
  ]).map((d, i) => ({
    name: d.name,
    dev: (d.major << 20) | d.minor,
    read: dist(d.read, `devices[${i}].read`, Dist.constant(100_000)),
    write: dist(d.write, `devices[${i}].write`, Dist.constant(100_000)),
    sectors: d.sectors,
  }));
  const deviceIndex = (name: string | undefined, where: string): number => {
    if (name === undefined) return 0;
    const i = devices.findIndex((d) => d.name === name);
    if (i < 0) errors.push(`${where}: unknown device '${name}'`);
    return Math.max(0, i);
  };

  // Named fds are global names (an op says fd: "listen"; each process resolves it in its own table).
  const fdNames: string[] = [];
  const fdIndex = (name: string): number => {
    let i = fdNames.indexOf(name);
    if (i < 0) i = fdNames.push(name) - 1;
    return i;
  };

  // Ops of all behaviours get global indices; program and behaviour names resolve after.
  const behaviourNames = Object.keys(json.behaviours ?? {});
  const programNames = Object.keys(json.programs ?? {});
  const ops: CompiledOp[] = [];
  const opIndex = new Map<string, number>();
  behaviourNames.forEach((b, bi) => {
    for (const name of Object.keys(json.behaviours[b]!.ops ?? {})) {
      const spec = json.behaviours[b]!.ops[name]!;
      const op = new CompiledOp(ops.length, name, bi, spec.sys ?? `kwork:${spec.kwork ?? 'sleep'}`);
      opIndex.set(`${b}/${name}`, ops.length);
      ops.push(op);
    }
  });
  const startOf = (behaviour: string, where: string): number => {
    const b = json.behaviours?.[behaviour];
    if (!b) {
      errors.push(`${where}: unknown behaviour '${behaviour}'`);
      return 0;
    }
    const i = opIndex.get(`${behaviour}/${b.start}`);
    if (i === undefined) {
      errors.push(`behaviours.${behaviour}: start op '${b.start}' does not exist`);
      return 0;
    }
    return i;
  };

  const fdRef = (v: string | number | undefined, where: string): [number, number] => {
    if (v === undefined) return [FD_NONE, 0];
    if (typeof v === 'number') return [FD_FIXED, v];
    if (v === 'new') return [FD_NEW, 0];
    if (v === 'top') return [FD_TOP, 0];
    if (v === 'pop') return [FD_POP, 0];
    if (v === 'top2') return [FD_UNDER, 0];
    if (/^\d+$/.test(v)) return [FD_FIXED, Number(v)];
    if (v.length === 0) errors.push(`${where}: empty fd name`);
    return [FD_NAMED, fdIndex(v)];
  };

  behaviourNames.forEach((b) => {
    const beh = json.behaviours[b]!;
    const think = dist(beh.think, `behaviours.${b}.think`, Dist.constant(20_000));
    for (const name of Object.keys(beh.ops ?? {})) {
      const spec = beh.ops[name]!;
      const where = `behaviours.${b}.ops.${name}`;
      const op = ops[opIndex.get(`${b}/${name}`)!]!;
      if (spec.sys !== undefined) {
        const sys = sysByName.get(spec.sys);
        if (!sys) {
          errors.push(`${where}: unknown syscall '${spec.sys}'`);
          continue;
        }
        op.nr = sys.nr;
        const names = argNames(sys.event);
        const recipe = recipeOf(spec.sys, names.length, sys.event);
        op.kind = recipe.kind;
        op.nargs = Math.min(6, names.length);
        for (let i = 0; i < names.length && i < 6; i++) {
          const argName = names[i]!;
          const given = spec.args?.[argName];
          const fallback = recipe.defaults?.[argName];
          const src = recipe.args[i] ?? A_PROFILE;
          if (given !== undefined || src === A_PROFILE) {
            op.argSrc[i] = A_PROFILE;
            const v = given ?? fallback ?? 0;
            if (typeof v === 'object') op.argDist[i] = dist(v, `${where}.args.${argName}`, Dist.constant(0));
            else op.argConst[i] = num(v, `${where}.args.${argName}`);
          } else op.argSrc[i] = src;
        }
        for (const k of Object.keys(spec.args ?? {}))
          if (!names.includes(k)) errors.push(`${where}.args: ${spec.sys} has no argument '${k}' (it has: ${names.join(', ') || 'none'})`);
      } else if (spec.kwork !== undefined) {
        op.kwork = { writeback: KW_WRITEBACK, journal: KW_JOURNAL, sleep: KW_SLEEP }[spec.kwork] ?? KW_NONE;
        if (op.kwork === KW_NONE) errors.push(`${where}: unknown kwork '${String(spec.kwork)}'`);
      } else errors.push(`${where}: an op needs 'sys' or 'kwork'`);

      [op.fdMode, op.fdArg] = fdRef(spec.fd, `${where}.fd`);
      [op.fd2Mode, op.fd2Arg] = fdRef(spec.fd2, `${where}.fd2`);
      op.paths = resolvePaths(spec.path, `${where}.path`);
      op.paths2 = resolvePaths(spec.path2, `${where}.path2`);
      op.size = dist(spec.size, `${where}.size`, Dist.constant(0));
      op.ret = spec.ret === undefined || spec.ret === 'full' ? null : dist(spec.ret, `${where}.ret`, Dist.constant(0));
      if (spec.fail) {
        const p = spec.fail.p;
        if (typeof p !== 'number' || p < 0 || p > 1) errors.push(`${where}.fail.p: a probability in [0, 1]`);
        else op.failBelow = Math.floor(p * DRAW_RANGE);
        const list = typeof spec.fail.errno === 'string' ? [[spec.fail.errno, 1] as const] : spec.fail.errno;
        const pairs: [number, number][] = [];
        for (const [e, w] of list) {
          const n = ERRNO[e];
          if (n === undefined) errors.push(`${where}.fail: unknown errno '${e}'`);
          else pairs.push([n, w]);
        }
        if (pairs.length) op.failErrno = dist({ choice: pairs }, `${where}.fail.errno`, Dist.constant(1));
      }
      op.lat = dist(spec.lat, `${where}.lat`, Dist.constant(1_500));
      op.block = spec.block === undefined ? null : dist(spec.block, `${where}.block`, Dist.constant(1_000_000));
      op.blockState = spec.state === 'D' ? 2 : 1;
      if (spec.io) {
        const p = spec.io.p ?? 1;
        op.ioBelow = p >= 1 ? DRAW_RANGE : Math.floor(p * DRAW_RANGE);
        op.ioBytes = dist(spec.io.bytes, `${where}.io.bytes`, Dist.constant(4096));
        op.ioWrite = spec.io.dir === 'W';
        op.ioSync = spec.io.sync ?? false;
        op.ioDev = deviceIndex(spec.io.dev, `${where}.io.dev`);
      }
      op.think = dist(spec.think, `${where}.think`, think);
      op.sleep = spec.sleep === undefined ? null : dist(spec.sleep, `${where}.sleep`, Dist.constant(1_000_000));
      if (spec.futex) {
        op.futexWord = spec.futex.word | 0;
        op.futexWake = spec.futex.op === 'wake';
        op.futexCount = spec.futex.count ?? 1;
        if (spec.futex.word < 0 || spec.futex.word > 63) errors.push(`${where}.futex.word: 0..63`);
      }
      if (spec.addr !== undefined) {
        const list = typeof spec.addr === 'string' ? [spec.addr] : spec.addr;
        const ips: number[] = [];
        const ports: number[] = [];
        for (const a of list) {
          const e = parseEndpoint(a);
          if (!e) errors.push(`${where}.addr: '${a}' is not ip:port`);
          else {
            ips.push(e.ip);
            ports.push(e.port);
          }
        }
        op.addrIp = Int32Array.from(ips);
        op.addrPort = Int32Array.from(ports);
      }
      const progName = spec.spawn ?? spec.exec;
      if (progName !== undefined) {
        op.program = programNames.indexOf(progName);
        if (op.program < 0) errors.push(`${where}: unknown program '${progName}'`);
        // execve of a program passes its path unless the op names another.
        else if (spec.exec !== undefined && spec.path === undefined) op.paths = Int32Array.of(strings.id(json.programs[progName]!.exe));
      }
      op.forkOnly = spec.fork_only ?? false;
      if (spec.limit !== undefined) {
        op.limit = spec.limit;
        const f = spec.full === undefined ? undefined : opIndex.get(`${b}/${spec.full}`);
        if (f === undefined) errors.push(`${where}.full: a spawn limit needs an existing 'full' op`);
        else op.full = f;
      }
      if (spec.signal !== undefined) {
        const list = typeof spec.signal === 'string' ? [[spec.signal, 1] as const] : spec.signal;
        const pairs: [number, number][] = [];
        for (const [s, w] of list) {
          const n = SIGNALS[s] ?? (s === '0' ? 0 : undefined);
          if (n === undefined) errors.push(`${where}.signal: unknown signal '${s}'`);
          else pairs.push([n, w]);
        }
        if (pairs.length) op.signal = dist({ choice: pairs }, `${where}.signal`, Dist.constant(15));
      }
      op.target = { child: TARGET_CHILD, parent: TARGET_PARENT, self: TARGET_SELF, random: TARGET_RANDOM }[spec.target ?? 'child'] ?? TARGET_CHILD;
      op.uid = spec.uid ?? 0;
      if (spec.cap !== undefined) {
        const cap = CAPABILITIES[spec.cap];
        if (cap === undefined) errors.push(`${where}.cap: unknown capability '${spec.cap}'`);
        else op.cap = cap;
      }
      op.faults = spec.faults ?? 0;

      // Next-op table. No `next`: back to the behaviour's start (an exit op never continues).
      const nextSpec = spec.next ?? (op.kind === K_EXIT ? {} : { [beh.start]: 1 });
      const targets = Object.keys(nextSpec);
      if (targets.length === 0) {
        op.setNext([op.index], [NEXT_SLOTS]);
        continue;
      }
      const idx: number[] = [];
      const weights: number[] = [];
      for (const t of targets) {
        const i = opIndex.get(`${b}/${t}`);
        if (i === undefined) errors.push(`${where}.next: unknown op '${t}'`);
        else {
          idx.push(i);
          weights.push(nextSpec[t]!);
        }
      }
      if (idx.length === 0) continue;
      const slots = apportion(weights, NEXT_SLOTS);
      if (typeof slots === 'string') {
        errors.push(`${where}.next: ${slots}`);
        continue;
      }
      const ops2: number[] = [];
      const kept: number[] = [];
      for (let i = 0; i < idx.length; i++) {
        if (slots[i] === 0) continue;
        ops2.push(idx[i]!);
        kept.push(slots[i]!);
      }
      op.setNext(ops2, kept);
    }
  });

  const programs: CompiledProgram[] = programNames.map((p) => {
    const spec = json.programs[p]!;
    const comm = spec.comm ?? commOf(spec.exe);
    if (new TextEncoder().encode(comm).length > 15) errors.push(`programs.${p}.comm: longer than 15 bytes`);
    return {
      name: p,
      exe: strings.id(spec.exe),
      exeText: spec.exe,
      comm,
      argv: (spec.argv ?? [spec.exe]).map((a) => strings.id(a)),
      startOp: startOf(spec.behaviour, `programs.${p}.behaviour`),
      symbols: spec.symbols ?? ['main'],
    };
  });

  const env = (json.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8', 'HOME=/root']).map((e) => strings.id(e));

  // Processes: `count` expands, names resolve to indices for parents.
  const processes: CompiledProcess[] = [];
  const byName = new Map<string, number>();
  const pending: { parent: string | undefined; at: number; where: string }[] = [];
  json.processes?.forEach((spec, pi) => {
    const where = `processes[${pi}]`;
    const program = programNames.indexOf(spec.program);
    if (program < 0) {
      errors.push(`${where}: unknown program '${spec.program}'`);
      return;
    }
    const prog = json.programs[spec.program]!;
    const count = spec.count ?? 1;
    for (let c = 0; c < count; c++) {
      const compileFd = (f: FdJson, fwhere: string, k: number): CompiledFd => {
        const local = f.local ? parseEndpoint(f.local) : undefined;
        const remote = f.remote ? parseEndpoint(f.remote) : undefined;
        if (f.local && !local) errors.push(`${fwhere}.local: not ip:port`);
        if (f.remote && !remote) errors.push(`${fwhere}.remote: not ip:port`);
        fdIndex(f.name);
        return {
          name: f.name,
          fd: f.fd + k,
          type: f.type,
          path: strings.id(f.path ?? (f.type === 'tty' ? '/dev/pts/0' : f.type === 'epoll' ? 'anon_inode:[eventpoll]' : '')),
          localIp: local?.ip ?? 0,
          localPort: local?.port ?? 0,
          remoteIp: remote?.ip ?? 0,
          remotePort: remote ? remote.port + k : 0,
        };
      };
      const threads: CompiledThread[] = [{ comm: (prog.comm ?? commOf(prog.exe)).replace('%n', String(c)), startOp: startOf(prog.behaviour, `${where}.program`), fds: [] }];
      (spec.threads ?? []).forEach((t, ti) => {
        for (let k = 0; k < (t.count ?? 1); k++) {
          const comm = (t.comm ?? prog.comm ?? commOf(prog.exe)).replace('%n', String(k));
          const tf = (t.fds ?? []).map((f, fi) => compileFd(f, `${where}.threads[${ti}].fds[${fi}]`, k));
          threads.push({ comm, startOp: startOf(t.behaviour, `${where}.threads`), fds: tf });
        }
      });
      const fds: CompiledFd[] = (spec.fds ?? []).map((f, fi) => compileFd(f, `${where}.fds[${fi}]`, 0));
      const name = spec.name ?? spec.program;
      const at = processes.length;
      if (c === 0) byName.set(name, at);
      pending.push({ parent: spec.parent, at, where });
      processes.push({
        name,
        program,
        pid: spec.pid !== undefined && c === 0 ? spec.pid : 0,
        parent: -1,
        uid: spec.uid ?? 0,
        gid: spec.gid ?? spec.uid ?? 0,
        cgroup: spec.cgroup ?? (spec.kernel ? '/' : '/system.slice'),
        nice: spec.nice ?? 0,
        kernel: spec.kernel ?? false,
        threads,
        fds,
      });
    }
  });
  for (const p of pending) {
    if (p.parent === undefined) continue;
    const i = byName.get(p.parent);
    if (i === undefined) errors.push(`${p.where}.parent: unknown process '${p.parent}'`);
    else (processes[p.at] as { parent: number }).parent = i;
  }
  if (processes.length === 0) errors.push('processes: a workload needs at least one process');

  const ip = json.ip === undefined ? parseIpv4('10.0.2.15')! : parseIpv4(json.ip);
  if (ip === undefined) errors.push(`ip: '${json.ip}' is not an IPv4 address`);

  const users = new Map<number, string>([[0, 'root']]);
  for (const [uid, name] of Object.entries(json.users ?? {})) {
    if (!/^\d+$/.test(uid) || typeof name !== 'string' || name === '') errors.push(`users: '${uid}' → '${String(name)}' is not uid → name`);
    else users.set(Number(uid), name);
  }

  if (errors.length) return errors;
  return {
    users,
    name: json.name,
    description: json.description,
    strings: strings.bytes(),
    stringText: strings.text,
    env,
    programs,
    ops,
    processes,
    devices,
    ip: ip ?? 0,
    fdNames,
  };
}
