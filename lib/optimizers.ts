// Optimizers (stepped natively, Keras' update rules). All take learningRate, clipNorm (global
// gradient norm) and clipValue (per element).
import type { NativeOptions } from '../binding';
import { Registry, checkBoolean, checkNumber, checkOptions, type Serialized } from './registry';

export interface OptimizerArgs {
  learningRate?: number;
  /** Scale all gradients so that their global L2 norm is at most clipNorm. */
  clipNorm?: number;
  /** Clip every gradient element to [−clipValue, clipValue]. */
  clipValue?: number;
}

export abstract class Optimizer {
  static readonly className: string;
  readonly learningRate: number;
  readonly clipNorm?: number;
  readonly clipValue?: number;
  constructor(args: OptimizerArgs, defaultLr: number, own: readonly string[]) {
    const cls = (this.constructor as typeof Optimizer).className;
    const o = checkOptions(args, `${cls} options`);
    const known = new Set(['learningRate', 'clipNorm', 'clipValue', ...own]);
    for (const k of Object.keys(o))
      if (!known.has(k)) throw new RangeError(`${cls}: unknown option '${k}', expected one of ${[...known].join(', ')}`);
    this.learningRate = checkNumber(o.learningRate ?? defaultLr, `${cls}.learningRate`, 0, 1e30);
    // null is serialize()'s (and model.json's) Infinity.
    if (o.clipNorm !== undefined) this.clipNorm = o.clipNorm === null ? Infinity : checkNumber(o.clipNorm, `${cls}.clipNorm`, Number.MIN_VALUE, Infinity);
    if (o.clipValue !== undefined) this.clipValue = o.clipValue === null ? Infinity : checkNumber(o.clipValue, `${cls}.clipValue`, Number.MIN_VALUE, Infinity);
  }
  protected abstract own(): Record<string, number | boolean>;
  protected abstract get nativeType(): string;
  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { learningRate: this.learningRate, ...this.own() };
    if (this.clipNorm !== undefined) c.clipNorm = this.clipNorm;
    if (this.clipValue !== undefined) c.clipValue = this.clipValue;
    return c;
  }
  toNative(): NativeOptions & { type: string } {
    return { type: this.nativeType, ...(this.getConfig() as NativeOptions) };
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
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(args: OptimizerArgs & { momentum?: number; nesterov?: boolean } = {}) {
    super(args, 0.01, ['momentum', 'nesterov']);
    this.momentum = checkNumber(args.momentum ?? 0, 'SGD.momentum', 0, 1);
    this.nesterov = checkBoolean(args.nesterov ?? false, 'SGD.nesterov');
  }
  protected get nativeType() {
    return 'sgd';
  }
  protected own() {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }
}

/** Adam: m = β1m + (1−β1)g, v = β2v + (1−β2)g², w −= η·√(1−β2ᵗ)/(1−β1ᵗ)·m/(√v + ε). */
export class Adam extends Optimizer {
  static readonly className = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(args: OptimizerArgs & { beta1?: number; beta2?: number; epsilon?: number } = {}) {
    super(args, 1e-3, ['beta1', 'beta2', 'epsilon']);
    this.beta1 = checkNumber(args.beta1 ?? 0.9, 'Adam.beta1', 0, 0.999999999);
    this.beta2 = checkNumber(args.beta2 ?? 0.999, 'Adam.beta2', 0, 0.999999999);
    this.epsilon = checkNumber(args.epsilon ?? 1e-7, 'Adam.epsilon', 0, 1e30);
  }
  protected get nativeType() {
    return 'adam';
  }
  protected own() {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** RMSprop: v = ρv + (1−ρ)g², b = μb + ηg/(√v + ε), w −= b. */
export class RMSprop extends Optimizer {
  static readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  constructor(args: OptimizerArgs & { rho?: number; momentum?: number; epsilon?: number } = {}) {
    super(args, 1e-3, ['rho', 'momentum', 'epsilon']);
    this.rho = checkNumber(args.rho ?? 0.9, 'RMSprop.rho', 0, 1);
    this.momentum = checkNumber(args.momentum ?? 0, 'RMSprop.momentum', 0, 1);
    this.epsilon = checkNumber(args.epsilon ?? 1e-7, 'RMSprop.epsilon', 0, 1e30);
  }
  protected get nativeType() {
    return 'rmsprop';
  }
  protected own() {
    return { rho: this.rho, momentum: this.momentum, epsilon: this.epsilon };
  }
}

type OptimizerClass = new (config?: never) => Optimizer;
export const optimizerRegistry = new Registry<OptimizerClass>('optimizer');
optimizerRegistry.register('sgd', SGD as OptimizerClass);
optimizerRegistry.register('adam', Adam as OptimizerClass);
optimizerRegistry.register('rmsprop', RMSprop as OptimizerClass);
const byClassName = new Registry<OptimizerClass>('optimizer class');
for (const c of [SGD, Adam, RMSprop]) byClassName.register(c.className, c as OptimizerClass);

export type OptimizerLike = 'sgd' | 'adam' | 'rmsprop' | Optimizer;

/** Resolves an optimizer name ('adam'), an Optimizer instance, or a serialized {className, config}. */
export function getOptimizer(v: unknown, name = 'optimizer'): Optimizer {
  if (v instanceof Optimizer) return v;
  if (typeof v === 'string') return new (optimizerRegistry.get(v, name))();
  const s = checkOptions(v, name) as unknown as Serialized;
  const C = byClassName.get(s.className, `${name}.className`) as unknown as new (c: unknown) => Optimizer;
  return new C(checkOptions(s.config, `${name}.config`));
}
