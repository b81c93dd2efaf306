// needsWorld() decides whether a run builds the synthetic world before BEGIN: a wrong "no"
// is a fault at run time (a BEGIN helper asking a world that was never loaded), a wrong "yes"
// costs a BEGIN { exit(); } run its start-up time.

import { describe, expect, test } from 'vitest';
import { SourceFile } from '../../src/diag/source.js';
import { runPipeline } from '../../src/pipeline.js';
import { needsWorld } from '../../src/runtime/world-needs.js';

function needs(text: string): boolean {
  const outcome = runPipeline({ source: new SourceFile('stdin', text), positional: [], named: new Map(), unsafe: false, ncpus: 4 });
  if (!outcome.ok || !outcome.products.compiled) throw new Error(`does not compile: ${text}`);
  return needsWorld(outcome.products.compiled);
}

describe('needsWorld', () => {
  test.each([
    ['BEGIN { exit(); }', false],
    ['BEGIN { printf("%d %s\\n", pid, comm); @[1] = count(); }', false],
    ['tracepoint:raw_syscalls:sys_enter { @ = count(); }', true],
    ['BEGIN { if (curtask) { @ = 1; } }', true],
    ['BEGIN { printf("%d\\n", curtask->pid); }', true],
    ['BEGIN { print(kstack); }', true],
    ['END { @[ksym(0)] = 1; }', true],
  ])('%s → %s', (text, expected) => {
    expect(needs(text)).toBe(expected);
  });
});
