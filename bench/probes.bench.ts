// Probe catalog costs that sit on start-up paths: parsing one format file (done once per
// tracepoint a program uses), expanding a wildcard over every tracepoint, and a full
// `-lv 'tracepoint:syscalls:*'` listing (720 formats, cached after the first round).
// Run: npx vitest bench --run bench/probes.bench.ts. Not a test: nothing here asserts a time.

import { bench, describe } from 'vitest';
import { cTypeNames, tracepointFormatText } from '../src/probes/catalog.js';
import { listProbes } from '../src/probes/list.js';
import { matchProbes } from '../src/probes/probe_names.js';
import { parseTracepointFormat } from '../src/probes/tracepoint_format.js';

const openat = tracepointFormatText('syscalls', 'sys_enter_openat')!;
const names = cTypeNames();

describe('probe catalog', () => {
  bench('parse sys_enter_openat format', () => {
    parseTracepointFormat(openat, 'syscalls', 'sys_enter_openat', names);
  });
  bench("matchProbes('tracepoint', '*:sched_*')", () => {
    matchProbes('tracepoint', '*:sched_*');
  });
  bench("listProbes('tracepoint:syscalls:*', verbose)", () => {
    listProbes('tracepoint:syscalls:*', true);
  });
});
