// Raw tracepoints: the arguments a tracepoint's TP_PROTO passes (struct bpf_raw_tracepoint_args,
// one u64 each), made from the record the world writes for the same tracepoint. The kernel
// calls raw and ordinary tracepoint handlers from the same trace call, so a raw site rides on
// its tracepoint's site. In: the tracepoint record and the world's task lookup. Out: the
// argument words. Not where tracepoints fire (world.ts).

import type { TracepointFormat } from './catalog-view.js';

/** Room for the arguments of any tracepoint (the kernel caps TP_PROTO at 12). */
export const RAW_ARGS_MAX = 12;
export const RAW_ARGS_BYTES = RAW_ARGS_MAX * 8;

/**
 * How one argument is made: a record field's value, the task_struct of the pid a field holds,
 * the current task's saved user registers, or a constant.
 */
export type RawArg =
  | { readonly field: string }
  | { readonly taskOfPid: string }
  | { readonly userRegs: true }
  | { readonly value: number };

const f = (field: string): RawArg => ({ field });
const task = (pidField: string): RawArg => ({ taskOfPid: pidField });
const regs: RawArg = { userRegs: true };
const zero: RawArg = { value: 0 };

/**
 * TP_PROTO of the tracepoints the world emits whose arguments are not simply their record's
 * fields (Linux 6.8+). The others pass what their record holds, field by field.
 */
const PROTOS: Readonly<Record<string, readonly RawArg[]>> = {
  'raw_syscalls:sys_enter': [regs, f('id')],
  'raw_syscalls:sys_exit': [regs, f('ret')],
  'sched:sched_switch': [zero, task('prev_pid'), task('next_pid'), f('prev_state')],
  'sched:sched_waking': [task('pid')],
  'sched:sched_wakeup': [task('pid')],
  'sched:sched_wakeup_new': [task('pid')],
  'sched:sched_process_fork': [task('parent_pid'), task('child_pid')],
  // The third argument, struct linux_binprm *, has no object in the world: NULL.
  'sched:sched_process_exec': [task('pid'), f('old_pid'), zero],
  'sched:sched_process_exit': [task('pid'), f('group_dead')],
  'sched:sched_process_free': [task('pid')],
  'sched:sched_stat_runtime': [task('pid'), f('runtime')],
  'sched:sched_migrate_task': [task('pid'), f('dest_cpu')],
  'sched:sched_wake_idle_without_ipi': [f('cpu')],
  'task:task_newtask': [task('pid'), f('clone_flags')],
};

/** One argument as the world computes it: which record bytes, or which lookup. */
export interface RawArgPlan {
  /** 0 constant, 1 record field, 2 task of the pid in a record field, 3 user registers. */
  readonly how: 0 | 1 | 2 | 3;
  readonly offset: number;
  readonly size: number;
  readonly signed: boolean;
  readonly value: number;
}

/** The argument plan of `category:event` for its format (fields absent from it read as 0). */
export function rawArgPlan(category: string, event: string, format: TracepointFormat): readonly RawArgPlan[] {
  const proto = PROTOS[`${category}:${event}`] ?? format.fields.filter((x) => !x.common).map((x) => f(x.name));
  return proto.slice(0, RAW_ARGS_MAX).map((a): RawArgPlan => {
    if ('value' in a) return { how: 0, offset: 0, size: 0, signed: false, value: a.value };
    if ('userRegs' in a) return { how: 3, offset: 0, size: 0, signed: false, value: 0 };
    const name = 'field' in a ? a.field : a.taskOfPid;
    const field = format.fields.find((x) => x.name === name);
    // Strings and arrays are not arguments of their own (their pointers are not in the record).
    if (!field || field.dataLoc || field.arrayLength !== undefined || ![1, 2, 4, 8].includes(field.size)) return { how: 0, offset: 0, size: 0, signed: false, value: 0 };
    return { how: 'field' in a ? 1 : 2, offset: field.offset, size: field.size, signed: field.signed, value: 0 };
  });
}

/** Reads a planned field of a record as a signed or unsigned integer (a 64-bit one as bigint). */
export function readRecordField(view: DataView, p: RawArgPlan): number | bigint {
  switch (p.size) {
    case 1:
      return p.signed ? view.getInt8(p.offset) : view.getUint8(p.offset);
    case 2:
      return p.signed ? view.getInt16(p.offset, true) : view.getUint16(p.offset, true);
    case 4:
      return p.signed ? view.getInt32(p.offset, true) : view.getUint32(p.offset, true);
    default:
      return view.getBigUint64(p.offset, true);
  }
}
