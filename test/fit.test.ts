// fit(): History, callbacks, errors from callbacks, abort, BUSY, a free event loop, determinism.
import { describe, expect, it } from 'vitest';
import { Dense, NAC, NALU, NaluError, SGD, Sequential, getNumThreads, setNumThreads, tensor, type Tensor } from '../lib/index';
import { maxAbs, uniform, worstMismatch } from './helpers/reference';

function data(rows: number, seed: number): { x: Tensor; y: Tensor } {
  const x = uniform(rows * 2, 1, 2, seed);
  const y = Float32Array.from({ length: rows }, (_, r) => x[2 * r] + x[2 * r + 1]);
  return { x: tensor(x, [rows, 2]), y: tensor(y, [rows, 1]) };
}

function model(optimizer: 'adam' | SGD = 'adam') {
  const m = new Sequential([new NALU({ units: 1, inputDim: 2, seed: 1 })]);
  m.compile({ optimizer, loss: 'mse' });
  return m;
}

/** The first `n` rows of a [rows, cols] tensor. */
const head = (t: Tensor, from: number, to: number): Tensor => {
  const c = t.shape[1];
  return tensor(t.data.slice(from * c, to * c), [to - from, c]);
};

describe('History', () => {
  it('records one loss per epoch; one full batch without shuffle gives the loss before each step', async () => {
    const { x, y } = data(64, 1);
    const m = model(new SGD({ learningRate: 0.01 }));
    const before = m.evaluate(x, y);
    const h = await m.fit(x, y, { epochs: 5, batchSize: 64, shuffle: false });
    expect(h.stopReason).toBe('completed');
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(h.loss).toHaveLength(5);
    expect(h.valLoss).toEqual([]);
    expect(h.loss[0]).toBeCloseTo(before, 5);
    expect(h.loss[4]).toBeLessThan(h.loss[0]);
    m.dispose();
  });

  it('validationSplit holds out the last rows; valLoss is their loss after each epoch', async () => {
    const { x, y } = data(50, 2);
    const m = model();
    const h = await m.fit(x, y, { epochs: 4, batchSize: 10, validationSplit: 0.2, seed: 3 });
    expect(h.valLoss).toHaveLength(4);
    for (const v of h.valLoss) expect(Number.isFinite(v)).toBe(true);
    expect(h.valLoss[3]).toBeCloseTo(m.evaluate(head(x, 40, 50), head(y, 40, 50)), 5);
    m.dispose();
  });

  it('validationData gives valLoss on that data', async () => {
    const { x, y } = data(40, 4);
    const val = data(16, 5);
    const m = model();
    const seen: (number | undefined)[] = [];
    const h = await m.fit(x, y, { epochs: 3, validationData: [val.x, val.y], callbacks: { onEpochEnd: (_, logs) => seen.push(logs.valLoss) } });
    expect(h.valLoss).toHaveLength(3);
    expect(seen).toEqual(h.valLoss);
    expect(h.valLoss[2]).toBeCloseTo(m.evaluate(val.x, val.y), 5);
    m.dispose();
  });

  it('epochs 0 trains nothing', async () => {
    const { x, y } = data(8, 6);
    const m = model();
    const w = m.getWeights();
    const h = await m.fit(x, y, { epochs: 0 });
    expect(h.loss).toEqual([]);
    expect(Array.from(m.getWeights()[0].data)).toEqual(Array.from(w[0].data));
    m.dispose();
  });
});

