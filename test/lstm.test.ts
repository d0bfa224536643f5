// LSTM: forward against a float64 JS reference, backpropagation through time against float64
// central differences (every weight, and dx through a TimeDistributed Dense in front), torch's
// initialization range, validation in TS and natively, save/load at another length, and an
// LSTM → Dense that learns a short running sum; the recurrent task's `lstm` model.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import { Adam, Dense, LSTM, RNN, Sequential, TimeDistributed, getLoss, tensor, type Tensor } from '../lib/index';
import { taskRegistry } from '../lib/tasks/arithmetic';
import { buildModel, modelSettings, sequenceModel } from '../lib/tasks/models';
import { runArithmetic } from '../lib/tasks/run';
import { expectSequenceRoundTrip } from './helpers/sequence';
import { lossValue, maxAbs, numericGradients, rng, uniform, worstMismatch } from './helpers/reference';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The LSTM in float64 on x [rows, steps, features] (row-major); weights [kernel, recurrentKernel, bias]. */
function lstmForward(ws: ArrayLike<number>[], x: ArrayLike<number>, rows: number, steps: number, F: number, U: number, returnSequences: boolean) {
  const [K, R, b] = ws, G = 4 * U;
  const out = new Float64Array(rows * (returnSequences ? steps : 1) * U);
  for (let r = 0; r < rows; r++) {
    let h = new Float64Array(U), c = new Float64Array(U);
    for (let t = 0; t < steps; t++) {
      const z = Float64Array.from({ length: G }, (_, j) => b[j]);
      for (let f = 0; f < F; f++) {
        const xv = x[(r * steps + t) * F + f];
        for (let j = 0; j < G; j++) z[j] += xv * K[f * G + j];
      }
      for (let u = 0; u < U; u++) for (let j = 0; j < G; j++) z[j] += h[u] * R[u * G + j];
      const hn = new Float64Array(U), cn = new Float64Array(U);
      for (let u = 0; u < U; u++) {
        const i = sigmoid(z[u]), fg = sigmoid(z[U + u]), g = Math.tanh(z[2 * U + u]), o = sigmoid(z[3 * U + u]);
        cn[u] = fg * c[u] + i * g;
        hn[u] = o * Math.tanh(cn[u]);
      }
      h = hn;
      c = cn;
      if (returnSequences) out.set(h, (r * steps + t) * U);
    }
    if (!returnSequences) out.set(h, r * U);
  }
  return out;
}

/** Σ l1·|w| + l2·w² over the two kernels. */
function kernelPenalty(ws: ArrayLike<number>[], l1: number, l2: number) {
  let s = 0;
  for (const w of [ws[0], ws[1]]) for (const v of Array.from(w)) s += l1 * Math.abs(v) + l2 * v * v;
  return s;
}

/** Native gradients (float32) against central differences of the float64 loss. */
function expectGradients(got: Tensor[], numeric: Float64Array[], names: string[]) {
  numeric.forEach((num, k) => {
    expect(maxAbs(num), `${names[k]}: reference gradient is all zero`).toBeGreaterThan(1e-4);
    const m = worstMismatch(got[k].data, num, 2e-3, 2e-4 * Math.max(1, maxAbs(num)));
    expect(m.excess, `${names[k]}[${m.index}]: native ${m.got}, finite difference ${m.want}`).toBeLessThanOrEqual(0);
  });
}

