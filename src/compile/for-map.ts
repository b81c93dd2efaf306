// `for ($kv : @m) { … }` and len(@m) through bpf_for_each_map_elem (helper 164): the body
// becomes a callback function placed after the probe's code (a bpf-to-bpf subprogram the
// helper calls with the map, key, value and our context pointer). The context pointer is
// the probe's frame, so the body reads and writes the probe's variables through it; when
// variables or values need scratch memory, the callback looks the per-CPU scratch value up
// itself (the same memory its probe uses: same CPU, same run) and allocates after the
// probe's part of it. break
// returns 1 (stop), continue returns 0 (next); return sets a flag the probe checks after the
// loop. In: ForMap statements and len() calls. Out: code in the same instruction stream.

import { InternalError } from '../diag/diagnostic.js';
import type { ForMap } from '../parse/ast.js';
import type { VarSlot } from '../check/program.js';
import type { SizedType } from '../check/types.js';
import { HELPER_ID } from '../ebpf/helpers/helper-ids.js';
import { R0, R2, R3, R4 } from '../ebpf/isa.js';
import { CodeGen, type Val } from './codegen.js';
import type { Emitter, Label } from './emitter.js';
import type { UserMap } from './program-context.js';
import { copyFromPtr, readAggregation } from './maps.js';
import { callLoopingHelper, emitLoopCallback } from './loop-callback.js';
import type { Temp } from './registers.js';

/** Linux's BPF_FUNC_for_each_map_elem. */
export const FOR_EACH_MAP_ELEM = 164;

export function compileForMap(cg: CodeGen, s: ForMap): void {
  const map = cg.pc.userMap(s.map.name);
  const slot = cg.pc.checked.variables.get(s.variable);
  if (!slot) throw new InternalError(`loop variable $${s.variable.name} has no slot`);
  const fn = cg.e.newLabel();
  const flagOff = callLoopingHelper(cg, s.body, FOR_EACH_MAP_ELEM, [{ map: map.index }, { func: fn }, { reg: cg.setup.varBase }, { imm: 0n }]);
  cg.deferred.push(() => emitBody(cg, s, map, slot, fn, flagOff));
}

/** The callback: copy key and value into the loop variable, run the body, return 0 or 1. */
function emitBody(parent: CodeGen, s: ForMap, map: UserMap, v: VarSlot, fn: Label, flagOff: number | undefined): void {
  emitLoopCallback(parent, fn, R4, flagOff, s.body, (cb) => {
    const key = cb.regs.adopt(R2);
    const value = cb.regs.adopt(R3);
    return () => fillVariable(cb, map, v, key, value);
  });
}

/** $kv = (key, value): the key's bytes, the value's (all CPUs' copies combined for aggregations). */
function fillVariable(cb: CodeGen, map: UserMap, v: VarSlot, key: Temp, value: Temp): void {
  const varType = v.type;
  if (varType.kind !== 'tuple' || varType.fields.length < 2) throw new InternalError('for-map variable is not a (key, value) tuple');
  const kf = varType.fields[0]!;
  const vf = varType.fields[1]!;
  // The loop variable's home: in the probe's frame (through varBase) or in scratch memory.
  const base = cb.varMem(v);
  const at = (off: number): { base: typeof base.base; off: number } => ({ base: base.base, off: base.off + off });
  if (kf.offset > 0) cb.zeroRange(base, 0, kf.offset);
  if (map.scalar) {
    cb.regs.free(key);
    cb.zeroRange(base, kf.offset, kf.offset + kf.type.size);
  } else copyFromPtr(cb, key, at(kf.offset), Math.min(kf.type.size, map.keySize));
  if (vf.offset > kf.offset + kf.type.size) cb.zeroRange(base, kf.offset + kf.type.size, vf.offset);
  if (combinesCopies(map, kf.type.size)) {
    // As bpftrace 0.23: a per-CPU aggregation's value is all CPUs' copies combined (the
    // helper hands the callback this CPU's copy only); the key is $kv.0's bytes.
    cb.regs.free(value);
    cb.store(readAggregation(cb, map, at(kf.offset), vf.type), at(vf.offset), vf.type);
  } else copyFromPtr(cb, value, at(vf.offset), Math.min(vf.type.size, map.valueType.size));
  if (varType.size > vf.offset + vf.type.size) cb.zeroRange(base, vf.offset + vf.type.size, varType.size);
}

/** Aggregations a program can read as one number (readAggregation), held per CPU, keyed by $kv.0's bytes. */
function combinesCopies(map: UserMap, keyFieldSize: number): boolean {
  const kind = map.aggregation?.kind;
  const readable = kind === 'count' || kind === 'sum' || kind === 'min' || kind === 'max' || kind === 'avg' || kind === 'stats';
  return readable && map.perCpu && !map.scalar && keyFieldSize === map.keySize;
}

/** Per emitter, the shared callback that only counts (len). */
const counters = new WeakMap<Emitter, Label>();

/** len(@m): the number of elements bpf_for_each_map_elem visits with a callback that continues. */
export function mapLength(cg: CodeGen, mapName: string, t: SizedType): Val {
  const map = cg.pc.userMap(mapName);
  let fn = counters.get(cg.e);
  if (fn === undefined) {
    const label = cg.e.newLabel();
    fn = label;
    counters.set(cg.e, label);
    cg.deferred.push(() => {
      cg.e.bind(label);
      cg.e.movImm(R0, 0n);
      cg.e.exit();
    });
  }
  const r = cg.call(FOR_EACH_MAP_ELEM, [{ map: map.index }, { func: fn }, { imm: 0n }, { imm: 0n }]);
  return cg.reg(r, t);
}
