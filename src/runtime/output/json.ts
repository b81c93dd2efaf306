// bpftrace 0.23's `-f json` output, byte for byte: one object per line
// (`{"type": "map", "data": {...}}`, printf/value/hist/stats/attached_probes/lost_events/
// helper_error), including its quirks: map keys escaped twice, bytes >= 0x80 written as
// `\uffffffXX`, bools as 1/0, MAC addresses unquoted. tseries follows upstream. In: values
// and map dumps. Out: binary strings for stdout.

import { histBucketRange } from './layouts.js';
import type { HelperErrorInfo, OutputPrinter, PrintMapOptions, PrinterOptions } from './printer.js';
import { DEFAULT_PRINTER_OPTIONS, helperErrorMessage } from './printer.js';
import { applyTop, averageOf, orderEntries } from './sort.js';
import { tseriesPoints, tseriesRange, type EpochRange } from './text.js';
import { textOfValue } from './text-value.js';
import type {
  AggregateValue,
  AvgAggregate,
  HistAggregate,
  LhistAggregate,
  MapDump,
  MapDumpEntry,
  TseriesAggregate,
  Value,
} from './values.js';

/**
 * bpftrace's json_escape over bytes. Control bytes become \u00XX; bytes >= 0x80 go through
 * a signed char, so they print as \uffffffXX.
 */
export function jsonEscape(binary: string): string {
  let out = '';
  for (let i = 0; i < binary.length; i++) {
    const b = binary.charCodeAt(i) & 0xff;
    const c = binary[i]!;
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (b <= 0x1f) out += `\\u${b.toString(16).padStart(4, '0')}`;
    else if (b >= 0x80) out += `\\u${((b - 256) >>> 0).toString(16)}`;
    else out += c;
  }
  return out;
}

/** Value kinds bpftrace writes as JSON strings. */
const QUOTED: ReadonlySet<Value['kind']> = new Set([
  'buffer',
  'cgroup_path',
  'inet',
  'kstack',
  'ksym',
  'none',
  'strerror',
  'string',
  'timestamp',
  'username',
  'ustack',
  'usym',
]);

/** One value as JSON; inside a map key strings are escaped but not quoted (bpftrace's rule). */
export function jsonOfValue(v: Value, opts: PrinterOptions = DEFAULT_PRINTER_OPTIONS, inMapKey = false): string {
  switch (v.kind) {
    case 'int':
      return v.value.toString();
    case 'bool':
      return v.value ? '1' : '0';
    case 'pointer':
      return v.address.toString();
    case 'tuple':
      return `[${v.elems.map((e) => jsonOfValue(e, opts)).join(',')}]`;
    case 'record':
      return `{ ${v.fields.map((f) => `"${f.name}": ${jsonOfValue(f.value, opts, inMapKey)}`).join(', ')} }`;
    case 'array':
      return `[${v.elems.map((e) => jsonOfValue(e, opts, inMapKey)).join(',')}]`;
    case 'mac_address':
      return textOfValue(v, opts);
    default: {
      const text = jsonEscape(textOfValue(v, opts));
      return QUOTED.has(v.kind) && !inMapKey ? `"${text}"` : text;
    }
  }
}

export class JsonPrinter implements OutputPrinter {
  readonly format = 'json' as const;

  constructor(readonly opts: PrinterOptions = DEFAULT_PRINTER_OPTIONS) {}

  attachedProbes(count: number): string {
    return `{"type": "attached_probes", "data": {"probes": ${count}}}\n`;
  }

  printf(text: string): string {
    return message('printf', text);
  }

  value(v: Value): string {
    return `{"type": "value", "data": ${jsonOfValue(v, this.opts)}}\n`;
  }

  map(dump: MapDump, opts: PrintMapOptions = {}): string {
    if (dump.entries.length === 0) return '';
    const top = opts.top ?? 0;
    const div = BigInt(opts.div === undefined || opts.div === 0 ? 1 : opts.div);
    const ordered = orderEntries(dump);
    const kind = dump.valueType.kind;
    const type =
      kind === 'hist' || kind === 'lhist' ? 'hist' : kind === 'avg' || kind === 'stats' ? 'stats' : kind === 'tseries' ? 'tseries' : 'map';
    const rows = kind === 'stats' ? ordered : applyTop(ordered, top);
    const range = tseriesRange(ordered);
    const keyed = dump.keyType.kind !== 'void';
    const items = rows.map((e) => {
      const value = this.mapValue(e.value, div, range);
      return keyed ? `"${jsonEscape(this.keyText(e))}": ${value}` : value;
    });
    const body = keyed ? `{${items.join(', ')}}` : items.join(', ');
    return `{"type": "${type}", "data": {"${jsonEscape(dump.name)}": ${body}}}\n`;
  }

  time(text: string): string {
    return message('time', text);
  }

  cat(text: string): string {
    return message('cat', text);
  }

  join(text: string): string {
    return message('join', text);
  }

