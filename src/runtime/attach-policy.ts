// What bpftrace 0.23 says and does when probes cannot be attached: the attach points the world
// lacks (a kprobe on a function it does not have, a module that is not loaded, an fentry
// without BTF, a raw tracepoint that does not exist, one missing tracepoint of several), in
// the order 0.23 meets them and with its texts, under missing_probes ignore/warn/error.
// In: the failed attach points, in program order. Out: stderr lines and the fatal error, if
// any. Not attaching itself (run.ts, session.ts) nor the check-time diagnostics (src/check).

import type { CheckedProgram } from '../check/program.js';
import type { Message } from '../diag/diagnostic.js';
import { hasWildcard } from '../probes/glob.js';
import { runMessages } from '../diag/messages.js';

/** Why the world could not take an attach point. */
export type AttachFailureKind =
  /** kprobe/kretprobe on a function the kernel does not have (bcc's write to kprobe_events fails). */
  | 'no-function'
  /** kprobe/kretprobe naming a module other than vmlinux (none is loaded in the world). */
  | 'no-module'
  /** fentry/fexit whose function has no BTF (found when the programs are loaded). */
  | 'no-btf'
  /** rawtracepoint the kernel does not have (BPF_RAW_TRACEPOINT_OPEN gives ENOENT). */
  | 'no-rawtracepoint'
  /** One missing tracepoint of several attach points (already warned about by the checker). */
  | 'no-tracepoint';

export interface AttachFailure {
  readonly kind: AttachFailureKind;
  /** The probe's full name: 'kprobe:vmlinux:nonsense', 'tracepoint:syscalls:nonsense'. */
  readonly probe: string;
  readonly provider: string;
  /** Module (kernel functions) or category (tracepoints); '' when none. */
  readonly target: string;
  /** Function, raw tracepoint or tracepoint event. */
  readonly func: string;
  /**
   * bpftrace's `probe.orig_name != probe.name`: the attach point shares its block with others
   * or came from a wildcard. Only such attach points may be skipped.
   */
  readonly expanded: boolean;
  /** Position among all attach points of the program, in program order. */
  readonly order: number;
}

export interface AttachVerdict {
  /** Lines for stderr, each ending in '\n', in the order bpftrace prints them. */
  readonly lines: readonly string[];
  /** The error that ends the run (exit code 255 in bpftrace), after the lines. */
  readonly fatal?: Message;
}

/**
 * Providers bpftrace 0.23 attaches in reverse program order (the kernel runs them in reverse
 * attach order); the others are attached first, forward. Messages follow that order.
 */
const ATTACHED_IN_REVERSE: ReadonlySet<string> = new Set(['kprobe', 'uprobe', 'uretprobe', 'usdt', 'software', 'fentry', 'iter']);

type MissingProbes = 'ignore' | 'warn' | 'error';

/** The lines and fatal error of a set of failures, as 0.23 reports them. */
export function judgeAttachFailures(failures: readonly AttachFailure[], missingProbes: MissingProbes): AttachVerdict {
  const lines: string[] = [];
  const warn = (m: Message): void => void lines.push(`WARNING: ${m.text}\n`);
  // Programs are loaded before anything attaches: fentry/fexit without BTF come first.
  const loadPhase = failures.filter((f) => f.kind === 'no-btf').sort((a, b) => a.order - b.order);
  const forward = failures.filter((f) => f.kind !== 'no-btf' && !ATTACHED_IN_REVERSE.has(f.provider)).sort((a, b) => a.order - b.order);
  const reverse = failures.filter((f) => f.kind !== 'no-btf' && ATTACHED_IN_REVERSE.has(f.provider)).sort((a, b) => b.order - a.order);

  for (const f of loadPhase) {
    const what = f.target !== '' ? `${f.target}:${f.func}` : f.func;
    if (!f.expanded || missingProbes === 'error') return { lines, fatal: runMessages.noBtfFound(what) };
    if (missingProbes === 'warn') warn(runMessages.noBtfFoundSkipping(what));
  }
  for (const f of [...forward, ...reverse]) {
    switch (f.kind) {
      case 'no-tracepoint':
        // bcc reports the missing event file; bpftrace keeps going (the attach point was one of several).
        lines.push(`${runMessages.tracepointIdMissing(f.target, f.func).text}\n`);
        break;
      case 'no-rawtracepoint':
        return { lines, fatal: runMessages.rawTracepointMissing(f.probe) };
      case 'no-btf':
        break;
      case 'no-module':
      case 'no-function': {
        if (f.kind === 'no-module') {
          const notLoaded = runMessages.moduleNotLoaded(f.target, f.probe);
          if (!f.expanded) return { lines, fatal: runMessages.attachFailedBecause(f.probe, notLoaded.text) };
          warn(notLoaded);
        }
        // Under ignore, bpftrace does not even try a function it knows is not traceable.
        if (f.expanded && missingProbes === 'ignore') break;
        lines.push(`${runMessages.kprobeEntryMissing().text}\n`);
        if (f.expanded && missingProbes === 'warn') warn(runMessages.attachSkipped(f.probe));
        else return { lines, fatal: runMessages.attachFailed(f.probe) };
        break;
      }
    }
  }
  return { lines };
}

/** bpftrace exits with -1 (255) when attaching fails. */
export const ATTACH_FAILED_EXIT = 255;

/**
 * For one block: whether a probe name is "expanded" in bpftrace's sense (its name differs from
 * the block's): the block has several attach points, or the name came from a wildcard.
 */
export function expandedProbeNames(checked: CheckedProgram, probeIndex: number): (probe: string) => boolean {
  const block = checked.probes.find((p) => p.index === probeIndex);
  if (!block) return () => false;
  if (block.attachPoints.length > 1 || block.node.attachPoints.length > 1) return () => true;
  const fromWildcard = new Set(block.attachPoints.filter((ap) => ap.parts.some(hasWildcard)).flatMap((ap) => ap.matches.map((m) => m.name)));
  return (probe) => fromWildcard.has(probe);
}
