// Builtin function calls to code, one table row per function: reads from kernel and user
// memory (str, buf, ksym/usym, macaddr), value constructors user space decodes (strftime,
// ntop, strerror, cgroup_path), map functions (delete, has_key, len), helpers with an
// effect (signal, override), clocks, string functions and the async actions (async.ts).
// In: a Call node and what the checker resolved for it. Out: a Val, or a value written in
// place (compileCallInto). Aggregation calls are compiled by their assignment (maps.ts).

import { InternalError } from '../diag/diagnostic.js';
import type { Call, Expr } from '../parse/ast.js';
import type { CallInfo } from '../check/program.js';
import { intType, uint64, type SizedType } from '../check/types.js';
import { BPF_END, BPF_ALU64, BPF_TO_LE, BPF_RSH } from '../ebpf/isa.js';
import { HELPER_ID } from '../ebpf/helpers/helper-ids.js';
import { CodeGen, isScalar, type Mem, type Val } from './codegen.js';
import { compileExpr, into, typeOf } from './expressions.js';
import { copyOrZero, deleteKey, hasKey, lookup } from './maps.js';
import { syscallTable } from '../probes/catalog.js';
import { SIGNALS } from '../check/functions.js';
import { strcontains, strlen, strncmp } from './strings.js';
import { asyncCall, isAsync } from './async.js';
import { mapLength } from './for-map.js';
import { compileBuiltin, pidTgid, stackValue } from './builtins.js';
import { TIMESTAMP_MODE } from './compiled.js';
import { callSubprog } from './subprogs.js';

type CallFn = (cg: CodeGen, e: Call, info: CallInfo, t: SizedType) => Val;

const AF_INET = 2n;
const AF_INET6 = 10n;

/** bpf_override_return (kprobes with error injection). */
const OVERRIDE_RETURN = 58;

const CLOCK_HELPER: Readonly<Record<string, number>> = {
  boot: HELPER_ID.ktime_get_boot_ns,
  monotonic: HELPER_ID.ktime_get_ns,
  tai: HELPER_ID.ktime_get_tai_ns,
  sw_tai: HELPER_ID.ktime_get_tai_ns,
};

const value = (cg: CodeGen, e: Call, i: number): Val => compileExpr(cg, e.args[i]!);

