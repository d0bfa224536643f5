// NMU (Madsen & Johansen 2020, "Neural Arithmetic Units"): y_j = Π_i (W_ij·x_i + 1 − W_ij), W clamped to [0, 1]
// after every step, init U[0.25, 0.75], sparsity regularizer λ·mean(min(W, 1 − W)).
import type { NativeOptions } from '../../binding';
import type { Initializer, InitializerLike } from '../initializers';
import { Layer, initializersConfig, initializersNative, optionalInitializerArg, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';
import { checkSparsity, sparsityKeys, type Sparsity, type SparsityArgs } from './sparsity';

export interface NMUArgs extends LayerArgs, SparsityArgs {
  /** Initializer of W. Default: the paper's U[0.25, 0.75]. */
  kernelInitializer?: InitializerLike;
}

export class NMU extends Layer {
  static readonly className = 'NMU';
  /** undefined: the paper's initialization. */
  readonly kernelInitializer?: Initializer;
  readonly sparsity: Sparsity;

  constructor(args: NMUArgs) {
    super(args, ['kernelInitializer', ...sparsityKeys]);
    this.kernelInitializer = optionalInitializerArg(args.kernelInitializer, 'NMU.kernelInitializer', 'glorotUniform');
    this.sparsity = checkSparsity(args, 'NMU');
  }
  protected get nativeType() {
    return 'nmu';
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

registerLayer(NMU);