describe('LSTM forward and gradients through 6 time steps against float64', () => {
  const rows = 4, steps = 6, F = 2, U = 3;
  const x = tensor(uniform(rows * steps * F, -1.5, 1.5, 3), [rows, steps, F]);
  for (const returnSequences of [false, true])
    it(`every weight${returnSequences ? ', returnSequences' : ''}, with a kernelRegularizer`, () => {
      const lstm = new LSTM({ units: U, inputDim: F, returnSequences, seed: 5, kernelRegularizer: { l1: 0.01, l2: 0.02 } });
      const model = new Sequential([lstm]);
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      const ws = model.getWeights().map((w) => w.data);
      const y = tensor(uniform(rows * (returnSequences ? steps : 1) * U, -1, 1, 4), returnSequences ? [rows, steps, U] : [rows, U]);
      const ref = lstmForward(ws, x.data, rows, steps, F, U, returnSequences);
      const pred = model.predict(x);
      expect(pred.shape).toEqual(returnSequences ? [rows, steps, U] : [rows, U]);
      const fwd = worstMismatch(pred.data, ref, 1e-5, 1e-6);
      expect(fwd.excess, `predict[${fwd.index}] = ${fwd.got}, reference ${fwd.want}`).toBeLessThanOrEqual(0);
      const loss = getLoss('mse');
      const g = model.computeGradients(x, y);
      const refLoss = lossValue(loss, ref, y.data);
      expect(Math.abs(g.loss - refLoss)).toBeLessThanOrEqual(1e-5 * Math.max(1, refLoss));
      expect(Math.abs(g.regularization - kernelPenalty(ws, 0.01, 0.02))).toBeLessThanOrEqual(1e-5);
      const numeric = numericGradients((w) => lossValue(loss, lstmForward(w, x.data, rows, steps, F, U, returnSequences), y.data) + kernelPenalty(w, 0.01, 0.02), ws, 1e-6);
      expectGradients(g.grads, numeric, ['kernel', 'recurrentKernel', 'bias']);
      model.dispose();
    });

  for (const returnSequences of [false, true])
    it(`dx: the gradient of a TimeDistributed Dense in front${returnSequences ? ', returnSequences' : ''}`, () => {
      // The Dense's gradients are dK = Σ xᵀ·dx of the LSTM and db = Σ dx: they check dx at every step.
      const D = 2;
      const model = new Sequential([
        new TimeDistributed({ layer: new Dense({ units: D, inputDim: F, activation: 'tanh', seed: 2 }) }),
        new LSTM({ units: U, returnSequences, seed: 6 }),
      ]);
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      const ws = model.getWeights().map((w) => w.data);
      const y = tensor(uniform(rows * (returnSequences ? steps : 1) * U, -1, 1, 8), returnSequences ? [rows, steps, U] : [rows, U]);
      const forward = (w: ArrayLike<number>[]) => {
        const [dk, db] = w;
        const hidden = new Float64Array(rows * steps * D);
        for (let k = 0; k < rows * steps; k++)
          for (let d = 0; d < D; d++) {
            let s = db[d];
            for (let f = 0; f < F; f++) s += x.data[k * F + f] * dk[f * D + d];
            hidden[k * D + d] = Math.tanh(s);
          }
        return lstmForward(w.slice(2), hidden, rows, steps, D, U, returnSequences);
      };
      const loss = getLoss('mse');
      const ref = forward(ws);
      const fwd = worstMismatch(model.predict(x).data, ref, 1e-5, 1e-6);
      expect(fwd.excess).toBeLessThanOrEqual(0);
      const g = model.computeGradients(x, y);
      const numeric = numericGradients((w) => lossValue(loss, forward(w), y.data), ws, 1e-6);
      expectGradients(g.grads, numeric, ['dense.kernel', 'dense.bias', 'kernel', 'recurrentKernel', 'bias']);
      model.dispose();
    });
});

describe('LSTM weights and initialization', () => {
  it('has tfjs-layers\' weights, each U[−1/√units, 1/√units] as torch.nn.LSTM', () => {
    const U = 16;
    const m = new Sequential([new LSTM({ units: U, inputShape: [null as never, 5], seed: 1 })]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    expect(m.weightSpecs().map(({ name, shape }) => ({ name, shape }))).toEqual([
      { name: 'kernel', shape: [5, 64] },
      { name: 'recurrentKernel', shape: [16, 64] },
      { name: 'bias', shape: [64] },
    ]);
    const r = 1 / Math.sqrt(U);
    for (const w of m.getWeights()) {
      const v = Array.from(w.data);
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(r);
      // Uniform on [−r, r]: the largest |w| near r, the mean near 0.
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.9 * r);
      expect(Math.abs(v.reduce((a, b) => a + b, 0) / v.length)).toBeLessThan(0.25 * r);
    }
    expect(m.summary(() => {})).toMatch(/\(LSTM\)\s+\[null, 16\]\s+1408/);
    m.dispose();
    const given = new Sequential([new LSTM({ units: 2, inputDim: 1, biasInitializer: 'ones', kernelInitializer: 'zeros', recurrentInitializer: 'zeros' })]);
    given.compile({ optimizer: 'sgd', loss: 'mse' });
    expect(given.getWeights().map((w) => Array.from(w.data))).toEqual([new Array(8).fill(0), new Array(16).fill(0), new Array(8).fill(1)]);
    given.dispose();
  });
});

