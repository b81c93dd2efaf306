// The checker's first passes, in bpftrace's order: imports (our own .bt files), the C
// preprocessor (#ifdef/#ifndef with BPFTRACE_HAVE_BTF defined, #define collection), then
// one rewrite of every probe that expands bpftrace macros hygienically, substitutes #define
// constants and C-style macros, positional parameters ($1, $#, str($1 + 2)) and getopt()
// values. In: the parsed Program; out: a flat expanded Program plus side facts. Typing is
// infer.ts's job; nothing here looks at types.

import { dirname, resolve as resolvePath } from 'node:path';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { Diagnostic, Message, Result } from '../diag/diagnostic.js';
import { DiagnosticBag } from '../diag/diagnostic.js';
import { checkMessages as M } from '../diag/messages.js';
import { SourceFile, type Span } from '../diag/source.js';
import type {
  Call,
  Config,
  Define,
  Expr,
  MacroDef,
  MacroParam,
  MapRef,
  Probe,
  Program,
  Stmt,
  TopLevel,
  TypeExpr,
  Variable,
  BlockExpr,
} from '../parse/ast.js';
import { AstCopier } from './rewrite.js';
import type { NamedParam } from './program.js';

/** Names the preprocessor treats as defined before the program starts. */
export const PREDEFINED = new Set(['BPFTRACE_HAVE_BTF', '__x86_64__', '__BPF_TRACING__']);

/** How expansion reaches the parser and the file system (the CLI wires the real ones). */
export interface ExpandHooks {
  /** Parses an imported file. */
  parseFile?: (source: SourceFile) => Result<Program>;
  /**
   * Parses the replacement text of a `#define` (the stretch `span` of `source`) as one
   * expression, with spans pointing into the define line; undefined when it is not one.
   */
  parseExpression?: (source: SourceFile, span: Span) => Expr | undefined;
  /** Reads a file for `import`; defaults to the file system. */
  readFile?: (path: string) => string | undefined;
}

export interface ExpandOptions extends ExpandHooks {
  readonly positional: readonly string[];
  readonly named: Readonly<Record<string, string>>;
}

export interface Expanded {
  readonly program: Program;
  readonly configs: readonly { node: Config; source: SourceFile }[];
  readonly sources: readonly SourceFile[];
  /** Nodes that come from another source than the root (imports, their macros). */
  readonly sourceOf: WeakMap<object, SourceFile>;
  /** Macro expansion id of each variable node (0 or absent: written in the probe itself). */
  readonly hygiene: WeakMap<Variable, number>;
  readonly namedParams: readonly NamedParam[];
  /** Headers named by #include (kept for the record; kernel types come from the catalog). */
  readonly includes: readonly string[];
  /** String literals that hold a positional parameter's text (exempt from the literal length limit). */
  readonly parameterStrings: WeakSet<Expr>;
}

type Located<T> = { node: T; source: SourceFile };

