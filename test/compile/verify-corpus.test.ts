// Every program the front end accepts compiles and passes the project's verifier: the .bt
// files of the test suite (those that check), bpftrace's tutorial one-liners and its tools.
// A rejection here is a code generation bug (or a verifier gap, named in PENDING).

import { describe, expect, test } from 'vitest';
import { compileSource, logTail, verifyAll } from './compile-helpers.js';
import { createWorld } from '../../src/world/world.js';
import { suitePrograms, toolPrograms, tutorialPrograms, type CorpusProgram } from './corpus.js';

/**
 * Programs that cannot pass yet and why; each is a known gap reported by the compile stage,
 * never a silent skip.
 */
const PENDING: Readonly<Record<string, string>> = {};

/** kaddr() names resolve in the default world's kernel symbol table, as the CLI resolves them. */
const world = createWorld({ seed: 1 });
const kernelSymbol = (name: string): bigint | undefined => world.kernelSymbolAddress(name);

function check(p: CorpusProgram): void {
  const r = compileSource(p.text, { params: p.params, name: p.name, compile: { kernelSymbol } });
  if (!r.ok && r.stage !== 'compile') return; // the front end refuses it: not a compiler input
  if (!r.ok) throw new Error(`compile: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  for (const v of verifyAll(r.compiled)) expect(v.result.ok, `${v.name} rejected:\n${logTail(v.result)}`).toBe(true);
}

function cases(list: CorpusProgram[]): [string, CorpusProgram][] {
  return list.filter((p) => !PENDING[p.name]).map((p) => [p.name, p]);
}

describe('every accepted program compiles and verifies', () => {
  for (const [name, reason] of Object.entries(PENDING)) test.skip(`${name} (pending: ${reason})`, () => undefined);

  test.each(cases(suitePrograms()))('%s', (_, p) => check(p));

  const tutorial = tutorialPrograms();
  if (tutorial.length === 0) test.skip('tutorial one-liners (skipped: /work/ref/bpftrace is not on this machine)', () => undefined);
  else test.each(cases(tutorial))('%s', (_, p) => check(p));

  const tools = toolPrograms();
  if (tools.length === 0) test.skip('tools/*.bt (skipped: /work/ref/bpftrace is not on this machine)', () => undefined);
  else test.each(cases(tools))('%s', (_, p) => check(p));
});
