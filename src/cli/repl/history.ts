// The REPL's history across sessions: a text file of typed lines, oldest first, one per
// line (as shells keep theirs), in the user's home unless BPFTRACE_TS_HISTORY names another
// file (an empty value keeps no history). In: the environment. Out: lines for readline,
// and the file rewritten. A file that cannot be read or written is no history, never an error.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Lines kept. */
export const HISTORY_SIZE = 1000;
const FILE_NAME = '.bpftrace-ts_history';

/** The history file for this environment, or undefined for none. */
export function historyFile(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const chosen = env['BPFTRACE_TS_HISTORY'];
  if (chosen !== undefined) return chosen === '' ? undefined : chosen;
  const home = env['HOME'] ?? homedir();
  return home ? join(home, FILE_NAME) : undefined;
}

/** The lines of the file, newest first (readline's order). */
export function readHistory(file: string | undefined): string[] {
  if (!file) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .reverse()
    .slice(0, HISTORY_SIZE);
}

/** Writes readline's history (newest first) to the file, oldest first. */
export function writeHistory(file: string | undefined, newestFirst: readonly string[]): void {
  if (!file) return;
  const lines = newestFirst.slice(0, HISTORY_SIZE).filter((l) => !l.includes('\n')).reverse();
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, lines.map((l) => l + '\n').join(''), { mode: 0o600 });
  } catch {
    // History is a convenience: a read-only home does not stop the REPL.
  }
}