const CALLS: Readonly<Record<string, CallFn>> = {
  // `delete(@m[k1, k2])` notes no key: the keys are those of the map argument itself.
  delete: (cg, e, info) => deleteKey(cg, info.map!, info.key ?? (e.args.length === 1 ? e.args[0] : undefined), info.discarded, e),
  has_key: (cg, e, info, t) => hasKey(cg, info.map!, info.key, t),
  len: (cg, e, info, t) => (info.map !== undefined ? mapLength(cg, info.map, t) : stackLength(cg, e, t)),
  nsecs: (cg, e, info, t) => cg.reg(cg.call(CLOCK_HELPER[info.clock ?? 'boot']!, []), t),
  pid: (cg, e, info, t) => nsPid(cg, t, 'pid'),
  tid: (cg, e, info, t) => nsPid(cg, t, 'tid'),
  kptr: (cg, e, info, t) => retype(value(cg, e, 0), t),
  uptr: (cg, e, info, t) => retype(value(cg, e, 0), t),
  ksym: (cg, e, info, t) => retype(value(cg, e, 0), t),
  usym: (cg, e, info, t) => usym(cg, e, t),
  strerror: (cg, e, info, t) => retype(cg.convertInt(value(cg, e, 0), uint64), t),
  bswap: (cg, e, info, t) => bswap(cg, e, t),
  reg: (cg, e, info, t) => ({ k: 'ctx', off: Number(info.literals?.[0] ?? 0n), t }),
  strlen: (cg, e, info, t) => cg.reg(strlen(cg, value(cg, e, 0)), t),
  strncmp: (cg, e, info, t) => cg.reg(strncmp(cg, value(cg, e, 0), value(cg, e, 1), Number(info.literals?.[2] ?? 0n)), t),
  strcontains: (cg, e, info, t) => cg.reg(strcontains(cg, value(cg, e, 0), value(cg, e, 1)), t),
  signal: (cg, e, info) => signal(cg, e, info, HELPER_ID.send_signal),
  signal_thread: (cg, e, info) => signal(cg, e, info, HELPER_ID.send_signal_thread),
  override: (cg, e, info, t) => {
    const v = cg.argOf(value(cg, e, 0));
    cg.withCtxArg((ctx) => cg.callVoid(OVERRIDE_RETURN, [ctx, v.arg], v.consume));
    return { k: 'void', t };
  },
  is_err: (cg, e, info, t) => {
    // IS_ERR: the pointer is in the top 4095 values of the address space.
    const p = cg.scalar(value(cg, e, 0));
    const r = cg.regs.alloc();
    const no = cg.e.newLabel();
    cg.e.movImm(r.reg, 0n);
    cg.e.jImm('lt', p.reg, -4095, no);
    cg.e.movImm(r.reg, 1n);
    cg.e.bind(no);
    cg.regs.free(p);
    return cg.reg(r, t);
  },
  cgroupid: (cg, e, info, t) => cg.imm(BigInt(info.literals?.[0] ?? 0n), t),
  kaddr: (cg, e, info, t) => {
    // The checker noted the name (a literal, or str() of one such as str($1)).
    const name = String(info.literals?.[0] ?? '');
    const table = cg.pc.opts.kernelSymbol;
    const addr = table?.(name);
    if (addr === undefined) {
      // bpftrace's words for a name the kernel does not have.
      cg.error(table ? `Failed to resolve kernel symbol: ${name}` : `kaddr("${name}"): no kernel symbol table was given to the compiler`, e.span);
      return cg.imm(0n, t);
    }
    return cg.imm(addr, t);
  },
  syscall_name: (cg, e, info, t) => nameLookup(cg, e, t, cg.pc.nameTable('syscall_names', syscallNames(), t.size)),
  signal_name: (cg, e, info, t) => nameLookup(cg, e, t, cg.pc.nameTable('signal_names', signalNames(), t.size)),
  kstack: (cg, e, info, t) => stackValue(cg, 'kstack', t),
  ustack: (cg, e, info, t) => stackValue(cg, 'ustack', t),
  getopt: (cg, e, info, t) => {
    throw new InternalError(`getopt should have been replaced by its value (${t.kind})`);
  },
};

export function compileCall(cg: CodeGen, e: Call): Val {
  const info = cg.pc.checked.calls.get(e);
  const t = typeOf(cg, e);
  // `comm()`, `cgroup()`: stdlib.md's function form of a builtin, which the checker typed as the builtin.
  if (!info && e.args.length === 0) return compileBuiltin(cg, e, e.name);
  if (!info) throw new InternalError(`call ${e.name} was not resolved by the checker`);
  if (info.fn.aggregation) throw new InternalError(`${e.name}() outside a map assignment`);
  if (info.subprog) return callSubprog(cg, e);
  if (isAsync(e.name)) return asyncCall(cg, e, info);
  const f = CALLS[e.name];
  if (f) return f(cg, e, info, t);
  if (!isScalar(t) && t.kind !== 'void') {
    // Value constructors are written into a slot.
    const s = cg.slot(Math.max(1, t.size));
    if (compileCallInto(cg, e, cg.memOfSlot(s), t, true)) return { k: 'mem', m: cg.memOfSlot(s), t, slot: s };
    cg.frame.free(s);
  }
  cg.error(`${e.name}() is not supported by the bpftrace-ts compiler`, e.span);
  return t.kind === 'void' ? { k: 'void', t } : isScalar(t) ? cg.imm(0n, t) : zeroValue(cg, t);
}

let syscallNameMap: Map<number, string> | undefined;
function syscallNames(): Map<number, string> {
  syscallNameMap ??= new Map(syscallTable().map((s) => [s.nr, s.name]));
  return syscallNameMap;
}

function signalNames(): Map<number, string> {
  return new Map(Object.entries(SIGNALS).map(([name, nr]) => [nr, name]));
}

