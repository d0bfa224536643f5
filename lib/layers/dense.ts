import type { Initializer, InitializerLike } from '../initializers';
import { booleanOption, initializerOption, registryOption } from '../options';
import { Registry } from '../registry';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';

/** The activation of a Dense layer (Keras' names). @category Layers */
export type Activation = 'linear' | 'relu' | 'relu6' | 'tanh' | 'sigmoid' | 'softsign' | 'elu' | 'selu';
/** The activation names, as DenseArgs.activation takes them. @category Layers */
export const activationRegistry = new Registry<Activation>('activation');
for (const a of ['linear', 'relu', 'relu6', 'tanh', 'sigmoid', 'softsign', 'elu', 'selu'] as Activation[])
  activationRegistry.register(a, a);

/** Options of Dense. @category Layers */
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

/**
 * Dense: y = activation(x·kernel + bias), the baseline of the NALU papers.
 * Weights: kernel [in, units], bias [units] (with useBias).
 * @category Layers
 */
export class Dense extends Layer {
  static readonly className = 'Dense';
  static readonly nativeType = 'dense';
  static override readonly options = {
    activation: registryOption('linear', activationRegistry),
    useBias: booleanOption(true),
    kernelInitializer: initializerOption('glorotUniform'),
    biasInitializer: initializerOption('zeros'),
  };
  /** Its activation. */
  declare readonly activation: Activation;
  /** Whether it adds a bias. */
  declare readonly useBias: boolean;
  /** Initializer of kernel. */
  declare readonly kernelInitializer: Initializer;
  /** Initializer of bias. */
  declare readonly biasInitializer: Initializer;

  /** @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: DenseArgs) {
    super(args);
  }
  /** [kernel, bias] or [kernel]. */
  weightSpecs(inputDim: number): WeightSpec[] {
    const w = [{ name: 'kernel', shape: [inputDim, this.units] }];
    return this.useBias ? [...w, { name: 'bias', shape: [this.units] }] : w;
  }
}

registerLayer(Dense);
