// The compile stage: CheckedProgram in, CompiledProgram out — one eBPF program per action
// block (one per match when the body depends on it), the maps, the async event table. User
// errors the checker cannot see (a program too big for the stack or the instruction limit,
// a construct without code) become located diagnostics; anything else that goes wrong is
// an InternalError. Not: verification (ebpf/verifier) or loading (runtime).

import { DiagnosticBag, type Result } from '../diag/diagnostic.js';
import { compileMessages as M } from '../diag/messages.js';
import type { CheckedProgram, ProbeMatch } from '../check/program.js';
import { BPF_COMPLEXITY_LIMIT_INSNS } from '../ebpf/isa.js';
import type { CompiledProbeProgram, CompiledProgram, CompileOptions } from './compiled.js';
import { ProgramContext } from './program-context.js';
import { compileProbe, ctxSizeOf, progTypeOf } from './probe.js';
import { attachTargets, programName, sectionName } from './sections.js';

export function compileProgram(checked: CheckedProgram, opts: CompileOptions = {}): Result<CompiledProgram> {
  const pc = new ProgramContext(checked, opts);
  const bag = new DiagnosticBag();
  const programs: CompiledProbeProgram[] = [];
  const beginPrograms: number[] = [];
  const endPrograms: number[] = [];

  for (const probe of checked.probes) {
    const all: ProbeMatch[] = probe.attachPoints.flatMap((a) => a.matches);
    // Per-match programs when the body depends on the match (probe, args of different records).
    const units: { matches: readonly ProbeMatch[]; only?: ProbeMatch }[] = probe.expandPerMatch
      ? all.map((m) => ({ matches: [m], only: m }))
      : [{ matches: all }];
    for (const unit of units) {
      const first = unit.only ?? all[0];
      const probeName = first?.name ?? probe.attachPoints[0]?.node.raw ?? '';
      const code = compileProbe(pc, probe, unit.matches, probeName);
      for (const err of code.errors) {
        bag.error(checked.source, err.span, err.kind === 'stack' ? M.stackLimit(err.message) : M.unsupported(err.message));
      }
      const n = code.code.insns.length;
      if (n > BPF_COMPLEXITY_LIMIT_INSNS) bag.error(checked.source, probe.node.span, M.tooManyInsns(probeName, n, BPF_COMPLEXITY_LIMIT_INSNS));
      const ap = probe.attachPoints.find((a) => !unit.only || a.matches.includes(unit.only)) ?? probe.attachPoints[0]!;
      const special = ap.provider === 'BEGIN' ? 'BEGIN' : ap.provider === 'END' ? 'END' : undefined;
      const index = programs.length;
      programs.push({
        name: programName(probeName, index),
        probeIndex: probe.index,
        probeName,
        attachTo: attachTargets(probe, unit.only),
        ...(special ? { special } : {}),
        progType: progTypeOf(probe),
        section: sectionName(ap, first),
        insns: code.code.insns,
        mapRelocs: code.code.mapRelocs,
        ctxSize: ctxSizeOf(progTypeOf(probe), unit.matches),
        stackSize: code.stackSize,
      });
      if (special === 'BEGIN') beginPrograms.push(index);
      if (special === 'END') endPrograms.push(index);
    }
  }
  if (bag.hasErrors) return { ok: false, diagnostics: bag.items };
  const ringbufMap = pc.ringbuf();
  const globalsMap = pc.hasInternal('globals');
  return {
    ok: true,
    value: {
      programs,
      maps: pc.maps,
      asyncEvents: pc.events,
      strftimeFormats: pc.strftimeFormats,
      cgroupPathFilters: pc.cgroupPathFilters,
      beginPrograms,
      endPrograms,
      ringbufMap,
      globalsMap,
    },
    warnings: [],
  };
}
