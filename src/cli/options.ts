// The command line of bpftrace-ts: the option table (data), and argv → CommandLine.
// Options are checked first as getopt_long checks bpftrace's (an unknown option, a missing
// or unwanted argument: getopt's words, then the usage text, usage.ts); yargs then reads
// them (the option table becomes its options; its own --help and --version are off: the
// texts are bpftrace's, usage.ts). New options are new rows of OPTIONS plus a field of CommandLine; nothing
// here runs anything.

import yargs, { type Options as YargsOption } from 'yargs';

export type OptionType = 'boolean' | 'string';

export interface OptionSpec {
  /** Long name (`dry-run`) or, for single-letter options, the letter. */
  readonly name: string;
  readonly alias?: string;
  readonly type: OptionType;
  readonly describe: string;
  /** Help section. */
  readonly group: 'OPTIONS:' | 'WORLD OPTIONS:' | 'TROUBLESHOOTING OPTIONS:';
  /** The value's name in the help text (bpftrace's own where it has the option). */
  readonly valueName?: string;
  /** Help text's left column when it is not the option and its value (`-l [search|filename]`). */
  readonly usage?: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  { name: 'f', type: 'string', valueName: 'FORMAT', describe: "output format ('text', 'json')", group: 'OPTIONS:' },
  { name: 'o', type: 'string', valueName: 'file', describe: 'redirect bpftrace output to file', group: 'OPTIONS:' },
  { name: 'e', type: 'string', valueName: "'program'", describe: 'execute this program', group: 'OPTIONS:' },
  { name: 'help', alias: 'h', type: 'boolean', describe: 'show this help message', group: 'OPTIONS:' },
  {
    name: 'l',
    alias: 'list',
    type: 'boolean',
    usage: '-l [search|filename]',
    describe: 'list kernel probes or probes in a program',
    group: 'OPTIONS:',
  },
  {
    name: 'i',
    type: 'boolean',
    describe: 'interactive REPL over a live synthetic world (default on a terminal)',
    group: 'OPTIONS:',
  },
  { name: 'unsafe', type: 'boolean', describe: 'allow unsafe/destructive functionality', group: 'OPTIONS:' },
  { name: 'q', type: 'boolean', describe: 'keep messages quiet', group: 'OPTIONS:' },
  { name: 'k', type: 'boolean', describe: 'emit a warning when probe read helpers return an error', group: 'OPTIONS:' },
  { name: 'version', alias: 'V', type: 'boolean', describe: 'bpftrace-ts version', group: 'OPTIONS:' },
  { name: 'no-warnings', type: 'boolean', describe: 'disable all warning messages', group: 'OPTIONS:' },
  { name: 'seed', type: 'string', valueName: 'N', describe: 'seed of the synthetic world (default 1)', group: 'WORLD OPTIONS:' },
  { name: 'cpus', type: 'string', valueName: 'N', describe: 'virtual CPUs of the synthetic world (default 4)', group: 'WORLD OPTIONS:' },
  {
    name: 'workload',
    type: 'string',
    valueName: 'NAME',
    describe: 'workload profile of the synthetic world (default mixed)',
    group: 'WORLD OPTIONS:',
  },
  {
    name: 'duration',
    type: 'string',
    valueName: 'TIME',
    describe: 'stop after this virtual time (5s, 250ms; default 5s, none with --realtime)',
    group: 'WORLD OPTIONS:',
  },
  { name: 'realtime', type: 'boolean', describe: 'pace virtual time to the wall clock', group: 'WORLD OPTIONS:' },
  {
    name: 'engine',
    type: 'string',
    valueName: 'ENGINE',
    describe: "how eBPF programs run ('interp', 'jit')",
    group: 'WORLD OPTIONS:',
  },
  {
    name: 'v',
    type: 'boolean',
    describe: 'verbose messages (a run ends with its world statistics on stderr)',
    group: 'TROUBLESHOOTING OPTIONS:',
  },
  {
    name: 'dry-run',
    type: 'boolean',
    describe: 'terminate execution right after checking and compiling the program',
    group: 'TROUBLESHOOTING OPTIONS:',
  },
  {
    name: 'dump',
    alias: 'd',
    type: 'string',
    valueName: 'STAGE',
    usage: '-d STAGE',
    describe: 'debug info for various stages of bpftrace-ts execution',
    group: 'TROUBLESHOOTING OPTIONS:',
  },
  {
    name: 'emit-elf',
    type: 'string',
    valueName: 'FILE',
    describe: '(dry run) generate ELF file with bpf programs and write to FILE',
    group: 'TROUBLESHOOTING OPTIONS:',
  },
];

