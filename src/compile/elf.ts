// `--emit-elf FILE`: a CompiledProgram as the relocatable eBPF object libbpf loads — one
// function per program in its libbpf section with its subprograms (for-map callbacks, `fn`
// subprograms, the helper-error reporter) in `.text`, map references as relocations against
// BTF-defined maps in `.maps`, the arrays reached with `lddw map_value` (the zero source, the
// globals) as global variables of `.rodata` / `.bss`, the license. In: a program compiled
// with any options (the defaults of a normal run included). Out: bytes, through src/ebpf/elf.
// Not: the ELF encoding itself. Constant tables (syscall and signal names) are `.maps`
// arrays the loader fills; an object loaded by libbpf starts with them empty.

import { InternalError } from '../diag/diagnostic.js';
import { writeElf } from '../ebpf/elf/write-elf.js';
import { dataSectionLayouts, type DataReloc, type DataSectionName, type ElfObject, type ElfVariable } from '../ebpf/elf/elf-object.js';
import { BPF_PSEUDO_MAP_VALUE } from '../ebpf/isa.js';
import type { CompiledProgram, MapDef } from './compiled.js';

/** The data section a map reached through `lddw map_value` lives in: read-only sources in `.rodata`, the rest zeroed in `.bss`. */
function dataSectionOf(def: MapDef): DataSectionName {
  return def.role === 'zero' ? '.rodata' : '.bss';
}

export function toElfObject(c: CompiledProgram, license = 'GPL'): ElfObject {
  // Maps reached through lddw map_value become variables; the others stay BTF-defined maps.
  const asValue = new Set<number>();
  const asMap = new Set<number>();
  for (const p of c.programs) {
    for (const r of p.mapRelocs) (p.insns[r.insn]!.src === BPF_PSEUDO_MAP_VALUE ? asValue : asMap).add(r.map);
  }
  for (const i of asValue) {
    if (asMap.has(i)) throw new InternalError(`map ${c.maps[i]!.spec.name} is reached both as a map and through lddw map_value`);
    const def = c.maps[i]!;
    if (def.spec.type !== 'array' || def.spec.maxEntries !== 1) throw new InternalError(`map ${def.spec.name} is reached through lddw map_value but is not a one-element array`);
  }
  const variables: ElfVariable[] = [...asValue].sort((a, b) => a - b).map((i) => {
    const def = c.maps[i]!;
    return { name: def.spec.name, section: dataSectionOf(def), bytes: new Uint8Array(def.spec.valueSize) };
  });
  const maps = c.maps.filter((_, i) => !asValue.has(i)).map((m) => m.spec);
  // Where each variable landed: its section's map fd (after the BTF-defined maps) and offset.
  const place = new Map<string, { fd: number; offset: number }>();
  dataSectionLayouts({ programs: [], maps, license, variables }).forEach((l, k) => {
    for (const v of l.variables) place.set(v.variable.name, { fd: maps.length + 1 + k, offset: v.offset });
  });
  const programs = c.programs.map((p) => {
    const insns = [...p.insns];
    const dataRelocs: DataReloc[] = [];
    const mapRelocs = p.mapRelocs.flatMap((r) => {
      const name = c.maps[r.map]!.spec.name;
      if (!asValue.has(r.map)) return [{ insnIndex: r.insn, mapName: name }];
      // As the machine would run it against the object's data section map.
      const at = place.get(name)!;
      insns[r.insn] = { ...insns[r.insn]!, imm: at.fd };
      insns[r.insn + 1] = { ...insns[r.insn + 1]!, imm: insns[r.insn + 1]!.imm + at.offset };
      dataRelocs.push({ insnIndex: r.insn, variable: name });
      return [];
    });
    return { section: p.section, name: p.name, insns, mapRelocs, ...(dataRelocs.length > 0 ? { dataRelocs } : {}) };
  });
  const obj: ElfObject = { programs, maps, license };
  return variables.length > 0 ? { ...obj, variables } : obj;
}

/** The ELF bytes of a compiled program. */
export function emitElf(c: CompiledProgram, license = 'GPL'): Uint8Array {
  return writeElf(toElfObject(c, license));
}
