// iNALU (Schlör, Ring & Hotho 2020): y = g ⊙ a + (1 − g) ⊙ m ⊙ s with independent NAC weights
// W_a, W_m, a = x·W_a, m = exp(min(log(max(|x|, ε))·W_m, ω)), the sign correction
// s = clip(Π_i (sign(x_i)·|W_m,ij| + 1 − |W_m,ij|), −1, 1) and an input-independent gate g = σ(G).
// The reinitialization rule is a fit option (FitArgs.reinitialize).
import type { NativeOptions } from '../../binding';
import { randomNormal, type Initializer, type InitializerLike } from '../initializers';
import { Layer, clipExpArg, epsilonArg, initializerArg, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';

export interface INALUArgs extends LayerArgs {
  /** Initializer of Ŵ (both paths). Default randomNormal {mean: 0.88, stddev: 0.2} (the authors' code). */
  kernelInitializer?: InitializerLike;
  /** Initializer of M̂ (both paths). Default randomNormal {mean: 0.5, stddev: 0.2}. */
  maskInitializer?: InitializerLike;
  /** Initializer of the gate logits G [units]. Default randomNormal {mean: 0, stddev: 0.2}. */
  gateInitializer?: InitializerLike;
  /** ω, the clip of the exponent. Default 20. */
  clipExp?: number;
  /** ε in log(max(|x|, ε)). Default 1e-7. */
  epsilon?: number;
}

export class INALU extends Layer {
  static readonly className = 'INALU';
  readonly kernelInitializer: Initializer;
  readonly maskInitializer: Initializer;
  readonly gateInitializer: Initializer;
  readonly clipExp: number;
  readonly epsilon: number;
  constructor(args: INALUArgs) {
    super(args, ['kernelInitializer', 'maskInitializer', 'gateInitializer', 'clipExp', 'epsilon']);
    this.kernelInitializer = initializerArg(args.kernelInitializer, 'INALU.kernelInitializer', randomNormal({ mean: 0.88, stddev: 0.2 }));
    this.maskInitializer = initializerArg(args.maskInitializer, 'INALU.maskInitializer', randomNormal({ mean: 0.5, stddev: 0.2 }));
    this.gateInitializer = initializerArg(args.gateInitializer, 'INALU.gateInitializer', randomNormal({ mean: 0, stddev: 0.2 }));
    this.clipExp = clipExpArg(args.clipExp, 'INALU.clipExp', 20);
    this.epsilon = epsilonArg(args.epsilon, 'INALU.epsilon', 1e-7);
  }
  protected get nativeType() {
    return 'inalu';
  }
  protected nativeOptions(): NativeOptions {
    return {
      kernelInitializer: this.kernelInitializer.toNative(),
      maskInitializer: this.maskInitializer.toNative(),
      gateInitializer: this.gateInitializer.toNative(),
      clipExp: this.clipExp,
      epsilon: this.epsilon,
    };
  }
  protected ownConfig() {
    return {
      kernelInitializer: this.kernelInitializer.getConfig(),
      maskInitializer: this.maskInitializer.getConfig(),
      gateInitializer: this.gateInitializer.getConfig(),
      clipExp: Number.isFinite(this.clipExp) ? this.clipExp : null,
      epsilon: this.epsilon,
    };
  }
  weightSpecs(inputDim: number): WeightSpec[] {
    const s = [inputDim, this.units];
    return [
      { name: 'W_hat_add', shape: s },
      { name: 'M_hat_add', shape: s },
      { name: 'W_hat_mul', shape: s },
      { name: 'M_hat_mul', shape: s },
      { name: 'G', shape: [this.units] },
    ];
  }
}

registerLayer(INALU);
