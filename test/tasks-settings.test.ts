// Each model of the benchmark trains with its paper's settings (stable-nalu's batch scripts,
// nalm-benchmark's, nalm-division's); flags override them only when given; a warm-up that would
// not start within a shorter run is scaled to it, and a given one that would never start is refused.
import { describe, expect, it } from 'vitest';
import { NAU, NMRU, NMU } from '../lib/index';
import { buildModel, modelSettings } from '../lib/tasks/models';
import { resolveSettings, runArithmetic, runKey, type RunRecord } from '../lib/tasks/run';
import { taskRegistry } from '../lib/tasks/arithmetic';

const staticTask = taskRegistry.get('static', 'task');
const single = taskRegistry.get('single-module', 'task');

describe("per-model settings, as each model's paper ran it", () => {
  it('gives NAU λ̂ 0.01 from 5·10³ to 5·10⁴ and NMU λ̂ 10 from 10⁶ to 2·10⁶ on the static task', () => {
    expect(modelSettings('nau', staticTask, 'add')).toMatchObject({ learningRate: 1e-3, sparsityLambda: 0.01, sparsityStart: 5e3, sparsityEnd: 5e4 });
    expect(modelSettings('nmu', staticTask, 'mul')).toMatchObject({ learningRate: 1e-3, sparsityLambda: 10, sparsityStart: 1e6, sparsityEnd: 2e6 });
    // nau-nmu is the NAU model for + and −, the NMU model otherwise.
    expect(modelSettings('nau-nmu', staticTask, 'sub')).toEqual(modelSettings('nau', staticTask, 'sub'));
    expect(modelSettings('nau-nmu', staticTask, 'div')).toEqual(modelSettings('nmu', staticTask, 'div'));
    // The single-module task's schedule (2·10⁴ → 3.5·10⁴) with each model's λ̂.
    expect(modelSettings('nau', single, 'add')).toMatchObject({ sparsityLambda: 0.01, sparsityStart: 2e4, sparsityEnd: 3.5e4 });
    expect(modelSettings('nmu', single, 'mul')).toMatchObject({ sparsityLambda: 10, sparsityStart: 2e4, sparsityEnd: 3.5e4 });
  });

  it("gives the division and power units Mistry et al.'s settings and models without a regularizer λ̂ 0", () => {
    expect(modelSettings('nmru', single, 'div')).toMatchObject({ learningRate: 1e-2, clipNorm: 1, sparsityLambda: 10 });
    expect(modelSettings('realnpu', single, 'mul')).toMatchObject({ learningRate: 5e-3, sparsityLambda: 0 });
    expect(modelSettings('inalu', single, 'mul')).toMatchObject({ clipValue: 0.1, sparsityLambda: 0 });
    for (const m of ['nalu', 'nac', 'nac-mul', 'linear', 'relu'])
      expect(modelSettings(m, staticTask, 'mul')).toMatchObject({ sparsityLambda: 0, sparsityStart: 0, sparsityEnd: 0, clipNorm: 0 });
  });

  it('reaches every regularized layer, NMRU included, and flags override only what they give', () => {
    const { settings } = resolveSettings(single, 'nmru', 'div', { sparsityEnd: 4e4 }, 5e4);
    expect(settings).toMatchObject({ learningRate: 1e-2, clipNorm: 1, sparsityLambda: 10, sparsityStart: 2e4, sparsityEnd: 4e4 });
    const [nmru] = buildModel('nmru', { op: 'div', depth: 1, inputSize: 2, hiddenSize: 0, ...settings }, [1]);
    expect(nmru).toBeInstanceOf(NMRU);
    expect((nmru as NMRU).sparsity).toEqual({ sparsityLambda: 10, sparsityStart: 2e4, sparsityEnd: 4e4, sparsityUnit: 'steps' });
    expect((nmru as NMRU).signRetrieval).toBe(true);
    const s = resolveSettings(staticTask, 'nau', 'add', {}, 5e6).settings;
    const layers = buildModel('nau', { op: 'add', depth: 2, inputSize: 100, hiddenSize: 2, ...s }, [1, 2]);
    for (const l of layers) expect((l as NAU).sparsity).toEqual({ sparsityLambda: 0.01, sparsityStart: 5e3, sparsityEnd: 5e4, sparsityUnit: 'steps' });
    // A flag for a model without a regularizer changes nothing.
    expect(resolveSettings(staticTask, 'nalu', 'mul', { sparsityLambda: 3, learningRate: 0.01 }, 5e6).settings).toMatchObject({ sparsityLambda: 0, learningRate: 0.01 });
  });

  it("scales a model's warm-up that would not start within a shorter run, and refuses a given one", () => {
    // NMU at 5·10⁴ of the paper's 5·10⁶ steps: 10⁶ → 2·10⁶ becomes 10⁴ → 2·10⁴.
    expect(resolveSettings(staticTask, 'nmu', 'mul', {}, 5e4)).toEqual({
      settings: expect.objectContaining({ sparsityStart: 1e4, sparsityEnd: 2e4 }),
      scaledFrom: [1e6, 2e6],
    });
    // NAU's 5·10³ → 5·10⁴ starts within 8000 steps: unchanged (a partial warm-up is not inert).
    expect(resolveSettings(staticTask, 'nau', 'add', {}, 8000)).toEqual({ settings: expect.objectContaining({ sparsityStart: 5e3, sparsityEnd: 5e4 }) });
    expect(resolveSettings(staticTask, 'nmu', 'mul', {}, 2e6).scaledFrom).toBeUndefined();
    expect(() => resolveSettings(staticTask, 'nmu', 'mul', { sparsityStart: 1e6 }, 5e4)).toThrow(/sparsityStart: 1000000 is not before iterations \(50000\)/);
    expect(() => resolveSettings(staticTask, 'nmu', 'mul', { sparsityStart: 10, sparsityEnd: 5 }, 5e4)).toThrow(RangeError);
    expect(() => resolveSettings(staticTask, 'nmu', 'mul', { learningRate: -1 }, 5e4)).toThrow(/learningRate/);
  });

  it('records the settings and instance parameters a run used, and they make its key', async () => {
    const instance = staticTask.instances('mul', { inputSize: 10, subsetRatio: 0.2, overlapRatio: 0, hiddenSize: 3 })[0];
    const { record } = await runArithmetic({ instance, model: 'nmu', seed: 1, iterations: 200, evalEvery: 100, thresholdSamples: 100, evalSize: 100 });
    expect(record).toMatchObject({
      inputSize: 10, subsetRatio: 0.2, overlapRatio: 0, hiddenSize: 3,
      learningRate: 1e-3, sparsityLambda: 10, sparsityStart: 40, sparsityEnd: 80, clipNorm: 0, clipValue: 0,
    });
    const other = { ...record, hiddenSize: 2 } as RunRecord;
    expect(runKey(other)).not.toBe(runKey(record));
    expect(runKey({ ...record, clipNorm: 1 })).not.toBe(runKey(record));
    // A record from before these fields existed has the task's defaults.
    const old = { ...record, inputSize: undefined, subsetRatio: undefined, overlapRatio: undefined, hiddenSize: undefined, clipNorm: undefined, clipValue: undefined } as unknown as RunRecord;
    const withDefaults = { ...record, inputSize: 100, subsetRatio: 0.25, overlapRatio: 0.5, hiddenSize: 2 };
    expect(runKey(old)).toBe(runKey(withDefaults));
  });

  it('rejects bad instance parameters naming them', () => {
    expect(() => staticTask.instances('add', { inputSize: 0 })).toThrow(/inputSize/);
    expect(() => staticTask.instances('add', { subsetRatio: 2 })).toThrow(/subsetRatio/);
    expect(() => staticTask.instances('add', { hiddenSize: 1.5 })).toThrow(/hiddenSize/);
    expect(() => single.instances('add', { hiddenSize: 2 })).toThrow(/hiddenSize: the single-module task has no hidden layer/);
  });
});

