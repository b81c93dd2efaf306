// The bytes of a relocatable eBPF ELF64 in, an ElfObject out: programs from the global FUNC
// symbols of executable sections other than `.text`, each followed by the `.text`
// subprograms it reaches (calls and function addresses, relocated or section-relative), in
// `.text` order, as libbpf assembles them; map relocations from `.rel<section>`; map specs
// from the BTF definitions in `.maps` (`type`, `max_entries`, `key`/`key_size`,
// `value`/`value_size`, `map_flags`); global variables from `.rodata`/`.data`/`.bss`; the
// license. Relocated `lddw`s come back as the machine runs them: `src=1, imm=fd` with fds
// 1..n in map order, `src=2` naming the data section's map (fds after those, in
// dataSectionLayouts order) with the section offset in the second slot, and `src=4` with a
// pc-relative target. A malformed file is an ElfFormatError; the legacy `maps` section is
// refused, as libbpf 1.x does.

import { decodeBytes } from '../encode.js';
import { BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE, INSN_SIZE, LDDW } from '../isa.js';
import type { Insn } from '../isa.js';
import { BPF_MAP_TYPE } from '../maps/map.js';
import type { MapSpec, MapTypeName } from '../maps/map.js';
import { BTF_KIND, BtfFormatError, decodeBtf, resolveSize, skipModifiers } from './btf.js';
import type { BtfType } from './btf.js';
import {
  DATA_SECTIONS,
  ELF_HEADER_SIZE,
  EM_BPF,
  R_BPF_64_64,
  REL_SIZE,
  SECTION_HEADER_SIZE,
  SHF_EXECINSTR,
  SHT_NOBITS,
  SHT_PROGBITS,
  SHT_REL,
  SHT_SYMTAB,
  STB_GLOBAL,
  STT_FUNC,
  STT_OBJECT,
  STT_SECTION,
  SYMBOL_SIZE,
  TEXT_SECTION,
} from './elf-object.js';
import type { DataReloc, DataSectionName, ElfObject, ElfProgram, ElfVariable, MapReloc } from './elf-object.js';

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
  bind: number;
  shndx: number;
  value: number;
  size: number;
}

interface Rel {
  /** Byte offset in the section. */
  offset: number;
  type: number;
  sym: Sym | undefined;
}

/** One function's code in its section: slots [start, start + length). */
interface Func {
  readonly shndx: number;
  readonly name: string;
  readonly start: number;
  readonly insns: readonly Insn[];
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
    if (type !== SHT_NOBITS && offset + size > bytes.length) throw new ElfFormatError(`section ${i} out of bounds`);
    return { nameOff: v.getUint32(h, true), type, flags: Number(v.getBigUint64(h + 8, true)), offset, size, link: v.getUint32(h + 40, true), info: v.getUint32(h + 44, true) };
  });
  const names = raw[shstrndx]!;
  return raw.map((s) => ({ ...s, name: cString(bytes, names.offset + s.nameOff) }));
}

