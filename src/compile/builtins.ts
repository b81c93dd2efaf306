// Builtin variables to code, as Linux provides them: helper calls (pid/tid from
// get_current_pid_tgid, comm, clocks, cpu, cgroup, task pointer, stacks through
// get_stackid), context reads (argN and retval from pt_regs, args from the tracepoint record
// or the trampoline's argument array), globals (elapsed) and constants (probe, ncpus).
// In: a Builtin node. Out: a Val. Not: builtins written as calls with arguments (calls.ts).

import { InternalError } from '../diag/diagnostic.js';
import type { Expr } from '../parse/ast.js';
import { stringType, uint32, uint64, uint8, type SizedType } from '../check/types.js';
import { BPF_AND, BPF_RSH, BPF_SUB, R10 } from '../ebpf/isa.js';
import { HELPER_ID } from '../ebpf/helpers/helper-ids.js';
import { PT_REGS_OFFSET } from '../ebpf/progtypes.js';
import { CodeGen, type Mem, type Val } from './codegen.js';
import { GLOBALS } from './compiled.js';
import { StructRegistry } from '../check/ctypes.js';
import { providerByName } from '../check/providers.js';
import type { Temp } from './registers.js';
import { typeOf } from './expressions.js';

/** x86-64 argument registers in pt_regs, arg0 … arg5. */
const ARG_REGS = [PT_REGS_OFFSET.di, PT_REGS_OFFSET.si, PT_REGS_OFFSET.dx, PT_REGS_OFFSET.cx, PT_REGS_OFFSET.r8, PT_REGS_OFFSET.r9];

const BPF_F_USER_STACK = 1 << 8;
const COMM_SIZE = 16;

/** get_current_pid_tgid() (tgid << 32 | pid), from the entry cache when the program has one. */
export function pidTgid(cg: CodeGen): Temp {
  cg.facts.pidTgidUses++;
  if (cg.setup.pidTgidSlot !== undefined) {
    const t = cg.regs.alloc();
    cg.e.ldx(8, t.reg, R10, cg.setup.pidTgidSlot);
    return t;
  }
  return cg.call(HELPER_ID.get_current_pid_tgid, []);
}

function helperValue(cg: CodeGen, helper: number, t: SizedType): Val {
  return cg.reg(cg.call(helper, []), t);
}

/** The upper 32 bits of a 64-bit helper result. */
function high(cg: CodeGen, r: Temp, t: SizedType): Val {
  cg.e.aluImm(BPF_RSH, r.reg, 32);
  return cg.reg(r, t);
}

/** The lower 32 bits (w = w zero-extends). */
function low(cg: CodeGen, r: Temp, t: SizedType): Val {
  cg.e.mov32(r.reg, r.reg);
  return cg.reg(r, t);
}

