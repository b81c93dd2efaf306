// Value distributions of the workload profiles, compiled so that one 30-bit draw gives one
// sample with no branch on the distribution's kind: every shape is a table of cells indexed by
// the draw's high bits, each cell a value and a slope over the cell (continuous shapes: a
// 257-point quantile table interpolated; uniform integers: one cell spanning the range;
// choices: 4096 flat cells; constants: one flat cell). In: a JSON spec (number, const,
// uniform, lognormal, exp, choice). Out: Dist. Not a statistics library: tails are clamped at
// quantiles 1e-4 and 1 - 1e-4.
//
// Why branch-free: the world samples several distributions of different shapes per syscall;
// a switch on the shape and a scan over choice thresholds mispredict on a random op mix and
// cost more than the arithmetic (measured: a 4-way threshold scan ≈ 20 ns per draw here, a
// table lookup ≈ 1.5 ns).

export type DistSpec =
  | number
  | { readonly const: number }
  | { readonly uniform: readonly [number, number] }
  | { readonly lognormal: { readonly median: number; readonly p99: number }; readonly min?: number; readonly max?: number }
  | { readonly exp: { readonly mean: number }; readonly min?: number; readonly max?: number }
  | { readonly choice: readonly (readonly [number, number])[] };

import { DRAW_BITS } from './prng.js';

const CONT_BITS = 8;
const CONT_N = 1 << CONT_BITS;
/** Resolution of choice weights: thresholds are multiples of DRAW_RANGE / CHOICE_SLOTS. */
export const CHOICE_SLOTS = 4096;
const CHOICE_BITS = 12;

/** A compiled distribution. sample() maps a 30-bit draw (prng.ts DRAW_BITS) to an integer value. */
export class Dist {
  /** Draw bits below the cell index (the cell is r >>> shift), their mask and 2^-shift. */
  private readonly mask: number;
  private readonly scale: number;

  private constructor(
    /** Value at the start of each cell. */
    private readonly v: Float64Array,
    /** Increase over the whole cell (0 for flat cells). */
    private readonly s: Float64Array,
    private readonly shift: number,
    /** Mean of the distribution, for rate calculations and tests. */
    readonly mean: number,
  ) {
    this.mask = shift >= 30 ? 0x3fffffff : (1 << shift) - 1;
    this.scale = 2 ** -shift;
  }

  sample(r: number): number {
    const i = r >>> this.shift;
    return Math.floor(this.v[i]! + this.s[i]! * ((r & this.mask) * this.scale));
  }

  static constant(v: number): Dist {
    return new Dist(Float64Array.of(Math.floor(v)), ZERO_ONE, DRAW_BITS, Math.floor(v));
  }