/** The name a table map holds for the number argument ('' for numbers it lacks). */
function nameLookup(cg: CodeGen, e: Call, t: SizedType, table: number): Val {
  const s = cg.slot(Math.max(1, t.size));
  const m = cg.memOfSlot(s);
  const k = cg.slot(8, 'stack');
  cg.store(cg.convertInt(value(cg, e, 0), intType(4, false)), cg.memOfSlot(k), intType(4, false));
  const p = lookup(cg, table, cg.memOfSlot(k));
  cg.frame.free(k);
  copyOrZero(cg, p, m, t.size);
  return { k: 'mem', m, t, slot: s };
}

function zeroValue(cg: CodeGen, t: SizedType): Val {
  const s = cg.slot(Math.max(1, t.size));
  cg.zeroRange(cg.memOfSlot(s), 0, t.size);
  return { k: 'mem', m: cg.memOfSlot(s), t, slot: s };
}

function retype(v: Val, t: SizedType): Val {
  return v.k === 'void' || v.k === 'lit' ? v : ({ ...v, t } as Val);
}

/**
 * Calls that produce a value in memory, written straight at dst as type dt: str(), buf(),
 * strftime(), ntop(), macaddr(), cgroup_path(), path(). Returns false for other calls.
 */
export function compileCallInto(cg: CodeGen, e: Call, dst: Mem, dt: SizedType, canonical: boolean): boolean {
  const info = cg.pc.checked.calls.get(e);
  if (!info) return false;
  switch (e.name) {
    case 'str':
      if (dt.kind !== 'string') return false;
      str(cg, e, info, dst, dt.size, canonical);
      return true;
    case 'buf':
      if (dt.kind !== 'buffer') return false;
      buf(cg, e, info, dst, dt.size);
      return true;
    case 'strftime': {
      if (dt.kind !== 'timestamp') return false;
      const id = cg.pc.strftime(e, String(info.literals?.[0] ?? ''));
      const a = e.args[1];
      const clock = a && a.kind === 'Call' && a.name === 'nsecs' ? (cg.pc.checked.calls.get(a)?.clock ?? 'boot') : 'boot';
      cg.e.st(4, dst.base, dst.off, id);
      cg.e.st(4, dst.base, dst.off + 4, TIMESTAMP_MODE[clock]);
      cg.store(value(cg, e, 1), { base: dst.base, off: dst.off + 8 }, uint64);
      if (dt.size > 16) cg.zeroRange(dst, 16, dt.size);
      return true;
    }
    case 'ntop':
      if (dt.kind !== 'inet') return false;
      ntop(cg, e, dst, dt.size);
      return true;
    case 'macaddr':
      if (dt.kind !== 'mac_address') return false;
      cg.store(retype(value(cg, e, 0), { kind: 'array', size: 6, elem: intType(1, false), count: 6 }), dst, { kind: 'array', size: 6, elem: intType(1, false), count: 6 });
      return true;
    case 'cgroup_path': {
      if (dt.kind !== 'cgroup_path') return false;
      // The filter's index (user space resolves the path of the id under it) and the cgroup id.
      const filterArg = e.args[1];
      const filter = filterArg?.kind === 'String' ? filterArg.value : '*';
      cg.storeImm(dst, 8, BigInt(cg.pc.cgroupFilter(e, filter)));
      cg.store(cg.convertInt(value(cg, e, 0), uint64), { base: dst.base, off: dst.off + 8 }, uint64);
      return true;
    }
    case 'pton': {
      const bytes = (info.literals ?? []).map((b) => Number(b ?? 0n));
      cg.storeBytes(dst, Uint8Array.from(bytes.slice(0, dt.size)));
      if (dt.size > bytes.length) cg.zeroRange(dst, bytes.length, dt.size);
      return true;
    }
    default:
      return false;
  }
}

/**
 * str(p[, n]): probe_read_{user,kernel}_str of at most `size` bytes (n + 1 when a length
 * is given). A string argument is copied. `canonical` zeroes the buffer first so the bytes
 * after the NUL are zero (map keys compare all bytes).
 */
