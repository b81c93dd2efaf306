// The verifier table against the running kernel's verifier: each program is loaded with
// BPF_PROG_LOAD (through a small C loader built here with gcc) and Linux's verdict and reason
// must be ours, unless the case names why it differs. Needs root, gcc and a kernel that lets
// root load BPF; skipped with a message otherwise, never failing for that reason. Socket
// filter cases are loaded without CAP_PERFMON (capsh), where Linux refuses uninitialised stack
// reads as our default does; the others are loaded as root, with allowUninitStack on our side.

import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { assemble } from '../../src/ebpf/asm/assemble.js';
import type { Insn } from '../../src/ebpf/isa.js';
import { BPF_MAP_TYPE, type MapSpec } from '../../src/ebpf/maps/map.js';
import { BPF_PROG_TYPE } from '../../src/ebpf/progtypes.js';
import { verifyProgram } from '../../src/ebpf/verifier/verify.js';
import { SHAPED_PROGRAMS } from './verifier-bpftrace-programs.js';
import { VERIFIER_CASES } from './verifier-cases.js';

/** Reads "prog TYPE", "map TYPE KEY VALUE MAX FLAGS" and "insn CODE DST SRC OFF IMM" lines; prints the log. */
const LOADER = String.raw`
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
static char log[1 << 22];
static struct bpf_insn insns[100000];
int main(void) {
  int n = 0, nm = 0, fds[64], ptype = 0; char line[256];
  while (fgets(line, sizeof line, stdin)) {
    int t, k, v, m, fl, c, d, s, o; long long im;
    if (sscanf(line, "prog %d", &ptype) == 1) continue;
    if (sscanf(line, "map %d %d %d %d %d", &t, &k, &v, &m, &fl) == 5) {
      union bpf_attr a; memset(&a, 0, sizeof a);
      a.map_type = t; a.key_size = k; a.value_size = v; a.max_entries = m; a.map_flags = fl;
      fds[++nm] = syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof a);
      if (fds[nm] < 0) { printf("map create failed: %s\n", strerror(errno)); return 2; }
      continue;
    }
    if (sscanf(line, "insn %d %d %d %d %lld", &c, &d, &s, &o, &im) == 5) {
      struct bpf_insn *x = &insns[n++]; memset(x, 0, sizeof *x);
      x->code = c; x->dst_reg = d; x->src_reg = s; x->off = o; x->imm = (int)im;
    }
  }
  for (int i = 0; i < n; i++)
    if (insns[i].code == 0x18 && (insns[i].src_reg == 1 || insns[i].src_reg == 2) && insns[i].imm >= 1 && insns[i].imm <= nm)
      insns[i].imm = fds[insns[i].imm];
  union bpf_attr a; memset(&a, 0, sizeof a);
  a.prog_type = ptype; a.insns = (unsigned long)insns; a.insn_cnt = n; a.license = (unsigned long)"GPL";
  a.log_buf = (unsigned long)log; a.log_size = sizeof log; a.log_level = 1;
  int fd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof a);
  printf("%s== %s\n", log, fd >= 0 ? "OK" : "REJECTED");
  return 0;
}
`;

let loader = '';
let loaderDir = '';
afterAll(() => {
  if (loaderDir) rmSync(loaderDir, { recursive: true, force: true });
});

function available(): string {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    execSync('command -v gcc && command -v capsh', { stdio: 'ignore' });
  } catch {
    return 'gcc or capsh is missing';
  }
  try {
    const out = execFileSync(buildLoader(), { input: 'prog 1\ninsn 183 0 0 0 0\ninsn 149 0 0 0 0\n' }).toString();
    if (!out.endsWith('== OK\n')) return `this kernel does not let root load BPF programs (${out.trim().split('\n').pop()})`;
  } catch (e) {
    return `the BPF loader could not be built or run (${(e as Error).message.split('\n')[0]})`;
  }
  return '';
}

const why = available();

function buildLoader(): string {
  if (loader) return loader;
  const dir = (loaderDir = mkdtempSync(join(tmpdir(), 'bpf-verifier-kernel-')));
  writeFileSync(join(dir, 'load.c'), LOADER);
  execFileSync('gcc', ['-O1', '-o', join(dir, 'load'), join(dir, 'load.c')]);
  loader = join(dir, 'load');
  return loader;
}

