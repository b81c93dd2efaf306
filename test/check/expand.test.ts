// The expansion passes: imports, #ifdef/#ifndef (BPFTRACE_HAVE_BTF defined), #define
// constants and C-style macros, hygienic bpftrace macros, positional parameters and
// getopt(), checked through the expanded tree the compiler receives.

import { describe, expect, test } from 'vitest';
import { printExpr } from '../../src/parse/print.js';
import { runCheck } from './run-check.js';
import type { Expr, Stmt } from '../../src/parse/ast.js';
import type { CheckedProgram } from '../../src/check/program.js';
import { typeName } from '../../src/check/types.js';

function check(program: string, opts: Parameters<typeof runCheck>[1] = {}): CheckedProgram {
  const r = runCheck(program, opts);
  if (!r.ok) throw new Error(r.stderr);
  return r.checked!;
}

/** The values assigned in the first probe, printed back as source. */
function assigned(c: CheckedProgram): string[] {
  return c.probes[0]!.body.stmts.filter((s): s is Extract<Stmt, { kind: 'AssignVar' }> => s.kind === 'AssignVar').map((s) => printExpr(s.value as Expr));
}

describe('#define and #ifdef', () => {
  test('constants are substituted where used, in expressions', () => {
    const c = check('#define LIMIT 10\n#define NAME "bpftrace"\n#define MASK (1 << 4)\nBEGIN { $a = LIMIT * 2; $b = NAME; $c = MASK; }');
    expect(assigned(c)).toEqual(['10 * 2', '"bpftrace"', '1 << 4']);
  });

  test('C-style macros with parameters', () => {
    const c = check('#define MAX(a, b) ((a) > (b) ? (a) : (b))\nBEGIN { $m = MAX(pid, 5); }');
    expect(assigned(c)).toEqual(['pid > 5 ? pid : 5']);
  });

  test('BPFTRACE_HAVE_BTF is defined: #ifndef blocks are skipped, #else taken', () => {
    const c = check('#ifndef BPFTRACE_HAVE_BTF\n#define AF 1\n#else\n#define AF 2\n#endif\nBEGIN { $a = AF; }');
    expect(assigned(c)).toEqual(['2']);
  });

  test('#ifdef on a define of the program', () => {
    const c = check('#define DEBUG 1\n#ifdef DEBUG\n#define LEVEL 7\n#endif\n#ifdef NOPE\n#define LEVEL 9\n#endif\nBEGIN { $l = LEVEL; }');
    expect(assigned(c)).toEqual(['7']);
  });

  test('a define that is not an expression is reported where it is used', () => {
    expect(runCheck('#define X {\nBEGIN { print(X); }').stderr).toContain("ERROR: Macro X does not expand to an expression: '{'");
  });
});

describe('bpftrace macros', () => {
  test('expression parameters, variable and map parameters, nested macros', () => {
    const c = check(
      'macro add_one(x) { x + 1 } macro bump($v, @m) { $v += 1; @m += 1; } macro add_two(x) { add_one(x) + 1 }\n' +
        'BEGIN { $a = 10; @b = 5; bump($a, @b); $c = add_two($a); }',
    );
    expect(c.maps.has('@b')).toBe(true);
    const slots = c.probes[0]!.variables.map((v) => `${v.name}:${typeName(v.type)}`);
    expect(slots).toEqual(['$a:int64', '$c:int64']);
  });

  test('hygiene: a variable inside a macro is not the caller’s', () => {
    const c = check('macro f() { $x = "inside"; $x } BEGIN { $x = 1; $y = f(); }');
    const slots = c.probes[0]!.variables.map((v) => `${v.name}:${typeName(v.type)}`);
    expect(slots).toEqual(['$x:int64', '$x:string[7]', '$y:string[7]']);
  });

  test('zero-argument macros can be used as bare identifiers', () => {
    const c = check('macro limit() { 35 } BEGIN { $a = limit; $b = limit(); }');
    expect(c.probes[0]!.variables.map((v) => typeName(v.type))).toEqual(['int64', 'int64']);
  });

  test.each([
    ['macro f() { @x = 1; } BEGIN { f(); }', 'Unhygienic access to map: @x. Maps must be passed into the macro as arguments.'],
    ['macro f($a) { $a++ } BEGIN { @x = 1; f(@x); }', 'Mismatched arg. f() expects a variable for arg $a but got a map.'],
    ['macro f(@m) { @m++ } BEGIN { f(1 + 1); }', 'Mismatched arg. f() expects a map for arg @m but got an expression.'],
    ['macro f() { g() } macro g() { f() } BEGIN { f(); }', 'Recursive macro call detected. Call chain: f > g > f'],
    ['macro f() { 1 } macro f() { 2 } BEGIN { f(); }', 'Redefinition of macro: f'],
    ['macro f($a) { let $a = 1; } BEGIN { $b = 0; f($b); }', 'Variable declaration shadows macro arg $a'],
  ])('%s', (program, message) => {
    expect(runCheck(program).stderr).toContain(message);
  });
});