/** Runs the expansion passes; stops after the first pass that reports errors. */
export function expandProgram(root: Program, source: SourceFile, opts: ExpandOptions): Result<Expanded> {
  const bag = new DiagnosticBag();
  const sourceOf = new WeakMap<object, SourceFile>();

  // Pass 1: imports.
  const sources: SourceFile[] = [source];
  const items = collectImports(root, source, opts, bag, sources, new Set([source.name]));
  if (bag.hasErrors) return fail(bag);

  // Pass 2: the preprocessor.
  const pre = preprocess(items, bag);
  if (bag.hasErrors) return fail(bag);

  // Pass 3: macros, defines, parameters.
  const configs: Located<Config>[] = [];
  const macros = new Map<string, Located<MacroDef>[]>();
  const out: TopLevel[] = [];
  for (const it of pre.items) {
    if (it.node.kind === 'Config') {
      if (it.source !== source) bag.error(it.source, it.node.span, M.importConfig());
      else configs.push(it as Located<Config>);
    } else if (it.node.kind === 'MacroDef') {
      const def = it.node;
      const same = macros.get(def.name) ?? [];
      const dup = same.find((d) => d.node.params.length === def.params.length);
      if (dup) bag.error(it.source, def.span, M.macroRedefinition(def.name));
      else macros.set(def.name, [...same, it as Located<MacroDef>]);
    }
  }
  const expander = new Expander(macros, pre.defines, opts, bag, sourceOf, source);
  for (const it of pre.items) {
    const n = it.node;
    if (n.kind === 'Probe') out.push(expander.probe(n, it.source));
    else if (n.kind === 'Subprog') out.push(expander.subprog(n, it.source));
    else if (n.kind === 'CDefinition' || n.kind === 'MapDecl') {
      if (it.source !== source) sourceOf.set(n, it.source);
      out.push(n);
    }
  }
  if (bag.hasErrors) return fail(bag);

  return {
    ok: true,
    value: {
      program: { ...root, items: out },
      configs,
      sources,
      sourceOf,
      hygiene: expander.hygiene,
      namedParams: expander.namedParams(),
      includes: pre.includes,
      parameterStrings: expander.parameterStrings,
    },
    warnings: bag.warnings,
  };
}

function fail(bag: DiagnosticBag): Result<Expanded> {
  return { ok: false, diagnostics: bag.items as Diagnostic[] };
}

// ── imports ─────────────────────────────────────────────────────────────────────────────

function collectImports(
  program: Program,
  source: SourceFile,
  opts: ExpandOptions,
  bag: DiagnosticBag,
  sources: SourceFile[],
  seen: Set<string>,
): Located<TopLevel>[] {
  const out: Located<TopLevel>[] = [];
  for (const item of program.items) {
    if (item.kind !== 'Import') {
      out.push({ node: item, source });
      continue;
    }
    const base = source.name === 'stdin' || source.name.startsWith('repl') ? process.cwd() : dirname(source.name);
    const path = resolvePath(base, item.path);
    const files = importFiles(path, opts);
    if (files === undefined) {
      bag.error(source, item.span, M.importNotFound(item.path));
      continue;
    }
    for (const file of files) {
      if (seen.has(file)) continue;
      seen.add(file);
      if (!file.endsWith('.bt')) {
        bag.error(source, item.span, M.importUnsupported(file));
        continue;
      }
      const text = (opts.readFile ?? readText)(file);
      if (text === undefined) {
        bag.error(source, item.span, M.importNotFound(item.path));
        continue;
      }
      if (!opts.parseFile) {
        bag.error(source, item.span, M.importNoParser());
        continue;
      }
      const imported = new SourceFile(file, text);
      const parsed = opts.parseFile(imported);
      if (!parsed.ok) {
        for (const d of parsed.diagnostics) bag.add(d);
        continue;
      }
      sources.push(imported);
      out.push(...collectImports(parsed.value, imported, opts, bag, sources, seen));
    }
  }
  return out;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A file, or every supported file of a directory (non-recursive), or undefined if absent. */
function importFiles(path: string, opts: ExpandOptions): string[] | undefined {
  if (opts.readFile) return opts.readFile(path) === undefined ? undefined : [path];
  try {
    const st = statSync(path);
    if (st.isDirectory()) {
      return readdirSync(path)
        .filter((f: string) => f.endsWith('.bt'))
        .sort()
        .map((f: string) => resolvePath(path, f));
    }
    return [path];
  } catch {
    return undefined;
  }
}


// ── preprocessor ────────────────────────────────────────────────────────────────────────

export interface DefineEntry {
  readonly node: Define;
  readonly source: SourceFile;
}

function preprocess(items: readonly Located<TopLevel>[], bag: DiagnosticBag): {
  items: Located<TopLevel>[];
  defines: Map<string, DefineEntry>;
  includes: string[];
} {
  const defines = new Map<string, DefineEntry>();
  const includes: string[] = [];
  const out: Located<TopLevel>[] = [];
  const walk = (list: readonly Located<TopLevel>[]) => {
    for (const it of list) {
      const n = it.node;
      switch (n.kind) {
        case 'Define':
          defines.set(n.name, { node: n, source: it.source });
          break;
        case 'Include':
          includes.push(n.path);
          break;
        case 'Conditional': {
          const defined = defines.has(n.name) || PREDEFINED.has(n.name);
          const branch = defined !== n.negated ? n.then : n.else;
          walk(branch.map((b) => ({ node: b, source: it.source })));
          break;
        }
        default:
          out.push(it);
      }
    }
  };
  walk(items);
  void bag;
  return { items: out, defines, includes };
}

// ── macros, defines, parameters ─────────────────────────────────────────────────────────

interface Frame {
  readonly id: number;
  readonly macro: MacroDef;
  readonly source: SourceFile;
  readonly vars: ReadonlyMap<string, Variable>;
  readonly maps: ReadonlyMap<string, MapRef>;
  readonly exprs: ReadonlyMap<string, Expr>;
}

/** '$x' and 'x' name the same variable; '@m' and 'm' the same map. */
export function bare(name: string): string {
  return name.replace(/^[$@]/, '');
}

const MAX_MACRO_DEPTH = 64;
/**
 * AST nodes that #define and macro expansions may copy in all: the depth limit alone lets
 * `#define A1 (A0 + A0)` … `#define A30 (A29 + A29)` ask for 2^30 copies.
 */
const MAX_EXPANDED_NODES = 100_000;

/** Nodes of a define's or macro's body (counted once per body). */
const nodeCounts = new WeakMap<object, number>();
function nodeCount(root: object): number {
  const known = nodeCounts.get(root);
  if (known !== undefined) return known;
  let n = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (!Array.isArray(v) && typeof (v as { kind?: unknown }).kind === 'string') n++;
    for (const [k, child] of Object.entries(v)) if (k !== 'span') stack.push(child);
  }
  nodeCounts.set(root, n);
  return n;
}