interface KernelVerdict {
  readonly ok: boolean;
  /** The reason (all lines between the last instruction line and the statistics). */
  readonly message: string;
  readonly processed: number;
  readonly log: string;
}

function kernelLoad(insns: readonly Insn[], maps: readonly MapSpec[], prog: keyof typeof BPF_PROG_TYPE, strict: boolean): KernelVerdict {
  let input = `prog ${BPF_PROG_TYPE[prog]}\n`;
  for (const m of maps) {
    const max = m.type === 'perf_event_array' ? 2 : m.maxEntries;
    input += `map ${BPF_MAP_TYPE[m.type]} ${m.keySize} ${m.valueSize} ${max} ${m.flags ?? 0}\n`;
  }
  for (const x of insns) input += `insn ${x.code} ${x.dst} ${x.src} ${x.off} ${x.imm}\n`;
  const bin = buildLoader();
  const out = strict
    ? execFileSync('capsh', ['--drop=cap_perfmon,cap_sys_admin', '--', '-c', bin], { input, maxBuffer: 1 << 28 }).toString()
    : execFileSync(bin, { input, maxBuffer: 1 << 28 }).toString();
  const lines = out.trimEnd().split('\n');
  const stats = lines.findIndex((l) => l.startsWith('processed '));
  const processed = stats >= 0 ? Number(/processed (\d+)/.exec(lines[stats]!)![1]) : 0;
  let first = stats - 1;
  while (first > 0 && !/^\d+: \(/.test(lines[first - 1]!)) first--;
  return { ok: lines[lines.length - 1] === '== OK', message: lines.slice(first, stats).join('\n'), processed, log: out };
}

/**
 * Programs of random but plausible instructions (a deterministic generator): registers set up
 * with a ctx pointer, unknown and bounded scalars and stack slots, then moves, ALU ops with
 * immediates and registers, stack loads and stores (sign-extending too), atomics, helper calls,
 * map lookups with and without the NULL check and with computed value offsets, ringbuf
 * reserve/submit, helper-filled stack buffers, forward jumps (32- and 64-bit), bounded loops and
 * pointer arithmetic on the stack.
 */
function randomPrograms(seed: number, count: number): Insn[][] {
  let s = seed;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return (s >>> 8) % n;
  };
  const pick = <T>(a: readonly T[]): T => a[rnd(a.length)]!;
  const I = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });
  const imms = [0, 1, 2, 3, 5, 7, 8, 31, 63, 64, 255, -1, -8, 0x7fffffff, 1 << 20];
  const aluOps = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xc0];
  const out: Insn[][] = [];
  for (let p = 0; p < count; p++) {
    const x: Insn[] = [
      I(0xbf, 6, 1, 0, 0), I(0x79, 7, 1, 16, 0), I(0x85, 0, 0, 0, 7), I(0xbf, 8, 0, 0, 0),
      I(0x57, 8, 0, 0, pick([0xff, 0xffff, 63, 0x7fffffff])), I(0xb7, 9, 0, 0, rnd(100)), I(0xb7, 0, 0, 0, 0),
      I(0xb7, 2, 0, 0, rnd(9)), I(0xb7, 3, 0, 0, rnd(1000)), I(0xb7, 4, 0, 0, -rnd(50)), I(0xb7, 5, 0, 0, rnd(40)),
      I(0x7b, 10, 7, -8, 0), I(0x7b, 10, 8, -16, 0), I(0x7a, 10, 0, -24, rnd(50)), I(0x7b, 10, 9, -32, 0),
    ];
    const n = 6 + rnd(14);
    for (let i = 0; i < n; i++) {
      const r = (): number => rnd(10);
      const alu = pick(aluOps);
      const cls = pick([0x07, 0x04]);
      switch (rnd(24)) {
        case 0:
        case 1:
          x.push(I(0xb7, r(), 0, 0, pick(imms)));
          break;
        case 2:
          x.push(I(0xbf, r(), r(), 0, 0));
          break;
        case 3:
        case 4: {
          let imm = pick(imms);
          if ((alu === 0x30 || alu === 0x90) && imm === 0) imm = 3;
          if (alu === 0x60 || alu === 0x70 || alu === 0xc0) imm = rnd(cls === 0x07 ? 64 : 32);
          x.push(I(cls | alu, r(), 0, 0, imm));
          break;
        }
        case 5:
          x.push(I(cls | 0x08 | alu, r(), r(), 0, 0));
          break;
        case 6:
          x.push(I(pick([0x7b, 0x63, 0x6b, 0x73]), 10, r(), -8 * (1 + rnd(6)), 0));
          break;
        case 7:
          x.push(I(pick([0x79, 0x61, 0x69, 0x71]), r(), 10, -8 * (1 + rnd(6)), 0));
          break;
        case 8:
          x.push(I(pick([0x7a, 0x62]), 10, 0, -8 * (1 + rnd(6)), pick(imms)));
          break;
        case 9:
          x.push(I(0x85, 0, 0, 0, pick([7, 14, 5])));
          break;
        case 10:
          x.push(I(0x7a, 10, 0, -8, rnd(6)), I(0xbf, 2, 10, 0, 0), I(0x07, 2, 0, 0, -8), I(0x18, 1, 1, 0, 1 + rnd(2)), I(0, 0, 0, 0, 0), I(0x85, 0, 0, 0, 1));
          if (rnd(3)) x.push(I(0x15, 0, 0, 2, 0));
          x.push(I(pick([0x79, 0x61]), r(), 0, pick([0, 4, 8, 16, 28]), 0), I(0xb7, 0, 0, 0, 0));
          break;
        case 11:
          x.push(I(pick([0x15, 0x25, 0x35, 0xa5, 0xb5, 0x65, 0xc5, 0x45, 0x55, 0x16, 0x26, 0xa6]), r(), 0, 1 + rnd(2), pick(imms)));
          x.push(I(0xb7, r(), 0, 0, 1), I(0xb7, r(), 0, 0, 2));
          break;
        case 12:
          x.push(I(pick([0x1d, 0x2d, 0xad, 0x5d, 0x6d]), r(), r(), 1, 0), I(0xb7, r(), 0, 0, 3));
          break;
        case 13:
          x.push(I(0xbf, 1, 10, 0, 0), I(0x07, 1, 0, 0, -8 * (1 + rnd(4))));
          if (rnd(2)) x.push(I(0x0f, 1, r(), 0, 0));
          x.push(I(pick([0x79, 0x71]), r(), 1, 0, 0));
          break;
        case 14:
          x.push(I(0x57, r(), 0, 0, pick([7, 15, 0xff, 0x18])));
          break;
        case 15:
          x.push(I(0xbc, r(), r(), 0, 0));
          break;
        case 16: {
          // A bounded loop on a counter.
          const c = pick([6, 9]);
          x.push(I(0xb7, c, 0, 0, 0), I(0x07, c, 0, 0, 1), I(pick([0xa5, 0xb5, 0x55, 0xc5]), c, 0, -2, pick([3, 5, 10, 40])));
          break;
        }
        case 17:
          x.push(I(pick([0xdb, 0xc3]), 10, r(), -8 * (1 + rnd(5)), pick([0x00, 0x01, 0x40, 0x41, 0xe1, 0xf1, 0x50, 0xa1])));
          break;
        case 18:
          x.push(I(pick([0x16, 0x26, 0x36, 0x46, 0x56, 0x66, 0xa6, 0xb6, 0xc6, 0xd6, 0x1e, 0xae]), r(), pick([0, r()]), 1, pick([0, 5, -1, 255])));
          x.push(I(0xb7, r(), 0, 0, 4));
          break;
        case 19:
          x.push(I(pick([0x91, 0x89, 0x81]), r(), 10, -8 * (1 + rnd(6)), 0));
          break;
        case 20:
          x.push(I(0xbf, r(), r(), pick([8, 16, 32]), 0));
          break;
        case 21:
          x.push(I(0x18, 1, 1, 0, 3), I(0, 0, 0, 0, 0), I(0xb7, 2, 0, 0, pick([8, 16, 24])), I(0xb7, 3, 0, 0, 0), I(0x85, 0, 0, 0, 131));
          if (rnd(4)) x.push(I(0x15, 0, 0, 4, 0));
          x.push(I(0x7a, 0, 0, pick([0, 8, 16]), 1), I(0xbf, 1, 0, 0, 0), I(0xb7, 2, 0, 0, 0), I(0x85, 0, 0, 0, pick([132, 133])), I(0xb7, 0, 0, 0, 0));
          break;
        case 22:
          x.push(I(0xbf, 1, 10, 0, 0), I(0x07, 1, 0, 0, -8 * (1 + rnd(6))), I(0xb7, 2, 0, 0, pick([0, 4, 8, 16, 24])), I(0xb7, 3, 0, 0, 0));
          x.push(I(0x85, 0, 0, 0, pick([113, 115, 16])));
          break;
        default:
          x.push(I(0x7a, 10, 0, -8, 0), I(0xbf, 2, 10, 0, 0), I(0x07, 2, 0, 0, -8), I(0x18, 1, 1, 0, 2), I(0, 0, 0, 0, 0), I(0x85, 0, 0, 0, 1), I(0x15, 0, 0, 4, 0));
          x.push(I(0xbf, 1, 8, 0, 0), I(0x57, 1, 0, 0, pick([7, 15, 31, 63])), I(0x0f, 0, 1, 0, 0), I(pick([0x71, 0x79, 0x61]), r(), 0, 0, 0), I(0xb7, 0, 0, 0, 0));
      }
    }
    x.push(I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0));
    out.push(x);
  }
  return out;
}

