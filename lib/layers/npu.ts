// NPU and RealNPU (Heim, Pevný & Šmídl 2020, "Neural Power Units"). ĝ = clamp(g, 0, 1) per input,
// r = ĝ ⊙ (|x| + ε) + (1 − ĝ), k = ĝ ⊙ π·[x < 0];
// NPU: z = exp(log r·W_re − k·W_im) ⊙ cos(k·W_re + log r·W_im); RealNPU: z = exp(log r·W) ⊙ cos(k·W).
// Optional L1 penalty β·Σ|p| over all the unit's parameters with Mistry et al.'s (2021) step schedule
// for β (see NPUL1 below and native/kernels/npu.cc).
import { constant, type Initializer, type InitializerLike } from '../initializers';
import { epsilonOption, groupOption, initializerOption, type Schema } from '../options';
import { checkNumber } from '../registry';
import { add, call, mul, variable, type Expr } from '../explain/expr';
import { outputs, type SymbolicContext } from '../explain/symbolic';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';
import type { OpGraph } from '../export/graph';

/**
 * The L1 penalty β·Σ|p|, summed over every parameter of the unit (W or W_re, W_im, and the raw gate g),
 * of Mistry et al. 2021 (nalm-benchmark single_layer_benchmark.py, --regualizer-l1 with
 * --regualizer-beta-start/-end/-step/-growth). β = l1Start at step 0; at every step t > 0 with
 * t % l1Step == 0, β ×= l1Growth while β < l1End (÷ l1Growth while β > l1End when l1Start > l1End);
 * t = optimizer steps taken before this one. l1End must be l1Start·l1Growth^±k for an integer k, so β
 * stops on it (past an l1End off that grid the reference flips between the two levels around it).
 */
export interface NPUL1Args {
  /** β at step 0. Default 0: no penalty. */
  l1Start?: number;
  /** The β the schedule stops at. Default l1Start (constant β). */
  l1End?: number;
  /** Steps between two changes of β. Default 10000. */
  l1Step?: number;
  /** Factor of each change. Default 10. */
  l1Growth?: number;
}

/** @inline */
export interface NPUL1 {
  /** β at step 0 (0: no penalty). */
  l1Start: number;
  /** The β the schedule stops at. */
  l1End: number;
  /** Steps between two changes of β. */
  l1Step: number;
  /** Factor of each change. */
  l1Growth: number;
}

const npuL1Option = () =>
  groupOption<NPUL1>(['l1Start', 'l1End', 'l1Step', 'l1Growth'], (args, where) => {
    const l1Start = checkNumber(args.l1Start ?? 0, where('l1Start'), 0, 1e30);
    const l1End = checkNumber(args.l1End ?? l1Start, where('l1End'), 0, 1e30);
    const l1Step = checkNumber(args.l1Step ?? 10000, where('l1Step'), 1, 1e18, true);
    const l1Growth = checkNumber(args.l1Growth ?? 10, where('l1Growth'), 1, 1e30);
    if (l1End !== l1Start) {
      const refuse = (why: string) =>
        new RangeError(`${where('l1End')}: expected ${why}, received ${l1End} (l1Start ${l1Start}, l1Growth ${l1Growth})`);
      if (l1Start === 0) throw refuse('0 when l1Start is 0 (β = 0 never grows)');
      if (l1End === 0) throw refuse('a number > 0 (β never reaches 0 by division)');
      if (l1Growth === 1) throw refuse('l1Start when l1Growth is 1 (β stays at l1Start)');
      const k = Math.round(Math.abs(Math.log(l1End / l1Start)) / Math.log(l1Growth));
      const f = l1Growth ** k, reached = l1End > l1Start ? l1Start * f : l1Start / f;
      if (!(k >= 1 && k <= 1e18 && Math.abs(reached - l1End) <= 1e-9 * l1End))
        throw refuse('l1Start·l1Growth^k or l1Start/l1Growth^k for an integer k >= 1, so that the schedule stops at it');
    }
    return { l1Start, l1End, l1Step, l1Growth };
  });

