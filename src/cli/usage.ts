// The user-facing side of the command line, built by yargs from the option table: the
// `--help` text and the explanation of an unusable command line (unknown options…). Loaded
// only when needed (yargs costs more startup time than a whole ordinary run). Input: argv
// and the dump points; output: text. It does not decide what to run (options.ts does).

import { OPTIONS, PARSER_CONFIGURATION } from './options.js';

const USAGE = [
  'USAGE:',
  '  $0 [options] FILE [arguments…] [-- named parameters…]',
  '  $0 [options] - < FILE',
  "  $0 [options] -e 'PROGRAM' [arguments…]",
].join('\n');

const EXAMPLES: readonly (readonly [string, string])[] = [
  ["$0 -l '*sleep*'", 'list probes containing "sleep"'],
  ["$0 -lv 'tracepoint:sched:sched_switch'", 'list a probe with its arguments'],
  ["$0 --dry-run -e 'BEGIN { exit(); }'", 'parse and check a program'],
  ["$0 -e '…' 42 -- --depth=3", '$1 is 42, getopt("depth") is 3'],
];

async function build(argv: readonly string[], dumpPoints: readonly string[]) {
  const { default: yargs } = await import('yargs');
  const y = yargs([...argv])
    .scriptName('bpftrace-ts')
    .usage(USAGE)
    .parserConfiguration(PARSER_CONFIGURATION)
    .strict()
    .exitProcess(false)
    .fail(false)
    .help(false)
    .version(false)
    .wrap(100);
  for (const o of OPTIONS) {
    const describe = o.name === 'dump' ? `${o.describe} (${['all', ...dumpPoints].join(', ')})` : o.describe;
    y.option(o.name, {
      type: o.type,
      describe,
      group: o.group,
      ...(o.alias ? { alias: o.alias } : {}),
      ...(o.valueName ? { requiresArg: true } : {}),
    });
  }
  for (const [command, description] of EXAMPLES) y.example(command, description);
  return y;
}

/** `bpftrace-ts --help`. */
export async function helpText(dumpPoints: readonly string[]): Promise<string> {
  const y = await build([], dumpPoints);
  return (await y.getHelp()) + '\n';
}

/** yargs's one-line account of what is wrong with `argv` (e.g. "Unknown argument: x"). */
export async function commandLineProblem(argv: readonly string[], dumpPoints: readonly string[]): Promise<string> {
  const y = await build(argv, dumpPoints);
  try {
    await y.parseAsync();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return 'invalid command line';
}
