// Prints an AST back as bpftrace source that parses to the same tree (spans aside): the
// round-trip partner of parseProgram. Output is normalised (two-space indentation, one
// statement per line, parentheses only where precedence needs them), not the original
// layout; comments are not kept. It does not check that the tree makes sense.

import type * as A from './ast.js';
import { encodeString } from './literals.js';
import { BINARY_PRECEDENCE } from './operators.js';

const INDENT = '  ';

/** Precedence levels outside the binary table. */
const TERNARY = 0;
const UNARY = 11;
const POSTFIX = 12;

function precedence(e: A.Expr): number {
  switch (e.kind) {
    case 'Ternary':
      return TERNARY;
    case 'Binary':
      return BINARY_PRECEDENCE[e.op];
    case 'Unary':
    case 'Cast':
      return UNARY;
    case 'IncDec':
      return e.prefix ? UNARY : POSTFIX;
    default:
      return POSTFIX;
  }
}

export function printProgram(program: A.Program): string {
  const items = program.items.map((item) => printTopLevel(item, ''));
  const body = items.join('\n\n') + '\n';
  return program.shebang !== undefined ? `${program.shebang}\n${body}` : body;
}

function printTopLevel(item: A.TopLevel, indent: string): string {
  switch (item.kind) {
    case 'Include':
      return item.system ? `#include <${item.path}>` : `#include "${item.path}"`;
    case 'Define': {
      const params = item.params ? `(${item.params.join(', ')})` : '';
      return `#define ${item.name}${params}${item.value === '' ? '' : ' ' + item.value}`;
    }
    case 'Conditional': {
      const lines = [item.negated ? `#ifndef ${item.name}` : `#ifdef ${item.name}`];
      for (const t of item.then) lines.push(printTopLevel(t, indent));
      if (item.else.length > 0) {
        lines.push('#else');
        for (const t of item.else) lines.push(printTopLevel(t, indent));
      }
      lines.push('#endif');
      return lines.join('\n');
    }
    case 'CDefinition':
      return printCDefinition(item, indent) + ';';
    case 'Config':
      return `config = {\n${item.entries.map((e) => `${INDENT}${e.key} = ${printExpr(e.value)};`).join('\n')}\n}`;
    case 'Import':
      return `import "${encodeString(item.path)}";`;
    case 'MapDecl':
      return `let @${item.name} = ${item.mapType}(${item.maxEntries});`;
    case 'MacroDef': {
      const sigil = { variable: '$', map: '@', expression: '' } as const;
      const params = item.params.map((p) => sigil[p.sort] + p.name).join(', ');
      return `macro ${item.name}(${params}) ${printBlockExpr(item.body, indent)}`;
    }
    case 'Subprog': {
      const params = item.params.map((p) => `$${p.name}: ${printType(p.type)}`).join(', ');
      return `fn ${item.name}(${params}): ${printType(item.returnType)} ${printBlock(item.body, indent)}`;
    }
    case 'Probe': {
      const label = item.label !== undefined ? `${item.label}=` : '';
      const aps = item.attachPoints.map((a) => a.raw).join(',\n');
      const pred = item.predicate ? `\n/${printExpr(item.predicate)}/` : '';
      return `${label}${aps}${pred}\n${printBlock(item.body, indent)}`;
    }
  }
}

function printCDefinition(def: A.CDefinition, indent: string): string {
  const inner = indent + INDENT;
  const head = def.name === '' ? def.tag : `${def.tag} ${def.name}`;
  const body =
    def.tag === 'enum'
      ? def.enumerators.map((e) => `${inner}${e.name}${e.value !== undefined ? ` = ${e.value}` : ''},`)
      : def.fields.map((f) => `${inner}${printCField(f, inner)};`);
  const attrs = (def.attributes ?? []).map((a) => ` __attribute__((${a}))`).join('');
  return `${head} {\n${body.join('\n')}\n${indent}}${attrs}`;
}

function printCField(f: A.CField, indent: string): string {
  const t = f.type;
  const base = f.inline ? printCDefinition(f.inline, indent) : t.name;
  const declarator =
    '*'.repeat(t.pointer) + f.name + dimensions(t) + (f.bitWidth !== undefined ? ` : ${f.bitWidth}` : '');
  return declarator === '' ? base : `${base} ${declarator}`;
}

