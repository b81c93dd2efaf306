// The bpftrace AST: plain discriminated unions, every node with a source span. This is what
// src/parse produces from Ohm's parse tree and what every later stage reads; no Ohm type
// appears here. Nodes are immutable data: later stages annotate them through side tables.

import type { Span } from '../diag/source.js';

interface NodeBase {
  readonly span: Span;
}

// ── program ──────────────────────────────────────────────────────────────────────────────

export interface Program extends NodeBase {
  readonly kind: 'Program';
  /** `#!...` first line, if any. */
  readonly shebang?: string;
  readonly items: readonly TopLevel[];
}

export type TopLevel =
  | Include
  | Define
  | Conditional
  | CDefinition
  | Config
  | Import
  | MapDecl
  | MacroDef
  | Subprog
  | Probe;

/** `#include <linux/sched.h>` / `#include "x.h"`: recorded; the headers we know are built in. */
export interface Include extends NodeBase {
  readonly kind: 'Include';
  readonly path: string;
  readonly system: boolean;
}

/** `#define NAME value` — `value` is the raw replacement text (parsed as an expression when used). */
export interface Define extends NodeBase {
  readonly kind: 'Define';
  readonly name: string;
  readonly params?: readonly string[];
  readonly value: string;
  /** Where `value` starts in the source, so errors inside it point there. */
  readonly valueSpan: Span;
}

/** `#ifdef X` / `#ifndef X` / `#if defined(X)` … `#else` … `#endif`. */
export interface Conditional extends NodeBase {
  readonly kind: 'Conditional';
  readonly name: string;
  readonly negated: boolean;
  readonly then: readonly TopLevel[];
  readonly else: readonly TopLevel[];
}

/** `struct S { int a; char *b; }` / `union` / `enum` (C syntax, as in bpftrace scripts). */
export interface CDefinition extends NodeBase {
  readonly kind: 'CDefinition';
  readonly tag: 'struct' | 'union' | 'enum';
  readonly name: string;
  /** struct/union members in order. */
  readonly fields: readonly CField[];
  /** enum constants, with explicit values where given. */
  readonly enumerators: readonly { readonly name: string; readonly value?: bigint; readonly span: Span }[];
  /** `__attribute__((packed))` and the like after the closing brace: the text inside `((…))`. */
  readonly attributes?: readonly string[];
}

export interface CField extends NodeBase {
  readonly kind: 'CField';
  readonly name: string;
  readonly type: TypeExpr;
  /** `int x : 3` */
  readonly bitWidth?: number;
  /**
   * A nested `struct { … } name;` / `union { … };` member: its definition (name '').
   * `type` is then `struct`/`union` with an empty tag; a member without a name is anonymous
   * (its fields belong to the enclosing struct) and has name ''.
   */
  readonly inline?: CDefinition;
}

/** `config = { max_strlen = 128; stack_mode = perf }` */
export interface Config extends NodeBase {
  readonly kind: 'Config';
  readonly entries: readonly ConfigEntry[];
}

export interface ConfigEntry extends NodeBase {
  readonly kind: 'ConfigEntry';
  readonly key: string;
  readonly value: IntLiteral | StringLiteral | BoolLiteral | Identifier;
}

/** `import "file.bt";` (at top level or inside a block). */
export interface Import extends NodeBase {
  readonly kind: 'Import';
  readonly path: string;
}

/** `let @m = hash(100);` — mapType is the written name: hash, lruhash, percpuhash, percpulruhash, percpuarray… */
export interface MapDecl extends NodeBase {
  readonly kind: 'MapDecl';
  /** Without the `@`. */
  readonly name: string;
  readonly mapType: string;
  readonly maxEntries: bigint;
}

/** `macro name($a, @m, e) { … }` */
export interface MacroDef extends NodeBase {
  readonly kind: 'MacroDef';
  readonly name: string;
  readonly params: readonly MacroParam[];
  readonly body: BlockExpr;
}

