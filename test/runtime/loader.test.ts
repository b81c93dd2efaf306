// The loader on its own: maps created with fds in compiled order (initial entries written),
// a program our verifier rejects becomes an InternalError carrying the kernel-style log,
// accepted programs run on the chosen engine, and compiled attach targets are translated to
// the world's names (or refused with a reason for probes the world does not simulate).

import { describe, expect, test } from 'vitest';
import type { AttachTarget, CompiledProbeProgram, CompiledProgram, MapDef } from '../../src/compile/compiled.js';
import { InternalError } from '../../src/diag/diagnostic.js';
import { assemble } from '../../src/ebpf/asm/assemble.js';
import { newRunResult } from '../../src/ebpf/interpreter.js';
import type { Insn } from '../../src/ebpf/isa.js';
import { Machine } from '../../src/ebpf/machine.js';
import { loadEngine } from '../../src/runtime/engine.js';
import { createMaps, loadPrograms, worldTarget } from '../../src/runtime/loader.js';
import { TracerHost } from '../../src/runtime/tracer-host.js';

function insns(text: string): Insn[] {
  const r = assemble(text, { syntax: 'kernel' });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}: ${e.message}`).join('\n'));
  return r.insns;
}

function program(name: string, code: Insn[]): CompiledProbeProgram {
  return {
    name,
    probeIndex: 0,
    probeName: 'BEGIN',
    attachTo: [],
    special: 'BEGIN',
    progType: 'raw_tracepoint',
    section: 'raw_tp/begin',
    insns: code,
    mapRelocs: [],
    ctxSize: 8,
    stackSize: 0,
  };
}

const ARRAY: MapDef = {
  spec: { name: 'table', type: 'array', keySize: 4, valueSize: 8, maxEntries: 2 },
  role: 'table',
  perCpu: false,
  initial: [{ key: Uint8Array.of(1, 0, 0, 0), value: Uint8Array.of(42, 0, 0, 0, 0, 0, 0, 0) }],
};

function compiled(programs: CompiledProbeProgram[], maps: MapDef[] = []): CompiledProgram {
  return {
    programs,
    maps,
    asyncEvents: [],
    strftimeFormats: [],
    cgroupPathFilters: [],
    beginPrograms: programs.map((_, i) => i),
    endPrograms: [],
    ringbufMap: -1,
    globalsMap: -1,
  };
}

const machine = () => new Machine(new TracerHost(1, 4, { existing: () => undefined, build: () => { throw new Error('no world'); } }));

describe('loader', () => {
  test('maps get fds 1, 2, … in compiled order, with their initial entries', () => {
    const m = machine();
    const second: MapDef = { ...ARRAY, spec: { ...ARRAY.spec, name: 'second' }, initial: [] };
    const maps = createMaps(compiled([], [ARRAY, second]), m, 4);
    if (!Array.isArray(maps)) throw new Error('maps refused');
    expect(m.maps[1]).toBe(maps[0]);
    expect(m.maps[2]).toBe(maps[1]);
    expect(maps[0]!.spec.name).toBe('table');
    expect(maps[0]!.lookupUser(Uint8Array.of(1, 0, 0, 0))?.[0]).toEqual(Uint8Array.of(42, 0, 0, 0, 0, 0, 0, 0));
  });

  test('a map Linux would refuse is a user-facing problem, not a crash', () => {
    const bad: MapDef = { spec: { name: '@big', type: 'hash', keySize: 8, valueSize: 8, maxEntries: 0 }, role: 'user', bpftraceName: '@big', perCpu: false };
    const r = createMaps(compiled([], [bad]), machine(), 4);
    expect(r).toEqual({ ok: false, message: { id: 'map-create', text: "Error creating map: '@big' (errno 22)" } });
  });

  test.each(['interp', 'jit'] as const)('a verified program loads and runs on the %s engine', async (name) => {
    const engine = (await loadEngine(name))!;
    const m = machine();
    const c = compiled([program('BEGIN_0', insns('r0 = 7\nr0 += 35\nexit'))]);
    const loaded = loadPrograms(c, m, engine, 4);
    if (!Array.isArray(loaded)) throw new Error('refused');
    const r = loaded[0]!.code.run(new Uint8Array(8), newRunResult());
    expect([r.fault, r.r0Lo, r.r0Hi]).toEqual([undefined, 42, 0]);
  });

  test("a program our verifier rejects is our own bug: InternalError with the verifier's log", async () => {
    const engine = (await loadEngine('interp'))!;
    // r2 is read before anything wrote it.
    const c = compiled([program('BEGIN_0', insns('r0 = r2\nexit'))]);
    let caught: unknown;
    try {
      loadPrograms(c, machine(), engine, 4);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InternalError);
    const err = caught as InternalError;
    expect(err.message).toBe("the verifier rejected program 'BEGIN_0' (R2 !read_ok at insn 0)");
    expect(err.detail).toContain('R2 !read_ok');
  });
});

describe('attach targets as the world names them', () => {
  const t = (over: Partial<AttachTarget>): AttachTarget => ({ provider: 'tracepoint', probe: '', target: '', func: '', ...over });
  const rows: [Partial<AttachTarget>, unknown][] = [
    [{ provider: 'tracepoint', target: 'syscalls', func: 'sys_enter_openat' }, { kind: 'tracepoint', category: 'syscalls', event: 'sys_enter_openat' }],
    [{ provider: 'kretprobe', func: 'vfs_read' }, { kind: 'kretprobe', func: 'vfs_read' }],
    [{ provider: 'fentry', func: 'vfs_read' }, { kind: 'fentry', func: 'vfs_read' }],
    [{ provider: 'profile', period: { unit: 'hz', value: 99n } }, { kind: 'profile', hz: 99 }],
    [{ provider: 'interval', period: { unit: 'ms', value: 250n } }, { kind: 'interval', periodNs: 250_000_000 }],
    [{ provider: 'interval', period: { unit: 's', value: 5n } }, { kind: 'interval', periodNs: 5_000_000_000 }],
    [{ provider: 'software', target: 'faults', period: { unit: 'count', value: 100n } }, { kind: 'software', event: 'page-faults', period: 100 }],
    [{ provider: 'hardware', target: 'cycles', period: { unit: 'count', value: 1000n } }, { kind: 'hardware', event: 'cpu-cycles', period: 1000 }],
    [{ provider: 'uprobe', target: '/bin/bash', func: 'readline' }, 'the synthetic world has no uprobe probes'],
    [{ provider: 'usdt', target: '/bin/x', func: 'p' }, 'the synthetic world has no usdt probes'],
  ];
  test.each(rows.map(([over, expected]) => ({ name: `${over.provider}:${over.target ?? ''}:${over.func ?? ''}:${over.period?.value ?? ''}`, over, expected })))(
    '$name',
    ({ over, expected }) => {
      expect(worldTarget(t(over))).toEqual(expected);
    },
  );
});
