// Ohm semantics for grammar/bpftrace.ohm: a successful match → the AST of ast.ts, with a
// span (offsets into the source) on every node. Literal decoding and the few syntax rules
// a grammar cannot state well (program section order, immutable fields, `$0`) report into
// the parse context's diagnostic bag. No Ohm type leaves this file except through
// parse-program.ts, which owns the match. It does not check types or resolve names.

import type { IterationNode, Node } from 'ohm-js';
import grammar from './generated/bpftrace.ohm-bundle.js';
import type { BPFtraceActionDict } from './generated/bpftrace.ohm-bundle.js';
import type { DiagnosticBag, Message } from '../diag/diagnostic.js';
import type { SourceFile, Span } from '../diag/source.js';
import { parseMessages } from '../diag/messages.js';
import type * as A from './ast.js';
import { decodeInteger, decodeString } from './literals.js';
import { splitAttachPoint, substitutePositionals } from './attach-point.js';
import { BINARY_PRECEDENCE } from './operators.js';

/** What the actions need besides the tree: where diagnostics go and the positional values. */
export interface ParseContext {
  readonly source: SourceFile;
  readonly bag: DiagnosticBag;
  readonly positional?: readonly string[];
}

let ctx: ParseContext | undefined;

/** Runs `fn` with `context` visible to the semantic actions (parsing is synchronous). */
export function withParseContext<T>(context: ParseContext, fn: () => T): T {
  const saved = ctx;
  ctx = context;
  try {
    return fn();
  } finally {
    ctx = saved;
  }
}

function report(span: Span, m: Message): void {
  if (ctx) ctx.bag.error(ctx.source, span, m);
}

function sp(n: Node): Span {
  return { start: n.source.startIdx, end: n.source.endIdx };
}

// Typed calls into the operations below.
const expr = (n: Node): A.Expr => n['expr']();
const stmt = (n: Node): A.Stmt => n['stmt']();
const top = (n: Node): A.TopLevel => n['top']();
const typ = (n: Node): A.TypeExpr => n['type']();
const typeOrExpr = (n: Node): A.TypeExpr | A.Expr => n['typeOrExpr']();
const fields = (n: Node): A.CField[] => n['fields']();
const list = (n: Node): Node[] => n.asIteration().children;
const opt = (n: IterationNode): Node | undefined => n.children[0];
/** The items of `(NonemptyListOf<X, sep> sep?)?`: a list with an optional trailing separator. */
const optionalList = (n: IterationNode): Node[] => (n.children[0] ? list(n.children[0].child(0)) : []);

/** bpftrace's own type names: a bare one of these in sizeof()/typeof() is a type. */
const BUILTIN_TYPE_NAMES = new Set([
  'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'void',
  'min_t', 'max_t', 'sum_t', 'count_t', 'avg_t', 'stats_t', 'umin_t', 'umax_t', 'usum_t',
  'uavg_t', 'ustats_t', 'timestamp', 'macaddr_t', 'cgroup_path_t', 'string', 'buffer', 'inet',
  'username_t',
]);

function block(n: Node, stmtsNode: Node): A.Block {
  return { kind: 'Block', span: sp(n), stmts: stmtsNode.children.map(stmt) };
}

function blockExpr(n: Node): A.BlockExpr {
  return n['expr']() as A.BlockExpr;
}

/**
 * Groups `a op b op c …` by precedence climbing: each operator takes as its right operand
 * everything that binds tighter. Recursion is bounded by the number of precedence levels.
 */
function climb(operands: readonly A.Expr[], ops: readonly A.BinaryOp[]): A.Expr {
  let k = 0;
  const parse = (minPrecedence: number): A.Expr => {
    let left = operands[k]!;
    while (k < ops.length && BINARY_PRECEDENCE[ops[k]!] >= minPrecedence) {
      const op = ops[k++]!;
      const right = parse(BINARY_PRECEDENCE[op] + 1);
      left = { kind: 'Binary', span: { start: left.span.start, end: right.span.end }, op, left, right };
    }
    return left;
  };
  return parse(0);
}

