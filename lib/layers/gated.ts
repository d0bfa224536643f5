import type { Initializer, InitializerLike } from '../initializers';
import { initializerOption, paperInitializerOption } from '../options';
import { variable, type Expr } from '../explain/expr';
import { linear, outputs, sigmoid, sigmoidGate, type SymbolicContext } from '../explain/symbolic';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { nauGrid } from './nau';
import { nmuGrid, nmuProduct } from './nmu';
import { registerLayer } from './registry';
import { nmuSparsity, sparsityOption, type Sparsity, type SparsityArgs } from './sparsity';
import type { OpGraph } from '../export/graph';
import { graphNmuProduct } from './nmu';

/** Options of GatedNAUNMU; the sparsity regularizer's default is the NMU's. @category Layers */
export interface GatedNAUNMUArgs extends LayerArgs, SparsityArgs {
  /** Initializer of W_add. Default: the NAU's U[−r, r], r = min(0.5, √3·√(2/(in+out))). */
  addInitializer?: InitializerLike;
  /** Initializer of W_mul. Default: the NMU's U[0.25, 0.75]. */
  mulInitializer?: InitializerLike;
  /** Initializer of the gate G. Default 'glorotUniform' (stable-nalu: xavier_uniform, gain 1). */
  gateInitializer?: InitializerLike;
}

/**
 * Gated NAU/NMU (Madsen & Johansen 2020, appendix; stable-nalu ReRegualizedLinearNALULayer with
 * nalu_two_nac, nalu_mul='mnac'): y = g ⊙ (x·W_add) + (1 − g) ⊙ NMU(x; W_mul), g = σ(x·G), no bias.
 * W_add as the NAU's (clamp [−1, 1]), W_mul as the NMU's (clamp [0, 1]); regularizer: both sparsity terms.
 * Weights: W_add, W_mul, G [in, units].
 * @category Layers
 */
export class GatedNAUNMU extends Layer {
  static readonly className = 'GatedNAUNMU';
  static readonly nativeType = 'gatednaunmu';
  static override readonly options = {
    addInitializer: paperInitializerOption(),
    mulInitializer: paperInitializerOption(),
    gateInitializer: initializerOption('glorotUniform'),
    sparsity: sparsityOption(nmuSparsity),
  };
  /** undefined: the paper's initialization. */
  declare readonly addInitializer?: Initializer;
  /** Initializer of W_mul (undefined: the paper's). */
  declare readonly mulInitializer?: Initializer;
  /** Initializer of G. */
  declare readonly gateInitializer: Initializer;
  /** λ̂ and warm-up of both regularizers (W_add's signed, W_mul's unsigned). */
  declare readonly sparsity: Sparsity;

  /** @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: GatedNAUNMUArgs) {
    super(args);
  }
  /** [W_add, W_mul, G]. */
  weightSpecs(inputDim: number): WeightSpec[] {
    const s = [inputDim, this.units];
    return [
      { name: 'W_add', shape: s },
      { name: 'W_mul', shape: s },
      { name: 'G', shape: s },
    ];
  }
  /** σ(x·G) ⊙ x·W_add + σ(−x·G) ⊙ NMU(x; W_mul). */
  toGraph(g: OpGraph, x: string): string {
    const z = g.op('MatMul', [x, g.weight(2)]);
    const add = g.op('Mul', [g.op('Sigmoid', [z]), g.op('MatMul', [x, g.weight(0)])]);
    // 1 − σ(z) as σ(−z): exact where the gate saturates near 1.
    const mul = g.op('Mul', [g.op('Sigmoid', [g.op('Neg', [z])]), graphNmuProduct(g, x, g.weight(1))]);
    return g.op('Add', [add, mul]);
  }
  /** g = σ(x·G) judged over the data: 1 the NAU's sum, 0 the NMU's product, else both, gated. */
  override symbolic(ctx: SymbolicContext): Expr[] {
    const [Wa, Wm, G] = ctx.weights, n = this.units, inputs = ctx.inputs;
    const xs = Array.from({ length: inputs }, (_, i) => variable(i));
    return outputs(n, (j) => {
      const a = linear(inputs, (i) => ctx.snap(Wa[i * n + j], nauGrid));
      const m = nmuProduct(xs, (i) => ctx.snap(Wm[i * n + j], nmuGrid));
      const g = ctx.judge(ctx.evaluate(linear(inputs, (i) => G[i * n + j])).map(sigmoid), [0, 1]);
      return g === 1 ? a : g === 0 ? m : sigmoidGate(linear(inputs, (i) => ctx.snap(G[i * n + j], [])), a, m);
    });
  }
}

registerLayer(GatedNAUNMU);
