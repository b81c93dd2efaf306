// The RFC 9669 conformance runner: reads bpf_conformance `.data` vectors (program as `-- asm`
// or `-- raw`, input memory `-- mem` passed in r1 with its length in r2, expected `-- result`
// or `-- error`), assembles and runs each through program.ts and the interpreter, and
// reports pass / fail / skip (every skip with its written reason). Negative vectors must be
// rejected at some stage. Not: the CLI (conformance-cli.ts) or the verifier.

import { assemble } from './asm/assemble.js';
import { decodeBytes, encodeInsns, insnToWord, wordToInsn } from './encode.js';
import type { KernelHost } from './host.js';
import { execute, newRunResult, r0Of } from './interpreter.js';
import type { Insn } from './isa.js';
import { type HelperFn, Machine } from './machine.js';
import { type HelperTable, loadProgram } from './program.js';

/** One parsed `.data` file. */
export interface DataFile {
  readonly asm?: string;
  readonly raw?: Insn[];
  readonly mem?: Uint8Array;
  readonly result?: bigint;
  /** Expected error text (possibly empty): the vector must fail to assemble, load or run. */
  readonly error?: string;
}

export type DataParse = { readonly ok: true; readonly file: DataFile } | { readonly ok: false; readonly error: string };

/** Sections that describe the vector without changing how it runs. */
const ANNOTATION_SECTIONS = new Set(['c', 'no register offset']);

export function parseDataFile(text: string): DataParse {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split(/\r?\n/)) {
    const head = /^--\s*(.*?)\s*$/.exec(line);
    if (head) {
      const name = head[1]!.toLowerCase();
      if (!['asm', 'raw', 'mem', 'result', 'error'].includes(name) && !ANNOTATION_SECTIONS.has(name)) {
        return { ok: false, error: `unknown section '-- ${head[1]}'` };
      }
      if (sections.has(name)) return { ok: false, error: `section '-- ${name}' appears twice` };
      sections.set(name, (current = []));
      continue;
    }
    current?.push(line);
  }
  const body = (name: string): string | undefined => sections.get(name)?.join('\n');
  const dataLines = (name: string): string[] =>
    (sections.get(name) ?? []).map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l !== '');

  const file: { -readonly [K in keyof DataFile]: DataFile[K] } = {};
  const asm = body('asm');
  if (asm !== undefined) file.asm = asm;
  if (sections.has('raw')) {
    const raw = parseRaw(dataLines('raw'));
    if (typeof raw === 'string') return { ok: false, error: raw };
    file.raw = raw;
  }
  if (file.asm === undefined && file.raw === undefined) return { ok: false, error: 'no program (neither -- asm nor -- raw)' };
  if (sections.has('mem')) {
    const tokens = dataLines('mem').join(' ').split(/\s+/).filter((t) => t !== '');
    if (tokens.some((t) => !/^[0-9a-f]{2}$/i.test(t))) return { ok: false, error: '-- mem must be hex bytes' };
    file.mem = Uint8Array.from(tokens.map((t) => parseInt(t, 16)));
  }
  if (sections.has('result')) {
    const r = dataLines('result');
    if (r.length !== 1 || !/^(0x[0-9a-f]+|\d+)$/i.test(r[0]!)) return { ok: false, error: '-- result must be one number' };
    file.result = BigInt.asUintN(64, BigInt(r[0]!));
  }
  if (sections.has('error')) file.error = dataLines('error').join('\n');
  if (file.result === undefined && file.error === undefined) return { ok: false, error: 'no expectation (neither -- result nor -- error)' };
  return { ok: true, file };
}

/** `-- raw` lines: either 8 hex bytes, or one 64-bit little-endian word `0x…` per slot. */
function parseRaw(lines: readonly string[]): Insn[] | string {
  const insns: Insn[] = [];
  const bytes: number[] = [];
  for (const line of lines) {
    const word = /^0x([0-9a-f]{1,16})$/i.exec(line);
    if (word && line.length > 4) {
      insns.push(wordToInsn(BigInt(line)));
      continue;
    }
    for (const t of line.split(/\s+/)) {
      if (!/^[0-9a-f]{2}$/i.test(t)) return `-- raw: '${t}' is not a hex byte`;
      bytes.push(parseInt(t, 16));
    }
  }
  if (bytes.length > 0) {
    if (insns.length > 0) return '-- raw mixes bytes and 64-bit words';
    const d = decodeBytes(Uint8Array.from(bytes));
    if (!d.ok) return d.error;
    return d.insns;
  }
  return insns;
}

