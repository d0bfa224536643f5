// Float64 re-implementations of the layers and losses, written from the formulas in
// DESIGN.md / the layer docs (not from the C++), so native results can be checked against them.
import { Dense, Huber, MeanAbsoluteError, MeanSquaredError, NAC, NALU, type Layer, type Loss } from '../../lib/index';
import { matmul } from './matrix';

/** Deterministic uniform numbers in [0, 1) (mulberry32), for test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n values uniform in [lo, hi), as float32. */
export function uniform(n: number, lo: number, hi: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** n values with |v| uniform in [lo, hi) and a random sign. */
export function signedUniform(n: number, lo: number, hi: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r()));
}

/**
 * Signed distances to the points where a function used in the forward pass is not smooth,
 * by tag ('relu', 'relu6', 'nalu.x', 'nalu.clip', 'mae', 'huber'): a value near 0 means a
 * finite difference would straddle a kink. Tests assert they stay away, and that both sides
 * of each kink are covered.
 */
export type Kinks = Record<string, number[]>;

function kink(k: Kinks, tag: string, ...v: number[]) {
  (k[tag] ??= []).push(...v);
}

/** The smallest |distance| over every tag. */
export function kinkMargin(k: Kinks): number {
  let m = Infinity;
  for (const vs of Object.values(k)) for (const v of vs) m = Math.min(m, Math.abs(v));
  return m;
}

const sig = (z: number) => 1 / (1 + Math.exp(-z));
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

function activation(name: string, z: number, kinks: Kinks): number {
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
      return sig(z);
    case 'softsign':
      return z / (1 + Math.abs(z));
    case 'elu':
      return z > 0 ? z : Math.expm1(z);
    case 'selu':
      return SELU_SCALE * (z > 0 ? z : SELU_ALPHA * Math.expm1(z));
  }
  throw new Error(`no reference for activation ${name}`);
}

/** NAC weight W = tanh(Ŵ) ⊙ σ(M̂). */
function nacWeight(wHat: ArrayLike<number>, mHat: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: wHat.length }, (_, i) => Math.tanh(wHat[i]) * sig(mHat[i]));
}

/** The number of weight tensors a layer has. */
export function weightCount(layer: Layer, inputDim: number): number {
  return layer.weightSpecs(inputDim).length;
}

/** One layer's forward pass in float64. `w` are the layer's weights in getWeights order. */
export function layerForward(
  layer: Layer,
  x: ArrayLike<number>,
  rows: number,
  inp: number,
  w: ArrayLike<number>[],
  kinks: Kinks,
): Float64Array {
  const out = layer.units;
  if (layer instanceof Dense) {
    const z = matmul(x, w[0], rows, inp, out);
    if (layer.useBias) for (let k = 0; k < z.length; k++) z[k] += w[1][k % out];
    return z.map((v) => activation(layer.activation, v, kinks));
  }
  if (layer instanceof NAC) return matmul(x, nacWeight(w[0], w[1]), rows, inp, out);
  if (layer instanceof NALU) {
    const W = nacWeight(w[0], w[1]);
    const Wm = layer.separateWeights ? nacWeight(w[3], w[4]) : W;
    for (let k = 0; k < rows * inp; k++) kink(kinks, 'nalu.x', x[k]);
    const lx = Float64Array.from({ length: rows * inp }, (_, k) => Math.log(Math.abs(x[k]) + layer.epsilon));
    const a = matmul(x, W, rows, inp, out);
    const l = matmul(lx, Wm, rows, inp, out);
    const z = layer.gate === 'input' ? matmul(x, w[2], rows, inp, out) : Float64Array.from({ length: rows * out }, (_, k) => w[2][k % out]);
    const y = new Float64Array(rows * out);
    for (let k = 0; k < y.length; k++) {
      if (Number.isFinite(layer.clipExp)) kink(kinks, 'nalu.clip', l[k] - layer.clipExp);
      const m = Math.exp(Math.min(l[k], layer.clipExp));
      const g = sig(z[k]);
      y[k] = g * a[k] + (1 - g) * m;
    }
    return y;
  }
  throw new Error(`no reference for layer ${layer.className}`);
}

/** The whole network in float64; `weights` is the flat getWeights list. */
export function netForward(
  layers: readonly Layer[],
  inputDim: number,
  weights: ArrayLike<number>[],
  x: ArrayLike<number>,
  rows: number,
  kinks: Kinks = {},
): Float64Array {
  let h: ArrayLike<number> = x;
  let d = inputDim;
  let k = 0;
  for (const l of layers) {
    const n = weightCount(l, d);
    h = layerForward(l, h, rows, d, weights.slice(k, k + n), kinks);
    k += n;
    d = l.units;
  }
  return Float64Array.from(h);
}

/** The mean loss over every element, in float64. */
export function lossValue(loss: Loss, p: ArrayLike<number>, y: ArrayLike<number>, kinks: Kinks = {}): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const e = p[i] - y[i];
    if (loss instanceof MeanSquaredError) s += e * e;
    else if (loss instanceof MeanAbsoluteError) {
      kink(kinks, 'mae', e);
      s += Math.abs(e);
    } else if (loss instanceof Huber) {
      const a = Math.abs(e);
      kink(kinks, 'huber', a - loss.delta);
      s += a <= loss.delta ? 0.5 * e * e : loss.delta * (a - 0.5 * loss.delta);
    } else throw new Error(`no reference for loss ${loss.constructor.name}`);
  }
  return s / p.length;
}

/** Central differences of the float64 loss with respect to every weight element. */
export function numericGradients(
  f: (weights: Float64Array[]) => number,
  weights: ArrayLike<number>[],
  h = 1e-5,
  /** Only these element indices of each tensor (others are NaN); default all. */
  only?: (k: number, i: number) => boolean,
): Float64Array[] {
  const w = weights.map((a) => Float64Array.from(a));
  return w.map((t, k) =>
    Float64Array.from(t, (v, i) => {
      if (only && !only(k, i)) return NaN;
      t[i] = v + h;
      const up = f(w);
      t[i] = v - h;
      const down = f(w);
      t[i] = v;
      return (up - down) / (2 * h);
    }),
  );
}

/**
 * Largest violation of |a − b| ≤ atol + rtol·|b| over the arrays (≤ 0 when all are within);
 * returns the worst index too so that a failure message can point at it.
 */
export function worstMismatch(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, atol: number) {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = -Infinity;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i])) continue; // not sampled
    const excess = Math.abs(a[i] - b[i]) - (atol + rtol * Math.abs(b[i]));
    if (!(excess <= worst)) {
      worst = Number.isNaN(excess) ? Infinity : excess;
      at = i;
    }
  }
  return { excess: worst, index: at, got: a[at], want: b[at] };
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i])) m = Math.max(m, Math.abs(a[i]));
  return m;
}
