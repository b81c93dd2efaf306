// Type inference over the whole program to a fixed point: walks every probe repeatedly,
// growing map key/value types and scratch-variable types (integer promotion, the larger
// string size, tuples element-wise) until nothing changes, then walks once more to report
// errors and record the final type of every expression. The rules follow bpftrace 0.23's
// semantic analyser; builtins and functions come from their tables. In: expanded AST,
// resolved probes, bindings; out: side tables for CheckedProgram.

import type { Message } from '../diag/diagnostic.js';
import type { DiagnosticBag } from '../diag/diagnostic.js';
import { checkMessages as M } from '../diag/messages.js';
import type { SourceFile, Span } from '../diag/source.js';
import { joinSpans } from '../diag/source.js';
import type {
  AssignMap,
  AssignVar,
  Binary,
  Block,
  BlockExpr,
  Call,
  Expr,
  FieldAccess,
  MapRef,
  Stmt,
  TypeExpr,
  Variable,
} from '../parse/ast.js';
import { builtinByName, builtinNames } from './builtins.js';
import type { ConfigValues } from './config.js';
import { C_TYPE_HINTS, INT_TYPE_NAMES, StructRegistry, plainArray, recordType, tupleType } from './ctypes.js';
import { bare } from './expand.js';
import { parseFormat, type FormatSpec } from './format.js';
import { disallowedProvider, functionByName, functionNames, stackModeOf, TIMESTAMP_MODES, type CallChecker, type FunctionRow } from './functions.js';
import type { CallInfo, ProbeMatch } from './program.js';
import type { Provider } from './providers.js';
import type { ProbeScope } from './scope.js';
import type { Slot } from './binder.js';
import { closest } from './suggest.js';
import {
  boolType,
  int64,
  intType,
  isAggregation,
  pointerTo,
  stringType,
  typeName,
  uint64,
  voidType,
  type AggregationType,
  type IntType,
  type SizedType,
  type StructType,
} from './types.js';
import { kindName } from './format.js';

/** One unit of code to type: a probe body (with its predicate) or a subprogram body. */
export interface Unit {
  readonly index: number;
  readonly providers: readonly Provider[];
  readonly matches: readonly ProbeMatch[];
  readonly addressSpace: 'kernel' | 'user';
  readonly longestName: number;
  readonly predicate?: Expr;
  readonly body: Block;
  /** Subprogram: its declared return type. */
  readonly returnType?: SizedType;
  readonly isSubprog: boolean;
}

export interface InferInput {
  readonly units: readonly Unit[];
  readonly slotOf: ReadonlyMap<Variable, Slot>;
  readonly slots: readonly Slot[];
  readonly structs: StructRegistry;
  readonly config: ConfigValues;
  readonly unsafe: boolean;
  readonly hasChild: boolean;
  readonly bag: DiagnosticBag;
  readonly sourceFor: (node: object) => SourceFile;
  /** Kernel enum constants by name (from the catalog), when it has them. */
  readonly kernelEnum?: (name: string) => { value: bigint; enumName: string } | undefined;
  /** String literals holding positional parameters (no literal length limit). */
  readonly parameterStrings?: WeakSet<Expr>;
  /** Types of subprogram parameters, by slot id (fixed before inference starts). */
  readonly presetSlots?: ReadonlyMap<number, SizedType>;
  /** The program's `fn` subprograms by name: parameter and return types. */
  readonly subprogs?: ReadonlyMap<string, { readonly params: readonly SizedType[]; readonly returnType: SizedType; readonly row: FunctionRow }>;
  /** Map declarations `let @m = hash(N)`. */
  readonly declaredMaps: ReadonlyMap<string, { mapType: string; maxEntries: bigint; span: Span }>;
}

export interface MapState {
  key?: SizedType | null;
  value?: SizedType;
  span: Span;
  read: boolean;
  /** hist bits / lhist bounds seen at the first aggregation call (to detect mixing). */
  aggParams?: readonly bigint[];
}

export interface InferOutput {
  readonly types: Map<Expr, SizedType>;
  readonly operandTypes: Map<Binary, SizedType>;
  readonly calls: Map<Call, CallInfo>;
  readonly constants: Map<Expr, bigint>;
  readonly slotTypes: Map<number, SizedType>;
  readonly maps: Map<string, MapState>;
  readonly formats: FormatSpec[];
  readonly builtinsUsed: Map<number, Set<string>>;
}

/** Functions whose format (first argument) is not a program string (system/cat/debugf formats are: bpftrace 0.23 bounds them). */
const FORMAT_EXEMPT = new Set(['printf', 'errorf', 'warnf']);
const MAX_PASSES = 12;

/** Runs the passes; diagnostics go to input.bag. */
export function inferTypes(input: InferInput): InferOutput {
  const state = new InferState();
  for (const [id, t] of input.presetSlots ?? []) state.slotTypes.set(id, t);
  let last = '';
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    new Walker(input, state, false).run();
    const now = state.fingerprint();
    if (now === last) break;
    last = now;
  }
  const final = new Walker(input, state, true);
  final.run();
  return {
    types: final.types,
    operandTypes: final.operandTypes,
    calls: final.calls,
    constants: final.constants,
    slotTypes: state.slotTypes,
    maps: state.maps,
    formats: final.formats,
    builtinsUsed: final.builtinsUsed,
  };
}

/** What persists between passes: map and variable types. */
class InferState {
  readonly maps = new Map<string, MapState>();
  readonly slotTypes = new Map<number, SizedType>();
  /** Per integer slot: the unification of every non-literal value assigned to it. */
  readonly intSlots = new Map<number, IntType>();
  /** Integer slots that are also assigned non-negative literals (int64 in bpftrace 0.23). */
  readonly literalSlots = new Set<number>();
  /** Integer slots assigned some unsigned non-literal value. */
  readonly unsignedSlots = new Set<number>();

  fingerprint(): string {
    const parts: string[] = [];
    for (const [k, m] of this.maps)
      parts.push(`${k}:${m.key === null ? 'scalar' : m.key ? typeName(m.key) : '?'}=${m.value ? sig(m.value) : '?'}`);
    for (const [k, t] of this.slotTypes) parts.push(`${k}=${sig(t)}`);
    return parts.join(';');
  }
}

function sig(t: SizedType): string {
  return `${typeName(t)}/${t.size}${t.kind === 'int' ? (t.signed ? 's' : 'u') : ''}`;
}

/** A literal integer's type in bpftrace 0.23: int64, or uint64 above INT32_MAX. */
function literalType(value: bigint, negative: boolean): IntType {
  if (negative) return int64;
  return value > 0x7fffffffn ? uint64 : int64;
}

function isIntLike(t: SizedType | undefined): boolean {
  return !!t && (t.kind === 'int' || t.kind === 'bool');
}

/** Aggregations that read as integers in expressions (`@c > 10`, `(int64)@s`). */
function isCastableAgg(t: SizedType | undefined): t is AggregationType {
  return !!t && (t.kind === 'count' || t.kind === 'sum' || t.kind === 'min' || t.kind === 'max' || t.kind === 'avg');
}

function isMultiOutput(t: SizedType | undefined): boolean {
  return !!t && (t.kind === 'hist' || t.kind === 'lhist' || t.kind === 'stats' || t.kind === 'tseries');
}

/** The integer view of a value for arithmetic: ints, bools, castable aggregations. */
function asInt(t: SizedType): IntType | undefined {
  if (t.kind === 'int') return t;
  if (t.kind === 'bool') return intType(1, false);
  if (isCastableAgg(t)) return intType(8, t.signed);
  return undefined;
}

function sameKind(a: SizedType, b: SizedType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'struct' && b.kind === 'struct') return a.name === b.name;
  if (a.kind === 'pointer' && b.kind === 'pointer') return sameKind(a.to, b.to) || a.to.kind === 'void' || b.to.kind === 'void';
  if (a.kind === 'tuple' && b.kind === 'tuple') return a.fields.length === b.fields.length && a.fields.every((f, i) => sameKind(f.type, b.fields[i]!.type));
  if (a.kind === 'record' && b.kind === 'record')
    return a.fields.length === b.fields.length && a.fields.every((f) => b.fields.some((g) => g.name === f.name && sameKind(f.type, g.type)));
  if (a.kind === 'array' && b.kind === 'array') return a.count === b.count && sameKind(a.elem, b.elem);
  return true;
}