/** `[2][3]`, `[4]`, `[]` (size 0), or nothing. */
function dimensions(t: A.TypeExpr): string {
  const dims = t.arrayDims ?? (t.arraySize !== undefined ? [t.arraySize] : []);
  return dims.map((d) => `[${d === 0 ? '' : d}]`).join('');
}

export function printType(t: A.TypeExpr): string {
  const base = t.typeofArg !== undefined ? `typeof(${printTypeOrExpr(t.typeofArg)})` : t.name;
  const array = dimensions(t);
  const stars = '*'.repeat(t.pointer);
  const outer = '*'.repeat(t.outerPointer ?? 0);
  return `${base}${stars ? ' ' + stars : ''}${array}${outer}`;
}

/** An argument of sizeof/offsetof/typeof: `x[1]` alone would read as an array type. */
function printTypeOrExpr(arg: A.TypeExpr | A.Expr): string {
  if (arg.kind === 'Type') return printType(arg);
  return arg.kind === 'Index' ? `(${printExpr(arg)})` : printExpr(arg);
}

// ── statements ───────────────────────────────────────────────────────────────────────────

function printBlock(b: A.Block, indent: string): string {
  if (b.stmts.length === 0) return '{\n' + indent + '}';
  const inner = indent + INDENT;
  return `{\n${b.stmts.map((s) => inner + printStmt(s, inner)).join('\n')}\n${indent}}`;
}