describe('positional and named parameters', () => {
  test('$N is a number when it reads as one, its text otherwise; $# counts them', () => {
    const c = check('BEGIN { $a = $1; $b = $2; $c = $#; $d = $3; $e = str($2); $f = str($2 + 2); }', { positional: ['0x10', 'hello'] });
    expect(assigned(c)).toEqual(['0x10', '"hello"', '2', '0', 'str("hello")', 'str("llo")']);
    const first = (c.probes[0]!.body.stmts[0] as Extract<Stmt, { kind: 'AssignVar' }>).value;
    expect(first.kind === 'Int' && first.value).toBe(16n);
  });

  test('str($1 + N) beyond the parameter is an error', () => {
    expect(runCheck('BEGIN { print(str($1 + 9)); }', { positional: ['ab'] }).stderr).toContain(
      'only addition of a single constant less or equal to the length of $1 (which is 2) is allowed inside str()',
    );
  });

  test('getopt() takes the command-line value, typed by its default', () => {
    const c = check('BEGIN { $a = getopt("aa", 1); $b = getopt("bb"); $c = getopt("cc", "x"); $d = getopt("dd", false); }', {
      named: { aa: '20', bb: '', cc: 'bye' },
    });
    expect(assigned(c)).toEqual(['20', 'true', '"bye"', 'false']);
    expect(c.namedParams.map((n) => `${n.name}:${n.kind}=${String(n.value)}`)).toEqual(['aa:int=20', 'bb:bool=true', 'cc:string=bye', 'dd:bool=false']);
  });
});

describe('imports', () => {
  test('an imported script contributes its macros and probes', () => {
    const files: Record<string, string> = { '/scripts/lib.bt': 'macro greet() { printf("hi\\n"); }\nEND { print(1); }\n' };
    const r = runCheck('import "lib.bt";\nBEGIN { greet(); }', {
      name: '/scripts/main.bt',
      readFile: (p: string) => files[p],
    });
    expect(r.stderr).toBe('');
    expect(r.checked!.probes.map((p) => p.attachPoints[0]!.provider)).toEqual(['END', 'BEGIN']);
    expect(r.checked!.sources.map((s) => s.name)).toEqual(['/scripts/main.bt', '/scripts/lib.bt']);
  });

  test('errors inside an imported file name that file', () => {
    const files: Record<string, string> = { '/scripts/lib.bt': 'BEGIN { @x = nope(); }\n' };
    const r = runCheck('import "lib.bt";\nEND { }', { name: '/scripts/main.bt', readFile: (p: string) => files[p] });
    expect(r.stderr).toContain('/scripts/lib.bt:1:14-18: ERROR: Unknown function: nope');
  });

  test('a missing import', () => {
    expect(runCheck('import "nope.bt";\nBEGIN { }', { name: '/scripts/main.bt', readFile: () => undefined }).stderr).toContain(
      'ERROR: Could not import nope.bt: No such file or directory',
    );
  });
});

describe('config', () => {
  test('the config block sets values; environment overrides win', () => {
    const c = check('config = { max_strlen = 32; stack_mode = perf; print_maps_on_exit = false; missing_probes = ignore } BEGIN { }', {
      config: { BPFTRACE_MAX_STRLEN: '48' },
    });
    expect([c.config.max_strlen, c.config.stack_mode, c.config.print_maps_on_exit, c.config.missing_probes]).toEqual([48, 'perf', false, 'ignore']);
  });

  test.each([
    ['config = { foo = 1 } BEGIN { }', 'Unrecognized config variable: foo'],
    ['config = { max_strlen = "a" } BEGIN { }', 'Invalid type for max_strlen. Type: string. Expected Type: int'],
    ['config = { stack_mode = fancy } BEGIN { }', 'Invalid value for stack_mode: valid values are "bpftrace", "perf", and "raw".'],
    ['config = { btf = 1 } BEGIN { }', 'btf can only be set as an environment variable'],
  ])('%s', (program, message) => {
    expect(runCheck(program).stderr).toContain(message);
  });

  test('stack_mode applies to kstack and ustack', () => {
    const c = check('config = { stack_mode = raw } kprobe:vfs_read { @[kstack] = count(); }');
    const key = c.maps.get('@')!.keyType!;
    expect(key.kind === 'kstack' && key.mode).toBe('raw');
  });
});
