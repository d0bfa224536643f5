// The raw binding on its own (issue 17): what the TS layer refuses, the addon refuses too, with
// a TypeError / RangeError / NaluError whose message starts with the argument's name and says
// what was expected and what was received.
import { describe, expect, it } from 'vitest';
import { rejects, throws } from './helpers/errors';
import { NaluError } from '../lib/index';
import { native } from '../lib/binding';
import type { NativeFitOptions, NativeNetworkSpec } from '../binding';

const spec = (over: Partial<NativeNetworkSpec> = {}): NativeNetworkSpec => ({
  inputDim: 3,
  layers: [{ type: 'nalu', units: 2, seed: 1 }],
  loss: { type: 'mse' },
  optimizer: { type: 'adam' },
  ...over,
});
const make = (over: Partial<NativeNetworkSpec> = {}) => new native.NativeNetwork(spec(over));
const layer = (l: Record<string, unknown>) => make({ layers: [l as never] });
const fitOptions = (over: Partial<NativeFitOptions> = {}): NativeFitOptions => ({
  epochs: 1,
  batchSize: 2,
  shuffle: false,
  seed: 1,
  throwOnNonFinite: false,
  ...over,
});

describe('raw binding: option types', () => {
  it('numbers and integers refuse booleans, strings and objects', () => {
    throws(() => layer({ type: 'nalu', units: true }), TypeError, /^layers\[0\] \(nalu\)\.units: expected an integer, received a boolean$/);
    throws(() => layer({ type: 'nalu', units: '2' }), TypeError, 'layers[0] (nalu).units: expected an integer, received a string');
    throws(() => layer({ type: 'nalu', units: 2, clipExp: true }), TypeError, 'layers[0] (nalu).clipExp: expected a number, received a boolean');
    throws(() => layer({ type: 'nalu', units: 2, epsilon: {} }), TypeError, 'layers[0] (nalu).epsilon: expected a number, received an object');
    throws(() => make({ optimizer: { type: 'adam', learningRate: false } }), TypeError, 'spec.optimizer.learningRate: expected a number, received a boolean');
    throws(() => make({ loss: { type: 'huber', delta: true } }), TypeError, 'spec.loss.delta: expected a number, received a boolean');
    throws(() => layer({ type: 'nalu', units: 2, kernelInitializer: { type: 'randomUniform', minval: true } }), TypeError, 'layers[0] (nalu).kernelInitializer.minval: expected a number, received a boolean');
  });
  it('flags refuse numbers and strings', () => {
    throws(() => layer({ type: 'nalu', units: 2, separateWeights: 5 }), TypeError, /^layers\[0\] \(nalu\)\.separateWeights: expected a boolean, received 5$/);
    throws(() => layer({ type: 'dense', units: 2, useBias: 'yes' }), TypeError, 'layers[0] (dense).useBias: expected a boolean, received a string');
    throws(() => make({ optimizer: { type: 'sgd', nesterov: 1 } }), TypeError, 'spec.optimizer.nesterov: expected a boolean, received 1');
  });
  it('strings refuse numbers and booleans', () => {
    throws(() => layer({ type: 'nalu', units: 2, gate: 1 }), TypeError, 'layers[0] (nalu).gate: expected a string, received 1');
    throws(() => layer({ type: 'dense', units: 2, activation: true }), TypeError, 'layers[0] (dense).activation: expected a string, received a boolean');
  });
  it('well-typed options still pass', () => {
    const nets = [
      layer({ type: 'nalu', units: 2, separateWeights: true, gate: 'independent', clipExp: 20 }),
      layer({ type: 'dense', units: 2, useBias: false, activation: 'relu', biasInitializer: { type: 'zeros' } }),
      make({ optimizer: { type: 'sgd', momentum: 0.5, nesterov: true, clipNorm: 1 } }),
      make({ loss: { type: 'huber', delta: 2 } }),
    ];
    for (const n of nets) n.dispose();
  });
});

