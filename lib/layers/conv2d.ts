import type { Initializer, InitializerLike } from '../initializers';
import { type Option, booleanOption, choiceOption, initializerOption, registryOption } from '../options';
import { checkNumber } from '../registry';
import { activationRegistry, type Activation } from './dense';
import type { WeightSpec } from './layer';
import { registerLayer } from './registry';
import { type Padding, type SpatialArgs, SpatialLayer, pairOption, slide } from './spatial';

/** Options of Conv2D (tfjs-layers' names). @category Layers */
export interface Conv2DArgs extends SpatialArgs {
  /** Output channels: an integer in [1, 2²⁴]. Required. */
  filters: number;
  /** The kernel's [height, width], or one size for both. Required. */
  kernelSize: number | number[];
  /** The kernel's step [down, across], or one for both. Default 1. */
  strides?: number | number[];
  /** Default 'valid'. */
  padding?: Padding;
  /** Default 'linear'. */
  activation?: Activation;
  /** Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform' (fans counting the kernel's kh·kw, as Keras). */
  kernelInitializer?: InitializerLike;
  /** Default 'zeros'. */
  biasInitializer?: InitializerLike;
}

/**
 * Conv2D: y = activation(conv(x, kernel) + bias) over images flattened NHWC, as tfjs' conv2d
 * (cross-correlation, channels last). Weights: kernel [kh, kw, channels, filters], bias [filters] (with useBias).
 * @category Layers
 */
export class Conv2D extends SpatialLayer {
  static readonly className = 'Conv2D';
  static readonly nativeType = 'conv2d';
  static override readonly options = {
    filters: { keys: [], parse: (a, w, _p, k) => checkNumber(a[k], w(k), 1, 2 ** 24, true) } as Option<number>,
    kernelSize: pairOption(undefined, 'kernel'),
    strides: pairOption([1, 1], 'stride'),
    padding: choiceOption<Padding>('valid', ['valid', 'same']),
    activation: registryOption('linear', activationRegistry),
    useBias: booleanOption(true),
    kernelInitializer: initializerOption('glorotUniform'),
    biasInitializer: initializerOption('zeros'),
  };
  /** Output channels. */
  declare readonly filters: number;
  /** The kernel's [height, width]. */
  declare readonly kernelSize: [number, number];
  /** The kernel's step [down, across]. */
  declare readonly strides: [number, number];
  /** How the kernel meets the border. */
  declare readonly padding: Padding;
  /** Its activation. */
  declare readonly activation: Activation;
  /** Whether it adds a bias. */
  declare readonly useBias: boolean;
  /** Initializer of kernel. */
  declare readonly kernelInitializer: Initializer;
  /** Initializer of bias. */
  declare readonly biasInitializer: Initializer;

  /** @throws TypeError or RangeError naming the option that is wrong (a kernel larger than a 'valid' input too). */
  constructor(args: Conv2DArgs) {
    super(args, (input, p, cls) => {
      const o = p as { filters: number; kernelSize: number[]; strides: number[]; padding: Padding };
      return [...slide(input, o.kernelSize, o.strides, o.padding, `${cls}.kernelSize`), o.filters];
    });
  }
  /** [kernel, bias] or [kernel]; the kernel's shape follows inputShape, whatever inputDim. */
  weightSpecs(_inputDim: number): WeightSpec[] {
    const w = [{ name: 'kernel', shape: [...this.kernelSize, this.inputShape[2], this.filters] }];
    return this.useBias ? [...w, { name: 'bias', shape: [this.filters] }] : w;
  }
}

registerLayer(Conv2D);
