// What the runtime attaches to the world, and the reusable context buffers probes fire with.
// A Site is one firing point (a tracepoint, a kprobe, a profile timer…): its handlers and one
// Uint8Array/DataView pair the world rewrites in place before each firing — no allocation per
// event. In: resolved attach targets from the checker. Out: Sites the world fills. Not the
// eBPF loader: the runtime registers Site.bytes as the ctx region and runs its programs.

import type { TracepointFormat } from './catalog-view.js';

/**
 * A resolved probe. Names are canonical (wildcards expanded by the checker, aliases resolved).
 * BEGIN/END are the runtime's own and never reach the world.
 */
export type AttachTarget =
  | { readonly kind: 'tracepoint'; readonly category: string; readonly event: string }
  /** rawtracepoint:<event>: the tracepoint's TP_PROTO arguments, one u64 each. */
  | { readonly kind: 'rawtracepoint'; readonly event: string }
  | { readonly kind: 'kprobe' | 'kretprobe' | 'fentry' | 'fexit'; readonly func: string }
  /** profile:hz:N → { hz: N }; profile:ms:N etc. → { periodNs }. Fires on every CPU. */
  | { readonly kind: 'profile'; readonly hz?: number; readonly periodNs?: number }
  /** interval:s:N etc. Fires on one CPU (CPU 0). */
  | { readonly kind: 'interval'; readonly hz?: number; readonly periodNs?: number }
  /** software:<event>:<period> / hardware:<event>:<period>, event by canonical name ('cpu-clock', 'page-faults'). */
  | { readonly kind: 'software' | 'hardware'; readonly event: string; readonly period: number };

/** Called with the site's context buffer; the same pair every time for one site. */
export type ProbeHandler = (bytes: Uint8Array, view: DataView) => void;

export interface Attachment {
  /** The context record: registered by the runtime as the ctx region (REGION_CTX). */
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Bytes of the record a program may read (the verifier's ctx size). */
  readonly size: number;
  detach(): void;
}

/** Linux's struct pt_regs (x86-64), the kprobe context: byte offsets of each register. */
export const PT_REGS = {
  r15: 0, r14: 8, r13: 16, r12: 24, bp: 32, bx: 40, r11: 48, r10: 56, r9: 64, r8: 72,
  ax: 80, cx: 88, dx: 96, si: 104, di: 112, orig_ax: 120, ip: 128, cs: 136, flags: 144, sp: 152, ss: 160,
} as const;
export const PT_REGS_SIZE = 168;
/** Argument registers in calling-convention order (kprobe arg0..arg5). */
export const PT_ARG_OFFSETS: readonly number[] = [PT_REGS.di, PT_REGS.si, PT_REGS.dx, PT_REGS.cx, PT_REGS.r8, PT_REGS.r9];
/** struct bpf_perf_event_data: pt_regs, then sample_period and addr. */
export const PERF_SAMPLE_PERIOD = 168;
export const PERF_ADDR = 176;
export const PERF_EVENT_DATA_SIZE = 184;

/** Room after a tracepoint's fixed fields for its __data_loc strings. */
const DYNAMIC_ROOM = 4096 + 256;

const noHandler: ProbeHandler = () => {};

export class Site {
  readonly handlers: ProbeHandler[] = [];
  /** handlers.length, and the first handler: firing calls h0 directly when it is the only one. */
  nh = 0;
  h0: ProbeHandler = noHandler;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly i32: Int32Array;
  /** Offset, size and __data_loc flag of each field the world writes, in its own field order (-1 when absent). */
  readonly off: Int32Array;
  readonly sz: Int32Array;
  readonly dataLoc: Uint8Array;
  readonly commonType: number;
  /** Where the next __data_loc payload goes. */
  dyn = 0;
  /** For timer sites: the period and the timer's heap kind/id (set by the world). */
  periodNs = 0;
  hz = 0;
  /** software/hardware events: events between samples, and the running count. */
  period = 1;
  count = 0;
  /** Index of this site in the world's timer table, or -1. */
  timer = -1;

