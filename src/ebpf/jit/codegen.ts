// The JavaScript module a program becomes: one JS function per eBPF function (main and each
// bpf-to-bpf callee), entry points `run(ctx, out)` and `exec(out)`, and the names they use.
// A function is structured (loops and labelled blocks) when its flow allows; runs of its
// items move into functions of their own (pieces, outline.ts) when it would exceed what V8
// optimises (about 60 KB of bytecode). Irreducible flow becomes one dispatch loop over the
// blocks, or chunks of dispatch loops passing registers through a save area when too big.
// In: a Program, the verifier's analysis (or none), the machine's maps and helpers. Out:
// source text and the values it closes over. Not: compiling the text (jit.ts).

import { MAX_BPF_STACK } from '../isa.js';
import type { BpfMap } from '../maps/map.js';
import { REGION_STACK, STACK_FRAMES } from '../memory.js';
import { targetOf, type Program } from '../program.js';
import type { ProgramAnalysis } from '../verifier/analysis.js';
import { callbackEntries, traceFunctions, type JitBlock, type JitFunction } from './cfg.js';
import { emitHelperCall, saveRegs, type CallContext } from './emit-call.js';
import { BlockEmitter, sharedValueRegion, type FunctionContext } from './emit-insn.js';
import { HELPER_PROTOS } from '../helpers/prototypes.js';
import { countPieces, fitSequence, itemsOf, type Item } from './outline.js';
import { structure } from './structure.js';

export interface CodegenOptions {
  /** Largest function body, in characters of generated source, before it is split. */
  readonly chunkChars: number;
}

/**
 * About 20 KB of V8 bytecode (generated code runs about 2 characters per bytecode byte): well
 * under V8's 60 KB optimisation limit, and measured faster than bigger functions.
 */
export const DEFAULT_CHUNK_CHARS = 40_000;

export interface FunctionLayout {
  /** The eBPF function's first slot. */
  readonly entry: number;
  readonly layout: 'structured' | 'dispatch' | 'chunked';
  /** JS functions it became: 1, or more when split into pieces (structured) or chunks (dispatch). */
  readonly functions: number;
}

export interface Generated {
  /** Body of `new Function('E', source)`, which returns `{ run, exec }`. */
  readonly source: string;
  /** Names the preamble reads from E: maps and helpers by module name. */
  readonly maps: ReadonlyMap<string, BpfMap>;
  readonly helpers: ReadonlyMap<string, (m: never) => void>;
  /** How each function was laid out, for tests and the bench. */
  readonly layouts: readonly FunctionLayout[];
}

const REGS = Array.from({ length: 10 }, (_, r) => r);
const PARAMS = REGS.map((r) => `r${r}l, r${r}h`).join(', ');
/** Scratch locals every generated function declares (emit-insn.ts and emit-call.ts use them). */
const TEMPS = [
  'let t0 = 0, t1 = 0, pa = 0, pr = 0, pv = S, o0 = 0, o1 = 0;',
  'let k0 = 0, k1 = 0, k2 = 0, k3 = 0, k4 = 0, k5 = 0, k6 = 0, k7 = 0;',
  'let v0 = S, v1 = S, v2 = S, v3 = S, v4 = S, v5 = S, v6 = S, v7 = S, v8 = S, v9 = S;',
];
/** Save-area words: r0..r9 halves, then n, then fp. */
const SAVE_N = 20;
const SAVE_FP = 21;
const SAVE_WORDS = 22;

/** JS name of the main program's function, and of the callee starting at a slot. */
const MAIN = 'main';
const fnName = (entry: number): string => `f${entry}`;
const nameOf = (fn: JitFunction): string => (fn.isMain ? MAIN : fnName(fn.entry));

interface Layout {
  readonly lines: string[];
  readonly layout: 'structured' | 'dispatch' | 'chunked';
  /** JS functions the eBPF function became (pieces or chunks included). */
  readonly functions: number;
}

/** The state of a piece being written: labels its code leaves to, and whether it exits. */
interface PieceState {
  readonly escapes: Set<string>;
  exits: boolean;
}

