// ElfObject in, the bytes of a relocatable eBPF ELF64 (EM_BPF) out, laid out as libbpf 1.x
// loads it: one executable section per program section name (several programs may share
// one, each a global FUNC symbol), `.rel<section>` with R_BPF_64_64 against map symbols for
// each map `lddw`, `license`, BTF-defined maps in `.maps` (`int (*type)[N]`-style members
// described in `.BTF`, with the programs' FUNC/FUNC_PROTO and a `.maps` DATASEC), and
// `.symtab`/`.strtab`. No `.BTF.ext`: libbpf loads programs without func/line info.

import { InternalError } from '../../diag/diagnostic.js';
import { encodeInsns } from '../encode.js';
import { INSN_SIZE, LDDW } from '../isa.js';
import type { Insn } from '../isa.js';
import { BPF_MAP_TYPE } from '../maps/map.js';
import type { MapSpec } from '../maps/map.js';
import { BTF_FUNC_GLOBAL, BTF_VAR_GLOBAL_ALLOCATED, BtfBuilder } from './btf.js';
import type { BtfMember } from './btf.js';
import {
  ELF_HEADER_SIZE,
  EM_BPF,
  ET_REL,
  MAP_DEF_MEMBER_SIZE,
  R_BPF_64_64,
  REL_SIZE,
  SECTION_HEADER_SIZE,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHT_PROGBITS,
  SHT_REL,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STT_FUNC,
  STT_OBJECT,
  SYMBOL_SIZE,
  objectName,
} from './elf-object.js';
import type { ElfObject, ElfProgram } from './elf-object.js';

/** Map types whose key and value libbpf passes as BTF types; the others use key_size/value_size. */
const TYPED_KV: ReadonlySet<string> = new Set(['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash', 'lru_percpu_hash']);

const UNSIGNED_INT_NAMES: Readonly<Record<number, string>> = { 1: 'unsigned char', 2: 'unsigned short', 4: 'unsigned int', 8: 'unsigned long long' };

interface Section {
  name: string;
  type: number;
  flags: number;
  data: Uint8Array;
  link: number;
  info: number;
  align: number;
  entsize: number;
}

interface Symbol {
  name: string;
  info: number;
  shndx: number;
  value: number;
  size: number;
}

/** Unique C identifiers for every name, in order (`x`, `x_1`, … on a clash). */
function uniqueNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    const base = objectName(n);
    let s = base;
    for (let i = 1; used.has(s); i++) s = `${base}_${i}`;
    used.add(s);
    return s;
  });
}

function mapMembers(btf: BtfBuilder, map: MapSpec): BtfMember[] {
  const int = btf.int('int', 4, true);
  const sized = (n: number): number => btf.ptr(btf.array(int, n));
  const bytesType = (n: number): number => {
    const name = UNSIGNED_INT_NAMES[n];
    return name !== undefined ? btf.int(name, n, false) : btf.array(btf.int('unsigned char', 1, false), n);
  };
  const fields: [string, number][] = [
    ['type', sized(BPF_MAP_TYPE[map.type])],
    ['max_entries', sized(map.maxEntries)],
  ];
  if (TYPED_KV.has(map.type)) {
    fields.push(['key', btf.ptr(bytesType(map.keySize))], ['value', btf.ptr(bytesType(map.valueSize))]);
  } else if (map.type !== 'ringbuf') {
    fields.push(['key_size', sized(map.keySize)], ['value_size', sized(map.valueSize)]);
  }
  if (map.flags) fields.push(['map_flags', sized(map.flags)]);
  return fields.map(([name, type], i) => ({ name, type, offset: i * MAP_DEF_MEMBER_SIZE * 8 }));
}

function checkRelocs(prog: ElfProgram, mapNames: ReadonlySet<string>): void {
  for (const r of prog.mapRelocs) {
    const insn = prog.insns[r.insnIndex];
    if (!mapNames.has(r.mapName)) throw new InternalError(`program '${prog.name}' references unknown map '${r.mapName}'`);
    if (insn === undefined || insn.code !== LDDW || r.insnIndex + 1 >= prog.insns.length)
      throw new InternalError(`program '${prog.name}': map relocation at insn ${r.insnIndex} is not an lddw`);
  }
}

