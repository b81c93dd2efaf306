// Tab completion (src/cli/repl/completion.ts) word by word, and the history file
// (src/cli/repl/history.ts): where it lives, the order readline wants, what is kept.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { COMMANDS } from '../../src/cli/repl/commands.js';
import { complete, probeCandidates, type CompletionContext } from '../../src/cli/repl/completion.js';
import { historyFile, readHistory, writeHistory } from '../../src/cli/repl/history.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bpftrace-ts-completion-'));
fs.mkdirSync(path.join(tmp, 'tools'));
fs.writeFileSync(path.join(tmp, 'tools', 'opensnoop.bt'), '');
fs.writeFileSync(path.join(tmp, 'tools', 'open.txt'), '');

const CTX: CompletionContext = {
  continuing: false,
  mapNames: () => ['@bytes', '@opens', '@start'],
  commands: COMMANDS,
  cwd: tmp,
  workloads: () => ['build', 'database', 'mixed', 'webserver'],
};

describe('completion', () => {
  test.each([
    // line, candidates, word
    ['tracepoint:syscalls:sys_enter_opena', ['tracepoint:syscalls:sys_enter_openat', 'tracepoint:syscalls:sys_enter_openat2'], 'tracepoint:syscalls:sys_enter_opena'],
    ['kprobe:vfs_readl', ['kprobe:vfs_readlink'], 'kprobe:vfs_readl'],
    // One part at a time: the category first.
    ['tracepoint:sch', ['tracepoint:sched:'], 'tracepoint:sch'],
    ['t:sig', ['t:signal:'], 't:sig'],
    // A wildcard offers its matches, keeping the pattern itself among several.
    ['kprobe:vfs_read*', ['kprobe:vfs_read*', 'kprobe:vfs_read', 'kprobe:vfs_readlink', 'kprobe:vfs_readv'], 'kprobe:vfs_read*'],
    ['kprobe:vfs_readl?nk', ['kprobe:vfs_readlink'], 'kprobe:vfs_readl?nk'],
    ['interval:', ['interval:hz', 'interval:ms', 'interval:s', 'interval:us'], 'interval:'],
    ['nonsense:x', [], 'nonsense:x'],
    // A probe after other text.
    ['BEGIN { } kprobe:do_sys_op', ['kprobe:do_sys_open', 'kprobe:do_sys_openat2'], 'kprobe:do_sys_op'],
    // Words: builtins, functions (with their parenthesis), keywords, maps; providers at the start of an entry.
    ['kst', ['kstack', 'kstack('], 'kst'],
    ['@x = nsec', ['nsecs', 'nsecs('], 'nsec'],
    ['@', ['@bytes', '@opens', '@start'], '@'],
    ['print(@op', ['@opens'], '@op'],
    ['$i', [], '$i'],
    ['trace', ['tracepoint:'], 'trace'],
    ['BEGI', ['BEGIN'], 'BEGI'],
    ['unr', ['unroll'], 'unr'],
    // Dot-commands and their arguments.
    ['.', COMMANDS.map((c) => c.name).sort(), '.'],
    ['.ru', ['.run'], '.ru'],
    ['.dump b', ['bpf'], 'b'],
    ['.clear @s', ['@start'], '@s'],
    ['.workload w', ['webserver'], 'w'],
    ['.probes kprobe:vfs_readl', ['kprobe:vfs_readlink'], 'kprobe:vfs_readl'],
    ['.probes tracep', ['tracepoint:'], 'tracep'],
    ['.load tools/op', ['tools/open.txt', 'tools/opensnoop.bt'], 'tools/op'],
    ['.load to', ['tools/'], 'to'],
    ['.run 1', [], '1'],
  ])('%j', (line, candidates, word) => {
    expect(complete(line, CTX)).toEqual([candidates, word]);
  });

  test('while an entry continues, a leading dot is not a command and providers are not offered first', () => {
    const ctx = { ...CTX, continuing: true };
    expect(complete('  @op', ctx)).toEqual([['@opens'], '@op']);
    expect(complete('trace', ctx)).toEqual([[], 'trace']);
  });

  test('a wildcard with hundreds of matches offers at most 200 of them', () => {
    const c = probeCandidates('kprobe:*');
    expect(c.length).toBe(201);
    expect(c[0]).toBe('kprobe:*');
  });
});

describe('history file', () => {
  test.each([
    [{ BPFTRACE_TS_HISTORY: '/tmp/h' }, '/tmp/h'],
    [{ BPFTRACE_TS_HISTORY: '' }, undefined],
    [{ HOME: '/home/me' }, '/home/me/.bpftrace-ts_history'],
    [{ HOME: '/home/me', BPFTRACE_TS_HISTORY: 'elsewhere' }, 'elsewhere'],
  ])('%j → %s', (env, file) => {
    expect(historyFile(env)).toBe(file);
  });

  test('kept oldest first in the file, given to readline newest first; a missing file is no history', () => {
    const file = path.join(tmp, 'deep', 'history');
    expect(readHistory(file)).toEqual([]);
    writeHistory(file, ['.run', '@x = 1', 'multi\nline']);
    expect(fs.readFileSync(file, 'utf8')).toBe('@x = 1\n.run\n');
    expect(readHistory(file)).toEqual(['.run', '@x = 1']);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
  });

  test('at most 1000 lines', () => {
    const file = path.join(tmp, 'long-history');
    writeHistory(file, Array.from({ length: 1500 }, (_, i) => `@x = ${1499 - i}`));
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect([lines.length, lines[0], lines[998]]).toEqual([1001, '@x = 500', '@x = 1498']);
  });
});
