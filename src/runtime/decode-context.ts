// What user space knows beyond the bytes of a record or a map: symbols, stacks, user names,
// cgroup paths and clock bases, answered from the synthetic world and the compiled program's
// tables as bpftrace answers them from the running machine. In: the world (built on demand),
// the loaded stack maps, strftime formats. Out: a DecodeContext for src/runtime/output.

import { enumTypeName } from '../check/ctypes.js';
import type { StackType } from '../check/types.js';
import type { Program } from '../parse/ast.js';
import { kernelEnum } from '../probes/catalog.js';
import { globMatcher } from '../probes/glob.js';
import type { CompiledProgram } from '../compile/compiled.js';
import { TIMESTAMP_MODE } from '../compile/compiled.js';
import type { UserMap } from '../ebpf/maps/map.js';
import { clockOffsets, TAI_OFFSET_NS } from '../world/clock.js';
import type { World } from '../world/world.js';
import type { DecodeContext } from './output/decode.js';
import { unresolvedSymbol } from './output/decode.js';
import type { StackFrame } from './output/values.js';

/** The accounts of the synthetic machine's /etc/passwd (the world's processes run as these). */
const PASSWD: ReadonlyMap<bigint, string> = new Map([
  [0n, 'root'],
  [1n, 'daemon'],
  [33n, 'www-data'],
  [100n, 'systemd-network'],
  [104n, 'messagebus'],
  [105n, 'sshd'],
  [115n, 'Debian-snmp'],
  [999n, 'postgres'],
  [1000n, 'user'],
  [65534n, 'nobody'],
]);

export interface DecodeSources {
  readonly compiled: CompiledProgram;
  /** The expanded program: its own C enums name enum values. */
  readonly program?: Program;
  /** Maps by index into compiled.maps. */
  readonly maps: readonly UserMap[];
  readonly seed: number;
  /** The world, built if it does not exist yet (symbols need it). */
  world(): World;
}

export function decodeContext(src: DecodeSources): DecodeContext {
  const offsets = clockOffsets(src.seed);
  // Wall time = clock + base, per timestamp clock mode.
  const bases: Readonly<Record<number, bigint>> = {
    [TIMESTAMP_MODE.boot]: BigInt(Math.round(offsets.realtimeNs - offsets.suspendedNs)),
    [TIMESTAMP_MODE.monotonic]: BigInt(Math.round(offsets.realtimeNs)),
    [TIMESTAMP_MODE.tai]: -BigInt(TAI_OFFSET_NS),
    [TIMESTAMP_MODE.sw_tai]: -BigInt(TAI_OFFSET_NS),
  };
  const stackMaps = new Map<number, UserMap>();
  src.compiled.maps.forEach((def, i) => {
    if (def.role === 'stacks' && def.stackLimit !== undefined) stackMaps.set(def.stackLimit, src.maps[i]!);
  });
  const key = new Uint8Array(4);
  const keyView = new DataView(key.buffer);

  const kernelSymbol = (address: bigint, withOffset: boolean): string => {
    const s = src.world().symbolizeKernel(address);
    if (!s) return unresolvedSymbol(address);
    return withOffset ? `${s.name}+${s.offset}` : s.name;
  };
  const userSymbol = (address: bigint, pid: number, withOffset: boolean): string => {
    const s = src.world().symbolizeUser(pid, address);
    if (!s) return unresolvedSymbol(address);
    return withOffset ? `${s.name}+${s.offset}` : s.name;
  };

  return {
    ksym: kernelSymbol,
    usym: userSymbol,
    stack(kind: 'kstack' | 'ustack', stackId: bigint, pid: number, type: StackType): readonly StackFrame[] {
      const map = stackMaps.get(type.limit);
      if (!map) return [];
      keyView.setUint32(0, Number(BigInt.asUintN(32, stackId)), true);
      const value = map.lookupUser(key)?.[0];
      if (!value) return [];
      const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
      const frames: StackFrame[] = [];
      for (let off = 0; off + 8 <= value.length && frames.length < type.limit; off += 8) {
        const address = view.getBigUint64(off, true);
        if (address === 0n) break;
        if (kind === 'kstack') {
          frames.push({ address, symbol: kernelSymbol(address, true) });
          continue;
        }
        const s = src.world().symbolizeUser(pid, address);
        frames.push(
          s
            ? { address, symbol: `${s.name}+${s.offset}`, ...(s.module !== undefined ? { module: s.module } : {}) }
            : { address, symbol: unresolvedSymbol(address) },
        );
      }
      return frames;
    },
    username: (uid) => PASSWD.get(uid) ?? uid.toString(),
    strftimeFormat: (id) => src.compiled.strftimeFormats[id],
    timestampBaseNs: (mode) => bases[mode] ?? 0n,
    cgroupPath: (pathId, cgroupId) => cgroupPathText(src.world().cgroupPath(cgroupId), src.compiled.cgroupPathFilters[Number(pathId)] ?? '*'),
    enumSymbol: enumNames(src.program),
  };
}

/**
 * The synthetic machine mounts only the cgroup-v2 hierarchy, which bpftrace 0.23 names
 * 'unified': cgroup_path() is `unified:PATH` when the call's filter (a glob over hierarchy
 * names, '*' without one) matches it, else empty; an id of no cgroup is empty too.
 */
function cgroupPathText(path: string | undefined, filter: string): string {
  if (path === undefined || !globMatcher(filter)(CGROUP2_HIERARCHY)) return '';
  return `${CGROUP2_HIERARCHY}:${path}`;
}

const CGROUP2_HIERARCHY = 'unified';

/**
 * An enum value's name: the program's own `enum E { … }` (implicit values counting on from
 * the previous one, as in C; of two enumerators with one value the later names it, as in
 * bpftrace 0.23; anonymous enums named as the checker names them), else the kernel's enum of
 * that name; undefined prints the number.
 */
function enumNames(program: Program | undefined): (enumName: string, value: bigint) => string | undefined {
  const own = new Map<string, Map<bigint, string>>();
  let ordinal = 0;
  for (const item of program?.items ?? []) {
    if (item.kind !== 'CDefinition') continue;
    ordinal++;
    if (item.tag !== 'enum') continue;
    const names = new Map<bigint, string>();
    let next = 0n;
    for (const e of item.enumerators) {
      const v = e.value ?? next;
      names.set(v, e.name);
      next = v + 1n;
    }
    own.set(enumTypeName(item, ordinal), names);
  }
  return (enumName, value) => {
    const mine = own.get(enumName);
    if (mine) return mine.get(value);
    return kernelEnum(enumName)?.values.find((v) => v.value === value)?.name;
  };
}
