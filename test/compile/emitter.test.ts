// The emitter and the register allocator on their own: labels resolved to pc-relative
// offsets (lddw counted as two slots), the peephole tidying, map relocations, and temps
// moved out of r0..r5 before helper calls, spilled when r6..r9 are taken.

import { describe, expect, test } from 'vitest';
import { disassemble } from '../../src/ebpf/asm/disassemble.js';
import { R0 } from '../../src/ebpf/isa.js';
import { Emitter } from '../../src/compile/emitter.js';
import { Frame } from '../../src/compile/frame.js';
import { Registers } from '../../src/compile/registers.js';

const text = (e: Emitter): string[] => disassemble(e.finish().insns);

describe('Emitter', () => {
  test('labels become offsets counted in slots (lddw takes two)', () => {
    const e = new Emitter();
    const end = e.newLabel();
    e.jImm('eq', 1, 0, end);
    e.ldImm64(2, 0x1_0000_0000n);
    e.ldMap(3, 0);
    e.bind(end);
    e.movImm(R0, 0n);
    e.exit();
    const out = e.finish();
    expect(disassemble(out.insns)).toEqual(['if r1 == 0x0 goto +4', 'r2 = 0x100000000 ll', 'r3 = map_fd(1) ll', 'r0 = 0x0', 'exit']);
    expect(out.mapRelocs).toEqual([{ insn: 3, map: 0 }]);
  });

  test('a conditional jump over a goto becomes the negated jump; jumps to jumps are threaded', () => {
    const e = new Emitter();
    const a = e.newLabel();
    const b = e.newLabel();
    const c = e.newLabel();
    e.jImm('gt', 1, 5, a);
    e.ja(b);
    e.bind(a);
    e.movImm(2, 1n);
    e.bind(b);
    e.ja(c);
    e.movImm(2, 7n);
    e.bind(c);
    e.exit();
    expect(text(e)).toEqual(['if r1 <= 0x5 goto +1', 'r2 = 0x1', 'exit']);
  });

  test('code after exit that no jump reaches is dropped, a jump to the next instruction too', () => {
    const e = new Emitter();
    const next = e.newLabel();
    e.ja(next);
    e.bind(next);
    e.movImm(R0, 0n);
    e.exit();
    e.movImm(R0, 1n);
    e.exit();
    expect(text(e)).toEqual(['r0 = 0x0', 'exit']);
  });

  test('constants take the shortest load: mov, mov32 or lddw', () => {
    const e = new Emitter();
    e.movImm(1, -1n);
    e.movImm(2, 0xffff_ffffn);
    e.movImm(3, 0x1_0000_0000n);
    expect(text(e)).toEqual(['r1 = -0x1', 'w2 = -0x1', 'r3 = 0x100000000 ll']);
  });
});

describe('Registers', () => {
  test('temps in r0..r5 move to r6..r9 before a call, then spill to the stack', () => {
    const e = new Emitter();
    const frame = new Frame(false);
    const regs = new Registers(e, frame);
    const temps = [1, 2, 3, 4, 5].map(() => regs.alloc());
    expect(temps.map((t) => t.current)).toEqual([1, 2, 3, 4, 5]);
    regs.beforeCall();
    expect(temps.map((t) => t.current)).toEqual([6, 7, 8, 9, -1]);
    expect(temps[4]!.spill).toBe(-8);
    expect(text(e)).toEqual(['r6 = r1', 'r7 = r2', 'r8 = r3', 'r9 = r4', '*(u64 *)(r10 - 8) = r5']);
    // A spilled temp comes back on use, into a free register.
    expect(temps[4]!.reg).toBe(1);
    expect(text(e).at(-1)).toBe('r1 = *(u64 *)(r10 - 8)');
    for (const t of temps) regs.free(t);
    expect(regs.liveCount).toBe(0);
  });

  test('with every register taken, the oldest temp spills', () => {
    const e = new Emitter();
    const regs = new Registers(e, new Frame(false));
    const temps = Array.from({ length: 10 }, () => regs.alloc());
    const extra = regs.alloc();
    expect(temps[0]!.current).toBe(-1);
    expect(extra.current).toBe(1);
    expect(text(e)).toEqual(['*(u64 *)(r10 - 8) = r1']);
  });

  test('a branch arm must leave outer temps where it found them', () => {
    const e = new Emitter();
    const regs = new Registers(e, new Frame(false));
    const outer = regs.alloc(true);
    const snap = regs.snapshot();
    const inner = regs.alloc();
    expect(() => regs.restore(snap)).toThrow(/outlives/);
    regs.free(inner);
    regs.restore(snap);
    regs.free(outer);
  });
});
