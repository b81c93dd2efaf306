// Clock helpers: ktime_get_ns (5, CLOCK_MONOTONIC), ktime_get_boot_ns (125, CLOCK_BOOTTIME),
// ktime_get_coarse_ns (160, the monotonic clock at tick resolution: the same virtual clock
// here, which has no tick skew), ktime_get_tai_ns (208) and jiffies64 (118). Values come from
// the host's virtual clock; nothing here reads the wall clock.

import type { HelperFn } from '../machine.js';
import { setR0Num } from './registers.js';

export const ktimeGetNs: HelperFn = (m) => setR0Num(m, m.host.ktimeNs());
export const ktimeGetBootNs: HelperFn = (m) => setR0Num(m, m.host.bootNs());
export const ktimeGetCoarseNs: HelperFn = (m) => setR0Num(m, m.host.ktimeNs());
export const ktimeGetTaiNs: HelperFn = (m) => setR0Num(m, m.host.taiNs());
export const jiffies64: HelperFn = (m) => setR0Num(m, m.host.jiffies());