describe('raw binding: unknown options', () => {
  it('a layer refuses keys it does not read, naming them and listing the valid ones', () => {
    const e = throws(() => layer({ type: 'nalu', units: 2, gates: 'input' }), RangeError, /^layers\[0\] \(nalu\)\.gates: unknown option, expected one of /);
    for (const k of ["'gate'", "'separateWeights'", "'clipExp'", "'epsilon'", "'units'", "'seed'", "'type'", "'kernelRegularizer'", "'kernelConstraint'"])
      expect(e.message).toContain(k);
    expect(e.message).not.toContain("'gates'");
    throws(() => layer({ type: 'nac', units: 2, foo: 1, bar: 'x' }), RangeError, "layers[0] (nac): unknown options 'bar', 'foo', expected one of", "'kernelInitializer'");
    // Nested objects: regularizer, constraint, initializer specs.
    throws(() => layer({ type: 'nac', units: 2, kernelRegularizer: { l1: 0.1, l3: 1 } }), RangeError, "layers[0] (nac).kernelRegularizer.l3: unknown option, expected one of 'l1', 'l2'");
    throws(() => layer({ type: 'nac', units: 2, kernelConstraint: { min: 0, mx: 1 } }), RangeError, "layers[0] (nac).kernelConstraint.mx: unknown option, expected one of 'max', 'min'");
    throws(() => layer({ type: 'nac', units: 2, kernelInitializer: { type: 'randomNormal', stdev: 1 } }), RangeError, 'layers[0] (nac).kernelInitializer.stdev: unknown option', "'stddev'");
    // A later layer is named by its own index.
    throws(() => make({ layers: [{ type: 'nac', units: 2 }, { type: 'nau', units: 1, sparsityLamda: 1 }] }), RangeError, 'layers[1] (nau).sparsityLamda: unknown option', "'sparsityLambda'");
    // RealNPU has no imaginary weights.
    throws(() => layer({ type: 'realnpu', units: 1, imaginaryInitializer: { type: 'zeros' } }), RangeError, 'layers[0] (realnpu).imaginaryInitializer: unknown option');
  });
  it('the optimizer and the loss refuse keys they do not read', () => {
    throws(() => make({ optimizer: { type: 'adam', lr: 0.1 } }), RangeError, "spec.optimizer.lr: unknown option, expected one of", "'beta1'", "'learningRate'", "'type'");
    throws(() => make({ optimizer: { type: 'sgd', beta1: 0.9 } }), RangeError, 'spec.optimizer.beta1: unknown option', "'momentum'", "'nesterov'");
    throws(() => make({ loss: { type: 'mse', delta: 1 } }), RangeError, "spec.loss.delta: unknown option, expected one of 'type'");
  });
  it('fit refuses unknown options and reinitialize keys', async () => {
    const net = make();
    const x = new Float32Array(6), y = new Float32Array(4);
    throws(() => net.fit(x, y, 2, { ...fitOptions(), epoch: 3 } as never), RangeError, 'options.epoch: unknown option, expected one of', "'epochs'", "'valRows'");
    throws(() => net.fit(x, y, 2, fitOptions({ reinitialize: { everyEpochs: 1, minSteps: 0, treshold: 1 } as never })), RangeError, 'reinitialize.treshold: unknown option', "'threshold'");
    expect((await net.fit(x, y, 2, fitOptions())).stopReason).toBe('completed');
    net.dispose();
  });
  it('a network of every layer type the TS layer makes is accepted (spot check of the raw specs)', () => {
    for (const l of [
      { type: 'nmu', units: 1, sparsityLambda: 1, sparsityStart: 0, sparsityEnd: 10, kernelInitializer: { type: 'randomUniform', minval: 0.25, maxval: 0.75 } },
      { type: 'npu', units: 1, epsilon: 1e-7, kernelInitializer: { type: 'glorotUniform' }, gateInitializer: { type: 'constant', value: 0.5 }, imaginaryInitializer: { type: 'zeros' }, l1Start: 0 },
      { type: 'nacmul', units: 1, weight: 'nac', clipExp: 20, epsilon: 1e-7, kernelInitializer: { type: 'glorotUniform' } },
    ])
      layer(l).dispose();
  });
});

