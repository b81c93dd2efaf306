// The frontend's public surface: the value model, decoding from bytes, the aggregation
// layouts the compiler follows, printf/strftime formatting, and the two printers. The
// runtime imports from here; nothing in this folder reads the machine or writes to stdout.

export * from './values.js';
export * from './layouts.js';
export { decodeValue, decodeAggregate, decodeMapValue, decodeMapDump, readInt, unresolvedSymbol } from './decode.js';
export type { DecodeContext } from './decode.js';
export { encodeValue, writeValue } from './encode.js';
export { formatPrintf, formatPrintfBinary, splitFormat, cFormat, printfSpecifier, PRINTF_SPECIFIERS, DEFAULT_PRINTF_OPTIONS } from './printf.js';
export type { PrintfOptions, PrintfSpecifierRow, PrintfArgKind } from './printf.js';
export { strftime, formatTimestamp, formatTime, TIME_DEFAULT_FORMAT } from './strftime.js';
export type { TimeZone } from './strftime.js';
export { strerror } from './strerror.js';
export { textOfValue, hexFormatBuffer, inetText, macText, stackText } from './text-value.js';
export { orderEntries, applyTop, averageOf } from './sort.js';
export { TextPrinter } from './text.js';
export { JsonPrinter, jsonEscape, jsonOfValue } from './json.js';
export { printMapsAtExit, helperErrorMessage, DEFAULT_PRINTER_OPTIONS } from './printer.js';
export type { OutputPrinter, PrinterOptions, PrintMapOptions, HelperErrorInfo } from './printer.js';
export { binaryFromUtf8, utf8FromBinary, binaryFromBytes, bytesFromBinary } from './bytes.js';

import type { OutputPrinter, PrinterOptions } from './printer.js';
import { DEFAULT_PRINTER_OPTIONS as DEFAULTS } from './printer.js';
import { TextPrinter as Text } from './text.js';
import { JsonPrinter as Json } from './json.js';

/** The printer for `-f text` (default) or `-f json`. */
export function createPrinter(format: 'text' | 'json', opts: PrinterOptions = DEFAULTS): OutputPrinter {
  return format === 'json' ? new Json(opts) : new Text(opts);
}
