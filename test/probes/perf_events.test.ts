import { describe, expect, test } from 'vitest';
import { HARDWARE_EVENTS, perfEvent, SOFTWARE_EVENTS } from '../../src/probes/perf_events.js';

describe('perf events', () => {
  test.each([
    ['software', 'cs', 'context-switches', 1, 3, 1000],
    ['software', 'cpu', 'cpu-clock', 1, 0, 1_000_000],
    ['software', 'faults', 'page-faults', 1, 2, 100],
    ['software', 'minor-faults', 'minor-faults', 1, 5, 100],
    ['software', 'task-clock', 'task-clock', 1, 1, 1],
    ['hardware', 'cycles', 'cpu-cycles', 0, 0, 1_000_000],
    ['hardware', 'branches', 'branch-instructions', 0, 4, 100_000],
    ['hardware', 'cache-misses', 'cache-misses', 0, 3, 1_000_000],
    ['hardware', 'ref-cycles', 'ref-cycles', 0, 9, 1_000_000],
  ] as const)('%s:%s is %s (type %i, config %i, period %i)', (kind, asked, name, perfType, config, period) => {
    expect(perfEvent(kind, asked)).toMatchObject({ name, perfType, config, defaultPeriod: period });
  });

  test('unknown names and cross-kind lookups miss', () => {
    expect(perfEvent('software', 'cycles')).toBeUndefined();
    expect(perfEvent('hardware', 'cs')).toBeUndefined();
    expect(perfEvent('software', 'nope')).toBeUndefined();
  });

  test('tables are complete and configs unique per kind', () => {
    expect(SOFTWARE_EVENTS).toHaveLength(11);
    expect(HARDWARE_EVENTS).toHaveLength(10);
    for (const table of [SOFTWARE_EVENTS, HARDWARE_EVENTS]) {
      expect(new Set(table.map((e) => e.config)).size).toBe(table.length);
    }
  });
});