  /** Compiles a spec; returns an error message (naming `where`) for a malformed one. */
  static compile(spec: unknown, where: string): Dist | string {
    if (typeof spec === 'number') return Number.isFinite(spec) ? Dist.constant(spec) : `${where}: not a finite number`;
    if (spec === null || typeof spec !== 'object') return `${where}: expected a number or a distribution object`;
    const s = spec as Record<string, unknown>;
    const min = typeof s['min'] === 'number' ? s['min'] : -Infinity;
    const max = typeof s['max'] === 'number' ? s['max'] : Infinity;
    if ('const' in s) return typeof s['const'] === 'number' ? Dist.constant(s['const']) : `${where}: const must be a number`;
    if ('uniform' in s) {
      const u = s['uniform'];
      if (!Array.isArray(u) || u.length !== 2 || typeof u[0] !== 'number' || typeof u[1] !== 'number' || u[1] < u[0])
        return `${where}: uniform must be [lo, hi] with lo <= hi`;
      // Integers lo..hi inclusive, each equally likely.
      const lo = Math.floor(u[0]);
      const span = Math.floor(u[1]) - lo + 1;
      return new Dist(Float64Array.of(lo), Float64Array.of(span), DRAW_BITS, lo + (span - 1) / 2);
    }
    if ('lognormal' in s) {
      const l = s['lognormal'] as Record<string, unknown> | null;
      const median = l?.['median'];
      const p99 = l?.['p99'];
      if (typeof median !== 'number' || typeof p99 !== 'number' || median <= 0 || p99 < median)
        return `${where}: lognormal needs median > 0 and p99 >= median`;
      const sigma = Math.log(p99 / median) / 2.3263478740408408;
      const mu = Math.log(median);
      return Dist.fromQuantile((p) => Math.exp(mu + sigma * normalQuantile(p)), min, max);
    }
    if ('exp' in s) {
      const e = s['exp'] as Record<string, unknown> | null;
      const mean = e?.['mean'];
      if (typeof mean !== 'number' || mean <= 0) return `${where}: exp needs mean > 0`;
      return Dist.fromQuantile((p) => -Math.log(1 - p) * mean, min, max);
    }
    if ('choice' in s) {
      const c = s['choice'];
      if (!Array.isArray(c) || c.length === 0) return `${where}: choice must be a non-empty list of [value, weight]`;
      const values: number[] = [];
      const weights: number[] = [];
      for (const pair of c) {
        if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number' || typeof pair[1] !== 'number' || pair[1] < 0)
          return `${where}: choice entries must be [value, weight >= 0]`;
        values.push(Math.floor(pair[0]));
        weights.push(pair[1]);
      }
      const slots = apportion(weights, CHOICE_SLOTS);
      if (typeof slots === 'string') return `${where}: ${slots}`;
      const cells = new Float64Array(CHOICE_SLOTS);
      let acc = 0;
      let mean = 0;
      let distinct = 0;
      for (let i = 0; i < values.length; i++) {
        if (slots[i] === 0) continue;
        cells.fill(values[i]!, acc, acc + slots[i]!);
        acc += slots[i]!;
        mean += values[i]! * slots[i]!;
        distinct++;
      }
      if (distinct === 1) return Dist.constant(cells[0]!);
      return new Dist(cells, ZERO_CHOICE, DRAW_BITS - CHOICE_BITS, mean / CHOICE_SLOTS);
    }
    return `${where}: unknown distribution (expected const, uniform, lognormal, exp or choice)`;
  }

  private static fromQuantile(q: (p: number) => number, min: number, max: number): Dist {
    const t = new Float64Array(CONT_N + 1);
    for (let i = 0; i <= CONT_N; i++) {
      const p = Math.min(1 - 1e-4, Math.max(1e-4, i / CONT_N));
      t[i] = Math.min(max, Math.max(min, q(p)));
    }
    let sum = 0;
    const slope = new Float64Array(CONT_N + 1);
    for (let i = 0; i < CONT_N; i++) {
      sum += (t[i]! + t[i + 1]!) / 2;
      slope[i] = t[i + 1]! - t[i]!;
    }
    return new Dist(t, slope, DRAW_BITS - CONT_BITS, sum / CONT_N);
  }
}

/** Flat slopes shared by every constant and every choice. */
const ZERO_ONE = new Float64Array(1);
const ZERO_CHOICE = new Float64Array(CHOICE_SLOTS);

/**
 * Splits `total` slots among weights by largest remainder, giving every positive weight at
 * least one slot so that rare choices stay possible. Returns slot counts or an error.
 */
export function apportion(weights: readonly number[], total: number): number[] | string {
  const positive = weights.filter((w) => w > 0).length;
  if (positive === 0) return 'all weights are zero';
  if (positive > total) return `more than ${total} alternatives`;
  const sum = weights.reduce((a, b) => a + b, 0);
  const slots = weights.map((w) => (w > 0 ? Math.max(1, Math.floor((w / sum) * total)) : 0));
  let used = slots.reduce((a, b) => a + b, 0);
  const order = weights
    .map((w, i) => ({ i, rem: w > 0 ? (w / sum) * total - Math.floor((w / sum) * total) : -1 }))
    .sort((x, y) => y.rem - x.rem || x.i - y.i);
  for (let k = 0; used < total; k = (k + 1) % order.length) {
    if (order[k]!.rem >= 0) {
      slots[order[k]!.i]!++;
      used++;
    }
  }
  while (used > total) {
    // Minimum-one slots overshot: take from the largest.
    let big = 0;
    for (let i = 1; i < slots.length; i++) if (slots[i]! > slots[big]!) big = i;
    slots[big]!--;
    used--;
  }
  return slots;
}

/** Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lowP = 0.02425;
  if (p < lowP) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lowP) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
