// The N of `Attaching N probes...`, counted as bpftrace 0.23 counts: one per concrete probe
// an attach point expands to (BEGIN and END included, an attach point listed twice counted
// twice, profile counted once however many CPUs it fires on), except that a wildcard
// kprobe/kretprobe/uprobe/uretprobe is one kprobe_multi/uprobe_multi attachment.
// In: the checked program. Out: a number. Not the printer.

import type { CheckedProgram, ResolvedAttachPoint } from '../check/program.js';
import { hasWildcard } from '../probes/glob.js';

const MULTI_ATTACH: ReadonlySet<string> = new Set(['kprobe', 'kretprobe', 'uprobe', 'uretprobe']);

function attachmentsOf(ap: ResolvedAttachPoint): number {
  if (MULTI_ATTACH.has(ap.provider) && ap.matches.length > 0 && ap.parts.some(hasWildcard)) return 1;
  // A named tracepoint that does not exist (one of several attach points) is still a probe
  // bpftrace tries to attach, and counts.
  if (ap.provider === 'tracepoint' && ap.matches.length === 0 && !ap.parts.some(hasWildcard)) return 1;
  return ap.matches.length;
}

export function countAttachedProbes(checked: CheckedProgram): number {
  let n = 0;
  for (const p of checked.probes) for (const ap of p.attachPoints) n += attachmentsOf(ap);
  return n;
}
