// The probe providers bpftrace knows: canonical name, aliases, the eBPF program type each
// attaches with, how many `:`-parts it takes, and the address space its raw arguments live in.
// Data only; resolving an attach point against the catalog is probes.ts.

export type ProviderName =
  | 'BEGIN'
  | 'END'
  | 'self'
  | 'test'
  | 'bench'
  | 'kprobe'
  | 'kretprobe'
  | 'uprobe'
  | 'uretprobe'
  | 'usdt'
  | 'tracepoint'
  | 'rawtracepoint'
  | 'profile'
  | 'interval'
  | 'software'
  | 'hardware'
  | 'watchpoint'
  | 'asyncwatchpoint'
  | 'fentry'
  | 'fexit'
  | 'iter';

/**
 * The Linux program type (BPF_PROG_TYPE_*) a provider's programs are loaded as. BEGIN/END
 * and self run in bpftrace's own process; bpftrace loads them as raw tracepoint programs
 * it triggers with BPF_PROG_TEST_RUN, hence 'raw_tracepoint'.
 */
export type ProgType = 'kprobe' | 'tracepoint' | 'perf_event' | 'tracing' | 'raw_tracepoint';

export interface Provider {
  readonly name: ProviderName;
  readonly aliases: readonly string[];
  readonly progType: ProgType;
  /** bpftrace's probe-type family used by builtin/function restrictions ('special' for BEGIN/END/self/test/bench). */
  readonly family: ProviderName | 'special';
  /** Accepted numbers of parts after the provider (e.g. tracepoint: [2]). */
  readonly parts: readonly number[];
  /** Where untyped addresses read in this probe point to (argN, reg(), casts of integers). */
  readonly addressSpace: 'kernel' | 'user';
  /** Listed by `-l` among kernel probes. */
  readonly kernelList: boolean;
}

const P = (
  name: ProviderName,
  aliases: string[],
  progType: ProgType,
  parts: number[],
  addressSpace: 'kernel' | 'user',
  opts: { special?: boolean; kernelList?: boolean } = {},
): Provider => ({
  name,
  aliases,
  progType,
  family: opts.special ? 'special' : name,
  parts,
  addressSpace,
  kernelList: opts.kernelList ?? false,
});

export const PROVIDERS: readonly Provider[] = [
  P('BEGIN', ['begin'], 'raw_tracepoint', [0], 'kernel', { special: true }),
  P('END', ['end'], 'raw_tracepoint', [0], 'kernel', { special: true }),
  P('self', [], 'raw_tracepoint', [2], 'kernel', { special: true }),
  P('test', [], 'raw_tracepoint', [1], 'kernel', { special: true }),
  P('bench', [], 'raw_tracepoint', [1], 'kernel', { special: true }),
  P('kprobe', ['k'], 'kprobe', [1, 2], 'kernel', { kernelList: true }),
  P('kretprobe', ['kr'], 'kprobe', [1, 2], 'kernel'),
  P('uprobe', ['u'], 'kprobe', [2, 3], 'user'),
  P('uretprobe', ['ur'], 'kprobe', [2, 3], 'user'),
  P('usdt', ['U'], 'kprobe', [2, 3], 'user'),
  P('tracepoint', ['t'], 'tracepoint', [2], 'kernel', { kernelList: true }),
  P('rawtracepoint', ['rt'], 'raw_tracepoint', [1, 2], 'kernel', { kernelList: true }),
  P('profile', ['p'], 'perf_event', [1, 2], 'kernel'),
  P('interval', ['i'], 'perf_event', [1, 2], 'kernel'),
  P('software', ['s'], 'perf_event', [1, 2], 'kernel', { kernelList: true }),
  P('hardware', ['h'], 'perf_event', [1, 2], 'kernel', { kernelList: true }),
  P('watchpoint', ['w'], 'perf_event', [3], 'user'),
  P('asyncwatchpoint', ['aw'], 'perf_event', [3], 'user'),
  P('fentry', ['f', 'kfunc'], 'tracing', [1, 2], 'kernel', { kernelList: true }),
  P('fexit', ['fr', 'kretfunc'], 'tracing', [1, 2], 'kernel'),
  P('iter', ['it'], 'tracing', [1, 2], 'kernel', { kernelList: true }),
];

const BY_NAME = new Map<string, Provider>();
for (const p of PROVIDERS) {
  BY_NAME.set(p.name, p);
  for (const a of p.aliases) BY_NAME.set(a, p);
}

/** The provider for a name or alias as written (`t`, `tracepoint`, `begin`, `kfunc`…). */
export function providerByName(written: string): Provider | undefined {
  return BY_NAME.get(written);
}

/** Every spelling a user may write, for did-you-mean suggestions. */
export function providerSpellings(): string[] {
  return [...BY_NAME.keys()];
}

/** perf software events: name, alias, default sample period (as `perf` and bpftrace use). */
export const SOFTWARE_EVENTS: readonly { name: string; alias: string; defaultCount: number }[] = [
  { name: 'alignment-faults', alias: '', defaultCount: 1 },
  { name: 'bpf-output', alias: '', defaultCount: 1 },
  { name: 'context-switches', alias: 'cs', defaultCount: 1000 },
  { name: 'cpu-clock', alias: 'cpu', defaultCount: 1000000 },
  { name: 'cpu-migrations', alias: '', defaultCount: 1 },
  { name: 'dummy', alias: '', defaultCount: 1 },
  { name: 'emulation-faults', alias: '', defaultCount: 1 },
  { name: 'major-faults', alias: '', defaultCount: 1 },
  { name: 'minor-faults', alias: '', defaultCount: 100 },
  { name: 'page-faults', alias: 'faults', defaultCount: 100 },
  { name: 'task-clock', alias: '', defaultCount: 1 },
];

/** perf hardware events. */
export const HARDWARE_EVENTS: readonly { name: string; alias: string; defaultCount: number }[] = [
  { name: 'backend-stalls', alias: '', defaultCount: 1000000 },
  { name: 'branch-instructions', alias: 'branches', defaultCount: 100000 },
  { name: 'branch-misses', alias: '', defaultCount: 100000 },
  { name: 'bus-cycles', alias: '', defaultCount: 100000 },
  { name: 'cache-misses', alias: '', defaultCount: 1000000 },
  { name: 'cache-references', alias: '', defaultCount: 1000000 },
  { name: 'cpu-cycles', alias: 'cycles', defaultCount: 1000000 },
  { name: 'frontend-stalls', alias: '', defaultCount: 1000000 },
  { name: 'instructions', alias: '', defaultCount: 1000000 },
  { name: 'ref-cycles', alias: '', defaultCount: 1000000 },
];

/** Time units accepted by profile and interval. */
export const TIME_UNITS: readonly string[] = ['s', 'ms', 'us', 'hz'];

/** Signals a `self:signal:` probe can trigger on. */
export const SELF_SIGNALS: readonly string[] = ['SIGUSR1'];

/** bpf iterators bpftrace offers (iter:task, iter:task_file, iter:task_vma). */
export const ITERATORS: readonly string[] = ['task', 'task_file', 'task_vma'];
