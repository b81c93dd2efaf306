// Does a run need the synthetic world even if BEGIN exits at once? Building the world costs
// far more than a `BEGIN { exit(); }` run, so it is built (and its module loaded) only when a
// program attaches to it, a BEGIN/END program calls a helper that reads kernel memory, or
// something user space prints must be symbolized by it. In: the compiled program. Out: yes/no.

import type { CompiledProgram } from '../compile/compiled.js';
import type { SizedType } from '../check/types.js';
import { BPF_CALL, BPF_JMP } from '../ebpf/isa.js';
import { HELPER_ID } from '../ebpf/helpers/helper-ids.js';

/** Helpers whose answers come from the world's kernel memory or stacks. */
const WORLD_HELPERS: ReadonlySet<number> = new Set([
  HELPER_ID.probe_read,
  HELPER_ID.probe_read_str,
  HELPER_ID.probe_read_kernel,
  HELPER_ID.probe_read_kernel_str,
  // curtask in BEGIN/END: the tracer's own task_struct lives in the world's kernel memory.
  HELPER_ID.get_current_task,
  HELPER_ID.get_current_task_btf,
]);

/** Printed values user space resolves through the world. */
const WORLD_KINDS: ReadonlySet<string> = new Set(['ksym', 'usym', 'kstack', 'ustack', 'cgroup_path']);

function mentionsWorldKind(t: SizedType | undefined): boolean {
  if (!t) return false;
  if (WORLD_KINDS.has(t.kind)) return true;
  switch (t.kind) {
    case 'tuple':
    case 'record':
    case 'struct':
      return t.fields.some((f) => mentionsWorldKind(f.type));
    case 'array':
      return mentionsWorldKind(t.elem);
    default:
      return false;
  }
}

export function needsWorld(compiled: CompiledProgram): boolean {
  for (const p of compiled.programs) {
    if (p.special === undefined) return true;
    for (const i of p.insns) if (i.code === (BPF_JMP | BPF_CALL) && i.src === 0 && WORLD_HELPERS.has(i.imm)) return true;
  }
  for (const m of compiled.maps) if (mentionsWorldKind(m.keyType) || mentionsWorldKind(m.valueType)) return true;
  for (const e of compiled.asyncEvents) {
    if (e.kind === 'print_value' && mentionsWorldKind(e.value.type)) return true;
    if ('args' in e && e.args.some((a) => mentionsWorldKind(a.type))) return true;
  }
  return false;
}
