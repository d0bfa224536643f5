// Weight initializers. They are drawn natively from each layer's seed (one definition for
// TS and for native re-initialization); these classes carry their configuration.
import type { NativeOptions } from '../binding';
import { Registry, checkNumber, checkOptions, type Serialized } from './registry';

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

export interface InitializerConfig {
  minval?: number;
  maxval?: number;
  mean?: number;
  stddev?: number;
  value?: number;
}

/** The options each initializer takes. */
const OPTIONS: Partial<Record<InitializerName, (keyof InitializerConfig)[]>> = {
  randomUniform: ['minval', 'maxval'],
  randomNormal: ['mean', 'stddev'],
  constant: ['value'],
};

export class Initializer {
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
  /** The spec the native layer takes. */
  toNative(): NativeOptions {
    return { type: this.type, ...this.config };
  }
  getConfig(): Serialized {
    return { className: this.type, config: { ...this.config } };
  }
}

const names: InitializerName[] = [
  'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'randomUniform', 'randomNormal', 'zeros', 'ones', 'constant',
];
export const initializerRegistry = new Registry<InitializerName>('initializer');
for (const n of names) initializerRegistry.register(n, n);

/** glorotUniform: U[−l, l], l = √(6 / (fanIn + fanOut)) (the Keras default). */
export const glorotUniform = () => new Initializer('glorotUniform');
/** glorotNormal: normal truncated at 2σ, σ = √(2 / (fanIn + fanOut)). */
export const glorotNormal = () => new Initializer('glorotNormal');
/** heUniform: U[−l, l], l = √(6 / fanIn). */
export const heUniform = () => new Initializer('heUniform');
/** heNormal: normal truncated at 2σ, σ = √(2 / fanIn). */
export const heNormal = () => new Initializer('heNormal');
export const randomUniform = (c: { minval?: number; maxval?: number } = {}) => new Initializer('randomUniform', c);
export const randomNormal = (c: { mean?: number; stddev?: number } = {}) => new Initializer('randomNormal', c);
export const zeros = () => new Initializer('zeros');
export const ones = () => new Initializer('ones');
export const constant = (value: number) => new Initializer('constant', { value });

export type InitializerLike = InitializerName | Initializer | Serialized;

/** Resolves a name, an Initializer, or a serialized {className, config}. */
export function getInitializer(v: InitializerLike, name: string): Initializer {
  if (v instanceof Initializer) return v;
  if (typeof v === 'string') return new Initializer(initializerRegistry.get(v, name));
  const o = checkOptions(v, name) as unknown as Serialized;
  return new Initializer(initializerRegistry.get(o.className, `${name}.className`), checkOptions(o.config, `${name}.config`) as InitializerConfig);
}
