// Statistics of the benchmark table against hand-computed values (no native code needed).
import { describe, expect, it } from 'vitest';
import { mean, median, sd, tInterval, tQuantile, wilson } from '../lib/tasks/stats';

describe('wilson', () => {
  it('matches hand-computed 95 % intervals', () => {
    // 0/10: centre = (z²/2n)/(1+z²/n) = 0.192073/1.384146, half the same → [0, 0.27753]
    const [lo0, hi0] = wilson(0, 10);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(0.27753, 4);
    // 10/10 mirrors it
    const [lo10, hi10] = wilson(10, 10);
    expect(lo10).toBeCloseTo(1 - 0.27753, 4);
    expect(hi10).toBe(1);
    // 5/10: 0.5 ± 1.959964·√(0.025 + 0.0096040)/1.384146 = 0.5 ± 0.26339
    const [lo5, hi5] = wilson(5, 10);
    expect(lo5).toBeCloseTo(0.23659, 4);
    expect(hi5).toBeCloseTo(0.76341, 4);
    // 98/100 (the paper's NMU rate): [0.9300, 0.9945]
    const [lo98, hi98] = wilson(98, 100);
    expect(lo98).toBeCloseTo(0.93003, 4);
    expect(hi98).toBeCloseTo(0.99450, 4);
  });
  it('rejects bad counts', () => {
    expect(() => wilson(11, 10)).toThrow(RangeError);
    expect(() => wilson(1.5, 10)).toThrow(/wilson successes: expected an integer/);
    expect(() => wilson('1' as unknown as number, 10)).toThrow(TypeError);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });
});

describe('median, mean, t interval', () => {
  it('computes the summary statistics', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.13809, 5);
  });
  it('has the Student-t quantiles of the tables', () => {
    expect(tQuantile(0.975, 9)).toBeCloseTo(2.262157, 5);
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(tQuantile(0.975, 1e6)).toBeCloseTo(1.959966, 4);
    // values 1…10: sd = 3.02765, half-width = 2.262157 · 3.02765 / √10 = 2.16585
    expect(tInterval([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBeCloseTo(2.16585, 4);
    expect(tInterval([1])).toBeNaN();
  });
  it('rejects non-numbers', () => {
    expect(() => median([1, NaN])).toThrow(/median values\[1\]: expected a number/);
    expect(() => mean('x' as unknown as number[])).toThrow(TypeError);
  });
});
