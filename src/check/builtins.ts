// Every builtin variable bpftrace has (pid, comm, nsecs, args, arg0…, retval, func, probe…):
// its type, where it may be used, and how the compiler obtains it. In: a name and the probe
// scope; out: a type or a catalogued error. A table walked by infer.ts, not checking logic.

import type { Message } from '../diag/diagnostic.js';
import { checkMessages as M } from '../diag/messages.js';
import type { ProbeScope } from './scope.js';
import { families, singleFamily } from './scope.js';
import {
  pointerTo,
  stringType,
  uint32,
  uint64,
  uint8,
  type SizedType,
  type StructType,
} from './types.js';

/** How the compiler produces a builtin's value. */
export type BuiltinSource =
  | { readonly helper: string; readonly note?: string }
  | { readonly context: string }
  | { readonly constant: string };

export interface BuiltinRow {
  /** The name, or for families (arg0…arg5, sarg0…) the prefix with `pattern` set. */
  readonly name: string;
  readonly pattern?: RegExp;
  /** One-line meaning, for `--dump types` and documentation. */
  readonly doc: string;
  readonly source: BuiltinSource;
  /** Reads the probe context (not available inside `for ($kv : @m)` bodies). */
  readonly readsContext: boolean;
  /** Needs an enclosing probe (not usable in a subprogram). */
  readonly needsProbe: boolean;
  /** May also be written with call syntax: `pid()`, `nsecs()`. */
  readonly callable: boolean;
  /** The type (or an error) in the given scope. */
  resolve(scope: ProbeScope, name: string): { type: SizedType } | { error: Message; type?: SizedType };
}

const fixed = (type: SizedType) => () => ({ type });

/** x86-64 passes six integer arguments in registers: arg0 … arg5. */
export const MAX_REGISTER_ARG = 5;

const COMM_SIZE = 16;

function structOrEmpty(scope: ProbeScope, name: string): StructType {
  return scope.struct(name) ?? { kind: 'struct', name, size: 0, fields: [] };
}

/** The types of `retval` by family, where it is an untyped register. */
const RETVAL_FAMILIES = new Set(['kretprobe', 'uretprobe']);

