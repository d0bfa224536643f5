// LSTM: the long short-term memory layer, as tfjs-layers names its weights and torch.nn.LSTM
// initializes them; the recurrent task's baseline (Hoedt et al. 2021, Table 2).
import type { Initializer, InitializerLike } from '../initializers';
import { booleanOption, paperInitializerOption } from '../options';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';
import { withFeatures } from './rnn';

/** Options of LSTM; its input is [batch, time, features] (inputDim: features, or inputShape [time or null, features]). @category Layers */
export interface LSTMArgs extends LayerArgs {
  /** Output h of every step, [batch, time, units], instead of the last one's [batch, units]. Default false. */
  returnSequences?: boolean;
  /** Initializer of kernel. Default: torch.nn.LSTM's U[−1/√units, 1/√units]. */
  kernelInitializer?: InitializerLike;
  /** Initializer of recurrentKernel. Default: torch.nn.LSTM's U[−1/√units, 1/√units]. */
  recurrentInitializer?: InitializerLike;
  /** Initializer of bias. Default: torch.nn.LSTM's U[−1/√units, 1/√units]. */
  biasInitializer?: InitializerLike;
}

/**
 * LSTM over the time axis of x [batch, time, features], gates in the order i, f, c, o (tfjs-layers,
 * torch.nn.LSTM): z = xₜ·kernel + hₜ₋₁·recurrentKernel + bias, i = σ(z_i), f = σ(z_f), g = tanh(z_c),
 * o = σ(z_o); cₜ = f⊙cₜ₋₁ + i⊙g, hₜ = o⊙tanh(cₜ), h₋₁ = c₋₁ = 0. The output is the last h [batch, units], or
 * every h [batch, time, units] with returnSequences; the steps may change from call to call (fit on 10,
 * predict on 100). It must be the model's first layer or follow a TimeDistributed; with returnSequences,
 * the last layer or one with a time axis. Every weight starts U[−1/√units, 1/√units] as torch.nn.LSTM's
 * (one bias where torch has two, b_ih + b_hh). kernelRegularizer and kernelConstraint act on kernel and
 * recurrentKernel. No symbolic form (explain refuses it) and no ONNX or tfjs export.
 * Weights: kernel [features, 4·units], recurrentKernel [units, 4·units], bias [4·units].
 * @category Layers
 */
export class LSTM extends Layer {
  static readonly className = 'LSTM';
  static readonly nativeType = 'lstm';
  static override readonly inputKind = 'sequence';
  static override readonly options = {
    returnSequences: booleanOption(false),
    kernelInitializer: paperInitializerOption(),
    recurrentInitializer: paperInitializerOption(),
    biasInitializer: paperInitializerOption(),
  };
  /** Whether every step's h is output. */
  declare readonly returnSequences: boolean;
  /** Initializer of kernel (undefined: torch's). */
  declare readonly kernelInitializer?: Initializer;
  /** Initializer of recurrentKernel (undefined: torch's). */
  declare readonly recurrentInitializer?: Initializer;
  /** Initializer of bias (undefined: torch's). */
  declare readonly biasInitializer?: Initializer;

  /** @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: LSTMArgs) {
    super(withFeatures(args, 'LSTM'));
  }
  /** [kernel, recurrentKernel, bias]. */
  weightSpecs(inputDim: number): WeightSpec[] {
    const g = 4 * this.units;
    return [
      { name: 'kernel', shape: [inputDim, g] },
      { name: 'recurrentKernel', shape: [this.units, g] },
      { name: 'bias', shape: [g] },
    ];
  }
}

registerLayer(LSTM);
