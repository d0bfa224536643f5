// NAU (Madsen & Johansen 2020, "Neural Arithmetic Units"): y = x·W, W clamped to [−1, 1] after every
// step, init U[−r, r] with r = min(0.5, √3·√(2/(in+out))), sparsity regularizer λ·mean(min(|W|, 1 − |W|)).
import type { NativeOptions } from '../../binding';
import type { Initializer, InitializerLike } from '../initializers';
import { Layer, initializersConfig, initializersNative, optionalInitializerArg, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';
import { checkSparsity, sparsityKeys, type Sparsity, type SparsityArgs } from './sparsity';

export interface NAUArgs extends LayerArgs, SparsityArgs {
  /** Initializer of W. Default: the paper's U[−r, r], r = min(0.5, √3·√(2/(in+out))). */
  kernelInitializer?: InitializerLike;
}

export class NAU extends Layer {
  static readonly className = 'NAU';
  /** undefined: the paper's initialization. */
  readonly kernelInitializer?: Initializer;
  readonly sparsity: Sparsity;

  constructor(args: NAUArgs) {
    super(args, ['kernelInitializer', ...sparsityKeys]);
    this.kernelInitializer = optionalInitializerArg(args.kernelInitializer, 'NAU.kernelInitializer', 'glorotUniform');
    this.sparsity = checkSparsity(args, 'NAU');
  }
  protected get nativeType() {
    return 'nau';
  }
  protected nativeOptions(): NativeOptions {
    return { ...initializersNative({ kernelInitializer: this.kernelInitializer }), ...this.sparsity };
  }
  protected ownConfig() {
    return { ...initializersConfig({ kernelInitializer: this.kernelInitializer }), ...this.sparsity };
  }
  weightSpecs(inputDim: number): WeightSpec[] {
    return [{ name: 'W', shape: [inputDim, this.units] }];
  }
}

registerLayer(NAU);
