// Dense: y = activation(x·kernel + bias).
import { Dense, type Activation } from '../../lib/index';
import { uniform } from '../helpers/reference';
import { kink, matmul, sigmoid, type Kinks, type UnitReference } from './common';

const activations: Activation[] = ['linear', 'relu', 'relu6', 'tanh', 'sigmoid', 'softsign', 'elu', 'selu'];
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

export function activation(name: Activation, z: number, kinks: Kinks): number {
  switch (name) {
    case 'linear':
      return z;
    case 'relu':
      kink(kinks, 'relu', z);
      return Math.max(0, z);
    case 'relu6':
      kink(kinks, 'relu6', z);
      kink(kinks, 'relu6.hi', z - 6);
      return Math.min(6, Math.max(0, z));
    case 'tanh':
      return Math.tanh(z);
    case 'sigmoid':
      return sigmoid(z);
    case 'softsign':
      return z / (1 + Math.abs(z));
    case 'elu': // smooth once, but both branches are to be covered
      kink(kinks, 'elu', z);
      return z > 0 ? z : Math.expm1(z);
    case 'selu':
      kink(kinks, 'selu', z);
      return SELU_SCALE * (z > 0 ? z : SELU_ALPHA * Math.expm1(z));
  }
  throw new Error(`no reference for activation ${name as string}: add it to test/units/dense.ts`);
}

export const dense: UnitReference<Dense> = {
  cls: Dense,
  variants: activations.flatMap((a) => [{ activation: a }, { activation: a, useBias: false }]),
  forward(layer, ws, x, rows, inp, kinks) {
    const out = layer.units;
    const z = matmul(x, ws[0], rows, inp, out);
    if (layer.useBias) for (let k = 0; k < z.length; k++) z[k] += ws[1][k % out];
    return z.map((v) => activation(layer.activation, v, kinks));
  },
  sparsityWeights: (_, ws) => [ws[0]],
  domain: { lo: 0, hi: 2 },
  gradient: {
    weights(layer) {
      // relu6 needs pre-activations beyond 6 to exercise its upper bound.
      const scale = layer.activation === 'relu6' ? 6 : 1.5;
      const w = [Array.from(uniform(3 * layer.units, -scale, scale, 11))];
      if (layer.useBias) w.push(Array.from(uniform(layer.units, -1, 1, 12)));
      return w;
    },
    covers: (layer) => ({ relu: ['relu'], relu6: ['relu6', 'relu6.hi'], elu: ['elu'], selu: ['selu'] })[layer.activation as string] ?? [],
  },
  featureMajor: true,
  toy: [{ name: 'a + b', op: (a, b) => a + b, learningRate: 0.05, learned: (ws) => ws.flat(), want: [1, 1, 0] }],
  explain: [
    {
      inputDim: 3,
      units: 1,
      weights: [[1, 2, 0.5], [0.25]],
      domain: { lo: 0, hi: 2 },
      text: 'x0 + 2 * x1 + 0.5 * x2 + 0.25',
      latex: 'x_{0} + 2 \\cdot x_{1} + 0.5 \\cdot x_{2} + 0.25',
      js: '({ x0, x1, x2 }) => x0 + 2 * x1 + 0.5 * x2 + 0.25',
    },
    {
      options: { activation: 'tanh', useBias: false },
      inputDim: 2,
      units: 1,
      weights: [[1, -0.5]],
      domain: { lo: 0, hi: 2, mixed: true },
      text: 'tanh(x0 - 0.5 * x1)',
      latex: '\\tanh\\left(x_{0} - 0.5 \\cdot x_{1}\\right)',
      js: '({ x0, x1 }) => Math.tanh(x0 - 0.5 * x1)',
    },
    {
      options: { activation: 'sigmoid' },
      inputDim: 2,
      units: 1,
      weights: [[1, 1], [-1]],
      domain: { lo: 0, hi: 2, mixed: true },
      text: '1 / (exp(1 - x0 - x1) + 1)',
      latex: '\\frac{1}{e^{1 - x_{0} - x_{1}} + 1}',
      js: '({ x0, x1 }) => 1 / (Math.exp(1 - x0 - x1) + 1)',
    },
  ],
};
