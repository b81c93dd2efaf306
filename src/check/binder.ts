// Scratch-variable scoping: walks each probe once, in program order, and binds every
// variable occurrence to a slot (block scoped, as bpftrace scopes them; macro expansions
// are hygienic through their expansion id). Reports undefined variables, `let` shadowing,
// declarations after use, break/continue outside loops. In: expanded AST; out: bindings.
// Types are not known here; infer.ts gives each slot its type.

import type { DiagnosticBag } from '../diag/diagnostic.js';
import { checkMessages as M } from '../diag/messages.js';
import type { SourceFile, Span } from '../diag/source.js';
import type { Block, BlockExpr, Expr, ForMap, ForRange, LetDecl, Stmt, Variable } from '../parse/ast.js';
import { bare } from './expand.js';

export interface Slot {
  readonly id: number;
  /** Display name with '$'. */
  readonly name: string;
  readonly span: Span;
  readonly declaredBy?: LetDecl | ForMap | ForRange;
  readonly probe: number;
  /** `let $x: T` */
  readonly declaredType?: LetDecl['type'];
}

interface Scope {
  readonly vars: Map<string, Slot>;
  /** Variables introduced by `let` in this scope (for the shadowing rule). */
  readonly lets: Map<string, Span>;
  readonly loop: boolean;
}

export interface Bindings {
  readonly slotOf: Map<Variable, Slot>;
  readonly slots: Slot[];
}

export class Binder {
  readonly slotOf = new Map<Variable, Slot>();
  readonly slots: Slot[] = [];
  private scopes: Scope[] = [];
  private loopDepth = 0;
  private probe = -1;
  private assigned = new Set<Slot>();

  constructor(
    private readonly bag: DiagnosticBag,
    private readonly hygiene: WeakMap<Variable, number>,
    private readonly sourceFor: (node: object) => SourceFile,
  ) {}

  private key(v: Variable): string {
    return `${this.hygiene.get(v) ?? 0}:${bare(v.name)}`;
  }

  private err(node: { span: Span }, m: import('../diag/diagnostic.js').Message): void {
    this.bag.error(this.sourceFor(node), node.span, m);
  }

  /** Binds a probe body (and predicate) or a subprogram body; `params` are pre-bound names. */
  bindProbe(index: number, predicate: Expr | undefined, body: Block, params: readonly Variable[] = []): void {
    this.probe = index;
    this.scopes = [];
    this.assigned = new Set();
    this.push(false);
    for (const p of params) {
      const slot = this.newSlot(p, undefined);
      this.assigned.add(slot);
    }
    if (predicate) this.expr(predicate);
    this.stmts(body.stmts);
    this.pop();
  }

  private push(loop: boolean): void {
    this.scopes.push({ vars: new Map(), lets: new Map(), loop });
  }

  private pop(): void {
    this.scopes.pop();
  }

