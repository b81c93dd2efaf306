// The bytes of a relocatable eBPF ELF64 in, an ElfObject out: programs from the FUNC symbols
// of executable sections, their map relocations from `.rel<section>`, map specs from the BTF
// definitions in `.maps` (`type`, `max_entries`, `key`/`key_size`, `value`/`value_size`,
// `map_flags`), and the license. Relocated `lddw`s come back as `src=1, imm=fd` with fds 1..n
// in map order, as the loader assigns them. A malformed file is an ElfFormatError; the legacy
// `maps` section is refused, as libbpf 1.x does.

import { decodeBytes } from '../encode.js';
import { BPF_PSEUDO_MAP_FD, INSN_SIZE, LDDW } from '../isa.js';
import type { Insn } from '../isa.js';
import { BPF_MAP_TYPE } from '../maps/map.js';
import type { MapSpec, MapTypeName } from '../maps/map.js';
import { BTF_KIND, BtfFormatError, decodeBtf, resolveSize, skipModifiers } from './btf.js';
import type { BtfType } from './btf.js';
import {
  ELF_HEADER_SIZE,
  EM_BPF,
  R_BPF_64_64,
  REL_SIZE,
  SECTION_HEADER_SIZE,
  SHF_EXECINSTR,
  SHT_PROGBITS,
  SHT_REL,
  SHT_SYMTAB,
  STT_FUNC,
  SYMBOL_SIZE,
} from './elf-object.js';
import type { ElfObject, ElfProgram, MapReloc } from './elf-object.js';

export class ElfFormatError extends Error {
  override readonly name = 'ElfFormatError';
}

interface SectionHeader {
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  info: number;
}

interface Sym {
  name: string;
  type: number;
  shndx: number;
  value: number;
  size: number;
}

const MAP_TYPE_BY_ID: ReadonlyMap<number, MapTypeName> = new Map(Object.entries(BPF_MAP_TYPE).map(([n, id]) => [id, n as MapTypeName]));

function cString(bytes: Uint8Array, at: number): string {
  let end = at;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.subarray(at, end)).toString('utf8');
}

function sectionHeaders(bytes: Uint8Array, v: DataView): SectionHeader[] {
  if (bytes.length < ELF_HEADER_SIZE || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46)
    throw new ElfFormatError('not an ELF file');
  if (bytes[4] !== 2 || bytes[5] !== 1) throw new ElfFormatError('not a little-endian ELF64 file');
  if (v.getUint16(18, true) !== EM_BPF) throw new ElfFormatError(`e_machine ${v.getUint16(18, true)} is not EM_BPF`);
  const shoff = Number(v.getBigUint64(40, true));
  const shnum = v.getUint16(60, true);
  const shstrndx = v.getUint16(62, true);
  if (shoff + shnum * SECTION_HEADER_SIZE > bytes.length || shstrndx >= shnum) throw new ElfFormatError('section headers out of bounds');
  const raw = Array.from({ length: shnum }, (_, i) => {
    const h = shoff + i * SECTION_HEADER_SIZE;
    const offset = Number(v.getBigUint64(h + 24, true));
    const size = Number(v.getBigUint64(h + 32, true));
    const type = v.getUint32(h + 4, true);
    if (type !== 8 /* SHT_NOBITS */ && offset + size > bytes.length) throw new ElfFormatError(`section ${i} out of bounds`);
    return { nameOff: v.getUint32(h, true), type, flags: Number(v.getBigUint64(h + 8, true)), offset, size, link: v.getUint32(h + 40, true), info: v.getUint32(h + 44, true) };
  });
  const names = raw[shstrndx]!;
  return raw.map((s) => ({ ...s, name: cString(bytes, names.offset + s.nameOff) }));
}

function symbols(bytes: Uint8Array, v: DataView, sections: readonly SectionHeader[]): { list: Sym[]; index: number } {
  const index = sections.findIndex((s) => s.type === SHT_SYMTAB);
  if (index < 0) throw new ElfFormatError('no .symtab');
  const symtab = sections[index]!;
  const strtab = sections[symtab.link];
  if (strtab === undefined) throw new ElfFormatError('.symtab has no string table');
  const list = Array.from({ length: Math.floor(symtab.size / SYMBOL_SIZE) }, (_, i) => {
    const at = symtab.offset + i * SYMBOL_SIZE;
    return {
      name: cString(bytes, strtab.offset + v.getUint32(at, true)),
      type: v.getUint8(at + 4) & 0xf,
      shndx: v.getUint16(at + 6, true),
      value: Number(v.getBigUint64(at + 8, true)),
      size: Number(v.getBigUint64(at + 16, true)),
    };
  });
  return { list, index };
}

/** The N of a `int (*name)[N]` member. */
function arrayLength(types: readonly BtfType[], member: { name: string; type: number }): number {
  const ptr = types[skipModifiers(types, member.type)];
  const arr = ptr?.kind === BTF_KIND.PTR ? types[skipModifiers(types, ptr.type)] : undefined;
  if (arr?.kind !== BTF_KIND.ARRAY) throw new ElfFormatError(`map member '${member.name}' is not of the form int (*${member.name})[N]`);
  return arr.array!.nelems;
}

