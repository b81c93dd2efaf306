// bpftrace 0.23's text output, byte for byte: `Attaching N probes...`, print() lines, maps
// (`@[1234, bash]: 42`, stats lines, hist/lhist rows with 52-column bars, the blank-line
// rules after each kind of map), helper warnings, `Lost N events`. tseries follows upstream
// bpftrace (0.23 has none). In: values and map dumps. Out: binary strings for stdout.

import type { SizedType } from '../../check/types.js';
import { binaryFromUtf8 } from './bytes.js';
import type { HelperErrorInfo, OutputPrinter, PrintMapOptions, PrinterOptions } from './printer.js';
import { DEFAULT_PRINTER_OPTIONS, helperErrorMessage } from './printer.js';
import { applyTop, averageOf, orderEntries } from './sort.js';
import { strftime, type TimeZone } from './strftime.js';
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

const BAR_WIDTH = 52;

/** Value types whose printed text ends in a newline already: no separator between entries. */
const NO_DELIMITER: ReadonlySet<SizedType['kind']> = new Set(['kstack', 'ustack', 'ksym', 'usym', 'inet']);

export class TextPrinter implements OutputPrinter {
  readonly format = 'text' as const;

  constructor(readonly opts: PrinterOptions = DEFAULT_PRINTER_OPTIONS) {}

  attachedProbes(count: number): string {
    return count === 1 ? 'Attaching 1 probe...\n' : `Attaching ${count} probes...\n`;
  }

  printf(text: string): string {
    return text;
  }

  value(v: Value): string {
    return textOfValue(v, this.opts) + '\n';
  }

  map(dump: MapDump, opts: PrintMapOptions = {}): string {
    const top = opts.top ?? 0;
    const div = BigInt(opts.div === undefined || opts.div === 0 ? 1 : opts.div);
    const ordered = orderEntries(dump);
    const key = (e: MapDumpEntry) => this.keyText(dump, e);
    switch (dump.valueType.kind) {
      case 'hist':
      case 'lhist':
      case 'tseries': {
        const rows = applyTop(ordered, top);
        const range = tseriesRange(ordered);
        return rows.map((e) => `${key(e)}:\n${this.multiLine(e.value, div, range)}`).join('\n') + '\n';
      }
      case 'avg':
      case 'stats': {
        // bpftrace honours top for avg maps only (and warns that stats ignores it).
        const rows = dump.valueType.kind === 'avg' ? applyTop(ordered, top) : ordered;
        return rows.map((e) => `${key(e)}: ${avgText(e.value as AvgAggregate, div)}`).join('\n') + '\n\n';
      }
      default: {
        const rows = applyTop(ordered, top);
        const delimiter = NO_DELIMITER.has(dump.valueType.kind) ? '' : '\n';
        return rows.map((e) => `${key(e)}: ${this.scalarText(e.value, div)}`).join(delimiter) + '\n';
      }
    }
  }

  time(text: string): string {
    return text;
  }

  cat(text: string): string {
    return text;
  }

  join(text: string): string {
    return text + '\n';
  }

  system(text: string): string {
    return text;
  }

  lostEvents(count: number): string {
    return `Lost ${count} events\n`;
  }

  helperError(info: HelperErrorInfo): string {
    const msg = helperErrorMessage(info.helperId, info.retcode);
    const head = `${info.location}: WARNING: ${msg}\nAdditional Info - helper: ${info.helperName}, retcode: ${info.retcode}\n`;
    return head + info.sourceContext.map((l) => l + '\n').join('');
  }

  exitBanner(): string {
    return '\n\n';
  }

  private keyText(dump: MapDump, e: MapDumpEntry): string {
    if (dump.keyType.kind === 'void') return dump.name;
    return `${dump.name}[${textOfValue(e.key, this.opts, true)}]`;
  }

  /** A one-line map value, divided by div where bpftrace divides. */
  private scalarText(v: Value | AggregateValue, div: bigint): string {
    switch (v.kind) {
      case 'count':
        return (v.value / div).toString();
      case 'sum':
      case 'min':
      case 'max':
        return divide(v.value, div, v.signed).toString();
      case 'int':
        if (v.enumName !== undefined && div === 1n) return v.enumSymbol ?? v.value.toString();
        return divide(v.value, div, v.signed).toString();
      case 'avg':
      case 'stats':
        return avgText(v, div);
      case 'hist':
      case 'lhist':
      case 'tseries':
        return this.multiLine(v, div, undefined);
      default:
        return textOfValue(v, this.opts);
    }
  }

  private multiLine(v: Value | AggregateValue, div: bigint, range: EpochRange | undefined): string {
    switch (v.kind) {
      case 'hist':
        return histText(v, div);
      case 'lhist':
        return lhistText(v);
      case 'tseries':
        return tseriesText(v, range ?? tseriesRange([{ value: v }]), this.opts.zone);
      default:
        return this.scalarText(v, div) + '\n';
    }
  }
}

