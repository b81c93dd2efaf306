// verifyProgram: Linux's verifier over our instructions. The CFG pre-checks run first; then every
// path from the entry is explored instruction by instruction (do_check), forking at undecided
// branches, pruning at prune points against explored states that are at least as general, and
// giving up past the 1,000,000-instruction budget. In: instructions and options; out: ok with
// statistics and per-instruction facts, or a kernel-style log ending with the reason.

import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_COMPLEXITY_LIMIT_INSNS, BPF_DW, BPF_EXIT, BPF_IMM, BPF_IND,
  BPF_JA, BPF_JMP, BPF_JMP32, BPF_K, BPF_LD, BPF_LDX, BPF_MAXINSNS, BPF_MEM, BPF_MEMSX, BPF_PSEUDO_CALL,
  BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE, BPF_ST, BPF_STX, SIZE_BYTES, classOf,
  modeOf, opOf, sizeOf, sourceOf, type Insn,
} from '../isa.js';
import type { MapSpec } from '../maps/map.js';
import { PROG_TYPE_INFO, type ProgTypeName } from '../progtypes.js';
import { checkAtomic, checkMemAccess } from './access.js';
import { checkAluOp } from './alu.js';
import { buildAnalysis, type ProgramAnalysis } from './analysis.js';
import { checkCondJmp } from './branch.js';
import { checkHelperCall, checkMainExit, enterSubprog, exitSubprog } from './calls.js';
import { BPF_PSEUDO_FUNC, checkCfg, type CfgInfo } from './cfg.js';
import { checkPtrOffReg } from './context.js';
import { Env } from './env.js';
import { VerifierReject, insnLine, stateText, statsLine, withComment } from './log.js';
import { propagatePrecision } from './precision.js';
import {
  CONST_PTR_TO_MAP, Exact, FuncState, IdMap, PTR_TO_CTX, PTR_TO_FUNC, PTR_TO_MAP_VALUE, PTR_TO_STACK, SCALAR, VState,
  markKnownScalar, markKnownZero, markNotInit, markUnknown, statesEqual, statesMaybeLooping, type Checkpoint,
  type HistEntry, HIST_INSN, HIST_CALLBACK_EXIT,
} from './state.js';

/** Maps by fd: a function, a Map, or an array indexed by fd. */
export type MapLookup = ((fd: number) => MapSpec | undefined) | ReadonlyMap<number, MapSpec> | readonly (MapSpec | undefined)[];

export interface VerifyOptions {
  readonly progType: ProgTypeName;
  /** The maps lddw src=1/2 instructions name by fd. */
  readonly maps: MapLookup;
  /** Bytes of context record (tracepoint record size, fentry args * 8); default per program type. */
  readonly ctxSize?: number;
  /** Reading never-written stack bytes is allowed (Linux grants it with CAP_PERFMON). Default false. */
  readonly allowUninitStack?: boolean;
  /** Bounded loops allowed (Linux: CAP_BPF). Default true; false rejects every back-edge. */
  readonly boundedLoops?: boolean;
  /** Largest program accepted, in instruction slots. Default 1,000,000 (4,096 without CAP_BPF). */
  readonly maxInsns?: number;
  /** Instructions the exploration may process. Default 1,000,000. */
  readonly insnBudget?: number;
  /** nr_cpu_ids, to bound get_smp_processor_id's result; 0 (default) leaves it unbounded. */
  readonly nrCpuIds?: number;
  /** Also return the kernel-style trace of an accepted program. */
  readonly logAccepted?: boolean;
}

export interface VerifyStats {
  /** Instructions processed over all explored paths. */
  readonly processedInsns: number;
  /** Most explored states alive at once. */
  readonly peakStates: number;
  readonly totalStates: number;
  readonly maxStatesPerInsn: number;
  /** Deepest stack use of the program, over every call chain (bytes). */
  readonly maxStackDepth: number;
  /** Stack bytes per subprogram. */
  readonly subprogStackDepth: readonly number[];
}

export type VerifyResult =
  | { readonly ok: true; readonly stats: VerifyStats; readonly analysis: ProgramAnalysis; readonly log?: string }
  | { readonly ok: false; readonly log: string; readonly error: { readonly insn: number; readonly message: string }; readonly stats?: VerifyStats };

/** Linux's BPF_COMPLEXITY_LIMIT_JMP_SEQ: pending branches at once. */
const MAX_PENDING_BRANCHES = 8192;

