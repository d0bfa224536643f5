// NAC• (Trask et al. 2018; Madsen & Johansen 2020): y = exp(min(log(|x| + ε)·W, ω)) with W =
// tanh(Ŵ) ⊙ σ(M̂) ('nac'), σ(Ŵ) ('sigma') or W itself ('nmu', with the NMU's regularizer).
import { NACMul } from '../../lib/index';
import { kink, lambdaAt, matmul, nacWeight, sigmoid, sparsity, type UnitReference, type W } from './common';

const weightOf = (layer: NACMul, ws: W[]): W => (layer.weight === 'sigma' ? Array.from(ws[0], sigmoid) : layer.weight === 'nmu' ? ws[0] : nacWeight(ws[0], ws[1]));

export const nacmul: UnitReference<NACMul> = {
  cls: NACMul,
  variants: [
    {},
    { clipExp: 0.3 },
    { weight: 'sigma' },
    { weight: 'sigma', epsilon: 1e-6 },
    { weight: 'nmu' },
    { weight: 'nmu', sparsityLambda: 2, sparsityStart: 5, sparsityEnd: 7 },
  ],
  forward(layer, ws, x, rows, inp, kinks) {
    for (let k = 0; k < rows * inp; k++) kink(kinks, 'nacmul.x', x[k]);
    const lx = Array.from(x, (v) => Math.log(Math.abs(v) + layer.epsilon));
    return matmul(lx, weightOf(layer, ws), rows, inp, layer.units).map((l) => {
      if (Number.isFinite(layer.clipExp)) kink(kinks, 'nacmul.clip', l - layer.clipExp);
      return Math.exp(Math.min(l, layer.clipExp));
    });
  },
  // weight 'nmu' only: the NMU's.
  regularizer: (layer, ws, step) => (layer.sparsity ? sparsity(false, ws[0], lambdaAt(layer.sparsity, step)) : 0),
  sparsityWeights: (layer, ws) => [weightOf(layer, ws)],
  domain: { lo: 0.3, hi: 2 },
  gradient: {
    options: (v) => (v.weight === 'nmu' ? { sparsityLambda: 0.4, sparsityStart: 0, sparsityEnd: 0 } : {}),
    // 'nac': the seeded glorot weights.
    weights: (layer) =>
      layer.weight === 'sigma' ? [[0.8, -1.2, 0.3, 1.5, -0.4, 0.05]] : layer.weight === 'nmu' ? [[0.2, 0.8, 0.35, 0.6, 0.9, 0.15]] : undefined,
    covers: (layer) => (Number.isFinite(layer.clipExp) ? ['nacmul.x', 'nacmul.clip'] : ['nacmul.x']),
  },
  featureMajor: true,
  toy: [
    { name: 'a · b', op: (a, b) => a * b, learningRate: 0.1, epochs: 1000, learned: (ws) => Array.from(nacWeight(ws[0], ws[1])), want: [1, 1] },
    { name: 'a · b', options: { weight: 'sigma' }, op: (a, b) => a * b, learningRate: 0.1, epochs: 1000, learned: (ws) => ws[0].map(sigmoid), want: [1, 1] },
    { name: 'a · b', options: { weight: 'nmu', sparsityLambda: 1, sparsityStart: 2000, sparsityEnd: 4000 }, op: (a, b) => a * b, want: [1, 1] },
  ],
  explain: [
    {
      options: { weight: 'nmu' },
      inputDim: 3,
      units: 1,
      weights: [[1, 0, 1]],
      domain: { lo: 0.3, hi: 2 },
      text: 'x0 * x2',
      latex: 'x_{0} \\cdot x_{2}',
      js: '({ x0, x2 }) => x0 * x2',
    },
    {
      // Ŵ, M̂ = ±20: W = ±1; the log path loses the sign.
      inputDim: 2,
      units: 1,
      weights: [[20, -20], [20, 20]],
      domain: { lo: 0.3, hi: 2, mixed: true },
      text: 'abs(x0) / abs(x1)',
      latex: '\\frac{\\left|x_{0}\\right|}{\\left|x_{1}\\right|}',
      js: '({ x0, x1 }) => Math.abs(x0) / Math.abs(x1)',
    },
  ],
};