/**
 * The type that holds both (integer promotion, larger strings, element-wise tuples), or
 * undefined when they cannot be unified. `flexible` marks `b` as a non-negative literal,
 * which fits an unsigned type without turning it signed.
 */
function unify(a: SizedType, b: SizedType, flexible = false): SizedType | undefined {
  if (a.kind === 'int' && b.kind === 'int') {
    if (a.enumName && b.enumName && a.enumName === b.enumName) return a;
    if (flexible || a.signed === b.signed) {
      const size = Math.max(a.size, b.size) as IntType['size'];
      return intType(size, flexible ? a.signed : a.signed);
    }
    const s = a.signed ? a : b;
    const u = a.signed ? b : a;
    if (u.size < s.size) return intType(s.size, true);
    return intType(Math.min(8, u.size * 2) as IntType['size'], true);
  }
  if (!sameKind(a, b)) return undefined;
  switch (a.kind) {
    case 'string':
      return stringType(Math.max(a.size, b.size));
    case 'buffer':
      return { kind: 'buffer', size: Math.max(a.size, b.size) };
    case 'tuple': {
      const bt = b as typeof a;
      const elems: SizedType[] = [];
      for (let i = 0; i < a.fields.length; i++) {
        const u = unify(a.fields[i]!.type, bt.fields[i]!.type);
        if (!u) return undefined;
        elems.push(u);
      }
      return tupleType(elems);
    }
    case 'record': {
      const br = b as typeof a;
      const entries: { name: string; type: SizedType }[] = [];
      for (const f of a.fields) {
        const g = br.fields.find((x) => x.name === f.name)!;
        const u = unify(f.type, g.type);
        if (!u) return undefined;
        entries.push({ name: f.name, type: u });
      }
      return recordType(entries);
    }
    case 'pointer': {
      const bp = b as typeof a;
      return a.to.kind === 'void' ? bp : a;
    }
    default:
      return a;
  }
}

/** Map keys store integers as int64 (bpftrace widens them); tuples recursively. */
function keyType(t: SizedType): SizedType {
  if (t.kind === 'int' && !t.enumName) return int64;
  // `@[@count]`: the aggregation's number is the key.
  if (isCastableAgg(t)) return int64;
  if (t.kind === 'tuple') return tupleType(t.fields.map((f) => keyType(f.type)));
  return t;
}

/**
 * A key as the map's key type takes it: bools and integers are one another's keys (bpftrace
 * 0.23 keeps the type the map was first keyed with: `@c[false] = 3; @c[1] = 2` prints true).
 */
function keyLike(kt: SizedType, have: SizedType): SizedType {
  if (kt.kind === 'bool' && have.kind === 'int' && !have.enumName) return have;
  if (kt.kind === 'int' && !kt.enumName && have.kind === 'bool') return have;
  if (kt.kind === 'tuple' && have.kind === 'tuple' && kt.fields.length === have.fields.length)
    return tupleType(kt.fields.map((f, i) => keyLike(f.type, have.fields[i]!.type)));
  return kt;
}

/** Map values keep integers 8 bytes wide. */
function valueType(t: SizedType): SizedType {
  if (t.kind === 'int' && !t.enumName) return intType(8, t.signed);
  return t;
}

interface ExprCtx {
  /** The expression is the value of `@m = …` (name of the map). */
  readonly assignedMap?: string;
  /** The expression is the value of `$x = …`. */
  readonly assignedVar?: boolean;
  /** The expression is a map key. */
  readonly mapKey?: boolean;
  /** The expression's value is discarded (expression statement). */
  readonly discarded?: boolean;
}

class Walker {
  readonly types = new Map<Expr, SizedType>();
  readonly operandTypes = new Map<Binary, SizedType>();
  readonly calls = new Map<Call, CallInfo>();
  readonly constants = new Map<Expr, bigint>();
  readonly formats: FormatSpec[] = [];
  readonly builtinsUsed = new Map<number, Set<string>>();
  private unit!: Unit;
  private scope!: ProbeScope;
  private loopDepth = 0;
  private mapLoopDepth = 0;
  private beginSeen = false;
  private sargWarned = false;
  private endSeen = false;

  constructor(
    private readonly input: InferInput,
    private readonly state: InferState,
    private readonly final: boolean,
  ) {}

  run(): void {
    for (const unit of this.input.units) {
      this.unit = unit;
      this.scope = this.makeScope(unit);
      this.loopDepth = 0;
      this.mapLoopDepth = 0;
      if (unit.predicate) {
        const t = this.expr(unit.predicate, {});
        if (this.final && t && !isIntLike(t) && t.kind !== 'pointer' && !isCastableAgg(t))
          this.error(unit.predicate, M.predicateType(kindName(t)));
      }
      this.block(unit.body);
    }
    void this.beginSeen;
    void this.endSeen;
  }

  private makeScope(unit: Unit): ProbeScope {
    const structs = this.input.structs;
    const inMapLoop = () => this.mapLoopDepth > 0;
    return {
      ...(unit.isSubprog
        ? {}
        : {
            probe: {
              providers: unit.providers,
              matches: unit.matches,
              addressSpace: unit.addressSpace,
              longestName: unit.longestName,
            },
          }),
      config: this.input.config,
      hasChild: this.input.hasChild,
      get inMapLoop() {
        return inMapLoop();
      },
      struct: (name: string) => structs.lookup(name),
    };
  }

  // ── diagnostics (reported in the final pass only) ─────────────────────────────────────

  private error(node: { span: Span }, m: Message, hints: readonly string[] = [], span?: Span): void {
    if (this.final) this.input.bag.error(this.input.sourceFor(node), span ?? node.span, m, hints);
  }

  private warning(node: { span: Span }, m: Message, span?: Span): void {
    if (this.final) this.input.bag.warning(this.input.sourceFor(node), span ?? node.span, m);
  }

  private set(e: Expr, t: SizedType | undefined): SizedType | undefined {
    if (t) this.types.set(e, t);
    return t;
  }

  // ── statements ──────────────────────────────────────────────────────────────────────

  private block(b: Block | BlockExpr): void {
    this.stmts(b.stmts);
  }

  private stmts(list: readonly Stmt[]): void {
    list.forEach((s, i) => {
      this.stmt(s);
      if (s.kind === 'Jump' && i < list.length - 1) this.warning(s, M.unreachableAfterJump(s.jump));
    });
  }

