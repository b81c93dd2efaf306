// The ELF writer and reader: BTF encoding round trips, object round trips (programs, map
// relocations, every map type's definition, subprograms in .text with calls and callback
// addresses, global variables in .rodata/.data/.bss with their DATASECs, .BTF.ext function
// info), the writer's refusals, and — when running as root with bpftool — the real kernel
// loading our objects with `bpftool prog loadall`.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { InternalError } from '../../src/diag/diagnostic.js';
import { assemble } from '../../src/ebpf/asm/assemble.js';
import { BTF_KIND, BtfBuilder, decodeBtf, decodeFuncInfo, resolveSize } from '../../src/ebpf/elf/btf.js';
import type { ElfObject, ElfProgram, ElfVariable } from '../../src/ebpf/elf/elf-object.js';
import { dataSectionLayouts, objectName } from '../../src/ebpf/elf/elf-object.js';
import { ElfFormatError, readElf } from '../../src/ebpf/elf/read-elf.js';
import { writeElf } from '../../src/ebpf/elf/write-elf.js';
import type { Insn } from '../../src/ebpf/isa.js';
import type { MapSpec } from '../../src/ebpf/maps/map.js';

function asm(text: string): Insn[] {
  const r = assemble(text, { syntax: 'kernel' });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}: ${e.message}`).join('\n'));
  return r.insns;
}

/** Programs' map relocations: every `lddw` with src=1, named by fd (1-based index into maps). */
function program(section: string, name: string, text: string, maps: readonly MapSpec[]): ElfProgram {
  const insns = asm(text);
  const mapRelocs = insns.flatMap((i, k) => (i.code === 0x18 && i.src === 1 ? [{ insnIndex: k, mapName: maps[i.imm - 1]!.name }] : []));
  return { section, name, insns, mapRelocs };
}

const MAPS: MapSpec[] = [
  { name: '@counts', type: 'hash', keySize: 8, valueSize: 8, maxEntries: 1024 },
  { name: 'start', type: 'lru_hash', keySize: 16, valueSize: 8, maxEntries: 512 },
  { name: 'stacks', type: 'stack_trace', keySize: 4, valueSize: 127 * 8, maxEntries: 128 },
  { name: 'last_stack', type: 'percpu_array', keySize: 4, valueSize: 8, maxEntries: 1 },
  { name: 'events', type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: 2 },
  { name: 'rb', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 256 * 1024 },
  { name: '@pid_comm', type: 'hash', keySize: 24, valueSize: 8, maxEntries: 4096, flags: 1 },
  { name: 'per_cpu', type: 'percpu_hash', keySize: 4, valueSize: 16, maxEntries: 64 },
  { name: 'lru_pc', type: 'lru_percpu_hash', keySize: 8, valueSize: 8, maxEntries: 64 },
  { name: 'arr', type: 'array', keySize: 4, valueSize: 12, maxEntries: 4 },
];

const COUNT_SYSCALLS = `
  call 14
  r0 >>= 32
  *(u64 *)(r10 - 8) = r0
  r1 = map_fd(1) ll
  r2 = r10
  r2 += -8
  call 1
  if r0 == 0x0 goto new
  r1 = 1
  lock *(u64 *)(r0 + 0) += r1
  goto out
new:
  r1 = 1
  *(u64 *)(r10 - 16) = r1
  r1 = map_fd(1) ll
  r2 = r10
  r2 += -8
  r3 = r10
  r3 += -16
  r4 = 1
  call 2