function lookupFn(maps: MapLookup): (fd: number) => MapSpec | undefined {
  if (typeof maps === 'function') return maps;
  if (maps instanceof Map) return (fd) => maps.get(fd);
  const arr = maps as readonly (MapSpec | undefined)[];
  return (fd) => arr[fd];
}

interface Pending {
  state: VState;
  insnIdx: number;
  prevInsnIdx: number;
  logLen: number;
  /** The branch instruction's line as printed before its state comment. */
  logLine: string;
}

class Explorer {
  private readonly pending: Pending[] = [];
  private readonly idmap = new IdMap();
  private readonly budget: number;
  /** Print the whole state before the next instruction (path start, after a branch pop). */
  private printState = true;

  constructor(
    private readonly env: Env,
    private readonly cfg: CfgInfo,
    budget: number,
  ) {
    this.budget = budget;
    env.pushState = (state, insnIdx) => this.pushBranch(state, insnIdx);
  }

  private initialState(): VState {
    const st = new VState();
    const f = new FuncState();
    const r1 = f.regs[1]!;
    markKnownZero(r1);
    r1.type = PTR_TO_CTX;
    const fp = f.regs[10]!;
    markKnownZero(fp);
    fp.type = PTR_TO_STACK;
    fp.frameno = 0;
    st.frames.push(f);
    return st;
  }

  run(): void {
    const env = this.env;
    env.cur = this.initialState();
    env.insnIdx = 0;
    for (;;) {
      const done = this.step();
      if (done && !this.popNext()) return;
    }
  }

  /** Pop the next pending path; false when every path is done. */
  private popNext(): boolean {
    const p = this.pending.pop();
    if (p === undefined) return false;
    const env = this.env;
    env.cur = p.state;
    env.insnIdx = p.insnIdx;
    env.prevInsnIdx = p.prevInsnIdx;
    if (env.log) {
      // As the kernel's log: back to where the branch was taken, then the state it resumes with.
      env.log.length = p.logLen;
      env.log[env.log.length - 1] = `${p.logLine} ${p.insnIdx}: ${stateText(env.cur, env.mapOf)}`;
    }
    this.printState = false;
    return true;
  }

  /** A path ended (exit or pruned): checkpoints above it may now be complete. */
  private endPath(): void {
    for (let cp = this.env.cur.parent; cp !== null; cp = cp.parent) {
      cp.branches--;
      if (cp.branches > 0) break;
    }
  }

  private pushBranch(state: VState, insnIdx: number): void {
    const env = this.env;
    const log = env.log;
    this.pending.push({ state, insnIdx, prevInsnIdx: env.insnIdx, logLen: log ? log.length : 0, logLine: log ? log[log.length - 1]! : '' });
    if (state.parent !== null) state.parent.branches++;
    if (this.pending.length > MAX_PENDING_BRANCHES) env.reject(`The sequence of ${this.pending.length} jumps is too complex.`);
  }