function incTarget(n: Node): A.Variable | A.MapRef {
  return expr(n) as A.Variable | A.MapRef;
}

function compoundOp(op: Node): A.CompoundOp | undefined {
  const text = op.sourceString;
  return text === '=' ? undefined : (text.slice(0, -1) as A.CompoundOp);
}

/** `int`, `unsigned  long` → words separated by single spaces. */
function normaliseWords(text: string): string {
  return text.trim().split(/\s+/).join(' ');
}

/**
 * A `#define`'s replacement text: comments (outside string literals) and line
 * continuations become single spaces, blanks at either end go. `start`/`end` bound the
 * text within `raw`.
 */
function defineText(raw: string): { text: string; start: number; end: number } {
  let out = '';
  let lastSignificant = 0;
  let first = -1;
  for (let i = 0; i < raw.length; ) {
    const c = raw[i]!;
    if (c === '"') {
      const m = /^"(?:\\.|[^"\\\n])*"?/.exec(raw.slice(i))![0];
      if (first < 0) first = i;
      out += m;
      i += m.length;
      lastSignificant = i;
    } else if (raw.startsWith('//', i)) {
      break;
    } else if (raw.startsWith('/*', i)) {
      const close = raw.indexOf('*/', i + 2);
      i = close < 0 ? raw.length : close + 2;
      out += ' ';
    } else if (c === '\\' && /^\\\r?\n/.test(raw.slice(i))) {
      i += raw[i + 1] === '\r' ? 3 : 2;
      while (raw[i] === ' ' || raw[i] === '\t') i++;
      out = out.trimEnd() + ' ';
    } else {
      if (!/\s/.test(c)) {
        if (first < 0) first = i;
        lastSignificant = i + 1;
      }
      out += c;
      i++;
    }
  }
  const text = out.trim();
  return first < 0 ? { text: '', start: 0, end: 0 } : { text, start: first, end: lastSignificant };
}

function attachPoint(n: Node): A.AttachPoint {
  const raw = substitutePositionals(n.sourceString, ctx?.positional);
  const split = splitAttachPoint(raw);
  const node: A.AttachPoint = { kind: 'AttachPoint', span: sp(n), raw, provider: split.provider, parts: split.parts };
  return split.offset === undefined ? node : { ...node, offset: split.offset };
}

function integerLiteral(n: Node): A.IntLiteral {
  const text = n.sourceString;
  const decoded = decodeInteger(text);
  if (!decoded.ok) {
    report({ start: n.source.startIdx + decoded.start, end: n.source.startIdx + decoded.end }, decoded.message);
    return { kind: 'Int', span: sp(n), value: 0n, text };
  }
  return { kind: 'Int', span: sp(n), value: decoded.value, text };
}

function stringValue(n: Node): string {
  const text = n.sourceString;
  const decoded = decodeString(text.slice(1, -1));
  if (!decoded.ok) {
    const base = n.source.startIdx + 1;
    report({ start: base + decoded.start, end: base + decoded.end }, decoded.message);
    return '';
  }
  return decoded.value;
}

function stringLiteral(n: Node): A.StringLiteral {
  return { kind: 'String', span: sp(n), value: stringValue(n) };
}

function positional(n: Node): A.Expr {
  const digits = n.sourceString.slice(1);
  const index = Number(digits);
  if (index < 1 || !Number.isSafeInteger(index)) report(sp(n), parseMessages.positionalRange(n.sourceString));
  return { kind: 'Positional', span: sp(n), index };
}

