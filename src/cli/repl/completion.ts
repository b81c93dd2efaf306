// Tab completion for the REPL: probe names from the catalog (one `:`-part at a time, or
// every match of a wildcard), builtins, functions, keywords, the run's map names, the
// dot-commands and their arguments. In: the text left of the cursor and what the session
// knows. Out: readline's [candidates, word completed]. Not: editing the line (readline does).

import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { builtinNames } from '../../check/builtins.js';
import { functionNames } from '../../check/functions.js';
import { PROVIDERS } from '../../check/providers.js';
import { hasWildcard } from '../../probes/glob.js';
import { canonicalProvider, matchProbes, probeNames } from '../../probes/probe_names.js';

/** Most candidates offered for one word (readline lists them all on a second Tab). */
const MAX_CANDIDATES = 200;

const KEYWORDS = ['if', 'else', 'while', 'for', 'unroll', 'return', 'break', 'continue', 'let', 'macro', 'fn', 'config', 'struct', 'import'];

export interface CompletionContext {
  /** An entry is being continued (the line is not the start of an entry). */
  readonly continuing: boolean;
  /** The run's maps, with '@'. */
  mapNames(): readonly string[];
  /** Dot-commands, with '.', and how each completes its argument. */
  readonly commands: readonly { readonly name: string; readonly argument?: ArgumentKind }[];
  /** Directory relative file names are completed in. */
  readonly cwd: string;
  /** Workload profile names. */
  workloads(): readonly string[];
}

export type ArgumentKind = 'probe' | 'map' | 'file' | 'dump' | 'workload';

const DUMP_POINTS = ['ast', 'types', 'bpf'];

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
const startingWith = (xs: Iterable<string>, prefix: string): string[] => sorted([...xs].filter((x) => x.startsWith(prefix)));

/** readline's completer: the candidates for the word that ends at the cursor, and that word. */
export function complete(before: string, ctx: CompletionContext): [string[], string] {
  if (!ctx.continuing) {
    const command = /^\s*(\.\w*)$/.exec(before);
    if (command) return [startingWith(ctx.commands.map((c) => c.name), command[1]!), command[1]!];
    const withArgument = /^\s*(\.\w+)\s+(\S*)$/.exec(before);
    if (withArgument) {
      const kind = ctx.commands.find((c) => c.name === withArgument[1])?.argument;
      const word = withArgument[2]!;
      return [kind ? argumentCandidates(kind, word, ctx) : [], word];
    }
  }
  const probeWord = /[\w:*?.\-/+]*$/.exec(before)![0];
  if (probeWord.includes(':') && !probeWord.startsWith(':')) return [probeCandidates(probeWord), probeWord];
  const word = /[@$]?\w*$/.exec(before)![0];
  if (word.startsWith('@')) return [startingWith(ctx.mapNames(), word), word];
  if (word.startsWith('$')) return [[], word];
  const atEntryStart = !ctx.continuing && before.trim() === word;
  const names = [
    ...builtinNames(),
    ...functionNames().map((f) => `${f}(`),
    ...KEYWORDS,
    ...ctx.mapNames(),
    // An entry may start with a probe: providers complete to `provider:`.
    ...(atEntryStart ? providerWords() : []),
  ];
  return [startingWith(names, word).slice(0, MAX_CANDIDATES), word];
}

/** `tracepoint:`, `kprobe:`, … and BEGIN/END, as a probe starts. */
function providerWords(): string[] {
  return PROVIDERS.flatMap((p) => (p.name === 'BEGIN' || p.name === 'END' ? [p.name] : [`${p.name}:`]));
}

function argumentCandidates(kind: ArgumentKind, word: string, ctx: CompletionContext): string[] {
  switch (kind) {
    case 'probe':
      return word.includes(':') ? probeCandidates(word) : startingWith(providerWords(), word);
    case 'map':
      return startingWith(ctx.mapNames(), word);
    case 'dump':
      return startingWith(DUMP_POINTS, word);
    case 'workload':
      return startingWith(ctx.workloads(), word);
    case 'file':
      return fileCandidates(word, ctx.cwd);
  }
}

/**
 * Probe names for `provider:partial`: a wildcard word offers every match (or the one match
 * in its place); otherwise the next `:`-part of each name that starts with the partial.
 */
export function probeCandidates(word: string): string[] {
  const colon = word.indexOf(':');
  const written = word.slice(0, colon);
  const rest = word.slice(colon + 1);
  const provider = canonicalProvider(written);
  if (provider === undefined) return [];
  if (hasWildcard(rest)) {
    const matches = matchProbes(provider, rest).map((n) => `${written}:${n}`);
    // The word itself stays among several, so readline keeps the pattern as typed.
    return matches.length <= 1 ? matches : [word, ...matches.slice(0, MAX_CANDIDATES)];
  }
  const out = new Set<string>();
  for (const name of probeNames(provider)) {
    if (!name.startsWith(rest)) continue;
    const next = name.indexOf(':', rest.length);
    out.add(`${written}:${next < 0 ? name : name.slice(0, next + 1)}`);
    if (out.size >= MAX_CANDIDATES) break;
  }
  return sorted(out);
}

/** Files and directories (with '/') whose names start with the word's last part. */
function fileCandidates(word: string, cwd: string): string[] {
  const slash = word.lastIndexOf('/');
  const dirPart = slash >= 0 ? word.slice(0, slash + 1) : '';
  const base = slash >= 0 ? word.slice(slash + 1) : word;
  const dir = resolve(cwd, dirPart === '' ? '.' : dirPart);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    if (!n.startsWith(base) || (n.startsWith('.') && !base.startsWith('.'))) continue;
    let isDir = false;
    try {
      isDir = statSync(join(dir, n)).isDirectory();
    } catch {
      continue;
    }
    out.push(`${dirPart}${n}${isDir ? '/' : ''}`);
  }
  return sorted(out).slice(0, MAX_CANDIDATES);
}