function printBlockExpr(b: A.BlockExpr, indent: string): string {
  const inner = indent + INDENT;
  const lines = b.stmts.map((s) => inner + printStmt(s, inner));
  if (b.value) lines.push(inner + printExpr(b.value, TERNARY, inner));
  if (lines.length === 0) return '{}';
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function printStmt(s: A.Stmt, indent: string): string {
  switch (s.kind) {
    case 'ExprStmt': {
      const text = printExpr(s.expr, TERNARY, indent);
      // A statement starting with `if` or `{` would be read as an if statement or a block.
      const safe = /^(if\b|\{)/.test(text) ? `(${text})` : text;
      return s.discard ? `_ = ${text};` : `${safe};`;
    }
    case 'AssignVar':
    case 'AssignMap':
      return `${printExpr(s.target)} ${s.op ?? ''}= ${printExpr(s.value, TERNARY, indent)};`;
    case 'LetDecl': {
      const type = s.type ? `: ${printType(s.type)}` : '';
      const value = s.value ? ` = ${printExpr(s.value, TERNARY, indent)}` : '';
      return `let ${printExpr(s.target)}${type}${value};`;
    }
    case 'If':
      return printIf(s, indent);
    case 'Unroll':
      return `unroll (${printExpr(s.count)}) ${printBlock(s.body, indent)}`;
    case 'While':
      return `while (${printExpr(s.cond, TERNARY, indent)}) ${printBlock(s.body, indent)}`;
    case 'ForMap':
      return `for (${printExpr(s.variable)} : ${printExpr(s.map)}) ${printBlock(s.body, indent)}`;
    case 'ForRange':
      return `for (${printExpr(s.variable)} : ${printExpr(s.from, UNARY, indent)}..${printExpr(s.to, UNARY, indent)}) ${printBlock(s.body, indent)}`;
    case 'Jump':
      return s.value ? `return ${printExpr(s.value, TERNARY, indent)};` : `${s.jump};`;
    case 'Block':
      return printBlock(s, indent);
    case 'Import':
      return `import "${encodeString(s.path)}";`;
  }
}

function printIf(s: A.If, indent: string): string {
  let text = `if (${printExpr(s.cond, TERNARY, indent)}) ${printBlock(s.then, indent)}`;
  if (s.else) text += ` else ${s.else.kind === 'If' ? printIf(s.else, indent) : printBlock(s.else, indent)}`;
  return text;
}

// ── expressions ──────────────────────────────────────────────────────────────────────────

/** Prints `e` so that it binds at least as tightly as `minPrecedence` requires. */
export function printExpr(e: A.Expr, minPrecedence = TERNARY, indent = ''): string {
  const text = printBare(e, indent);
  return precedence(e) < minPrecedence ? `(${text})` : text;
}

/** A postfix operand: tighter than anything, and never a keyless map followed by `[`. */
function printOperand(e: A.Expr, indent: string): string {
  return printExpr(e, POSTFIX, indent);
}

function printBare(e: A.Expr, indent: string): string {
  switch (e.kind) {
    case 'Int':
      return e.text;
    case 'String':
      return `"${encodeString(e.value)}"`;
    case 'Bool':
      return e.value ? 'true' : 'false';
    case 'Variable':
      return `$${e.name}`;
    case 'Map':
      return e.keys ? `@${e.name}[${e.keys.map((k) => printExpr(k, TERNARY, indent)).join(', ')}]` : `@${e.name}`;
    case 'Positional':
      return `$${e.index}`;
    case 'PositionalCount':
      return '$#';
    case 'Builtin':
    case 'Identifier':
      return e.name;
    case 'Call':
      return `${e.name}(${e.args.map((a) => printExpr(a, TERNARY, indent)).join(', ')})`;
    case 'Binary': {
      const p = BINARY_PRECEDENCE[e.op];
      // Left-associative: the right operand needs parentheses at equal precedence.
      return `${printExpr(e.left, p, indent)} ${e.op} ${printExpr(e.right, p + 1, indent)}`;
    }
    case 'Unary': {
      const operand = printExpr(e.operand, UNARY, indent);
      // `- -x`, `--x`, `&&x` would lex as other operators.
      const glued = /^[-+&*!~]/.test(operand) ? `(${operand})` : operand;
      return `${e.op}${glued}`;
    }
    case 'IncDec':
      return e.prefix ? `${e.op}${printExpr(e.target)}` : `${printExpr(e.target)}${e.op}`;
    case 'Ternary': {
      const cond = printExpr(e.cond, TERNARY + 1, indent);
      const otherwise = printExpr(e.else, TERNARY, indent);
      if (e.then === undefined) return `${cond} ?: ${otherwise}`;
      return `${cond} ? ${printExpr(e.then, TERNARY + 1, indent)} : ${otherwise}`;
    }
    case 'Cast': {
      const operand = printExpr(e.expr, UNARY, indent);
      // A cast is only read as one when an expression visibly starts after `)`.
      const safe = /^[0-9$@"(\-!~*&A-Za-z_]/.test(operand) && !/^(if\b|\{)/.test(operand) ? operand : `(${operand})`;
      return `(${printType(e.type)})${safe}`;
    }
    case 'FieldAccess':
      return `${printOperand(e.expr, indent)}${e.arrow ? '->' : '.'}${e.field}`;
    case 'Index': {
      // `(@m)[k]` is indexing a map's value; `@m[k]` would be a map lookup.
      const target = e.expr.kind === 'Map' && !e.expr.keys ? `(${printBare(e.expr, indent)})` : printOperand(e.expr, indent);
      return `${target}[${printExpr(e.index, TERNARY, indent)}]`;
    }
    case 'TupleAccess':
      return `${printOperand(e.expr, indent)}.${e.index}`;
    case 'Tuple':
      if (e.elems.length === 1) return `(${printExpr(e.elems[0]!, TERNARY, indent)},)`;
      return `(${e.elems.map((x) => printExpr(x, TERNARY, indent)).join(', ')})`;
    case 'Record':
      return `(${e.fields.map((f) => `${f.name} = ${printExpr(f.value, TERNARY, indent)}`).join(', ')})`;
    case 'Sizeof':
      return `sizeof(${printTypeOrExpr(e.arg)})`;
    case 'Offsetof':
      return `offsetof(${printTypeOrExpr(e.arg)}, ${e.fields.join('.')})`;
    case 'Typeof':
      return `typeof(${printTypeOrExpr(e.arg)})`;
    case 'BlockExpr':
      return printBlockExpr(e, indent);
    case 'IfExpr':
      return `if (${printExpr(e.cond, TERNARY, indent)}) ${printBlockExpr(e.then, indent)} else ${printBlockExpr(e.else, indent)}`;
  }
}