class Expander extends AstCopier {
  readonly hygiene = new WeakMap<Variable, number>();
  readonly parameterStrings = new WeakSet<Expr>();
  private frames: Frame[] = [];
  private nextId = 1;
  private source!: SourceFile;
  private readonly named = new Map<string, NamedParam>();
  private readonly defineCache = new Map<string, Expr | null>();
  private defineDepth = 0;
  /** Nodes copied by expansions so far, and whether MAX_EXPANDED_NODES was passed. */
  private expandedNodes = 0;
  private expansionStopped = false;
  /** Arguments of the C-style macros (`#define F(x) …`) being substituted, innermost last. */
  private defineArgs: ReadonlyMap<string, Expr>[] = [];

  constructor(
    private readonly macros: ReadonlyMap<string, Located<MacroDef>[]>,
    private readonly defines: ReadonlyMap<string, DefineEntry>,
    private readonly opts: ExpandOptions,
    private readonly bag: DiagnosticBag,
    private readonly sourceOf: WeakMap<object, SourceFile>,
    private readonly rootSource: SourceFile,
  ) {
    super();
  }

  namedParams(): NamedParam[] {
    return [...this.named.values()];
  }

  probe(p: Probe, source: SourceFile): Probe {
    this.source = source;
    const out: Probe = {
      ...p,
      attachPoints: p.attachPoints.map((ap) => ({ ...ap })),
      ...(p.predicate ? { predicate: this.expr(p.predicate) } : {}),
      body: this.block(p.body),
    };
    if (source !== this.rootSource) this.sourceOf.set(out, source);
    return out;
  }

  subprog(s: import('../parse/ast.js').Subprog, source: SourceFile): import('../parse/ast.js').Subprog {
    this.source = source;
    const out = { ...s, body: this.block(s.body) };
    if (source !== this.rootSource) this.sourceOf.set(out, source);
    return out;
  }

  private get frame(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }

  private currentSource(): SourceFile {
    return this.frame?.source ?? this.source;
  }

