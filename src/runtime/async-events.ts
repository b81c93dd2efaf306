// User space's handling of the ring-buffer records probes send (bpftrace's async actions):
// each record's leading u64 indexes the compiler's event table, the payload is decoded at the
// offsets it lists, and the action happens here — printf/print/time/join/cat/system output
// through the printer, print/clear/zero of maps, exit. In: record bytes. Out: text for the
// output sink and the requests (exit) the event loop acts on. Not: reading the ring itself.

import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { SizedType } from '../check/types.js';
import type { AsyncEvent, CompiledProgram, JoinEvent, PrintfEvent } from '../compile/compiled.js';
import { InternalError } from '../diag/diagnostic.js';
import type { SourceFile, Span } from '../diag/source.js';
import type { KernelHost } from '../ebpf/host.js';
import type { UserMap } from '../ebpf/maps/map.js';
import { binaryFromBytes, cStringAt } from './output/bytes.js';
import type { DecodeContext } from './output/decode.js';
import { decodeValue, readInt } from './output/decode.js';
import type { OutputPrinter, PrinterOptions } from './output/printer.js';
import { compilePrintf } from './output/printf.js';
import { formatTime } from './output/strftime.js';
import { strerror } from './output/strerror.js';
import type { Value } from './output/values.js';
import { clearMap, readMap, zeroMap } from './map-reader.js';

/** Where the handled records go and what the event loop is told. */
export interface AsyncSinks {
  /** Program output (stdout or the -o file), binary strings. */
  out(binary: string): void;
  /** Diagnostics of errorf/warnf, on stderr. */
  err(text: string): void;
  /** exit(code) was received. */
  exit(code: number): void;
  /** A helper failed in a probe (a map update refused because the map is full…). */
  helperFailed(helperId: number, retcode: number): void;
}

/** Renders `file:line:col-col` and the source lines under it (src/diag/render, loaded only when a program needs it). */
export interface Locator {
  formatLocation(source: SourceFile, span: Span): string;
  sourceContext(source: SourceFile, span: Span): string[];
}

export interface AsyncContext {
  readonly compiled: CompiledProgram;
  /** Maps by index into compiled.maps. */
  readonly maps: readonly UserMap[];
  readonly printer: OutputPrinter;
  readonly printerOptions: PrinterOptions;
  readonly decode: DecodeContext;
  /** The host of the probe that sent the records (time() reads its clock). */
  host(): KernelHost;
  /** The root source, for errorf/warnf locations. */
  readonly source: SourceFile;
  readonly locator?: Locator;
  /** config max_cat_bytes. */
  readonly maxCatBytes: number;
  /** Directory relative cat() paths are read from. */
  readonly cwd: string;
  readonly sinks: AsyncSinks;
  /** Indexes of maps zero() was called on since their last clear() (see readMap). */
  readonly zeroed: Set<number>;
}

/** Events whose handling needs source locations (the Locator must be loaded for them). */
export function needsLocator(events: readonly AsyncEvent[]): boolean {
  return events.some((e) => e.kind === 'errorf' || e.kind === 'warnf' || e.kind === 'helper_error');
}

