// Extreme inputs and learning rates never leave NaN/Infinity in the weights silently, for every
// registered unit (test/units/): onNonFinite 'stop' keeps the last finite weights and says so;
// 'throw' rejects NON_FINITE.
import { describe, expect, it, vi } from 'vitest';
import { Adam, Dense, NALU, NaluError, SGD, Sequential, tensor, type Layer, type Tensor } from '../lib/index';
import { signedUniform } from './helpers/reference';
import { build, registeredVariants } from './units/index';

function data(n: number, dim: number, lo: number, hi: number, f: (r: Float32Array) => number, seed = 1) {
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const x = new Float32Array(n * dim);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) x[i * dim + j] = lo + r() * (hi - lo);
    y[i] = f(x.subarray(i * dim, (i + 1) * dim));
  }
  return { x: tensor(x, [n, dim]), y: tensor(y, [n, 1]) };
}

const finite = (ws: Tensor[]) => ws.every((w) => w.data.every(Number.isFinite));

function model(layer: Layer, optimizer: SGD | Adam) {
  const m = new Sequential([layer]);
  m.compile({ optimizer, loss: 'mse' });
  return m;
}

/** Trains to 30 epochs with onNonFinite 'stop', then 'throw': finite weights either way, a stop reported, a usable model. */
async function stopOrThrow(make: () => Sequential, d: { x: Tensor; y: Tensor }, ordinary: Tensor) {
  const a = make();
  const h = await a.fit(d.x, d.y, { epochs: 30, batchSize: 16, seed: 1, onNonFinite: 'stop' });
  expect(finite(a.getWeights())).toBe(true);
  expect(h.loss.every(Number.isFinite)).toBe(true);
  // Either it trained through, or it said why it stopped; it never reports a NaN epoch.
  expect(h.loss.length === 30 ? 'completed' : 'nonFinite').toBe(h.stopReason);
  // Still usable: predicts finite values on ordinary inputs.
  const p = a.predict(ordinary);
  expect(p.data.every((v) => !Number.isNaN(v))).toBe(true);

  const b = make();
  const before = b.getWeights();
  const run = b.fit(d.x, d.y, { epochs: 30, batchSize: 16, seed: 1, onNonFinite: 'throw' });
  if (h.stopReason === 'nonFinite') {
    const err = await run.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(NaluError);
    expect((err as NaluError).code).toBe('NON_FINITE');
    expect((err as Error).message).toMatch(/^fit: .*non-finite/);
    const after = b.getWeights();
    expect(finite(after)).toBe(true);
    expect(after.map((w) => w.shape)).toEqual(before.map((w) => w.shape));
  } else {
    expect((await run).stopReason).toBe('completed');
  }
}

// inputs up to 1e6 over 8 features: exp(Σ log|x|·W) overflows float32 once |W| nears 1.
const huge8 = data(128, 8, 1, 1e6, (v) => v[0] * v[1]);
const huge2 = data(128, 2, 1, 1e6, (v) => v[0] * v[1]);
const nearZero = data(128, 2, 1e-7, 1e-3, (v) => v[0] / v[1]);

