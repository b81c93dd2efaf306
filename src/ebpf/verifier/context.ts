// Context accesses: the ctx pointer must be unmodified (Linux's check_ptr_off_reg) and the
// field offset and size must be one the program type allows (its is_valid_access, kept as
// data in ../progtypes.ts). In: the env, the ctx register and the access; out: nothing or a
// rejection. What a ctx load yields (an unknown scalar) is decided by the caller.

import type { Env } from './env.js';
import { Reg, regTypeStr } from './state.js';
import { tnumIsConst, tnumToString } from './tnum.js';

/**
 * __check_ptr_off_reg: a pointer that must be passed or dereferenced at its base. A fixed
 * offset is accepted only where the caller says so (fixedOffOk).
 */
export function checkPtrOffReg(env: Env, reg: Reg, regno: number, fixedOffOk: boolean): void {
  if (reg.off < 0) env.reject(`negative offset ${regTypeStr(reg.type)} ptr R${regno} off=${reg.off} disallowed`);
  if (!fixedOffOk && reg.off !== 0) env.reject(`dereference of modified ${regTypeStr(reg.type)} ptr R${regno} off=${reg.off} disallowed`);
  if (!tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) {
    env.reject(`variable ${regTypeStr(reg.type)} access var_off=${tnumToString(reg.varOff)} disallowed`);
  }
}

/** check_ctx_access: `off` already includes the pointer's (zero) fixed offset. */
export function checkCtxAccess(env: Env, off: number, size: 1 | 2 | 4 | 8, write: boolean): void {
  if (!env.prog.ctxAccessOk({ off, size, write, ctxSize: env.ctxSize })) {
    env.reject(`invalid bpf_context access off=${off} size=${size}`);
  }
}