interface Style {
  readonly isMain: boolean;
  readonly budgetChecks: boolean;
  /** Faults `return` the RunResult (main's own body, no pieces) or throw FAULTED. */
  readonly faultsReturn: boolean;
  readonly style: 'structured' | 'dispatch' | 'chunk';
  /** Structured style: the labels the current JS function can break or continue to. */
  readonly scope?: ReadonlySet<string>;
  /** Structured style inside a piece: where escapes are recorded. */
  readonly piece?: PieceState;
  /** Registers whose vN an enclosing loop of this JS function loaded before it started. */
  readonly views?: ReadonlySet<number>;
}

const saveArea = (): string => `${REGS.map((r) => `R[${2 * r}] = r${r}l; R[${2 * r + 1}] = r${r}h;`).join(' ')} R[${SAVE_N}] = n;`;
const loadArea = (): string => `${REGS.map((r) => `r${r}l = R[${2 * r}]; r${r}h = R[${2 * r + 1}];`).join(' ')} n = R[${SAVE_N}];`;

class ModuleWriter implements CallContext {
  readonly mapNames = new Map<string, BpfMap>();
  readonly helperNames = new Map<string, (m: never) => void>();
  /** Module-level constants (emit-call.ts's aliases of map internals), name → expression. */
  readonly aliases = new Map<string, string>();
  private readonly indexes = new Map<JitFunction, Map<number, number>>();
  /** Bytes of context the proven reads need: the run entry falls back to the interpreter below it. */
  ctxEnd = 0;
  readonly verified: boolean;
  readonly callbacks: boolean;
  readonly helpers: Program['helpers'];
  /** Slots some jump goes to (slot 0 among them: the entry block is a loop header). */
  readonly jumpedTo: ReadonlySet<number>;
  /** Escape codes of labels, per function (positive; -1 is the program's exit, 0 falling out). */
  private codes = new Map<string, number>();
  private pieceCount = 0;

  constructor(
    readonly prog: Program,
    readonly analysis: ProgramAnalysis | undefined,
    readonly maps: readonly (BpfMap | undefined)[],
    readonly budget: number,
    readonly opts: CodegenOptions,
  ) {
    this.verified = analysis !== undefined;
    this.callbacks = prog.funcEntries.includes(1);
    this.helpers = prog.helpers;
    const targets = new Set<number>();
    prog.rows.forEach((row, pc) => {
      const t = row ? targetOf(row, prog.insns[pc]!, pc) : undefined;
      if (t !== undefined) targets.add(t);
    });
    this.jumpedTo = targets;
  }

  mapOf(fd: number): BpfMap | undefined {
    return this.maps[fd];
  }

  mapName(fd: number): string {
    const name = `map${fd}`;
    this.mapNames.set(name, this.maps[fd]!);
    return name;
  }

  helperName(id: number): string {
    const name = `h${id}`;
    this.helperNames.set(name, this.helpers[id]! as (m: never) => void);
    return name;
  }

  /** Block index by first slot, per function. */
  private blockIndex(fn: JitFunction): Map<number, number> {
    let m = this.indexes.get(fn);
    if (m === undefined) this.indexes.set(fn, (m = new Map(fn.blocks.map((b, i) => [b.start, i]))));
    return m;
  }

  alias(name: string, expr: string): string {
    this.aliases.set(name, expr);
    return name;
  }

  // ── one function ───────────────────────────────────────────────────────────────────────