out:
  r0 = 0
  exit`;

const KPROBE_VFS_READ = `
  r6 = r1
  r1 = r10
  r1 += -16
  r2 = 16
  call 16
  call 5
  *(u64 *)(r10 - 24) = r0
  r1 = map_fd(2) ll
  r2 = r10
  r2 += -16
  r3 = r10
  r3 += -24
  r4 = 0
  call 2
  r1 = r6
  r2 = map_fd(3) ll
  r3 = 0
  call 27
  *(u64 *)(r10 - 32) = r0
  r1 = 0
  *(u32 *)(r10 - 36) = r1
  r1 = map_fd(4) ll
  r2 = r10
  r2 += -36
  r3 = r10
  r3 += -32
  r4 = 0
  call 2
  r1 = r6
  r2 = map_fd(5) ll
  r3 = 0xffffffff ll
  r4 = r10
  r4 += -16
  r5 = 16
  call 25
  r0 = 0
  exit`;

const RINGBUF_RESERVE = `
  r1 = map_fd(6) ll
  r2 = 16
  r3 = 0
  call 131
  if r0 == 0x0 goto out
  r6 = r0
  call 14
  *(u64 *)(r6 + 0) = r0
  call 5
  *(u64 *)(r6 + 8) = r0
  r1 = r6
  r2 = 0
  call 132
out:
  r0 = 0
  exit`;

const RINGBUF_OUTPUT = `
  call 14
  *(u64 *)(r10 - 8) = r0
  r1 = map_fd(6) ll
  r2 = r10
  r2 += -8
  r3 = 8
  r4 = 0
  call 130
  r0 = 0
  exit`;

const SAMPLE: ElfObject = {
  programs: [
    program('tracepoint/raw_syscalls/sys_enter', 'count_syscalls', COUNT_SYSCALLS, MAPS),
    program('kprobe/vfs_read', 'kprobe_vfs_read', KPROBE_VFS_READ, MAPS),
    program('tracepoint/syscalls/sys_enter_openat', 'openat_reserve', RINGBUF_RESERVE, MAPS),
    program('tracepoint/syscalls/sys_enter_openat', 'openat_output', RINGBUF_OUTPUT, MAPS),
  ],
  maps: MAPS,
  license: 'GPL',
};

/** What readElf returns for an object: the same, with names as C identifiers. */
function normalised(obj: ElfObject): ElfObject {
  const out: ElfObject = {
    license: obj.license,
    maps: obj.maps.map((m) => ({ ...m, name: objectName(m.name) })),
    programs: obj.programs.map((p) => ({
      ...p,
      name: objectName(p.name),
      mapRelocs: p.mapRelocs.map((r) => ({ ...r, mapName: objectName(r.mapName) })),
      ...(p.dataRelocs ? { dataRelocs: p.dataRelocs.map((r) => ({ ...r, variable: objectName(r.variable) })) } : {}),
    })),
  };
  return obj.variables ? { ...out, variables: obj.variables.map((v) => ({ ...v, name: objectName(v.name) })) } : out;
}

// ── subprograms and global variables ─────────────────────────────────────────────────────
const VARIABLES: ElfVariable[] = [
  { name: 'limit', section: '.rodata', bytes: Uint8Array.of(5, 0, 0, 0, 0, 0, 0, 0) },
  { name: 'greeting', section: '.rodata', bytes: new TextEncoder().encode('hi\0') },
  { name: 'seen', section: '.data', bytes: Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0) },
  { name: '@total', section: '.bss', bytes: new Uint8Array(8) },
];
// Data section maps come after the ten BTF-defined ones: .rodata 11, .data 12, .bss 13.
const CALLBACKS = `
  r1 = map_value(11, 0) ll
  r1 = *(u64 *)(r1 + 0)
  r2 = func(step) ll
  r3 = 0
  r4 = 0
  call 181
  r1 = map_fd(1) ll
  r2 = func(visit) ll
  r3 = 0
  r4 = 0
  call 164
  r1 = map_value(12, 0) ll
  call bump
  r1 = map_value(11, 8) ll
  r0 = *(u8 *)(r1 + 1)
  exit
step:
  r1 = map_value(13, 0) ll
  call bump
  r0 = 0
  exit
visit:
  r1 = map_value(12, 0) ll
  call bump
  r2 = func(step) ll
  r0 = 0
  exit
