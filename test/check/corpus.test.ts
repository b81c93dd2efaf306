// Real programs check without errors: bpftrace's own tools/*.bt and the one-liners of its
// tutorial (read from /work/ref/bpftrace when that checkout exists, never copied into this
// repository), and the project's recorded golden programs (test/golden/programs).

import { describe, expect, test } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCheck } from './run-check.js';

const REF = process.env['BPFTRACE_REF'] ?? '/work/ref/bpftrace';
const toolsDir = join(REF, 'tools');
const tutorial = join(REF, 'docs', 'tutorial_one_liners.md');

/**
 * Tools that need kernel enum constants (TCP_CLOSE, SKB_DROP_REASON_*), which come from the
 * probe catalog's probes/kernel/enums.json; without that file they must fail on exactly these.
 */
const NEEDS_KERNEL_ENUMS: Record<string, string> = {
  'tcplife.bt': 'TCP_FIN_WAIT1, TCP_SYN_SENT, TCP_LAST_ACK, TCP_CLOSE (enum in BTF)',
  'tcpdrop.bt': 'SKB_DROP_REASON_NOT_SPECIFIED (enum skb_drop_reason in BTF)',
};

const hasEnums = existsSync(join(import.meta.dirname, '..', '..', 'probes', 'kernel', 'enums.json'));

const skipNote = (what: string, path: string) =>
  existsSync(path) ? what : `${what} — skipped: ${path} not found (point BPFTRACE_REF at a bpftrace checkout)`;

describe.skipIf(!existsSync(toolsDir))(skipNote('bpftrace tools/*.bt', toolsDir), () => {
  const tools = existsSync(toolsDir) ? readdirSync(toolsDir).filter((f) => f.endsWith('.bt')).sort() : [];
  test('the checkout has the tools', () => {
    expect(tools.length).toBeGreaterThanOrEqual(30);
  });
  test.each(tools)('%s', (name) => {
    const r = runCheck(readFileSync(join(toolsDir, name), 'utf8'), { name });
    if (NEEDS_KERNEL_ENUMS[name] && !hasEnums) {
      expect(r.stderr).toMatch(/Unknown identifier: '(TCP_|SKB_DROP_REASON_)/);
      return;
    }
    expect(r.stderr.match(/ERROR: .*/g) ?? []).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe.skipIf(!existsSync(tutorial))(skipNote('tutorial one-liners', tutorial), () => {
  const lines = existsSync(tutorial) ? [...readFileSync(tutorial, 'utf8').matchAll(/^bpftrace -e '(.*)'$/gm)].map((m) => m[1]!) : [];
  test('the tutorial has its one-liners', () => {
    expect(lines.length).toBeGreaterThanOrEqual(10);
  });
  test.each(lines)('%s', (program) => {
    const r = runCheck(program);
    expect(r.stderr).toBe('');
    expect(r.ok).toBe(true);
  });
});

describe('golden programs (recorded with bpftrace 0.23)', () => {
  const dir = join(import.meta.dirname, '..', 'golden', 'programs');
  const programs = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bt')).sort() : [];
  test.each(programs)('%s', (name) => {
    const meta = JSON.parse(readFileSync(join(dir, name.replace(/\.bt$/, '.json')), 'utf8')) as { args: string[]; params: string[] };
    const r = runCheck(readFileSync(join(dir, name), 'utf8'), {
      name,
      positional: meta.params,
      unsafe: meta.args.includes('--unsafe'),
    });
    expect(r.stderr.match(/ERROR: .*/g) ?? []).toEqual([]);
    expect(r.ok).toBe(true);
  });
});