/** Options of RealNPU. @category Layers */
export interface RealNPUArgs extends LayerArgs, NPUL1Args {
  /** Initializer of the (real) weights. Default 'glorotUniform'. */
  kernelInitializer?: InitializerLike;
  /** Initializer of the relevance gate g [in]. Default constant 0.5. */
  gateInitializer?: InitializerLike;
  /** ε in |x| + ε. Default 1.1920929e-7 (float32 machine epsilon, as the paper's code). */
  epsilon?: number;
}

/** Options of NPU: those of RealNPU, for W_re, and the initializer of W_im. @category Layers */
export interface NPUArgs extends RealNPUArgs {
  /** Initializer of W_im. Default 'zeros'. */
  imaginaryInitializer?: InitializerLike;
}

/**
 * RealNPU (Heim, Pevný & Šmídl 2020): z = exp(log r·W) ⊙ cos(k·W), r = ĝ ⊙ (|x| + ε) + (1 − ĝ), k = ĝ ⊙ π·[x < 0],
 * ĝ = clamp(g, 0, 1), g the relevance gate per input; an optional L1 penalty with Mistry et al.'s (2021) step schedule
 * for β (l1Start, l1End, l1Step, l1Growth). Weights: W [in, units], g [in].
 * @category Layers
 */
export class RealNPU extends Layer {
  static readonly className: string = 'RealNPU';
  static readonly nativeType: string = 'realnpu';
  /** @internal */
  static override readonly options: Schema = {
    kernelInitializer: initializerOption('glorotUniform'),
    gateInitializer: initializerOption(constant(0.5)),
    epsilon: epsilonOption(1.1920929e-7),
    l1: npuL1Option(),
  };
  /** Initializer of W (NPU: W_re). */
  declare readonly kernelInitializer: Initializer;
  /** Initializer of g. */
  declare readonly gateInitializer: Initializer;
  /** ε in |x| + ε. */
  declare readonly epsilon: number;
  /** The L1 penalty's schedule (l1Start 0: off). */
  declare readonly l1: NPUL1;
  /** @throws TypeError or RangeError naming the option that is wrong (an l1End off the schedule's grid too). */
  constructor(args: RealNPUArgs) {
    super(args);
  }
  /** [W, g]. */
  weightSpecs(inputDim: number): WeightSpec[] {
    return [
      { name: 'W', shape: [inputDim, this.units] },
      { name: 'g', shape: [inputDim] },
    ];
  }
  /** exp(log r·W) ⊙ cos(k·W). */
  toGraph(g: OpGraph, x: string): string {
    const { logR, k } = this.graphInputs(g, x, 1);
    const w = g.weight(0);
    return g.op('Mul', [g.op('Exp', [g.op('MatMul', [logR, w])]), g.op('Cos', [g.op('MatMul', [k, w])])]);
  }
  /** @internal log r and k, r = ĝ(|x| + ε) + 1 − ĝ, k = ĝπ·[x < 0], ĝ = clamp(g, 0, 1) of weight `gate`. */
  protected graphInputs(g: OpGraph, x: string, gate: number): { logR: string; k: string } {
    const gHat = g.op('Clip', [g.weight(gate), g.scalar(0), g.scalar(1)]);
    const r = g.op('Add', [g.op('Mul', [gHat, g.op('Add', [g.op('Abs', [x]), g.scalar(this.epsilon)])]), g.op('Sub', [g.scalar(1), gHat])]);
    const k = g.op('Mul', [g.op('Cast', [g.op('Less', [x, g.scalar(0)])], { to: 1 }), g.op('Mul', [gHat, g.scalar(Math.PI)])]);
    return { logR: g.op('Log', [r]), k };
  }
  /** Π_i x_i^W_ij over the inputs whose gate is 1, W snapped to the halves and thirds in [−3, 3]. */
  override symbolic(ctx: SymbolicContext): Expr[] {
    return powers(ctx, this.units, this.epsilon, ctx.weights[0], undefined, ctx.weights[1]);
  }
}

/** The exponents an NPU weight snaps to: the integers, halves and thirds in [−3, 3]. */
export const npuGrid: readonly number[] = [...new Set([1, 2, 3].flatMap((d) => Array.from({ length: 6 * d + 1 }, (_, k) => (k - 3 * d) / d)))].sort((a, b) => a - b);

