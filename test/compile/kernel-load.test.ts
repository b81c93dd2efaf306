// The real kernel loads our ELF objects: each tutorial one-liner (and tools/*.bt), the
// suite's programs with for-map loops, len() and `fn` subprograms, and programs that need
// the object's data sections and `.text` — compiled with a normal run's options (direct
// value access, helper-error reporting) and loaded with `bpftool prog loadall`: the kernel's
// verifier accepts every program. Skipped with a message when not root, bpftool is missing
// or the reference programs are not on this machine; never failing for those reasons.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { emitElf } from '../../src/compile/elf.js';
import { readElf } from '../../src/ebpf/elf/read-elf.js';
import { compileSource } from './compile-helpers.js';
import { suitePrograms, toolPrograms, tutorialPrograms, type CorpusProgram } from './corpus.js';

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

/** Compiles p as a normal run does, loads its object into the kernel and returns the object's bytes (undefined when the front end refuses p). */
function load(p: CorpusProgram): Uint8Array | undefined {
  const r = compileSource(p.text, { params: p.params, name: p.name });
  if (!r.ok && r.stage !== 'compile') return undefined; // refused by the front end (e.g. a probe this kernel lacks)
  if (!r.ok) throw new Error(`compile: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  const file = join(dir, 'prog.o');
  const bytes = emitElf(r.compiled, r.checked.config.license);
  writeFileSync(file, bytes);
  const pin = `/sys/fs/bpf/bpftrace_ts_compile_${process.pid}`;
  try {
    const res = spawnSync('bpftool', ['prog', 'loadall', file, pin], { encoding: 'utf8' });
    const log = (res.stderr ?? '').split('\n').filter((l) => l && !l.startsWith('Warning') && !l.startsWith('If it used')).slice(-20).join('\n');
    expect(res.status, `the kernel refused ${p.name}:\n${log}`).toBe(0);
  } finally {
    spawnSync('rm', ['-rf', pin]);
  }
  return bytes;
}

/** The static (subprogram) FUNCs of an object's BTF, as bpftool dumps them. */
function staticFuncs(bytes: Uint8Array): number {
  const file = join(dir, 'btf.o');
  writeFileSync(file, bytes);
  const res = spawnSync('bpftool', ['btf', 'dump', 'file', file], { encoding: 'utf8' });
  expect(res.status, res.stderr).toBe(0);
  return res.stdout.split('\n').filter((l) => / FUNC '.*linkage=static/.test(l)).length;
}

/** Suite programs whose objects need `.text`: for-map loops, len(), `fn` subprograms. */
// for-map, len(), fn, and ranges with a bound known at run time (a bpf_loop callback).
const NEEDS_TEXT = /for\s*\(\s*\$\w+\s*:\s*@|for\s*\(\s*\$\w+\s*:[^)]*\.\.\s*[$@]|\blen\(@|^\s*fn\s+\w+\(/m;

/**
 * Programs that need what an object gained beyond maps, and what its object holds: the
 * global variables (data sections) and the number of subprograms in `.text`.
 */
const FEATURES: readonly { name: string; text: string; variables: readonly string[]; subprogs: number }[] = [
  {
    name: 'helper-error reporting of an update and a delete, and a hist (the zero source in .rodata)',
    text: 'tracepoint:syscalls:sys_enter_read { @start[tid] = nsecs; } tracepoint:syscalls:sys_exit_read /@start[tid]/ { @ns[comm] = hist(nsecs - @start[tid]); delete(@start[tid]); }',
    variables: ['zero:.rodata'],
    subprogs: 2,
  },
  {
    name: 'for-map over 1024-byte string keys (the callback finds the scratch value itself) and len()',
    text: 'tracepoint:syscalls:sys_enter_openat { @files[str(args->filename)] = count(); } interval:s:1 { for ($kv : @files) { @total += (uint64)$kv.1; } printf("%d\\n", len(@files)); }',
    variables: [],
    subprogs: 4,
  },
  {
    name: 'elapsed (the globals variable in .bss)',
    text: 'interval:s:1 { printf("%d\\n", elapsed); }',
    variables: ['globals:.bss'],
    subprogs: 0,
  },
];

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

  const withText = suitePrograms().filter((p) => NEEDS_TEXT.test(p.text));
  test('the suite has for-map, len() and fn programs', () => expect(withText.length).toBeGreaterThanOrEqual(3));
  test.each(withText.map((p) => [p.name, p] as const))('%s (subprograms in .text)', (_, p) => {
    const bytes = load(p);
    if (bytes !== undefined) expect(staticFuncs(bytes)).toBeGreaterThan(0);
  });

  test.each(FEATURES.map((f) => [f.name, f] as const))('%s', (_, f) => {
    const bytes = load({ name: f.name, text: f.text, params: [] })!;
    expect((readElf(bytes).variables ?? []).map((v) => `${v.name}:${v.section}`)).toEqual(f.variables);
    expect(staticFuncs(bytes)).toBe(f.subprogs);
  });
});
