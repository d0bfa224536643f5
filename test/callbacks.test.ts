// fit awaits its callbacks at every epoch's end: a stop, setWeights or a new learning rate in
// onEpochEnd takes effect at that epoch; the built-in callbacks follow Keras' rules.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  Dense,
  NaluError,
  SGD,
  Sequential,
  earlyStopping,
  learningRateScheduler,
  loadModel,
  modelCheckpoint,
  reduceLROnPlateau,
  type EpochLogs,
  type Tensor,
} from '../lib/index';
import { native } from '../lib/binding';

function data(rows: number, seed = 1) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const x = new Float32Array(rows * 3).map(rnd);
  const y = new Float32Array(rows).map((_, r) => x[3 * r] + 2 * x[3 * r + 1] - x[3 * r + 2]);
  return { x: { data: x, shape: [rows, 3] }, y: { data: y, shape: [rows, 1] } };
}

function model(learningRate = 0.05) {
  const m = new Sequential([new Dense({ units: 1, inputDim: 3, seed: 3 })]);
  m.compile({ optimizer: new SGD({ learningRate }), loss: 'mse' });
  return m;
}

const flat = (ws: Tensor[]) => ws.flatMap((w) => Array.from(w.data));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('awaited callbacks', () => {
  it.each([2, 256, 65_536])('a stop, an abort and restoreBestWeights in epoch 4 of 2000 take effect there (%i rows)', async (rows) => {
    const { x, y } = data(rows);
    let m = model();
    const stopped = await m.fit(x, y, { epochs: 2000, batchSize: 32, callbacks: { onEpochEnd: (e) => (e === 4 ? m.stopTraining() : undefined) } });
    expect(stopped.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(stopped.stopReason).toBe('aborted');
    const ac = new AbortController();
    const aborted = await m.fit(x, y, { epochs: 2000, batchSize: 32, signal: ac.signal, callbacks: { onEpochEnd: (e) => (e === 4 ? ac.abort() : undefined) } });
    expect(aborted.epoch).toEqual([0, 1, 2, 3, 4]);
    m.dispose();
    // A fresh model whose loss falls every epoch (a rate small enough for 2048 steps an epoch):
    // epoch 4's weights are the best; epoch 5 is sabotaged, so earlyStopping restores epoch 4's.
    m = model(rows > 1000 ? 1e-5 : 0.05);
    let atEpoch4: number[] = [];
    const es = earlyStopping({ monitor: 'loss', patience: 0, restoreBestWeights: true });
    const h = await m.fit(x, y, {
      epochs: 2000,
      batchSize: 32,
      shuffle: false,
      callbacks: [
        es,
        {
          onEpochEnd: (e: number) => {
            if (e !== 4) return;
            atEpoch4 = flat(m.getWeights());
            m.setWeights(m.getWeights().map((w) => ({ data: w.data.map(() => 40), shape: w.shape })));
          },
        },
      ],
    });
    expect(h.epoch.at(-1)).toBe(5);
    expect(es.bestEpoch).toBe(4);
    expect(flat(m.getWeights())).toEqual(atEpoch4);
    m.dispose();
  });

  it('onBatchBegin and onBatchEnd get every batch of an epoch, with its loss, before onEpochEnd', async () => {
    const { x, y } = data(100);
    const m = model(0);
    const order: string[] = [];
    const losses: number[] = [];
    await m.fit(x, y, {
      epochs: 2,
      batchSize: 32,
      shuffle: false,
      callbacks: {
        onBatchBegin: (b) => void order.push(`b${b}`),
        onBatchEnd: async (b, logs) => {
          await Promise.resolve();
          order.push(`e${b}`);
          losses.push(logs.loss);
        },
        onEpochEnd: (e) => void order.push(`epoch ${e}`),
      },
    });
    const epoch = ['b0', 'e0', 'b1', 'e1', 'b2', 'e2', 'b3', 'e3'];
    expect(order).toEqual([...epoch, 'epoch 0', ...epoch, 'epoch 1']);
    // Learning rate 0 and no shuffling: batch k's loss is the loss of rows 32k … 32k+31.
    const slice = (k: number) => {
      const to = Math.min(100, 32 * (k + 1));
      return m.evaluate({ data: x.data.subarray(96 * k, 3 * to), shape: [to - 32 * k, 3] }, { data: y.data.subarray(32 * k, to), shape: [to - 32 * k, 1] });
    };
    for (let k = 0; k < 4; k++) expect(losses[k]).toBeCloseTo(slice(k), 6);
    m.dispose();
  });

  it('a returned promise is awaited before the next epoch begins', async () => {
    const { x, y } = data(64);
    const m = model();
    const order: string[] = [];
    await m.fit(x, y, {
      epochs: 3,
      callbacks: [
        {
          onTrainBegin: async () => void order.push('trainBegin'),
          onEpochBegin: (e) => void order.push(`begin ${e}`),
          onEpochEnd: async (e) => {
            await new Promise((r) => setTimeout(r, 20));
            order.push(`end ${e}`);
          },
        },
        { onEpochEnd: (e) => void order.push(`second end ${e}`), onTrainEnd: () => void order.push('trainEnd') },
      ],
    });
    expect(order).toEqual(['trainBegin', 'begin 0', 'end 0', 'second end 0', 'begin 1', 'end 1', 'second end 1', 'begin 2', 'end 2', 'second end 2', 'trainEnd']);
    m.dispose();
  });

  it('setWeights and a learning rate of 0 set in onEpochEnd hold from the next epoch on', async () => {
    const { x, y } = data(64);
    const m = model();
    const zeros = m.getWeights().map((w) => ({ data: new Float32Array(w.data.length), shape: w.shape }));
    const seen: number[][] = [];
    const h = await m.fit(x, y, {
      epochs: 5,
      callbacks: {
        onEpochEnd: (e) => {
          if (e === 1) {
            m.setWeights(zeros);
            m.optimizer.learningRate = 0;
          }
          seen.push(flat(m.getWeights()));
        },
      },
    });
    // Epochs 2–4 start from zeros and do not move: every later weight is 0 and the loss is mean(y²).
    for (const w of seen.slice(1)) expect(w.every((v) => v === 0)).toBe(true);
    const y2 = Array.from(y.data).reduce((a, v) => a + v * v, 0) / y.data.length;
    for (const l of h.loss.slice(2)) expect(l).toBeCloseTo(y2, 5);
    expect(m.optimizer.learningRate).toBe(0);
    m.dispose();
  });

  it('a learning rate set while fit runs without callbacks is refused with BUSY', async () => {
    const { x, y } = data(256);
    const m = model();
    const ac = new AbortController();
    const p = m.fit(x, y, { epochs: 1e7, signal: ac.signal });
    let err: unknown;
    try {
      m.optimizer.learningRate = 0.5;
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NaluError);
    expect((err as NaluError).code).toBe('BUSY');
    expect(m.optimizer.learningRate).toBe(0.05);
    ac.abort();
    await p;
    m.optimizer.learningRate = 0.5;
    expect(m.optimizer.learningRate).toBe(0.5);
    expect(() => (m.optimizer.learningRate = -1)).toThrow(RangeError);
    expect(() => (m.optimizer.learningRate = '1' as never)).toThrow(TypeError);
    m.dispose();
  });

  it('a stop in onTrainBegin trains no epoch; a hook that rejects rejects fit with its error', async () => {
    const { x, y } = data(32);
    const m = model();
    const w = flat(m.getWeights());
    const h = await m.fit(x, y, { epochs: 5, callbacks: { onTrainBegin: () => m.stopTraining() } });
    expect(h.epoch).toEqual([]);
    expect(flat(m.getWeights())).toEqual(w);
    const boom = new Error('boom');
    await expect(m.fit(x, y, { epochs: 50, callbacks: { onEpochEnd: async (e) => { if (e === 2) throw boom; } } })).rejects.toBe(boom);
    expect(m.busy).toBe(false);
    m.dispose();
  });

  it('checks the callbacks it is given', async () => {
    const { x, y } = data(8);
    const m = model();
    await expect(m.fit(x, y, { callbacks: { onEpochEnds: () => {} } as never })).rejects.toThrow(/callbacks: unknown callback 'onEpochEnds'/);
    await expect(m.fit(x, y, { callbacks: [{ onEpochEnd: 3 }] as never })).rejects.toThrow(TypeError);
    await expect(m.fit(x, y, { callbacks: [null] as never })).rejects.toThrow(/callbacks\[0\]: expected a callback object/);
    m.dispose();
  });

  it('the raw binding refuses awaitEpochs without onEvent, and a bad learning rate', () => {
    const net = new native.NativeNetwork({ inputDim: 1, layers: [{ type: 'dense', units: 1, seed: 1 }], loss: { type: 'mse' }, optimizer: { type: 'sgd', learningRate: 0.1 } });
    const x = new Float32Array([1, 2]);
    expect(() => net.fit(x, x, 2, { epochs: 1, batchSize: 2, shuffle: false, seed: 0, throwOnNonFinite: false, awaitEpochs: true })).toThrow(/onEvent: expected a function with awaitEpochs/);
    expect(() => net.setLearningRate(NaN)).toThrow(RangeError);
    expect(() => net.setLearningRate('x' as never)).toThrow(TypeError);
    net.dispose();
  });

  it('a raw onEvent that throws stops the fit, which rejects with what it threw (it used to wait for resume() forever)', async () => {
    const x = new Float32Array([1, 2]);
    for (const awaitEpochs of [true, false])
      for (const thrown of [new Error('from onEvent'), undefined, 'text']) {
        const net = new native.NativeNetwork({ inputDim: 1, layers: [{ type: 'dense', units: 1, seed: 1 }], loss: { type: 'mse' }, optimizer: { type: 'sgd', learningRate: 0.1 } });
        let events = 0;
        const fit = net.fit(x, x, 2, { epochs: 1 << 20, batchSize: 2, shuffle: false, seed: 0, throwOnNonFinite: false, awaitEpochs }, (kind: string) => {
          if (kind !== 'end') return;
          events++;
          throw thrown;
        });
        const err = await fit.then(() => 'resolved', (e: unknown) => ({ e }));
        expect(err, `awaitEpochs ${awaitEpochs}`).not.toBe('resolved');
        expect((err as { e: unknown }).e).toBe(thrown);
        if (awaitEpochs) expect(events).toBe(1);
        expect(net.busy).toBe(false);
        net.dispose();
      }
    // A raw task run's onEval, likewise.
    const thrown = new Error('from onEval');
    const run = native.runTask(
      {
        network: { inputDim: 2, layers: [{ type: 'nau', units: 1, seed: 1 }], loss: { type: 'mse' }, optimizer: { type: 'adam' } },
        task: { name: 'arithmetic', op: 'add', inputSize: 2, subsetRatio: 0.5, overlapRatio: 0, interpolation: [[1, 2]], extrapolation: [[2, 6]], seed: 1 },
        run: { iterations: 1e9, batchSize: 8, evalEvery: 10, validationSize: 16, testSize: 16, epsilon: 1e-5, thresholdSamples: 10, bestWindow: 1, seed: 1 },
      },
      () => {
        throw thrown;
      },
    );
    await expect(run.promise).rejects.toBe(thrown);
  });
});

describe('History', () => {
  it('has tfjs-style history.history with val_loss beside valLoss', async () => {
    const { x, y } = data(64);
    const m = model();
    const h = await m.fit(x, y, { epochs: 3, validationSplit: 0.25 });
    expect(h.history.loss).toEqual(h.loss);
    expect(h.history.val_loss).toEqual(h.valLoss);
    expect(h.history.valLoss).toEqual(h.valLoss);
    expect((await m.fit(x, y, { epochs: 1 })).history.val_loss).toBeUndefined();
    m.dispose();
  });
});

describe('earlyStopping', () => {
  it('stops after `patience` epochs without improvement (Keras: a flat loss stops at epoch = patience)', async () => {
    const { x, y } = data(64);
    const m = model(0);
    const es = earlyStopping({ monitor: 'loss', patience: 2 });
    const h = await m.fit(x, y, { epochs: 100, callbacks: [es] });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(es.stoppedEpoch).toBe(2);
    expect(es.bestEpoch).toBe(0);
    m.dispose();
  });

  it('restoreBestWeights sets the weights of the best epoch at the end', async () => {
    const { x, y } = data(64);
    const m = model(0.05);
    const es = earlyStopping({ monitor: 'loss', patience: 0, restoreBestWeights: true });
    let atBest: number[] = [];
    const h = await m.fit(x, y, {
      epochs: 100,
      shuffle: false,
      callbacks: [
        es,
        {
          onEpochEnd: (e: number) => {
            if (e !== 3) return;
            atBest = flat(m.getWeights());
            // Far-off weights: epoch 4's loss is worse, so epoch 3 stays the best.
            m.setWeights(m.getWeights().map((w) => ({ data: w.data.map(() => 50), shape: w.shape })));
          },
        },
      ],
    });
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(h.loss[4]).toBeGreaterThan(h.loss[3]);
    expect(es.bestEpoch).toBe(3);
    expect(flat(m.getWeights())).toEqual(atBest);
    m.dispose();
  });

  it('a baseline that is never beaten stops at the first epoch after patience', async () => {
    const { x, y } = data(64);
    const m = model(0);
    const h = await m.fit(x, y, { epochs: 100, callbacks: earlyStopping({ monitor: 'loss', baseline: 1e-9, patience: 1 }) });
    expect(h.epoch).toEqual([0, 1]);
    m.dispose();
  });

  it('a monitor missing from the logs rejects fit and names it; bad options are refused', async () => {
    const { x, y } = data(16);
    const m = model();
    await expect(m.fit(x, y, { epochs: 3, callbacks: earlyStopping() })).rejects.toThrow(/earlyStopping.monitor: 'valLoss' is not in the epoch logs .*validationSplit/);
    expect(() => earlyStopping({ patience: -1 })).toThrow(RangeError);
    expect(() => earlyStopping({ mode: 'up' as never })).toThrow(/earlyStopping.mode/);
    expect(() => earlyStopping({ patiense: 3 } as never)).toThrow(/unknown option 'patiense'/);
    m.dispose();
  });
});

describe('reduceLROnPlateau and learningRateScheduler', () => {
  it('reduceLROnPlateau multiplies the rate by factor after patience flat epochs, down to minLr', async () => {
    const { x, y } = data(64);
    const m = model(1e-9);
    const rates: number[] = [];
    await m.fit(x, y, {
      epochs: 6,
      callbacks: [reduceLROnPlateau({ monitor: 'loss', patience: 1, factor: 0.5, minLr: 2e-10 }), { onEpochEnd: () => void rates.push(m.optimizer.learningRate) }],
    });
    expect(rates).toEqual([1e-9, 5e-10, 2.5e-10, 2e-10, 2e-10, 2e-10]);
    expect(() => reduceLROnPlateau({ factor: 1 })).toThrow(/factor: expected a number < 1/);
    m.dispose();
  });

  it('learningRateScheduler sets each epoch’s rate before it runs; rate 0 freezes the weights', async () => {
    const { x, y } = data(64);
    const m = model();
    const seen: [number, number][] = [];
    const weights: number[][] = [];
    await m.fit(x, y, {
      epochs: 5,
      callbacks: [
        learningRateScheduler((e) => (e < 2 ? 0.05 : 0)),
        { onEpochEnd: (e: number) => void (seen.push([e, m.optimizer.learningRate]), weights.push(flat(m.getWeights()))) },
      ],
    });
    expect(seen).toEqual([[0, 0.05], [1, 0.05], [2, 0], [3, 0], [4, 0]]);
    expect(weights[1]).not.toEqual(weights[0]);
    for (const w of weights.slice(2)) expect(w).toEqual(weights[1]);
    expect(() => learningRateScheduler(3 as never)).toThrow(TypeError);
    m.dispose();
  });
});

describe('modelCheckpoint', () => {
  it('saves the best epoch (saveBestOnly) atomically, loadable as it was at that epoch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nalu-ckpt-'));
    dirs.push(dir);
    const { x, y } = data(64);
    const m = model(0.05);
    const ckpt = modelCheckpoint(join(dir, 'best'), { monitor: 'loss', saveBestOnly: true });
    let best: number[] = [];
    let bestLoss = Infinity;
    await m.fit(x, y, {
      epochs: 6,
      callbacks: [
        ckpt,
        {
          onEpochEnd: (e: number, logs: EpochLogs) => {
            if (logs.loss < bestLoss) (bestLoss = logs.loss), (best = flat(m.getWeights()));
            // Make epoch 4 the worst, so that the best is not simply the last.
            if (e === 3) m.setWeights(m.getWeights().map((w) => ({ data: w.data.map(() => 9), shape: w.shape })));
          },
        },
      ],
    });
    const loaded = await loadModel(join(dir, 'best'));
    expect(flat(loaded.getWeights())).toEqual(best);
    expect(ckpt.savedEpoch).toBe(3);
    loaded.dispose();
    m.dispose();
  });

  it('still saves in the epoch where an earlier callback stopped fit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nalu-ckpt-'));
    dirs.push(dir);
    const { x, y } = data(16);
    const m = model(0);
    const ckpt = modelCheckpoint(join(dir, 'last'));
    const h = await m.fit(x, y, { epochs: 50, callbacks: [earlyStopping({ monitor: 'loss', patience: 1 }), ckpt] });
    expect(h.epoch).toEqual([0, 1]);
    expect(ckpt.savedEpoch).toBe(1);
    (await loadModel(join(dir, 'last'))).dispose();
    m.dispose();
  });

  it('saves every N-th epoch without saveBestOnly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nalu-ckpt-'));
    dirs.push(dir);
    const { x, y } = data(16);
    const m = model();
    const ckpt = modelCheckpoint(join(dir, 'every'), { everyEpochs: 2 });
    await m.fit(x, y, { epochs: 5, callbacks: [ckpt] });
    expect(ckpt.savedEpoch).toBe(3);
    expect(() => modelCheckpoint('' as never)).toThrow(TypeError);
    m.dispose();
  });
});

