#!/usr/bin/env node
// Numeric fingerprint of the built package: one sha256 per case over the final weights' bytes
// and the loss history, then one over them all. Two builds that print the same lines train
// bit-identically on these cases (e.g. before and after a refactor of the native code).
//   node scripts/fingerprint.js            (the addon of this checkout)
//   NALU_NATIVE_PATH=/other/build/Release/nalu.node node scripts/fingerprint.js
// Cases: every registered layer class (and the options that change its code path) in a small
// seeded Sequential (fit with adam + mse, then one trainOnBatch), in a wide one (row-major,
// past the element-wise loops' one-thread limit) and through the native network in both
// activation layouts; an RNN around a few units and an LSTM; one short seeded arithmetic-task run
// per task model, and a recurrent-task run of nau-nmu and of the sequence models.
'use strict';
const crypto = require('node:crypto');
const nalu = require('../dist/cjs/index.js');
const { native } = require('../dist/cjs/binding.js');

const { layerRegistry, Sequential, tensor, tasks } = nalu;

// Options beyond units/inputDim/seed that take another code path, per layer class.
const variants = {
  Dense: [
    {},
    { useBias: false },
    ...['relu', 'relu6', 'tanh', 'sigmoid', 'softsign', 'elu', 'selu'].map((activation) => ({ activation })),
  ],
  NALU: [{}, { separateWeights: true }, { gate: 'independent' }, { clipExp: 2 }],
  NACMul: [{}, { weight: 'sigma' }, { weight: 'nmu', sparsityLambda: 1, sparsityStart: 0, sparsityEnd: 4 }, { clipExp: 1 }],
  NMRU: [{}, { signRetrieval: true }],
  NPU: [{}, { l1Start: 1e-3, l1End: 1e-1, l1Step: 2, l1Growth: 10 }],
  RealNPU: [{}],
};

// A small deterministic generator (not the package's): the data must not depend on the build.
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// rows × in inputs in ±[0.5, 2.5] (both signs: the log paths take |x|), targets x0·x1 + x2 − x3.
function data(rows, inDim, outDim, seed) {
  const r = lcg(seed);
  const x = new Float32Array(rows * inDim);
  for (let i = 0; i < x.length; i++) x[i] = (r() < 0.2 ? -1 : 1) * (0.5 + 2 * r());
  const y = new Float32Array(rows * outDim);
  for (let i = 0; i < rows; i++) {
    const v = x[i * inDim] * x[i * inDim + 1] + x[i * inDim + 2] - x[i * inDim + 3];
    for (let j = 0; j < outDim; j++) y[i * outDim + j] = v / (j + 1);
  }
  return { x, y };
}

