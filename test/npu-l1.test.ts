// The L1 penalty of NPU and RealNPU with Mistry et al.'s (2021) step schedule for β
// (nalm-benchmark experiments/single_layer_benchmark.py: β·Σ|p| over every parameter, β from
// --regualizer-beta-start, ×growth every beta-step steps while below beta-end, computed there in
// Decimal): the schedule against an exact-decimal replay of that loop, the penalty's value and
// gradient against float64 finite differences, option checks in TS and native, save/load.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import { NPU, RealNPU, SGD, Sequential, deserializeLayer, loadModel, type Layer, type Tensor } from '../lib/index';

const f32 = (a: number[]) => Float32Array.from(a);
const sgd0 = () => new SGD({ learningRate: 0 }); // steps advance the counter, weights stay

/** v as an exact decimal (its shortest round-trip digits, as Python's Decimal(str(v))), in units of 1e-40. */
function decimal(v: number): bigint {
  const [mant, exp] = v.toExponential().split('e');
  const frac = (mant.split('.')[1] ?? '').length;
  const shift = 40 + Number(exp) - frac;
  if (shift < 0) throw new Error(`decimal: ${v} needs more than 40 decimals`);
  return BigInt(mant.replace('.', '')) * 10n ** BigInt(shift);
}

/**
 * β at optimizer step t as single_layer_benchmark.py computes it, in Decimal (so `β < end` compares
 * exact decimals), with an integer growth: the loop body runs at the top of every step epoch_i.
 */
function referenceBeta(start: number, end: number, step: number, growth: number, t: number): number {
  let b = decimal(start);
  const e = decimal(end), g = BigInt(growth);
  for (let i = 1; i <= t; i++) {
    if (b <= e) {
      if (i % step === 0 && b < e) b *= g;
    } else if (i % step === 0 && b > e) b /= g;
  }
  return Number(`${b}e-40`);
}

/** Σ|p| over every weight of the model, in float64. */
const absSum = (m: Sequential) => m.getWeights().reduce((s, w) => s + w.data.reduce((a, v) => a + Math.abs(v), 0), 0);

