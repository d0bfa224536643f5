// Layer classes by className, for loadModel / deserialization. Each unit registers its own class
// beside it (registerLayer(X) at the end of its file); importing the barrel ./index registers them
// all. This module imports no unit, so the units can import it without a cycle.
import { Registry, checkOptions, type Serialized } from '../registry';
import type { Layer } from './layer';

export type LayerClass = { className: string; new (args: never): Layer };

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
  layerRegistry.register(cls.className, cls);
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
