// bpftrace-ts's command line: argv → what to do → exit code. It reads the command line
// (options.ts), lists probes (-l), or loads the program and runs the pipeline
// (src/pipeline.ts), printing dumps to the output and diagnostics to stderr, then runs the
// compiled program against the synthetic world (src/runtime/run.ts) in `runChecked`.
// User mistakes end as messages and exit code 1, never as stack traces.

import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { InternalError, type Diagnostic, type Message } from '../diag/diagnostic.js';
import { runMessages } from '../diag/messages.js';
import { DUMP_POINTS, runPipeline, type PipelineInput, type Products } from '../pipeline.js';
import type { World } from '../world/world.js';
import { processIo, type CliIo } from './io.js';
import { parseCommandLine, type CommandLine } from './options.js';
import { ERRNO_TEXT, loadProgram } from './program-source.js';

/** Where program output (dumps, listings, the program's own output) goes: stdout or the -o file. */
interface Output {
  /** Text (UTF-8 on the way out). */
  write(text: string): void;
  /** A binary string from the printers (one char per byte). */
  writeBinary(binary: string): void;
  /** Writes what is buffered. */
  flush(): void;
  close(): Promise<void>;
  /** The errno code of a write that failed (later writes are dropped), except a closed pipe. */
  failure(): string | undefined;
}

/** Output is buffered up to this many characters between flushes. */
const OUTPUT_BUFFER = 1 << 16;

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const decided = parseCommandLine(argv, DUMP_POINTS, { stdinIsTTY: io.stdinIsTTY ?? false });
  switch (decided.kind) {
    case 'help': {
      const { helpText } = await import('./usage.js');
      io.writeOut(helpText(DUMP_POINTS));
      return 0;
    }
    case 'usage': {
      // As bpftrace: getopt's complaint and the usage text on stderr, exit 1.
      const { refusedOptionText } = await import('./usage.js');
      io.writeErr(refusedOptionText(decided.problem, DUMP_POINTS));
      return 1;
    }
    case 'version':
      io.writeOut(`bpftrace-ts v${packageVersion()}\n`);
      return 0;
    case 'error': {
      const message = runMessages.commandLine(decided.message);
      await printDiagnostics(io, [plain(decided.hint === false ? { ...message, hints: [] } : message)]);
      return 1;
    }
    case 'run':
      return decided.commandLine.interactive ? repl(decided.commandLine, io) : run(decided.commandLine, io);
  }
}

async function run(cmd: CommandLine, io: CliIo): Promise<number> {
  const output = openOutput(cmd.outputFile, io);
  if ('message' in output) {
    await printDiagnostics(io, [plain(output.message)]);
    return 1;
  }
  let code: number;
  try {
    code = await runWith(cmd, io, output);
  } catch (e) {
    // A stage met a state it holds impossible (a bug): one line, as runChecked reports a run's.
    if (!(e instanceof InternalError)) throw e;
    output.flush();
    io.writeErr(`ERROR: ${runMessages.internalError(e.message).text}\n${e.detail ? e.detail.replace(/\n?$/, '\n') : ''}`);
    code = 1;
  } finally {
    await output.close();
  }
  // A full disk or an I/O error under the output ended the run: say so, once, at the end
  // (after a turn of the event loop: stdout reports a failed write as a later 'error' event).
  await new Promise((resolve) => setImmediate(resolve));
  const failed = output.failure();
  if (failed === undefined) return code;
  await printDiagnostics(io, [plain(runMessages.outputWriteFailed(cmd.outputFile ?? 'stdout', ERRNO_TEXT[failed] ?? failed))]);
  return 1;
}

