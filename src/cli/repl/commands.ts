// The REPL's dot-commands, as a table: name, usage, one line of help, how the argument
// completes, and what the command does to the session. In: the argument as typed and the
// REPL's context. Out: output and notes through the context; 'leave' ends the REPL.
// Not: reading input or entries (repl.ts), nor running programs (the session does).

import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Diagnostic, Message } from '../../diag/diagnostic.js';
import { replMessages, runMessages } from '../../diag/messages.js';
import { listProbeListing } from '../../probes/list.js';
import type { AdvanceOutcome, Session } from '../../runtime/session.js';
import { workloadNames } from '../../world/workload-files.js';
import { parseDuration } from '../options.js';
import { ERRNO_TEXT } from '../program-source.js';
import type { ArgumentKind } from './completion.js';

/** What a command may use. */
export interface ReplContext {
  readonly session: Session;
  /** Directory relative file names are read from and written to. */
  readonly cwd: string;
  /** Program output (stdout), UTF-8 text. */
  out(text: string): void;
  /** Program output (stdout), binary string. */
  outBinary(binary: string): void;
  /** A note of the REPL's own (stderr). */
  note(m: Message): void;
  /** Errors and warnings (stderr), rendered as bpftrace renders them. */
  report(ds: readonly Diagnostic[]): void;
  problem(m: Message): void;
  /** Runs the world; Ctrl-C stops it. */
  advance(durationNs: number): Promise<AdvanceOutcome>;
}

export interface DotCommand {
  readonly name: string;
  readonly usage: string;
  readonly help: string;
  readonly argument?: ArgumentKind;
  /** The argument must be given: without one, the usage is said and run is not called. */
  readonly required?: boolean;
  run(ctx: ReplContext, arg: string): Promise<'leave' | undefined>;
}

/** Runs a dot-command with its argument (words after the name, joined by one space). */
export async function runCommand(command: DotCommand, ctx: ReplContext, arg: string): Promise<'leave' | undefined> {
  if (command.required && arg === '') {
    ctx.problem(replMessages.usage(command.usage));
    return undefined;
  }
  return command.run(ctx, arg);
}

/** `.run` without a duration. */
export const DEFAULT_RUN_NS = 1_000_000_000;

/** Virtual time as `1.250s`. */
export function clockText(ns: number): string {
  return `${(ns / 1e9).toFixed(3)}s`;
}

/** A stretch of virtual time as typed: `1s`, `250ms`, else seconds to the millisecond (`36.180s`). */
export function spanText(ns: number): string {
  if (ns % 1e9 === 0) return `${ns / 1e9}s`;
  if (ns < 1e9 && ns % 1e6 === 0) return `${ns / 1e6}ms`;
  return clockText(ns);
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return ERRNO_TEXT[code] ?? (e instanceof Error ? e.message : String(e));
}

function worldText(s: Session): string {
  return replMessages.world(s.seed, s.cpus, s.workload).text;
}

