// NAC (Trask et al. 2018, "Neural Arithmetic Logic Units"): a = x·W, W = tanh(Ŵ) ⊙ σ(M̂).
import type { Initializer, InitializerLike } from '../initializers';
import { initializerOption } from '../options';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';

export interface NACArgs extends LayerArgs {
  /** Initializer of Ŵ and M̂. Default 'glorotUniform'. */
  kernelInitializer?: InitializerLike;
}

export class NAC extends Layer {
  static readonly className = 'NAC';
  static readonly nativeType = 'nac';
  static override readonly options = { kernelInitializer: initializerOption('glorotUniform') };
  declare readonly kernelInitializer: Initializer;
  constructor(args: NACArgs) {
    super(args);
  }
  weightSpecs(inputDim: number): WeightSpec[] {
    const s = [inputDim, this.units];
    return [{ name: 'W_hat', shape: s }, { name: 'M_hat', shape: s }];
  }
}

registerLayer(NAC);
