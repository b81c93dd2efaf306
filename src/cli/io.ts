// The process as main() sees it: two output streams, stdin, the environment and whether
// stderr is a terminal. Tests pass an in-memory CliIo; bin/bpftrace-ts.js the real one.
// Nothing here formats messages.

export interface CliIo {
  writeOut(text: string): void;
  writeErr(text: string): void;
  readStdin(): Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** stderr is a terminal (diagnostics may be coloured). */
  readonly errIsTTY: boolean;
}

export const processIo: CliIo = {
  writeOut: (text) => void process.stdout.write(text),
  writeErr: (text) => void process.stderr.write(text),
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  env: process.env,
  errIsTTY: Boolean(process.stderr.isTTY),
};
