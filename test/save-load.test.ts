// save(dir) / loadModel(dir): identical model back, training config kept, files written atomically.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Adam, Dense, Huber, NALU, NaluError, RMSprop, Sequential, loadModel, tensor } from '../lib/index';
import { uniform } from './helpers/reference';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'nalu-save-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

const x = tensor(uniform(32 * 3, 0.5, 2, 1), [32, 3]);
const y = tensor(Float32Array.from({ length: 32 }, (_, r) => x.data[3 * r] * x.data[3 * r + 1]), [32, 1]);

function trainedModel() {
  const model = new Sequential({
    name: 'mul',
    layers: [
      new Dense({ units: 4, inputDim: 3, activation: 'softsign', seed: 1, name: 'hidden' }),
      new NALU({ units: 1, separateWeights: true, gate: 'independent', clipExp: 20, seed: 2, name: 'out' }),
    ],
  });
  model.compile({ optimizer: new Adam({ learningRate: 0.01, beta1: 0.85, clipNorm: 5 }), loss: new Huber({ delta: 0.3 }) });
  for (let i = 0; i < 5; i++) model.trainOnBatch(x, y);
  return model;
}

describe('save / loadModel', () => {
  it('restores topology, weights, predictions, optimizer and loss', async () => {
    const dir = await tmp();
    const model = trainedModel();
    await model.save(dir);
    const loaded = await loadModel(dir);
    expect(loaded.name).toBe('mul');
    expect(loaded.getConfig()).toEqual(model.getConfig());
    expect(loaded.layers.map((l) => l.className)).toEqual(['Dense', 'NALU']);
    const wa = model.getWeights();
    const wb = loaded.getWeights();
    expect(wb.map((w) => w.shape)).toEqual(wa.map((w) => w.shape));
    wb.forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(wa[i].data)));
    expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(model.predict(x).data));
    expect(loaded.optimizer).toBeInstanceOf(Adam);
    expect(loaded.optimizer.getConfig()).toEqual(model.optimizer.getConfig());
    expect(loaded.loss).toBeInstanceOf(Huber);
    expect((loaded.loss as Huber).delta).toBe(0.3);
    expect(loaded.evaluate(x, y)).toBe(model.evaluate(x, y));
    model.dispose();
    loaded.dispose();
  });

  it('a loaded model keeps training', async () => {
    const dir = await tmp();
    const model = trainedModel();
    await model.save(dir);
    model.dispose();
    const loaded = await loadModel(dir);
    const before = loaded.evaluate(x, y);
    const h = await loaded.fit(x, y, { epochs: 30, batchSize: 8, seed: 1 });
    expect(h.loss).toHaveLength(30);
    expect(loaded.evaluate(x, y)).toBeLessThan(before);
    loaded.dispose();
  });

  it('writes model.json and one content-named weights file, replacing the old one; no temp files remain', async () => {
    const dir = await tmp();
    const model = trainedModel();
    await model.save(dir);
    const first = (await fs.readdir(dir)).sort();
    expect(first).toHaveLength(2);
    expect(first[0]).toBe('model.json');
    expect(first[1]).toMatch(/^weights-[0-9a-f]{16}\.bin$/);
    const json = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('nalu-model');
    expect(json.trainingConfig.optimizer).toEqual(model.optimizer.serialize());
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual([
      'hidden/kernel',
      'hidden/bias',
      'out/W_hat',
      'out/M_hat',
      'out/G',
      'out/W_hat_mul',
      'out/M_hat_mul',
    ]);
    model.trainOnBatch(x, y);
    await model.save(dir);
    const second = (await fs.readdir(dir)).sort();
    expect(second).toHaveLength(2);
    expect(second[1]).not.toBe(first[1]);
    const loaded = await loadModel(dir);
    expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(model.predict(x).data));
    model.dispose();
    loaded.dispose();
  });

  it('an uncompiled model loads uncompiled; other optimizers round-trip too', async () => {
    const dir = await tmp();
    const model = new Sequential([new NALU({ units: 2, inputDim: 3, seed: 3 })]);
    await model.save(dir);
    const loaded = await loadModel(dir);
    expect(() => loaded.trainOnBatch(x, tensor(new Float32Array(64), [32, 2]))).toThrow(expect.objectContaining({ code: 'NOT_COMPILED' }));
    expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(model.predict(x).data));
    model.compile({ optimizer: new RMSprop({ rho: 0.5, momentum: 0.1, clipValue: 1 }), loss: 'mae' });
    await model.save(dir);
    const again = await loadModel(dir);
    expect(again.optimizer.getConfig()).toEqual(model.optimizer.getConfig());
    expect(again.loss.serialize()).toEqual({ className: 'MeanAbsoluteError', config: {} });
    for (const m of [model, loaded, again]) m.dispose();
  });

  it('bad directories and files reject with NaluError BAD_FILE naming the problem', async () => {
    const dir = await tmp();
    await expect(loadModel(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'BAD_FILE', message: expect.stringMatching(/model\.json not found/) });
    await expect(loadModel(42 as never)).rejects.toThrow(TypeError);

    const model = trainedModel();
    await model.save(dir);
    const files = await fs.readdir(dir);
    const weightsFile = path.join(dir, files.find((f) => f.endsWith('.bin'))!);
    const bytes = await fs.readFile(weightsFile);
    await fs.writeFile(weightsFile, bytes.subarray(0, bytes.length - 4));
    const err = await loadModel(dir).catch((e) => e);
    expect(err).toBeInstanceOf(NaluError);
    expect(err.code).toBe('BAD_FILE');
    expect(err.message).toMatch(new RegExp(`has ${bytes.length - 4} bytes, the topology needs ${bytes.length}`));

    await fs.writeFile(path.join(dir, 'model.json'), '{not json');
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'BAD_FILE', message: expect.stringMatching(/not valid JSON/) });
    model.dispose();
  });
});
