// The check stage: parsed Program → CheckedProgram, or the diagnostics that stopped it.
// Passes run in bpftrace's order and the stage stops after the first pass with errors:
// imports → preprocessor → macros/defines/parameters → config → probes → semantic
// (scoping + type inference). Warnings of every pass that ran ride along in the Result.
// It does not compile; src/compile reads the CheckedProgram this returns.

import { DiagnosticBag, type Diagnostic, type Result } from '../diag/diagnostic.js';
import { checkMessages as M } from '../diag/messages.js';
import type { SourceFile, Span } from '../diag/source.js';
import type { Block, Expr, Probe, Program, Subprog, Variable } from '../parse/ast.js';
import { nestingLimitError } from '../parse/nesting.js';
import { parseExpression, parseProgram } from '../parse/parse-program.js';
import { Binder } from './binder.js';
import { resolveConfig, type ConfigValues } from './config.js';
import { StructRegistry } from './ctypes.js';
import { expandProgram, type ExpandHooks } from './expand.js';
import { inferTypes, type Unit } from './infer.js';
import { resolveProbe } from './probes.js';
import type { BpfMapType, CheckedProbe, CheckedProgram, CheckedSubprog, MapInfo, VarSlot } from './program.js';
import { providerByName, type Provider } from './providers.js';
import { isAggregation, typeName, type SizedType } from './types.js';
import type { FunctionRow } from './functions.js';
import { kernelEnumConstant } from './kernel_enums.js';

export interface CheckOptions extends ExpandHooks {
  /** --unsafe: allow system(), signal(), override(), … */
  readonly unsafe: boolean;
  /** Positional parameters ($1 is index 0). */
  readonly positional: readonly string[];
  /** Named parameters given after `--` (`--name=value`; a bare `--flag` maps to ''). */
  readonly named: Readonly<Record<string, string>>;
  /** Config overrides from the environment or the CLI (they win over the script's config block). */
  readonly config?: Readonly<Record<string, string | number | boolean>>;
  /** A child command was given (-c): `cpid` is available. */
  readonly hasChild?: boolean;
}

/** Maps bpftrace lets a script declare with `let @m = kind(N)`. */
const DECLARABLE: Readonly<Record<string, BpfMapType>> = {
  hash: 'hash',
  lruhash: 'lru_hash',
  percpuhash: 'percpu_hash',
  percpulruhash: 'lru_percpu_hash',
  percpuarray: 'percpu_array',
};