// ── what this machine does not run, and why ──────────────────────────────────────────────
export interface Unsupported {
  readonly pattern: RegExp;
  readonly reason: string;
}

/** Features some vectors use that are outside Linux's instruction set; matched against `-- asm`. */
export const UNSUPPORTED: readonly Unsupported[] = [
  {
    pattern: /^\s*call\s+%r\d+/im,
    reason:
      'callx (call through a register, opcode 0x8d) is not in RFC 9669 and the Linux verifier rejects it; ' +
      'this machine implements the Linux instruction set',
  },
];

// ── running ──────────────────────────────────────────────────────────────────────────────
/** The kernel a conformance vector runs on: nothing is running, CPU 0, every clock at 0. */
export class IdleHost implements KernelHost {
  cpu(): number { return 0; }
  ncpus(): number { return 1; }
  tid(): number { return 0; }
  tgid(): number { return 0; }
  uid(): number { return 0; }
  gid(): number { return 0; }
  comm(dst: Uint8Array, off: number): void {
    dst.fill(0, off, off + 16);
    dst.set([0x73, 0x77, 0x61, 0x70, 0x70, 0x65, 0x72, 0x2f, 0x30], off); // "swapper/0"
  }
  ktimeNs(): number { return 0; }
  bootNs(): number { return 0; }
  taiNs(): number { return 0; }
  realtimeNs(): number { return 0; }
  jiffies(): number { return 0; }
  currentTask(): bigint { return 0n; }
  cgroupId(): bigint { return 1n; }
  numaNode(): number { return 0; }
  prandomU32(): number { return 0; }
  readUser(_addr: bigint, dst: Uint8Array, off: number, len: number): number {
    dst.fill(0, off, off + len);
    return -14; // EFAULT: the idle task has no user memory
  }
  readKernel(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    return this.readUser(addr, dst, off, len);
  }
  readUserStr(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    return this.readUser(addr, dst, off, len);
  }
  readKernelStr(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    return this.readUser(addr, dst, off, len);
  }
  kernelStack(): readonly bigint[] { return []; }
  userStack(): readonly bigint[] { return []; }
  funcIp(): bigint { return 0n; }
  sendSignal(_sig: number): number { return -3; } // ESRCH: no process to signal
}

/** Helpers the vectors call: 5 is ktime_get_ns, as in Linux (call_unwind_fail.data uses it). */
export const CONFORMANCE_HELPERS: HelperTable = (() => {
  const t: (HelperFn | undefined)[] = [];
  t[5] = (m) => {
    const ns = m.host.ktimeNs();
    m.regs[0] = ns | 0;
    m.regs[1] = Math.floor(ns / 0x1_0000_0000) | 0;
  };
  return t;
})();

/** Where a vector stopped: data file, assembler, loader (structure), the run, or its result. */
export type Stage = 'parse' | 'assemble' | 'load' | 'run' | 'result';

export type Outcome =
  | { readonly status: 'pass'; readonly detail: string }
  | { readonly status: 'fail'; readonly stage: Stage; readonly reason: string }
  | { readonly status: 'skip'; readonly reason: string };

/** A negative vector is rejected when it stops at any stage or its run misses its expectation. */
export type NegativeOutcome =
  | { readonly status: 'rejected'; readonly stage: Stage; readonly reason: string }
  | { readonly status: 'accepted'; readonly detail: string }
  | { readonly status: 'skip'; readonly reason: string };

export interface RunOptions {
  readonly helpers?: HelperTable;
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

type Evaluation =
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'stopped'; readonly stage: Stage; readonly reason: string; readonly expectError: boolean }
  | { readonly kind: 'ran'; readonly file: DataFile; readonly r0: bigint; readonly insns: number; readonly fault?: string };

