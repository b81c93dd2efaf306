// The conformance runner on vectors written here (npm test never reads ../shared): the
// `.data` format, every outcome (pass, fail at each stage, skip with its reason, negative
// rejected or accepted) and the CLI's report and exit status.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseDataFile, runNegative, runVector, UNSUPPORTED } from '../../src/ebpf/conformance.js';
import { main } from '../../src/ebpf/conformance-cli.js';

describe('the .data format', () => {
  test('every section', () => {
    const r = parseDataFile(`# Copyright line
-- c
int main() { return 0; }
-- asm
mov %r0, 1 # comment kept for the assembler
exit
-- raw
0x00000001000000b7
0x0000000000000095
-- mem
aa BB
cc
-- no register offset
call instruction
-- result
0xFFFFFFFFFFFFFFFF`);
    expect(r).toEqual({
      ok: true,
      file: {
        asm: 'mov %r0, 1 # comment kept for the assembler\nexit',
        raw: [{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 1 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }],
        mem: Uint8Array.of(0xaa, 0xbb, 0xcc),
        result: 0xffffffffffffffffn,
      },
    });
  });

  test('an expected error may be empty', () => {
    expect(parseDataFile('-- raw\n95 00 00 00 00 00 00 00\n-- error\n')).toEqual({
      ok: true,
      file: { raw: [{ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }], error: '' },
    });
  });

  test.each([
    ['-- asm\nexit\n-- Unknown directive\n-- result\n0x0', "unknown section '-- Unknown directive'"],
    ['-- asm\nexit\n-- asm\nexit\n-- result\n0', "section '-- asm' appears twice"],
    ['# nothing\n-- result\n0x0', 'no program (neither -- asm nor -- raw)'],
    ['-- asm\nexit', 'no expectation (neither -- result nor -- error)'],
    ['-- asm\nexit\n-- mem\n0x11\n-- result\n0', '-- mem must be hex bytes'],
    ['-- asm\nexit\n-- result\n1\n2', '-- result must be one number'],
    ['-- raw\n95 00 00 00 00 00 00\n-- result\n0', 'program length 7 is not a multiple of 8 bytes'],
    ['-- raw\n0x95\n95 00 00 00 00 00 00 00 00\n-- result\n0', "-- raw: '0x95' is not a hex byte"],
    ['-- raw\n0x0000000000000095\n95 00 00 00 00 00 00 00\n-- result\n0', '-- raw mixes bytes and 64-bit words'],
  ])('rejects %j', (text, error) => {
    expect(parseDataFile(text)).toEqual({ ok: false, error });
  });
});

