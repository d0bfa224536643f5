import type { Initializer, InitializerLike } from '../initializers';
import { initializerOption } from '../options';
import type { Expr } from '../explain/expr';
import { linear, outputs, sigmoid, type SymbolicContext } from '../explain/symbolic';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';
import type { OpGraph } from '../export/graph';

/** NAC's effective weight W = tanh(Ŵ) ⊙ σ(M̂) of the weights Ŵ, M̂ at `wHat`, `mHat`. @internal */
export const graphNacWeight = (g: OpGraph, wHat: number, mHat: number): string =>
  g.op('Mul', [g.op('Tanh', [g.weight(wHat)]), g.op('Sigmoid', [g.weight(mHat)])], {}, 'W');

/** Options of NAC. @category Layers */
export interface NACArgs extends LayerArgs {
  /** Initializer of Ŵ and M̂. Default 'glorotUniform'. */
  kernelInitializer?: InitializerLike;
}

/**
 * NAC (Trask et al. 2018, "Neural Arithmetic Logic Units"): a = x·W, W = tanh(Ŵ) ⊙ σ(M̂).
 * Weights: W_hat, M_hat [in, units].
 * @category Layers
 */
export class NAC extends Layer {
  static readonly className = 'NAC';
  static readonly nativeType = 'nac';
  static override readonly options = { kernelInitializer: initializerOption('glorotUniform') };
  /** Initializer of Ŵ and M̂. */
  declare readonly kernelInitializer: Initializer;
  /** @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: NACArgs) {
    super(args);
  }
  /** [W_hat, M_hat]. */
  weightSpecs(inputDim: number): WeightSpec[] {
    const s = [inputDim, this.units];
    return [{ name: 'W_hat', shape: s }, { name: 'M_hat', shape: s }];
  }
  /** MatMul on W = tanh(Ŵ) ⊙ σ(M̂). */
  toGraph(g: OpGraph, x: string): string {
    return g.op('MatMul', [x, graphNacWeight(g, 0, 1)]);
  }
  /** Σ_i W_ij·x_i, W = tanh(Ŵ) ⊙ σ(M̂) snapped to {−1, 0, 1}. */
  override symbolic(ctx: SymbolicContext): Expr[] {
    const W = nacWeight(ctx.weights[0], ctx.weights[1]), n = this.units;
    return outputs(n, (j) => linear(ctx.inputs, (i) => ctx.snap(W[i * n + j], nacGrid)));
  }
}

/** The values a NAC weight snaps to: add, ignore, subtract (the NAU's). */
export const nacGrid = [-1, 0, 1] as const;

/** The NAC weight tanh(Ŵ) ⊙ σ(M̂), element-wise. */
export function nacWeight(wHat: ArrayLike<number>, mHat: ArrayLike<number>): Float64Array {
  return Float64Array.from(wHat, (w, i) => Math.tanh(w) * sigmoid(mHat[i]));
}

registerLayer(NAC);
