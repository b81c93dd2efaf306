// What every program of one compilation shares: the checked program, the options, the map
// table (bpftrace maps with their real value layouts, and the internal maps — ring buffer,
// stack traces, zero source, scratch, globals — created on first use), the async event table
// and the strftime formats. Registration is keyed by node or name so that compiling a probe
// twice (the two-pass compile) yields the same ids. Not: code generation.

import type { CheckedProgram, MapInfo } from '../check/program.js';
import { isAggregation, type AggregationType, type SizedType } from '../check/types.js';
import type { Call, Expr, Stmt } from '../parse/ast.js';
import { aggregationValueSize, TSERIES_AGG_CODES } from '../runtime/output/layouts.js';
import type { MapSpec, MapTypeName } from '../ebpf/maps/map.js';
import type { AsyncEvent, CompileOptions, MapDef, MapRole } from './compiled.js';
import { GLOBALS } from './compiled.js';
import { forEachNode } from './walk.js';
import { Analysis } from './analysis.js';
import { InternalError } from '../diag/diagnostic.js';

/** A bpftrace map as the code generator sees it. */
export interface UserMap {
  readonly index: number;
  readonly info: MapInfo;
  readonly def: MapDef;
  /** Bytes of the key (4 for an array's index, 8 for a keyless hash). */
  readonly keySize: number;
  /** Keyless map: the key is the constant 0. */
  readonly scalar: boolean;
  readonly array: boolean;
  readonly perCpu: boolean;
  /** Value type with the real aggregation layout. */
  readonly valueType: SizedType;
  readonly aggregation?: AggregationType;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class ProgramContext {
  readonly maps: Mutable<MapDef>[] = [];
  readonly events: AsyncEvent[] = [];
  readonly strftimeFormats: string[] = [];
  readonly cgroupPathFilters: string[] = [];
  readonly ncpus: number;
  readonly ringbufSize: number;
  readonly analysis: Analysis;
  readonly directValueAccess: boolean;
  readonly helperErrors: boolean;
  readonly runtimeWarnings: boolean;
  private readonly userMaps = new Map<string, UserMap>();
  private readonly internal = new Map<string, number>();
  private readonly eventIds = new Map<object, number>();
  private readonly strftimeIds = new Map<object, number>();
  private readonly cgroupIds = new Map<object, number>();

  constructor(
    readonly checked: CheckedProgram,
    readonly opts: CompileOptions,
  ) {
    this.ncpus = opts.ncpus ?? 4;
    this.directValueAccess = opts.directValueAccess ?? true;
    this.helperErrors = opts.helperErrors ?? true;
    this.runtimeWarnings = opts.runtimeWarnings ?? false;
    this.analysis = new Analysis(checked);
    this.ringbufSize = opts.ringbufSize ?? 256 * 1024;
    const aggParams = collectAggregationParams(checked);
    // bpftrace maps first, in name order (stable fds whatever the probe order).
    const names = [...checked.maps.keys()].sort();
    for (const name of names) this.addUserMap(checked.maps.get(name)!, aggParams.get(name));
  }

  private addUserMap(info: MapInfo, params: readonly bigint[] | undefined): void {
    // A keyless bucketed aggregation lives in a one-element per-CPU array: the value always
    // exists, so an update is one lookup and an add; an all-zero value reads as absent.
    const bucketed = info.aggregation !== undefined && ['hist', 'lhist', 'tseries'].includes(info.aggregation.kind);
    const zeroMeansAbsent = bucketed && info.keyType === undefined && !info.declared;
    const type = (zeroMeansAbsent ? 'percpu_array' : info.bpfMapType) as MapTypeName;
    const array = type === 'array' || type === 'percpu_array';
    const perCpu = type.includes('percpu');
    const scalar = info.keyType === undefined;
    const keySize = array ? 4 : scalar ? 8 : info.keyType!.size;
    let valueType: SizedType = info.valueType;
    let aggregation: AggregationType | undefined;
    if (isAggregation(info.valueType)) {
      const p = params ?? info.valueType.params ?? [];
      const size = aggregationValueSize(info.valueType.kind, p);
      aggregation = { ...info.valueType, size, ...(p.length ? { params: p } : {}) };
      valueType = aggregation;
    }
    const spec: MapSpec = {
      name: info.name,
      type,
      keySize,
      valueSize: Math.max(1, valueType.size),
      maxEntries: array ? 1 : info.maxEntries,
    };
    const def: MapDef = {
      spec,
      role: 'user',
      bpftraceName: info.name,
      ...(info.keyType ? { keyType: info.keyType } : {}),
      valueType,
      ...(aggregation ? { aggregation } : {}),
      perCpu,
      ...(zeroMeansAbsent ? { zeroMeansAbsent } : {}),
    };
    const index = this.maps.length;
    this.maps.push(def);
    this.userMaps.set(info.name, {
      index,
      info,
      def,
      keySize,
      scalar,
      array,
      perCpu,
      valueType,
      ...(aggregation ? { aggregation } : {}),
    });
  }

  userMap(name: string): UserMap {
    const m = this.userMaps.get(name.startsWith('@') ? name : `@${name}`);
    if (!m) throw new InternalError(`map ${name} unknown to the checker`);
    return m;
  }

  /** An internal map by role (and a distinguishing key), created on first use. */
  private internalMap(
    key: string,
    make: () => { spec: MapSpec; role: MapRole; perCpu: boolean; stackLimit?: number; initial?: MapDef['initial'] },
  ): number {
    const have = this.internal.get(key);
    if (have !== undefined) return have;
    const d = make();
    const index = this.maps.length;
    this.maps.push({
      spec: d.spec,
      role: d.role,
      perCpu: d.perCpu,
      ...(d.stackLimit ? { stackLimit: d.stackLimit } : {}),
      ...(d.initial ? { initial: d.initial } : {}),
    });
    this.internal.set(key, index);
    return index;
  }

  ringbuf(): number {
    return this.internalMap('ringbuf', () => ({
      spec: { name: 'ringbuf', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: this.ringbufSize },
      role: 'ringbuf',
      perCpu: false,
    }));
  }

  /** The stack_trace map for stacks of at most `limit` frames. */
  stacks(limit: number): number {
    return this.internalMap(`stacks_${limit}`, () => ({
      spec: { name: `stack_${limit}`, type: 'stack_trace', keySize: 4, valueSize: 8 * limit, maxEntries: 4096 },
      role: 'stacks',
      perCpu: false,
      stackLimit: limit,
    }));
  }

  /** A read-only array whose one value is `size` zero bytes (grown as needed). */
  zero(size: number): number {
    const i = this.internalMap('zero', () => ({
      spec: { name: 'zero', type: 'array', keySize: 4, valueSize: size, maxEntries: 1 },
      role: 'zero',
      perCpu: false,
    }));
    this.grow(i, size);
    return i;
  }

  /** The per-CPU scratch array (one value of at least `size` bytes). */
  scratch(size: number): number {
    const i = this.internalMap('scratch', () => ({
      spec: { name: 'scratch', type: 'percpu_array', keySize: 4, valueSize: Math.max(8, size), maxEntries: 1 },
      role: 'scratch',
      perCpu: true,
    }));
    this.grow(i, size);
    return i;
  }

  globals(): number {
    return this.internalMap('globals', () => ({
      spec: { name: 'globals', type: 'array', keySize: 4, valueSize: GLOBALS.size, maxEntries: 1 },
      role: 'globals',
      perCpu: false,
    }));
  }

  /**
   * A constant table from numbers to NUL-padded names (syscall_name, signal_name): an array
   * of `size`-byte strings the loader fills from `initial`.
   */
  nameTable(name: string, names: ReadonlyMap<number, string>, size: number): number {
    return this.internalMap(`table_${name}`, () => {
      const max = Math.max(0, ...names.keys());
      const initial = [...names].map(([nr, text]) => {
        const key = new Uint8Array(4);
        new DataView(key.buffer).setUint32(0, nr, true);
        const value = new Uint8Array(size);
        for (let i = 0; i < Math.min(text.length, size - 1); i++) value[i] = text.charCodeAt(i) & 0xff;
        return { key, value };
      });
      return { spec: { name, type: 'array', keySize: 4, valueSize: size, maxEntries: max + 1 }, role: 'table', perCpu: false, initial };
    });
  }

  hasInternal(key: string): number {
    return this.internal.get(key) ?? -1;
  }

  private grow(i: number, size: number): void {
    const m = this.maps[i]!;
    if (m.spec.valueSize < size) m.spec = { ...m.spec, valueSize: size };
  }

  /** The id of the async event of a call (or other node), registering it on first sight. */
  event(node: object, make: (id: number) => AsyncEvent): AsyncEvent {
    const have = this.eventIds.get(node);
    if (have !== undefined) return this.events[have]!;
    const id = this.events.length;
    const ev = make(id);
    this.events.push(ev);
    this.eventIds.set(node, id);
    return ev;
  }

  /** The index of a cgroup_path() call's filter ('*' without one). */
  cgroupFilter(node: object, filter: string): number {
    const have = this.cgroupIds.get(node);
    if (have !== undefined) return have;
    const id = this.cgroupPathFilters.length;
    this.cgroupPathFilters.push(filter);
    this.cgroupIds.set(node, id);
    return id;
  }

  strftime(node: object, format: string): number {
    const have = this.strftimeIds.get(node);
    if (have !== undefined) return have;
    const id = this.strftimeFormats.length;
    this.strftimeFormats.push(format);
    this.strftimeIds.set(node, id);
    return id;
  }
}

/**
 * Aggregation arguments per map from the calls that write it: hist bits, lhist bounds,
 * tseries interval, count and agg function code (the checker's AggregationType carries the
 * first two of tseries only).
 */
function collectAggregationParams(checked: CheckedProgram): Map<string, readonly bigint[]> {
  const out = new Map<string, readonly bigint[]>();
  const visit = (n: Stmt | Expr): void => {
    if (n.kind !== 'AssignMap' || n.value.kind !== 'Call') return;
    const info = checked.calls.get(n.value as Call);
    if (!info?.fn.aggregation) return;
    const name = `@${n.target.name}`;
    if (out.has(name)) return;
    const lit = info.literals ?? [];
    const ints = (idx: number[]) => idx.map((i) => (typeof lit[i] === 'bigint' ? (lit[i] as bigint) : 0n));
    switch (info.fn.name) {
      case 'hist':
        out.set(name, [typeof lit[1] === 'bigint' ? lit[1] : 0n]);
        break;
      case 'lhist':
        out.set(name, ints([1, 2, 3]));
        break;
      case 'tseries': {
        const how = typeof lit[3] === 'string' ? lit[3] : 'none';
        const code = Math.max(0, TSERIES_AGG_CODES.indexOf(how as (typeof TSERIES_AGG_CODES)[number]));
        out.set(name, [...ints([1, 2]), BigInt(code)]);
        break;
      }
    }
  };
  for (const p of checked.probes) {
    if (p.predicate) forEachNode(p.predicate, visit);
    forEachNode(p.body, visit);
  }
  for (const s of checked.subprogs) forEachNode(s.node.body, visit);
  return out;
}
