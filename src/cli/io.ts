// The process as main() sees it: two output streams, stdin, the environment, whether
// stderr is a terminal, Ctrl-C and the working directory. Tests pass an in-memory CliIo;
// bin/bpftrace-ts.js the real one. Nothing here formats messages.

import type { ReplStreams } from './repl/repl.js';

export interface CliIo {
  writeOut(text: string): void;
  writeErr(text: string): void;
  readStdin(): Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** stderr is a terminal (diagnostics may be coloured). */
  readonly errIsTTY: boolean;
  /**
   * Program output to stdout as a binary string (one char per byte, as the printers make
   * it). Without it, writeOut receives the binary string (in-memory tests compare those).
   */
  writeOutBinary?(binary: string): void;
  /** True once stdout's reader went away (EPIPE, as in `| head`): a run then ends quietly. */
  outputBroken?(): boolean;
  /** The errno code of a write to stdout that failed otherwise (ENOSPC, EIO…): the run ends and says so. */
  outputError?(): string | undefined;
  /** Calls cb on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt?(cb: () => void): () => void;
  /** The working directory (relative cat() paths). */
  cwd?(): string;
  /** stdin is a terminal (with no program given, that means the REPL). */
  readonly stdinIsTTY?: boolean;
  /** The streams of an interactive session (the REPL); absent where there are none. */
  interactive?(): ReplStreams;
}

/** Set when a write to stdout failed; later writes are dropped. */
let stdoutBroken = false;
/** Why, when it was not EPIPE. */
let stdoutError: string | undefined;
let watching = false;

/**
 * Node reports a closed pipe as an 'error' event on stdout (SIGPIPE is ignored), and so a
 * full disk or an I/O error behind a redirection: note it once, never throw.
 */
function watchStdout(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') stdoutError ??= e.code ?? e.message;
    stdoutBroken = true;
  });
}

function writeStdout(chunk: string | Buffer): void {
  watchStdout();
  if (!stdoutBroken) process.stdout.write(chunk);
}

export const processIo: CliIo = {
  writeOut: (text) => writeStdout(text),
  writeErr: (text) => void process.stderr.write(text),
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  env: process.env,
  errIsTTY: Boolean(process.stderr.isTTY),
  writeOutBinary: (binary) => writeStdout(Buffer.from(binary, 'latin1')),
  outputBroken: () => stdoutBroken,
  outputError: () => stdoutError,
  onInterrupt(cb) {
    const handler = (): void => cb();
    process.on('SIGINT', handler);
    return () => void process.off('SIGINT', handler);
  },
  cwd: () => process.cwd(),
  stdinIsTTY: Boolean(process.stdin.isTTY),
  interactive: () => ({
    input: process.stdin,
    output: process.stdout,
    writeErr: (text) => void process.stderr.write(text),
    // readline edits lines only when it both reads and draws on a terminal.
    terminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    colour: Boolean(process.stdout.isTTY) && process.env['NO_COLOR'] === undefined,
    onInterrupt: (cb) => processIo.onInterrupt!(cb),
  }),
};
