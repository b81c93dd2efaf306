// The probe names each provider offers in the synthetic kernel, and wildcard expansion over
// them: matchProbes('tracepoint', 'syscalls:sys_enter_*') → ['syscalls:sys_enter_accept', …].
// In: a provider (canonical name or alias) and a pattern; out: sorted names. Provider syntax
// and attach point checking are the checker's; this file only knows what exists.

import { listTracepoints, kernelFunctions } from './catalog.js';
import { globMatcher } from './glob.js';
import { HARDWARE_EVENTS, SOFTWARE_EVENTS, TIME_UNITS } from './perf_events.js';

/** Aliases of bpftrace's providers (docs/language.md), mapped to the canonical name. */
const PROVIDER_ALIASES: Readonly<Record<string, string>> = {
  t: 'tracepoint',
  rt: 'rawtracepoint',
  k: 'kprobe',
  kr: 'kretprobe',
  f: 'fentry',
  kfunc: 'fentry',
  fr: 'fexit',
  kretfunc: 'fexit',
  u: 'uprobe',
  ur: 'uretprobe',
  U: 'usdt',
  p: 'profile',
  i: 'interval',
  s: 'software',
  h: 'hardware',
  w: 'watchpoint',
  aw: 'asyncwatchpoint',
  it: 'iter',
  begin: 'BEGIN',
  end: 'END',
};

const PROVIDERS = new Set([
  'BEGIN',
  'END',
  'self',
  'test',
  'bench',
  'tracepoint',
  'rawtracepoint',
  'kprobe',
  'kretprobe',
  'fentry',
  'fexit',
  'uprobe',
  'uretprobe',
  'usdt',
  'profile',
  'interval',
  'software',
  'hardware',
  'watchpoint',
  'asyncwatchpoint',
  'iter',
]);

/** 'k' → 'kprobe', 'kprobe' → 'kprobe', 'nonsense' → undefined. */
export function canonicalProvider(name: string): string | undefined {
  if (PROVIDERS.has(name)) return name;
  return Object.hasOwn(PROVIDER_ALIASES, name) ? PROVIDER_ALIASES[name] : undefined;
}

/** The kernel module every catalogued function lives in (bpftrace shows it for fentry). */
export const KERNEL_MODULE = 'vmlinux';

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const memo = new Map<string, readonly string[]>();
function memoized(key: string, make: () => string[]): readonly string[] {
  let v = memo.get(key);
  if (!v) {
    v = make().sort(byteOrder);
    memo.set(key, v);
  }
  return v;
}

/**
 * Every name a provider offers, in byte order: 'category:event' for tracepoint; the event for
 * rawtracepoint (syscalls' per-call events excepted, as bpftrace lists them); function names
 * for kprobe/kretprobe, and those with BTF for fentry/fexit; event names and aliases for
 * software/hardware; time units for profile/interval. Empty for providers the synthetic
 * kernel has nothing for (uprobe, usdt, iter, watchpoint…).
 */
export function probeNames(provider: string): readonly string[] {
  switch (canonicalProvider(provider)) {
    case 'tracepoint':
      return memoized('tracepoint', () => listTracepoints().map((t) => `${t.category}:${t.event}`));
    case 'rawtracepoint':
      return memoized('rawtracepoint', () => [
        ...new Set(listTracepoints().filter((t) => t.category !== 'syscalls').map((t) => t.event)),
      ]);
    case 'kprobe':
    case 'kretprobe':
      return memoized('kprobe', () => kernelFunctions().map((f) => f.name));
    case 'fentry':
    case 'fexit':
      return memoized('fentry', () => kernelFunctions().filter((f) => f.btf).map((f) => f.name));
    case 'software':
      return memoized('software', () => SOFTWARE_EVENTS.flatMap((e) => (e.alias ? [e.name, e.alias] : [e.name])));
    case 'hardware':
      return memoized('hardware', () => HARDWARE_EVENTS.flatMap((e) => (e.alias ? [e.name, e.alias] : [e.name])));
    case 'profile':
    case 'interval':
      return TIME_UNITS;
    default:
      return [];
  }
}

/**
 * The names of `provider` that `pattern` selects (`*`, `?`, `{a,b}`), in byte order. For
 * kernel functions the pattern may carry a module ('vmlinux:vfs_*' or '*:vfs_*'); the
 * names returned never do.
 */
export function matchProbes(provider: string, pattern: string): string[] {
  const canonical = canonicalProvider(provider);
  let namePattern = pattern;
  if (canonical === 'kprobe' || canonical === 'kretprobe' || canonical === 'fentry' || canonical === 'fexit') {
    const colon = pattern.lastIndexOf(':');
    if (colon >= 0) {
      if (!globMatcher(pattern.slice(0, colon))(KERNEL_MODULE)) return [];
      namePattern = pattern.slice(colon + 1);
    }
  }
  const match = globMatcher(namePattern);
  return probeNames(provider).filter(match);
}
