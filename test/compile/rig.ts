// A small test bench for compiled programs: a fake kernel whose pid, comm, cpu and clocks
// the test sets, the program's maps created as the loader would (fd = index + 1, tables
// filled), each program loaded with the helper table and run by the interpreter, the ring
// buffer decoded into async events, and — for BEGIN/END programs — the text bpftrace would
// print (printf, print, exit, maps at exit) through runtime/output. Test support only.

import { InternalError } from '../../src/diag/diagnostic.js';
import type { KernelHost } from '../../src/ebpf/host.js';
import { helperTable } from '../../src/ebpf/helpers/helper-table.js';
import { newRunResult, run, type RunResult } from '../../src/ebpf/interpreter.js';
import { Machine } from '../../src/ebpf/machine.js';
import { createMap, type MachineMap } from '../../src/ebpf/maps/create-map.js';
import { RingBufMap } from '../../src/ebpf/maps/ringbuf.js';
import { loadProgram, type Program } from '../../src/ebpf/program.js';
import { voidType } from '../../src/check/types.js';
import type { AsyncEvent, CompiledProgram, MapDef } from '../../src/compile/compiled.js';
import { decodeMapDump, decodeValue, type DecodeContext } from '../../src/runtime/output/decode.js';
import { formatLocation, sourceContext } from '../../src/diag/render.js';
import type { SourceFile } from '../../src/diag/source.js';
import type { CheckedProgram } from '../../src/check/program.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatPrintf } from '../../src/runtime/output/printf.js';
import { TextPrinter } from '../../src/runtime/output/text.js';
import { printMapsAtExit, type OutputPrinter } from '../../src/runtime/output/printer.js';
import { JsonPrinter } from '../../src/runtime/output/json.js';
import { execSync } from 'node:child_process';
import type { MapDump, Value } from '../../src/runtime/output/values.js';
import { binaryFromUtf8, utf8FromBinary } from '../../src/runtime/output/bytes.js';

/** A kernel whose current task and clocks the test sets. */
export class FakeKernel implements KernelHost {
  cpuId = 0;
  cpus = 4;
  pid = 100;
  tidV = 100;
  uidV = 1000;
  gidV = 1000;
  commV = 'bash';
  boot = 1_000_000_000;
  mono = 900_000_000;
  /** User memory: address → bytes (strings read with probe_read_user_str). */
  readonly user = new Map<bigint, Uint8Array>();
  readonly signals: number[] = [];

  cpu = (): number => this.cpuId;
  ncpus = (): number => this.cpus;
  tid = (): number => this.tidV;
  tgid = (): number => this.pid;
  uid = (): number => this.uidV;
  gid = (): number => this.gidV;
  comm(dst: Uint8Array, off: number): void {
    dst.fill(0, off, off + 16);
    for (let i = 0; i < Math.min(15, this.commV.length); i++) dst[off + i] = this.commV.charCodeAt(i);
  }
  ktimeNs = (): number => this.mono;
  bootNs = (): number => this.boot;
  taiNs = (): number => 1_700_000_000_000_000_000;
  realtimeNs = (): number => 1_700_000_000_000_000_000;
  jiffies = (): number => 4_295_000_000;
  currentTask = (): bigint => 0xffff888812345600n;
  cgroupId = (): bigint => 1n;
  numaNode = (): number => 0;
  prandomU32 = (): number => 4;
  private find(addr: bigint): { bytes: Uint8Array; at: number } | undefined {
    for (const [base, bytes] of this.user) {
      if (addr >= base && addr < base + BigInt(bytes.length)) return { bytes, at: Number(addr - base) };
    }
    return undefined;
  }
  readUser(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    const f = this.find(addr);
    if (!f || f.at + len > f.bytes.length) {
      dst.fill(0, off, off + len);
      return -14;
    }
    dst.set(f.bytes.subarray(f.at, f.at + len), off);
    return 0;
  }
  readKernel(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    dst.fill(0, off, off + len);
    return addr === 0n ? -14 : -14;
  }
  readUserStr(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    const f = this.find(addr);
    if (!f) {
      dst.fill(0, off, off + len);
      return -14;
    }
    let n = 0;
    while (n < len - 1 && f.at + n < f.bytes.length && f.bytes[f.at + n] !== 0) {
      dst[off + n] = f.bytes[f.at + n]!;
      n++;
    }
    dst[off + n] = 0;
    return n + 1;
  }
  readKernelStr(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    return this.readKernel(addr, dst, off, len);
  }
  kernelStack = (): readonly bigint[] => [0xffffffff81000100n, 0xffffffff81000200n];
  userStack = (): readonly bigint[] => [0x401000n];
  funcIp = (): bigint => 0xffffffff81234560n;
  sendSignal(sig: number): number {
    this.signals.push(sig);
    return 0;
  }
}