  private err(span: Span | undefined, m: Message, hints: readonly string[] = []): void {
    this.bag.error(this.currentSource(), span, m, hints);
  }

  private mark<T extends object>(node: T): T {
    const src = this.currentSource();
    if (src !== this.rootSource) this.sourceOf.set(node, src);
    return node;
  }

  // ── variables and maps: hygiene and parameter substitution ───────────────────────────

  override variable(v: Variable): Variable {
    const f = this.frame;
    if (f) {
      const param = f.vars.get(bare(v.name));
      if (param) return this.cloneKeeping(param) as Variable;
    }
    const out = this.mark({ ...v });
    this.hygiene.set(out, f?.id ?? 0);
    return out;
  }

  override mapRef(m: MapRef): MapRef {
    const f = this.frame;
    const keys = m.keys ? m.keys.map((k) => this.expr(k)) : undefined;
    if (f) {
      const param = f.maps.get(bare(m.name));
      if (param) return this.mark({ ...m, name: param.name, ...(keys ? { keys } : {}) });
      this.err(m.span, M.macroUnhygienicMap(bare(m.name)));
    }
    return this.mark(keys ? { ...m, keys } : { ...m });
  }

  override stmt(s: Stmt): Stmt {
    if (s.kind === 'LetDecl' && this.frame?.vars.has(bare(s.target.name))) {
      this.err(s.span, M.macroShadowsArg(bare(s.target.name)));
    }
    return this.mark(super.stmt(s));
  }

  override typeExpr(t: TypeExpr): TypeExpr {
    const f = this.frame;
    const param = f?.exprs.get(t.name);
    if (param && param.kind === 'Typeof') {
      const copied = this.cloneKeeping(param) as Extract<Expr, { kind: 'Typeof' }>;
      return { ...t, name: 'typeof', typeofArg: copied.arg };
    }
    return super.typeExpr(t);
  }

  /** Deep copy of an already expanded subtree, keeping each variable's hygiene id. */
  private cloneKeeping(e: Expr): Expr {
    const hyg = this.hygiene;
    const sourceOf = this.sourceOf;
    const copier = new (class extends AstCopier {
      override variable(v: Variable): Variable {
        const out = { ...v };
        hyg.set(out, hyg.get(v) ?? 0);
        const s = sourceOf.get(v);
        if (s) sourceOf.set(out, s);
        return out;
      }
      override expr(x: Expr): Expr {
        const out = super.expr(x);
        const s = sourceOf.get(x);
        if (s) sourceOf.set(out, s);
        return out;
      }
    })();
    return copier.expr(e);
  }

  // ── expressions ─────────────────────────────────────────────────────────────────────

  override expr(e: Expr): Expr {
    switch (e.kind) {
      case 'Identifier':
        return this.identifier(e);
      case 'Call':
        return this.call(e);
      case 'Positional':
        return this.mark(this.positional(e.index, e.span, false));
      case 'PositionalCount':
        return this.mark({ kind: 'Int', value: BigInt(this.opts.positional.length), text: String(this.opts.positional.length), span: e.span });
      default:
        return this.mark(super.expr(e));
    }
  }

  private identifier(e: Extract<Expr, { kind: 'Identifier' }>): Expr {
    const defineArg = this.defineArgs[this.defineArgs.length - 1]?.get(e.name);
    if (defineArg) return this.cloneKeeping(defineArg);
    const f = this.frame;
    const param = f?.exprs.get(e.name);
    if (param) return this.cloneKeeping(param);
    const def = this.defines.get(e.name);
    if (def && !def.node.params) return this.defineValue(def, e.span, new Map());
    const macro = this.findMacro(e.name, 0);
    if (macro) return this.expandMacro(macro, [], e);
    if (this.macros.has(e.name)) {
      const defs = this.macros.get(e.name)!;
      this.err(e.span, M.macroWrongArity(e.name, defs[0]!.node.params.length, 0));
    }
    return this.mark({ ...e });
  }