describe('NPU/RealNPU L1 penalty: β schedule', () => {
  const x = { data: f32([1.5, 0.7, 1.2, 1.9]), shape: [2, 2] };
  // Advances the step counter by n steps of SGD(0): fit with one row a batch, then trainOnBatch.
  async function advance(m: Sequential, n: number, y: Tensor) {
    if (n === 0) return;
    const rows = Math.min(n, 10000);
    const epochs = Math.floor(n / rows);
    const bx = { data: new Float32Array(rows * 2).fill(1.5), shape: [rows, 2] }, by = { data: new Float32Array(rows * 2).fill(1), shape: [rows, 2] };
    if (epochs > 0) await m.fit(bx, by, { epochs, batchSize: 1, shuffle: false, seed: 1 });
    for (let i = epochs * rows; i < n; i++) m.trainOnBatch(x, y);
  }

  for (const [Unit, name] of [
    [RealNPU, 'RealNPU'],
    [NPU, 'NPU'],
  ] as const)
    it(`${name}: × (1e-7 → 1e-5, every 1e4 steps, ×10) at steps 0, 9999, 10000, 19999, 20000, 1e6`, { timeout: 120_000 }, async () => {
      const m = new Sequential([new Unit({ units: 2, inputDim: 2, seed: 3, l1Start: 1e-7, l1End: 1e-5 })]);
      m.compile({ optimizer: sgd0(), loss: 'mse' });
      // y = the model's own output: the data gradient is exactly 0 (checked on the same model
      // without the penalty), so the gradient is float32(β)·sign(p) alone.
      const y = m.predict(x);
      const base = new Sequential([new Unit({ units: 2, inputDim: 2, seed: 3 })]);
      base.compile({ optimizer: sgd0(), loss: 'mse' });
      const g0 = base.computeGradients(x, y);
      expect(g0.loss).toBe(0);
      expect(g0.regularization).toBe(0);
      for (const gr of g0.grads) expect(Array.from(gr.data, Math.abs)).toEqual(Array.from(gr.data, () => 0));
      const weights = m.getWeights();
      const sum = absSum(m);
      let t = 0;
      for (const target of [0, 9999, 10000, 19999, 20000, 1e6]) {
        await advance(m, target - t, y);
        t = target;
        const beta = referenceBeta(1e-7, 1e-5, 10000, 10, t);
        const g = m.computeGradients(x, y);
        expect(Math.abs(g.regularization - beta * sum), `step ${t}: ${g.regularization} vs β ${beta}·${sum}`).toBeLessThanOrEqual(1e-12 * beta * sum);
        g.grads.forEach((gr, k) =>
          gr.data.forEach((v, i) => {
            const w = weights[k].data[i];
            expect(Math.abs(v - beta * Math.sign(w)), `step ${t}: grad ${k}[${i}] ${v}, β ${beta}, w ${w}`).toBeLessThanOrEqual(1e-7 * beta);
          }),
        );
      }
      expect(m.getWeights()).toEqual(weights); // learning rate 0 kept them
      // the schedule the reference gives at these steps
      expect([0, 9999, 10000, 19999, 20000, 1e6].map((s) => referenceBeta(1e-7, 1e-5, 10000, 10, s))).toEqual([1e-7, 1e-7, 1e-6, 1e-6, 1e-5, 1e-5]);
      m.dispose();
      base.dispose();
    });

  it('every step of short schedules, growing and shrinking, against the reference loop', () => {
    for (const [start, end, step, growth] of [
      [1e-3, 8e-3, 3, 2],
      [1e-2, 1e-5, 2, 10],
      [0.5, 0.5, 1, 10],
    ]) {
      const m = new Sequential([new RealNPU({ units: 1, inputDim: 2, seed: 1, l1Start: start, l1End: end, l1Step: step, l1Growth: growth })]);
      m.compile({ optimizer: sgd0(), loss: 'mse' });
      const y = { data: f32([1, 1]), shape: [2, 1] };
      const sum = absSum(m);
      const seen: number[] = [];
      for (let t = 0; t <= 12; t++) {
        const beta = referenceBeta(start, end, step, growth, t);
        seen.push(beta);
        const r = m.computeGradients(x, y).regularization;
        expect(Math.abs(r - beta * sum), `${start} → ${end} every ${step} ×${growth}, step ${t}: ${r} vs ${beta * sum}`).toBeLessThanOrEqual(1e-12 * beta * sum);
        m.trainOnBatch(x, y);
      }
      expect(seen[seen.length - 1]).toBe(end); // every schedule reached its end within 12 steps
      m.dispose();
    }
  });
});

