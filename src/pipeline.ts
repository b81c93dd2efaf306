// The stages of bpftrace-ts in order, each a pure function from what earlier stages made to
// what it makes, and the `--dump` points between them. runPipeline runs them in order and
// stops after the first stage that reports errors (warnings ride along). Adding a stage is
// adding an entry to STAGES and a field to Products; nothing here prints or reads files.

import { InternalError, type Diagnostic, type Result } from './diag/diagnostic.js';
import { parseMessages } from './diag/messages.js';
import type { SourceFile } from './diag/source.js';
import type { Program } from './parse/ast.js';
import { parseProgram } from './parse/parse-program.js';
import { dumpAst } from './parse/dump.js';
import { checkProgram } from './check/check.js';
import { dumpTypes } from './check/dump.js';
import type { CheckedProgram } from './check/program.js';
import { compileProgram } from './compile/compile-program.js';
import type { CompiledProgram } from './compile/compiled.js';
import { dumpBpf } from './compile/dump.js';

/** Everything the stages may read: the program and the command line's parameters. */
export interface PipelineInput {
  readonly source: SourceFile;
  /** Positional parameters: `$1` is positional[0]. */
  readonly positional: readonly string[];
  /** Named parameters after `--` (`--aa=20` → 'aa' → '20', `--bb` → 'bb' → true). */
  readonly named: ReadonlyMap<string, string | true>;
  /** `--unsafe` was given. */
  readonly unsafe: boolean;
  /** `-k`: report map lookups that find nothing and failed probe reads (CompileOptions.runtimeWarnings). */
  readonly runtimeWarnings?: boolean;
  /** --no-warnings: compile no helper-error reports (CompileOptions.helperErrors false). */
  readonly noWarnings?: boolean;
  /** Virtual CPUs of the machine the program will run on (`--cpus`; default 4). */
  readonly ncpus?: number;
  /** kaddr(): a kernel symbol's address in the machine the program will run on. */
  readonly kernelSymbol?: (name: string) => bigint | undefined;
  /** Config from the environment (`BPFTRACE_MAX_STRLEN=5` → 'BPFTRACE_MAX_STRLEN' → '5'); wins over the config block. */
  readonly config?: Readonly<Record<string, string>>;
}

/** What the stages have produced so far; each stage adds its own field. */
export interface Products {
  /** After 'parse'. */
  readonly program?: Program;
  /** After 'check'. */
  readonly checked?: CheckedProgram;
  /** After 'compile'. */
  readonly compiled?: CompiledProgram;
}

export interface Stage {
  readonly name: string;
  /** The `--dump` point that shows this stage's product. */
  readonly dump?: string;
  /** Runs the stage; the products given hold everything earlier stages made. */
  run(input: PipelineInput, products: Products): Result<Products>;
  /** Text for the dump point (only called after a successful run). */
  print?(products: Products): string;
}

/** Reads a product a stage needs; its absence means the stage list is out of order. */
function need<K extends keyof Products>(products: Products, key: K, stage: string): NonNullable<Products[K]> {
  const value = products[key];
  if (value === undefined) throw new InternalError(`pipeline: stage '${stage}' runs before '${String(key)}' exists`);
  return value as NonNullable<Products[K]>;
}