export function compileBuiltin(cg: CodeGen, e: Expr, written: string): Val {
  const t = typeOf(cg, e);
  // `__builtin_comm` is `comm` (upstream's stdlib macros are written with the prefix).
  const name = written.startsWith('__builtin_') ? written.slice('__builtin_'.length) : written;
  switch (name) {
    case 'pid':
      return high(cg, pidTgid(cg), t);
    case 'tid':
      return low(cg, pidTgid(cg), t);
    case 'uid':
    case 'username':
      return low(cg, cg.call(HELPER_ID.get_current_uid_gid, []), t);
    case 'gid':
      return high(cg, cg.call(HELPER_ID.get_current_uid_gid, []), t);
    case 'nsecs':
      return helperValue(cg, HELPER_ID.ktime_get_boot_ns, t);
    case 'elapsed':
      return elapsed(cg, t);
    case 'cpu':
      return helperValue(cg, HELPER_ID.get_smp_processor_id, t);
    case 'numaid':
      return helperValue(cg, HELPER_ID.get_numa_node_id, t);
    case 'rand':
      return helperValue(cg, HELPER_ID.get_prandom_u32, t);
    case 'cgroup':
      return helperValue(cg, HELPER_ID.get_current_cgroup_id, t);
    case 'jiffies':
      return helperValue(cg, HELPER_ID.jiffies64, t);
    case 'ncpus':
      return cg.imm(BigInt(cg.pc.ncpus), t);
    case 'cpid':
      return cg.imm(BigInt(cg.pc.opts.childPid ?? 0), t);
    case 'curtask':
      return helperValue(cg, HELPER_ID.get_current_task, t);
    case 'ppid':
      return ppid(cg, t);
    case 'pcomm':
      return pcomm(cg, t);
    case 'comm': {
      const s = cg.slot(COMM_SIZE);
      cg.callVoid(HELPER_ID.get_current_comm, [{ addr: cg.memOfSlot(s) }, { imm: BigInt(COMM_SIZE) }]);
      return { k: 'mem', m: cg.memOfSlot(s), t, slot: s, canonical: true };
    }
    case 'probe':
    case 'probetype': {
      const text = name === 'probe' ? cg.scope.probeName : probeTypeName(cg.scope.provider);
      return { k: 'lit', bytes: text, t: t.kind === 'string' ? t : stringType(text.length + 1) };
    }
    case 'kstack':
    case 'ustack':
      return stackValue(cg, name, t);
    case 'func':
      return func(cg, t);
    case 'retval':
      return retval(cg, t);
    case 'args': {
      // A per-match program reads its own match's record (the checker types the node once).
      const own = cg.scope.matches.length === 1 ? cg.scope.matches[0]!.args : undefined;
      return { k: 'ctx', off: 0, t: own ?? t };
    }
    case 'ctx': {
      const r = cg.regs.alloc();
      cg.e.mov(r.reg, cg.ctxBase());
      cg.ctxDone();
      return cg.reg(r, t);
    }
    case 'usermode': {
      // Only pt_regs contexts (kprobe, uprobe, perf events) hold cs. Elsewhere it is known
      // beforehand, as upstream bpftrace folds it: BEGIN/END run in bpftrace's own
      // process (1), tracepoints and fentry fire in the kernel (0).
      const progType = cg.scope.progType;
      if (progType !== 'kprobe' && progType !== 'perf_event') {
        const special = providerByName(cg.scope.provider)?.family === 'special';
        return cg.imm(special ? 1n : 0n, uint8);
      }
      const base = cg.ctxBase();
      const r = cg.regs.alloc();
      cg.e.ldx(8, r.reg, base, PT_REGS_OFFSET.cs);
      cg.ctxDone();
      cg.e.aluImm(BPF_AND, r.reg, 3);
      const one = cg.e.newLabel();
      const done = cg.e.newLabel();
      cg.e.jImm('eq', r.reg, 3, one);
      cg.e.movImm(r.reg, 0n);
      cg.e.ja(done);
      cg.e.bind(one);
      cg.e.movImm(r.reg, 1n);
      cg.e.bind(done);
      return cg.reg(r, uint8);
    }
  }
  const arg = /^arg([0-9]+)$/.exec(name);
  if (arg) return argN(cg, Number(arg[1]), t);
  const sarg = /^sarg([0-9])$/.exec(name);
  if (sarg) return stackArg(cg, Number(sarg[1]), t);
  throw new InternalError(`builtin ${name} has no code`);
}

/**
 * `probetype`: upstream bpftrace's probe type names; BEGIN, END and self are 'special',
 * bench probes 'benchmark', asyncwatchpoint a 'watchpoint'.
 */
const PROBE_TYPE_NAMES: Readonly<Record<string, string>> = {
  BEGIN: 'special',
  END: 'special',
  self: 'special',
  bench: 'benchmark',
  asyncwatchpoint: 'watchpoint',
};

function probeTypeName(provider: string): string {
  return PROBE_TYPE_NAMES[provider] ?? provider;
}

/** Builtins written straight into memory (comm into a key or a record). */
export function compileBuiltinInto(cg: CodeGen, written: string, dst: Mem, dt: SizedType): boolean {
  const name = written.startsWith('__builtin_') ? written.slice('__builtin_'.length) : written;
  if ((name === 'kstack' || name === 'ustack') && dt.kind === name && alignedFor8(dst)) {
    stackInto(cg, name, dt, dst);
    return true;
  }
  if (name !== 'comm' || dt.kind !== 'string' || dt.size < COMM_SIZE) return false;
  cg.callVoid(HELPER_ID.get_current_comm, [{ addr: dst }, { imm: BigInt(COMM_SIZE) }]);
  if (dt.size > COMM_SIZE) cg.zeroRange(dst, COMM_SIZE, dt.size);
  return true;
}

function alignedFor8(m: Mem): boolean {
  return ((m.off % 8) + 8) % 8 === 0;
}

function elapsed(cg: CodeGen, t: SizedType): Val {
  const now = cg.call(HELPER_ID.ktime_get_boot_ns, []);
  const skip = cg.e.newLabel();
  const g = cg.arrayValue(cg.pc.globals(), skip);
  cg.e.ldx(8, g.reg, g.reg, GLOBALS.startBootNs);
  cg.e.aluReg(BPF_SUB, cg.regs.reg(now), g.reg);
  cg.e.bind(skip);
  cg.regs.free(g);
  return cg.reg(now, t);
}

