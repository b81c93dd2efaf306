// One run of bpftrace-ts's main() with captured streams, and the verdict every hardening
// run is held to: exit 0, or exit 1 with an `ERROR:` line (located `file:line:col: ERROR:`
// or run-level `ERROR:`) on stderr. Never a thrown exception, another exit code, a
// JavaScript stack trace, a message with `undefined` in it, or a run past its time bound.
// Not: deciding what a program should print (the golden suites do that).

import type { CliIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';

export interface CliRun {
  /** main()'s exit code; undefined when main threw. */
  readonly code: number | undefined;
  readonly out: string;
  readonly err: string;
  /** What main threw (it never should). */
  readonly thrown?: unknown;
  /** Wall time of the call, milliseconds. */
  readonly ms: number;
}

export interface CliInput {
  /** Text (or raw bytes, decoded as the process decodes stdin) for `-`. */
  readonly stdin?: string | Uint8Array;
}

/** Runs main(argv) in this process with captured output. */
export async function runCli(argv: readonly string[], input: CliInput = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: CliIo = {
    writeOut: (t) => void (out += t),
    writeErr: (t) => void (err += t),
    // Same decoding as processIo: bytes → UTF-8 with U+FFFD for what is not UTF-8.
    readStdin: async () => (typeof input.stdin === 'string' ? input.stdin : Buffer.from(input.stdin ?? []).toString('utf8')),
    env: {},
    errIsTTY: false,
  };
  const start = performance.now();
  try {
    const code = await main([...argv], io);
    return { code, out, err, ms: performance.now() - start };
  } catch (thrown) {
    return { code: undefined, out, err, thrown, ms: performance.now() - start };
  }
}

/** How a run ended, when it ended acceptably: 'program-exit' is the code of the program's own exit(N). */
export type Ending = 'exit-0' | 'error' | 'program-exit' | 'usage';

export type Verdict = { readonly ok: true; readonly ending: Ending } | { readonly ok: false; readonly reason: string };

/** A frame of a V8 stack trace: `    at f (file:///…/x.ts:3:9)`, `    at node:internal/…:1:2`. */
const STACK_FRAME = /^\s+at (?:.* \()?(?:file:\/\/|node:|\/|[A-Za-z]:\\)[^\n]*:\d+:\d+\)?$/m;
/** The first line of a thrown error as Node prints it: `TypeError: …`, `RangeError [ERR_X]: …`. */
const JS_ERROR_HEAD = /^(?:Uncaught )?[A-Z][A-Za-z]*Error(?: \[[A-Z_0-9]+\])?: /m;
/** bpftrace's error line, located (`stdin:1:5-9: `, `f.bt:2-4: `, `f.bt:3: `) or not. */
const ERROR_LINE = /^(?:[^\n]*?:\d+(?::\d+)?(?:-\d+)?: )?ERROR: \S/m;
/** Messages a diagnostic must never carry (a value that was never filled in). */
const UNFILLED = /\bundefined\b(?! behavior)|\[object \w+\]|\bNaN\b/;

export interface JudgeOptions {
  /** Longest acceptable run, ms. */
  readonly maxMs: number;
  /** The program text, so words it contains itself are not taken for unfilled values. */
  readonly programText?: string;
}

/** getopt's complaint in glibc's words, followed by the usage text. */
const GETOPT_REFUSAL = /^bpftrace-ts: (?:unrecognized option|invalid option|option (?:requires an argument|'--[^']+' (?:requires an argument|doesn't allow an argument))).*\nUSAGE:\n/;

/** The verdict on one run. */
export function judge(run: CliRun, opts: JudgeOptions): Verdict {
  if (run.thrown !== undefined) return { ok: false, reason: `main() threw: ${describeThrown(run.thrown)}` };
  for (const [name, text] of [['stderr', run.err], ['stdout', run.out]] as const) {
    if (STACK_FRAME.test(text)) return { ok: false, reason: `a stack trace on ${name}: ${firstMatchLine(text, STACK_FRAME)}` };
  }
  if (JS_ERROR_HEAD.test(run.err)) return { ok: false, reason: `a JavaScript error on stderr: ${firstMatchLine(run.err, JS_ERROR_HEAD)}` };
  if (run.ms > opts.maxMs) return { ok: false, reason: `took ${Math.round(run.ms)} ms (bound ${opts.maxMs} ms)` };
  // The CLI's last resort for impossible states (a verifier rejecting compiled code, a fault):
  // a bug, even though it is a tidy ERROR: line.
  if (/^ERROR: internal error: /m.test(run.err)) return { ok: false, reason: `an internal error: ${firstMatchLine(run.err, /^ERROR: internal error: /)}` };
  for (const line of run.err.split('\n')) {
    const at = line.search(/(?:ERROR|WARNING|HINT): /);
    if (at < 0) continue;
    const message = line.slice(at);
    const word = UNFILLED.exec(message)?.[0];
    if (word !== undefined && !(opts.programText ?? '').includes(word)) return { ok: false, reason: `a message with '${word}' in it: ${clip(line)}` };
  }
  if (run.code === 0) return { ok: true, ending: 'exit-0' };
  // An option getopt refuses (a parameter such as -5 after the program is one, as in
  // bpftrace): glibc's one line, then the usage text, exit 1.
  if (GETOPT_REFUSAL.test(run.err)) return run.code === 1 ? { ok: true, ending: 'usage' } : { ok: false, reason: `exit code ${String(run.code)} after a refused option` };
  if (ERROR_LINE.test(run.err)) return run.code === 1 ? { ok: true, ending: 'error' } : { ok: false, reason: `exit code ${String(run.code)} with an ERROR: line` };
  // exit(N) ends a run with N (bpftrace's exit code), and no error to show.
  const asked = /\bexit\s*\(/.test(opts.programText ?? '');
  if (asked && Number.isInteger(run.code) && run.code! > 0 && run.code! < 256) return { ok: true, ending: 'program-exit' };
  return { ok: false, reason: `exit code ${String(run.code)} without an ERROR: line; stderr: ${clip(run.err)}` };
}

function describeThrown(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}`;
  return String(e);
}

function firstMatchLine(text: string, re: RegExp): string {
  return clip(text.split('\n').find((l) => re.test(l)) ?? '');
}

/** A long line shortened for a report. */
export function clip(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}
