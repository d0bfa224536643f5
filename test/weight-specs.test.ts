// The native layers are the one source of a unit's weights; each class's TS weightSpecs(inputDim)
// restates them. For every registered layer class, in each variant that changes its weights, the TS
// names and shapes must equal what the native network reports (getWeights: name, shape, data).
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import {
  Dense,
  GatedNAUNMU,
  INALU,
  NAC,
  NACMul,
  NALU,
  NAU,
  NMRU,
  NMU,
  NPU,
  RealNPU,
  Sequential,
  layerRegistry,
  type Layer,
  type LayerArgs,
} from '../lib/index';

// inputDim ≠ units, so that a transposed [in, out] shape is caught.
const base: LayerArgs = { units: 2, inputDim: 3, seed: 1 };

/** Every registered class name → its instances, one per variant of its weights. */
const cases: Record<string, () => Layer[]> = {
  Dense: () => [new Dense({ ...base }), new Dense({ ...base, useBias: false })],
  NAC: () => [new NAC({ ...base })],
  NALU: () =>
    [false, true].flatMap((separateWeights) =>
      (['input', 'independent'] as const).map((gate) => new NALU({ ...base, separateWeights, gate })),
    ),
  NAU: () => [new NAU({ ...base }), new NAU({ ...base, kernelInitializer: 'zeros' })],
  NMU: () => [new NMU({ ...base }), new NMU({ ...base, kernelInitializer: 'ones' })],
  NACMul: () => (['nac', 'sigma', 'nmu'] as const).map((weight) => new NACMul({ ...base, weight })),
  INALU: () => [new INALU({ ...base })],
  NPU: () => [new NPU({ ...base })],
  RealNPU: () => [new RealNPU({ ...base })],
  NMRU: () => [new NMRU({ ...base }), new NMRU({ ...base, signRetrieval: true })],
  GatedNAUNMU: () => [new GatedNAUNMU({ ...base }), new GatedNAUNMU({ ...base, addInitializer: 'zeros', mulInitializer: 'ones' })],
};

describe('weightSpecs', () => {
  it('of every registered layer class and variant equal the native weights (names, shapes), in a Sequential and alone', () => {
    const registered = layerRegistry.names();
    for (const name of Object.keys(cases)) expect(registered, `case for unregistered layer class ${name}`).toContain(name);
    for (const name of registered) {
      const make = cases[name];
      if (!make) throw new Error(`no case for ${name}: add its variants to test/weight-specs.test.ts`);
      const cls = layerRegistry.get(name, 'className');
      for (const layer of make()) {
        const what = `${name} ${JSON.stringify(layer.getConfig())}`;
        expect(layer.constructor, `${what}: the case builds the registered class`).toBe(cls);
        const specs = layer.weightSpecs(3);
        // In a compiled Sequential: getWeights has the TS shapes, and as many values.
        const model = new Sequential([layer]);
        model.compile({ optimizer: 'sgd', loss: 'mse' });
        const got = model.getWeights();
        expect(got.map((w) => w.shape), `${what}: Sequential getWeights shapes`).toEqual(specs.map((s) => s.shape));
        for (const w of got) expect(w.data, `${what}: values of a weight`).toHaveLength(w.shape.reduce((a, b) => a * b, 1));
        expect(model.weightSpecs().map(({ name: n, shape }) => ({ name: n, shape })), `${what}: Sequential weightSpecs`).toEqual(specs);
        model.dispose();
        // The native network's own names and shapes.
        const net = new native.NativeNetwork({ inputDim: 3, layers: [layer.toNative(1)], loss: { type: 'mse' }, optimizer: { type: 'sgd' } });
        try {
          expect(net.getWeights().map(({ name: n, shape }) => ({ name: n, shape })), `${what}: native getWeights names and shapes`).toEqual(specs);
        } finally {
          net.dispose();
        }
      }
    }
  });
});
