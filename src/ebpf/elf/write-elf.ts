// ElfObject in, the bytes of a relocatable eBPF ELF64 (EM_BPF) out, laid out as libbpf 1.x
// loads it (bpftool's libbpf 1.1 here): one executable section per program section name
// (several programs may share one, each a global FUNC); the programs' subprograms in `.text`
// as static FUNCs, called through R_BPF_64_32 and addressed (callbacks, lddw src=4) through
// R_BPF_64_64 relocations against the `.text` section symbol, as clang writes static
// functions; `.rel<section>` with R_BPF_64_64 against map and variable symbols; `license`;
// BTF-defined maps in `.maps`; global variables in `.rodata`/`.data`/`.bss`; `.BTF` (map
// definitions, variables and their DATASECs, every function's FUNC) and `.BTF.ext` function
// info (the kernel wants it for callbacks); `.symtab`/`.strtab`. No line info.

import { InternalError } from '../../diag/diagnostic.js';
import { encodeInsns } from '../encode.js';
import { BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_VALUE, INSN_SIZE, LDDW } from '../isa.js';
import type { Insn } from '../isa.js';
import { BPF_MAP_TYPE } from '../maps/map.js';
import type { MapSpec } from '../maps/map.js';
import { checkStructure, targetOf } from '../program.js';
import type { OpcodeRow } from '../opcodes.js';
import { BTF_FUNC_GLOBAL, BTF_FUNC_STATIC, BTF_VAR_GLOBAL_ALLOCATED, BtfBuilder, encodeBtfExt } from './btf.js';
import type { BtfMember, FuncInfoSection } from './btf.js';
import {
  dataSectionLayouts,
  ELF_HEADER_SIZE,
  EM_BPF,
  ET_REL,
  MAP_DEF_MEMBER_SIZE,
  R_BPF_64_32,
  R_BPF_64_64,
  REL_SIZE,
  SECTION_HEADER_SIZE,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHT_NOBITS,
  SHT_PROGBITS,
  SHT_REL,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STB_LOCAL,
  STT_FUNC,
  STT_OBJECT,
  STT_SECTION,
  SYMBOL_SIZE,
  TEXT_SECTION,
  objectName,
} from './elf-object.js';
import type { ElfObject, ElfProgram } from './elf-object.js';

/** Map types whose key and value libbpf passes as BTF types; the others use key_size/value_size. */
const TYPED_KV: ReadonlySet<string> = new Set(['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash', 'lru_percpu_hash']);

const UNSIGNED_INT_NAMES: Readonly<Record<number, string>> = { 1: 'unsigned char', 2: 'unsigned short', 4: 'unsigned int', 8: 'unsigned long long' };

/** Arguments a subprogram's BTF prototype declares: r1..r5 (the kernel checks no more for static functions). */
const SUBPROG_PARAMS = ['r1', 'r2', 'r3', 'r4', 'r5'];