function makeType(
  span: Span,
  base: { name: string; typeofArg?: A.Expr | A.TypeExpr },
  suffixes: readonly Node[],
): A.TypeExpr {
  let pointer = 0;
  let outerPointer = 0;
  const dims: number[] = [];
  for (const s of suffixes) {
    if (s.sourceString === '*') {
      if (dims.length === 0) pointer++;
      else outerPointer++;
      continue;
    }
    // `T[2]*[3]` has no representation: dimensions must be adjacent.
    if (outerPointer > 0) report(sp(s), parseMessages.unsupportedCDeclarator());
    const digits = s.sourceString.slice(1, -1).trim();
    dims.push(digits === '' ? 0 : Number(decodeIntegerOrReport(digits, s)));
  }
  return withDims({ kind: 'Type', span, name: base.name, pointer }, dims, outerPointer, base.typeofArg);
}

/** Adds the optional parts of a TypeExpr that are present. */
function withDims(t: A.TypeExpr, dims: readonly number[], outerPointer = 0, typeofArg?: A.Expr | A.TypeExpr): A.TypeExpr {
  return {
    ...t,
    ...(dims.length > 0 ? { arraySize: dims[0]! } : {}),
    ...(dims.length > 1 ? { arrayDims: dims } : {}),
    ...(outerPointer > 0 ? { outerPointer } : {}),
    ...(typeofArg !== undefined ? { typeofArg } : {}),
  };
}

function decodeIntegerOrReport(text: string, n: Node): bigint {
  const d = decodeInteger(text);
  if (d.ok) return d.value;
  report(sp(n), d.message);
  return 0n;
}

/** The base of a Type node, as { name, typeofArg }. */
function typeBase(n: Node): { name: string; typeofArg?: A.Expr | A.TypeExpr } {
  return n['typeBase']();
}

// ── top level ────────────────────────────────────────────────────────────────────────────

const programActions: BPFtraceActionDict<A.Program> = {
  Program(shebang, items, _end) {
    const s = opt(shebang);
    const end = ctx ? ctx.source.text.length : this.source.endIdx;
    const program: A.Program = { kind: 'Program', span: { start: 0, end }, items: items.children.map(top) };
    return s ? { ...program, shebang: s.sourceString } : program;
  },
};

