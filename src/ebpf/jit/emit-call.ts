// Helper calls in generated code. In a verified program the machine's own helpers are
// specialised: map lookup/update/delete go straight to the map object (a hash map's lookup of
// a small stack key inlined by key size, arrays to an index check), clocks, ids, the comm and
// probe reads become direct calls on the host or on probeRead, with no trip through the
// register file. Any other
// helper (or a helper table a test supplied) is called as the interpreter calls it: arguments
// in m.regs, r0 read back. In: a BlockEmitter at a `call` and the module's names. Out: lines.

import { ktimeGetBootNs, ktimeGetCoarseNs, ktimeGetNs, ktimeGetTaiNs, jiffies64 } from '../helpers/clock.js';
import {
  getCurrentComm, getCurrentPidTgid, getCurrentUidGid, getPrandomU32, getSmpProcessorId, TASK_COMM_LEN,
} from '../helpers/current.js';
import { HELPER_PROTOS } from '../helpers/prototypes.js';
import { mapDeleteElem, mapLookupElem, mapUpdateElem } from '../helpers/map-helpers.js';
import {
  probeReadCompat, probeReadKernel, probeReadKernelStr, probeReadStrCompat, probeReadUser, probeReadUserStr, ReadSpace,
} from '../helpers/probe-read.js';
import type { HelperFn } from '../machine.js';
import { ArrayMap } from '../maps/array.js';
import { HASH_SEED, HashMap, hashKeyWords } from '../maps/hash.js';
import { EEXIST, ENOENT } from '../maps/errno.js';
import { BPF_ANY, BPF_EXIST, BPF_NOEXIST, type BpfMap } from '../maps/map.js';
import { REGION_MAP_HANDLE, REGION_STACK } from '../memory.js';
import type { BlockEmitter } from './emit-insn.js';

/** Keys up to this many 32-bit words get the hash table's lookup inlined. */
export const INLINE_KEY_WORDS = 8;

export interface CallContext {
  /** The program's helper table (what the interpreter would call). */
  readonly helpers: readonly (HelperFn | undefined)[];
  /** Verified program: the verifier's helper prototypes hold, specialisations apply. */
  readonly verified: boolean;
  /**
   * The program takes function addresses (lddw src=4): a generic helper call may call back
   * into it, so it passes its frame (cfp) and takes back the instructions the callbacks ran (hn).
   */
  readonly callbacks: boolean;
  /** Maps by fd as they are at compile time. */
  mapOf(fd: number): BpfMap | undefined;
  /** Module-level name of map fd / helper id (registers it for the module's preamble). */
  mapName(fd: number): string;
  helperName(id: number): string;
  /** A module-level constant `name = expr` (evaluated once when the module is created). */
  alias(name: string, expr: string): string;
}

/** Clock and id helpers that only read the host: the expression pair they set r0 to. */
const HOST_READS = new Map<HelperFn, (em: BlockEmitter) => void>([
  [ktimeGetNs, (em) => clock(em, 'host.ktimeNs()')],
  [ktimeGetCoarseNs, (em) => clock(em, 'host.ktimeNs()')],
  [ktimeGetBootNs, (em) => clock(em, 'host.bootNs()')],
  [ktimeGetTaiNs, (em) => clock(em, 'host.taiNs()')],
  [jiffies64, (em) => clock(em, 'host.jiffies()')],
  [getCurrentPidTgid, (em) => em.assign(0, 'host.tid() | 0', 'host.tgid() | 0', null, null)],
  [getCurrentUidGid, (em) => em.assign(0, 'host.uid() | 0', 'host.gid() | 0', null, null)],
  [getSmpProcessorId, (em) => em.assign(0, 'host.cpu() | 0', '0', null, 0)],
  [getPrandomU32, (em) => em.assign(0, 'host.prandomU32() | 0', '0', null, 0)],
]);

