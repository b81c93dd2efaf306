// The slice of the probe catalog (src/probes) the synthetic kernel needs: the syscall table,
// tracepoint record layouts, kernel struct layouts and kernel function signatures. The world
// codes against this narrow view so that it never parses probes/ itself; bind-catalog.ts
// builds it from the catalog module, tests may build small ones.

import type { CType } from '../probes/ctype.js';
import type { TracepointFormat } from '../probes/tracepoint_format.js';

export interface SyscallEntry {
  readonly nr: number;
  /** Name in the syscall table ('stat'). */
  readonly name: string;
  /** Suffix of its syscalls:sys_enter_/sys_exit_ events ('newstat'); absent when it has none. */
  readonly event?: string;
}

export interface StructFieldView {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly type: CType;
  readonly bitfield?: { readonly bitOffset: number; readonly bitWidth: number };
}

export interface StructView {
  readonly name: string;
  readonly size: number;
  readonly fields: readonly StructFieldView[];
}

export interface KernelFunctionView {
  readonly name: string;
  readonly args: readonly { readonly name: string; readonly type: CType }[];
  readonly ret: CType;
}

export interface WorldCatalog {
  readonly syscalls: readonly SyscallEntry[];
  tracepoint(category: string, event: string): TracepointFormat | undefined;
  /** 'struct task_struct', 'struct cfs_rq::removed', 'atomic_t'. */
  struct(name: string): StructView | undefined;
  kernelFunction(name: string): KernelFunctionView | undefined;
  /** Every kprobe-able function (they all get a place in the kernel's symbol table). */
  kernelFunctionNames?(): readonly string[];
  /** The category of the tracepoint a raw tracepoint of this name is (syscalls' own events excepted). */
  rawTracepointCategory?(event: string): string | undefined;
}

export type { TracepointFormat, CType };