describe('numerics', () => {
  it('NALU on inputs up to 1e6 and on ÷ near 0 trains with finite weights and losses', async () => {
    for (const d of [huge2, nearZero]) {
      const m = model(new NALU({ units: 1, inputDim: 2, seed: 3 }), new Adam({ learningRate: 0.1 }));
      const h = await m.fit(d.x, d.y, { epochs: 20, batchSize: 16, seed: 1 });
      expect(['completed', 'nonFinite']).toContain(h.stopReason);
      expect(h.loss.every(Number.isFinite)).toBe(true);
      expect(finite(m.getWeights())).toBe(true);
    }
  });

  for (const [name, make, d] of [
    ['NALU, 8 inputs up to 1e6, SGD lr 10', () => model(new NALU({ units: 1, inputDim: 8, seed: 3 }), new SGD({ learningRate: 10 })), huge8],
    ['NALU, 8 inputs up to 1e6, Adam lr 10', () => model(new NALU({ units: 1, inputDim: 8, seed: 3 }), new Adam({ learningRate: 10 })), huge8],
    ['Dense, inputs up to 1e6, SGD lr 10', () => model(new Dense({ units: 1, inputDim: 2, seed: 3 }), new SGD({ learningRate: 10 })), huge2],
    ['NALU, ÷ near 0, Adam lr 10', () => model(new NALU({ units: 1, inputDim: 2, seed: 3 }), new Adam({ learningRate: 10 })), nearZero],
  ] as const) {
    it(`${name}: 'stop' keeps finite weights and reports it; 'throw' rejects NON_FINITE`, () =>
      stopOrThrow(make, d, tensor(new Float32Array(d.x.shape[1]).fill(2), [1, d.x.shape[1]])));
  }

  // Every registered unit and variant (test/units/), Adam at 10 on inputs up to 1e6.
  for (const { name, ref, variant } of registeredVariants())
    it(`${name}, inputs up to 1e6, Adam lr 10: 'stop' keeps finite weights and reports it; 'throw' rejects NON_FINITE`, async () => {
      const make = () => model(build(ref, { units: 1, inputDim: 2, seed: 3, ...variant }), new Adam({ learningRate: 10 }));
      const ordinary = tensor(signedUniform(2, ref.domain.lo, ref.domain.hi, 4), [1, 2]);
      await stopOrThrow(make, huge2, ordinary);
    });

  it('the overflowing cases do reach the non-finite path (this test can fail), and verbose says so', async () => {
    const m = model(new NALU({ units: 1, inputDim: 8, seed: 3 }), new SGD({ learningRate: 10 }));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect((await m.fit(huge8.x, huge8.y, { epochs: 30, batchSize: 16, seed: 1, verbose: 1 })).stopReason).toBe('nonFinite');
      expect(log.mock.calls.at(-1)?.[0]).toMatch(/^Epoch \d+\/30 - stopped: the loss or a weight became non-finite/);
    } finally {
      log.mockRestore();
    }
  });

  it('trainOnBatch refuses a non-finite step with NON_FINITE and leaves every weight as it was', () => {
    const m = model(new Dense({ units: 1, inputDim: 2, seed: 3 }), new SGD({ learningRate: 10 }));
    const x = tensor(huge2.x.data.subarray(0, 32), [16, 2]);
    const y = tensor(huge2.y.data.subarray(0, 16), [16, 1]);
    let threw: unknown;
    let before = m.getWeights();
    for (let i = 0; i < 20 && threw === undefined; i++) {
      before = m.getWeights();
      try {
        m.trainOnBatch(x, y);
      } catch (e) {
        threw = e;
      }
    }
    expect(threw).toBeInstanceOf(NaluError);
    expect((threw as NaluError).code).toBe('NON_FINITE');
    const after = m.getWeights();
    expect(finite(after)).toBe(true);
    after.forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(before[i].data)));
  });
});

describe('the vectorized log and exp inside NALU', () => {
  // W = tanh(20)·σ(20) = 1 in float32, and an independent gate σ(−60) ≈ 1e−26 leaves y = m.
  function expLog(xs: number[]) {
    const model = new Sequential([new NALU({ units: 1, inputDim: 1, gate: 'independent' })]);
    model.setWeights([tensor(new Float32Array([20]), [1, 1]), tensor(new Float32Array([20]), [1, 1]), tensor(new Float32Array([-60]), [1])]);
    const x = Float32Array.from(xs);
    const y = model.predict(tensor(x, [x.length, 1])).data;
    model.dispose();
    for (let i = 0; i < x.length; i++) {
      const want = Math.abs(x[i]) + 1e-7;
      // exp turns log's absolute error into a relative one: a few float ulps of log(want).
      const tol = 4e-7 * Math.max(1, Math.abs(Math.log(want)));
      expect(Math.abs(y[i] - want) / want, `x = ${x[i]}`).toBeLessThan(tol);
    }
  }

  it('m = exp(log(|x| + ε)·1) returns |x| + ε to float precision from 1e-6 to 1e30', () => {
    const xs: number[] = [];
    for (let e = -6; e <= 30; e += 0.25) xs.push(10 ** e, -(10 ** e) * 1.37);
    for (let k = -50; k <= 50; k++) xs.push(1 + k * 1e-3); // log near 0, where f = m − 1 is small
    expLog(xs);
  });

  it('… on every interval of the AVX2 log table (mantissas 0.70–1.42) in four binades, odd lengths', () => {
    // 1/256 steps put many inputs in each of the table's 8 intervals; 1,157 values leave a
    // masked tail of 5 lanes.
    const xs: number[] = [];
    for (const k of [-12, 0, 5, 40]) for (let z = 0.69; z < 1.43; z += 1 / 256) xs.push(-z * 2 ** k);
    while (xs.length < 1157) xs.push(1 + xs.length * 1e-4);
    expLog(xs);
  });
});
