// Native forward and gradients against a float64 reference: predict must match the reference
// forward, computeGradients must match central differences of the reference loss.
import { describe, expect, it } from 'vitest';
import {
  Dense,
  Huber,
  NAC,
  NALU,
  Sequential,
  getLoss,
  tensor,
  type Activation,
  type Layer,
  type LossLike,
  type Tensor,
} from '../lib/index';
import { kinkMargin, lossValue, maxAbs, netForward, numericGradients, signedUniform, uniform, worstMismatch, type Kinks } from './helpers/reference';

interface Case {
  layers: Layer[];
  inputDim: number;
  x: Tensor;
  y: Tensor;
  loss: LossLike;
  /** Weights to set (getWeights order); default: the layers' seeded initial weights. */
  weights?: Float32Array[];
  /** Smallest allowed distance of any kink from the data (see Kinks). */
  margin?: number;
  /** Finite-difference only every n-th element of each weight (large cases). */
  stride?: number;
}

interface Checked {
  out: Float64Array;
  kinks: Kinks;
}

function check(c: Case): Checked {
  const model = new Sequential(c.layers);
  model.compile({ optimizer: 'sgd', loss: c.loss });
  if (c.weights) model.setWeights(model.getWeights().map((w, i) => ({ data: c.weights![i], shape: w.shape })));
  const weights = model.getWeights().map((w) => w.data);
  const rows = c.x.data.length / c.inputDim;
  const loss = getLoss(c.loss);
  const kinks: Kinks = {};
  const out = netForward(model.layers, c.inputDim, weights, c.x.data, rows, kinks);
  const refLoss = lossValue(loss, out, c.y.data, kinks);
  // Inputs are chosen away from kinks; a finite difference straddling one would be meaningless.
  expect(kinkMargin(kinks), 'data too close to a kink').toBeGreaterThanOrEqual(c.margin ?? 1e-3);

  const pred = model.predict(c.x);
  expect(pred.shape).toEqual([...c.x.shape.slice(0, -1), model.layers[model.layers.length - 1].units]);
  const fwd = worstMismatch(pred.data, out, 1e-4, 1e-5 * Math.max(1, maxAbs(out)));
  expect(fwd.excess, `predict[${fwd.index}] = ${fwd.got}, reference ${fwd.want}`).toBeLessThanOrEqual(0);

  const g = model.computeGradients(c.x, c.y);
  expect(g.loss).toBeCloseTo(refLoss, 5);
  expect(Math.abs(g.loss - refLoss)).toBeLessThanOrEqual(1e-5 * Math.max(1, refLoss));
  const stride = c.stride ?? 1;
  const numeric = numericGradients(
    (w) => lossValue(loss, netForward(model.layers, c.inputDim, w, c.x.data, rows), c.y.data),
    weights,
    1e-5,
    (k, i) => i < 2 || (i + k) % stride === 0,
  );
  const specs = model.weightSpecs();
  expect(g.grads).toHaveLength(numeric.length);
  numeric.forEach((num, k) => {
    const name = `${specs[k].layer}.${specs[k].name}`;
    expect(g.grads[k].shape, name).toEqual(specs[k].shape);
    // A tensor whose gradient is all zero would check nothing.
    expect(maxAbs(num), `${name}: reference gradient is all zero`).toBeGreaterThan(1e-6);
    const m = worstMismatch(g.grads[k].data, num, 2e-3, 2e-4 * Math.max(1, maxAbs(num)));
    expect(m.excess, `${name}[${m.index}]: native ${m.got}, finite difference ${m.want}`).toBeLessThanOrEqual(0);
  });
  // computeGradients must not update anything.
  expect(model.getWeights().map((w) => Array.from(w.data))).toEqual(weights.map((w) => Array.from(w)));
  model.dispose();
  return { out, kinks };
}

const rows = 6;

