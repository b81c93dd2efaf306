// The pipeline as data: stages in order, dump points, stopping after the first stage that
// reports errors, `until`, and dumps produced only when asked for.

import { describe, expect, test } from 'vitest';
import { SourceFile } from '../../src/diag/source.js';
import { dumpAst } from '../../src/parse/dump.js';
import { DUMP_POINTS, STAGES, runPipeline, type PipelineInput } from '../../src/pipeline.js';

function input(text: string): PipelineInput {
  return { source: new SourceFile('stdin', text), positional: [], named: new Map(), unsafe: false };
}

describe('pipeline', () => {
  test('parse comes first and dumps the AST; check follows', () => {
    expect(STAGES.slice(0, 2).map((s) => s.name)).toEqual(['parse', 'check']);
    expect(DUMP_POINTS[0]).toBe('ast');
  });

  test('a program that parses and checks runs every stage', () => {
    const outcome = runPipeline(input('BEGIN { exit(); }'));
    expect([outcome.ok, outcome.ran, outcome.diagnostics]).toEqual([true, STAGES.map((s) => s.name), []]);
    expect(outcome.products.program?.kind).toBe('Program');
  });

  test('a syntax error stops after parse', () => {
    const outcome = runPipeline(input('BEGIN { ; }'));
    expect([outcome.ok, outcome.ran, outcome.products]).toEqual([false, ['parse'], {}]);
    expect(outcome.diagnostics.map((d) => d.message)).toEqual(['syntax error, unexpected ;, expecting }']);
  });

  test('a check error stops after check, with the parsed program kept', () => {
    const outcome = runPipeline(input('BEGIN { $x = no_such_function(); }'));
    expect([outcome.ok, outcome.ran]).toEqual([false, ['parse', 'check']]);
    expect(outcome.products.program).toBeDefined();
    expect(outcome.diagnostics.filter((d) => d.severity === 'error')).toHaveLength(1);
  });

  test('until stops early; dumps appear only when requested', () => {
    const text = 'BEGIN { @x = count(); }';
    const quiet = runPipeline(input(text), { until: 'parse' });
    expect([quiet.ran, quiet.dumps]).toEqual([['parse'], []]);
    const dumped = runPipeline(input(text), { until: 'parse', dumps: ['ast'] });
    expect(dumped.dumps).toEqual([{ point: 'ast', text: dumpAst(dumped.products.program!) }]);
  });

  test('positional parameters reach the attach points', () => {
    const outcome = runPipeline({ ...input('uprobe:$1:readline { }'), positional: ['/bin/bash'] }, { until: 'parse' });
    const probe = outcome.products.program!.items[0]!;
    expect(probe.kind === 'Probe' && probe.attachPoints[0]!.raw).toBe('uprobe:/bin/bash:readline');
  });
});
