// `--dump types`: the exact listing for a program that has maps, aggregations, variables,
// a wildcard tracepoint with `args`, and a printf format.

import { expect, test } from 'vitest';
import { dumpTypes } from '../../src/check/dump.js';
import { runCheck } from './run-check.js';

test('dumpTypes lists config, maps, probes, variables and formats', () => {
  const r = runCheck(
    'config = { max_strlen = 64 }\n' +
      'tracepoint:syscalls:sys_enter_{read,write} { @bytes[comm] = sum(args.count); $fd = args.fd; }\n' +
      'kretprobe:vfs_read /retval > 0/ { @lat = hist(retval, 2); printf("%d %s\\n", pid, str(arg0)); }\n',
  );
  expect(r.stderr).toContain('ERROR: The arg0 builtin');
  const ok = runCheck(
    'config = { max_strlen = 64 }\n' +
      'tracepoint:syscalls:sys_enter_{read,write} { @bytes[comm] = sum(args.count); $fd = args.fd; }\n' +
      'kretprobe:vfs_read /retval > 0/ { @lat = hist(retval, 2); printf("%d %s\\n", pid, comm); }\n',
  );
  expect(ok.stderr).toBe('');
  expect(dumpTypes(ok.checked!)).toBe(
    [
      'config: max_strlen=64 max_map_keys=4096 stack_mode=bpftrace',
      'maps:',
      '  @bytes[string[16]]: usum_t  [percpu_hash, 4096 entries]',
      '  @lat: hist_t (2)  [percpu_hash, 4096 entries]',
      'probes:',
      '  #0 tracepoint:syscalls:sys_enter_{read,write}  [tracepoint, one program per match]',
      '    tracepoint: 2 matches',
      '      tracepoint:syscalls:sys_enter_read  args: struct _tracepoint_syscalls_sys_enter_read',
      '      tracepoint:syscalls:sys_enter_write  args: struct _tracepoint_syscalls_sys_enter_write',
      '    builtins: args, comm',
      '    $fd#0: uint64',
      '  #1 kretprobe:vfs_read  [kprobe]',
      '    kretprobe: 1 match',
      '      kretprobe:vfs_read',
      '    builtins: comm, pid, retval',
      'formats:',
      '  #0 printf "%d %s\\n" (uint32, string[16])',
      '',
    ].join('\n'),
  );
});
