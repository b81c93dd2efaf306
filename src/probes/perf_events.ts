// The perf events behind `software:` and `hardware:` probes, as bpftrace names them: each
// with its alias, the perf type/config pair the kernel knows it by (linux/perf_event.h) and
// the sample period bpftrace uses when the probe gives no count. Data only.

export interface PerfEvent {
  /** 'context-switches' */
  readonly name: string;
  /** 'cs', or undefined when bpftrace has none. */
  readonly alias?: string;
  /** PERF_TYPE_HARDWARE (0) or PERF_TYPE_SOFTWARE (1). */
  readonly perfType: 0 | 1;
  /** PERF_COUNT_HW_* / PERF_COUNT_SW_* */
  readonly config: number;
  /** Events between samples when the attach point has no count (`software:faults:` vs `software:faults:10`). */
  readonly defaultPeriod: number;
}

const sw = (name: string, alias: string | undefined, config: number, defaultPeriod: number): PerfEvent => ({
  name,
  ...(alias ? { alias } : {}),
  perfType: 1,
  config,
  defaultPeriod,
});
const hw = (name: string, alias: string | undefined, config: number, defaultPeriod: number): PerfEvent => ({
  name,
  ...(alias ? { alias } : {}),
  perfType: 0,
  config,
  defaultPeriod,
});

export const SOFTWARE_EVENTS: readonly PerfEvent[] = [
  sw('alignment-faults', undefined, 7, 1),
  sw('bpf-output', undefined, 10, 1),
  sw('context-switches', 'cs', 3, 1000),
  sw('cpu-clock', 'cpu', 0, 1_000_000),
  sw('cpu-migrations', undefined, 4, 1),
  sw('dummy', undefined, 9, 1),
  sw('emulation-faults', undefined, 8, 1),
  sw('major-faults', undefined, 6, 1),
  sw('minor-faults', undefined, 5, 100),
  sw('page-faults', 'faults', 2, 100),
  sw('task-clock', undefined, 1, 1),
];

export const HARDWARE_EVENTS: readonly PerfEvent[] = [
  hw('backend-stalls', undefined, 8, 1_000_000),
  hw('branch-instructions', 'branches', 4, 100_000),
  hw('branch-misses', undefined, 5, 100_000),
  hw('bus-cycles', undefined, 6, 100_000),
  hw('cache-misses', undefined, 3, 1_000_000),
  hw('cache-references', undefined, 2, 1_000_000),
  hw('cpu-cycles', 'cycles', 0, 1_000_000),
  hw('frontend-stalls', undefined, 7, 1_000_000),
  hw('instructions', undefined, 1, 1_000_000),
  hw('ref-cycles', undefined, 9, 1_000_000),
];

/** The event a `software:`/`hardware:` attach point names, by name or alias. */
export function perfEvent(kind: 'software' | 'hardware', nameOrAlias: string): PerfEvent | undefined {
  const table = kind === 'software' ? SOFTWARE_EVENTS : HARDWARE_EVENTS;
  return table.find((e) => e.name === nameOrAlias || e.alias === nameOrAlias);
}

/** Units accepted by `profile:` and `interval:` (`profile:hz:99`, `interval:ms:100`). */
export const TIME_UNITS: readonly string[] = ['hz', 'ms', 's', 'us'];
