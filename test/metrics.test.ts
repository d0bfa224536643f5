// compile({metrics}): mae, mse and rmse computed natively, in the epoch logs, History and evaluate,
// against a float64 reference of the same outputs.
import { describe, expect, it } from 'vitest';
import { NALU, Dense, SGD, Sequential, loadModel, tensor, type EpochLogs } from '../lib/index';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const rows = 300;
const x = tensor(Float32Array.from({ length: rows * 3 }, (_, i) => 0.5 + ((i * 29) % 97) / 60), [rows, 3]);
const y = tensor(Float32Array.from({ length: rows }, (_, r) => x.data[3 * r] * x.data[3 * r + 1] + x.data[3 * r + 2]), [rows, 1]);

function model(metrics: ('mae' | 'mse' | 'rmse')[] = ['mae', 'mse', 'rmse'], learningRate = 0) {
  const m = new Sequential([new NALU({ units: 2, inputDim: 3, seed: 4 }), new Dense({ units: 1, seed: 5 })]);
  m.compile({ optimizer: new SGD({ learningRate }), loss: 'huber', metrics });
  return m;
}

/** float64 mae and mse of the model's outputs on rows [from, to). */
function reference(m: Sequential, from = 0, to = rows) {
  const p = m.predict(x).data;
  let abs = 0, sq = 0;
  for (let i = from; i < to; i++) {
    const d = p[i] - y.data[i];
    abs += Math.abs(d);
    sq += d * d;
  }
  return { mae: abs / (to - from), mse: sq / (to - from) };
}

describe('metrics', () => {
  it('evaluate(…, {returnDict}) gives the loss and each compiled metric; the plain form stays a number', () => {
    const m = model();
    const r = m.evaluate(x, y, { returnDict: true, batchSize: 64 });
    const ref = reference(m);
    expect(r.mae).toBeCloseTo(ref.mae, 6);
    expect(r.mse).toBeCloseTo(ref.mse, 6);
    expect(r.rmse).toBeCloseTo(Math.sqrt(ref.mse), 6);
    expect(r.loss).toBe(m.evaluate(x, y, { batchSize: 64 }));
    expect(typeof m.evaluate(x, y)).toBe('number');
    m.dispose();
  });

  it('fit logs them for the epoch’s batches and for the validation data (learning rate 0: the same outputs)', async () => {
    const m = model();
    const seen: EpochLogs[] = [];
    const h = await m.fit(x, y, { epochs: 3, batchSize: 32, validationSplit: 0.2, callbacks: { onEpochEnd: (_, l) => void seen.push(l) } });
    const train = reference(m, 0, 240), val = reference(m, 240, 300);
    for (const l of seen) {
      expect(l.mae).toBeCloseTo(train.mae, 5);
      expect(l.mse).toBeCloseTo(train.mse, 5);
      expect(l.rmse).toBeCloseTo(Math.sqrt(train.mse), 5);
      expect(l.valMae).toBeCloseTo(val.mae, 5);
      expect(l.valRmse).toBeCloseTo(Math.sqrt(val.mse), 5);
    }
    expect(h.metrics.mae).toEqual(seen.map((l) => l.mae));
    expect(h.history.val_mse).toEqual(seen.map((l) => l.valMse));
    expect(h.history.valRmse).toEqual(seen.map((l) => l.valRmse));
    m.dispose();
  });

  it('only the compiled ones appear; they survive save and loadModel', async () => {
    const m = model(['mae']);
    const h = await m.fit(x, y, { epochs: 1 });
    expect(Object.keys(h.history).sort()).toEqual(['loss', 'mae', 'regularization']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-metrics-'));
    try {
      await m.save(dir);
      const back = await loadModel(dir);
      expect(back.metrics).toEqual(['mae']);
      back.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    m.dispose();
  });

  it('refuses unknown metrics naming them', () => {
    const m = new Sequential([new Dense({ units: 1, inputDim: 3 })]);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['accuracy' as never] })).toThrow(/metrics\[0\]: expected one of 'mae', 'mse', 'rmse', received 'accuracy'/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: 'mae' as never })).toThrow(TypeError);
    expect(() => m.evaluate(x, y, { returnDict: 1 } as never)).toThrow();
    m.dispose();
  });
});
