import { describe, expect, test } from 'vitest';
import { globFilter, globMatcher, hasWildcard } from '../../src/probes/glob.js';
import { canonicalProvider, matchProbes, probeNames } from '../../src/probes/probe_names.js';

describe('globMatcher', () => {
  test.each([
    ['sys_enter_*', 'sys_enter_openat', true],
    ['sys_enter_*', 'sys_exit_openat', false],
    ['*', '', true],
    ['*open*', 'sys_enter_openat2', true],
    ['*:sched_switch', 'sched:sched_switch', true],
    ['sched:*', 'sched:sched_switch', true],
    ['sched_wak?up', 'sched_wakeup', true],
    ['sched_wak?up', 'sched_wakup', false],
    ['sched_{switch,wakeup}', 'sched_switch', true],
    ['sched_{switch,wakeup}', 'sched_wakeup', true],
    ['sched_{switch,wakeup}', 'sched_wakeup_new', false],
    ['sched_{switch,wakeup}*', 'sched_wakeup_new', true],
    ['{a,b{c,d}}x', 'bdx', true],
    ['{a,b{c,d}}x', 'bx', false],
    ['{,pre}fix', 'fix', true],
    ['{,pre}fix', 'prefix', true],
    ['a{b', 'a{b', true],
    ['a}b', 'a}b', true],
    ['a,b', 'a,b', true],
    ['lookup_fast.constprop.*', 'lookup_fast.constprop.0', true],
    ['lookup_fast.constprop.*', 'lookup_fastXconstprop.0', false],
    ['a+b(c)|[d]^$', 'a+b(c)|[d]^$', true],
    ['vfs_read', 'vfs_readv', false],
  ])('%s ~ %s → %s', (pattern, candidate, expected) => {
    expect(globMatcher(pattern)(candidate)).toBe(expected);
  });

  test('globFilter keeps order', () => {
    expect(globFilter('b*', ['bc', 'a', 'ba', 'b'])).toEqual(['bc', 'ba', 'b']);
  });

  test.each([
    ['kprobe:vfs_read', false],
    ['vfs_*', true],
    ['sched_wak?up', true],
    ['sched_{a,b}', true],
  ])('hasWildcard(%s) → %s', (text, expected) => {
    expect(hasWildcard(text)).toBe(expected);
  });
});

describe('matchProbes', () => {
  test('tracepoints by category:event pattern', () => {
    expect(matchProbes('tracepoint', 'raw_syscalls:*')).toEqual(['raw_syscalls:sys_enter', 'raw_syscalls:sys_exit']);
    expect(matchProbes('t', 'sched:sched_{switch,wakeup}')).toEqual(['sched:sched_switch', 'sched:sched_wakeup']);
    expect(matchProbes('tracepoint', 'syscalls:sys_enter_*')).toHaveLength(360);
    expect(matchProbes('tracepoint', '*:sched_process_*')).toEqual([
      'sched:sched_process_exec',
      'sched:sched_process_exit',
      'sched:sched_process_fork',
      'sched:sched_process_free',
      'sched:sched_process_hang',
      'sched:sched_process_wait',
    ]);
    expect(matchProbes('tracepoint', 'sched:sched_switch')).toEqual(['sched:sched_switch']);
    expect(matchProbes('tracepoint', 'sched:nope')).toEqual([]);
  });

  test('kernel functions, with or without a module', () => {
    expect(matchProbes('kprobe', 'vfs_read*')).toEqual(['vfs_read', 'vfs_readlink', 'vfs_readv']);
    expect(matchProbes('k', 'vmlinux:vfs_read')).toEqual(['vfs_read']);
    expect(matchProbes('kretprobe', '*:tcp_v?_connect')).toEqual(['tcp_v4_connect', 'tcp_v6_connect']);
    expect(matchProbes('kprobe', 'ext4:vfs_read')).toEqual([]);
    expect(matchProbes('kprobe', '__x64_sys_getuid')).toEqual(['__x64_sys_getuid']);
    // fentry needs BTF, which the argument-less syscall wrappers lack.
    expect(matchProbes('fentry', '__x64_sys_getuid')).toEqual([]);
    expect(matchProbes('kfunc', 'vfs_{read,write}')).toEqual(['vfs_read', 'vfs_write']);
  });

  test('rawtracepoints exclude the per-syscall events', () => {
    expect(matchProbes('rawtracepoint', 'sys_*')).toEqual(['sys_enter', 'sys_exit']);
    expect(matchProbes('rt', 'sched_switch')).toEqual(['sched_switch']);
  });

  test('software and hardware events with aliases', () => {
    expect(matchProbes('software', 'c*')).toEqual(['context-switches', 'cpu', 'cpu-clock', 'cpu-migrations', 'cs']);
    expect(matchProbes('h', '*cycles')).toEqual(['bus-cycles', 'cpu-cycles', 'cycles', 'ref-cycles']);
  });

  test('providers with nothing in the synthetic kernel', () => {
    expect(probeNames('uprobe')).toEqual([]);
    expect(probeNames('usdt')).toEqual([]);
    expect(matchProbes('nonsense', '*')).toEqual([]);
  });

  test.each([
    ['t', 'tracepoint'],
    ['kfunc', 'fentry'],
    ['kretfunc', 'fexit'],
    ['begin', 'BEGIN'],
    ['rawtracepoint', 'rawtracepoint'],
    ['nonsense', undefined],
  ])('canonicalProvider(%s) → %s', (alias, canonical) => {
    expect(canonicalProvider(alias)).toBe(canonical);
  });
});
