// The interpreter: the project's own ISA vectors (test/golden/isa, every opcode row), each
// fault as an exact result, helper and local calls, the instruction count and budget, map
// pointers, a differential test against an independent BigInt model of the ALU, and the
// sandbox property: structurally valid random programs end in a result, never a throw.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { assemble } from '../../src/ebpf/asm/assemble.js';
import { IdleHost, runVector } from '../../src/ebpf/conformance.js';
import { helperTable } from '../../src/ebpf/helpers/helper-table.js';
import { execute, newRunResult, r0Of, run, type RunResult } from '../../src/ebpf/interpreter.js';
import type { Insn } from '../../src/ebpf/isa.js';
import { type HelperFn, Machine } from '../../src/ebpf/machine.js';
import { createMap } from '../../src/ebpf/maps/create-map.js';
import { type FieldRange, isRow, matchRow, OPCODES, type OpcodeRow, rowTitle } from '../../src/ebpf/opcodes.js';
import { type HelperTable, loadProgram, type Program } from '../../src/ebpf/program.js';

const ISA_DIR = path.join(import.meta.dirname, '../golden/isa');
const isaFiles = readdirSync(ISA_DIR).filter((f) => f.endsWith('.data')).sort();

function load(text: string, opts: { helpers?: HelperTable; budget?: number } = {}): Program {
  const a = assemble(text);
  if (!a.ok) throw new Error(JSON.stringify(a.errors));
  const l = loadProgram(a.insns, opts);
  if (!l.ok) throw new Error(JSON.stringify(l.errors));
  return l.prog;
}

/** The parts of a result a test compares. */
const summary = (r: RunResult): object => ({
  r0: r0Of(r),
  insns: r.insns,
  fault: r.fault,
  faultPc: r.faultPc,
  faultMessage: r.faultMessage,
});

describe('the project ISA vectors', () => {
  test.each(isaFiles)('%s', (file) => {
    const o = runVector(readFileSync(path.join(ISA_DIR, file), 'utf8'));
    expect(o).toEqual(expect.objectContaining({ status: 'pass' }));
  });

  test('together they execute every row except those tested below by name', () => {
    const used = new Set<OpcodeRow>();
    for (const file of isaFiles) {
      const asm = readFileSync(path.join(ISA_DIR, file), 'utf8').split(/^-- /m).find((s) => s.startsWith('asm'))!;
      const a = assemble(asm.slice(3));
      if (!a.ok) throw new Error(file);
      for (const i of a.insns) {
        const m = matchRow(i);
        if (isRow(m)) used.add(m);
      }
    }
    expect(OPCODES.filter((r) => !used.has(r)).map(rowTitle)).toEqual([
      'call kfunc', 'lddw src=2', 'lddw src=3', 'lddw src=4', 'lddw src=5', 'lddw src=6',
    ]);
  });
});

