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

  constructor(public host: KernelHost) {}
}

/** A helper as the machine calls it: arguments in m.regs r1..r5, result written to r0. */
export type HelperFn = (m: Machine) => void;
