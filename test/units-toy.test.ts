// The toy task of issue 3: two inputs a = x0, b = x1, trained on U[1, 2], tested on U[2, 6]
// (extrapolation), fixed seeds. Every registered unit learns the tasks of its table entry
// (test/units/: NAU + and −, NMU ×, NMRU ÷, …), each to test MSE < 1e-4 with the weights the task
// pins down.
import { describe, expect, it } from 'vitest';
import { Adam, NAU, Sequential, tensor, type Layer } from '../lib/index';
import { build, registeredUnits, variantName } from './units/index';

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

async function train(layer: Layer, op: (a: number, b: number) => number, learningRate = 0.01, epochs = 300) {
  const train = data(1024, 1, 2, op, 1);
  const test = data(4096, 2, 6, op, 2);
  const model = new Sequential([layer]);
  model.compile({ optimizer: new Adam({ learningRate }), loss: 'mse' });
  const history = await model.fit(train.x, train.y, { epochs, batchSize: 64, seed: 3 });
  const mse = model.evaluate(test.x, test.y);
  const ws = model.getWeights().map((w) => Array.from(w.data));
  model.dispose();
  return { mse, ws, history };
}

describe('toy task: train U[1, 2], test U[2, 6]', () => {
  for (const { className, ref } of registeredUnits()) {
    if (ref.toy.length === 0) throw new Error(`no toy task for ${className}: add one to its file in test/units/`);
    for (const toy of ref.toy)
      it(`${className} (${variantName(toy.options ?? {})}) learns ${toy.name}`, async () => {
        const layer = build(ref, { units: 1, inputDim: 2, seed: 1, ...toy.options });
        const r = await train(layer, toy.op, toy.learningRate, toy.epochs);
        expect(r.mse).toBeLessThan(1e-4);
        // + 0: −0 rounds to −0, which is not 0.
        expect((toy.learned ?? ((ws) => ws[0]))(r.ws).map((v) => Math.round(v) + 0)).toEqual(toy.want);
        // The regularizer was reported separately and switched on during training.
        if (toy.regularized) {
          expect(r.history.regularization[0]).toBe(0);
          expect(r.history.regularization.some((v) => v > 0)).toBe(true);
        }
      });
  }
  it('kernelConstraint replaces the NAU clamp', async () => {
    const r = await train(new NAU({ units: 1, inputDim: 2, seed: 1, sparsityLambda: 0, kernelConstraint: { min: 0, max: 0.5 } }), (a, b) => a + b);
    // a + b needs W = [1, 1]; the constraint keeps both at 0.5, so extrapolation is off.
    expect(r.ws[0]).toEqual([0.5, 0.5]);
    expect(r.mse).toBeGreaterThan(1);
  });
});