  /** is_state_visited: 1 when an explored state covers the current one (prune), else 0. */
  private isStateVisited(idx: number): boolean {
    const env = this.env;
    const cur = env.cur;
    const callsCallback = this.cfg.callsCallback[idx] === 1;
    const force = callsCallback || cur.histLen > 256;
    let addNew = force || (env.jmpsProcessed - env.prevJmpsProcessed >= 2 && env.insnProcessed - env.prevInsnProcessed >= 8);
    let list = env.explored.get(idx);
    if (list !== undefined) {
      // As Linux: the most states one prune point was compared against.
      if (list.length > env.maxStatesPerInsn) env.maxStatesPerInsn = list.length;
      let w = 0;
      for (let k = 0; k < list.length; k++) {
        const sl = list[k]!;
        list[w++] = sl;
        if (sl.branches > 0 && callsCallback) {
          // A callback came back to its helper call: an earlier visit that covers this one,
          // all values compared (its own exploration is not finished), ends the iteration.
          if (statesEqual(sl.state, cur, this.idmap, Exact.RangeWithin, env.opts.allowUninitStack)) {
            sl.hit++;
            this.conservativeUpTo(sl);
            env.propagateLiveness(sl.state);
            propagatePrecision(env, sl.state);
            this.taintPruned(idx, sl.state);
            for (let j = k + 1; j < list.length; j++) list[w++] = list[j]!;
            list.length = w;
            return true;
          }
        } else if (sl.branches > 0) {
          if (sl.state.callbackDepth === cur.callbackDepth && statesMaybeLooping(sl.state, cur) &&
            statesEqual(sl.state, cur, this.idmap, Exact.Exact, env.opts.allowUninitStack)) {
            env.reject(
              `infinite loop detected at insn ${idx}\ncur state: ${stateText(cur, env.mapOf)}\nold state: ${stateText(sl.state, env.mapOf)}`,
            );
          }
          if (!force && env.jmpsProcessed - env.prevJmpsProcessed < 20 && env.insnProcessed - env.prevInsnProcessed < 100) {
            addNew = false;
          }
        } else if (statesEqual(sl.state, cur, this.idmap, Exact.NotExact, env.opts.allowUninitStack)) {
          sl.hit++;
          env.propagateLiveness(sl.state);
          propagatePrecision(env, sl.state);
          this.taintPruned(idx, sl.state);
          for (let j = k + 1; j < list.length; j++) list[w++] = list[j]!;
          list.length = w;
          return true;
        }
        // A state that keeps missing only costs comparisons: drop it from the list (as Linux;
        // paths below it still reach it through their parent links). Misses count only when a
        // new state is kept here instead, so loop iterations do not evict early ones.
        if (addNew) sl.miss++;
        if (sl.miss > sl.hit * 3 + 3) {
          w--;
          env.curStates--;
        }
      }
      if (w !== list.length) list.length = w;
    }
    if (!addNew) return false;
    const cp: Checkpoint = { state: cur.clone(), insnIdx: idx, branches: 1, parent: cur.parent, hit: 0, miss: 0 };
    if (list === undefined) {
      list = [];
      env.explored.set(idx, list);
    }
    list.push(cp);
    env.totalStates++;
    env.curStates++;
    if (env.curStates > env.peakStates) env.peakStates = env.curStates;
    cur.parent = cp;
    cur.hist = null;
    cur.histLen = 0;
    for (const f of cur.frames) {
      f.regWritten = 0;
      f.clearWritten();
    }
    env.prevJmpsProcessed = env.jmpsProcessed;
    env.prevInsnProcessed = env.insnProcessed;
    return false;
  }

  /**
   * Pruned against a state whose exploration is still going on: what the rest of the path would
   * have read or needed exact is not known yet, so the checkpoints between it and here assume
   * everything (all registers and slots read, all scalars precise).
   */
  private conservativeUpTo(old: Checkpoint): void {
    for (let cp = this.env.cur.parent; cp !== null && cp !== old; cp = cp.parent) {
      for (const f of cp.state.frames) {
        f.regRead = 0x7ff;
        f.markAllRead();
        for (const r of f.regs) if (r.type === SCALAR) r.precise = true;
        for (const sp of f.spill) if (sp !== null && sp.type === SCALAR) sp.precise = true;
      }
    }
  }

  /** Registers whose exploration here was cut short by an imprecise match lose their facts. */
  private taintPruned(idx: number, old: VState): void {
    const aux = this.env.aux[idx]!;
    const f = old.cur;
    for (let r = 0; r < 10; r++) {
      const reg = f.regs[r]!;
      if (reg.type === SCALAR && !reg.precise) aux.taint |= 1 << r;
    }
    for (let spi = 0; spi < f.spill.length; spi++) {
      const sp = f.spill[spi];
      if (sp !== null && sp.type === SCALAR && !sp.precise) aux.stackTaint = true;
    }
    if (old.frames.length > 1) aux.taint = 0x7ff;
  }

  private recordFacts(idx: number): void {
    const aux = this.env.aux[idx]!;
    // Facts only ever shrink: nothing left to learn here.
    if (aux.seen && aux.fits32 === 0) return;
    const regs = this.env.regs;
    let mask = 0;
    for (let r = 0; r < 11; r++) {
      const reg = regs[r]!;
      if (reg.type === SCALAR && reg.umax <= 0xffffffffn) mask |= 1 << r;
    }
    aux.fits32 = aux.seen ? aux.fits32 & mask : mask;
    aux.seen = true;
  }