function symbols(bytes: Uint8Array, v: DataView, sections: readonly SectionHeader[]): Sym[] {
  const index = sections.findIndex((s) => s.type === SHT_SYMTAB);
  if (index < 0) throw new ElfFormatError('no .symtab');
  const symtab = sections[index]!;
  const strtab = sections[symtab.link];
  if (strtab === undefined) throw new ElfFormatError('.symtab has no string table');
  return Array.from({ length: Math.floor(symtab.size / SYMBOL_SIZE) }, (_, i) => {
    const at = symtab.offset + i * SYMBOL_SIZE;
    return {
      name: cString(bytes, strtab.offset + v.getUint32(at, true)),
      type: v.getUint8(at + 4) & 0xf,
      bind: v.getUint8(at + 4) >> 4,
      shndx: v.getUint16(at + 6, true),
      value: Number(v.getBigUint64(at + 8, true)),
      size: Number(v.getBigUint64(at + 16, true)),
    };
  });
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
  const data = (s: SectionHeader): Uint8Array => (s.type === SHT_NOBITS ? new Uint8Array(s.size) : bytes.subarray(s.offset, s.offset + s.size));
  const btfSection = sections.find((s) => s.name === '.BTF');
  let maps: MapSpec[] = [];
  try {
    maps = btfSection ? btfMaps(decodeBtf(data(btfSection))) : [];
  } catch (e) {
    if (e instanceof BtfFormatError) throw new ElfFormatError(e.message);
    throw e;
  }
  const fdOf = new Map(maps.map((m, i) => [m.name, i + 1]));
  const syms = symbols(bytes, v, sections);
  const mapsIndex = sections.findIndex((s) => s.name === '.maps');
  const textIndex = sections.findIndex((s) => s.name === TEXT_SECTION && (s.flags & SHF_EXECINSTR) !== 0);

  // ── global variables and the maps their sections become ──
  const variables: ElfVariable[] = [];
  const dataFd = new Map<number, number>();
  for (const name of DATA_SECTIONS) {
    const shndx = sections.findIndex((s) => s.name === name);
    if (shndx < 0) continue;
    const vars = syms.filter((s) => s.shndx === shndx && s.type === STT_OBJECT).sort((a, b) => a.value - b.value);
    if (vars.length === 0) continue;
    const sec = data(sections[shndx]!);
    for (const s of vars) {
      if (s.value + s.size > sec.length) throw new ElfFormatError(`variable '${s.name}' lies outside ${name}`);
      variables.push({ name: s.name, section: name as DataSectionName, bytes: Uint8Array.from(sec.subarray(s.value, s.value + s.size)) });
    }
    dataFd.set(shndx, maps.length + 1 + dataFd.size);
  }

  // ── code: every function of every executable section, and each section's relocations ──
  const decodedBySection = new Map<number, Insn[]>();
  const relsBySection = new Map<number, Map<number, Rel>>();
  const funcs: Func[] = [];
  sections.forEach((sec, shndx) => {
    if (sec.type !== SHT_PROGBITS || !(sec.flags & SHF_EXECINSTR)) return;
    const decoded = decodeBytes(data(sec));
    if (!decoded.ok) throw new ElfFormatError(`section '${sec.name}': ${decoded.error}`);
    decodedBySection.set(shndx, decoded.insns);
    const rels = new Map<number, Rel>();
    for (const r of sections.filter((x) => x.type === SHT_REL && x.info === shndx)) {
      for (let i = 0; i < Math.floor(r.size / REL_SIZE); i++) {
        const at = r.offset + i * REL_SIZE;
        const info = v.getBigUint64(at + 8, true);
        const offset = Number(v.getBigUint64(at, true));
        rels.set(offset / INSN_SIZE, { offset, type: Number(info & 0xffffffffn), sym: syms[Number(info >> 32n)] });
      }
    }
    relsBySection.set(shndx, rels);
    for (const fn of syms.filter((s) => s.shndx === shndx && s.type === STT_FUNC).sort((a, b) => a.value - b.value)) {
      const start = fn.value / INSN_SIZE;
      funcs.push({ shndx, name: fn.name, start, insns: decoded.insns.slice(start, start + fn.size / INSN_SIZE) });
    }
  });
  const textFuncs = funcs.filter((f) => f.shndx === textIndex);
  const textFuncAt = (slot: number, where: string): Func => {
    const f = textFuncs.find((x) => x.start === slot);
    if (f === undefined) throw new ElfFormatError(`${where}: no .text function starts at insn ${slot}`);
    return f;
  };

  /** A call's or function address's target in .text, from its relocation or relative position. */
  const textTarget = (fn: Func, k: number, x: Insn, rel: Rel | undefined, where: string): Func => {
    if (rel !== undefined) {
      if (rel.sym === undefined || rel.sym.shndx !== textIndex) throw new ElfFormatError(`${where}: relocation against something outside .text`);
      const slot = x.code === LDDW ? (rel.sym.value + x.imm) / INSN_SIZE : rel.sym.value / INSN_SIZE + x.imm + 1;
      return textFuncAt(slot, where);
    }
    if (fn.shndx !== textIndex) throw new ElfFormatError(`${where}: a call out of its section without a relocation`);
    return textFuncAt(fn.start + k + x.imm + 1, where);
  };

  /** Whether slot k of fn refers to a .text function (a call into .text or a function address). */
  const refersToText = (fn: Func, x: Insn, rel: Rel | undefined): boolean =>
    (x.code === 0x85 && x.src === 1 && (rel !== undefined || fn.shndx === textIndex)) || (x.code === LDDW && x.src === BPF_PSEUDO_FUNC);

  const programs: ElfProgram[] = [];
  for (const main of funcs.filter((f) => f.shndx !== textIndex)) {
    const secName = sections[main.shndx]!.name;
    const where = (fn: Func, k: number): string => `section '${sections[fn.shndx]!.name}' insn ${fn.start + k}`;
    // The .text functions this program reaches, in .text order (as they were written).
    const reached = new Set<Func>();
    const work: Func[] = [main];
    while (work.length > 0) {
      const fn = work.pop()!;
      const rels = relsBySection.get(fn.shndx)!;
      fn.insns.forEach((x, k) => {
        const rel = rels.get(fn.start + k);
        if (!refersToText(fn, x, rel)) return;
        const t = textTarget(fn, k, x, rel, where(fn, k));
        if (!reached.has(t)) {
          reached.add(t);
          work.push(t);
        }
      });
    }
    const parts = [main, ...textFuncs.filter((f) => reached.has(f))];
    const baseOf = new Map<Func, number>();
    let size = 0;
    for (const f of parts) {
      baseOf.set(f, size);
      size += f.insns.length;
    }
    const insns: Insn[] = parts.flatMap((f) => f.insns);
    const mapRelocs: MapReloc[] = [];
    const dataRelocs: DataReloc[] = [];
    for (const fn of parts) {
      const rels = relsBySection.get(fn.shndx)!;
      const base = baseOf.get(fn)!;
      fn.insns.forEach((x, k) => {
        const at = base + k;
        const rel = rels.get(fn.start + k);
        if (refersToText(fn, x, rel)) {
          const rel2 = textTarget(fn, k, x, rel, where(fn, k));
          const imm = baseOf.get(rel2)! - at - 1;
          insns[at] = { ...x, imm };
          if (x.code === LDDW) insns[at + 1] = { ...insns[at + 1]!, imm: 0 };
          return;
        }
        if (rel === undefined) return;
        const sym = rel.sym;
        if (rel.type !== R_BPF_64_64 || sym === undefined || x.code !== LDDW || k + 1 >= fn.insns.length)
          throw new ElfFormatError(`${where(fn, k)}: unsupported relocation`);
        if (sym.shndx === mapsIndex) {
          const fd = fdOf.get(sym.name);
          if (fd === undefined) throw new ElfFormatError(`${where(fn, k)}: bad map relocation`);
          insns[at] = { ...x, src: BPF_PSEUDO_MAP_FD, imm: fd };
          mapRelocs.push({ insnIndex: at, mapName: sym.name });
          return;
        }
        const fd = dataFd.get(sym.shndx);
        if (fd === undefined) throw new ElfFormatError(`${where(fn, k)}: relocation against section ${sym.shndx}`);
        // Against a variable or its section's symbol (clang's static variables): the addend is the first imm.
        const offset = (sym.type === STT_SECTION ? 0 : sym.value) + x.imm;
        const variable = syms.find((s) => s.shndx === sym.shndx && s.type === STT_OBJECT && offset >= s.value && offset < s.value + Math.max(1, s.size));
        if (variable === undefined) throw new ElfFormatError(`${where(fn, k)}: no variable at offset ${offset}`);
        insns[at] = { ...x, src: BPF_PSEUDO_MAP_VALUE, imm: fd };
        insns[at + 1] = { ...insns[at + 1]!, imm: offset };
        dataRelocs.push({ insnIndex: at, variable: variable.name });
      });
    }
    const program: ElfProgram = { section: secName, name: main.name, insns, mapRelocs: mapRelocs.sort((a, b) => a.insnIndex - b.insnIndex) };
    programs.push(dataRelocs.length > 0 ? { ...program, dataRelocs: dataRelocs.sort((a, b) => a.insnIndex - b.insnIndex) } : program);
  }
  // Global programs only: .text functions that are static or called are subprograms.
  const globalNames = new Set(syms.filter((s) => s.type === STT_FUNC && s.bind === STB_GLOBAL).map((s) => s.name));
  const lic = sections.find((s) => s.name === 'license');
  const obj: ElfObject = { programs: programs.filter((p) => globalNames.has(p.name)), maps, license: lic ? cString(bytes, lic.offset) : '' };
  return variables.length > 0 ? { ...obj, variables } : obj;
}