const ROWS: BuiltinRow[] = [
  {
    name: 'pid',
    doc: 'process id (tgid) of the current task',
    source: { helper: 'get_current_pid_tgid', note: 'upper 32 bits' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(uint32),
  },
  {
    name: 'tid',
    doc: 'thread id of the current task',
    source: { helper: 'get_current_pid_tgid', note: 'lower 32 bits' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(uint32),
  },
  {
    name: 'uid',
    doc: 'user id of the current task',
    source: { helper: 'get_current_uid_gid', note: 'lower 32 bits' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(uint64),
  },
  {
    name: 'gid',
    doc: 'group id of the current task',
    source: { helper: 'get_current_uid_gid', note: 'upper 32 bits' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(uint64),
  },
  {
    name: 'nsecs',
    doc: 'nanoseconds since boot (ktime_get_boot_ns)',
    source: { helper: 'ktime_get_boot_ns' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(uint64),
  },
  {
    name: 'elapsed',
    doc: 'nanoseconds since bpftrace started',
    source: { helper: 'ktime_get_boot_ns', note: 'minus the start time held in a global' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(uint64),
  },
  {
    name: 'cpu',
    doc: 'id of the CPU running the program',
    source: { helper: 'get_smp_processor_id' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(uint64),
  },
  {
    name: 'ncpus',
    doc: 'number of CPUs',
    source: { constant: 'number of possible CPUs, fixed at load time' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(uint64),
  },
  {
    name: 'numaid',
    doc: 'NUMA node of the CPU running the program',
    source: { helper: 'get_numa_node_id' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(uint64),
  },
  {
    name: 'rand',
    doc: 'a pseudo-random number',
    source: { helper: 'get_prandom_u32' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(uint64),
  },
  {
    name: 'cgroup',
    doc: 'cgroup v2 id of the current task',
    source: { helper: 'get_current_cgroup_id' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(uint64),
  },
  {
    name: 'jiffies',
    doc: 'kernel jiffies',
    source: { helper: 'jiffies64' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(uint64),
  },
  {
    name: 'comm',
    doc: 'name of the current thread',
    source: { helper: 'get_current_comm' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(stringType(COMM_SIZE)),
  },
  {
    name: 'username',
    doc: 'name of the current user (uid resolved in user space)',
    source: { helper: 'get_current_uid_gid' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed({ kind: 'username', size: 8 }),
  },
  {
    name: 'curtask',
    doc: 'pointer to the current struct task_struct',
    source: { helper: 'get_current_task' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: (scope) => ({ type: pointerTo(structOrEmpty(scope, 'struct task_struct'), 'kernel') }),
  },
  {
    name: 'ppid',
    doc: 'process id of the parent (curtask->real_parent->tgid)',
    source: { helper: 'get_current_task', note: 'then real_parent->tgid' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(uint32),
  },
  {
    name: 'pcomm',
    doc: 'name of the parent process (curtask->real_parent->comm)',
    source: { helper: 'get_current_task', note: 'then real_parent->comm via probe_read_kernel' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: fixed(stringType(COMM_SIZE)),
  },
  {
    name: 'cpid',
    doc: 'pid of the child command (-c)',
    source: { constant: 'child pid, fixed at load time' },
    readsContext: false,
    needsProbe: false,
    callable: true,
    resolve: (scope) => (scope.hasChild ? { type: uint32 } : { error: M.cpidWithoutChild(), type: uint32 }),
  },
  {
    name: 'usermode',
    doc: '1 when the probe fired in user mode',
    source: { context: 'pt_regs cs & 3' },
    readsContext: true,
    needsProbe: true,
    callable: true,
    resolve: fixed(uint8),
  },
  {
    name: 'kstack',
    doc: 'kernel stack trace (stack id in the stack map)',
    source: { helper: 'get_stackid' },
    readsContext: true,
    needsProbe: false,
    callable: true,
    resolve: (scope) => ({ type: { kind: 'kstack', size: 16, mode: scope.config.stack_mode, limit: 127 } }),
  },
  {
    name: 'ustack',
    doc: 'user stack trace (stack id in the stack map, plus pid)',
    source: { helper: 'get_stackid' },
    readsContext: true,
    needsProbe: false,
    callable: true,
    resolve: (scope) => ({ type: { kind: 'ustack', size: 24, mode: scope.config.stack_mode, limit: 127 } }),
  },
  {
    name: 'probe',
    doc: 'full name of the probe that fired',
    source: { constant: 'the probe name, one program per match' },
    readsContext: false,
    needsProbe: true,
    callable: true,
    resolve: (scope) => ({ type: stringType((scope.probe?.longestName ?? 0) + 1) }),
  },
  {
    name: 'probetype',
    doc: 'provider of the probe that fired (special for BEGIN/END)',
    source: { constant: 'the provider name' },
    readsContext: false,
    needsProbe: true,
    callable: true,
    resolve: (scope) => {
      const names = scope.probe?.providers.map((p) => (p.family === 'special' ? 'special' : p.name)) ?? [];
      return { type: stringType(Math.max(1, ...names.map((n) => n.length)) + 1) };
    },
  },
  {
    name: 'func',
    doc: 'name of the traced function',
    source: { helper: 'get_func_ip' },
    readsContext: true,
    needsProbe: true,
    callable: true,
    resolve: (scope) => {
      let type: SizedType | undefined;
      for (const p of scope.probe!.providers) {
        const fam = p.family;
        if (fam === 'kprobe' || fam === 'kretprobe' || fam === 'fentry' || fam === 'fexit') type = { kind: 'ksym', size: 8 };
        else if (fam === 'uprobe' || fam === 'uretprobe') type = { kind: 'usym', size: 16 };
        else return { error: M.funcNotInProbe(p.name) };
      }
      return { type: type! };
    },
  },
  {
    name: 'retval',
    doc: 'return value of the traced function',
    source: { context: 'pt_regs ax (kretprobe/uretprobe), the last trampoline argument (fexit)' },
    readsContext: true,
    needsProbe: true,
    callable: true,
    resolve: (scope) => {
      const fam = singleFamily(scope);
      if (fam && RETVAL_FAMILIES.has(fam)) return { type: uint64 };
      if (fam === 'fentry' || fam === 'fexit') {
        const rt = scope.probe!.matches[0]?.retval;
        return rt ? { type: rt } : { error: M.retvalFieldMissing() };
      }
      return { error: M.retvalNotAllowed(fam === 'tracepoint') };
    },
  },
  {
    name: 'args',
    doc: 'the probe arguments as a record (tracepoint format, function parameters)',
    source: { context: 'the context record' },
    readsContext: true,
    needsProbe: true,
    callable: false,
    resolve: (scope) => {
      const fam = singleFamily(scope);
      if (fam === undefined) return { error: M.argsMixedProbeTypes() };
      if (fam === 'tracepoint' || fam === 'fentry' || fam === 'fexit' || fam === 'rawtracepoint' || fam === 'uprobe') {
        const args = scope.probe!.matches.find((m) => m.args)?.args;
        if (!args) return { error: M.argsUnreadable() };
        return { type: args };
      }
      return { error: M.argsNotAllowed(fam) };
    },
  },
  {
    name: 'ctx',
    doc: 'pointer to the raw context (struct pt_regs, struct bpf_perf_event_data, …)',
    source: { context: 'r1 at program entry' },
    readsContext: true,
    needsProbe: true,
    callable: false,
    resolve: (scope) => {
      const provs = scope.probe!.providers;
      const first = provs[0]!;
      const other = provs.find((p) => p.progType !== first.progType);
      if (other) return { error: M.ctxMixedProgTypes(progTypeConstant(first.progType), progTypeConstant(other.progType)) };
      switch (first.progType) {
        case 'kprobe':
          return { type: pointerTo(structOrEmpty(scope, 'struct pt_regs'), 'kernel') };
        case 'tracepoint':
          return { error: M.ctxInTracepoint() };
        case 'perf_event':
          return { type: pointerTo(structOrEmpty(scope, 'struct bpf_perf_event_data'), 'kernel') };
        case 'tracing':
          if (first.name === 'iter') {
            const fn = scope.probe!.matches[0]?.func ?? '';
            return { type: pointerTo(structOrEmpty(scope, `struct bpf_iter__${fn}`), 'kernel') };
          }
          return { error: M.ctxInvalidProgType() };
        default:
          return { error: M.ctxInvalidProgType() };
      }
    },
  },
  {
    name: 'arg',
    pattern: /^arg([0-9]+)$/,
    doc: 'the Nth integer argument register of the traced function',
    source: { context: 'pt_regs di, si, dx, cx, r8, r9' },
    readsContext: true,
    needsProbe: true,
    callable: false,
    resolve: (scope, name) => {
      for (const p of scope.probe!.providers) {
        if (!['kprobe', 'uprobe', 'usdt', 'rawtracepoint'].includes(p.family)) return { error: M.argNNotAllowed(name) };
      }
      const n = Number(name.slice(3));
      if (n > MAX_REGISTER_ARG) return { error: M.argNUnsupported(name) };
      return { type: uint64 };
    },
  },
  {
    name: 'sarg',
    pattern: /^sarg([0-9])$/,
    doc: 'the Nth argument passed on the stack',
    source: { context: 'pt_regs sp + 8*(N+1), read with probe_read' },
    readsContext: true,
    needsProbe: true,
    callable: false,
    resolve: (scope, name) => {
      for (const fam of families(scope)) {
        if (fam !== 'kprobe' && fam !== 'uprobe') return { error: M.sargNNotAllowed(name) };
      }
      return { type: uint64 };
    },
  },
];

function progTypeConstant(t: string): string {
  return `BPF_PROG_TYPE_${t.toUpperCase()}`;
}

export const BUILTINS: readonly BuiltinRow[] = ROWS;

/** The row for a builtin name (`pid`, `arg3`, `sarg0`), or undefined if it is not one. */
export function builtinByName(name: string): BuiltinRow | undefined {
  return ROWS.find((r) => (r.pattern ? r.pattern.test(name) : r.name === name));
}

/** Names for suggestions (argN listed as arg0…arg5). */
export function builtinNames(): string[] {
  return ROWS.flatMap((r) =>
    r.pattern ? Array.from({ length: r.name === 'arg' ? MAX_REGISTER_ARG + 1 : 10 }, (_, i) => `${r.name}${i}`) : [r.name],
  );
}