describe('LSTM options and validation', () => {
  it('refuses bad options in TS', () => {
    expect(() => new LSTM({ units: 0 })).toThrow(/LSTM.units/);
    expect(() => new LSTM({} as never)).toThrow(/LSTM.units/);
    expect(() => new LSTM({ units: 2, returnSequences: 'yes' as never })).toThrow(/LSTM.returnSequences/);
    expect(() => new LSTM({ units: 2, cell: 'NAU' } as never)).toThrow(/unknown option 'cell'/);
    expect(() => new LSTM({ units: 2, inputShape: [0, 3] })).toThrow(/LSTM.inputShape\[0\]: expected the time steps/);
    expect(() => new LSTM({ units: 2, kernelInitializer: 'nope' as never })).toThrow(/LSTM.kernelInitializer/);
    expect(() => new RNN({ cell: 'LSTM', units: 1 })).toThrow(/RNN.cell: expected one of .*received 'LSTM'/);
    expect(() => new TimeDistributed({ layer: new LSTM({ units: 1, inputDim: 1 }) })).toThrow(/expected a layer without a time axis .*received a LSTM/);
  });

  it('refuses bad options natively', () => {
    const spec = (layers: object[]) => ({ inputDim: 2, layers, loss: { type: 'mse' }, optimizer: { type: 'sgd' } }) as never;
    const lstm = (o: object = {}) => ({ type: 'lstm', units: 2, ...o });
    expect(() => new native.NativeNetwork(spec([{ type: 'lstm' }]))).toThrow(/layers\[0\] \(lstm\)\.units: required/);
    expect(() => new native.NativeNetwork(spec([lstm({ units: 0 })]))).toThrow(/units/);
    expect(() => new native.NativeNetwork(spec([lstm({ returnSequences: 1 })]))).toThrow(/returnSequences/);
    expect(() => new native.NativeNetwork(spec([lstm({ bogus: 1 })]))).toThrow(/bogus/);
    expect(() => new native.NativeNetwork(spec([lstm({ kernelInitializer: 'nope' })]))).toThrow(/kernelInitializer/);
    expect(() => new native.NativeNetwork(spec([{ type: 'rnn', units: 1, cell: 'lstm' }]))).toThrow(/cell: expected one of .*received 'lstm'/);
    expect(() => new native.NativeNetwork(spec([{ type: 'timedistributed', units: 1, layer: 'lstm' }]))).toThrow(/layer: expected one of .*received 'lstm'/);
    expect(() => new native.NativeNetwork(spec([{ type: 'dense', units: 2 }, lstm()]))).toThrow(/must be the first layer/);
    expect(() => new native.NativeNetwork(spec([lstm({ returnSequences: true }), { type: 'dense', units: 1 }]))).toThrow(/\(lstm\): returnSequences must be false/);
    const net = new native.NativeNetwork(spec([lstm({ returnSequences: true }), { type: 'lstm', units: 1 }]));
    expect(() => net.setSteps(0)).toThrow(RangeError);
    net.setSteps(7);
    expect(net.inputDim).toBe(14);
    net.dispose();
  });

  it('is the first layer, the last with returnSequences, takes x [batch, time, features], and has no symbolic form', () => {
    expect(() => new Sequential([new Dense({ units: 1, inputDim: 1 }), new LSTM({ units: 1 })])).toThrow(/recurrent layer .* must be the first layer/);
    expect(() => new Sequential([new LSTM({ units: 1, inputDim: 1, returnSequences: true }), new Dense({ units: 1 })])).toThrow(/must be the last layer or be followed by/);
    const m = new Sequential([new LSTM({ units: 2, inputDim: 3, name: 'l' }), new Dense({ units: 1 })]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    expect(() => m.predict([[1, 2, 3]])).toThrow(/expected \[batch, time, features\] for the recurrent layer 'l'/);
    expect(m.predict(tensor(new Float32Array(2 * 9 * 3).fill(1), [2, 9, 3])).shape).toEqual([2, 1]);
    expect(() => m.explain({ x: tensor(new Float32Array(2 * 3 * 3).fill(1), [2, 3, 3]) })).toThrow(TypeError);
    expect(() => m.explain({ x: tensor(new Float32Array(2 * 3 * 3).fill(1), [2, 3, 3]) })).toThrow(/layer 'l' \(LSTM\) declares no symbolic form/);
    m.dispose();
    // An LSTM with returnSequences feeds another LSTM.
    const two = new Sequential([new LSTM({ units: 3, inputDim: 1, returnSequences: true, seed: 1 }), new LSTM({ units: 1, seed: 2 })]);
    two.compile({ optimizer: 'adam', loss: 'mse' });
    expect(two.predict(tensor(uniform(2 * 4, 0, 1, 1), [2, 4, 1])).shape).toEqual([2, 1]);
    two.dispose();
  });
});

describe('LSTM save / load', () => {
  it('round-trips config, weights and predictions at a length other than the trained one', async () => {
    const m = new Sequential([new LSTM({ units: 3, inputDim: 2, seed: 9, returnSequences: true }), new LSTM({ units: 2, seed: 10 })]);
    const config = await expectSequenceRoundTrip(m);
    expect(config.layers[0]).toMatchObject({ className: 'LSTM', config: { units: 3, returnSequences: true } });
  });
});

describe('LSTM → Dense', () => {
  it('learns the sum of a short sequence (the loss falls)', async () => {
    const r = rng(7);
    const rows = 128, steps = 4;
    const x = Float32Array.from({ length: rows * steps }, () => r());
    const y = Float32Array.from({ length: rows }, (_, i) => x.subarray(i * steps, (i + 1) * steps).reduce((a, b) => a + b, 0));
    const xs = tensor(x, [rows, steps, 1]), ys = tensor(y, [rows, 1]);
    const m = new Sequential([new LSTM({ units: 8, inputDim: 1, seed: 1 }), new Dense({ units: 1, seed: 2 })]);
    m.compile({ optimizer: new Adam({ learningRate: 0.02 }), loss: 'mse' });
    const before = m.evaluate(xs, ys);
    const h = await m.fit(xs, ys, { epochs: 60, batchSize: 32, seed: 1 });
    expect(h.stopReason).toBe('completed');
    const after = m.evaluate(xs, ys);
    expect(after).toBeLessThan(0.05 * before);
    expect(after).toBeLessThan(0.05);
    m.dispose();
  });
});

describe("the recurrent task's lstm model", () => {
  const recurrent = taskRegistry.get('recurrent', 'task');
  it('is LSTM (2 hidden, on the 10 inputs) → Dense (linear, no bias), as stable-nalu builds it', () => {
    const inst = recurrent.instances('mul')[0];
    const layers = buildModel('lstm', { ...inst, ...modelSettings('lstm', recurrent, 'mul') }, [1, 2]);
    expect(layers.map((l) => l.className)).toEqual(['LSTM', 'Dense']);
    expect(layers[0]).toMatchObject({ units: 2, inputDim: 10, returnSequences: false, seed: 1 });
    expect(layers[1]).toMatchObject({ units: 1, useBias: false, activation: 'linear', seed: 2 });
    expect(layers[0].weightSpecs(10).map((w) => w.shape)).toEqual([[10, 8], [2, 8], [8]]);
    expect(modelSettings('lstm', recurrent, 'add')).toMatchObject({ sparsityLambda: 0 });
  });

  it('is refused on a task without sequences', () => {
    const stat = taskRegistry.get('static', 'task');
    const inst = stat.instances('add')[0];
    expect(() => buildModel('lstm', { ...inst, ...modelSettings('lstm', stat, 'add') }, [1, 2])).toThrow(/model 'lstm': its LSTM reads sequences; use it on the recurrent task only/);
    expect([sequenceModel('lstm'), sequenceModel('nau-nmu'), sequenceModel('tanh')]).toEqual([true, false, false]);
    // The CLI refuses it before any run starts (exit 2).
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'lib', 'cli', 'main.ts'), 'benchmark', '--models', 'lstm', '--no-out'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--models: 'lstm' reads sequences: it runs on the recurrent task only \(--task recurrent\), not the static task/);
  });

  it('runs on the task: a record without a formula (an LSTM has no symbolic form)', { timeout: 120_000 }, async () => {
    const out = await runArithmetic({ instance: recurrent.instances('add')[0], model: 'lstm', seed: 1, iterations: 200, evalEvery: 100, evalSize: 100, thresholdSamples: 100 });
    expect(out.record).toMatchObject({ model: 'lstm', task: 'recurrent', trained: 200 });
    expect(Number.isFinite(out.record.last.interpolation)).toBe(true);
    expect(out.record.formula).toBeUndefined();
  });
});
