// Test helper: expressions and statements as S-expressions, so that a table row shows the
// exact tree the parser built — `1 + 2 * 3` is `(+ 1 (* 2 3))` — without spans.

import type * as A from '../../src/parse/ast.js';
import { printType } from '../../src/parse/print.js';

export function sexpr(e: A.Expr | A.TypeExpr): string {
  switch (e.kind) {
    case 'Type':
      return `<${printType(e)}>`;
    case 'Int':
      return e.text === String(e.value) ? e.text : `${e.text}=${e.value}`;
    case 'String':
      return JSON.stringify(e.value);
    case 'Bool':
      return String(e.value);
    case 'Variable':
      return `$${e.name}`;
    case 'Map':
      return e.keys ? `@${e.name}[${e.keys.map(sexpr).join(' ')}]` : `@${e.name}`;
    case 'Positional':
      return `$${e.index}`;
    case 'PositionalCount':
      return '$#';
    case 'Builtin':
      return `builtin:${e.name}`;
    case 'Identifier':
      return `id:${e.name}`;
    case 'Call':
      return `(call ${e.name}${e.args.map((a) => ' ' + sexpr(a)).join('')})`;
    case 'Binary':
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'Unary':
      return `(${e.op} ${sexpr(e.operand)})`;
    case 'IncDec':
      return e.prefix ? `(pre${e.op} ${sexpr(e.target)})` : `(post${e.op} ${sexpr(e.target)})`;
    case 'Ternary':
      return e.then ? `(? ${sexpr(e.cond)} ${sexpr(e.then)} ${sexpr(e.else)})` : `(?: ${sexpr(e.cond)} ${sexpr(e.else)})`;
    case 'Cast':
      return `(cast ${sexpr(e.type)} ${sexpr(e.expr)})`;
    case 'FieldAccess':
      return `(${e.arrow ? '->' : '.'} ${sexpr(e.expr)} ${e.field})`;
    case 'Index':
      return `(index ${sexpr(e.expr)} ${sexpr(e.index)})`;
    case 'TupleAccess':
      return `(. ${sexpr(e.expr)} ${e.index})`;
    case 'Tuple':
      return `(tuple${e.elems.map((x) => ' ' + sexpr(x)).join('')})`;
    case 'Record':
      return `(record${e.fields.map((f) => ` ${f.name}=${sexpr(f.value)}`).join('')})`;
    case 'Sizeof':
      return `(sizeof ${sexpr(e.arg)})`;
    case 'Offsetof':
      return `(offsetof ${sexpr(e.arg)} ${e.fields.join('.')})`;
    case 'Typeof':
      return `(typeof ${sexpr(e.arg)})`;
    case 'BlockExpr':
      return `(block${e.stmts.map((s) => ' ' + sstmt(s)).join('')}${e.value ? ' => ' + sexpr(e.value) : ''})`;
    case 'IfExpr':
      return `(if ${sexpr(e.cond)} ${sexpr(e.then)} ${sexpr(e.else)})`;
  }
}

export function sstmt(s: A.Stmt): string {
  const block = (b: A.Block) => `{${b.stmts.map((x) => ' ' + sstmt(x)).join('')} }`;
  switch (s.kind) {
    case 'ExprStmt':
      return s.discard ? `(_= ${sexpr(s.expr)})` : sexpr(s.expr);
    case 'AssignVar':
    case 'AssignMap':
      return `(${s.op ?? ''}= ${sexpr(s.target)} ${sexpr(s.value)})`;
    case 'LetDecl':
      return `(let ${sexpr(s.target)}${s.type ? ' ' + sexpr(s.type) : ''}${s.value ? ' ' + sexpr(s.value) : ''})`;
    case 'If':
      return `(if ${sexpr(s.cond)} ${block(s.then)}${s.else ? ' else ' + (s.else.kind === 'If' ? sstmt(s.else) : block(s.else)) : ''})`;
    case 'Unroll':
      return `(unroll ${sexpr(s.count)} ${block(s.body)})`;
    case 'While':
      return `(while ${sexpr(s.cond)} ${block(s.body)})`;
    case 'ForMap':
      return `(for ${sexpr(s.variable)} ${sexpr(s.map)} ${block(s.body)})`;
    case 'ForRange':
      return `(for ${sexpr(s.variable)} ${sexpr(s.from)}..${sexpr(s.to)} ${block(s.body)})`;
    case 'Jump':
      return s.value ? `(${s.jump} ${sexpr(s.value)})` : `(${s.jump})`;
    case 'Block':
      return block(s);
    case 'Import':
      return `(import ${JSON.stringify(s.path)})`;
  }
}
