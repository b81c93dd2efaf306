// send_signal (109) and send_signal_thread (117): signal the current task through the host,
// after Linux's checks: an invalid signal number is -EINVAL, and init (pid 1) and kernel
// threads (pid 0 here) are -EPERM. The world has no per-thread signal delivery, so the
// thread variant signals through the same host call.

import type { HelperFn } from '../machine.js';
import { EINVAL, EPERM } from '../maps/errno.js';
import { hi, lo, setR0Int } from './registers.js';

/** _NSIG: valid signals are 0..64 (0 only checks permission). */
const NSIG = 64;

export const sendSignal: HelperFn = (m) => {
  const sig = hi(m, 1) === 0 ? lo(m, 1) >>> 0 : -1;
  const tgid = m.host.tgid();
  if (tgid === 0 || tgid === 1) return setR0Int(m, -EPERM);
  if (sig < 0 || sig > NSIG) return setR0Int(m, -EINVAL);
  setR0Int(m, m.host.sendSignal(sig));
};

export const sendSignalThread: HelperFn = sendSignal;