function str(cg: CodeGen, e: Call, info: CallInfo, dst: Mem, size: number, canonical: boolean): void {
  const arg = e.args[0]!;
  const at = typeOf(cg, arg);
  if (at.kind === 'string') {
    cg.store(compileExpr(cg, arg), dst, { kind: 'string', size }, canonical);
    return;
  }
  const space = isDataLoc(cg, arg) ? 'kernel' : (info.addressSpace ?? (at.kind === 'pointer' ? at.space : cg.scope.probe?.addressSpace ?? 'kernel'));
  const helper = space === 'user' ? HELPER_ID.probe_read_user_str : HELPER_ID.probe_read_kernel_str;
  if (canonical) cg.zeroRange(dst, 0, size);
  const addr = cg.argOf(compileExpr(cg, arg));
  if (e.args.length > 1) {
    // A run-time length: read min(n + 1, size) bytes; the verifier needs the bound.
    const n = cg.scalar(compileExpr(cg, e.args[1]!));
    cg.e.addImm(n.reg, 1);
    const ok = cg.e.newLabel();
    cg.e.jImm('le', n.reg, size, ok);
    cg.e.movImm(n.reg, BigInt(size));
    cg.e.bind(ok);
    cg.callVoid(helper, [{ addr: dst }, { temp: n }, addr.arg], [n, ...addr.consume]);
    return;
  }
  cg.callVoid(helper, [{ addr: dst }, { imm: BigInt(size) }, addr.arg], addr.consume);
}

/** Is e a __data_loc tracepoint field (its data lives in the context record, kernel memory)? */
function isDataLoc(cg: CodeGen, e: Expr): boolean {
  if (e.kind !== 'FieldAccess') return false;
  const t = cg.pc.checked.types.get(e.expr);
  return t?.kind === 'struct' && t.fields.some((f) => f.name === e.field && f.dataLoc === true);
}

/** buf(p, n): u32 length then the bytes (layout decode.ts reads). */
function buf(cg: CodeGen, e: Call, info: CallInfo, dst: Mem, size: number): void {
  // The call's own capacity: a wider destination (the other arm of a ternary is a longer
  // buffer) keeps this buffer's length; the bytes past it are zeroed.
  const own = Math.min(size, typeOf(cg, e).size);
  const cap = own - 4;
  if (size > own) cg.zeroRange(dst, own, size);
  const arg = e.args[0]!;
  const at = typeOf(cg, arg);
  const space = info.addressSpace ?? (at.kind === 'pointer' ? at.space : 'kernel');
  const helper = space === 'user' ? HELPER_ID.probe_read_user : HELPER_ID.probe_read_kernel;
  const data = { base: dst.base, off: dst.off + 4 };
  if (at.kind === 'array' || at.kind === 'string') {
    // buf() of a value the program holds: copy it.
    const n = Math.min(cap, at.size);
    cg.storeImm(dst, 4, BigInt(n));
    cg.store(compileExpr(cg, arg), data, { kind: 'array', size: n, elem: intType(1, false), count: n });
    return;
  }
  const addr = cg.argOf(compileExpr(cg, arg));
  if (e.args.length > 1) {
    const n = cg.scalar(compileExpr(cg, e.args[1]!), true);
    const ok = cg.e.newLabel();
    cg.e.jImm('le', n.reg, cap, ok);
    cg.e.movImm(n.reg, BigInt(cap));
    cg.e.bind(ok);
    cg.storeReg(dst, 4, n.reg);
    cg.callVoid(helper, [{ addr: data }, { temp: n }, addr.arg], [n, ...addr.consume]);
    return;
  }
  cg.storeImm(dst, 4, BigInt(cap));
  cg.callVoid(helper, [{ addr: data }, { imm: BigInt(cap) }, addr.arg], addr.consume);
}

