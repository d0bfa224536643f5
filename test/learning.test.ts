// NALU learns a + b and a · b on [1, 2] and extrapolates to [10, 20] (10× the training range).
// Schedule: Adam at 0.05, then 0.003 to settle the weights on {0, 1} (compile keeps the weights).
import { describe, expect, it } from 'vitest';
import { Adam, Dense, NALU, Sequential, tensor, type Tensor } from '../lib/index';
import { uniform } from './helpers/reference';

type Op = (a: number, b: number) => number;
const add: Op = (a, b) => a + b;
const mul: Op = (a, b) => a * b;

/** x: [rows, dim] uniform in [lo, hi); y: one column per op, of x[0] and x[1] (the rest are distractors). */
function task(ops: Op[], dim: number, rows: number, lo: number, hi: number, seed: number): { x: Tensor; y: Tensor } {
  const x = uniform(rows * dim, lo, hi, seed);
  const y = new Float32Array(rows * ops.length);
  for (let r = 0; r < rows; r++) ops.forEach((op, j) => (y[r * ops.length + j] = op(x[r * dim], x[r * dim + 1])));
  return { x: tensor(x, [rows, dim]), y: tensor(y, [rows, ops.length]) };
}

/** Largest |ŷ − y| / |y| per output column. */
function maxRelError(model: Sequential, t: { x: Tensor; y: Tensor }): number[] {
  const p = model.predict(t.x).data;
  const k = t.y.shape[1];
  const worst = new Array(k).fill(0);
  for (let i = 0; i < p.length; i++) worst[i % k] = Math.max(worst[i % k], Math.abs(p[i] - t.y.data[i]) / Math.abs(t.y.data[i]));
  return worst;
}

async function train(model: Sequential, t: { x: Tensor; y: Tensor }, seed: number): Promise<number> {
  model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'mse' });
  await model.fit(t.x, t.y, { epochs: 1000, batchSize: 32, seed });
  model.compile({ optimizer: new Adam({ learningRate: 0.003 }), loss: 'mse' });
  const h = await model.fit(t.x, t.y, { epochs: 1000, batchSize: 32, seed });
  return h.loss[h.loss.length - 1];
}

/** The effective NAC weight W = tanh(Ŵ) ⊙ σ(M̂) of a NALU. */
function effectiveW(model: Sequential): number[] {
  const [wHat, mHat] = model.getWeights();
  return Array.from(wHat.data, (w, i) => Math.tanh(w) / (1 + Math.exp(-mHat.data[i])));
}

describe('NALU extrapolates', () => {
  for (const [name, op] of [
    ['a + b', add],
    ['a · b', mul],
  ] as const)
    for (const seed of [1, 2, 3])
      it(`${name} (seed ${seed})`, async () => {
        const model = new Sequential([new NALU({ units: 1, inputDim: 2, seed })]);
        const loss = await train(model, task([op], 2, 256, 1, 2, 10 + seed), seed);
        expect(loss).toBeLessThan(1e-6);
        const [rel] = maxRelError(model, task([op], 2, 256, 10, 20, 100 + seed));
        expect(rel, `max relative error on [10, 20]: ${rel}`).toBeLessThan(2e-3);
        // Both paths use W ≈ [1, 1]: x·W = a + b, exp(log|x|·W) = a·b.
        for (const w of effectiveW(model)) expect(Math.abs(w - 1)).toBeLessThan(1e-2);
        model.dispose();
      });

  it('[a + b, a · b] from 4 inputs, 2 of them distractors', async () => {
    const model = new Sequential([new NALU({ units: 2, inputDim: 4, seed: 1 })]);
    const loss = await train(model, task([add, mul], 4, 256, 1, 2, 21), 1);
    expect(loss).toBeLessThan(1e-6);
    const rel = maxRelError(model, task([add, mul], 4, 256, 10, 20, 22));
    for (const r of rel) expect(r, `max relative errors on [10, 20]: ${rel}`).toBeLessThan(2e-3);
    model.dispose();
  });

  it('a Dense (relu) baseline fits a · b on [1, 2] but does not extrapolate: the criterion discriminates', async () => {
    const model = new Sequential([new Dense({ units: 16, inputDim: 2, activation: 'relu', seed: 1 }), new Dense({ units: 1, seed: 2 })]);
    const loss = await train(model, task([mul], 2, 256, 1, 2, 11), 1);
    expect(loss).toBeLessThan(1e-2);
    const [rel] = maxRelError(model, task([mul], 2, 256, 10, 20, 101));
    expect(rel).toBeGreaterThan(0.1);
    model.dispose();
  });
});
