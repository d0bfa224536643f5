// fitRestarts: n seeds trained at once, the best kept, a report per seed with its formula.
import { describe, expect, it } from 'vitest';
import { Adam, NAU, NMU, Sequential, tensor, type Tensor } from '../lib/index';
import { fitRestarts, seedOf } from '../lib/restarts';
import { rng } from './helpers/reference';

/** The README's (x0 + x1)·x2 on U[lo, hi]. */
function data(rows: number, lo: number, hi: number, r: () => number): [Tensor, Tensor] {
  const x = Float32Array.from({ length: rows * 3 }, () => lo + (hi - lo) * r());
  const y = Float32Array.from({ length: rows }, (_, i) => (x[3 * i] + x[3 * i + 1]) * x[3 * i + 2]);
  return [tensor(x, [rows, 3]), tensor(y, [rows, 1])];
}

/** The README's NAU → NMU, layer seeds s and s + 100. */
function readmeModel(s: number): Sequential {
  const m = new Sequential([new NAU({ units: 2, inputDim: 3, seed: s }), new NMU({ units: 1, seed: s + 100 })]);
  m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
  return m;
}

const r = rng(7);
const [x, y] = data(1024, 1, 2, r);
const val = data(256, 1, 2, r);
const extrapolation = data(256, 5, 10, r);

describe('fitRestarts', () => {
  it('gives the exact formula of the README example for at least 19 of 20 base seeds with 5 restarts', async () => {
    const found: string[] = [];
    for (let base = 1; base <= 20; base++) {
      const res = await fitRestarts(readmeModel, x, y, { restarts: 5, seed: base, epochs: 400, batchSize: 64, validationData: val });
      expect(res.selectedBy).toBe('valLoss');
      expect(res.restarts.map((q) => q.seed)).toEqual([0, 1, 2, 3, 4].map((i) => seedOf(base, i)));
      expect(res.best.score).toBe(Math.min(...res.restarts.map((q) => q.score)));
      found.push(res.best.exact ? res.best.formula! : `not exact: ${res.best.formula}`);
      res.model.dispose();
    }
    expect(found.filter((f) => f === '(x0 + x1) * x2').length, found.join('\n')).toBeGreaterThanOrEqual(19);
  }, 120_000);

  it('reports every seed and keeps the one that extrapolates best', async () => {
    const seen: number[] = [];
    const res = await fitRestarts(readmeModel, x, y, {
      restarts: 4,
      seed: 2,
      epochs: 100,
      batchSize: 64,
      extrapolation,
      explain: { featureNames: ['a', 'b', 'c'] },
      onRestart: (q) => seen.push(q.seed),
    });
    expect(res.selectedBy).toBe('extrapolationLoss');
    expect(seen.sort()).toEqual(res.restarts.map((q) => q.seed).sort());
    for (const q of res.restarts) {
      expect(q.score).toBe(Number.isFinite(q.extrapolationLoss!) ? q.extrapolationLoss : Infinity);
      expect(typeof q.formula).toBe('string');
      expect(q.formula).toMatch(/\b[abc]\b/);
      expect(typeof q.exact).toBe('boolean');
    }
    expect(res.best.extrapolationLoss).toBe(Math.min(...res.restarts.map((q) => q.score)));
    expect(res.model.evaluate(extrapolation[0], extrapolation[1])).toBeCloseTo(res.best.extrapolationLoss!, 6);
    res.model.dispose();
  });

  it('seedOf: seed itself first, then distinct seeds', () => {
    expect(seedOf(5, 0)).toBe(5);
    const s = new Set(Array.from({ length: 1000 }, (_, i) => seedOf(7, i)));
    expect(s.size).toBe(1000);
    expect(seedOf(2 ** 32 - 1, 3)).toBeLessThan(2 ** 32);
    expect(() => seedOf(-1, 0)).toThrow(RangeError);
    expect(() => seedOf(1, 0.5)).toThrow(/i: expected an integer/);
    expect(() => seedOf('1' as never, 0)).toThrow(TypeError);
  });

  it('refuses bad arguments, and rejects with a fit error after disposing every model', async () => {
    await expect(fitRestarts(readmeModel, x, y, { restarts: 0 })).rejects.toThrow(RangeError);
    await expect(fitRestarts(readmeModel, x, y, { restarts: 1.5 })).rejects.toThrow(/restarts/);
    await expect(fitRestarts('model' as never, x, y, { restarts: 2 })).rejects.toThrow(TypeError);
    await expect(fitRestarts(readmeModel, x, y, { restarts: 2, extrapolation: [x] as never })).rejects.toThrow(/extrapolation/);
    await expect(fitRestarts(readmeModel, x, y, { restarts: 2, concurrency: 0 })).rejects.toThrow(/concurrency/);
    await expect(fitRestarts(readmeModel, x, y, { restarts: 2, callbacks: [] } as never)).rejects.toThrow(/'callbacks' is not taken/);
    await expect(fitRestarts(() => ({}) as Sequential, x, y, { restarts: 2 })).rejects.toThrow(/makeModel\(\d+\): expected a Sequential/);
    const made: Sequential[] = [];
    const failing = (s: number) => {
      const m = readmeModel(s);
      made.push(m);
      return m;
    };
    await expect(fitRestarts(failing, x, y, { restarts: 3, epochs: 1, batchSize: -1 })).rejects.toThrow(/batchSize/);
    expect(made.length).toBeGreaterThan(0);
    for (const m of made) expect(() => m.predict([[1, 2, 3]])).toThrow(/dispos/);
  });
});