const topActions: BPFtraceActionDict<A.TopLevel> = {
  TopLevel(item) {
    return top(item);
  },
  CItem(item) {
    return top(item);
  },
  Directive(d) {
    return top(d);
  },
  Conditional(start, items, elsePart, _end) {
    const s = start.child(0);
    const name = s.children.find((c) => c.ctorName === 'identName')!.sourceString;
    const negated = s.ctorName === 'conditionalStart_ifndef' || s.ctorName === 'conditionalStart_ifNotDefined';
    const elseNode = opt(elsePart);
    return {
      kind: 'Conditional',
      span: sp(this),
      name,
      negated,
      then: items.children.map(top),
      else: elseNode ? elseNode.child(1).children.map(top) : [],
    };
  },
  include_system(_h, _s1, _kw, _s2, _open, path, _close, _rest) {
    return { kind: 'Include', span: sp(this), path: path.sourceString, system: true };
  },
  include_local(_h, _s1, _kw, _s2, _open, path, _close, _rest) {
    return { kind: 'Include', span: sp(this), path: path.sourceString, system: false };
  },
  define(_h, _s1, _kw, _s2, name, params, value) {
    const p = opt(params);
    const { text, start, end } = defineText(value.sourceString);
    const base = value.source.startIdx;
    const node: A.Define = {
      kind: 'Define',
      span: { start: this.source.startIdx, end: value.source.endIdx },
      name: name.sourceString,
      value: text,
      valueSpan: { start: base + start, end: base + end },
    };
    return p ? { ...node, params: list(p.child(2)).map((x) => x.sourceString) } : node;
  },
  otherDirective(_h, _s, name, _rest) {
    report(sp(this), parseMessages.unsupportedDirective(name.sourceString));
    // Kept as an (unresolvable) include so the tree still covers the line.
    return { kind: 'Include', span: sp(this), path: this.sourceString, system: false };
  },
  CDefinition(d) {
    return top(d);
  },
  CStruct(tag, name, _open, members, _close, attributes, _semi) {
    const node: A.CDefinition = {
      kind: 'CDefinition',
      span: sp(this),
      tag: tag.sourceString as 'struct' | 'union',
      name: name.sourceString,
      fields: members.children.flatMap(fields),
      enumerators: [],
    };
    const attrs = attributes.children.map((a) => a.child(3).sourceString.trim());
    return attrs.length > 0 ? { ...node, attributes: attrs } : node;
  },
  CEnum(_kw, name, _open, enumerators, _close, attributes, _semi) {
    const node: A.CDefinition = {
      kind: 'CDefinition',
      span: sp(this),
      tag: 'enum',
      name: opt(name)?.sourceString ?? '',
      fields: [],
      enumerators: optionalList(enumerators).map((e) => {
        // `("=" CEnumValue)?` is two optional children: the `=` and the value.
        const v = opt(e.child(2) as IterationNode);
        const base = { name: e.child(0).sourceString, span: sp(e) };
        if (!v) return base;
        const magnitude = decodeIntegerOrReport(v.child(1).sourceString, v.child(1));
        return { ...base, value: opt(v.child(0) as IterationNode) ? -magnitude : magnitude };
      }),
    };
    const attrs = attributes.children.map((a) => a.child(3).sourceString.trim());
    return attrs.length > 0 ? { ...node, attributes: attrs } : node;
  },
  Config(_kw, _eq, _open, entries, _close) {
    return {
      kind: 'Config',
      span: sp(this),
      entries: optionalList(entries).map((e): A.ConfigEntry => {
        const v = e.child(2).child(0);
        const span = sp(v);
        let value: A.ConfigEntry['value'];
        if (v.ctorName === 'string') value = stringLiteral(v);
        else if (v.ctorName === 'integer') value = integerLiteral(v);
        else if (v.ctorName === 'ident') value = { kind: 'Identifier', span, name: v.sourceString };
        else value = { kind: 'Bool', span, value: v.sourceString === 'true' };
        return { kind: 'ConfigEntry', span: sp(e), key: e.child(0).sourceString, value };
      }),
    };
  },
  RootImport(_kw, path, _semi) {
    return { kind: 'Import', span: sp(this), path: stringValue(path) };
  },
  MapDecl(_kw, map, _eq, mapType, _open, size, _close, _semi) {
    return {
      kind: 'MapDecl',
      span: sp(this),
      name: map.sourceString.slice(1),
      mapType: mapType.sourceString,
      maxEntries: integerLiteral(size).value,
    };
  },
  RootLet(_kw, variable, _rest, _semi) {
    report(sp(this), parseMessages.rootLet());
    return { kind: 'MapDecl', span: sp(this), name: variable.sourceString.slice(1), mapType: '', maxEntries: 0n };
  },
  MacroDef(_kw, name, params, body) {
    const p = opt(params);
    return {
      kind: 'MacroDef',
      span: sp(this),
      name: name.sourceString,
      params: p
        ? list(p.child(1)).map((param): A.MacroParam => {
            const token = param.child(0);
            const text = token.sourceString;
            const sort = token.ctorName === 'variable' ? 'variable' : token.ctorName === 'map' ? 'map' : 'expression';
            return { kind: 'MacroParam', span: sp(param), sort, name: sort === 'expression' ? text : text.slice(1) };
          })
        : [],
      body: blockExpr(body),
    };
  },
  Subprog(_kw, name, _open, params, _close, _colon, returnType, body) {
    return {
      kind: 'Subprog',
      span: sp(this),
      name: name.sourceString,
      params: list(params).map((p) => ({ name: p.child(0).sourceString.slice(1), type: typ(p.child(2)), span: sp(p) })),
      returnType: typ(returnType),
      body: stmt(body) as A.Block,
    };
  },
  Probe(label, attachPoints, _comma, predicate, body) {
    const l = opt(label);
    const pred = opt(predicate);
    const node: A.Probe = {
      kind: 'Probe',
      span: sp(this),
      attachPoints: list(attachPoints).map(attachPoint),
      body: stmt(body.child(0)) as A.Block,
    };
    return {
      ...node,
      ...(l ? { label: l.child(0).sourceString } : {}),
      ...(pred ? { predicate: expr(pred.child(1)) } : {}),
    };
  },
};