interface Section {
  name: string;
  type: number;
  flags: number;
  data: Uint8Array;
  /** SHT_NOBITS: the size, with no bytes in the file. */
  nobits?: number;
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

interface Reloc {
  /** Byte offset in the section. */
  offset: number;
  /** Key into the symbol index: `sec:.text`, `map:<name>`, `var:<name>`. */
  sym: string;
  type: number;
}

/** One function of a program: its slots [start, end); main is the program's own code. */
interface Unit {
  readonly start: number;
  readonly end: number;
  readonly main: boolean;
  /** Symbol name (unique, a C identifier). */
  name: string;
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

function bytesType(btf: BtfBuilder, n: number): number {
  const name = UNSIGNED_INT_NAMES[n];
  return name !== undefined ? btf.int(name, n, false) : btf.array(btf.int('unsigned char', 1, false), n);
}

function mapMembers(btf: BtfBuilder, map: MapSpec): BtfMember[] {
  const int = btf.int('int', 4, true);
  const sized = (n: number): number => btf.ptr(btf.array(int, n));
  const fields: [string, number][] = [
    ['type', sized(BPF_MAP_TYPE[map.type])],
    ['max_entries', sized(map.maxEntries)],
  ];
  if (TYPED_KV.has(map.type)) {
    fields.push(['key', btf.ptr(bytesType(btf, map.keySize))], ['value', btf.ptr(bytesType(btf, map.valueSize))]);
  } else if (map.type !== 'ringbuf') {
    fields.push(['key_size', sized(map.keySize)], ['value_size', sized(map.valueSize)]);
  }
  if (map.flags) fields.push(['map_flags', sized(map.flags)]);
  return fields.map(([name, type], i) => ({ name, type, offset: i * MAP_DEF_MEMBER_SIZE * 8 }));
}

/**
 * A program's functions: main first, then each subprogram (a slot some call or lddw src=4
 * names) to the next. Refuses what libbpf could not relocate: jumps between functions, calls
 * or addresses of the program's own entry, relocations on the wrong instructions.
 */
function unitsOf(p: ElfProgram, mapNames: ReadonlySet<string>, varNames: ReadonlySet<string>): { units: Unit[]; rows: readonly (OpcodeRow | undefined)[] } {
  const fail = (msg: string): never => {
    throw new InternalError(`program '${p.name}': ${msg}`);
  };
  const { rows, errors } = checkStructure(p.insns);
  if (errors.length > 0 && p.insns.length > 0) fail(`malformed at insn ${errors[0]!.pc}: ${errors[0]!.message}`);
  for (const r of p.mapRelocs) {
    if (!mapNames.has(r.mapName)) fail(`references unknown map '${r.mapName}'`);
    if (p.insns[r.insnIndex]?.code !== LDDW || r.insnIndex + 1 >= p.insns.length) fail(`map relocation at insn ${r.insnIndex} is not an lddw`);
  }
  for (const r of p.dataRelocs ?? []) {
    if (!varNames.has(r.variable)) fail(`references unknown variable '${r.variable}'`);
    const x = p.insns[r.insnIndex];
    if (x?.code !== LDDW || (x.src !== 0 && x.src !== BPF_PSEUDO_MAP_VALUE) || r.insnIndex + 1 >= p.insns.length) {
      fail(`variable relocation at insn ${r.insnIndex} is not an lddw map_value`);
    }
  }
  const starts = new Set<number>();
  rows.forEach((row, pc) => {
    if (row === undefined) return;
    if (row.kind === 'call_local' || (row.kind === 'lddw' && row.pseudo === BPF_PSEUDO_FUNC)) {
      const t = targetOf(row, p.insns[pc]!, pc)!;
      if (t === 0) fail(`insn ${pc} calls or takes the address of the program's entry`);
      starts.add(t);
    }
  });
  const bounds = [0, ...[...starts].sort((a, b) => a - b), p.insns.length];
  const units: Unit[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) units.push({ start: bounds[i]!, end: bounds[i + 1]!, main: i === 0, name: '' });
  const unitOf = (pc: number): Unit => units.find((u) => pc >= u.start && pc < u.end)!;
  rows.forEach((row, pc) => {
    if (row === undefined || (row.kind !== 'jcond' && row.kind !== 'ja')) return;
    const t = targetOf(row, p.insns[pc]!, pc)!;
    if (unitOf(t) !== unitOf(pc)) fail(`insn ${pc} jumps from one function into another (insn ${t})`);
  });
  return { units, rows };
}

export function writeElf(obj: ElfObject): Uint8Array {
  const layouts = dataSectionLayouts(obj);
  const variables = layouts.flatMap((l) => l.variables.map((x) => x.variable));
  const varOffset = new Map(layouts.flatMap((l) => l.variables.map((x) => [x.variable.name, x.offset] as const)));
  const split = obj.programs.map((p) => unitsOf(p, new Set(obj.maps.map((m) => m.name)), new Set(variables.map((v) => v.name))));
  const subprogCount = split.reduce((a, s) => a + s.units.length - 1, 0);
  // Names: maps, variables, programs, then subprograms (`<program>_sub<slot>`).
  const names = uniqueNames([
    ...obj.maps.map((m) => m.name),
    ...variables.map((v) => v.name),
    ...obj.programs.map((p) => p.name),
    ...split.flatMap((s, i) => s.units.slice(1).map((u) => `${obj.programs[i]!.name}_sub${u.start}`)),
  ]);
  const mapSym = new Map(obj.maps.map((m, i) => [m.name, names[i]!]));
  const varSym = new Map(variables.map((v, i) => [v.name, names[obj.maps.length + i]!]));
  let nameAt = obj.maps.length + variables.length;
  const progSym = obj.programs.map(() => names[nameAt++]!);
  for (const s of split) for (const u of s.units.slice(1)) u.name = names[nameAt++]!;

  // ── code: programs' own code in their sections, subprograms in .text ──
  const text: Insn[] = [];
  const bySection = new Map<string, Insn[]>();
  const relocs = new Map<string, Reloc[]>();
  const addReloc = (section: string, r: Reloc): void => {
    const list = relocs.get(section) ?? [];
    list.push(r);
    relocs.set(section, list);
  };
  /** Where each program's main code and each subprogram landed (slot in its section). */
  const mains: { section: string; slot: number; size: number }[] = [];
  const subprogs: { name: string; slot: number; size: number }[] = [];
  obj.programs.forEach((p, pi) => {
    const { units, rows } = split[pi]!;
    const code = bySection.get(p.section) ?? [];
    bySection.set(p.section, code);
    const base = new Map<Unit, number>();
    for (const u of units) {
      const dst = u.main ? code : text;
      base.set(u, dst.length);
      for (let k = u.start; k < u.end; k++) dst.push(p.insns[k]!);
      if (u.main) mains.push({ section: p.section, slot: base.get(u)!, size: u.end - u.start });
      else subprogs.push({ name: u.name, slot: base.get(u)!, size: u.end - u.start });
    }
    const unitOf = (pc: number): Unit => units.find((u) => pc >= u.start && pc < u.end)!;
    const where = (pc: number): { section: string; code: Insn[]; slot: number } => {
      const u = unitOf(pc);
      return { section: u.main ? p.section : TEXT_SECTION, code: u.main ? code : text, slot: base.get(u)! + pc - u.start };
    };
    const mapAt = new Map(p.mapRelocs.map((r) => [r.insnIndex, r.mapName]));
    const varAt = new Map((p.dataRelocs ?? []).map((r) => [r.insnIndex, r.variable]));
    rows.forEach((row, k) => {
      if (row === undefined) return;
      const x = p.insns[k]!;
      const at = where(k);
      const set = (first: Partial<Insn>, second?: Partial<Insn>): void => {
        at.code[at.slot] = { ...x, ...first };
        if (second) at.code[at.slot + 1] = { ...p.insns[k + 1]!, ...second };
      };
      const mapName = mapAt.get(k);
      const varName = varAt.get(k);
      if (mapName !== undefined) {
        // libbpf fills in src=BPF_PSEUDO_MAP_FD and the fd from the relocation, as clang leaves them 0.
        set({ src: 0, imm: 0 }, { imm: 0 });
        addReloc(at.section, { offset: at.slot * INSN_SIZE, sym: `map:${mapSym.get(mapName)}`, type: R_BPF_64_64 });
      } else if (varName !== undefined) {
        // The offset into the variable is the addend (first imm); libbpf adds the symbol's.
        const addend = p.insns[k + 1]!.imm - varOffset.get(varName)!;
        const size = variables.find((v) => v.name === varName)!.bytes.length;
        if (addend < 0 || addend > size) throw new InternalError(`program '${p.name}': insn ${k} points outside variable '${varName}'`);
        set({ src: 0, imm: addend }, { imm: 0 });
        addReloc(at.section, { offset: at.slot * INSN_SIZE, sym: `var:${varSym.get(varName)}`, type: R_BPF_64_64 });
      } else if (row.kind === 'call_local' || (row.kind === 'lddw' && row.pseudo === BPF_PSEUDO_FUNC)) {
        const target = where(targetOf(row, x, k)!);
        if (row.kind === 'lddw') {
          // Always relocated (libbpf wants it even within .text): the byte offset in .text.
          set({ imm: target.slot * INSN_SIZE }, { imm: 0 });
          addReloc(at.section, { offset: at.slot * INSN_SIZE, sym: `sec:${TEXT_SECTION}`, type: R_BPF_64_64 });
        } else if (at.section === TEXT_SECTION) {
          set({ imm: target.slot - at.slot - 1 });
        } else {
          // Into .text from a program's section: the target slot - 1, against the section symbol.
          set({ imm: target.slot - 1 });
          addReloc(at.section, { offset: at.slot * INSN_SIZE, sym: `sec:${TEXT_SECTION}`, type: R_BPF_64_32 });
        }
      }
    });
  });

  // ── BTF: map definitions, variables, functions; DATASECs ──
  const btf = new BtfBuilder();
  const mapDefs = obj.maps.map((m) => {
    const members = mapMembers(btf, m);
    const size = members.length * MAP_DEF_MEMBER_SIZE;
    const struct = btf.struct('', size, members);
    const name = mapSym.get(m.name)!;
    return { name, size, varId: btf.variable(name, struct, BTF_VAR_GLOBAL_ALLOCATED) };
  });
  const funcIds = new Map<string, number>();
  if (obj.programs.length > 0) {
    const proto = btf.funcProto(btf.int('int', 4, true), [{ name: 'ctx', type: btf.ptr(0) }]);
    for (const name of progSym) funcIds.set(name, btf.func(name, proto, BTF_FUNC_GLOBAL));
  }
  if (subprogs.length > 0) {
    const u64 = btf.int('unsigned long long', 8, false);
    const proto = btf.funcProto(btf.int('long long', 8, true), SUBPROG_PARAMS.map((name) => ({ name, type: u64 })));
    for (const s of subprogs) funcIds.set(s.name, btf.func(s.name, proto, BTF_FUNC_STATIC));
  }
  let mapsSize = 0;
  const mapOffsets = mapDefs.map((d) => {
    const off = mapsSize;
    mapsSize += d.size;
    return off;
  });
  if (mapDefs.length > 0) btf.datasec('.maps', mapsSize, mapDefs.map((d, i) => ({ type: d.varId, offset: mapOffsets[i]!, size: d.size })));
  for (const l of layouts) {
    const vars = l.variables.map(({ variable, offset }) => {
      const name = varSym.get(variable.name)!;
      return { type: btf.variable(name, bytesType(btf, variable.bytes.length), BTF_VAR_GLOBAL_ALLOCATED), offset, size: variable.bytes.length };
    });
    btf.datasec(l.section, l.size, vars);
  }

  // ── sections ──
  const sections: Section[] = [];
  const addSection = (s: Omit<Section, 'link' | 'info' | 'entsize'> & Partial<Section>): number => {
    sections.push({ link: 0, info: 0, entsize: 0, ...s });
    return sections.length; // index after the null section
  };
  const indexOf = new Map<string, number>();
  addSection({ name: '.strtab', type: SHT_STRTAB, flags: 0, data: new Uint8Array(0), align: 1 });
  if (text.length > 0) indexOf.set(TEXT_SECTION, addSection({ name: TEXT_SECTION, type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, data: encodeInsns(text), align: 8 }));
  for (const [name, code] of bySection) {
    indexOf.set(name, addSection({ name, type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, data: encodeInsns(code), align: 8 }));
  }
  const relSections = [...relocs].map(([target, list]) => ({
    list,
    index: addSection({ name: `.rel${target}`, type: SHT_REL, flags: 0, data: new Uint8Array(0), align: 8, entsize: REL_SIZE, info: indexOf.get(target)! }),
  }));
  addSection({ name: 'license', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, data: Buffer.from(`${obj.license}\0`), align: 1 });
  const mapsShndx =
    mapDefs.length > 0 ? addSection({ name: '.maps', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, data: new Uint8Array(mapsSize), align: 8 }) : 0;
  for (const l of layouts) {
    const data = new Uint8Array(l.section === '.bss' ? 0 : l.size);
    if (l.section !== '.bss') for (const { variable, offset } of l.variables) data.set(variable.bytes, offset);
    const flags = SHF_ALLOC | (l.section === '.rodata' ? 0 : SHF_WRITE);
    indexOf.set(l.section, addSection({ name: l.section, type: l.section === '.bss' ? SHT_NOBITS : SHT_PROGBITS, flags, data, align: 8, ...(l.section === '.bss' ? { nobits: l.size } : {}) }));
  }
  // Function info: each program's own code in its section, each subprogram in .text.
  const funcInfo: FuncInfoSection[] = [];
  for (const name of bySection.keys()) {
    const records = obj.programs.flatMap((p, i) => (p.section === name ? [{ insnOff: mains[i]!.slot * INSN_SIZE, typeId: funcIds.get(progSym[i]!)! }] : []));
    funcInfo.push({ section: name, records });
  }
  funcInfo.push({ section: TEXT_SECTION, records: subprogs.map((s) => ({ insnOff: s.slot * INSN_SIZE, typeId: funcIds.get(s.name)! })) });
  const btfExt = obj.programs.length > 0 ? encodeBtfExt(btf, funcInfo) : undefined;
  addSection({ name: '.BTF', type: SHT_PROGBITS, flags: 0, data: btf.encode(), align: 4 });
  if (btfExt) addSection({ name: '.BTF.ext', type: SHT_PROGBITS, flags: 0, data: btfExt, align: 4 });
  const symtabIndex = addSection({ name: '.symtab', type: SHT_SYMTAB, flags: 0, data: new Uint8Array(0), align: 8, entsize: SYMBOL_SIZE, link: 1 });

  // ── symbols: locals (the .text section, subprograms) first, then programs, maps, variables ──
  const symbols: { key: string; sym: Symbol }[] = [];
  const textShndx = indexOf.get(TEXT_SECTION);
  if (textShndx !== undefined) {
    symbols.push({ key: `sec:${TEXT_SECTION}`, sym: { name: '', info: (STB_LOCAL << 4) | STT_SECTION, shndx: textShndx, value: 0, size: 0 } });
    for (const s of subprogs) symbols.push({ key: `fn:${s.name}`, sym: { name: s.name, info: (STB_LOCAL << 4) | STT_FUNC, shndx: textShndx, value: s.slot * INSN_SIZE, size: s.size * INSN_SIZE } });
  }
  const firstGlobal = symbols.length + 1;
  obj.programs.forEach((p, i) => {
    const m = mains[i]!;
    symbols.push({ key: `prog:${progSym[i]}`, sym: { name: progSym[i]!, info: (STB_GLOBAL << 4) | STT_FUNC, shndx: indexOf.get(p.section)!, value: m.slot * INSN_SIZE, size: m.size * INSN_SIZE } });
  });
  mapDefs.forEach((d, i) => symbols.push({ key: `map:${d.name}`, sym: { name: d.name, info: (STB_GLOBAL << 4) | STT_OBJECT, shndx: mapsShndx, value: mapOffsets[i]!, size: d.size } }));
  for (const l of layouts) {
    for (const { variable, offset } of l.variables) {
      const name = varSym.get(variable.name)!;
      symbols.push({ key: `var:${name}`, sym: { name, info: (STB_GLOBAL << 4) | STT_OBJECT, shndx: indexOf.get(l.section)!, value: offset, size: variable.bytes.length } });
    }
  }
  const symIndex = new Map(symbols.map((s, i) => [s.key, i + 1]));
  sections[symtabIndex - 1]!.info = firstGlobal;
  if (subprogCount !== subprogs.length) throw new InternalError('subprogram bookkeeping is inconsistent');

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
  const symNameOffs = symbols.map((s) => strOff(s.sym.name));
  sections[0]!.data = new Uint8Array(Buffer.concat(strParts));

  const symtab = new Uint8Array((symbols.length + 1) * SYMBOL_SIZE);
  const sv = new DataView(symtab.buffer);
  symbols.forEach(({ sym: s }, i) => {
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
    const data = new Uint8Array(r.list.length * REL_SIZE);
    const rv = new DataView(data.buffer);
    r.list.forEach((rel, i) => {
      const sym = symIndex.get(rel.sym);
      if (sym === undefined) throw new InternalError(`relocation against unknown symbol ${rel.sym}`);
      rv.setBigUint64(i * REL_SIZE, BigInt(rel.offset), true);
      rv.setBigUint64(i * REL_SIZE + 8, (BigInt(sym) << 32n) | BigInt(rel.type), true);
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
    v.setBigUint64(h + 32, BigInt(s.nobits ?? s.data.length), true);
    v.setUint32(h + 40, s.link, true);
    v.setUint32(h + 44, s.info, true);
    v.setBigUint64(h + 48, BigInt(s.align), true);
    v.setBigUint64(h + 56, BigInt(s.entsize), true);
  });
  return out;
}