  private find(v: Variable): Slot | undefined {
    const k = this.key(v);
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const s = this.scopes[i]!.vars.get(k);
      if (s) return s;
    }
    return undefined;
  }

  private newSlot(v: Variable, by: LetDecl | ForMap | ForRange | undefined): Slot {
    const slot: Slot = {
      id: this.slots.length,
      name: `$${bare(v.name)}`,
      span: v.span,
      probe: this.probe,
      ...(by ? { declaredBy: by } : {}),
      ...(by?.kind === 'LetDecl' && by.type ? { declaredType: by.type } : {}),
    };
    this.slots.push(slot);
    this.scopes[this.scopes.length - 1]!.vars.set(this.key(v), slot);
    this.slotOf.set(v, slot);
    return slot;
  }

  private block(b: Block | BlockExpr, loop = false): void {
    this.push(loop);
    this.stmts(b.stmts);
    if (b.kind === 'BlockExpr' && b.value) this.expr(b.value);
    this.pop();
  }

  private stmts(list: readonly Stmt[]): void {
    for (const s of list) this.stmt(s);
  }

  private assignTo(v: Variable): void {
    const found = this.find(v);
    if (found) {
      this.slotOf.set(v, found);
      this.assigned.add(found);
    } else this.assigned.add(this.newSlot(v, undefined));
  }

  private stmt(s: Stmt): void {
    switch (s.kind) {
      case 'ExprStmt':
        this.expr(s.expr);
        return;
      case 'AssignVar':
        if (s.op) {
          // `$x += e` reads $x first.
          this.use(s.target);
          this.expr(s.value);
          return;
        }
        this.expr(s.value);
        this.assignTo(s.target);
        return;
      case 'AssignMap':
        this.mapKeys(s.target.keys);
        this.expr(s.value);
        return;
      case 'LetDecl':
        this.let(s);
        return;
      case 'If':
        this.expr(s.cond);
        this.block(s.then);
        if (s.else) {
          if (s.else.kind === 'If') this.stmt(s.else);
          else this.block(s.else);
        }
        return;
      case 'Unroll':
        this.expr(s.count);
        this.block(s.body);
        return;
      case 'While':
        this.expr(s.cond);
        this.loopDepth++;
        this.block(s.body, true);
        this.loopDepth--;
        return;
      case 'ForMap':
      case 'ForRange': {
        if (s.kind === 'ForMap') this.mapKeys(s.map.keys);
        else {
          this.expr(s.from);
          this.expr(s.to);
        }
        if (this.find(s.variable)) this.err(s.variable, M.loopShadows(`$${bare(s.variable.name)}`));
        this.push(true);
        this.assigned.add(this.newSlot(s.variable, s));
        this.loopDepth++;
        this.block(s.body);
        this.loopDepth--;
        this.pop();
        return;
      }
      case 'Jump':
        if (s.jump !== 'return' && this.loopDepth === 0) this.err(s, M.jumpOutsideLoop(s.jump));
        if (s.value) this.expr(s.value);
        return;
      case 'Block':
        this.block(s);
        return;
      case 'Import':
        return;
    }
  }

  private let(s: LetDecl): void {
    const name = bare(s.target.name);
    const key = this.key(s.target);
    for (const scope of this.scopes) {
      const prior = scope.lets.get(key);
      if (prior && prior !== s.span) {
        this.err(s, M.letShadowing(`$${name}`));
        this.bag.error(this.sourceFor(s), prior, M.initialDeclaration());
        return;
      }
    }
    if (this.find(s.target)) {
      this.err(s, M.declarationAfterUse(`$${name}`));
      return;
    }
    if (s.value) this.expr(s.value);
    const slot = this.newSlot(s.target, s);
    this.scopes[this.scopes.length - 1]!.lets.set(key, s.span);
    if (s.value) this.assigned.add(slot);
  }

  private use(v: Variable): void {
    const found = this.find(v);
    if (!found) {
      this.err(v, M.undefinedVariable(`$${bare(v.name)}`));
      return;
    }
    this.slotOf.set(v, found);
    if (!this.assigned.has(found)) this.bag.warning(this.sourceFor(v), v.span, M.usedBeforeAssigned(`$${bare(v.name)}`));
  }

  private mapKeys(keys: readonly Expr[] | undefined): void {
    for (const k of keys ?? []) this.expr(k);
  }

  private expr(e: Expr): void {
    switch (e.kind) {
      case 'Variable':
        this.use(e);
        return;
      case 'Map':
        this.mapKeys(e.keys);
        return;
      case 'Call':
        for (const a of e.args) this.expr(a);
        return;
      case 'Binary':
        this.expr(e.left);
        this.expr(e.right);
        return;
      case 'Unary':
        this.expr(e.operand);
        return;
      case 'IncDec':
        if (e.target.kind === 'Variable') this.use(e.target);
        else this.mapKeys(e.target.keys);
        return;
      case 'Ternary':
        this.expr(e.cond);
        if (e.then) this.expr(e.then);
        this.expr(e.else);
        return;
      case 'Cast':
        if (e.type.typeofArg && e.type.typeofArg.kind !== 'Type') this.expr(e.type.typeofArg);
        this.expr(e.expr);
        return;
      case 'FieldAccess':
      case 'TupleAccess':
        this.expr(e.expr);
        return;
      case 'Index':
        this.expr(e.expr);
        this.expr(e.index);
        return;
      case 'Tuple':
        for (const x of e.elems) this.expr(x);
        return;
      case 'Record':
        for (const f of e.fields) this.expr(f.value);
        return;
      case 'Sizeof':
      case 'Offsetof':
      case 'Typeof':
        if (e.arg.kind !== 'Type') this.expr(e.arg);
        else if (e.arg.typeofArg && e.arg.typeofArg.kind !== 'Type') this.expr(e.arg.typeofArg);
        return;
      case 'BlockExpr':
        this.block(e);
        return;
      case 'IfExpr':
        this.expr(e.cond);
        this.block(e.then);
        this.block(e.else);
        return;
      default:
        return;
    }
  }
}