describe('raw binding: required pieces', () => {
  it('a loss or an optimizer without a type is refused', () => {
    throws(() => make({ loss: {} as never }), TypeError, /^spec\.loss\.type: expected a string, received undefined$/);
    throws(() => make({ loss: undefined as never }), TypeError, /^spec\.loss: expected an object, received undefined$/);
    throws(() => make({ loss: { type: 3 } as never }), TypeError, 'spec.loss.type: expected a string, received 3');
    throws(() => make({ optimizer: { learningRate: 0.1 } as never }), TypeError, 'spec.optimizer.type: expected a string, received undefined');
    throws(() => make({ layers: [{ units: 1 } as never] }), TypeError, 'layers[0].type: expected a string, received undefined');
  });
  it('fit: xVal, yVal and valRows come together', () => {
    const net = make();
    const x = new Float32Array(6), y = new Float32Array(4);
    throws(() => net.fit(x, y, 2, fitOptions({ xVal: x, yVal: y })), TypeError, /^valRows: expected an integer with xVal and yVal, received undefined/);
    throws(() => net.fit(x, y, 2, fitOptions({ xVal: x })), TypeError, 'valRows', 'xVal');
    throws(() => net.fit(x, y, 2, fitOptions({ yVal: y })), TypeError, 'valRows', 'yVal');
    throws(() => net.fit(x, y, 2, fitOptions({ valRows: 2, yVal: y })), TypeError, 'xVal: expected a Float32Array, received undefined');
    throws(() => net.fit(x, y, 2, fitOptions({ valRows: 2, xVal: x })), TypeError, 'yVal: expected a Float32Array, received undefined');
    expect(net.busy).toBe(false);
    net.dispose();
  });
});

describe('raw binding: init', () => {
  it('refuses what is not a constructor, and keeps the class it had', () => {
    throws(() => native.init(undefined as never), TypeError, 'options: expected an object, received undefined');
    throws(() => native.init({} as never), TypeError, 'options.NaluError: expected a constructor, received undefined');
    throws(() => native.init({ NaluError: (() => new Error('x')) as never }), TypeError, 'options.NaluError: expected a constructor, received a function that is not one');
    throws(() => native.init({ NaluError: Math.max as never }), TypeError, 'options.NaluError: expected a constructor');
    throws(() => native.init({ NaluError: NaluError, extra: 1 } as never), RangeError, "options.extra: unknown option, expected one of 'NaluError'");
    // The registered class is still NaluError.
    const net = make();
    net.dispose();
    const e = throws(() => net.predict(new Float32Array(3), 1), NaluError, 'predict: the model has been disposed');
    expect((e as NaluError).code).toBe('DISPOSED');
  });
  it('a NaluError class that throws still settles every fit and still throws from every call', async () => {
    let armed = false;
    class Flaky extends Error {
      constructor(message: string, readonly code: string) {
        if (armed) throw new Error('Flaky: refused');
        super(message);
      }
    }
    native.init({ NaluError: Flaky });
    armed = true;
    try {
      // Synchronous: the fallback error, still with name and code.
      const net = make();
      net.dispose();
      const e = throws(() => net.predict(new Float32Array(3), 1), Error, 'predict: the model has been disposed');
      expect(e.name).toBe('NaluError');
      expect((e as NaluError).code).toBe('DISPOSED');
      // Asynchronous: a fit that rejects with NON_FINITE.
      const d = new native.NativeNetwork({ inputDim: 2, layers: [{ type: 'dense', units: 1, seed: 1 }], loss: { type: 'mse' }, optimizer: { type: 'sgd', learningRate: 1e30 } });
      const x = new Float32Array(32).map((_, i) => 5 + (i % 7));
      const y = new Float32Array(16).fill(1e6);
      const err = await rejects(d.fit(x, y, 16, fitOptions({ epochs: 50, batchSize: 4, throwOnNonFinite: true })), Error, 'fit: training became non-finite');
      expect(err.name).toBe('NaluError');
      expect((err as NaluError).code).toBe('NON_FINITE');
      d.dispose();
    } finally {
      armed = false;
      native.init({ NaluError });
    }
  });
});

