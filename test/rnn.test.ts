// RNN: backpropagation through time against float64 central differences for every unit as the
// cell (each step the cell's own float64 reference from test/units/), validation, save/load, and an
// NAU cell that learns the running sum on short sequences and keeps it over 100 steps.
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import { Adam, NAU, RNN, Sequential, getLoss, tensor, type Layer, type Tensor } from '../lib/index';
import { expectSequenceRoundTrip } from './helpers/sequence';
import { kinkMargin, lossValue, maxAbs, numericGradients, rng, signedUniform, uniform, worstMismatch, type Kinks } from './helpers/reference';
import { unitNames, unitReference } from './units/index';

const cells = unitNames();
// h₋₁ = 0 reaches log space as log ε (NAC•) and 1/x as 1/ε (NMRU): the next steps' h are then about
// ε^w, or grow as powers of 1/ε to Infinity within 6 steps. A large ε keeps them moderate.
const stateOptions: Record<string, Record<string, unknown>> = { NACMul: { epsilon: 0.1 }, NMRU: { epsilon: 0.25 } };

/** The RNN in float64: each step the cell's reference on [xₜ, hₜ₋₁]; its output and regularization. */
function rnnForward(rnn: RNN, ws: ArrayLike<number>[], x: ArrayLike<number>, rows: number, steps: number, features: number, kinks: Kinks = {}) {
  const ref = unitReference(rnn.cell.className);
  const U = rnn.units, W = features + U;
  let h: Float64Array = new Float64Array(rows * U).fill(rnn.initialState);
  const out = new Float64Array(rows * (rnn.returnSequences ? steps : 1) * U);
  for (let t = 0; t < steps; t++) {
    const z = new Float64Array(rows * W);
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < features; f++) z[r * W + f] = x[(r * steps + t) * features + f];
      for (let u = 0; u < U; u++) z[r * W + features + u] = h[r * U + u];
    }
    // Step 0's h₋₁ = 0 is a constant input: the kinks it sits on (|h| in log space) move with no weight.
    const at: Kinks = {};
    h = ref.forward(rnn.cell, ws, z, rows, W, t ? kinks : at);
    for (const [tag, vs] of Object.entries(at)) (kinks[tag] ??= []).push(...vs.filter((v) => v !== 0));
    if (rnn.returnSequences) for (let r = 0; r < rows; r++) for (let u = 0; u < U; u++) out[(r * steps + t) * U + u] = h[r * U + u];
  }
  if (!rnn.returnSequences) out.set(h);
  let reg = ref.regularizer?.(rnn.cell, ws, 0) ?? 0;
  const { l1 = 0, l2 = 0 } = rnn.cell.kernelRegularizer ?? {};
  rnn.cell.weightSpecs(W).forEach((s, i) => {
    if (s.shape.length === 2) for (const w of Array.from(ws[i])) reg += l1 * Math.abs(w) + l2 * w * w;
  });
  return { out, reg };
}

/** predict, loss, regularization and every gradient of a one-RNN model against the float64 reference. */
function checkRnn(rnn: RNN, x: Tensor, y: Tensor, weights?: ArrayLike<number>[]) {
  const [rows, steps, features] = x.shape;
  const model = new Sequential([rnn]);
  model.compile({ optimizer: 'sgd', loss: 'mse' });
  if (weights) model.setWeights(model.getWeights().map((w, i) => ({ data: Float32Array.from(weights[i]), shape: w.shape })));
  const ws = model.getWeights().map((w) => w.data);
  const loss = getLoss('mse');
  const kinks: Kinks = {};
  const ref = rnnForward(rnn, ws, x.data, rows, steps, features, kinks);
  expect(kinkMargin(kinks), 'data too close to a kink').toBeGreaterThanOrEqual(1e-3);
  const pred = model.predict(x);
  expect(pred.shape).toEqual(rnn.returnSequences ? [rows, steps, rnn.units] : [rows, rnn.units]);
  const fwd = worstMismatch(pred.data, ref.out, 1e-4, 1e-5 * Math.max(1, maxAbs(ref.out)));
  expect(fwd.excess, `predict[${fwd.index}] = ${fwd.got}, reference ${fwd.want}`).toBeLessThanOrEqual(0);
  const g = model.computeGradients(x, y);
  const refLoss = lossValue(loss, ref.out, y.data);
  expect(Math.abs(g.loss - refLoss)).toBeLessThanOrEqual(1e-5 * Math.max(1, refLoss));
  expect(Math.abs(g.regularization - ref.reg)).toBeLessThanOrEqual(1e-5 * Math.max(1, ref.reg));
  const numeric = numericGradients((w) => {
    const r = rnnForward(rnn, w, x.data, rows, steps, features);
    return lossValue(loss, r.out, y.data) + r.reg;
  }, ws, 1e-6);
  const specs = model.weightSpecs();
  numeric.forEach((num, k) => {
    const name = `${rnn.cell.className}.${specs[k].name}`;
    expect(maxAbs(num), `${name}: reference gradient is all zero`).toBeGreaterThan(1e-4);
    const m = worstMismatch(g.grads[k].data, num, 2e-3, 2e-4 * Math.max(1, maxAbs(num)));
    expect(m.excess, `${name}[${m.index}]: native ${m.got}, finite difference ${m.want}`).toBeLessThanOrEqual(0);
  });
  model.dispose();
}

