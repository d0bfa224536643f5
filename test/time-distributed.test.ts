// TimeDistributed: gradients against float64 central differences around Dense, around Conv2D and
// MaxPool2D, and in front of an RNN with R_z (through time); validation in TS and C++; the layer order
// with a time axis; shared step counts; save/load at two lengths.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NativeLayerSpec } from '../binding';
import { native } from '../lib/binding';
import { Adam, Conv2D, Dense, MaxPool2D, NAU, RNN, Sequential, TimeDistributed, getLoss, loadModel, randomUniform, tensor } from '../lib/index';
import { checkGradients } from './helpers/gradients';
import { lossValue, maxAbs, numericGradients, signedUniform, uniform, worstMismatch } from './helpers/reference';
import { referenceFor } from './units/index';

describe('TimeDistributed gradients against float64 central differences', () => {
  it('around Dense (tanh, L2 kernelRegularizer) then a linear Dense, every step output', () => {
    const batch = 3, steps = 4;
    checkGradients({
      layers: [
        new TimeDistributed({ layer: new Dense({ units: 3, inputDim: 2, activation: 'tanh', seed: 1, biasInitializer: randomUniform({ minval: -0.5, maxval: 0.5 }), kernelRegularizer: { l2: 0.05 } }) }),
        new TimeDistributed({ layer: new Dense({ units: 2, seed: 2 }) }),
      ],
      inputDim: 2,
      x: tensor(signedUniform(batch * steps * 2, 0.2, 1.5, 3), [batch, steps, 2]),
      y: tensor(uniform(batch * steps * 2, -1, 1, 4), [batch, steps, 2]),
      loss: 'mse',
    });
  });

  it('around Conv2D (tanh) and MaxPool2D, then a Dense', () => {
    const batch = 2, steps = 3;
    const conv = new Conv2D({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, activation: 'tanh', seed: 5, biasInitializer: randomUniform({ minval: -0.3, maxval: 0.3 }) });
    const pool = new MaxPool2D({ inputShape: conv.outputShape, poolSize: 2, padding: 'same' });
    checkGradients({
      layers: [new TimeDistributed({ layer: conv }), new TimeDistributed({ layer: pool }), new TimeDistributed({ layer: new Dense({ units: 1, seed: 6 }) })],
      inputDim: 25,
      x: tensor(signedUniform(batch * steps * 25, 0.1, 1.5, 7), [batch, steps, 25]),
      y: tensor(uniform(batch * steps, -1, 1, 8), [batch, steps, 1]),
      loss: 'mse',
    });
  });

  // R_z's x̄ is the mean of every cell input over the steps and rows: its gradient reaches the Dense
  // through z and the earlier steps through h; W = [0.8, 0.9] keeps every path through time.
  for (const { cell, initialState } of [{ cell: 'NAU', initialState: 0 }, { cell: 'NMU', initialState: 1 }])
    it(`in front of an RNN with an ${cell} cell and R_z: through time into the per-step Dense`, () => {
      const batch = 3, steps = 5, F = 2, lambda = 0.5, id = cell === 'NMU' ? 1 : 0;
      const td = new TimeDistributed({ layer: new Dense({ units: 1, inputDim: F, activation: 'tanh', seed: 9, biasInitializer: randomUniform({ minval: -0.5, maxval: 0.5 }) }) });
      const rnn = new RNN({ cell, units: 1, returnSequences: true, initialState, zRegularizer: lambda, seed: 10 });
      const model = new Sequential([td, rnn]);
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      model.setWeights(model.getWeights().map((w, i) => (i < 2 ? w : { data: Float32Array.of(0.8, 0.9), shape: w.shape })));
      const x = tensor(signedUniform(batch * steps * F, 0.2, 1.5, 11), [batch, steps, F]);
      const y = tensor(uniform(batch * steps, -1, 1, 12), [batch, steps, 1]);
      const forward = (ws: ArrayLike<number>[]) => {
        const z = referenceFor('Dense').forward(td.layer, [ws[0], ws[1]], x.data, batch * steps, F, {});
        const [w0, w1] = [ws[2][0], ws[2][1]];
        const out = new Float64Array(batch * steps);
        const mean = [0, 0];
        for (let r = 0; r < batch; r++) {
          let h = initialState;
          for (let t = 0; t < steps; t++) {
            const zt = z[r * steps + t];
            mean[0] += zt / (batch * steps);
            mean[1] += h / (batch * steps);
            h = cell === 'NAU' ? w0 * zt + w1 * h : (w0 * zt + 1 - w0) * (w1 * h + 1 - w1);
            out[r * steps + t] = h;
          }
        }
        const share = (w: number) => (cell === 'NMU' ? 1 - w : 1 - Math.abs(w));
        const reg = (lambda / 2) * (share(w0) * (mean[0] - id) ** 2 + share(w1) * (mean[1] - id) ** 2);
        return { out, reg };
      };
      const ws = model.getWeights().map((w) => w.data);
      const ref = forward(ws);
      const pred = model.predict(x);
      expect(pred.shape).toEqual([batch, steps, 1]);
      const fwd = worstMismatch(pred.data, ref.out, 1e-4, 1e-5);
      expect(fwd.excess, `predict[${fwd.index}] = ${fwd.got}, reference ${fwd.want}`).toBeLessThanOrEqual(0);
      const loss = getLoss('mse');
      const g = model.computeGradients(x, y);
      expect(Math.abs(g.loss - lossValue(loss, ref.out, y.data))).toBeLessThanOrEqual(1e-5);
      expect(ref.reg).toBeGreaterThan(1e-3);
      expect(Math.abs(g.regularization - ref.reg), `R_z ${g.regularization}, reference ${ref.reg}`).toBeLessThanOrEqual(1e-6);
      const numeric = numericGradients((w) => {
        const r = forward(w);
        return lossValue(loss, r.out, y.data) + r.reg;
      }, ws, 1e-6);
      const specs = model.weightSpecs();
      numeric.forEach((num, k) => {
        expect(maxAbs(num), `${specs[k].name}: reference gradient is all zero`).toBeGreaterThan(1e-4);
        const m = worstMismatch(g.grads[k].data, num, 2e-3, 2e-4 * Math.max(1, maxAbs(num)));
        expect(m.excess, `${specs[k].layer}.${specs[k].name}[${m.index}]: native ${m.got}, finite difference ${m.want}`).toBeLessThanOrEqual(0);
      });
      // Without R_z the Dense's gradients differ: the check above saw its input gradient.
      const plain = new Sequential([new TimeDistributed({ layer: new Dense({ units: 1, inputDim: F, activation: 'tanh', seed: 9, biasInitializer: randomUniform({ minval: -0.5, maxval: 0.5 }) }) }), new RNN({ cell, units: 1, returnSequences: true, initialState, seed: 10 })]);
      plain.compile({ optimizer: 'sgd', loss: 'mse' });
      plain.setWeights(model.getWeights());
      expect(maxAbs(plain.computeGradients(x, y).grads[0].data.map((v, i) => v - g.grads[0].data[i]))).toBeGreaterThan(1e-5);
      plain.dispose();
      model.dispose();
    });
});