describe('the fit loop computes what computeGradients / trainOnBatch do', () => {
  // fit gathers shuffled batches and caches the first NALU's log(|x|+ε) per row; these checks
  // are independent of the (internal) shuffling order.
  const rows = 48;
  const x = tensor(Float32Array.from(uniform(rows * 3, 0.2, 3, 30), (v, i) => (i % 5 === 0 ? -v : v)), [rows, 3]);
  const y = tensor(uniform(rows * 2, -1, 2, 31), [rows, 2]);
  const make = (learningRate: number) => {
    const m = new Sequential([new NALU({ units: 2, inputDim: 3, seed: 4, separateWeights: true }), new Dense({ units: 2, seed: 5 })]);
    m.compile({ optimizer: new SGD({ learningRate }), loss: 'mse' });
    return m;
  };

  it('with learning rate 0, each shuffled epoch loss is the full-data loss', async () => {
    const m = make(0);
    const full = m.evaluate(x, y);
    const h = await m.fit(x, y, { epochs: 3, batchSize: 8, seed: 1 });
    for (const l of h.loss) expect(Math.abs(l - full)).toBeLessThanOrEqual(1e-6 * full);
    m.dispose();
  });

  it('on 2 threads, large row-major batches (gathered by both) still hold every row once an epoch', async () => {
    // 512 rows × (64 inputs + 64 log features + 40 targets) is past the parallel-gather threshold.
    const n = 1100, threads = getNumThreads();
    const xw = tensor(uniform(n * 64, 0.2, 3, 32), [n, 64]);
    const yw = tensor(uniform(n * 40, -1, 2, 33), [n, 40]);
    const m = new Sequential([new NALU({ units: 40, inputDim: 64, seed: 6 })]);
    m.compile({ optimizer: new SGD({ learningRate: 0 }), loss: 'mse' });
    setNumThreads(2);
    try {
      const full = m.evaluate(xw, yw);
      const h = await m.fit(xw, yw, { epochs: 2, batchSize: 512, seed: 3 });
      for (const l of h.loss) expect(Math.abs(l - full)).toBeLessThanOrEqual(1e-5 * full);
    } finally {
      setNumThreads(threads);
      m.dispose();
    }
  });

  // More than 4 MiB of x: fit's copy of it (and, feature-major, its log features and the
  // interleaved rows) are huge-page Buffers. 130 inputs: row-major, shuffled, takes the log
  // features from each batch; feature-major (1 unit) gathers them.
  for (const units of [1, 8]) {
    it(`with learning rate 0 over 4+ MiB of data (${units === 1 ? 'feature-major' : 'row-major'}), each epoch loss is the full-data loss`, async () => {
      const n = 8200;
      const xw = tensor(uniform(n * 130, 0.2, 3, 34), [n, 130]);
      const yw = tensor(uniform(n * units, -1, 2, 35), [n, units]);
      const m = new Sequential([new NALU({ units, inputDim: 130, seed: 7 })]);
      m.compile({ optimizer: new SGD({ learningRate: 0 }), loss: 'mse' });
      const full = m.evaluate(xw, yw);
      const h = await m.fit(xw, yw, { epochs: 2, batchSize: 256, seed: 4 });
      for (const l of h.loss) expect(Math.abs(l - full)).toBeLessThanOrEqual(1e-5 * full);
      m.dispose();
    });
  }

  it('one shuffled epoch of equal batches moves the weights by −η·(batches)·∇L to first order', async () => {
    const lr = 2e-4;
    const m = make(lr);
    const w0 = m.getWeights();
    const g = m.computeGradients(x, y).grads;
    await m.fit(x, y, { epochs: 1, batchSize: 8, seed: 2 });
    const w1 = m.getWeights();
    w1.forEach((w, k) => {
      const want = Float64Array.from(g[k].data, (v) => -lr * (rows / 8) * v);
      const got = Float64Array.from(w.data, (v, i) => v - w0[k].data[i]);
      const mm = worstMismatch(got, want, 0.02, 0.02 * maxAbs(want));
      expect(mm.excess, `weight ${k}[${mm.index}]: moved ${mm.got}, expected ${mm.want}`).toBeLessThanOrEqual(0);
    });
    m.dispose();
  });

  it('without shuffling, fit equals trainOnBatch on consecutive slices', async () => {
    const a = make(0.05);
    const b = make(0.05);
    await a.fit(x, y, { epochs: 2, batchSize: 16, shuffle: false });
    for (let e = 0; e < 2; e++)
      for (let r = 0; r < rows; r += 16) b.trainOnBatch(head(x, r, r + 16), head(y, r, r + 16));
    const wa = a.getWeights();
    b.getWeights().forEach((w, k) => {
      const mm = worstMismatch(w.data, wa[k].data, 1e-5, 1e-6);
      expect(mm.excess, `weight ${k}[${mm.index}]: trainOnBatch ${mm.got}, fit ${mm.want}`).toBeLessThanOrEqual(0);
    });
    a.dispose();
    b.dispose();
  });
});