  private call(c: Call): Expr {
    const macro = this.findMacro(c.name, c.args.length);
    if (macro) return this.expandMacro(macro, c.args, c);
    const sameName = this.macros.get(c.name);
    if (sameName) {
      this.err(c.span, M.macroNoMatch(c.name), [M.macroClosest(c.name, sameName[0]!.node.params.length, c.args.length).text]);
      return this.mark({ ...c, args: c.args.map((a) => this.expr(a)) });
    }
    const def = this.defines.get(c.name);
    if (def && def.node.params) {
      if (def.node.params.length !== c.args.length) {
        this.err(c.span, M.defineArity(c.name, def.node.params.length, c.args.length));
        return this.mark({ ...c, args: c.args.map((a) => this.expr(a)) });
      }
      const args = new Map(def.node.params.map((p, i) => [p, this.expr(c.args[i]!)] as const));
      return this.defineValue(def, c.span, args);
    }
    if (c.name === 'str' && c.args.length >= 1) {
      const lit = this.positionalInStr(c.args[0]!);
      if (lit) return this.mark({ ...c, args: [lit, ...c.args.slice(1).map((a) => this.expr(a))] });
    }
    if (c.name === 'getopt') return this.getopt(c);
    return this.mark({ ...c, args: c.args.map((a) => this.expr(a)) });
  }

  // ── #define ─────────────────────────────────────────────────────────────────────────

  private defineValue(def: DefineEntry, at: Span, args: ReadonlyMap<string, Expr>): Expr {
    const key = def.node.name;
    let parsed = this.defineCache.get(key);
    if (parsed === undefined) {
      parsed = this.parseDefine(def) ?? null;
      this.defineCache.set(key, parsed);
    }
    if (parsed === null) {
      this.err(at, M.defineNotExpression(key, def.node.value.trim()));
      return { kind: 'Int', value: 0n, text: '0', span: at };
    }
    if (this.defineDepth > MAX_MACRO_DEPTH) {
      this.err(at, M.defineRecursive(key));
      return { kind: 'Int', value: 0n, text: '0', span: at };
    }
    if (!this.spend(parsed, key, at)) return { kind: 'Int', value: 0n, text: '0', span: at };
    // The define's own identifiers may name other defines: expand the copy recursively.
    this.defineDepth++;
    this.defineArgs.push(args);
    try {
      return this.withSpan(this.expr(parsed), at);
    } finally {
      this.defineArgs.pop();
      this.defineDepth--;
    }
  }

  /**
   * Charges one expansion of `body` to the budget; false (after one error, at the first use
   * past the limit) once the budget is spent, so the rest of the program stops expanding.
   */
  private spend(body: object, name: string, at: Span): boolean {
    if (this.expansionStopped) return false;
    this.expandedNodes += nodeCount(body);
    if (this.expandedNodes <= MAX_EXPANDED_NODES) return true;
    this.expansionStopped = true;
    this.err(at, M.expansionLimit(name, MAX_EXPANDED_NODES));
    return false;
  }

  /** A define's replacement keeps the use site's span (so errors point at the use). */
  private withSpan(e: Expr, span: Span): Expr {
    return { ...e, span };
  }