describe('Dense', () => {
  const inputDim = 3;
  const units = 4;
  const activations: Activation[] = ['linear', 'relu', 'relu6', 'tanh', 'sigmoid', 'softsign', 'elu', 'selu'];
  for (const activation of activations)
    for (const useBias of [true, false])
      it(`${activation}, useBias ${useBias}`, () => {
        // relu6 needs pre-activations beyond 6 to exercise its upper bound.
        const scale = activation === 'relu6' ? 6 : 1.5;
        const weights = [uniform(inputDim * units, -scale, scale, 11)];
        if (useBias) weights.push(uniform(units, -1, 1, 12));
        const { out } = check({
          layers: [new Dense({ units, inputDim, activation, useBias })],
          inputDim,
          x: tensor(uniform(rows * inputDim, -2, 2, 13), [rows, inputDim]),
          y: tensor(uniform(rows * units, -1, 1, 14), [rows, units]),
          loss: 'mse',
          weights,
        });
        // Both branches of piecewise activations are exercised.
        const o = Array.from(out);
        if (activation === 'relu') expect(o.some((v) => v === 0) && o.some((v) => v > 0)).toBe(true);
        if (activation === 'relu6') expect(o.some((v) => v === 0) && o.some((v) => v === 6) && o.some((v) => v > 0 && v < 6)).toBe(true);
        if (activation === 'elu' || activation === 'selu') expect(o.some((v) => v < 0) && o.some((v) => v > 0)).toBe(true);
      });
});

describe('NAC', () => {
  it('matches the reference (seeded glorot weights)', () => {
    check({
      layers: [new NAC({ units: 3, inputDim: 4, seed: 7 })],
      inputDim: 4,
      x: tensor(signedUniform(rows * 4, 0.1, 3, 21), [rows, 4]),
      y: tensor(uniform(rows * 3, -2, 2, 22), [rows, 3]),
      loss: 'mse',
    });
  });
});

describe('NALU', () => {
  const inputDim = 3;
  const units = 2;
  for (const separateWeights of [false, true])
    for (const gate of ['input', 'independent'] as const)
      for (const clipExp of [Infinity, 0.3])
        it(`separateWeights ${separateWeights}, gate ${gate}, clipExp ${clipExp}`, () => {
          const layer = new NALU({ units, inputDim, separateWeights, gate, clipExp });
          const n = inputDim * units;
          const weights = [uniform(n, -1.5, 1.5, 31), uniform(n, -1.5, 1.5, 32), uniform(gate === 'input' ? n : units, -1, 1, 33)];
          if (separateWeights) weights.push(uniform(n, -1.5, 1.5, 34), uniform(n, -1.5, 1.5, 35));
          const { kinks } = check({
            layers: [layer],
            inputDim,
            // Mixed signs exercise sign(x) in d log|x| / dx; |x| ≥ 0.3 keeps log|x| smooth.
            x: tensor(signedUniform(rows * inputDim, 0.3, 3, 36), [rows, inputDim]),
            y: tensor(uniform(rows * units, -1, 3, 37), [rows, units]),
            loss: 'mse',
            weights,
          });
          if (Number.isFinite(clipExp)) {
            // Both the clipped and the unclipped side of exp(min(l, ω)).
            expect(kinks['nalu.clip'].some((d) => d > 0)).toBe(true);
            expect(kinks['nalu.clip'].some((d) => d < 0)).toBe(true);
          }
        });

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
  const cases: [string, LossLike][] = [
    ['mse', 'mse'],
    ['mae', 'mae'],
    ['huber (delta 1)', 'huber'],
    ['huber (delta 0.4)', new Huber({ delta: 0.4 })],
  ];
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
  it('NALU (separate weights, clipExp) → Dense(elu), huber loss', () => {
    check({
      layers: [new NALU({ units: dim, inputDim: dim, seed: 1, separateWeights: true, clipExp: 3 }), new Dense({ units: dim, activation: 'elu', seed: 2 })],
      inputDim: dim,
      x: tensor(signedUniform(rows * dim, 0.5, 1.5, 71), [rows, dim]),
      y: tensor(uniform(rows * dim, -1, 1, 72), [rows, dim]),
      loss: new Huber({ delta: 0.5 }),
      stride: 61,
      margin,
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
