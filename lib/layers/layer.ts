// The base of every layer: units, input size, name, seed, and the unit's own options declared
// once in its static `options` schema, which gives validation, defaults, the native spec and config.
import type { NativeLayerSpec } from '../../binding';
import type { Expr } from '../explain/expr';
import type { SymbolicContext } from '../explain/symbolic';
import { configOf, nativeOptionsOf, optionKeys, parseOptions, refuseUnknown, type Schema } from '../options';
import { checkNumber, checkOptions, type Serialized } from '../registry';
import type { OpGraph } from '../export/graph';
import type { Sparsity } from './sparsity';

/** Options every layer takes; each unit's own Args add to them. Unknown keys are refused (RangeError). @category Layers */
export interface LayerArgs {
  /** Output size: an integer in [1, 2²⁴]. */
  units: number;
  /** Input features (first layer only; a later layer's must match the previous units); or inputShape. */
  inputDim?: number;
  /** The Keras spelling of inputDim: [features]. */
  inputShape?: number[];
  /** Default `<classname>_<n>`, n counting the layers of that class made so far (dense_1, nalu_2). */
  name?: string;
  /** Seed for this layer's initializers: same seed → bit-identical initial weights. Default: drawn when the model is built. */
  seed?: number;
  /** L1/L2 penalty l1·Σ|w| + l2·Σw² on every [in, out] weight, added to the loss's gradient and reported in `regularization`. */
  kernelRegularizer?: KernelRegularizer;
  /** Clamp of every [in, out] weight to [min, max] after each optimizer step (replaces NAU's/NMU's default clamp). */
  kernelConstraint?: KernelConstraint;
}

/** The L1/L2 weight penalty of LayerArgs.kernelRegularizer. @category Layers */
export interface KernelRegularizer {
  /** Factor of Σ|w|, ≥ 0. Default 0. */
  l1?: number;
  /** Factor of Σw², ≥ 0. Default 0. */
  l2?: number;
}

/** The weight clamp of LayerArgs.kernelConstraint; a side left out (or null) is unbounded. @category Layers */
export interface KernelConstraint {
  /** Lower bound; must be ≤ max. */
  min?: number;
  /** Upper bound. */
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

/** One weight of a layer, as getWeights returns them. @category Layers */
export interface WeightSpec {
  /** The paper's name of the weight (W, W_hat, G…). */
  name: string;
  /** Its shape: [in, out] for a matrix, [units] or [in] for a vector. */
  shape: number[];
}

const counters = new Map<string, number>();

const baseKeys = ['units', 'inputDim', 'inputShape', 'name', 'seed', 'kernelRegularizer', 'kernelConstraint'];

/**
 * The base of every layer: its size, name, seed, kernel regularizer and constraint.
 * Subclasses are the units (NAU, NMU, NALU…); a subclass registered with registerLayer can be loaded by loadModel.
 * The constructor throws TypeError or RangeError naming the option that is wrong, or unknown.
 * @category Layers
 */
export abstract class Layer {
  /** The registered class name (used by getConfig/loadModel). */
  static readonly className: string;
  /** The native layer type. */
  static readonly nativeType: string;
  /** @internal The unit's own options (beyond LayerArgs), in getConfig order. */
  static readonly options: Schema = {};
  /** @internal What a row of its input is: features, a sequence of steps, or an image (an RNN's cell reads rows). */
  static readonly inputKind: 'row' | 'sequence' | 'image' = 'row';
  /** Output size. */
  readonly units: number;
  /** The name given, or `<classname>_<n>`. */
  readonly name: string;
  /** Input features, when given. */
  readonly inputDim?: number;
  /** The seed given; undefined: the model draws one when it builds. */
  readonly seed?: number;
  /** The L1/L2 penalty given (undefined: none). */
  readonly kernelRegularizer?: KernelRegularizer;
  /** The clamp given, without its unbounded sides (undefined: the unit's own clamp, if any). */
  readonly kernelConstraint?: KernelConstraint;
  /** The NAU/NMU-family sparsity regularizer's options, for the units that have one. */
  declare readonly sparsity?: Sparsity;

  /** Validates the common options and the unit's own; see LayerArgs. */
  constructor(args: LayerArgs) {
    const schema = this.schema;
    const cls = this.className;
    const o = checkOptions(args, `${cls} options`);
    refuseUnknown(o, [...baseKeys, ...optionKeys(schema)], cls);
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
    Object.assign(this, parseOptions(schema, o, cls));
  }

  private get schema(): Schema {
    return (this.constructor as typeof Layer).options;
  }

  /** The registered class name of this layer's class. */
  get className(): string {
    return (this.constructor as typeof Layer).className;
  }

  /** The weights this layer has for `inputDim` inputs, in getWeights order. */
  abstract weightSpecs(inputDim: number): WeightSpec[];

  /**
   * The unit's forward on `x` [batch, in] as ONNX-named operators, its weights through g.weight(i);
   * returns the output's name. ONNX export and the tfjs layers read it. Absent: no portable form.
   */
  toGraph?(g: OpGraph, x: string): string;

  /**
   * How the trained unit reads as a formula: its outputs as expressions of its inputs, its weights
   * snapped to the unit's grid (see explain()). A layer without it cannot be explained.
   */
  symbolic?(ctx: SymbolicContext): Expr[];

  /** @internal The native layer spec; `seed` is used when the layer has none of its own. */
  toNative(seed: number): NativeLayerSpec {
    const type = (this.constructor as typeof Layer).nativeType;
    const spec: NativeLayerSpec = { type, units: this.units, seed: this.seed ?? seed, ...nativeOptionsOf(this.schema, this as never) };
    if (this.kernelRegularizer) spec.kernelRegularizer = { ...this.kernelRegularizer };
    if (this.kernelConstraint) spec.kernelConstraint = { ...this.kernelConstraint };
    return spec;
  }

  /** The options as model.json holds them: JSON-safe, defaults filled in, unbounded clamp sides left out. */
  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { name: this.name, units: this.units };
    if (this.inputDim !== undefined) c.inputDim = this.inputDim;
    if (this.seed !== undefined) c.seed = this.seed;
    if (this.kernelRegularizer) c.kernelRegularizer = { ...this.kernelRegularizer };
    // JSON has no Infinity: an unbounded side is left out.
    if (this.kernelConstraint) c.kernelConstraint = Object.fromEntries(Object.entries(this.kernelConstraint).filter(([, v]) => Number.isFinite(v)));
    return { ...c, ...configOf(this.schema, this as never) };
  }

  /** {className, config}, as deserializeLayer takes it. */
  serialize(): Serialized {
    return { className: this.className, config: this.getConfig() };
  }
}