  function(fn: JitFunction, budgetChecks: boolean): Layout {
    const isMain = fn.isMain;
    const head = isMain ? `function ${MAIN}(out, ${PARAMS}) {` : `function ${fnName(fn.entry)}(${PARAMS}, fp, n, out) {`;
    const setup = [isMain ? `const fp = ${MAX_BPF_STACK};` : '', isMain ? 'let n = 0;' : '', 'const C = CV;', ...TEMPS].filter((l) => l !== '');
    const tree = structure(fn.blocks);
    const limit = this.opts.chunkChars;
    if (tree === null) {
      // Irreducible flow: one dispatch loop, or chunks of dispatch loops when too big.
      const probe = this.blocksText(fn, { isMain, budgetChecks, faultsReturn: isMain, style: 'dispatch' });
      const size = probe.reduce((a, l) => a + l.length + 1, 0);
      if (size > limit) return this.chunked(fn, budgetChecks, head, size);
      const body = [`let b = ${fn.entry};`, 'D: for (;;) {', '  switch (b) {', ...indent(probe, 4), '  }', '}'];
      return { lines: [head, ...indent(setup), ...indent(body), '}'], layout: 'dispatch', functions: 1 };
    }
    // Structured; runs of items move into pieces when the whole would be too big.
    this.codes = new Map();
    const sizes = fn.blocks.map((b, i) =>
      this.blockText(fn, b, { isMain, budgetChecks, faultsReturn: false, style: 'structured', scope: ALL_LABELS }, fn.blocks, i)
        .reduce((a, l) => a + l.length + 1, 0));
    const items = itemsOf(tree, sizes);
    fitSequence(items, limit);
    const pieces = countPieces(items);
    const pieceLines: string[] = [];
    const st: Style = { isMain, budgetChecks, faultsReturn: isMain && pieces === 0, style: 'structured', scope: new Set() };
    const body: string[] = [];
    this.emitItems(fn, items, st, body, pieceLines);
    const areaSetup = pieces > 0 ? [`const R = RS[${isMain ? 0 : '(fp >> 9) - 1'}];`, `R[${SAVE_FP}] = fp;`] : [];
    return {
      lines: [...pieceLines, head, ...indent(setup), ...indent(areaSetup), ...indent(body), '}'],
      layout: 'structured',
      functions: 1 + pieces,
    };
  }

  /** Structured code for a sequence of items; pieces are written to `pieceLines`. */
  private emitItems(fn: JitFunction, items: readonly Item[], st: Style, out: string[], pieceLines: string[]): void {
    const blocks = fn.blocks;
    for (const it of items) {
      if (it.kind === 'block') {
        out.push(`// ${blocks[it.index]!.start}`);
        out.push(...this.blockText(fn, blocks[it.index]!, st, fn.blocks, it.index));
        continue;
      }
      if (it.kind === 'span') {
        const span = it.span;
        const slot = blocks[span.target]!.start;
        const label = `${span.kind === 'loop' ? 'l' : 'b'}${slot}`;
        const inner: string[] = [];
        // A loop loads the region views of the pointers it accesses but never writes once,
        // before it starts, instead of at each block of each iteration.
        const outer = st.views ?? NO_VIEWS;
        const hoisted = span.kind === 'loop' ? this.loopViews(fn, span.first, span.last).filter((r) => !outer.has(r)) : [];
        const views = hoisted.length > 0 ? new Set([...outer, ...hoisted]) : outer;
        this.emitItems(fn, it.items, { ...st, scope: new Set([...st.scope!, label]), views }, inner, pieceLines);
        if (span.kind === 'loop') out.push(...hoisted.map((r) => `v${r} = V[r${r}h];`), `${label}: for (;;) {`, ...indent(inner), `  break ${label};`, '}');
        // Regions are not indented: forward jumps nest them as deep as the program is long.
        else out.push(`${label}: {`, ...inner, `} // ${label}`);
        continue;
      }
      out.push(...this.piece(fn, it.items, st, pieceLines));
    }
  }

  /**
   * Registers the loop over blocks first..last accesses proven map values or helper memory
   * through and never writes (a call writes r0..r5): their views stay valid for the whole loop.
   */
  private loopViews(fn: JitFunction, first: number, last: number): number[] {
    const facts = this.analysis?.insns;
    if (facts === undefined) return [];
    const written = new Set<number>();
    const bases = new Set<number>();
    for (let b = first; b <= last; b++) {
      for (const pc of fn.blocks[b]!.pcs) {
        const row = this.prog.rows[pc]!;
        const x = this.prog.insns[pc]!;
        const f = facts[pc];
        // Accesses into a shared map's values use its module-level view instead.
        const viewed = f !== undefined && f.inBounds === true && (f.mem === 'map_value' || f.mem === 'mem')
          && sharedValueRegion(f, (fd) => this.maps[fd]) === null;
        switch (row.kind) {
          case 'ldx':
          case 'ldxs':
            if (viewed) bases.add(x.src);
            written.add(x.dst);
            break;
          case 'st':
          case 'stx':
            if (viewed) bases.add(x.dst);
            break;
          case 'atomic':
            if (viewed) bases.add(x.dst);
            written.add(x.src);
            written.add(0);
            break;
          case 'call':
          case 'call_local':
          case 'call_kfunc':
            for (let r = 0; r <= 5; r++) written.add(r);
            break;
          case 'alu':
          case 'mov':
          case 'movsx':
          case 'neg':
          case 'end':
          case 'lddw':
            written.add(x.dst);
            break;
          default:
            break;
        }
      }
    }
    return [...bases].filter((r) => r < 10 && !written.has(r)).sort((a, b) => a - b);
  }

