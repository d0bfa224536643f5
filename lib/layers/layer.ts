// The base of every layer: units, input size, name, seed, config and the native spec.
import type { NativeLayerSpec, NativeOptions } from '../../binding';
import { getInitializer, type Initializer, type InitializerLike } from '../initializers';
import { checkNumber, checkOptions, type Serialized } from '../registry';

export interface LayerArgs {
  /** Output size. */
  units: number;
  /** Input features (first layer only); or inputShape [features]. */
  inputDim?: number;
  inputShape?: number[];
  name?: string;
  /** Seed for this layer's initializers: same seed → bit-identical initial weights. */
  seed?: number;
  /** L1/L2 penalty l1·Σ|w| + l2·Σw² on every [in, out] weight, added to the loss's gradient and reported in `regularization`. */
  kernelRegularizer?: KernelRegularizer;
  /** Clamp of every [in, out] weight to [min, max] after each optimizer step (replaces NAU's/NMU's default clamp). */
  kernelConstraint?: KernelConstraint;
}

export interface KernelRegularizer {
  l1?: number;
  l2?: number;
}

export interface KernelConstraint {
  min?: number;
  max?: number;
}

function checkKernelRegularizer(v: unknown, name: string): KernelRegularizer | undefined {
  if (v === undefined) return undefined;
  const o = checkOptions(v, name);
  for (const k of Object.keys(o)) if (k !== 'l1' && k !== 'l2') throw new RangeError(`${name}: unknown key '${k}', expected l1, l2`);
  const r: KernelRegularizer = {};
  if (o.l1 !== undefined) r.l1 = checkNumber(o.l1, `${name}.l1`, 0, 1e30);
  if (o.l2 !== undefined) r.l2 = checkNumber(o.l2, `${name}.l2`, 0, 1e30);
  return r;
}

function checkKernelConstraint(v: unknown, name: string): KernelConstraint | undefined {
  if (v === undefined) return undefined;
  const o = checkOptions(v, name);
  for (const k of Object.keys(o)) if (k !== 'min' && k !== 'max') throw new RangeError(`${name}: unknown key '${k}', expected min, max`);
  const c: KernelConstraint = {};
  // An unbounded side (−Infinity min, Infinity max, null) is left out, as getConfig and model.json
  // leave it out; a bound of +Infinity min or −Infinity max (every weight infinite) is refused.
  const min = o.min === undefined || o.min === null ? -Infinity : checkNumber(o.min, `${name}.min`, -Infinity, Number.MAX_VALUE);
  const max = o.max === undefined || o.max === null ? Infinity : checkNumber(o.max, `${name}.max`, -Number.MAX_VALUE, Infinity);
  if (min > -Infinity) c.min = min;
  if (max < Infinity) c.max = max;
  if ((c.min ?? -Infinity) > (c.max ?? Infinity)) throw new RangeError(`${name}: expected min <= max, received ${c.min} > ${c.max}`);
  return c;
}

export interface WeightSpec {
  name: string;
  shape: number[];
}

const counters = new Map<string, number>();

export abstract class Layer {
  /** The registered class name (used by getConfig/loadModel). */
  static readonly className: string;
  readonly units: number;
  readonly name: string;
  readonly inputDim?: number;
  readonly seed?: number;
  readonly kernelRegularizer?: KernelRegularizer;
  readonly kernelConstraint?: KernelConstraint;

  constructor(args: LayerArgs, knownKeys: readonly string[]) {
    const cls = (this.constructor as typeof Layer).className;
    const o = checkOptions(args, `${cls} options`);
    const known = new Set(['units', 'inputDim', 'inputShape', 'name', 'seed', 'kernelRegularizer', 'kernelConstraint', ...knownKeys]);
    for (const k of Object.keys(o))
      if (!known.has(k)) throw new RangeError(`${cls}: unknown option '${k}', expected one of ${[...known].join(', ')}`);
    this.units = checkNumber(o.units, `${cls}.units`, 1, 2 ** 24, true);
    let inputDim = o.inputDim;
    if (o.inputShape !== undefined) {
      const s = o.inputShape;
      if (!Array.isArray(s) || s.length !== 1)
        throw new RangeError(`${cls}.inputShape: expected [features], received ${JSON.stringify(s)}`);
      inputDim = checkNumber(s[0], `${cls}.inputShape[0]`, 1, 2 ** 24, true);
    }
    if (inputDim !== undefined) this.inputDim = checkNumber(inputDim, `${cls}.inputDim`, 1, 2 ** 24, true);
    if (o.seed !== undefined) this.seed = checkNumber(o.seed, `${cls}.seed`, 0, Number.MAX_SAFE_INTEGER, true);
    this.kernelRegularizer = checkKernelRegularizer(o.kernelRegularizer, `${cls}.kernelRegularizer`);
    this.kernelConstraint = checkKernelConstraint(o.kernelConstraint, `${cls}.kernelConstraint`);
    if (o.name !== undefined && typeof o.name !== 'string') throw new TypeError(`${cls}.name: expected a string, received ${typeof o.name}`);
    const n = (counters.get(cls) ?? 0) + 1;
    counters.set(cls, n);
    this.name = (o.name as string | undefined) ?? `${cls.toLowerCase()}_${n}`;
  }

