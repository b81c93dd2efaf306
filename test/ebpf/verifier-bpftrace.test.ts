// Programs shaped like bpftrace's output (verifier-bpftrace-programs.ts) are accepted, with the
// instruction counts Linux 6.18 reports for the same bytes where it explores the same way.

import { expect, test } from 'vitest';
import { assemble } from '../../src/ebpf/asm/assemble.js';
import { verifyProgram } from '../../src/ebpf/verifier/verify.js';
import { SHAPED_PROGRAMS } from './verifier-bpftrace-programs.js';

/** "processed N insns" from loading each program into Linux 6.18 as root (see bench/verifier.md). */
const KERNEL_PROCESSED = [29, 23, 21, 16, 117, 1167, 351, 35, 22];

test.each(SHAPED_PROGRAMS.map((p, i) => [p.name, p, i] as const))('%s', (_name, p, i) => {
  const a = assemble(p.asm);
  if (!a.ok) throw new Error(JSON.stringify(a.errors));
  const r = verifyProgram(a.insns, { progType: p.prog, maps: [undefined, ...p.maps], ctxSize: p.ctxSize });
  expect(r.ok ? 'ok' : r.log).toBe('ok');
  if (!r.ok) return;
  // Same exploration as the kernel, within the slack of where each decides to keep states.
  const kernel = KERNEL_PROCESSED[i]!;
  expect(Math.abs(r.stats.processedInsns - kernel)).toBeLessThanOrEqual(Math.ceil(kernel * 0.1));
});
