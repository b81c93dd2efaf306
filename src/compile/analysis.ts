// Questions the code generator asks about subtrees before compiling them: may this code
// call a helper (then values live across it must leave r0..r5 first), does it read the
// context, and the first-assignment facts that decide which variables need zeroing at
// entry. In: checked AST nodes. Out: booleans and sets, memoised per node. Not codegen.

import type { CheckedProgram } from '../check/program.js';
import type { Block, Expr, Stmt } from '../parse/ast.js';
import { childrenOf, type Node } from './walk.js';

/** Builtins that compile to a helper call. */
const CALLING_BUILTINS = new Set([
  'pid', 'tid', 'uid', 'gid', 'nsecs', 'elapsed', 'cpu', 'numaid', 'rand', 'cgroup', 'jiffies', 'comm',
  'username', 'curtask', 'ppid', 'kstack', 'ustack', 'func', 'sarg0', 'sarg1', 'sarg2', 'sarg3', 'sarg4',
  'sarg5', 'sarg6', 'sarg7', 'sarg8', 'sarg9',
]);

/** Calls that are constants or pure register arithmetic once checked. */
const PURE_CALLS = new Set(['sizeof', 'offsetof', 'bswap', 'kptr', 'uptr', 'getopt', 'cgroupid', 'kaddr', 'pton', 'is_err']);

export class Analysis {
  private readonly calls = new WeakMap<object, boolean>();

  constructor(private readonly checked: CheckedProgram) {}

  /** True when compiling n may emit a helper call. */
  mayCall(n: Node | Block): boolean {
    const have = this.calls.get(n);
    if (have !== undefined) return have;
    let r = this.callsItself(n as Node);
    if (!r) for (const c of childrenOf(n as Node)) if (this.mayCall(c)) r = true;
    this.calls.set(n, r);
    return r;
  }

  private callsItself(n: Node): boolean {
    switch (n.kind) {
      case 'Map':
      case 'AssignMap':
      case 'ForMap':
        return true;
      case 'IncDec':
        return n.target.kind === 'Map';
      case 'Builtin':
        return CALLING_BUILTINS.has(n.name);
      case 'Call':
        return !PURE_CALLS.has(n.name) || n.name === 'bswap';
      case 'FieldAccess':
      case 'Index':
        return this.checked.types.get(n.expr)?.kind === 'pointer' || this.isDataLoc(n);
      case 'Unary':
        return n.op === '*';
      case 'Binary': {
        // String and aggregate comparisons of long values use probe_read-free loops; no calls.
        return false;
      }
      case 'Jump':
        return false;
      default:
        return false;
    }
  }

  private isDataLoc(n: Node): boolean {
    if (n.kind !== 'FieldAccess') return false;
    const t = this.checked.types.get(n.expr);
    if (t?.kind !== 'struct') return false;
    return t.fields.some((f) => f.name === n.field && f.dataLoc);
  }
}

/**
 * Variables (by slot id) whose first appearance in the body is a plain top-level
 * assignment or an initialised `let`: they need no zeroing at entry. Others start at zero
 * as in bpftrace.
 */
export function definitelyAssigned(checked: CheckedProgram, body: Block, predicate?: Expr): Set<number> {
  const assigned = new Set<number>();
  const seen = new Set<number>();
  const mark = (n: Node): void => {
    const v = n.kind === 'Variable' ? n : n.kind === 'AssignVar' || n.kind === 'LetDecl' || n.kind === 'ForRange' || n.kind === 'ForMap' ? (n.kind === 'ForRange' || n.kind === 'ForMap' ? n.variable : n.target) : undefined;
    if (v) {
      const s = checked.variables.get(v);
      if (s) seen.add(s.id);
    }
    for (const c of childrenOf(n)) mark(c);
  };
  if (predicate) mark(predicate);
  for (const st of body.stmts) {
    topLevel(st);
  }
  return assigned;

  function topLevel(st: Stmt): void {
    if (st.kind === 'AssignVar' && !st.op) {
      mark(st.value);
      const s = checked.variables.get(st.target);
      if (s && !seen.has(s.id)) assigned.add(s.id);
      if (s) seen.add(s.id);
      return;
    }
    if (st.kind === 'LetDecl' && st.value) {
      mark(st.value);
      const s = checked.variables.get(st.target);
      if (s && !seen.has(s.id)) assigned.add(s.id);
      if (s) seen.add(s.id);
      return;
    }
    mark(st);
  }
}
