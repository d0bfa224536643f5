// NAC (Trask et al. 2018, "Neural Arithmetic Logic Units"): a = x·W, W = tanh(Ŵ) ⊙ σ(M̂).
import type { NativeOptions } from '../../binding';
import type { Initializer, InitializerLike } from '../initializers';
import { Layer, initializerArg, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';

export interface NACArgs extends LayerArgs {
  /** Initializer of Ŵ and M̂. Default 'glorotUniform'. */
  kernelInitializer?: InitializerLike;
}

export class NAC extends Layer {
  static readonly className = 'NAC';
  readonly kernelInitializer: Initializer;
  constructor(args: NACArgs) {
    super(args, ['kernelInitializer']);
    this.kernelInitializer = initializerArg(args.kernelInitializer, 'NAC.kernelInitializer', 'glorotUniform');
  }
  protected get nativeType() {
    return 'nac';
  }
  protected nativeOptions(): NativeOptions {
    return { kernelInitializer: this.kernelInitializer.toNative() };
  }
  protected ownConfig() {
    return { kernelInitializer: this.kernelInitializer.getConfig() };
  }
  weightSpecs(inputDim: number): WeightSpec[] {
    const s = [inputDim, this.units];
    return [{ name: 'W_hat', shape: s }, { name: 'M_hat', shape: s }];
  }
}

registerLayer(NAC);