export interface MacroParam extends NodeBase {
  readonly kind: 'MacroParam';
  /** `$a` → variable, `@m` → map, `e` → expression. */
  readonly sort: 'variable' | 'map' | 'expression';
  /** Without the sigil (`$a` → 'a', `@m` → 'm'). */
  readonly name: string;
}

/** `fn name($a: int64, $b: string): int64 { … }` */
export interface Subprog extends NodeBase {
  readonly kind: 'Subprog';
  readonly name: string;
  /** Parameter names without the `$`. */
  readonly params: readonly { readonly name: string; readonly type: TypeExpr; readonly span: Span }[];
  readonly returnType: TypeExpr;
  readonly body: Block;
}

/** An action block: `[label=] ap[, ap…] [/predicate/] { statements }` (or `< statements >`). */
export interface Probe extends NodeBase {
  readonly kind: 'Probe';
  readonly label?: string;
  readonly attachPoints: readonly AttachPoint[];
  readonly predicate?: Expr;
  readonly body: Block;
}

/**
 * One attach point as written, e.g. `tracepoint:syscalls:sys_enter_*`, `kprobe:vfs_read+8`,
 * `uprobe:/bin/bash:readline`, `interval:s:1`, `BEGIN`. Splitting into provider and parts is
 * syntax; resolving aliases, wildcards and targets against the catalog is the checker's job.
 */
export interface AttachPoint extends NodeBase {
  readonly kind: 'AttachPoint';
  /** The attach point text exactly as written, after positional parameters are substituted. */
  readonly raw: string;
  /** The provider as written (`t`, `tracepoint`, `BEGIN`, …). */
  readonly provider: string;
  /** The `:`-separated parts after the provider (a path such as `/bin/bash` stays one part). */
  readonly parts: readonly string[];
  /** `kprobe:func+0x10` */
  readonly offset?: bigint;
}

// ── statements ───────────────────────────────────────────────────────────────────────────

export type Stmt =
  | ExprStmt
  | AssignVar
  | AssignMap
  | LetDecl
  | If
  | Unroll
  | While
  | ForMap
  | ForRange
  | Jump
  | Block
  | Import;

export interface Block extends NodeBase {
  readonly kind: 'Block';
  readonly stmts: readonly Stmt[];
}

export interface ExprStmt extends NodeBase {
  readonly kind: 'ExprStmt';
  readonly expr: Expr;
  /** `_ = e;`: the value is dropped on purpose (no "discarded value" warning). */
  readonly discard?: boolean;
}

export type CompoundOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>';

/** `$x = e`, `$x += e` */
export interface AssignVar extends NodeBase {
  readonly kind: 'AssignVar';
  readonly target: Variable;
  /** Absent for plain `=`. */
  readonly op?: CompoundOp;
  readonly value: Expr;
}

/** `@m = e`, `@m[k] = e`, `@m[k1, k2] += e`, `@ = count()` */
export interface AssignMap extends NodeBase {
  readonly kind: 'AssignMap';
  readonly target: MapRef;
  readonly op?: CompoundOp;
  readonly value: Expr;
}

/** `let $x;`, `let $x: uint32;`, `let $x = e;`, `let $x: string = e;` */
export interface LetDecl extends NodeBase {
  readonly kind: 'LetDecl';
  readonly target: Variable;
  readonly type?: TypeExpr;
  readonly value?: Expr;
}

export interface If extends NodeBase {
  readonly kind: 'If';
  readonly cond: Expr;
  readonly then: Block;
  /** `else if` is an `If` in `else`. */
  readonly else?: Block | If;
}

export interface Unroll extends NodeBase {
  readonly kind: 'Unroll';
  readonly count: Expr;
  readonly body: Block;
}

export interface While extends NodeBase {
  readonly kind: 'While';
  readonly cond: Expr;
  readonly body: Block;
}

/** `for ($kv : @m) { … }` — `$kv.0` is the key, `$kv.1` the value. */
export interface ForMap extends NodeBase {
  readonly kind: 'ForMap';
  readonly variable: Variable;
  readonly map: MapRef;
  readonly body: Block;
}

