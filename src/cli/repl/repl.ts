// The interactive REPL (`bpftrace-ts -i`, or no program on a terminal): reads entries line by
// line — an entry continues while braces or parentheses are open — and hands them to a
// Session over a live synthetic world; lines starting with '.' are dot-commands
// (commands.ts). On a terminal: prompts, line editing, history kept in a file, Tab completion
// and Ctrl-C (stops a running .run, clears the line at the prompt); piped: no prompts, one
// entry after another. Errors are rendered inside the typed text and never end the REPL;
// Ctrl-D, .exit or the end of input end the run (END, maps) and leave.

import { createInterface, type Interface } from 'node:readline';
import { InternalError, type Diagnostic, type Message } from '../../diag/diagnostic.js';
import { replMessages, runMessages } from '../../diag/messages.js';
import { renderDiagnostics } from '../../diag/render.js';
import { Session, type AdvanceOutcome } from '../../runtime/session.js';
import { entryIncomplete, openBrackets } from '../../runtime/session-program.js';
import { workloadNames } from '../../world/workload-files.js';
import type { CommandLine } from '../options.js';
import { COMMANDS, commandNamed, runCommand, type ReplContext } from './commands.js';
import { complete } from './completion.js';
import { HISTORY_SIZE, historyFile, readHistory, writeHistory } from './history.js';
import { makeTheme } from './theme.js';

/** The streams a REPL reads and writes. */
export interface ReplStreams {
  readonly input: NodeJS.ReadableStream;
  /** Prompts, echo and program output (stdout). */
  readonly output: NodeJS.WritableStream;
  /** Notes and diagnostics (stderr). */
  writeErr(text: string): void;
  /** The input is a terminal: prompts, line editing, Tab completion, history. */
  readonly terminal: boolean;
  /** Colour the prompt, notes, diagnostics and histogram bars. */
  readonly colour: boolean;
  /** Ctrl-C as a signal (the input is not a terminal, so readline does not see it). */
  onInterrupt?(cb: () => void): () => void;
}

export interface ReplOptions {
  readonly streams: ReplStreams;
  /** World, output format, -q, --unsafe and parameters, as for a run. */
  readonly commandLine: CommandLine;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly version: string;
  /** A program given with -e or as a file: the first entry. */
  readonly first?: { readonly name: string; readonly text: string };
}

function plain(m: Message): Diagnostic {
  return { severity: 'error', id: m.id, message: m.text, hints: m.hints ?? [] };
}

/** readline keeps the line being edited in these (public in JavaScript, absent from the types). */
interface EditedLine {
  line: string;
  cursor: number;
}

