// The surface both printers (text.ts, json.ts) offer the runtime: one method per kind of
// output bpftrace produces, each returning the binary string to write to stdout (0.23 writes
// all of these to stdout, warnings included). Also the options they share and the helper
// error messages. The runtime decides when to call what; printers hold no state.

import { runMessages } from '../../diag/messages.js';
import type { PrintfOptions } from './printf.js';
import { DEFAULT_PRINTF_OPTIONS } from './printf.js';
import { strerror } from './strerror.js';
import type { MapDump, Value } from './values.js';

export type PrinterOptions = PrintfOptions;
export const DEFAULT_PRINTER_OPTIONS: PrinterOptions = DEFAULT_PRINTF_OPTIONS;

/** print(@m, top, div): 0 means "all" and "no division", as in bpftrace. */
export interface PrintMapOptions {
  readonly top?: number;
  readonly div?: number;
}

/** A helper call that failed in a probe, as bpftrace's runtime reports it. */
export interface HelperErrorInfo {
  /** Linux helper id (2 = map_update_elem, 3 = map_delete_elem, 1 = map_lookup_elem). */
  readonly helperId: number;
  /** libbpf's name of the helper: 'map_update_elem'. */
  readonly helperName: string;
  /** The helper's negative errno. */
  readonly retcode: number;
  /** Rendered location of the call: `file.bt:7:3-12` (src/diag/render formatLocation). */
  readonly location: string;
  /** The source line and its `~~~` underline (src/diag/render sourceContext). */
  readonly sourceContext: readonly string[];
  readonly line: number;
  readonly column: number;
}

export interface OutputPrinter {
  readonly format: 'text' | 'json';
  /** `Attaching N probes...` (omitted by the caller under -q). */
  attachedProbes(count: number): string;
  /** printf() output, already formatted by formatPrintf. */
  printf(text: string): string;
  /** print() of a value that is not a map. */
  value(v: Value): string;
  /** print(@m[, top[, div]]) mid-run, and each map at exit. */
  map(dump: MapDump, opts?: PrintMapOptions): string;
  /** time(): the formatted text (strftime.ts formatTime). */
  time(text: string): string;
  /** cat(): the file's bytes. */
  cat(text: string): string;
  /** join(): the joined arguments. */
  join(text: string): string;
  /** system(): the command's output. */
  system(text: string): string;
  lostEvents(count: number): string;
  helperError(info: HelperErrorInfo): string;
  /** What bpftrace prints when the run ends, before the maps: two newlines, in both formats. */
  exitBanner(): string;
}

/** The banner, then every map in name order (bpftrace keeps maps in a std::map by name). */
export function printMapsAtExit(printer: OutputPrinter, dumps: readonly MapDump[]): string {
  const sorted = [...dumps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return printer.exitBanner() + sorted.map((d) => printer.map(d)).join('');
}

const BPF_FUNC_MAP_LOOKUP_ELEM = 1;
const BPF_FUNC_MAP_UPDATE_ELEM = 2;
const BPF_FUNC_MAP_DELETE_ELEM = 3;
const E2BIG = 7;
const ENOENT = 2;

/** bpftrace's words for a failed helper: map full, missing key, or strerror. */
export function helperErrorMessage(helperId: number, retcode: number): string {
  if (helperId === BPF_FUNC_MAP_UPDATE_ELEM && retcode === -E2BIG) return runMessages.helperMapFull().text;
  if (helperId === BPF_FUNC_MAP_DELETE_ELEM && retcode === -ENOENT) return runMessages.helperDeleteMissing().text;
  // bpftrace reports lookups with retcode 0, so only the helper decides.
  if (helperId === BPF_FUNC_MAP_LOOKUP_ELEM) return runMessages.helperLookupMissing().text;
  return strerror(-retcode);
}
