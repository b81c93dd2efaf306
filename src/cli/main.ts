// bpftrace-ts's command line: argv → what to do → exit code. It reads the command line
// (options.ts), lists probes (-l), or loads the program and runs the pipeline
// (src/pipeline.ts), printing dumps to the output and diagnostics to stderr. Running a
// checked program (engines, the synthetic world) is a later step: `runChecked` is where it
// goes. User mistakes end as messages and exit code 1, never as stack traces.

import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import type { Diagnostic, Message } from '../diag/diagnostic.js';
import { runMessages } from '../diag/messages.js';
import { DUMP_POINTS, runPipeline, type PipelineInput, type Products } from '../pipeline.js';
import { processIo, type CliIo } from './io.js';
import { parseCommandLine, type CommandLine } from './options.js';
import { loadProgram } from './program-source.js';

/** Where program output (dumps, listings, later the program's own output) goes. */
interface Output {
  write(text: string): void;
  close(): Promise<void>;
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const decided = parseCommandLine(argv, DUMP_POINTS);
  switch (decided.kind) {
    case 'help': {
      const { helpText } = await import('./usage.js');
      io.writeOut(await helpText(DUMP_POINTS));
      return 0;
    }
    case 'version':
      io.writeOut(`bpftrace-ts v${packageVersion()}\n`);
      return 0;
    case 'error': {
      let problem = decided.message;
      if (decided.useYargs) {
        const { commandLineProblem } = await import('./usage.js');
        problem = await commandLineProblem(argv, DUMP_POINTS);
      }
      await printDiagnostics(io, [plain(runMessages.commandLine(problem))]);
      return 1;
    }
    case 'run':
      return run(decided.commandLine, io);
  }
}

async function run(cmd: CommandLine, io: CliIo): Promise<number> {
  const output = openOutput(cmd.outputFile, io);
  try {
    if (cmd.list && !cmd.program) return await listing(cmd.listPattern, cmd.verbose, output);
    const loaded = await loadProgram(cmd.program!, io);
    if (!loaded.ok) {
      await printDiagnostics(io, [plain(loaded.message)]);
      return 1;
    }
    const input: PipelineInput = {
      source: loaded.source,
      positional: cmd.positional,
      named: cmd.named,
      unsafe: cmd.unsafe,
    };
    const outcome = runPipeline(input, { dumps: cmd.dumps });
    // Several dumps are headed by their names and separated by a blank line.
    outcome.dumps.forEach((d, i) => output.write(cmd.dumps.length > 1 ? `${i > 0 ? '\n' : ''}${d.point}:\n${d.text}` : d.text));
    if (outcome.diagnostics.length > 0) await printDiagnostics(io, outcome.diagnostics);
    if (!outcome.ok) return 1;
    if (cmd.list) return await listProgramProbes(outcome.products, cmd.verbose, output);
    if (cmd.dryRun) return 0;
    return await runChecked(outcome.products, cmd, io);
  } finally {
    await output.close();
  }
}

/**
 * Runs a program that went through every stage. The runtime (loader, engines, synthetic
 * world) is not part of this build yet, so this says so plainly and fails.
 */
async function runChecked(_products: Products, _cmd: CommandLine, io: CliIo): Promise<number> {
  await printDiagnostics(io, [plain(runMessages.cannotRunYet())]);
  return 1;
}

/** `-l [pattern]`. */
async function listing(pattern: string | undefined, verbose: boolean, output: Output): Promise<number> {
  const { listProbes } = await import('../probes/list.js');
  output.write(listProbes(pattern, verbose));
  return 0;
}

/** `-l -e 'program'`: the probes each attach point of the program matches. */
async function listProgramProbes(products: Products, verbose: boolean, output: Output): Promise<number> {
  const { listProbes } = await import('../probes/list.js');
  for (const item of products.program?.items ?? []) {
    if (item.kind !== 'Probe') continue;
    for (const ap of item.attachPoints) output.write(listProbes(ap.raw, verbose));
  }
  return 0;
}

function plain(m: Message): Diagnostic {
  return { severity: 'error', id: m.id, message: m.text, hints: m.hints ?? [] };
}

async function printDiagnostics(io: CliIo, diagnostics: readonly Diagnostic[]): Promise<void> {
  // render.ts brings chalk; only programs with something to report pay for loading it.
  const { renderDiagnostics } = await import('../diag/render.js');
  const color = io.errIsTTY && io.env['NO_COLOR'] === undefined;
  io.writeErr(renderDiagnostics(diagnostics, { color }));
}

function openOutput(file: string | undefined, io: CliIo): Output {
  if (file === undefined) return { write: (t) => io.writeOut(t), close: async () => {} };
  let stream: WriteStream | undefined;
  return {
    write(text) {
      stream ??= createWriteStream(file);
      stream.write(text);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!stream) return resolve();
        stream.end(resolve);
      }),
  };
}

function packageVersion(): string {
  // src/cli and dist/cli both sit two levels below package.json.
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
