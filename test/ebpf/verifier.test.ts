// The verifier table (verifier-cases.ts): every program is accepted, or rejected at the exact
// instruction with the kernel's exact words, and the log ends with them. Plus the log's shape,
// statistics, the analysis facts for the JIT and the size limit.

import { describe, expect, test } from 'vitest';
import { assemble } from '../../src/ebpf/asm/assemble.js';
import type { Insn } from '../../src/ebpf/isa.js';
import type { MapSpec } from '../../src/ebpf/maps/map.js';
import { verifyProgram, type VerifyOptions, type VerifyResult } from '../../src/ebpf/verifier/verify.js';
import { VERIFIER_CASES, type VerifierCase } from './verifier-cases.js';

function asm(text: string): Insn[] {
  const a = assemble(text);
  if (!a.ok) throw new Error(`assembler: ${JSON.stringify(a.errors)}`);
  return a.insns;
}

function run(c: VerifierCase): VerifyResult {
  const insns = c.insns ?? asm(c.asm!);
  const maps: (MapSpec | undefined)[] = [undefined, ...(c.maps ?? [])];
  const opts: VerifyOptions = { progType: c.prog ?? 'tracepoint', maps, ...(c.opts ?? {}) };
  return verifyProgram(insns, opts);
}

describe('verifier table', () => {
  test.each(VERIFIER_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = run(c);
    if (c.expect === 'ok') {
      expect(r.ok ? 'ok' : r.log).toBe('ok');
      return;
    }
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toEqual(c.expect);
    // The log ends with the reason and the kernel's statistics line.
    const lines = r.log.trimEnd().split('\n');
    expect(lines.slice(-1 - c.expect.message.split('\n').length, -1).join('\n')).toBe(c.expect.message);
    expect(lines[lines.length - 1]).toMatch(/^processed \d+ insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read 0$/);
  });

  test('the table covers at least 60 programs', () => {
    expect(VERIFIER_CASES.length).toBeGreaterThanOrEqual(60);
  });
});

const hash8: MapSpec = { name: 'counts', type: 'hash', keySize: 8, valueSize: 8, maxEntries: 1024 };

describe('verifier log', () => {
  test('a rejected path is printed as the kernel prints it', () => {
    const r = verifyProgram(
      asm(`*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r1 = map_fd(1) ll
call 1
if r0 != 0 goto out
r1 = *(u64 *)(r0 + 0)
out: r0 = 0
exit`),
      { progType: 'tracepoint', maps: [undefined, hash8] },
    );
    expect(r.ok).toBe(false);
    expect(r.log).toBe(
      [
        '0: R1=ctx() R10=fp0',
        '0: (7a) *(u64 *)(r10 -8) = 0          ; R10=fp0 fp-8=0',
        '1: (bf) r2 = r10                      ; R2=fp0 R10=fp0',
        '2: (07) r2 += -8                      ; R2=fp-8',
        '3: (18) r1 = map[id:1]                ; R1=map_ptr(map=counts,ks=8,vs=8)',
        '5: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=counts,ks=8,vs=8)',
        '6: (55) if r0 != 0x0 goto pc+1        ; R0=0',
        '7: (79) r1 = *(u64 *)(r0 +0)',
        "R0 invalid mem access 'scalar'",
        'processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
        '',
      ].join('\n'),
    );
  });

  test('after a branch the log resumes where the branch was taken', () => {
    const r = verifyProgram(
      asm(`*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r1 = map_fd(1) ll
call 1
if r0 == 0 goto out
r0 = 0
exit
out: r1 = *(u64 *)(r0 + 0)
r0 = 0
exit`),
      { progType: 'tracepoint', maps: [undefined, hash8] },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.log.split('\n').slice(6, 10)).toEqual([
      '6: (15) if r0 == 0x0 goto pc+2 9: R0=0 R10=fp0 fp-8=0',
      '9: (79) r1 = *(u64 *)(r0 +0)',
      "R0 invalid mem access 'scalar'",
      'processed 9 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0',
    ]);
  });

  test('checks made before exploring any path process no instruction', () => {
    const r = verifyProgram(asm('r0 = 0\nexit\nr0 = 1\nexit'), { progType: 'tracepoint', maps: [] });
    expect(r.ok ? '' : r.log).toBe('unreachable insn 2\nprocessed 0 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n');
  });

  test('an accepted program can be logged too', () => {
    const r = verifyProgram(asm('r0 = 1\nexit'), { progType: 'tracepoint', maps: [], logAccepted: true });
    expect(r.ok && r.log).toBe(
      '0: R1=ctx() R10=fp0\n0: (b7) r0 = 1                        ; R0=1\n1: (95) exit\nprocessed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n',
    );
  });
});