/** C division of a value by print()'s div: truncating, unsigned for unsigned values. */
function divide(v: bigint, div: bigint, signed: boolean): bigint {
  return signed ? v / div : BigInt.asUintN(64, v) / div;
}

function avgText(v: AvgAggregate, div: bigint): string {
  const avg = divide(averageOf(v.total, v.count, v.signed), div, v.signed);
  if (v.kind === 'avg') return avg.toString();
  const total = v.signed ? BigInt.asIntN(64, v.total) : BigInt.asUintN(64, v.total);
  const count = v.signed ? BigInt.asIntN(64, v.count) : BigInt.asUintN(64, v.count);
  return `count ${count}, average ${avg}, total ${total}`;
}

// ── hist / lhist rows ────────────────────────────────────────────────────────────────────

/** bpftrace keeps counts in C `int`s while choosing rows and scaling bars. */
const asCInt = (c: bigint): number => Number(BigInt.asIntN(32, c));

/** Bar length: count / (float)max * 52 in single precision, truncated, as bpftrace computes it. */
export function barLength(count: bigint, maxValue: number): number {
  const f = Math.fround;
  return Math.trunc(f(f(f(Number(count)) / f(maxValue)) * BAR_WIDTH));
}

/** One row: label in 16 columns, count right-aligned in 8, then the bar between pipes. */
export function histRow(label: string, count: string, bar: number): string {
  return `${label.padEnd(16)}${count.padStart(8)} |${'@'.repeat(bar).padEnd(BAR_WIDTH)}|\n`;
}

/** hist label of a range bucket boundary: powers of 1024 get K, M, G, T, P, E. */
export function histIndexLabel(index: number, bits: number): string {
  const n = 1 << bits;
  const interval = index & (n - 1);
  let power = (index >> bits) - 1;
  const decade = Math.floor(power / 10);
  const suffix = ['', 'K', 'M', 'G', 'T', 'P', 'E'][decade] ?? '';
  power -= 10 * decade;
  return `${(1 << power) * (n + interval)}${suffix}`;
}

export function histText(h: HistAggregate, div: bigint): string {
  const counts = h.buckets;
  let minIndex = -1;
  let maxIndex = -1;
  let maxValue = 0;
  counts.forEach((c, i) => {
    const v = asCInt(c);
    if (v > 0) {
      if (minIndex === -1) minIndex = i;
      maxIndex = i;
    }
    if (v > maxValue) maxValue = v;
  });
  if (maxIndex === -1) return '';
  let out = '';
  for (let i = minIndex; i <= maxIndex; i++) {
    const label =
      i === 0
        ? '(..., 0)'
        : i <= 2 << h.bits
          ? `[${i - 1}]`
          : `[${histIndexLabel(i - 1, h.bits)}, ${histIndexLabel(i, h.bits)})`;
    out += histRow(label, (counts[i]! / div).toString(), barLength(counts[i]!, maxValue));
  }
  return out;
}

/** lhist label: plain unless step is a multiple of 1024, then K and M where exact. */
export function lhistIndexLabel(n: bigint, step: bigint): string {
  if (step % 1024n !== 0n) return n.toString();
  if (n === 0n) return '0';
  if (n % (1024n * 1024n) === 0n) return `${n / (1024n * 1024n)}M`;
  if (n % 1024n === 0n) return `${n / 1024n}K`;
  return n.toString();
}

export function lhistText(h: LhistAggregate): string {
  const counts = h.buckets;
  const buckets = Number((h.max - h.min) / h.step);
  let maxIndex = -1;
  let maxValue = 0;
  counts.forEach((c, i) => {
    const v = asCInt(c);
    if (v !== 0) maxIndex = i;
    if (v > maxValue) maxValue = v;
  });
  if (maxIndex === -1) return '';
  let start = -1;
  let end = 0;
  for (let i = 0; i <= buckets + 1 && i < counts.length; i++) {
    if (counts[i]! > 0n) {
      if (start === -1) start = i;
      end = i;
    }
  }
  if (start === -1) start = 0;
  let out = '';
  for (let i = start; i <= end; i++) {
    const label =
      i === 0
        ? `(..., ${lhistIndexLabel(h.min, h.step)})`
        : i === buckets + 1
          ? `[${lhistIndexLabel(h.max, h.step)}, ...)`
          : `[${lhistIndexLabel(BigInt(i - 1) * h.step + h.min, h.step)}, ${lhistIndexLabel(BigInt(i) * h.step + h.min, h.step)})`;
    out += histRow(label, counts[i]!.toString(), barLength(counts[i]!, maxValue));
  }
  return out;
}

// ── tseries (upstream bpftrace's graph) ──────────────────────────────────────────────────

