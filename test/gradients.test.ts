// Native forward and gradients against a float64 reference (helpers/gradients.ts) beyond one unit
// alone (that is units-gradients.test.ts, for every registered unit): every registered loss,
// stacked layers, rank-3 inputs, large batches, and NALU's numerics at the edges.
import { describe, expect, it } from 'vitest';
import { Dense, Huber, NAC, NALU, Sequential, lossRegistry, tensor, type LossLike } from '../lib/index';
import { checkGradients as check } from './helpers/gradients';
import { signedUniform, uniform } from './helpers/reference';

const rows = 6;

describe('NALU', () => {
  it('seeded default initialization', () => {
    check({
      layers: [new NALU({ units: 1, inputDim: 10, seed: 3 })],
      inputDim: 10,
      x: tensor(uniform(8 * 10, 0.2, 1, 41), [8, 10]),
      y: tensor(uniform(8, 0, 1, 42), [8, 1]),
      loss: 'mse',
    });
  });

  it('rank-3 input [2, 3, features]', () => {
    check({
      layers: [new NALU({ units: 2, inputDim: 3, seed: 5 })],
      inputDim: 3,
      x: tensor(signedUniform(2 * 3 * 3, 0.3, 2, 43), [2, 3, 3]),
      y: tensor(uniform(2 * 3 * 2, -1, 1, 44), [2, 3, 2]),
      loss: 'mse',
    });
  });
});

describe('stacked layers (backprop through dx)', () => {
  it('Dense(tanh) → NALU → NAC → Dense', () => {
    const { kinks } = check({
      layers: [
        new Dense({ units: 4, inputDim: 3, activation: 'tanh', seed: 1, biasInitializer: 'ones' }),
        new NALU({ units: 3, seed: 2 }),
        new NAC({ units: 3, seed: 3 }),
        new Dense({ units: 2, seed: 4 }),
      ],
      inputDim: 3,
      x: tensor(uniform(rows * 3, -1, 1, 51), [rows, 3]),
      y: tensor(uniform(rows * 2, -1, 1, 52), [rows, 2]),
      loss: 'mse',
      // The NALU's inputs are tanh outputs: keep them clear of log|x|'s kink at 0.
      margin: 0.05,
    });
    expect(kinks['nalu.x']).toHaveLength(rows * 4);
  });
});

describe('losses', () => {
  const inputDim = 3;
  const units = 2;
  // Every registered loss by name (lossValue throws 'no reference for loss X' for one it lacks), and huber with another delta.
  const cases: [string, LossLike][] = [...lossRegistry.names().map((n): [string, LossLike] => [n, n as LossLike]), ['huber (delta 0.4)', new Huber({ delta: 0.4 })]];
  for (const [name, loss] of cases)
    it(name, () => {
      const { kinks } = check({
        layers: [new Dense({ units, inputDim, activation: 'tanh', seed: 9 })],
        inputDim,
        x: tensor(uniform(10 * inputDim, -2, 2, 61), [10, inputDim]),
        y: tensor(uniform(10 * units, -2.5, 2.5, 62), [10, units]),
        loss,
      });
      if (name.startsWith('huber')) {
        // Both the quadratic and the linear part.
        expect(kinks.huber.some((d) => d < 0) && kinks.huber.some((d) => d > 0)).toBe(true);
      }
    });
});

describe('NALU numerics', () => {
  // Ŵ = 10 → tanh = 1, M̂ = 10 → σ ≈ 1: W ≈ 1, so log m = Σ log|x| is huge for huge x.
  const big = (n: number) => new Float32Array(n).fill(10);
  it('a saturated gate with an overflowing m gives ±Infinity or finite values, never NaN', () => {
    for (const gateLogit of [-50, 0, 50]) {
      const model = new Sequential([new NALU({ units: 2, inputDim: 3, gate: 'independent' })]);
      model.setWeights([
        { data: big(6), shape: [3, 2] },
        { data: big(6), shape: [3, 2] },
        { data: new Float32Array(2).fill(gateLogit), shape: [2] },
      ]);
      const p = model.predict(tensor([1e30, -1e30, 1e30, 1e-30, 2, 3], [2, 3]));
      expect(Array.from(p.data).some(Number.isNaN), `gate logit ${gateLogit}`).toBe(false);
      model.dispose();
    }
  });
  it('clipExp bounds m: exp(min(l, ω)) stays finite', () => {
    const model = new Sequential([new NALU({ units: 2, inputDim: 3, gate: 'independent', clipExp: 20 })]);
    model.setWeights([
      { data: big(6), shape: [3, 2] },
      { data: big(6), shape: [3, 2] },
      { data: new Float32Array(2).fill(-50), shape: [2] },
    ]);
    // l = 3·log(1e10) ≈ 69 > ω; the gate (σ(−50) ≈ 2e-22) leaves only m.
    const p = model.predict(tensor([1e10, -1e10, 1e10], [1, 3]));
    for (const v of p.data) expect(Math.abs(v / Math.exp(20) - 1)).toBeLessThan(1e-4);
    model.dispose();
  });
});

describe('large batches (the OpenMP element-wise paths and predict chunking)', () => {
  // rows·features and rows·units above kParallelMin (2^15) so every element-wise loop runs in
  // parallel; 2100 rows are also more than predict's first 1024-row chunk.
  const rows = 2100;
  const dim = 16;
  // Among 33600 elements some sit near a kink; each contributes only 1/33600 of the mean loss,
  // so a finite difference straddling one moves the gradient far less than the tolerance.
  const margin = 0;
  // A mean over 33600 elements, sampled every 61st: the gradients are small.
  const minGradient = 1e-6;
  it('NALU (separate weights, clipExp) → Dense(elu), huber loss', () => {
    check({
      layers: [new NALU({ units: dim, inputDim: dim, seed: 1, separateWeights: true, clipExp: 3 }), new Dense({ units: dim, activation: 'elu', seed: 2 })],
      inputDim: dim,
      x: tensor(signedUniform(rows * dim, 0.5, 1.5, 71), [rows, dim]),
      y: tensor(uniform(rows * dim, -1, 1, 72), [rows, dim]),
      loss: new Huber({ delta: 0.5 }),
      stride: 61,
      margin,
      minGradient,
    });
  });
  it('Dense(sigmoid) → NAC, mae loss', () => {
    check({
      layers: [new Dense({ units: dim, inputDim: dim, activation: 'sigmoid', seed: 3 }), new NAC({ units: dim, seed: 4 })],
      inputDim: dim,
      x: tensor(uniform(rows * dim, -2, 2, 73), [rows, dim]),
      y: tensor(uniform(rows * dim, -1, 1, 74), [rows, dim]),
      loss: 'mae',
      stride: 61,
      margin,
      minGradient,
    });
  });
});

describe('computeGradients at a non-finite loss', () => {
  it('returns NaN gradients rather than those of an earlier call', () => {
    const model = new Sequential([new Dense({ units: 1, inputDim: 1, seed: 1, kernelInitializer: 'ones' })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    expect(Number.isFinite(model.computeGradients([[1]], [[0]]).grads[0].data[0])).toBe(true);
    // (1e30 − 0)² overflows float32.
    const g = model.computeGradients([[1e30]], [[0]]);
    expect(Number.isFinite(g.loss)).toBe(false);
    for (const t of g.grads) for (const v of t.data) expect(v).toBeNaN();
    model.dispose();
  });
});
