// NAU (Madsen & Johansen 2020): y = x·W, W clamped to [−1, 1], regularizer λ·mean(min(|W|, |1 − |W||)).
import { NAU } from '../../lib/index';
import { lambdaAt, matmul, sparsity, type UnitReference } from './common';

const schedule = { sparsityLambda: 1, sparsityStart: 2000, sparsityEnd: 4000 };

export const nau: UnitReference<NAU> = {
  cls: NAU,
  variants: [
    {},
    { kernelInitializer: 'zeros' },
    { sparsityLambda: 0.5, sparsityStart: 10, sparsityEnd: 20, kernelRegularizer: { l1: 0.1 }, kernelConstraint: { min: -0.5, max: 0.5 } },
  ],
  forward: (layer, ws, x, rows, inp) => matmul(x, ws[0], rows, inp, layer.units),
  regularizer: (layer, ws, step) => sparsity(true, ws[0], lambdaAt(layer.sparsity, step)),
  sparsityWeights: (_, ws) => [ws[0]],
  domain: { lo: 0.2, hi: 2 },
  gradient: {
    options: () => ({ sparsityLambda: 0.7, sparsityStart: 0, sparsityEnd: 0 }),
    weights: () => [[0.3, -0.8, 0.65, -0.2, 0.1, 0.9]],
  },
  featureMajor: true,
  // The regularizer warms up after the loss has mostly converged (steps 2000 → 4000 of 4800), as
  // the paper's schedule does at its scale: early on it would pull W to 0 before the data speaks.
  toy: [
    { name: 'a + b', options: schedule, op: (a, b) => a + b, want: [1, 1] },
    { name: 'a − b', options: schedule, op: (a, b) => a - b, want: [1, -1] },
  ],
  explain: [
    {
      inputDim: 3,
      units: 2,
      weights: [[1, 0, 1, 1, 0, -1]],
      domain: { lo: 0.2, hi: 2, mixed: true },
      text: 'y0 = x0 + x1\ny1 = x1 - x2',
      latex: 'y_{0} = x_{0} + x_{1} \\\\\ny_{1} = x_{1} - x_{2}',
      js: '({ x0, x1, x2 }) => [x0 + x1, x1 - x2]',
    },
  ],
};
