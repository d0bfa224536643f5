import { randomUniform, type Initializer, type InitializerLike } from '../initializers';
import { choiceOption, epsilonOption, infiniteOption, initializerOption } from '../options';
import type { Expr } from '../explain/expr';
import { outputs, sigmoid, type SymbolicContext } from '../explain/symbolic';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { nacGrid, nacWeight } from './nac';
import { logPath } from './nalu';
import { nmuGrid } from './nmu';
import { registerLayer } from './registry';
import { nmuSparsity, sparsityOption, type Sparsity, type SparsityArgs } from './sparsity';
import type { OpGraph } from '../export/graph';
import { graphNacWeight } from './nac';

/** How NACMul forms W: 'nac' tanh(Ŵ) ⊙ σ(M̂), 'sigma' σ(Ŵ), 'nmu' W ∈ [0, 1] clamped. @category Layers */
export type NACMulWeight = 'nac' | 'sigma' | 'nmu';
const weightKinds: readonly NACMulWeight[] = ['nac', 'sigma', 'nmu'];

/** Options of NACMul; the sparsity options are weight 'nmu''s only (the NMU's defaults). @category Layers */
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

/**
 * NAC•: m = exp(log(|x| + ε)·W). `weight` picks W: 'nac' (Trask et al. 2018) W = tanh(Ŵ) ⊙ σ(M̂);
 * 'sigma' (NAC•,σ, Madsen & Johansen 2020, stable-nalu PosNACLayer) W = σ(Ŵ); 'nmu' (NAC•,NMU,
 * ReRegualizedLinearPosNACLayer) W ∈ [0, 1] clamped, init U[0.25, 0.75], with the NMU's sparsity
 * regularizer. m overflows to +Infinity once log(|x| + ε)·W > 88.7; clipExp (ω) bounds the exponent.
 * @category Layers
 */
export class NACMul extends Layer {
  static readonly className = 'NACMul';
  static readonly nativeType = 'nacmul';
  static override readonly options = {
    weight: choiceOption<NACMulWeight>('nac', weightKinds),
    kernelInitializer: initializerOption((p) =>
      p.weight === 'nac' ? 'glorotUniform' : p.weight === 'sigma' ? 'glorotNormal' : randomUniform({ minval: 0.25, maxval: 0.75 }),
    ),
    clipExp: infiniteOption(Infinity, 0),
    epsilon: epsilonOption(1e-7),
    sparsity: sparsityOption(nmuSparsity, {
      test: (p) => p.weight === 'nmu',
      why: (p) => `only weight 'nmu' has a sparsity regularizer, received weight '${p.weight}'`,
    }),
  };
  /** How W is formed. */
  declare readonly weight: NACMulWeight;
  /** Initializer of the weights. */
  declare readonly kernelInitializer: Initializer;
  /** ω, the bound of the exponent (Infinity: none). */
  declare readonly clipExp: number;
  /** ε in log(|x| + ε). */
  declare readonly epsilon: number;
  /** The sparsity regularizer (weight 'nmu' only; undefined otherwise). */
  declare readonly sparsity?: Sparsity;
  /** @throws TypeError or RangeError naming the option that is wrong (or a sparsity option without weight 'nmu'). */
  constructor(args: NACMulArgs) {
    super(args);
  }
  /** [W_hat, M_hat] ('nac'), [W_hat] ('sigma') or [W] ('nmu'). */
  weightSpecs(inputDim: number): WeightSpec[] {
    const s = [inputDim, this.units];
    if (this.weight === 'nac') return [{ name: 'W_hat', shape: s }, { name: 'M_hat', shape: s }];
    return [{ name: this.weight === 'sigma' ? 'W_hat' : 'W', shape: s }];
  }
  /** exp(min(log(|x| + ε)·W, ω)), W as `weight` forms it. */
  toGraph(g: OpGraph, x: string): string {
    const w = this.weight === 'nac' ? graphNacWeight(g, 0, 1) : this.weight === 'sigma' ? g.op('Sigmoid', [g.weight(0)]) : g.weight(0);
    const logX = g.op('Log', [g.op('Add', [g.op('Abs', [x]), g.scalar(this.epsilon)])]);
    let l = g.op('MatMul', [logX, w]);
    if (Number.isFinite(this.clipExp)) l = g.op('Min', [l, g.scalar(this.clipExp)]);
    return g.op('Exp', [l]);
  }
  /** Π_i |x_i|^W_ij, W snapped to {−1, 0, 1} ('nac') or {0, 1} ('sigma', 'nmu'). */
  override symbolic(ctx: SymbolicContext): Expr[] {
    const n = this.units, [w0, w1] = ctx.weights;
    const W = this.weight === 'nac' ? nacWeight(w0, w1) : this.weight === 'sigma' ? w0.map(sigmoid) : w0;
    const grid = this.weight === 'nac' ? nacGrid : nmuGrid;
    return outputs(n, (j) => logPath(ctx, (i) => ctx.snap(W[i * n + j], grid), this.epsilon, this.clipExp));
  }
}

registerLayer(NACMul);
