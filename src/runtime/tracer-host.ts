// The KernelHost BEGIN and END programs run against: bpftrace runs them in its own process,
// so pid, comm and uid are the tracer's (comm "bpftrace", as programs that filter it out
// expect), on CPU 0, at the world's current virtual time. The world itself is created only
// when something needs it (a BEGIN that exits never pays for building it). Not the world.

import type { KernelHost } from '../ebpf/host.js';
import { boottimeAt, clockOffsets, jiffiesAt, monotonicAt, realtimeAt, taiAt, type ClockOffsets } from '../world/clock.js';
import { Sfc32 } from '../world/prng.js';

/** What the tracer host needs of the world, when it exists. */
export interface TracerWorld {
  /** Virtual time, ns since the world started. */
  readonly now: number;
  readKernel(addr: bigint, dst: Uint8Array, off: number, len: number): number;
  readKernelStr(addr: bigint, dst: Uint8Array, off: number, len: number): number;
  /** The tracer's own task_struct (made on first use). */
  tracerTask(pid: number, comm: string): bigint;
}

/** The comm bpftrace's own process has. */
export const TRACER_COMM = 'bpftrace';
/** EFAULT and EPERM as helpers return them. */
const EFAULT = 14;
const EPERM = 1;

/**
 * The tracer's pid: far above the pids the world hands out (they grow from 2 by at most a
 * few tens of thousands), below Linux's pid_max, and fixed by the seed.
 */
export function tracerPid(seed: number): number {
  return 3_000_000 + (Math.imul(seed >>> 0, 2654435761) >>> 0) % 1_000_000;
}

export class TracerHost implements KernelHost {
  readonly pid: number;
  private readonly clocks: ClockOffsets;
  private readonly rand: Sfc32;
  private readonly commBytes = new Uint8Array(16);

  constructor(
    seed: number,
    private readonly cpuCount: number,
    /** The world: `existing()` when built (undefined means virtual time 0), `build()` to build it now. */
    private readonly world: { existing(): TracerWorld | undefined; build(): TracerWorld },
  ) {
    this.pid = tracerPid(seed);
    this.clocks = clockOffsets(seed);
    this.rand = new Sfc32(seed, 0x7ace);
    for (let i = 0; i < TRACER_COMM.length; i++) this.commBytes[i] = TRACER_COMM.charCodeAt(i);
  }

  private get now(): number {
    return this.world.existing()?.now ?? 0;
  }

  cpu(): number {
    return 0;
  }
  ncpus(): number {
    return this.cpuCount;
  }
  tid(): number {
    return this.pid;
  }
  tgid(): number {
    return this.pid;
  }
  uid(): number {
    return 0;
  }
  gid(): number {
    return 0;
  }
  comm(dst: Uint8Array, off: number): void {
    dst.set(this.commBytes, off);
  }
  ktimeNs(): number {
    return monotonicAt(this.clocks, this.now);
  }
  bootNs(): number {
    return boottimeAt(this.clocks, this.now);
  }
  taiNs(): number {
    return taiAt(this.clocks, this.now);
  }
  realtimeNs(): number {
    return realtimeAt(this.clocks, this.now);
  }
  jiffies(): number {
    return jiffiesAt(this.clocks, this.now);
  }
  currentTask(): bigint {
    // bpftrace's own task: the world makes it on first use (at virtual time 0 in BEGIN).
    return this.world.build().tracerTask(this.pid, TRACER_COMM);
  }
  cgroupId(): bigint {
    return 1n;
  }
  numaNode(): number {
    return 0;
  }
  prandomU32(): number {
    return this.rand.next();
  }
  funcIp(): bigint {
    return 0n;
  }
  sendSignal(_sig: number): number {
    // signal() from BEGIN/END would signal the tracer itself; nothing a program does may reach the host.
    return -EPERM;
  }
  readUser(_addr: bigint, dst: Uint8Array, off: number, len: number): number {
    // bpftrace's own address space is not simulated.
    dst.fill(0, off, off + len);
    return -EFAULT;
  }
  readUserStr(_addr: bigint, dst: Uint8Array, off: number, len: number): number {
    if (len > 0) dst.fill(0, off, off + len);
    return -EFAULT;
  }
  // Kernel memory is the world's: reading it builds the world (at virtual time 0 when this
  // happens in BEGIN), so what BEGIN reads never depends on whether it was built already.
  readKernel(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    return this.world.build().readKernel(addr, dst, off, len);
  }
  readKernelStr(addr: bigint, dst: Uint8Array, off: number, len: number): number {
    return this.world.build().readKernelStr(addr, dst, off, len);
  }
  kernelStack(): readonly bigint[] {
    return [];
  }
  userStack(): readonly bigint[] {
    return [];
  }
}
