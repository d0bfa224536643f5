// Every option of every unit (layerRegistry), loss and optimizer survives save/loadModel exactly,
// Infinity included (model.json, like getConfig, writes an Infinity option as null). The layers on
// images have their round trips in conv2d.test.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Adam,
  Huber,
  INALU,
  Layer,
  MeanAbsoluteError,
  MeanSquaredError,
  NaluError,
  RMSprop,
  SGD,
  Sequential,
  layerRegistry,
  loadModel,
  tensor,
  type Loss,
  type Optimizer,
} from '../lib/index';
import { unitNames } from './units/index';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-options-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;

describe('every option round-trips through save/loadModel', () => {
  const init = (className: string, config: Record<string, number> = {}) => ({ className, config });
  const base = { inputDim: 3, seed: 7, kernelRegularizer: { l1: 0.01, l2: 0.02 }, kernelConstraint: { min: -2, max: 2 } };
  const sparsity = { sparsityLambda: 0.5, sparsityStart: 3, sparsityEnd: 9, sparsityUnit: 'epochs' };
  // Non-default values of every option of every unit (Infinity wherever it is allowed).
  const options: Record<string, Record<string, unknown>[]> = {
    Dense: [{ activation: 'elu', useBias: false, kernelInitializer: init('randomUniform', { minval: -0.3, maxval: 0.2 }), biasInitializer: init('constant', { value: 0.1 }), kernelConstraint: { min: -Infinity, max: 0.5 } }],
    NAC: [{ kernelInitializer: init('heNormal'), kernelConstraint: { min: -0.7, max: Infinity } }],
    NALU: [
      { kernelInitializer: init('heUniform'), gateInitializer: init('ones'), separateWeights: true, gate: 'independent', clipExp: 7.5, epsilon: 1e-5 },
      { clipExp: Infinity, kernelConstraint: { min: -Infinity, max: Infinity } },
    ],
    NAU: [{ kernelInitializer: init('randomUniform', { minval: -0.4, maxval: 0.4 }), ...sparsity, kernelConstraint: { min: -0.9, max: 0.9 } }],
    NMU: [{ kernelInitializer: init('randomUniform', { minval: 0.3, maxval: 0.6 }), ...sparsity }],
    NACMul: [
      { weight: 'sigma', kernelInitializer: init('glorotUniform'), clipExp: 5, epsilon: 1e-4 },
      { weight: 'nmu', clipExp: Infinity, ...sparsity },
    ],
    INALU: [
      { kernelInitializer: init('randomNormal', { mean: 0.5, stddev: 0.1 }), maskInitializer: init('constant', { value: 0.3 }), gateInitializer: init('zeros'), clipExp: Infinity, epsilon: 1e-6 },
      { clipExp: 3 },
    ],
    NPU: [{ kernelInitializer: init('randomNormal', { mean: 0, stddev: 0.3 }), gateInitializer: init('constant', { value: 0.7 }), imaginaryInitializer: init('constant', { value: 0.01 }), epsilon: 1e-5, l1Start: 1e-6, l1End: 1e-4, l1Step: 5, l1Growth: 10 }],
    RealNPU: [{ kernelInitializer: init('glorotNormal'), gateInitializer: init('ones'), epsilon: 1e-5, l1Start: 1e-3, l1End: 1e-5, l1Step: 3, l1Growth: 10 }],
    NMRU: [{ kernelInitializer: init('randomUniform', { minval: 0.2, maxval: 0.8 }), signRetrieval: true, epsilon: 1e-5, ...sparsity }],
    GatedNAUNMU: [{ addInitializer: init('randomUniform', { minval: -0.2, maxval: 0.2 }), mulInitializer: init('constant', { value: 0.5 }), gateInitializer: init('zeros'), ...sparsity }],
  };
  const optimizers = (): Optimizer[] => [
    new SGD({ learningRate: 0.05, momentum: 0.5, nesterov: true, clipNorm: Infinity, clipValue: 0.7 }),
    new Adam({ learningRate: 0.02, beta1: 0.8, beta2: 0.95, epsilon: 1e-5, clipNorm: 2, clipValue: Infinity }),
    new RMSprop({ learningRate: 0.003, rho: 0.8, momentum: 0.3, epsilon: 1e-6, clipNorm: Infinity, clipValue: Infinity }),
  ];
  const losses = (): Loss[] => [new Huber({ delta: 0.25 }), new MeanAbsoluteError(), new MeanSquaredError()];
  const x = tensor(Float32Array.from({ length: 12 }, (_, i) => 0.5 + (i % 5) * 0.3), [4, 3]);

  /** The option names a layer class takes, from its "unknown option" error. */
  function knownOptions(C: unknown): string[] {
    try {
      new (C as new (a: unknown) => Layer)({ units: 1, probe: 1 });
    } catch (e) {
      const m = /expected one of (.*)$/.exec((e as Error).message);
      if (m) return m[1].split(', ');
    }
    throw new Error('no unknown-option error');
  }

  it('the table covers every option of every registered unit', () => {
    expect(Object.keys(options).sort()).toEqual(unitNames().sort());
    for (const name of unitNames()) {
      const covered = new Set(['units', 'name', 'inputShape', ...Object.keys(base), ...options[name].flatMap((o) => Object.keys(o))]);
      const C = layerRegistry.get(name, 'layer') as unknown as { className: string };
      expect(knownOptions(C).filter((k) => !covered.has(k)), name).toEqual([]);
    }
  });

  it('getConfig, native spec, optimizer, loss, predictions and a training step are the same after loadModel', async () => {
    let k = 0;
    for (const name of unitNames())
      for (const opts of options[name]) {
        const C = layerRegistry.get(name, 'layer') as unknown as new (a: unknown) => Layer;
        const layer = new C({ units: 2, name: `${name}-${k} ∞`, ...base, ...opts });
        const model = new Sequential({ name: `model ${k}`, layers: [layer] });
        const optimizer = optimizers()[k % 3];
        const loss = losses()[k % 3];
        model.compile({ optimizer, loss });
        const dir = path.join(root, `opts${k++}`);
        await model.save(dir);
        const back = await loadModel(dir);
        const what = `${name} ${JSON.stringify(opts, (_, v) => (v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v))}`;
        expect(back.getConfig(), what).toEqual(model.getConfig());
        expect(back.layers[0].toNative(0), what).toEqual(layer.toNative(0));
        expect(back.optimizer.getConfig(), what).toEqual(optimizer.getConfig());
        expect(back.optimizer.toNative(), what).toEqual(optimizer.toNative());
        expect(back.loss.serialize(), what).toEqual(loss.serialize());
        expect(back.loss.toNative(), what).toEqual(loss.toNative());
        expect(Array.from(back.predict(x).data), what).toEqual(Array.from(model.predict(x).data));
        const y = tensor(new Float32Array(8).fill(1), [4, 2]);
        const step = (m: Sequential) => {
          try {
            return [m.trainOnBatch(x, y), m.getWeights()];
          } catch (e) {
            return [(e as NaluError).code];
          }
        };
        expect(step(back), what).toEqual(step(model));
        model.dispose();
        back.dispose();
      }
  });

  it('a kernelConstraint of +Infinity min or −Infinity max (every weight infinite) is refused; unbounded sides are left out', () => {
    const Dense = layerRegistry.get('Dense', 'layer') as unknown as new (a: unknown) => Layer;
    expect(() => new Dense({ units: 1, kernelConstraint: { min: Infinity } })).toThrow(RangeError);
    expect(() => new Dense({ units: 1, kernelConstraint: { max: -Infinity } })).toThrow(RangeError);
    expect(new Dense({ units: 1, kernelConstraint: { min: -Infinity, max: Infinity } }).kernelConstraint).toEqual({});
  });

  it('INALU clipExp Infinity and optimizer clipNorm/clipValue Infinity load back as Infinity', async () => {
    const model = new Sequential([new INALU({ units: 1, inputDim: 2, clipExp: Infinity })]);
    model.compile({ optimizer: new Adam({ clipNorm: Infinity, clipValue: Infinity }), loss: 'mse' });
    const dir = path.join(root, `inf${n++}`);
    await model.save(dir);
    const back = await loadModel(dir);
    expect((back.layers[0] as INALU).clipExp).toBe(Infinity);
    expect(back.optimizer.clipNorm).toBe(Infinity);
    expect(back.optimizer.clipValue).toBe(Infinity);
  });
});
