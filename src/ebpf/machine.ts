// The state one eBPF invocation runs against, shared by the interpreter, the JIT and helpers:
// registers as 32-bit halves, the address space, the maps by fd and the kernel host.
// Helpers read their arguments from regs and write r0 there; nothing here allocates per call.

import type { KernelHost } from './host.js';
import type { BpfMap } from './maps/map.js';
import { Memory } from './memory.js';

export class Machine {
  /** r0..r10 as (lo, hi) int32 pairs: regs[2 * n] is the low word of rn, regs[2 * n + 1] the high word. */
  readonly regs = new Int32Array(22);
  readonly mem = new Memory();
  /** Maps by fd (index); fds start at 1 as the loader assigns them. */
  readonly maps: (BpfMap | undefined)[] = [undefined];
  /**
   * How a helper calls back into the running program (for_each_map_elem, loop): the engine
   * running a program sets it for the run. See CallFunc.
   */
  callFunc: CallFunc = noProgramRunning;

  constructor(public host: KernelHost) {}
}

/**
 * Runs the running program's function at slot `entry` (a lddw src=4 address) as a callback:
 * r1..r5 from m.regs, a stack frame of its own below the caller's (bpf-to-bpf style, with its
 * own r10), its instructions counted in the run. Returns true when its r0 is non-zero (the
 * callback asks to stop). Afterwards r0 and r1..r5 hold what the callback left, r6..r10 what
 * the caller had. A fault inside the callback is recorded in the run's result and thrown
 * through the helper to the engine, which ends the run with it.
 */
export type CallFunc = (m: Machine, entry: number) => boolean;

/** Outside a run there is no program to call back. */
function noProgramRunning(_m: Machine, entry: number): boolean {
  throw new Error(`callback to insn ${entry} outside a program run`);
}

/** A helper as the machine calls it: arguments in m.regs r1..r5, result written to r0. */
export type HelperFn = (m: Machine) => void;
