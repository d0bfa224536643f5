import type { Initializer, InitializerLike } from '../initializers';
import { initializerOption } from '../options';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';
import type { OnnxGraph } from '../export/onnx';

/** NAC's effective weight W = tanh(Ŵ) ⊙ σ(M̂), in float64. @internal */
export const nacWeight = (wHat: ArrayLike<number>, mHat: ArrayLike<number>): Float64Array =>
  Float64Array.from(wHat, (w, i) => Math.tanh(w) / (1 + Math.exp(-mHat[i])));

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
  /** MatMul on the materialized W = tanh(Ŵ) ⊙ σ(M̂). */
  toONNX(g: OnnxGraph, x: string, [wHat, mHat]: Float32Array[], inputDim: number): string {
    return g.op('MatMul', [x, g.constant(nacWeight(wHat, mHat), [inputDim, this.units], 'W')]);
  }
}

registerLayer(NAC);