  private stmt(s: Stmt): void {
    switch (s.kind) {
      case 'ExprStmt':
        this.expr(s.expr, { discarded: true });
        return;
      case 'AssignVar':
        this.assignVar(s);
        return;
      case 'AssignMap':
        this.assignMap(s);
        return;
      case 'LetDecl':
        this.letDecl(s);
        return;
      case 'If': {
        const t = this.expr(s.cond, {});
        if (this.final && t && !isIntLike(t) && t.kind !== 'pointer' && !isCastableAgg(t)) this.error(s, M.ifCondition(kindName(t)));
        this.block(s.then);
        if (s.else) {
          if (s.else.kind === 'If') this.stmt(s.else);
          else this.block(s.else);
        }
        return;
      }
      case 'Unroll': {
        const n = this.intConstant(s.count);
        this.expr(s.count, {});
        if (n === undefined) this.error(s, M.unrollInvalid());
        else if (n > 100n) this.error(s, M.unrollMax());
        else if (n < 1n) this.error(s, M.unrollMin());
        if (n !== undefined && this.final) this.constants.set(s.count, n);
        this.block(s.body);
        return;
      }
      case 'While': {
        // bpftrace 0.23 leaves this to the kernel's verifier; we say it before compiling.
        const t = this.expr(s.cond, {});
        if (this.final && t && !isIntLike(t) && t.kind !== 'pointer' && !isCastableAgg(t)) this.error(s, M.whileCondition(kindName(t)));
        this.loopDepth++;
        this.block(s.body);
        this.loopDepth--;
        return;
      }
      case 'ForRange': {
        const from = this.expr(s.from, {});
        const to = this.expr(s.to, {});
        if (from && !isIntLike(from)) this.error(s.from, M.forRangeBound('start', typeName(from)));
        if (to && !isIntLike(to)) this.error(s.to, M.forRangeBound('end', typeName(to)));
        if (from && to && isIntLike(from) && isIntLike(to)) {
          const t = unify(asInt(from)!, asInt(to)!) ?? int64;
          this.updateSlot(s.variable, t, s.variable);
        }
        this.set(s.variable, this.slotType(s.variable));
        this.loopDepth++;
        this.block(s.body);
        this.loopDepth--;
        return;
      }
      case 'ForMap': {
        const name = bare(s.map.name);
        const m = this.state.maps.get(name);
        if (this.final && !m?.value) this.error(s.map, M.undefinedMap(`@${name}`));
        if (m) m.read = true;
        if (m?.value) {
          if (isMultiOutput(m.value)) this.error(s.map, M.forMapType(typeName(m.value)));
          else if (m.key === null) this.error(s.map, M.forMapScalar());
          else if (m.key) {
            // $kv.1 of a count/sum/min/max/avg map is the number (all CPUs' copies combined).
            const value = isCastableAgg(m.value) ? intType(8, m.value.signed) : m.value;
            this.updateSlot(s.variable, tupleType([m.key, value]), s.variable, true);
            this.set(s.map, m.value);
          }
        }
        this.set(s.variable, this.slotType(s.variable));
        this.loopDepth++;
        this.mapLoopDepth++;
        this.block(s.body);
        this.mapLoopDepth--;
        this.loopDepth--;
        return;
      }
      case 'Jump':
        if (s.jump === 'return' && s.value) {
          const t = this.expr(s.value, {});
          // A probe's `return value` is accepted and the value discarded (bpftrace 0.23 says nothing).
          if (this.unit.isSubprog && t && this.unit.returnType && !unify(this.unit.returnType, t))
            this.error(s, M.returnType(typeName(this.unit.returnType), typeName(t)));
        } else if (s.jump === 'return' && this.unit.isSubprog && this.unit.returnType && this.unit.returnType.kind !== 'void') {
          this.error(s, M.returnType(typeName(this.unit.returnType), 'void'));
        }
        return;
      case 'Block':
        this.block(s);
        return;
      case 'Import':
        this.error(s, M.importInBlock());
        return;
    }
  }

  private letDecl(s: Extract<Stmt, { kind: 'LetDecl' }>): void {
    const slot = this.input.slotOf.get(s.target);
    if (s.type) {
      const declared = this.resolveType(s.type, s);
      if (declared) {
        if (isAggregation(declared) || declared.kind === 'void' || declared.kind === 'stack_mode') {
          this.error(s, M.invalidVarDeclType(typeName(declared)));
        } else if (slot && !this.state.slotTypes.has(slot.id) && !(declared.kind === 'string' && declared.size === 0)) {
          this.state.slotTypes.set(slot.id, declared);
        }
      }
    }
    if (s.value) {
      const t = this.expr(s.value, { assignedVar: true });
      if (t) this.assignToSlot(s.target, t, s, s.value);
    }
    this.set(s.target, this.slotType(s.target));
  }

  private slotType(v: Variable): SizedType | undefined {
    const slot = this.input.slotOf.get(v);
    return slot ? this.state.slotTypes.get(slot.id) : undefined;
  }

  /** Sets or widens a slot's type; returns false on a kind mismatch. */
  private updateSlot(v: Variable, t: SizedType, at: { span: Span }, replace = false): boolean {
    const slot = this.input.slotOf.get(v);
    if (!slot) return true;
    const cur = this.state.slotTypes.get(slot.id);
    if (!cur || replace) {
      this.state.slotTypes.set(slot.id, t);
      return true;
    }
    const u = unify(cur, t);
    if (!u) return false;
    void at;
    this.state.slotTypes.set(slot.id, u);
    return true;
  }

  private assignToSlot(target: Variable, t: SizedType, stmt: { span: Span }, value: Expr): void {
    if (t.kind === 'void') {
      this.error(value, M.invalidAssignment(typeName(t)));
      return;
    }
    if (isMultiOutput(t)) {
      this.error(stmt, M.aggregateToVariable(typeName(t)));
      return;
    }
    const assigned = isCastableAgg(t) ? int64 : t;
    const slot = this.input.slotOf.get(target);
    if (!slot) return;
    const cur = this.state.slotTypes.get(slot.id);
    const fixed = slot.declaredType && !(slot.declaredType.name === 'string' && slot.declaredType.arraySize === undefined);
    if (cur && fixed) {
      // A declared type does not grow: the value must fit it.
      const lit = this.negLiteral(value);
      if (cur.kind === 'int' && assigned.kind === 'int' && lit !== undefined) {
        // A negative literal never goes into an unsigned variable; others must fit its range.
        if (lit < 0n && !cur.signed)
          this.error(stmt, M.varTypeMismatch(slot.name, typeName(assigned), typeName(cur), 'when variable already has a type'));
        else if (!fitsInt(lit, cur)) this.error(stmt, M.varLiteralDoesNotFit(slot.name, lit, typeName(cur)));
        return;
      }
      if (!sameKind(cur, assigned) || (assigned.kind === 'string' && assigned.size > cur.size)) {
        this.error(stmt, M.varTypeMismatch(slot.name, typeName(assigned), typeName(cur), 'when variable already has a type'));
      }
      return;
    }
    if (cur && !sameKind(cur, assigned) && !(cur.kind === 'int' && assigned.kind === 'int')) {
      this.error(stmt, M.varTypeMismatch(slot.name, typeName(assigned), typeName(cur), 'when variable already contains a value of type'));
      return;
    }
    if (assigned.kind === 'int' && (!cur || cur.kind === 'int')) {
      // Integers: the slot holds every value assigned to it. Non-negative literals fit any
      // integer and do not make it signed (`$a = 1; $a = (uint64)2` is uint64).
      if (this.isNonNegativeLiteral(value)) this.state.literalSlots.add(slot.id);
      else {
        const acc = this.state.intSlots.get(slot.id);
        const u = acc ? unify(acc, assigned) : assigned;
        if (!assigned.signed) this.state.unsignedSlots.add(slot.id);
        // Signed values into a variable that also holds unsigned ones: it becomes signed.
        else if (this.state.unsignedSlots.has(slot.id) && u)
          this.warning(stmt, M.signMismatchAssign(slot.name, typeName(assigned), typeName(u)));
        if (u && u.kind === 'int') this.state.intSlots.set(slot.id, u);
      }
      const acc = this.state.intSlots.get(slot.id);
      const t = !acc ? int64 : this.state.literalSlots.has(slot.id) ? intType(8, acc.signed) : acc;
      this.state.slotTypes.set(slot.id, t);
      return;
    }
    if (!this.updateSlot(target, assigned, stmt)) {
      this.error(stmt, M.varTypeMismatch(slot.name, typeName(assigned), typeName(cur!), 'when variable already contains a value of type'));
    }
  }

  private assignVar(s: AssignVar): void {
    let t: SizedType | undefined;
    if (s.op) {
      const cur = this.expr(s.target, {});
      const rhs = this.expr(s.value, {});
      t = cur && rhs ? this.binaryType(s, s.op, cur, rhs, s.target, s.value) : undefined;
    } else t = this.expr(s.value, { assignedVar: true });
    if (t) this.assignToSlot(s.target, t, s, s.value);
    else if (!s.op) this.error(s.value, M.invalidAssignment('none'));
    this.set(s.target, this.slotType(s.target));
  }

  private mapState(name: string, span: Span): MapState {
    let m = this.state.maps.get(name);
    if (!m) {
      m = { span, read: false };
      this.state.maps.set(name, m);
    }
    return m;
  }