export type OutputFormat = 'text' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json'];

/** Where the program text comes from. */
export type ProgramOrigin =
  | { readonly kind: 'inline'; readonly text: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stdin' };

export interface CommandLine {
  readonly program?: ProgramOrigin;
  /** `-l`: list probes; the pattern is the first argument when there is no program. */
  readonly list: boolean;
  readonly listPattern?: string;
  readonly verbose: boolean;
  readonly dryRun: boolean;
  /** `-d/--dump` points, in the order given (`all` expanded). */
  readonly dumps: readonly string[];
  /** `--emit-elf FILE`: write the compiled programs there as an ELF object instead of running them. */
  readonly emitElf?: string;
  readonly format: OutputFormat;
  readonly outputFile?: string;
  readonly quiet: boolean;
  readonly unsafe: boolean;
  /** `-k`: warn when a map lookup finds nothing or a probe read fails (bpftrace's runtime warnings). */
  readonly runtimeWarnings: boolean;
  /** --no-warnings: no WARNING of the checker and no helper-error reports at run time. */
  readonly noWarnings: boolean;
  /** `$1`… in order: arguments after the program, before and after `--`. */
  readonly positional: readonly string[];
  /** `--name=value` / `--flag` after `--`. */
  readonly named: ReadonlyMap<string, string | true>;
  /** How the program runs: the synthetic world's shape, the clock and the engine. */
  readonly world: WorldChoice;
  /** `-i`, or no program with stdin on a terminal: the REPL (a program given is its first entry). */
  readonly interactive?: boolean;
}

export type EngineName = 'interp' | 'jit';
export const ENGINE_NAMES: readonly EngineName[] = ['interp', 'jit'];

export interface WorldChoice {
  readonly seed: number;
  readonly cpus: number;
  readonly workload: string;
  /** `--duration` in ns of virtual time; undefined when not given. */
  readonly durationNs?: number;
  readonly realtime: boolean;
  readonly engine: EngineName;
}

/** Defaults of the run options (also the values the golden tests are recorded with). */
export const WORLD_DEFAULTS = { seed: 1, cpus: 4, workload: 'mixed', engine: 'jit' } as const;

/** Largest --cpus: per-CPU map values are kept for each CPU. */
const MAX_CPUS = 256;

const DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** `5s`, `250ms`, `1.5s`, `2m`, or a bare number of seconds → ns; undefined when unreadable. */
export function parseDuration(text: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const ns = Math.round(Number(m[1]) * DURATION_UNITS[m[2] ?? 's']!);
  return Number.isSafeInteger(ns) ? ns : undefined;
}

/** The run options of the command line, or the message saying which is wrong. */
function readWorldChoice(parsed: Record<string, unknown>): WorldChoice | string {
  const integer = (name: string, min: number, max: number, fallback: number): number | string => {
    const raw = parsed[name] as string | undefined;
    if (raw === undefined) return fallback;
    const n = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : `USAGE: --${name} takes an integer from ${min} to ${max}, not '${raw}'`;
  };
  const seed = integer('seed', 0, 0xffffffff, WORLD_DEFAULTS.seed);
  if (typeof seed === 'string') return seed;
  const cpus = integer('cpus', 1, MAX_CPUS, WORLD_DEFAULTS.cpus);
  if (typeof cpus === 'string') return cpus;
  const engine = (parsed['engine'] as string | undefined) ?? WORLD_DEFAULTS.engine;
  if (!(ENGINE_NAMES as readonly string[]).includes(engine)) {
    return `USAGE: invalid engine '${engine}' (valid: ${ENGINE_NAMES.join(', ')})`;
  }
  const durationText = parsed['duration'] as string | undefined;
  let durationNs: number | undefined;
  if (durationText !== undefined) {
    durationNs = parseDuration(durationText);
    if (durationNs === undefined) return `USAGE: invalid --duration '${durationText}' (examples: 5s, 250ms, 2m)`;
  }
  return {
    seed,
    cpus,
    workload: (parsed['workload'] as string | undefined) ?? WORLD_DEFAULTS.workload,
    ...(durationNs !== undefined ? { durationNs } : {}),
    realtime: Boolean(parsed['realtime']),
    engine: engine as EngineName,
  };
}

/** What reading the command line decided. */
export type CommandLineResult =
  | { readonly kind: 'run'; readonly commandLine: CommandLine }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  /** A mistake in the command line; `hint` false when it is said without pointing at --help. */
  | { readonly kind: 'error'; readonly message: string; readonly hint?: false }
  /** An option getopt would refuse: its complaint, printed before the usage text. */
  | { readonly kind: 'usage'; readonly problem: string };

const KNOWN_KEYS = new Set(['_', '--', '$0', ...OPTIONS.flatMap((o) => (o.alias ? [o.name, o.alias] : [o.name]))]);

/** How yargs reads words (as getopt: no numbers, no camel-case copies, no --no-x). */
export const PARSER_CONFIGURATION = {
  'populate--': true,
  'camel-case-expansion': false,
  'parse-numbers': false,
  'parse-positional-numbers': false,
  'duplicate-arguments-array': false,
  'boolean-negation': false,
} as const;

/** The option table as yargs' options. */
function yargsOptions(): Record<string, YargsOption> {
  return Object.fromEntries(OPTIONS.map((o) => [o.name, { type: o.type, ...(o.alias ? { alias: o.alias } : {}) }]));
}

/** argv read by yargs, after getopt's checks have passed. */
function readWithYargs(argv: readonly string[]): Record<string, unknown> & { _: (string | number)[] } {
  return yargs(bindValues(argv))
    .parserConfiguration(PARSER_CONFIGURATION)
    .help(false)
    .version(false) // before .options(): --version is one of ours
    .options(yargsOptions())
    .exitProcess(false)
    .parseSync();
}

/** Splits what follows `--` into named parameters and further positional ones. */
function afterDoubleDash(args: readonly string[]): { named: Map<string, string | true>; positional: string[] } {
  const named = new Map<string, string | true>();
  const positional: string[] = [];
  for (const a of args) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(a);
    if (m) named.set(m[1]!, m[2] ?? true);
    else positional.push(a);
  }
  return { named, positional };
}