describe('raw binding: dispose during fit', () => {
  it('stops the fit at the next batch; the promise resolves with stopReason aborted; later calls throw DISPOSED', async () => {
    const net = make();
    const rows = 4000;
    const x = new Float32Array(rows * 3).map((_, i) => (i % 11) / 11);
    const y = new Float32Array(rows * 2).map((_, i) => (i % 5) / 5);
    let disposedAt = -1;
    let calls = 0;
    const result = await net.fit(x, y, rows, fitOptions({ epochs: 100_000, batchSize: 1 }), (kind, epoch) => {
      calls++;
      if (kind === 'end' && disposedAt < 0) {
        disposedAt = epoch;
        net.dispose();
        expect(net.disposed).toBe(true);
        throws(() => net.predict(new Float32Array(3), 1), NaluError, 'predict: the model has been disposed');
      }
    });
    expect(disposedAt).toBe(0);
    expect(result.stopReason).toBe('aborted');
    // At most the epoch that was running when dispose() was called is finished.
    expect(result.epochs.length).toBeLessThanOrEqual(3);
    expect(calls).toBeLessThan(10);
    expect(net.busy).toBe(false);
    expect(net.disposed).toBe(true);
    const e = throws(() => net.getWeights(), NaluError, 'getWeights: the model has been disposed');
    expect((e as NaluError).code).toBe('DISPOSED');
    throws(() => net.fit(x, y, rows, fitOptions()), NaluError, 'fit: the model has been disposed');
    expect(net.iterations).toBe(0);
    net.dispose(); // twice is fine
  });
  it('fast epochs run ahead of their events: none is delivered after dispose(), and the fit reports aborted', async () => {
    const net = make();
    const x = new Float32Array(8 * 3).fill(0.5), y = new Float32Array(8 * 2).fill(0.5);
    let after = 0;
    let disposed = false;
    const r = await net.fit(x, y, 8, fitOptions({ epochs: 20_000, batchSize: 8 }), (kind) => {
      if (disposed) after++;
      else if (kind === 'end') {
        net.dispose();
        disposed = true;
      }
    });
    expect(disposed).toBe(true);
    expect(after).toBe(0);
    expect(r.stopReason).toBe('aborted');
    expect(net.disposed).toBe(true);
  });
  it('dispose right after fit() starts: resolves aborted with no epochs', async () => {
    const net = make();
    const rows = 4000;
    const x = new Float32Array(rows * 3), y = new Float32Array(rows * 2);
    const p = net.fit(x, y, rows, fitOptions({ epochs: 100_000, batchSize: 1 }));
    net.dispose();
    const r = await p;
    expect(r.stopReason).toBe('aborted');
    expect(r.epochs.length).toBeLessThanOrEqual(1);
    throws(() => net.predict(new Float32Array(3), 1), NaluError, 'disposed');
  });
  it('stop() still reports aborted', async () => {
    const net = make();
    const rows = 4000;
    const x = new Float32Array(rows * 3), y = new Float32Array(rows * 2);
    const p = net.fit(x, y, rows, fitOptions({ epochs: 100_000, batchSize: 1 }));
    net.stop();
    expect((await p).stopReason).toBe('aborted');
    net.dispose();
  });
});

describe('raw binding: fit result as columns', () => {
  it('columns hold the figures the per-epoch objects hold, constant layers included', async () => {
    // A zero NAU under a zero learning rate puts out one value for every row in every epoch.
    const twin = () =>
      make({ layers: [{ type: 'nau', units: 2, seed: 1, kernelInitializer: { type: 'zeros' } }, { type: 'nalu', units: 1, seed: 2 }], optimizer: { type: 'adam', learningRate: 0 } });
    const rows = 24;
    const x = new Float32Array(rows * 3).map((_, i) => ((i * 7) % 13) / 13 - 0.4);
    const y = new Float32Array(rows).map((_, i) => (i % 5) / 5);
    const xv = x.subarray(0, 5 * 3), yv = y.subarray(0, 5);
    const o = fitOptions({ epochs: 4, batchSize: 8, shuffle: true, errors: true, xVal: xv, yVal: yv, valRows: 5 });
    const objects = await twin().fit(x, y, rows, o);
    const columns = await twin().fit(x, y, rows, { ...o, columns: true });
    expect(columns.epochs).toBe(4);
    expect(objects.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    for (const k of ['loss', 'valLoss', 'regularization', 'mae', 'mse', 'valMae', 'valMse'] as const) {
      expect(columns[k]).toBeInstanceOf(Float64Array);
      expect(Array.from(columns[k] ?? []), k).toEqual(objects.epochs.map((e) => e[k]));
    }
    expect(columns.constantLayers).toEqual(objects.epochs.map((e) => ({ epoch: e.epoch, layers: e.constantLayers })));
    expect(columns.constantLayers[0].layers).toEqual([0, 1]); // the NALU of a constant input too
    expect(columns.stopReason).toBe('completed');
    const plain = await twin().fit(x, y, rows, { ...fitOptions({ epochs: 2 }), columns: true });
    expect(plain.mae).toBeUndefined();
    expect(Array.from(plain.valLoss).every(Number.isNaN)).toBe(true);
  });
});