/** Takes a vector as far as it goes: parsed, assembled (or decoded), loaded, run. */
function evaluate(text: string, opts: RunOptions): Evaluation {
  const parsed = parseDataFile(text);
  if (!parsed.ok) return { kind: 'stopped', stage: 'parse', reason: parsed.error, expectError: false };
  const f = parsed.file;
  const expectError = f.error !== undefined;

  let insns: Insn[];
  if (f.asm !== undefined) {
    const skip = UNSUPPORTED.find((u) => u.pattern.test(f.asm!));
    if (skip) return { kind: 'skip', reason: skip.reason };
    const a = assemble(f.asm, { syntax: 'conformance' });
    if (!a.ok) {
      const reason = a.errors.map((e) => `line ${e.line}: ${e.message}`).join('; ');
      return { kind: 'stopped', stage: 'assemble', reason, expectError };
    }
    insns = a.insns;
    if (f.raw !== undefined) {
      const mine = encodeInsns(insns);
      const theirs = encodeInsns(f.raw);
      if (mine.length !== theirs.length || mine.some((b, n) => b !== theirs[n])) {
        const words = (xs: readonly Insn[]): string => xs.map((x) => hex(insnToWord(x))).join(' ');
        const reason = `-- asm assembles to ${words(insns)}, -- raw says ${words(f.raw)}`;
        return { kind: 'stopped', stage: 'assemble', reason, expectError: false };
      }
    }
  } else {
    insns = f.raw!;
  }

  const loaded = loadProgram(insns, { helpers: opts.helpers ?? CONFORMANCE_HELPERS });
  if (!loaded.ok) {
    return { kind: 'stopped', stage: 'load', reason: loaded.errors.map((e) => `insn ${e.pc}: ${e.message}`).join('; '), expectError };
  }

  const m = new Machine(new IdleHost());
  if (f.mem !== undefined) {
    const region = m.mem.allocRegion(Uint8Array.from(f.mem), true);
    m.regs[2] = 0; // r1 = (region, 0)
    m.regs[3] = region;
    m.regs[4] = f.mem.length; // r2 = length
  }
  const res = execute(loaded.prog, m, newRunResult());
  return res.fault !== undefined
    ? { kind: 'ran', file: f, r0: r0Of(res), insns: res.insns, fault: res.faultMessage }
    : { kind: 'ran', file: f, r0: r0Of(res), insns: res.insns };
}

/** Runs one vector's text: it passes when it returns its `-- result`, or stops anywhere when it expects `-- error`. */
export function runVector(text: string, opts: RunOptions = {}): Outcome {
  const e = evaluate(text, opts);
  switch (e.kind) {
    case 'skip':
      return { status: 'skip', reason: e.reason };
    case 'stopped':
      return e.expectError
        ? { status: 'pass', detail: `rejected at ${e.stage}: ${e.reason}` }
        : { status: 'fail', stage: e.stage, reason: e.reason };
    case 'ran': {
      const f = e.file;
      if (e.fault !== undefined) {
        return f.error !== undefined
          ? { status: 'pass', detail: `faulted: ${e.fault}` }
          : { status: 'fail', stage: 'run', reason: e.fault };
      }
      if (f.error !== undefined) {
        return { status: 'fail', stage: 'result', reason: `expected an error (${f.error || 'any'}), the program returned ${hex(e.r0)}` };
      }
      if (e.r0 !== f.result) return { status: 'fail', stage: 'result', reason: `expected r0 = ${hex(f.result!)}, got ${hex(e.r0)}` };
      return { status: 'pass', detail: `r0 = ${hex(e.r0)} in ${e.insns} instructions` };
    }
  }
}

/** Runs one negative vector: it must be rejected (by the parser, assembler or loader) or miss its expectation. */
export function runNegative(text: string, opts: RunOptions = {}): NegativeOutcome {
  const e = evaluate(text, opts);
  if (e.kind === 'skip') return { status: 'skip', reason: e.reason };
  if (e.kind === 'stopped') return { status: 'rejected', stage: e.stage, reason: e.reason };
  const o = runVector(text, opts);
  if (o.status === 'fail') return { status: 'rejected', stage: o.stage, reason: o.reason };
  return { status: 'accepted', detail: o.status === 'pass' ? o.detail : o.reason };
}