  /** Writes a piece function for items and returns its call site in the current function. */
  private piece(fn: JitFunction, items: readonly Item[], st: Style, pieceLines: string[]): string[] {
    const name = `${nameOf(fn)}_p${this.pieceCount++}`;
    const state: PieceState = { escapes: new Set(), exits: false };
    const body: string[] = [];
    this.emitItems(fn, items, { ...st, faultsReturn: false, scope: new Set(), piece: state, views: NO_VIEWS }, body, pieceLines);
    const loads = REGS.map((r) => `r${r}l = R[${2 * r}], r${r}h = R[${2 * r + 1}]`).join(', ');
    pieceLines.push(
      `function ${name}(R, out) {`,
      `  let ${loads}, n = R[${SAVE_N}];`,
      `  const fp = ${st.isMain ? MAX_BPF_STACK : `R[${SAVE_FP}]`};`,
      '  const C = CV;',
      ...indent(TEMPS),
      '  let code = 0;',
      '  P: {',
      ...indent(body, 4),
      '  }',
      `  ${saveArea()}`,
      '  return code;',
      '}',
      '',
    );
    // The call: registers through the save area, then where the piece left to.
    const call = [saveArea(), `t0 = ${name}(R, out);`, loadArea()];
    const local = [...state.escapes].filter((l) => st.scope!.has(l));
    const onward = [...state.escapes].filter((l) => !st.scope!.has(l));
    const tests = local.map((l) => `if (t0 === ${this.codeOf(l)}) ${l.startsWith('l') ? 'continue' : 'break'} ${l};`);
    if (st.piece !== undefined) {
      for (const l of onward) st.piece.escapes.add(l);
      if (state.exits) st.piece.exits = true;
      if (onward.length > 0 || state.exits) tests.push('code = t0;', 'break P;');
    } else if (state.exits) {
      tests.push(st.isMain ? 'return out;' : 'return r0l;');
    }
    if (tests.length > 0) call.push('if (t0 !== 0) {', ...indent(tests), '}');
    return call;
  }

  private codeOf(label: string): number {
    let c = this.codes.get(label);
    if (c === undefined) this.codes.set(label, (c = this.codes.size + 1));
    return c;
  }