export interface Record {
  readonly event: AsyncEvent;
  readonly bytes: Uint8Array;
}

export class Rig {
  readonly machine: Machine;
  readonly maps: MachineMap[] = [];
  readonly programs: Program[] = [];
  private readonly result: RunResult = newRunResult();
  /** Instructions executed over every run. */
  executed = 0;
  /** zeroMeansAbsent maps user space knows to exist (zero() was applied). */
  private readonly present = new Set<number>();

  readonly host: FakeKernel;
  /** config max_strlen (printf's truncation trailer depends on it). */
  readonly maxStrlen: number;
  private readonly source: SourceFile | undefined;
  private readonly dir: string;

  constructor(
    readonly compiled: CompiledProgram,
    opts: { host?: FakeKernel; checked?: CheckedProgram; dir?: string } = {},
  ) {
    this.host = opts.host ?? new FakeKernel();
    const host = this.host;
    this.maxStrlen = opts.checked?.config.max_strlen ?? 1024;
    this.source = opts.checked?.source;
    this.dir = opts.dir ?? '.';
    this.machine = new Machine(host);
    compiled.maps.forEach((def, i) => {
      const m = createMap(def.spec, this.machine.mem, host.cpus, i + 1);
      this.machine.maps[i + 1] = m;
      this.maps.push(m);
      for (const e of def.initial ?? []) m.updateUser(e.key, [e.value], 0);
    });
    for (const p of compiled.programs) {
      const r = loadProgram(p.insns, { helpers: helperTable });
      if (!r.ok) throw new InternalError(`program ${p.name} does not load: ${r.errors.map((e) => `${e.pc}: ${e.message}`).join('; ')}`);
      this.programs.push(r.prog);
    }
  }

  /** Runs program i with a context record; throws on a fault. */
  run(i: number, ctx: Uint8Array = new Uint8Array(this.compiled.programs[i]!.ctxSize)): bigint {
    const r = run(this.programs[i]!, this.machine, ctx, this.result);
    this.executed += r.insns;
    if (r.fault) throw new Error(`program ${this.compiled.programs[i]!.name} faulted: ${r.faultMessage}`);
    return BigInt(r.r0Lo >>> 0);
  }

  /** The program attached to a probe name. */
  index(probe: string): number {
    const i = this.compiled.programs.findIndex((p) => p.attachTo.some((a) => a.probe === probe));
    if (i < 0) throw new Error(`no program for ${probe}`);
    return i;
  }

  mapDef(name: string): { def: MapDef; map: MachineMap } {
    const i = this.compiled.maps.findIndex((m) => m.bpftraceName === name);
    if (i < 0) throw new Error(`no map ${name}`);
    return { def: this.compiled.maps[i]!, map: this.maps[i]! };
  }

  /** What user space knows beyond the bytes (strftime formats, clock bases). */
  readonly decodeCtx: DecodeContext = {
    strftimeFormat: (id) => this.compiled.strftimeFormats[id],
    timestampBaseNs: () => 0n,
  };

  /** A bpftrace map as the output module decodes it. */
  dump(name: string): MapDump {
    const { def, map } = this.mapDef(name);
    const index = this.compiled.maps.indexOf(def);
    const entries = [...map.entries()].filter((e) => !def.zeroMeansAbsent || this.present.has(index) || e.values.some((v) => v.some((b) => b !== 0)));
    return decodeMapDump(name, def.keyType ?? voidType, def.valueType!, entries, this.decodeCtx);
  }

  /** Async records emitted so far (consumed). */
  records(): Record[] {
    const rb = this.maps[this.compiled.ringbufMap] as RingBufMap;
    const out: Record[] = [];
    rb.consume((bytes, off, len) => {
      const b = bytes.slice(off, off + len);
      const id = Number(new DataView(b.buffer).getBigUint64(0, true));
      const event = this.compiled.asyncEvents[id];
      if (!event) throw new Error(`record with unknown event id ${id}`);
      out.push({ event, bytes: b });
    });
    return out;
  }