/** Builds the record consumer: call it with each record (bytes[off..off+len)). */
export function asyncDispatcher(ctx: AsyncContext): (bytes: Uint8Array, off: number, len: number) => void {
  const events = ctx.compiled.asyncEvents;
  const { printer, sinks } = ctx;

  // Each format is split and parsed once, on its first record (compilePrintf).
  const decode = (type: SizedType, bytes: Uint8Array, off: number): Value => decodeValue(type, bytes, off, ctx.decode);
  const formatters: ((bytes: Uint8Array, off: number) => string)[] = [];
  const formatted = (e: PrintfEvent, bytes: Uint8Array, off: number): string =>
    (formatters[e.id] ??= compilePrintf(e.format.format, e.args, ctx.printerOptions, decode))(bytes, off);

  return (bytes, off, len) => {
    // The event id: a u64 whose high word is zero for every id the compiler hands out.
    const id = off >= 0 && off + 8 <= bytes.length && (bytes[off + 4]! | bytes[off + 5]! | bytes[off + 6]! | bytes[off + 7]!) === 0
      ? (bytes[off]! | (bytes[off + 1]! << 8) | (bytes[off + 2]! << 16) | (bytes[off + 3]! << 24)) >>> 0
      : Number(readInt(bytes, off, 8, false));
    const e = events[id];
    if (!e) throw new InternalError(`ring-buffer record with unknown event id ${id}`);
    if (len < e.size) throw new InternalError(`ring-buffer record of ${len} bytes for ${e.kind} event ${id} of ${e.size}`);
    switch (e.kind) {
      case 'printf':
        sinks.out(printer.printf(formatted(e, bytes, off)));
        return;
      case 'system':
        sinks.out(printer.system(runCommand(formatted(e, bytes, off))));
        return;
      case 'cat': {
        const r = readFileHead(formatted(e, bytes, off), ctx.cwd, ctx.maxCatBytes);
        if (typeof r === 'string') sinks.out(printer.cat(r));
        else sinks.err(r.error);
        return;
      }
      case 'errorf':
      case 'warnf': {
        const label = e.kind === 'errorf' ? 'ERROR' : 'WARNING';
        const text = formatted(e, bytes, off);
        const loc = ctx.locator;
        if (!loc || !e.span) {
          sinks.err(`${label}: ${text}\n`);
          return;
        }
        const lines = loc.sourceContext(ctx.source, e.span);
        sinks.err(`${loc.formatLocation(ctx.source, e.span)}: ${label}: ${text}\n${lines.map((l) => l + '\n').join('')}`);
        return;
      }
      case 'print_value':
        sinks.out(printer.value(decodeValue(e.value.type, bytes, off + e.value.offset, ctx.decode)));
        return;
      case 'print_map': {
        const def = ctx.compiled.maps[e.map]!;
        const dump = readMap(def, ctx.maps[e.map]!, ctx.decode, ctx.zeroed.has(e.map));
        sinks.out(printer.map(dump, { top: Number(e.top ?? 0n), div: Number(e.div ?? 1n) }));
        return;
      }
      case 'clear_map':
        clearMap(ctx.maps[e.map]!);
        ctx.zeroed.delete(e.map);
        return;
      case 'zero_map':
        zeroMap(ctx.maps[e.map]!);
        ctx.zeroed.add(e.map);
        return;
      case 'exit':
        sinks.exit(Number(readInt(bytes, off + e.codeOffset, 8, true)));
        return;
      case 'time': {
        const text = formatTime(e.format, BigInt(Math.round(ctx.host().realtimeNs())), ctx.printerOptions.zone);
        if (text !== undefined) sinks.out(printer.time(text));
        return;
      }
      case 'join':
        sinks.out(printer.join(joined(e, bytes, off)));
        return;
      case 'helper_error': {
        const retcode = Number(readInt(bytes, off + e.retcodeOffset, 8, true));
        sinks.helperFailed(e.helperId, retcode);
        const loc = ctx.locator;
        if (!loc) throw new InternalError('helper_error event without the locator loaded');
        const at = ctx.source.position(e.span.start);
        sinks.out(
          printer.helperError({
            helperId: e.helperId,
            helperName: e.helperName,
            retcode,
            location: loc.formatLocation(ctx.source, e.span),
            sourceContext: loc.sourceContext(ctx.source, e.span),
            line: at.line,
            column: at.column,
          }),
        );
        return;
      }
    }
  };
}

function joined(e: JoinEvent, bytes: Uint8Array, off: number): string {
  const parts: string[] = [];
  for (let i = 0; i < e.count; i++) {
    const at = off + 8 + i * e.stringSize;
    if (bytes[at] === 0) break;
    parts.push(cStringAt(bytes, at, e.stringSize));
  }
  return parts.join(e.separator);
}

/** system(): the command's standard output, as bpftrace prints what popen() gave it. */
function runCommand(command: string): string {
  const r = spawnSync('/bin/sh', ['-c', Buffer.from(command, 'latin1').toString('utf8')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return r.stdout ? binaryFromBytes(r.stdout) : '';
}

/** cat(): at most maxBytes of the file, or bpftrace's message (for stderr) when it cannot be read. */
function readFileHead(name: string, cwd: string, maxBytes: number): string | { error: string } {
  const path = Buffer.from(name, 'latin1').toString('utf8');
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  let fd: number;
  try {
    fd = openSync(full, 'r');
  } catch (e) {
    const errno = -((e as NodeJS.ErrnoException).errno ?? -5);
    return { error: `ERROR: failed to open file '${path}': ${strerror(errno)}\n` };
  }
  try {
    const buf = Buffer.alloc(maxBytes);
    const n = readSync(fd, buf, 0, maxBytes, 0);
    return binaryFromBytes(buf, 0, n);
  } finally {
    closeSync(fd);
  }
}