  private chunked(fn: JitFunction, budgetChecks: boolean, head: string, size: number): Layout {
    const isMain = fn.isMain;
    // Greedy split in address order into chunks of about equal size below the limit.
    const count = Math.ceil(size / this.opts.chunkChars);
    const target = size / count;
    const groups: JitBlock[][] = [[]];
    let acc = 0;
    for (const b of fn.blocks) {
      const text = this.blockText(fn, b, { isMain, budgetChecks, faultsReturn: false, style: 'chunk' });
      const len = text.reduce((a, l) => a + l.length + 1, 0);
      if (acc > 0 && acc + len > target && groups.length < count * 2) {
        groups.push([]);
        acc = 0;
      }
      groups[groups.length - 1]!.push(b);
      acc += len;
    }
    const out: string[] = [];
    const chunkOf: string[] = [];
    groups.forEach((blocks, c) => {
      const name = `${nameOf(fn)}_${c}`;
      const body: string[] = [];
      for (const b of blocks) {
        body.push(`case ${b.start}:`);
        body.push(...indent(this.blockText(fn, b, { isMain, budgetChecks, faultsReturn: false, style: 'chunk' }, blocks)));
        chunkOf.push(`case ${b.start}:`);
      }
      chunkOf.push(`  b = ${name}(R, b, out);`, '  break;');
      const loads = REGS.map((r) => `r${r}l = R[${2 * r}], r${r}h = R[${2 * r + 1}]`).join(', ');
      out.push(
        `function ${name}(R, b, out) {`,
        `  let ${loads}, n = R[${SAVE_N}];`,
        `  const fp = R[${SAVE_FP}];`,
        '  const C = CV;',
        ...indent(TEMPS),
        '  D: for (;;) {',
        '    switch (b) {',
        ...indent(body, 6),
        '      default:',
        '        break D;',
        '    }',
        '  }',
        `  ${saveArea()}`,
        '  return b;',
        '}',
        '',
      );
    });
    const depth = isMain ? '0' : `(fp >> 9) - 1`;
    const exit = isMain
      ? [
        ...(this.verified ? [] : [`for (let i = 0; i < ${SAVE_N}; i++) RG[i] = R[i];`, `RG[20] = ${MAX_BPF_STACK}; RG[21] = ${REGION_STACK};`]),
        'out.r0Lo = R[0];', 'out.r0Hi = R[1];', `out.insns = R[${SAVE_N}];`, 'return out;',
      ]
      : this.verified
        ? [`RET[0] = R[1]; RET[1] = R[${SAVE_N}];`, 'return R[0];']
        : [`RET[0] = R[1]; RET[1] = R[${SAVE_N}];`, 'for (let i = 2; i < 12; i++) RET[i] = R[i];', 'return R[0];'];
    out.push(
      head,
      `  const R = RS[${depth}];`,
      `  ${saveArea().replace(`R[${SAVE_N}] = n;`, `R[${SAVE_N}] = ${isMain ? 0 : 'n'};`)} R[${SAVE_FP}] = ${isMain ? MAX_BPF_STACK : 'fp'};`,
      `  let b = ${fn.entry};`,
      '  for (;;) {',
      '    switch (b) {',
      ...indent(chunkOf, 6),
      '      default:',
      `        throw new Error('jit: no chunk holds block ' + b);`,
      '    }',
      '    if (b < 0) break;',
      '  }',
      ...indent(exit),
      '}',
    );
    return { lines: out, layout: 'chunked', functions: groups.length + 1 };
  }

  // ── blocks ─────────────────────────────────────────────────────────────────────────────

  private blocksText(fn: JitFunction, st: Style): string[] {
    const out: string[] = [];
    for (const b of fn.blocks) {
      out.push(`case ${b.start}:`);
      out.push(...indent(this.blockText(fn, b, st)));
    }
    return out;
  }

