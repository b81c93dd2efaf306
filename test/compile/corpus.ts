// The programs the compile tests run over: every .bt file of the test suite (with its
// recorded positional parameters), bpftrace's tutorial one-liners and tools/*.bt from
// /work/ref/bpftrace when present. Test support only.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REF = '/work/ref/bpftrace';

export interface CorpusProgram {
  /** Where it comes from: a path, or `tutorial:N`. */
  readonly name: string;
  readonly text: string;
  readonly params: readonly string[];
}

function btFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? btFiles(join(dir, d.name)) : d.name.endsWith('.bt') ? [join(dir, d.name)] : []))
    .sort();
}

function paramsOf(file: string): string[] {
  const meta = file.replace(/\.bt$/, '.json');
  if (!existsSync(meta)) return [];
  const m = JSON.parse(readFileSync(meta, 'utf8')) as { params?: string[] };
  return m.params ?? [];
}

/** Every .bt under test/ (the error corpora included; callers keep those that check). */
export function suitePrograms(): CorpusProgram[] {
  return btFiles('test').map((f) => ({ name: f, text: readFileSync(f, 'utf8'), params: paramsOf(f) }));
}

/** The tutorial's one-liners (`bpftrace -e '…'`) and lesson 12's path.bt; [] without the reference. */
export function tutorialPrograms(): CorpusProgram[] {
  const doc = join(REF, 'docs/tutorial_one_liners.md');
  if (!existsSync(doc)) return [];
  const text = readFileSync(doc, 'utf8');
  const out: CorpusProgram[] = [];
  for (const m of text.matchAll(/^bpftrace -e '(.*)'$/gm)) out.push({ name: `tutorial:${out.length + 1}`, text: m[1]!, params: [] });
  const script = /# cat path\.bt\n([\s\S]*?)\n# bpftrace path\.bt/.exec(text);
  if (script) out.push({ name: 'tutorial:path.bt', text: script[1]!, params: [] });
  return out;
}

/** bpftrace's tools/*.bt; [] without the reference. */
export function toolPrograms(): CorpusProgram[] {
  return btFiles(join(REF, 'tools')).map((f) => ({ name: f, text: readFileSync(f, 'utf8'), params: [] }));
}
