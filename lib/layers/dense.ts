// Dense: y = activation(x·kernel + bias), the baseline of the NALU papers.
import type { NativeOptions } from '../../binding';
import type { Initializer, InitializerLike } from '../initializers';
import { checkBoolean, Registry } from '../registry';
import { Layer, initializerArg, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';

export type Activation = 'linear' | 'relu' | 'relu6' | 'tanh' | 'sigmoid' | 'softsign' | 'elu' | 'selu';
export const activationRegistry = new Registry<Activation>('activation');
for (const a of ['linear', 'relu', 'relu6', 'tanh', 'sigmoid', 'softsign', 'elu', 'selu'] as Activation[])
  activationRegistry.register(a, a);

export interface DenseArgs extends LayerArgs {
  /** Default 'linear'. */
  activation?: Activation;
  /** Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerLike;
  /** Default 'zeros'. */
  biasInitializer?: InitializerLike;
}

export class Dense extends Layer {
  static readonly className = 'Dense';
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;

  constructor(args: DenseArgs) {
    super(args, ['activation', 'useBias', 'kernelInitializer', 'biasInitializer']);
    this.activation = activationRegistry.get(args.activation ?? 'linear', 'Dense.activation');
    this.useBias = checkBoolean(args.useBias ?? true, 'Dense.useBias');
    this.kernelInitializer = initializerArg(args.kernelInitializer, 'Dense.kernelInitializer', 'glorotUniform');
    this.biasInitializer = initializerArg(args.biasInitializer, 'Dense.biasInitializer', 'zeros');
  }
  protected get nativeType() {
    return 'dense';
  }
  protected nativeOptions(): NativeOptions {
    return {
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer.toNative(),
      biasInitializer: this.biasInitializer.toNative(),
    };
  }
  protected ownConfig() {
    return {
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer.getConfig(),
      biasInitializer: this.biasInitializer.getConfig(),
    };
  }
  weightSpecs(inputDim: number): WeightSpec[] {
    const w = [{ name: 'kernel', shape: [inputDim, this.units] }];
    return this.useBias ? [...w, { name: 'bias', shape: [this.units] }] : w;
  }
}

registerLayer(Dense);
