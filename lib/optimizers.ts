// Optimizers (stepped natively, Keras' update rules). All take learningRate, clipNorm (global
// gradient norm) and clipValue (per element); each declares its options once in `options`.
import type { NativeOptions } from '../binding';
import { booleanOption, configOf, infiniteOption, nativeOptionsOf, numberOption, readOptions, type Schema } from './options';
import { namedClasses, type Serialized } from './registry';

/** The options every optimizer takes; its own options add to them. @category Optimizers */
export interface OptimizerArgs {
  /** η, ≥ 0. Default: the optimizer's (SGD 0.01, Adam and RMSprop 1e-3). */
  learningRate?: number;
  /** Scale all gradients so that their global L2 norm is at most clipNorm. */
  clipNorm?: number;
  /** Clip every gradient element to [−clipValue, clipValue]. */
  clipValue?: number;
}

/** The options every optimizer has, around its own (getConfig order: learningRate, own, clips). */
function optimizerSchema(defaultLr: number, own: Schema): Schema {
  return {
    learningRate: numberOption(defaultLr, 0, 1e30),
    ...own,
    clipNorm: infiniteOption(undefined, Number.MIN_VALUE, false),
    clipValue: infiniteOption(undefined, Number.MIN_VALUE, false),
  };
}

/**
 * An optimizer, stepped natively with Keras' update rules. Use a subclass, or its name in compile({optimizer}).
 * The constructor throws TypeError or RangeError naming an option that is wrong or unknown.
 * @category Optimizers
 */
export abstract class Optimizer {
  /** The class name model.json records ('Adam'). */
  static readonly className: string;
  /** The name compile takes ('adam'). */
  static readonly nativeType: string;
  /** @internal */
  static readonly options: Schema;
  #learningRate = 0;
  #onLearningRate?: (learningRate: number) => void;
  /** The global gradient-norm clip (undefined: none). */
  declare readonly clipNorm?: number;
  /** The per-element gradient clip (undefined: none). */
  declare readonly clipValue?: number;
  /** Validates the options against the subclass's. */
  constructor(args: OptimizerArgs) {
    const { className, options } = this.constructor as typeof Optimizer;
    Object.assign(this, readOptions(options, args, className));
  }
  /**
   * η. Settable between epochs of a fit (from a callback) and whenever no fit runs; it reaches the compiled model at once.
   * @throws TypeError or RangeError for a value that is not a number ≥ 0.
   */
  get learningRate(): number {
    return this.#learningRate;
  }
  /** Sets η; see the getter. */
  set learningRate(v: number) {
    const { className, options } = this.constructor as typeof Optimizer;
    if (typeof v !== 'number') throw new TypeError(`${className}.learningRate: expected a number, received ${typeof v}`);
    const lr = options.learningRate.parse({ learningRate: v }, (k) => `${className}.${k}`, {}, 'learningRate') as number;
    this.#onLearningRate?.(lr);
    this.#learningRate = lr;
  }
  /** @internal The model this optimizer is compiled into hears of every new learning rate (and may refuse it). */
  attachLearningRate(listener: ((learningRate: number) => void) | undefined): void {
    this.#onLearningRate = listener;
  }
  /** Its options, defaults filled in. */
  getConfig(): Record<string, unknown> {
    return configOf((this.constructor as typeof Optimizer).options, this as never);
  }
  /** @internal */
  toNative(): NativeOptions & { type: string } {
    const { nativeType, options } = this.constructor as typeof Optimizer;
    return { type: nativeType, ...nativeOptionsOf(options, this as never) };
  }
  /** {className, config}, JSON-safe: a clipNorm/clipValue of Infinity is null. */
  serialize(): Serialized {
    const config = this.getConfig();
    for (const k of ['clipNorm', 'clipValue']) if (config[k] === Infinity) config[k] = null;
    return { className: (this.constructor as typeof Optimizer).className, config };
  }
}

/** SGD: v = μv − ηg, w += v (Nesterov: w += μv − ηg). Default learningRate 0.01. @category Optimizers */
export class SGD extends Optimizer {
  static readonly className = 'SGD';
  static readonly nativeType = 'sgd';
  static readonly options = optimizerSchema(0.01, { momentum: numberOption(0, 0, 1), nesterov: booleanOption(false) });
  /** μ. */
  declare readonly momentum: number;
  /** Whether the step is Nesterov's. */
  declare readonly nesterov: boolean;
  /** `momentum` μ in [0, 1], default 0; `nesterov` default false. */
  constructor(args: OptimizerArgs & { momentum?: number; nesterov?: boolean } = {}) {
    super(args);
  }
}

/** Adam: m = β1m + (1−β1)g, v = β2v + (1−β2)g², w −= η·√(1−β2ᵗ)/(1−β1ᵗ)·m/(√v + ε). @category Optimizers */
export class Adam extends Optimizer {
  static readonly className = 'Adam';
  static readonly nativeType = 'adam';
  static readonly options = optimizerSchema(1e-3, {
    beta1: numberOption(0.9, 0, 0.999999999),
    beta2: numberOption(0.999, 0, 0.999999999),
    epsilon: numberOption(1e-7, 0, 1e30),
  });
  /** β1, the decay of the first-moment estimate. */
  declare readonly beta1: number;
  /** β2, the decay of the second-moment estimate. */
  declare readonly beta2: number;
  /** ε, added to √v in the denominator. */
  declare readonly epsilon: number;
  /** `beta1` default 0.9, `beta2` default 0.999 (each in [0, 1)), `epsilon` default 1e-7. */
  constructor(args: OptimizerArgs & { beta1?: number; beta2?: number; epsilon?: number } = {}) {
    super(args);
  }
}

/** RMSprop: v = ρv + (1−ρ)g², b = μb + ηg/(√v + ε), w −= b. @category Optimizers */
export class RMSprop extends Optimizer {
  static readonly className = 'RMSprop';
  static readonly nativeType = 'rmsprop';
  static readonly options = optimizerSchema(1e-3, {
    rho: numberOption(0.9, 0, 1),
    momentum: numberOption(0, 0, 1),
    epsilon: numberOption(1e-7, 0, 1e30),
  });
  /** ρ, the decay of the squared-gradient average. */
  declare readonly rho: number;
  /** μ. */
  declare readonly momentum: number;
  /** ε, added to √v in the denominator. */
  declare readonly epsilon: number;
  /** `rho` ρ default 0.9, `momentum` μ default 0 (each in [0, 1]), `epsilon` default 1e-7. */
  constructor(args: OptimizerArgs & { rho?: number; momentum?: number; epsilon?: number } = {}) {
    super(args);
  }
}

const optimizers = namedClasses('optimizer', Optimizer, [SGD, Adam, RMSprop]);
/** The optimizer classes by native name ('adam'), as compile({optimizer}) takes them. @category Optimizers */
export const optimizerRegistry = optimizers.registry;

/** What compile({optimizer}) takes: a name or an Optimizer. @category Optimizers */
export type OptimizerLike = 'sgd' | 'adam' | 'rmsprop' | Optimizer;

/**
 * Resolves an optimizer name ('adam'), an Optimizer instance, or a serialized {className, config}.
 * @throws TypeError or RangeError naming `name` (an unknown name lists the valid ones).
 * @category Optimizers
 */
export function getOptimizer(v: unknown, name = 'optimizer'): Optimizer {
  return optimizers.resolve(v, name);
}