// ── C struct members ─────────────────────────────────────────────────────────────────────

const fieldActions: BPFtraceActionDict<A.CField[]> = {
  CMember_plain(_q1, typeName, _q2, declarators, _semi) {
    const t = typeName.child(0);
    const baseName =
      t.ctorName === 'CTypeName_tagged'
        ? `${t.child(0).sourceString} ${t.child(1).sourceString}`
        : t.ctorName === 'CTypeName_base'
          ? normaliseWords(t.sourceString)
          : t.sourceString;
    return list(declarators).map((d) => cField(d, baseName));
  },
  CMember_nested(tag, name, _open, members, _close, declarators, _end) {
    const tagName = opt(name)?.sourceString ?? '';
    const inline: A.CDefinition = {
      kind: 'CDefinition',
      span: sp(this),
      tag: tag.sourceString as 'struct' | 'union',
      name: tagName,
      fields: members.children.flatMap(fields),
      enumerators: [],
    };
    const ds = list(declarators);
    const typeName = tagName === '' ? tag.sourceString : `${tag.sourceString} ${tagName}`;
    if (ds.length === 0) {
      const type: A.TypeExpr = { kind: 'Type', span: sp(tag), name: typeName, pointer: 0 };
      return [{ kind: 'CField', span: sp(this), name: '', type, inline }];
    }
    return ds.map((d) => ({ ...cField(d, typeName), inline }));
  },
};

function cField(d: Node, baseName: string): A.CField {
  const [stars, name, dims, bits] = d.children as [IterationNode, Node, IterationNode, IterationNode];
  const bitNode = opt(bits);
  // `int y[]` (a flexible array member) has size 0, as `[]` does in casts.
  const sizes = dims.children.map((dim) => {
    const size = opt(dim.child(1) as IterationNode);
    return size ? Number(decodeIntegerOrReport(size.sourceString, size)) : 0;
  });
  const type = withDims({ kind: 'Type', span: sp(d), name: baseName, pointer: stars.children.length }, sizes);
  const field: A.CField = { kind: 'CField', span: sp(d), name: name.sourceString, type };
  return bitNode ? { ...field, bitWidth: Number(decodeIntegerOrReport(bitNode.child(1).sourceString, bitNode)) } : field;
}

// ── statements ───────────────────────────────────────────────────────────────────────────