describe('callbacks', () => {
  it('run in order, all before fit resolves', async () => {
    const { x, y } = data(32, 7);
    const m = model();
    const events: string[] = [];
    let endHistory: unknown;
    const losses: number[] = [];
    const p = m.fit(x, y, {
      epochs: 4,
      batchSize: 8,
      callbacks: {
        onEpochBegin: (e) => events.push(`begin ${e}`),
        onEpochEnd: (e, logs) => {
          events.push(`end ${e}`);
          losses.push(logs.loss);
        },
        onTrainEnd: (h) => {
          events.push('trainEnd');
          endHistory = h;
        },
      },
    });
    const h = await p;
    expect(events).toEqual(['begin 0', 'end 0', 'begin 1', 'end 1', 'begin 2', 'end 2', 'begin 3', 'end 3', 'trainEnd']);
    expect(endHistory).toBe(h);
    expect(losses).toEqual(h.loss);
    m.dispose();
  });

  it('an onTrainEnd that throws rejects fit with that error', async () => {
    const { x, y } = data(8, 18);
    const m = model();
    const boom = new Error('end');
    await expect(m.fit(x, y, { epochs: 2, callbacks: { onTrainEnd: () => { throw boom; } } })).rejects.toBe(boom);
    expect(m.busy).toBe(false);
    m.dispose();
  });

  it('a callback that throws rejects fit with that error and stops training', async () => {
    const { x, y } = data(32, 8);
    const m = model();
    const boom = new Error('boom');
    let ends = 0;
    let trainEnd = false;
    const err = await m
      .fit(x, y, {
        epochs: 100000,
        callbacks: {
          onEpochEnd: (e) => {
            ends++;
            if (e === 2) throw boom;
          },
          onTrainEnd: () => (trainEnd = true),
        },
      })
      .catch((e) => e);
    expect(err).toBe(boom);
    // Epochs already queued may still finish, but later callbacks are not called.
    expect(ends).toBe(3);
    expect(trainEnd).toBe(false);
    expect(m.busy).toBe(false);
    // The model is usable afterwards.
    expect(m.predict(x).shape).toEqual([32, 1]);
    m.dispose();
  });
});