  private assignMap(s: AssignMap): void {
    const name = bare(s.target.name);
    this.mapKey(s.target, true);
    let t: SizedType | undefined;
    if (s.op) {
      // `@m += e` on a map nothing assigned yet starts from an int64 0, as `@m++` does.
      const ms = this.mapState(name, s.target.span);
      if (!ms.value) ms.value = int64;
      const cur = this.mapRead(s.target);
      const rhs = this.expr(s.value, {});
      t = cur && rhs ? this.binaryType(s, s.op, cur, rhs, s.target, s.value) : undefined;
    } else {
      t = this.expr(s.value, { assignedMap: name });
    }
    if (!t) return;
    const m = this.mapState(name, s.target.span);
    const before = m.value;
    // An aggregation read from another map is copied only into a map that already holds integers.
    if (s.value.kind === 'Map' && isAggregation(t)) {
      const castable = isCastableAgg(t);
      if (isMultiOutput(t) || !(before && before.kind === 'int')) {
        const hints = castable ? [M.aggregateCastHint(`@${name}`, `@${bare(s.value.name)}`).text] : [];
        this.error(s, M.aggregateMapToMap(typeName(t), `@${name}`, aggregateHint(t.kind)), hints);
        return;
      }
      t = before;
    }
    if (t.kind === 'void') {
      this.error(s.value, M.invalidAssignment('none'));
      return;
    }
    if (t.kind === 'struct' && t.name.startsWith('struct _tracepoint_')) {
      this.error(s.target, M.tracepointArgsInMap());
      return;
    }
    const v = valueType(t);
    if (!before) {
      m.value = v;
      if (isAggregation(v) && v.params) m.aggParams = v.params;
    } else if (before.kind !== v.kind || (before.kind === 'struct' && v.kind === 'struct' && before.name !== v.name)) {
      this.error(s.target, M.mapTypeMismatch(`@${name}`, typeName(t), typeName(before)));
    } else if (isAggregation(before) && isAggregation(v)) {
      if (v.kind === 'hist' && m.aggParams && v.params && m.aggParams[0] !== v.params[0])
        this.error(s.value, M.histBitsMixed(m.aggParams[0]!, v.params[0]!));
      else if (v.kind === 'lhist' && m.aggParams && v.params && m.aggParams.join() !== v.params.join()) this.error(s.value, M.lhistBoundsMixed());
      if (before.kind !== 'count' && v.signed && !before.signed) m.value = { ...before, signed: true };
    } else if (before.kind === 'int' && v.kind === 'int') {
      // bpftrace 0.23: the first assignment decides the signedness; later values are stored as is.
    } else if (before.kind === 'string' && v.kind === 'string') {
      if (v.size > before.size) m.value = v;
    } else if (before.kind === 'buffer' && v.kind === 'buffer') {
      if (v.size > before.size) this.warning(s, M.bufferSizeMismatch(before.size, v.size, true));
      else if (v.size < before.size) this.error(s, M.bufferSizeMismatch(before.size, v.size, false));
    } else if (before.kind === 'tuple' && v.kind === 'tuple') {
      const u = unify(before, v);
      if (!u) this.error(s, M.tupleMismatch(typeName(before), typeName(v)));
      else m.value = u;
    } else if (before.kind === 'array' && v.kind === 'array') {
      if (typeName(before) !== typeName(v)) this.error(s, M.arrayMismatch(typeName(before), typeName(v)));
    } else {
      const u = unify(before, v);
      if (u) m.value = u;
    }
    this.set(s.target, this.state.maps.get(name)!.value);
  }

  /** Types and unifies a map access's keys; `write` for assignment targets. */
  private mapKey(ref: MapRef, write: boolean): void {
    const name = bare(ref.name);
    const m = this.mapState(name, ref.span);
    void write;
    if (!ref.keys || ref.keys.length === 0) {
      if (m.key === undefined) m.key = null;
      else if (m.key !== null) this.error(ref, M.mapNeedsKeys(`@${name}`, typeName(m.key)));
      return;
    }
    const types = ref.keys.map((k) => this.expr(k, { mapKey: true }));
    if (types.some((t) => t === undefined)) return;
    const kt = types.length === 1 ? keyType(types[0]!) : keyType(tupleType(types as SizedType[]));
    for (const t of types as SizedType[]) {
      if (isMultiOutput(t)) this.error(ref, M.badMapKey(typeName(t)));
      if (t.kind === 'void') this.error(ref, M.invalidAssignment(''));
    }
    this.unifyKey(name, m, kt, ref.span, ref);
  }

  private unifyKey(name: string, m: MapState, kt: SizedType, span: Span, node: { span: Span }): void {
    if (m.key === undefined) {
      m.key = kt;
      return;
    }
    if (m.key === null) {
      this.error(node, M.mapHasNoKeys(`@${name}`, typeName(kt)), [], span);
      return;
    }
    const u = unify(m.key, keyLike(kt, m.key));
    if (!u || u.kind !== m.key.kind || (u.kind === 'tuple' && typeName(keyType(u)) !== typeName(u))) {
      this.error(node, M.mapKeyMismatch(`@${name}`, typeName(kt), typeName(m.key)), [], span);
      return;
    }
    m.key = u;
  }

  /** A map read (`@m`, `@m[k]`): keys unified, value type (undefined until some assignment). */
  private mapRead(ref: MapRef): SizedType | undefined {
    const name = bare(ref.name);
    this.mapKey(ref, false);
    const m = this.state.maps.get(name)!;
    m.read = true;
    if (!m.value) {
      if (this.final) this.error(ref, M.undefinedMap(`@${name}`));
      return undefined;
    }
    return m.value;
  }

  // ── expressions ─────────────────────────────────────────────────────────────────────

  private expr(e: Expr, ctx: ExprCtx): SizedType | undefined {
    return this.set(e, this.exprType(e, ctx));
  }

  private exprType(e: Expr, ctx: ExprCtx): SizedType | undefined {
    switch (e.kind) {
      case 'Int':
        return literalType(e.value, false);
      case 'String': {
        const max = this.input.config.max_strlen;
        if (e.value.length > max - 1 && !this.input.parameterStrings?.has(e) && !this.formatStrings.has(e)) this.error(e, M.stringTooLong(max, e.value));
        return stringType(e.value.length + 1);
      }
      case 'Bool':
        return boolType;
      case 'Variable': {
        const t = this.slotType(e);
        return t;
      }
      case 'Map':
        return this.mapRead(e);
      case 'Positional':
      case 'PositionalCount':
        // Substituted by expansion; reaching here means the index was invalid.
        return int64;
      case 'Builtin':
        return this.builtin(e, e.name);
      case 'Identifier':
        return this.identifier(e);
      case 'Call':
        return this.call(e, ctx);
      case 'Binary':
        return this.binary(e);
      case 'Unary':
        return this.unary(e);
      case 'IncDec':
        return this.incDec(e);
      case 'Ternary':
        return this.ternary(e);
      case 'Cast':
        return this.cast(e);
      case 'FieldAccess':
        return this.fieldAccess(e);
      case 'Index':
        return this.index(e);
      case 'TupleAccess': {
        const t = this.expr(e.expr, {});
        if (!t) return undefined;
        if (t.kind !== 'tuple') {
          this.error(e, M.fieldOnType(`index ${e.index}`, typeName(t)));
          return undefined;
        }
        const f = t.fields[e.index];
        if (!f) {
          this.error(e, M.tupleIndex(e.index, t.fields.length));
          return undefined;
        }
        return f.type;
      }
      case 'Tuple': {
        const elems = e.elems.map((x) => this.expr(x, {}));
        if (elems.some((x) => x === undefined)) return undefined;
        for (const [i, t] of (elems as SizedType[]).entries()) {
          if (isMultiOutput(t)) this.error(e.elems[i]!, M.aggregateInTuple(typeName(t)));
          if (t.kind === 'void') return undefined;
        }
        return tupleType((elems as SizedType[]).map((t) => (isCastableAgg(t) ? int64 : t)));
      }
      case 'Record': {
        const entries: { name: string; type: SizedType }[] = [];
        const seen = new Set<string>();
        for (const f of e.fields) {
          if (seen.has(f.name)) this.error(f, M.recordDuplicateField(f.name));
          seen.add(f.name);
          const t = this.expr(f.value, {});
          if (!t) return undefined;
          entries.push({ name: f.name, type: t });
        }
        return recordType(entries);
      }
      case 'Sizeof': {
        const t = e.arg.kind === 'Type' ? this.resolveType(e.arg, e) : this.expr(e.arg, {});
        if (t && this.final) this.constants.set(e, BigInt(t.size));
        return uint64;
      }
      case 'Offsetof':
        return this.offsetof(e);
      case 'Typeof':
        this.error(e, M.typeofPlacement());
        return undefined;
      case 'BlockExpr':
        this.block(e);
        return e.value ? this.expr(e.value, ctx) : voidType;
      case 'IfExpr': {
        const c = this.expr(e.cond, {});
        if (this.final && c && !isIntLike(c) && c.kind !== 'pointer') this.error(e, M.ifCondition(kindName(c)));
        this.block(e.then);
        const a = e.then.value ? this.expr(e.then.value, {}) : voidType;
        this.block(e.else);
        const b = e.else.value ? this.expr(e.else.value, {}) : voidType;
        if (!a || !b) return undefined;
        return this.branchType(e, a, b);
      }
    }
  }