const stmtActions: BPFtraceActionDict<A.Stmt> = {
  ProbeBody(b) {
    return stmt(b);
  },
  StmtBlock(_open, stmts, _close) {
    return block(this, stmts.child(0));
  },
  AngleBlock(_open, stmts, _close) {
    return block(this, stmts.child(0));
  },
  Stmt_compound(s, _semi) {
    return stmt(s);
  },
  Stmt_simple(s, _end) {
    return stmt(s);
  },
  ExprBlockItem(s) {
    return stmt(s);
  },
  CompoundStmt(s) {
    return stmt(s);
  },
  SimpleStmt(s) {
    return stmt(s);
  },
  LetStmt(_kw, variable, letType, letInit) {
    const t = opt(letType);
    const init = opt(letInit);
    const node: A.LetDecl = { kind: 'LetDecl', span: sp(this), target: expr(variable) as A.Variable };
    return {
      ...node,
      ...(t ? { type: typ(t.child(1)) } : {}),
      ...(init ? { value: expr(init.child(1)) } : {}),
    };
  },
  AssignStmt(target, op, value) {
    const t = expr(target.child(0));
    const o = compoundOp(op);
    const v = expr(value);
    if (t.kind === 'Variable') {
      return o ? { kind: 'AssignVar', span: sp(this), target: t, op: o, value: v } : { kind: 'AssignVar', span: sp(this), target: t, value: v };
    }
    const m = t as A.MapRef;
    return o ? { kind: 'AssignMap', span: sp(this), target: m, op: o, value: v } : { kind: 'AssignMap', span: sp(this), target: m, value: v };
  },
  InvalidAssignStmt(target, _op, value) {
    const t = expr(target);
    const immutable = t.kind === 'FieldAccess' || t.kind === 'TupleAccess';
    report(sp(this), immutable ? parseMessages.immutableField() : parseMessages.invalidAssignTarget());
    return { kind: 'ExprStmt', span: sp(this), expr: expr(value) };
  },
  DiscardStmt(_u, _eq, value) {
    return { kind: 'ExprStmt', span: sp(this), expr: expr(value), discard: true };
  },
  JumpStmt_break(_kw) {
    return { kind: 'Jump', span: sp(this), jump: 'break' };
  },
  JumpStmt_continue(_kw) {
    return { kind: 'Jump', span: sp(this), jump: 'continue' };
  },
  JumpStmt_return(_kw, value) {
    const v = opt(value);
    return v ? { kind: 'Jump', span: sp(this), jump: 'return', value: expr(v) } : { kind: 'Jump', span: sp(this), jump: 'return' };
  },
  StmtImport(_kw, path) {
    return { kind: 'Import', span: sp(this), path: stringValue(path) };
  },
  ExprStmt(e) {
    return { kind: 'ExprStmt', span: sp(this), expr: expr(e) };
  },
  IfStmt(_kw, cond, then, elseStmt) {
    const e = opt(elseStmt);
    const node: A.If = { kind: 'If', span: sp(this), cond: expr(cond), then: stmt(then) as A.Block };
    return e ? { ...node, else: stmt(e.child(1)) as A.Block | A.If } : node;
  },
  WhileStmt(_kw, cond, body) {
    return { kind: 'While', span: sp(this), cond: expr(cond), body: stmt(body) as A.Block };
  },
  UnrollStmt(_kw, count, body) {
    return { kind: 'Unroll', span: sp(this), count: expr(count), body: stmt(body) as A.Block };
  },
  ForStmt_paren(_kw, _open, variable, _colon, source, _close, body) {
    return forStmt(this, variable, source, body);
  },
  ForStmt_bare(_kw, variable, _colon, source, body) {
    return forStmt(this, variable, source, body);
  },
};

function forStmt(n: Node, variable: Node, source: Node, body: Node): A.Stmt {
  const v = expr(variable) as A.Variable;
  const src = source.child(0);
  const b = stmt(body) as A.Block;
  if (src.ctorName === 'ForSource_range') {
    return { kind: 'ForRange', span: sp(n), variable: v, from: expr(src.child(0)), to: expr(src.child(2)), body: b };
  }
  return { kind: 'ForMap', span: sp(n), variable: v, map: expr(src.child(0)) as A.MapRef, body: b };
}

// ── expressions ──────────────────────────────────────────────────────────────────────────

