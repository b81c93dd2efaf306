// Config from the environment through main(): BPFTRACE_<KEY> variables reach the checker and
// win over the script's config block, as in bpftrace 0.23 (outputs recorded from 0.23 on the
// same programs; the world's first execve is /usr/bin/date with the default seed).

import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

async function run(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { writeOut: (t) => void (out += t), writeErr: (t) => void (err += t), readStdin: async () => '', env, errIsTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

const EXECVE = 't:syscalls:sys_enter_execve { printf("P: %s\\n", str(args.filename)); exit(); }';

describe('BPFTRACE_* environment variables', () => {
  test.each([
    [{ BPFTRACE_MAX_STRLEN: '5' }, EXECVE, 'Attaching 1 probe...\nP: /usr..\n\n\n'],
    [{ BPFTRACE_MAX_STRLEN: '5', BPFTRACE_STR_TRUNC_TRAILER: '_xxx' }, EXECVE, 'Attaching 1 probe...\nP: /usr_xxx\n\n\n'],
    // The environment wins over the config block.
    [{ BPFTRACE_MAX_STRLEN: '5' }, `config = { max_strlen = 9 } ${EXECVE}`, 'Attaching 1 probe...\nP: /usr..\n\n\n'],
    // Names that are no config key are ignored.
    [{ BPFTRACE_NOT_A_KEY: '1', HOME: '/root' }, EXECVE, 'Attaching 1 probe...\nP: /usr/bin/date\n\n\n'],
  ])('%o', async (env, prog, out) => {
    expect(await run(['-e', prog], env)).toEqual({ code: 0, out, err: '' });
  });

  test('printf\'s format is not bounded by max_strlen; a string argument is', async () => {
    const r = await run(['-e', 'BEGIN { printf("hello world %s\\n", "abcdefgh"); exit() }'], { BPFTRACE_MAX_STRLEN: '5' });
    expect(r).toEqual({
      code: 1,
      out: '',
      err:
        'stdin:1:36-46: ERROR: String is too long (over 5 bytes): abcdefgh\n' +
        'BEGIN { printf("hello world %s\\n", "abcdefgh"); exit() }\n' +
        '                                   ~~~~~~~~~~\n',
    });
    expect(await run(['-e', 'BEGIN { printf("hello world\\n"); exit() }'], { BPFTRACE_MAX_STRLEN: '5' })).toEqual({
      code: 0,
      out: 'Attaching 1 probe...\nhello world\n\n\n',
      err: '',
    });
  });
});
