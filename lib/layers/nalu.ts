import type { Initializer, InitializerLike } from '../initializers';
import { booleanOption, epsilonOption, infiniteOption, initializerOption, registryOption } from '../options';
import { Registry } from '../registry';
import { add, call, mul, num, variable, type Expr } from '../explain/expr';
import { linear, outputs, sigmoid, sigmoidGate, type SymbolicContext } from '../explain/symbolic';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { nacGrid, nacWeight } from './nac';
import { registerLayer } from './registry';
import type { OpGraph } from '../export/graph';
import { graphNacWeight } from './nac';

/** NALU's gate: 'input' g = σ(x·G) (Trask et al.), 'independent' g = σ(G) (iNALU). @category Layers */
export type GateKind = 'input' | 'independent';
const gates = new Registry<GateKind>('gate');
gates.register('input', 'input');
gates.register('independent', 'independent');

/** Options of NALU. @category Layers */
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

/**
 * NALU (Trask et al. 2018): y = g ⊙ a + (1 − g) ⊙ m, a = x·W, m = exp(log(|x| + ε)·W), g = σ(x·G),
 * W = tanh(Ŵ) ⊙ σ(M̂). (1 − g) ⊙ m is computed in log space, so it is never 0·∞ = NaN; it
 * overflows to +Infinity when log m − softplus(x·G) > 88.7 (set clipExp to bound it).
 * Weights: W_hat, M_hat [in, units], G ([in, units], or [units] for an independent gate), W_hat_mul, M_hat_mul with separateWeights.
 * @category Layers
 */
export class NALU extends Layer {
  static readonly className = 'NALU';
  static readonly nativeType = 'nalu';
  static override readonly options = {
    kernelInitializer: initializerOption('glorotUniform'),
    gate: registryOption('input', gates),
    gateInitializer: initializerOption((p) => (p.gate === 'input' ? 'glorotUniform' : 'zeros')),
    separateWeights: booleanOption(false),
    clipExp: infiniteOption(Infinity, 0),
    epsilon: epsilonOption(1e-7),
  };
  /** Initializer of Ŵ and M̂. */
  declare readonly kernelInitializer: Initializer;
  /** Initializer of G. */
  declare readonly gateInitializer: Initializer;
  /** Whether the multiplicative path has its own Ŵ, M̂. */
  declare readonly separateWeights: boolean;
  /** The gate kind. */
  declare readonly gate: GateKind;
  /** ω, the bound of the exponent (Infinity: none). */
  declare readonly clipExp: number;
  /** ε in log(|x| + ε). */
  declare readonly epsilon: number;

  /** @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: NALUArgs) {
    super(args);
  }
  /** [W_hat, M_hat, G], then W_hat_mul, M_hat_mul with separateWeights. */
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
  /** g ⊙ x·W + exp(min(log(|x| + ε)·W, ω) − softplus(z)), z = x·G (or G): the native log-space form. */
  toGraph(g: OpGraph, x: string): string {
    const w = graphNacWeight(g, 0, 1);
    const wMul = this.separateWeights ? graphNacWeight(g, 3, 4) : w;
    const z = this.gate === 'input' ? g.op('MatMul', [x, g.weight(2)]) : g.weight(2);
    const logX = g.op('Log', [g.op('Add', [g.op('Abs', [x]), g.scalar(this.epsilon)])]);
    let l = g.op('MatMul', [logX, wMul]);
    if (Number.isFinite(this.clipExp)) l = g.op('Min', [l, g.scalar(this.clipExp)]);
    const mul = g.op('Exp', [g.op('Sub', [l, g.op('Softplus', [z])])]);
    return g.op('Add', [g.op('Mul', [g.op('Sigmoid', [z]), g.op('MatMul', [x, w])]), mul]);
  }
  /**
   * The gate judged over the data: open (g ≈ 1) the sum Σ W·x, closed (g ≈ 0) the product
   * Π |x|^W, else both, gated; W snapped to {−1, 0, 1}.
   */
  override symbolic(ctx: SymbolicContext): Expr[] {
    const [wHat, mHat, G] = ctx.weights, n = this.units, inputs = ctx.inputs;
    const W = nacWeight(wHat, mHat), Wm = this.separateWeights ? nacWeight(ctx.weights[3], ctx.weights[4]) : W;
    return outputs(n, (j) => {
      const a = linear(inputs, (i) => ctx.snap(W[i * n + j], nacGrid));
      const m = logPath(ctx, (i) => ctx.snap(Wm[i * n + j], nacGrid), this.epsilon, this.clipExp);
      const z = (w: (v: number) => number) => (this.gate === 'input' ? linear(inputs, (i) => w(G[i * n + j])) : num(w(G[j])));
      const g = ctx.judge(ctx.evaluate(z((v) => v)).map(sigmoid), [0, 1]);
      return g === 1 ? a : g === 0 ? m : sigmoidGate(z((v) => ctx.snap(v, [])), a, m);
    });
  }
}

/**
 * NAC•'s path exp(min(log(|x| + ε)·w, ω)) as the product of powers min(Π |x_i|^w_i, e^ω); ε only in
 * the raw form (the min goes where the data never reaches it).
 */
export function logPath(ctx: SymbolicContext, w: (i: number) => number, epsilon: number, clipExp: number): Expr {
  const base = (i: number) => (ctx.raw ? add([{ coef: 1, expr: call('abs', variable(i)) }], epsilon) : call('abs', variable(i)));
  const p = mul(Array.from({ length: ctx.inputs }, (_, i) => ({ base: base(i), exp: w(i) })));
  return Number.isFinite(clipExp) ? call('min', p, num(Math.exp(clipExp))) : p;
}

registerLayer(NALU);