describe('stopping and concurrency', () => {
  it('an AbortSignal stops fit with stopReason aborted', async () => {
    const { x, y } = data(256, 9);
    const m = model();
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 200);
    const h = await m.fit(x, y, { epochs: 10_000_000, batchSize: 16, signal: ac.signal });
    expect(h.stopReason).toBe('aborted');
    expect(h.loss.length).toBeGreaterThan(0);
    expect(h.loss.length).toBeLessThan(10_000_000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(m.busy).toBe(false);
    m.dispose();
  });

  it('an already aborted signal trains nothing', async () => {
    const { x, y } = data(16, 10);
    const m = model();
    const w = Array.from(m.getWeights()[0].data);
    const h = await m.fit(x, y, { epochs: 5, signal: AbortSignal.abort() });
    expect(h.stopReason).toBe('aborted');
    expect(h.loss).toEqual([]);
    expect(Array.from(m.getWeights()[0].data)).toEqual(w);
    m.dispose();
  });

  it('a second fit and sync calls on a busy model fail with BUSY', async () => {
    const { x, y } = data(256, 11);
    const m = model();
    const ac = new AbortController();
    const weights = m.getWeights();
    const first = m.fit(x, y, { epochs: 10_000_000, signal: ac.signal });
    expect(m.busy).toBe(true);
    const second = await m.fit(x, y, { epochs: 1 }).catch((e) => e);
    expect(second).toBeInstanceOf(NaluError);
    expect(second.code).toBe('BUSY');
    expect(second.message).toMatch(/fit: the model is busy/);
    const calls: [string, () => unknown][] = [
      ['predict', () => m.predict(x)],
      ['trainOnBatch', () => m.trainOnBatch(x, y)],
      ['evaluate', () => m.evaluate(x, y)],
      ['computeGradients', () => m.computeGradients(x, y)],
      ['getWeights', () => m.getWeights()],
      ['setWeights', () => m.setWeights(weights)],
      ['compile', () => m.compile({ optimizer: 'sgd', loss: 'mse' })],
    ];
    for (const [name, call] of calls) {
      let err: unknown;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(NaluError);
      expect((err as NaluError).code, name).toBe('BUSY');
    }
    ac.abort();
    const h = await first;
    expect(h.stopReason).toBe('aborted');
    expect(m.busy).toBe(false);
    // Idle again: a new fit runs.
    expect((await m.fit(x, y, { epochs: 1 })).loss).toHaveLength(1);
    m.dispose();
  });

  it('dispose during fit stops it (aborted); the model then refuses calls with DISPOSED', async () => {
    const { x, y } = data(64, 17);
    const m = model();
    const p = m.fit(x, y, { epochs: 10_000_000 });
    setTimeout(() => m.dispose(), 50);
    const h = await p;
    expect(h.stopReason).toBe('aborted');
    expect(() => m.predict(x)).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  });

  it('trainOnBatch that goes non-finite throws NON_FINITE; fit stops with nonFinite or rejects on throw', async () => {
    const x = tensor(uniform(16 * 2, 5, 10, 12), [16, 2]);
    const y = tensor(new Float32Array(16).fill(1e6), [16, 1]);
    const make = () => {
      const m = new Sequential([new Dense({ units: 1, inputDim: 2, seed: 1 })]);
      m.compile({ optimizer: new SGD({ learningRate: 1e30 }), loss: 'mse' });
      return m;
    };
    const a = make();
    const h = await a.fit(x, y, { epochs: 50, batchSize: 4, seed: 1 });
    expect(h.stopReason).toBe('nonFinite');
    expect(h.loss.length).toBeLessThan(50);
    for (const w of a.getWeights()) for (const v of w.data) expect(Number.isFinite(v)).toBe(true);
    const b = make();
    const err = await b.fit(x, y, { epochs: 50, batchSize: 4, seed: 1, onNonFinite: 'throw' }).catch((e) => e);
    expect(err).toBeInstanceOf(NaluError);
    expect(err.code).toBe('NON_FINITE');
    const c = make();
    const e2 = (() => {
      try {
        for (let i = 0; i < 50; i++) c.trainOnBatch(x, y);
      } catch (e) {
        return e as NaluError;
      }
    })();
    expect(e2?.code).toBe('NON_FINITE');
    for (const m of [a, b, c]) m.dispose();
  });
});

describe('event loop', () => {
  it('a multi-second fit leaves timers firing (max gap measured)', async () => {
    // Wide enough that each batch does real sgemm work on the worker thread.
    const rows = 2048;
    const x = tensor(uniform(rows * 64, 0.5, 2, 13), [rows, 64]);
    const y = tensor(uniform(rows * 16, 0, 1, 14), [rows, 16]);
    const m = new Sequential([new Dense({ units: 128, inputDim: 64, activation: 'tanh', seed: 1 }), new NALU({ units: 16, seed: 2 })]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    let last = performance.now();
    let maxGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 10);
    let epochs = 0;
    const t0 = performance.now();
    const h = await m.fit(x, y, { epochs: 1_000_000, batchSize: 64, signal: AbortSignal.timeout(3000), callbacks: { onEpochEnd: () => epochs++ } });
    const elapsed = performance.now() - t0;
    clearInterval(timer);
    expect(h.stopReason).toBe('aborted');
    expect(epochs).toBe(h.loss.length);
    expect(elapsed).toBeGreaterThan(2900);
    // A blocked loop would show one gap of ~3 s; on this shared machine allow scheduling noise.
    expect(maxGap, `max timer gap ${maxGap.toFixed(1)} ms`).toBeLessThan(200);
    expect(ticks).toBeGreaterThan(100);
    m.dispose();
  });

  it('many tiny epochs with callbacks do not starve timers either', async () => {
    const { x, y } = data(8, 15);
    const m = model();
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 10);
    let calls = 0;
    // More epochs than any machine finishes in the 1.5 s (one 8-row epoch takes about a microsecond).
    const h = await m.fit(x, y, { epochs: 1_000_000_000, batchSize: 8, signal: AbortSignal.timeout(1500), callbacks: { onEpochBegin: () => calls++, onEpochEnd: () => calls++ } });
    clearInterval(timer);
    expect(h.stopReason).toBe('aborted');
    expect(calls).toBeGreaterThanOrEqual(2 * h.loss.length);
    expect(maxGap, `max timer gap ${maxGap.toFixed(1)} ms`).toBeLessThan(200);
    m.dispose();
  });
});

