// Round trips: source → AST → printed source → AST, and the two ASTs must be equal (spans
// aside). Over every construct of the tables, our own programs (test/golden/parse/sources,
// test/golden/programs), and — when a bpftrace checkout is present at /work/ref/bpftrace (or
// $BPFTRACE_REF) — all of its tools/*.bt and every one-liner of docs/tutorial_one_liners.md.
// bpftrace's files are read at test time only, never copied into this repository.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { SourceFile } from '../../src/diag/source.js';
import { renderDiagnostics } from '../../src/diag/render.js';
import type * as A from '../../src/parse/ast.js';
import { astDifference, sameAst } from '../../src/parse/equal.js';
import { parseExpression, parseProgram } from '../../src/parse/parse-program.js';
import { printExpr, printProgram } from '../../src/parse/print.js';
import { EXPRESSIONS, PROGRAMS, STATEMENTS } from './constructs.js';

function parse(name: string, text: string): A.Program {
  const r = parseProgram(new SourceFile(name, text));
  if (!r.ok) throw new Error(`${name} does not parse:\n${renderDiagnostics(r.diagnostics)}`);
  return r.value;
}

/** Parses, prints, parses the print, and checks both trees are the same. */
function roundTrip(name: string, text: string): void {
  const first = parse(name, text);
  const printed = printProgram(first);
  const second = parse(`${name} (printed)`, printed);
  expect(astDifference(first, second), printed).toBeUndefined();
}

describe('round trip: constructs', () => {
  test.each(EXPRESSIONS)('expression %s', (source) => {
    const first = parseExpression(new SourceFile('stdin', source));
    if (!first.ok) throw new Error(renderDiagnostics(first.diagnostics));
    const printed = printExpr(first.value);
    const second = parseExpression(new SourceFile('printed', printed));
    if (!second.ok) throw new Error(`${printed}\n${renderDiagnostics(second.diagnostics)}`);
    expect(astDifference(first.value, second.value), printed).toBeUndefined();
  });

  test.each(STATEMENTS)('statements %s', (source) => roundTrip('stdin', `BEGIN { ${source} }`));

  test.each(PROGRAMS)('program: %s', (_name, source) => roundTrip('stdin', source));
});

function files(dir: string, ext: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => path.join(dir, f));
}

const GOLDEN = path.join(__dirname, '..', 'golden');
const ours = [...files(path.join(GOLDEN, 'parse', 'sources'), '.bt'), ...files(path.join(GOLDEN, 'programs'), '.bt')];

describe('round trip: our programs', () => {
  test('there are programs to check', () => expect(ours.length).toBeGreaterThanOrEqual(6));
  test.each(ours.map((f) => [path.relative(GOLDEN, f), f] as const))('%s', (name, file) =>
    roundTrip(name, fs.readFileSync(file, 'utf8')),
  );
});

const REF = process.env['BPFTRACE_REF'] ?? '/work/ref/bpftrace';
const haveRef = fs.existsSync(path.join(REF, 'tools'));

/** The one-liners of the tutorial, and the one script it shows (path.bt). */
function tutorialPrograms(): [string, string][] {
  const doc = fs.readFileSync(path.join(REF, 'docs', 'tutorial_one_liners.md'), 'utf8');
  const found: [string, string][] = [];
  for (const line of doc.split('\n')) {
    const m = /^bpftrace -e '(.*)'\s*$/.exec(line);
    if (m) found.push([`one-liner ${found.length + 1}`, m[1]!]);
  }
  const script = /# cat path\.bt\n([\s\S]*?)\n# bpftrace path\.bt/.exec(doc);
  if (script) found.push(['path.bt', script[1]!]);
  return found;
}

describe.skipIf(!haveRef)(`bpftrace's own programs (from ${REF})`, () => {
  const tools = haveRef ? [...files(path.join(REF, 'tools'), '.bt'), ...files(path.join(REF, 'tools', 'old'), '.bt')] : [];
  const tutorial = haveRef ? tutorialPrograms() : [];

  test('all 39 tools and the tutorial are found', () => {
    expect(files(path.join(REF, 'tools'), '.bt')).toHaveLength(39);
    expect(tutorial.length).toBeGreaterThanOrEqual(11);
  });

  test.each(tools.map((f) => [path.relative(REF, f), f] as const))('%s parses and round-trips', (name, file) =>
    roundTrip(name, fs.readFileSync(file, 'utf8')),
  );

  test.each(tutorial)('tutorial %s parses and round-trips', (name, text) => roundTrip(name, text));

  // The one-line programs of bpftrace's runtime tests (`PROG …`), a corpus of odd corners.
  const runtimeDir = path.join(REF, 'tests', 'runtime');
  const runtime = haveRef
    ? fs
        .readdirSync(runtimeDir)
        .filter((f) => fs.statSync(path.join(runtimeDir, f)).isFile())
        .sort()
        .flatMap((f) =>
          fs
            .readFileSync(path.join(runtimeDir, f), 'utf8')
            .split('\n')
            .filter((l) => l.startsWith('PROG '))
            .map((l, i) => [`${f} #${i + 1}`, l.slice(5)] as const),
        )
    : [];
  test('the runtime tests hold hundreds of programs', () => expect(runtime.length).toBeGreaterThan(500));
  test.each(runtime)('runtime test %s parses and round-trips', (name, text) => roundTrip(name, text));
});

if (!haveRef) {
  test.skip(`bpftrace tools and tutorial one-liners: skipped, no checkout at ${REF} (set BPFTRACE_REF)`, () => {});
}

describe('printed programs are stable', () => {
  test.each(PROGRAMS)('%s prints the same after one round', (_name, source) => {
    const once = printProgram(parse('stdin', source));
    const twice = printProgram(parse('printed', once));
    expect(twice).toBe(once);
    expect(sameAst(parse('a', once), parse('b', twice))).toBe(true);
  });
});