const exprActions: BPFtraceActionDict<A.Expr> = {
  Condition_paren(_open, e, _close, _brace) {
    return expr(e);
  },
  Condition_bare(e) {
    return expr(e);
  },
  Expr(e) {
    return expr(e);
  },
  Ternary_elvis(cond, _q, _c, e) {
    return { kind: 'Ternary', span: sp(this), cond: expr(cond), else: expr(e) };
  },
  Ternary_full(cond, _q, then, _c, e) {
    return { kind: 'Ternary', span: sp(this), cond: expr(cond), then: expr(then), else: expr(e) };
  },
  Binary(first, ops, rest) {
    if (ops.children.length === 0) return expr(first);
    const operands = [expr(first), ...rest.children.map(expr)];
    return climb(operands, ops.children.map((o) => o.sourceString as A.BinaryOp));
  },
  Unary_preIncrement(_op, target) {
    return { kind: 'IncDec', span: sp(this), op: '++', prefix: true, target: incTarget(target) };
  },
  Unary_preDecrement(_op, target) {
    return { kind: 'IncDec', span: sp(this), op: '--', prefix: true, target: incTarget(target) };
  },
  Unary_op(op, operand) {
    return { kind: 'Unary', span: sp(this), op: op.sourceString as A.Unary['op'], operand: expr(operand) };
  },
  Cast(_open, type, _close, _next, operand) {
    return { kind: 'Cast', span: sp(this), type: typ(type.child(0)), expr: expr(operand) };
  },
  Postfix_tupleAccess(e, _dot, index) {
    return { kind: 'TupleAccess', span: sp(this), expr: expr(e), index: Number(index.sourceString) };
  },
  Postfix_field(e, _dot, name) {
    return { kind: 'FieldAccess', span: sp(this), expr: expr(e), field: name.sourceString, arrow: false };
  },
  Postfix_arrow(e, _arrow, name) {
    return { kind: 'FieldAccess', span: sp(this), expr: expr(e), field: name.sourceString, arrow: true };
  },
  Postfix_index(e, _open, index, _close) {
    return { kind: 'Index', span: sp(this), expr: expr(e), index: expr(index) };
  },
  Postfix_postIncrement(target, _op) {
    return { kind: 'IncDec', span: sp(this), op: '++', prefix: false, target: incTarget(target) };
  },
  Postfix_postDecrement(target, _op) {
    return { kind: 'IncDec', span: sp(this), op: '--', prefix: false, target: incTarget(target) };
  },
  IncTarget(t) {
    return expr(t);
  },
  Primary_unit(_open, _close) {
    return { kind: 'Tuple', span: sp(this), elems: [] };
  },
  Primary_record(_open, fieldList, _comma, _close) {
    const seen = new Set<string>();
    const recordFields = list(fieldList).map((f) => {
      const name = f.child(0).sourceString;
      if (seen.has(name)) report(sp(f), parseMessages.duplicateRecordField(name));
      seen.add(name);
      return { name, value: expr(f.child(2)), span: sp(f) };
    });
    return { kind: 'Record', span: sp(this), fields: recordFields };
  },
  Primary_tuple(_open, first, _comma, rest, _close) {
    return { kind: 'Tuple', span: sp(this), elems: [expr(first), ...optionalList(rest).map(expr)] };
  },
  Primary_paren(_open, e, _close) {
    return expr(e);
  },
  IfExpr(_kw, cond, then, _else, elseBranch) {
    const e = expr(elseBranch);
    // `else if …` is kept as an else block whose value is the inner if.
    const elseBlock: A.BlockExpr = e.kind === 'BlockExpr' ? e : { kind: 'BlockExpr', span: e.span, stmts: [], value: e };
    return { kind: 'IfExpr', span: sp(this), cond: expr(cond), then: blockExpr(then), else: elseBlock };
  },
  Primary_sizeof(_kw, _open, arg, _close) {
    return { kind: 'Sizeof', span: sp(this), arg: typeOrExpr(arg) };
  },
  Primary_offsetof(_kw, _open, arg, _comma, path, _close) {
    return { kind: 'Offsetof', span: sp(this), arg: typeOrExpr(arg), fields: list(path).map((p) => p.sourceString) };
  },
  TypeofExpr(_kw, _open, arg, _close) {
    return { kind: 'Typeof', span: sp(this), arg: typeOrExpr(arg) };
  },
  Primary_block(b) {
    return expr(b);
  },
  ExprBlock(_open, items, value, _close) {
    const v = opt(value);
    const node: A.BlockExpr = { kind: 'BlockExpr', span: sp(this), stmts: items.children.map(stmt) };
    return v ? { ...node, value: expr(v) } : node;
  },
  Primary_call(name, _open, args, _close) {
    return { kind: 'Call', span: sp(this), name: name.sourceString, args: optionalList(args).map(expr) };
  },
  Primary_true(_kw) {
    return { kind: 'Bool', span: sp(this), value: true };
  },
  Primary_false(_kw) {
    return { kind: 'Bool', span: sp(this), value: false };
  },
  Primary_builtin(b) {
    return { kind: 'Builtin', span: sp(this), name: b.sourceString };
  },
  MapExpr(map, keys) {
    const k = opt(keys);
    const node: A.MapRef = { kind: 'Map', span: sp(this), name: map.sourceString.slice(1) };
    return k ? { ...node, keys: list(k.child(1)).map(expr) } : node;
  },
  Primary_paramCount(_p) {
    return { kind: 'PositionalCount', span: sp(this) };
  },
  Primary_positional(p) {
    return positional(p);
  },
  variable(_dollar, _name) {
    return { kind: 'Variable', span: sp(this), name: this.sourceString.slice(1) };
  },
  Primary_variable(v) {
    return expr(v);
  },
  Primary_integer(i) {
    return integerLiteral(i);
  },
  Primary_string(s) {
    return stringLiteral(s);
  },
  Primary_identifier(i) {
    return { kind: 'Identifier', span: sp(this), name: i.sourceString };
  },
  Primary(p) {
    return expr(p);
  },
  map(_at, _name) {
    return { kind: 'Map', span: sp(this), name: this.sourceString.slice(1) };
  },
};