function hasher() {
  const h = crypto.createHash('sha256');
  return {
    floats(a) {
      h.update(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    },
    numbers(list) {
      this.floats(Float64Array.from(list));
    },
    text(s) {
      h.update(String(s));
    },
    hex: () => h.digest('hex'),
  };
}

const results = [];
function report(name, hex) {
  results.push(hex);
  console.log(`${hex}  ${name}`);
}

async function sequentialCase(name, Cls, opts, { rows, inDim, units, epochs, batchSize }) {
  const m = new Sequential([new Cls({ units, inputDim: inDim, seed: 7, ...opts })]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  const { x, y } = data(rows, inDim, units, 11);
  const h = await m.fit(tensor(x, [rows, inDim]), tensor(y, [rows, units]), { epochs, batchSize, seed: 3 });
  const d = hasher();
  d.text(h.stopReason);
  d.numbers(h.loss);
  const xb = tensor(x.slice(0, batchSize * inDim), [batchSize, inDim]);
  d.numbers([m.trainOnBatch(xb, tensor(y.slice(0, batchSize * units), [batchSize, units]))]);
  for (const w of m.getWeights()) d.floats(w.data);
  d.floats(m.predict(tensor(x.slice(0, 8 * inDim), [8, inDim])).data);
  m.dispose();
  report(name, d.hex());
}

// The same unit through the native network with an explicit layout (Sequential runs 'auto').
async function layoutCase(name, Cls, opts, layout) {
  const rows = 100, inDim = 5, units = 3;
  const layer = new Cls({ units, inputDim: inDim, seed: 5, ...opts });
  const net = new native.NativeNetwork({
    inputDim: inDim,
    layers: [layer.toNative(5)],
    loss: { type: 'mse' },
    optimizer: { type: 'adam', learningRate: 0.01 },
    layout,
  });
  const { x, y } = data(rows, inDim, units, 13);
  const r = await net.fit(x, y, rows, { epochs: 3, batchSize: 24, shuffle: true, seed: 9, throwOnNonFinite: false });
  const d = hasher();
  d.text(`${net.layout} ${r.stopReason}`);
  d.numbers(r.epochs.flatMap((e) => [e.loss, e.regularization]));
  d.numbers([net.trainOnBatch(x.subarray(0, 24 * inDim), y.subarray(0, 24 * units), 24)]);
  for (const w of net.getWeights()) d.floats(w.data);
  net.dispose();
  report(name, d.hex());
}

// An RNN or LSTM (its input has a time axis): fit on 6 steps, then trainOnBatch and predict on 9.
async function rnnCase(name, opts, timeDistributed = false, Seq = nalu.RNN) {
  const rows = 64, inDim = 2, units = 2, seq = opts.returnSequences === true;
  // With timeDistributed, a Dense on every step feeds the RNN (the sequential MNIST shape).
  const rnn = new Seq({ units, seed: 7, ...(timeDistributed ? {} : { inputDim: inDim }), ...opts });
  const m = new Sequential(timeDistributed ? [new nalu.TimeDistributed({ layer: new nalu.Dense({ units: 1, inputDim: inDim, seed: 9 }) }), rnn] : [rnn]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  const xy = (n, steps, seed) => ({
    x: tensor(data(n * steps, inDim, 1, seed).x, [n, steps, inDim]),
    y: tensor(data(n * (seq ? steps : 1), 4, units, seed + 1).y, seq ? [n, steps, units] : [n, units]),
  });
  const train = xy(rows, 6, 17), long = xy(16, 9, 23);
  const h = await m.fit(train.x, train.y, { epochs: 4, batchSize: 16, seed: 3 });
  const d = hasher();
  d.text(h.stopReason);
  d.numbers(h.loss);
  d.numbers([m.trainOnBatch(long.x, long.y)]);
  for (const w of m.getWeights()) d.floats(w.data);
  d.floats(m.predict(long.x).data);
  m.dispose();
  report(name, d.hex());
}

async function taskCase(model, op, task = 'static') {
  const instance = tasks.taskRegistry.get(task, 'task').instances(op, task === 'static' ? { inputSize: 20 } : {})[0];
  const { record, weights } = await tasks.runArithmetic({
    instance, model, seed: 4, iterations: 300, evalEvery: 100, thresholdSamples: 2000, evalSize: 500,
  });
  const d = hasher();
  const { seconds, ...rest } = record; // the only field that is not a result
  d.text(JSON.stringify(rest));
  for (const w of weights) d.floats(w.data);
  report(`task ${task} ${op} ${model}`, d.hex());
}

// The layers on images: a small digit-network shape (conv, pool, dense) fit on 6×6×2 images.
async function imageCase() {
  const rows = 48, hw = 6, ch = 2, size = hw * hw * ch;
  const m = new Sequential([
    new nalu.Conv2D({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [hw, hw, ch], seed: 7 }),
    new nalu.MaxPool2D({ poolSize: 2, inputShape: [hw, hw, 3] }),
    new nalu.Dense({ units: 1, inputDim: 27, seed: 8 }),
  ]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  const { x, y } = data(rows, size, 1, 13);
  const h = await m.fit(tensor(x, [rows, size]), tensor(y, [rows, 1]), { epochs: 3, batchSize: 16, seed: 3 });
  const d = hasher();
  d.numbers(h.loss);
  for (const w of m.getWeights()) d.floats(w.data);
  d.floats(m.predict(tensor(x.slice(0, 8 * size), [8, size])).data);
  m.dispose();
  report('image Conv2D MaxPool2D Dense', d.hex());
}

async function main() {
  await imageCase();
  for (const cls of layerRegistry.names()) {
    if (cls === 'Conv2D' || cls === 'MaxPool2D') continue; // imageCase
    if (cls === 'RNN') {
      for (const cell of ['NAU', 'NMU', 'NALU']) await rnnCase(`rnn ${cell}`, { cell });
      await rnnCase('rnn NAC returnSequences', { cell: 'NAC', returnSequences: true });
      continue;
    }
    if (cls === 'TimeDistributed') {
      await rnnCase('TimeDistributed Dense then rnn NAU', { cell: 'NAU' }, true);
      continue;
    }
    if (cls === 'LSTM') {
      await rnnCase('lstm', {}, false, nalu.LSTM);
      await rnnCase('lstm returnSequences', { returnSequences: true }, false, nalu.LSTM);
      continue;
    }
    const Cls = layerRegistry.get(cls, 'layer');
    for (const opts of variants[cls] ?? [{}]) {
      const tag = `${cls}${Object.keys(opts).length ? ' ' + JSON.stringify(opts) : ''}`;
      await sequentialCase(`small ${tag}`, Cls, opts, { rows: 64, inDim: 4, units: 2, epochs: 4, batchSize: 16 });
      await sequentialCase(`wide ${tag}`, Cls, opts, { rows: 1024, inDim: 40, units: 36, epochs: 2, batchSize: 1000 });
      for (const layout of ['rowMajor', 'featureMajor']) await layoutCase(`${layout} ${tag}`, Cls, opts, layout);
    }
  }
  for (const model of tasks.modelRegistry.names()) {
    if (!tasks.modelAvailable(model)) continue;
    // A model of a sequence layer (lstm) runs on the recurrent task only.
    const sequence = tasks.sequenceModel(model);
    if (!sequence) await taskCase(model, 'mul');
    if (model === 'nau-nmu' || sequence) await taskCase(model, 'add', 'recurrent');
    if (model === 'nau-nmu') await taskCase(model, 'add');
  }
  const all = hasher();
  all.text(results.join('\n'));
  console.log(`${all.hex()}  overall (${results.length} cases)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