describe('determinism', () => {
  const run = async (fitSeed: number) => {
    const { x, y } = data(100, 16);
    const m = new Sequential([new Dense({ units: 8, inputDim: 2, activation: 'elu', seed: 5 }), new NALU({ units: 2, seed: 6 }), new NAC({ units: 1, seed: 7 })]);
    m.compile({ optimizer: 'adam', loss: 'huber' });
    const h = await m.fit(x, y, { epochs: 20, batchSize: 7, shuffle: true, seed: fitSeed, validationSplit: 0.1 });
    const w = m.getWeights().map((t) => Array.from(t.data));
    m.dispose();
    return { loss: h.loss, valLoss: h.valLoss, w };
  };
  it(`same layer seeds + fit seed + thread count (${getNumThreads()}) → bit-identical weights and losses`, async () => {
    const a = await run(11);
    const b = await run(11);
    expect(b.loss).toEqual(a.loss);
    expect(b.valLoss).toEqual(a.valLoss);
    expect(b.w).toEqual(a.w);
    // The fit seed matters (shuffling order), so the equality above is not vacuous.
    const c = await run(12);
    expect(c.loss).not.toEqual(a.loss);
  });
  it('on 2 threads, a fit after 2-thread calls on the main thread (its team is then ended) trains identically', async () => {
    const threads = getNumThreads();
    const rows = 600;
    const x = tensor(uniform(rows * 200, 0.5, 2, 21), [rows, 200]);
    const y = tensor(uniform(rows * 100, 0, 1, 22), [rows, 100]);
    const once = async (before: boolean) => {
      const m = new Sequential([new NALU({ units: 100, inputDim: 200, seed: 3 })]);
      m.compile({ optimizer: 'adam', loss: 'mse' });
      // Products past 2^16 multiply-adds: split across both threads on the main thread.
      if (before) for (let i = 0; i < 3; i++) m.predict(x);
      const h = await m.fit(x, y, { epochs: 2, batchSize: 300, seed: 5 });
      const w = m.getWeights().map((t) => Array.from(t.data));
      m.dispose();
      return { loss: h.loss, w };
    };
    setNumThreads(2);
    try {
      const a = await once(false);
      const b = await once(true);
      expect(b.loss).toEqual(a.loss);
      expect(b.w).toEqual(a.w);
    } finally {
      setNumThreads(threads);
    }
  });
  it('also with batches large enough for the parallel element-wise loops and reductions', async () => {
    const rows = 2100;
    const x = tensor(uniform(rows * 16, 0.5, 2, 19), [rows, 16]);
    const y = tensor(uniform(rows * 16, 0, 1, 20), [rows, 16]);
    const once = async () => {
      const m = new Sequential([new Dense({ units: 32, inputDim: 16, activation: 'tanh', seed: 1 }), new NALU({ units: 16, seed: 2 })]);
      m.compile({ optimizer: 'adam', loss: 'huber' });
      const h = await m.fit(x, y, { epochs: 3, batchSize: rows, seed: 3 });
      const w = m.getWeights().map((t) => Array.from(t.data));
      m.dispose();
      return { loss: h.loss, w };
    };
    const a = await once();
    const b = await once();
    expect(b.loss).toEqual(a.loss);
    expect(b.w).toEqual(a.w);
  });
});