export function checkProgram(ast: Program, source: SourceFile, opts: CheckOptions): Result<CheckedProgram> {
  const warnings: Diagnostic[] = [];
  const stop = (bag: DiagnosticBag): Result<CheckedProgram> => ({ ok: false, diagnostics: [...warnings, ...bag.items] });

  // Passes 1–3: imports, preprocessor, macros/defines/parameters.
  const expanded = expandProgram(ast, source, {
    positional: opts.positional,
    named: opts.named,
    parseFile: opts.parseFile ?? ((s) => parseProgram(s, { positional: opts.positional })),
    parseExpression:
      opts.parseExpression ??
      ((s, span) => {
        const r = parseExpression(s, span);
        return r.ok ? r.value : undefined;
      }),
    ...(opts.readFile ? { readFile: opts.readFile } : {}),
  });
  if (!expanded.ok) return { ok: false, diagnostics: expanded.diagnostics };
  warnings.push(...expanded.warnings);
  const ex = expanded.value;
  const sourceFor = (node: object): SourceFile => ex.sourceOf.get(node) ?? source;
  // #define and macro expansion can nest the tree deeper than the parser let it be.
  const deep = nestingLimitError(ex.program, source, sourceFor);
  if (deep) return { ok: false, diagnostics: [...warnings, deep] };

  // Pass 4: config.
  const configBag = new DiagnosticBag();
  const config = resolveConfig(ex.configs, opts.config, configBag);
  if (configBag.hasErrors) return stop(configBag);
  warnings.push(...configBag.warnings);

  // C definitions the program brings.
  const structs = new StructRegistry();
  for (const item of ex.program.items) if (item.kind === 'CDefinition') structs.addDefinition(item);

  // Pass 5: probes.
  const probeBag = new DiagnosticBag();
  const probeNodes = ex.program.items.filter((i): i is Probe => i.kind === 'Probe');
  const resolved = probeNodes.map((p) => resolveProbe(p, sourceFor(p), probeBag, config, structs));
  checkSpecialProbes(resolved.map((r) => r.attachPoints), probeNodes, sourceFor, probeBag);
  const declaredMaps = new Map<string, { mapType: string; maxEntries: bigint; span: Span; node: object }>();
  for (const item of ex.program.items) {
    if (item.kind !== 'MapDecl') continue;
    const name = item.name.replace(/^@/, '');
    if (!DECLARABLE[item.mapType]) probeBag.error(sourceFor(item), item.span, M.mapDeclType(item.mapType));
    else if (declaredMaps.has(name)) probeBag.error(sourceFor(item), item.span, M.mapDeclDuplicate(`@${name}`));
    else if (item.maxEntries <= 0n) probeBag.error(sourceFor(item), item.span, M.mapDeclSize(`@${name}`));
    else declaredMaps.set(name, { mapType: item.mapType, maxEntries: item.maxEntries, span: item.span, node: item });
  }
  if (probeBag.hasErrors) return stop(probeBag);
  warnings.push(...probeBag.warnings);

  // Pass 6: semantic analysis (scopes, then types to a fixed point).
  const bag = new DiagnosticBag();
  const binder = new Binder(bag, ex.hygiene, sourceFor);
  const units: Unit[] = [];
  probeNodes.forEach((p, i) => {
    binder.bindProbe(i, p.predicate, p.body);
    const r = resolved[i]!;
    const matches = r.attachPoints.flatMap((a) => a.matches);
    units.push({
      index: i,
      providers: r.providers,
      matches,
      addressSpace: addressSpaceOf(r.providers),
      longestName: Math.max(0, ...matches.map((m) => m.name.length)),
      ...(p.predicate ? { predicate: p.predicate } : {}),
      body: p.body,
      isSubprog: false,
    });
  });
  const subprogNodes = ex.program.items.filter((i): i is Subprog => i.kind === 'Subprog');
  const typeNames = new StructTypeResolver(structs);
  const presetSlots = new Map<number, SizedType>();
  const subprogTypes = new Map<string, { params: SizedType[]; returnType: SizedType; row: FunctionRow }>();
  subprogNodes.forEach((s, j) => {
    const index = probeNodes.length + j;
    const params: Variable[] = s.params.map((p) => ({ kind: 'Variable', name: p.name, span: p.span }));
    const first = binder.slots.length;
    binder.bindProbe(index, undefined, s.body, params);
    const paramTypes = s.params.map((p) => typeNames.resolve(p.type.name, p.type.pointer, p.type.arraySize));
    paramTypes.forEach((t, i) => presetSlots.set(first + i, t));
    const returnType = typeNames.resolve(s.returnType.name, s.returnType.pointer, s.returnType.arraySize);
    subprogTypes.set(s.name, { params: paramTypes, returnType, row: subprogramRow(s, paramTypes, returnType) });
    units.push({
      index,
      providers: [],
      matches: [],
      addressSpace: 'kernel',
      longestName: 0,
      body: s.body,
      returnType,
      isSubprog: true,
    });
  });
  const out = inferTypes({
    units,
    slotOf: binder.slotOf,
    slots: binder.slots,
    structs,
    config,
    unsafe: opts.unsafe,
    hasChild: opts.hasChild ?? false,
    bag,
    sourceFor,
    kernelEnum: kernelEnumConstant,
    parameterStrings: ex.parameterStrings,
    presetSlots,
    subprogs: subprogTypes,
    declaredMaps,
  });
  for (const [name, decl] of declaredMaps) {
    if (!out.maps.has(name)) bag.warning(sourceFor(decl.node), decl.span, M.unusedMap(`@${name}`));
  }
  // bpftrace reports a pass's findings in source order (binding and typing interleaved),
  // and only what its first failing semantic pass found.
  keepFirstPassFindings(bag);
  sortBySource(bag, source);
  if (bag.hasErrors) return stop(bag);
  warnings.push(...bag.warnings);

  // Assemble the checked program.
  const slotType = (id: number): SizedType => out.slotTypes.get(id) ?? { kind: 'int', size: 8, signed: true };
  const varSlots: VarSlot[] = binder.slots.map((s) => ({
    id: s.id,
    name: s.name,
    type: slotType(s.id),
    span: s.span,
    ...(s.declaredBy ? { declaredBy: s.declaredBy } : {}),
    probe: s.probe < probeNodes.length ? s.probe : -1,
  }));
  const variables = new Map<Variable, VarSlot>();
  for (const [v, s] of binder.slotOf) variables.set(v, varSlots[s.id]!);

  const probes: CheckedProbe[] = probeNodes.map((p, i) => {
    const r = resolved[i]!;
    const used = [...(out.builtinsUsed.get(i) ?? [])].sort();
    const matches = r.attachPoints.flatMap((a) => a.matches);
    const distinctArgs = new Set(matches.map((m) => m.args?.name ?? ''));
    const expandPerMatch = matches.length > 1 && (used.includes('probe') || (used.includes('args') && distinctArgs.size > 1));
    const first = r.providers[0];
    const shared = first && r.providers.every((x) => x.name === first.name) ? first : undefined;
    const sharedProg = first && r.providers.every((x) => x.progType === first.progType) ? first.progType : undefined;
    return {
      index: i,
      node: p,
      attachPoints: r.attachPoints,
      ...(p.predicate ? { predicate: p.predicate } : {}),
      body: p.body,
      ...(shared ? { provider: shared.name } : {}),
      ...(sharedProg ? { progType: sharedProg } : {}),
      addressSpace: addressSpaceOf(r.providers),
      expandPerMatch,
      variables: varSlots.filter((s) => s.probe === i),
      builtinsUsed: used,
    };
  });
  const subprogs: CheckedSubprog[] = subprogNodes.map((s, j) => {
    const index = probeNodes.length + j;
    const slots = binder.slots.filter((x) => x.probe === index).map((x) => varSlots[x.id]!);
    return { node: s, params: slots.slice(0, s.params.length), returnType: units[index]!.returnType!, variables: slots };
  });

  const maps = new Map<string, MapInfo>();
  for (const [name, m] of out.maps) {
    if (!m.value) continue;
    const decl = declaredMaps.get(name);
    const keyType = m.key ?? undefined;
    const aggregation = isAggregation(m.value) ? m.value : undefined;
    const bpfMapType: BpfMapType = decl
      ? DECLARABLE[decl.mapType]!
      : aggregation
        ? aggregation.kind === 'count' && !keyType
          ? 'percpu_array'
          : 'percpu_hash'
        : 'hash';
    const maxEntries = decl ? Number(decl.maxEntries) : bpfMapType === 'percpu_array' ? 1 : config.max_map_keys;
    maps.set(`@${name}`, {
      name: `@${name}`,
      ...(keyType ? { keyType } : {}),
      valueType: m.value,
      ...(aggregation ? { aggregation } : {}),
      bpfMapType,
      maxEntries,
      declared: !!decl,
      read: m.read,
      span: m.span,
    });
  }

  const program: CheckedProgram = {
    source,
    sources: ex.sources,
    program: ex.program,
    config,
    probes,
    subprogs,
    maps,
    types: out.types,
    operandTypes: out.operandTypes,
    calls: out.calls,
    variables,
    constants: out.constants,
    formats: out.formats,
    structs: new Map([...structs.all()].filter(([k, v]) => k === v.name)),
    namedParams: ex.namedParams,
    positional: opts.positional,
  };
  return { ok: true, value: program, warnings };
}

