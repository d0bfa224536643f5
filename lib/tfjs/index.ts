/**
 * `nalu/tfjs`: every nalu unit as a TensorFlow.js layer (`NaluNAU`, `NaluNMU`, `NaluNALU`…), so the
 * units sit inside tfjs models, train with tfjs's autodiff, and load with `tf.loadLayersModel` from
 * what `model.toTfjs(dir)` writes. Each layer runs its unit's own operator graph (toGraph); no native
 * code is loaded. Needs the optional peer `@tensorflow/tfjs` (pure JS).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import type { OpAttr, OpGraph } from '../export/graph';
import { deserializeLayer, layerRegistry } from '../layers';
import type { Layer as NaluLayer, LayerArgs } from '../layers/layer';

/** The tfjs class name of a nalu unit: `Nalu` + its class name. */
export const tfjsClassName = (naluClass: string): string => `Nalu${naluClass}`;

type Kwargs = Record<string, unknown>;

/** A tfjs layer's config: tfjs's own keys, and the unit's options as nalu's getConfig gives them. */
export interface NaluTfjsLayerArgs {
  /** The unit's options (units, and its own: sparsityLambda is ignored, tfjs trains it). */
  nalu: Omit<LayerArgs, 'inputDim' | 'inputShape'> & Record<string, unknown>;
  /** tfjs: the input shape of a first layer, [features]. */
  inputShape?: number[];
  /** tfjs: the layer's name. */
  name?: string;
  /** tfjs: whether its weights train. */
  trainable?: boolean;
}

// One tfjs operator per ONNX operator the units' graphs use, with ONNX's broadcasting.
class TfGraph implements OpGraph {
  private values = new Map<string, tf.Tensor>();
  private numbers = new Map<string, number[]>();
  private n = 0;
  constructor(private readonly weights: tf.LayerVariable[]) {}

  put(t: tf.Tensor, nums?: number[]): string {
    const name = `v${this.n++}`;
    this.values.set(name, t);
    if (nums) this.numbers.set(name, nums);
    return name;
  }
  get(name: string): tf.Tensor {
    const t = this.values.get(name);
    if (!t) throw new RangeError(`tfjs graph: no value '${name}'`);
    return t;
  }
  private num(name: string): number {
    const v = this.numbers.get(name);
    if (!v || v.length !== 1) throw new RangeError(`tfjs graph: '${name}' is not a scalar constant`);
    return v[0];
  }
  weight(i: number): string {
    if (!this.weights[i]) throw new RangeError(`weight ${i}: the layer has ${this.weights.length} weights`);
    return this.put(this.weights[i].read());
  }
  constant(data: ArrayLike<number>, dims: number[]): string {
    return this.put(tf.tensor(Float32Array.from(data), dims, 'float32'), Array.from(data));
  }
  scalar(v: number): string {
    return this.put(tf.scalar(v, 'float32'), [v]);
  }
  ints(data: number[]): string {
    return this.put(tf.tensor1d(data, 'int32'), data);
  }
  op(type: string, inputs: string[], attrs: Record<string, OpAttr> = {}): string {
    const [a, b, c] = inputs.map((i) => this.get(i));
    const unary: Record<string, (t: tf.Tensor) => tf.Tensor> = {
      Abs: tf.abs, Exp: tf.exp, Log: tf.log, Sigmoid: tf.sigmoid, Tanh: tf.tanh, Cos: tf.cos, Sign: tf.sign,
      Reciprocal: tf.reciprocal, Neg: tf.neg, Relu: tf.relu, Softplus: tf.softplus, Elu: tf.elu, Selu: tf.selu, Identity: (t) => t,
      Softsign: (t) => tf.div(t, tf.add(1, tf.abs(t))),
    };
    const binary: Record<string, (x: tf.Tensor, y: tf.Tensor) => tf.Tensor> = {
      Add: tf.add, Sub: tf.sub, Mul: tf.mul, Min: tf.minimum, Max: tf.maximum, Less: tf.less, MatMul: (x, y) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D),
    };
    if (unary[type]) return this.put(unary[type](a));
    if (binary[type]) return this.put(binary[type](a, b));
    switch (type) {
      case 'Gemm':
        return this.put(tf.add(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), c));
      case 'Clip':
        return this.put(tf.clipByValue(a, this.num(inputs[1]), this.num(inputs[2])));
      case 'Unsqueeze':
        return this.put(tf.expandDims(a, this.numbers.get(inputs[1])![0]));
      case 'ReduceProd':
        return this.put(tf.prod(a, attrs.axes as number[], attrs.keepdims === 1));
      case 'Concat':
        return this.put(tf.concat([a, b], attrs.axis as number));
      case 'Where':
        return this.put(tf.where(a, b, c));
      case 'Cast':
        return this.put(tf.cast(a, 'float32'));
    }
    throw new RangeError(`tfjs graph: operator ${type} has no tfjs form`);
  }
}