/** A non-negative number below 2^53 into r0, as setR0Num stores it. */
function clock(em: BlockEmitter, read: string): void {
  em.lines.push(`t0 = ${read};`);
  em.assign(0, '(t0 % 4294967296) | 0', '(t0 / 4294967296) | 0', null, null);
}

const PROBE_READS = new Map<HelperFn, { str: boolean; space: ReadSpace }>([
  [probeReadCompat, { str: false, space: ReadSpace.Compat }],
  [probeReadUser, { str: false, space: ReadSpace.User }],
  [probeReadKernel, { str: false, space: ReadSpace.Kernel }],
  [probeReadStrCompat, { str: true, space: ReadSpace.Compat }],
  [probeReadUserStr, { str: true, space: ReadSpace.User }],
  [probeReadKernelStr, { str: true, space: ReadSpace.Kernel }],
]);

/** Bytes and offset expressions of the memory a pointer register points at. */
function bufferOf(em: BlockEmitter, r: number): { bytes: string; view: string; off: string } {
  const stack = em.fpOff(r) !== null || em.kHi(r) === REGION_STACK;
  return stack
    ? { bytes: 'SB', view: 'S', off: em.lo(r) }
    : { bytes: `B[${em.hi(r)}]`, view: `V[${em.hi(r)}]`, off: em.lo(r) };
}

/** r0 = a signed 32-bit return code, sign-extended (setR0Int). */
function setInt(em: BlockEmitter, e: string): void {
  em.lines.push(`t0 = ${e};`);
  em.assign(0, 't0', 't0 < 0 ? -1 : 0', null, null);
}

/** The stack address rN holds as an expression, when it is a known stack pointer, else null. */
function stackOffset(em: BlockEmitter, r: number): string | null {
  if (em.fpOff(r) !== null) return em.lo(r);
  return em.kHi(r) === REGION_STACK && em.kLo(r) !== null ? `${em.kLo(r)}` : null;
}

/**
 * HashMap.find inlined for a key of keyWords words on the stack: the same murmur3 over the
 * words (seed HASH_SEED ^ key size), the same linear probing over the map's table, slot hashes
 * and key words. Leaves the value's offset (slot × stride; the slot when not `scaled`) or -1
 * in pr, the hash in t0, the table position where the probe stopped in t1 and the key words in
 * k0…. Lookups of non-LRU maps have no other effect, so nothing else is done.
 */
function inlineHashLookup(em: BlockEmitter, cc: CallContext, map: HashMap, name: string, key: string, scaled = true): void {
  const nw = map.keyWords;
  const table = cc.alias(`${name}T`, `${name}.table`);
  const hashes = cc.alias(`${name}H`, `${name}.slotHash`);
  const keys = cc.alias(`${name}K`, `${name}.keys`);
  const at = (i: number): string => (/^\d+$/.test(key) ? `${Number(key) + 4 * i}` : `${key} + ${4 * i}`);
  const out = em.lines;
  // A key this block stored as constants: its words and hash are known now.
  const known = /^\d+$/.test(key) ? Array.from({ length: nw }, (_, i) => em.stackWord(Number(key) + 4 * i)) : [];
  if (known.length === nw && known.every((w) => w !== undefined)) {
    const words = known as number[];
    out.push(...words.map((w, i) => `k${i} = ${w};`), `t0 = ${hashKeyWords(words, map.keySize)};`);
  } else {
    out.push(`t0 = ${(HASH_SEED ^ map.keySize) | 0};`);
    for (let i = 0; i < nw; i++) {
      out.push(
        `k${i} = S.getInt32(${at(i)}, true);`,
        `t1 = Math.imul(k${i}, 0xcc9e2d51);`,
        't0 ^= Math.imul((t1 << 15) | (t1 >>> 17), 0x1b873593);',
        't0 = (t0 << 13) | (t0 >>> 19);',
        't0 = (Math.imul(t0, 5) + 0xe6546b64) | 0;',
      );
    }
    out.push('t0 ^= t0 >>> 16;', 't0 = Math.imul(t0, 0x85ebca6b);', 't0 ^= t0 >>> 13;', 't0 = Math.imul(t0, 0xc2b2ae35);', 't0 ^= t0 >>> 16;');
  }
  out.push(
    `t1 = t0 & ${map.mask};`,
    'for (;;) {',
    `  pr = ${table}[t1];`,
    '  if (pr === 0) {',
    '    pr = -1;',
    '    break;',
    '  }',
    '  pr = pr - 1;',
    `  pa = pr * ${nw};`,
    `  if (${[`${hashes}[pr] === t0`, ...Array.from({ length: nw }, (_, i) => `${keys}[pa${i === 0 ? '' : ` + ${i}`}] === k${i}`)].join(' && ')}) {`,
    ...(scaled ? [`    pr = pr * ${map.valueStride};`] : []),
    '    break;',
    '  }',
    `  t1 = (t1 + 1) & ${map.mask};`,
    '}',
  );
}