/** `for ($i : a..b) { … }` — a inclusive, b exclusive. */
export interface ForRange extends NodeBase {
  readonly kind: 'ForRange';
  readonly variable: Variable;
  readonly from: Expr;
  readonly to: Expr;
  readonly body: Block;
}

export interface Jump extends NodeBase {
  readonly kind: 'Jump';
  readonly jump: 'break' | 'continue' | 'return';
  /** `return e` in a subprogram. */
  readonly value?: Expr;
}

// ── expressions ──────────────────────────────────────────────────────────────────────────

export type Expr =
  | IntLiteral
  | StringLiteral
  | BoolLiteral
  | Variable
  | MapRef
  | Positional
  | PositionalCount
  | Builtin
  | Identifier
  | Call
  | Binary
  | Unary
  | IncDec
  | Ternary
  | Cast
  | FieldAccess
  | Index
  | TupleAccess
  | TupleLiteral
  | RecordLiteral
  | Sizeof
  | Offsetof
  | Typeof
  | BlockExpr
  | IfExpr;

export interface IntLiteral extends NodeBase {
  readonly kind: 'Int';
  /** The value in integer form (durations already in nanoseconds, `1e3` = 1000n). */
  readonly value: bigint;
  /** The literal as written, for printing the source back (`0x10`, `1_000`, `5ms`, `10UL`). */
  readonly text: string;
}

export interface StringLiteral extends NodeBase {
  readonly kind: 'String';
  /**
   * The decoded value, as bytes: one character per byte, codes 0–255 (escapes applied,
   * non-ASCII source characters UTF-8 encoded). Turn it into memory with
   * `Buffer.from(value, 'latin1')`, never with the default UTF-8 encoding.
   */
  readonly value: string;
}

export interface BoolLiteral extends NodeBase {
  readonly kind: 'Bool';
  readonly value: boolean;
}

/** `$x` */
export interface Variable extends NodeBase {
  readonly kind: 'Variable';
  /** Without the `$`. */
  readonly name: string;
}

/** `@m`, `@m[k]`, `@m[k1, k2]`, `@` (name ''). Multiple keys form a tuple key. */
export interface MapRef extends NodeBase {
  readonly kind: 'Map';
  readonly name: string;
  readonly keys?: readonly Expr[];
}

/** `$1` … `$N` */
export interface Positional extends NodeBase {
  readonly kind: 'Positional';
  readonly index: number;
}

/** `$#` */
export interface PositionalCount extends NodeBase {
  readonly kind: 'PositionalCount';
}

/** A builtin variable: pid, tid, comm, nsecs, args, arg0, retval, kstack, … */
export interface Builtin extends NodeBase {
  readonly kind: 'Builtin';
  readonly name: string;
}

/** A bare identifier: a `#define`d name, an enum constant, a zero-argument macro, a type name in some positions. */
export interface Identifier extends NodeBase {
  readonly kind: 'Identifier';
  readonly name: string;
}

/** `name(args…)` — a builtin function, a macro or a subprogram; the checker decides which. */
export interface Call extends NodeBase {
  readonly kind: 'Call';
  readonly name: string;
  readonly args: readonly Expr[];
}

export type BinaryOp =
  | '||' | '&&' | '|' | '^' | '&'
  | '==' | '!=' | '<' | '>' | '<=' | '>='
  | '<<' | '>>' | '+' | '-' | '*' | '/' | '%';

