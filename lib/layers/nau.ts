import type { Initializer, InitializerLike } from '../initializers';
import { paperInitializerOption } from '../options';
import { linear, outputs, type SymbolicContext } from '../explain/symbolic';
import type { Expr } from '../explain/expr';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';
import type { OpGraph } from '../export/graph';
import { nauSparsity, sparsityOption, type Sparsity, type SparsityArgs } from './sparsity';

/** Options of NAU; the sparsity regularizer's default: λ̂ 0.01 over 0.1 % → 1 % of a fit. @category Layers */
export interface NAUArgs extends LayerArgs, SparsityArgs {
  /** Initializer of W. Default: the paper's U[−r, r], r = min(0.5, √3·√(2/(in+out))). */
  kernelInitializer?: InitializerLike;
}

/**
 * NAU (Madsen & Johansen 2020, "Neural Arithmetic Units"): y = x·W, W clamped to [−1, 1] after every
 * step, init U[−r, r] with r = min(0.5, √3·√(2/(in+out))), sparsity regularizer λ·mean(min(|W|, 1 − |W|)).
 * Weights: W [in, units].
 * @category Layers
 */
export class NAU extends Layer {
  static readonly className = 'NAU';
  static readonly nativeType = 'nau';
  static override readonly options = { kernelInitializer: paperInitializerOption(), sparsity: sparsityOption(nauSparsity) };
  /** undefined: the paper's initialization. */
  declare readonly kernelInitializer?: Initializer;
  /** Its sparsity regularizer (signed: min(|W|, 1 − |W|)). */
  declare readonly sparsity: Sparsity;

  /** @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: NAUArgs) {
    super(args);
  }
  /** [W]. */
  weightSpecs(inputDim: number): WeightSpec[] {
    return [{ name: 'W', shape: [inputDim, this.units] }];
  }
  /** MatMul on W. */
  toGraph(g: OpGraph, x: string): string {
    return g.op('MatMul', [x, g.weight(0)]);
  }
  /** Σ_i W_ij·x_i, W snapped to {−1, 0, 1}. */
  override symbolic(ctx: SymbolicContext): Expr[] {
    const W = ctx.weights[0], n = this.units;
    return outputs(n, (j) => linear(ctx.inputs, (i) => ctx.snap(W[i * n + j], nauGrid)));
  }
}

/** The values an NAU or NAC weight snaps to: add, ignore, subtract. */
export const nauGrid = [-1, 0, 1] as const;

registerLayer(NAU);
