import type { Initializer, InitializerLike } from '../initializers';
import { booleanOption, initializerOption, registryOption } from '../options';
import { Registry } from '../registry';
import { add, call, mul, num, scale, type Expr } from '../explain/expr';
import { linear, outputs, type SymbolicContext } from '../explain/symbolic';
import { Layer, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';
import type { OpGraph } from '../export/graph';

/** The activation of a Dense layer (Keras' names). @category Layers */
export type Activation = 'linear' | 'relu' | 'relu6' | 'tanh' | 'sigmoid' | 'softsign' | 'elu' | 'selu';
/** The activation names, as DenseArgs.activation takes them. @category Layers */
export const activationRegistry = new Registry<Activation>('activation');
for (const a of ['linear', 'relu', 'relu6', 'tanh', 'sigmoid', 'softsign', 'elu', 'selu'] as Activation[])
  activationRegistry.register(a, a);

/** Options of Dense. @category Layers */
export interface DenseArgs extends LayerArgs {
  /** Default 'linear'. */
  activation?: Activation;
  /** Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerLike;
  /** Default 'zeros'. */
  biasInitializer?: InitializerLike;
}

/**
 * Dense: y = activation(x·kernel + bias), the baseline of the NALU papers.
 * Weights: kernel [in, units], bias [units] (with useBias).
 * @category Layers
 */
export class Dense extends Layer {
  static readonly className = 'Dense';
  static readonly nativeType = 'dense';
  static override readonly options = {
    activation: registryOption('linear', activationRegistry),
    useBias: booleanOption(true),
    kernelInitializer: initializerOption('glorotUniform'),
    biasInitializer: initializerOption('zeros'),
  };
  /** Its activation. */
  declare readonly activation: Activation;
  /** Whether it adds a bias. */
  declare readonly useBias: boolean;
  /** Initializer of kernel. */
  declare readonly kernelInitializer: Initializer;
  /** Initializer of bias. */
  declare readonly biasInitializer: Initializer;

  /** @throws TypeError or RangeError naming the option that is wrong. */
  constructor(args: DenseArgs) {
    super(args);
  }
  /** [kernel, bias] or [kernel]. */
  weightSpecs(inputDim: number): WeightSpec[] {
    const w = [{ name: 'kernel', shape: [inputDim, this.units] }];
    return this.useBias ? [...w, { name: 'bias', shape: [this.units] }] : w;
  }
  /** Gemm (MatMul without a bias) and the activation's operator. */
  toGraph(g: OpGraph, x: string): string {
    const z = this.useBias ? g.op('Gemm', [x, g.weight(0), g.weight(1)]) : g.op('MatMul', [x, g.weight(0)]);
    switch (this.activation) {
      case 'linear': return z;
      case 'relu': return g.op('Relu', [z]);
      case 'relu6': return g.op('Clip', [z, g.scalar(0), g.scalar(6)]);
      case 'tanh': return g.op('Tanh', [z]);
      case 'sigmoid': return g.op('Sigmoid', [z]);
      case 'softsign': return g.op('Softsign', [z]);
      case 'elu': return g.op('Elu', [z], { alpha: 1 });
      case 'selu': return g.op('Selu', [z]);
    }
  }
  /** activation(Σ_i kernel_ij·x_i + bias_j), a weight snapped to an integer near it. */
  override symbolic(ctx: SymbolicContext): Expr[] {
    const [K, b] = ctx.weights, n = this.units;
    const snap = (w: number) => ctx.snap(w, [Math.round(w)]);
    return outputs(n, (j) => activate[this.activation](linear(ctx.inputs, (i) => snap(K[i * n + j]), b ? snap(b[j]) : 0)));
  }
}

const SELU_ALPHA = 1.6732632423543772, SELU_SCALE = 1.0507009873554805;
// The ELU's negative branch exp(z) − 1, as min(0, ·) picks it.
const eluTail = (z: Expr) => call('min', num(0), add([{ coef: 1, expr: call('exp', z) }], -1));
const relu = (z: Expr) => call('max', num(0), z);
/** Each activation as an expression of the pre-activation z. */
const activate: Record<Activation, (z: Expr) => Expr> = {
  linear: (z) => z,
  relu,
  relu6: (z) => call('min', relu(z), num(6)),
  tanh: (z) => call('tanh', z),
  sigmoid: (z) => mul([{ base: add([{ coef: 1, expr: call('exp', scale(-1, z)) }], 1), exp: -1 }]),
  softsign: (z) => mul([{ base: z }, { base: add([{ coef: 1, expr: call('abs', z) }], 1), exp: -1 }]),
  elu: (z) => add([{ coef: 1, expr: relu(z) }, { coef: 1, expr: eluTail(z) }]),
  selu: (z) => add([{ coef: SELU_SCALE, expr: relu(z) }, { coef: SELU_SCALE * SELU_ALPHA, expr: eluTail(z) }]),
};

registerLayer(Dense);
