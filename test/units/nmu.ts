// NMU (Madsen & Johansen 2020): y_j = Π_i (W_ij·x_i + 1 − W_ij), W clamped to [0, 1], regularizer
// λ·mean(min(|W|, |1 − W|)).
import { NMU } from '../../lib/index';
import { lambdaAt, nmuProduct, sparsity, type UnitReference } from './common';

export const nmu: UnitReference<NMU> = {
  cls: NMU,
  variants: [{}, { kernelInitializer: 'ones' }],
  forward: (layer, ws, x, rows, inp) => nmuProduct(x, ws[0], rows, inp, layer.units),
  regularizer: (layer, ws, step) => sparsity(false, ws[0], lambdaAt(layer.sparsity, step)),
  sparsityWeights: (_, ws) => [ws[0]],
  domain: { lo: 0.2, hi: 2 },
  gradient: {
    options: () => ({ sparsityLambda: 0.3, sparsityStart: 0, sparsityEnd: 0 }),
    weights: () => [[0.2, 0.8, 0.35, 0.6, 0.9, 0.15]],
  },
  featureMajor: true,
  toy: [{ name: 'a · b', options: { sparsityLambda: 1, sparsityStart: 2000, sparsityEnd: 4000 }, op: (a, b) => a * b, want: [1, 1] }],
  explain: [
    {
      inputDim: 3,
      units: 1,
      weights: [[1, 1, 0]],
      domain: { lo: 0.2, hi: 2, mixed: true },
      text: 'x0 * x1',
      latex: 'x_{0} \\cdot x_{1}',
      js: '({ x0, x1 }) => x0 * x1',
    },
  ],
};