/** BEGIN and END may each appear once (bpftrace 0.23). */
function checkSpecialProbes(
  aps: readonly { provider: string; node: { span: Span } }[][],
  probes: readonly Probe[],
  sourceFor: (n: object) => SourceFile,
  bag: DiagnosticBag,
): void {
  const seen = new Set<string>();
  aps.forEach((list, i) => {
    for (const ap of list) {
      if (ap.provider !== 'BEGIN' && ap.provider !== 'END') continue;
      if (seen.has(ap.provider)) bag.error(sourceFor(probes[i]!), ap.node.span, M.duplicateSpecial(ap.provider));
      seen.add(ap.provider);
    }
  });
}

/**
 * bpftrace's parser rejects unknown functions before any semantic pass runs, and its
 * semantic analyser stops after the first pass with errors while some checks only run in
 * its final pass. So: unknown-function errors hide the rest; otherwise the final-pass-only
 * findings (LATE_FINDINGS) show only when nothing else failed.
 */
function keepFirstPassFindings(bag: DiagnosticBag): void {
  const errors = bag.items.filter((d) => d.severity === 'error');
  let keep: (d: Diagnostic) => boolean = () => true;
  if (errors.some((d) => d.id === 'unknown-function')) keep = (d) => d.id === 'unknown-function';
  else if (errors.some((d) => !LATE_FINDINGS.has(d.id))) keep = (d) => !LATE_FINDINGS.has(d.id);
  bag.items.splice(0, bag.items.length, ...bag.items.filter(keep));
}