/** The epochs every series of a map is drawn over: the last numIntervals up to the newest. */
export interface EpochRange {
  readonly first: bigint;
  readonly last: bigint;
}

export function tseriesRange(entries: readonly { value: Value | AggregateValue }[]): EpochRange | undefined {
  let last: bigint | undefined;
  let num = 1;
  for (const e of entries) {
    if (e.value.kind !== 'tseries') continue;
    num = e.value.numIntervals;
    const latest = e.value.points.at(-1)?.epoch;
    if (latest !== undefined && (last === undefined || latest > last)) last = latest;
  }
  if (last === undefined) return undefined;
  return { first: last - BigInt(num) + 1n, last };
}

/** The intervals of one series within the range: from its first point to the range's end. */
export function tseriesPoints(
  ts: TseriesAggregate,
  range: EpochRange | undefined,
): { epoch: bigint; value: bigint | undefined }[] {
  if (range === undefined) return [];
  const byEpoch = new Map(ts.points.map((p) => [p.epoch, p.value]));
  const firstOwn = ts.points.find((p) => p.epoch >= range.first)?.epoch;
  if (firstOwn === undefined) return [];
  const out: { epoch: bigint; value: bigint | undefined }[] = [];
  for (let e = firstOwn; e <= range.last; e++) out.push({ epoch: e, value: byEpoch.get(e) });
  return out;
}

const GRAPH_WIDTH = 53;
const LABEL_PADDING = 21;

/** Display unit of an interval: [name, digits of the fraction, ns per unit]. */
function durationUnit(ns: bigint): [string, number, bigint] {
  if (ns >= 1_000_000_000n) return ['s', 0, 1_000_000_000n];
  if (ns >= 1_000_000n) return ['ms', 3, 1_000_000n];
  if (ns >= 1_000n) return [binaryFromUtf8('μs'), 6, 1_000n];
  return ['ns', 9, 1n];
}

export function tseriesText(ts: TseriesAggregate, range: EpochRange | undefined, zone: TimeZone): string {
  const points = tseriesPoints(ts, range);
  if (points.length === 0) return '<no data>\n';
  const present = points.filter((p) => p.value !== undefined).map((p) => p.value!);
  let min = present.reduce((a, b) => (b < a ? b : a));
  let max = present.reduce((a, b) => (b > a ? b : a));
  if (min === max) {
    // Leave room on both sides of a flat line unless at the type's limits.
    const lowest = ts.signed ? -(1n << 63n) : 0n;
    const highest = ts.signed ? (1n << 63n) - 1n : (1n << 64n) - 1n;
    if (min > lowest) min -= 1n;
    if (max < highest) max += 1n;
  }
  const startNs = (e: bigint) => e * ts.intervalNs;
  const interval =
    points.length > 1 ? (startNs(points.at(-1)!.epoch) - startNs(points[0]!.epoch)) / BigInt(points.length - 1) : 0n;
  const [unitName, digits, scale] = durationUnit(interval);
  const timeFmt = digits === 0 ? 'hh:mm:ss' : `hh:mm:ss.${unitName}`;
  const timeSize = 8 + (digits === 0 ? 0 : 1 + digits);
  const f = Math.fround;
  const scaleLine = (indent: number) =>
    ' '.repeat(indent) + min.toString().padEnd(LABEL_PADDING) + max.toString().padStart(GRAPH_WIDTH - LABEL_PADDING) + '\n';

  let out = scaleLine(timeSize + 1);
  out += timeFmt.padEnd(timeSize + 1) + '|' + '_'.repeat(GRAPH_WIDTH - 2) + '|\n';
  const zeroOffset = min < 0n && max > 0n ? Math.trunc(f(f(f(GRAPH_WIDTH) * f(Number(min))) / f(Number(min - max)))) : 0;
  for (const p of points) {
    const ns = startNs(p.epoch);
    const fraction = digits === 0 ? '' : '.' + ((ns % 1_000_000_000n) / scale).toString().padStart(digits, '0');
    out += strftime('%H:%M:%S', ns, zone) + fraction + ' ';
    const line = new Array<string>(GRAPH_WIDTH).fill(' ');
    line[0] = '|';
    line[GRAPH_WIDTH - 1] = '|';
    if (zeroOffset > 0) line[zeroOffset] = '.';
    if (p.value === undefined) {
      out += line.join('') + ' -\n';
      continue;
    }
    const offset = Math.trunc(f(f(f(GRAPH_WIDTH - 1) * f(Number(min - p.value))) / f(Number(min - max))));
    line[Math.max(0, Math.min(GRAPH_WIDTH - 1, offset))] = '*';
    out += line.join('') + ' ' + p.value.toString() + '\n';
  }
  out += ' '.repeat(timeSize) + ' v' + '_'.repeat(GRAPH_WIDTH - 2) + 'v\n';
  return out + scaleLine(timeSize + 1);
}
