// `bpftrace -l [pattern]` and `-lv`: the probes of the synthetic kernel that a search pattern
// selects, one per line as bpftrace 0.23 prints them, with a tracepoint's fields or a
// function's BTF arguments under each when verbose; `-l 'struct x'` lists kernel types. In:
// the pattern as typed; out: the text. It does not check a program's attach points (the checker does).

import { kernelFunction, kernelStructDefinition, kernelTypeNames, tracepointFormat } from './catalog.js';
import { hasWildcard, globMatcher } from './glob.js';
import { canonicalProvider, KERNEL_MODULE, probeNames } from './probe_names.js';

/** Providers a wildcard provider expands to, as bpftrace lists kernel probes (fentry needs BTF, which we have). */
const KERNEL_LISTED = ['fentry', 'hardware', 'kprobe', 'rawtracepoint', 'software', 'tracepoint'] as const;

/** Providers with nothing to list here: bpftrace's special probes and user-space ones. */
const NOTHING_TO_LIST = new Set(['BEGIN', 'END', 'self', 'test', 'bench', 'uprobe', 'uretprobe', 'usdt', 'watchpoint', 'asyncwatchpoint', 'iter']);

export interface ListError {
  /** bpftrace's wording: 'Invalid probe type: foo'. */
  readonly message: string;
  /** The comma-separated piece of the pattern it is about. */
  readonly pattern: string;
}

export interface ProbeListing {
  /** The lines to print, each ending in '\n' (empty when nothing matched). */
  readonly text: string;
  readonly errors: readonly ListError[];
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The lines under a probe in verbose mode (without the 4-space indent). */
function verboseLines(provider: string, match: string): string[] {
  if (provider === 'tracepoint') {
    const colon = match.indexOf(':');
    const format = tracepointFormat(match.slice(0, colon), match.slice(colon + 1));
    return format ? format.fields.filter((f) => !f.common).map((f) => f.decl) : [];
  }
  if (provider === 'fentry' || provider === 'fexit') {
    const fn = kernelFunction(match.slice(match.indexOf(':') + 1));
    if (!fn) return [];
    const lines = fn.args.map((a) => `${a.type.text} ${a.name}`);
    // bpftrace lists the return value for fentry too, whenever the function has one.
    if (!(fn.ret.baseKind === 'void' && fn.ret.pointerDepth === 0)) lines.push(`${fn.ret.text} retval`);
    return lines;
  }
  return [];
}

/**
 * The match strings (what follows 'provider:') that `search` — the pattern after the
 * provider — selects, sorted as bpftrace's std::set sorts them.
 */
function matchesFor(provider: string, search: string): string[] {
  const first = search.split(':')[0] ?? '';
  switch (provider) {
    case 'tracepoint': {
      const q = search.includes(':') ? search : `*:${search}`;
      return probeNames('tracepoint').filter(globMatcher(q));
    }
    case 'rawtracepoint': {
      const q = search.slice(search.lastIndexOf(':') + 1);
      return probeNames('rawtracepoint').filter(globMatcher(q));
    }
    case 'kprobe':
    case 'kretprobe': {
      const colon = search.lastIndexOf(':');
      if (colon < 0) return probeNames('kprobe').filter(globMatcher(search));
      // With a module the names are listed module-qualified, as the kernel's function list has them.
      return probeNames('kprobe')
        .map((f) => `${KERNEL_MODULE}:${f}`)
        .filter(globMatcher(search));
    }
    case 'fentry':
    case 'fexit': {
      const q = search.includes(':') ? search : `*:${search}`;
      return probeNames('fentry')
        .map((f) => `${KERNEL_MODULE}:${f}`)
        .filter(globMatcher(q));
    }
    case 'software':
    case 'hardware':
    case 'profile':
    case 'interval':
      // These match on their first part only: 'software:cpu:100' lists 'software:cpu:'.
      return probeNames(provider)
        .map((n) => `${n}:`)
        .sort(byteOrder)
        .filter(globMatcher(`${first}:`));
    default:
      return [];
  }
}

/**
 * `bpftrace -l 'struct task_*'`: the kernel type names matching; with -v their C definitions,
 * each followed by a blank line as bpftrace prints them. The pattern is not split on commas.
 */
function listTypes(pattern: string, verbose: boolean): ProbeListing {
  const search = pattern.trim().replace(/\s+/g, ' ');
  const names = kernelTypeNames().filter(globMatcher(search));
  if (!verbose) return { text: names.map((n) => `${n}\n`).join(''), errors: [] };
  const defs = names.map(kernelStructDefinition).filter((d): d is string => d !== undefined);
  return { text: defs.sort(byteOrder).map((d) => `${d}\n\n`).join(''), errors: [] };
}

const TYPE_NAME = /^\s*(struct|union|enum) /;

/** Lists the probes for a search pattern, with errors for provider names that do not exist. */
export function listProbeListing(pattern: string | undefined, verbose: boolean): ProbeListing {
  if (pattern !== undefined && TYPE_NAME.test(pattern)) return listTypes(pattern, verbose);
  const out: string[] = [];
  const errors: ListError[] = [];
  const whole = pattern === undefined || pattern.trim() === '' || pattern.trim() === '*' ? '*:*' : pattern;
  for (const raw of whole.split(',')) {
    let piece = raw.trim().replace(/\s+/g, ' ');
    if (piece === '') continue;
    // A bare word searches every provider: 'bpftrace -l "*sleep*"'.
    if (!piece.includes(':')) piece = `*:${piece}`;
    const colon = piece.indexOf(':');
    const providerPart = piece.slice(0, colon);
    const search = piece.slice(colon + 1);

    let providers: string[];
    if (hasWildcard(providerPart)) {
      providers = KERNEL_LISTED.filter(globMatcher(providerPart));
    } else {
      const canonical = canonicalProvider(providerPart);
      if (canonical === undefined) {
        errors.push({ message: `Invalid probe type: ${providerPart}`, pattern: piece });
        continue;
      }
      if (NOTHING_TO_LIST.has(canonical)) continue;
      providers = [canonical];
    }

    for (const provider of providers) {
      for (const match of matchesFor(provider, search)) {
        out.push(`${provider}:${match}`);
        if (verbose) for (const line of verboseLines(provider, match)) out.push(`    ${line}`);
      }
    }
  }
  return { text: out.map((l) => `${l}\n`).join(''), errors };
}

/** The text `bpftrace -l [pattern]` (verbose: `-lv`) prints for the synthetic kernel. */
export function listProbes(pattern: string | undefined, verbose: boolean): string {
  return listProbeListing(pattern, verbose).text;
}