/** Map operations on a map known at compile time; false when the call is not specialised. */
function mapCall(em: BlockEmitter, cc: CallContext, fn: HelperFn): boolean {
  if (fn !== mapLookupElem && fn !== mapUpdateElem && fn !== mapDeleteElem) return false;
  const fd = em.kHi(1) === REGION_MAP_HANDLE ? em.kLo(1) : null;
  const map = fd === null ? undefined : cc.mapOf(fd);
  if (!(map instanceof HashMap || map instanceof ArrayMap)) return false;
  const name = cc.mapName(fd!);
  const key = bufferOf(em, 2);
  const cpu = map.percpu ? 'host.cpu()' : '0';
  if (fn === mapLookupElem) {
    // The CPU (per-CPU maps) in o0: the inlined lookup uses t0, t1, pa and pr.
    if (map.percpu) em.lines.push('o0 = host.cpu();');
    const region = map.percpu ? `${name}.regions[o0]` : `${map.regions[0]}`;
    const stackKey = stackOffset(em, 2);
    if (map instanceof HashMap && !map.lru && map.keySize % 4 === 0 && map.keyWords <= INLINE_KEY_WORDS && stackKey !== null) {
      inlineHashLookup(em, cc, map, name, stackKey);
      em.lines.push('if (pr < 0) {', '  r0l = 0;', '  r0h = 0;', '} else {', '  r0l = pr;', `  r0h = ${region};`, '}');
    } else if (map instanceof ArrayMap) {
      em.lines.push(`t0 = ${key.view}.getInt32(${key.off}, true);`);
      em.lines.push(
        `if ((t0 >>> 0) < ${map.maxEntries}) {`, `  r0l = Math.imul(t0, ${map.valueStride});`, `  r0h = ${region};`,
        '} else {', '  r0l = 0;', '  r0h = 0;', '}',
      );
    } else {
      em.lines.push(
        `t0 = ${name}.lookup(${key.bytes}, ${key.off}, ${map.percpu ? 'o0' : '0'});`,
        'if (t0 < 0) {', '  r0l = 0;', '  r0h = 0;', '} else {', '  r0l = t0;', `  r0h = ${region};`, '}',
      );
    }
    em.assign(0, 'r0l', 'r0h', null, null);
    return true;
  }
  const stackKey = stackOffset(em, 2);
  const inlineKey = map instanceof HashMap && map.keySize % 4 === 0 && map.keyWords <= INLINE_KEY_WORDS && stackKey !== null;
  if (fn === mapDeleteElem) {
    if (inlineKey) {
      // find, then the map's own backward-shift removal (LRU lists included) on a hit.
      inlineHashLookup(em, cc, map, name, stackKey, false);
      em.lines.push('if (pr < 0) {', `  t0 = ${-ENOENT};`, '} else {', `  ${name}.removeAt(pr, t1);`, '  t0 = 0;', '}');
      em.assign(0, 't0', 't0 < 0 ? -1 : 0', null, null);
      return true;
    }
    setInt(em, `${name}.delete(${key.bytes}, ${key.off})`);
    return true;
  }
  const value = bufferOf(em, 3);
  const fh = em.kHi(4);
  const fl = em.kLo(4);
  const flags = fh !== null && fl !== null ? `${fh === 0 ? fl >>> 0 : 0xffffffff}` : `(${em.hi(4)} === 0 ? ${em.lo(4)} >>> 0 : 4294967295)`;
  const stackValue = stackOffset(em, 3);
  const knownFlags = fh === 0 && fl !== null && (fl === BPF_ANY || fl === BPF_NOEXIST || fl === BPF_EXIST) ? fl : null;
  if (inlineKey && !map.lru && stackValue !== null && knownFlags !== null) {
    inlineHashUpdate(em, cc, map, name, stackKey, stackValue, knownFlags);
    return true;
  }
  setInt(em, `${name}.update(${key.bytes}, ${key.off}, ${value.bytes}, ${value.off}, ${flags}, ${cpu})`);
  return true;
}