export const STAGES: readonly Stage[] = [
  {
    name: 'parse',
    dump: 'ast',
    run(input, products) {
      const r = parseProgram(input.source, { positional: input.positional });
      return r.ok ? { ok: true, value: { ...products, program: r.value }, warnings: r.warnings } : r;
    },
    print: (products) => dumpAst(need(products, 'program', 'dump ast')),
  },
  {
    name: 'check',
    dump: 'types',
    run(input, products) {
      // The checker takes a bare `--flag` as ''.
      const named = Object.fromEntries([...input.named].map(([k, v]) => [k, v === true ? '' : v]));
      const r = checkProgram(need(products, 'program', 'check'), input.source, {
        unsafe: input.unsafe,
        positional: input.positional,
        named,
        ...(input.config ? { config: input.config } : {}),
      });
      return r.ok ? { ok: true, value: { ...products, checked: r.value }, warnings: r.warnings } : r;
    },
    print: (products) => dumpTypes(need(products, 'checked', 'dump types')),
  },
  {
    name: 'compile',
    dump: 'bpf',
    run(input, products) {
      const checked = need(products, 'checked', 'compile');
      const r = compileProgram(checked, {
        unsafe: input.unsafe,
        ...(input.runtimeWarnings ? { runtimeWarnings: true } : {}),
        ...(input.noWarnings ? { helperErrors: false } : {}),
        ...(input.ncpus !== undefined ? { ncpus: input.ncpus } : {}),
        ...(input.kernelSymbol ? { kernelSymbol: input.kernelSymbol } : {}),
        // bpftrace sizes its event ring buffer in pages (config perf_rb_pages).
        ringbufSize: checked.config.perf_rb_pages * 4096,
      });
      return r.ok ? { ok: true, value: { ...products, compiled: r.value }, warnings: r.warnings } : r;
    },
    print: (products) => dumpBpf(need(products, 'compiled', 'dump bpf')),
  },
];

/** The dump points that exist, in pipeline order (for `-d/--dump` choices). */
export const DUMP_POINTS: readonly string[] = STAGES.flatMap((s) => (s.dump ? [s.dump] : []));

export interface PipelineOptions {
  /** Print these dump points (in pipeline order) as their stages complete. */
  readonly dumps?: readonly string[];
  /** Stop after this stage (default: the last one). */
  readonly until?: string;
}

export interface PipelineOutcome {
  /** No stage reported an error. */
  readonly ok: boolean;
  readonly products: Products;
  /** Errors of the failing stage, and the warnings of every stage that ran, in order. */
  readonly diagnostics: readonly Diagnostic[];
  /** The requested dumps, in the order they were produced. */
  readonly dumps: readonly { readonly point: string; readonly text: string }[];
  /** Names of the stages that ran (the last one failed when !ok). */
  readonly ran: readonly string[];
}

export function runPipeline(input: PipelineInput, options: PipelineOptions = {}): PipelineOutcome {
  let products: Products = {};
  const diagnostics: Diagnostic[] = [];
  const dumps: { point: string; text: string }[] = [];
  const ran: string[] = [];
  for (const stage of STAGES) {
    ran.push(stage.name);
    const r = withinStack(() => stage.run(input, products));
    if (!r.ok) {
      diagnostics.push(...r.diagnostics);
      return { ok: false, products, diagnostics, dumps, ran };
    }
    diagnostics.push(...r.warnings);
    products = r.value;
    if (stage.dump && stage.print && options.dumps?.includes(stage.dump)) {
      const print = stage.print;
      const text = withinStack(() => ({ ok: true, value: print(products), warnings: [] }) as Result<string>);
      if (!text.ok) return { ok: false, products, diagnostics: [...diagnostics, ...text.diagnostics], dumps, ran };
      dumps.push({ point: stage.dump, text: text.value });
    }
    if (stage.name === options.until) break;
  }
  return { ok: true, products, diagnostics, dumps, ran };
}

/**
 * The last guard against deep input: the parse stage refuses trees deeper than the stages
 * walk (src/parse/nesting.ts), but should a stage still run out of JavaScript stack, the
 * user gets a one-line error instead of a RangeError trace. Other exceptions are bugs and
 * propagate.
 */
function withinStack<T>(step: () => Result<T>): Result<T> {
  try {
    return step();
  } catch (e) {
    if (!(e instanceof RangeError) || !/call stack/i.test(e.message)) throw e;
    const m = parseMessages.tooDeep();
    return { ok: false, diagnostics: [{ severity: 'error', id: m.id, message: m.text, hints: [] }] };
  }
}
