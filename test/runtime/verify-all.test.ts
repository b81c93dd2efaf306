// Our verifier never rejects what our compiler emits for a valid program: every program of
// bpftrace's example tools (when the reference checkout is on this machine), of the golden
// corpus and of our end-to-end programs that compiles is verified here as the loader would.
// A rejection is a bug in the compiler or the verifier, never the user's.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { SourceFile } from '../../src/diag/source.js';
import type { MapSpec } from '../../src/ebpf/maps/map.js';
import { verifyProgram } from '../../src/ebpf/verifier/verify.js';
import { runPipeline } from '../../src/pipeline.js';

const GOLDEN = path.join(__dirname, '..', 'golden');
const TOOLS = '/work/ref/bpftrace/tools';

function programsIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bt')).map((f) => path.join(dir, f)) : [];
}

const FILES = [
  ...programsIn(TOOLS),
  ...programsIn(path.join(GOLDEN, 'programs')),
  ...programsIn(path.join(GOLDEN, 'e2e')),
  ...programsIn(path.join(GOLDEN, 'e2e', 'tools')),
];

/** Verifier rejections of each compiled program; programs that do not check or compile are skipped. */
function rejections(file: string): string[] {
  const source = new SourceFile(path.basename(file), readFileSync(file, 'utf8'));
  const outcome = runPipeline({ source, positional: [], named: new Map(), unsafe: true, ncpus: 4 });
  const compiled = outcome.products.compiled;
  if (!outcome.ok || !compiled) return [];
  const specs: (MapSpec | undefined)[] = [undefined, ...compiled.maps.map((m) => m.spec)];
  return compiled.programs.flatMap((p) => {
    const v = verifyProgram(p.insns, { progType: p.progType, maps: specs, ctxSize: p.ctxSize, nrCpuIds: 4 });
    return v.ok ? [] : [`${p.name}: ${v.error.message} at insn ${v.error.insn}`];
  });
}

describe('every compiled program passes our verifier', () => {
  test('there are programs to verify', () => {
    expect(FILES.length).toBeGreaterThan(180);
  });
  test.each(FILES.map((f) => ({ name: path.relative(path.dirname(GOLDEN), f).replace(/^\.\.\/\.\.\//, ''), file: f })))('$name', ({ file }) => {
    expect(rejections(file)).toEqual([]);
  });
});
