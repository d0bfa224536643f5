// The small-matrix kernel (native/kernels/gemm_small.cc gemmSmall: row, dot and column forms, their
// four-row blocks, overlapping 8-column blocks and tails) against a float64 reference, through
// linear Dense layers whose forward and backward are nothing but these products.
import { describe, it } from 'vitest';
import { Dense, Sequential, tensor } from '../lib/index';
import { expectClose, matmul, transpose } from './helpers/matrix';
import { uniform } from './helpers/reference';

// [batch, widths…]: each product's (M, N, K) picks a form of the kernel, noted per case.
const cases: [string, number, number[]][] = [
  // fwd 7×5·5×9 row form (a 2-row block and a 1-row one; 8-column block and a tail of 1);
  // fwd 7×9·9×3 dot form, 4×2 blocks with the last rows and column repeated, k: one 8-step and
  // a tail of 1; dW₂ 9×7·7×3 column form, blocks at 0 and 1 (overlapping); dx₂ 7×3·3×9 row form
  // with Bᵀ; dW₁ 5×7·7×9 row form with Aᵀ
  ['two layers 5 → 9 → 3, batch 7', 7, [5, 9, 3]],
  // fwd dot form, k = 6 (tail only), row blocks at 0, 4, 8; dW 6×11·11×2 column form below 8 columns (tail only)
  ['one layer 6 → 2, batch 11', 11, [6, 2]],
  // dW 20×16·16×1: column form, blocks at 0, 8 and an overlapping last at 12; k a multiple of 4
  ['one layer 20 → 1, batch 16', 16, [20, 1]],
  // fwd 13×9·9×1: dot form with one column, 8-row blocks at 0 and 8 (5 stored), k tail of 1
  ['one layer 9 → 1, batch 13', 13, [9, 1]],
  // fwd 12×16·16×1 and 9×8·8×2: dot form with k a multiple of 8, whole blocks stored as one
  // vector (rows 0–7; rows 0–3 and 4–7), the last rows one by one
  ['one layer 16 → 1, batch 12', 12, [16, 1]],
  ['one layer 8 → 2, batch 9', 9, [8, 2]],
  // fwd 10×19·19×2: dot form, two 8-steps of k and a tail of 3; row blocks 0, 4, 8 (2 stored);
  // dW 19×10·10×2 column form, blocks at 0, 8 and 11
  ['one layer 19 → 2, batch 10', 10, [19, 2]],
  // fwd 40×3·3×45 row form: per pair of rows a 32-column register block, an 8-column one and a
  // scalar tail of 5; dW 3×40·40×45 row form with Aᵀ (a 2-row block and a 1-row one)
  ['one layer 3 → 45, batch 40', 40, [3, 45]],
  // fwd 20×32·32×2 dot form with k a multiple of 16: on AVX-512, blocks of 16 products (8 rows ×
  // 2 columns) at rows 0 and 8 stored as one vector, rows 16–19 one by one
  ['one layer 32 → 2, batch 20', 20, [32, 2]],
  // fwd 35×48·48×1: on AVX-512, 16-row blocks at 0 and 16 stored whole, 3 rows of the last
  ['one layer 48 → 1, batch 35', 35, [48, 1]],
  // fwd 6×3·3×90 row form: a 64-column block (32 + 32 on AVX2), a 16 (8 + 8), an 8 and a tail of 2
  ['one layer 3 → 90, batch 6', 6, [3, 90]],
];

describe('small-matrix kernel', () => {
  for (const [name, batch, widths] of cases) {
    it(`${name}: outputs and gradients equal a float64 reference`, () => {
      const layers = widths.slice(1).map((units, i) => new Dense({ units, useBias: false, ...(i ? {} : { inputDim: widths[0] }) }));
      const model = new Sequential(layers);
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      const ws = widths.slice(1).map((units, i) => uniform(widths[i] * units, -1, 1, 10 + i));
      model.setWeights(ws.map((w, i) => tensor(w, [widths[i], widths[i + 1]])));
      const x = uniform(batch * widths[0], -2, 2, 1);
      const out = widths[widths.length - 1];
      const y = uniform(batch * out, -1, 1, 2);

      // Forward: every layer's activation, in float64.
      const acts: Float64Array[] = [Float64Array.from(x)];
      for (let l = 0; l < ws.length; l++) acts.push(matmul(acts[l], ws[l], batch, widths[l], widths[l + 1]));
      expectClose(model.predict(tensor(x, [batch, widths[0]])).data, acts[ws.length], 'predict');

      // Backward of the mean squared error: dW_l = a_lᵀ·δ, δ_{l} = δ·W_lᵀ.
      let delta: Float64Array = Float64Array.from(acts[ws.length], (p, i) => (2 * (p - y[i])) / (batch * out));
      const want: Float64Array[] = [];
      for (let l = ws.length - 1; l >= 0; l--) {
        want[l] = matmul(transpose(acts[l], batch, widths[l]), delta, widths[l], batch, widths[l + 1]);
        delta = matmul(delta, transpose(ws[l], widths[l], widths[l + 1]), batch, widths[l + 1], widths[l]);
      }
      const g = model.computeGradients(tensor(x, [batch, widths[0]]), tensor(y, [batch, out]));
      g.grads.forEach((t, l) => expectClose(t.data, want[l], `dW${l + 1}`));
      model.dispose();
    });
  }
});