async function runWith(cmd: CommandLine, io: CliIo, output: Output): Promise<number> {
  // As bpftrace: `-l ARG` lists the probes of the program in ARG when ARG is an existing file.
  if (cmd.list && !cmd.program && cmd.listPattern !== undefined && existsSync(cmd.listPattern)) {
    cmd = { ...cmd, program: { kind: 'file', path: cmd.listPattern } };
  }
  if (cmd.list && !cmd.program) return await listing(cmd.listPattern, cmd.verbose, output);
  const loaded = await loadProgram(cmd.program!, io);
  if (!loaded.ok) {
    await printDiagnostics(io, [plain(loaded.message)]);
    return 1;
  }
  // kaddr() is resolved while compiling, against the world the program will run in; the
  // world module is loaded ahead only for programs that may call it (it costs start-up time).
  if (/\bkaddr\b/.test(loaded.source.text)) await preloadWorldBuilder();
  const worlds = worldSource(cmd);
  const input: PipelineInput = {
    source: loaded.source,
    positional: cmd.positional,
    named: cmd.named,
    unsafe: cmd.unsafe,
    ...(cmd.runtimeWarnings ? { runtimeWarnings: true } : {}),
    ...(cmd.noWarnings ? { noWarnings: true } : {}),
    ncpus: cmd.world.cpus,
    kernelSymbol: (name) => worlds.get()?.kernelSymbolAddress(name),
    // bpftrace reads every config key from BPFTRACE_<KEY> too; the checker ignores names that are no key.
    config: Object.fromEntries(Object.entries(io.env).filter((e): e is [string, string] => e[0].startsWith('BPFTRACE_') && e[1] !== undefined)),
  };
  // Listing and --dry-run stop after checking unless a later stage's dump is asked for.
  const checkOnly = (cmd.list || cmd.dryRun) && !cmd.dumps.includes('bpf') && cmd.emitElf === undefined;
  const outcome = runPipeline(input, { dumps: cmd.dumps, ...(checkOnly ? { until: 'check' } : {}) });
  // Several dumps are headed by their names and separated by a blank line.
  outcome.dumps.forEach((d, i) => output.write(cmd.dumps.length > 1 ? `${i > 0 ? '\n' : ''}${d.point}:\n${d.text}` : d.text));
  const shown = cmd.noWarnings ? outcome.diagnostics.filter((d) => d.severity !== 'warning') : outcome.diagnostics;
  if (shown.length > 0) await printDiagnostics(io, shown);
  if (!outcome.ok) return 1;
  if (cmd.list) return await listProgramProbes(outcome.products, cmd.verbose, output);
  if (cmd.emitElf !== undefined) return await writeElfFile(cmd.emitElf, outcome.products, io);
  if (cmd.dryRun) return 0;
  // As bpftrace, a program with nothing to attach does not run (an empty script, empty or
  // closed stdin), nor one attaching more probes than config max_probes allows.
  if (outcome.products.compiled?.programs.length === 0) {
    await printDiagnostics(io, [plain(runMessages.noProbes())]);
    return 1;
  }
  const checked = outcome.products.checked;
  if (checked) {
    const { countAttachedProbes } = await import('../runtime/probe-count.js');
    const n = countAttachedProbes(checked);
    // Attach points can all expand to nothing (a wildcard raw tracepoint matching none).
    if (n === 0) {
      // bpftrace 0.23 says so on stdout (unless -q), without ERROR.
      if (!cmd.quiet) output.write(`${runMessages.noProbes().text}\n`);
      output.flush();
      return 1;
    }
    if (n > checked.config.max_probes) {
      await printDiagnostics(io, [plain(runMessages.tooManyProbes(n, checked.config.max_probes))]);
      return 1;
    }
  }
  return await runChecked(outcome.products, cmd, io, output, worlds.built());
}

/**
 * The world a run uses, built early only when compiling needs it (kaddr() resolves kernel
 * symbols of the machine the program will run on); the run then uses that same world.
 */
function worldSource(cmd: CommandLine): { get(): World | undefined; built(): World | undefined } {
  let world: World | undefined;
  let failed = false;
  return {
    get() {
      if (world || failed) return world;
      // Synchronous on purpose: compileProgram asks in the middle of a stage.
      const made = buildWorldSync(cmd);
      if (made === undefined) failed = true;
      world = made;
      return world;
    },
    built: () => world,
  };
}

/** Runs a program that went through every stage against the synthetic world. */
async function runChecked(products: Products, cmd: CommandLine, io: CliIo, output: Output, world: World | undefined): Promise<number> {
  const { runProgram } = await import('../runtime/run.js');
  const checked = products.checked;
  const compiled = products.compiled;
  if (!checked || !compiled) throw new InternalError('runChecked without a compiled program');
  const startNs = process.hrtime.bigint();
  try {
    const outcome = await runProgram(
      checked,
      compiled,
      {
        ...cmd.world,
        format: cmd.format,
        quiet: cmd.quiet,
        verbose: cmd.verbose,
        cwd: io.cwd?.() ?? process.cwd(),
        ...(world ? { world } : {}),
      },
      {
        out: (t) => output.writeBinary(t),
        stdout: (t) => {
          if (cmd.outputFile === undefined) output.writeBinary(t);
          else (io.writeOutBinary ?? io.writeOut)(t);
        },
        err: (t) => {
          output.flush();
          io.writeErr(t);
        },
        flush: () => output.flush(),
        broken: () => (io.outputBroken?.() ?? false) || output.failure() !== undefined,
        onInterrupt: (cb) => io.onInterrupt?.(cb) ?? (() => undefined),
        wallNs: () => Number(process.hrtime.bigint() - startNs),
        pause: (ms) => new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve))),
      },
    );
    output.flush();
    if (!outcome.ok) {
      await printDiagnostics(io, [plain(outcome.message)]);
      return outcome.exitCode ?? 1;
    }
    return outcome.exitCode;
  } catch (e) {
    if (!(e instanceof InternalError)) throw e;
    output.flush();
    io.writeErr(`ERROR: ${runMessages.internalError(e.message).text}\n${e.detail ? e.detail.replace(/\n?$/, '\n') : ''}`);
    return 1;
  }
}