  system(text: string): string {
    return message('syscall', text);
  }

  lostEvents(count: number): string {
    return `{"type": "lost_events", "data": {"events": ${count}}}\n`;
  }

  helperError(info: HelperErrorInfo): string {
    const msg = helperErrorMessage(info.helperId, info.retcode);
    return (
      `{"type": "helper_error", "msg": "${msg}", "helper": "${info.helperName}", ` +
      `"retcode": ${info.retcode}, "line": ${info.line}, "col": ${info.column}}\n`
    );
  }

  exitBanner(): string {
    return '\n\n';
  }

  /** A tuple key's elements joined by commas; escaped here and once more by the caller. */
  private keyText(e: MapDumpEntry): string {
    if (e.key.kind === 'tuple') return e.key.elems.map((x) => jsonOfValue(x, this.opts, true)).join(',');
    return jsonOfValue(e.key, this.opts, true);
  }

  private mapValue(v: Value | AggregateValue, div: bigint, range: EpochRange | undefined): string {
    switch (v.kind) {
      case 'count':
        return (v.value / div).toString();
      case 'sum':
      case 'min':
      case 'max':
        return (v.signed ? v.value / div : BigInt.asUintN(64, v.value) / div).toString();
      case 'int':
        return (v.value / div).toString();
      case 'avg':
      case 'stats':
        return statsJson(v, div);
      case 'hist':
        return histJson(v, div);
      case 'lhist':
        return lhistJson(v);
      case 'tseries':
        return tseriesJson(v, range);
      default:
        return jsonOfValue(v, this.opts);
    }
  }
}

function message(type: string, text: string): string {
  return `{"type": "${type}", "data": "${jsonEscape(text)}"}\n`;
}

function statsJson(v: AvgAggregate, div: bigint): string {
  const avgRaw = averageOf(v.total, v.count, v.signed);
  const avg = v.signed ? avgRaw / div : BigInt.asUintN(64, avgRaw) / div;
  if (v.kind === 'avg') return avg.toString();
  const total = v.signed ? BigInt.asIntN(64, v.total) : BigInt.asUintN(64, v.total);
  const count = v.signed ? BigInt.asIntN(64, v.count) : BigInt.asUintN(64, v.count);
  return `{"count": ${count}, "average": ${avg}, "total": ${total}}`;
}

/** First and last bucket bpftrace shows: those with a positive count (as C ints). */
function shownRange(buckets: readonly bigint[]): [number, number] {
  let first = -1;
  let last = -1;
  buckets.forEach((c, i) => {
    if (Number(BigInt.asIntN(32, c)) > 0) {
      if (first === -1) first = i;
      last = i;
    }
  });
  return [first, last];
}

export function histJson(h: HistAggregate, div: bigint): string {
  const [first, last] = shownRange(h.buckets);
  if (last === -1) return '[]';
  const rows: string[] = [];
  for (let i = first; i <= last; i++) {
    const { min, max } = histBucketRange(i, h.bits);
    const bounds = min === null ? `"max": ${max}, ` : `"min": ${min}, "max": ${max}, `;
    rows.push(`{${bounds}"count": ${h.buckets[i]! / div}}`);
  }
  return `[${rows.join(', ')}]`;
}

export function lhistJson(h: LhistAggregate): string {
  const counts = h.buckets;
  const buckets = Number((h.max - h.min) / h.step);
  if (counts.every((c) => BigInt.asIntN(32, c) === 0n)) return '[]';
  let start = -1;
  let end = 0;
  for (let i = 0; i <= buckets + 1 && i < counts.length; i++) {
    if (counts[i]! > 0n) {
      if (start === -1) start = i;
      end = i;
    }
  }
  if (start === -1) start = 0;
  const rows: string[] = [];
  for (let i = start; i <= end; i++) {
    let bounds: string;
    if (i === 0) bounds = `"max": ${h.min - 1n}, `;
    else if (i === buckets + 1) bounds = `"min": ${h.max}, `;
    else bounds = `"min": ${BigInt(i - 1) * h.step + h.min}, "max": ${BigInt(i) * h.step + h.min - 1n}, `;
    rows.push(`{${bounds}"count": ${counts[i]!}}`);
  }
  return `[${rows.join(', ')}]`;
}

/** Upstream: [{"interval_start":"2025-06-23 10:41:46.700000000","value":1}, ...] (UTC). */
export function tseriesJson(ts: TseriesAggregate, range: EpochRange | undefined): string {
  const rows = tseriesPoints(ts, range)
    .filter((p) => p.value !== undefined)
    .map((p) => `{"interval_start":"${isoInstant(p.epoch * ts.intervalNs)}","value":${p.value}}`);
  return `[${rows.join(',')}]`;
}

/** C++20's `<<` of a system_clock time_point in ns: `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`, UTC. */
function isoInstant(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  const d = new Date(Number(seconds) * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${frac}`
  );
}
