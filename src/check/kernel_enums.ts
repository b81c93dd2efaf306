// Kernel enum constants used as bare identifiers (TCP_CLOSE, SKB_DROP_REASON_NOT_SPECIFIED),
// as bpftrace resolves them from BTF. In: a name; out: its value and enum name. The data is
// the probe catalog's file probes/kernel/enums.json ({"enums": {"NAME": {"value": n,
// "enum": "tcp_state"}}}); while the catalog does not ship it, no constant resolves.

import { readFileSync } from 'node:fs';
import { catalogPath } from '../probes/location.js';

interface EnumsFile {
  readonly enums: Readonly<Record<string, { readonly value: number | string; readonly enum: string }>>;
}

let table: EnumsFile['enums'] | null | undefined;

function load(): EnumsFile['enums'] | null {
  if (table !== undefined) return table;
  try {
    table = (JSON.parse(readFileSync(catalogPath('kernel', 'enums.json'), 'utf8')) as EnumsFile).enums;
  } catch {
    table = null;
  }
  return table;
}

export function kernelEnumConstant(name: string): { value: bigint; enumName: string } | undefined {
  const t = load();
  if (!t || !Object.hasOwn(t, name)) return undefined;
  const e = t[name]!;
  return { value: BigInt(e.value), enumName: e.enum };
}