/** Message ids of the checks bpftrace 0.23 makes only in its final semantic pass. */
const LATE_FINDINGS = new Set([
  'arg-wants-kind',
  'format-mismatch',
  'binary-type-mismatch',
  'binary-on-types',
  'array-compare-size',
  'array-compare-elem',
  'literal-longer',
  'signed-compare',
  'signed-arithmetic',
  'signed-division',
  'unary-on-type',
  'ternary-types',
  'ternary-condition',
  'if-condition',
  'while-condition',
  'predicate-type',
  'index-on-type',
  'index-out-of-bounds',
  'index-void-pointer',
  'index-not-integer',
  'field-on-type',
  'tuple-index',
  'map-key-mismatch',
  'map-has-no-keys',
  'not-printable',
  'print-stats-top-div',
  'print-in-loop',
  'buf-wants-arg',
  'buf-needs-length',
  'join-wants-arg',
  'path-wants-arg',
  'tuple-mismatch',
  'invalid-assignment',
  'lhist-step',
  'lhist-buckets',
  'lhist-min-negative',
  'lhist-min-max',
  'lhist-step-range',
  'strftime-monotonic',
  'for-map-scalar',
  'unreachable',
]);

function sortBySource(bag: DiagnosticBag, root: SourceFile): void {
  const rank = (d: Diagnostic) => (d.source && d.source !== root ? 1 : 0);
  // A follow-up ("Initial declaration") stays right after the diagnostic it belongs to.
  // Follow-ups of a failed operand ('none' values) come after what failed inside them.
  let prev = 0;
  const indexed = bag.items.map((d, i) => {
    const followUp = d.id === 'invalid-assignment' || (d.id === 'not-printable' && d.message.startsWith('none '));
    const at = d.id === 'initial-declaration' ? prev : followUp ? (d.span?.end ?? 0) : (d.span?.start ?? 0);
    prev = at;
    return { d, i, at };
  });
  indexed.sort((a, b) => rank(a.d) - rank(b.d) || a.at - b.at || a.i - b.i);
  bag.items.splice(0, bag.items.length, ...indexed.map((x) => x.d));
}

function addressSpaceOf(providers: readonly Provider[]): 'kernel' | 'user' {
  return providers.length > 0 && providers.every((p) => p.addressSpace === 'user') ? 'user' : 'kernel';
}

/** Subprogram return/param types written as names. */
class StructTypeResolver {
  constructor(private readonly structs: StructRegistry) {}
  resolve(name: string, pointer: number, arraySize?: number): SizedType {
    if (name === 'void' && pointer === 0) return { kind: 'void', size: 0 };
    if (name === 'string') return { kind: 'string', size: arraySize ?? 64 };
    return this.structs.fromText(name, pointer, arraySize) ?? { kind: 'int', size: 8, signed: true };
  }
}

/** A table row for calls of the program's own `fn` (they are not builtins, but the compiler reads calls uniformly). */
function subprogramRow(s: Subprog, params: readonly SizedType[], returnType: SizedType): FunctionRow {
  return {
    name: s.name,
    minArgs: params.length,
    maxArgs: params.length,
    exactArity: true,
    argKinds: ['value'],
    signature: `${typeName(returnType)} ${s.name}(${params.map(typeName).join(', ')})`,
    async: false,
    unsafe: false,
    compileTime: false,
    aggregation: false,
    placement: 'any',
    helpers: [],
    check: () => returnType,
  };
}


