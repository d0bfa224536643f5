// Native forward, loss, regularizers and gradients of the units after NALU against a float64
// reference (units-reference.ts): gradients are compared with central differences of the
// reference loss. Every unit is also checked behind an NAU, so that its dx is checked too.
import { describe, expect, it } from 'vitest';
import { GatedNAUNMU, INALU, NACMul, NAU, NMRU, NMU, NPU, RealNPU, Sequential, type Layer } from '../lib/index';
import { unitForward, unitSparsity, type UnitSpec } from './units-reference';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
/** n values in ±[lo, hi] (never closer to 0 than lo). */
function signed(n: number, lo: number, hi: number, seed: number): number[] {
  const r = lcg(seed);
  return Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r()));
}
function between(n: number, lo: number, hi: number, seed: number): number[] {
  const r = lcg(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}
const f32 = (a: number[]) => Float32Array.from(a);

interface Part {
  spec: UnitSpec;
  make: (inputDim?: number) => Layer;
  /** λ of the layer's sparsity regularizer (0: off), warm-up already complete. */
  lambda?: number;
  l1?: number;
  l2?: number;
}

interface Case {
  parts: Part[];
  inputDim: number;
  x: number[];
  /** Weights (getWeights order) or undefined for the seeded initial ones. */
  weights?: number[][];
}

function check(c: Case) {
  const model = new Sequential(c.parts.map((p, i) => p.make(i === 0 ? c.inputDim : undefined)));
  model.compile({ optimizer: 'sgd', loss: 'mse' });
  const specs = model.weightSpecs();
  if (c.weights) model.setWeights(c.weights.map((w, i) => ({ data: f32(w), shape: specs[i].shape })));
  const weights = model.getWeights().map((w) => Float64Array.from(w.data));
  const rows = c.x.length / c.inputDim;
  const outUnits = c.parts[c.parts.length - 1].spec.units;
  const target = between(rows * outUnits, -1, 1, 99);
  // Which weights belong to which layer.
  const counts = c.parts.map((p) => model.layers[c.parts.indexOf(p)].weightSpecs(1).length);

  const reference = (ws: ArrayLike<number>[]) => {
    let h: ArrayLike<number> = c.x;
    let dim = c.inputDim;
    let k = 0;
    let reg = 0;
    c.parts.forEach((p, li) => {
      const own = ws.slice(k, k + counts[li]);
      k += counts[li];
      h = unitForward(p.spec, own, h, rows, dim);
      dim = p.spec.units;
      if (p.lambda) reg += unitSparsity(p.spec, own, p.lambda);
      for (const [wi, w] of own.entries()) {
        if (specs[k - counts[li] + wi].shape.length !== 2) continue; // L1/L2 act on [in, out] kernels only
        for (let i = 0; i < w.length; i++) reg += (p.l1 ?? 0) * Math.abs(w[i]) + (p.l2 ?? 0) * w[i] * w[i];
      }
    });
    let mse = 0;
    for (let i = 0; i < target.length; i++) mse += (h[i] - target[i]) ** 2;
    return { out: h, mse: mse / target.length, reg };
  };

  const ref = reference(weights);
  const pred = model.predict({ data: f32(c.x), shape: [rows, c.inputDim] });
  for (let i = 0; i < ref.out.length; i++) expect(pred.data[i]).toBeCloseTo(ref.out[i], 4);
  const g = model.computeGradients({ data: f32(c.x), shape: [rows, c.inputDim] }, { data: f32(target), shape: [rows, outUnits] });
  expect(Math.abs(g.loss - ref.mse)).toBeLessThanOrEqual(2e-6 * Math.max(1, ref.mse));
  expect(Math.abs(g.regularization - ref.reg)).toBeLessThanOrEqual(2e-6 * Math.max(1, ref.reg));
  const h = 1e-6;
  weights.forEach((w, k) => {
    const name = `${specs[k].layer}.${specs[k].name}`;
    const num = new Float64Array(w.length);
    for (let i = 0; i < w.length; i++) {
      const plus = weights.map((a) => Float64Array.from(a));
      const minus = weights.map((a) => Float64Array.from(a));
      plus[k][i] += h;
      minus[k][i] -= h;
      const lp = reference(plus), lm = reference(minus);
      num[i] = (lp.mse + lp.reg - lm.mse - lm.reg) / (2 * h);
    }
    const scale = Math.max(...Array.from(num, Math.abs));
    expect(scale, `${name}: reference gradient is all zero`).toBeGreaterThan(1e-4);
    for (let i = 0; i < w.length; i++) {
      expect(Number.isFinite(g.grads[k].data[i]), `${name}[${i}] finite`).toBe(true);
      expect(Math.abs(g.grads[k].data[i] - num[i]), `${name}[${i}]: native ${g.grads[k].data[i]}, finite difference ${num[i]}`).toBeLessThanOrEqual(2e-3 * Math.abs(num[i]) + 2e-4 * Math.max(1, scale));
    }
  });
  model.dispose();
}

// A fixed NAU in front: its gradient checks the next unit's dx. Its outputs stay away from 0.
const front = (units: number, lambda = 0): Part => ({
  spec: { type: 'NAU', units },
  make: (inputDim) => new NAU({ units, inputDim, seed: 1, sparsityLambda: lambda, sparsityStart: 0, sparsityEnd: 0 }),
  lambda,
});
const frontW3 = [0.9, 0.2, -0.1, 0.1, 0.8, 0.15, -0.2, 0.05, 0.7];
const rows = 5;

describe('NAU', () => {
  it('gradients with the sparsity regularizer and kernelRegularizer L1/L2', () => {
    const part: Part = {
      spec: { type: 'NAU', units: 2 },
      make: (inputDim) => new NAU({ units: 2, inputDim, sparsityLambda: 0.7, sparsityStart: 0, sparsityEnd: 0, kernelRegularizer: { l1: 0.01, l2: 0.02 } }),
      lambda: 0.7,
      l1: 0.01,
      l2: 0.02,
    };
    check({ parts: [part], inputDim: 3, x: signed(rows * 3, 0.2, 2, 1), weights: [[0.3, -0.8, 0.65, -0.2, 0.1, 0.9]] });
  });
  it('regularizer is off before sparsityStart and ramps linearly', () => {
    const m = new Sequential([new NAU({ units: 1, inputDim: 2, sparsityLambda: 2, sparsityStart: 1, sparsityEnd: 3 })]);
    m.compile({ optimizer: { className: 'SGD', config: { learningRate: 0 } } as never, loss: 'mse' });
    m.setWeights([{ data: f32([0.2, -0.9]), shape: [2, 1] }]);
    const x = { data: f32([1, 1]), shape: [1, 2] }, y = { data: f32([0]), shape: [1, 1] };
    const R = (0.2 + 0.1) / 2;
    expect(m.computeGradients(x, y).regularization).toBe(0); // t = 0 < start
    m.trainOnBatch(x, y);
    m.trainOnBatch(x, y); // t = 2: halfway
    expect(m.computeGradients(x, y).regularization).toBeCloseTo(R, 6);
    m.trainOnBatch(x, y); // t = 3: full strength
    expect(m.computeGradients(x, y).regularization).toBeCloseTo(2 * R, 6);
    m.dispose();
  });
});

describe('NMU', () => {
  it('gradients with the sparsity regularizer', () => {
    const part: Part = { spec: { type: 'NMU', units: 2 }, make: (inputDim) => new NMU({ units: 2, inputDim, sparsityLambda: 0.3, sparsityStart: 0, sparsityEnd: 0 }), lambda: 0.3 };
    check({ parts: [part], inputDim: 3, x: signed(rows * 3, 0.2, 2, 2), weights: [[0.2, 0.8, 0.35, 0.6, 0.9, 0.15]] });
  });
  it('exact gradients when a factor is 0 (input 0 with W = 1, and a hidden 0 behind an NAU)', () => {
    const nmu: Part = { spec: { type: 'NMU', units: 2 }, make: () => new NMU({ units: 2, sparsityLambda: 0 }) };
    // Row 0: x = [1, 1] gives NAU output h0 = 0.5 − 0.5 = 0 exactly; NMU W[0][0] = 1 makes its factor 0.
    const x = [1, 1, ...signed((rows - 1) * 2, 0.3, 2, 3)];
    check({ parts: [front(2), nmu], inputDim: 2, x, weights: [[0.5, 0.3, -0.5, 0.8], [1, 0.3, 0.7, 0.6]] });
    // An input that is 0 itself.
    check({ parts: [{ ...nmu, make: (d) => new NMU({ units: 2, inputDim: d, sparsityLambda: 0 }) }], inputDim: 2, x: [0, 1.5, ...signed((rows - 1) * 2, 0.3, 2, 4)], weights: [[1, 0.4, 0.7, 0.2]] });
  });
});

describe('NACMul', () => {
  it('gradients (also behind an NAU)', () => {
    const part: Part = { spec: { type: 'NACMul', units: 2 }, make: (d) => new NACMul({ units: 2, inputDim: d, seed: 5 }) };
    check({ parts: [part], inputDim: 3, x: signed(rows * 3, 0.3, 2, 5) });
    check({ parts: [front(3), { ...part, make: () => new NACMul({ units: 2, seed: 5 }) }], inputDim: 3, x: signed(rows * 3, 0.5, 2, 6), weights: [frontW3, ...seeded(new NACMul({ units: 2, inputDim: 3, seed: 5 }))] });
  });
});

describe('NACMul weight sigma (NAC•,σ) and nmu (NAC•,NMU)', () => {
  it('sigma: gradients through W = σ(Ŵ), also behind an NAU', () => {
    const part: Part = { spec: { type: 'NACMul', units: 2, options: { weight: 'sigma' } }, make: (d) => new NACMul({ units: 2, inputDim: d, weight: 'sigma', seed: 5 }) };
    const w = [0.8, -1.2, 0.3, 1.5, -0.4, 0.05];
    check({ parts: [part], inputDim: 3, x: signed(rows * 3, 0.3, 2, 15), weights: [w] });
    check({ parts: [front(3), part], inputDim: 3, x: signed(rows * 3, 0.5, 2, 16), weights: [frontW3, w] });
  });
  it('nmu: gradients with the sparsity regularizer, also behind an NAU', () => {
    const part: Part = {
      spec: { type: 'NACMul', units: 2, options: { weight: 'nmu' } },
      make: (d) => new NACMul({ units: 2, inputDim: d, weight: 'nmu', sparsityLambda: 0.4, sparsityStart: 0, sparsityEnd: 0 }),
      lambda: 0.4,
    };
    const w = [0.2, 0.8, 0.35, 0.6, 0.9, 0.15];
    check({ parts: [part], inputDim: 3, x: signed(rows * 3, 0.3, 2, 17), weights: [w] });
    check({ parts: [front(3), part], inputDim: 3, x: signed(rows * 3, 0.5, 2, 18), weights: [frontW3, w] });
  });
});

describe('GatedNAUNMU', () => {
  const part: Part = {
    spec: { type: 'GatedNAUNMU', units: 2 },
    make: (d) => new GatedNAUNMU({ units: 2, inputDim: d, sparsityLambda: 0.6, sparsityStart: 0, sparsityEnd: 0 }),
    lambda: 0.6,
  };
  const wAdd = [0.3, -0.8, 0.65, -0.2, 0.1, 0.9], wMul = [0.2, 0.8, 0.35, 0.6, 0.9, 0.15], g = [0.7, -0.5, 0.2, 0.9, -1.1, 0.4];
  it('gradients of both paths, the gate and both regularizers, also behind an NAU', () => {
    check({ parts: [part], inputDim: 3, x: signed(rows * 3, 0.2, 2, 19), weights: [wAdd, wMul, g] });
    check({ parts: [front(3, 0.3), part], inputDim: 3, x: signed(rows * 3, 0.5, 2, 20), weights: [frontW3, wAdd, wMul, g] });
  });
  it('exact gradients when an NMU factor is 0 (input 0 with W_mul = 1)', () => {
    check({ parts: [part], inputDim: 3, x: [0, 1.5, -0.7, ...signed((rows - 1) * 3, 0.3, 2, 21)], weights: [wAdd, [1, 0.8, 0.35, 0.6, 0.9, 0.15], g] });
  });
});

describe('INALU', () => {
  it('gradients with negative inputs (sign correction), also behind an NAU', () => {
    const part: Part = { spec: { type: 'INALU', units: 2 }, make: (d) => new INALU({ units: 2, inputDim: d, seed: 7 }) };
    check({ parts: [part], inputDim: 3, x: signed(rows * 3, 0.3, 2, 7) });
    check({ parts: [front(3), { ...part, make: () => new INALU({ units: 2, seed: 7 }) }], inputDim: 3, x: signed(rows * 3, 0.5, 2, 8), weights: [frontW3, ...seeded(new INALU({ units: 2, inputDim: 3, seed: 7 }))] });
  });
});

for (const [name, make, type] of [
  ['NPU', (d?: number) => new NPU({ units: 2, inputDim: d }), 'NPU'],
  ['RealNPU', (d?: number) => new RealNPU({ units: 2, inputDim: d }), 'RealNPU'],
] as const) {
  describe(name, () => {
    it('gradients with negative inputs and an interior gate, also behind an NAU', () => {
      const part: Part = { spec: { type, units: 2 }, make };
      const w = between(6, -1, 1, 9), wi = between(6, -0.5, 0.5, 10), g = [0.3, 0.8, 0.55];
      const weights = type === 'NPU' ? [w, wi, g] : [w, g];
      check({ parts: [part], inputDim: 3, x: signed(rows * 3, 0.3, 2, 11), weights });
      check({ parts: [front(3), part], inputDim: 3, x: signed(rows * 3, 0.5, 2, 12), weights: [frontW3, ...weights] });
    });
  });
}

describe('NMRU', () => {
  for (const signRetrieval of [false, true])
    it(`gradients with the regularizer, negative inputs, signRetrieval ${signRetrieval}, also behind an NAU`, () => {
      const part: Part = {
        spec: { type: 'NMRU', units: 2, options: { signRetrieval } },
        make: (d) => new NMRU({ units: 2, inputDim: d, signRetrieval, sparsityLambda: 0.2, sparsityStart: 0, sparsityEnd: 0 }),
        lambda: 0.2,
      };
      const w = [0.2, 0.8, 0.35, 0.6, 0.9, 0.15, 0.7, 0.3, 0.45, 0.85, 0.1, 0.65];
      check({ parts: [part], inputDim: 3, x: signed(rows * 3, 0.4, 2, 13), weights: [w] });
      check({ parts: [front(3), part], inputDim: 3, x: signed(rows * 3, 0.6, 2, 14), weights: [frontW3, w] });
    });
});

/** The seeded initial weights of a unit (built alone) as plain arrays. */
function seeded(layer: Layer): number[][] {
  const m = new Sequential([layer]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  const w = m.getWeights().map((t) => Array.from(t.data));
  m.dispose();
  return w;
}
