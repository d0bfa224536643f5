// Conv2D and MaxPool2D, the layers of the sequential-MNIST digit network: float64 gradient checks
// (weights, bias, dx; 'valid' and 'same'; strides 1 and 2), forward values against @tensorflow/tfjs,
// save/load, summary and weightSpecs, validation in TS and C++, and a small counting task learned.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import { Adam, Conv2D, Dense, MaxPool2D, Sequential, loadModel, randomUniform, tensor, type Layer } from '../lib/index';
import { checkGradients } from './helpers/gradients';
import { rng, signedUniform, uniform } from './helpers/reference';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-conv-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const values = (n: number, seed: number, scale = 1) => Array.from(signedUniform(n, 0.05, scale, seed));

describe('gradients against central differences of the float64 reference', () => {
  // A Dense in front makes the conv's dx reach weights (checked); the conv in front does the pool's.
  const cases: { conv: Record<string, unknown>; pool: Record<string, unknown> }[] = [
    { conv: { kernelSize: 3, strides: 1, padding: 'valid', activation: 'tanh' }, pool: { poolSize: 2, padding: 'valid' } },
    { conv: { kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' }, pool: { poolSize: 2, strides: 1, padding: 'same' } },
    { conv: { kernelSize: [3, 2], strides: [2, 1], padding: 'valid', useBias: false }, pool: { poolSize: [2, 3], strides: 2, padding: 'same' } },
    { conv: { kernelSize: 2, strides: 1, padding: 'same', activation: 'sigmoid' }, pool: { poolSize: 3, strides: 2, padding: 'valid' } },
  ];
  for (const [k, c] of cases.entries())
    it(`conv ${JSON.stringify(c.conv)}, pool ${JSON.stringify(c.pool)}`, () => {
      const rows = 3;
      const front = new Dense({ units: 5 * 6 * 2, inputDim: 4, seed: 1, biasInitializer: randomUniform({ minval: -0.5, maxval: 0.5 }) });
      const conv = new Conv2D({ inputShape: [5, 6, 2], filters: 3, seed: 2 + k, biasInitializer: randomUniform({ minval: -0.3, maxval: 0.3 }), ...c.conv } as never);
      const pool = new MaxPool2D({ inputShape: conv.outputShape, ...c.pool } as never);
      const out = new Dense({ units: 2, seed: 3 });
      const layers: Layer[] = [front, conv, pool, out];
      checkGradients({
        layers,
        inputDim: 4,
        x: tensor(signedUniform(rows * 4, 0.2, 1.5, 10 + k), [rows, 4]),
        y: tensor(uniform(rows * 2, -1, 1, 20 + k), [rows, 2]),
        loss: 'mse',
        margin: 1e-4,
      });
    });
});

describe('forward values against @tensorflow/tfjs (pure JS)', () => {
  const shape = [7, 6, 3];
  const rows = 2;
  const x = signedUniform(rows * 7 * 6 * 3, 0, 1, 5);
  for (const padding of ['valid', 'same'] as const)
    for (const strides of [1, 2])
      it(`conv2d and maxPool, ${padding}, strides ${strides}`, () => {
        const conv = new Conv2D({ inputShape: shape, filters: 4, kernelSize: [3, 2], strides, padding, activation: 'relu' });
        const m = new Sequential([conv]);
        const kernel = Float32Array.from(values(3 * 2 * 3 * 4, 7));
        const bias = Float32Array.from(values(4, 8, 0.2));
        m.setWeights([tensor(kernel, [3, 2, 3, 4]), tensor(bias, [4])]);
        const want = tf.tidy(() =>
          tf.relu(tf.add(tf.conv2d(tf.tensor4d(x, [rows, 7, 6, 3]), tf.tensor4d(kernel, [3, 2, 3, 4]), strides, padding), tf.tensor1d(bias))).dataSync(),
        );
        const got = m.predict(tensor(x, [rows, 7 * 6 * 3]));
        expect(got.shape).toEqual([rows, conv.units]);
        expect(got.data.length).toBe(want.length);
        got.data.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
        m.dispose();

        const pool = new MaxPool2D({ inputShape: shape, poolSize: [3, 2], strides, padding });
        const p = new Sequential([pool]);
        const wantPool = tf.tidy(() => tf.maxPool(tf.tensor4d(x, [rows, 7, 6, 3]), [3, 2], strides, padding).dataSync());
        expect(Array.from(p.predict(tensor(x, [rows, 7 * 6 * 3])).data)).toEqual(Array.from(wantPool));
        p.dispose();
      });
});

describe('the digit network (Madsen & Johansen 2020)', () => {
  const digitNet = () => {
    const c1 = new Conv2D({ inputShape: [28, 28, 1], filters: 20, kernelSize: 5, activation: 'relu', seed: 1 });
    const p1 = new MaxPool2D({ inputShape: c1.outputShape });
    const c2 = new Conv2D({ inputShape: p1.outputShape, filters: 50, kernelSize: 5, activation: 'relu', seed: 2 });
    const p2 = new MaxPool2D({ inputShape: c2.outputShape });
    return new Sequential([c1, p1, c2, p2, new Dense({ units: 500, activation: 'relu', seed: 3 }), new Dense({ units: 1, seed: 4 })]);
  };

  it('has the shapes, weightSpecs and summary of the paper', () => {
    const m = digitNet();
    expect(m.layers.map((l) => (l as Conv2D).outputShape ?? [l.units])).toEqual([[24, 24, 20], [12, 12, 20], [8, 8, 50], [4, 4, 50], [500], [1]]);
    expect(m.weightSpecs().map((w) => w.shape)).toEqual([[5, 5, 1, 20], [20], [5, 5, 20, 50], [50], [800, 500], [500], [500, 1], [1]]);
    const text = m.summary(() => {});
    expect(text).toMatch(/conv2d_\d+ \(Conv2D\)\s+\[null, 11520\]\s+520\s/);
    expect(text).toMatch(/maxpool2d_\d+ \(MaxPool2D\)\s+\[null, 2880\]\s+0\s/);
    expect(text).toContain(`Total params: ${520 + 25050 + 400500 + 501}`);
    m.dispose();
  });

  it('saves and loads: config, weights and predictions the same', async () => {
    const m = digitNet();
    m.compile({ optimizer: 'adam', loss: 'mse' });
    const x = tensor(uniform(3 * 784, 0, 1, 4), [3, 784]);
    const dir = path.join(root, 'digits');
    await m.save(dir);
    const back = await loadModel(dir);
    expect(back.getConfig()).toEqual(m.getConfig());
    expect(back.getConfig().layers[0].config).toMatchObject({ inputShape: [28, 28, 1], filters: 20, kernelSize: [5, 5], strides: [1, 1], padding: 'valid' });
    expect(back.layers.map((l, i) => l.toNative(i))).toEqual(m.layers.map((l, i) => l.toNative(i)));
    expect(Array.from(back.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    m.dispose();
    back.dispose();
  });

  it('every option round-trips through save/loadModel, and each is sent (no native default applies)', async () => {
    const conv = new Conv2D({ inputShape: [9, 8, 2], filters: 3, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'selu', useBias: false, kernelInitializer: 'heNormal', biasInitializer: 'ones', name: 'c ∞', seed: 7 });
    const pool = new MaxPool2D({ inputShape: conv.outputShape, poolSize: [1, 3], strides: [2, 2], padding: 'same' });
    expect(conv.toNative(0)).toMatchObject({ type: 'conv2d', units: 5 * 8 * 3, inputHeight: 9, inputWidth: 8, inputChannels: 2, filters: 3, kernelHeight: 3, kernelWidth: 2, strideHeight: 2, strideWidth: 1, padding: 'same', activation: 'selu', useBias: false });
    expect(pool.toNative(0)).toMatchObject({ type: 'maxpool2d', units: 3 * 4 * 3, poolHeight: 1, poolWidth: 3, strideHeight: 2, strideWidth: 2, padding: 'same' });
    expect(new MaxPool2D({ inputShape: [4, 4, 1] }).toNative(0)).toMatchObject({ poolHeight: 2, poolWidth: 2, strideHeight: 2, strideWidth: 2, padding: 'valid' });
    const m = new Sequential([conv, pool]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const dir = path.join(root, 'options');
    await m.save(dir);
    const back = await loadModel(dir);
    expect(back.getConfig()).toEqual(m.getConfig());
    expect(back.layers.map((l) => l.toNative(0))).toEqual(m.layers.map((l) => l.toNative(0)));
    const x = tensor(uniform(2 * 144, -1, 1, 3), [2, 144]);
    expect(Array.from(back.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    m.dispose();
    back.dispose();
  });

  it('glorotUniform counts the receptive field in both fans, as Keras', () => {
    const m = new Sequential([new Conv2D({ inputShape: [8, 8, 4], filters: 6, kernelSize: 3, seed: 9 })]);
    const w = m.getWeights()[0].data;
    const limit = Math.sqrt(6 / (9 * 4 + 9 * 6));
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * limit);
    m.dispose();
  });
});

describe('validation', () => {
  it('TS names the option, expected and received', () => {
    const ok = { inputShape: [6, 6, 1], filters: 2, kernelSize: 3 };
    expect(() => new Conv2D({ ...ok, kernelSize: 7 })).toThrow(/Conv2D.kernelSize\[0\]: expected at most the input's 6 with 'valid' padding, received 7/);
    expect(new Conv2D({ ...ok, kernelSize: 7, padding: 'same' }).outputShape).toEqual([6, 6, 2]);
    expect(() => new Conv2D({ ...ok, strides: 0 })).toThrow(/Conv2D.strides: expected an integer in \[1, 16777216\], received 0/);
    expect(() => new Conv2D({ ...ok, strides: [1, -2] })).toThrow(/Conv2D.strides\[1\]: expected an integer/);
    expect(() => new Conv2D({ ...ok, padding: 'full' as never })).toThrow(/Conv2D.padding: expected one of 'valid', 'same', received 'full'/);
    expect(() => new Conv2D({ ...ok, inputShape: [6, 6] })).toThrow(/Conv2D.inputShape: expected \[height, width, channels\], received \[6,6\]/);
    expect(() => new Conv2D({ filters: 2, kernelSize: 3 } as never)).toThrow(TypeError);
    expect(() => new Conv2D({ ...ok, filters: undefined } as never)).toThrow(/Conv2D.filters: expected a number, received undefined/);
    expect(() => new Conv2D({ ...ok, units: 3 } as never)).toThrow(/Conv2D.units: not an option of Conv2D/);
    expect(() => new Conv2D({ ...ok, kernelRegularizer: { l2: 1 } } as never)).toThrow(/Conv2D.kernelRegularizer: not an option/);
    expect(() => new Conv2D({ ...ok, kernelSize: '3' as never })).toThrow(/Conv2D.kernelSize: expected an integer or \[height, width\], received "3"/);
    expect(() => new Conv2D({ ...ok, activation: 'gelu' as never })).toThrow(RangeError);
    expect(() => new MaxPool2D({ inputShape: [3, 3, 1], poolSize: 4 })).toThrow(/MaxPool2D.poolSize\[0\]: expected at most the input's 3/);
    expect(() => new MaxPool2D({ inputShape: [3, 3, 1], bogus: 1 } as never)).toThrow("MaxPool2D: unknown option 'bogus', expected one of inputShape, name, seed, poolSize, strides, padding");
    expect(() => new Conv2D({ ...ok, kernel_size: 3 } as never)).toThrow(/unknown option 'kernel_size'.*did you mean 'kernelSize'\?/);
  });

  it('a model refuses an inputShape that does not match the incoming width', () => {
    const c = new Conv2D({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 });
    expect(() => new Sequential([c, new MaxPool2D({ inputShape: [4, 4, 3] })])).toThrow(/has inputDim 48, but the previous layer outputs 32/);
  });

  it('C++ checks the native spec too', () => {
    const spec = (layer: Record<string, unknown>) => ({
      inputDim: 36,
      layers: [{ type: 'conv2d', seed: 1, inputHeight: 6, inputWidth: 6, inputChannels: 1, filters: 2, kernelHeight: 3, kernelWidth: 3, ...layer }],
      loss: { type: 'mse' },
      optimizer: { type: 'sgd' },
    });
    const make = (layer: Record<string, unknown>) => new native.NativeNetwork(spec(layer) as never).dispose();
    const pool = (layer: Record<string, unknown>) => make({ type: 'maxpool2d', filters: undefined, kernelHeight: undefined, kernelWidth: undefined, ...layer });
    expect(() => make({})).not.toThrow();
    expect(() => make({ inputChannels: 2 })).toThrow(/inputHeight: expected inputHeight·inputWidth·inputChannels = 36 \(the incoming width\), received 6·6·2/);
    expect(() => make({ kernelHeight: 7 })).toThrow(/kernelHeight: expected at most the input's 6 with 'valid' padding, received 7/);
    expect(() => make({ strideWidth: 0 })).toThrow(/strideWidth: expected an integer in \[1, .*\], received 0/);
    expect(() => make({ padding: 'full' })).toThrow(/padding/);
    expect(() => make({ filters: undefined })).toThrow(/filters: required/);
    expect(() => make({ units: 5 })).toThrow(/units: expected 32 \(output pixels × depth\), received 5/);
    expect(() => make({ kernelConstraint: { min: 0 } })).toThrow(/kernelConstraint: not supported by conv2d/);
    expect(() => pool({ poolHeight: 2, poolWidth: 2 })).not.toThrow();
    expect(() => pool({ poolHeight: 2 })).toThrow(/poolWidth: required/);
    expect(() => pool({ poolHeight: 2, poolWidth: 9 })).toThrow(/poolWidth: expected at most the input's 6/);
    expect(() => pool({ poolHeight: 2, poolWidth: 2, units: 10 })).toThrow(/units: expected 9 \(output pixels × depth\), received 10/);
  });

  it('explain refuses them: they are not arithmetic units', () => {
    const m = new Sequential([new Conv2D({ inputShape: [2, 2, 1], filters: 1, kernelSize: 2 })]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    expect(() => m.explain({ x: tensor(new Float32Array(4), [1, 4]) } as never)).toThrow(/declares no symbolic form/);
    m.dispose();
  });
});

describe('learning', () => {
  // 12×12 images of k ∈ [0, 5] 2×2 blobs, each in its own 4×4 cell of a 3×3 grid (so blobs never
  // touch); the label is k. A conv, pool, dense network can count them exactly.
  function blobs(n: number, seed: number) {
    const r = rng(seed);
    const x = new Float32Array(n * 144), y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const k = Math.floor(r() * 6);
      const cells = Array.from({ length: 9 }, (_, c) => [r(), c]).sort((a, b) => a[0] - b[0]).slice(0, k);
      for (const [, c] of cells) {
        const top = 4 * Math.floor(c / 3) + Math.floor(r() * 3), left = 4 * (c % 3) + Math.floor(r() * 3);
        for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) x[i * 144 + (top + a) * 12 + left + b] = 1;
      }
      y[i] = k;
    }
    return { x: tensor(x, [n, 144]), y: tensor(y, [n, 1]) };
  }

  it('a conv, pool, dense network learns to count blobs', async () => {
    const conv = new Conv2D({ inputShape: [12, 12, 1], filters: 4, kernelSize: 2, activation: 'relu', seed: 1 });
    const pool = new MaxPool2D({ inputShape: conv.outputShape, padding: 'same' });
    const m = new Sequential([conv, pool, new Dense({ units: 1, seed: 3 })]);
    m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
    const train = blobs(300, 1), test = blobs(200, 2);
    const before = m.evaluate(test.x, test.y);
    await m.fit(train.x, train.y, { epochs: 30, batchSize: 32, seed: 1 });
    const p = m.predict(test.x).data;
    const right = p.filter((v, i) => Math.round(v) === test.y.data[i]).length;
    expect(before).toBeGreaterThan(3);
    expect(right / 200).toBeGreaterThan(0.95);
    m.dispose();
  });
});