/**
 * Π_i r_i^W_re · exp(−π Σ_i k_i·W_im) · cos(π Σ_i k_i·W_re + Σ_i W_im·log r_i), k_i = ĝ_i·[x_i < 0],
 * r_i = ĝ_i·|x_i| + 1 − ĝ_i (+ ĝ_i·ε raw): the gate ĝ snaps to {0, 1}, W_re to npuGrid, W_im to 0.
 * An open gate and an integer exponent give x^W itself: |x|^n·cos(π·n·[x < 0]) = x^n.
 */
function powers(ctx: SymbolicContext, n: number, epsilon: number, wRe: Float64Array, wIm: Float64Array | undefined, g: Float64Array): Expr[] {
  return outputs(n, (j) => {
    const factors: { base: Expr; exp: number }[] = [];
    const phase: { coef: number; expr: Expr }[] = [], damping: { coef: number; expr: Expr }[] = [];
    for (let i = 0; i < ctx.inputs; i++) {
      const gate = ctx.snap(Math.min(1, Math.max(0, g[i])), [0, 1]);
      if (gate === 0) continue;
      const re = ctx.snap(wRe[i * n + j], npuGrid), im = wIm ? ctx.snap(wIm[i * n + j], [0]) : 0;
      const x = variable(i), negative = call('negative', x);
      if (!ctx.raw && gate === 1 && im === 0 && Number.isInteger(re)) {
        factors.push({ base: x, exp: re });
        continue;
      }
      const r = add([{ coef: gate, expr: call('abs', x) }], (ctx.raw ? gate * epsilon : 0) + 1 - gate);
      factors.push({ base: r, exp: re });
      phase.push({ coef: gate * re, expr: negative });
      if (im !== 0) {
        phase.push({ coef: im / Math.PI, expr: call('log', r) });
        damping.push({ coef: -Math.PI * gate * im, expr: negative });
      }
    }
    return mul([...factors, { base: call('cospi', add(phase)), exp: 1 }, { base: call('exp', add(damping)), exp: 1 }]);
  });
}

/**
 * NPU (Heim, Pevný & Šmídl 2020), the complex-weight unit: z = exp(log r·W_re − k·W_im) ⊙ cos(k·W_re + log r·W_im),
 * r, k and g as RealNPU's.
 * Weights: W_re, W_im [in, units], g [in].
 * @category Layers
 */
export class NPU extends RealNPU {
  static override readonly className: string = 'NPU';
  static override readonly nativeType: string = 'npu';
  /** @internal */
  static override readonly options: Schema = { ...RealNPU.options, imaginaryInitializer: initializerOption('zeros') };
  /** Initializer of W_im. */
  declare readonly imaginaryInitializer: Initializer;
  /** @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: NPUArgs) {
    super(args);
  }
  /** [W_re, W_im, g]. */
  override weightSpecs(inputDim: number): WeightSpec[] {
    const s = [inputDim, this.units];
    return [
      { name: 'W_re', shape: s },
      { name: 'W_im', shape: s },
      { name: 'g', shape: [inputDim] },
    ];
  }
  /** exp(log r·W_re − k·W_im) ⊙ cos(k·W_re + log r·W_im). */
  override toGraph(g: OpGraph, x: string): string {
    const { logR, k } = this.graphInputs(g, x, 2);
    const re = g.weight(0), im = g.weight(1);
    const mag = g.op('Exp', [g.op('Sub', [g.op('MatMul', [logR, re]), g.op('MatMul', [k, im])])]);
    return g.op('Mul', [mag, g.op('Cos', [g.op('Add', [g.op('MatMul', [k, re]), g.op('MatMul', [logR, im])])])]);
  }
  /** As RealNPU's with W_re, once W_im snaps to 0; else its damping and phase stay. */
  override symbolic(ctx: SymbolicContext): Expr[] {
    return powers(ctx, this.units, this.epsilon, ctx.weights[0], ctx.weights[1], ctx.weights[2]);
  }
}

// NPU first: the order layerRegistry.names() has always listed them in.
registerLayer(NPU);
registerLayer(RealNPU);
