// NPU and RealNPU (Heim, Pevný & Šmídl 2020): ĝ = clamp(g, 0, 1), r = ĝ ⊙ (|x| + ε) + 1 − ĝ,
// k = ĝ ⊙ π·[x < 0]; NPU z = exp(log r·W_re − k·W_im) ⊙ cos(k·W_re + log r·W_im), RealNPU W_im = 0.
// Regularizer: β·Σ|p| over every parameter, β = l1Start at step 0 (its schedule: npu-l1.test.ts).
import { NPU, RealNPU } from '../../lib/index';
import { uniform } from '../helpers/reference';
import { kink, matmul, type UnitReference, type W } from './common';

function forward(layer: RealNPU, ws: W[], x: W, rows: number, inp: number, kinks: Record<string, number[]>): Float64Array {
  const out = layer.units;
  const real = !(layer instanceof NPU);
  const wre = ws[0], wim = real ? new Float64Array(wre.length) : ws[1], g = ws[real ? 1 : 2];
  const L = new Float64Array(rows * inp), k = new Float64Array(rows * inp);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < inp; i++) {
      const gh = Math.min(1, Math.max(0, g[i])), v = x[r * inp + i];
      kink(kinks, 'npu.x', v);
      L[r * inp + i] = Math.log(gh * (Math.abs(v) + layer.epsilon) + 1 - gh);
      k[r * inp + i] = v < 0 ? gh * Math.PI : 0;
    }
  const lre = matmul(L, wre, rows, inp, out), kre = matmul(k, wre, rows, inp, out);
  const kim = matmul(k, wim, rows, inp, out), lim = matmul(L, wim, rows, inp, out);
  return lre.map((v, e) => Math.exp(v - kim[e]) * Math.cos(kre[e] + lim[e]));
}

function npuReference<L extends RealNPU>(cls: new (args: never) => L, complex: boolean): UnitReference<L> {
  return {
    cls,
    variants: [{}, { kernelConstraint: { max: 1 }, l1Start: 1e-3, l1End: 1e-1, l1Step: 100 }],
    forward,
    regularizer: (layer, ws, step) => {
      if (step !== 0) throw new Error('the NPU reference knows β at step 0 only (the schedule: test/npu-l1.test.ts)');
      let s = 0;
      for (const w of ws) for (let i = 0; i < w.length; i++) s += Math.abs(w[i]);
      return layer.l1.l1Start * s;
    },
    sparsityWeights: (_, ws) => (complex ? [ws[0], ws[1]] : [ws[0]]),
    domain: { lo: 0.3, hi: 2 },
    gradient: {
      options: () => ({ l1Start: 0.01 }),
      // An interior gate: clamp(g, 0, 1) is not smooth at 0 and 1.
      weights: () => {
        const w = Array.from(uniform(6, -1, 1, 9)), g = [0.3, 0.8, 0.55];
        return complex ? [w, Array.from(uniform(6, -0.5, 0.5, 10)), g] : [w, g];
      },
      covers: () => ['npu.x'],
    },
    featureMajor: false,
    // The default gate 0.5 closes (ĝ = 0) on this task within the first steps; a gate of 1 learns it.
    toy: [{ name: 'a · b', options: { gateInitializer: 'ones' }, op: (a, b) => a * b, want: [1, 1] }],
    // |x| ≥ 1: ε = 1.2e-7 in |x| + ε stays below 1e-6 relative. Integer exponents keep the sign
    // (|x|^n·cos(π·n·[x < 0]) = x^n); a closed gate drops its input.
    explain: [
      {
        inputDim: 3,
        units: 1,
        weights: complex ? [[2, 1, 5], [0, 0, 0], [1, 1, 0]] : [[2, -1, 5], [1, 1, 0]],
        domain: { lo: 1, hi: 2, mixed: true },
        text: complex ? 'x0^2 * x1' : 'x0^2 / x1',
        latex: complex ? 'x_{0}^{2} \\cdot x_{1}' : '\\frac{x_{0}^{2}}{x_{1}}',
        js: complex ? '({ x0, x1 }) => x0 ** 2 * x1' : '({ x0, x1 }) => x0 ** 2 / x1',
      },
      {
        inputDim: 2,
        units: 1,
        weights: complex ? [[0.5, 1], [0, 0], [1, 1]] : [[0.5, 1], [1, 1]],
        domain: { lo: 1, hi: 2 },
        text: 'x0^(1/2) * x1',
        latex: 'x_{0}^{1/2} \\cdot x_{1}',
        js: '({ x0, x1 }) => x0 ** (1/2) * x1',
      },
    ],
  };
}

export const npu = npuReference(NPU, true);
export const realNpu = npuReference(RealNPU, false);