bump:
  r2 = *(u64 *)(r1 + 0)
  r2 += 1
  *(u64 *)(r1 + 0) = r2
  r0 = 0
  exit`;

/** A program whose lddw map_value slots name the variables above through their sections' fds. */
function dataProgram(section: string, name: string, text: string): ElfProgram {
  const p = program(section, name, text, MAPS);
  const layouts = dataSectionLayouts({ programs: [], maps: MAPS, license: '', variables: VARIABLES });
  const dataRelocs = p.insns.flatMap((x, k) => {
    if (x.code !== 0x18 || x.src !== 2) return [];
    const l = layouts[x.imm - MAPS.length - 1]!;
    const off = p.insns[k + 1]!.imm;
    const v = l.variables.find((e) => off >= e.offset && off < e.offset + e.variable.bytes.length)!;
    return [{ insnIndex: k, variable: v.variable.name }];
  });
  return { ...p, dataRelocs };
}

const WITH_SUBPROGS: ElfObject = {
  programs: [dataProgram('kprobe/vfs_read', 'callbacks', CALLBACKS), program('tracepoint/raw_syscalls/sys_enter', 'count_syscalls', COUNT_SYSCALLS, MAPS)],
  maps: MAPS,
  license: 'GPL',
  variables: VARIABLES,
};

describe('BTF', () => {
  test('builder output decodes to the same types, with sizes resolved', () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, true);
    const u8 = b.int('unsigned char', 1, false);
    const arr = b.array(u8, 24);
    const ptr = b.ptr(arr);
    const st = b.struct('', 16, [
      { name: 'type', type: b.ptr(b.array(int, 1)), offset: 0 },
      { name: 'key', type: ptr, offset: 64 },
    ]);
    const v = b.variable('m', st, 1);
    b.datasec('.maps', 16, [{ type: v, offset: 0, size: 16 }]);
    const types = decodeBtf(b.encode());
    expect(types.map((t) => [t.kind, t.name])).toEqual([
      [0, 'void'],
      [BTF_KIND.INT, 'int'],
      [BTF_KIND.INT, 'unsigned char'],
      [BTF_KIND.INT, '__ARRAY_SIZE_TYPE__'],
      [BTF_KIND.ARRAY, ''],
      [BTF_KIND.PTR, ''],
      [BTF_KIND.ARRAY, ''],
      [BTF_KIND.PTR, ''],
      [BTF_KIND.STRUCT, ''],
      [BTF_KIND.VAR, 'm'],
      [BTF_KIND.DATASEC, '.maps'],
    ]);
    expect([resolveSize(types, arr), resolveSize(types, ptr), resolveSize(types, st), resolveSize(types, int)]).toEqual([24, 8, 16, 4]);
    expect(types[st]!.members).toEqual([
      { name: 'type', type: 7, offset: 0 },
      { name: 'key', type: ptr, offset: 64 },
    ]);
  });
});

describe('ELF round trip', () => {
  test('readElf(writeElf(obj)) gives back the programs, relocations, map specs and license', () => {
    expect(readElf(writeElf(SAMPLE))).toEqual(normalised(SAMPLE));
  });

  test('relocated lddw slots are written with src=0, imm=0 for libbpf to fill in', () => {
    const bytes = writeElf(SAMPLE);
    const obj = readElf(bytes);
    const p = obj.programs[0]!;
    expect(p.mapRelocs).toEqual([
      { insnIndex: 3, mapName: 'AT_counts' },
      { insnIndex: 14, mapName: 'AT_counts' },
    ]);
    // Find the section bytes by the program's code: insn 3 as written has regs byte 0x01 and imm 0.
    const hex = Buffer.from(bytes).toString('hex');
    expect(hex).toContain('1801000000000000' + '0000000000000000');
  });

  test('subprograms, callbacks and global variables round-trip', () => {
    expect(readElf(writeElf(WITH_SUBPROGS))).toEqual(normalised(WITH_SUBPROGS));
  });

  test('data sections: .rodata read-only, .bss without bytes, variables 8-byte aligned', () => {
    const layouts = dataSectionLayouts(WITH_SUBPROGS);
    expect(layouts.map((l) => [l.section, l.size, l.variables.map((v) => [v.variable.name, v.offset]), l.spec])).toEqual([
      ['.rodata', 11, [['limit', 0], ['greeting', 8]], { name: '.rodata', type: 'array', keySize: 4, valueSize: 11, maxEntries: 1, flags: 128 }],
      ['.data', 8, [['seen', 0]], { name: '.data', type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 }],
      ['.bss', 8, [['@total', 0]], { name: '.bss', type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 }],
    ]);
  });

  test('subprograms go to .text as static functions with func info; calls and addresses are relocated', () => {
    const bytes = writeElf(WITH_SUBPROGS);
    const readelf = spawnSync('llvm-readelf', ['-s', '-r', '-S', '-'], { input: bytes, encoding: 'utf8' });
    if (readelf.status === 0) {
      // The tool's view, where llvm-readelf exists: local symbols first, the relocation kinds clang writes.
      expect(readelf.stdout).toMatch(/FUNC\s+LOCAL\s+DEFAULT\s+\d+ callbacks_sub\d+/);
      expect(readelf.stdout).toContain('R_BPF_64_32');
      expect(readelf.stdout).toContain('.rel.text');
      expect(readelf.stdout).toMatch(/\.bss\s+NOBITS/);
    }
    const sectionBytes = (name: string): Uint8Array => {
      const v = new DataView(bytes.buffer);
      const shoff = Number(v.getBigUint64(40, true));
      const n = v.getUint16(60, true);
      const strAt = Number(v.getBigUint64(shoff + 64 + 24, true));
      for (let i = 1; i < n; i++) {
        const h = shoff + i * 64;
        let end = strAt + v.getUint32(h, true);
        const start = end;
        while (bytes[end] !== 0) end++;
        if (Buffer.from(bytes.subarray(start, end)).toString() === name) {
          const off = Number(v.getBigUint64(h + 24, true));
          return bytes.subarray(off, off + Number(v.getBigUint64(h + 32, true)));
        }
      }
      throw new Error(`no section ${name}`);
    };
    const info = decodeFuncInfo(sectionBytes('.BTF.ext'), sectionBytes('.BTF'));
    const types = decodeBtf(sectionBytes('.BTF'));
    expect(info.map((s) => [s.section, s.records.map((r) => [r.insnOff / 8, types[r.typeId]!.name, types[r.typeId]!.vlen])])).toEqual([
      ['kprobe/vfs_read', [[0, 'callbacks', 1]]],
      ['tracepoint/raw_syscalls/sys_enter', [[0, 'count_syscalls', 1]]],
      // step, visit, bump: static (linkage 0).
      ['.text', [[0, 'callbacks_sub22', 0], [5, 'callbacks_sub27', 0], [12, 'callbacks_sub34', 0]]],
    ]);
    expect(types.filter((t) => t.kind === BTF_KIND.DATASEC).map((t) => [t.name, t.size, t.secinfo!.map((e) => [types[e.type]!.name, e.offset, e.size])])).toEqual([
      ['.maps', 312, expect.any(Array)],
      ['.rodata', 11, [['limit', 0, 8], ['greeting', 8, 3]]],
      ['.data', 8, [['seen', 0, 8]]],
      ['.bss', 8, [['AT_total', 0, 8]]],
    ]);
  });

  test('the writer refuses jumps between functions and calls of the entry', () => {
    const obj = (text: string): ElfObject => ({ programs: [program('kprobe/x', 'p', text, [])], maps: [], license: 'GPL' });
    expect(() => writeElf(obj('call f\nr0 = 0\nexit\nf:\nif r1 > 2 goto back\nr0 = 1\nexit\nback:\nr0 = 2\nexit\ng:\ngoto back'))).not.toThrow();
    expect(() => writeElf(obj('call f\nback:\nr0 = 0\nexit\nf:\nif r1 > 2 goto back\nexit'))).toThrow('jumps from one function into another');
    expect(() => writeElf(obj('r0 = 0\nstart:\ncall f\nexit\nf:\ncall start\nexit'))).not.toThrow();
    expect(() => writeElf(obj('r2 = func(entry) ll\nentry:\nr0 = 0\nexit'))).not.toThrow();
    expect(() => writeElf({ programs: [{ section: 'kprobe/x', name: 'p', insns: asm('call pc-1\nexit'), mapRelocs: [] }], maps: [], license: 'GPL' })).toThrow("the program's entry");
  });

  test('an object without maps or programs still round-trips', () => {
    expect(readElf(writeElf({ programs: [], maps: [], license: 'Dual BSD/GPL' }))).toEqual({ programs: [], maps: [], license: 'Dual BSD/GPL' });
  });

  test.each<[string, string, string]>([
    ['@', '@', 'AT_'],
    ['@start', '@start', 'AT_start'],
    ['plain', 'count', 'count'],
    ['dots', 'a.b-c', 'a_b_c'],
    ['leading digit', '1x', '_1x'],
  ])('object names: %s', (_n, name, want) => expect(objectName(name)).toBe(want));

  test('names that collide after sanitising get numbered', () => {
    const maps: MapSpec[] = [
      { name: '@a', type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 },
      { name: 'AT_a', type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 },
    ];
    expect(readElf(writeElf({ programs: [], maps, license: 'GPL' })).maps.map((m) => m.name)).toEqual(['AT_a', 'AT_a_1']);
  });

  test('the writer refuses a relocation that is not on an lddw or names an unknown map', () => {
    const insns = asm('r0 = 0\nexit');
    const bad = (mapName: string, insnIndex: number): ElfObject => ({
      programs: [{ section: 'kprobe/x', name: 'p', insns, mapRelocs: [{ insnIndex, mapName }] }],
      maps: [MAPS[0]!],
      license: 'GPL',
    });
    expect(() => writeElf(bad('@counts', 0))).toThrow(InternalError);
    expect(() => writeElf(bad('nope', 0))).toThrow(InternalError);
  });

  test('the reader refuses what is not an eBPF ELF', () => {
    expect(() => readElf(new Uint8Array(10))).toThrow(ElfFormatError);
    const bytes = writeElf(SAMPLE);
    bytes[18] = 62; // EM_X86_64
    expect(() => readElf(bytes)).toThrow('e_machine 62 is not EM_BPF');
  });
});

// ── the real kernel ──────────────────────────────────────────────────────────────────────

function bpfSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  const v = spawnSync('bpftool', ['version'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) return 'bpftool is not installed';
  const mounted = (): boolean => readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === '/sys/fs/bpf' && l.split(' ')[2] === 'bpf');
  if (!mounted()) {
    const m = spawnSync('mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf'], { encoding: 'utf8' });
    if (m.status !== 0 || !mounted()) return `cannot mount bpffs on /sys/fs/bpf (${(m.stderr || '').trim()})`;
  }
  return undefined;
}

const skipReason = bpfSkipReason();

describe('the kernel loads our objects', () => {
  const title = skipReason ? `bpftool prog loadall (skipped: ${skipReason})` : 'bpftool prog loadall accepts every program';
  test.skipIf(skipReason !== undefined)(title, () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpftrace-ts-elf-'));
    const pin = `/sys/fs/bpf/bpftrace_ts_test_${process.pid}`;
    const file = join(dir, 'sample.o');
    writeFileSync(file, writeElf(SAMPLE));
    try {
      const btf = spawnSync('bpftool', ['btf', 'dump', 'file', file], { encoding: 'utf8' });
      expect(btf.status, btf.stderr).toBe(0);
      expect(btf.stdout).toContain("VAR 'AT_counts' type_id=");
      expect(btf.stdout).toContain("DATASEC '.maps' size=");
      expect(btf.stdout).toContain("FUNC 'kprobe_vfs_read' type_id=");
      const load = spawnSync('bpftool', ['prog', 'loadall', file, pin], { encoding: 'utf8' });
      expect(load.status, `${load.stdout}\n${load.stderr}`).toBe(0);
      expect(readdirSync(pin).sort()).toEqual(['count_syscalls', 'kprobe_vfs_read', 'openat_output', 'openat_reserve']);
      const show = spawnSync('bpftool', ['-j', 'prog', 'show', 'pinned', join(pin, 'kprobe_vfs_read')], { encoding: 'utf8' });
      const info = JSON.parse(show.stdout) as { type: string; name: string; map_ids: number[] };
      expect([info.type, info.name, info.map_ids.length]).toEqual(['kprobe', 'kprobe_vfs_read', 4]);
    } finally {
      if (existsSync(pin)) rmSync(pin, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.skipIf(skipReason !== undefined)(title.replace('every program', 'subprograms, callbacks and global variables'), () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpftrace-ts-elf-'));
    const pin = `/sys/fs/bpf/bpftrace_ts_test_${process.pid}_subprogs`;
    const file = join(dir, 'subprogs.o');
    writeFileSync(file, writeElf(WITH_SUBPROGS));
    try {
      const btf = spawnSync('bpftool', ['btf', 'dump', 'file', file], { encoding: 'utf8' });
      expect(btf.status, btf.stderr).toBe(0);
      expect(btf.stdout).toMatch(/FUNC 'callbacks_sub22' type_id=\d+ linkage=static/);
      expect(btf.stdout).toMatch(/FUNC 'callbacks' type_id=\d+ linkage=global/);
      expect(btf.stdout).toContain("DATASEC '.rodata' size=11 vlen=2");
      expect(btf.stdout).toContain("DATASEC '.bss' size=8 vlen=1");
      const load = spawnSync('bpftool', ['prog', 'loadall', file, pin], { encoding: 'utf8' });
      expect(load.status, `${load.stdout}\n${load.stderr}`).toBe(0);
      expect(readdirSync(pin).sort()).toEqual(['callbacks', 'count_syscalls']);
      const show = spawnSync('bpftool', ['-j', 'prog', 'show', 'pinned', join(pin, 'callbacks')], { encoding: 'utf8' });
      const info = JSON.parse(show.stdout) as { map_ids: number[] };
      // The hash map and the three data section maps.
      expect(info.map_ids.length).toBe(4);
    } finally {
      if (existsSync(pin)) rmSync(pin, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The section names bpftrace's other probe kinds become (BEGIN/END are uprobes there).
  // fentry/fexit are left out: kernels without BPF trampolines (as on some VMs) refuse them.
  // [section, program type the kernel reports] (kretprobes and uprobes are kprobe programs).
  const SECTIONS: [string, string][] = [
    ['kretprobe/vfs_read', 'kprobe'],
    ['perf_event', 'perf_event'],
    ['raw_tracepoint/sys_enter', 'raw_tracepoint'],
    ['uprobe', 'kprobe'],
    ['tracepoint/sched/sched_switch', 'tracepoint'],
  ];
  test.skipIf(skipReason !== undefined)(`${title.replace('every program', 'each probe section type')}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpftrace-ts-elf-'));
    const pin = `/sys/fs/bpf/bpftrace_ts_test_${process.pid}_sections`;
    const file = join(dir, 'sections.o');
    const insns = asm('r0 = 0\nexit');
    const programs = SECTIONS.map(([section], i) => ({ section, name: `p${i}`, insns, mapRelocs: [] }));
    writeFileSync(file, writeElf({ programs, maps: [], license: 'GPL' }));
    try {
      const load = spawnSync('bpftool', ['prog', 'loadall', file, pin], { encoding: 'utf8' });
      expect(load.status, `${load.stdout}\n${load.stderr}`).toBe(0);
      const types = SECTIONS.map((_, i) => {
        const show = spawnSync('bpftool', ['-j', 'prog', 'show', 'pinned', join(pin, `p${i}`)], { encoding: 'utf8' });
        return (JSON.parse(show.stdout) as { type: string }).type;
      });
      expect(types).toEqual(SECTIONS.map(([, t]) => t));
    } finally {
      if (existsSync(pin)) rmSync(pin, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