  /**
   * One block's code. Transfers: structured style breaks and continues labels (its blocks in
   * address order, `at` the block's index), or leaves its piece for a label outside it;
   * dispatch and chunk styles set `b` and continue the dispatch loop (falling into the next
   * case when it is the next block of `group`).
   */
  private blockText(fn: JitFunction, block: JitBlock, st: Style, group: readonly JitBlock[] = fn.blocks, at = -1): string[] {
    const fc: FunctionContext = {
      prog: this.prog, facts: this.analysis?.insns, isMain: st.isMain, mapOf: (fd) => this.maps[fd], alias: (n, e) => this.alias(n, e),
    };
    const faultStmt = (call: string): string => {
      const save: string[] = [];
      if (!this.verified) saveRegs(save);
      return st.faultsReturn ? `{ ${[...save, `return ${call};`].join(' ')} }` : `{ ${[...save, `${call};`, 'throw FAULTED;'].join(' ')} }`;
    };
    const em = new BlockEmitter(fc, faultStmt, (e, pc) => emitHelperCall(e, this, pc, this.prog.insns[pc]!.imm));
    const lines = em.lines;
    const blocks = fn.blocks;
    const indexOf = (slot: number): number => this.blockIndex(fn).get(slot)!;
    const myIndex = at >= 0 ? at : indexOf(block.start);
    const groupIndex = group.indexOf(block);
    const nextInOrder = group[groupIndex + 1];
    const goLabel = (label: string): string[] => {
      const kw = label.startsWith('l') ? 'continue' : 'break';
      if (st.scope === ALL_LABELS || st.scope!.has(label)) return [`${kw} ${label};`];
      st.piece!.escapes.add(label);
      return [`code = ${this.codeOf(label)};`, 'break P;'];
    };
    /** Code that moves control to the block at `slot` from the end of this one. */
    const transfer = (slot: number, taken: boolean): string[] => {
      if (st.style === 'structured') {
        const t = indexOf(slot);
        if (t <= myIndex && taken) return goLabel(`l${slot}`);
        if (t === myIndex + 1) return [];
        return goLabel(`b${slot}`);
      }
      if (!taken && nextInOrder !== undefined && nextInOrder.start === slot) return [];
      return [`b = ${slot};`, 'continue D;'];
    };
    const budgetCheck = (pc: number): string[] =>
      st.budgetChecks ? [`if (n > ${this.budget}) ${faultStmt(`budgetFault(out, ${this.budget}, ${pc}, n, r0l, r0h, false)`)}`] : [];

    const facts = this.analysis?.insns;
    if (block.end.kind === 'falloff') {
      const n = this.prog.insns.length;
      lines.push(em.fault('fell_off', n, `the program ran past its last instruction (insn ${n})`));
      return lines;
    }
    if (facts !== undefined && facts[block.start]?.reached === false) {
      lines.push(em.fault('unsupported', block.start, `jit: insn ${block.start} runs although the verifier found it unreachable`));
      return lines;
    }
    const end = block.end;
    em.emitBody(block, (pc) => {
      switch (end.kind) {
        case 'jump':
          lines.push(...budgetCheck(pc), ...transfer(end.target, true));
          return;
        case 'cond': {
          const go = [...budgetCheck(pc), ...transfer(end.target, true)];
          if (go.length > 0) lines.push(`if (${em.condition(pc)}) {`, ...indent(go), '}');
          return;
        }
        case 'exit':
          lines.push(...this.exitCode(pc, st, faultStmt));
          return;
        case 'call': {
          if (!st.isMain) {
            lines.push(`if (fp >= ${STACK_FRAMES * MAX_BPF_STACK}) ${em.fault('call_depth', pc, `the call stack is too deep (${STACK_FRAMES} frames) at insn ${pc}`)}`);
          }
          lines.push(...budgetCheck(pc));
          lines.push(`r0l = ${fnName(end.callee)}(${PARAMS}, fp + ${MAX_BPF_STACK}, n, out);`, 'r0h = RET[0];', 'n = RET[1];');
          if (!this.verified) lines.push(REGS.slice(1, 6).map((r) => `r${r}l = RET[${2 * r}]; r${r}h = RET[${2 * r + 1}];`).join(' '));
          em.forgetCallerSaved();
          return;
        }
        default:
          throw new Error(`jit: block ending ${end.kind} has a terminator`);
      }
    }, block.start === 0 && !this.jumpedTo.has(0), st.views);
    // Control leaving the block without a jump: fall through, or return from a call.
    if (end.kind === 'fall' || end.kind === 'call' || end.kind === 'cond') lines.push(...transfer(end.next, false));
    this.ctxEnd = Math.max(this.ctxEnd, em.ctxEnd);
    return lines;
  }

  /** The final exit (main) or a return to the caller (callee), per layout. */
  private exitCode(pc: number, st: Style, faultStmt: (call: string) => string): string[] {
    const out: string[] = [];
    if (st.style === 'chunk') {
      if (st.isMain && st.budgetChecks) out.push(`if (n > ${this.budget}) ${faultStmt(`budgetFault(out, ${this.budget}, ${pc}, n, r0l, r0h, true)`)}`);
      return [...out, 'b = -1;', 'break D;'];
    }
    if (st.isMain) {
      if (st.budgetChecks) out.push(`if (n > ${this.budget}) ${faultStmt(`budgetFault(out, ${this.budget}, ${pc}, n, r0l, r0h, true)`)}`);
      if (!this.verified) saveRegs(out);
      out.push('out.r0Lo = r0l;', 'out.r0Hi = r0h;', 'out.insns = n;');
    } else {
      out.push('RET[0] = r0h; RET[1] = n;');
      if (!this.verified) out.push(REGS.slice(1, 6).map((r) => `RET[${2 * r}] = r${r}l; RET[${2 * r + 1}] = r${r}h;`).join(' '));
    }
    if (st.piece !== undefined) {
      st.piece.exits = true;
      return [...out, 'code = -1;', 'break P;'];
    }
    return [...out, st.isMain ? 'return out;' : 'return r0l;'];
  }
}

