// Gated NAU/NMU (Madsen & Johansen 2020, appendix): y = g ⊙ (x·W_add) + (1 − g) ⊙ NMU(x; W_mul),
// g = σ(x·G). Regularizer: the NAU's on W_add plus the NMU's on W_mul (stable-nalu sums them).
import { GatedNAUNMU } from '../../lib/index';
import { lambdaAt, matmul, nmuProduct, sigmoid, sparsity, type UnitReference } from './common';

const schedule = { sparsityLambda: 1, sparsityStart: 2000, sparsityEnd: 4000 };

export const gated: UnitReference<GatedNAUNMU> = {
  cls: GatedNAUNMU,
  variants: [
    {},
    { sparsityLambda: 0.5, sparsityStart: 10, sparsityEnd: 20 },
    { addInitializer: 'zeros', mulInitializer: { className: 'constant', config: { value: 0.5 } }, gateInitializer: 'glorotNormal' },
    { addInitializer: 'zeros', mulInitializer: 'ones' },
  ],
  forward(layer, ws, x, rows, inp) {
    const out = layer.units;
    const a = matmul(x, ws[0], rows, inp, out), m = nmuProduct(x, ws[1], rows, inp, out), z = matmul(x, ws[2], rows, inp, out);
    return a.map((av, e) => sigmoid(z[e]) * av + (1 - sigmoid(z[e])) * m[e]);
  },
  regularizer: (layer, ws, step) => {
    const lambda = lambdaAt(layer.sparsity, step);
    return sparsity(true, ws[0], lambda) + sparsity(false, ws[1], lambda);
  },
  sparsityWeights: (_, ws) => [ws[0], ws[1]],
  domain: { lo: 0.2, hi: 2 },
  gradient: {
    options: () => ({ sparsityLambda: 0.6, sparsityStart: 0, sparsityEnd: 0 }),
    weights: () => [
      [0.3, -0.8, 0.65, -0.2, 0.1, 0.9],
      [0.2, 0.8, 0.35, 0.6, 0.9, 0.15],
      [0.7, -0.5, 0.2, 0.9, -1.1, 0.4],
    ],
  },
  featureMajor: true,
  toy: [
    { name: 'a + b', options: schedule, op: (a, b) => a + b, learned: (ws) => ws[0], want: [1, 1] },
    { name: 'a · b', options: schedule, op: (a, b) => a * b, learned: (ws) => ws[1], want: [1, 1] },
  ],
  // A gate logit of ±100·x (x ≥ 0.2) opens or closes the gate.
  explain: [
    {
      inputDim: 3,
      units: 1,
      weights: [[1, -1, 0], [1, 1, 0], [100, 100, 100]],
      domain: { lo: 0.2, hi: 2 },
      text: 'x0 - x1',
      latex: 'x_{0} - x_{1}',
      js: '({ x0, x1 }) => x0 - x1',
    },
    {
      inputDim: 3,
      units: 1,
      weights: [[1, -1, 0], [1, 1, 0], [-100, -100, -100]],
      domain: { lo: 0.2, hi: 2 },
      text: 'x0 * x1',
      latex: 'x_{0} \\cdot x_{1}',
      js: '({ x0, x1 }) => x0 * x1',
    },
  ],
};
