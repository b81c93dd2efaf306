// `--emit-elf FILE`: a CompiledProgram as the relocatable eBPF object libbpf loads — one
// function per program in its libbpf section, map references as R_BPF_64_64 relocations
// against BTF-defined maps in `.maps`, the license. In: a program compiled for an ELF (see
// ELF_COMPILE_OPTIONS). Out: bytes, through src/ebpf/elf. Not: the ELF encoding itself.

import { InternalError } from '../diag/diagnostic.js';
import { writeElf } from '../ebpf/elf/write-elf.js';
import type { ElfObject } from '../ebpf/elf/elf-object.js';
import { BPF_PSEUDO_MAP_VALUE } from '../ebpf/isa.js';
import type { CompiledProgram, CompileOptions } from './compiled.js';

/**
 * Options for a program meant for an ELF. The object has no data sections and no `.text`
 * subprograms (yet), so the zero source and globals are reached through map_lookup_elem
 * rather than lddw map_value, and helper errors are not reported through the shared
 * subprogram (bpftrace's runtime is not what reads this object anyway).
 */
export const ELF_COMPILE_OPTIONS: CompileOptions = { directValueAccess: false, helperErrors: false };

/** Map names as the object knows them: the bpftrace name or the internal map's own. */
function mapNames(c: CompiledProgram): string[] {
  return c.maps.map((m) => m.spec.name);
}

export function toElfObject(c: CompiledProgram, license = 'GPL'): ElfObject {
  const names = mapNames(c);
  const programs = c.programs.map((p) => {
    for (const r of p.mapRelocs) {
      if (p.insns[r.insn]!.src === BPF_PSEUDO_MAP_VALUE) {
        throw new InternalError(`program ${p.name} uses direct map value access; compile it with ELF_COMPILE_OPTIONS`);
      }
    }
    return {
      section: p.section,
      name: p.name,
      insns: p.insns,
      mapRelocs: p.mapRelocs.map((r) => ({ insnIndex: r.insn, mapName: names[r.map]! })),
    };
  });
  return { programs, maps: c.maps.map((m) => m.spec), license };
}

/** The ELF bytes of a compiled program. */
export function emitElf(c: CompiledProgram, license = 'GPL'): Uint8Array {
  return writeElf(toElfObject(c, license));
}
