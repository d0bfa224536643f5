// The gradient check of gradients.test.ts and units-gradients.test.ts: predict must match the float64
// reference forward (test/units/), computeGradients the reference loss and regularization, and its
// gradients central differences of them.
import { expect } from 'vitest';
import { Sequential, getLoss, type Layer, type LossLike, type Tensor } from '../../lib/index';
import { referenceFor } from '../units/index';
import { kinkMargin, lossValue, maxAbs, numericGradients, worstMismatch, type Kinks } from './reference';

/** The whole network in float64 (`weights` the flat getWeights list), and its regularization after
 * `step` optimizer steps: each unit's own regularizer plus kernelRegularizer's L1/L2 on its [in, out] weights. */
export function netForward(layers: readonly Layer[], inputDim: number, weights: ArrayLike<number>[], x: ArrayLike<number>, rows: number, kinks: Kinks = {}, step = 0) {
  let h: ArrayLike<number> = x;
  let d = inputDim;
  let k = 0;
  let reg = 0;
  for (const layer of layers) {
    const ref = referenceFor(layer.className);
    const specs = layer.weightSpecs(d);
    const own = weights.slice(k, (k += specs.length));
    h = ref.forward(layer, own, h, rows, d, kinks);
    reg += ref.regularizer?.(layer, own, step) ?? 0;
    const { l1 = 0, l2 = 0 } = layer.kernelRegularizer ?? {};
    own.forEach((w, i) => {
      if (specs[i].shape.length === 2) for (let j = 0; j < w.length; j++) reg += l1 * Math.abs(w[j]) + l2 * w[j] * w[j];
    });
    d = layer.units;
  }
  return { out: Float64Array.from(h), reg };
}

export interface GradientCase {
  layers: Layer[];
  inputDim: number;
  x: Tensor;
  y: Tensor;
  loss: LossLike;
  /** Weights to set (getWeights order); default: the layers' seeded initial weights. */
  weights?: ArrayLike<number>[];
  /** Smallest allowed distance of any kink from the data (see Kinks). */
  margin?: number;
  /** Finite-difference only every n-th element of each weight (large cases). */
  stride?: number;
  /** The largest |gradient| every weight tensor must reach (else it checks nothing); default 1e-4. */
  minGradient?: number;
}

/** Runs the checks; returns the reference output, the kinks it met and the weights it checked. */
export function checkGradients(c: GradientCase): { out: Float64Array; kinks: Kinks; weights: number[][] } {
  const model = new Sequential(c.layers);
  model.compile({ optimizer: 'sgd', loss: c.loss });
  if (c.weights) model.setWeights(model.getWeights().map((w, i) => ({ data: Float32Array.from(c.weights![i]), shape: w.shape })));
  const weights = model.getWeights().map((w) => w.data);
  const rows = c.x.data.length / c.inputDim;
  const loss = getLoss(c.loss);
  const kinks: Kinks = {};
  const ref = netForward(model.layers, c.inputDim, weights, c.x.data, rows, kinks);
  const refLoss = lossValue(loss, ref.out, c.y.data, kinks);
  // Inputs are chosen away from kinks; a finite difference straddling one would be meaningless.
  expect(kinkMargin(kinks), 'data too close to a kink').toBeGreaterThanOrEqual(c.margin ?? 1e-3);

  const pred = model.predict(c.x);
  expect(pred.shape).toEqual([...c.x.shape.slice(0, -1), model.layers[model.layers.length - 1].units]);
  for (const [rtol, atol] of [
    [1e-4, 1e-5 * Math.max(1, maxAbs(ref.out))],
    [0, 5e-5],
  ]) {
    const fwd = worstMismatch(pred.data, ref.out, rtol, atol);
    expect(fwd.excess, `predict[${fwd.index}] = ${fwd.got}, reference ${fwd.want}`).toBeLessThanOrEqual(0);
  }

  const g = model.computeGradients(c.x, c.y);
  expect(g.loss).toBeCloseTo(refLoss, 5);
  expect(Math.abs(g.loss - refLoss)).toBeLessThanOrEqual(2e-6 * Math.max(1, refLoss));
  expect(Math.abs(g.regularization - ref.reg), `regularization ${g.regularization}, reference ${ref.reg}`).toBeLessThanOrEqual(2e-6 * Math.max(1, ref.reg));
  const stride = c.stride ?? 1;
  const numeric = numericGradients(
    (w) => {
      const r = netForward(model.layers, c.inputDim, w, c.x.data, rows);
      return lossValue(loss, r.out, c.y.data) + r.reg;
    },
    weights,
    1e-6,
    (k, i) => i < 2 || (i + k) % stride === 0,
  );
  const specs = model.weightSpecs();
  expect(g.grads).toHaveLength(numeric.length);
  numeric.forEach((num, k) => {
    const name = `${specs[k].layer}.${specs[k].name}`;
    expect(g.grads[k].shape, name).toEqual(specs[k].shape);
    // A tensor whose gradient is all zero would check nothing.
    expect(maxAbs(num), `${name}: reference gradient is all zero`).toBeGreaterThan(c.minGradient ?? 1e-4);
    const m = worstMismatch(g.grads[k].data, num, 2e-3, 2e-4 * Math.max(1, maxAbs(num)));
    expect(m.excess, `${name}[${m.index}]: native ${m.got}, finite difference ${m.want}`).toBeLessThanOrEqual(0);
  });
  // computeGradients must not update anything.
  expect(model.getWeights().map((w) => Array.from(w.data))).toEqual(weights.map((w) => Array.from(w)));
  model.dispose();
  return { out: ref.out, kinks, weights: weights.map((w) => Array.from(w)) };
}

/** Every tag in `tags` met on both sides of its kink (both branches exercised). */
export function expectCovered(kinks: Kinks, tags: string[], what: string): void {
  for (const tag of tags) {
    const d = kinks[tag] ?? [];
    expect(d.some((v) => v < 0) && d.some((v) => v > 0), `${what}: the data covers both sides of ${tag}`).toBe(true);
  }
}