/**
 * Machine.callFunc for this module (see machine.ts): the callback's JS function with r0..r9
 * from the register file (r1..r5 are the helper's arguments; a verified callback reads no
 * other before writing it), fp one frame below the helper's caller (cfp), the count from the
 * helper call on (hn). Afterwards r0 (and, unverified, r1..r5 as the callback left them) are
 * in the register file and r6..r10 restored, as the interpreter's shared register file has
 * them; hp, hn and cfp are the helper call's again.
 */
function callbackInvoker(entries: readonly number[], verified: boolean): string[] {
  const args = REGS.map((r) => `RG[${2 * r}], RG[${2 * r + 1}]`).join(', ');
  const saved = Array.from({ length: 10 }, (_, i) => 12 + i);
  const named = entries.map((e) => `entry === ${e}`).join(' || ') || 'false';
  return [
    'function callFunc(m, entry) {',
    `  if (!(${named})) throw new Error('callback to insn ' + entry + ', which no lddw func names');`,
    '  const fp0 = cfp, hp0 = hp, out = OUT;',
    `  if (fp0 >= ${STACK_FRAMES * MAX_BPF_STACK}) {`,
    `    fault(out, 'call_depth', hp0, 'the call stack is too deep (${STACK_FRAMES} frames) at insn ' + hp0, hn, RG[0], RG[1]);`,
    '    throw FAULTED;',
    '  }',
    ...(verified ? [] : [`  const ${saved.map((w) => `s${w} = RG[${w}]`).join(', ')};`]),
    '  let r = 0;',
    '  switch (entry) {',
    ...entries.flatMap((e) => [`    case ${e}:`, `      r = ${fnName(e)}(${args}, fp0 + ${MAX_BPF_STACK}, hn, out);`, '      break;']),
    '  }',
    '  const rh = RET[0];',
    '  hn = RET[1];',
    '  RG[0] = r; RG[1] = rh;',
    ...(verified ? [] : ['  for (let i = 2; i < 12; i++) RG[i] = RET[i];', `  ${saved.map((w) => `RG[${w}] = s${w};`).join(' ')}`]),
    '  hp = hp0; cfp = fp0;',
    '  return (r | rh) !== 0;',
    '}',
  ];
}

const NO_VIEWS: ReadonlySet<number> = new Set();

/** Marks a size-measuring pass: every label counts as reachable. */
const ALL_LABELS: ReadonlySet<string> = new Set();

function indent(lines: readonly string[], by = 2): string[] {
  const pad = ' '.repeat(by);
  return lines.map((l) => (l === '' ? l : pad + l));
}

/** The runtime names every module reads from its environment object. */
export const RUNTIME_NAMES = [
  'M', 'B', 'V', 'W', 'RG', 'S', 'SB', 'RS', 'RET', 'FAULTED', 'fault', 'accessFault', 'budgetFault', 'clearFault', 'caught',
  'mulhi', 'udiv64', 'umod64', 'sdiv64', 'smod64', 'lsh64', 'rsh64', 'arsh64', 'mapValueAddr', 'probeRead', 'probeReadStr',
  'fallback',
] as const;

/**
 * The most instructions one run of a loop-free program can execute: main's blocks once, plus
 * at each bpf-to-bpf call the callee's most (Infinity for recursion, which only unverified
 * programs can have).
 */
function mostInstructions(fns: readonly JitFunction[]): number {
  const byEntry = new Map(fns.filter((f) => !f.isMain).map((f) => [f.entry, f]));
  const memo = new Map<JitFunction, number>();
  const most = (f: JitFunction, open: Set<JitFunction>): number => {
    const known = memo.get(f);
    if (known !== undefined) return known;
    if (open.has(f)) return Infinity;
    open.add(f);
    let n = 0;
    for (const b of f.blocks) {
      n += b.pcs.length;
      if (b.end.kind === 'call') {
        const callee = byEntry.get(b.end.callee);
        n += callee === undefined ? Infinity : most(callee, open);
      }
    }
    open.delete(f);
    memo.set(f, n);
    return n;
  };
  const main = fns.find((f) => f.isMain);
  return main === undefined ? Infinity : most(main, new Set());
}

