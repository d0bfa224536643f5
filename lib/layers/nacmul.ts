// NAC•: m = exp(log(|x| + ε)·W). `weight` picks W: 'nac' (Trask et al. 2018) W = tanh(Ŵ) ⊙ σ(M̂);
// 'sigma' (NAC•,σ, Madsen & Johansen 2020, stable-nalu PosNACLayer) W = σ(Ŵ); 'nmu' (NAC•,NMU,
// ReRegualizedLinearPosNACLayer) W ∈ [0, 1] clamped, init U[0.25, 0.75], with the NMU's sparsity
// regularizer. m overflows to +Infinity once log(|x| + ε)·W > 88.7; clipExp (ω) bounds the exponent.
import type { NativeOptions } from '../../binding';
import { randomUniform, type Initializer, type InitializerLike } from '../initializers';
import { checkChoice } from '../registry';
import { Layer, clipExpArg, epsilonArg, initializerArg, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';
import { checkSparsity, sparsityKeys, type Sparsity, type SparsityArgs } from './sparsity';

export type NACMulWeight = 'nac' | 'sigma' | 'nmu';
const weightKinds: readonly NACMulWeight[] = ['nac', 'sigma', 'nmu'];

export interface NACMulArgs extends LayerArgs, SparsityArgs {
  /** W: 'nac' tanh(Ŵ) ⊙ σ(M̂) (weights W_hat, M_hat), 'sigma' σ(Ŵ) (W_hat), 'nmu' W ∈ [0, 1] (W). Default 'nac'. */
  weight?: NACMulWeight;
  /** Initializer of the weights. Default 'glorotUniform' ('nac'), 'glorotNormal' ('sigma'), U[0.25, 0.75] ('nmu'). */
  kernelInitializer?: InitializerLike;
  /** ω: m = exp(min(log(|x| + ε)·W, ω)). Default Infinity (no clip). */
  clipExp?: number;
  /** ε in log(|x| + ε). Default 1e-7. */
  epsilon?: number;
}

export class NACMul extends Layer {
  static readonly className = 'NACMul';
  readonly weight: NACMulWeight;
  readonly kernelInitializer: Initializer;
  readonly clipExp: number;
  readonly epsilon: number;
  /** The sparsity regularizer (weight 'nmu' only; undefined otherwise). */
  readonly sparsity?: Sparsity;
  constructor(args: NACMulArgs) {
    super(args, ['weight', 'kernelInitializer', 'clipExp', 'epsilon', ...sparsityKeys]);
    this.weight = checkChoice(args.weight ?? 'nac', 'NACMul.weight', weightKinds);
    const def = this.weight === 'nac' ? 'glorotUniform' : this.weight === 'sigma' ? 'glorotNormal' : randomUniform({ minval: 0.25, maxval: 0.75 });
    this.kernelInitializer = initializerArg(args.kernelInitializer, 'NACMul.kernelInitializer', def);
    this.clipExp = clipExpArg(args.clipExp, 'NACMul.clipExp', Infinity);
    this.epsilon = epsilonArg(args.epsilon, 'NACMul.epsilon', 1e-7);
    if (this.weight === 'nmu') this.sparsity = checkSparsity(args, 'NACMul');
    else
      for (const k of sparsityKeys)
        if (args[k] !== undefined) throw new RangeError(`NACMul.${k}: only weight 'nmu' has a sparsity regularizer, received weight '${this.weight}'`);
  }
  protected get nativeType() {
    return 'nacmul';
  }
  protected nativeOptions(): NativeOptions {
    return { weight: this.weight, kernelInitializer: this.kernelInitializer.toNative(), clipExp: this.clipExp, epsilon: this.epsilon, ...this.sparsity };
  }
  protected ownConfig() {
    return {
      weight: this.weight,
      kernelInitializer: this.kernelInitializer.getConfig(),
      // JSON has no Infinity: null means no clip.
      clipExp: Number.isFinite(this.clipExp) ? this.clipExp : null,
      epsilon: this.epsilon,
      ...this.sparsity,
    };
  }
  weightSpecs(inputDim: number): WeightSpec[] {
    const s = [inputDim, this.units];
    if (this.weight === 'nac') return [{ name: 'W_hat', shape: s }, { name: 'M_hat', shape: s }];
    return [{ name: this.weight === 'sigma' ? 'W_hat' : 'W', shape: s }];
  }
}

registerLayer(NACMul);
