// `--emit-elf FILE` through the command line: a dry run that writes the compiled programs as
// an ELF object (nothing on stdout, exit 0, as bpftrace 0.23), which reads back with its
// programs, maps, variables and subprograms — and which the kernel loads where root and
// bpftool are available; an unwritable FILE is bpftrace's one-line error, exit 1.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { readElf } from '../../src/ebpf/elf/read-elf.js';

const dir = mkdtempSync(join(tmpdir(), 'bpftrace-ts-emit-elf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { writeOut: (t) => void (out += t), writeErr: (t) => void (err += t), readStdin: async () => '', env: {}, errIsTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

const FOR_MAP = 'BEGIN { @a[1] = 10; @a[2] = 20; for ($kv : @a) { @sum += $kv.1; } printf("%d %d\\n", @sum, len(@a)); exit(); }';

function kernelSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  const v = spawnSync('bpftool', ['version'], { encoding: 'utf8' });
  return v.error || v.status !== 0 ? 'bpftool is not installed' : undefined;
}

describe('--emit-elf FILE', () => {
  test('writes the object instead of running: nothing printed, exit 0', async () => {
    const file = join(dir, 'for-map.o');
    expect(await cli(['--emit-elf', file, '-e', FOR_MAP])).toEqual({ code: 0, out: '', err: '' });
    const obj = readElf(readFileSync(file));
    expect(obj.programs.map((p) => [p.section, p.name])).toEqual([['raw_tp/BEGIN', 'BEGIN_0']]);
    expect(obj.maps.map((m) => m.name)).toEqual(['AT_a', 'AT_sum', 'ringbuf']);
    expect(obj.license).toBe('GPL');
    // The callbacks of the loop and of len(), and the helper-error reporter, follow the program's code.
    const calls = obj.programs[0]!.insns.filter((x) => (x.code === 0x18 && x.src === 4) || (x.code === 0x85 && x.src === 1));
    expect(calls.length).toBeGreaterThanOrEqual(3);
  });

  test('with --dry-run too, the object is still written', async () => {
    const file = join(dir, 'dry.o');
    expect(await cli(['--dry-run', '--emit-elf', file, '-e', 'interval:s:1 { printf("%d\\n", elapsed); }'])).toEqual({ code: 0, out: '', err: '' });
    expect(readElf(readFileSync(file)).variables?.map((v) => `${v.name}:${v.section}`)).toEqual(['globals:.bss']);
  });

  test('an unwritable FILE is one line, exit 1', async () => {
    const file = join(dir, 'no-such-dir', 'x.o');
    expect(await cli(['--emit-elf', file, '-e', 'BEGIN { exit(); }'])).toEqual({
      code: 1,
      out: '',
      err: `ERROR: failed to write elf: Failed to open: ${file}: No such file or directory\n`,
    });
  });

  test('a program the checker refuses writes nothing', async () => {
    const file = join(dir, 'refused.o');
    const r = await cli(['--emit-elf', file, '-e', 'BEGIN { $x = no_such_function(); }']);
    expect(r.code).toBe(1);
    expect(spawnSync('test', ['-e', file]).status).toBe(1);
  });

  const reason = kernelSkipReason();
  test.skipIf(reason !== undefined)(reason ? `the kernel loads the object (skipped: ${reason})` : 'the kernel loads the object', async () => {
    const file = join(dir, 'load.o');
    expect((await cli(['--emit-elf', file, '-e', FOR_MAP])).code).toBe(0);
    const pin = `/sys/fs/bpf/bpftrace_ts_emit_elf_${process.pid}`;
    try {
      const res = spawnSync('bpftool', ['prog', 'loadall', file, pin], { encoding: 'utf8' });
      expect(res.status, res.stderr).toBe(0);
    } finally {
      spawnSync('rm', ['-rf', pin]);
    }
  });
});