/** `-e`, `--seed`, …: the options that take a value, as they are written on the command line. */
const TAKES_VALUE = new Set(
  OPTIONS.flatMap((o) => (o.type === 'string' ? [o.name, ...(o.alias ? [o.alias] : [])] : [])).map((n) => (n.length === 1 ? `-${n}` : `--${n}`)),
);

/**
 * As getopt, the word after an option that takes a value is that value even when it starts
 * with '-' (`-e '-1'`, a program beginning `-:…`): yargs would read it as more options.
 */
function bindValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return [...out, ...argv.slice(i)];
    if (TAKES_VALUE.has(a) && argv[i + 1]?.startsWith('-')) out.push(`${a}=${argv[++i]}`);
    else out.push(a);
  }
  return out;
}

const LONG_OPTIONS = new Map(OPTIONS.flatMap((o) => [o.name, ...(o.alias ? [o.alias] : [])].filter((n) => n.length > 1).map((n) => [n, o] as const)));
const SHORT_OPTIONS = new Map(OPTIONS.flatMap((o) => [o.name, ...(o.alias ? [o.alias] : [])].filter((n) => n.length === 1).map((n) => [n, o] as const)));

/**
 * What getopt_long would refuse in argv, in glibc's words (bpftrace prints them before its
 * usage): an unknown option, a value missing or given to a flag. Options end at `--`; other
 * words are arguments wherever they stand (getopt permutes them), and an option's value is
 * the next word whatever it starts with.
 */
export function getoptProblem(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return undefined;
    if (!a.startsWith('-') || a === '-') continue;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const o = LONG_OPTIONS.get(name);
      if (!o) return `unrecognized option '${a}'`;
      if (o.type === 'boolean' && eq >= 0) return `option '--${name}' doesn't allow an argument`;
      if (o.type === 'string' && eq < 0) {
        if (i + 1 >= argv.length) return `option '--${name}' requires an argument`;
        i++;
      }
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const o = SHORT_OPTIONS.get(c);
      if (!o) return `invalid option -- '${c}'`;
      if (o.type !== 'string') continue;
      // The rest of the word is the value, else the next word.
      if (j + 1 === a.length) {
        if (i + 1 >= argv.length) return `option requires an argument -- '${c}'`;
        i++;
      }
      break;
    }
  }
  return undefined;
}

/** How many times the single-letter flag is given (`-k -k`, `-kk`), before `--`. */
function shortFlagCount(argv: readonly string[], flag: string): number {
  let n = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (!a.startsWith('-') || a.startsWith('--') || a === '-') continue;
    for (let j = 1; j < a.length; j++) {
      const o = SHORT_OPTIONS.get(a[j]!);
      if (a[j] === flag) n++;
      if (o?.type === 'string') {
        if (j + 1 === a.length) i++;
        break;
      }
    }
  }
  return n;
}

