// Dense: y = activation(x·kernel + bias), the baseline of the NALU papers.
import type { Initializer, InitializerLike } from '../initializers';
import { booleanOption, initializerOption, registryOption } from '../options';
import { Registry } from '../registry';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
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
  static readonly nativeType = 'dense';
  static override readonly options = {
    activation: registryOption('linear', activationRegistry),
    useBias: booleanOption(true),
    kernelInitializer: initializerOption('glorotUniform'),
    biasInitializer: initializerOption('zeros'),
  };
  declare readonly activation: Activation;
  declare readonly useBias: boolean;
  declare readonly kernelInitializer: Initializer;
  declare readonly biasInitializer: Initializer;

  constructor(args: DenseArgs) {
    super(args);
  }
  weightSpecs(inputDim: number): WeightSpec[] {
    const w = [{ name: 'kernel', shape: [inputDim, this.units] }];
    return this.useBias ? [...w, { name: 'bias', shape: [this.units] }] : w;
  }
}

registerLayer(Dense);
