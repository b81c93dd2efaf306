// A structural copier for the AST: walks every statement and expression and rebuilds it,
// with one overridable method per node family. Expansion passes (macros, #define constants,
// positional parameters) subclass it to substitute nodes; plain use deep-copies a subtree so
// that each macro expansion owns distinct nodes. In: AST; out: new AST. No checking here.

import type {
  Block,
  BlockExpr,
  Expr,
  MapRef,
  Stmt,
  TypeExpr,
  Variable,
} from '../parse/ast.js';

export class AstCopier {
  block(b: Block): Block {
    return { ...b, stmts: this.stmts(b.stmts) };
  }

  stmts(list: readonly Stmt[]): Stmt[] {
    return list.map((s) => this.stmt(s));
  }

  stmt(s: Stmt): Stmt {
    switch (s.kind) {
      case 'ExprStmt':
        return { ...s, expr: this.expr(s.expr) };
      case 'AssignVar':
        return { ...s, target: this.variable(s.target), value: this.expr(s.value) };
      case 'AssignMap':
        return { ...s, target: this.mapRef(s.target), value: this.expr(s.value) };
      case 'LetDecl':
        return {
          ...s,
          target: this.variable(s.target),
          ...(s.type ? { type: this.typeExpr(s.type) } : {}),
          ...(s.value ? { value: this.expr(s.value) } : {}),
        };
      case 'If':
        return {
          ...s,
          cond: this.expr(s.cond),
          then: this.block(s.then),
          ...(s.else ? { else: s.else.kind === 'If' ? (this.stmt(s.else) as typeof s.else) : this.block(s.else) } : {}),
        };
      case 'Unroll':
        return { ...s, count: this.expr(s.count), body: this.block(s.body) };
      case 'While':
        return { ...s, cond: this.expr(s.cond), body: this.block(s.body) };
      case 'ForMap':
        return { ...s, variable: this.variable(s.variable), map: this.mapRef(s.map), body: this.block(s.body) };
      case 'ForRange':
        return { ...s, variable: this.variable(s.variable), from: this.expr(s.from), to: this.expr(s.to), body: this.block(s.body) };
      case 'Jump':
        return s.value ? { ...s, value: this.expr(s.value) } : { ...s };
      case 'Block':
        return this.block(s);
      case 'Import':
        return { ...s };
    }
  }

  variable(v: Variable): Variable {
    return { ...v };
  }

  mapRef(m: MapRef): MapRef {
    return m.keys ? { ...m, keys: m.keys.map((k) => this.expr(k)) } : { ...m };
  }

  typeExpr(t: TypeExpr): TypeExpr {
    if (!t.typeofArg) return { ...t };
    const arg = t.typeofArg.kind === 'Type' ? this.typeExpr(t.typeofArg) : this.expr(t.typeofArg);
    return { ...t, typeofArg: arg };
  }

  blockExpr(b: BlockExpr): BlockExpr {
    return { ...b, stmts: this.stmts(b.stmts), ...(b.value ? { value: this.expr(b.value) } : {}) };
  }

  /** Type-or-expression operands of sizeof/offsetof/typeof. */
  typeOrExpr(a: TypeExpr | Expr): TypeExpr | Expr {
    return a.kind === 'Type' ? this.typeExpr(a) : this.expr(a);
  }

  expr(e: Expr): Expr {
    switch (e.kind) {
      case 'Int':
      case 'String':
      case 'Bool':
      case 'Positional':
      case 'PositionalCount':
      case 'Builtin':
      case 'Identifier':
        return { ...e };
      case 'Variable':
        return this.variable(e);
      case 'Map':
        return this.mapRef(e);
      case 'Call':
        return { ...e, args: e.args.map((a) => this.expr(a)) };
      case 'Binary':
        return { ...e, left: this.expr(e.left), right: this.expr(e.right) };
      case 'Unary':
        return { ...e, operand: this.expr(e.operand) };
      case 'IncDec':
        return { ...e, target: e.target.kind === 'Variable' ? this.variable(e.target) : this.mapRef(e.target) };
      case 'Ternary':
        return { ...e, cond: this.expr(e.cond), ...(e.then ? { then: this.expr(e.then) } : {}), else: this.expr(e.else) };
      case 'Cast':
        return { ...e, type: this.typeExpr(e.type), expr: this.expr(e.expr) };
      case 'FieldAccess':
        return { ...e, expr: this.expr(e.expr) };
      case 'Index':
        return { ...e, expr: this.expr(e.expr), index: this.expr(e.index) };
      case 'TupleAccess':
        return { ...e, expr: this.expr(e.expr) };
      case 'Tuple':
        return { ...e, elems: e.elems.map((x) => this.expr(x)) };
      case 'Record':
        return { ...e, fields: e.fields.map((f) => ({ ...f, value: this.expr(f.value) })) };
      case 'Sizeof':
        return { ...e, arg: this.typeOrExpr(e.arg) };
      case 'Offsetof':
        return { ...e, arg: this.typeOrExpr(e.arg) };
      case 'Typeof':
        return { ...e, arg: this.typeOrExpr(e.arg) };
      case 'BlockExpr':
        return this.blockExpr(e);
      case 'IfExpr':
        return { ...e, cond: this.expr(e.cond), then: this.blockExpr(e.then), else: this.blockExpr(e.else) };
    }
  }
}

/** Visits every expression of a subtree (pre-order), for collectors. */
export function forEachExpr(root: Stmt | Expr | Block, visit: (e: Expr) => void): void {
  const walker = new (class extends AstCopier {
    override expr(e: Expr): Expr {
      visit(e);
      return super.expr(e);
    }
  })();
  if ('stmts' in root && root.kind === 'Block') walker.block(root);
  else if (isStmt(root)) walker.stmt(root);
  else walker.expr(root as Expr);
}

const STMT_KINDS = new Set(['ExprStmt', 'AssignVar', 'AssignMap', 'LetDecl', 'If', 'Unroll', 'While', 'ForMap', 'ForRange', 'Jump', 'Block', 'Import']);

export function isStmt(n: { kind: string }): n is Stmt {
  return STMT_KINDS.has(n.kind);
}
