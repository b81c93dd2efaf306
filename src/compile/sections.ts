// Where programs go: the libbpf ELF section name for a probe's program type and target
// (the name selects how libbpf loads and attaches it), the unique function name of each
// program, and the attach targets the runtime attaches to. In: resolved attach points.
// Out: strings and AttachTarget records. Not: the ELF itself (src/ebpf/elf).

import type { CheckedProbe, ProbeMatch, ResolvedAttachPoint } from '../check/program.js';
import type { AttachTarget } from './compiled.js';

/** libbpf's SEC() name for a program attached at `m` through `ap`. */
export function sectionName(ap: ResolvedAttachPoint, m: ProbeMatch | undefined): string {
  const func = m?.func || ap.parts[ap.parts.length - 1] || '';
  const target = m?.target || ap.parts[0] || '';
  switch (ap.provider) {
    case 'kprobe':
      return `kprobe/${func}${ap.offset ? `+0x${ap.offset.toString(16)}` : ''}`;
    case 'kretprobe':
      return `kretprobe/${func}`;
    case 'uprobe':
      return `uprobe/${target}:${func}`;
    case 'uretprobe':
      return `uretprobe/${target}:${func}`;
    case 'usdt':
      return `usdt/${target}:${func}`;
    case 'tracepoint':
      return `tracepoint/${target}/${func}`;
    case 'rawtracepoint':
      return `raw_tp/${func}`;
    case 'profile':
    case 'interval':
    case 'software':
    case 'hardware':
    case 'watchpoint':
    case 'asyncwatchpoint':
      return 'perf_event';
    case 'fentry':
      return `fentry/${func}`;
    case 'fexit':
      return `fexit/${func}`;
    case 'iter':
      return `iter/${func}`;
    default:
      // BEGIN, END, self, test, bench: run by user space, loaded as raw tracepoint programs.
      return `raw_tp/${ap.provider}`;
  }
}

/** Every concrete probe of the given attach points (or only `only`, for a per-match program). */
export function attachTargets(probe: CheckedProbe, only?: ProbeMatch): AttachTarget[] {
  const out: AttachTarget[] = [];
  for (const ap of probe.attachPoints) {
    const matches = ap.matches.length > 0 ? ap.matches : [{ name: ap.node.raw, target: '', func: '' } as ProbeMatch];
    for (const m of matches) {
      if (only && m !== only) continue;
      out.push({
        provider: ap.provider,
        probe: m.name,
        target: m.target,
        func: m.func,
        ...(ap.period ? { period: ap.period } : {}),
        ...(ap.offset !== undefined ? { offset: ap.offset } : {}),
      });
    }
  }
  return out;
}

/** A C identifier for a program: provider, target and function, and its index. */
export function programName(probeName: string, index: number): string {
  const base = probeName.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
  return `${base || 'probe'}_${index}`;
}
