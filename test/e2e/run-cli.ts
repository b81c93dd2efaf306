// Runs the command line in-process with captured streams, as the end-to-end tests need it:
// stdout as a binary string (one char per byte, as bpftrace's bytes), stderr as text,
// the exit code, and a way to deliver Ctrl-C or break the pipe while it runs.

import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

export interface CliRun {
  code: number;
  /** stdout, one char per byte. */
  out: string;
  err: string;
}

export interface RunCliOptions {
  stdin?: string;
  cwd?: string;
  /** Called with a trigger for Ctrl-C once the run subscribes to it. */
  onInterruptReady?: (interrupt: () => void) => void;
  /** stdout's reader goes away after this many bytes (EPIPE). */
  breakAfter?: number;
  /** The environment the CLI sees (BPFTRACE_* config keys); empty by default. */
  env?: Record<string, string>;
}

export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  let broken = false;
  const write = (binary: string): void => {
    if (broken) return;
    out += binary;
    if (options.breakAfter !== undefined && out.length >= options.breakAfter) {
      out = out.slice(0, options.breakAfter);
      broken = true;
    }
  };
  const io: CliIo = {
    writeOut: (t) => write(Buffer.from(t, 'utf8').toString('latin1')),
    writeOutBinary: write,
    writeErr: (t) => void (err += t),
    readStdin: async () => options.stdin ?? '',
    env: options.env ?? {},
    errIsTTY: false,
    outputBroken: () => broken,
    onInterrupt(cb) {
      options.onInterruptReady?.(cb);
      return () => undefined;
    },
    cwd: () => options.cwd ?? process.cwd(),
  };
  const code = await main(argv, io);
  return { code, out, err };
}
