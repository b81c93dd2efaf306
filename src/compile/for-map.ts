// `for ($kv : @m) { … }` and len(@m) through bpf_for_each_map_elem (helper 164): the body
// becomes a callback function placed after the probe's code (a bpf-to-bpf subprogram the
// helper calls with the map, key, value and our context pointer). The context pointer is
// the probe's frame, so the body reads and writes the probe's variables through it. break
// returns 1 (stop), continue returns 0 (next); return sets a flag the probe checks after the
// loop. In: ForMap statements and len() calls. Out: code in the same instruction stream.

import { InternalError } from '../diag/diagnostic.js';
import type { ForMap } from '../parse/ast.js';
import type { SizedType } from '../check/types.js';
import { R0, R2, R3, R4, R9 } from '../ebpf/isa.js';
import { CodeGen, type Val } from './codegen.js';
import type { Emitter, Label } from './emitter.js';
import type { UserMap } from './program-context.js';
import { copyFromPtr } from './maps.js';
import { compileBlock } from './statements.js';
import { someNode } from './walk.js';

/** Linux's BPF_FUNC_for_each_map_elem. */
export const FOR_EACH_MAP_ELEM = 164;

export function compileForMap(cg: CodeGen, s: ForMap): void {
  const map = cg.pc.userMap(s.map.name);
  const slot = cg.pc.checked.variables.get(s.variable);
  if (!slot) throw new InternalError(`loop variable $${s.variable.name} has no slot`);
  const fn = cg.e.newLabel();
  const returns = someNode(s.body, (n) => n.kind === 'Jump' && n.jump === 'return');
  const flag = returns ? cg.slot(8, 'stack') : undefined;
  if (flag) cg.e.st(8, flag.base, flag.off, 0);
  cg.callVoid(FOR_EACH_MAP_ELEM, [{ map: map.index }, { func: fn }, { reg: cg.setup.varBase }, { imm: 0n }]);
  if (flag) {
    const r = cg.regs.alloc();
    cg.e.ldx(8, r.reg, flag.base, flag.off);
    cg.e.jImm('ne', r.reg, 0, cg.exitLabel);
    cg.regs.free(r);
    cg.frame.free(flag);
  }
  const flagOff = flag?.off;
  cg.deferred.push(() => emitBody(cg, s, map, slot.type, slot.id, fn, flagOff));
}

/** The callback: copy key and value into the loop variable, run the body, return 0 or 1. */
function emitBody(parent: CodeGen, s: ForMap, map: UserMap, varType: SizedType, varId: number, fn: Label, flagOff: number | undefined): void {
  const cb = new CodeGen(parent.pc, { ctx: 'none', scratch: false, varBase: R9, ctxReads: 0 }, parent.scope, parent.e, false);
  cb.deferred = parent.deferred;
  for (const [id, home] of parent.vars) cb.vars.set(id, home);
  const e = cb.e;
  e.bind(fn);
  e.mov(R9, R4);
  const key = cb.regs.adopt(R2);
  const value = cb.regs.adopt(R3);
  if (varType.kind !== 'tuple' || varType.fields.length < 2) throw new InternalError('for-map variable is not a (key, value) tuple');
  const home = cb.vars.get(varId);
  if (!home) throw new InternalError('for-map variable has no home');
  const kf = varType.fields[0]!;
  const vf = varType.fields[1]!;
  const base = { base: R9, off: home.off };
  if (kf.offset > 0) cb.zeroRange(base, 0, kf.offset);
  if (map.scalar) {
    cb.regs.free(key);
    cb.zeroRange(base, kf.offset, kf.offset + kf.type.size);
  } else copyFromPtr(cb, key, { base: R9, off: home.off + kf.offset }, Math.min(kf.type.size, map.keySize));
  if (vf.offset > kf.offset + kf.type.size) cb.zeroRange(base, kf.offset + kf.type.size, vf.offset);
  copyFromPtr(cb, value, { base: R9, off: home.off + vf.offset }, Math.min(vf.type.size, map.valueType.size));
  if (varType.size > vf.offset + vf.type.size) cb.zeroRange(base, vf.offset + vf.type.size, varType.size);
  const cont = e.newLabel();
  const brk = e.newLabel();
  cb.callbackExits = { brk, cont };
  compileBlock(cb, s.body);
  e.bind(cont);
  e.movImm(R0, 0n);
  e.exit();
  e.bind(brk);
  e.movImm(R0, 1n);
  e.exit();
  // `return` in the body: tell the probe, stop iterating.
  e.bind(cb.exitLabel);
  if (flagOff !== undefined) e.st(8, R9, flagOff, 1);
  e.movImm(R0, 1n);
  e.exit();
  parent.callbackStack = Math.max(parent.callbackStack, cb.frame.neededStack + cb.callbackStack);
  for (const err of cb.errors) parent.errors.push(err);
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
