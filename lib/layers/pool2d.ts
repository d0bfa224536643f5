import { choiceOption } from '../options';
import type { WeightSpec } from './layer';
import { registerLayer } from './registry';
import { type Padding, type SpatialArgs, SpatialLayer, pairOption, slide } from './spatial';

/** Options of MaxPool2D (tfjs-layers' names). @category Layers */
export interface MaxPool2DArgs extends SpatialArgs {
  /** The window's [height, width], or one size for both. Default [2, 2]. */
  poolSize?: number | number[];
  /** The window's step [down, across], or one for both. Default poolSize. */
  strides?: number | number[];
  /** Default 'valid'; 'same' leaves the padded cells out of each maximum. */
  padding?: Padding;
}

/**
 * MaxPool2D: each output the largest input of its window, channel by channel, over images
 * flattened NHWC, as tfjs' maxPool. No weights.
 * @category Layers
 */
export class MaxPool2D extends SpatialLayer {
  static readonly className = 'MaxPool2D';
  static readonly nativeType = 'maxpool2d';
  static override readonly options = {
    poolSize: pairOption([2, 2], 'pool'),
    strides: pairOption((p) => p.poolSize as number[], 'stride'),
    padding: choiceOption<Padding>('valid', ['valid', 'same']),
  };
  /** The window's [height, width]. */
  declare readonly poolSize: [number, number];
  /** The window's step [down, across]. */
  declare readonly strides: [number, number];
  /** How the window meets the border. */
  declare readonly padding: Padding;

  /** @throws TypeError or RangeError naming the option that is wrong (a window larger than a 'valid' input too). */
  constructor(args: MaxPool2DArgs) {
    super(args, (input, p, cls) => {
      const o = p as { poolSize: number[]; strides: number[]; padding: Padding };
      return [...slide(input, o.poolSize, o.strides, o.padding, `${cls}.poolSize`), input[2]];
    });
  }
  /** None. */
  weightSpecs(_inputDim: number): WeightSpec[] {
    return [];
  }
}

registerLayer(MaxPool2D);