describe('faults are results', () => {
  const ctx = new Uint8Array(16);
  test.each([
    ['a read past the context', 'r0 = *(u64 *)(r1 + 12)\nexit', 'read', 0, 1,
      'invalid read of 8 bytes at region 2 offset 12 (size 16) at insn 0'],
    ['a write to the read-only context', '*(u8 *)(r1 + 0) = 0x1\nexit', 'write', 0, 1,
      'invalid write of 1 bytes at region 2 offset 0 (size 16, read-only) at insn 0'],
    ['a null pointer', 'r1 = 0x0\nr0 = *(u8 *)(r1 + 0)\nexit', 'read', 1, 2,
      'invalid read of 1 bytes at region 0 offset 0 (size 0) at insn 1'],
    ['a user-space address (slot 2: lddw takes two)', 'r1 = 0x7fff12345678 ll\nr0 = *(u32 *)(r1 + 0)\nexit', 'read', 2, 2,
      'invalid read of 4 bytes at unknown region 32767 at insn 2'],
    ['a kernel address', 'r1 = 0xffff888012345678 ll\n*(u32 *)(r1 + 0) = 0x1\nexit', 'write', 2, 2,
      'invalid write of 4 bytes at unknown region 4294936704 at insn 2'],
    ['below the stack', 'r0 = *(u64 *)(r10 - 520)\nexit', 'read', 0, 1,
      'invalid read of 8 bytes at region 1 offset -8 (size 4096) at insn 0'],
    ['through a map handle', 'r1 = map_fd(1) ll\nr0 = *(u64 *)(r1 + 0)\nexit', 'read', 2, 2,
      'invalid read of 8 bytes at region 3 offset 1 (size 0) at insn 2'],
    ['an atomic on the context', 'r2 = 0x1\nlock *(u64 *)(r1 + 0) += r2\nexit', 'write', 1, 2,
      'invalid write of 8 bytes at region 2 offset 0 (size 16, read-only) at insn 1'],
    ['an unknown helper', 'call 99\nexit', 'helper', 0, 1, 'call to unknown helper 99 at insn 0'],
    ['endless recursion', 'f: call f\nexit', 'call_depth', 0, 8, 'the call stack is too deep (8 frames) at insn 0'],
    ['no exit', 'r0 = 0x0', 'fell_off', 1, 1, 'the program ran past its last instruction (insn 1)'],
    ['a BTF id lddw', 'r1 = btf_id(5, 0) ll\nexit', 'unsupported', 0, 1, 'lddw src=3 must be resolved by the loader before running (insn 0)'],
    ['a map index lddw', 'r1 = map_idx(0) ll\nexit', 'unsupported', 0, 1, 'lddw src=5 must be resolved by the loader before running (insn 0)'],
    ['a map value of a missing map', 'r1 = map_value(9, 0) ll\nexit', 'unsupported', 0, 1,
      'lddw map_value: map fd 9 has no value to point into at insn 0'],
    ['a kfunc call', 'call kfunc 1234\nexit', 'unsupported', 0, 1, 'kfunc calls are not supported (insn 0)'],
  ])('%s', (_name, text, fault, faultPc, insns, faultMessage) => {
    const r = run(load(text), new Machine(new IdleHost()), ctx);
    expect(summary(r)).toEqual(expect.objectContaining({ fault, faultPc, insns, faultMessage }));
  });

  test('the budget stops an endless loop after budget + 1 instructions', () => {
    const r = run(load('loop: goto loop', { budget: 1000 }), new Machine(new IdleHost()), null);
    expect(summary(r)).toEqual({
      r0: 0n, insns: 1001, fault: 'budget', faultPc: 0,
      faultMessage: 'the program ran more than 1000 instructions (stopped at insn 0)',
    });
  });

  test('the default budget is 1,000,000 instructions', () => {
    const r = run(load('r0 = 0x0\nloop: r0 += 0x1\ngoto loop'), new Machine(new IdleHost()), null);
    expect([r.fault, r.insns, r0Of(r)]).toEqual(['budget', 1_000_001, 500_000n]);
  });

  test('a throwing helper becomes a fault and the machine stays usable', () => {
    const helpers: HelperFn[] = [];
    helpers[7] = () => {
      throw new Error('boom');
    };
    const m = new Machine(new IdleHost());
    const r = run(load('r0 = 0x1\ncall 7\nexit', { helpers }), m, null);
    expect(summary(r)).toEqual(expect.objectContaining({ fault: 'helper', faultPc: 1, insns: 2, faultMessage: 'helper threw at insn 1: boom' }));
    expect(summary(run(load('r0 = 0x2\nexit'), m, null))).toEqual({ r0: 2n, insns: 2, fault: undefined, faultPc: -1, faultMessage: '' });
  });
});

