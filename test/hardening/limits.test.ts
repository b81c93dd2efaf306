// Limits as bpftrace and Linux define them, each reached on purpose through the CLI, with
// exact output (golden files under test/golden/hardening/limits, regenerated with
// UPDATE_GOLDEN=1; where bpftrace 0.23 can run the same program its output was compared by
// hand and the differences are written next to the case). Machine-level limits (program
// size, verifier budget, stack, division by zero in the ISA) are in bad-bytecode.test.ts;
// integer overflow in literals in bad-programs.test.ts.

import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { expectGolden } from '../parse/golden.js';

const GOLDEN = path.join(import.meta.dirname, '..', 'golden', 'hardening', 'limits');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { writeOut: (t) => void (out += t), writeErr: (t) => void (err += t), readStdin: async () => '', env: {}, errIsTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

/** The whole run as one text: exit code, stdout, stderr. */
const transcript = (r: { code: number; out: string; err: string }): string => `exit ${r.code}\n-- stdout\n${r.out}-- stderr\n${r.err}`;

describe('limits reached at run time', () => {
  test.each([
    [
      // bpftrace 0.23: the same six warnings (on stdout, as here); @m lists 4 keys in hash order.
      'map-keys-max',
      ['-e', 'config = { max_map_keys = 4 } BEGIN { $i = 0; while ($i < 10) { @m[$i] = 1; $i++; } exit(); }'],
    ],
    ['declared-map-full', ['-e', 'let @a = hash(2); BEGIN { @a[1] = 1; @a[2] = 2; @a[3] = 3; @a[2] = 20; exit(); }']],
    [
      // bpftrace 0.23 loses the same records, exit() among them, and then never ends.
      'ring-buffer-full',
      ['--duration', '10ms', '-e', 'config = { perf_rb_pages = 1 } BEGIN { unroll(100) { printf("%s %s %s\\n", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccccccccc"); } exit(); }'],
    ],
    // bpftrace 0.23 prints the same bytes: division by zero is the ISA's (0, and the dividend for %).
    ['division-by-zero', ['-e', 'BEGIN { @z = 0; @a = 7; printf("%d %d\\n", @a / @z, @a % @z); exit(); }']],
    // bpftrace 0.23: the same two lines.
    ['too-many-probes', ['-e', 'config = { max_probes = 3 } tracepoint:syscalls:sys_enter_* { @[probe] = count(); } interval:ms:10 { exit(); }']],
  ])('%s', async (name, argv) => {
    expectGolden(path.join(GOLDEN, `${name}.txt`), transcript(await run(argv)));
  });

  test('map full: the failed updates are the ones reported, the map holds max entries', async () => {
    const r = await run(['-e', 'config = { max_map_keys = 4 } BEGIN { $i = 0; while ($i < 10) { @m[$i] = 1; $i++; } exit(); }']);
    expect(r.out.match(/WARNING: Map full; can't update element\. Try increasing max_map_keys config/g)).toHaveLength(6);
    expect(r.out.match(/^@m\[\d\]: 1$/gm)).toHaveLength(4);
  });

  test('ring buffer full: the lost records are counted, the rest print', async () => {
    const r = await run(['--duration', '10ms', '-e', 'config = { perf_rb_pages = 1 } BEGIN { unroll(100) { printf("%s\\n", "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"); } exit(); }']);
    const printed = r.out.split('\n').filter((l) => l.startsWith('0123')).length;
    const lost = Number(/^Lost (\d+) events$/m.exec(r.out)?.[1]);
    // exit() was one of the lost records: the run ends at --duration.
    expect(printed + lost).toBe(101);
    expect(printed).toBeGreaterThan(0);
  });

  test('max_strlen: strings read at run time keep max_strlen - 1 bytes, printf marks the cut with ".."', async () => {
    // bpftrace 0.23 on this machine: `/dev/nu..|` and `@last: /dev/nu` (another first file).
    const r = await run(['-e', 'config = { max_strlen = 8 } tracepoint:syscalls:sys_enter_openat { printf("%s|\\n", str(args.filename)); @last = str(args.filename); exit(); }']);
    const [, line, , , last] = r.out.split('\n');
    expect(line).toMatch(/^[^|]{7}\.\.\|$/);
    expect(last).toBe(`@last: ${line!.slice(0, 7)}`);
  });
});

describe('limits refused before running, located', () => {
  test.each([
    // bpftrace 0.23 underlines `unroll(101)` only (stdin:1:9-20); here the whole statement.
    ['unroll-over-100', ['-e', 'BEGIN { unroll(101) { @c++; } exit(); }']],
    ['string-literal-over-max-strlen', ['-e', 'config = { max_strlen = 8 } BEGIN { printf("%s\\n", "abcdefghijklmnop"); exit(); }']],
    ['stack-over-512-bytes', ['-e', `BEGIN { debugf("%d %d %d ${'x'.repeat(600)}", 1, 2, 3); exit(); }`]],
    ['integer-literal-overflow', ['-e', 'BEGIN { @x = 18446744073709551616; exit(); }']],
  ])('%s', async (name, argv) => {
    const r = await run(argv);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expectGolden(path.join(GOLDEN, `${name}.txt`), transcript(r));
  });
});
