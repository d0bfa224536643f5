// What a unit's entry in the test table holds (one file per unit beside this one, gathered by
// ./index.ts), and the float64 pieces the references share. Weights are [in, out] row-major, in
// getWeights order, as the native layers give them.
import type { Layer } from '../../lib/index';

export type W = ArrayLike<number>;
export type Options = Record<string, unknown>;

/**
 * Signed distances to the points where a function used in the forward pass is not smooth, by tag
 * ('relu', 'nalu.clip', 'mae', …): a value near 0 means a finite difference would straddle a
 * kink. The gradient tests assert the data stays away from every kink and covers both sides of it.
 */
export type Kinks = Record<string, number[]>;

export function kink(k: Kinks, tag: string, ...v: number[]): void {
  (k[tag] ??= []).push(...v);
}

/** A small task the unit should learn: train on U[1, 2]², test on U[2, 6]² (extrapolation). */
export interface Toy {
  /** The operation, as the test's name says it: 'a + b', 'a · b', … */
  name: string;
  op: (a: number, b: number) => number;
  /** The layer's options besides units 1, inputDim 2 and seed 1. */
  options?: Options;
  /** Adam's learning rate (default 0.01) and the epochs of 16 batches of 64 (default 300). */
  learningRate?: number;
  epochs?: number;
  /** The learned weights the task pins down (default the first weight), rounded, must equal `want`. */
  learned?: (ws: number[][]) => number[];
  want: number[];
  /** The regularizer's warm-up starts during training: reported 0 at first, then not (the test checks). */
  regularized?: boolean;
}

/**
 * A one-layer model with hand-set weights and the formula explain() must print for it, exactly
 * (test/explain.test.ts also checks that its JS agrees with predict on 1,000 rows).
 */
export interface ExplainCase {
  /** The layer's options besides units and inputDim. */
  options?: Options;
  inputDim: number;
  units: number;
  /** The weights in getWeights order, row-major. */
  weights: number[][];
  /** The data: |x| in [lo, hi], of random sign when mixed. */
  domain: { lo: number; hi: number; mixed?: boolean };
  text: string;
  latex: string;
  js: string;
}

/** A registered layer class's entry: everything the per-unit tests need to know about it. */
export interface UnitReference<L extends Layer = Layer> {
  /** The class the entry is for (it must be the one registered under its className). */
  cls: new (args: never) => L;
  /**
   * The option sets that change the unit's code path or weights, each checked by every per-unit
   * test (units, inputDim and seed are the tests'). Non-default initializers and schedules belong
   * here too: the config and weight-spec tests round-trip them.
   */
  variants: Options[];
  /** The unit's output for x [rows, inp] in float64, from the paper's formula; kinks as above. */
  forward(layer: L, ws: W[], x: W, rows: number, inp: number, kinks: Kinks): Float64Array;
  /** The unit's own regularizer (sparsity, L1) after `step` optimizer steps; absent: it has none. */
  regularizer?(layer: L, ws: W[], step: number): number;
  /** The weights the task runner's sparsity error measures (max of min(|w|, |1 − |w||) over them). */
  sparsityWeights(layer: L, ws: W[]): W[];
  /** |x| in [lo, hi] with a random sign: the inputs of the checks. */
  domain: { lo: number; hi: number };
  gradient: {
    /** Options the gradient check adds to each variant (its regularizer at full strength). */
    options?(variant: Options): Options;
    /** Weights [in 3, units 2] away from the unit's kinks (default: the seeded ones). */
    weights?(layer: L): number[][] | undefined;
    /** Kink tags whose both sides the check's data must cover (the branches it exercises). */
    covers?(layer: L): string[];
  };
  /** Whether the native layer runs feature-major (the layout test compares both layouts then). */
  featureMajor: boolean;
  toy: Toy[];
  /** Hand-set weights and their formula (Layer.symbolic, read by explain()). */
  explain: ExplainCase[];
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
export const sgn = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);

/** NAC weight W = tanh(Ŵ) ⊙ σ(M̂). */
export const nacWeight = (wHat: W, mHat: W) => Float64Array.from(wHat, (w, i) => Math.tanh(w) * sigmoid(mHat[i]));

/** x [rows, inp] · w [inp, out]. */
export function matmul(x: W, w: W, rows: number, inp: number, out: number): Float64Array {
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) for (let i = 0; i < inp; i++) for (let j = 0; j < out; j++) y[r * out + j] += x[r * inp + i] * w[i * out + j];
  return y;
}

/** The NMU: y_j = Π_i (W_ij·x_i + 1 − W_ij). */
export function nmuProduct(x: W, w: W, rows: number, inp: number, out: number): Float64Array {
  const y = new Float64Array(rows * out).fill(1);
  for (let r = 0; r < rows; r++) for (let i = 0; i < inp; i++) for (let j = 0; j < out; j++) y[r * out + j] *= w[i * out + j] * x[r * inp + i] + 1 - w[i * out + j];
  return y;
}

export interface Sparsity {
  sparsityLambda: number;
  sparsityStart: number;
  sparsityEnd: number;
}

/** λ after `step` optimizer steps: λ̂ · clamp((t − start) / (end − start), 0, 1), λ̂ from t = end on. */
export function lambdaAt(s: Sparsity, step: number): number {
  if (step < s.sparsityStart) return 0;
  if (step >= s.sparsityEnd) return s.sparsityLambda;
  return (s.sparsityLambda * (step - s.sparsityStart)) / (s.sparsityEnd - s.sparsityStart);
}

/** λ·mean(min(|W|, |1 − |W||)) (signed: NAU) or λ·mean(min(|W|, |1 − W|)) (NMU, NMRU). */
export function sparsity(signed: boolean, w: W, lambda: number): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    const a = Math.abs(w[i]);
    s += Math.min(a, Math.abs(signed ? 1 - a : 1 - w[i]));
  }
  return (lambda * s) / w.length;
}
