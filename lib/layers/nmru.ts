import type { Initializer, InitializerLike } from '../initializers';
import { booleanOption, epsilonOption, paperInitializerOption } from '../options';
import { add, call, mul, pow, variable, type Expr } from '../explain/expr';
import { outputs, type SymbolicContext } from '../explain/symbolic';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { nmuGrid, nmuProduct } from './nmu';
import { registerLayer } from './registry';
import { sparsityOption, type Sparsity, type SparsityArgs } from './sparsity';
import type { OpGraph } from '../export/graph';
import { graphNmuProduct } from './nmu';

/** Options of NMRU; the sparsity regularizer's default: λ̂ 10 over 40 % → 70 % of a fit. @category Layers */
export interface NMRUArgs extends LayerArgs, SparsityArgs {
  /** Initializer of W [2·in, units]. Default: U[0.25, 0.75]. */
  kernelInitializer?: InitializerLike;
  /** Sign from cos(π·[x' < 0]·W), magnitude from |x'| (the paper's sign-retrieval variant). Default false. */
  signRetrieval?: boolean;
  /** Floor of |x| in 1/x. Default 1.1920929e-7. */
  epsilon?: number;
}

/**
 * NMRU (Mistry, Li & Hare 2021): an NMU over x' = [x, 1/x], y_j = Π_i (W_ij·x'_i + 1 − W_ij), so that
 * W = [1, 0, 0, 1] gives a/b. W ∈ [0, 1] (clamped), init U[0.25, 0.75], the NMU sparsity regularizer.
 * 1/x uses |x| floored at ε (sign kept). signRetrieval: y = NMU(|x'|) ⊙ cos(π·[x' < 0]·W).
 * Weights: W [2·in, units].
 * @category Layers
 */
export class NMRU extends Layer {
  static readonly className = 'NMRU';
  static readonly nativeType = 'nmru';
  static override readonly options = {
    kernelInitializer: paperInitializerOption(),
    signRetrieval: booleanOption(false),
    epsilon: epsilonOption(1.1920929e-7),
    // nalm-benchmark single_layer_benchmark.sh: λ̂ 10 over steps 2·10⁴ → 3.5·10⁴ of 5·10⁴.
    sparsity: sparsityOption({ lambda: 10, start: 0.4, end: 0.7 }),
  };
  /** Initializer of W (undefined: the paper's U[0.25, 0.75]). */
  declare readonly kernelInitializer?: Initializer;
  /** Whether the sign comes from cos(π·[x' < 0]·W). */
  declare readonly signRetrieval: boolean;
  /** Floor of |x| in 1/x. */
  declare readonly epsilon: number;
  /** Its sparsity regularizer. */
  declare readonly sparsity: Sparsity;
  /** @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: NMRUArgs) {
    super(args);
  }
  /** [W], over the 2·in inputs [x, 1/x]. */
  weightSpecs(inputDim: number): WeightSpec[] {
    return [{ name: 'W', shape: [2 * inputDim, this.units] }];
  }
  /** The NMU over [x, 1/x] (|x| floored at ε, sign kept); signRetrieval: over |x'|, times cos(π·[x' < 0]·W). */
  toGraph(g: OpGraph, x: string): string {
    const neg = g.op('Less', [x, g.scalar(0)]);
    const floored = g.op('Where', [neg, g.op('Min', [x, g.scalar(-this.epsilon)]), g.op('Max', [x, g.scalar(this.epsilon)])]);
    const both = g.op('Concat', [x, g.op('Reciprocal', [floored])], { axis: 1 });
    if (!this.signRetrieval) return graphNmuProduct(g, both, g.weight(0));
    const mag = graphNmuProduct(g, g.op('Abs', [both]), g.weight(0));
    const k = g.op('Mul', [g.op('Cast', [neg], { to: 1 }), g.scalar(Math.PI)]);
    const phase = g.op('MatMul', [g.op('Concat', [k, k], { axis: 1 }), g.weight(0)]);
    return g.op('Mul', [mag, g.op('Cos', [phase])]);
  }
  /**
   * The NMU's product over [x, 1/x], W snapped to {0, 1}: x_a·(1/x_b) reads x_a / x_b. signRetrieval:
   * Π (W·|x'| + 1 − W)·cos(π Σ W·[x' < 0]), where a weight of 1 gives back x' itself. (The ε floor
   * of |x| in 1/x is left out: it acts only for |x| < ε.)
   */
  override symbolic(ctx: SymbolicContext): Expr[] {
    const W = ctx.weights[0], n = this.units, inputs = ctx.inputs;
    const xs = Array.from({ length: 2 * inputs }, (_, k) => (k < inputs ? variable(k) : pow(variable(k - inputs), -1)));
    return outputs(n, (j) => {
      const w = xs.map((_, k) => ctx.snap(W[k * n + j], nmuGrid));
      if (!this.signRetrieval) return nmuProduct(xs, (k) => w[k]);
      const factors: Expr[] = [], phase: { coef: number; expr: Expr }[] = [];
      xs.forEach((x, k) => {
        if (!ctx.raw && w[k] === 1) return factors.push(x);
        factors.push(add([{ coef: w[k], expr: call('abs', x) }], 1 - w[k]));
        phase.push({ coef: w[k], expr: call('negative', variable(k % inputs)) });
      });
      return mul([...factors, call('cospi', add(phase))].map((base) => ({ base })));
    });
  }
}

registerLayer(NMRU);
