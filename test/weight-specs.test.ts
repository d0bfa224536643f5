// The native layers are the one source of a unit's weights; each class's TS weightSpecs(inputDim)
// restates them. For every registered layer class, in each variant of its table entry (test/units/),
// the TS names and shapes must equal what the native network reports (getWeights: name, shape, data).
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import { Sequential } from '../lib/index';
import { build, registeredVariants } from './units/index';

describe('weightSpecs', () => {
  for (const { name, ref, variant } of registeredVariants())
    it(`${name}: equal the native weights (names, shapes), in a Sequential and alone`, () => {
      // inputDim ≠ units, so that a transposed [in, out] shape is caught.
      const layer = build(ref, { units: 2, inputDim: 3, seed: 1, ...variant });
      const what = `${name} ${JSON.stringify(layer.getConfig())}`;
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
    });
});
