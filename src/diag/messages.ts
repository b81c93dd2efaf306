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
  syntaxUnexpected: (found: string) => m('syntax', `syntax error, unexpected ${found}`),
  unterminatedString: () => m('unterminated-string', 'unterminated string'),
  unterminatedComment: () => m('unterminated-comment', 'unterminated comment'),
  unterminatedConditional: (directive: string) =>
    m('unterminated-conditional', `unterminated ${directive}, expecting #endif`),
  invalidEscape: (c: string) => m('invalid-escape', `invalid escape character '\\${c}'`),
  octalEscapeRange: (digits: string) => m('octal-escape-range', `octal escape sequence out of range '\\${digits}'`),
  invalidInteger: (text: string) => m('invalid-integer', `invalid integer: ${text}`),
  integerOverflow: (max: bigint, text: string) =>
    m('integer-overflow', `overflow error, maximum value is ${max}: ${text}`),
  scientificCoefficient: (text: string) =>
    m('scientific-coefficient', `coefficient part of scientific literal must be 1-9: ${text}`),
  invalidIntegerSuffix: (suffix: string) => m('invalid-integer-suffix', `invalid integer suffix '${suffix}'`),
  positionalRange: (text: string) =>
    m('positional-range', `param ${text} is out of integer range [1, 9223372036854775807]`),
  duplicateRecordField: (name: string) =>
    m('duplicate-record-field', `Named argument list already contains name: ${name}`),
  immutableField: () =>
    m(
      'immutable-field',
      'Tuples and records are immutable once created. Consider creating a new value and assigning it instead.',
    ),
  invalidAssignTarget: () => m('invalid-assign-target', 'invalid assignment target'),
  cDefinitionOrder: () => m('c-definition-order', 'C definitions must appear before probes and functions'),
  configOrder: () => m('config-order', 'config must appear before probes and functions'),
  importOrder: () => m('import-order', 'root imports must appear before probes and functions'),
  duplicateConfig: () => m('duplicate-config', 'duplicate config block'),
  unsupportedDirective: (name: string) =>
    m('unsupported-directive', `unsupported preprocessor directive: #${name}`, [
      'bpftrace-ts understands #include, #define, #ifdef, #ifndef, #if defined(…), #else and #endif',
    ]),
  unsupportedCDeclarator: () =>
    m('unsupported-c-declarator', 'unsupported C declaration: only one array dimension is allowed'),
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
  fileUnreadable: (path: string, reason: string) => m('file-unreadable', `failed to open file '${path}': ${reason}`),
  commandLine: (problem: string) => m('command-line', problem, ['bpftrace-ts --help lists the options']),
  cannotRunYet: () =>
    m('cannot-run-yet', 'running programs is not available in this build; --dry-run parses and checks the program'),
  // Helper errors reported at run time (runtime/output/printer.ts), worded as bpftrace 0.23.
  helperMapFull: () => m('helper-map-full', "Map full; can't update element. Try increasing max_map_keys config"),
  helperDeleteMissing: () => m('helper-delete-missing', "Can't delete map element because it does not exist."),
  helperLookupMissing: () => m('helper-lookup-missing', "Can't lookup map element because it does not exist."),
};