  private identifier(e: Extract<Expr, { kind: 'Identifier' }>): SizedType | undefined {
    const own = this.input.structs.enumConstants.get(e.name);
    const k = own ?? this.input.kernelEnum?.(e.name);
    if (k) {
      if (this.final) this.constants.set(e, k.value);
      return { kind: 'int', size: 8, signed: false, enumName: k.enumName };
    }
    if (builtinByName(e.name) || (e.name.startsWith('__builtin_') && builtinByName(e.name.slice(10)))) return this.builtin(e, e.name);
    if (STACK_MODE_NAMES.has(e.name)) return { kind: 'stack_mode', size: 0 };
    if (TIMESTAMP_MODES.has(e.name)) return { kind: 'timestamp_mode', size: 0 };
    this.error(e, M.unknownIdentifier(e.name));
    return undefined;
  }

  private builtin(e: Expr, rawName: string): SizedType | undefined {
    const name = rawName.startsWith('__builtin_') ? rawName.slice('__builtin_'.length) : rawName;
    const row = builtinByName(name);
    if (!row) {
      const hint = closest(name, builtinNames());
      this.error(e, M.unknownBuiltin(name), hint ? [M.didYouMean(hint).text] : []);
      return undefined;
    }
    if (this.final) {
      let used = this.builtinsUsed.get(this.unit.index);
      if (!used) this.builtinsUsed.set(this.unit.index, (used = new Set()));
      used.add(name);
    }
    if (row.needsProbe && this.unit.isSubprog) {
      this.error(e, M.builtinOutsideProbe(name));
      return undefined;
    }
    if (row.name === 'sarg' && this.final && !this.sargWarned) {
      this.sargWarned = true;
      this.input.bag.warning(undefined, undefined, M.sargDeprecated());
    }
    const r = row.resolve(this.scope, name);
    if ('error' in r) this.error(e, r.error);
    if (this.mapLoopDepth > 0 && row.readsContext && (name === 'args' || name === 'retval' || name === 'ctx' || row.pattern)) {
      this.error(e, M.builtinInForLoop(name));
    }
    return r.type;
  }

  private intConstant(e: Expr): bigint | undefined {
    return constantInt(e, (x) => this.input.structs.enumConstants.get(x)?.value ?? this.input.kernelEnum?.(x)?.value);
  }

