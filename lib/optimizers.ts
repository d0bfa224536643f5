// Optimizers (stepped natively, Keras' update rules). All take learningRate, clipNorm (global
// gradient norm) and clipValue (per element); each declares its options once in `options`.
import type { NativeOptions } from '../binding';
import { booleanOption, configOf, infiniteOption, nativeOptionsOf, numberOption, readOptions, type Schema } from './options';
import { namedClasses, type Serialized } from './registry';

export interface OptimizerArgs {
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

export abstract class Optimizer {
  static readonly className: string;
  static readonly nativeType: string;
  static readonly options: Schema;
  #learningRate = 0;
  #onLearningRate?: (learningRate: number) => void;
  declare readonly clipNorm?: number;
  declare readonly clipValue?: number;
  constructor(args: OptimizerArgs) {
    const { className, options } = this.constructor as typeof Optimizer;
    Object.assign(this, readOptions(options, args, className));
  }
  /** Settable between epochs of a fit (from a callback) and whenever no fit runs. */
  get learningRate(): number {
    return this.#learningRate;
  }
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
  getConfig(): Record<string, unknown> {
    return configOf((this.constructor as typeof Optimizer).options, this as never);
  }
  toNative(): NativeOptions & { type: string } {
    const { nativeType, options } = this.constructor as typeof Optimizer;
    return { type: nativeType, ...nativeOptionsOf(options, this as never) };
  }
  /** getConfig, JSON-safe: a clipNorm/clipValue of Infinity is null. */
  serialize(): Serialized {
    const config = this.getConfig();
    for (const k of ['clipNorm', 'clipValue']) if (config[k] === Infinity) config[k] = null;
    return { className: (this.constructor as typeof Optimizer).className, config };
  }
}

/** SGD: v = μv − ηg, w += v (Nesterov: w += μv − ηg). Default learningRate 0.01. */
export class SGD extends Optimizer {
  static readonly className = 'SGD';
  static readonly nativeType = 'sgd';
  static readonly options = optimizerSchema(0.01, { momentum: numberOption(0, 0, 1), nesterov: booleanOption(false) });
  declare readonly momentum: number;
  declare readonly nesterov: boolean;
  constructor(args: OptimizerArgs & { momentum?: number; nesterov?: boolean } = {}) {
    super(args);
  }
}

/** Adam: m = β1m + (1−β1)g, v = β2v + (1−β2)g², w −= η·√(1−β2ᵗ)/(1−β1ᵗ)·m/(√v + ε). */
export class Adam extends Optimizer {
  static readonly className = 'Adam';
  static readonly nativeType = 'adam';
  static readonly options = optimizerSchema(1e-3, {
    beta1: numberOption(0.9, 0, 0.999999999),
    beta2: numberOption(0.999, 0, 0.999999999),
    epsilon: numberOption(1e-7, 0, 1e30),
  });
  declare readonly beta1: number;
  declare readonly beta2: number;
  declare readonly epsilon: number;
  constructor(args: OptimizerArgs & { beta1?: number; beta2?: number; epsilon?: number } = {}) {
    super(args);
  }
}

/** RMSprop: v = ρv + (1−ρ)g², b = μb + ηg/(√v + ε), w −= b. */
export class RMSprop extends Optimizer {
  static readonly className = 'RMSprop';
  static readonly nativeType = 'rmsprop';
  static readonly options = optimizerSchema(1e-3, {
    rho: numberOption(0.9, 0, 1),
    momentum: numberOption(0, 0, 1),
    epsilon: numberOption(1e-7, 0, 1e30),
  });
  declare readonly rho: number;
  declare readonly momentum: number;
  declare readonly epsilon: number;
  constructor(args: OptimizerArgs & { rho?: number; momentum?: number; epsilon?: number } = {}) {
    super(args);
  }
}

const optimizers = namedClasses('optimizer', Optimizer, [SGD, Adam, RMSprop]);
/** By native name ('adam'), as compile({optimizer}) takes them. */
export const optimizerRegistry = optimizers.registry;

export type OptimizerLike = 'sgd' | 'adam' | 'rmsprop' | Optimizer;

/** Resolves an optimizer name ('adam'), an Optimizer instance, or a serialized {className, config}. */
export function getOptimizer(v: unknown, name = 'optimizer'): Optimizer {
  return optimizers.resolve(v, name);
}