  /** Process the instruction at env.insnIdx; true when the path ended. */
  private step(): boolean {
    const env = this.env;
    const idx = env.insnIdx;
    const insns = env.insns;
    const x = insns[idx]!;
    if (++env.insnProcessed > this.budget) env.reject(`BPF program is too large. Processed ${env.insnProcessed} insn`);
    if (this.cfg.prunePoints[idx] && this.isStateVisited(idx)) {
      if (env.log) env.log.push(`${idx}: safe`);
      this.endPath();
      return true;
    }
    this.recordFacts(idx);
    if (env.log && this.printState) {
      env.log.push(`${idx}: ${stateText(env.cur, env.mapOf)}`);
      this.printState = false;
    }
    env.scratchedRegs = 0;
    if (env.scratchedSlots.length) env.scratchedSlots.length = 0;
    if (env.log) env.log.push(insnLine(insns, idx));
    const hist: HistEntry = { idx, stackSlot: -1, linked: null, kind: HIST_INSN, prev: env.cur.hist };
    let next = idx + 1;
    let ended = false;
    const cls = classOf(x.code);
    const size = SIZE_BYTES[sizeOf(x.code)]!;
    switch (cls) {
      case BPF_ALU:
      case BPF_ALU64:
        checkAluOp(env, x);
        break;
      case BPF_LDX: {
        env.readReg(x.src);
        env.writeReg(x.dst, false);
        hist.stackSlot = checkMemAccess(env, x.src, x.off, size, false, x.dst, null, false, modeOf(x.code) === BPF_MEMSX, true);
        break;
      }
      case BPF_STX:
        if (modeOf(x.code) === BPF_ATOMIC) {
          checkAtomic(env, x, size, true);
          break;
        }
        if (modeOf(x.code) !== BPF_MEM || x.imm !== 0) env.reject('BPF_STX uses reserved fields');
        env.readReg(x.src);
        env.readReg(x.dst);
        hist.stackSlot = checkMemAccess(env, x.dst, x.off, size, true, x.src, null, false, false, true);
        break;
      case BPF_ST:
        if (modeOf(x.code) !== BPF_MEM || x.src !== 0) env.reject('BPF_ST uses reserved fields');
        env.readReg(x.dst);
        hist.stackSlot = checkMemAccess(env, x.dst, x.off, size, true, -1, x.imm, false, false, true);
        break;
      case BPF_JMP:
      case BPF_JMP32: {
        env.jmpsProcessed++;
        const op = opOf(x.code);
        if (op === BPF_CALL) {
          if (sourceOf(x.code) !== BPF_K || (x.src !== BPF_PSEUDO_KFUNC_CALL && x.off !== 0) ||
            (x.src !== 0 && x.src !== BPF_PSEUDO_CALL && x.src !== BPF_PSEUDO_KFUNC_CALL) || x.dst !== 0 || cls === BPF_JMP32) {
            env.reject('BPF_CALL uses reserved fields');
          }
          if (x.src === BPF_PSEUDO_CALL) {
            next = idx + x.imm + 1;
            enterSubprog(env, next);
            this.printState = true;
          } else if (x.src === BPF_PSEUDO_KFUNC_CALL) {
            env.reject('calling kernel function is not supported without CONFIG_DEBUG_INFO_BTF');
          } else {
            checkHelperCall(env, x);
          }
        } else if (op === BPF_JA) {
          if (sourceOf(x.code) !== BPF_K || x.src !== 0 || x.dst !== 0 || (cls === BPF_JMP && x.imm !== 0) || (cls === BPF_JMP32 && x.off !== 0)) {
            env.reject('BPF_JA uses reserved fields');
          }
          next = idx + (cls === BPF_JMP ? x.off : x.imm) + 1;
        } else if (op === BPF_EXIT) {
          if (sourceOf(x.code) !== BPF_K || x.imm !== 0 || x.src !== 0 || x.dst !== 0 || cls === BPF_JMP32) {
            env.reject('BPF_EXIT uses reserved fields');
          }
          if (env.cur.frames.length > 1) {
            if (env.frame.inCallback) hist.kind = HIST_CALLBACK_EXIT;
            next = exitSubprog(env);
            this.printState = true;
          } else {
            checkMainExit(env);
            ended = true;
          }
        } else {
          const res = checkCondJmp(env, x);
          hist.linked = res.linked;
          if (res.pred === 1) next = idx + x.off + 1;
          else if (res.pred === -1) {
            const other = res.other!;
            other.hist = hist;
            other.histLen++;
            this.pushBranch(other, idx + x.off + 1);
          }
        }
        break;
      }
      case BPF_LD: {
        const mode = modeOf(x.code);
        if (mode === BPF_ABS || mode === BPF_IND) checkLdAbs(env, x);
        else if (mode === BPF_IMM) {
          checkLdImm(env, x, insns[idx + 1]!);
          next = idx + 2;
        } else env.reject('invalid BPF_LD mode');
        break;
      }
      default:
        env.reject(`unknown insn class ${cls}`);
    }
    env.cur.hist = hist;
    env.cur.histLen++;
    // The kernel prints no state after a bpf-to-bpf call or an exit.
    if (env.log && !((cls === BPF_JMP && opOf(x.code) === BPF_CALL && x.src === BPF_PSEUDO_CALL) || (cls === BPF_JMP && opOf(x.code) === BPF_EXIT))) {
      this.logInsn(idx);
    }
    if (ended) {
      this.endPath();
      this.printState = true;
      return true;
    }
    env.prevInsnIdx = idx;
    env.insnIdx = next;
    return false;
  }