/** The size of what a `T *name` member points to. */
function pointeeSize(types: readonly BtfType[], member: { name: string; type: number }): number {
  const ptr = types[skipModifiers(types, member.type)];
  if (ptr?.kind !== BTF_KIND.PTR) throw new ElfFormatError(`map member '${member.name}' is not a pointer`);
  return resolveSize(types, ptr.type);
}

function btfMaps(types: readonly BtfType[]): MapSpec[] {
  const sec = types.find((t) => t.kind === BTF_KIND.DATASEC && t.name === '.maps');
  if (sec === undefined) return [];
  return [...sec.secinfo!]
    .sort((a, b) => a.offset - b.offset)
    .map((info) => {
      const variable = types[info.type];
      if (variable?.kind !== BTF_KIND.VAR) throw new ElfFormatError('.maps entry is not a variable');
      const def = types[skipModifiers(types, variable.type)]!;
      if (def.kind !== BTF_KIND.STRUCT) throw new ElfFormatError(`map '${variable.name}' is not a struct`);
      const f: Record<string, number> = {};
      for (const mb of def.members!) {
        if (mb.name === 'key' || mb.name === 'value') f[`${mb.name}_size`] = pointeeSize(types, mb);
        else f[mb.name] = arrayLength(types, mb);
      }
      const type = MAP_TYPE_BY_ID.get(f['type'] ?? -1);
      if (type === undefined) throw new ElfFormatError(`map '${variable.name}': unsupported map type ${f['type']}`);
      const spec: MapSpec = { name: variable.name, type, keySize: f['key_size'] ?? 0, valueSize: f['value_size'] ?? 0, maxEntries: f['max_entries'] ?? 0 };
      return f['map_flags'] ? { ...spec, flags: f['map_flags'] } : spec;
    });
}

export function readElf(bytes: Uint8Array): ElfObject {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sections = sectionHeaders(bytes, v);
  if (sections.some((s) => s.name === 'maps')) throw new ElfFormatError("legacy 'maps' section is not supported (use BTF-defined .maps)");
  const data = (s: SectionHeader): Uint8Array => bytes.subarray(s.offset, s.offset + s.size);
  const btfSection = sections.find((s) => s.name === '.BTF');
  let maps: MapSpec[] = [];
  try {
    maps = btfSection ? btfMaps(decodeBtf(data(btfSection))) : [];
  } catch (e) {
    if (e instanceof BtfFormatError) throw new ElfFormatError(e.message);
    throw e;
  }
  const fdOf = new Map(maps.map((m, i) => [m.name, i + 1]));
  const { list: syms } = symbols(bytes, v, sections);
  const mapsIndex = sections.findIndex((s) => s.name === '.maps');

  const programs: ElfProgram[] = [];
  sections.forEach((sec, shndx) => {
    if (sec.type !== SHT_PROGBITS || !(sec.flags & SHF_EXECINSTR)) return;
    const decoded = decodeBytes(data(sec));
    if (!decoded.ok) throw new ElfFormatError(`section '${sec.name}': ${decoded.error}`);
    const funcs = syms.filter((s) => s.shndx === shndx && s.type === STT_FUNC).sort((a, b) => a.value - b.value);
    const relocs = sections
      .filter((r) => r.type === SHT_REL && r.info === shndx)
      .flatMap((r) =>
        Array.from({ length: Math.floor(r.size / REL_SIZE) }, (_, i) => {
          const at = r.offset + i * REL_SIZE;
          const info = v.getBigUint64(at + 8, true);
          return { offset: Number(v.getBigUint64(at, true)), type: Number(info & 0xffffffffn), sym: syms[Number(info >> 32n)] };
        }),
      );
    for (const fn of funcs) {
      const start = fn.value / INSN_SIZE;
      const insns: Insn[] = decoded.insns.slice(start, start + fn.size / INSN_SIZE);
      const mapRelocs: MapReloc[] = [];
      for (const r of relocs) {
        const k = r.offset / INSN_SIZE - start;
        if (k < 0 || k >= insns.length) continue;
        if (r.type !== R_BPF_64_64 || r.sym === undefined || r.sym.shndx !== mapsIndex)
          throw new ElfFormatError(`section '${sec.name}': unsupported relocation at offset ${r.offset}`);
        const fd = fdOf.get(r.sym.name);
        if (fd === undefined || insns[k]?.code !== LDDW || k + 1 >= insns.length)
          throw new ElfFormatError(`section '${sec.name}': bad map relocation at offset ${r.offset}`);
        insns[k] = { ...insns[k]!, src: BPF_PSEUDO_MAP_FD, imm: fd };
        mapRelocs.push({ insnIndex: k, mapName: r.sym.name });
      }
      programs.push({ section: sec.name, name: fn.name, insns, mapRelocs: mapRelocs.sort((a, b) => a.insnIndex - b.insnIndex) });
    }
  });
  const lic = sections.find((s) => s.name === 'license');
  return { programs, maps, license: lic ? cString(bytes, lic.offset) : '' };
}
