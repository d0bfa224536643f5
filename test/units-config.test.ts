// getConfig → deserializeLayer round trips and option validation of the units after NALU.
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import { INALU, NACMul, NAU, NMRU, NMU, NPU, RealNPU, Sequential, deserializeLayer, layerRegistry, type Layer } from '../lib/index';

const layers: Layer[] = [
  new NAU({ units: 2, inputDim: 3, seed: 1, sparsityLambda: 0.5, sparsityStart: 10, sparsityEnd: 20, kernelRegularizer: { l1: 0.1 }, kernelConstraint: { min: -0.5, max: 0.5 } }),
  new NMU({ units: 2, inputDim: 3, seed: 1, kernelInitializer: 'ones' }),
  new NACMul({ units: 2, inputDim: 3, seed: 1, clipExp: 20 }),
  new INALU({ units: 2, inputDim: 3, seed: 1 }),
  new NPU({ units: 2, inputDim: 3, seed: 1 }),
  new RealNPU({ units: 2, inputDim: 3, seed: 1, kernelConstraint: { max: 1 } }),
  new NMRU({ units: 2, inputDim: 3, seed: 1, signRetrieval: true }),
];

describe('units: config', () => {
  for (const layer of layers)
    it(`${layer.className} round-trips through getConfig and builds the same weights`, () => {
      expect(layerRegistry.has(layer.className)).toBe(true);
      const json = JSON.parse(JSON.stringify(layer.serialize()));
      const copy = deserializeLayer(json);
      expect(copy.getConfig()).toEqual(layer.getConfig());
      const a = new Sequential([layer]), b = new Sequential([copy]);
      a.compile({ optimizer: 'adam', loss: 'mse' });
      b.compile({ optimizer: 'adam', loss: 'mse' });
      expect(b.getWeights()).toEqual(a.getWeights());
      a.dispose();
      b.dispose();
    });

  it('applies the defaults of the papers', () => {
    const m = new Sequential([new NMU({ units: 64, inputDim: 64, seed: 2 })]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    const w = m.getWeights()[0].data;
    expect(Math.min(...w)).toBeGreaterThanOrEqual(0.25);
    expect(Math.max(...w)).toBeLessThanOrEqual(0.75);
    m.dispose();
    const n = new Sequential([new NAU({ units: 1, inputDim: 100, seed: 2 })]);
    n.compile({ optimizer: 'adam', loss: 'mse' });
    const r = Math.min(0.5, Math.sqrt(3) * Math.sqrt(2 / 101));
    const v = n.getWeights()[0].data;
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(r);
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.8 * r);
    n.dispose();
    expect(new NAU({ units: 1 }).sparsity).toEqual({ sparsityLambda: 10, sparsityStart: 1e6, sparsityEnd: 2e6 });
  });

  it('rejects bad options naming the argument, expected and received', () => {
    expect(() => new NAU({ units: 1, sparsityLambda: -1 })).toThrow('NAU.sparsityLambda: expected a number in [0, 1e+30], received -1');
    expect(() => new NMU({ units: 1, sparsityStart: 5, sparsityEnd: 2 })).toThrow('NMU.sparsityEnd: expected a number >= sparsityStart (5), received 2');
    expect(() => new NMU({ units: 1, sparsityLambda: 'x' as never })).toThrow(TypeError);
    expect(() => new NMRU({ units: 1, signRetrieval: 1 as never })).toThrow('NMRU.signRetrieval: expected a boolean, received number');
    expect(() => new NPU({ units: 1, gate: 'input' } as never)).toThrow("NPU: unknown option 'gate'");
    expect(() => new INALU({ units: 1, clipExp: -1 })).toThrow(RangeError);
    expect(() => new NAU({ units: 1, kernelConstraint: { min: 1, max: 0 } })).toThrow('NAU.kernelConstraint: expected min <= max, received 1 > 0');
    expect(() => new NAU({ units: 1, kernelRegularizer: { l3: 1 } as never })).toThrow("NAU.kernelRegularizer: unknown key 'l3'");
    expect(() => new NACMul({ units: 1, epsilon: 0 })).toThrow(RangeError);
  });

  it('the native side validates the same options again', () => {
    const build = (layer: Record<string, unknown>) => () =>
      new native.NativeNetwork({ inputDim: 2, layers: [{ type: 'nau', units: 1, ...layer } as never], loss: { type: 'mse' }, optimizer: { type: 'adam' } });
    expect(build({ sparsityLambda: -1 })).toThrow(/sparsityLambda: expected a number in \[0, /);
    expect(build({ type: 'nmu', sparsityStart: 5, sparsityEnd: 1 })).toThrow(/sparsityEnd: expected a number >= sparsityStart/);
    expect(build({ kernelConstraint: { min: 2, max: 1 } })).toThrow(/kernelConstraint.min: expected min <= max/);
    expect(build({ kernelRegularizer: { l2: -1 } })).toThrow(/kernelRegularizer.l2: expected a number in \[0, /);
    expect(build({ type: 'nmru', signRetrieval: 'yes' })).toThrow(TypeError);
  });
});
