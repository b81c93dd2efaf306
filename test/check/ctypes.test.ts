// C types as the checker lays them out: the program's own structs, unions, bit fields and
// nested members (C alignment rules), casts to kernel typedefs, and kernel structs from the
// catalog reached through pointers.

import { describe, expect, test } from 'vitest';
import type { Stmt } from '../../src/parse/ast.js';
import { typeName } from '../../src/check/types.js';
import { runCheck } from './run-check.js';

/** The folded values of `$v = sizeof(…)` / `offsetof(…)` assignments in BEGIN. */
function constants(program: string): (bigint | undefined)[] {
  const r = runCheck(program);
  if (!r.ok) throw new Error(r.stderr);
  const c = r.checked!;
  return c.probes[0]!.body.stmts.map((s) => c.constants.get((s as Extract<Stmt, { kind: 'AssignVar' }>).value));
}

describe('program-defined types', () => {
  test.each<[string, string, bigint[]]>([
    ['natural alignment and tail padding', 'struct S { char a; int b; char c; }', [12n, 4n, 8n]],
    ['pointers are 8 bytes', 'struct S { char a; char *p; int b; }', [24n, 8n, 16n]],
    ['arrays keep their element alignment', 'struct S { char a; short h[3]; long x; }', [16n, 2n, 8n]],
  ])('%s', (_what, def, expected) => {
    const fields = /struct S \{ \w+ \**(\w+)(?:\[\d+\])?; \w+ \**(\w+)(?:\[\d+\])?; \w+ \**(\w+)/.exec(def)!;
    expect(constants(`${def} BEGIN { $s = sizeof(struct S); $a = offsetof(struct S, ${fields[2]}); $b = offsetof(struct S, ${fields[3]}); }`)).toEqual(expected);
  });

  test('unions overlap their members and take the largest size', () => {
    expect(constants('union U { char c; long l; int i; } BEGIN { $s = sizeof(union U); $o = offsetof(union U, i); }')).toEqual([8n, 0n]);
  });

  test('bit fields share their storage unit', () => {
    const r = runCheck('struct B { unsigned int a : 3; unsigned int b : 5; unsigned int c : 30; } BEGIN { $s = sizeof(struct B); }');
    expect(r.stderr).toBe('');
    const st = r.checked!.structs.get('struct B')!;
    expect(st.fields.map((f) => [f.name, f.offset, f.bitfield?.bitOffset, f.bitfield?.bitWidth])).toEqual([
      ['a', 0, 0, 3],
      ['b', 0, 3, 5],
      ['c', 4, 0, 30],
    ]);
    expect(st.size).toBe(8);
  });

  test('nested and anonymous members', () => {
    const r = runCheck('struct N { int x; struct { int a; long b; } inner; union { int u; char v; }; } BEGIN { $o = offsetof(struct N, inner.b); $p = offsetof(struct N, u); }');
    expect(r.stderr).toBe('');
    const c = r.checked!;
    expect(c.probes[0]!.body.stmts.map((s) => c.constants.get((s as Extract<Stmt, { kind: 'AssignVar' }>).value))).toEqual([16n, 24n]);
  });

  test('enums: constants usable in expressions, casts check the variant', () => {
    expect(runCheck('enum color { RED, GREEN = 5, BLUE } BEGIN { $c = (enum color)6; }').stderr).toBe('');
    expect(runCheck('enum color { RED, GREEN = 5, BLUE } BEGIN { $c = (enum color)3; }').stderr).toContain("Enum: color doesn't contain a variant value of 3");
  });
});

describe('kernel types', () => {
  test('kernel structs through pointers, with fields at BTF offsets', () => {
    const r = runCheck('kprobe:tcp_connect { $sk = (struct sock *)arg0; $f = $sk->__sk_common.skc_family; $d = $sk.__sk_common.skc_dport; }');
    expect(r.stderr).toBe('');
    expect(r.checked!.probes[0]!.variables.map((v) => `${v.name}: ${typeName(v.type)}`)).toEqual([
      '$sk: struct sock *',
      '$f: uint16',
      '$d: uint16',
    ]);
  });

  test('kernel typedefs as cast targets', () => {
    const r = runCheck('BEGIN { $a = (uint64_t)1; $b = (u32)2; $c = (pid_t)3; }');
    expect(r.stderr).toBe('');
    expect(r.checked!.probes[0]!.variables.map((v) => typeName(v.type))).toEqual(['uint64', 'uint32', 'int32']);
  });

  test('char arrays read as strings, other arrays stay arrays', () => {
    const r = runCheck('BEGIN { $t = curtask; $c = $t->comm; $s = $t->__state; }');
    expect(r.stderr).toBe('');
    expect(typeName(r.checked!.probes[0]!.variables[1]!.type)).toBe('string[16]');
  });

  test('unknown struct and unknown field', () => {
    expect(runCheck('BEGIN { $x = (struct nope *)0; }').stderr).toContain('Cannot resolve unknown type "struct nope"');
    expect(runCheck('BEGIN { $x = curtask->nope; }').stderr).toContain("Struct/union of type 'struct task_struct' does not contain a field named 'nope'");
  });
});