const registered = new Map<string, typeof tf.layers.Layer>();

function defineLayer(className: string): typeof tf.layers.Layer {
  class NaluTfjsLayer extends tf.layers.Layer {
    static className = tfjsClassName(className);
    readonly unit: NaluLayer;
    private readonly naluConfig: Kwargs;
    private inputDim = 0;
    constructor(args: NaluTfjsLayerArgs) {
      const { nalu, ...rest } = args ?? ({} as NaluTfjsLayerArgs);
      if (!nalu || typeof nalu !== 'object') throw new TypeError(`${tfjsClassName(className)}: expected {nalu: {units, …}}, received ${JSON.stringify(args)}`);
      super({ ...rest, name: rest.name ?? (nalu.name as string | undefined) } as tf.serialization.ConfigDict);
      this.unit = deserializeLayer({ className, config: nalu }, tfjsClassName(className));
      if (typeof this.unit.toGraph !== 'function') throw new RangeError(`${className} has no portable form`);
      this.naluConfig = { ...nalu };
    }
    override build(inputShape: tf.Shape | tf.Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
      this.inputDim = shape[shape.length - 1] as number;
      // Glorot-uniform weights; set trained ones with setWeights or toTfjs.
      for (const s of this.unit.weightSpecs(this.inputDim)) this.addWeight(s.name, s.shape, 'float32', tf.initializers.glorotUniform({}));
      this.built = true;
    }
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        const g = new TfGraph(this.weights);
        return g.get(this.unit.toGraph!(g, g.put(x)));
      });
    }
    override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
      return [...shape.slice(0, -1), this.unit.units];
    }
    override getConfig(): tf.serialization.ConfigDict {
      return { ...super.getConfig(), nalu: this.naluConfig as tf.serialization.ConfigDict };
    }
  }
  Object.defineProperty(NaluTfjsLayer, 'name', { value: tfjsClassName(className) });
  tf.serialization.registerClass(NaluTfjsLayer);
  return NaluTfjsLayer as unknown as typeof tf.layers.Layer;
}

for (const name of layerRegistry.names()) {
  const Unit = layerRegistry.get(name, 'layer');
  if (typeof (Unit.prototype as NaluLayer).toGraph === 'function') registered.set(name, defineLayer(name));
}

/**
 * The tfjs layer class of a nalu unit, e.g. `naluLayer('NAU')`; construct it with
 * `{nalu: {units: 2}, inputShape: [3]}`.
 * @throws RangeError for a unit without a tfjs form, listing those with one.
 */
export function naluLayer(naluClass: string): new (args: NaluTfjsLayerArgs) => tf.layers.Layer {
  const c = registered.get(naluClass);
  if (!c) throw new RangeError(`naluLayer: expected one of ${[...registered.keys()].join(', ')}, received ${JSON.stringify(naluClass)}`);
  return c as unknown as new (args: NaluTfjsLayerArgs) => tf.layers.Layer;
}

/** The nalu unit class names that have a tfjs layer. */
export function naluLayerNames(): string[] {
  return [...registered.keys()];
}