describe('RNN gradients through 6 time steps against float64 central differences', () => {
  // features 1 + units 2: the cell has the 3 inputs and 2 outputs of its table entry's weights.
  const rows = 4, steps = 6;
  for (const name of cells)
    for (const returnSequences of [false, true])
      it(`${name} cell${returnSequences ? ', returnSequences' : ''}`, () => {
        const ref = unitReference(name);
        const probe = new (ref.cls as unknown as new (a: object) => Layer)({ units: 2, seed: 5, ...ref.gradient.options?.({}) });
        const own = { ...ref.gradient.options?.({}), ...stateOptions[name], kernelRegularizer: { l1: 0.01, l2: 0.02 } };
        const rnn = new RNN({ cell: name, units: 2, inputDim: 1, returnSequences, seed: 5, cellOptions: own });
        const { lo, hi } = ref.domain;
        const x = tensor(signedUniform(rows * steps, Math.max(lo, 0.3), Math.min(hi, 1.5), 3), [rows, steps, 1]);
        const y = tensor(uniform(rows * (returnSequences ? steps : 1) * 2, -1, 1, 4), returnSequences ? [rows, steps, 2] : [rows, 2]);
        checkRnn(rnn, x, y, ref.gradient.weights?.(probe as never));
      });
});

describe('RNN initialState and zRegularizer', () => {
  it('starts an NMU cell at h₋₁ = 1: gradients against central differences, a running product', () => {
    const rows = 3, steps = 4;
    const rnn = new RNN({ cell: 'NMU', units: 1, inputDim: 1, returnSequences: true, initialState: 1, seed: 4 });
    const x = tensor(uniform(rows * steps, 0.5, 1.5, 8), [rows, steps, 1]);
    checkRnn(rnn, x, tensor(uniform(rows * steps, 0, 2, 9), [rows, steps, 1]), [[0.7, 0.8]]);
    // W = [1, 1] multiplies the steps' x: h₋₁ = 0 would give 0 at every step.
    const m = new Sequential([new RNN({ cell: 'NMU', units: 1, inputDim: 1, returnSequences: true, initialState: 1 })]);
    m.setWeights([{ data: Float32Array.of(1, 1), shape: [2, 1] }]);
    const p = m.predict(tensor(Float32Array.of(2, 3, 4), [1, 3, 1])).data;
    expect(Array.from(p)).toEqual([2, 6, 24]);
    expect(m.getConfig().layers[0].config).toMatchObject({ initialState: 1 });
    m.dispose();
  });

  it('zRegularizer is ≥ 0 and for an NAU or NMU cell only, in TS and natively', () => {
    expect(() => new RNN({ cell: 'Dense', units: 1, zRegularizer: 1 })).toThrow(/RNN.zRegularizer: R_z is defined for an NAU or NMU cell, received the cell 'Dense'/);
    expect(() => new RNN({ cell: 'NAU', units: 1, zRegularizer: -1 })).toThrow(/RNN.zRegularizer/);
    const spec = (o: object) => ({ inputDim: 1, layers: [{ type: 'rnn', units: 1, ...o }], loss: { type: 'mse' }, optimizer: { type: 'sgd' } });
    expect(() => new native.NativeNetwork(spec({ cell: 'nalu', zRegularizer: 1 }))).toThrow(/zRegularizer: R_z is defined for an 'nau' or 'nmu' cell, received the cell 'nalu'/);
    expect(() => new native.NativeNetwork(spec({ cell: 'nau', zRegularizer: -1 }))).toThrow(/zRegularizer/);
    expect(new RNN({ cell: 'NMU', units: 1, zRegularizer: 1 }).getConfig()).toMatchObject({ zRegularizer: 1, initialState: 0 });
  });

  it('is a finite number, in TS and natively', () => {
    expect(() => new RNN({ cell: 'NAU', units: 1, initialState: 'one' as never })).toThrow(/RNN.initialState/);
    expect(() => new RNN({ cell: 'NAU', units: 1, initialState: 1e31 })).toThrow(RangeError);
    const spec = { inputDim: 1, layers: [{ type: 'rnn', units: 1, cell: 'nau', initialState: Infinity }], loss: { type: 'mse' }, optimizer: { type: 'sgd' } };
    expect(() => new native.NativeNetwork(spec)).toThrow(/initialState/);
  });
});