/** `--emit-elf FILE`: the compiled programs as an ELF object, instead of a run (bpftrace's dry run). */
async function writeElfFile(file: string, products: Products, io: CliIo): Promise<number> {
  const { emitElf } = await import('../compile/elf.js');
  const { checked, compiled } = products;
  if (!checked || !compiled) throw new InternalError('--emit-elf without a compiled program');
  try {
    writeFileSync(file, emitElf(compiled, checked.config.license));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    await printDiagnostics(io, [plain(runMessages.elfWriteFailed(file, ERRNO_TEXT[code] ?? (e instanceof Error ? e.message : String(e))))]);
    return 1;
  }
  return 0;
}

/** The REPL (src/cli/repl) on the process's streams; a program given is its first entry. */
async function repl(cmd: CommandLine, io: CliIo): Promise<number> {
  const streams = io.interactive?.();
  if (!streams) {
    await printDiagnostics(io, [plain(runMessages.commandLine('USAGE: -i needs the streams of a process'))]);
    return 1;
  }
  let first: { name: string; text: string } | undefined;
  if (cmd.program) {
    const loaded = await loadProgram(cmd.program, io);
    if (!loaded.ok) {
      await printDiagnostics(io, [plain(loaded.message)]);
      return 1;
    }
    first = { name: loaded.source.name, text: loaded.source.text };
  }
  const { runRepl } = await import('./repl/repl.js');
  return runRepl({
    streams,
    commandLine: cmd,
    env: io.env,
    cwd: io.cwd?.() ?? process.cwd(),
    version: packageVersion(),
    ...(first ? { first } : {}),
  });
}

/** The world for kaddr() at compile time (see worldSource); undefined for an unknown workload (the run reports it). */
function buildWorldSync(cmd: CommandLine): World | undefined {
  return worldBuilder?.(cmd);
}

/** Set by preloadWorldBuilder: the world module is imported asynchronously before compiling. */
let worldBuilder: ((cmd: CommandLine) => World | undefined) | undefined;

async function preloadWorldBuilder(): Promise<void> {
  const [{ createWorld }, { loadBundledWorkload }] = await Promise.all([import('../world/world.js'), import('../world/workload-files.js')]);
  worldBuilder = (cmd) => {
    const workload = loadBundledWorkload(cmd.world.workload);
    if (typeof workload === 'string') return undefined;
    return createWorld({ seed: cmd.world.seed, cpus: cmd.world.cpus, workload });
  };
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

/** stdout, or the -o file opened (and created) now so an unwritable path fails before anything runs. */
function openOutput(file: string | undefined, io: CliIo): Output | { message: Message } {
  let pending = '';
  let write: (binary: string) => void;
  let writeText: (text: string) => void;
  let close = (): void => undefined;
  let failure = (): string | undefined => io.outputError?.();
  if (file === undefined) {
    write = (binary) => (io.writeOutBinary ?? io.writeOut)(binary);
    writeText = (text) => io.writeOut(text);
  } else {
    let fd: number;
    try {
      fd = openSync(file, 'w');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      return { message: runMessages.outputFileUnopenable(file, ERRNO_TEXT[code] ?? (e instanceof Error ? e.message : String(e))) };
    }
    let failed: string | undefined;
    const guarded = (op: () => void): void => {
      if (failed !== undefined) return;
      try {
        op();
      } catch (e) {
        failed = (e as NodeJS.ErrnoException).code ?? String(e);
      }
    };
    write = (binary) => guarded(() => void writeSync(fd, Buffer.from(binary, 'latin1')));
    writeText = (text) => guarded(() => void writeSync(fd, text));
    close = () => {
      try {
        closeSync(fd);
      } catch (e) {
        failed ??= (e as NodeJS.ErrnoException).code ?? String(e);
      }
    };
    failure = () => failed;
  }
  const flush = (): void => {
    if (pending === '') return;
    const text = pending;
    pending = '';
    write(text);
  };
  const writeBinary = (binary: string): void => {
    pending += binary;
    if (pending.length >= OUTPUT_BUFFER) flush();
  };
  return {
    write: (text) => {
      flush();
      writeText(text);
    },
    writeBinary,
    flush,
    close: async () => {
      flush();
      close();
    },
    failure: () => failure(),
  };
}

function packageVersion(): string {
  // src/cli and dist/cli both sit two levels below package.json.
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