/** ntop([af, ]addr): u64 family then the address bytes (4 or 16). */
function ntop(cg: CodeGen, e: Call, dst: Mem, size: number): void {
  const addrExpr = e.args[e.args.length - 1]!;
  const at = typeOf(cg, addrExpr);
  const v6 = at.kind === 'array' ? at.size === 16 : false;
  const family = e.args.length > 1 ? compileExpr(cg, e.args[0]!) : cg.imm(v6 ? AF_INET6 : AF_INET, uint64);
  cg.store(family, dst, uint64);
  const body = { base: dst.base, off: dst.off + 8 };
  const v = compileExpr(cg, addrExpr);
  if (isScalar(v.t)) {
    cg.store(v, body, intType(4, false));
    cg.zeroRange(dst, 12, size);
  } else {
    const n = Math.min(v.t.size, size - 8);
    cg.store(v, body, { kind: 'array', size: n, elem: intType(1, false), count: n });
    if (8 + n < size) cg.zeroRange(dst, 8 + n, size);
  }
}

/** usym(addr): the address and the current pid, for user space to resolve. */
function usym(cg: CodeGen, e: Call, t: SizedType): Val {
  const s = cg.slot(Math.max(16, t.size));
  const m = cg.memOfSlot(s);
  cg.store(cg.convertInt(value(cg, e, 0), uint64), m, uint64);
  const p = pidTgid(cg);
  cg.e.aluImm(BPF_RSH, p.reg, 32);
  cg.e.stx(8, m.base, m.off + 8, p.reg);
  cg.regs.free(p);
  return { k: 'mem', m, t, slot: s };
}

/**
 * len(kstack) / len(ustack): the frames bpf_get_stack copies (its result is bytes, or a
 * negative errno for no stack), into a scratch buffer of the stack's limit.
 */
function stackLength(cg: CodeGen, e: Call, t: SizedType): Val {
  const st = typeOf(cg, e.args[0]!);
  const limit = st.kind === 'kstack' || st.kind === 'ustack' ? st.limit : 127;
  const flags = st.kind === 'ustack' ? 1n << 8n : 0n;
  const buf = cg.slot(8 * limit);
  const r = cg.withCtxArg((ctx) => cg.call(HELPER_ID.get_stack, [ctx, { addr: cg.memOfSlot(buf) }, { imm: BigInt(8 * limit) }, { imm: flags }]));
  cg.frame.free(buf);
  const ok = cg.e.newLabel();
  cg.e.jImm('sgt', r.reg, 0, ok);
  cg.e.movImm(r.reg, 0n);
  cg.e.bind(ok);
  cg.e.aluImm(BPF_RSH, r.reg, 3);
  return cg.reg(r, t);
}

/**
 * pid(curr_ns|init) / tid(…): the ids as the init namespace sees them. bpftrace reads the
 * current namespace's with get_ns_current_pid_tgid and the namespace's device and inode,
 * which user space would have to pass in; the synthetic world has one pid namespace, where
 * both are the same.
 */
function nsPid(cg: CodeGen, t: SizedType, which: 'pid' | 'tid'): Val {
  const r = pidTgid(cg);
  if (which === 'pid') cg.e.aluImm(BPF_RSH, r.reg, 32);
  else cg.e.mov32(r.reg, r.reg);
  return cg.reg(r, t);
}

function bswap(cg: CodeGen, e: Call, t: SizedType): Val {
  const v = value(cg, e, 0);
  const size = t.size;
  if (v.k === 'imm') {
    let x = BigInt.asUintN(size * 8, v.v);
    let out = 0n;
    for (let i = 0; i < size; i++) {
      out = (out << 8n) | (x & 0xffn);
      x >>= 8n;
    }
    return cg.imm(out, t);
  }
  const r = cg.scalar(v);
  if (size > 1) cg.e.raw({ code: BPF_ALU64 | BPF_END | BPF_TO_LE, dst: r.reg, src: 0, off: 0, imm: size * 8 });
  return cg.reg(r, t);
}

/** signal(sig) / signal_thread(sig): send_signal to the current task. */
function signal(cg: CodeGen, e: Call, info: CallInfo, helper: number): Val {
  const sig = info.signal !== undefined ? cg.imm(BigInt(info.signal), uint64) : compileExpr(cg, e.args[0]!);
  const a = cg.argOf(sig);
  cg.callVoid(helper, [a.arg], a.consume);
  return { k: 'void', t: { kind: 'void', size: 0 } };
}

export { into };
