import { randomNormal, type Initializer, type InitializerLike } from '../initializers';
import { epsilonOption, infiniteOption, initializerOption } from '../options';
import { add, call, mul, num, variable, type Expr } from '../explain/expr';
import { linear, outputs, sigmoid, type SymbolicContext } from '../explain/symbolic';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { nacGrid, nacWeight } from './nac';
import { registerLayer } from './registry';
import type { OpGraph } from '../export/graph';
import { graphNacWeight } from './nac';
import { graphNmuProduct } from './nmu';

/** Options of INALU. @category Layers */
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

/**
 * iNALU (Schlör, Ring & Hotho 2020): y = g ⊙ a + (1 − g) ⊙ m ⊙ s with independent NAC weights
 * W_a, W_m, a = x·W_a, m = exp(min(log(max(|x|, ε))·W_m, ω)), the sign correction
 * s = clip(Π_i (sign(x_i)·|W_m,ij| + 1 − |W_m,ij|), −1, 1) and an input-independent gate g = σ(G).
 * The reinitialization rule is a fit option (FitArgs.reinitialize).
 * Weights: W_hat_add, M_hat_add, W_hat_mul, M_hat_mul [in, units], G [units].
 * @category Layers
 */
export class INALU extends Layer {
  static readonly className = 'INALU';
  static readonly nativeType = 'inalu';
  static override readonly options = {
    kernelInitializer: initializerOption(randomNormal({ mean: 0.88, stddev: 0.2 })),
    maskInitializer: initializerOption(randomNormal({ mean: 0.5, stddev: 0.2 })),
    gateInitializer: initializerOption(randomNormal({ mean: 0, stddev: 0.2 })),
    clipExp: infiniteOption(20, 0),
    epsilon: epsilonOption(1e-7),
  };
  /** Initializer of Ŵ. */
  declare readonly kernelInitializer: Initializer;
  /** Initializer of M̂. */
  declare readonly maskInitializer: Initializer;
  /** Initializer of G. */
  declare readonly gateInitializer: Initializer;
  /** ω, the bound of the exponent. */
  declare readonly clipExp: number;
  /** ε in log(max(|x|, ε)). */
  declare readonly epsilon: number;
  /** @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: INALUArgs) {
    super(args);
  }
  /** [W_hat_add, M_hat_add, W_hat_mul, M_hat_mul, G]. */
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
  /** σ(G) ⊙ x·W_a + exp(min(log(max(|x|, ε))·W_m, ω) − softplus(G)) ⊙ clip(Π_i(sign(x_i)|W_m| + 1 − |W_m|), −1, 1). */
  toGraph(g: OpGraph, x: string): string {
    const wMul = graphNacWeight(g, 2, 3);
    const gate = g.weight(4);
    const add = g.op('Mul', [g.op('Sigmoid', [gate]), g.op('MatMul', [x, graphNacWeight(g, 0, 1)])]);
    const logX = g.op('Log', [g.op('Max', [g.op('Abs', [x]), g.scalar(this.epsilon)])]);
    const l = g.op('Min', [g.op('MatMul', [logX, wMul]), g.scalar(this.clipExp)]);
    const mag = g.op('Exp', [g.op('Sub', [l, g.op('Softplus', [gate])])]);
    // sign(x_i)·|W| + 1 − |W|: the NMU's product on sign(x) with |W_m| as its weight.
    const sign = g.op('Clip', [graphNmuProduct(g, g.op('Sign', [x]), g.op('Abs', [wMul])), g.scalar(-1), g.scalar(1)]);
    return g.op('Add', [add, g.op('Mul', [mag, sign])]);
  }
  /**
   * g = σ(G) judged: 1 the sum Σ W_a·x, 0 the product Π x^W_m (|x|^W_m times the sign correction,
   * which is x^W_m for W_m = ±1), else g·sum + (1 − g)·product; W_a, W_m snapped to {−1, 0, 1}.
   */
  override symbolic(ctx: SymbolicContext): Expr[] {
    const [w0, w1, w2, w3, G] = ctx.weights, n = this.units, inputs = ctx.inputs;
    const Wa = nacWeight(w0, w1), Wm = nacWeight(w2, w3), cap = Math.exp(this.clipExp);
    return outputs(n, (j) => {
      const a = linear(inputs, (i) => ctx.snap(Wa[i * n + j], nacGrid));
      const w = Array.from({ length: inputs }, (_, i) => ctx.snap(Wm[i * n + j], nacGrid));
      const x = (i: number) => variable(i);
      const magnitude = mul(w.map((wi, i) => ({ base: ctx.raw ? call('max', call('abs', x(i)), num(this.epsilon)) : call('abs', x(i)), exp: wi })));
      // Every factor of the sign correction is within [−1, 1], so its clip to [−1, 1] never acts.
      const sign = (i: number) => add([{ coef: Math.abs(w[i]), expr: call('sign', x(i)) }], 1 - Math.abs(w[i]));
      // The clip e^ω on |m| stays where the data reaches it (and in the raw form).
      const clipped = Number.isFinite(cap) && (ctx.raw || ctx.evaluate(magnitude).some((v) => !(v <= cap)));
      let m: Expr;
      if (ctx.raw || clipped)
        m = mul([{ base: clipped ? call('min', magnitude, num(cap)) : magnitude }, ...w.map((_, i) => ({ base: sign(i) }))]);
      else m = mul(w.map((wi, i) => (Number.isInteger(wi) ? { base: x(i), exp: wi } : { base: mul([{ base: call('abs', x(i)), exp: wi }, { base: sign(i) }]) })));
      const g = ctx.judge([sigmoid(G[j])], [0, 1]);
      if (g === 1) return a;
      if (g === 0) return m;
      const gv = ctx.snap(sigmoid(G[j]), []);
      return add([{ coef: gv, expr: a }, { coef: 1 - gv, expr: m }]);
    });
  }
}

registerLayer(INALU);
