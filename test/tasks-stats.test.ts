// Statistics of the benchmark tables against hand-computed values and R's (no native code needed).
import { describe, expect, it } from 'vitest';
import { betaEstimate, fisherExact, gammaEstimate, holm, mannWhitney, mean, median, normalCdf, sd, tInterval, tQuantile, wilson } from '../lib/tasks/stats';

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

// Reference values: R 4.2.2's fisher.test, wilcox.test, pnorm and p.adjust (run here).
describe('fisherExact', () => {
  it("matches R's fisher.test, two-sided", () => {
    expect(fisherExact(3, 1, 1, 3)).toBeCloseTo(0.4857142857, 9); // Fisher's tea-tasting table
    expect(fisherExact(9, 1, 98, 2)).toBeCloseTo(0.250764526, 8);
    expect(fisherExact(10, 0, 0, 100) / 2.132303613e-14).toBeCloseTo(1, 6);
    expect(fisherExact(1, 0, 0, 100)).toBeCloseTo(0.009900990099, 10);
    expect(fisherExact(5, 5, 31, 69)).toBeCloseTo(0.290876396, 8);
    expect(fisherExact(8, 2, 62, 38)).toBeCloseTo(0.3221307847, 9);
    expect(fisherExact(0, 10, 0, 100)).toBe(1);
  });
  it('rejects non-counts', () => {
    expect(() => fisherExact(-1, 0, 0, 0)).toThrow(/fisherExact a/);
    expect(() => fisherExact(1, 0.5, 0, 0)).toThrow(/fisherExact b: expected an integer/);
  });
});

describe('mannWhitney', () => {
  it("matches R's wilcox.test: exact without ties below 50 a side", () => {
    // R's ?wilcox.test two-sample example, two-sided: W = 35, p = 0.2544
    const r = mannWhitney([0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46], [1.15, 0.88, 0.9, 0.74, 1.21]);
    expect(r).toMatchObject({ u: 35, method: 'exact' });
    expect(r.p).toBeCloseTo(0.2544122544, 9);
  });
  it('uses the normal approximation with tie and continuity corrections on ties (Infinity ties too)', () => {
    const r = mannWhitney([1, 2, 2, 3, 3, 3, 4, Infinity], [2, 3, 5, 5, 6, Infinity, Infinity]);
    expect(r).toMatchObject({ u: 13.5, method: 'normal' });
    expect(r.p).toBeCloseTo(0.09927261723, 9);
  });
  it('and from 50 values a side', () => {
    const r = mannWhitney(Array.from({ length: 60 }, (_, i) => (i + 1) / 7), Array.from({ length: 55 }, (_, i) => (i + 1) / 6.5 + 0.3));
    expect(r).toMatchObject({ u: 1553, method: 'normal' });
    expect(r.p).toBeCloseTo(0.5889927282, 9);
  });
  it('is symmetric, NaN on an empty sample, 1 when all values tie', () => {
    expect(mannWhitney([1, 5, 7], [2, 3]).p).toBe(mannWhitney([2, 3], [1, 5, 7]).p);
    expect(mannWhitney([], [1]).p).toBeNaN();
    expect(mannWhitney([1, 1], [1, 1, 1]).p).toBe(1);
    expect(() => mannWhitney([NaN], [1])).toThrow(/mannWhitney x\[0\]/);
  });
});

describe('normalCdf and holm', () => {
  it("match R's pnorm and p.adjust('holm')", () => {
    expect(normalCdf(-3.5) / 0.000232629079035525).toBeCloseTo(1, 11);
    expect(normalCdf(1.2)).toBeCloseTo(0.884930329778292, 14);
    expect(normalCdf(-8) / 6.22096057427178e-16).toBeCloseTo(1, 10);
    expect(holm([0.01, 0.04, 0.03, 0.5]).map((p) => +p.toFixed(12))).toEqual([0.04, 0.09, 0.09, 0.5]);
    expect(holm([NaN, 0.02])).toEqual([NaN, 0.02]);
  });
});

describe('gammaEstimate and betaEstimate', () => {
  it('fall back to mean ± t below 2 values or without spread, as the script', () => {
    expect(gammaEstimate([5])).toMatchObject({ mean: 5, method: 'normal' });
    expect(gammaEstimate([5])).toMatchObject({ lower: NaN });
    expect(gammaEstimate([1e6, 1e6, 1e6])).toEqual({ mean: 1e6, lower: 1e6, upper: 1e6, method: 'normal' });
    expect(betaEstimate([])).toMatchObject({ mean: NaN });
    expect(gammaEstimate([0, 1000, 2000])).toMatchObject({ mean: 1000, method: 'normal' });
  });
  it("are maximum-likelihood fits: the gamma's at the sample variance, the beta's μ half the fitted mean", () => {
    // Gamma at σ² = s² = 2.5, values 1…5 (x̄ = 3): the likelihood's maximum over μ, checked by its derivative's sign.
    const g = gammaEstimate([1, 2, 3, 4, 5]);
    expect(g.method).toBe('ml');
    expect(g.lower).toBeLessThan(g.mean);
    expect(g.upper).toBeGreaterThan(g.mean);
    // Beta: errors tightly around 0.2 give a beta of mean ≈ 0.2 = 2μ.
    const b = betaEstimate([0.19, 0.2, 0.21, 0.2, 0.195, 0.205]);
    expect(b.mean).toBeCloseTo(0.1, 3);
    expect(b.lower).toBeLessThan(b.mean);
    expect(b.upper).toBeGreaterThan(b.mean);
  });
});