export const COMMANDS: readonly DotCommand[] = [
  {
    name: '.help',
    usage: '.help',
    help: 'this text',
    async run(ctx) {
      ctx.out(helpText());
      return undefined;
    },
  },
  {
    name: '.run',
    usage: '.run [duration]',
    help: 'advance the world (default 1s; or 250ms, 5s, 2m), printing what probes print; Ctrl-C stops',
    async run(ctx, arg) {
      const ns = arg === '' ? DEFAULT_RUN_NS : parseDuration(arg);
      if (ns === undefined) {
        ctx.problem(replMessages.badDuration(arg));
        return undefined;
      }
      const r = await ctx.advance(ns);
      const at = clockText(ctx.session.now);
      if (r.endedBy === 'interrupt') ctx.note(replMessages.stoppedAfter(spanText(r.elapsedNs), r.events, at));
      else ctx.note(replMessages.ran(spanText(r.elapsedNs), r.events, at));
      if (r.endedBy === 'exit') ctx.note(replMessages.runEnded());
      return undefined;
    },
  },
  {
    name: '.stop',
    usage: '.stop',
    help: 'end the run as exit() does: END blocks run, the maps print, probes detach',
    async run(ctx) {
      if (ctx.session.endRun()) ctx.note(replMessages.runEnded());
      else ctx.note(replMessages.noRun());
      return undefined;
    },
  },
  {
    name: '.maps',
    usage: '.maps',
    help: 'print every map of the run, as bpftrace prints maps at exit',
    async run(ctx) {
      const text = ctx.session.mapsText();
      if (text === '') ctx.note(replMessages.noMaps());
      else ctx.outBinary(text);
      return undefined;
    },
  },
  {
    name: '.clear',
    usage: '.clear [@map]',
    help: 'remove the entries of one map, or of every map',
    argument: 'map',
    async run(ctx, arg) {
      const problem = ctx.session.clearMaps(arg === '' ? undefined : arg);
      if (problem) ctx.problem(problem);
      return undefined;
    },
  },
  {
    name: '.probes',
    usage: '.probes [pattern]',
    help: 'the kernel probes a pattern matches (kprobe:vfs_*), or the probes attached',
    argument: 'probe',
    async run(ctx, arg) {
      if (arg === '') {
        const attached = ctx.session.attachedProbes();
        if (attached.length === 0) ctx.note(replMessages.noProbesAttached());
        else ctx.out(attached.map((p) => p + '\n').join(''));
        return undefined;
      }
      const listing = listProbeListing(arg, false);
      for (const e of listing.errors) ctx.problem({ id: 'repl-probe-pattern', text: e.message });
      if (listing.text === '' && listing.errors.length === 0) ctx.note(replMessages.noProbeMatches(arg));
      ctx.out(listing.text);
      return undefined;
    },
  },
  {
    name: '.dump',
    usage: '.dump ast|types|bpf',
    help: "the last entry's AST or eBPF, or the types of the session program",
    argument: 'dump',
    async run(ctx, arg) {
      if (arg !== 'ast' && arg !== 'types' && arg !== 'bpf') {
        ctx.problem(replMessages.usage('.dump ast|types|bpf'));
        return undefined;
      }
      const text = ctx.session.dump(arg);
      if (typeof text === 'string') ctx.out(text);
      else ctx.problem(text);
      return undefined;
    },
  },
  {
    name: '.seed',
    usage: '.seed [N]',
    help: 'start a new world with this seed (the run moves to it), or show the world',
    async run(ctx, arg) {
      if (arg === '') {
        ctx.note(replMessages.world(ctx.session.seed, ctx.session.cpus, ctx.session.workload));
        return undefined;
      }
      const n = /^[0-9]+$/.test(arg) ? Number(arg) : NaN;
      if (!Number.isSafeInteger(n) || n > 0xffffffff) {
        ctx.problem(replMessages.badSeed(arg));
        return undefined;
      }
      const ds = ctx.session.reseed(n);
      ctx.report(ds);
      ctx.note(replMessages.newWorld(worldText(ctx.session)));
      return undefined;
    },
  },
  {
    name: '.workload',
    usage: '.workload [NAME]',
    help: 'start a new world running this workload profile, or list the profiles',
    argument: 'workload',
    async run(ctx, arg) {
      if (arg === '') {
        ctx.note(replMessages.workloads(ctx.session.workload, workloadNames()));
        return undefined;
      }
      const ds = ctx.session.setWorkload(arg);
      ctx.report(ds);
      if (!ds.some((d) => d.severity === 'error')) ctx.note(replMessages.newWorld(worldText(ctx.session)));
      return undefined;
    },
  },
  {
    name: '.load',
    usage: '.load FILE.bt',
    help: 'read a script into the session as one entry',
    argument: 'file',
    required: true,
    async run(ctx, arg) {
      let text: string;
      try {
        text = await readFile(resolve(ctx.cwd, arg), 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        ctx.problem(code === 'ENOENT' ? runMessages.fileNotFound(arg) : runMessages.fileUnreadable(arg, errnoText(e)));
        return undefined;
      }
      const r = ctx.session.load(arg, text);
      ctx.report(r.diagnostics);
      if (r.ended) ctx.note(replMessages.runEnded());
      return undefined;
    },
  },
  {
    name: '.save',
    usage: '.save FILE.bt',
    help: 'write the session as one script (definitions, BEGIN, probes, END)',
    argument: 'file',
    required: true,
    async run(ctx, arg) {
      try {
        await writeFile(resolve(ctx.cwd, arg), ctx.session.scriptText());
      } catch (e) {
        ctx.problem(replMessages.fileUnwritable(arg, errnoText(e)));
        return undefined;
      }
      ctx.note(replMessages.saved(arg));
      return undefined;
    },
  },
  {
    name: '.reset',
    usage: '.reset',
    help: 'forget every entry and map and start the world again',
    async run(ctx) {
      ctx.session.reset();
      ctx.note(replMessages.reset());
      return undefined;
    },
  },
  {
    name: '.exit',
    usage: '.exit',
    help: 'end the run (END blocks, maps) and leave; so does Ctrl-D',
    async run() {
      return 'leave';
    },
  },
];

/** The command a line names (`.run 5s` → .run), or undefined. */
export function commandNamed(name: string): DotCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** What .help prints: how entries work, then the commands. */
export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length)) + 2;
  return [
    'Type bpftrace at the prompt:',
    '  tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }   attaches to the running world',
    '  printf("%d\\n", 1 + 2)   @x = 5                                 runs once, now (as BEGIN)',
    '  @x   1 + 2   comm                                              prints the value',
    '  macro, fn, struct, config, let @m = hash(N)                    stay until .reset',
    'An entry continues while braces or parentheses are open. Maps keep their entries and',
    'types across entries until exit() or .stop ends the run. Tab completes probes, functions,',
    'maps and commands.',
    '',
    ...COMMANDS.map((c) => `${c.usage.padEnd(width)}${c.help}`),
    '',
  ].join('\n');
}
