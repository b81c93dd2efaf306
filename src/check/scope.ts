// What the builtin and function tables may ask about the place they are used: the probe's
// providers and matches, the config, the structs known. infer.ts builds one per probe
// (and per subprogram); builtins.ts and functions.ts only read it.

import type { ConfigValues } from './config.js';
import type { ProbeMatch } from './program.js';
import type { Provider } from './providers.js';
import type { SizedType, StructType } from './types.js';

export interface ProbeScope {
  /** The enclosing probe; undefined inside a subprogram (`fn`). */
  readonly probe?: {
    /** One provider per attach point, in order. */
    readonly providers: readonly Provider[];
    /** Every concrete match of every attach point. */
    readonly matches: readonly ProbeMatch[];
    /** Where untyped addresses from the context point. */
    readonly addressSpace: 'kernel' | 'user';
    /** The longest probe name among the matches (the `probe` builtin's string size - 1). */
    readonly longestName: number;
  };
  readonly config: ConfigValues;
  /** bpftrace was given a child command (-c): `cpid` is usable. */
  readonly hasChild: boolean;
  /** Inside the body of a `for ($kv : @map)` loop (a callback without the probe context). */
  readonly inMapLoop: boolean;
  /** A struct/union by name ('struct task_struct'), from the program or the kernel catalog. */
  struct(name: string): StructType | undefined;
}

/** The families of the probe's attach points ('special' for BEGIN/END/self/test/bench). */
export function families(scope: ProbeScope): string[] {
  return scope.probe ? scope.probe.providers.map((p) => p.family) : [];
}

/** The single family of every attach point, or undefined when they differ. */
export function singleFamily(scope: ProbeScope): string | undefined {
  const f = families(scope);
  if (f.length === 0) return undefined;
  return f.every((x) => x === f[0]) ? f[0] : undefined;
}

/** `int8` etc. helpers used by tables. */
export type TypeOrError = { readonly type: SizedType } | { readonly error: import('../diag/diagnostic.js').Message; readonly type?: SizedType };
