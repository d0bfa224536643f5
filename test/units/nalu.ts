// NALU (Trask et al. 2018): y = g ⊙ a + (1 − g) ⊙ m, a = x·W, m = exp(min(log(|x| + ε)·W_m, ω)),
// g = σ(x·G) ('input' gate) or σ(G) ('independent'), W = tanh(Ŵ) ⊙ σ(M̂), W_m = W or its own.
import { NALU } from '../../lib/index';
import { uniform } from '../helpers/reference';
import { kink, matmul, nacWeight, sigmoid, type UnitReference } from './common';

export const nalu: UnitReference<NALU> = {
  cls: NALU,
  variants: [false, true].flatMap((separateWeights) =>
    (['input', 'independent'] as const).flatMap((gate) => [{ separateWeights, gate }, { separateWeights, gate, clipExp: 0.3 }]),
  ),
  forward(layer, ws, x, rows, inp, kinks) {
    const out = layer.units;
    const w = nacWeight(ws[0], ws[1]);
    const wm = layer.separateWeights ? nacWeight(ws[3], ws[4]) : w;
    for (let k = 0; k < rows * inp; k++) kink(kinks, 'nalu.x', x[k]);
    const lx = Float64Array.from({ length: rows * inp }, (_, k) => Math.log(Math.abs(x[k]) + layer.epsilon));
    const a = matmul(x, w, rows, inp, out);
    const l = matmul(lx, wm, rows, inp, out);
    const z = layer.gate === 'input' ? matmul(x, ws[2], rows, inp, out) : Float64Array.from({ length: rows * out }, (_, k) => ws[2][k % out]);
    return a.map((av, k) => {
      if (Number.isFinite(layer.clipExp)) kink(kinks, 'nalu.clip', l[k] - layer.clipExp);
      const g = sigmoid(z[k]);
      return g * av + (1 - g) * Math.exp(Math.min(l[k], layer.clipExp));
    });
  },
  sparsityWeights: (layer, ws) => (layer.separateWeights ? [nacWeight(ws[0], ws[1]), nacWeight(ws[3], ws[4])] : [nacWeight(ws[0], ws[1])]),
  domain: { lo: 0.3, hi: 3 },
  gradient: {
    weights(layer) {
      const n = 3 * layer.units;
      const w = [uniform(n, -1.5, 1.5, 31), uniform(n, -1.5, 1.5, 32), uniform(layer.gate === 'input' ? n : layer.units, -1, 1, 33)];
      if (layer.separateWeights) w.push(uniform(n, -1.5, 1.5, 34), uniform(n, -1.5, 1.5, 35));
      return w.map((a) => Array.from(a));
    },
    // Mixed signs exercise sign(x) in d log|x| / dx; a finite ω both sides of exp(min(l, ω)).
    covers: (layer) => (Number.isFinite(layer.clipExp) ? ['nalu.x', 'nalu.clip'] : ['nalu.x']),
  },
  featureMajor: true,
  toy: [{ name: 'a + b', op: (a, b) => a + b, learningRate: 0.1, epochs: 1000, learned: (ws) => Array.from(nacWeight(ws[0], ws[1])), want: [1, 1] }],
  // Ŵ, M̂ = ±20: W is ±1 in float32; a gate logit of ±100·x (x ≥ 0.3) or ±30 opens or closes it.
  explain: [
    {
      inputDim: 3,
      units: 1,
      weights: [[20, 20, 0], [20, 20, 20], [100, 100, 100]],
      domain: { lo: 0.3, hi: 3 },
      text: 'x0 + x1',
      latex: 'x_{0} + x_{1}',
      js: '({ x0, x1 }) => x0 + x1',
    },
    {
      inputDim: 3,
      units: 1,
      weights: [[20, -20, 0], [20, 20, 20], [-100, -100, -100]],
      domain: { lo: 0.3, hi: 3 },
      text: 'x0 / x1',
      latex: '\\frac{x_{0}}{x_{1}}',
      js: '({ x0, x1 }) => x0 / x1',
    },
    {
      // The multiplicative path loses the sign: |x0|·|x1| on data of both signs.
      options: { gate: 'independent' },
      inputDim: 2,
      units: 1,
      weights: [[20, 20], [20, 20], [-30]],
      domain: { lo: 0.3, hi: 3, mixed: true },
      text: 'abs(x0) * abs(x1)',
      latex: '\\left|x_{0}\\right| \\cdot \\left|x_{1}\\right|',
      js: '({ x0, x1 }) => Math.abs(x0) * Math.abs(x1)',
    },
  ],
};
