// The user-facing text of the command line: `--help`, and the usage bpftrace prints after
// getopt refuses an option — laid out as bpftrace 0.23 lays out its own (four-space indent,
// a 15-column left side for OPTIONS, 24 for the others, a long left side on its own line),
// with bpftrace-ts's name and options. In: the option table and the dump points; out: text.
// It does not read argv (options.ts does).

import { CONFIG_KEYS } from '../check/config.js';
import { OPTIONS, type OptionSpec } from './options.js';

const PROGRAM = 'bpftrace-ts';

const USAGE_LINES = [`${PROGRAM} [options] filename`, `${PROGRAM} [options] - <stdin input>`, `${PROGRAM} [options] -e 'program'`];

/** Left-column widths per section, as bpftrace's usage text has them. */
const SECTIONS: readonly { readonly group: OptionSpec['group']; readonly width: number }[] = [
  { group: 'OPTIONS:', width: 15 },
  { group: 'WORLD OPTIONS:', width: 24 },
  { group: 'TROUBLESHOOTING OPTIONS:', width: 24 },
];

/**
 * BPFTRACE_* variables bpftrace-ts reads (every config key is read from BPFTRACE_<KEY>),
 * with bpftrace 0.23's defaults and words; only keys the config knows are listed.
 */
const ENVIRONMENT: readonly (readonly [key: string, text: string])[] = [
  ['cpp_demangle', '[default: 1] enable C++ symbol demangling'],
  ['lazy_symbolication', '[default: 0] symbolicate lazily/on-demand'],
  ['log_size', '[default: 1000000] log size in bytes'],
  ['max_bpf_progs', '[default: 1024] max number of generated BPF programs'],
  ['max_cat_bytes', '[default: 10k] maximum bytes read by cat builtin'],
  ['max_map_keys', '[default: 4096] max keys in a map'],
  ['max_probes', '[default: 1024] max number of probes'],
  ['max_strlen', '[default: 1024] bytes on BPF stack per str()'],
  ['perf_rb_pages', '[default: 64] pages per CPU to allocate for ring buffer'],
  ['stack_mode', '[default: bpftrace] Output format for ustack and kstack builtins'],
  ['str_trunc_trailer', "[default: '..'] string truncation trailer"],
];
const ENV_WIDTH = 34;

const EXAMPLES: readonly (readonly [string, string])[] = [
  [`${PROGRAM} -l '*sleep*'`, 'list probes containing "sleep"'],
  [`${PROGRAM} -e 'kprobe:do_nanosleep { printf("PID %d sleeping...\\n", pid); }'`, 'trace processes calling sleep'],
  [`${PROGRAM} -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'`, 'count syscalls by process name'],
  [`${PROGRAM} --seed 7 --duration 2s -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'`, 'two seconds of another synthetic machine'],
];

/** `-f FORMAT`, `-h, --help`, `--seed N`: the option as the help text shows it. */
function leftColumn(o: OptionSpec): string {
  if (o.usage !== undefined) return o.usage;
  const names = [o.name, ...(o.alias ? [o.alias] : [])].sort((a, b) => a.length - b.length);
  const flags = names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(', ');
  return o.valueName !== undefined ? `${flags} ${o.valueName}` : flags;
}

/** One entry: on one line when the left side leaves a space before the column, else two. */
function entry(left: string, text: string, width: number): string {
  const indent = '    ';
  if (left.length < width) return `${indent}${left.padEnd(width)}${text}\n`;
  return `${indent}${left}\n${indent}${' '.repeat(width)}${text}\n`;
}

/** The usage text (`--help` prints it on stdout, a refused option on stderr after getopt's words). */
export function helpText(dumpPoints: readonly string[]): string {
  let out = `USAGE:\n${USAGE_LINES.map((l) => `    ${l}\n`).join('')}`;
  for (const { group, width } of SECTIONS) {
    out += `\n${group}\n`;
    for (const o of OPTIONS.filter((x) => x.group === group)) {
      out += entry(leftColumn(o), o.describe, width);
      if (o.name === 'dump') out += `    ${' '.repeat(width)}(${['all', ...dumpPoints].map((p) => `'${p}'`).join(', ')})\n`;
    }
  }
  const known = new Set<string>(CONFIG_KEYS.map((k) => k.key));
  out += '\nENVIRONMENT:\n';
  for (const [key, text] of ENVIRONMENT) if (known.has(key)) out += entry(`BPFTRACE_${key.toUpperCase()}`, text, ENV_WIDTH);
  out += '\nEXAMPLES:\n';
  for (const [command, text] of EXAMPLES) out += `${command}\n    ${text}\n`;
  return out;
}

/** What bpftrace prints when getopt refuses an option: `NAME: PROBLEM`, then the usage. */
export function refusedOptionText(problem: string, dumpPoints: readonly string[]): string {
  return `${PROGRAM}: ${problem}\n${helpText(dumpPoints)}`;
}
