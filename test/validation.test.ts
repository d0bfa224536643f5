// Bad input to every public function: the error type, and a message that names the argument,
// what was expected and what was received.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { rejects, throws, type ErrorClass } from './helpers/errors';
import {
  Adam,
  Dense,
  Huber,
  NAC,
  NALU,
  NaluError,
  RMSprop,
  SGD,
  Sequential,
  getInitializer,
  getLoss,
  getOptimizer,
  randomUniform,
  setNumThreads,
  tasks,
  tensor,
} from '../lib/index';
import { native } from '../lib/binding';

const x = tensor(new Float32Array(12).fill(1), [4, 3]);
const y = tensor(new Float32Array(4).fill(1), [4, 1]);
function compiled() {
  const m = new Sequential([new NAC({ units: 1, inputDim: 3, seed: 1 })]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

describe('tensor()', () => {
  it('checks shape and data length', () => {
    throws(() => tensor([1, 2], 2 as never), TypeError, 'shape: expected an array of dimensions, received 2');
    throws(() => tensor([1, 2], [2, -1]), RangeError, 'shape: expected non-negative integer dimensions, received [2, -1]');
    throws(() => tensor([1, 2, 3, 4, 5], [2, 3]), RangeError, 'data: expected 6 values for shape [2, 3], received 5');
  });
});

describe('layer constructors', () => {
  it('units', () => {
    throws(() => new Dense({} as never), TypeError, 'Dense.units: expected a number, received undefined');
    throws(() => new NAC({ units: 0 }), RangeError, 'NAC.units', 'expected an integer in [1, ', 'received 0');
    throws(() => new NALU({ units: 1.5 }), RangeError, 'NALU.units', 'received 1.5');
  });
  it('options object, unknown options, name, seed, inputDim / inputShape', () => {
    throws(() => new Dense(4 as never), TypeError, 'Dense options: expected an options object, received number');
    throws(() => new NALU({ units: 1, gates: 'input' } as never), RangeError, "NALU: unknown option 'gates'", 'expected one of', 'gate');
    throws(() => new Dense({ units: 1, name: 3 as never }), TypeError, 'Dense.name: expected a string, received number');
    throws(() => new Dense({ units: 1, seed: -1 }), RangeError, 'Dense.seed', 'received -1');
    throws(() => new Dense({ units: 1, inputDim: 0 }), RangeError, 'Dense.inputDim', 'received 0');
    throws(() => new Dense({ units: 1, inputShape: [2, 3] }), RangeError, 'Dense.inputShape: expected [features], received [2,3]');
  });
  it('Dense activation, useBias, initializers list the valid names', () => {
    throws(() => new Dense({ units: 1, activation: 'gelu' as never }), RangeError, "Dense.activation: unknown activation 'gelu', expected one of 'linear', 'relu', 'relu6', 'tanh', 'sigmoid', 'softsign', 'elu', 'selu'");
    throws(() => new Dense({ units: 1, useBias: 1 as never }), TypeError, 'Dense.useBias: expected a boolean, received number');
    throws(() => new Dense({ units: 1, kernelInitializer: 'glorot' as never }), RangeError, "Dense.kernelInitializer: unknown initializer 'glorot'", "'glorotUniform'", "'zeros'");
    throws(() => new Dense({ units: 1, biasInitializer: 5 as never }), TypeError, 'Dense.biasInitializer', 'received number');
  });
  it('NALU gate, separateWeights, clipExp, epsilon', () => {
    throws(() => new NALU({ units: 1, gate: 'fixed' as never }), RangeError, "NALU.gate: unknown gate 'fixed', expected one of 'input', 'independent'");
    throws(() => new NALU({ units: 1, separateWeights: 'yes' as never }), TypeError, 'NALU.separateWeights: expected a boolean, received string');
    throws(() => new NALU({ units: 1, clipExp: -1 }), RangeError, 'NALU.clipExp', 'received -1');
    throws(() => new NALU({ units: 1, clipExp: NaN }), RangeError, 'NALU.clipExp', 'received NaN');
    throws(() => new NALU({ units: 1, epsilon: 0 }), RangeError, 'NALU.epsilon', 'received 0');
  });
  it('initializer configs', () => {
    throws(() => randomUniform({ minval: 2, maxval: 1 }), RangeError, 'randomUniform: expected minval <= maxval, received 2 > 1');
    throws(() => getInitializer({ className: 'randomNormal', config: { stddev: -1 } }, 'init'), RangeError, 'randomNormal.stddev', 'received -1');
    throws(() => getInitializer({ className: 'orthogonal', config: {} }, 'init'), RangeError, "init.className: unknown initializer 'orthogonal'");
  });
});

describe('Sequential', () => {
  it('constructor and add', () => {
    throws(() => new Sequential('layers' as never), TypeError, 'Sequential options: expected an options object, received string');
    throws(() => new Sequential({ layers: 3 as never }), TypeError, 'layers: expected an array of layers, received 3');
    throws(() => new Sequential([{ units: 1 } as never]), TypeError, 'add: expected a Layer, received an object');
    throws(() => new Sequential([new Dense({ units: 1, name: 'd' })]).predict(x), RangeError, "predict: the first layer 'd' needs inputDim (or inputShape)");
    throws(() => new Sequential().predict(x), RangeError, 'predict: the model has no layers');
  });

  it('compile and predict of a model without layers or inputDim name the method and the layer', () => {
    const compile = (m: Sequential) => () => m.compile({ optimizer: 'sgd', loss: 'mse' });
    throws(compile(new Sequential()), RangeError, 'compile: the model has no layers; give them to new Sequential([…]) or add()');
    throws(compile(new Sequential([new Dense({ units: 2, name: 'hidden' })])), RangeError, "compile: the first layer 'hidden' needs inputDim (or inputShape)");
    throws(() => new Sequential([new Dense({ units: 2, name: 'hidden' })]).summary(() => {}), RangeError, "summary: the first layer 'hidden' needs inputDim");
    throws(() => new Sequential().getWeights(), RangeError, 'getWeights: the model has no layers');
  });

  it('compile: metrics are checked one by one, holes too', () => {
    const m = new Sequential([new NAC({ units: 1, inputDim: 3 })]);
    throws(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: [, 'mae'] as never }), TypeError, "metrics[0]: expected one of 'mae', 'mse', 'rmse', received undefined");
    throws(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae', 'acc'] as never }), RangeError, 'metrics[1]: ', "'acc'");
    expect(m.compiled).toBe(false);
  });

  it('compile: required args and registries listing valid names', () => {
    const m = new Sequential([new NAC({ units: 1, inputDim: 3 })]);
    throws(() => m.compile(undefined as never), TypeError, 'compile: optimizer is required');
    throws(() => m.compile({ loss: 'mse' } as never), TypeError, 'compile: optimizer is required');
    throws(() => m.compile({ optimizer: 'adam' } as never), TypeError, 'compile: loss is required');
    throws(() => m.compile({ optimizer: 'adamw' as never, loss: 'mse' }), RangeError, "optimizer: unknown optimizer 'adamw', expected one of 'sgd', 'adam', 'rmsprop'");
    throws(() => m.compile({ optimizer: 'adam', loss: 'xent' as never }), RangeError, "loss: unknown loss 'xent', expected one of 'mse', 'mae', 'huber'");
    throws(() => m.compile({ optimizer: 7 as never, loss: 'mse' }), TypeError, 'optimizer: expected an options object, received number');
    throws(() => m.compile({ optimizer: { className: 'Nadam', config: {} } as never, loss: 'mse' }), RangeError, "optimizer.className: unknown optimizer class 'Nadam'", "'SGD', 'Adam', 'RMSprop'");
    throws(() => getLoss({ className: 'Huber', config: { delta: 0 } }), RangeError, 'Huber.delta', 'received 0');
    throws(() => getOptimizer('momentum'), RangeError, "unknown optimizer 'momentum'");
  });

  it('optimizer and loss options', () => {
    throws(() => new SGD({ learningRate: -0.1 }), RangeError, 'SGD.learningRate', 'received -0.1');
    throws(() => new SGD({ learningRate: NaN }), RangeError, 'SGD.learningRate', 'received NaN');
    throws(() => new SGD({ learningRate: '0.1' as never }), TypeError, 'SGD.learningRate: expected a number, received string');
    throws(() => new SGD({ momentum: 1.5 }), RangeError, 'SGD.momentum: expected a number in [0, 1], received 1.5');
    throws(() => new SGD({ nesterov: 1 as never }), TypeError, 'SGD.nesterov: expected a boolean, received number');
    throws(() => new Adam({ beta1: 1 }), RangeError, 'Adam.beta1', 'received 1');
    throws(() => new Adam({ epsilon: -1 }), RangeError, 'Adam.epsilon', 'received -1');
    throws(() => new RMSprop({ rho: 2 }), RangeError, 'RMSprop.rho', 'received 2');
    throws(() => new Adam({ clipNorm: 0 }), RangeError, 'Adam.clipNorm', 'received 0');
    throws(() => new RMSprop({ clipValue: -1 }), RangeError, 'RMSprop.clipValue', 'received -1');
    throws(() => new Adam({ lr: 0.1 } as never), RangeError, "Adam: unknown option 'lr'", 'learningRate');
    throws(() => new Huber({ delta: -1 }), RangeError, 'Huber.delta', 'received -1');
  });

  it('not compiled, disposed', () => {
    const m = new Sequential([new NAC({ units: 1, inputDim: 3 })]);
    const e = throws(() => m.trainOnBatch(x, y), NaluError, 'trainOnBatch: call compile({optimizer, loss}) first');
    expect((e as NaluError).code).toBe('NOT_COMPILED');
    for (const [name, call] of [
      ['evaluate', () => m.evaluate(x, y)],
      ['computeGradients', () => m.computeGradients(x, y)],
    ] as const)
      expect((throws(call, NaluError, `${name}: call compile({optimizer, loss}) first`) as NaluError).code).toBe('NOT_COMPILED');
    const d = compiled();
    d.dispose();
    const e2 = throws(() => d.predict(x), NaluError, 'predict: the model has been disposed');
    expect((e2 as NaluError).code).toBe('DISPOSED');
    const e3 = throws(() => d.compile({ optimizer: 'adam', loss: 'mse' }), NaluError, 'compile: the model has been disposed');
    expect((e3 as NaluError).code).toBe('DISPOSED');
  });
});

describe('inputs of predict / trainOnBatch / evaluate', () => {
  const m = compiled();
  it('rank, features, rows', () => {
    throws(() => m.predict(tensor([1, 2, 3], [3])), RangeError, 'x: expected rank ≥ 2 ([batch, features]), received shape [3]');
    throws(() => m.predict(tensor(new Float32Array(8), [4, 2])), RangeError, 'x: expected 3 features on the last axis, received shape [4, 2]');
    throws(() => m.predict(tensor(new Float32Array(0), [0, 3])), RangeError, 'x: expected a non-empty input, received shape [0, 3]');
    throws(() => m.trainOnBatch(x, tensor(new Float32Array(3), [3, 1])), RangeError, 'y: expected 4 rows to match x, received 3');
    throws(() => m.trainOnBatch(x, tensor(new Float32Array(8), [4, 2])), RangeError, 'y: expected 1 features on the last axis, received shape [4, 2]');
    throws(() => m.evaluate(x, y, { batchSize: 0 }), RangeError, 'batchSize', 'received 0');
  });
  it('nested arrays: ragged, non-numbers, non-finite', () => {
    throws(() => m.predict([[1, 2, 3], [1, 2]]), RangeError, 'x[1]: expected an array of length 3 (ragged input), received an array of length 2');
    throws(() => m.predict([[1, 'a', 3]] as never), TypeError, "x[0][1]: expected a number, received 'a'");
    throws(() => m.predict([[1, NaN, 3]]), RangeError, 'x[0][1]: expected a finite number, received NaN');
    throws(() => m.trainOnBatch([[1, 2, 3]], [[Infinity]]), RangeError, 'y[0][0]: expected a finite number, received Infinity');
  });
  it('Tensors: dtype, length, non-finite values', () => {
    throws(() => m.predict({ data: new Float64Array(12), shape: [4, 3] } as never), TypeError, 'x.data: expected a Float32Array, received Float64Array(12)');
    throws(() => m.predict({ data: new Float32Array(11), shape: [4, 3] }), RangeError, 'x: expected 12 values for shape [4, 3], received 11');
    throws(() => m.predict('x' as never), TypeError, "x: expected a Tensor {data, shape} or nested number arrays, received 'x'");
    const bad = new Float32Array(12).fill(1);
    bad[7] = NaN;
    throws(() => m.predict(tensor(bad, [4, 3])), RangeError, 'x: expected finite values, received NaN at row 2, column 1');
  });
});

describe('fit options', () => {
  const m = compiled();
  const cases: [string, object, ErrorClass, ...string[]][] = [
    ['epochs type', { epochs: '5' }, TypeError, 'epochs: expected a number, received string'],
    ['epochs range', { epochs: -1 }, RangeError, 'epochs: expected an integer in [0, ', 'received -1'],
    ['epochs integer', { epochs: 1.5 }, RangeError, 'epochs', 'received 1.5'],
    ['batchSize', { batchSize: 0 }, RangeError, 'batchSize', 'received 0'],
    ['shuffle', { shuffle: 'no' }, TypeError, 'shuffle: expected a boolean, received string'],
    ['seed', { seed: -3 }, RangeError, 'seed', 'received -3'],
    ['verbose', { verbose: 2 }, RangeError, 'verbose: expected 0 or 1, received 2'],
    ['onNonFinite', { onNonFinite: 'ignore' }, RangeError, "onNonFinite: expected 'stop' or 'throw', received 'ignore'"],
    ['validationSplit range', { validationSplit: 1.5 }, RangeError, 'validationSplit: expected a number in [0, 1], received 1.5'],
    ['validationSplit leaves nothing', { validationSplit: 1 }, RangeError, 'validationSplit: 1 leaves no training rows of 4'],
    ['validationData shape', { validationData: [x] }, TypeError, 'validationData: expected [x, y], received an array of length 1'],
    ['validationData features', { validationData: [tensor(new Float32Array(4), [2, 2]), y] }, RangeError, 'validationData[0]: expected 3 features'],
    ['validationData rows', { validationData: [x, tensor(new Float32Array(2), [2, 1])] }, RangeError, 'validationData[1]: expected 4 rows to match x, received 2'],
    ['callbacks type', { callbacks: 5 }, TypeError, 'callbacks: expected a callback object, received 5'],
    ['callbacks element type', { callbacks: [{}, 'x'] }, TypeError, "callbacks[1]: expected a callback object, received 'x'"],
    ['callbacks unknown', { callbacks: { onBatchEnds: () => {} } }, RangeError, "callbacks: unknown callback 'onBatchEnds', expected one of setModel, onTrainBegin, onEpochBegin, onEpochEnd, onBatchBegin, onBatchEnd, onTrainEnd"],
    ['callbacks function', { callbacks: { onEpochEnd: 1 } }, TypeError, 'callbacks.onEpochEnd: expected a function, received 1'],
    ['signal', { signal: {} }, TypeError, 'signal: expected an AbortSignal, received an object'],
    ['options type', 5 as never, TypeError, 'fit options: expected an options object, received number'],
    // Keras spellings and typos are refused, with the option meant (issue 27).
    ['unknown epoch', { epoch: 50 }, RangeError, "fit: unknown option 'epoch', expected one of epochs, batchSize", "did you mean 'epochs'?"],
    ['unknown validation_split', { validation_split: 0.2 }, RangeError, "fit: unknown option 'validation_split'", "did you mean 'validationSplit'?"],
    ['unknown batch_size', { epochs: 2, batch_size: 4 }, RangeError, "fit: unknown option 'batch_size'", "did you mean 'batchSize'?"],
    ['profile is the raw binding’s', { profile: true }, RangeError, "fit: unknown option 'profile'"],
    ['validationSplit holding out no row', { validationSplit: 0.1 }, RangeError, 'validationSplit: 0.1 of 4 rows holds out no row; give at least 0.25 (one row), or validationData'],
    ['validationSplit beside validationData', { validationData: [x, y], validationSplit: -1 }, RangeError, 'validationSplit: expected a number in [0, 1], received -1'],
    ['NaN in validationData[1]', { validationData: [x, tensor(new Float32Array([1, 2, NaN, 4]), [4, 1])] }, RangeError, 'validationData[1]: expected finite values, received NaN at row 2, column 0'],
    ['Infinity in validationData[0]', { validationData: [tensor(new Float32Array(12).fill(Infinity, 4, 5), [4, 3]), y] }, RangeError, 'validationData[0]: expected finite values, received Infinity at row 1, column 1'],
  ];
  for (const [name, opts, type, ...parts] of cases)
    it(name, async () => {
      await rejects(m.fit(x, y, opts as never), type, ...parts);
      expect(m.busy).toBe(false);
    });
  it('x and y', async () => {
    await rejects(m.fit(tensor(new Float32Array(8), [4, 2]), y), RangeError, 'x: expected 3 features');
    await rejects(m.fit(x, [[1], [2]]), RangeError, 'y: expected 4 rows to match x, received 2');
  });
  it('NaN in the rows validationSplit holds out is named as x or y, at its row of x', async () => {
    const yy = tensor(new Float32Array([1, 2, 3, NaN]), [4, 1]);
    await rejects(m.fit(x, yy, { validationSplit: 0.5 }), RangeError, 'y: expected finite values, received NaN at row 3, column 0');
    // Without validationSplit, the native check names y too.
    await rejects(m.fit(x, yy), RangeError, 'y: expected finite values, received NaN at row 3');
    expect((await m.fit(x, y, { validationSplit: 0 })).valLoss).toEqual([]);
  });
  it('fit before compile rejects with NOT_COMPILED', async () => {
    const e = await rejects(new Sequential([new NAC({ units: 1, inputDim: 3 })]).fit(x, y), NaluError, 'fit: call compile');
    expect((e as NaluError).code).toBe('NOT_COMPILED');
  });
});

describe('tasks.runArithmetic options', () => {
  it('refuses unknown options, with the option meant', async () => {
    const instance = tasks.taskRegistry.get('static', 'task').instances('add')[0];
    const run = { instance, model: 'nau', seed: 1, iterations: 10, evalEvery: 5, thresholdSamples: 10, evalSize: 10 };
    await rejects(tasks.runArithmetic({ ...run, learning_rate: 0.1 } as never), RangeError, "runArithmetic: unknown option 'learning_rate'", "did you mean 'learningRate'?");
    await rejects(tasks.runArithmetic({ ...run, iteration: 5 } as never), RangeError, "did you mean 'iterations'?");
    await rejects(tasks.runArithmetic({ ...run, profile: true } as never), RangeError, "runArithmetic: unknown option 'profile'");
    expect((await tasks.runArithmetic({ ...run, learningRate: 0.01 })).record.iterations).toBe(10);
  });
});

describe('setNumThreads and NaluError', () => {
  it('setNumThreads checks its argument', () => {
    throws(() => setNumThreads('2' as never), TypeError, 'setNumThreads: expected an integer, received string');
    throws(() => setNumThreads(0), RangeError, 'setNumThreads: expected an integer in [1, 1024], received 0');
    throws(() => setNumThreads(1.5), RangeError, 'received 1.5');
  });
  it('NaluError is an Error with a stable code', () => {
    const e = new NaluError('m', 'BUSY');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('NaluError');
    expect(e.code).toBe('BUSY');
  });
});

describe('tensor data and initializer options', () => {
  it('tensor() data must be numbers', () => {
    throws(() => tensor(null as never, [1]), TypeError, 'data: expected a Float32Array or an array of numbers, received null');
    throws(() => tensor('abc' as never, [3]), TypeError, "data: expected a Float32Array or an array of numbers, received 'abc'");
    throws(() => tensor([1, {}] as never, [2]), TypeError, 'data[1]: expected a number, received an object');
    expect(Array.from(tensor(new Float64Array([1.5, 2]), [2, 1]).data)).toEqual([1.5, 2]);
  });
  it('initializer options are checked by name', () => {
    throws(() => randomUniform({ minvl: 1 } as never), RangeError, "randomUniform: unknown option 'minvl', expected one of minval, maxval");
    throws(() => getInitializer({ className: 'zeros', config: { value: 3 } }, 'k'), RangeError, "zeros: unknown option 'value', expected no options");
  });
  it('inputShape names itself', () => {
    throws(() => new Dense({ units: 1, inputShape: [1.5] }), RangeError, 'Dense.inputShape[0]', 'received 1.5');
  });
});

describe('the native glue checks arguments on its own (nothing reachable from JS may crash)', () => {
  // Straight to the addon, bypassing the TS checks.
  const spec = () => ({
    inputDim: 3,
    layers: [{ type: 'nalu', units: 2, seed: 1 }],
    loss: { type: 'mse' },
    optimizer: { type: 'adam' },
  });
  it('constructor', () => {
    throws(() => new native.NativeNetwork(undefined as never), TypeError, 'spec: expected an object, received undefined');
    throws(() => new native.NativeNetwork({ ...spec(), inputDim: 0 }), RangeError, 'spec.inputDim', 'received 0');
    throws(() => new native.NativeNetwork({ ...spec(), layers: 'x' as never }), TypeError, 'spec.layers: expected an array');
    throws(() => new native.NativeNetwork({ ...spec(), layers: [{ type: 'gru', units: 1 }] }), RangeError, "unknown layer 'gru', expected one of", "'nalu'");
    throws(() => new native.NativeNetwork({ ...spec(), layers: [{ type: 'nalu' }] }), RangeError, 'units');
    throws(() => new native.NativeNetwork({ ...spec(), layers: [{ type: 'dense', units: 1, activation: 'gelu' }] }), RangeError, 'activation', "'selu'", "received 'gelu'");
    throws(() => new native.NativeNetwork({ ...spec(), loss: { type: 'xent' } }), RangeError, "'mse', 'mae', 'huber'");
    throws(() => new native.NativeNetwork({ ...spec(), optimizer: { type: 'adam', learningRate: -1 } }), RangeError, 'learningRate', 'received -1');
    throws(() => new native.NativeNetwork({ ...spec(), optimizer: { type: 'sgd', clipNorm: 0 } }), RangeError, 'clipNorm');
    throws(() => (native.NativeNetwork as unknown as (s: unknown) => unknown)(spec()), TypeError);
  });
  it('methods', async () => {
    const net = new native.NativeNetwork(spec());
    throws(() => net.predict(new Float64Array(3) as never, 1), TypeError, 'x: expected a Float32Array, received Float64Array(3)');
    throws(() => net.predict(new Float32Array(5), 2), RangeError, 'x: expected 6 values (2 rows × 3 features), received 5');
    throws(() => net.predict(new Float32Array(3), 0.5), RangeError, 'rows', 'received 0.5');
    throws(() => net.predict(new Float32Array([1, NaN, 1]), 1), RangeError, 'x: expected finite values, received NaN at row 0, column 1');
    throws(() => net.trainOnBatch(new Float32Array(3), new Float32Array(3), 1), RangeError, 'y: expected 2 values');
    throws(() => net.setWeights([new Float32Array(6)]), RangeError, 'expected 3 arrays, received 1');
    throws(() => net.setWeights([new Float32Array(6), new Float32Array(6), new Float32Array(5)]), RangeError, '(G)', 'received 5');
    await rejectsOrThrows(() => net.fit(new Float32Array(3), new Float32Array(2), 1, {} as never), TypeError, 'epochs: expected an integer, received undefined');
    throws(() => net.predict.call({} as never, new Float32Array(3), 1), TypeError, 'this: expected a NativeNetwork');
    expect(net.busy).toBe(false);
    net.dispose();
  });
  // args::matrix scans 8 floats at a time: a bad value at every position, on both sides of the
  // vector tail, with every kind of non-finite bit pattern, must be found and located.
  it('finds every non-finite value, wherever it is', () => {
    const net = new native.NativeNetwork(spec());
    const bits = (u: number) => new Float32Array(new Uint32Array([u]).buffer)[0];
    const bad: [number, string][] = [
      [NaN, 'NaN'],
      [bits(0xffc00000), 'NaN'], // sign bit set
      [bits(0x7f800001), 'NaN'], // signalling, smallest payload
      [Infinity, 'Infinity'],
      [-Infinity, 'Infinity'],
    ];
    for (const rows of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 37]) {
      for (let i = 0; i < rows * 3; i++) {
        for (const [v, word] of bad) {
          const a = new Float32Array(rows * 3).fill(0.5);
          a[i] = v;
          throws(() => net.predict(a, rows), RangeError, `x: expected finite values, received ${word} at row ${Math.floor(i / 3)}, column ${i % 3}`);
        }
      }
    }
    // The extremes of the finite range pass.
    const edge = new Float32Array([3.4028234663852886e38, -3.4028234663852886e38, -0, bits(1), bits(0x80000001), 1]);
    expect(net.predict(edge, 2)).toHaveLength(4);
    throws(() => net.trainOnBatch(edge, new Float32Array([1, 1, 1, -Infinity]), 2), RangeError, 'y: expected finite values, received Infinity at row 1, column 1');
    net.dispose();
  });
  // fromThis remembers the last `this` it verified: other receivers must still be checked, and
  // each network must still get its own calls, also after the remembered one is collected.
  it('checks `this` on every call, whichever object was used last', () => {
    const a = new native.NativeNetwork(spec());
    const b = new native.NativeNetwork({ ...spec(), inputDim: 5 });
    const xs = new Float32Array(3).fill(0.5);
    for (let i = 0; i < 3; i++) {
      expect(a.predict(xs, 1)).toHaveLength(2);
      throws(() => a.predict.call(Object.create(Object.getPrototypeOf(a)), xs, 1), TypeError, 'this: expected a NativeNetwork, received an object');
      throws(() => a.predict.call({} as never, xs, 1), TypeError, 'this: expected a NativeNetwork, received an object');
      expect(a.inputDim).toBe(3);
      expect(b.inputDim).toBe(5);
      throws(() => b.predict(xs, 1), RangeError, 'x: expected 5 values');
    }
    a.dispose();
    throws(() => a.predict(xs, 1), NaluError, 'disposed');
    expect(b.predict(new Float32Array(5), 1)).toHaveLength(2);
    b.dispose();
  });
  it('a network made after the last used one was collected is its own', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    for (let i = 0; i < 20; i++) {
      // Each network is used once and dropped; the next one may reuse its memory.
      const net = new native.NativeNetwork({ ...spec(), inputDim: 2 + (i % 3) });
      expect(net.inputDim).toBe(2 + (i % 3));
      expect(net.predict(new Float32Array(2 + (i % 3)), 1)).toHaveLength(2);
      gc();
    }
  });
  it('reads a Float32Array view at its offset, and refuses a detached one', () => {
    const net = new native.NativeNetwork(spec());
    const whole = new Float32Array(20).fill(NaN);
    const view = whole.subarray(4, 10).fill(1);
    expect(net.predict(view, 2)).toHaveLength(4);
    view[4] = Infinity;
    throws(() => net.predict(view, 2), RangeError, 'x: expected finite values, received Infinity at row 1, column 1');
    const gone = new Float32Array(6);
    structuredClone(gone.buffer, { transfer: [gone.buffer] });
    throws(() => net.predict(gone, 2), TypeError, 'x: expected a Float32Array, received one whose ArrayBuffer is detached');
    throws(() => net.predict(new Uint32Array(6) as never, 2), TypeError, 'x: expected a Float32Array, received Uint32Array(6)');
    throws(() => net.predict({ length: 6 } as never, 2), TypeError, 'x: expected a Float32Array, received an object');
    net.dispose();
  });
});

/** The glue may throw synchronously or reject; either way with `type` and the parts. */
async function rejectsOrThrows(fn: () => Promise<unknown>, type: ErrorClass, ...parts: string[]) {
  let p: Promise<unknown>;
  try {
    p = fn();
  } catch (e) {
    p = Promise.reject(e);
  }
  await rejects(p, type, ...parts);
}