export function generate(
  prog: Program, analysis: ProgramAnalysis | undefined, maps: readonly (BpfMap | undefined)[], opts: CodegenOptions,
): Generated {
  const fns = traceFunctions(prog);
  const budget = prog.budget;
  // Loop-free programs without callbacks run at most as many instructions as their call tree
  // has (each function's blocks once per call): no check when that fits the budget.
  const callbacks = callbackEntries(prog);
  const budgetChecks = fns.some((f) => f.hasBackEdge) || callbacks.length > 0 || budget < mostInstructions(fns);
  // Helpers call back through this module's invoker: when it has callbacks, or calls such a
  // helper without any (unverified, with a forged address: the invoker refuses it, as the
  // interpreter does, instead of the machine's last one).
  const invoker = callbacks.length > 0 || prog.insns.some((x, pc) => prog.rows[pc]?.kind === 'call' && HELPER_PROTOS.get(x.imm)?.callback !== undefined);
  const w = new ModuleWriter(prog, analysis, maps, budget, opts);
  const bodies = fns.map((f) => ({ fn: f, layout: w.function(f, budgetChecks) }));
  const verified = analysis !== undefined;
  const mayThrow = fns.length > 1 || bodies.some((b) => b.layout.functions > 1) || prog.insns.some((i, pc) => prog.rows[pc]?.kind === 'call');
  const ctxGuard = w.ctxEnd > 0 ? ` || CV.byteLength < ${w.ctxEnd}` : '';
  // The context view and the host are refreshed per run only when the code reads them.
  const code = bodies.map((b) => b.layout.lines.join('\n')).join('\n');
  const refresh = [
    ...(/\bC\./.test(code) ? ['  CV = V[2];'] : []),
    ...(/\bhost\./.test(code) ? ['  host = M.host;'] : []),
    // Helpers call back through the machine into this run.
    ...(invoker ? ['  M.callFunc = callFunc;'] : []),
  ];
  const callMain = (args: string): string[] =>
    mayThrow ? ['try {', `  return ${MAIN}(out, ${args});`, '} catch (e) {', '  return caught(e, out, M, hp, hn);', '}'] : [`return ${MAIN}(out, ${args});`];
  const regsFromFile = REGS.map((r) => `RG[${2 * r}], RG[${2 * r + 1}]`).join(', ');
  const lines: string[] = [
    `'use strict';`,
    `const { ${RUNTIME_NAMES.join(', ')} } = E;`,
    ...[...w.mapNames.keys()].map((n) => `const ${n} = E.maps.get(${JSON.stringify(n)});`),
    ...[...w.helperNames.keys()].map((n) => `const ${n} = E.helpers.get(${JSON.stringify(n)});`),
    ...[...w.aliases].map(([n, e]) => `const ${n} = ${e};`),
    'let host = M.host, CV = V[2], hp = -1, hn = 0;',
    ...(invoker ? ['let cfp = 0, OUT = null;', ...callbackInvoker(callbacks, verified)] : []),
    '',
    ...bodies.flatMap((b) => [...b.layout.lines, '']),
    'function run(ctx, out) {',
    '  if (ctx !== null && B[2] !== ctx) M.mem.setRegion(2, ctx, false);',
    ...refresh,
    ...(w.ctxEnd > 0 ? [`  if (CV.byteLength < ${w.ctxEnd}) return fallback.run(ctx, out);`] : []),
    '  if (out.fault !== undefined) clearFault(out);',
    ...(invoker ? ['  OUT = out;'] : []),
    ...(verified
      ? indent(callMain(`0, 0, 0, 2, ${REGS.slice(2).map(() => '0, 0').join(', ')}`))
      : ['  RG[2] = 0; RG[3] = 2;', ...indent(callMain(regsFromFile))]),
    '}',
    '',
    'function exec(out) {',
    ...refresh,
    ...(verified ? [`  if (RG[2] !== 0 || RG[3] !== 2${ctxGuard}) return fallback.exec(out);`] : []),
    '  if (out.fault !== undefined) clearFault(out);',
    ...(invoker ? ['  OUT = out;'] : []),
    ...indent(callMain(regsFromFile)),
    '}',
    '',
    'return { run, exec };',
  ];
  return {
    source: lines.join('\n') + '\n',
    maps: w.mapNames,
    helpers: w.helperNames,
    layouts: bodies.map((b) => ({ entry: b.fn.entry, layout: b.layout.layout, functions: b.layout.functions })),
  };
}

export const SAVE_AREA_WORDS = SAVE_WORDS;
