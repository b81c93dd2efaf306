// Diagnostics are data: every stage pushes them into a bag and goes on where it can; they
// are rendered once, at the edge, by render.ts. User mistakes are never thrown.
// InternalError is for impossible states only (for instance a verifier rejecting our own code).

import type { SourceFile, Span } from './source.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable id from the catalogue in messages.ts, e.g. 'unknown-function'. */
  readonly id: string;
  readonly message: string;
  /** Where in the source; absent for errors about the whole run (a missing file…). */
  readonly span?: Span;
  /** Which source the span points into (programs can import files). */
  readonly source?: SourceFile;
  /** Extra `HINT:` lines. */
  readonly hints: readonly string[];
}

export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  add(d: Diagnostic): void {
    this.items.push(d);
  }

  error(source: SourceFile | undefined, span: Span | undefined, m: Message, hints: readonly string[] = []): void {
    this.add({ severity: 'error', id: m.id, message: m.text, span, source, hints: [...(m.hints ?? []), ...hints] });
  }

  warning(source: SourceFile | undefined, span: Span | undefined, m: Message, hints: readonly string[] = []): void {
    this.add({ severity: 'warning', id: m.id, message: m.text, span, source, hints: [...(m.hints ?? []), ...hints] });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  get errors(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'error');
  }

  get warnings(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'warning');
  }
}

/** A catalogued message: its stable id, its text, and any hints it always carries. */
export interface Message {
  readonly id: string;
  readonly text: string;
  readonly hints?: readonly string[];
}

/** Stage results: a value, or the diagnostics that stopped the stage (warnings ride along). */
export type Result<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** An impossible state inside bpftrace-ts itself — a bug, never a user mistake. */
export class InternalError extends Error {
  constructor(
    message: string,
    /** e.g. the verifier log when our own compiled code is rejected. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'InternalError';
  }
}
