// The base of the layers on images (Conv2D, MaxPool2D): their rows are images flattened NHWC, of the
// `inputShape` [height, width, channels] every such layer is given; their output is flattened NHWC too,
// so a Dense (or another spatial layer with the next inputShape) composes after it.
import type { NativeLayerSpec } from '../../binding';
import { type Option, optionKeys, parseOptions, refuseUnknown } from '../options';
import { checkNumber, checkOptions } from '../registry';
import { Layer } from './layer';

/** How a window meets the image's border (TensorFlow's rules). @category Layers */
export type Padding = 'valid' | 'same';

/** Options every layer on images takes. @category Layers */
export interface SpatialArgs {
  /** The incoming image, [height, width, channels], each an integer ≥ 1 (required on every spatial layer). */
  inputShape: number[];
  /** Default `<classname>_<n>`. */
  name?: string;
  /** Seed for the initializers. Default: drawn when the model is built. */
  seed?: number;
}

const MAX = 2 ** 24;

/** A size of both axes: n (square) or [height, width], integers in [1, 2^24]. */
export function pairOption(def: number[] | ((parsed: Record<string, unknown>) => number[]) | undefined, nativeKey: string): Option<[number, number]> {
  return {
    keys: [],
    parse(args, where, parsed, key) {
      const v = args[key] ?? (typeof def === 'function' ? def(parsed) : def);
      const w = where(key);
      if (typeof v === 'number') return [checkNumber(v, w, 1, MAX, true), checkNumber(v, w, 1, MAX, true)];
      if (!Array.isArray(v) || v.length !== 2) throw new TypeError(`${w}: expected an integer or [height, width], received ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
      return [checkNumber(v[0], `${w}[0]`, 1, MAX, true), checkNumber(v[1], `${w}[1]`, 1, MAX, true)];
    },
    native: (v) => ({ [`${nativeKey}Height`]: v[0], [`${nativeKey}Width`]: v[1] }),
    config: (v, k) => ({ [k]: [...v] }),
  };
}

/** One axis of the output: TensorFlow's ⌈n/s⌉ for 'same', ⌊(n − k)/s⌋ + 1 for 'valid' (k ≤ n). */
function axis(n: number, k: number, s: number, padding: Padding, what: string): number {
  if (padding === 'same') return Math.ceil(n / s);
  if (k > n) throw new RangeError(`${what}: expected at most the input's ${n} with 'valid' padding, received ${k}`);
  return Math.floor((n - k) / s) + 1;
}

/** [outHeight, outWidth] of a window `size` moved by `strides` over an [height, width] image. */
export function slide(input: readonly number[], size: readonly number[], strides: readonly number[], padding: Padding, what: string): [number, number] {
  return [axis(input[0], size[0], strides[0], padding, `${what}[0]`), axis(input[1], size[1], strides[1], padding, `${what}[1]`)];
}

/** A layer's output image for an input image and its parsed options (`cls` names the layer in errors). @category Layers */
export type OutputShapeOf = (input: [number, number, number], parsed: Record<string, unknown>, cls: string) => [number, number, number];

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * A layer on images flattened NHWC: `units` is its output's height·width·depth and `inputDim` its
 * input's, both from inputShape; neither is an option, nor are kernelRegularizer and kernelConstraint.
 * @category Layers
 */
export abstract class SpatialLayer extends Layer {
  static override readonly inputKind = 'image';
  /** The incoming image, [height, width, channels]. */
  declare readonly inputShape: [number, number, number];
  /** The outgoing image, [height, width, depth]. */
  declare readonly outputShape: [number, number, number];

  /** `outputShapeOf`: the subclass's output image for an input image and its parsed options. @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: SpatialArgs, outputShapeOf: OutputShapeOf) {
    const C = new.target as unknown as typeof Layer;
    const cls = C.className;
    const o = checkOptions(args, `${cls} options`);
    for (const k of ['units', 'inputDim', 'kernelRegularizer', 'kernelConstraint'])
      if (o[k] !== undefined) throw new RangeError(`${cls}.${k}: not an option of ${cls} (a layer on images: its size follows from inputShape and its own options)`);
    refuseUnknown(o, ['inputShape', 'name', 'seed', ...optionKeys(C.options)], cls);
    const s = o.inputShape;
    if (!Array.isArray(s) || s.length !== 3)
      throw new TypeError(`${cls}.inputShape: expected [height, width, channels], received ${s === undefined ? 'undefined' : JSON.stringify(s)}`);
    const inputShape = s.map((d, i) => checkNumber(d, `${cls}.inputShape[${i}]`, 1, MAX, true)) as [number, number, number];
    const outputShape = outputShapeOf(inputShape, parseOptions(C.options, o, cls), cls);
    for (const [what, shape] of [['inputShape', inputShape], ['output', outputShape]] as const)
      if (product(shape) > MAX) throw new RangeError(`${cls}.${what}: expected at most 2^24 values an image, received ${shape.join('×')}`);
    const { inputShape: _, ...rest } = o;
    super({ ...rest, units: product(outputShape), inputDim: product(inputShape) } as never);
    Object.assign(this, { inputShape, outputShape });
  }

  /** @internal The native spec: the base one and the input image. */
  override toNative(seed: number): NativeLayerSpec {
    const [inputHeight, inputWidth, inputChannels] = this.inputShape;
    return { ...super.toNative(seed), inputHeight, inputWidth, inputChannels };
  }

  /** As Layer.getConfig, with inputShape in place of units and inputDim. */
  override getConfig(): Record<string, unknown> {
    const { units: _u, inputDim: _d, ...rest } = super.getConfig();
    return { name: rest.name, inputShape: [...this.inputShape], ...rest };
  }
}
