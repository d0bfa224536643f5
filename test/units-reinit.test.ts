// iNALU's reinitialization rule as a fit option (FitArgs.reinitialize).
import { describe, expect, it } from 'vitest';
import { INALU, NAU, SGD, Adam, Sequential, tensor } from '../lib/index';

const rows = 64;
const x = tensor(Float32Array.from({ length: rows * 2 }, (_, i) => 1 + ((i * 37) % 64) / 64), [rows, 2]);
const ySum = tensor(Float32Array.from({ length: rows }, (_, r) => x.data[2 * r] + x.data[2 * r + 1]), [rows, 1]);
const yBig = tensor(Float32Array.from({ length: rows }, () => 100), [rows, 1]);

describe('fit({reinitialize})', () => {
  it('redraws the weights when the loss has stalled above the threshold', async () => {
    // Learning rate 0: the loss cannot move, so every check (after more than minSteps steps) fires.
    const model = new Sequential([new INALU({ units: 1, inputDim: 2, seed: 4 })]);
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: 'mse' });
    const before = Array.from(model.getWeights()[0].data);
    const h = await model.fit(x, yBig, { epochs: 8, batchSize: 8, seed: 1, reinitialize: { everyEpochs: 2, minSteps: 10, threshold: 1 } });
    // 8 steps an epoch: epochs 0–1 give 16 > 10 steps, then the history restarts.
    expect(h.reinitializedAt).toEqual([1, 3, 5, 7]);
    expect(Array.from(model.getWeights()[0].data)).not.toEqual(before);
    model.dispose();
  });
  it('leaves a run alone when its loss is below the threshold, or when off', async () => {
    for (const reinitialize of [true, { everyEpochs: 1, minSteps: 0, threshold: 1e6 }, false] as const) {
      const model = new Sequential([new NAU({ units: 1, inputDim: 2, seed: 4, sparsityLambda: 0 })]);
      model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
      const h = await model.fit(x, ySum, { epochs: 20, batchSize: 8, seed: 1, reinitialize });
      expect(h.reinitializedAt).toEqual([]);
      model.dispose();
    }
  });
  it('validates its options', async () => {
    const model = new Sequential([new NAU({ units: 1, inputDim: 2 })]);
    model.compile({ optimizer: 'adam', loss: 'mse' });
    await expect(model.fit(x, ySum, { reinitialize: { everyEpochs: 0 } })).rejects.toThrow(/reinitialize.everyEpochs: expected an integer in \[1, /);
    await expect(model.fit(x, ySum, { reinitialize: { every: 3 } as never })).rejects.toThrow(RangeError);
    await expect(model.fit(x, ySum, { reinitialize: 'yes' as never })).rejects.toThrow(TypeError);
    model.dispose();
  });
});