describe('model units', () => {
  it('builds NAU → NMU with the regularizer in both layers', () => {
    const s = modelSettings('nmu', staticTask, 'mul');
    const [a, b] = buildModel('nmu', { op: 'mul', depth: 2, inputSize: 100, hiddenSize: 2, ...s }, [1, 2]);
    expect(a).toBeInstanceOf(NAU);
    expect(b).toBeInstanceOf(NMU);
    expect((b as NMU).sparsity.sparsityLambda).toBe(10);
  });
});

describe('NPU and RealNPU, as Mistry et al. 2021 ran them', () => {
  it('get lr 5e-3 and the L1 schedule 1e-7 → 1e-5 (× and others) or 1e-9 → 1e-7 (÷), and nothing else gets L1', () => {
    expect(modelSettings('realnpu', single, 'mul')).toMatchObject({ learningRate: 5e-3, l1Start: 1e-7, l1End: 1e-5 });
    expect(modelSettings('npu', single, 'div')).toMatchObject({ learningRate: 5e-3, l1Start: 1e-9, l1End: 1e-7 });
    expect(modelSettings('nmu', single, 'mul')).toMatchObject({ l1Start: 0, l1End: 0 });
    expect(resolveSettings(single, 'nmu', 'mul', { l1Start: 1e-3 }, 5e4).settings.l1Start).toBe(0);
    const s = resolveSettings(single, 'realnpu', 'div', {}, 5e4).settings;
    const [npu] = buildModel('realnpu', { op: 'div', depth: 1, inputSize: 2, hiddenSize: 0, ...s }, [1]);
    expect(npu.getConfig()).toMatchObject({ l1Start: 1e-9, l1End: 1e-7 });
  });
});

describe('a task run returns its trained weights', () => {
  it('named and shaped as the layers declare them, loadable with setWeights', async () => {
    const instance = single.instances('mul', { interpolation: [[1, 2]] })[0];
    const { layers, weights } = await runArithmetic({ instance, model: 'nmu', seed: 2, iterations: 50, evalEvery: 25, thresholdSamples: 10, evalSize: 10 });
    const specs = layers.flatMap((l, i) => l.weightSpecs(i === 0 ? 2 : 1));
    expect(weights.map((w) => [w.name, w.shape])).toEqual(specs.map((s) => [s.name, s.shape]));
    const { Sequential } = await import('../lib/index');
    const m = new Sequential(layers);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    m.setWeights(weights.map((w) => ({ data: w.data, shape: w.shape })));
    expect(Array.from(m.getWeights()[0].data)).toEqual(Array.from(weights[0].data));
    m.dispose();
  });
});