describe('TimeDistributed options, order and steps', () => {
  it('refuses a layer with a time axis, a missing or unknown layer and its own size options', () => {
    expect(() => new TimeDistributed({ layer: new RNN({ cell: 'NAU', units: 1 }) })).toThrow(/TimeDistributed.layer: expected a layer without a time axis .*received a RNN/);
    const inner = new TimeDistributed({ layer: new Dense({ units: 1 }) });
    expect(() => new TimeDistributed({ layer: inner })).toThrow(/received a TimeDistributed/);
    expect(() => new TimeDistributed({} as never)).toThrow(TypeError);
    expect(() => new TimeDistributed({ layer: 3 as never })).toThrow(TypeError);
    expect(() => new TimeDistributed({ layer: { className: 'Nope', config: {} } })).toThrow(/TimeDistributed.layer.className/);
    expect(() => new TimeDistributed({ layer: new Dense({ units: 1 }), units: 2 } as never)).toThrow(/TimeDistributed.units: not an option/);
    expect(() => new TimeDistributed({ layer: new Dense({ units: 1 }), kernelRegularizer: { l1: 1 } } as never)).toThrow(/give kernelRegularizer to its layer/);
    expect(() => new TimeDistributed({ layer: new Dense({ units: 1 }), bogus: 1 } as never)).toThrow(/unknown option 'bogus'/);
    expect(() => new RNN({ cell: 'TimeDistributed', units: 1 })).toThrow(/RNN.cell: expected one of .*received 'TimeDistributed'/);
    const td = new TimeDistributed({ layer: { className: 'NAU', config: { units: 2, inputDim: 3 } }, seed: 4 });
    expect(td.units).toBe(2);
    expect(td.inputDim).toBe(3);
    expect(td.getConfig()).toEqual({ name: td.name, seed: 4, layer: { className: 'NAU', config: expect.objectContaining({ units: 2, inputDim: 3 }) } });
  });

  it('refuses natively a bad layer, layerOptions and kernel options, and the layer order', () => {
    const spec = (layers: NativeLayerSpec[]) => ({ inputDim: 2, layers, loss: { type: 'mse' }, optimizer: { type: 'sgd' } });
    const td = (o: object): NativeLayerSpec => ({ type: 'timedistributed', units: 1, ...o });
    expect(() => new native.NativeNetwork(spec([td({ layer: 'rnn' })]))).toThrow(/layers\[0\] \(timedistributed\).layer: expected one of .*received 'rnn'/);
    expect(() => new native.NativeNetwork(spec([td({ layer: 'timedistributed' })]))).toThrow(RangeError);
    expect(() => new native.NativeNetwork(spec([td({})]))).toThrow(TypeError);
    expect(() => new native.NativeNetwork(spec([td({ layer: 'dense', layerOptions: 3 })]))).toThrow(/layerOptions: expected an object/);
    expect(() => new native.NativeNetwork(spec([td({ layer: 'dense', layerOptions: { units: 2 } })]))).toThrow(/layerOptions.units/);
    expect(() => new native.NativeNetwork(spec([td({ layer: 'dense', kernelRegularizer: { l1: 1 } })]))).toThrow(/give kernelRegularizer in layerOptions/);
    expect(() => new native.NativeNetwork(spec([td({ layer: 'dense', units: 0 })]))).toThrow(/units/);
    expect(() => new native.NativeNetwork(spec([{ type: 'nau', units: 1 }, td({ layer: 'dense' })]))).toThrow(/layers\[1\] \(timedistributed\): a recurrent layer must be the first layer or follow/);
    expect(() => new native.NativeNetwork(spec([td({ layer: 'dense' }), { type: 'nau', units: 1 }]))).toThrow(/layers\[1\] \(nau\): follows a layer that outputs every step/);
    expect(() => new native.NativeNetwork(spec([{ type: 'rnn', units: 1, cell: 'timedistributed' }]))).toThrow(/cell: expected one of .*received 'timedistributed'/);
    // TimeDistributed → RNN share the steps; the RNN with returnSequences may feed a TimeDistributed.
    const net = new native.NativeNetwork(spec([td({ layer: 'dense', units: 3 }), { type: 'rnn', units: 2, cell: 'nau', returnSequences: true }, td({ layer: 'nau' })]));
    net.setSteps(7);
    expect(net.inputDim).toBe(14);
    expect(net.outputDim).toBe(7);
    expect(() => net.setSteps(0)).toThrow(RangeError);
    expect(net.inputDim).toBe(14);
    net.dispose();
  });

  it('in a Sequential: first or after every-step outputs; x and y [batch, time, ·]; summary', () => {
    expect(() => new Sequential([new NAU({ units: 1, inputDim: 1 }), new TimeDistributed({ layer: new Dense({ units: 1 }) })])).toThrow(/'timedistributed_\d+' must be the first layer or follow a TimeDistributed/);
    expect(() => new Sequential([new TimeDistributed({ layer: new Dense({ units: 1, inputDim: 1 }) }), new NAU({ units: 1 })])).toThrow(/needs a time axis: wrap it in TimeDistributed/);
    const m = new Sequential([new TimeDistributed({ layer: new Dense({ units: 4, inputDim: 3 }), name: 'td' }), new RNN({ cell: 'NAU', units: 1, name: 'r' })]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    expect(() => m.predict([[1, 2, 3]])).toThrow(/expected \[batch, time, features\] for the TimeDistributed layer 'td'/);
    expect(m.predict(tensor(new Float32Array(2 * 6 * 3).fill(0.5), [2, 6, 3])).shape).toEqual([2, 1]);
    expect(m.summary(() => {})).toMatch(/td \(TimeDistributed\)\s+\[null, null, 4\]\s+16/);
    m.dispose();
    const every = new Sequential([new TimeDistributed({ layer: new Dense({ units: 2, inputDim: 1 }) })]);
    every.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = tensor(uniform(2 * 3, 0, 1, 1), [2, 3, 1]);
    expect(() => every.evaluate(x, tensor(new Float32Array(4), [2, 2]))).toThrow(/expected \[batch, 3, 2\]/);
    expect(every.evaluate(x, tensor(new Float32Array(12), [2, 3, 2]))).toBeGreaterThanOrEqual(0);
    every.dispose();
  });
});

describe('TimeDistributed save / load', () => {
  it('round-trips the digit network shape (Conv2D, MaxPool2D, Dense) with an RNN at two lengths', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nalu-td-'));
    const conv = new Conv2D({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu', seed: 1 });
    const pool = new MaxPool2D({ inputShape: conv.outputShape, poolSize: 2 });
    const m = new Sequential([
      new TimeDistributed({ layer: conv }),
      new TimeDistributed({ layer: pool }),
      new TimeDistributed({ layer: new Dense({ units: 1, seed: 2 }) }),
      new RNN({ cell: 'NAU', units: 1, seed: 3, returnSequences: true }),
    ]);
    m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
    const x = (steps: number, seed: number) => tensor(uniform(3 * steps * 36, 0, 1, seed), [3, steps, 36]);
    m.trainOnBatch(x(4, 1), tensor(uniform(12, 0, 1, 2), [3, 4, 1]));
    await m.save(dir);
    const back = await loadModel(dir);
    expect(back.getConfig()).toEqual(m.getConfig());
    expect(back.getWeights()).toEqual(m.getWeights());
    for (const steps of [4, 9]) expect(back.predict(x(steps, steps)).data).toEqual(m.predict(x(steps, steps)).data);
    m.dispose();
    back.dispose();
    await fs.rm(dir, { recursive: true });
  });
});
