// Every builtin function's signature, table-driven: for each row of src/check/functions.ts,
// calls that check (with the result type where it has one) and calls that must fail with
// bpftrace's message. A final test makes sure no row of the table is left without cases.

import { describe, expect, test } from 'vitest';
import { FUNCTIONS } from '../../src/check/functions.js';
import { typeName } from '../../src/check/types.js';
import { runCheck } from './run-check.js';

interface Case {
  /** Probe(s) and body; `$r` (when assigned) is the call's result. */
  readonly program: string;
  /** typeName of $r. */
  readonly type?: string;
  readonly unsafe?: boolean;
}

interface Row {
  readonly ok: readonly Case[];
  /** [program, message the error must contain] */
  readonly bad: readonly (readonly [string, string])[];
}

const K = 'kprobe:vfs_read';

const TABLE: Record<string, Row> = {
  count: { ok: [{ program: 'BEGIN { @c = count(); @k[1] = count(); }' }], bad: [['BEGIN { @c = count(1); }', 'count() requires no arguments (1 provided)'], ['BEGIN { $x = count(); }', 'count() should be directly assigned to a map']] },
  sum: { ok: [{ program: 'BEGIN { @s = sum(5); }' }], bad: [['BEGIN { @s = sum(); }', 'sum() requires one argument (0 provided)'], ['BEGIN { @s = sum("a"); }', 'sum() only supports int arguments (string provided)']] },
  min: { ok: [{ program: 'BEGIN { @s = min(-5); }' }], bad: [['BEGIN { @s = min(1, 2); }', 'min() requires one argument (2 provided)'], ['BEGIN { min(1); }', 'min() should be directly assigned to a map']] },
  max: { ok: [{ program: 'BEGIN { @s = max(5); }' }], bad: [['BEGIN { @s = max(comm); }', 'max() only supports int arguments (string provided)']] },
  avg: { ok: [{ program: 'BEGIN { @s = avg(5); }' }], bad: [['BEGIN { @s = avg(); }', 'avg() requires one argument (0 provided)']] },
  stats: { ok: [{ program: 'BEGIN { @s = stats(5); }' }], bad: [['BEGIN { @s = stats((1, 2)); }', 'stats() only supports int arguments (tuple provided)']] },
  hist: {
    ok: [{ program: 'BEGIN { @h = hist(5); @g = hist(5, 3); }' }],
    bad: [
      ['BEGIN { @h = hist(5, 6); }', 'hist: bits 6 must be 0..5'],
      ['BEGIN { @h = hist(); }', 'hist() requires at least one argument (0 provided)'],
      ['BEGIN { @h = hist(1, 2, 3); }', 'hist() takes up to 2 arguments (3 provided)'],
      ['BEGIN { $b = 1; @h = hist(5, $b); }', 'hist() expects a int literal (int provided)'],
    ],
  },
  lhist: {
    ok: [{ program: 'BEGIN { @h = lhist(5, 0, 100, 10); }' }],
    bad: [
      ['BEGIN { @h = lhist(5, 0, 100); }', 'lhist() requires 4 arguments (3 provided)'],
      ['BEGIN { @h = lhist(5, 0, 100, 0); }', 'lhist() step must be >= 1 (0 provided)'],
      ['BEGIN { @h = lhist(5, 0, 100000, 1); }', 'lhist() too many buckets, must be <= 1000 (would need 100000)'],
      ['BEGIN { @h = lhist(5, -1, 10, 1); }', 'lhist() min must be non-negative (provided min -1)'],
    ],
  },
  tseries: {
    ok: [{ program: 'BEGIN { @t = tseries(5, 1s, 10); @u = tseries(5, 100ms, 20, "max"); }' }],
    bad: [
      ['BEGIN { @t = tseries(5, 1s); }', 'tseries() requires at least 3 arguments (2 provided)'],
      ['BEGIN { @t = tseries(5, 1s, 10, "median"); }', 'tseries() expects one of the following aggregation functions'],
    ],
  },
  delete: {
    ok: [
      { program: 'BEGIN { @a[1] = 1; delete(@a, 1); delete(@a[1]); }' },
      { program: 'BEGIN { @a[1, "x"] = 1; $r = delete(@a, (1, "x")); }', type: 'bool' },
      { program: 'BEGIN { @s = 1; delete(@s); }' },
    ],
    bad: [
      ['BEGIN { delete(1, 2); }', 'delete() expects a map for the first argument and a key for the second argument'],
      ['BEGIN { @a[1] = 1; delete(@a, "x"); }', "Argument mismatch for @a: trying to access with arguments: 'string[2]' when map expects arguments: 'int64'"],
      ['BEGIN { @a[1] = 1; delete(@a[1], 1); }', 'delete() expects a map with no keys for the first argument'],
    ],
  },
  has_key: {
    ok: [{ program: 'BEGIN { @a[1] = 1; $r = has_key(@a, 1); }', type: 'uint8' }],
    bad: [
      ['BEGIN { @a = 1; $r = has_key(@a, 1); }', 'has_key() only accepts maps that have keys'],
      ['BEGIN { @a[1] = 1; $r = has_key(@a); }', 'has_key() requires at least 2 arguments (1 provided)'],
      ['BEGIN { @a[1] = 1; $r = has_key(@a[1], 1); }', 'has_key() expects the first argument to be a map. Not a map value expression.'],
    ],
  },
  str: {
    ok: [
      { program: `${K} { $r = str(arg0); }`, type: 'string[1024]' },
      { program: `${K} { $r = str(arg0, 16); }`, type: 'string[16]' },
      { program: 'tracepoint:syscalls:sys_enter_openat { $r = str(args.filename); }', type: 'string[1024]' },
    ],
    bad: [
      ['BEGIN { $r = str((1, 2)); }', 'str() expects an integer or a pointer type as first argument ((int64,int64) provided)'],
      ['BEGIN { $r = str(); }', 'str() requires at least one argument (0 provided)'],
    ],
  },
  buf: {
    ok: [{ program: `${K} { $r = buf(arg0, 8); }`, type: 'buffer[12]' }],
    bad: [[`${K} { $r = buf(arg0); }`, 'buf() expects a length argument for non-array type int']],
  },
  ksym: { ok: [{ program: `${K} { $r = ksym(arg0); }`, type: 'ksym_t' }], bad: [['BEGIN { $r = ksym("a"); }', 'ksym() expects an integer or pointer argument']] },
  usym: { ok: [{ program: 'uprobe:/bin/bash:readline { $r = usym(arg0); }', type: 'usym_t' }], bad: [['BEGIN { $r = usym(comm); }', 'usym() expects an integer or pointer argument']] },
  ntop: {
    ok: [
      { program: 'BEGIN { $r = ntop(0x0100007f); }', type: 'inet[24]' },
      { program: 'BEGIN { $r = ntop(2, pton("127.0.0.1")); }', type: 'inet[24]' },
    ],
    bad: [['BEGIN { $r = ntop((uint8[3])0); }', 'Cannot cast from "int64" to "uint8[3]"']],
  },
  pton: {
    ok: [
      { program: 'BEGIN { $r = pton("127.0.0.1"); }', type: 'uint8[4]' },
      { program: 'BEGIN { $r = pton("::1"); }', type: 'uint8[16]' },
    ],
    bad: [
      ['BEGIN { $r = pton("localhost"); }', 'pton() expects an string argument of an IPv4/IPv6 address, got localhost'],
      ['BEGIN { $r = pton("1.2.3"); }', 'pton() expects a valid IPv4/IPv6 address, got 1.2.3'],
    ],
  },
  join: { ok: [{ program: 'tracepoint:syscalls:sys_enter_execve { join(args.argv); join(args.argv, ","); }' }], bad: [['BEGIN { join("a"); }', 'join() only supports int or pointer arguments (string provided)']] },
  reg: {
    ok: [{ program: `${K} { $r = reg("ip"); }`, type: 'uint64' }],
    bad: [
      [`${K} { $r = reg("nope"); }`, "'nope' is not a valid register on this architecture (x86_64)"],
      ['tracepoint:syscalls:sys_enter_read { $r = reg("ip"); }', 'reg can not be used with "tracepoint" probes'],
    ],
  },
  kaddr: { ok: [{ program: 'BEGIN { $r = kaddr("avenrun"); }', type: 'uint64' }], bad: [['BEGIN { $n = "x"; $r = kaddr($n); }', 'kaddr() expects a string literal (string provided)']] },
  percpu_kaddr: { ok: [{ program: 'BEGIN { $r = percpu_kaddr("runqueues", 0); }', type: 'uint64' }], bad: [['BEGIN { $r = percpu_kaddr(); }', 'percpu_kaddr() requires at least one argument (0 provided)']] },
  uaddr: {
    ok: [{ program: 'uprobe:/bin/bash:readline { $r = uaddr("ps1_prompt"); }', type: 'uint64 *' }],
    bad: [[`${K} { $r = uaddr("x"); }`, 'uaddr can not be used with "kprobe" probes']],
  },
  cgroupid: { ok: [{ program: 'BEGIN { $r = cgroupid("/sys/fs/cgroup"); }', type: 'uint64' }], bad: [['BEGIN { $r = cgroupid(1); }', 'cgroupid() expects a string literal (int provided)']] },
  printf: {
    ok: [{ program: 'BEGIN { printf("%d %s %x %-10s %5.2lu %c %r\\n", pid, comm, 1, "a", 2, 65, buf("ab", 2)); }' }],
    bad: [
      ['BEGIN { printf("%d\\n"); }', 'printf: Not enough arguments for format string (0 supplied, 1 expected)'],
      ['BEGIN { printf("%s\\n", 1); }', 'printf: %s specifier expects a value of type string (int supplied)'],
      ['BEGIN { printf(); }', 'printf() requires at least one argument (0 provided)'],
      ['BEGIN { $f = "%d"; printf($f, 1); }', 'printf() expects a string literal (string provided)'],
    ],
  },
  system: {
    ok: [{ program: 'BEGIN { system("echo %d", pid); }', unsafe: true }],
    bad: [['BEGIN { system("ls"); }', 'system() is an unsafe function being used in safe mode']],
  },
  cat: { ok: [{ program: 'BEGIN { cat("/proc/%d/maps", pid); }' }], bad: [['BEGIN { cat("/proc/%d/maps"); }', 'cat: Not enough arguments for format string (0 supplied, 1 expected)']] },
  errorf: { ok: [{ program: 'BEGIN { errorf("bad %d", 1); }' }], bad: [['BEGIN { errorf("bad %s", 1); }', 'errorf: %s specifier expects a value of type string (int supplied)']] },
  warnf: { ok: [{ program: 'BEGIN { warnf("careful %s", comm); }' }], bad: [['BEGIN { warnf("%d %d", 1); }', 'warnf: Not enough arguments for format string (1 supplied, 2 expected)']] },
  debugf: { ok: [{ program: 'BEGIN { debugf("x %d", 1); }' }], bad: [['BEGIN { debugf(1); }', 'debugf() expects a string literal (int provided)']] },
  exit: {
    ok: [{ program: 'BEGIN { exit(); }' }, { program: 'BEGIN { exit(3); }' }],
    bad: [
      ['BEGIN { exit(1, 2); }', 'exit() takes up to one argument (2 provided)'],
      ['BEGIN { $x = exit(); }', 'exit() should not be used in an assignment or as a map key'],
    ],
  },
  print: {
    ok: [{ program: 'BEGIN { @a[1] = 1; print(@a); print(@a, 1); print(@a, 1, 2); print(@a[1]); print(1); print((1, "a")); }' }],
    bad: [
      ['BEGIN { @a[1] = 1; print(@a[1], 2); }', 'Single-value (i.e. indexed) map print cannot take additional arguments.'],
      ['BEGIN { print(1, 2); }', 'Non-map print() only takes 1 argument, 2 found'],
      ['BEGIN { @h[1] = hist(1); print(@h[1]); }', 'Map type hist_t cannot print the value of individual keys. You must print the whole map.'],
    ],
  },
  cgroup_path: { ok: [{ program: 'BEGIN { $r = cgroup_path(cgroup); }', type: 'cgroup_path_t' }], bad: [['BEGIN { $r = cgroup_path("a"); }', 'cgroup_path() only supports int arguments (string provided)']] },
  clear: { ok: [{ program: 'BEGIN { @a[1] = 1; clear(@a); }' }], bad: [['BEGIN { @a[1] = 1; clear(@a[1]); }', 'The map passed to clear() should not be indexed by a key'], ['BEGIN { clear(1); }', 'clear() expects a map to be provided']] },
  zero: { ok: [{ program: 'BEGIN { @a[1] = count(); zero(@a); }' }], bad: [['BEGIN { zero(1); }', 'zero() expects a map to be provided']] },
  len: {
    ok: [{ program: 'BEGIN { @a[1] = 1; $r = len(@a); }', type: 'int64' }, { program: `${K} { $r = len(kstack); }`, type: 'int64' }],
    bad: [['BEGIN { $r = len(1); }', 'len() expects a map or stack to be provided']],
  },
  time: { ok: [{ program: 'BEGIN { time(); time("%H:%M:%S\\n"); }' }], bad: [['BEGIN { time(1); }', 'time() expects a string literal (int provided)']] },
  strftime: {
    ok: [{ program: 'BEGIN { $r = strftime("%H:%M", nsecs); }', type: 'timestamp' }],
    bad: [
      ['BEGIN { $r = strftime("%H", nsecs(monotonic)); }', 'strftime() can not take a monotonic timestamp'],
      ['BEGIN { $r = strftime("%H"); }', 'strftime() requires at least 2 arguments (1 provided)'],
    ],
  },
  kstack: {
    ok: [{ program: `${K} { @[kstack] = count(); @b[kstack(3)] = count(); @c[kstack(perf, 5)] = count(); @d[kstack(raw)] = count(); }` }],
    bad: [[`${K} { @[kstack(2000)] = count(); }`, "kstack([int limit]): limit shouldn't exceed 1024, 2000 given"]],
  },
  ustack: {
    ok: [{ program: 'uprobe:/bin/bash:readline { @[ustack(perf)] = count(); }' }],
    bad: [['uprobe:/bin/bash:readline { @[ustack(1, 2, 3)] = count(); }', 'ustack() takes up to 2 arguments (3 provided)']],
  },
  signal: {
    ok: [{ program: `${K} { signal("SIGKILL"); signal(9); }`, unsafe: true }],
    bad: [
      [`${K} { signal(9); }`, 'signal() is an unsafe function being used in safe mode'],
      ['BEGIN { signal(9); }', 'signal can not be used with "BEGIN" probes'],
    ],
  },
  signal_thread: {
    ok: [{ program: `${K} { signal_thread("SIGUSR1"); }`, unsafe: true }],
    bad: [[`${K} { signal_thread(99); }`, 'signal_thread() is an unsafe function being used in safe mode']],
  },
  path: {
    ok: [{ program: 'fentry:vfs_open { $r = path(args.path); }', type: 'string[1024]' }],
    bad: [[`${K} { $r = path(arg0); }`, "The path function can only be used with 'fentry', 'fexit', 'iter' probes"]],
  },
  strerror: { ok: [{ program: 'BEGIN { $r = strerror(2); }', type: 'strerror_t' }], bad: [['BEGIN { $r = strerror("a"); }', 'strerror() only supports int arguments (string provided)']] },
  syscall_name: { ok: [{ program: 'tracepoint:raw_syscalls:sys_enter { $r = syscall_name(args.id); }', type: 'string[32]' }], bad: [['BEGIN { $r = syscall_name(); }', 'syscall_name() requires one argument (0 provided)']] },
  signal_name: { ok: [{ program: 'BEGIN { $r = signal_name(2); }', type: 'string[16]' }], bad: [['BEGIN { $r = signal_name(comm); }', 'signal_name() only supports int arguments (string provided)']] },
  strncmp: {
    ok: [{ program: 'BEGIN { $r = strncmp(comm, "bash", 4); }', type: 'uint64' }],
    bad: [['BEGIN { $n = 2; $r = strncmp(comm, "b", $n); }', 'strncmp() expects a int literal (int provided)']],
  },
  strcontains: { ok: [{ program: 'BEGIN { $r = strcontains(comm, "sh"); }', type: 'uint64' }], bad: [['BEGIN { $r = strcontains(comm, 1); }', 'strcontains() only supports string arguments (int provided)']] },
  strstr: { ok: [{ program: 'BEGIN { $r = strstr(comm, "sh"); }', type: 'int64' }], bad: [['BEGIN { $r = strstr(1, comm); }', 'strstr() only supports string arguments (int provided)']] },
  strlen: { ok: [{ program: 'BEGIN { $r = strlen(comm); }', type: 'uint64' }], bad: [['BEGIN { $r = strlen(1); }', 'strlen() only supports string arguments (int provided)']] },
  override: {
    ok: [{ program: `${K} { override(0); }`, unsafe: true }],
    bad: [['tracepoint:syscalls:sys_enter_read { override(1); }', 'override() is an unsafe function being used in safe mode']],
  },
  kptr: { ok: [{ program: `${K} { $r = kptr((struct file *)arg0); }`, type: 'struct file *' }], bad: [['BEGIN { $r = kptr("a"); }', 'kptr() only supports int or pointer arguments (string provided)']] },
  uptr: { ok: [{ program: `${K} { $r = uptr(arg1); }`, type: 'uint64' }], bad: [['BEGIN { $r = uptr(comm); }', 'uptr() only supports int or pointer arguments (string provided)']] },
  macaddr: {
    ok: [{ program: `${K} { $r = macaddr((uint8[6])(uint64)0 ); }`.replace('(uint8[6])(uint64)0', 'arg0'), type: 'mac_address' }],
    bad: [['BEGIN { $r = macaddr("abcdef"); }', 'macaddr() does not support literal string arguments']],
  },
  unwatch: { ok: [{ program: 'BEGIN { unwatch(1); }' }], bad: [['BEGIN { unwatch(comm); }', 'unwatch() only supports int arguments (string provided)']] },
  bswap: {
    ok: [{ program: 'BEGIN { $r = bswap((uint16)1); }', type: 'uint16' }, { program: 'BEGIN { $r = bswap(1); }', type: 'uint64' }],
    bad: [['BEGIN { $r = bswap(comm); }', 'bswap() only supports int arguments (string provided)']],
  },
  skboutput: {
    ok: [{ program: 'fentry:dev_queue_xmit { $r = skboutput("x.pcap", args.skb, 100, 0); }', type: 'uint32' }],
    bad: [['fentry:dev_queue_xmit { skboutput("x.pcap", args.skb, 100, 0); }', 'skboutput() should be assigned to a variable']],
  },
  socket_cookie: { ok: [{ program: 'fentry:tcp_close { $r = socket_cookie(args.sk); }', type: 'uint64' }], bad: [['BEGIN { $r = socket_cookie(1); }', 'socket_cookie() only supports pointer arguments (int provided)']] },
  nsecs: {
    ok: [{ program: 'BEGIN { $r = nsecs(); $s = nsecs(monotonic); $t = nsecs(tai); }', type: 'uint64' }],
    bad: [['BEGIN { $r = nsecs(weekly); }', 'Invalid timestamp mode: weekly']],
  },
  pid: { ok: [{ program: 'BEGIN { $r = pid(); $s = pid(init); }', type: 'uint32' }], bad: [['BEGIN { $r = pid(other); }', 'pid() only accepts curr_ns or init']] },
  tid: { ok: [{ program: 'BEGIN { $r = tid(curr_ns); }', type: 'uint32' }], bad: [['BEGIN { $r = tid(1, 2); }', 'tid() takes up to one argument (2 provided)']] },
  getopt: {
    ok: [{ program: 'BEGIN { $r = getopt("n", 5); }', type: 'int64' }, { program: 'BEGIN { $r = getopt("flag"); }', type: 'bool' }],
    bad: [['BEGIN { $n = "x"; $r = getopt($n); }', 'getopt() expects a string literal (string provided)']],
  },
  is_err: { ok: [{ program: 'fexit:do_filp_open { $r = is_err(retval); }', type: 'bool' }], bad: [['BEGIN { $r = is_err(comm); }', 'is_err() only supports pointer arguments (string provided)']] },
  write_user: {
    ok: [{ program: 'tracepoint:syscalls:sys_enter_openat { $r = write_user(args.filename, "x", 2); }', unsafe: true, type: 'bool' }],
    bad: [['tracepoint:syscalls:sys_enter_openat { $r = write_user(args.filename, "x", 2); }', 'write_user() is an unsafe function being used in safe mode']],
  },
};