  private negLiteral(e: Expr): bigint | undefined {
    if (e.kind === 'Int') return e.value;
    if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'Int') return -e.operand.value;
    return undefined;
  }

  /** A literal that fits int64 and is not negative: it fits any integer variable. Above INT64_MAX it is a uint64. */
  private isNonNegativeLiteral(e: Expr): boolean {
    const v = this.negLiteral(e);
    return v !== undefined && v >= 0n && v <= 0x7fffffffffffffffn;
  }

  // ── calls ───────────────────────────────────────────────────────────────────────────

  /** Format strings of printf-like calls: not bounded by max_strlen. */
  private readonly formatStrings = new WeakSet<Expr>();

  private call(c: Call, ctx: ExprCtx): SizedType | undefined {
    const sub = this.input.subprogs?.get(c.name);
    if (sub) return this.subprogCall(c, sub, ctx);
    const row = functionByName(c.name);
    if (!row) {
      const b = builtinByName(c.name);
      if (b && b.callable && c.args.length === 0) return this.builtin(c, c.name);
      for (const a of c.args) this.expr(a, {});
      const hint = closest(c.name, [...functionNames(), ...builtinNames()]);
      this.error(c, M.unknownFunction(c.name), hint ? [M.didYouMean(hint).text] : [], nameSpan(c));
      return undefined;
    }
    if (row.unsafe && !this.input.unsafe) this.error(c, M.unsafeFunction(c.name));
    const badProvider = disallowedProvider(row, this.scope);
    if (badProvider) this.error(c, M.functionNotInProbe(c.name, badProvider));

    // Arity, in bpftrace's two wordings.
    const n = c.args.length;
    if (n < row.minArgs || n > row.maxArgs) {
      for (const a of c.args) this.argExpr(row, c, a, c.args.indexOf(a));
      this.error(c, arityMessage(row, n));
      return row.aggregation ? undefined : this.fallbackType(row);
    }
    if (!this.placementOk(row, c, ctx)) {
      for (const [i, a] of c.args.entries()) this.argExpr(row, c, a, i);
      return undefined;
    }
    // printf's format never becomes a string value in the program, so max_strlen does not bound it (bpftrace 0.23).
    if (FORMAT_EXEMPT.has(c.name) && c.args[0]?.kind === 'String') this.formatStrings.add(c.args[0]);
    for (const [i, a] of c.args.entries()) this.argExpr(row, c, a, i);

    const info: { -readonly [K in keyof CallInfo]?: CallInfo[K] } = {};
    const checker = this.checker(row, c, ctx, info);
    const result = row.check(checker);
    if (this.final) this.calls.set(c, { fn: row, discarded: !!ctx.discarded, ...info } as CallInfo);
    return result;
  }

  /** A call of the program's own `fn`: arity and argument types against its parameters. */
  private subprogCall(c: Call, sub: { params: readonly SizedType[]; returnType: SizedType; row: FunctionRow }, ctx: ExprCtx): SizedType | undefined {
    const types = c.args.map((a) => this.expr(a, {}));
    if (c.args.length !== sub.params.length) {
      this.error(c, M.arityExact(c.name, sub.params.length, c.args.length));
      return sub.returnType;
    }
    types.forEach((t, i) => {
      const want = sub.params[i]!;
      if (t && !unify(want, t)) this.error(c.args[i]!, M.subprogArgType(c.name, i + 1, typeName(want), typeName(t)));
    });
    if (this.final) this.calls.set(c, { fn: sub.row, subprog: true, discarded: !!ctx.discarded });
    return sub.returnType;
  }

  private fallbackType(row: FunctionRow): SizedType | undefined {
    return row.placement === 'statement' ? voidType : undefined;
  }

  private placementOk(row: FunctionRow, c: Call, ctx: ExprCtx): boolean {
    switch (row.placement) {
      case 'map':
        if (ctx.assignedMap === undefined) {
          this.error(c, M.mustAssignToMap(c.name));
          return false;
        }
        return true;
      case 'statement':
        if (ctx.assignedMap !== undefined || ctx.assignedVar || ctx.mapKey) {
          this.error(c, M.mustNotAssign(c.name));
          return false;
        }
        return true;
      case 'variable':
        if (!ctx.assignedVar) {
          this.error(c, M.mustAssignToVar(c.name));
          return false;
        }
        return true;
      default:
        return true;
    }
  }

  /** Types one argument according to the row's argument kinds. */
  private argExpr(row: FunctionRow, c: Call, a: Expr, i: number): void {
    const kind = row.argKinds[Math.min(i, row.argKinds.length - 1)]!;
    if (kind === 'map' && a.kind === 'Map') {
      const name = bare(a.name);
      const m = this.mapState(name, a.span);
      if (a.keys && a.keys.length > 0) {
        // `delete(@m[k])`, `print(@m[k])`: an access.
        this.mapKey(a, false);
        if (c.name === 'print') m.read = true;
        this.set(a, m.value);
        // Located at the call without its `)`, as bpftrace 0.23 locates it.
        if (!m.value && this.final) this.error(c, M.undefinedMap(`@${name}`), [], { start: c.span.start, end: c.span.end - 1 });
      } else {
        if (m.value) this.set(a, m.value);
        else if (this.final) this.error(a, M.undefinedMap(`@${name}`));
      }
      return;
    }
    if (kind === 'mode' && a.kind === 'Identifier') {
      if (c.name === 'kstack' || c.name === 'ustack') {
        if (stackModeOf(a)) this.set(a, { kind: 'stack_mode', size: 0 });
        else this.expr(a, {});
        return;
      }
      if (c.name === 'nsecs') {
        if (TIMESTAMP_MODES.has(a.name)) this.set(a, { kind: 'timestamp_mode', size: 0 });
        else this.error(a, M.timestampMode(a.name));
        return;
      }
      if (c.name === 'pid' || c.name === 'tid') return;
    }
    this.expr(a, {});
  }

  private checker(row: FunctionRow, c: Call, ctx: ExprCtx, info: Record<string, unknown>): CallChecker {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const w = this;
    return {
      call: c,
      args: c.args,
      scope: this.scope,
      final: this.final,
      ...(ctx.assignedMap !== undefined ? { assignedMap: ctx.assignedMap } : {}),
      inLoop: this.loopDepth > 0,
      typeOf: (e) => (e.kind === 'Map' && row.argKinds.includes('map') ? w.state.maps.get(bare(e.name))?.value : w.types.get(e)),
      intLiteral: (e) => w.intConstant(e),
      stringLiteral: (e) => (e.kind === 'String' ? e.value : undefined),
      isMap: (e): e is MapRef => e.kind === 'Map',
      mapKey: (name) => w.state.maps.get(bare(name))?.key,
      mapValue: (name) => w.state.maps.get(bare(name))?.value,
      useMapKey: (name, key, span) => {
        const m = w.mapState(bare(name), span);
        w.unifyKey(bare(name), m, keyType(key), span, { span });
      },
      format: (func, fmt, argTypes) => {
        const { parts, conversions } = parseFormat(fmt);
        const spec: FormatSpec = { id: w.formats.length, func, format: fmt, parts, conversions, argTypes };
        if (w.final) w.formats.push(spec);
        return spec;
      },
      error: (m, span, hints) => w.error(c, m, hints ?? [], span),
      warning: (m, span) => w.warning(c, m, span),
      note: (i) => Object.assign(info, i),
    };
    void row;
  }

  // ── operators ───────────────────────────────────────────────────────────────────────

  private binary(e: Binary): SizedType | undefined {
    const l = this.expr(e.left, {});
    const r = this.expr(e.right, {});
    if (!l || !r) return undefined;
    return this.binaryType(e, e.op, l, r, e.left, e.right);
  }

  /**
   * Where the operator token is: bpftrace locates operator diagnostics there (`/` in
   * `$a / $b`, `/=` in `$a /= 4`).
   */
  private opSpan(node: { span: Span }, op: string, le: Expr, re: Expr): Span {
    const text = this.input.sourceFor(node).text;
    const token = (node as { kind?: string }).kind === 'Binary' ? op : `${op}=`;
    const at = text.indexOf(token, le.span.end);
    if (at < 0 || at + token.length > re.span.start) return node.span;
    return { start: at, end: at + token.length };
  }

  private binaryType(node: { span: Span }, op: string, l: SizedType, r: SizedType, le: Expr, re: Expr): SizedType | undefined {
    const at = this.opSpan(node, op, le, re);
    if (l.kind === 'pointer' || r.kind === 'pointer') return this.pointerBinary(node, at, op, l, r);
    const li = asInt(l);
    const ri = asInt(r);
    if (li && ri) {
      const shift = op === '<<' || op === '>>';
      const signed = shift ? li.signed : li.signed && ri.signed;
      const t = intType(Math.max(li.size, ri.size) as IntType['size'], signed);
      if (this.final && (node as Binary).kind === 'Binary') this.operandTypes.set(node as Binary, t);
      this.intWarnings(node, at, op, li, ri, le, re);
      return t;
    }
    if ((l.kind === 'array' && r.kind === 'array') || (l.kind === 'string' && r.kind === 'string') || (l.kind === 'tuple' && r.kind === 'tuple') || (l.kind === 'record' && r.kind === 'record') || (l.kind === 'buffer' && r.kind === 'buffer')) {
      if (op !== '==' && op !== '!=') {
        this.error(node, M.binaryOnTypes(op, typeName(l), typeName(r)), [], at);
        return uint64;
      }
      if (l.kind === 'array' && r.kind === 'array') {
        if (l.count !== r.count) this.error(node, M.arrayCompareSize(), [], at);
        else if (l.elem.kind !== 'int' || typeName(l) !== typeName(r)) this.error(node, M.arrayCompareElem(), [], at);
      }
      if (l.kind === 'string' && r.kind === 'string') this.literalLongerWarning(node, le, re, l, r);
      return uint64;
    }
    this.error(node, M.binaryTypeMismatch(op, typeName(l), typeName(r)), [], joinSpans(le.span, re.span));
    // bpftrace still gives the operation its default integer type, so nothing downstream echoes this.
    return uint64;
  }

  private literalLongerWarning(node: { span: Span }, le: Expr, re: Expr, l: SizedType, r: SizedType): void {
    const lit = le.kind === 'String' ? le : re.kind === 'String' ? re : undefined;
    if (!lit || (le.kind === 'String' && re.kind === 'String')) return;
    const other = lit === le ? r : l;
    if (lit.value.length > other.size) this.warning(node, M.literalLonger(other.size), joinSpans(le.span, re.span));
  }

  private intWarnings(node: { span: Span }, at: Span, op: string, l: IntType, r: IntType, le: Expr, re: Expr): void {
    if (!this.final) return;
    let ls = l.signed;
    let rs = r.signed;
    const lLit = this.intConstant(le);
    const rLit = this.intConstant(re);
    if (ls !== rs) {
      if (ls && !rs && lLit !== undefined && lLit >= 0n) ls = false;
      else if (!ls && rs && rLit !== undefined && rLit >= 0n) rs = false;
      else if (['==', '!=', '<=', '>=', '<', '>'].includes(op)) this.warning(node, M.signedCompare(typeName(l), typeName(r)), at);
      else if (['+', '-', '*', '/', '%'].includes(op)) this.warning(node, M.signedArithmetic(typeName(l), typeName(r)), at);
    }
    if (op === '/' || op === '%') {
      if (ls && lLit !== undefined && lLit >= 0n) ls = false;
      if (rs && rLit !== undefined && rLit >= 0n) rs = false;
      if (ls || rs) this.warning(node, M.signedDivision(op), at);
    }
  }

  private pointerBinary(node: { span: Span }, at: Span, op: string, l: SizedType, r: SizedType): SizedType | undefined {
    const leftPtr = l.kind === 'pointer';
    const ptr = (leftPtr ? l : r) as Extract<SizedType, { kind: 'pointer' }>;
    const other = leftPtr ? r : l;
    const compare = ['==', '!=', '<=', '>=', '<', '>'].includes(op);
    const logical = op === '&&' || op === '||';
    const invalid = () => {
      this.error(node, M.pointerOperator(op, typeName(l), typeName(r)), [], at);
      return undefined;
    };
    if (other.kind === 'pointer') {
      if (compare || logical) return uint64;
      return invalid();
    }
    if (isIntLike(other)) {
      if (op === '-' && !leftPtr) return invalid();
      if (op === '+' || op === '-') return ptr;
      if (compare || logical) return int64;
      return invalid();
    }
    return invalid();
  }

  private unary(e: Extract<Expr, { kind: 'Unary' }>): SizedType | undefined {
    // A negative literal is one value (int64), as bpftrace's lexer reads it.
    if (e.op === '-' && e.operand.kind === 'Int') {
      this.expr(e.operand, {});
      if (this.final) this.constants.set(e, -e.operand.value);
      return int64;
    }
    if (e.op === '&') {
      const t = this.expr(e.operand, {});
      return t ? pointerTo(t, 'kernel') : undefined;
    }
    const t = this.expr(e.operand, {});
    if (!t) return undefined;
    if (e.op === '*') {
      if (t.kind === 'pointer') return t.to.kind === 'void' ? intType(1, false) : t.to;
      if (t.kind === 'struct' && t.name.startsWith('struct _tracepoint_')) return t;
      if (t.kind === 'int') return uint64;
      const opAt = { start: e.span.start, end: e.span.start + 1 };
      if (t.kind === 'struct') this.error(e, M.derefStruct(t.name), [], opAt);
      else this.error(e, M.unaryOnType('dereference', typeName(t)), [], opAt);
      return voidType;
    }
    const i = asInt(t);
    if (!i) {
      if (e.op === '!' && t.kind === 'pointer') return uint64;
      this.error(e, M.unaryOnType(e.op, typeName(t)), [], { start: e.span.start, end: e.span.start + 1 });
      return uint64;
    }
    if (e.op === '!') return t.kind === 'bool' ? boolType : intType(i.size, false);
    return intType(8, i.signed);
  }

  private incDec(e: Extract<Expr, { kind: 'IncDec' }>): SizedType | undefined {
    const t = e.target;
    if (t.kind === 'Map') {
      const name = bare(t.name);
      this.mapKey(t, true);
      const m = this.state.maps.get(name)!;
      if (!m.value) m.value = int64;
      m.read = true;
      const v = m.value;
      this.set(t, v);
      if (!isIntLike(v) && v.kind !== 'pointer') this.error(e, M.unaryOnType(incDecName(e), typeName(v)));
      return v;
    }
    const v = this.expr(t, {});
    if (v && !isIntLike(v) && v.kind !== 'pointer') this.error(e, M.unaryOnType(incDecName(e), typeName(v)));
    return v;
  }

  private branchType(node: { span: Span }, a: SizedType, b: SizedType): SizedType | undefined {
    const ai = asInt(a);
    const bi = asInt(b);
    if (a.kind === 'int' && b.kind === 'int') return intType(8, a.signed);
    if (ai && bi && a.kind === b.kind) return a;
    if (!sameKind(a, b)) {
      this.error(node, M.ternaryTypes(typeName(a), typeName(b)));
      return a;
    }
    if ((a.kind === 'kstack' || a.kind === 'ustack') && (b.kind === 'kstack' || b.kind === 'ustack') && (a.mode !== b.mode || a.limit !== b.limit)) {
      this.error(node, M.ternaryStacks());
      return undefined;
    }
    return unify(a, b) ?? a;
  }

  private ternary(e: Extract<Expr, { kind: 'Ternary' }>): SizedType | undefined {
    const c = this.expr(e.cond, {});
    const a = e.then ? this.expr(e.then, {}) : c;
    const b = this.expr(e.else, {});
    if (!c || !a || !b) return undefined;
    const t = this.branchType(e, a, b);
    if (t && !isIntLike(c) && c.kind !== 'pointer' && !isCastableAgg(c)) this.error(e, M.ternaryCondition(kindName(c)));
    return t;
  }

  // ── casts and types as written ──────────────────────────────────────────────────────

  /** A TypeExpr → SizedType; unknown names are reported at `at`. */
  resolveType(t: TypeExpr, at: { span: Span }): SizedType | undefined {
    let base: SizedType | undefined;
    if (t.typeofArg) {
      base = t.typeofArg.kind === 'Type' ? this.resolveType(t.typeofArg, at) : this.expr(t.typeofArg, {});
      if (!base) return undefined;
    } else if (INT_TYPE_NAMES[t.name]) base = INT_TYPE_NAMES[t.name];
    else if (t.name === 'bool') base = boolType;
    else if (t.name === 'void') base = voidType;
    else if (t.name === 'string') base = stringType(t.arraySize ?? 0);
    else if (t.name === 'buffer') base = { kind: 'buffer', size: (t.arraySize ?? 0) + 4 };
    else if (t.name === 'inet') base = { kind: 'inet', size: t.arraySize ?? 24 };
    else if (/^(struct|union)\s/.test(t.name)) {
      base = this.input.structs.lookup(t.name);
      if (!base) {
        this.error(at, M.unknownType(t.name));
        return undefined;
      }
    } else if (/^enum\s/.test(t.name)) {
      base = { kind: 'int', size: 8, signed: false, enumName: t.name.slice(5).trim() };
    } else {
      const resolved = this.input.structs.fromText(t.name, 0);
      if (!resolved || C_TYPE_HINTS[t.name]) {
        // bpftrace reads a C keyword type as an unknown struct: both messages, then the hint.
        const span = this.typeSpan(at, t);
        this.error(at, M.unknownType(t.name), [], span);
        this.error(at, M.castToUnknown(t.name + ' *'.repeat(t.pointer)), C_TYPE_HINTS[t.name] ? [M.didYouMean(C_TYPE_HINTS[t.name]!).text] : [], span);
        return undefined;
      }
      base = resolved;
    }
    const sized = t.name === 'string' || t.name === 'buffer' || t.name === 'inet';
    let out = base;
    for (let i = 0; i < t.pointer; i++) out = pointerTo(out, 'kernel');
    if (t.arraySize !== undefined && !sized) out = plainArray(out, t.arraySize);
    for (let i = 0; i < (t.outerPointer ?? 0); i++) out = pointerTo(out, 'kernel');
    return out;
  }

  /** A cast's `(type)` part, where bpftrace locates cast errors. */
  private typeSpan(at: { span: Span }, t: TypeExpr): Span {
    const text = this.input.sourceFor(at).text;
    const close = text.indexOf(')', t.span.end);
    return close >= 0 && close < at.span.end ? { start: at.span.start, end: close + 1 } : at.span;
  }

  private cast(e: Extract<Expr, { kind: 'Cast' }>): SizedType | undefined {
    const rhs = this.expr(e.expr, {});
    let target = this.resolveType(e.type, e);
    if (!target || !rhs) return undefined;
    if (rhs.kind === 'struct' || rhs.kind === 'record') {
      this.error(e, M.castFromStruct(typeName(rhs)));
      return undefined;
    }
    const okTarget =
      target.kind === 'int' || target.kind === 'bool' || target.kind === 'pointer' || (target.kind === 'array' && (target.elem.kind === 'int' || target.elem.kind === 'bool'));
    if (!okTarget) {
      this.error(e, M.castTo(typeName(target)), [], this.typeSpan(e, e.type));
      return undefined;
    }
    if (target.kind === 'array') {
      if (target.elem.kind === 'bool') {
        this.error(e, M.bitArrays());
        return undefined;
      }
      if (target.count === 0) {
        if (rhs.size % target.elem.size !== 0) this.error(e, M.arrayCastSize());
        target = plainArray(target.elem, Math.floor(rhs.size / target.elem.size));
      }
      if (!isIntLike(rhs) || target.size !== rhs.size) {
        this.error(e, M.castFromTo(typeName(rhs), typeName(target)));
        return target;
      }
    } else if (rhs.kind === 'array') {
      if (target.kind !== 'int' || target.size !== rhs.size) {
        this.error(e, M.castFromTo(typeName(rhs), typeName(target)));
        return target;
      }
    } else if (target.kind === 'int' || target.kind === 'bool') {
      if (!isIntLike(rhs) && rhs.kind !== 'pointer' && !isCastableAgg(rhs)) {
        this.error(e, M.castFromTo(typeName(rhs), typeName(target)));
        return target;
      }
      const lit = this.negLiteral(e.expr);
      if (target.kind === 'int' && target.enumName && lit !== undefined) {
        const values = this.input.structs.enums.get(target.enumName);
        if (!values) this.error(e, M.unknownEnum(target.enumName));
        else if (!values.has(lit)) this.error(e.expr, M.enumNoValue(target.enumName, lit));
      }
    } else if (target.kind === 'pointer') {
      if (!isIntLike(rhs) && rhs.kind !== 'pointer') {
        this.error(e, M.castFromTo(typeName(rhs), typeName(target)));
        return undefined;
      }
      // A cast of an address keeps its address space; untyped integers take the probe's.
      const space = rhs.kind === 'pointer' ? rhs.space : this.unit.addressSpace;
      target = { ...target, space };
    }
    return target;
  }

  // ── fields, indexes ─────────────────────────────────────────────────────────────────

  private fieldAccess(e: FieldAccess): SizedType | undefined {
    const base = this.expr(e.expr, {});
    if (!base) return undefined;
    let t = base;
    let space: 'kernel' | 'user' | undefined;
    if (t.kind === 'pointer') {
      space = t.space;
      t = t.to;
    }
    if (t.kind === 'tuple' && /^[0-9]+$/.test(e.field)) {
      const f = t.fields[Number(e.field)];
      if (!f) {
        this.error(e, M.tupleIndex(Number(e.field), t.fields.length));
        return undefined;
      }
      return f.type;
    }
    if (t.kind === 'record') {
      const f = t.fields.find((x) => x.name === e.field);
      if (!f) {
        this.error(e, M.recordNoField(typeName(t), e.field));
        return undefined;
      }
      return f.type;
    }
    if (t.kind !== 'struct') {
      this.error(e, M.fieldOnType(`field '${e.field}'`, typeName(base)));
      return undefined;
    }
    // `args` of a wildcard tracepoint: the field must exist in every record.
    const isArgs = e.expr.kind === 'Builtin' && (e.expr.name === 'args' || e.expr.name === '__builtin_args');
    const records = isArgs ? this.unit.matches.map((m) => m.args).filter((x): x is StructType => !!x) : [t];
    let found: SizedType | undefined;
    for (const rec of records.length > 0 ? records : [t]) {
      if (rec.fields.length === 0 && rec.size === 0 && !this.input.structs.has(rec.name)) {
        this.error(e, M.unknownStruct(rec.name));
        return undefined;
      }
      const f = rec.fields.find((x) => x.name === e.field);
      if (!f) {
        const hint = closest(e.field, rec.fields.map((x) => x.name));
        this.error(e, M.noSuchField(rec.name, e.field), hint ? [M.didYouMean(hint).text] : []);
        continue;
      }
      if (isArgs && (f.common || f.offset < 8) && rec.name.startsWith('struct _tracepoint_')) {
        this.error(e, M.commonTracepointField());
      }
      found ??= f.type;
    }
    if (found && found.kind === 'pointer' && space && found.space !== space) found = { ...found, space };
    return found;
  }

  private index(e: Extract<Expr, { kind: 'Index' }>): SizedType | undefined {
    const t = this.expr(e.expr, {});
    const it = this.expr(e.index, {});
    if (!t || !it) return undefined;
    const n = this.intConstant(e.index);
    if (!isIntLike(it)) {
      this.error(e, M.indexNotInteger());
      return undefined;
    }
    switch (t.kind) {
      case 'array':
        if (n !== undefined && t.count !== 0 && (n < 0n || n >= BigInt(t.count))) this.error(e, M.indexOutOfBounds(n, t.count));
        if (n !== undefined && this.final) this.constants.set(e.index, n);
        return t.elem;
      case 'string':
        if (n !== undefined && (n < 0n || n >= BigInt(t.size))) this.error(e, M.indexOutOfBounds(n, t.size));
        return intType(1, true);
      case 'pointer':
        if (t.to.kind === 'void' || t.to.size === 0) {
          this.error(e, M.indexVoidPointer());
          return undefined;
        }
        return t.to;
      case 'tuple':
        if (n === undefined) {
          this.error(e, M.tupleIndexConstant());
          return undefined;
        }
        if (n < 0n || n >= BigInt(t.fields.length)) {
          this.error(e, M.tupleIndex(Number(n), t.fields.length));
          return undefined;
        }
        if (this.final) this.constants.set(e.index, n);
        return t.fields[Number(n)]!.type;
      default:
        this.error(e, M.indexOnType(kindName(t)));
        return undefined;
    }
  }

  private offsetof(e: Extract<Expr, { kind: 'Offsetof' }>): SizedType | undefined {
    let t = e.arg.kind === 'Type' ? this.resolveType(e.arg, e) : this.expr(e.arg, {});
    if (!t) return uint64;
    if (t.kind === 'pointer') t = t.to;
    let offset = 0;
    for (const name of e.fields) {
      if (t.kind !== 'struct' && t.kind !== 'record' && t.kind !== 'tuple') {
        this.error(e, M.offsetofNotRecord(typeName(t)));
        return uint64;
      }
      const f: { name: string; type: SizedType; offset: number } | undefined = t.fields.find((x) => x.name === name);
      if (!f) {
        this.error(e, M.offsetofNoField(typeName(t), name));
        return uint64;
      }
      offset += f.offset;
      t = f.type;
    }
    if (this.final) this.constants.set(e, BigInt(offset));
    return uint64;
  }
}

