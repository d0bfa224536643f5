// nalu/tfjs: every unit as a TensorFlow.js layer. A nalu model written by toTfjs loads with
// tf.loadLayersModel and predicts as nalu does; tfjs's autodiff gives nalu's analytic gradients;
// a tfjs NAU trains inside a tfjs model; fromTfjs reads the files back.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { NAU, NMU, NaluError, Sequential, fromTfjs, tfjsHandler, type Layer } from '../lib/index';
import { naluLayer, naluLayerNames } from '../lib/tfjs';
import { rng } from './helpers/reference';
import { build, registeredVariants, unitNames } from './units/index';

tf.setBackend('cpu');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-tfjs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;

function inputs(rows: number, inp: number, lo: number, hi: number, seed: number): Float32Array {
  const u = rng(seed);
  return Float32Array.from({ length: rows * inp }, () => (lo + (hi - lo) * u()) * (u() < 0.5 ? -1 : 1));
}
function close(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, what: string) {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    if (!(Math.abs(got[i] - want[i]) <= rel * Math.max(1, Math.abs(want[i])))) expect.fail(`${what}: element ${i}: tfjs ${got[i]}, nalu ${want[i]}`);
}

function compiled(layers: Layer[]) {
  const m = new Sequential(layers);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

describe('toTfjs → tf.loadLayersModel', () => {
  for (const { name, ref, variant } of registeredVariants())
    it(`${name} ${JSON.stringify(variant)}: predicts as nalu (1e-5), and autodiff gives nalu's gradients (1e-4)`, async () => {
      // Without the unit's regularizers: tfjs differentiates the loss alone.
      const plain: Record<string, unknown> = { ...variant };
      delete plain.kernelRegularizer;
      if ('sparsityLambda' in plain) plain.sparsityLambda = 0;
      if ('l1Start' in plain) for (const k of ['l1Start', 'l1End', 'l1Step']) delete plain[k];
      const model = compiled([build(ref, { units: 2, inputDim: 3, seed: 3, ...plain })]);
      const dir = path.join(tmp, `m${n++}`);
      await model.toTfjs(dir);
      const tm = await tf.loadLayersModel(tfjsHandler(dir) as tf.io.IOHandler);
      const rows = 32, x = inputs(rows, 3, ref.domain.lo, ref.domain.hi, 11);
      const want = model.predict({ data: x, shape: [rows, 3] }).data;
      const got = (tm.predict(tf.tensor2d(x, [rows, 3])) as tf.Tensor).dataSync();
      close(got, want, 1e-5, `${name} predict`);
      // Gradients of the MSE on targets y, with respect to every weight.
      const y = inputs(rows * 2, 1, 0.5, 1.5, 12);
      const ours = model.computeGradients({ data: x, shape: [rows, 3] }, { data: y, shape: [rows, 2] }).grads;
      const vars = tm.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => tf.losses.meanSquaredError(tf.tensor2d(y, [rows, 2]), tm.apply(tf.tensor2d(x, [rows, 3])) as tf.Tensor) as tf.Scalar, vars);
      const theirs = vars.map((v) => grads[v.name].dataSync());
      expect(theirs.length).toBe(ours.length);
      ours.forEach((g, i) => close(theirs[i], g.data, 1e-4, `${name} gradient of weight ${i}`));
      tm.dispose();
      model.dispose();
    });

  it('fromTfjs reads the files back into a nalu model that predicts the same', async () => {
    const model = compiled([new NAU({ units: 2, inputDim: 3, seed: 1 }), new NMU({ units: 1, seed: 2 })]);
    const dir = path.join(tmp, 'round');
    await model.toTfjs(dir);
    const back = await fromTfjs(dir);
    const x = inputs(16, 3, 1, 5, 2);
    expect(back.getConfig().layers.map((l) => l.className)).toEqual(['NAU', 'NMU']);
    close(back.predict({ data: x, shape: [16, 3] }).data, model.predict({ data: x, shape: [16, 3] }).data, 0, 'round trip');
    model.dispose();
    back.dispose();
  });

  it('fromTfjs names what is wrong in a bad model.json', async () => {
    const dir = path.join(tmp, 'bad');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'model.json'), '{"modelTopology": {"config": {"layers": [{"class_name": "Conv2D", "config": {}}]}}}');
    const err = await fromTfjs(dir).catch((e) => e);
    expect(err).toBeInstanceOf(NaluError);
    expect(err.code).toBe('BAD_FILE');
    expect(err.message).toMatch(/layer 0 is "Conv2D"/);
    fs.writeFileSync(path.join(dir, 'model.json'), 'not json');
    await expect(fromTfjs(dir)).rejects.toThrow(/not JSON/);
    await expect(fromTfjs(path.join(tmp, 'absent'))).rejects.toThrow(NaluError);
  });
});

describe('nalu/tfjs layers in a tfjs model', () => {
  it('has a layer for every unit', () => {
    expect(naluLayerNames().sort()).toEqual(unitNames().sort());
    expect(() => naluLayer('Conv')).toThrow(/expected one of/);
  });

  it('a tfjs NAU learns x0 + x1 with tfjs training', async () => {
    const NAUTfjs = naluLayer('NAU');
    const m = tf.sequential({ layers: [new NAUTfjs({ nalu: { units: 1 }, inputShape: [3] })] });
    m.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    // Fixed start and batch order: tfjs's initializers and shuffle draw from an unseeded Math.random.
    m.setWeights([tf.tensor2d([[0.3], [-0.2], [0.4]])]);
    const x = inputs(256, 3, 1, 2, 5).map(Math.abs);
    const y = Float32Array.from({ length: 256 }, (_, i) => x[3 * i] + x[3 * i + 1]);
    await m.fit(tf.tensor2d(x, [256, 3]), tf.tensor2d(y, [256, 1]), { epochs: 150, batchSize: 64, verbose: 0, shuffle: false });
    const w = Array.from(m.getWeights()[0].dataSync());
    [1, 1, 0].forEach((want, i) => expect(Math.abs(w[i] - want), `W[${i}] = ${w[i]}`).toBeLessThan(0.05));
    // 20× outside the training range.
    const far = (m.predict(tf.tensor2d([[30, 40, 50]])) as tf.Tensor).dataSync()[0];
    expect(Math.abs(far - 70) / 70).toBeLessThan(0.02);
    m.dispose();
  });
});
