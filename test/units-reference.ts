// Float64 reference forwards of the units after NALU, written from the papers' equations, for the
// gradient checks in units-gradients.test.ts. Weights are [in, out] row-major as getWeights gives.
type W = ArrayLike<number>;
const sgn = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const nacW = (wHat: W, mHat: W) => Array.from(wHat, (w, i) => Math.tanh(w) * sigmoid(mHat[i]));

function matmul(x: ArrayLike<number>, w: ArrayLike<number>, rows: number, inp: number, out: number): Float64Array {
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) for (let i = 0; i < inp; i++) for (let j = 0; j < out; j++) y[r * out + j] += x[r * inp + i] * w[i * out + j];
  return y;
}

function nmuProduct(x: ArrayLike<number>, w: W, rows: number, inp: number, out: number): Float64Array {
  const y = new Float64Array(rows * out).fill(1);
  for (let r = 0; r < rows; r++) for (let i = 0; i < inp; i++) for (let j = 0; j < out; j++) y[r * out + j] *= w[i * out + j] * x[r * inp + i] + 1 - w[i * out + j];
  return y;
}

export interface UnitSpec {
  type: 'NAU' | 'NMU' | 'NACMul' | 'INALU' | 'NPU' | 'RealNPU' | 'NMRU' | 'GatedNAUNMU';
  units: number;
  options?: Record<string, unknown>;
}

/** The unit's output for x [rows, inp]; ws are its weights in getWeights order. */
export function unitForward(spec: UnitSpec, ws: W[], x: ArrayLike<number>, rows: number, inp: number): Float64Array {
  const out = spec.units;
  const o = spec.options ?? {};
  switch (spec.type) {
    case 'NAU':
      return matmul(x, ws[0], rows, inp, out);
    case 'NMU':
      return nmuProduct(x, ws[0], rows, inp, out);
    case 'NACMul': {
      // weight 'nac': W = tanh(Ŵ)⊙σ(M̂); 'sigma': W = σ(Ŵ); 'nmu': W as it is.
      const eps = (o.epsilon as number) ?? 1e-7;
      const lx = Array.from(x, (v) => Math.log(Math.abs(v) + eps));
      const w = o.weight === 'sigma' ? Array.from(ws[0], sigmoid) : o.weight === 'nmu' ? ws[0] : nacW(ws[0], ws[1]);
      return matmul(lx, w, rows, inp, out).map(Math.exp);
    }
    case 'GatedNAUNMU': {
      const a = matmul(x, ws[0], rows, inp, out), m = nmuProduct(x, ws[1], rows, inp, out), z = matmul(x, ws[2], rows, inp, out);
      return a.map((av, e) => sigmoid(z[e]) * av + (1 - sigmoid(z[e])) * m[e]);
    }
    case 'INALU': {
      const eps = 1e-7, omega = (o.clipExp as number) ?? 20;
      const wa = nacW(ws[0], ws[1]), wm = nacW(ws[2], ws[3]);
      const a = matmul(x, wa, rows, inp, out);
      const l = matmul(Array.from(x, (v) => Math.log(Math.max(Math.abs(v), eps))), wm, rows, inp, out);
      const s = nmuProduct(Array.from(x, sgn), wm.map(Math.abs), rows, inp, out);
      return a.map((av, e) => {
        const g = sigmoid(ws[4][e % out]);
        return g * av + (1 - g) * Math.exp(Math.min(l[e], omega)) * Math.min(1, Math.max(-1, s[e]));
      });
    }
    case 'NPU':
    case 'RealNPU': {
      const eps = 1.1920929e-7;
      const real = spec.type === 'RealNPU';
      const wre = ws[0], wim = real ? new Float64Array(wre.length) : ws[1], g = ws[real ? 1 : 2];
      const L = new Float64Array(rows * inp), k = new Float64Array(rows * inp);
      for (let r = 0; r < rows; r++)
        for (let i = 0; i < inp; i++) {
          const gh = Math.min(1, Math.max(0, g[i])), v = x[r * inp + i];
          L[r * inp + i] = Math.log(gh * (Math.abs(v) + eps) + 1 - gh);
          k[r * inp + i] = v < 0 ? gh * Math.PI : 0;
        }
      const lre = matmul(L, wre, rows, inp, out), kre = matmul(k, wre, rows, inp, out);
      const kim = matmul(k, wim, rows, inp, out), lim = matmul(L, wim, rows, inp, out);
      return lre.map((v, e) => Math.exp(v - kim[e]) * Math.cos(kre[e] + lim[e]));
    }
    case 'NMRU': {
      const eps = 1.1920929e-7;
      const xc = new Float64Array(rows * 2 * inp), k = new Float64Array(rows * 2 * inp);
      for (let r = 0; r < rows; r++)
        for (let i = 0; i < inp; i++) {
          const v = x[r * inp + i], f = Math.abs(v) >= eps ? v : v < 0 ? -eps : eps;
          xc[r * 2 * inp + i] = v;
          xc[r * 2 * inp + inp + i] = 1 / f;
          k[r * 2 * inp + i] = k[r * 2 * inp + inp + i] = v < 0 ? Math.PI : 0;
        }
      if (!o.signRetrieval) return nmuProduct(xc, ws[0], rows, 2 * inp, out);
      const mag = nmuProduct(xc.map(Math.abs), ws[0], rows, 2 * inp, out);
      const phase = matmul(k, ws[0], rows, 2 * inp, out);
      return mag.map((m, e) => m * Math.cos(phase[e]));
    }
  }
}

/** λ·mean(min(|W|, |1 − |W||)) (NAU) or λ·mean(min(|W|, |1 − W|)) (NMU, NMRU). */
export function sparsity(type: UnitSpec['type'], w: W, lambda: number): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    const a = Math.abs(w[i]);
    s += Math.min(a, Math.abs(type === 'NAU' ? 1 - a : 1 - w[i]));
  }
  return (lambda * s) / w.length;
}

/** The unit's own sparsity regularizer at strength λ (warm-up complete); ws in getWeights order. */
export function unitSparsity(spec: UnitSpec, ws: W[], lambda: number): number {
  switch (spec.type) {
    case 'GatedNAUNMU': // stable-nalu sums its sub-layers' regularizers: the NAU's on W_add, the NMU's on W_mul
      return sparsity('NAU', ws[0], lambda) + sparsity('NMU', ws[1], lambda);
    case 'NACMul': // weight 'nmu' only: the NMU's
      return spec.options?.weight === 'nmu' ? sparsity('NMU', ws[0], lambda) : 0;
    default:
      return sparsity(spec.type, ws[0], lambda);
  }
}
