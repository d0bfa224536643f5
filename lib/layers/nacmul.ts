// NAC• (Trask et al. 2018): m = exp(log(|x| + ε)·W), W = tanh(Ŵ) ⊙ σ(M̂). It overflows to +Infinity
// once log(|x| + ε)·W > 88.7; clipExp (ω) bounds the exponent.
import type { NativeOptions } from '../../binding';
import type { Initializer, InitializerLike } from '../initializers';
import { checkNumber } from '../registry';
import { Layer, initializerArg, type LayerArgs, type WeightSpec } from './layer';

export interface NACMulArgs extends LayerArgs {
  /** Initializer of Ŵ and M̂. Default 'glorotUniform'. */
  kernelInitializer?: InitializerLike;
  /** ω: m = exp(min(log(|x| + ε)·W, ω)). Default Infinity (no clip). */
  clipExp?: number;
  /** ε in log(|x| + ε). Default 1e-7. */
  epsilon?: number;
}

export class NACMul extends Layer {
  static readonly className = 'NACMul';
  readonly kernelInitializer: Initializer;
  readonly clipExp: number;
  readonly epsilon: number;
  constructor(args: NACMulArgs) {
    super(args, ['kernelInitializer', 'clipExp', 'epsilon']);
    this.kernelInitializer = initializerArg(args.kernelInitializer, 'NACMul.kernelInitializer', 'glorotUniform');
    this.clipExp = checkNumber(args.clipExp ?? Infinity, 'NACMul.clipExp', 0, Infinity);
    this.epsilon = checkNumber(args.epsilon ?? 1e-7, 'NACMul.epsilon', 1e-30, 1);
  }
  protected get nativeType() {
    return 'nacmul';
  }
  protected nativeOptions(): NativeOptions {
    return { kernelInitializer: this.kernelInitializer.toNative(), clipExp: this.clipExp, epsilon: this.epsilon };
  }
  protected ownConfig() {
    return {
      kernelInitializer: this.kernelInitializer.getConfig(),
      // JSON has no Infinity: null means no clip.
      clipExp: Number.isFinite(this.clipExp) ? this.clipExp : null,
      epsilon: this.epsilon,
    };
  }
  weightSpecs(inputDim: number): WeightSpec[] {
    const s = [inputDim, this.units];
    return [{ name: 'W_hat', shape: s }, { name: 'M_hat', shape: s }];
  }
}