export interface Binary extends NodeBase {
  readonly kind: 'Binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** `!e`, `~e`, `-e`, `*e` (dereference), `&e` (address of). */
export interface Unary extends NodeBase {
  readonly kind: 'Unary';
  readonly op: '!' | '~' | '-' | '*' | '&';
  readonly operand: Expr;
}

/** `$x++`, `--@m[k]` */
export interface IncDec extends NodeBase {
  readonly kind: 'IncDec';
  readonly op: '++' | '--';
  readonly prefix: boolean;
  readonly target: Variable | MapRef;
}

/** `c ? a : b`, and `a ?: b` (then absent: the condition's value is used). */
export interface Ternary extends NodeBase {
  readonly kind: 'Ternary';
  readonly cond: Expr;
  readonly then?: Expr;
  readonly else: Expr;
}

/** `(uint32)e`, `(struct task_struct *)curtask`, `(int8[4])e` */
export interface Cast extends NodeBase {
  readonly kind: 'Cast';
  readonly type: TypeExpr;
  readonly expr: Expr;
}

/** `e.f` (arrow false) and `e->f` (arrow true). */
export interface FieldAccess extends NodeBase {
  readonly kind: 'FieldAccess';
  readonly expr: Expr;
  readonly field: string;
  readonly arrow: boolean;
}

/** `e[i]` on arrays and pointers (map keys are MapRef.keys, not Index). */
export interface Index extends NodeBase {
  readonly kind: 'Index';
  readonly expr: Expr;
  readonly index: Expr;
}

/** `t.0` */
export interface TupleAccess extends NodeBase {
  readonly kind: 'TupleAccess';
  readonly expr: Expr;
  readonly index: number;
}

/** `(a, b, …)`, and `()` */
export interface TupleLiteral extends NodeBase {
  readonly kind: 'Tuple';
  readonly elems: readonly Expr[];
}

/** `(name = x, other = y)` */
export interface RecordLiteral extends NodeBase {
  readonly kind: 'Record';
  readonly fields: readonly { readonly name: string; readonly value: Expr; readonly span: Span }[];
}

/** `sizeof(type)` or `sizeof(expr)` */
export interface Sizeof extends NodeBase {
  readonly kind: 'Sizeof';
  readonly arg: TypeExpr | Expr;
}

/** `offsetof(struct S, a.b)` or `offsetof(expr, field)` */
export interface Offsetof extends NodeBase {
  readonly kind: 'Offsetof';
  readonly arg: TypeExpr | Expr;
  readonly fields: readonly string[];
}

/** `typeof(expr)` / `typeof(type)` where a type is expected (casts, let, macro args). */
export interface Typeof extends NodeBase {
  readonly kind: 'Typeof';
  readonly arg: TypeExpr | Expr;
}

/** `{ stmts; expr }` — a block whose value is its last expression (or none). */
export interface BlockExpr extends NodeBase {
  readonly kind: 'BlockExpr';
  readonly stmts: readonly Stmt[];
  readonly value?: Expr;
}

/** `if (c) { a } else { b }` used as an expression. */
export interface IfExpr extends NodeBase {
  readonly kind: 'IfExpr';
  readonly cond: Expr;
  readonly then: BlockExpr;
  readonly else: BlockExpr;
}

// ── types as written ─────────────────────────────────────────────────────────────────────

/**
 * A type in the source: `uint32`, `int8[4]`, `string`, `string[16]`, `struct task_struct *`,
 * `char **`, `unsigned long`, `typeof(e)`. The checker turns it into a SizedType.
 */
export interface TypeExpr extends NodeBase {
  readonly kind: 'Type';
  /** Base name as written: 'uint32', 'string', 'struct task_struct', 'unsigned long', 'inet'. */
  readonly name: string;
  /** Number of `*` (before any `[N]`: `int32*[4]` is an array of 4 pointers). */
  readonly pointer: number;
  /** `[N]` suffix; 0 for `[]` (size taken from the value, as in `(int8[])x`). */
  readonly arraySize?: number;
  /** Every dimension, outermost first, when there are several (`int y[2][3]` → [2, 3]; arraySize is then 2). */
  readonly arrayDims?: readonly number[];
  /** Number of `*` after the `[N]` suffix: `int32[4]*` is a pointer to an array. */
  readonly outerPointer?: number;
  /** `typeof(...)` in a type position. */
  readonly typeofArg?: Expr | TypeExpr;
}

export type Node = Program | TopLevel | Stmt | Expr | AttachPoint | TypeExpr | CField | ConfigEntry | MacroParam;
