// What an eBPF object file holds as data — programs (section, name, instruction slots with
// their subprograms, map and global-variable relocations), BTF-defined map specs and global
// variables in data sections — plus the ELF64 constants the writer and reader share and the
// rule that turns bpftrace names (`@start`) into C identifiers, since BTF and the kernel
// accept nothing else. No encoding or decoding here.

import type { Insn } from '../isa.js';
import { BPF_F_RDONLY_PROG, type MapSpec } from '../maps/map.js';

export interface MapReloc {
  /** Slot index (within the program) of the `lddw` that loads the map. */
  readonly insnIndex: number;
  readonly mapName: string;
}

export interface DataReloc {
  /**
   * Slot index of the `lddw` that loads an address in the variable. As the machine runs it
   * (src=2, BPF_PSEUDO_MAP_VALUE), its imm is the fd of the variable's data section map and
   * its second slot's imm the offset in that section (see dataSectionLayouts).
   */
  readonly insnIndex: number;
  readonly variable: string;
}

export interface ElfProgram {
  /** libbpf section name, which selects the program type: `tracepoint/raw_syscalls/sys_enter`, `kprobe/vfs_read`. */
  readonly section: string;
  /** Function (symbol) name. */
  readonly name: string;
  /**
   * The program's slots, its subprograms after its own code as the machine runs them: each
   * slot a `call` (src=1) or `lddw` src=4 names starts a subprogram, which runs to the next
   * one or the end. In the object they live in `.text`, as libbpf wants subprograms.
   */
  readonly insns: readonly Insn[];
  readonly mapRelocs: readonly MapReloc[];
  /** `lddw` map_value references to global variables (none when absent). */
  readonly dataRelocs?: readonly DataReloc[];
}

/** The data sections libbpf turns into one-element array maps, in the order the object numbers them. */
export const DATA_SECTIONS = ['.rodata', '.data', '.bss'] as const;
export type DataSectionName = (typeof DATA_SECTIONS)[number];

/** A global variable: libbpf's `.rodata` ones are frozen read-only, `.bss` ones start zeroed. */
export interface ElfVariable {
  readonly name: string;
  readonly section: DataSectionName;
  /** Its initial bytes (all zero in `.bss`); their length is its size. */
  readonly bytes: Uint8Array;
}

export interface ElfObject {
  readonly programs: readonly ElfProgram[];
  /** BTF-defined maps of `.maps`. */
  readonly maps: readonly MapSpec[];
  readonly license: string;
  /** Global variables in data sections (none when absent). */
  readonly variables?: readonly ElfVariable[];
}

/** Variables are 8-byte aligned in their section. */
const VARIABLE_ALIGN = 8;

export interface DataSectionLayout {
  readonly section: DataSectionName;
  /** The array map libbpf creates for it: one value of the section's size. */
  readonly spec: MapSpec;
  readonly variables: readonly { readonly variable: ElfVariable; readonly offset: number }[];
  readonly size: number;
}

/**
 * Each data section the object's variables need, in DATA_SECTIONS order, with the variables'
 * offsets (in their order) and the map libbpf makes of it. A program's `lddw src=2` names
 * these maps by fd after the BTF-defined ones: fd = maps.length + 1 + index here.
 */
export function dataSectionLayouts(obj: ElfObject): DataSectionLayout[] {
  const out: DataSectionLayout[] = [];
  for (const section of DATA_SECTIONS) {
    const vars = (obj.variables ?? []).filter((v) => v.section === section);
    if (vars.length === 0) continue;
    let size = 0;
    const variables = vars.map((variable) => {
      const offset = Math.ceil(size / VARIABLE_ALIGN) * VARIABLE_ALIGN;
      size = offset + variable.bytes.length;
      return { variable, offset };
    });
    const spec: MapSpec = { name: section, type: 'array', keySize: 4, valueSize: size, maxEntries: 1 };
    out.push({ section, variables, size, spec: section === '.rodata' ? { ...spec, flags: BPF_F_RDONLY_PROG } : spec });
  }
  return out;
}

export const EM_BPF = 247;
export const ET_REL = 1;
export const ELF_HEADER_SIZE = 64;
export const SECTION_HEADER_SIZE = 64;
export const SYMBOL_SIZE = 24;
export const REL_SIZE = 16;

export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;

export const SHF_WRITE = 1;
export const SHF_ALLOC = 2;
export const SHF_EXECINSTR = 4;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;

/** Relocation of a 64-bit immediate (`lddw`) against a symbol: maps, variables, function addresses. */
export const R_BPF_64_64 = 1;
/** Relocation of a call's 32-bit immediate: a call into `.text`. */
export const R_BPF_64_32 = 10;

/** Where libbpf wants every subprogram. */
export const TEXT_SECTION = '.text';

/** Bytes of one BTF-defined map in `.maps`: four or five pointer-sized members. */
export const MAP_DEF_MEMBER_SIZE = 8;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The C identifier a map or program is named by in the object: unchanged when already one;
 * otherwise `@` becomes `AT_` (bpftrace's own convention: `@` → `AT_`, `@start` → `AT_start`)
 * and any other character outside [A-Za-z0-9_] becomes `_`.
 */
export function objectName(name: string): string {
  if (IDENT.test(name)) return name;
  let s = name.replace(/@/g, 'AT_').replace(/[^A-Za-z0-9_]/g, '_');
  if (s === '' || /^[0-9]/.test(s)) s = `_${s}`;
  return s;
}
