import type { Initializer, InitializerLike } from '../initializers';
import { booleanOption, initializerOption, registryOption } from '../options';
import { Registry } from '../registry';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';
import type { OpGraph } from '../export/graph';

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
  /** Gemm (MatMul without a bias) and the activation's operator. */
  toGraph(g: OpGraph, x: string): string {
    const z = this.useBias ? g.op('Gemm', [x, g.weight(0), g.weight(1)]) : g.op('MatMul', [x, g.weight(0)]);
    switch (this.activation) {
      case 'linear': return z;
      case 'relu': return g.op('Relu', [z]);
      case 'relu6': return g.op('Clip', [z, g.scalar(0), g.scalar(6)]);
      case 'tanh': return g.op('Tanh', [z]);
      case 'sigmoid': return g.op('Sigmoid', [z]);
      case 'softsign': return g.op('Softsign', [z]);
      case 'elu': return g.op('Elu', [z], { alpha: 1 });
      case 'selu': return g.op('Selu', [z]);
    }
  }
}

registerLayer(Dense);
