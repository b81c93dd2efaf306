// Code quality against bpftrace 0.17 + LLVM: instruction counts (lddw counted once) and
// static helper calls of the programs the issue measured with `bpftrace --emit-elf` and
// `llvm-objdump -d`. Ours must be no larger in either, compiled with the semantics 0.17 had
// (no helper-error reports, which 0.17 did not emit; max_strlen 64 where strings are read);
// the default build (with 0.23's helper-error reports) is printed beside for reference.

import { afterAll, describe, expect, test } from 'vitest';
import { programStats } from '../../src/compile/dump.js';
import { logTail, mustCompile, verifyAll } from './compile-helpers.js';

interface Row {
  readonly program: string;
  /** Only this program of the compiled set is measured (a two-probe pattern measures its second). */
  readonly measure?: number;
  readonly llvmInsns: number;
  readonly llvmCalls: number;
  /** Why the program is compiled as written here (bpftrace 0.17's defaults). */
  readonly note?: string;
}

const TABLE: readonly Row[] = [
  { program: 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }', llvmInsns: 25, llvmCalls: 3 },
  { program: 'tracepoint:raw_syscalls:sys_enter { @[pid, comm] = count(); }', llvmInsns: 32, llvmCalls: 4 },
  { program: 'tracepoint:raw_syscalls:sys_enter { @ = count(); }', llvmInsns: 20, llvmCalls: 2 },
  { program: 'tracepoint:syscalls:sys_exit_read { @bytes = hist(args->ret); }', llvmInsns: 52, llvmCalls: 2 },
  { program: 'tracepoint:syscalls:sys_exit_read { @bytes = lhist(args->ret, 0, 10000, 1000); }', llvmInsns: 28, llvmCalls: 2 },
  { program: 'tracepoint:syscalls:sys_exit_read /args->ret > 0/ { @bytes[comm] = sum(args->ret); }', llvmInsns: 29, llvmCalls: 3 },
  { program: 'tracepoint:syscalls:sys_exit_read { @[comm] = avg(args->ret); }', llvmInsns: 59, llvmCalls: 6 },
  { program: 'tracepoint:syscalls:sys_exit_read { @min[comm] = min(args->ret); @max[comm] = max(args->ret); }', llvmInsns: 53, llvmCalls: 6 },
  { program: 'tracepoint:syscalls:sys_exit_read { @[comm] = stats(args->ret); }', llvmInsns: 59, llvmCalls: 6 },
  { program: 'tracepoint:syscalls:sys_enter_read { @start[tid] = nsecs; }', llvmInsns: 16, llvmCalls: 3 },
  {
    program:
      'tracepoint:syscalls:sys_enter_read { @start[tid] = nsecs; } tracepoint:syscalls:sys_exit_read /@start[tid]/ { @ns[comm] = hist(nsecs - @start[tid]); delete(@start[tid]); }',
    measure: 1,
    llvmInsns: 96,
    llvmCalls: 10,
    note: 'the exit probe of the latency pattern (its @start needs the entry probe)',
  },
  {
    program: 'config = { max_strlen = 64 } tracepoint:syscalls:sys_enter_openat { printf("%s %s\\n", comm, str(args->filename)); }',
    llvmInsns: 51,
    llvmCalls: 3,
    note: "bpftrace 0.17's max_strlen of 64",
  },
  { program: 'tracepoint:raw_syscalls:sys_enter { printf("%d %s\\n", pid, comm); }', llvmInsns: 25, llvmCalls: 3 },
];

const measured: { row: Row; insns: number; calls: number; fullInsns: number; fullCalls: number }[] = [];

describe('code quality against bpftrace 0.17 + LLVM', () => {
  test.each(TABLE.map((r) => [r.program, r] as const))('%s', (_, row) => {
    const compiled = mustCompile(row.program, { compile: { helperErrors: false } });
    const full = mustCompile(row.program);
    for (const c of [compiled, full]) for (const v of verifyAll(c)) expect(v.result.ok, `${v.name}\n${logTail(v.result)}`).toBe(true);
    const prog = compiled.programs[row.measure ?? 0]!;
    const { insns, helperCalls } = programStats(prog);
    const f = programStats(full.programs[row.measure ?? 0]!);
    measured.push({ row, insns, calls: helperCalls, fullInsns: f.insns, fullCalls: f.helperCalls });
    expect(insns).toBeLessThanOrEqual(row.llvmInsns);
    expect(helperCalls).toBeLessThanOrEqual(row.llvmCalls);
  });

  afterAll(() => {
    const lines = [
      '| program | bpftrace 0.17 + LLVM insns / calls | bpftrace-ts insns / calls | bpftrace-ts with helper-error reports |',
      '| --- | --- | --- | --- |',
    ];
    for (const m of measured) {
      const name = m.row.program.replace(/^config = \{[^}]*\} /, '');
      lines.push(`| \`${name}\` | ${m.row.llvmInsns} / ${m.row.llvmCalls} | ${m.insns} / ${m.calls} | ${m.fullInsns} / ${m.fullCalls} |`);
    }
    console.log(lines.join('\n'));
  });
});