/** value_size bytes from the stack at `src` to `view` at `dst` (expressions), a word at a time. */
function copyValue(lines: string[], view: string, dst: string, src: string, size: number): void {
  const at = (base: string, i: number): string => (/^\d+$/.test(base) ? `${Number(base) + i}` : i === 0 ? base : `${base} + ${i}`);
  let i = 0;
  for (; i + 4 <= size; i += 4) lines.push(`${view}.setInt32(${at(dst, i)}, S.getInt32(${at(src, i)}, true), true);`);
  for (; i < size; i++) lines.push(`${view}.setUint8(${at(dst, i)}, SB[${at(src, i)}]);`);
}

/**
 * HashMap.update inlined for a non-LRU map, a word-sized key and a value on the stack and
 * constant flags: the inlined find, the value copied into the found slot (this CPU's slab for
 * per-CPU maps), or insertAt on a miss then the copy; the same return codes as update().
 */
function inlineHashUpdate(em: BlockEmitter, cc: CallContext, map: HashMap, name: string, key: string, value: string, flags: number): void {
  // The CPU's slab view in pv (before the probe: it uses t0, t1, pa and pr).
  em.lines.push(map.percpu ? `pv = ${name}.slabViews[host.cpu()];` : `pv = ${cc.alias(`${name}V`, `${name}.slabViews[0]`)};`);
  inlineHashLookup(em, cc, map, name, key, false);
  const probeKey = cc.alias(`${name}P`, `${name}.probeKey`);
  const out = em.lines;
  const copy: string[] = [];
  copyValue(copy, 'pv', `pr * ${map.valueStride}`, value, map.valueSize);
  out.push('if (pr >= 0) {');
  if (flags === BPF_NOEXIST) out.push(`  t0 = ${-EEXIST};`);
  else out.push(...copy.map((l) => `  ${l}`), '  t0 = 0;');
  out.push('} else {');
  if (flags === BPF_EXIST) {
    out.push(`  t0 = ${-ENOENT};`);
  } else {
    out.push(
      ...Array.from({ length: map.keyWords }, (_, i) => `  ${probeKey}[${i}] = k${i};`),
      `  pr = ${name}.insertAt(t1, t0);`,
      '  if (pr < 0) {', '    t0 = pr;', '  } else {', ...copy.map((l) => `    ${l}`), '    t0 = 0;', '  }',
    );
  }
  out.push('}');
  em.assign(0, 't0', 't0 < 0 ? -1 : 0', null, null);
}

/** Registers r0..r9 and r10 into m.regs (unverified programs keep the register file exact). */
export function saveRegs(lines: string[]): void {
  const parts: string[] = [];
  for (let r = 0; r < 10; r++) parts.push(`RG[${2 * r}] = r${r}l; RG[${2 * r + 1}] = r${r}h;`);
  parts.push(`RG[20] = fp; RG[21] = ${REGION_STACK};`);
  lines.push(parts.join(' '));
}

