import { describe, expect, test } from 'vitest';
import { DRAW_RANGE, Sfc32, mix32 } from '../../src/world/prng.js';
import { Dist, apportion, normalQuantile } from '../../src/world/distributions.js';

describe('Sfc32', () => {
  test('a seed gives a fixed sequence', () => {
    const r = new Sfc32(1);
    const a = [r.next(), r.next(), r.next()];
    const s = new Sfc32(1);
    expect([s.next(), s.next(), s.next()]).toEqual(a);
    for (const x of a) expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
  });

  test.each([
    [1, 2],
    [1, 1 + 2 ** 32],
    [0, -1],
  ])('seeds %d and %d differ', (x, y) => {
    expect(new Sfc32(x).next()).not.toBe(new Sfc32(y).next());
  });

  test('streams of one seed differ', () => {
    expect(new Sfc32(5, 1).next()).not.toBe(new Sfc32(5, 2).next());
  });

  test('below() stays in range and covers it', () => {
    const r = new Sfc32(9);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.below(7);
      expect(v >= 0 && v < 7).toBe(true);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
  });

  test('mix32 is a bijection on a sample', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) seen.add(mix32(i));
    expect(seen.size).toBe(5000);
  });
});

/** Draws spread evenly over the draw range: the distribution's quantiles in order. */
function sweep(d: Dist, n = 4096): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(d.sample(Math.floor(((i + 0.5) / n) * DRAW_RANGE)));
  return out;
}

describe('Dist', () => {
  test('constant', () => {
    const d = Dist.compile(42, 'x') as Dist;
    expect(sweep(d, 16)).toEqual(new Array(16).fill(42));
    expect(d.mean).toBe(42);
  });

  test('uniform is inclusive and even', () => {
    const d = Dist.compile({ uniform: [3, 7] }, 'x') as Dist;
    const v = sweep(d, 5000);
    const counts = [3, 4, 5, 6, 7].map((k) => v.filter((x) => x === k).length);
    expect(Math.min(...v)).toBe(3);
    expect(Math.max(...v)).toBe(7);
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(20);
  });

  test('lognormal median and p99 land where asked', () => {
    const d = Dist.compile({ lognormal: { median: 10_000, p99: 1_000_000 } }, 'x') as Dist;
    const v = sweep(d, 10_000).sort((a, b) => a - b);
    expect(Math.abs(v[5000]! - 10_000) / 10_000).toBeLessThan(0.02);
    expect(Math.abs(v[9900]! - 1_000_000) / 1_000_000).toBeLessThan(0.05);
  });

  test('exp has its mean', () => {
    const d = Dist.compile({ exp: { mean: 500 } }, 'x') as Dist;
    const v = sweep(d, 20_000);
    expect(Math.abs(v.reduce((a, b) => a + b, 0) / v.length - 500)).toBeLessThan(15);
  });

  test('choice follows its weights', () => {
    const d = Dist.compile({ choice: [[1, 3], [2, 1]] }, 'x') as Dist;
    const v = sweep(d, 4096);
    expect(v.filter((x) => x === 1).length).toBe(3072);
    expect(d.mean).toBeCloseTo(1.25, 5);
  });

  test('min and max clamp', () => {
    const d = Dist.compile({ lognormal: { median: 100, p99: 10_000 }, min: 50, max: 1000 }, 'x') as Dist;
    const v = sweep(d);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...v)).toBeLessThanOrEqual(1000);
  });

  test.each([
    [{ lognormal: { median: 0, p99: 5 } }, 'x: lognormal needs median > 0 and p99 >= median'],
    [{ uniform: [5, 1] }, 'x: uniform must be [lo, hi] with lo <= hi'],
    [{ choice: [] }, 'x: choice must be a non-empty list of [value, weight]'],
    [{ choice: [[1, 0]] }, 'x: all weights are zero'],
    [{ gamma: 1 }, 'x: unknown distribution (expected const, uniform, lognormal, exp or choice)'],
    ['7', 'x: expected a number or a distribution object'],
  ])('rejects %j', (spec, message) => {
    expect(Dist.compile(spec, 'x')).toBe(message);
  });
});

describe('apportion', () => {
  test('keeps rare alternatives possible and sums to the total', () => {
    const slots = apportion([1, 100000, 0, 3], 4096) as number[];
    expect(slots.reduce((a, b) => a + b, 0)).toBe(4096);
    expect(slots[0]).toBeGreaterThanOrEqual(1);
    expect(slots[2]).toBe(0);
    expect(slots[3]).toBeGreaterThanOrEqual(1);
  });
});

test('normalQuantile matches known points', () => {
  expect(normalQuantile(0.5)).toBeCloseTo(0, 8);
  expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
  expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
});