const STACK_MODE_NAMES = new Set(['bpftrace', 'perf', 'raw']);

/** bpftrace's names for ++/-- in messages: '++ (post)', '-- (pre)'. */
function incDecName(e: Extract<Expr, { kind: 'IncDec' }>): string {
  return `${e.op} (${e.prefix ? 'pre' : 'post'})`;
}

function aggregateHint(kind: string): string {
  const hints: Record<string, string> = {
    count: 'count()',
    sum: 'sum(retval)',
    min: 'min(retval)',
    max: 'max(retval)',
    avg: 'avg(retval)',
    hist: 'hist(retval)',
    lhist: 'lhist(rand %10, 0, 10, 1)',
    stats: 'stats(arg2)',
    tseries: 'tseries(rand % 10, 1s, 10)',
  };
  return hints[kind] ?? `${kind}()`;
}

function arityMessage(row: FunctionRow, n: number): Message {
  if (row.exactArity) return M.arityExact(row.name, row.minArgs, n);
  if (n < row.minArgs) return M.arityAtLeast(row.name, row.minArgs, n);
  return M.arityAtMost(row.name, row.maxArgs, n);
}

function fitsInt(v: bigint, t: SizedType): boolean {
  if (t.kind !== 'int') return true;
  const bits = BigInt(t.size * 8);
  if (t.signed) return v >= -(1n << (bits - 1n)) && v < 1n << (bits - 1n);
  return v >= 0n && v < 1n << bits;
}