describe.each(Object.entries(TABLE))('%s', (name, row) => {
  test.each(row.ok.map((c) => [c.program, c] as const))('checks: %s', (_p, c) => {
    const r = runCheck(c.program, { unsafe: c.unsafe ?? false });
    expect(r.stderr.match(/ERROR: .*/g) ?? []).toEqual([]);
    expect(r.ok).toBe(true);
    if (c.type) {
      const slot = r.checked!.probes.flatMap((p) => p.variables).find((v) => v.name === '$r');
      expect(slot && typeName(slot.type)).toBe(c.type);
    }
    // The call is recorded for the compiler with its table row.
    const calls = [...r.checked!.calls.values()].filter((i) => i.fn.name === name);
    if (!['pid', 'tid', 'nsecs', 'getopt'].includes(name) || calls.length > 0) expect(calls.length).toBeGreaterThan(0);
  });
  test.each(row.bad.map(([p, m]) => [p, m] as const))('rejects: %s', (program, message) => {
    const r = runCheck(program);
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain(message);
  });
});

test('every function of the table has valid and invalid cases', () => {
  const missing = FUNCTIONS.filter((f) => !TABLE[f.name] || TABLE[f.name]!.ok.length === 0 || TABLE[f.name]!.bad.length === 0).map((f) => f.name);
  expect(missing).toEqual([]);
});

