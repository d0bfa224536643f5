// TimeDistributed: one layer applied to every time step, as tfjs-layers' TimeDistributed wraps a layer.
import type { NativeLayerSpec, NativeOptions } from '../../binding';
import type { Option } from '../options';
import { checkOptions, type Serialized } from '../registry';
import { Layer, type WeightSpec } from './layer';
import { deserializeLayer, layerRegistry, registerLayer } from './registry';
import { LSTM } from './lstm';
import { RNN } from './rnn';
import type { Sparsity } from './sparsity';

/** Options of TimeDistributed; its input is [batch, time, …the layer's input]. @category Layers */
export interface TimeDistributedArgs {
  /** The layer run at every step: a Layer (its inputDim or inputShape gives the step's features) or {className, config}. Not an RNN, LSTM or TimeDistributed. */
  layer: Layer | Serialized;
  /** Default `timedistributed_<n>`. */
  name?: string;
  /** Seed for the layer's initializers when it has none of its own. Default: drawn when the model is built. */
  seed?: number;
}

/** `v` as a layer that can run one step at a time (a Layer, or {className, config} built here). */
function innerLayer(v: unknown, where: string): Layer {
  if (v === undefined) throw new TypeError(`${where}: expected a Layer or {className, config}, received undefined`);
  const layer = v instanceof Layer ? v : deserializeLayer(checkOptions(v, where), where);
  if (hasTimeAxis(layer)) {
    const names = layerRegistry.names().filter((n) => layerRegistry.get(n, where).inputKind !== 'sequence');
    throw new RangeError(`${where}: expected a layer without a time axis (one of ${names.map((n) => `'${n}'`).join(', ')}), received a ${layer.className}`);
  }
  return layer;
}

// The layer's native type and options go to the native wrapper as layer and layerOptions.
const layerOption: Option<Layer> = {
  keys: ['layer'],
  parse: (args, where) => innerLayer(args.layer, where('layer')),
  native(layer) {
    const { type, units, seed, ...own } = layer.toNative(0);
    return { layer: type, layerOptions: own } as NativeOptions;
  },
  config: (layer) => ({ layer: layer.serialize() }),
};

/**
 * TimeDistributed: y[:, t] = layer(x[:, t]) for every step t of x [batch, time, …], with one set of
 * weights (the layer's) for all steps; the output is [batch, time, units]. Around Conv2D and MaxPool2D
 * it runs an image network on each image of a sequence. It must be the model's first layer or follow
 * a layer that outputs every step, and the layer after it needs a time axis (TimeDistributed, RNN);
 * the steps may change from call to call, as an RNN's. Weights: the layer's.
 * @category Layers
 */
export class TimeDistributed extends Layer {
  static readonly className = 'TimeDistributed';
  static readonly nativeType = 'timedistributed';
  static override readonly inputKind = 'sequence';
  static override readonly options = { layer: layerOption };
  /** The layer run at every step (its weights are the TimeDistributed's). */
  declare readonly layer: Layer;

  /** @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: TimeDistributedArgs) {
    const o = checkOptions(args, 'TimeDistributed options');
    for (const k of ['units', 'inputDim', 'inputShape', 'kernelRegularizer', 'kernelConstraint'])
      if (o[k] !== undefined) throw new RangeError(`TimeDistributed.${k}: not an option of TimeDistributed; give ${k} to its layer`);
    const layer = innerLayer(o.layer, 'TimeDistributed.layer');
    super({ ...o, layer, units: layer.units, inputDim: layer.inputDim } as never);
    // fit places the layer's sparsity warm-up through the wrapper, whose weights are the layer's.
    (this as { sparsity?: Sparsity }).sparsity = layer.sparsity;
  }

  /** The layer's weights. */
  weightSpecs(inputDim: number): WeightSpec[] {
    return this.layer.weightSpecs(inputDim);
  }

  /** @internal The native spec; the layer's own seed comes before the model's. */
  override toNative(seed: number): NativeLayerSpec {
    return { ...super.toNative(seed), seed: this.seed ?? this.layer.seed ?? seed };
  }

  /** {name, seed?, layer: {className, config}}: units and inputDim are the layer's. */
  override getConfig(): Record<string, unknown> {
    const { units: _u, inputDim: _d, ...rest } = super.getConfig();
    return rest;
  }
}

/** True for a recurrent layer (RNN, LSTM). @internal */
export function isRecurrent(layer: Layer): layer is RNN | LSTM {
  return layer instanceof RNN || layer instanceof LSTM;
}

/** True for a layer that reads a time axis (RNN, LSTM, TimeDistributed). @internal */
export function hasTimeAxis(layer: Layer): boolean {
  return (layer.constructor as typeof Layer).inputKind === 'sequence';
}

/** True for a layer whose output keeps the time axis (TimeDistributed, RNN or LSTM with returnSequences). @internal */
export function outputsEveryStep(layer: Layer): boolean {
  return layer instanceof TimeDistributed || (isRecurrent(layer) && layer.returnSequences);
}

registerLayer(TimeDistributed);