// ── types ────────────────────────────────────────────────────────────────────────────────

const typeActions: BPFtraceActionDict<A.TypeExpr> = {
  Type(base, suffixes) {
    return makeType(sp(this), typeBase(base), suffixes.children);
  },
  CastType(t) {
    return typ(t);
  },
};

const typeBaseActions: BPFtraceActionDict<{ name: string; typeofArg?: A.Expr | A.TypeExpr }> = {
  TypeBase_typeof(t) {
    return { name: 'typeof', typeofArg: (expr(t) as A.Typeof).arg };
  },
  TypeBase_tagged(tag, name) {
    return { name: `${tag.sourceString} ${name.sourceString}` };
  },
  TypeBase_base(words) {
    return { name: normaliseWords(words.sourceString) };
  },
  TypeBase_named(name) {
    return { name: name.sourceString };
  },
};

const typeOrExprActions: BPFtraceActionDict<A.TypeExpr | A.Expr> = {
  TypeOrExpr_type(t, _next) {
    const type = typ(t);
    const base = t.child(0).child(0);
    // A bare name that is not one of bpftrace's types may be a macro, a #define or an enum
    // constant: keep it as an identifier, the checker decides (as bpftrace does).
    const bare = base.ctorName === 'TypeBase_named' && t.child(1).children.length === 0;
    if (bare && !BUILTIN_TYPE_NAMES.has(type.name)) return { kind: 'Identifier', span: type.span, name: type.name };
    return type;
  },
  TypeOrExpr_expr(e) {
    return expr(e);
  },
};

type Semantics = ReturnType<typeof grammar.createSemantics>;
let semantics: Semantics | undefined;

/** The semantics, built on first use so that importing this module costs nothing. */
export function bpftraceSemantics(): Semantics {
  if (semantics) return semantics;
  const s = grammar.createSemantics();
  s.addOperation<A.Program>('program', programActions);
  s.addOperation<A.TopLevel>('top', topActions);
  s.addOperation<A.CField[]>('fields', fieldActions);
  s.addOperation<A.Stmt>('stmt', stmtActions);
  s.addOperation<A.Expr>('expr', exprActions);
  s.addOperation<A.TypeExpr>('type', typeActions);
  s.addOperation<{ name: string; typeofArg?: A.Expr | A.TypeExpr }>('typeBase', typeBaseActions);
  s.addOperation<A.TypeExpr | A.Expr>('typeOrExpr', typeOrExprActions);
  semantics = s;
  return s;
}

export { grammar };