export function writeElf(obj: ElfObject): Uint8Array {
  const names = uniqueNames([...obj.maps.map((m) => m.name), ...obj.programs.map((p) => p.name)]);
  const mapSym = new Map(obj.maps.map((m, i) => [m.name, names[i]!]));
  const progSym = obj.programs.map((_, i) => names[obj.maps.length + i]!);
  for (const p of obj.programs) checkRelocs(p, new Set(mapSym.keys()));

  // ── BTF: map definitions, program functions, the .maps DATASEC ──
  const btf = new BtfBuilder();
  const mapDefs = obj.maps.map((m, i) => {
    const members = mapMembers(btf, m);
    const size = members.length * MAP_DEF_MEMBER_SIZE;
    const struct = btf.struct('', size, members);
    return { name: names[i]!, size, varId: btf.variable(names[i]!, struct, BTF_VAR_GLOBAL_ALLOCATED) };
  });
  if (obj.programs.length > 0) {
    const proto = btf.funcProto(btf.int('int', 4, true), [{ name: 'ctx', type: btf.ptr(0) }]);
    for (const name of progSym) btf.func(name, proto, BTF_FUNC_GLOBAL);
  }
  let mapsSize = 0;
  const mapOffsets = mapDefs.map((d) => {
    const off = mapsSize;
    mapsSize += d.size;
    return off;
  });
  if (mapDefs.length > 0) btf.datasec('.maps', mapsSize, mapDefs.map((d, i) => ({ type: d.varId, offset: mapOffsets[i]!, size: d.size })));

  // ── sections ──
  const sections: Section[] = [];
  const addSection = (s: Omit<Section, 'link' | 'info' | 'entsize'> & Partial<Section>): number => {
    sections.push({ link: 0, info: 0, entsize: 0, ...s });
    return sections.length; // index after the null section
  };
  addSection({ name: '.strtab', type: SHT_STRTAB, flags: 0, data: new Uint8Array(0), align: 1 });

  const bySection = new Map<string, number[]>();
  obj.programs.forEach((p, i) => {
    const list = bySection.get(p.section) ?? [];
    list.push(i);
    bySection.set(p.section, list);
  });
  const symbols: Symbol[] = [];
  const relocsBySection: { target: number; name: string; relocs: { offset: number; sym: string }[] }[] = [];
  const progSymbolIndex: { name: string; shndx: number; value: number; size: number }[] = [];
  for (const [secName, progIdxs] of bySection) {
    const insns: Insn[] = [];
    const relocs: { offset: number; sym: string }[] = [];
    const shndx = sections.length + 1;
    for (const pi of progIdxs) {
      const p = obj.programs[pi]!;
      const start = insns.length;
      const relocated = new Set(p.mapRelocs.map((r) => r.insnIndex));
      p.insns.forEach((insn, k) => {
        // libbpf fills in src=BPF_PSEUDO_MAP_FD and the fd from the relocation, as clang leaves them 0.
        if (relocated.has(k) || relocated.has(k - 1)) insns.push({ ...insn, src: 0, imm: 0 });
        else insns.push(insn);
      });
      for (const r of p.mapRelocs) relocs.push({ offset: (start + r.insnIndex) * INSN_SIZE, sym: mapSym.get(r.mapName)! });
      progSymbolIndex.push({ name: progSym[pi]!, shndx, value: start * INSN_SIZE, size: p.insns.length * INSN_SIZE });
    }
    addSection({ name: secName, type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, data: encodeInsns(insns), align: 8 });
    if (relocs.length > 0) relocsBySection.push({ target: shndx, name: `.rel${secName}`, relocs });
  }
  const relSections = relocsBySection.map((r) => ({ ...r, index: addSection({ name: r.name, type: SHT_REL, flags: 0, data: new Uint8Array(0), align: 8, entsize: REL_SIZE, info: r.target }) }));
  addSection({ name: 'license', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, data: Buffer.from(`${obj.license}\0`), align: 1 });
  const mapsShndx =
    mapDefs.length > 0 ? addSection({ name: '.maps', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, data: new Uint8Array(mapsSize), align: 8 }) : 0;
  addSection({ name: '.BTF', type: SHT_PROGBITS, flags: 0, data: btf.encode(), align: 4 });
  const symtabIndex = addSection({ name: '.symtab', type: SHT_SYMTAB, flags: 0, data: new Uint8Array(0), align: 8, entsize: SYMBOL_SIZE, link: 1, info: 1 });

  // ── symbols: programs (FUNC) and maps (OBJECT), all global ──
  for (const p of progSymbolIndex) symbols.push({ name: p.name, info: (STB_GLOBAL << 4) | STT_FUNC, shndx: p.shndx, value: p.value, size: p.size });
  mapDefs.forEach((d, i) => symbols.push({ name: d.name, info: (STB_GLOBAL << 4) | STT_OBJECT, shndx: mapsShndx, value: mapOffsets[i]!, size: d.size }));
  const symIndex = new Map(symbols.map((s, i) => [s.name, i + 1]));

  // ── string table (section and symbol names) ──
  const strParts: Buffer[] = [Buffer.from([0])];
  const strOffsets = new Map<string, number>([['', 0]]);
  let strLen = 1;
  const strOff = (s: string): number => {
    let off = strOffsets.get(s);
    if (off === undefined) {
      off = strLen;
      strOffsets.set(s, off);
      const b = Buffer.from(`${s}\0`);
      strParts.push(b);
      strLen += b.length;
    }
    return off;
  };
  const sectionNameOffs = sections.map((s) => strOff(s.name));
  const symNameOffs = symbols.map((s) => strOff(s.name));
  sections[0]!.data = new Uint8Array(Buffer.concat(strParts));

  const symtab = new Uint8Array((symbols.length + 1) * SYMBOL_SIZE);
  const sv = new DataView(symtab.buffer);
  symbols.forEach((s, i) => {
    const at = (i + 1) * SYMBOL_SIZE;
    sv.setUint32(at, symNameOffs[i]!, true);
    sv.setUint8(at + 4, s.info);
    sv.setUint8(at + 5, 0);
    sv.setUint16(at + 6, s.shndx, true);
    sv.setBigUint64(at + 8, BigInt(s.value), true);
    sv.setBigUint64(at + 16, BigInt(s.size), true);
  });
  sections[symtabIndex - 1]!.data = symtab;
  for (const r of relSections) {
    const data = new Uint8Array(r.relocs.length * REL_SIZE);
    const rv = new DataView(data.buffer);
    r.relocs.forEach((rel, i) => {
      rv.setBigUint64(i * REL_SIZE, BigInt(rel.offset), true);
      rv.setBigUint64(i * REL_SIZE + 8, (BigInt(symIndex.get(rel.sym)!) << 32n) | BigInt(R_BPF_64_64), true);
    });
    const s = sections[r.index - 1]!;
    s.data = data;
    s.link = symtabIndex;
  }

  // ── layout: header, section contents, section header table ──
  let at = ELF_HEADER_SIZE;
  const offsets = sections.map((s) => {
    at = Math.ceil(at / s.align) * s.align;
    const off = at;
    at += s.data.length;
    return off;
  });
  const shoff = Math.ceil(at / 8) * 8;
  const out = new Uint8Array(shoff + (sections.length + 1) * SECTION_HEADER_SIZE);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2 /* 64-bit */, 1 /* little-endian */, 1 /* EV_CURRENT */]);
  v.setUint16(16, ET_REL, true);
  v.setUint16(18, EM_BPF, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint16(52, ELF_HEADER_SIZE, true);
  v.setUint16(58, SECTION_HEADER_SIZE, true);
  v.setUint16(60, sections.length + 1, true);
  v.setUint16(62, 1, true); // section names live in .strtab
  sections.forEach((s, i) => {
    out.set(s.data, offsets[i]!);
    const h = shoff + (i + 1) * SECTION_HEADER_SIZE;
    v.setUint32(h, sectionNameOffs[i]!, true);
    v.setUint32(h + 4, s.type, true);
    v.setBigUint64(h + 8, BigInt(s.flags), true);
    v.setBigUint64(h + 24, BigInt(offsets[i]!), true);
    v.setBigUint64(h + 32, BigInt(s.data.length), true);
    v.setUint32(h + 40, s.link, true);
    v.setUint32(h + 44, s.info, true);
    v.setBigUint64(h + 48, BigInt(s.align), true);
    v.setBigUint64(h + 56, BigInt(s.entsize), true);
  });
  return out;
}