/** What the command line's meaning depends on besides argv. */
export interface CommandLineContext {
  /** stdin is a terminal: no program means the REPL. */
  readonly stdinIsTTY?: boolean;
}

/** Reads argv (without `node` and the script). `dumpPoints` are the valid `-d` values. */
export function parseCommandLine(argv: readonly string[], dumpPoints: readonly string[], context: CommandLineContext = {}): CommandLineResult {
  const refused = getoptProblem(argv);
  if (refused !== undefined) return { kind: 'usage', problem: refused };
  // bpftrace 0.23 counts -k: more than one was its old -kk.
  if (shortFlagCount(argv, 'k') > 1) {
    return { kind: 'error', message: 'USAGE: -kk has been deprecated. Use a single -k for runtime warnings for errors in map lookups and probe reads.', hint: false };
  }
  let parsed: Record<string, unknown> & { _: (string | number)[] };
  try {
    parsed = readWithYargs(argv);
  } catch (e) {
    // yargs trips on some flag clusters (`-_` sets `_`): a command-line mistake all the same.
    return { kind: 'error', message: `cannot read the command line: ${e instanceof Error ? e.message : String(e)}` };
  }
  const unknown = Object.keys(parsed).filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length > 0) return { kind: 'error', message: `cannot read the command line: unknown option ${unknown[0]}` };
  if (parsed['help']) return { kind: 'help' };
  if (parsed['version']) return { kind: 'version' };

  const args = (parsed._ as (string | number)[]).map(String);
  const rest = afterDoubleDash(((parsed['--'] ?? []) as (string | number)[]).map(String));
  const inline = parsed['e'] as string | undefined;
  const list = Boolean(parsed['l']);

  let program: ProgramOrigin | undefined;
  let params = args;
  if (inline !== undefined) {
    program = { kind: 'inline', text: inline };
  } else if (args.length > 0 && !list) {
    program = args[0] === '-' ? { kind: 'stdin' } : { kind: 'file', path: args[0]! };
    params = args.slice(1);
  }
  const interactive = !list && (Boolean(parsed['i']) || (!program && context.stdinIsTTY === true));
  if (!program && !list && !interactive) return { kind: 'error', message: 'USAGE: no program given: use -e PROGRAM, a FILE or - for stdin' };
  if (interactive && program?.kind === 'stdin') {
    return { kind: 'error', message: 'USAGE: -i reads entries from stdin: give a program to start with by -e PROGRAM or a FILE' };
  }

  const format = (parsed['f'] as string | undefined) ?? 'text';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    // bpftrace 0.23's two lines, without a hint.
    return { kind: 'error', message: `Invalid output format "${format}"\nValid formats: 'text', 'json'`, hint: false };
  }

  const dumpArg = parsed['dump'] as string | undefined;
  let dumps: string[] = [];
  if (dumpArg !== undefined) {
    if (dumpArg === 'all') dumps = [...dumpPoints];
    else if (dumpPoints.includes(dumpArg)) dumps = [dumpArg];
    else return { kind: 'error', message: `USAGE: invalid option for -d: ${dumpArg} (valid: ${['all', ...dumpPoints].join(', ')})` };
  }

  const world = readWorldChoice(parsed);
  if (typeof world === 'string') return { kind: 'error', message: world };

  const listPattern = list && !program ? args[0] : undefined;
  const commandLine: CommandLine = {
    ...(program ? { program } : {}),
    list,
    ...(listPattern !== undefined ? { listPattern } : {}),
    verbose: Boolean(parsed['v']),
    dryRun: Boolean(parsed['dry-run']),
    dumps,
    ...(parsed['emit-elf'] !== undefined ? { emitElf: String(parsed['emit-elf']) } : {}),
    format: format as OutputFormat,
    ...(parsed['o'] !== undefined ? { outputFile: String(parsed['o']) } : {}),
    quiet: Boolean(parsed['q']),
    unsafe: Boolean(parsed['unsafe']),
    runtimeWarnings: Boolean(parsed['k']) && !parsed['no-warnings'],
    noWarnings: Boolean(parsed['no-warnings']),
    positional: list && !program ? [] : [...params, ...rest.positional],
    named: rest.named,
    world,
    ...(interactive ? { interactive } : {}),
  };
  return { kind: 'run', commandLine };
}