  constructor(
    readonly name: string,
    readonly size: number,
    format?: TracepointFormat,
    fields: readonly string[] = [],
  ) {
    const cap = (size + (format ? DYNAMIC_ROOM : 0) + 7) & ~7;
    const buf = new ArrayBuffer(cap);
    this.bytes = new Uint8Array(buf);
    this.view = new DataView(buf);
    this.i32 = new Int32Array(buf);
    this.off = new Int32Array(fields.length).fill(-1);
    this.sz = new Int32Array(fields.length);
    this.dataLoc = new Uint8Array(fields.length);
    this.commonType = format?.id ?? 0;
    // The type never changes; syscall records (which begin() never clears) keep it from here.
    this.view.setUint16(0, this.commonType, true);
    if (format) {
      fields.forEach((name, i) => {
        const f = format.fields.find((x) => x.name === name);
        if (!f) return;
        this.off[i] = f.offset;
        this.sz[i] = f.size;
        this.dataLoc[i] = f.dataLoc ? 1 : 0;
      });
    }
  }

  get attached(): boolean {
    return this.nh > 0;
  }

  add(h: ProbeHandler): void {
    this.handlers.push(h);
    this.nh = this.handlers.length;
    this.h0 = this.handlers[0]!;
  }

  remove(h: ProbeHandler): void {
    const i = this.handlers.indexOf(h);
    if (i >= 0) this.handlers.splice(i, 1);
    this.nh = this.handlers.length;
    this.h0 = this.handlers[0] ?? noHandler;
  }

  /** Writes the common header and clears the fields (records are reused). */
  begin(flags: number, preemptCount: number, pid: number): void {
    this.bytes.fill(0, 0, this.size);
    this.view.setUint16(0, this.commonType, true);
    this.bytes[2] = flags;
    this.bytes[3] = preemptCount;
    this.view.setInt32(4, pid, true);
    this.dyn = this.size;
  }

  /** An integer field of any width (1, 2, 4 or 8 bytes), from a safe integer (negative OK). */
  int(i: number, v: number): void {
    const o = this.off[i]!;
    if (o < 0) return;
    switch (this.sz[i]) {
      case 1:
        this.bytes[o] = v;
        return;
      case 2:
        this.view.setUint16(o, v & 0xffff, true);
        return;
      case 4:
        this.view.setInt32(o, v | 0, true);
        return;
      case 8:
        put64(this.view, o, v);
        return;
    }
  }

  /** A char[N] field or a __data_loc string from bytes src[from..] up to the NUL (or len). */
  str(i: number, src: Uint8Array, from: number, maxLen: number): void {
    const o = this.off[i]!;
    if (o < 0) return;
    let n = 0;
    while (n < maxLen && src[from + n] !== 0) n++;
    if (this.dataLoc[i] === 1) {
      const at = this.dyn;
      const room = this.bytes.length - at - 1;
      if (n > room) n = room;
      this.bytes.set(src.subarray(from, from + n), at);
      this.bytes[at + n] = 0;
      this.view.setUint32(o, ((n + 1) << 16) | at, true);
      this.dyn = at + n + 1;
      return;
    }
    const cap = this.sz[i]!;
    if (n > cap - 1) n = cap - 1;
    this.bytes.set(src.subarray(from, from + n), o);
  }

  /** A char[N] / __data_loc field from a JS string (ASCII). */
  text(i: number, s: string): void {
    const o = this.off[i]!;
    if (o < 0) return;
    const enc = scratchEncoder.encode(s);
    this.str(i, enc, 0, enc.length);
  }

  /** Raw bytes into a fixed array field (addresses in __u8 saddr[4] …). */
  raw(i: number, src: Uint8Array, from: number, n: number): void {
    const o = this.off[i]!;
    if (o < 0) return;
    this.bytes.set(src.subarray(from, from + Math.min(n, this.sz[i]!)), o);
  }
}

const scratchEncoder = new TextEncoder();

/** Writes a safe integer (two's complement for negatives) as a little-endian 64-bit value. */
export function put64(view: DataView, off: number, v: number): void {
  if (v >= 0 && v <= 0xffffffff) {
    view.setUint32(off, v, true);
    view.setUint32(off + 4, 0, true);
    return;
  }
  const hi = Math.floor(v / 0x1_0000_0000);
  view.setUint32(off, v - hi * 0x1_0000_0000, true);
  view.setInt32(off + 4, hi, true);
}