describe('NPU/RealNPU L1 penalty: value and gradient', () => {
  // Weights away from 0 (finite differences of |·| hold there), the gate outside [0, 1] too: the
  // penalty is on the raw g, where the data gradient of a clamped gate is 0.
  const cases: { make: () => Layer; weights: number[][] }[] = [
    { make: () => new RealNPU({ units: 2, inputDim: 3, l1Start: 0.3 }), weights: [[0.4, -0.8, 1.1, -0.25, 0.6, -1.3], [0.5, 1.4, -0.3]] },
    { make: () => new NPU({ units: 2, inputDim: 3, l1Start: 0.3 }), weights: [[0.4, -0.8, 1.1, -0.25, 0.6, -1.3], [-0.2, 0.35, 0.15, -0.45, 0.7, -0.9], [0.5, 1.4, -0.3]] },
  ];
  const x = { data: f32([1.5, -0.7, 1.2, 0.4, 1.9, -1.1]), shape: [2, 3] }, y = { data: f32([1, -1, 0.5, 2]), shape: [2, 2] };
  for (const c of cases)
    it(`${c.make().className}: β·Σ|p| and its gradient, float64 central differences`, () => {
      const build = (l1: boolean) => {
        const layer = c.make();
        const m = new Sequential([l1 ? layer : deserializeLayer({ className: layer.className, config: { ...layer.getConfig(), l1Start: 0, l1End: 0, name: undefined } })]);
        m.compile({ optimizer: sgd0(), loss: 'mse' });
        const specs = m.weightSpecs();
        m.setWeights(c.weights.map((w, i) => ({ data: f32(w), shape: specs[i].shape })));
        return m;
      };
      const m = build(true), base = build(false);
      const w64 = m.getWeights().map((w) => Float64Array.from(w.data));
      const penalty = (ws: Float64Array[]) => 0.3 * ws.reduce((s, w) => s + w.reduce((a, v) => a + Math.abs(v), 0), 0);
      const g = m.computeGradients(x, y), g0 = base.computeGradients(x, y);
      expect(g.loss).toBe(g0.loss);
      expect(Math.abs(g.regularization - penalty(w64))).toBeLessThanOrEqual(1e-12 * penalty(w64));
      const h = 1e-6;
      w64.forEach((w, k) => {
        for (let i = 0; i < w.length; i++) {
          const plus = w64.map((a) => Float64Array.from(a)), minus = w64.map((a) => Float64Array.from(a));
          plus[k][i] += h;
          minus[k][i] -= h;
          const num = (penalty(plus) - penalty(minus)) / (2 * h);
          const nat = g.grads[k].data[i] - g0.grads[k].data[i];
          expect(Math.abs(nat - num), `param ${k}[${i}] = ${w[i]}: native ${nat}, finite difference ${num}`).toBeLessThanOrEqual(1e-6);
        }
      });
      m.dispose();
      base.dispose();
    });

  it('sign(0) = 0: a parameter at exactly 0 gets no penalty gradient', () => {
    const m = new Sequential([new RealNPU({ units: 1, inputDim: 2, l1Start: 0.25 })]);
    m.compile({ optimizer: sgd0(), loss: 'mse' });
    m.setWeights([{ data: f32([0, 0.5]), shape: [2, 1] }, { data: f32([0, 0.5]), shape: [2] }]);
    const base = new Sequential([new RealNPU({ units: 1, inputDim: 2 })]);
    base.compile({ optimizer: sgd0(), loss: 'mse' });
    base.setWeights(m.getWeights());
    const xx = { data: f32([1.5, 2]), shape: [1, 2] }, yy = { data: f32([3]), shape: [1, 1] };
    const g = m.computeGradients(xx, yy), g0 = base.computeGradients(xx, yy);
    expect(g.regularization).toBeCloseTo(0.25 * 1, 12);
    const d = (k: number, i: number) => g.grads[k].data[i] - g0.grads[k].data[i];
    expect([d(0, 0), d(0, 1), d(1, 0), d(1, 1)]).toEqual([0, 0.25, 0, 0.25]);
    m.dispose();
    base.dispose();
  });
});