describe('verifier limits and statistics', () => {
  test('a program of more than 1,000,000 instructions is too large', () => {
    const insns: Insn[] = Array.from({ length: 1_000_001 }, () => ({ code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }));
    const r = verifyProgram(insns, { progType: 'tracepoint', maps: [] });
    expect(r.ok ? 'ok' : r.error).toEqual({ insn: 0, message: 'program is too large (1000001 insns)' });
  });

  test('statistics: processed instructions, states and stack depth (as Linux 6.18 counts them)', () => {
    const r = verifyProgram(asm('*(u64 *)(r10 - 24) = 0\nr1 = 0\nl: r1 += 1\nif r1 < 10 goto l\nr0 = 0\nexit'), { progType: 'tracepoint', maps: [] });
    expect(r.ok && r.stats).toEqual({
      processedInsns: 24,
      peakStates: 2,
      totalStates: 2,
      maxStatesPerInsn: 1,
      maxStackDepth: 24,
      subprogStackDepth: [24],
    });
  });

  test('a bpf_loop callback with a run-time count is walked twice, its counter widened (as Linux 6.18)', () => {
    // bpftrace-ts's `for ($i : 0..@a)` shape: the callback bumps a counter in the caller's stack.
    const r = verifyProgram(
      asm('*(u64 *)(r10 - 8) = 0\ncall 7\nr1 = r0\nr2 = func(cb) ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall 181\nr0 = 0\nexit\ncb: r1 = *(u64 *)(r2 + 0)\nr1 += 1\n*(u64 *)(r2 + 0) = r1\nr0 = 0\nexit'),
      { progType: 'tracepoint', maps: [], logAccepted: true },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // Caller 10; callback 5; the call again (1) and past it (2); callback 5 with the counter
    // unknown; the call once more, covered by the one before (1).
    expect(r.stats.processedInsns).toBe(24);
    expect(r.log).toContain('fp-8=scalar()');
  });

  test('stack depth of a call chain adds the frames, rounded to 16 bytes', () => {
    const r = verifyProgram(asm('*(u64 *)(r10 - 40) = 0\ncall pc+2\nr0 = 0\nexit\n*(u64 *)(r10 - 8) = 0\nr0 = 0\nexit'), { progType: 'tracepoint', maps: [] });
    expect(r.ok && [r.stats.maxStackDepth, r.stats.subprogStackDepth]).toEqual([64, [40, 8]]);
  });
});

describe('analysis facts for the JIT', () => {
  test('memory kind, fixed offset and bounds of each access; 32-bit registers; dead code', () => {
    const r = verifyProgram(
      asm(`r6 = *(u64 *)(r1 + 16)
*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r1 = map_fd(1) ll
call 1
if r0 == 0 goto out
r7 = 5
if r7 > 9 goto out
r1 = 1
lock *(u64 *)(r0 + 0) += r1
out: r0 = 0
exit`),
      { progType: 'tracepoint', maps: [undefined, hash8] },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const f = r.analysis.insns;
    expect(f[0]).toEqual({ reached: true, mem: 'ctx', memOff: 16, inBounds: true, fits32: 0 });
    expect(f[1]).toEqual({ reached: true, mem: 'stack', memOff: -8, inBounds: true, fits32: 0 });
    expect(f[11]).toEqual({ reached: true, mem: 'map_value', memOff: 0, memMap: 1, inBounds: true, fits32: (1 << 1) | (1 << 7) });
    // r7 = 5 makes `r7 > 9` never taken; r7 is known to fit 32 bits.
    expect(f[9]!.fits32 & (1 << 7)).toBe(1 << 7);
    // Every instruction is reached; slot 5 is the second half of the lddw at 4.
    expect(f.map((x) => x.reached)).toEqual(f.map((_x, i) => i !== 5));
  });

  test('a map value access names its map only when every path points into the same one', () => {
    // r6 is a value of map 1 or of map 2 depending on the context; the load through r6 is
    // into either, the store through r0 (the second lookup) into map 2 alone.
    const r = verifyProgram(
      asm(`r6 = *(u64 *)(r1 + 16)
*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r1 = map_fd(1) ll
if r6 == 0 goto second
call 1
ja have
second: r1 = map_fd(2) ll
call 1
have: if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)
*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r1 = map_fd(2) ll
call 1
if r0 == 0 goto out
*(u64 *)(r0 + 0) = r6
out: r0 = 0
exit`),
      { progType: 'tracepoint', maps: [undefined, hash8, hash8] },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const values = r.analysis.insns.filter((f) => f.mem === 'map_value');
    expect(values.map((f) => f.memMap)).toEqual([undefined, 2]);
  });

  test('instructions behind a branch the verifier decided are not reached', () => {
    const r = verifyProgram(asm('r1 = 5\nif r1 > 3 goto ok\nr0 = *(u64 *)(r9 + 0)\nok: r0 = 0\nexit'), { progType: 'tracepoint', maps: [] });
    expect(r.ok && r.analysis.insns.map((x) => x.reached)).toEqual([true, true, false, true, true]);
  });
});
