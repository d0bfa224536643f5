// RNN: a recurrent layer around any unit (its cell), as tfjs-layers' RNN wraps a cell.
import type { NativeOptions } from '../../binding';
import { booleanOption, numberOption, type Option } from '../options';
import { checkOptions } from '../registry';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import type { Sparsity } from './sparsity';
import { layerRegistry, registerLayer, type LayerClass } from './registry';

/** Options of RNN; its input is [batch, time, features] (inputDim: features, or inputShape [time or null, features]). @category Layers */
export interface RNNArgs extends LayerArgs {
  /** The unit of each step: a layer class name ('NAU', 'NMU', 'NAC', 'NACMul', 'NALU', 'NMRU', 'Dense', …) or its native type ('nau', 'nacmul', …). */
  cell: string;
  /** The cell's own options (kernelInitializer, sparsity, kernelRegularizer…); its units are the RNN's. */
  cellOptions?: Record<string, unknown>;
  /** Output h of every step, [batch, time, units], instead of the last one's [batch, units]. Default false. */
  returnSequences?: boolean;
  /** h₋₁, every unit's state before the first step, in [-1e30, 1e30]: 0 (a sum's identity) or 1 (a product's). Default 0. */
  initialState?: number;
  /**
   * λ of R_z (Madsen & Johansen 2020, sequential MNIST): λ/(in·units)·Σ (1 − W)(1 − x̄)² for an NMU cell,
   * Σ (1 − |W|)·x̄² for an NAU cell, x̄ each cell input's mean over the batch's steps; ≥ 0. Default 0 (off).
   */
  zRegularizer?: number;
}

type Cls = LayerClass & { nativeType: string };

/** The cell class named `v` by className or native type (RNN, LSTM, TimeDistributed and the layers on images refused: their rows are shaped). */
function cellClass(v: unknown, where: string): Cls {
  const names = layerRegistry.names().filter((n) => (layerRegistry.get(n, where) as Cls).inputKind === 'row');
  if (typeof v !== 'string') throw new TypeError(`${where}: expected a layer class name, received ${v === null ? 'null' : typeof v}`);
  const found = names.map((n) => layerRegistry.get(n, where) as Cls).find((c) => c.className === v || c.nativeType === v);
  if (!found) throw new RangeError(`${where}: expected one of ${names.map((n) => `'${n}'`).join(', ')}, received '${v}'`);
  return found;
}

// `cell` and `cellOptions` read together into the cell layer, built with the RNN's units on
// features + units inputs; it is never a layer of the model, so it is named 'cell'.
const cellOption: Option<Layer> = {
  keys: ['cell', 'cellOptions'],
  parse(args, where) {
    const cls = cellClass(args.cell, where('cell'));
    const own = args.cellOptions === undefined ? {} : checkOptions(args.cellOptions, where('cellOptions'));
    for (const k of ['units', 'inputDim', 'inputShape', 'name', 'seed'])
      if (own[k] !== undefined) throw new RangeError(`${where('cellOptions')}.${k}: the RNN sets its cell's ${k}; leave it out`);
    return new (cls as unknown as new (a: unknown) => Layer)({ ...own, units: args.units, name: 'cell' });
  },
  native(cell) {
    const { type, units, seed, ...own } = cell.toNative(0);
    return { cell: type, cellOptions: own } as NativeOptions;
  },
  config(cell) {
    const { name, units, ...own } = cell.getConfig();
    return { cell: cell.className, cellOptions: own };
  },
};

/**
 * RNN: hₜ = cell([xₜ, hₜ₋₁]), h₋₁ = initialState (0), over the time axis of x [batch, time, features]; the output is
 * the last h [batch, units], or every h [batch, time, units] with returnSequences. The cell is any unit
 * (NAU, NMU, NALU, NMRU, Dense…) with in = features + units, out = units; an NAU cell with W = [1…, 1]
 * is a running sum, an NMU cell with W = [1…, 1] and initialState 1 a running product. The number of
 * steps may change from call to call (fit on 10, predict on 100).
 * It must be the model's first layer or follow a TimeDistributed; with returnSequences, the last
 * layer or one with a time axis.
 * Weights: the cell's, for features + units inputs.
 * @category Layers
 */
export class RNN extends Layer {
  static readonly className = 'RNN';
  static readonly nativeType = 'rnn';
  static override readonly inputKind = 'sequence';
  static override readonly options = { cell: cellOption, returnSequences: booleanOption(false), initialState: numberOption(0, -1e30, 1e30), zRegularizer: numberOption(0, 0, 1e30) };
  /** The unit run at each step (its weights are the RNN's). */
  declare readonly cell: Layer;
  /** Whether every step's h is output. */
  declare readonly returnSequences: boolean;
  /** h₋₁ of every unit. */
  declare readonly initialState: number;
  /** λ of R_z (0: off). */
  declare readonly zRegularizer: number;

  /** @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: RNNArgs) {
    super(withFeatures(args));
    for (const k of ['kernelRegularizer', 'kernelConstraint'] as const)
      if (this[k] !== undefined) throw new RangeError(`RNN.${k}: an RNN's weights are its cell's; give ${k} in cellOptions`);
    if (this.zRegularizer > 0 && !['NAU', 'NMU'].includes(this.cell.className))
      throw new RangeError(`RNN.zRegularizer: R_z is defined for an NAU or NMU cell, received the cell '${this.cell.className}'`);
    // fit places the cell's sparsity warm-up through the RNN, whose weights are the cell's.
    (this as { sparsity?: Sparsity }).sparsity = this.cell.sparsity;
  }
  /** The cell's weights for features + units inputs. */
  weightSpecs(inputDim: number): WeightSpec[] {
    return this.cell.weightSpecs(inputDim + this.units);
  }
}

/**
 * A sequence layer's inputShape [time or null, features] (tfjs' form) as its inputDim: the time
 * axis may change from call to call. @internal
 */
export function withFeatures(args: LayerArgs, className = 'RNN'): LayerArgs {
  const o = checkOptions(args, `${className} options`) as unknown as LayerArgs;
  const s = o.inputShape as readonly (number | null)[] | undefined;
  if (!Array.isArray(s) || s.length !== 2) return o;
  if (s[0] !== null && !(Number.isInteger(s[0]) && (s[0] as number) >= 1))
    throw new RangeError(`${className}.inputShape[0]: expected the time steps (a positive integer) or null, received ${JSON.stringify(s[0])}`);
  const { inputShape, ...rest } = o;
  return { ...rest, inputShape: [s[1]] } as LayerArgs;
}

registerLayer(RNN);