describe('NPU/RealNPU L1 penalty: option checks', () => {
  type Bad = [Record<string, unknown>, typeof TypeError | typeof RangeError, string, string[]];
  const bad: Bad[] = [
    [{ l1Start: -1 }, RangeError, 'l1Start', ['expected a number in [0, 1e', 'received -1']],
    [{ l1Start: 'x' }, TypeError, 'l1Start', ['expected a number', 'received']],
    [{ l1Start: 1e-7, l1End: 'y' }, TypeError, 'l1End', ['expected a number', 'received']],
    [{ l1Start: 1e-7, l1End: -1 }, RangeError, 'l1End', ['expected a number in [0, 1e', 'received -1']],
    [{ l1Step: 0 }, RangeError, 'l1Step', ['expected an integer in [1, ', 'received 0']],
    [{ l1Step: 2.5 }, RangeError, 'l1Step', ['expected an integer in [1, ', 'received 2.5']],
    [{ l1Growth: 0.5 }, RangeError, 'l1Growth', ['expected a number in [1, 1e', 'received 0.5']],
    [{ l1Growth: Number.NaN }, RangeError, 'l1Growth', ['expected a number in [1, 1e', 'received NaN']],
    [{ l1Start: 1e-9, l1End: 5e-8 }, RangeError, 'l1End', ['l1Start·l1Growth^k', 'received 5e-8']],
    [{ l1Start: 0, l1End: 1e-7 }, RangeError, 'l1End', ['expected 0 when l1Start is 0', 'received 1e-7']],
    [{ l1Start: 1e-5, l1End: 0 }, RangeError, 'l1End', ['expected a number > 0', 'received 0']],
    [{ l1Start: 1e-9, l1End: 1e-7, l1Growth: 1 }, RangeError, 'l1End', ['l1Growth is 1', 'received 1e-7']],
  ];
  const message = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e as Error;
    }
    throw new Error('did not throw');
  };
  // C++ prints numbers as iostreams do (1e-05, nan).
  const cxx = (s: string) => s.replace(/(\d)e-(\d)\b/g, '$1e-0$2').replace('NaN', 'nan');

  for (const [Unit, cls, type] of [
    [RealNPU, 'RealNPU', 'realnpu'],
    [NPU, 'NPU', 'npu'],
  ] as const) {
    it(`${cls}: TS names ${cls}.<option>, the expected and the received`, () => {
      for (const [opts, E, key, parts] of bad) {
        const e = message(() => new Unit({ units: 1, ...opts }));
        expect(e, JSON.stringify(opts)).toBeInstanceOf(E);
        expect(e.message, JSON.stringify(opts)).toContain(`${cls}.${key}: `);
        for (const p of parts) expect(e.message, JSON.stringify(opts)).toContain(p);
      }
    });
    it(`${cls}: the native side checks the same options again`, () => {
      for (const [opts, E, key, parts] of bad) {
        const e = message(
          () => new native.NativeNetwork({ inputDim: 2, layers: [{ type, units: 1, seed: 1, ...opts } as never], loss: { type: 'mse' }, optimizer: { type: 'sgd' } }),
        );
        expect(e, JSON.stringify(opts)).toBeInstanceOf(E);
        expect(e.message, JSON.stringify(opts)).toContain(`(${type}).${key}: `);
        for (const p of parts) expect(e.message, JSON.stringify(opts)).toContain(cxx(p));
      }
    });
  }

  it('defaults: off, l1End = l1Start, every 10000 steps, ×10', () => {
    expect(new RealNPU({ units: 1 }).l1).toEqual({ l1Start: 0, l1End: 0, l1Step: 10000, l1Growth: 10 });
    expect(new NPU({ units: 1, l1Start: 1e-7 }).l1).toEqual({ l1Start: 1e-7, l1End: 1e-7, l1Step: 10000, l1Growth: 10 });
    const m = new Sequential([new NPU({ units: 1, inputDim: 2 })]);
    m.compile({ optimizer: sgd0(), loss: 'mse' });
    expect(m.computeGradients({ data: f32([1, 2]), shape: [1, 2] }, { data: f32([1]), shape: [1, 1] }).regularization).toBe(0);
    m.dispose();
  });
});

describe('NPU/RealNPU L1 penalty: save / load', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
  });
  for (const Unit of [RealNPU, NPU])
    it(`${Unit.className}: getConfig, save and loadModel keep the options (and the penalty)`, async () => {
      const opts = { l1Start: 1e-2, l1End: 1e-4, l1Step: 3, l1Growth: 10 };
      const layer = new Unit({ units: 2, inputDim: 2, seed: 5, ...opts });
      expect(layer.getConfig()).toMatchObject(opts);
      const copy = deserializeLayer(JSON.parse(JSON.stringify(layer.serialize()))) as RealNPU;
      expect(copy.l1).toEqual(opts);
      const m = new Sequential([layer]);
      m.compile({ optimizer: sgd0(), loss: 'mse' });
      const x: Tensor = { data: f32([1.5, 0.5]), shape: [1, 2] }, y: Tensor = { data: f32([1, 1]), shape: [1, 2] };
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nalu-npu-l1-'));
      dirs.push(dir);
      await m.save(dir);
      const loaded = await loadModel(dir);
      expect((loaded.layers[0] as RealNPU).l1).toEqual(opts);
      expect(loaded.layers[0].getConfig()).toEqual(m.layers[0].getConfig());
      // The penalty acts the same in the loaded model (both at step 0: β = l1Start).
      const a = m.computeGradients(x, y), b = loaded.computeGradients(x, y);
      expect(a.regularization).toBeGreaterThan(0);
      expect(b.regularization).toBe(a.regularization);
      expect(b.grads).toEqual(a.grads);
      m.dispose();
      loaded.dispose();
    });
});
