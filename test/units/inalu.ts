// iNALU (Schlör, Ring & Hotho 2020): y = g ⊙ a + (1 − g) ⊙ m ⊙ s, a = x·W_a,
// m = exp(min(log(max(|x|, ε))·W_m, ω)), s = clip(Π_i (sign(x_i)·|W_m,ij| + 1 − |W_m,ij|), −1, 1),
// g = σ(G), W_a and W_m NAC weights of their own.
import { INALU } from '../../lib/index';
import { kink, matmul, nacWeight, nmuProduct, sgn, sigmoid, type UnitReference } from './common';

export const inalu: UnitReference<INALU> = {
  cls: INALU,
  variants: [{}, { clipExp: 0.3 }],
  forward(layer, ws, x, rows, inp, kinks) {
    const out = layer.units;
    const wa = nacWeight(ws[0], ws[1]), wm = nacWeight(ws[2], ws[3]);
    for (let k = 0; k < rows * inp; k++) kink(kinks, 'inalu.x', x[k]);
    const a = matmul(x, wa, rows, inp, out);
    const l = matmul(Array.from(x, (v) => Math.log(Math.max(Math.abs(v), layer.epsilon))), wm, rows, inp, out);
    const s = nmuProduct(Array.from(x, sgn), wm.map(Math.abs), rows, inp, out);
    return a.map((av, e) => {
      kink(kinks, 'inalu.clip', l[e] - layer.clipExp);
      const g = sigmoid(ws[4][e % out]);
      return g * av + (1 - g) * Math.exp(Math.min(l[e], layer.clipExp)) * Math.min(1, Math.max(-1, s[e]));
    });
  },
  sparsityWeights: (_, ws) => [nacWeight(ws[0], ws[1]), nacWeight(ws[2], ws[3])],
  domain: { lo: 0.3, hi: 2 },
  gradient: {
    // The seeded weights; ω = 20 (the default) is never reached.
    covers: (layer) => (layer.clipExp < 20 ? ['inalu.x', 'inalu.clip'] : ['inalu.x']),
  },
  featureMajor: false,
  toy: [
    { name: 'a · b', op: (a, b) => a * b, learningRate: 0.1, epochs: 1000, learned: (ws) => Array.from(nacWeight(ws[2], ws[3])), want: [1, 1] },
    { name: 'a + b', op: (a, b) => a + b, learningRate: 0.1, learned: (ws) => Array.from(nacWeight(ws[0], ws[1])), want: [1, 1] },
  ],
  // Ŵ, M̂ = ±20: W is ±1 in float32; G = ∓30 closes or opens the gate.
  explain: [
    {
      // The sign correction keeps the sign: x0·x1 on data of both signs.
      inputDim: 3,
      units: 1,
      weights: [[0, 0, 0], [0, 0, 0], [20, 20, 0], [20, 20, 20], [-30]],
      domain: { lo: 0.3, hi: 2, mixed: true },
      text: 'x0 * x1',
      latex: 'x_{0} \\cdot x_{1}',
      js: '({ x0, x1 }) => x0 * x1',
    },
    {
      inputDim: 3,
      units: 1,
      weights: [[20, 0, -20], [20, 0, 20], [0, 0, 0], [0, 0, 0], [30]],
      domain: { lo: 0.3, hi: 2, mixed: true },
      text: 'x0 - x2',
      latex: 'x_{0} - x_{2}',
      js: '({ x0, x2 }) => x0 - x2',
    },
  ],
};
