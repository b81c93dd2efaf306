// How typed text becomes session entries (src/runtime/session-program.ts): program items or
// bare statements, a lone expression printed, errors located in the typed text (the reading
// that got further wins), when an entry continues on the next line, and how the session
// program relocates diagnostics into the entry they are about and renames earlier BEGINs.

import { describe, expect, test } from 'vitest';
import { renderDiagnostics } from '../../src/diag/render.js';
import { SourceFile } from '../../src/diag/source.js';
import { buildProgram, entryIncomplete, openBrackets, readEntry, type SessionEntry } from '../../src/runtime/session-program.js';

const OPTIONS = { positional: [] };

function entry(text: string, number = 1, name = 'stdin'): SessionEntry {
  const r = readEntry(new SourceFile(name, text), number, OPTIONS);
  if (!r.ok) throw new Error(renderDiagnostics(r.diagnostics));
  return r.value;
}

function errorOf(text: string): string {
  const r = readEntry(new SourceFile('stdin', text), 1, OPTIONS);
  if (r.ok) throw new Error(`'${text}' was accepted`);
  return renderDiagnostics(r.diagnostics);
}

describe('reading an entry', () => {
  test.each([
    // text, statements?, roles, what goes into the session program
    ['kprobe:vfs_read { @n = count(); }', false, ['probe'], 'kprobe:vfs_read { @n = count(); }'],
    ['BEGIN { printf("hi\\n"); }', false, ['begin'], 'BEGIN { printf("hi\\n"); }'],
    ['END { print(@n); }', false, ['end'], 'END { print(@n); }'],
    ['macro twice($x) { $x * 2 }', false, ['definition'], 'macro twice($x) { $x * 2 }'],
    ['config = { max_strlen = 64 }', false, ['config'], 'config = { max_strlen = 64 }'],
    ['struct S { int a; } i:s:1 { exit(); }', false, ['definition', 'probe'], 'struct S { int a; } i:s:1 { exit(); }'],
    ['printf("%d\\n", 1 + 2)', true, ['begin'], 'BEGIN { printf("%d\\n", 1 + 2)\n}'],
    ['@x = 5; @y = 6;', true, ['begin'], 'BEGIN { @x = 5; @y = 6;\n}'],
    ['exit()', true, ['begin'], 'BEGIN { exit()\n}'],
    ['@x++', true, ['begin'], 'BEGIN { @x++\n}'],
    // A lone expression is printed.
    ['@x', true, ['begin'], 'BEGIN { print(@x)\n}'],
    ['1 + 2;', true, ['begin'], 'BEGIN { print(1 + 2)\n}'],
    ['comm // the tracer', true, ['begin'], 'BEGIN { print(comm // the tracer\n)\n}'],
    ['str(arg0)', true, ['begin'], 'BEGIN { print(str(arg0))\n}'],
    ['ksym(0)', true, ['begin'], 'BEGIN { print(ksym(0))\n}'],
  ])('%s', (text, statements, roles, programText) => {
    const e = entry(text);
    expect(e.statements).toBe(statements);
    expect(e.items.map((i) => i.role)).toEqual(roles);
    expect(e.programText).toBe(programText);
    expect(e.source.text).toBe(text);
  });

  test('errors are located in the typed text: the reading that got further', () => {
    // As statements the error is later (after `+`); as a program it is at the first character.
    expect(errorOf('@x = 1 +')).toBe(
      ['stdin:1:9-9: ERROR: syntax error, unexpected end of file, expecting expression', '@x = 1 +', '        ', ''].join('\n'),
    );
    // As a program it got further (into the block).
    expect(errorOf('kprobe:vfs_read { @x = ; }')).toBe(
      [
        'stdin:1:24-25: ERROR: syntax error, unexpected ;, expecting expression',
        'kprobe:vfs_read { @x = ; }',
        '                       ~',
        '',
      ].join('\n'),
    );
    expect(errorOf('printf("%d\\n" 1)')).toBe(
      ['stdin:1:15-16: ERROR: syntax error, unexpected integer, expecting ) or ","', 'printf("%d\\n" 1)', '              ~', ''].join('\n'),
    );
  });

  test('what the prompt does not take: import, BEGIN sharing a block', () => {
    expect(errorOf('import "x.bt";')).toBe(
      ['stdin:1:1-15: ERROR: import is not available at the prompt', 'import "x.bt";', '~~~~~~~~~~~~~~', 'HINT: .load FILE.bt reads a script into the session', ''].join('\n'),
    );
    expect(errorOf('BEGIN, i:s:1 { }')).toBe(
      [
        'stdin:1:1-17: ERROR: at the prompt, BEGIN and END blocks stand alone',
        'BEGIN, i:s:1 { }',
        '~~~~~~~~~~~~~~~~',
        'HINT: give the other probes a block of their own',
        '',
      ].join('\n'),
    );
  });
});

