// The toy task of issue 3: two inputs a = x0, b = x1, trained on U[1, 2], tested on U[2, 6]
// (extrapolation), fixed seeds. NAU must learn + and −, NMU ×, NMRU ÷, each to test MSE < 1e-4.
import { describe, expect, it } from 'vitest';
import { Adam, NAU, NMRU, NMU, Sequential, tensor, type Layer } from '../lib/index';

function data(n: number, lo: number, hi: number, op: (a: number, b: number) => number, seed: number) {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = lo + (hi - lo) * rnd(), b = lo + (hi - lo) * rnd();
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = op(Math.fround(a), Math.fround(b));
  }
  return { x: tensor(x, [n, 2]), y: tensor(y, [n, 1]) };
}

// The regularizer warms up after the loss has mostly converged (steps 2000 → 4000 of 4800), as
// the paper's schedule does at its scale: early on it would pull W to 0 before the data speaks.
const schedule = { sparsityLambda: 1, sparsityStart: 2000, sparsityEnd: 4000 };

async function train(layer: Layer, op: (a: number, b: number) => number) {
  const train = data(1024, 1, 2, op, 1);
  const test = data(4096, 2, 6, op, 2);
  const model = new Sequential([layer]);
  model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
  const history = await model.fit(train.x, train.y, { epochs: 300, batchSize: 64, seed: 3 });
  const mse = model.evaluate(test.x, test.y);
  const w = Array.from(model.getWeights()[0].data);
  model.dispose();
  return { mse, w, history };
}

describe('toy task: train U[1, 2], test U[2, 6]', () => {
  it('NAU learns a + b', async () => {
    const r = await train(new NAU({ units: 1, inputDim: 2, seed: 1, ...schedule }), (a, b) => a + b);
    expect(r.mse).toBeLessThan(1e-4);
    expect(r.w.map((v) => Math.round(v))).toEqual([1, 1]);
  });
  it('NAU learns a − b', async () => {
    const r = await train(new NAU({ units: 1, inputDim: 2, seed: 1, ...schedule }), (a, b) => a - b);
    expect(r.mse).toBeLessThan(1e-4);
    expect(r.w.map((v) => Math.round(v))).toEqual([1, -1]);
  });
  it('NMU learns a · b', async () => {
    const r = await train(new NMU({ units: 1, inputDim: 2, seed: 1, ...schedule }), (a, b) => a * b);
    expect(r.mse).toBeLessThan(1e-4);
    expect(r.w.map((v) => Math.round(v))).toEqual([1, 1]);
  });
  for (const signRetrieval of [false, true])
    it(`NMRU learns a / b (signRetrieval ${signRetrieval})`, async () => {
      const r = await train(new NMRU({ units: 1, inputDim: 2, seed: 1, signRetrieval, ...schedule }), (a, b) => a / b);
      expect(r.mse).toBeLessThan(1e-4);
      // W over [a, b, 1/a, 1/b]: a · (1/b).
      expect(r.w.map((v) => Math.round(v))).toEqual([1, 0, 0, 1]);
      // The regularizer was reported separately and switched on during training.
      expect(r.history.regularization[0]).toBe(0);
      expect(r.history.regularization.some((v) => v > 0)).toBe(true);
    });
  it('kernelConstraint replaces the NAU clamp', async () => {
    const r = await train(new NAU({ units: 1, inputDim: 2, seed: 1, sparsityLambda: 0, kernelConstraint: { min: 0, max: 0.5 } }), (a, b) => a + b);
    // a + b needs W = [1, 1]; the constraint keeps both at 0.5, so extrapolation is off.
    expect(r.w).toEqual([0.5, 0.5]);
    expect(r.mse).toBeGreaterThan(1);
  });
});
