// Weight initializers. They are drawn natively from each layer's seed (one definition for
// TS and for native re-initialization); these classes carry their configuration.
import type { NativeOptions } from '../binding';
import { Registry, checkNumber, checkOptions, type Serialized } from './registry';

/** The initializers by name, as the layers' `…Initializer` options take them. @category Initializers */
export type InitializerName =
  | 'glorotUniform'
  | 'glorotNormal'
  | 'heUniform'
  | 'heNormal'
  | 'randomUniform'
  | 'randomNormal'
  | 'zeros'
  | 'ones'
  | 'constant';

/** The options of the initializers that take some (randomUniform, randomNormal, constant). @category Initializers */
export interface InitializerConfig {
  /** randomUniform: lower bound. Default -0.05. */
  minval?: number;
  /** randomUniform: upper bound. Default 0.05. */
  maxval?: number;
  /** randomNormal: mean. Default 0. */
  mean?: number;
  /** randomNormal: standard deviation, ≥ 0. Default 0.05. */
  stddev?: number;
  /** constant: the value. Default 0. */
  value?: number;
}

/** The options each initializer takes. */
const OPTIONS: Partial<Record<InitializerName, (keyof InitializerConfig)[]>> = {
  randomUniform: ['minval', 'maxval'],
  randomNormal: ['mean', 'stddev'],
  constant: ['value'],
};

/**
 * A weight initializer: its name and options. The weights are drawn natively from the layer's seed.
 * @throws RangeError for an unknown name or option, or minval > maxval; TypeError for a non-number option.
 * @category Initializers
 */
export class Initializer {
  /**
   * @param type - Its name.
   * @param config - Its options (randomUniform: minval, maxval; randomNormal: mean, stddev; constant: value).
   */
  constructor(
    readonly type: InitializerName,
    readonly config: InitializerConfig = {},
  ) {
    initializerRegistry.get(type, 'initializer');
    checkOptions(config, `${type} options`);
    const allowed = OPTIONS[type] ?? [];
    for (const [k, v] of Object.entries(config)) {
      // A misspelt option would otherwise fall back to the default without a word.
      if (!(allowed as string[]).includes(k))
        throw new RangeError(`${type}: unknown option '${k}', expected ${allowed.length ? `one of ${allowed.join(', ')}` : 'no options'}`);
      checkNumber(v, `${type}.${k}`, -1e30, 1e30);
    }
    if (type === 'randomUniform' && (config.minval ?? -0.05) > (config.maxval ?? 0.05))
      throw new RangeError(`randomUniform: expected minval <= maxval, received ${config.minval} > ${config.maxval}`);
    if (config.stddev !== undefined && config.stddev < 0)
      throw new RangeError(`${type}.stddev: expected a non-negative number, received ${config.stddev}`);
  }
  /** @internal The spec the native layer takes. */
  toNative(): NativeOptions {
    return { type: this.type, ...this.config };
  }
  /** {className: its name, config: its options}, as model.json holds it. */
  getConfig(): Serialized {
    return { className: this.type, config: { ...this.config } };
  }
}

const names: InitializerName[] = [
  'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'randomUniform', 'randomNormal', 'zeros', 'ones', 'constant',
];
/** The initializer names. @category Initializers */
export const initializerRegistry = new Registry<InitializerName>('initializer');
for (const n of names) initializerRegistry.register(n, n);

/** glorotUniform: U[−l, l], l = √(6 / (fanIn + fanOut)) (the Keras default). @category Initializers */
export const glorotUniform = () => new Initializer('glorotUniform');
/** glorotNormal: normal truncated at 2σ, σ = √(2 / (fanIn + fanOut)). @category Initializers */
export const glorotNormal = () => new Initializer('glorotNormal');
/** heUniform: U[−l, l], l = √(6 / fanIn). @category Initializers */
export const heUniform = () => new Initializer('heUniform');
/** heNormal: normal truncated at 2σ, σ = √(2 / fanIn). @category Initializers */
export const heNormal = () => new Initializer('heNormal');
/** randomUniform: U[minval, maxval] (Keras defaults −0.05, 0.05). @category Initializers */
export const randomUniform = (c: { minval?: number; maxval?: number } = {}) => new Initializer('randomUniform', c);
/** randomNormal: N(mean, stddev²) (Keras defaults 0, 0.05). @category Initializers */
export const randomNormal = (c: { mean?: number; stddev?: number } = {}) => new Initializer('randomNormal', c);
/** zeros: every weight 0. @category Initializers */
export const zeros = () => new Initializer('zeros');
/** ones: every weight 1. @category Initializers */
export const ones = () => new Initializer('ones');
/** constant: every weight `value`. @category Initializers */
export const constant = (value: number) => new Initializer('constant', { value });

/**
 * What an `…Initializer` option takes: a name ('glorotUniform'), an Initializer, or a serialized {className, config}.
 * @category Initializers
 */
export type InitializerLike = InitializerName | Initializer | Serialized;

/**
 * Resolves a name, an Initializer, or a serialized {className, config}; `name` names the argument in errors.
 * @throws TypeError or RangeError naming what is wrong.
 * @category Initializers
 */
export function getInitializer(v: InitializerLike, name: string): Initializer {
  if (v instanceof Initializer) return v;
  if (typeof v === 'string') return new Initializer(initializerRegistry.get(v, name));
  const o = checkOptions(v, name) as unknown as Serialized;
  return new Initializer(initializerRegistry.get(o.className, `${name}.className`), checkOptions(o.config, `${name}.config`) as InitializerConfig);
}
