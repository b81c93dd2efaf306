// What the compile stage itself refuses (the limits the checker cannot see), as located
// diagnostics; and what it handles instead of refusing (more variables than the stack
// holds live in per-CPU scratch memory).

import { expect, test } from 'vitest';
import { renderDiagnostics } from '../../src/diag/render.js';
import { compileSource, logTail, verifyAll } from './compile-helpers.js';
import { Rig } from './rig.js';

const manyVars = (n: number): string => Array.from({ length: n }, (_, i) => `$v${i} = ${i};`).join(' ');

test('a probe with more variables than 512 bytes of stack keeps the rest in scratch memory', () => {
  const r = compileSource(`BEGIN { ${manyVars(80)} printf("%d %d\\n", $v0 + $v79, $v40); exit(); }`);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  for (const v of verifyAll(r.compiled)) expect(v.result.ok, logTail(v.result)).toBe(true);
  expect(r.compiled.maps.some((m) => m.role === 'scratch')).toBe(true);
  expect(new Rig(r.compiled, { checked: r.checked }).runSpecial().text).toBe('79 40\n\n\n');
});

test('an expression nested deeper than there are registers spills the oldest values and computes right', () => {
  let e = '$a';
  for (let i = 0; i < 20; i++) e = `$a * ${i + 2} + (${e})`;
  const r = compileSource(`BEGIN { $a = 3; printf("%d\\n", ${e}); exit(); }`);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  for (const v of verifyAll(r.compiled)) expect(v.result.ok, logTail(v.result)).toBe(true);
  // 3 + 3 * (2 + 3 + … + 21)
  expect(new Rig(r.compiled, { checked: r.checked }).runSpecial().text).toBe(`${3 + 3 * 230}\n\n\n`);
});

test('a subprogram whose variables exceed the stack is a located error', () => {
  const text = `fn f(): int64 { ${manyVars(80)} return $v0 + $v79; }\nBEGIN { printf("%d\\n", f()); exit(); }`;
  const r = compileSource(text);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.stage).toBe('compile');
  expect(renderDiagnostics(r.diagnostics)).toBe(
    [
      'stdin:2:1-39: ERROR: the program needs 656 bytes of stack, more than eBPF\'s 512: its values are too large or too many to keep on the stack',
      'BEGIN { printf("%d\\n", f()); exit(); }',
      '~'.repeat(38),
      '',
    ].join('\n'),
  );
});