function asm(text: string): Insn[] {
  const a = assemble(text);
  if (!a.ok) throw new Error(JSON.stringify(a.errors));
  return a.insns;
}

describe.skipIf(why !== '')('the verifier agrees with the running kernel', () => {
  const cases = VERIFIER_CASES.filter((c) => c.kernelDiffers === undefined && c.prog !== 'tracing');
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const insns = c.insns ?? asm(c.asm!);
    const prog = c.prog ?? 'tracepoint';
    const strict = prog === 'socket_filter';
    const maps = c.maps ?? [];
    const k = kernelLoad(insns, maps, prog, strict);
    const r = verifyProgram(insns, { progType: prog, maps: [undefined, ...maps], allowUninitStack: !strict, ...(c.opts ?? {}) });
    const ours = r.ok ? 'ok' : r.error.message;
    if (ours.startsWith('infinite loop detected')) {
      // Linux prints this reason on the line of the jump that closed the loop.
      expect(k.ok).toBe(false);
      expect(k.log).toContain(ours);
      return;
    }
    expect(k.ok ? 'ok' : k.message).toBe(ours);
  });

  test('random programs get the same verdict and reason (300 programs, fixed seed)', () => {
    const maps: MapSpec[] = [
      { name: 'h', type: 'hash', keySize: 8, valueSize: 16, maxEntries: 16 },
      { name: 'a', type: 'array', keySize: 4, valueSize: 32, maxEntries: 4 },
      { name: 'rb', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 },
    ];
    const disagreements: string[] = [];
    for (const insns of randomPrograms(0x5eed, 300)) {
      const k = kernelLoad(insns, maps, 'tracepoint', false);
      const r = verifyProgram(insns, { progType: 'tracepoint', maps: [undefined, ...maps], allowUninitStack: true });
      const ours = r.ok ? 'ok' : r.error.message;
      const theirs = k.ok ? 'ok' : k.message;
      if (ours !== theirs && !(ours.startsWith('infinite loop') && k.log.includes(ours))) {
        disagreements.push(`${JSON.stringify(insns)}\n  kernel: ${theirs}\n  ours:   ${ours}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  test.each(SHAPED_PROGRAMS.map((p) => [p.name, p] as const))('bpftrace-shaped: %s', (_name, p) => {
    const insns = asm(p.asm);
    const k = kernelLoad(insns, p.maps, p.prog, false);
    expect(k.ok).toBe(true);
  });
});

if (why !== '') test.skip(`the verifier against the running kernel (skipped: ${why})`, () => undefined);