/** A field of the current task's parent (curtask->real_parent->field), as a place in kernel memory. */
function parentField(cg: CodeGen, name: string): Val {
  const task = cg.pc.checked.structs.get('struct task_struct') ?? new StructRegistry().lookup('struct task_struct');
  const rp = task?.fields.find((f) => f.name === 'real_parent');
  const parent = rp?.type.kind === 'pointer' && rp.type.to.kind === 'struct' ? rp.type.to : task;
  const field = parent?.fields.find((f) => f.name === name);
  if (!rp || !field) throw new InternalError(`struct task_struct lacks real_parent or ${name}`);
  const cur = cg.call(HELPER_ID.get_current_task, []);
  cg.e.addImm(cur.reg, rp.offset);
  const p = cg.scalar({ k: 'ext', addr: cg.reg(cur, uint64), space: 'kernel', t: uint64 });
  if (field.offset) cg.e.addImm(p.reg, field.offset);
  return { k: 'ext', addr: cg.reg(p, uint64), space: 'kernel', t: field.type };
}

/** curtask->real_parent->tgid. */
function ppid(cg: CodeGen, t: SizedType): Val {
  return cg.convertInt(parentField(cg, 'tgid'), t.kind === 'int' ? t : uint32);
}

/** curtask->real_parent->comm. */
function pcomm(cg: CodeGen, t: SizedType): Val {
  const v = parentField(cg, 'comm');
  return { ...(v as Extract<Val, { k: 'ext' }>), t };
}

/** get_stackid(ctx, stack map, flags) → {i64 id[, u32 pid]} in a slot of the stack type's size. */
export function stackValue(cg: CodeGen, kind: 'kstack' | 'ustack', t: SizedType): Val {
  const s = cg.slot(t.size);
  stackInto(cg, kind, t, cg.memOfSlot(s));
  return { k: 'mem', m: cg.memOfSlot(s), t, slot: s };
}

/** Writes the stack value {i64 id[, u64 pid]} at m (padded to the type's size). */
export function stackInto(cg: CodeGen, kind: 'kstack' | 'ustack', t: SizedType, m: Mem): void {
  const limit = t.kind === 'kstack' || t.kind === 'ustack' ? t.limit : 127;
  const map = cg.pc.stacks(limit);
  const flags = kind === 'ustack' ? BPF_F_USER_STACK : 0;
  const id = cg.withCtxArg((ctx) => cg.call(HELPER_ID.get_stackid, [ctx, { map }, { imm: BigInt(flags) }]));
  cg.e.stx(8, m.base, m.off, id.reg);
  cg.regs.free(id);
  if (kind === 'ustack') {
    const p = pidTgid(cg);
    cg.e.aluImm(BPF_RSH, p.reg, 32);
    cg.e.stx(8, m.base, m.off + 8, p.reg);
    cg.regs.free(p);
    if (t.size > 16) cg.zeroRange(m, 16, t.size);
  } else if (t.size > 8) cg.zeroRange(m, 8, t.size);
}

/** func: the probed function's address (get_func_ip); uprobes add the pid (usym). */
function func(cg: CodeGen, t: SizedType): Val {
  const ip = cg.withCtxArg((ctx) => cg.call(HELPER_ID.get_func_ip, [ctx]));
  if (t.kind !== 'usym') return cg.reg(ip, t);
  const s = cg.slot(t.size);
  const m = cg.memOfSlot(s);
  cg.e.stx(8, m.base, m.off, ip.reg);
  cg.regs.free(ip);
  const p = pidTgid(cg);
  cg.e.aluImm(BPF_RSH, p.reg, 32);
  cg.e.stx(8, m.base, m.off + 8, p.reg);
  cg.regs.free(p);
  return { k: 'mem', m, t, slot: s };
}

function retval(cg: CodeGen, t: SizedType): Val {
  if (cg.scope.progType === 'tracing') {
    // fexit: the return value follows the arguments in the trampoline's u64 array.
    const args = cg.scope.matches[0]?.args;
    const n = args ? args.fields.length : 0;
    return { k: 'ctx', off: 8 * n, t };
  }
  return { k: 'ctx', off: PT_REGS_OFFSET.ax, t };
}

function argN(cg: CodeGen, n: number, t: SizedType): Val {
  if (cg.scope.progType === 'raw_tracepoint' || cg.scope.progType === 'tracing') return { k: 'ctx', off: 8 * n, t };
  const off = ARG_REGS[n];
  if (off === undefined) throw new InternalError(`arg${n} is not a register argument`);
  return { k: 'ctx', off, t };
}

/** sargN: the Nth argument on the stack, at sp + 8 * (N + 1). */
function stackArg(cg: CodeGen, n: number, t: SizedType): Val {
  const base = cg.ctxBase();
  const sp = cg.regs.alloc();
  cg.e.ldx(8, sp.reg, base, PT_REGS_OFFSET.sp);
  cg.ctxDone();
  cg.e.addImm(sp.reg, 8 * (n + 1));
  const space = cg.scope.provider === 'uprobe' || cg.scope.provider === 'uretprobe' ? 'user' : 'kernel';
  return { k: 'ext', addr: cg.reg(sp, uint64), space, t };
}
