// Float64 references of the losses and the finite-difference machinery of the gradient checks (the
// units' references are in test/units/), and deterministic test data.
import { Huber, MeanAbsoluteError, MeanSquaredError, type Loss } from '../../lib/index';
import { mulberry32 } from '../../lib/random';
import { kink, type Kinks } from '../units/common';

/** Kinks: signed distances to the non-smooth points of the forward pass, by tag (test/units/common.ts). */
export type { Kinks };

/** Deterministic uniform numbers in [0, 1) (mulberry32), for test data. */
export const rng = mulberry32;

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

/** The smallest |distance| over every tag. */
export function kinkMargin(k: Kinks): number {
  let m = Infinity;
  for (const vs of Object.values(k)) for (const v of vs) m = Math.min(m, Math.abs(v));
  return m;
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
    } else throw new Error(`no reference for loss ${loss.constructor.name}: add it to test/helpers/reference.ts`);
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
