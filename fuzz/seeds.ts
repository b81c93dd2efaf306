// The valid (and some invalid) programs the mutators start from: the project's golden
// programs, parser sources and checker error cases (with their parameters), a table of
// one-liners in the style of bpftrace's tutorial, and — for `npm run fuzz` only, when a
// bpftrace checkout is present — its tutorial one-liners and tools. In: the repository.
// Out: Seed[] in a fixed order (the fuzz is reproducible from a seed number). Not: mutation.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Seed {
  /** Where it came from, for reports. */
  readonly name: string;
  readonly text: string;
  /** Positional parameters ($1 …) it expects. */
  readonly params: readonly string[];
  /** It needs --unsafe. */
  readonly unsafe: boolean;
}

const ROOT = join(import.meta.dirname, '..');
const GOLDEN = join(ROOT, 'test', 'golden');

/** One-liners covering each construct the tutorial teaches, in our own words. */
export const ONE_LINERS: readonly string[] = [
  'BEGIN { printf("hello\\n"); exit(); }',
  'tracepoint:syscalls:sys_enter_openat { printf("%s %s\\n", comm, str(args.filename)); }',
  'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }',
  'tracepoint:syscalls:sys_exit_read /args.ret/ { @bytes[comm] = sum(args.ret); }',
  'tracepoint:syscalls:sys_exit_read { @sizes = hist(args.ret); }',
  'kprobe:vfs_read { @start[tid] = nsecs; } kretprobe:vfs_read /@start[tid]/ { @ns[comm] = hist(nsecs - @start[tid]); delete(@start[tid]); }',
  'tracepoint:sched:sched_process_exec { printf("%d %s\\n", pid, comm); }',
  'profile:hz:99 /pid/ { @samples[kstack] = count(); }',
  'interval:s:1 { printf("%d\\n", @n); clear(@n); } tracepoint:raw_syscalls:sys_enter { @n++; }',
  'tracepoint:block:block_rq_issue { @bytes = lhist(args.bytes, 0, 65536, 4096); }',
  'kprobe:do_nanosleep { printf("%s sleeps\\n", comm); }',
  'tracepoint:syscalls:sys_enter_write /args.fd == 1/ { @w[pid, comm] = count(); } END { print(@w); clear(@w); }',
  'BEGIN { $i = 0; while ($i < 10) { $i++; } printf("%d\\n", $i); exit(); }',
  'BEGIN { unroll(5) { @c++; } exit(); } END { printf("%d\\n", @c); }',
  'BEGIN { @m[1] = 2; @m[3] = 4; for ($kv : @m) { printf("%d %d\\n", $kv.0, $kv.1); } exit(); }',
  'BEGIN { $t = (1, "two", 3); printf("%d %s %d\\n", $t.0, $t.1, $t.2); exit(); }',
  'BEGIN { @s = stats(10); @a = avg(3); @mn = min(5); @mx = max(7); exit(); }',
  'BEGIN { printf("%s\\n", strftime("%H:%M:%S", nsecs)); exit(); }',
  'BEGIN { if (1 > 2) { printf("no\\n"); } else if (2 > 1) { printf("yes\\n"); } else { printf("?\\n"); } exit(); }',
  'struct point { int x; int y; } BEGIN { $p = (struct point *)0; printf("%d\\n", sizeof(struct point)); exit(); }',
  '#define LIMIT 3\nBEGIN { printf("%d\\n", LIMIT * 2); exit(); }',
  'macro twice($x) { $x * 2 } BEGIN { $v = 4; printf("%d\\n", twice($v)); exit(); }',
  'config = { max_strlen = 32 } BEGIN { printf("%s\\n", "short"); exit(); }',
  'BEGIN { @x = 1; @y = @x << 3; @z = ~@y & 0xff; printf("%d %d\\n", @y, @z); exit(); }',
  'tracepoint:syscalls:sys_enter_kill { printf("%d -> %d\\n", pid, args.pid); }',
  'kretprobe:vfs_read { @ret = hist(retval); }',
  'BEGIN { printf("%d %d\\n", $1, $#); exit(); }',
  'BEGIN { @ = count(); @["k"] = sum(2); exit(); }',
  'BEGIN { $s = "abc"; if ($s == "abc") { printf("eq\\n"); } exit(); }',
  'tracepoint:syscalls:sys_enter_openat { @[ustack] = count(); } interval:ms:100 { exit(); }',
];

function readProgramDir(dir: string, withMeta: boolean): Seed[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bt'))
    .sort()
    .map((f) => {
      let params: string[] = [];
      let unsafe = false;
      const meta = join(dir, f.replace(/\.bt$/, '.json'));
      if (withMeta && existsSync(meta)) {
        const m = JSON.parse(readFileSync(meta, 'utf8')) as { args?: string[]; params?: string[] };
        params = m.params ?? [];
        unsafe = (m.args ?? []).includes('--unsafe');
      }
      return { name: `${dir.slice(ROOT.length + 1)}/${f}`, text: readFileSync(join(dir, f), 'utf8'), params, unsafe };
    });
}

/** The seeds of this repository (what `npm test` uses). */
export function repositorySeeds(): Seed[] {
  return [
    ...ONE_LINERS.map((text, i) => ({ name: `one-liner ${i}`, text, params: ['1'], unsafe: false })),
    ...readProgramDir(join(GOLDEN, 'programs'), true),
    ...readProgramDir(join(GOLDEN, 'parse', 'sources'), false),
    ...readProgramDir(join(GOLDEN, 'check-errors'), false),
  ];
}

/** Repository seeds plus bpftrace's own tutorial one-liners and tools when a checkout exists. */
export function allSeeds(reference = process.env['BPFTRACE_REF'] ?? '/work/ref/bpftrace'): Seed[] {
  const seeds = repositorySeeds();
  const tutorial = join(reference, 'docs', 'tutorial_one_liners.md');
  if (existsSync(tutorial)) {
    const lines = [...readFileSync(tutorial, 'utf8').matchAll(/^bpftrace -e '(.*)'$/gm)].map((m) => m[1]!);
    seeds.push(...lines.map((text, i) => ({ name: `tutorial ${i}`, text, params: [], unsafe: false })));
  }
  const tools = join(reference, 'tools');
  if (existsSync(tools)) {
    for (const s of readProgramDir(tools, false)) seeds.push({ ...s, name: `bpftrace tools/${s.name.split('/').pop()}` });
  }
  return seeds;
}