  /** The instruction's line gets the registers and slots it touched as a comment. */
  private logInsn(idx: number): void {
    const env = this.env;
    const log = env.log!;
    const comment = stateText(env.cur, env.mapOf, env.scratchedRegs, env.scratchedSlots);
    log[log.length - 1] = withComment(insnLine(env.insns, idx), comment);
  }
}

function checkLdImm(env: Env, x: Insn, y: Insn): void {
  if (sizeOf(x.code) !== BPF_DW) env.reject('invalid BPF_LD_IMM insn');
  if (x.off !== 0) env.reject('BPF_LD_IMM64 uses reserved fields');
  const dst = env.writeReg(x.dst, true);
  if (x.src === 0) {
    markKnownScalar(dst, (BigInt(y.imm >>> 0) << 32n) | BigInt(x.imm >>> 0));
    return;
  }
  markKnownZero(dst);
  dst.mapFd = x.imm;
  if (x.src === BPF_PSEUDO_MAP_VALUE) {
    dst.type = PTR_TO_MAP_VALUE;
    dst.off = y.imm;
  } else if (x.src === BPF_PSEUDO_MAP_FD) {
    dst.type = CONST_PTR_TO_MAP;
  } else if (x.src === BPF_PSEUDO_FUNC) {
    dst.type = PTR_TO_FUNC;
    dst.mapFd = 0;
    dst.memSize = env.insnIdx + x.imm + 1;
  }
}

/** Legacy packet loads (BPF_LD | BPF_ABS / BPF_IND) of socket filters: r6 must be the skb. */
function checkLdAbs(env: Env, x: Insn): void {
  if (!env.prog.ldAbs) env.reject('BPF_LD_[ABS|IND] instructions not allowed for this program type');
  if (x.dst !== 0 || x.off !== 0 || sizeOf(x.code) === BPF_DW || (modeOf(x.code) === BPF_ABS && x.src !== 0)) {
    env.reject('BPF_LD_[ABS|IND] uses reserved fields');
  }
  const r6 = env.readReg(6);
  if (env.cur.refs.length) env.reject('BPF_LD_[ABS|IND] cannot be mixed with socket references');
  if (r6.type !== PTR_TO_CTX) env.reject('at the time of BPF_LD_ABS|IND R6 != pointer to skb');
  if (modeOf(x.code) === BPF_IND) env.readReg(x.src);
  checkPtrOffReg(env, r6, 6, false);
  for (let r = 0; r <= 5; r++) markNotInit(env.writeReg(r, false));
  markUnknown(env.wreg(0));
}

/** Stack of the deepest call chain: each frame rounded up to 16 bytes, as Linux counts it for JITed programs. */
function maxStackDepth(insns: readonly Insn[], cfg: CfgInfo, depths: readonly number[]): { max: number; error: string | null; insn: number } {
  const starts = cfg.subprogStarts;
  const round = (d: number): number => Math.ceil(d / 16) * 16;
  const callees: number[][] = starts.map(() => []);
  const callSite: number[][] = starts.map(() => []);
  const subOf = (i: number): number => {
    let s = 0;
    while (s + 1 < starts.length && starts[s + 1]! <= i) s++;
    return s;
  };
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    // Callbacks (lddw src=4) run on top of the frame that names them, like a call.
    if ((x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_CALL) || (x.code === 0x18 && x.src === BPF_PSEUDO_FUNC)) {
      const from = subOf(i);
      callees[from]!.push(subOf(i + x.imm + 1));
      callSite[from]!.push(i);
    }
  }
  if (starts.length === 1) return { max: depths[0]!, error: depths[0]! > 512 ? `combined stack size of 1 calls is ${depths[0]}. Too large` : null, insn: 0 };
  let max = 0;
  const walk = (sp: number, depth: number, frames: number, seen: Set<number>): string | null => {
    const d = depth + round(depths[sp]!);
    if (d > max) max = d;
    if (d > 512) return `combined stack size of ${frames} calls is ${d}. Too large`;
    for (const c of callees[sp]!) {
      if (seen.has(c)) continue;
      seen.add(c);
      const e = walk(c, d, frames + 1, seen);
      seen.delete(c);
      if (e) return e;
    }
    return null;
  };
  const error = walk(0, 0, 1, new Set([0]));
  return { max, error, insn: 0 };
}

