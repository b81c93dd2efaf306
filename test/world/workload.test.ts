import { describe, expect, test } from 'vitest';
import { catalogView } from '../../src/world/bind-catalog.js';
import { compileWorkload, type WorkloadJson } from '../../src/world/workload.js';
import { loadBundledWorkload, workloadNames } from '../../src/world/workload-files.js';

const catalog = catalogView();

describe('bundled workloads', () => {
  test('the four profiles exist', () => {
    expect(workloadNames()).toEqual(['build', 'database', 'mixed', 'webserver']);
  });

  test.each(workloadNames())('%s compiles without errors', (name) => {
    const json = loadBundledWorkload(name) as WorkloadJson;
    const wl = compileWorkload(json, catalog);
    expect(Array.isArray(wl) ? wl : []).toEqual([]);
    if (Array.isArray(wl)) return;
    expect(wl.name).toBe(name);
    expect(wl.processes.length).toBeGreaterThan(5);
    // Every next-op table stays inside its behaviour.
    const strays = wl.ops.filter((op) => [...op.nextOps].some((n) => wl.ops[n]!.behaviour !== op.behaviour)).map((op) => op.name);
    expect(strays).toEqual([]);
    // Every syscall op names a real syscall number.
    expect(wl.ops.filter((op) => !op.syscall.startsWith('kwork:') && op.nr < 0).map((op) => op.name)).toEqual([]);
  });

  test('an unknown name lists the available ones', () => {
    expect(loadBundledWorkload('nope')).toBe("unknown workload 'nope' (available: build, database, mixed, webserver)");
  });
});

describe('profile errors are all reported, with where they are', () => {
  const base = (ops: WorkloadJson['behaviours'][string]['ops']): WorkloadJson => ({
    name: 't',
    description: 'd',
    programs: { p: { exe: '/bin/p', behaviour: 'b' } },
    behaviours: { b: { start: 'a', ops } },
    processes: [{ program: 'p' }],
  });

  test.each([
    [{ a: { sys: 'frobnicate' } }, ["behaviours.b.ops.a: unknown syscall 'frobnicate'"]],
    [{ a: { sys: 'read', next: { zz: 1 } } }, ["behaviours.b.ops.a.next: unknown op 'zz'"]],
    [{ a: { sys: 'openat', path: '@nothing' } }, ["behaviours.b.ops.a.path: unknown file set '@nothing'", 'behaviours.b.ops.a.path: empty path list']],
    [{ a: { sys: 'read', args: { bogus: 1 } } }, ['behaviours.b.ops.a.args: read has no argument \'bogus\' (it has: fd, buf, count)']],
    [{ a: { sys: 'openat', args: { flags: 'O_WHAT' } } }, ["behaviours.b.ops.a.args.flags: unknown flag 'O_WHAT'"]],
    [{ a: { sys: 'read', fail: { p: 2, errno: 'ENOENT' } } }, ['behaviours.b.ops.a.fail.p: a probability in [0, 1]']],
    [{ a: { sys: 'read', fail: { p: 0.1, errno: 'EWHAT' } } }, ["behaviours.b.ops.a.fail: unknown errno 'EWHAT'"]],
    [{ a: { sys: 'clone', spawn: 'ghost' } }, ["behaviours.b.ops.a: unknown program 'ghost'"]],
    [{ a: {} }, ["behaviours.b.ops.a: an op needs 'sys' or 'kwork'"]],
    [{ a: { sys: 'read', lat: { lognormal: { median: 5, p99: 1 } } } }, ['behaviours.b.ops.a.lat: lognormal needs median > 0 and p99 >= median']],
  ])('%j', (ops, errors) => {
    expect(compileWorkload(base(ops as WorkloadJson['behaviours'][string]['ops']), catalog)).toEqual(errors);
  });

  test('process references', () => {
    const json: WorkloadJson = {
      name: 't',
      description: 'd',
      programs: { p: { exe: '/bin/p', behaviour: 'b' } },
      behaviours: { b: { start: 'a', ops: { a: { sys: 'getpid' } } } },
      processes: [{ program: 'q' }, { program: 'p', parent: 'nobody', fds: [{ name: 's', fd: 3, type: 'socket', remote: '1.2.3' }] }],
      ip: '300.1.1.1',
    };
    expect(compileWorkload(json, catalog)).toEqual([
      "processes[0]: unknown program 'q'",
      'processes[1].fds[0].remote: not ip:port',
      "processes[1].parent: unknown process 'nobody'",
      "ip: '300.1.1.1' is not an IPv4 address",
    ]);
  });

  test('arguments by name become constants; flags parse symbolically', () => {
    const json: WorkloadJson = {
      name: 't',
      description: 'd',
      programs: { p: { exe: '/usr/bin/prog', behaviour: 'b' } },
      behaviours: { b: { start: 'a', ops: { a: { sys: 'openat', path: '/etc/x', args: { flags: 'O_WRONLY|O_CREAT|O_CLOEXEC', mode: 0o644 } } } } },
      processes: [{ program: 'p' }],
    };
    const wl = compileWorkload(json, catalog);
    if (Array.isArray(wl)) throw new Error(wl.join('\n'));
    const op = wl.ops[0]!;
    expect(op.nr).toBe(257);
    expect(op.argConst[2]).toBe(0o2000101);
    expect(op.argConst[3]).toBe(0o644);
    expect(wl.programs[0]!.comm).toBe('prog');
  });
});
