// Read-only traversal of the checked AST for the compiler's pre-scans: the children of a
// statement or expression, and a pre-order walk over both. In: AST nodes. Out: visits.
// Not a rewriter (check/rewrite.ts copies trees; this never allocates nodes).

import type { Block, Expr, Stmt } from '../parse/ast.js';

export type Node = Stmt | Expr;

/** The direct children of a node, in evaluation order. */
export function childrenOf(n: Node): Node[] {
  switch (n.kind) {
    case 'ExprStmt':
      return [n.expr];
    case 'AssignVar':
      return [n.value];
    case 'AssignMap':
      return [...(n.target.keys ?? []), n.value];
    case 'LetDecl':
      return n.value ? [n.value] : [];
    case 'If':
      return [n.cond, n.then, ...(n.else ? [n.else] : [])];
    case 'Unroll':
      return [n.count, n.body];
    case 'While':
      return [n.cond, n.body];
    case 'ForMap':
      return [n.map, n.body];
    case 'ForRange':
      return [n.from, n.to, n.body];
    case 'Jump':
      return n.value ? [n.value] : [];
    case 'Block':
      return [...n.stmts];
    case 'Import':
      return [];
    case 'Map':
      return [...(n.keys ?? [])];
    case 'Call':
      return [...n.args];
    case 'Binary':
      return [n.left, n.right];
    case 'Unary':
      return [n.operand];
    case 'IncDec':
      return [n.target];
    case 'Ternary':
      return [n.cond, ...(n.then ? [n.then] : []), n.else];
    case 'Cast':
      return [n.expr];
    case 'FieldAccess':
      return [n.expr];
    case 'Index':
      return [n.expr, n.index];
    case 'TupleAccess':
      return [n.expr];
    case 'Tuple':
      return [...n.elems];
    case 'Record':
      return n.fields.map((f) => f.value);
    case 'Sizeof':
    case 'Offsetof':
    case 'Typeof':
      return n.arg.kind === 'Type' ? [] : [n.arg];
    case 'BlockExpr':
      return [...n.stmts, ...(n.value ? [n.value] : [])];
    case 'IfExpr':
      return [n.cond, n.then, n.else];
    default:
      return [];
  }
}

/** Pre-order visit of n and everything under it. */
export function forEachNode(n: Node | Block, visit: (n: Node) => void): void {
  visit(n);
  for (const c of childrenOf(n)) forEachNode(c, visit);
}

/** True when some node under n (n included) satisfies pred. */
export function someNode(n: Node | Block, pred: (n: Node) => boolean): boolean {
  if (pred(n)) return true;
  for (const c of childrenOf(n)) if (someNode(c, pred)) return true;
  return false;
}