  private parseDefine(def: DefineEntry): Expr | undefined {
    const text = def.node.value.replace(/\\\r?\n/g, ' ').replace(/\/\*.*?\*\//g, ' ').replace(/\/\/.*$/, '').trim();
    if (text === '') return undefined;
    if (this.opts.parseExpression) return this.opts.parseExpression(def.source, def.node.valueSpan);
    const offset = def.node.valueSpan.start + (def.node.value.length - def.node.value.trimStart().length);
    return literalExpression(text, { start: offset, end: offset + text.length });
  }

  // ── positional parameters ───────────────────────────────────────────────────────────

  /** `$N` as a value: a number when the parameter reads as one, else its text. */
  private positional(index: number, span: Span, asString: boolean): Expr {
    if (index <= 0) {
      this.err(span, M.positionalInvalid(index));
      return { kind: 'Int', value: 0n, text: '0', span };
    }
    const given = this.opts.positional[index - 1];
    const str = (value: string): Expr => {
      const e: Expr = { kind: 'String', value, span };
      this.parameterStrings.add(e);
      return e;
    };
    if (asString) return str(given ?? '');
    if (given === undefined) return { kind: 'Int', value: 0n, text: '0', span };
    const n = parseIntParam(given);
    if (n !== undefined) return { kind: 'Int', value: n, text: given, span };
    return str(given);
  }

  /** `str($1)` and `str($1 + N)`: the parameter's text (from offset N). */
  private positionalInStr(arg: Expr): Expr | undefined {
    if (arg.kind === 'Positional') return this.mark(this.positional(arg.index, arg.span, true));
    if (arg.kind === 'Binary' && (arg.left.kind === 'Positional' || arg.right.kind === 'Positional')) {
      const pos = (arg.left.kind === 'Positional' ? arg.left : arg.right) as Extract<Expr, { kind: 'Positional' }>;
      const other = arg.left.kind === 'Positional' ? arg.right : arg.left;
      const text = this.opts.positional[pos.index - 1] ?? '';
      if (arg.op !== '+' || other.kind !== 'Int' || other.value < 0n || other.value > BigInt(text.length)) {
        this.err(arg.span, M.positionalStrOffset(pos.index, text.length));
        return undefined;
      }
      const lit: Expr = { kind: 'String', value: text.slice(Number(other.value)), span: arg.span };
      this.parameterStrings.add(lit);
      return this.mark(lit);
    }
    if (arg.kind === 'PositionalCount') {
      this.err(arg.span, M.positionalCountInStr());
      return undefined;
    }
    return undefined;
  }

  // ── getopt ──────────────────────────────────────────────────────────────────────────

  private getopt(c: Call): Expr {
    const args = c.args.map((a) => this.expr(a));
    const name = args[0];
    if (!name || name.kind !== 'String' || args.length > 3) return this.mark({ ...c, args });
    const def = args[1];
    const desc = args[2]?.kind === 'String' ? args[2].value : undefined;
    let kind: NamedParam['kind'];
    let dflt: NamedParam['default'];
    if (def === undefined) {
      kind = 'bool';
      dflt = false;
    } else if (def.kind === 'Bool') {
      kind = 'bool';
      dflt = def.value;
    } else if (def.kind === 'Int') {
      kind = 'int';
      dflt = def.value;
    } else if (def.kind === 'String') {
      kind = 'string';
      dflt = def.value;
    } else {
      this.err(def.span, M.getoptDefault());
      return this.mark({ ...c, args });
    }
    const given = Object.hasOwn(this.opts.named, name.value) ? this.opts.named[name.value] : undefined;
    let value: NamedParam['value'] = dflt;
    if (given !== undefined) {
      if (kind === 'bool') {
        if (given === '' || given === 'true' || given === '1') value = true;
        else if (given === 'false' || given === '0') value = false;
        else this.err(c.span, M.getoptBadValue(name.value, given, 'bool'));
      } else if (kind === 'int') {
        const n = parseIntParam(given);
        if (n === undefined) this.err(c.span, M.getoptBadValue(name.value, given, 'int'));
        else value = n;
      } else value = given;
    }
    const prev = this.named.get(name.value);
    if (prev && prev.kind !== kind) this.err(c.span, M.getoptConflict(name.value));
    if (!prev) this.named.set(name.value, { name: name.value, kind, default: dflt, value, ...(desc !== undefined ? { description: desc } : {}) });
    const span = c.span;
    if (typeof value === 'boolean') return this.mark({ kind: 'Bool', value, span });
    if (typeof value === 'bigint') return this.mark({ kind: 'Int', value, text: String(value), span });
    return this.mark({ kind: 'String', value, span });
  }

  // ── bpftrace macros ─────────────────────────────────────────────────────────────────

  private findMacro(name: string, arity: number): Located<MacroDef> | undefined {
    return this.macros.get(name)?.find((d) => d.node.params.length === arity);
  }

  private expandMacro(def: Located<MacroDef>, rawArgs: readonly Expr[], at: Expr): Expr {
    const chain = this.frames.map((f) => f.macro.name);
    if (chain.includes(def.node.name) || this.frames.length >= MAX_MACRO_DEPTH) {
      this.err(at.span, M.macroRecursive([...chain, def.node.name].join(' > ')));
      return { kind: 'Int', value: 0n, text: '0', span: at.span };
    }
    const vars = new Map<string, Variable>();
    const maps = new Map<string, MapRef>();
    const exprs = new Map<string, Expr>();
    let ok = true;
    def.node.params.forEach((p: MacroParam, i: number) => {
      const raw = rawArgs[i]!;
      const arg = this.expr(raw);
      const key = bare(p.name);
      if (p.sort === 'variable') {
        if (arg.kind !== 'Variable') {
          ok = false;
          this.err(raw.span, M.macroArgKind(def.node.name, 'a variable', `$${key}`, arg.kind === 'Map' ? 'a map' : 'an expression'));
        } else vars.set(key, arg);
      } else if (p.sort === 'map') {
        if (arg.kind !== 'Map' || (arg.keys && arg.keys.length > 0)) {
          ok = false;
          this.err(raw.span, M.macroArgKind(def.node.name, 'a map', `@${key}`, arg.kind === 'Variable' ? 'a variable' : 'an expression'));
        } else maps.set(key, arg);
      } else exprs.set(p.name, arg);
    });
    if (!ok || !this.spend(def.node.body, def.node.name, at.span)) return { kind: 'Int', value: 0n, text: '0', span: at.span };
    const frame: Frame = { id: this.nextId++, macro: def.node, source: def.source, vars, maps, exprs };
    this.frames.push(frame);
    try {
      const body = this.blockExpr(def.node.body);
      // A macro expands to its body as a block expression, located at the call.
      const expansion: BlockExpr = { ...body, span: at.span };
      this.macroOrigin.set(expansion, def.node.name);
      return expansion;
    } finally {
      this.frames.pop();
    }
  }

  /** Which macro each expansion came from (for messages). */
  readonly macroOrigin = new WeakMap<object, string>();
}

/** Integer text of a parameter: decimal, 0x hex, 0 octal, with an optional minus sign. */
export function parseIntParam(text: string): bigint | undefined {
  const t = text.trim();
  if (/^-?[0-9]+$/.test(t)) {
    if (/^-?0[0-7]+$/.test(t)) return BigInt(t.startsWith('-') ? '-0o' + t.slice(2) : '0o' + t.slice(1));
    return BigInt(t);
  }
  if (/^-?0[xX][0-9a-fA-F]+$/.test(t)) return t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t);
  return undefined;
}

/**
 * Without a parser hook, #define values are read as literals: integers (with C suffixes),
 * negative integers, strings, possibly in parentheses. Anything else is left undefined.
 */
export function literalExpression(text: string, span: Span): Expr | undefined {
  let t = text.trim();
  while (t.startsWith('(') && t.endsWith(')')) t = t.slice(1, -1).trim();
  const neg = t.startsWith('-');
  const body = neg ? t.slice(1).trim() : t;
  const int = /^(0[xX][0-9a-fA-F]+|[0-9]+)([uUlL]*)$/.exec(body);
  if (int) {
    const v = parseIntParam(int[1]!);
    if (v === undefined) return undefined;
    const lit: Expr = { kind: 'Int', value: v, text: int[0], span };
    return neg ? { kind: 'Unary', op: '-', operand: lit, span } : lit;
  }
  const str = /^"((?:[^"\\]|\\.)*)"$/.exec(t);
  if (str) return { kind: 'String', value: unescapeC(str[1]!), span };
  return undefined;
}

function unescapeC(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b' };
    return simple[e] ?? e;
  });
}

