// Linux errno values that maps and helpers return (negated), as in include/uapi/asm-generic.
// Only numbers: the names callers compare against, nothing that formats or throws.

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const E2BIG = 7;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ERANGE = 34;
export const EOPNOTSUPP = 95;
/** Kernel-internal "operation not supported" (not in uapi), what unsupported map ops return. */
export const ENOTSUPP = 524;
