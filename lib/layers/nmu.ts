import type { Initializer, InitializerLike } from '../initializers';
import { paperInitializerOption } from '../options';
import { add, mul, variable, type Expr } from '../explain/expr';
import { outputs, type SymbolicContext } from '../explain/symbolic';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';
import { nmuSparsity, sparsityOption, type Sparsity, type SparsityArgs } from './sparsity';
import type { OpGraph } from '../export/graph';

/** The NMU's product y_j = Π_i (W_ij·x_i + 1 − W_ij) of x [batch, in], W [in, out]. @internal */
export function graphNmuProduct(g: OpGraph, x: string, w: string): string {
  const x3 = g.op('Unsqueeze', [x, g.ints([2], 'axes')]);
  const terms = g.op('Add', [g.op('Mul', [x3, w]), g.op('Sub', [g.scalar(1), w])]);
  return g.op('ReduceProd', [terms], { axes: [1], keepdims: 0 });
}

/** Options of NMU; the sparsity regularizer's default: λ̂ 10 over 20 % → 40 % of a fit. @category Layers */
export interface NMUArgs extends LayerArgs, SparsityArgs {
  /** Initializer of W. Default: the paper's U[0.25, 0.75]. */
  kernelInitializer?: InitializerLike;
}

/**
 * NMU (Madsen & Johansen 2020, "Neural Arithmetic Units"): y_j = Π_i (W_ij·x_i + 1 − W_ij), W clamped to [0, 1]
 * after every step, init U[0.25, 0.75], sparsity regularizer λ·mean(min(W, 1 − W)).
 * Weights: W [in, units].
 * @category Layers
 */
export class NMU extends Layer {
  static readonly className = 'NMU';
  static readonly nativeType = 'nmu';
  static override readonly options = { kernelInitializer: paperInitializerOption(), sparsity: sparsityOption(nmuSparsity) };
  /** undefined: the paper's initialization. */
  declare readonly kernelInitializer?: Initializer;
  /** Its sparsity regularizer. */
  declare readonly sparsity: Sparsity;

  /** @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: NMUArgs) {
    super(args);
  }
  /** [W]. */
  weightSpecs(inputDim: number): WeightSpec[] {
    return [{ name: 'W', shape: [inputDim, this.units] }];
  }
  /** Π_i (W_ij·x_i + 1 − W_ij) as Unsqueeze, Mul, Add, ReduceProd. */
  toGraph(g: OpGraph, x: string): string {
    return graphNmuProduct(g, x, g.weight(0));
  }
  /** Π_i (W_ij·x_i + 1 − W_ij), W snapped to {0, 1}: the product of the selected inputs. */
  override symbolic(ctx: SymbolicContext): Expr[] {
    const W = ctx.weights[0], n = this.units;
    const x = Array.from({ length: ctx.inputs }, (_, i) => variable(i));
    return outputs(n, (j) => nmuProduct(x, (i) => ctx.snap(W[i * n + j], nmuGrid)));
  }
}

/** The values an NMU weight snaps to: leave the input out, multiply by it. */
export const nmuGrid = [0, 1] as const;

/** Π_i (w_i·x_i + 1 − w_i) over `inputs`: the product of the inputs whose w is 1, once snapped. */
export function nmuProduct(inputs: readonly Expr[], w: (i: number) => number): Expr {
  return mul(inputs.map((x, i) => ({ base: add([{ coef: w(i), expr: x }], 1 - w(i)) })));
}

registerLayer(NMU);
