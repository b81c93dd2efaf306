// What an eBPF object file holds as data — programs (section, name, instruction slots, map
// relocations) and BTF-defined map specs — plus the ELF64 constants the writer and reader
// share and the rule that turns bpftrace names (`@start`) into C identifiers, since BTF and
// the kernel accept nothing else. No encoding or decoding here.

import type { Insn } from '../isa.js';
import type { MapSpec } from '../maps/map.js';

export interface MapReloc {
  /** Slot index (within the program) of the `lddw` that loads the map. */
  readonly insnIndex: number;
  readonly mapName: string;
}

export interface ElfProgram {
  /** libbpf section name, which selects the program type: `tracepoint/raw_syscalls/sys_enter`, `kprobe/vfs_read`. */
  readonly section: string;
  /** Function (symbol) name. */
  readonly name: string;
  readonly insns: readonly Insn[];
  readonly mapRelocs: readonly MapReloc[];
}

export interface ElfObject {
  readonly programs: readonly ElfProgram[];
  readonly maps: readonly MapSpec[];
  readonly license: string;
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
export const SHT_REL = 9;

export const SHF_WRITE = 1;
export const SHF_ALLOC = 2;
export const SHF_EXECINSTR = 4;

export const STB_GLOBAL = 1;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;

/** Relocation of a 64-bit immediate (`lddw`) against a symbol: how maps are referenced. */
export const R_BPF_64_64 = 1;

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
