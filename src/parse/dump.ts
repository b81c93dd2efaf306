// `--dump ast`: the AST as an indented tree, one node per line, in the manner of
// `bpftrace -d ast` (operators and node kinds as headings, children one space deeper).
// Input: a Program. Output: text ending in a newline. Not source code (see print.ts) and
// not a stable interchange format.

import type * as A from './ast.js';
import { encodeString } from './literals.js';
import { printType } from './print.js';

type Line = [depth: number, text: string];

export function dumpAst(program: A.Program): string {
  const lines: Line[] = [[0, 'Program']];
  for (const item of program.items) topLevel(item, 1, lines);
  return lines.map(([d, t]) => ' '.repeat(d) + t).join('\n') + '\n';
}

function topLevel(item: A.TopLevel, d: number, out: Line[]): void {
  switch (item.kind) {
    case 'Include':
      out.push([d, item.system ? `#include <${item.path}>` : `#include "${item.path}"`]);
      return;
    case 'Define':
      out.push([d, `#define ${item.name}${item.params ? `(${item.params.join(', ')})` : ''} ${item.value}`.trimEnd()]);
      return;
    case 'Conditional':
      out.push([d, `${item.negated ? '#ifndef' : '#ifdef'} ${item.name}`]);
      for (const t of item.then) topLevel(t, d + 1, out);
      if (item.else.length > 0) {
        out.push([d, '#else']);
        for (const t of item.else) topLevel(t, d + 1, out);
      }
      return;
    case 'CDefinition':
      cDefinition(item, d, out);
      return;
    case 'Config':
      out.push([d, 'config']);
      for (const e of item.entries) {
        out.push([d + 1, `${e.key} =`]);
        expr(e.value, d + 2, out);
      }
      return;
    case 'Import':
      out.push([d, `import "${encodeString(item.path)}"`]);
      return;
    case 'MapDecl':
      out.push([d, `let @${item.name} = ${item.mapType}(${item.maxEntries})`]);
      return;
    case 'MacroDef': {
      const sigil = { variable: '$', map: '@', expression: '' } as const;
      out.push([d, `macro ${item.name}(${item.params.map((p) => sigil[p.sort] + p.name).join(', ')})`]);
      expr(item.body, d + 1, out);
      return;
    }
    case 'Subprog':
      out.push([d, `fn ${item.name}(${item.params.map((p) => `$${p.name}: ${printType(p.type)}`).join(', ')}): ${printType(item.returnType)}`]);
      stmts(item.body.stmts, d + 1, out);
      return;
    case 'Probe':
      for (const ap of item.attachPoints) out.push([d, (item.label !== undefined ? `${item.label}=` : '') + ap.raw]);
      if (item.predicate) {
        out.push([d + 1, 'pred']);
        expr(item.predicate, d + 2, out);
      }
      stmts(item.body.stmts, d + 1, out);
      return;
  }
}

function cDefinition(def: A.CDefinition, d: number, out: Line[]): void {
  out.push([d, def.name === '' ? def.tag : `${def.tag} ${def.name}`]);
  for (const e of def.enumerators) out.push([d + 1, e.value === undefined ? e.name : `${e.name} = ${e.value}`]);
  for (const f of def.fields) {
    const bits = f.bitWidth !== undefined ? ` : ${f.bitWidth}` : '';
    if (f.inline) {
      cDefinition(f.inline, d + 1, out);
      if (f.name !== '') out.push([d + 2, `name: ${f.name}`]);
    } else {
      out.push([d + 1, `${printType(f.type)} ${f.name}${bits}`]);
    }
  }
}

function stmts(list: readonly A.Stmt[], d: number, out: Line[]): void {
  for (const s of list) stmt(s, d, out);
}

