// NMRU (Mistry, Li & Hare 2021): an NMU over x' = [x, 1/x], y_j = Π_i (W_ij·x'_i + 1 − W_ij), so that
// W = [1, 0, 0, 1] gives a/b. W ∈ [0, 1] (clamped), init U[0.25, 0.75], the NMU sparsity regularizer.
// 1/x uses |x| floored at ε (sign kept). signRetrieval: y = NMU(|x'|) ⊙ cos(π·[x' < 0]·W).
import type { NativeOptions } from '../../binding';
import type { Initializer, InitializerLike } from '../initializers';
import { checkBoolean } from '../registry';
import { Layer, epsilonArg, initializersConfig, initializersNative, optionalInitializerArg, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';
import { checkSparsity, sparsityKeys, type Sparsity, type SparsityArgs } from './sparsity';

export interface NMRUArgs extends LayerArgs, SparsityArgs {
  /** Initializer of W [2·in, units]. Default: U[0.25, 0.75]. */
  kernelInitializer?: InitializerLike;
  /** Sign from cos(π·[x' < 0]·W), magnitude from |x'| (the paper's sign-retrieval variant). Default false. */
  signRetrieval?: boolean;
  /** Floor of |x| in 1/x. Default 1.1920929e-7. */
  epsilon?: number;
}

export class NMRU extends Layer {
  static readonly className = 'NMRU';
  readonly kernelInitializer?: Initializer;
  readonly signRetrieval: boolean;
  readonly epsilon: number;
  readonly sparsity: Sparsity;
  constructor(args: NMRUArgs) {
    super(args, ['kernelInitializer', 'signRetrieval', 'epsilon', ...sparsityKeys]);
    this.kernelInitializer = optionalInitializerArg(args.kernelInitializer, 'NMRU.kernelInitializer', 'glorotUniform');
    this.signRetrieval = checkBoolean(args.signRetrieval ?? false, 'NMRU.signRetrieval');
    this.epsilon = epsilonArg(args.epsilon, 'NMRU.epsilon', 1.1920929e-7);
    this.sparsity = checkSparsity(args, 'NMRU');
  }
  protected get nativeType() {
    return 'nmru';
  }
  protected nativeOptions(): NativeOptions {
    return {
      ...initializersNative({ kernelInitializer: this.kernelInitializer }),
      signRetrieval: this.signRetrieval,
      epsilon: this.epsilon,
      ...this.sparsity,
    };
  }
  protected ownConfig() {
    return {
      ...initializersConfig({ kernelInitializer: this.kernelInitializer }),
      signRetrieval: this.signRetrieval,
      epsilon: this.epsilon,
      ...this.sparsity,
    };
  }
  weightSpecs(inputDim: number): WeightSpec[] {
    return [{ name: 'W', shape: [2 * inputDim, this.units] }];
  }
}

registerLayer(NMRU);