export async function runRepl(opts: ReplOptions): Promise<number> {
  const { streams, commandLine: cmd } = opts;
  const theme = makeTheme(streams.colour);
  const report = (ds: readonly Diagnostic[]): void => {
    if (ds.length > 0) streams.writeErr(renderDiagnostics(ds, { color: streams.colour }));
  };
  const opened = await Session.open(
    {
      ...cmd.world,
      format: cmd.format,
      quiet: cmd.quiet,
      unsafe: cmd.unsafe,
      cwd: opts.cwd,
      positional: cmd.positional,
      named: cmd.named,
      decoratePrinter: (p) => theme.decoratePrinter(p),
    },
    {
      out: (binary) => void streams.output.write(Buffer.from(binary, 'latin1')),
      err: (text) => streams.writeErr(text),
      pause: () => new Promise((resolve) => setImmediate(resolve)),
    },
  );
  if (!(opened instanceof Session)) {
    report([plain(opened.message)]);
    return 1;
  }
  const session = opened;
  let running = false;
  /** Lines of the entry typed so far. */
  let buffer = '';

  const note = (m: Message): void => streams.writeErr(theme.note(m.text) + '\n');
  const guarded = async <T>(step: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await step();
    } catch (e) {
      // A state the session holds impossible (a bug): one line, and the REPL goes on.
      if (!(e instanceof InternalError)) throw e;
      streams.writeErr(`ERROR: ${runMessages.internalError(e.message).text}\n${e.detail ? e.detail.replace(/\n?$/, '\n') : ''}`);
      return undefined;
    }
  };
  const ctx: ReplContext = {
    session,
    cwd: opts.cwd,
    out: (text) => void streams.output.write(text),
    outBinary: (binary) => void streams.output.write(Buffer.from(binary, 'latin1')),
    note,
    report,
    problem: (m) => report([plain(m)]),
    async advance(ns): Promise<AdvanceOutcome> {
      running = true;
      try {
        return await session.advance(ns);
      } finally {
        running = false;
      }
    },
  };
  const submit = (text: string, name?: string): void => {
    const r = session.submit(text, name);
    report(r.diagnostics);
    if (r.ended) note(replMessages.runEnded());
  };

  const file = streams.terminal ? historyFile(opts.env) : undefined;
  const rl: Interface = createInterface({
    input: streams.input,
    output: streams.output,
    terminal: streams.terminal,
    completer: (line: string): [string[], string] =>
      complete(line, {
        continuing: buffer !== '',
        mapNames: () => session.mapNames(),
        commands: COMMANDS,
        cwd: opts.cwd,
        workloads: () => workloadNames(),
      }),
    history: readHistory(file),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    tabSize: 4,
  });
  rl.on('history', (h: string[]) => writeHistory(file, h));

  // ── input: lines queue up while an entry or a .run is being handled ──
  const queue: string[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  rl.on('line', (line) => {
    queue.push(line);
    wake?.();
  });
  rl.on('close', () => {
    closed = true;
    wake?.();
  });
  const nextLine = async (): Promise<string | undefined> => {
    while (queue.length === 0 && !closed) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    return queue.shift();
  };
  const prompt = (): void => {
    rl.setPrompt(buffer === '' ? theme.prompt : theme.continuation);
    rl.prompt();
  };
  const interrupt = (): void => {
    if (running) {
      session.interrupt();
      return;
    }
    if (!streams.terminal) {
      rl.close();
      return;
    }
    // At the prompt: the line (and any unfinished entry) is dropped, as a shell drops it.
    const edited = rl as unknown as EditedLine;
    const hadText = buffer !== '' || edited.line !== '';
    streams.output.write('^C\n');
    edited.line = '';
    edited.cursor = 0;
    buffer = '';
    if (!hadText) note(replMessages.leaveHint());
    prompt();
  };
  rl.on('SIGINT', interrupt);
  const stopSignals = streams.terminal ? undefined : streams.onInterrupt?.(interrupt);

  try {
    if (streams.terminal) note(replMessages.welcome(opts.version, replMessages.world(session.seed, session.cpus, session.workload).text));
    if (opts.first) await guarded(() => submit(opts.first!.text, opts.first!.name));
    let leaving = false;
    while (!leaving) {
      if (streams.terminal) prompt();
      const line = await nextLine();
      if (line === undefined) {
        // End of input: an unfinished entry is still entered (its error shows), then the REPL ends.
        if (buffer.trim() !== '') await guarded(() => submit(buffer));
        buffer = '';
        if (streams.terminal) streams.output.write('\n');
        break;
      }
      if (buffer === '') {
        const trimmed = line.trim();
        if (trimmed === '') continue;
        if (trimmed.startsWith('.')) {
          const [name = '', ...rest] = trimmed.split(/\s+/);
          const command = commandNamed(name);
          if (!command) report([plain(replMessages.unknownCommand(name))]);
          else leaving = (await guarded(() => runCommand(command, ctx, rest.join(' ')))) === 'leave';
          continue;
        }
      }
      buffer = buffer === '' ? line : `${buffer}\n${line}`;
      // Open brackets always continue; a probe written without its block yet continues until an empty line.
      if (openBrackets(buffer) > 0 || (line.trim() !== '' && entryIncomplete(buffer, session.entryOptions))) continue;
      // Blank lines that ended the entry are not part of it.
      const text = buffer.replace(/\s+$/, '');
      buffer = '';
      await guarded(() => submit(text));
    }
    await guarded(() => session.endRun());
    return 0;
  } finally {
    stopSignals?.();
    rl.close();
    if (file) writeHistory(file, (rl as unknown as { history: string[] }).history);
  }
}