describe('outcomes', () => {
  test.each([
    ['a matching result', '-- asm\nmov %r0, %r2\nexit\n-- mem\n01 02 03\n-- result\n0x3', { status: 'pass', detail: 'r0 = 0x3 in 2 instructions' }],
    ['r1 points at the memory', '-- asm\nldxh %r0, [%r1+1]\nexit\n-- mem\n01 02 03\n-- result\n0x302', { status: 'pass', detail: 'r0 = 0x302 in 2 instructions' }],
    ['a wrong result', '-- asm\nmov %r0, 2\nexit\n-- result\n0x3', { status: 'fail', stage: 'result', reason: 'expected r0 = 0x3, got 0x2' }],
    ['a fault where a result was expected', '-- asm\nldxb %r0, [%r1]\nexit\n-- result\n0x0',
      { status: 'fail', stage: 'run', reason: 'invalid read of 1 bytes at region 0 offset 0 (size 0) at insn 0' }],
    ['an assembler error', '-- asm\nfoo %r0\n-- result\n0x0', { status: 'fail', stage: 'assemble', reason: "line 1: unknown instruction 'foo %r0'" }],
    ['an expected error the assembler gives', '-- asm\nfoo %r0\n-- error\nInvalid', { status: 'pass', detail: "rejected at assemble: line 1: unknown instruction 'foo %r0'" }],
    ['an expected error the loader gives', '-- raw\n07 10 00 00 01 00 00 00\n95 00 00 00 00 00 00 00\n-- error\n',
      { status: 'pass', detail: 'rejected at load: insn 0: unused src field of add imm must be 0, is 1' }],
    ['an expected error the run gives', '-- asm\nstdw [%r1], 1\nexit\n-- error\nfault',
      { status: 'pass', detail: 'faulted: invalid write of 8 bytes at region 0 offset 0 (size 0, read-only) at insn 0' }],
    ['an expected error that never comes', '-- asm\nor %r0, %r10\nexit\n-- error\nInvalid',
      { status: 'fail', stage: 'result', reason: 'expected an error (Invalid), the program returned 0x100000200' }],
    ['asm and raw that disagree', '-- asm\nmov %r0, 1\nexit\n-- raw\n0x00000002000000b7\n0x0000000000000095\n-- result\n0x1',
      { status: 'fail', stage: 'assemble', reason: '-- asm assembles to 0x1000000b7 0x95, -- raw says 0x2000000b7 0x95' }],
    ['a callx', '-- asm\nmov %r2, 5\ncall %r2\nexit\n-- result\n0x0', { status: 'skip', reason: UNSUPPORTED[0]!.reason }],
    ['helper 5 (ktime_get_ns on the idle kernel)', '-- asm\nmov %r0, 7\ncall 5\nexit\n-- result\n0x0', { status: 'pass', detail: 'r0 = 0x0 in 3 instructions' }],
  ])('%s', (_name, text, outcome) => {
    expect(runVector(text)).toEqual(outcome);
  });

  test('negative vectors must be rejected somewhere', () => {
    expect(runNegative('-- asm\nmov32 %r0, 2147483648\nexit\n-- result\n0x11')).toEqual({
      status: 'rejected', stage: 'assemble', reason: 'line 1: immediate 2147483648 does not fit in 32 bits',
    });
    expect(runNegative('-- raw\n95 01 00 00 00 00 00 00\n-- error\n')).toEqual({
      status: 'rejected', stage: 'load', reason: 'insn 0: unused dst field of exit must be 0, is 1',
    });
    expect(runNegative('-- asm\nldxdw %r0, [%r1+2]\nexit\n-- mem\naa bb 11 22 33 44 55 66 77 88 cc dd\n-- result\n0x8977665544332211')).toEqual({
      status: 'rejected', stage: 'result', reason: 'expected r0 = 0x8977665544332211, got 0x8877665544332211',
    });
    expect(runNegative('-- asm\nmov %r0, 1\nexit\n-- result\n0x1')).toEqual({ status: 'accepted', detail: 'r0 = 0x1 in 2 instructions' });
  });
});

describe('the CLI', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'conformance-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  const runCli = (args: string[]): { code: number; lines: string[] } => {
    const lines: string[] = [];
    const code = main(args, (l) => lines.push(l));
    return { code, lines };
  };

  test('reports failures, skips and rejections, then a summary; any failure exits 1', () => {
    write('suite/tests/a-pass.data', '-- asm\nmov %r0, 1\nexit\n-- result\n0x1');
    write('suite/tests/b-fail.data', '-- asm\nmov %r0, 1\nexit\n-- result\n0x2');
    write('suite/tests/c-skip.data', '-- asm\ncall %r1\nexit\n-- result\n0x0');
    write('suite/tests/notes.txt', 'not a vector');
    write('suite/negative/x-rejected.data', '-- asm\nldxq %r0, %r1\n-- result\n0x0');
    write('suite/negative/y-accepted.data', '-- asm\nmov %r0, 1\nexit\n-- result\n0x1');
    expect(runCli([path.join(root, 'suite')])).toEqual({
      code: 1,
      lines: [
        'FAIL      b-fail.data [result]: expected r0 = 0x2, got 0x1',
        `SKIP      c-skip.data: ${UNSUPPORTED[0]!.reason}`,
        "REJECTED  negative/x-rejected.data [assemble]: line 1: unknown instruction 'ldxq %r0, %r1'",
        'ACCEPTED  negative/y-accepted.data: r0 = 0x1 in 2 instructions (a negative vector must be rejected)',
        'tests:    3 vectors, 1 passed, 1 failed, 1 skipped',
        'negative: 2 vectors, 1 rejected, 1 accepted, 0 skipped',
      ],
    });
  });

  test('a clean suite exits 0; --verbose lists passes; a folder of vectors works without tests/', () => {
    write('clean/one.data', '-- asm\nmov %r0, 1\nexit\n-- result\n0x1');
    expect(runCli([path.join(root, 'clean'), '--verbose'])).toEqual({
      code: 0,
      lines: ['PASS      one.data: r0 = 0x1 in 2 instructions', 'tests:    1 vectors, 1 passed, 0 failed, 0 skipped'],
    });
  });

  test('bad usage exits 2', () => {
    expect(runCli([]).code).toBe(2);
    expect(runCli([path.join(root, 'missing')]).code).toBe(2);
  });
});