describe('fits that always settle (issue 27)', () => {
  const never = () => new Promise<void>(() => {});

  it('a hook that never settles: an abort, stopTraining() or dispose() from outside resolves fit aborted at once', async () => {
    const { x, y } = data(32);
    for (const how of ['signal', 'stopTraining', 'dispose'] as const) {
      const m = model();
      const ac = new AbortController();
      let ended = 0;
      let hung = false;
      const fit = m.fit(x, y, {
        epochs: 100,
        signal: ac.signal,
        callbacks: [{ onEpochEnd: (e) => (e === 1 ? ((hung = true), never()) : undefined) }, { onEpochEnd: () => void ended++ }],
      });
      // Stopped once fit waits at epoch 1's end for the hook.
      while (!hung) await new Promise((r) => setTimeout(r, 5));
      if (how === 'signal') ac.abort();
      else if (how === 'stopTraining') m.stopTraining();
      else m.dispose();
      const h = await fit;
      expect(h.stopReason, how).toBe('aborted');
      expect(h.epoch, how).toEqual([0, 1]);
      // The hooks left behind run no further: the second callback never saw epoch 1.
      expect(ended, how).toBe(1);
      expect(m.busy, how).toBe(false);
      if (how !== 'dispose') {
        // The model is idle and trains again.
        expect((await m.fit(x, y, { epochs: 2 })).epoch).toEqual([0, 1]);
        m.dispose();
      }
    }
  });

  it('an abort stops a fit held by a hung onTrainBegin, onEpochBegin or onTrainEnd', async () => {
    const { x, y } = data(32);
    for (const hook of ['onTrainBegin', 'onEpochBegin'] as const) {
      const m = model();
      const h = await m.fit(x, y, { epochs: 3, signal: AbortSignal.timeout(100), callbacks: { [hook]: never } });
      expect(h.stopReason, hook).toBe('aborted');
      expect(h.epoch, hook).toEqual([]);
      m.dispose();
    }
    // After the last epoch: every epoch is in the History, but its onTrainEnd was cut short.
    const m = model();
    const ac = new AbortController();
    const h = await m.fit(x, y, { epochs: 3, signal: ac.signal, callbacks: { onTrainEnd: () => (setTimeout(() => ac.abort(), 20), never()) } });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(h.stopReason).toBe('aborted');
    m.dispose();
  });

  it('a stop from a hook itself still waits for the rest of that epoch’s hooks (an async save)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nalu-ckpt-'));
    dirs.push(dir);
    const { x, y } = data(16);
    const m = model();
    const ckpt = modelCheckpoint(join(dir, 'last'));
    const h = await m.fit(x, y, {
      epochs: 50,
      callbacks: [{ onEpochEnd: (e) => (e === 2 ? m.stopTraining() : undefined) }, { onEpochEnd: () => new Promise((r) => setTimeout(r, 100)) }, ckpt],
    });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(ckpt.savedEpoch).toBe(2);
    m.dispose();
  });

  it('an async setModel that rejects rejects fit (no unhandled rejection)', async () => {
    const { x, y } = data(16);
    const m = model();
    const err = await m.fit(x, y, { epochs: 2, callbacks: { setModel: async () => Promise.reject(new Error('no model for me')) } }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('no model for me');
    expect(m.busy).toBe(false);
    m.dispose();
  });

  it('an exception in the epoch event outside the hooks (the verbose print) rejects fit cleanly', async () => {
    const { x, y } = data(16);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {
      throw new Error('stdout is gone');
    });
    try {
      for (const callbacks of [{ onEpochEnd: () => {} }, undefined]) {
        const m = model();
        await expect(m.fit(x, y, { epochs: 5, verbose: 1, callbacks })).rejects.toThrow('stdout is gone');
        expect(m.busy).toBe(false);
        m.dispose();
      }
    } finally {
      log.mockRestore();
    }
  });

  it('one callback object in two concurrent fits, or twice in one: refused by name', async () => {
    const { x, y } = data(16);
    const a = model();
    const b = model();
    const es = earlyStopping({ monitor: 'loss', patience: 3 });
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const first = a.fit(x, y, { epochs: 3, callbacks: [{ onEpochEnd: () => held }, es] });
    const err = (await b.fit(x, y, { epochs: 3, callbacks: [es] }).catch((e: unknown) => e)) as NaluError;
    expect(err).toBeInstanceOf(NaluError);
    expect(err.code).toBe('BUSY');
    expect(err.message).toBe('callbacks[0]: this earlyStopping is already in use by another fit');
    await expect(b.fit(x, y, { epochs: 1, callbacks: reduceLROnPlateau({ monitor: 'loss' }) })).resolves.toBeDefined();
    const lr = reduceLROnPlateau({ monitor: 'loss' });
    await expect(b.fit(x, y, { epochs: 1, callbacks: [lr, lr] })).rejects.toThrow('callbacks[1]: this reduceLROnPlateau is callbacks[0] already');
    // A plain object without setModel holds no model: sharing it is fine.
    const counter = { onEpochEnd: () => {} };
    await expect(b.fit(x, y, { epochs: 1, callbacks: [counter] })).resolves.toBeDefined();
    release();
    await first;
    // Free again once the first fit settled.
    expect((await b.fit(x, y, { epochs: 2, callbacks: [es] })).epoch).toEqual([0, 1]);
    a.dispose();
    b.dispose();
  });

  it('compile() inside a fit throws BUSY, as predict and trainOnBatch do there', async () => {
    const { x, y } = data(16);
    for (const hook of ['onTrainBegin', 'onEpochEnd'] as const) {
      const m = model();
      const err = (await m.fit(x, y, { epochs: 3, callbacks: { [hook]: () => m.compile({ optimizer: 'sgd', loss: 'mse' }) } }).catch((e: unknown) => e)) as NaluError;
      expect(err, hook).toBeInstanceOf(NaluError);
      expect(err.code).toBe('BUSY');
      expect(err.message).toBe('compile: the model is busy in fit()');
      // The model is intact: it predicts and fits again.
      expect(m.predict(x).data.every(Number.isFinite)).toBe(true);
      expect((await m.fit(x, y, { epochs: 2 })).stopReason).toBe('completed');
      m.dispose();
    }
  });

  it('modelCheckpoint fills in Keras fields ({epoch:02d}, {val_loss:.2f}); a stray brace or unknown log is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nalu-ckpt-'));
    dirs.push(dir);
    const { x, y } = data(40);
    const m = model();
    const ckpt = modelCheckpoint(join(dir, 'ckpt-{epoch:02d}-{val_loss:.2f}'));
    const plain = modelCheckpoint(join(dir, 'e{epoch}-{loss:.3e}'));
    const seen: string[] = [];
    const h = await m.fit(x, y, { epochs: 3, validationSplit: 0.25, callbacks: [ckpt, plain, { onEpochEnd: () => void seen.push(ckpt.savedDir!) }] });
    const expected = h.valLoss.map((v, e) => join(dir, `ckpt-${String(e + 1).padStart(2, '0')}-${v.toFixed(2)}`));
    expect(seen).toEqual(expected);
    expect(plain.savedDir).toBe(join(dir, `e3-${h.loss[2].toExponential(3)}`));
    (await loadModel(expected[2])).dispose();
    expect(() => modelCheckpoint(join(dir, 'ckpt-{epoch'))).toThrow(/modelCheckpoint.dir: '\{' in .* is not part of a field/);
    expect(() => modelCheckpoint(join(dir, 'ckpt-}'))).toThrow(RangeError);
    await expect(m.fit(x, y, { epochs: 1, callbacks: modelCheckpoint(join(dir, '{val_los}')) })).rejects.toThrow(
      /modelCheckpoint.dir: 'val_los' is not in the epoch logs/,
    );
    m.dispose();
  });
});
