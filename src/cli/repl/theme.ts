// How the REPL looks: its prompts and the colours of its notes and of histogram bars, on a
// terminal without NO_COLOR; plain text otherwise. In: whether to colour. Out: strings and
// a printer decorator. Not the diagnostics' colours (src/diag/render.ts owns those).

import { Chalk, type ChalkInstance } from 'chalk';
import type { MapDump } from '../../runtime/output/values.js';
import type { OutputPrinter, PrintMapOptions } from '../../runtime/output/printer.js';

/** The prompt, and the one shown while an entry continues (same width, so code lines up). */
export const PROMPT = 'bpftrace> ';
export const CONTINUATION = '      ... ';

/** A histogram row: label and count, then the bar between pipes (src/runtime/output/text.ts histRow). */
const HIST_ROW = /^([^|\n]* \|)(@*)( *\|)$/gm;

export interface Theme {
  readonly colour: boolean;
  readonly prompt: string;
  readonly continuation: string;
  /** A note from the REPL itself (run summaries, hints). */
  note(text: string): string;
  /** Colours the bars of hist/lhist maps a printer prints. */
  decoratePrinter(printer: OutputPrinter): OutputPrinter;
}

/** Colour is for terminals: `colour` is false when NO_COLOR is set or output is not a TTY. */
export function makeTheme(colour: boolean): Theme {
  const c: ChalkInstance = new Chalk({ level: colour ? 1 : 0 });
  return {
    colour,
    prompt: c.bold.cyan(PROMPT),
    continuation: c.cyan(CONTINUATION),
    note: (text) => c.dim(text),
    decoratePrinter(printer) {
      if (!colour || printer.format !== 'text') return printer;
      const bars = (text: string): string => text.replace(HIST_ROW, (_m, head: string, bar: string, tail: string) => head + c.green(bar) + tail);
      // A Proxy keeps every other method of the printer as it is (printers are stateless).
      return new Proxy(printer, {
        get(target, prop, receiver) {
          if (prop !== 'map') return Reflect.get(target, prop, receiver) as unknown;
          return (dump: MapDump, opts?: PrintMapOptions) => {
            const text = target.map(dump, opts);
            return dump.valueType.kind === 'hist' || dump.valueType.kind === 'lhist' ? bars(text) : text;
          };
        },
      });
    },
  };
}
