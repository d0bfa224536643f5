// NAC (Trask et al. 2018): y = x·W, W = tanh(Ŵ) ⊙ σ(M̂).
import { NAC } from '../../lib/index';
import { matmul, nacWeight, type UnitReference } from './common';

export const nac: UnitReference<NAC> = {
  cls: NAC,
  variants: [{}],
  forward: (layer, ws, x, rows, inp) => matmul(x, nacWeight(ws[0], ws[1]), rows, inp, layer.units),
  sparsityWeights: (_, ws) => [nacWeight(ws[0], ws[1])],
  domain: { lo: 0.1, hi: 3 },
  gradient: {}, // the seeded glorot weights
  featureMajor: true,
  toy: [{ name: 'a + b', op: (a, b) => a + b, learningRate: 0.1, epochs: 1000, learned: (ws) => Array.from(nacWeight(ws[0], ws[1])), want: [1, 1] }],
};
