// Layer classes by className, for loadModel / deserialization. Each unit registers its own class
// beside it (registerLayer(X) at the end of its file); importing the barrel ./index registers them
// all. This module imports no unit, so the units can import it without a cycle.
import { Registry, checkOptions, type Serialized } from '../registry';
import { Layer } from './layer';

export type LayerClass = { className: string; inputKind: 'row' | 'sequence' | 'image'; new (args: never): Layer };

/**
 * The layer classes by className ('NALU'): `layerRegistry.names()` lists them, `get(name)` throws a RangeError listing them.
 * @category Layers
 */
export const layerRegistry = new Registry<LayerClass>('layer');

/**
 * Registers a layer class under its static className (for custom layers too), so that loadModel finds it.
 * @throws TypeError when cls is not a class with a non-empty static className.
 * @category Layers
 */
export function registerLayer(cls: LayerClass): void {
  if (typeof cls !== 'function' || typeof cls.className !== 'string' || cls.className === '')
    throw new TypeError(`registerLayer: expected a Layer class with a static className, received ${cls === null ? 'null' : typeof cls}`);
  guardHooks(cls);
  layerRegistry.register(cls.className, cls);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const shown = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

// toGraph and symbolic are called by toONNX/tfjs and explain with well-formed arguments; a direct
// call gets them checked here once for every unit, its own or a custom one.
function guardHooks(cls: LayerClass): void {
  const proto = cls.prototype as unknown as Record<string, unknown>;
  const wrap = (name: string, check: (layer: Layer, args: unknown[]) => void) => {
    const f = Object.getOwnPropertyDescriptor(proto, name)?.value;
    if (typeof f !== 'function' || (f as { guarded?: boolean }).guarded) return;
    const guarded = function (this: unknown, ...args: unknown[]) {
      if (!(this instanceof Layer)) throw new TypeError(`${cls.className}.${name}: called on ${shown(this)}, not a layer`);
      check(this, args);
      return f.apply(this, args);
    };
    Object.defineProperty(guarded, 'guarded', { value: true });
    Object.defineProperty(proto, name, { value: guarded, writable: true, configurable: true });
  };
  wrap('toGraph', (layer, [g, x]) => {
    if (!isObject(g) || !['weight', 'constant', 'scalar', 'ints', 'op'].every((k) => typeof g[k] === 'function'))
      throw new TypeError(`${layer.className}.toGraph: g: expected an OpGraph (weight, constant, scalar, ints, op), received ${shown(g)}`);
    if (typeof x !== 'string') throw new TypeError(`${layer.className}.toGraph: x: expected the name of a value of g, received ${shown(x)}`);
  });
  wrap('symbolic', (layer, [ctx]) => {
    const what = `${layer.className}.symbolic: ctx`;
    if (!isObject(ctx) || !['snap', 'judge', 'evaluate'].every((k) => typeof ctx[k] === 'function'))
      throw new TypeError(`${what}: expected a SymbolicContext (weights, inputs, raw, snap, judge, evaluate), received ${shown(ctx)}`);
    const inputs = ctx.inputs;
    if (typeof inputs !== 'number' || !Number.isInteger(inputs) || inputs < 1 || inputs > 2 ** 24)
      throw new RangeError(`${what}.inputs: expected an integer in [1, 2^24], received ${String(inputs)}`);
    const specs = layer.weightSpecs(inputs);
    const ws = ctx.weights;
    if (!Array.isArray(ws) || ws.length !== specs.length)
      throw new RangeError(`${what}.weights: expected ${specs.length} weights (${specs.map((s) => s.name).join(', ')}), received ${Array.isArray(ws) ? ws.length : shown(ws)}`);
    specs.forEach((s, i) => {
      const n = s.shape.reduce((a, b) => a * b, 1);
      if (!(ws[i] instanceof Float64Array) || ws[i].length !== n)
        throw new RangeError(`${what}.weights[${i}] (${s.name}): expected a Float64Array of ${n}, received ${ws[i] instanceof Float64Array ? `${ws[i].length} values` : shown(ws[i])}`);
    });
  });
}

/**
 * Builds a layer from {className, config} (as Layer.serialize gives); `name` names the argument in errors.
 * @throws RangeError for an unknown className (listing the registered ones) or a bad option.
 * @category Layers
 */
export function deserializeLayer(s: unknown, name = 'layer'): Layer {
  const o = checkOptions(s, name) as unknown as Serialized;
  const cls = layerRegistry.get(o.className, `${name}.className`);
  const config = { ...checkOptions(o.config, `${name}.config`) };
  // JSON null stands for Infinity in clipExp (kept: the unit reads it as Infinity), for an absent
  // value elsewhere.
  for (const k of Object.keys(config)) if (config[k] === null && k !== 'clipExp') delete config[k];
  return new (cls as unknown as new (a: unknown) => Layer)(config);
}
