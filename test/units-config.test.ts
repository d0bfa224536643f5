// getConfig → deserializeLayer and save → loadModel round trips of every registered unit and
// variant (test/units/), and the defaults and option validation of the units after NALU.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import { GatedNAUNMU, INALU, NACMul, NAU, NMRU, NMU, NPU, Sequential, deserializeLayer, layerRegistry, loadModel, tensor, type Layer } from '../lib/index';
import { signedUniform } from './helpers/reference';
import { build, registeredVariants } from './units/index';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('units: config', () => {
  for (const { name, ref, variant } of registeredVariants())
    it(`${name}: getConfig round-trips through deserializeLayer and save/loadModel: same config, weights and outputs`, async () => {
      const layer = build(ref, { units: 2, inputDim: 3, seed: 1, ...variant });
      expect(layerRegistry.has(layer.className)).toBe(true);
      const json = JSON.parse(JSON.stringify(layer.serialize()));
      const copy = deserializeLayer(json);
      expect(copy.getConfig()).toEqual(layer.getConfig());
      const a = new Sequential([layer]), b = new Sequential([copy]);
      a.compile({ optimizer: 'adam', loss: 'mse' });
      b.compile({ optimizer: 'adam', loss: 'mse' });
      expect(b.getWeights()).toEqual(a.getWeights());
      const x = tensor(signedUniform(8 * 3, ref.domain.lo, ref.domain.hi, 3), [8, 3]);
      const out = a.predict(x).data;
      expect(out.every(Number.isFinite), 'outputs on the unit\'s input domain are finite').toBe(true);
      expect(b.predict(x).data).toEqual(out);
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nalu-units-'));
      dirs.push(dir);
      await a.save(dir);
      const loaded = await loadModel(dir);
      expect(loaded.layers.map((l) => l.getConfig())).toEqual([layer.getConfig()]);
      expect(loaded.getWeights()).toEqual(a.getWeights());
      expect(loaded.predict(x).data).toEqual(out);
      a.dispose();
      b.dispose();
      loaded.dispose();
    });

  it('NACMul: weight picks the weights, their default initializer and the regularizer', () => {
    expect(new NACMul({ units: 1 }).weight).toBe('nac');
    expect(new NACMul({ units: 1 }).getConfig()).toMatchObject({ weight: 'nac', kernelInitializer: { className: 'glorotUniform' } });
    expect(new NACMul({ units: 1 }).sparsity).toBeUndefined();
    expect(new NACMul({ units: 2, weight: 'sigma' }).weightSpecs(3)).toEqual([{ name: 'W_hat', shape: [3, 2] }]);
    expect(new NACMul({ units: 2, weight: 'sigma' }).kernelInitializer.type).toBe('glorotNormal');
    expect(new NACMul({ units: 2, weight: 'nmu' }).weightSpecs(3)).toEqual([{ name: 'W', shape: [3, 2] }]);
    expect(new NACMul({ units: 2, weight: 'nmu' }).sparsity).toEqual({ sparsityLambda: 10, sparsityStart: 0.2, sparsityEnd: 0.4, sparsityUnit: 'fit' });
    // A config saved before `weight` existed is weight 'nac'.
    expect((deserializeLayer({ className: 'NACMul', config: { units: 1, kernelInitializer: 'glorotUniform' } }) as NACMul).weight).toBe('nac');
  });

  it('NACMul nmu clamps W to [0, 1] after a step, as the NMU; GatedNAUNMU clamps W_add to [−1, 1] and W_mul to [0, 1], not G', () => {
    const x = { data: Float32Array.from([1, 2, 0.5, 3]), shape: [2, 2] }, y = { data: Float32Array.from([50, -50]), shape: [2, 1] };
    const m = new Sequential([new NACMul({ units: 1, inputDim: 2, weight: 'nmu', sparsityLambda: 0 })]);
    m.compile({ optimizer: { className: 'SGD', config: { learningRate: 100 } } as never, loss: 'mse' });
    m.trainOnBatch(x, y);
    for (const v of m.getWeights()[0].data) expect(v >= 0 && v <= 1).toBe(true);
    m.dispose();
    const g = new Sequential([new GatedNAUNMU({ units: 1, inputDim: 2, sparsityLambda: 0, gateInitializer: 'ones' })]);
    g.compile({ optimizer: { className: 'SGD', config: { learningRate: 100 } } as never, loss: 'mse' });
    g.setWeights([{ data: Float32Array.from([0.9, -0.9]), shape: [2, 1] }, { data: Float32Array.from([0.9, 0.1]), shape: [2, 1] }, { data: Float32Array.from([0.5, 0.5]), shape: [2, 1] }]);
    g.trainOnBatch(x, y);
    const [wa, wm, gate] = g.getWeights().map((w) => Array.from(w.data));
    expect(wa.every((v) => v >= -1 && v <= 1) && wa.some((v) => Math.abs(v) === 1)).toBe(true);
    expect(wm.every((v) => v >= 0 && v <= 1) && wm.some((v) => v === 0 || v === 1)).toBe(true);
    expect(gate.some((v) => Math.abs(v) > 1)).toBe(true);
    g.dispose();
  });

  it("the memory estimate counts each unit's weight matrices (refused before allocating)", () => {
    // 16 layers of 46000 × 46000: about a terabyte for one matrix a layer, refused on any machine.
    const gb = (layer: Record<string, unknown>) => {
      const spec = { inputDim: 46000, layers: Array.from({ length: 16 }, () => ({ units: 46000, ...layer })), loss: { type: 'mse' }, optimizer: { type: 'sgd' } };
      let message = '';
      try {
        new native.NativeNetwork(spec as never).dispose();
      } catch (e) {
        message = (e as Error).message;
      }
      const m = /needs about ([\d.e+]+) GB/.exec(message);
      expect(m, message).not.toBeNull();
      return Number(m![1]);
    };
    const one = gb({ type: 'nau' }); // the message prints 3 digits
    expect(gb({ type: 'nacmul', weight: 'sigma' }) / one).toBeCloseTo(1, 1);
    expect(gb({ type: 'nacmul', weight: 'nmu' }) / one).toBeCloseTo(1, 1);
    expect(gb({ type: 'nacmul' }) / one).toBeCloseTo(2, 1);
    expect(gb({ type: 'gatednaunmu' }) / one).toBeCloseTo(3, 1);
    expect(gb({ type: 'nalu', separateWeights: true }) / one).toBeCloseTo(5, 1);
  });

  it('saves and loads the new units (weights, config and predictions)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nalu-units-'));
    try {
      const model = new Sequential([
        new GatedNAUNMU({ units: 2, inputDim: 3, seed: 3, sparsityLambda: 1, sparsityStart: 0, sparsityEnd: 4 }),
        new NACMul({ units: 2, weight: 'sigma', seed: 4 }),
        new NACMul({ units: 1, weight: 'nmu', seed: 5, sparsityLambda: 0.5 }),
      ]);
      model.compile({ optimizer: 'adam', loss: 'mse' });
      const x = { data: Float32Array.from({ length: 24 }, (_, i) => 0.5 + ((i * 7) % 11) / 10), shape: [8, 3] };
      const y = { data: Float32Array.from({ length: 8 }, (_, r) => x.data[3 * r] * x.data[3 * r + 1]), shape: [8, 1] };
      for (let i = 0; i < 3; i++) model.trainOnBatch(x, y);
      await model.save(dir);
      const loaded = await loadModel(dir);
      expect(loaded.layers.map((l) => l.getConfig())).toEqual(model.layers.map((l) => l.getConfig()));
      expect(loaded.getWeights()).toEqual(model.getWeights());
      expect(loaded.predict(x).data).toEqual(model.predict(x).data);
      model.dispose();
      loaded.dispose();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
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
    // A plain fit's defaults: the paper's warm-ups as fractions of each fit.
    expect(new NAU({ units: 1 }).sparsity).toEqual({ sparsityLambda: 0.01, sparsityStart: 0.001, sparsityEnd: 0.01, sparsityUnit: 'fit' });
    expect(new NMU({ units: 1 }).sparsity).toEqual({ sparsityLambda: 10, sparsityStart: 0.2, sparsityEnd: 0.4, sparsityUnit: 'fit' });
    expect(new NAU({ units: 1, sparsityStart: 5, sparsityEnd: 9 }).sparsity).toEqual({ sparsityLambda: 0.01, sparsityStart: 5, sparsityEnd: 9, sparsityUnit: 'steps' });
    // NAC•,NMU: U[0.25, 0.75]; NAC•,σ: glorotNormal (2σ-truncated, variance 2/(in+out)).
    const weightsOf = (layer: Layer) => {
      const s = new Sequential([layer]);
      s.compile({ optimizer: 'adam', loss: 'mse' });
      const w = s.getWeights().map((t) => Array.from(t.data));
      s.dispose();
      return w;
    };
    const [wn] = weightsOf(new NACMul({ units: 64, inputDim: 64, seed: 2, weight: 'nmu' }));
    expect(Math.min(...wn)).toBeGreaterThanOrEqual(0.25);
    expect(Math.max(...wn)).toBeLessThanOrEqual(0.75);
    expect(Math.max(...wn)).toBeGreaterThan(0.74);
    const [ws] = weightsOf(new NACMul({ units: 64, inputDim: 64, seed: 2, weight: 'sigma' }));
    const variance = ws.reduce((a, v) => a + v * v, 0) / ws.length;
    expect(variance).toBeGreaterThan(0.9 * (2 / 128));
    expect(variance).toBeLessThan(1.1 * (2 / 128));
    // GatedNAUNMU 100 → 4: W_add the NAU's U[−r, r], W_mul the NMU's U[0.25, 0.75], G glorotUniform.
    const [wa, wm, g] = weightsOf(new GatedNAUNMU({ units: 4, inputDim: 100, seed: 2 }));
    const ra = Math.min(0.5, Math.sqrt(3) * Math.sqrt(2 / 104)), lg = Math.sqrt(6 / 104);
    expect(Math.max(...wa.map(Math.abs))).toBeLessThanOrEqual(ra);
    expect(Math.max(...wa.map(Math.abs))).toBeGreaterThan(0.9 * ra);
    expect(Math.min(...wm)).toBeGreaterThanOrEqual(0.25);
    expect(Math.max(...wm)).toBeLessThanOrEqual(0.75);
    expect(Math.max(...g.map(Math.abs))).toBeLessThanOrEqual(lg);
    expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(0.9 * lg);
    expect(new GatedNAUNMU({ units: 1 }).sparsity).toEqual({ sparsityLambda: 10, sparsityStart: 0.2, sparsityEnd: 0.4, sparsityUnit: 'fit' });
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
    expect(() => new NACMul({ units: 1, weight: 'x' as never })).toThrow(new RangeError("NACMul.weight: expected one of 'nac', 'sigma', 'nmu', received 'x'"));
    expect(() => new NACMul({ units: 1, weight: 1 as never })).toThrow(new TypeError("NACMul.weight: expected one of 'nac', 'sigma', 'nmu', received number"));
    expect(() => new NACMul({ units: 1, sparsityLambda: 1 })).toThrow(new RangeError("NACMul.sparsityLambda: only weight 'nmu' has a sparsity regularizer, received weight 'nac'"));
    expect(() => new NACMul({ units: 1, weight: 'sigma', sparsityEnd: 1 })).toThrow(new RangeError("NACMul.sparsityEnd: only weight 'nmu' has a sparsity regularizer, received weight 'sigma'"));
    expect(() => new NACMul({ units: 1, weight: 'nmu', sparsityStart: 5, sparsityEnd: 2 })).toThrow('NACMul.sparsityEnd: expected a number >= sparsityStart (5), received 2');
    expect(() => new NACMul({ units: 1, weight: 'nmu', kernelInitializer: 'nope' as never })).toThrow("NACMul.kernelInitializer: unknown initializer 'nope'");
    expect(() => new GatedNAUNMU({ units: 1, sparsityLambda: -1 })).toThrow('GatedNAUNMU.sparsityLambda: expected a number in [0, 1e+30], received -1');
    expect(() => new GatedNAUNMU({ units: 1, gateInitializer: 3 as never })).toThrow(TypeError);
    expect(() => new GatedNAUNMU({ units: 1, mulInitializer: 'x' as never })).toThrow("GatedNAUNMU.mulInitializer: unknown initializer 'x'");
    expect(() => new GatedNAUNMU({ units: 1, epsilon: 1 } as never)).toThrow("GatedNAUNMU: unknown option 'epsilon'");
  });

  it('the native side validates the same options again', () => {
    const build = (layer: Record<string, unknown>) => () =>
      new native.NativeNetwork({ inputDim: 2, layers: [{ type: 'nau', units: 1, ...layer } as never], loss: { type: 'mse' }, optimizer: { type: 'adam' } });
    expect(build({ sparsityLambda: -1 })).toThrow(/sparsityLambda: expected a number in \[0, /);
    expect(build({ type: 'nmu', sparsityStart: 5, sparsityEnd: 1 })).toThrow(/sparsityEnd: expected a number >= sparsityStart/);
    expect(build({ kernelConstraint: { min: 2, max: 1 } })).toThrow(/kernelConstraint.min: expected min <= max/);
    expect(build({ kernelRegularizer: { l2: -1 } })).toThrow(/kernelRegularizer.l2: expected a number in \[0, /);
    expect(build({ type: 'nmru', signRetrieval: 'yes' })).toThrow(TypeError);
    expect(build({ type: 'nacmul', weight: 'x' })).toThrow(/nacmul\)\.weight: expected one of 'nac', 'sigma', 'nmu', received 'x'/);
    expect(build({ type: 'nacmul', weight: 2 })).toThrow(TypeError);
    expect(build({ type: 'nacmul', sparsityLambda: 1 })).toThrow(/sparsityLambda: only weight 'nmu' has a sparsity regularizer, received weight 'nac'/);
    expect(build({ type: 'nacmul', weight: 'sigma', sparsityStart: 1 })).toThrow(/sparsityStart: only weight 'nmu'/);
    expect(build({ type: 'nacmul', weight: 'nmu', sparsityStart: 5, sparsityEnd: 1 })).toThrow(/sparsityEnd: expected a number >= sparsityStart/);
    expect(build({ type: 'gatednaunmu', sparsityStart: 5, sparsityEnd: 1 })).toThrow(/gatednaunmu\)\.sparsityEnd: expected a number >= sparsityStart/);
    expect(build({ type: 'gatednaunmu', gateInitializer: 'nope' })).toThrow(/gateInitializer.type: expected one of/);
    expect(build({ type: 'gatednaunmu', addInitializer: { minval: 1, maxval: 0 } })).toThrow(/addInitializer.minval: expected minval <= maxval/);
  });
});
