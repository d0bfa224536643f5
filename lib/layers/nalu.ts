// NALU (Trask et al. 2018): y = g ⊙ a + (1 − g) ⊙ m, a = x·W, m = exp(log(|x| + ε)·W), g = σ(x·G),
// W = tanh(Ŵ) ⊙ σ(M̂). (1 − g) ⊙ m is computed in log space, so it is never 0·∞ = NaN; it
// overflows to +Infinity when log m − softplus(x·G) > 88.7 (set clipExp to bound it).
import type { NativeOptions } from '../../binding';
import type { Initializer, InitializerLike } from '../initializers';
import { checkBoolean, Registry } from '../registry';
import { Layer, clipExpArg, epsilonArg, initializerArg, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';

export type GateKind = 'input' | 'independent';
const gates = new Registry<GateKind>('gate');
gates.register('input', 'input');
gates.register('independent', 'independent');

export interface NALUArgs extends LayerArgs {
  /** Initializer of Ŵ and M̂ (and their multiplicative copies). Default 'glorotUniform'. */
  kernelInitializer?: InitializerLike;
  /** Initializer of G. Default 'glorotUniform' ('zeros' for an independent gate). */
  gateInitializer?: InitializerLike;
  /** Own Ŵ, M̂ for the multiplicative path (weights W_hat_mul, M_hat_mul). Default false. */
  separateWeights?: boolean;
  /** 'input': g = σ(x·G) (Trask); 'independent': g = σ(G), G per unit (iNALU). Default 'input'. */
  gate?: GateKind;
  /** ω: m = exp(min(log(|x|+ε)·W, ω)); iNALU uses 20. Default Infinity (no clip). */
  clipExp?: number;
  /** ε in log(|x| + ε). Default 1e-7. */
  epsilon?: number;
}

export class NALU extends Layer {
  static readonly className = 'NALU';
  readonly kernelInitializer: Initializer;
  readonly gateInitializer: Initializer;
  readonly separateWeights: boolean;
  readonly gate: GateKind;
  readonly clipExp: number;
  readonly epsilon: number;

  constructor(args: NALUArgs) {
    super(args, ['kernelInitializer', 'gateInitializer', 'separateWeights', 'gate', 'clipExp', 'epsilon']);
    this.kernelInitializer = initializerArg(args.kernelInitializer, 'NALU.kernelInitializer', 'glorotUniform');
    this.gate = gates.get(args.gate ?? 'input', 'NALU.gate');
    this.gateInitializer = initializerArg(
      args.gateInitializer,
      'NALU.gateInitializer',
      this.gate === 'input' ? 'glorotUniform' : 'zeros',
    );
    this.separateWeights = checkBoolean(args.separateWeights ?? false, 'NALU.separateWeights');
    this.clipExp = clipExpArg(args.clipExp, 'NALU.clipExp', Infinity);
    this.epsilon = epsilonArg(args.epsilon, 'NALU.epsilon', 1e-7);
  }
  protected get nativeType() {
    return 'nalu';
  }
  protected nativeOptions(): NativeOptions {
    return {
      kernelInitializer: this.kernelInitializer.toNative(),
      gateInitializer: this.gateInitializer.toNative(),
      separateWeights: this.separateWeights,
      gate: this.gate,
      clipExp: this.clipExp,
      epsilon: this.epsilon,
    };
  }
  protected ownConfig() {
    return {
      kernelInitializer: this.kernelInitializer.getConfig(),
      gateInitializer: this.gateInitializer.getConfig(),
      separateWeights: this.separateWeights,
      gate: this.gate,
      // JSON has no Infinity: null means no clip.
      clipExp: Number.isFinite(this.clipExp) ? this.clipExp : null,
      epsilon: this.epsilon,
    };
  }
  weightSpecs(inputDim: number): WeightSpec[] {
    const s = [inputDim, this.units];
    const w = [
      { name: 'W_hat', shape: s },
      { name: 'M_hat', shape: s },
      { name: 'G', shape: this.gate === 'input' ? s : [this.units] },
    ];
    if (this.separateWeights) w.push({ name: 'W_hat_mul', shape: s }, { name: 'M_hat_mul', shape: s });
    return w;
  }
}

registerLayer(NALU);