describe('continuing an entry', () => {
  test.each([
    ['', 0],
    ['kprobe:f {', 1],
    ['kprobe:f { @x[comm', 2],
    ['printf("{(", 1', 1],
    ['printf("\\"{", 1)', 0],
    ['BEGIN { } // {', 0],
    ['/* { */ BEGIN {', 1],
    ['/* open comment', 1],
    ['}', -1],
  ])('openBrackets(%j) = %i', (text, n) => {
    expect(openBrackets(text)).toBe(n);
  });

  test.each([
    ['kprobe:vfs_read', true],
    ['kprobe:vfs_read,', true],
    ['kprobe:vfs_read {', true],
    ['tracepoint:syscalls:sys_enter_openat /pid > 1/', true],
    ['@x = ', true],
    ['kprobe:vfs_read { }', false],
    ['@x = 5', false],
    ['pid', false],
    ['@x = = 5', false],
    ['   ', false],
  ])('entryIncomplete(%j) = %s', (text, more) => {
    expect(entryIncomplete(text, OPTIONS)).toBe(more);
  });
});

describe('the session program', () => {
  const input = { positional: [], named: new Map<string, string | true>(), unsafe: false, ncpus: 4 };

  test('a type clash with an earlier entry is shown in the new entry', () => {
    const a = entry('@x = 1', 1);
    const b = entry('@x = "one"', 2);
    const r = buildProgram({ ...input, entries: [a, b], current: b });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(renderDiagnostics(r.diagnostics)).toBe(
      [
        "stdin:1:1-3: ERROR: Type mismatch for @x: trying to assign value of type 'string[4]' when map already contains a value of type 'int64'",
        '@x = "one"',
        '~~',
        '',
      ].join('\n'),
    );
  });

  test('an error placed in an earlier entry names it repl:N', () => {
    const a = entry('i:s:1 { @x = 1; }', 1);
    const b = entry('config = { max_map_keys = "many" }', 2);
    const c = entry('kprobe:vfs_read { @y = @x + 1; }', 3);
    // Built with a as the current entry: errors in b and c belong to earlier-numbered entries.
    const r = buildProgram({ ...input, entries: [b, c, a], current: a });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(renderDiagnostics(r.diagnostics)).toBe(
      [
        'repl:2:1:12-33: ERROR: Invalid type for max_map_keys. Type: string. Expected Type: int',
        'config = { max_map_keys = "many" }',
        '           ~~~~~~~~~~~~~~~~~~~~~',
        '',
      ].join('\n'),
    );
  });

  test('earlier BEGIN blocks become test: probes; the current one stays BEGIN; config goes first', () => {
    const a = entry('@x = 1', 1);
    const b = entry('i:s:1 { @x++; }', 2);
    const c = entry('config = { max_strlen = 64 }', 3);
    const d = entry('print(@x)', 4);
    const r = buildProgram({ ...input, entries: [a, b, c, d], current: d });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { checked, compiled, origins } = r.value;
    expect(checked.config.max_strlen).toBe(64);
    expect(checked.probes.map((p) => p.attachPoints.map((ap) => `${ap.provider}:${ap.parts.join(':')}`))).toEqual([
      ['test:repl_1_begin'],
      ['interval:s:1'],
      ['BEGIN:'],
    ]);
    expect(compiled.beginPrograms).toEqual([2]);
    expect(origins.map((o) => [o.entry.number, o.role])).toEqual([
      [1, 'begin'],
      [2, 'probe'],
      [4, 'begin'],
    ]);
    expect(r.value.layout.source.text).toBe('config = { max_strlen = 64 }\nBEGIN { @x = 1\n}\ni:s:1 { @x++; }\nBEGIN { print(@x)\n}\n');
  });

  test('C definitions go before the probes that use them, whatever order they were typed in', () => {
    const a = entry('macro f($p) { $p->a }', 1);
    const b = entry('struct S { int a; }', 2);
    const c = entry('i:s:1 { $s = (struct S *)0; @a = f($s); }', 3);
    const r = buildProgram({ ...input, entries: [a, b, c], current: c });
    expect(r.ok ? 'ok' : renderDiagnostics(r.diagnostics)).toBe('ok');
  });
});
