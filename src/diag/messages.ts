// The catalogue of every user-facing message, each with a stable id. Call sites never
// hold prose: they pick a message here and fill its blanks. Sections follow the pipeline.
// Wording follows bpftrace 0.23 where bpftrace has the same message.

import type { Message } from './diagnostic.js';

function m(id: string, text: string, hints?: readonly string[]): Message {
  return hints ? { id, text, hints } : { id, text };
}

// ── parse ────────────────────────────────────────────────────────────────────────────────
export const parseMessages = {
  syntax: (found: string, expected: string) => m('syntax', `syntax error, unexpected ${found}, expecting ${expected}`),
};

// ── check ────────────────────────────────────────────────────────────────────────────────
export const checkMessages = {
  unknownFunction: (name: string) => m('unknown-function', `Unknown function: ${name}`),
};

// ── compile ──────────────────────────────────────────────────────────────────────────────
export const compileMessages = {};

// ── run (cli, loader, runtime) ───────────────────────────────────────────────────────────
export const runMessages = {
  fileNotFound: (path: string) => m('file-not-found', `failed to open file '${path}': No such file or directory`),
};
