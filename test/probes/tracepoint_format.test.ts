import { describe, expect, test } from 'vitest';
import { tracepointFormat } from '../../src/probes/catalog.js';

/** [name, typeText, offset, size, signed, dataLoc, arrayLength?] */
type FieldRow = [string, string, number, number, boolean, boolean, number?];

const COMMON: FieldRow[] = [
  ['common_type', 'unsigned short', 0, 2, false, false],
  ['common_flags', 'unsigned char', 2, 1, false, false],
  ['common_preempt_count', 'unsigned char', 3, 1, false, false],
  ['common_pid', 'int', 4, 4, true, false],
];

const cases: [string, string, FieldRow[], number][] = [
  [
    'syscalls',
    'sys_enter_openat',
    [
      ['__syscall_nr', 'int', 8, 4, true, false],
      ['dfd', 'int', 16, 8, false, false],
      ['filename', 'const char *', 24, 8, false, false],
      ['flags', 'int', 32, 8, false, false],
      ['mode', 'umode_t', 40, 8, false, false],
    ],
    48,
  ],
  [
    'sched',
    'sched_switch',
    [
      ['prev_comm', 'char[16]', 8, 16, false, false, 16],
      ['prev_pid', 'pid_t', 24, 4, true, false],
      ['prev_prio', 'int', 28, 4, true, false],
      ['prev_state', 'long', 32, 8, true, false],
      ['next_comm', 'char[16]', 40, 16, false, false, 16],
      ['next_pid', 'pid_t', 56, 4, true, false],
      ['next_prio', 'int', 60, 4, true, false],
    ],
    64,
  ],
  [
    'block',
    'block_rq_issue',
    [
      ['dev', 'dev_t', 8, 4, false, false],
      ['sector', 'sector_t', 16, 8, false, false],
      ['nr_sector', 'unsigned int', 24, 4, false, false],
      ['bytes', 'unsigned int', 28, 4, false, false],
      ['ioprio', 'unsigned short', 32, 2, false, false],
      ['rwbs', 'char[10]', 34, 10, false, false, 10],
      ['comm', 'char[16]', 44, 16, false, false, 16],
      ['cmd', '__data_loc char[]', 60, 4, false, true, 0],
    ],
    64,
  ],
  [
    'raw_syscalls',
    'sys_enter',
    [
      ['id', 'long', 8, 8, true, false],
      ['args', 'unsigned long[6]', 16, 48, false, false, 6],
    ],
    64,
  ],
];

describe('tracepoint format files', () => {
  test.each(cases)('%s:%s has exactly its fields', (category, event, own, size) => {
    const f = tracepointFormat(category, event)!;
    expect(f.category).toBe(category);
    expect(f.event).toBe(event);
    const rows = f.fields.map((x): FieldRow => {
      const r: FieldRow = [x.name, x.typeText, x.offset, x.size, x.signed, x.dataLoc];
      if (x.arrayLength !== undefined) r.push(x.arrayLength);
      return r;
    });
    expect(rows).toEqual([...COMMON, ...own]);
    expect(f.fields.map((x) => x.common)).toEqual([...COMMON.map(() => true), ...own.map(() => false)]);
    expect(f.size).toBe(size);
  });

  test('resolved types of sys_enter_openat', () => {
    const f = tracepointFormat('syscalls', 'sys_enter_openat')!;
    const byName = Object.fromEntries(f.fields.map((x) => [x.name, x.type]));
    expect(byName['filename']).toEqual({
      text: 'const char *',
      base: 'char',
      baseKind: 'int',
      baseSize: 1,
      signed: false,
      pointerDepth: 1,
      size: 8,
    });
    // The kernel stores each argument in 8 bytes; the declared type stays what the format says.
    expect(byName['dfd']).toMatchObject({ base: 'int', size: 4, signed: true });
    expect(byName['mode']).toMatchObject({ text: 'umode_t', base: 'short unsigned int', size: 2, signed: false });
    expect(f.id).toBeGreaterThan(0);
    expect(f.printFmt.startsWith('"dfd: 0x%08lx, filename: 0x%08lx')).toBe(true);
  });

  test('the __data_loc field describes its data', () => {
    const cmd = tracepointFormat('block', 'block_rq_issue')!.fields.find((x) => x.name === 'cmd')!;
    expect(cmd.decl).toBe('__data_loc char[] cmd');
    expect(cmd.type).toMatchObject({ base: 'char', arrayLength: 0, pointerDepth: 0 });
  });

  test('unknown tracepoints are undefined', () => {
    expect(tracepointFormat('sched', 'no_such_event')).toBeUndefined();
    expect(tracepointFormat('no_such_category', 'sched_switch')).toBeUndefined();
    expect(tracepointFormat('../kernel', 'types.json')).toBeUndefined();
  });

  test('formats are cached', () => {
    expect(tracepointFormat('sched', 'sched_switch')).toBe(tracepointFormat('sched', 'sched_switch'));
  });
});
