// `--dump bpf`: every compiled program in the kernel's text form (src/ebpf/asm's
// disassembler), one instruction per line with its slot number, map references named, and
// a header saying where the program attaches; then the maps. In: CompiledProgram.
// Out: text. It prints, nothing else.

import { typeName } from '../check/types.js';
import { BPF_CALL, BPF_JMP } from '../ebpf/isa.js';
import { disassemble, slotsAt } from '../ebpf/asm/disassemble.js';
import { HELPER_ID } from '../ebpf/helpers/helper-ids.js';
import type { CompiledProbeProgram, CompiledProgram, MapDef } from './compiled.js';

const HELPER_NAME = new Map<number, string>(Object.entries(HELPER_ID).map(([n, id]) => [id, n]));
HELPER_NAME.set(164, 'for_each_map_elem');
HELPER_NAME.set(58, 'override_return');

function mapLabel(m: MapDef | undefined): string {
  if (!m) return '?';
  return m.bpftraceName ?? m.spec.name;
}

/** The text of one program. */
export function dumpProgram(p: CompiledProbeProgram, maps: readonly MapDef[]): string {
  const out: string[] = [];
  const targets = p.attachTo.map((t) => t.probe).join(', ');
  out.push(`${p.name}: ${p.progType} program, section ${p.section}${targets ? `, attached to ${targets}` : ''}`);
  const relocAt = new Map(p.mapRelocs.map((r) => [r.insn, r.map]));
  const lines = disassemble(p.insns);
  let pc = 0;
  const width = String(p.insns.length).length;
  for (const text of lines) {
    let note = '';
    const map = relocAt.get(pc);
    if (map !== undefined) note = `  ; ${mapLabel(maps[map])}`;
    const insn = p.insns[pc]!;
    if (insn.code === (BPF_JMP | BPF_CALL) && insn.src === 0) note = `  ; ${HELPER_NAME.get(insn.imm) ?? 'helper'}`;
    out.push(`${String(pc).padStart(width)}: ${text}${note}`);
    pc += slotsAt(p.insns, pc);
  }
  return out.join('\n');
}

/** Every program, then the maps. */
export function dumpBpf(c: CompiledProgram): string {
  const parts = c.programs.map((p) => dumpProgram(p, c.maps));
  const maps = c.maps.map((m, i) => {
    const s = m.spec;
    const what = m.role === 'user' ? `${m.keyType ? `[${typeName(m.keyType)}]` : ''}: ${m.valueType ? typeName(m.valueType) : '?'}` : ` (${m.role})`;
    return `map ${i + 1} ${mapLabel(m)}${what}  ${s.type} key ${s.keySize} value ${s.valueSize} entries ${s.maxEntries}`;
  });
  return [...parts, maps.join('\n')].join('\n\n') + '\n';
}

/** Instructions (lddw counted once) and static helper calls of a program. */
export function programStats(p: CompiledProbeProgram): { insns: number; helperCalls: number } {
  let insns = 0;
  let calls = 0;
  for (let pc = 0; pc < p.insns.length; pc += slotsAt(p.insns, pc)) {
    insns++;
    const i = p.insns[pc]!;
    if (i.code === (BPF_JMP | BPF_CALL) && i.src === 0) calls++;
  }
  return { insns, helperCalls: calls };
}
