// User space's side of bpftrace maps: reading a map into the MapDump the printers take,
// and the clear()/zero() bpftrace performs when a probe asks for them. In: the compiled map
// definitions and the live maps. Out: MapDumps; maps changed in place. Not the printers.

import { voidType } from '../check/types.js';
import type { MapDef } from '../compile/compiled.js';
import { InternalError } from '../diag/diagnostic.js';
import type { UserMap } from '../ebpf/maps/map.js';
import { BPF_ANY } from '../ebpf/maps/map.js';
import type { DecodeContext } from './output/decode.js';
import { decodeMapDump } from './output/decode.js';
import type { MapDump } from './output/values.js';

function allZero(values: readonly Uint8Array[]): boolean {
  for (const v of values) for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

/**
 * The map as printed now: every entry decoded. A keyless hist/lhist kept in an array reads
 * as absent while all zero (bpftrace's hash would have no entry), unless `zeroed`: zero()
 * keeps bpftrace's entry, so it prints, empty.
 */
export function readMap(def: MapDef, map: UserMap, ctx: DecodeContext, zeroed = false): MapDump {
  if (def.role !== 'user' || def.bpftraceName === undefined || def.valueType === undefined) {
    throw new InternalError(`map '${def.spec.name}' is not a bpftrace map and cannot be printed`);
  }
  let entries: Iterable<{ key: Uint8Array; values: Uint8Array[] }> = map.entries();
  if (def.zeroMeansAbsent && !zeroed) entries = [...entries].filter((e) => !allZero(e.values));
  return decodeMapDump(def.bpftraceName, def.keyType ?? voidType, def.valueType, entries, ctx);
}

/** clear(@m): every key removed (arrays, which cannot lose keys, are zeroed). */
export function clearMap(map: UserMap): void {
  map.clear();
}

/** zero(@m): every value set to zero, keys kept. */
export function zeroMap(map: UserMap): void {
  const entries = [...map.entries()];
  for (const e of entries) {
    const zeros = e.values.map((v) => new Uint8Array(v.length));
    map.updateUser(e.key, zeros, BPF_ANY);
  }
}