describe('calls, registers and counting', () => {
  test('a helper gets r1..r5 and returns r0', () => {
    const helpers: HelperFn[] = [];
    helpers[3] = (m) => {
      let sum = 0;
      for (let r = 1; r <= 5; r++) sum += m.regs[2 * r]!;
      m.regs[0] = sum;
      m.regs[1] = -1;
    };
    const p = load('r1 = 0x1\nr2 = 0x2\nr3 = 0x3\nr4 = 0x4\nr5 = 0x5\ncall 3\nexit', { helpers });
    expect(r0Of(run(p, new Machine(new IdleHost()), null))).toBe(0xffffffff0000000fn);
  });

  test('run() points r1 at the context, re-pointing the region when the buffer changes', () => {
    const p = load('r0 = *(u32 *)(r1 + 4)\nexit');
    const m = new Machine(new IdleHost());
    const a = Uint8Array.of(0, 0, 0, 0, 0x78, 0x56, 0x34, 0x12);
    const b = Uint8Array.of(0, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde);
    const out = newRunResult();
    expect(r0Of(run(p, m, a, out))).toBe(0x12345678n);
    a[4] = 0x79; // the same buffer rewritten in place, as the world does
    expect(r0Of(run(p, m, a, out))).toBe(0x12345679n);
    expect(r0Of(run(p, m, b, out))).toBe(0xdeadbeefn);
  });

  test('execute() takes the arguments the caller put in r1..r5', () => {
    const m = new Machine(new IdleHost());
    m.regs[2] = 40;
    m.regs[4] = 2;
    expect(r0Of(execute(load('r0 = r1\nr0 += r2\nexit'), m))).toBe(42n);
  });

  test('lddw counts as one instruction; only executed paths count', () => {
    const r = run(load('r1 = 0x1 ll\nif r1 == 0x1 goto +2\nr0 = 0x5\nr0 = 0x6\nr0 = 0x7\nexit'), new Machine(new IdleHost()), null);
    expect([r.insns, r0Of(r)]).toEqual([4, 7n]);
  });

  test('each call frame has its own stack and r10; exit returns to the caller', () => {
    const p = load(`
      *(u64 *)(r10 - 8) = 0x1
      r6 = r10
      call f
      r1 = *(u64 *)(r10 - 8)
      r0 <<= 0x8
      r0 |= r1
      exit
      f:
      *(u64 *)(r10 - 8) = 0x2
      r0 = r10
      r0 -= r6
      exit`);
    expect(r0Of(run(p, new Machine(new IdleHost()), null))).toBe((512n << 8n) | 1n);
  });

  test('lddw map_fd gives the map handle; map_value points into element 0 of an array', () => {
    const m = new Machine(new IdleHost());
    const map = createMap({ name: 'data', type: 'array', keySize: 4, valueSize: 16, maxEntries: 2 }, m.mem, 1, 1);
    m.maps[1] = map;
    const p = load(`
      r1 = map_value(1, 8) ll
      *(u64 *)(r1 + 0) = 0x2a
      r2 = map_fd(1) ll
      r0 = r2
      exit`);
    const r = run(p, m, null);
    expect(r0Of(r)).toBe((3n << 32n) | 1n);
    const slab = m.mem.bytes[map.valueRegion(0)]!;
    expect([...slab.subarray(0, 24)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0x2a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('with the machine helpers: lookup, null check, atomic add — the canonical count', () => {
    const m = new Machine(new IdleHost());
    m.maps[1] = createMap({ name: '@', type: 'hash', keySize: 8, valueSize: 8, maxEntries: 16 }, m.mem, 1, 1);
    const p = load(`
      *(u64 *)(r10 - 8) = 0x7
      *(u64 *)(r10 - 16) = 0x1
      r1 = map_fd(1) ll
      r2 = r10
      r2 += -8
      r0 = *(u64 *)(r10 - 8)
      call 1
      if r0 == 0x0 goto new
      r1 = 0x1
      lock *(u64 *)(r0 + 0) += r1
      r0 = 0x0
      exit
      new:
      r1 = map_fd(1) ll
      r2 = r10
      r2 += -8
      r3 = r10
      r3 += -16
      r4 = 0x0
      call 2
      r0 = 0x0
      exit`, { helpers: helperTable });
    const out = newRunResult();
    for (let k = 0; k < 5; k++) expect(run(p, m, null, out).fault).toBeUndefined();
    const entries = [...m.maps[1]!.entries()].map((e) => [[...e.key], [...e.values[0]!]]);
    expect(entries).toEqual([[[7, 0, 0, 0, 0, 0, 0, 0], [5, 0, 0, 0, 0, 0, 0, 0]]]);
  });
});

// ── differential: random ALU programs against a BigInt model written here ────────────────
const M64 = (1n << 64n) - 1n;
const M32 = 0xffffffffn;
type Model = bigint[];
const s = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v);
const u = (v: bigint, bits: number): bigint => BigInt.asUintN(bits, v);
function aluModel(op: string, a: bigint, b: bigint, w: 32 | 64): bigint {
  const M = w === 64 ? M64 : M32;
  a &= M;
  b &= M;
  const n = b & BigInt(w - 1);
  switch (op) {
    case 'add': return (a + b) & M;
    case 'sub': return (a - b) & M;
    case 'mul': return (a * b) & M;
    case 'div': return b === 0n ? 0n : a / b;
    case 'sdiv': return b === 0n ? 0n : u(s(a, w) / s(b, w), w);
    case 'mod': return b === 0n ? a : a % b;
    case 'smod': return b === 0n ? a : u(s(a, w) % s(b, w), w);
    case 'or': return a | b;
    case 'and': return a & b;
    case 'xor': return a ^ b;
    case 'lsh': return (a << n) & M;
    case 'rsh': return a >> n;
    case 'arsh': return u(s(a, w) >> n, w);
    default: throw new Error(op);
  }
}
const swap = (v: bigint, bytes: number): bigint => {
  let r = 0n;
  for (let k = 0; k < bytes; k++) r = (r << 8n) | ((v >> BigInt(8 * k)) & 0xffn);
  return r;
};
/** Applies one ALU-class instruction to the model registers. */
function step(model: Model, row: OpcodeRow, i: Insn): void {
  const w = row.width;
  const d = model[i.dst]!;
  const operand = row.source === 'reg' ? model[i.src]! : u(BigInt(i.imm), 64); // imm sign-extends to 64
  switch (row.kind) {
    case 'alu':
      model[i.dst] = aluModel(row.mnemonic.replace(/32$/, ''), d, operand, w);
      break;
    case 'mov':
      model[i.dst] = operand & (w === 64 ? M64 : M32);
      break;
    case 'neg':
      model[i.dst] = u(-d, w);
      break;
    case 'movsx':
      model[i.dst] = u(s(model[i.src]!, row.size * 8), w);
      break;
    case 'end': {
      const bits = row.size * 8;
      model[i.dst] = row.endOrder === 'le' ? d & ((1n << BigInt(bits)) - 1n) : swap(d, row.size);
      break;
    }
    default:
      throw new Error(row.kind);
  }
}

const ALU_ROWS = OPCODES.filter((r) => ['alu', 'mov', 'neg', 'movsx', 'end'].includes(r.kind));
const edgeImm = fc.oneof(fc.constantFrom(0, 1, -1, 31, 32, 63, 64, 0x7fffffff, -0x80000000), fc.integer({ min: -0x80000000, max: 0x7fffffff }));
const edge64 = fc.oneof(fc.constantFrom(0n, 1n, M64, 1n << 63n, (1n << 63n) - 1n, 0xffffffffn, 0x80000000n), fc.bigInt({ min: 0n, max: M64 }));
const aluInsn = fc.tuple(fc.constantFrom(...ALU_ROWS), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), edgeImm).map(
  ([row, dst, src, imm]): [OpcodeRow, Insn] => {
    const fixed = (r: FieldRange, v: number): number => (r.min === r.max ? r.min : v);
    return [row, { code: row.code, dst, src: fixed(row.src, src), off: fixed(row.off, 0), imm: fixed(row.imm, imm) }];
  },
);

describe('differential: interpreter vs a BigInt model', () => {
  test('random straight-line ALU programs leave the same registers', () => {
    fc.assert(
      fc.property(fc.array(edge64, { minLength: 6, maxLength: 6 }), fc.array(aluInsn, { minLength: 1, maxLength: 40 }), (init, body) => {
        const insns: Insn[] = [];
        init.forEach((v, r) => insns.push({ code: 0x18, dst: r, src: 0, off: 0, imm: Number(s(v & M32, 32)) }, { code: 0, dst: 0, src: 0, off: 0, imm: Number(s(v >> 32n, 32)) }));
        for (const [, i] of body) insns.push(i);
        insns.push({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
        const l = loadProgram(insns);
        expect(l.ok).toBe(true);
        if (!l.ok) return;
        const m = new Machine(new IdleHost());
        expect(run(l.prog, m, null).fault).toBeUndefined();
        const model: Model = [...init];
        for (const [row, i] of body) step(model, row, i);
        const got = [0, 1, 2, 3, 4, 5].map((r) => u((BigInt(m.regs[2 * r + 1]!) << 32n) | BigInt(m.regs[2 * r]! >>> 0), 64));
        expect(got).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });
});

// ── the sandbox: any structurally valid program ends in a result ─────────────────────────
const anyRowInsn = fc.tuple(
  fc.constantFrom(...OPCODES),
  fc.nat(),
  fc.nat(),
  fc.integer({ min: -0x8000, max: 0x7fff }),
  fc.oneof(fc.integer({ min: -16, max: 16 }), fc.integer({ min: -0x80000000, max: 0x7fffffff })),
);

describe('sandbox', () => {
  test('random valid programs never throw and stop within the budget', () => {
    const helpers: HelperFn[] = [];
    helpers[1] = (m) => {
      m.regs[0] = m.regs[2]!; // echoes r1: pointers flow back into the program
      m.regs[1] = m.regs[3]!;
    };
    fc.assert(
      fc.property(fc.array(anyRowInsn, { minLength: 1, maxLength: 30 }), (picks) => {
        // Lay out slots first, then aim jumps inside the program.
        const insns: Insn[] = [];
        for (const [row, dst, src, off, imm] of picks) {
          const inRange = (r: FieldRange, v: number): number => r.min + (((v - r.min) % (r.max - r.min + 1)) + (r.max - r.min + 1)) % (r.max - r.min + 1);
          insns.push({ code: row.code, dst: inRange(row.dst, dst), src: inRange(row.src, src), off: inRange(row.off, off), imm: inRange(row.imm, imm) });
          if (row.slots === 2) insns.push({ code: 0, dst: 0, src: 0, off: 0, imm: 0 });
        }
        insns.push({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
        const n = insns.length;
        insns.forEach((i, pc) => {
          const row = matchRow(i);
          if (!isRow(row)) return;
          const aim = (v: number): number => ((((pc + 1 + v) % n) + n) % n) - (pc + 1);
          if (row.kind === 'jcond' || (row.kind === 'ja' && row.width === 64)) insns[pc] = { ...i, off: aim(i.off) };
          if (row.kind === 'call_local' || (row.kind === 'ja' && row.width === 32) || (row.kind === 'lddw' && row.pseudo === 4)) insns[pc] = { ...i, imm: aim(i.imm) };
        });
        const l = loadProgram(insns, { helpers, budget: 5000 });
        fc.pre(l.ok); // a jump may land inside an lddw: structurally invalid, not run
        if (!l.ok) return;
        const m = new Machine(new IdleHost());
        const r = run(l.prog, m, new Uint8Array(64));
        // The budget is checked where a straight-line run ends, so it may be passed by one run.
        expect(r.insns).toBeLessThanOrEqual(5000 + n);
        if (r.fault === undefined) expect(r.faultPc).toBe(-1);
        else expect(r.faultMessage).not.toBe('');
      }),
      { numRuns: 1500 },
    );
  });
});