function stmt(s: A.Stmt, d: number, out: Line[]): void {
  switch (s.kind) {
    case 'ExprStmt':
      if (s.discard) {
        out.push([d, '_ =']);
        expr(s.expr, d + 1, out);
      } else {
        expr(s.expr, d, out);
      }
      return;
    case 'AssignVar':
    case 'AssignMap':
      out.push([d, `${s.op ?? ''}=`]);
      expr(s.target, d + 1, out);
      expr(s.value, d + 1, out);
      return;
    case 'LetDecl':
      out.push([d, 'let']);
      expr(s.target, d + 1, out);
      if (s.type) out.push([d + 1, `type: ${printType(s.type)}`]);
      if (s.value) expr(s.value, d + 1, out);
      return;
    case 'If':
      out.push([d, 'if']);
      expr(s.cond, d + 1, out);
      out.push([d + 1, 'then']);
      stmts(s.then.stmts, d + 2, out);
      if (s.else) {
        out.push([d + 1, 'else']);
        if (s.else.kind === 'If') stmt(s.else, d + 2, out);
        else stmts(s.else.stmts, d + 2, out);
      }
      return;
    case 'Unroll':
      out.push([d, 'unroll']);
      expr(s.count, d + 1, out);
      out.push([d + 1, 'block']);
      stmts(s.body.stmts, d + 2, out);
      return;
    case 'While':
      out.push([d, 'while']);
      expr(s.cond, d + 1, out);
      out.push([d + 1, 'block']);
      stmts(s.body.stmts, d + 2, out);
      return;
    case 'ForMap':
      out.push([d, 'for']);
      expr(s.variable, d + 1, out);
      expr(s.map, d + 1, out);
      out.push([d + 1, 'block']);
      stmts(s.body.stmts, d + 2, out);
      return;
    case 'ForRange':
      out.push([d, 'for']);
      expr(s.variable, d + 1, out);
      out.push([d + 1, 'range']);
      expr(s.from, d + 2, out);
      expr(s.to, d + 2, out);
      out.push([d + 1, 'block']);
      stmts(s.body.stmts, d + 2, out);
      return;
    case 'Jump':
      out.push([d, s.jump]);
      if (s.value) expr(s.value, d + 1, out);
      return;
    case 'Block':
      out.push([d, 'block']);
      stmts(s.stmts, d + 1, out);
      return;
    case 'Import':
      out.push([d, `import "${encodeString(s.path)}"`]);
      return;
  }
}

function typeOrExpr(arg: A.TypeExpr | A.Expr, d: number, out: Line[]): void {
  if (arg.kind === 'Type') out.push([d, `type: ${printType(arg)}`]);
  else expr(arg, d, out);
}

function expr(e: A.Expr, d: number, out: Line[]): void {
  const children = (...cs: A.Expr[]) => cs.forEach((c) => expr(c, d + 1, out));
  switch (e.kind) {
    case 'Int':
      out.push([d, `int: ${e.value}`]);
      return;
    case 'String':
      out.push([d, `string: ${encodeString(e.value)}`]);
      return;
    case 'Bool':
      out.push([d, `bool: ${e.value}`]);
      return;
    case 'Variable':
      out.push([d, `variable: $${e.name}`]);
      return;
    case 'Map':
      out.push([d, `map: @${e.name}`]);
      if (e.keys) children(...e.keys);
      return;
    case 'Positional':
      out.push([d, `param: $${e.index}`]);
      return;
    case 'PositionalCount':
      out.push([d, 'param: $#']);
      return;
    case 'Builtin':
      out.push([d, `builtin: ${e.name}`]);
      return;
    case 'Identifier':
      out.push([d, `identifier: ${e.name}`]);
      return;
    case 'Call':
      out.push([d, `call: ${e.name}`]);
      children(...e.args);
      return;
    case 'Binary':
      out.push([d, e.op]);
      children(e.left, e.right);
      return;
    case 'Unary':
      out.push([d, e.op]);
      children(e.operand);
      return;
    case 'IncDec':
      out.push([d, `${e.op} (${e.prefix ? 'pre' : 'post'})`]);
      children(e.target);
      return;
    case 'Ternary':
      out.push([d, e.then ? '?:' : '?: (short)']);
      children(e.cond, ...(e.then ? [e.then] : []), e.else);
      return;
    case 'Cast':
      out.push([d, `(${printType(e.type)})`]);
      children(e.expr);
      return;
    case 'FieldAccess':
      out.push([d, `${e.arrow ? '->' : '.'} ${e.field}`]);
      children(e.expr);
      return;
    case 'Index':
      out.push([d, '[]']);
      children(e.expr, e.index);
      return;
    case 'TupleAccess':
      out.push([d, `.${e.index}`]);
      children(e.expr);
      return;
    case 'Tuple':
      out.push([d, 'tuple:']);
      children(...e.elems);
      return;
    case 'Record':
      out.push([d, 'record:']);
      for (const f of e.fields) {
        out.push([d + 1, `${f.name} =`]);
        expr(f.value, d + 2, out);
      }
      return;
    case 'Sizeof':
      out.push([d, 'sizeof']);
      typeOrExpr(e.arg, d + 1, out);
      return;
    case 'Offsetof':
      out.push([d, `offsetof: ${e.fields.join('.')}`]);
      typeOrExpr(e.arg, d + 1, out);
      return;
    case 'Typeof':
      out.push([d, 'typeof']);
      typeOrExpr(e.arg, d + 1, out);
      return;
    case 'BlockExpr':
      out.push([d, 'block']);
      stmts(e.stmts, d + 1, out);
      if (e.value) {
        out.push([d + 1, 'value']);
        expr(e.value, d + 2, out);
      }
      return;
    case 'IfExpr':
      out.push([d, 'if']);
      expr(e.cond, d + 1, out);
      out.push([d + 1, 'then']);
      expr(e.then, d + 2, out);
      out.push([d + 1, 'else']);
      expr(e.else, d + 2, out);
      return;
  }
}
