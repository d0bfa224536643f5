// What a unit's symbolic form receives (its weights, how to snap them, its inputs' values over the
// data), and the one algebra every unit may share: an affine map of its inputs.
import { add, call, mul, scale, variable, type Expr } from './expr';

export {
  add,
  call,
  complexity,
  defineFunction,
  evaluate,
  mul,
  num,
  plus,
  pow,
  scale,
  substitute,
  times,
  variable,
  type Call,
  type Const,
  type Expr,
  type Factor,
  type FunctionSpec,
  type Product,
  type Sum,
  type SumTerm,
  type Var,
} from './expr';
export { toJs, toLatex, toText } from './print';

/**
 * What Layer.symbolic receives: a unit reads its weights, snaps them to its grid with `snap`, judges
 * its gates over the data with `judge`, and returns its outputs as expressions of variable(0…inputs−1).
 * @category Explain
 */
export interface SymbolicContext {
  /** The layer's weights in getWeights order, as float64. */
  readonly weights: readonly Float64Array[];
  /** The layer's input size. */
  readonly inputs: number;
  /**
   * True: the unit's forward as it computes it (ε, clips, both gate paths, every weight as it is),
   * to carry the data through the layers; nothing snaps, nothing is judged.
   */
  readonly raw: boolean;
  /** w as the nearest value of `grid` when one is within the tolerance; else w rounded to the printed digits (raw: w). */
  snap(w: number, grid: readonly number[]): number;
  /** The value of `grid` that every one of `values` is within the tolerance of, if any (raw: undefined). */
  judge(values: ArrayLike<number>, grid: readonly number[]): number | undefined;
  /** e (of the layer's inputs) over the data: the training x and the extrapolation x, through the layers below. */
  evaluate(e: Expr): Float64Array;
}

/** Σ_i w(i)·input_i + bias: the additive units' form, and Dense's before its activation. @category Explain */
export function linear(inputs: number, w: (i: number) => number, bias = 0): Expr {
  return add(Array.from({ length: inputs }, (_, i) => ({ coef: w(i), expr: variable(i) })), bias);
}

/** One expression per output: f(0) to f(units − 1). @category Explain */
export function outputs(units: number, f: (j: number) => Expr): Expr[] {
  return Array.from({ length: units }, (_, j) => f(j));
}

/** σ(z)·a + (1 − σ(z))·b, with σ(z) = 1 / (1 + e^−z) and 1 − σ(z) = 1 / (1 + e^z): a gate judged open for some rows only. @category Explain */
export function sigmoidGate(z: Expr, a: Expr, b: Expr): Expr {
  const over = (e: Expr) => mul([{ base: add([{ coef: 1, expr: call('exp', e) }], 1), exp: -1 }]);
  return add([
    { coef: 1, expr: mul([{ base: over(scale(-1, z)) }, { base: a }]) },
    { coef: 1, expr: mul([{ base: over(z) }, { base: b }]) },
  ]);
}

/** σ(z) = 1 / (1 + e^−z), for the weights of units that pass one through it. @category Explain */
export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
