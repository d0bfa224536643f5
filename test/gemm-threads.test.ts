// Products through OpenBLAS on several threads (native/kernels/gemm.cc gemm): each is cut along
// the longer side of C into one block per thread, every block a single-threaded sgemm. Two
// linear Dense layers give all four kinds of cut: by rows with and without Aᵀ, by columns with
// and without Bᵀ, with uneven last blocks; each thread count must match a float64 reference.
import { afterAll, describe, it } from 'vitest';
import { Dense, Sequential, getNumThreads, setNumThreads, tensor } from '../lib/index';
import { expectClose, matmul, transpose } from './helpers/matrix';
import { uniform } from './helpers/reference';

const threads = getNumThreads();
afterAll(() => setNumThreads(threads));

describe('products split across threads', () => {
  // Batch 130, 70 → 300 → 5. fwd₁ 130×70·70×300: by columns (300 > 130); fwd₂ 130×300·300×5: by
  // rows; dW₂ 300×130·130×5: by rows of Aᵀ; dx₁ 130×5·5×300: by columns of Bᵀ; dW₁ 70×130·130×300:
  // by columns. Every product has more than 2^16 multiply-adds, so none takes the small kernel.
  const [batch, widths] = [130, [70, 300, 5]];
  const ws = [uniform(70 * 300, -1, 1, 5), uniform(300 * 5, -1, 1, 6)];
  const x = uniform(batch * 70, -2, 2, 7);
  const y = uniform(batch * 5, -1, 1, 8);
  const a1 = matmul(x, ws[0], batch, 70, 300);
  const out = matmul(a1, ws[1], batch, 300, 5);
  const d2 = Float64Array.from(out, (p, i) => (2 * (p - y[i])) / (batch * 5));
  const want = [matmul(transpose(x, batch, 70), matmul(d2, transpose(ws[1], 300, 5), batch, 5, 300), 70, batch, 300),
    matmul(transpose(a1, batch, 300), d2, 300, batch, 5)];

  for (const t of [1, 2, 3]) {
    it(`${t} thread${t > 1 ? 's' : ''}: outputs and gradients equal a float64 reference`, () => {
      setNumThreads(t);
      const model = new Sequential(widths.slice(1).map((units, i) => new Dense({ units, useBias: false, ...(i ? {} : { inputDim: 70 }) })));
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      model.setWeights(ws.map((w, i) => tensor(w, [widths[i], widths[i + 1]])));
      expectClose(model.predict(tensor(x, [batch, 70])).data, out, 'predict', 1e-5);
      const g = model.computeGradients(tensor(x, [batch, 70]), tensor(y, [batch, 5]));
      g.grads.forEach((gr, l) => expectClose(gr.data, want[l], `dW${l + 1}`, 1e-5));
      model.dispose();
    });
  }
});