describe('RNN options, shapes and validation', () => {
  it('refuses a bad cell, units, cellOptions and kernel options, in TS and natively', () => {
    expect(() => new RNN({ cell: 'LSTM', units: 1 })).toThrow(/RNN.cell: expected one of 'Dense', .*received 'LSTM'/);
    expect(() => new RNN({ cell: 'RNN', units: 1 })).toThrow(RangeError);
    expect(() => new RNN({ cell: 'Conv2D', units: 1 })).toThrow(/RNN.cell: expected one of .*received 'Conv2D'/);
    expect(() => new RNN({ cell: 3 as never, units: 1 })).toThrow(TypeError);
    expect(() => new RNN({ units: 1 } as never)).toThrow(TypeError);
    expect(() => new RNN({ cell: 'nau', units: 0 })).toThrow(/RNN.units/);
    expect(() => new RNN({ cell: 'NAU', units: 1, cellOptions: { units: 3 } })).toThrow(/cellOptions.units/);
    expect(() => new RNN({ cell: 'NAU', units: 1, cellOptions: { bogus: 1 } })).toThrow(/unknown option 'bogus'/);
    expect(() => new RNN({ cell: 'NAU', units: 1, kernelConstraint: { min: 0 } })).toThrow(/give kernelConstraint in cellOptions/);
    const spec = (layer: object) => ({ inputDim: 1, layers: [{ type: 'rnn', units: 1, ...layer }], loss: { type: 'mse' }, optimizer: { type: 'sgd' } });
    expect(() => new native.NativeNetwork(spec({ cell: 'lstm' }))).toThrow(/layers\[0\] \(rnn\).cell: expected one of .*received 'lstm'/);
    expect(() => new native.NativeNetwork(spec({ cell: 'rnn' }))).toThrow(RangeError);
    expect(() => new native.NativeNetwork(spec({}))).toThrow(TypeError);
    expect(() => new native.NativeNetwork(spec({ cell: 'nau', units: 0 }))).toThrow(/units/);
    expect(() => new native.NativeNetwork(spec({ cell: 'nau', cellOptions: { units: 2 } }))).toThrow(/cellOptions.units/);
    expect(() => new native.NativeNetwork(spec({ cell: 'nau', cellOptions: { nope: 2 } }))).toThrow(/nope/);
    expect(() => new native.NativeNetwork(spec({ cell: 'nau', kernelRegularizer: { l1: 1 } }))).toThrow(/cellOptions/);
    const two = spec({ cell: 'nau', returnSequences: true });
    expect(() => new native.NativeNetwork({ ...two, layers: [...two.layers, { type: 'nau', units: 1 }] })).toThrow(/returnSequences must be false/);
    expect(() => new native.NativeNetwork({ ...two, layers: [{ type: 'nau', units: 1 }, { type: 'rnn', units: 1, cell: 'nau' }] })).toThrow(/must be the first layer/);
    const net = new native.NativeNetwork(spec({ cell: 'nau' }));
    expect(() => net.setSteps(0)).toThrow(RangeError);
    expect(() => net.setSteps(1.5)).toThrow(RangeError);
    net.setSteps(7);
    expect(net.inputDim).toBe(7);
    net.dispose();
    const plain = new native.NativeNetwork({ ...spec({}), layers: [{ type: 'nau', units: 1 }] });
    expect(() => plain.setSteps(2)).toThrow(/no time axis/);
    plain.dispose();
  });

  it('is the first layer, the last with returnSequences, and takes x [batch, time, features]', () => {
    expect(() => new Sequential([new NAU({ units: 1, inputDim: 1 }), new RNN({ cell: 'NAU', units: 1 })])).toThrow(/must be the first layer/);
    expect(() => new Sequential([new RNN({ cell: 'NAU', units: 1, inputDim: 1, returnSequences: true }), new NAU({ units: 1 })])).toThrow(/must be the last layer/);
    const m = new Sequential([new RNN({ cell: 'NMU', units: 2, inputShape: [null as never, 3], name: 'r' })]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    expect(m.inputDim).toBe(3);
    expect(() => m.predict([[1, 2, 3]])).toThrow(/expected \[batch, time, features\] for the recurrent layer 'r'/);
    expect(() => m.predict(tensor(new Float32Array(0), [2, 0, 3]))).toThrow(RangeError);
    expect(() => m.predict([[[1, 2]]])).toThrow(/expected 3 features/);
    expect(m.predict([[[1, 1, 1]], [[1, 1, 1]]]).shape).toEqual([2, 2]);
    expect(m.predict(tensor(new Float32Array(2 * 9 * 3).fill(1), [2, 9, 3])).shape).toEqual([2, 2]);
    expect(() => m.trainOnBatch(tensor(new Float32Array(6), [2, 1, 3]), [[1, 1]])).toThrow(/expected 2 rows/);
    expect(m.summary(() => {})).toMatch(/r \(RNN\)\s+\[null, 2\]\s+10/);
    m.dispose();
  });

  it('returnSequences gives every step; getConfig, summary and weights are the cell’s', () => {
    const rnn = new RNN({ cell: 'nalu', units: 2, inputDim: 1, returnSequences: true, seed: 3, cellOptions: { gate: 'input' } });
    const m = new Sequential([rnn]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    expect(rnn.getConfig()).toMatchObject({ units: 2, cell: 'NALU', returnSequences: true, cellOptions: { gate: 'input' } });
    expect(m.weightSpecs().map((s) => s.shape)).toEqual(rnn.cell.weightSpecs(3).map((s) => s.shape));
    expect(m.summary(() => {})).toMatch(/\[null, null, 2\]/);
    const x = tensor(uniform(2 * 4, 1, 2, 1), [2, 4, 1]);
    expect(m.predict(x).shape).toEqual([2, 4, 2]);
    expect(() => m.evaluate(x, tensor(new Float32Array(2 * 3 * 2), [2, 3, 2]))).toThrow(/expected \[batch, 4, 2\]/);
    expect(() => m.evaluate(x, tensor(new Float32Array(3 * 4 * 2), [3, 4, 2]))).toThrow(/expected 2 rows to match x, received 3/);
    expect(Number.isFinite(m.evaluate(x, tensor(new Float32Array(16), [2, 4, 2])))).toBe(true);
    m.dispose();
  });

  it('fit takes validation data of x\'s time steps and validationSplit, and refuses another length', async () => {
    const m = new Sequential([new RNN({ cell: 'NAU', units: 1, inputDim: 1, seed: 2 })]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    const x = tensor(uniform(8 * 3, 1, 2, 5), [8, 3, 1]), y = tensor(uniform(8, 3, 6, 6), [8, 1]);
    const other = tensor(uniform(8 * 4, 1, 2, 7), [8, 4, 1]);
    await expect(m.fit(x, y, { validationData: [other, y] })).rejects.toThrow(/validationData\[0\]: expected 3 time steps/);
    const h = await m.fit(x, y, { epochs: 2, batchSize: 4, validationData: [x, y], seed: 1 });
    expect(h.valLoss).toHaveLength(2);
    expect((await m.fit(x, y, { epochs: 1, validationSplit: 0.25, seed: 1 })).valLoss.every(Number.isFinite)).toBe(true);
    expect(m.evaluate(other, y)).toBeGreaterThanOrEqual(0);
    m.dispose();
  });

});

describe('RNN save / load', () => {
  it('round-trips config, weights and predictions at any length', async () => {
    await expectSequenceRoundTrip(new Sequential([new RNN({ cell: 'NMU', units: 2, inputDim: 2, seed: 9, cellOptions: { sparsityLambda: 0.2 } })]));
  });
});

describe('RNN with an NAU cell', () => {
  it('learns the running sum on sequences of ≤ 10 steps and sums 100 steps within 1e-5', async () => {
    // U[1, 2] inputs; each fit runs one length, the lengths 2 … 10 in turn.
    const r = rng(7);
    const data = (rows: number, steps: number) => {
      const x = Float32Array.from({ length: rows * steps }, () => 1 + r());
      const y = Float32Array.from({ length: rows }, (_, i) => x.subarray(i * steps, (i + 1) * steps).reduce((a, b) => a + b, 0));
      return { x: tensor(x, [rows, steps, 1]), y: tensor(y, [rows, 1]) };
    };
    const m = new Sequential([new RNN({ cell: 'NAU', units: 1, inputDim: 1, seed: 1 })]);
    m.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'mse' });
    for (let round = 0; round < 4; round++)
      for (const steps of [2, 5, 10]) {
        const { x, y } = data(64, steps);
        const h = await m.fit(x, y, { epochs: 20, batchSize: 16, seed: round });
        expect(h.stopReason).toBe('completed');
      }
    const [W] = m.getWeights();
    expect(Math.max(...Array.from(W.data, (w) => Math.abs(w - 1)))).toBeLessThan(1e-6);
    const test = data(32, 100);
    const p = m.predict(test.x).data;
    const rel = Math.max(...Array.from(p, (v, i) => Math.abs(v - test.y.data[i]) / test.y.data[i]));
    expect(rel).toBeLessThan(1e-5);
    m.dispose();
  });
});

describe('RNN products over hundreds of steps (docs/units.md)', () => {
  /** h of every step of a 1-unit cell with hand-set weights on the constant sequence x, and a fit's stopReason on it. */
  async function steps(cell: string, cellOptions: Record<string, unknown>, weights: number[][], x: number, n: number) {
    const m = new Sequential([new RNN({ cell, units: 1, inputDim: 1, cellOptions, returnSequences: true })]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    m.setWeights(m.getWeights().map((w, i) => ({ data: Float32Array.from(weights[i]), shape: w.shape })));
    const xs = tensor(new Float32Array(n).fill(x), [1, n, 1]);
    const h = Array.from(m.predict(xs).data);
    const { stopReason } = await m.fit(xs, tensor(new Float32Array(n).fill(1), [1, n, 1]), { epochs: 1, seed: 1 });
    m.dispose();
    return { h, firstInfinite: h.findIndex((v) => !Number.isFinite(v)), stopReason };
  }

  it('NAC•,NMU and NMU overflow to Infinity, and fit stops nonFinite', async () => {
    const nacNmu = await steps('NACMul', { weight: 'nmu' }, [[1, 1]], 2.5, 300);
    expect(nacNmu.h[0]).toBeCloseTo(2.5e-7, 12); // x·(0 + ε)
    expect(nacNmu.firstInfinite).toBe(113);
    expect(nacNmu.stopReason).toBe('nonFinite');
    const nmu = await steps('NMU', {}, [[1, 0.9]], 2.5, 300);
    expect(nmu.firstInfinite).toBe(111);
    expect(nmu.stopReason).toBe('nonFinite');
    const clipped = await steps('NACMul', { weight: 'nmu', clipExp: 20 }, [[1, 1]], 2.5, 300);
    expect(clipped.firstInfinite).toBe(-1);
    expect(Math.max(...clipped.h)).toBeCloseTo(Math.exp(20), -3);
  });

  it('an NMU whose h weight is 1 stays 0, yet its gradient through 300 steps overflows', async () => {
    const r = await steps('NMU', {}, [[1, 1]], 2.5, 300);
    expect(r.h.every((v) => v === 0)).toBe(true);
    expect(r.stopReason).toBe('nonFinite');
  });

  it('the log-space NAC• floors h near ε instead of reaching 0', async () => {
    const r = await steps('NACMul', { weight: 'nmu' }, [[1, 1]], 0.5, 300);
    expect(Math.min(...r.h)).toBeGreaterThan(4e-8);
    expect(r.h[299]).toBeCloseTo(1e-7, 12);
    expect(r.stopReason).toBe('completed');
  });
});