function statsOf(env: Env, maxDepth: number): VerifyStats {
  return {
    processedInsns: env.insnProcessed,
    peakStates: env.peakStates,
    totalStates: env.totalStates,
    maxStatesPerInsn: env.maxStatesPerInsn,
    maxStackDepth: maxDepth,
    subprogStackDepth: [...env.stackDepth],
  };
}

function run(insns: readonly Insn[], opts: VerifyOptions, logging: boolean): VerifyResult {
  const mapOf = lookupFn(opts.maps);
  const prog = PROG_TYPE_INFO[opts.progType];
  const boundedLoops = opts.boundedLoops ?? true;
  const maxInsns = opts.maxInsns ?? (boundedLoops ? BPF_COMPLEXITY_LIMIT_INSNS : BPF_MAXINSNS);
  const reject = (message: string, insn: number, processed: number, pre: string[] = []): VerifyResult => ({
    ok: false,
    log: [...pre, message, statsLine(processed, 0, 0, 0)].join('\n') + '\n',
    error: { insn, message },
  });
  if (insns.length === 0) return reject('program has no instructions', 0, 0);
  if (insns.length > maxInsns) return reject(`program is too large (${insns.length} insns)`, 0, 0);
  let cfg: CfgInfo;
  try {
    cfg = checkCfg(insns, mapOf, boundedLoops);
  } catch (e) {
    if (e instanceof VerifierReject) return reject(e.message, e.insn, 0);
    throw e;
  }
  const env = new Env(insns, prog, opts.ctxSize ?? prog.defaultCtxSize, mapOf, {
    allowUninitStack: opts.allowUninitStack ?? false,
    boundedLoops,
    nrCpuIds: opts.nrCpuIds ?? 0,
  }, cfg.subprogStarts, logging);
  const explorer = new Explorer(env, cfg, opts.insnBudget ?? BPF_COMPLEXITY_LIMIT_INSNS);
  try {
    explorer.run();
  } catch (e) {
    if (!(e instanceof VerifierReject)) throw e;
    const lines = env.log ?? [];
    const stats = statsOf(env, 0);
    return {
      ok: false,
      log: [...lines, e.message, statsLine(env.insnProcessed, env.maxStatesPerInsn, env.totalStates, env.peakStates)].join('\n') + '\n',
      error: { insn: e.insn, message: e.message },
      stats,
    };
  }
  const depth = maxStackDepth(insns, cfg, env.stackDepth);
  if (depth.error !== null) {
    return reject(depth.error, depth.insn, env.insnProcessed, env.log ?? []);
  }
  const stats = statsOf(env, depth.max);
  // Built when first asked for: verification on the start-up path does not pay for it.
  let built: ProgramAnalysis | undefined;
  const analysis: ProgramAnalysis = {
    get insns() {
      built ??= buildAnalysis(insns, env.aux, cfg.succ0, cfg.succ1, cfg.subprogStarts.length > 1);
      return built.insns;
    },
  };
  const tail = statsLine(env.insnProcessed, env.maxStatesPerInsn, env.totalStates, env.peakStates);
  return logging ? { ok: true, stats, analysis, log: [...(env.log ?? []), tail].join('\n') + '\n' } : { ok: true, stats, analysis };
}

/**
 * Verify one program as Linux would load it. Rejections carry the kernel-style log of the
 * failing path (produced by a second, logging pass, so accepted programs pay nothing for it).
 */
export function verifyProgram(insns: readonly Insn[], opts: VerifyOptions): VerifyResult {
  const fast = run(insns, opts, opts.logAccepted ?? false);
  if (fast.ok || fast.stats === undefined) return fast;
  // A rejection for complexity explored up to the whole budget: its trace would be tens of
  // megabytes and take seconds to write (a 44-instruction loop: 63 MB, 16 s). Like a kernel
  // log buffer that ran out, the log keeps the reason and the statistics.
  if (COMPLEXITY_REJECTIONS.some((p) => fast.error.message.startsWith(p))) return fast;
  return run(insns, opts, true);
}

/** Rejections reached by exhausting a budget rather than at one bad instruction. */
const COMPLEXITY_REJECTIONS = ['BPF program is too large. Processed', 'The sequence of '];