  get className(): string {
    return (this.constructor as typeof Layer).className;
  }

  /** The native layer type. */
  protected abstract get nativeType(): string;
  /** This layer's own options for the native layer. */
  protected abstract nativeOptions(): NativeOptions;
  /** This layer's own config entries (camelCase, JSON-safe). */
  protected abstract ownConfig(): Record<string, unknown>;
  /** The weights this layer has for `inputDim` inputs, in getWeights order. */
  abstract weightSpecs(inputDim: number): WeightSpec[];

  /** The native layer spec; `seed` is used when the layer has none of its own. */
  toNative(seed: number): NativeLayerSpec {
    const spec: NativeLayerSpec = { type: this.nativeType, units: this.units, seed: this.seed ?? seed, ...this.nativeOptions() };
    if (this.kernelRegularizer) spec.kernelRegularizer = { ...this.kernelRegularizer };
    if (this.kernelConstraint) spec.kernelConstraint = { ...this.kernelConstraint };
    return spec;
  }

  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { name: this.name, units: this.units };
    if (this.inputDim !== undefined) c.inputDim = this.inputDim;
    if (this.seed !== undefined) c.seed = this.seed;
    if (this.kernelRegularizer) c.kernelRegularizer = { ...this.kernelRegularizer };
    // JSON has no Infinity: an unbounded side is left out.
    if (this.kernelConstraint) c.kernelConstraint = Object.fromEntries(Object.entries(this.kernelConstraint).filter(([, v]) => Number.isFinite(v)));
    return { ...c, ...this.ownConfig() };
  }

  serialize(): Serialized {
    return { className: this.className, config: this.getConfig() };
  }
}

/** Resolves an initializer option, or its default. */
export function initializerArg(v: unknown, name: string, def: InitializerLike): Initializer {
  return getInitializer((v ?? def) as InitializerLike, name);
}

/** An initializer option without a TS default (absent: the native layer's own initialization): undefined when absent. */
export function optionalInitializerArg(v: unknown, name: string, def: InitializerLike): Initializer | undefined {
  return v === undefined ? undefined : initializerArg(v, name, def);
}

/** The native specs of the initializers that are set, by option name (an unset one is left out). */
export function initializersNative(inits: Record<string, Initializer | undefined>): NativeOptions {
  const o: NativeOptions = {};
  for (const [k, v] of Object.entries(inits)) if (v) o[k] = v.toNative();
  return o;
}

/** The configs of the initializers that are set, by option name (an unset one is left out). */
export function initializersConfig<K extends string>(inits: { [k in K]: Initializer | undefined }): { [k in K]?: Serialized } {
  const o: { [k in K]?: Serialized } = {};
  for (const k of Object.keys(inits) as K[]) if (inits[k]) o[k] = inits[k].getConfig();
  return o;
}

/** ε of log(|x| + ε), |x| + ε or a floor of |x|: a number in [1e-30, 1], `def` when absent. */
export function epsilonArg(v: unknown, name: string, def: number): number {
  return checkNumber(v ?? def, name, 1e-30, 1);
}

/** ω, the clip of an exponent: a number in [0, Infinity], `def` when absent; null (getConfig's and
 * model.json's Infinity) is Infinity, whatever the default. */
export function clipExpArg(v: unknown, name: string, def: number): number {
  return v === null ? Infinity : checkNumber(v ?? def, name, 0, Infinity);
}