/** The span of a call's name (bpftrace points unknown-function errors at the name). */
function nameSpan(c: Call): Span {
  return { start: c.span.start, end: c.span.start + c.name.length };
}

/**
 * The value of an integer constant expression: literals, negation, and arithmetic on
 * constants (`unroll(2 * 3)`, `lhist(x, 0, 10 * 1000, 1000)`), enum constants via `lookup`.
 */
export function constantInt(e: Expr, lookup: (name: string) => bigint | undefined = () => undefined): bigint | undefined {
  switch (e.kind) {
    case 'Int':
      return e.value;
    case 'Bool':
      return e.value ? 1n : 0n;
    case 'Identifier':
      return lookup(e.name);
    case 'Unary': {
      const v = constantInt(e.operand, lookup);
      if (v === undefined) return undefined;
      if (e.op === '-') return -v;
      if (e.op === '~') return ~v;
      if (e.op === '!') return v === 0n ? 1n : 0n;
      return undefined;
    }
    case 'Binary': {
      const a = constantInt(e.left, lookup);
      const b = constantInt(e.right, lookup);
      if (a === undefined || b === undefined) return undefined;
      switch (e.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return b === 0n ? undefined : a / b;
        case '%':
          return b === 0n ? undefined : a % b;
        // A shift past the register width is no constant worth folding (and `1 << 1e18`
        // would not fit in memory as a bigint): leave it to run time.
        case '<<':
          return b >= 0n && b < 64n ? a << b : undefined;
        case '>>':
          return b >= 0n && b < 64n ? a >> b : undefined;
        case '&':
          return a & b;
        case '|':
          return a | b;
        case '^':
          return a ^ b;
        default:
          return undefined;
      }
    }
    case 'BlockExpr':
      return e.stmts.length === 0 && e.value ? constantInt(e.value, lookup) : undefined;
    default:
      return undefined;
  }
}
