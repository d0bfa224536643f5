// The layer registry with every built-in unit registered. The registry itself is ./layer-registry
// (imported by the units, which register themselves); this module loads the barrel ./index first,
// so that importers of './layers/registry' (io.ts, tasks/models.ts) find every unit. No cycle:
// registry → index → units → layer-registry; neither the barrel nor a unit imports this module.
import './index';

export { layerRegistry, registerLayer, deserializeLayer, type LayerClass } from './layer-registry';