test('rows are consistent: async and unsafe flags, aggregations placed in maps', () => {
  for (const f of FUNCTIONS) {
    expect(f.minArgs).toBeLessThanOrEqual(f.maxArgs);
    if (f.aggregation) expect(f.placement).toBe('map');
  }
  const unsafe = FUNCTIONS.filter((f) => f.unsafe).map((f) => f.name).sort();
  expect(unsafe).toEqual(['override', 'signal', 'signal_thread', 'system', 'write_user']);
  const async = FUNCTIONS.filter((f) => f.async).map((f) => f.name).sort();
  expect(async).toEqual(['cat', 'cgroup_path', 'errorf', 'exit', 'join', 'ksym', 'print', 'printf', 'skboutput', 'strerror', 'strftime', 'system', 'time', 'unwatch', 'usym', 'warnf', 'clear', 'zero'].sort());
});

describe('kaddr() names its symbol by a literal', () => {
  test.each([
    ['BEGIN { @ = kaddr("vfs_read"); }', []],
    // bpftrace 0.23 takes str($1) as the parameter's text.
    ['BEGIN { @ = kaddr(str($1)); }', ['vfs_read']],
  ])('%s %j', (program, positional) => {
    const r = runCheck(program, { positional });
    expect(r.stderr).toBe('');
    const info = [...r.checked!.calls.values()].find((i) => i.fn.name === 'kaddr')!;
    expect(info.literals).toEqual(['vfs_read']);
  });
});
