// How the suite times things: process CPU time (user + system, from process.cpuUsage) and
// wall time around a piece of work, best of several rounds (the machine is shared: the
// best round is the one least disturbed). In: functions to time. Out: { cpuNs, wallNs } of
// the best round. Not: what is timed, or how results are printed.

/** CPU ns this process has used so far. */
export function cpuNow() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

export function wallNow() {
  return Number(process.hrtime.bigint());
}

/** Times fn() once: CPU and wall nanoseconds. */
export function timeOnce(fn) {
  const c0 = cpuNow();
  const w0 = wallNow();
  fn();
  return { cpuNs: cpuNow() - c0, wallNs: wallNow() - w0 };
}

/**
 * Best of `rounds` rounds, each calling fn() until it has run at least `minMs` of wall time;
 * fn does `units` units of work per call. Returns per-unit CPU and wall ns of the best round
 * (lowest CPU ns per unit; its wall time is reported beside it).
 */
export function bestPerUnit(fn, units, { rounds = 5, minMs = 200, warmup = 3 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  let best;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const c0 = cpuNow();
    const w0 = wallNow();
    const until = w0 + minMs * 1e6;
    let w;
    do {
      fn();
      calls++;
      w = wallNow();
    } while (w < until);
    const cpu = (cpuNow() - c0) / (calls * units);
    const wall = (w - w0) / (calls * units);
    if (best === undefined || cpu < best.cpuNs) best = { cpuNs: cpu, wallNs: wall };
  }
  return best;
}

/** Median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