  /** The decoded arguments of a printf-like record. */
  args(r: Record): Value[] {
    if (r.event.kind !== 'printf' && r.event.kind !== 'system' && r.event.kind !== 'cat' && r.event.kind !== 'errorf' && r.event.kind !== 'warnf') return [];
    return r.event.args.map((a) => {
      const v = decodeValue(a.type, r.bytes, a.offset, this.decodeCtx);
      // bpftrace 0.23's printf marks a string of max_strlen - 1 bytes or more as truncated.
      if (v.kind === 'string' && v.text.length >= this.maxStrlen - 1) return { ...v, text: v.text + '..' };
      return v;
    });
  }

  /**
   * Runs BEGIN, interval probes on a virtual clock until exit(), then END, as bpftrace does for
   * programs without kernel probes, and returns the text output.
   */
  runSpecial(limit = 1000, format: 'text' | 'json' = 'text'): { text: string; exitCode: number } {
    const printer: OutputPrinter = format === 'json' ? new JsonPrinter() : new TextPrinter();
    let text = '';
    let exited = false;
    let exitCode = 0;
    const drain = (): void => {
      for (const r of this.records()) {
        const ev = r.event;
        switch (ev.kind) {
          case 'printf':
            text += printer.printf(formatPrintf(utf8FromBinary(ev.format.format), this.args(r)));
            break;
          case 'print_value':
            text += printer.value(decodeValue(ev.value.type, r.bytes, ev.value.offset, this.decodeCtx));
            break;
          case 'print_map': {
            const dump = this.dump(ev.mapName);
            text += printer.map(dump, { top: Number(ev.top ?? 0n), div: Number(ev.div ?? 1n) });
            break;
          }
          case 'clear_map':
            this.maps[ev.map]!.clear();
            break;
          case 'zero_map': {
            const m = this.maps[ev.map]!;
            this.present.add(ev.map);
            for (const e of [...m.entries()]) m.updateUser(e.key, e.values.map((v) => new Uint8Array(v.length)), 0);
            break;
          }
          case 'system': {
            const cmd = utf8FromBinary(formatPrintf(utf8FromBinary(ev.format.format), this.args(r)));
            text += printer.system(binaryFromUtf8(execSync(cmd, { encoding: 'utf8' })));
            break;
          }
          case 'cat': {
            const name = utf8FromBinary(formatPrintf(utf8FromBinary(ev.format.format), this.args(r)));
            text += printer.cat(binaryFromUtf8(readFileSync(join(this.dir, name), 'utf8')));
            break;
          }
          case 'helper_error': {
            if (!this.source) throw new Error('helper_error without the source');
            const code = Number(new DataView(r.bytes.buffer).getBigInt64(ev.retcodeOffset, true));
            const pos = this.source.position(ev.span.start);
            text += printer.helperError({
              helperId: ev.helperId,
              helperName: ev.helperName,
              retcode: code,
              location: formatLocation(this.source, ev.span),
              sourceContext: sourceContext(this.source, ev.span),
              line: pos.line,
              column: pos.column,
            });
            break;
          }
          case 'exit':
            exited = true;
            exitCode = Number(new DataView(r.bytes.buffer).getBigInt64(ev.codeOffset, true));
            break;
          default:
            throw new Error(`rig cannot handle ${ev.kind} events`);
        }
      }
    };
    for (const i of this.compiled.beginPrograms) {
      this.run(i);
      drain();
    }
    // interval probes fire on a virtual clock, each every period, until exit() or `limit` firings.
    const UNIT_NS: { [u: string]: bigint } = { s: 1_000_000_000n, ms: 1_000_000n, us: 1_000n, ns: 1n, hz: 0n };
    const timers = this.compiled.programs.flatMap((p, i) =>
      p.attachTo
        .filter((a) => a.provider === 'interval' && a.period)
        .map((a) => {
          const period = a.period!.unit === 'hz' ? 1_000_000_000n / a.period!.value : a.period!.value * UNIT_NS[a.period!.unit]!;
          return { i, period, next: period };
        }),
    );
    for (let n = 0; n < limit && !exited && timers.length > 0; n++) {
      const t = timers.reduce((a, b) => (b.next < a.next ? b : a));
      this.host.boot = 1_000_000_000 + Number(t.next);
      t.next += t.period;
      this.run(t.i);
      drain();
    }
    for (const i of this.compiled.endPrograms) {
      this.run(i);
      drain();
    }
    const dumps = this.compiled.maps.filter((m) => m.role === 'user').map((m) => this.dump(m.bpftraceName!));
    text += printMapsAtExit(printer, dumps);
    return { text: utf8FromBinary(text), exitCode };
  }
}

export { binaryFromUtf8 };
