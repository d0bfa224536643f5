// NMRU (Mistry, Li & Hare 2021): an NMU over x' = [x, 1/x] (|x| floored at ε in 1/x, sign kept);
// signRetrieval: y = NMU(|x'|) ⊙ cos(π·[x' < 0]·W). The NMU's regularizer.
import { NMRU } from '../../lib/index';
import { kink, lambdaAt, matmul, nmuProduct, sparsity, type UnitReference } from './common';

export const nmru: UnitReference<NMRU> = {
  cls: NMRU,
  variants: [{}, { signRetrieval: true }],
  forward(layer, ws, x, rows, inp, kinks) {
    const out = layer.units, eps = layer.epsilon;
    const xc = new Float64Array(rows * 2 * inp), k = new Float64Array(rows * 2 * inp);
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < inp; i++) {
        const v = x[r * inp + i], f = Math.abs(v) >= eps ? v : v < 0 ? -eps : eps;
        kink(kinks, 'nmru.x', v);
        xc[r * 2 * inp + i] = v;
        xc[r * 2 * inp + inp + i] = 1 / f;
        k[r * 2 * inp + i] = k[r * 2 * inp + inp + i] = v < 0 ? Math.PI : 0;
      }
    if (!layer.signRetrieval) return nmuProduct(xc, ws[0], rows, 2 * inp, out);
    const mag = nmuProduct(xc.map(Math.abs), ws[0], rows, 2 * inp, out);
    const phase = matmul(k, ws[0], rows, 2 * inp, out);
    return mag.map((m, e) => m * Math.cos(phase[e]));
  },
  regularizer: (layer, ws, step) => sparsity(false, ws[0], lambdaAt(layer.sparsity, step)),
  sparsityWeights: (_, ws) => [ws[0]],
  domain: { lo: 0.4, hi: 2 },
  gradient: {
    options: () => ({ sparsityLambda: 0.2, sparsityStart: 0, sparsityEnd: 0 }),
    weights: () => [[0.2, 0.8, 0.35, 0.6, 0.9, 0.15, 0.7, 0.3, 0.45, 0.85, 0.1, 0.65]],
    covers: () => ['nmru.x'],
  },
  featureMajor: false,
  // W over [a, b, 1/a, 1/b]: a · (1/b).
  toy: [false, true].map((signRetrieval) => ({
    name: 'a / b',
    options: { signRetrieval, sparsityLambda: 1, sparsityStart: 2000, sparsityEnd: 4000 },
    op: (a: number, b: number) => a / b,
    want: [1, 0, 0, 1],
    regularized: true,
  })),
  // W over [x0, x1, 1/x0, 1/x1].
  explain: [false, true].map((signRetrieval) => ({
    options: { signRetrieval },
    inputDim: 2,
    units: 1,
    weights: [[1, 0, 0, 1]],
    domain: { lo: 0.4, hi: 2, mixed: true },
    text: 'x0 / x1',
    latex: '\\frac{x_{0}}{x_{1}}',
    js: '({ x0, x1 }) => x0 / x1',
  })),
};