export function loadRegs(lines: string[], upTo: number): void {
  const parts: string[] = [];
  for (let r = 0; r <= upTo; r++) parts.push(`r${r}l = RG[${2 * r}]; r${r}h = RG[${2 * r + 1}];`);
  lines.push(parts.join(' '));
}

/**
 * get_current_comm(stack buffer, 16): the host writes the comm straight into the stack. The
 * KernelHost contract (comm NUL-padded to 16 bytes) makes that the helper's strscpy_pad; the
 * last byte is forced to NUL as the helper's copy of at most 15 characters leaves it.
 */
function currentComm(em: BlockEmitter): boolean {
  const dst = stackOffset(em, 1);
  if (dst === null || em.kHi(2) !== 0 || em.kLo(2) !== TASK_COMM_LEN) return false;
  em.lines.push(`host.comm(SB, ${dst});`, `SB[${/^\d+$/.test(dst) ? Number(dst) + 15 : `${dst} + 15`}] = 0;`);
  em.assign(0, '0', '0', 0, 0);
  return true;
}

/** The specialised forms of the machine's own helpers; false for any other helper. */
function specialised(em: BlockEmitter, cc: CallContext, fn: HelperFn): boolean {
  if (fn === getCurrentComm) return currentComm(em);
  const host = HOST_READS.get(fn);
  if (host !== undefined) {
    host(em);
    return true;
  }
  const probe = PROBE_READS.get(fn);
  if (probe !== undefined) {
    const size = em.kHi(2) === 0 && em.kLo(2) !== null ? `${em.kLo(2)! >>> 0}` : `(${em.hi(2)} === 0 ? ${em.lo(2)} >>> 0 : -1)`;
    setInt(em, `${probe.str ? 'probeReadStr' : 'probeRead'}(M, ${probe.space}, ${em.hi(1)}, ${em.lo(1)}, ${size}, ${em.hi(3)}, ${em.lo(3)})`);
    return true;
  }
  return mapCall(em, cc, fn);
}

export function emitHelperCall(em: BlockEmitter, cc: CallContext, pc: number, id: number): void {
  helperCall(em, cc, pc, id);
  // Helpers write memory (the comm, probe reads, callbacks): no stack word is known after one.
  em.forgetStack();
}

function helperCall(em: BlockEmitter, cc: CallContext, pc: number, id: number): void {
  const fn = cc.helpers[id];
  if (fn === undefined) {
    em.lines.push(em.fault('helper', pc, `call to unknown helper ${id} at insn ${pc}`));
    return;
  }
  // What the interpreter reports if the helper throws: this call, the instructions run so far.
  em.lines.push(`hp = ${pc}; hn = ${em.insnsExpr()};`);
  if (cc.verified) {
    if (specialised(em, cc, fn)) {
      em.forgetArgs();
      return;
    }
    // The generic way, with only the arguments the prototype has.
    const nargs = HELPER_PROTOS.get(id)?.args.length ?? 5;
    const parts = ['RG[0] = r0l; RG[1] = r0h;'];
    for (let r = 1; r <= nargs; r++) parts.push(`RG[${2 * r}] = ${em.lo(r)}; RG[${2 * r + 1}] = ${em.hi(r)};`);
    if (cc.callbacks) parts.push('cfp = fp;');
    em.lines.push(parts.join(' '), `${cc.helperName(id)}(M);`);
    if (cc.callbacks) em.lines.push(`n += hn - ${em.insnsExpr()};`);
    em.forgetCallerSaved();
    em.assign(0, 'RG[0]', 'RG[1]', null, null);
    return;
  }
  saveRegs(em.lines);
  if (cc.callbacks) em.lines.push('cfp = fp;');
  em.lines.push(`${cc.helperName(id)}(M);`);
  if (cc.callbacks) em.lines.push(`n += hn - ${em.insnsExpr()};`);
  loadRegs(em.lines, 9);
  em.forgetCallerSaved();
  for (let r = 6; r <= 9; r++) em.assign(r, `r${r}l`, `r${r}h`, null, null);
}
