// explain through time: a model whose first layer is an RNN reads as its cell's recurrence, each
// state's start, and the layers above on the last state; checked against the model and the data.
import { describe, expect, it } from 'vitest';
import { NAU, NMU, NPU, RNN, Sequential, TimeDistributed, tensor } from '../lib/index';
import { rng, uniform } from './helpers/reference';
import { registeredVariants } from './units/index';

const F = 4, U = 2;

/** [rows, steps, F] of U[1, 2], and a ∘ b of the sums of inputs 0–1 and 1–2 over the steps. */
function sequences(rows: number, steps: number, seed: number, op: (a: number, b: number) => number) {
  const r = rng(seed);
  const x = new Float32Array(rows * steps * F).map(() => 1 + r());
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    let a = 0, b = 0;
    for (let t = 0; t < steps; t++) {
      const s = x.subarray((i * steps + t) * F, (i * steps + t + 1) * F);
      a += s[0] + s[1];
      b += s[1] + s[2];
    }
    y[i] = op(a, b);
  }
  return { x: { data: x, shape: [rows, steps, F] }, y: { data: y, shape: [rows, 1] } };
}

/** RNN(NAU cell, 2 states) → NMU or NAU, its weights set near the running sums' (off by `off`). */
function model(top: 'NMU' | 'NAU', off: number) {
  const m = new Sequential([new RNN({ cell: 'NAU', units: U, inputDim: F }), top === 'NMU' ? new NMU({ units: 1 }) : new NAU({ units: 1 })]);
  // Cell W [F + U, U]: state 0 reads x0, x1 and itself; state 1 reads x1, x2 and itself.
  const W = new Float32Array((F + U) * U);
  const set = (i: number, j: number, v: number) => (W[i * U + j] = v);
  [[0, 0], [1, 0], [1, 1], [2, 1], [F, 0], [F + 1, 1]].forEach(([i, j]) => set(i, j, 1 - off));
  set(3, 0, off);
  const out = top === 'NMU' ? Float32Array.of(1 - off, 1) : Float32Array.of(1, -1 + off);
  m.setWeights([{ data: W, shape: [F + U, U] }, { data: out, shape: [U, 1] }]);
  return m;
}

describe('explain of an RNN model', () => {
  it('reads a running sum cell and a product on top as the recurrence, exact in and out of range', () => {
    const m = model('NMU', 1e-6);
    const e = m.explain({ ...sequences(200, 10, 1, (a, b) => a * b), extrapolation: sequences(100, 100, 2, (a, b) => a * b) });
    expect(e.exact).toBe(true);
    expect(e.text).toBe('h0[t] = x0[t] + x1[t] + h0[t-1]\nh1[t] = x1[t] + x2[t] + h1[t-1]\nh0[-1] = h1[-1] = 0\ny0 = h0[T] * h1[T]');
    expect(e.latex).toContain('h_{0}[t] = x_{0}[t] + x_{1}[t] + h_{0}[t-1]');
    // The JS reads a sequence of steps and gives what the formula says.
    const f = new Function(`return ${e.js}`)() as (steps: Record<string, number>[]) => number;
    expect(f([{ x0: 1, x1: 2, x2: 3 }, { x0: 1, x1: 1, x2: 1 }])).toBe((1 + 2 + 1 + 1) * (2 + 3 + 1 + 1));
    expect(e.fidelity.extrapolation!.data!.maxRelError).toBeLessThan(1e-5);
  });

  it('leaves out a state the output does not read, and says when the network is short of the formula', () => {
    const m = new Sequential([new RNN({ cell: 'NAU', units: U, inputDim: F }), new NAU({ units: 1 })]);
    const W = new Float32Array((F + U) * U);
    W[0 * U + 0] = 1, W[1 * U + 0] = 1, W[F * U + 0] = 1, W[2 * U + 1] = 1, W[(F + 1) * U + 1] = 1;
    m.setWeights([{ data: W, shape: [F + U, U] }, { data: Float32Array.of(1, 0), shape: [U, 1] }]);
    const e = m.explain(sequences(50, 5, 3, (a) => a));
    expect(e.text).toBe('h0[t] = x0[t] + x1[t] + h0[t-1]\nh0[-1] = 0\ny0 = h0[T]');
    expect(e.exact).toBe(true);
    // Off by 0.02, the recurrence compounds it: the snapped formula is the data's, not the model's.
    const short = model('NMU', 0.02);
    const g = short.explain({ ...sequences(100, 10, 4, (a, b) => a * b), candidateTolerances: [0.1, 0.01] });
    expect(g.exact).toBe(false);
    expect(g.best).toBeUndefined();
    expect(g.summary).toMatch(/^no snapped formula matches the model and the data within 0\.001; h0\[t\] = x0\[t\] \+ x1\[t\] \+ h0\[t-1\]\n.*\ny0 = h0\[T\] \* h1\[T\] matches the data, not the model/s);
  });

  it('reads a linear cell whose states share the sum as one running sum (C·Bᵏ·A the same for every k)', () => {
    // h0 = h1 = x0 − x2 + (h0 + h1)/2 each step, y = (h0 + h1)/2: no weight on the grid, y = Σₜ (x0 − x2).
    const m = new Sequential([new RNN({ cell: 'NAU', units: U, inputDim: F }), new NAU({ units: 1 })]);
    const W = new Float32Array((F + U) * U);
    for (let j = 0; j < U; j++) (W[0 * U + j] = 1), (W[2 * U + j] = -1), (W[F * U + j] = 0.5), (W[(F + 1) * U + j] = 0.5);
    m.setWeights([{ data: W, shape: [F + U, U] }, { data: Float32Array.of(0.5, 0.5), shape: [U, 1] }]);
    const e = m.explain({ ...sequences(100, 10, 6, (a, b) => a - b), extrapolation: sequences(50, 100, 7, (a, b) => a - b) });
    // Read unit by unit it is exact too, with its halves; the running sum is the simplest exact candidate.
    expect(e.exact).toBe(true);
    expect(e.text).toMatch(/0\.5 \* h0\[t-1\]/);
    expect(e.best?.text).toBe('h0[t] = x0[t] - x2[t] + h0[t-1]\nh0[-1] = 0\ny0 = h0[T]');
    expect(e.best!.complexity).toBeLessThan(e.complexity);
  });

  it('refuses shapes, names and layers it cannot read, naming them', () => {
    const m = model('NAU', 0);
    const { x } = sequences(4, 3, 5, (a, b) => a - b);
    expect(() => m.explain({ x: { data: x.data, shape: [12, F] } })).toThrow(/^x: expected \[batch, time, features\] for the RNN '.+', received shape \[12, 4\]/);
    expect(() => m.explain({ x, featureNames: ['h0', 'a', 'b', 'c'] })).toThrow(RangeError);
    expect(() => m.explain({ x, featureNames: ['h0', 'a', 'b', 'c'] })).toThrow(/featureNames: 'h0' names a state of the RNN/);
    const seq = new Sequential([new RNN({ cell: 'NAU', units: 1, inputDim: F, returnSequences: true })]);
    expect(() => seq.explain({ x })).toThrow(/returnSequences: true/);
    const td = new Sequential([new TimeDistributed({ layer: new NAU({ units: 1, inputDim: F }) }), new RNN({ cell: 'NAU', units: 1 })]);
    expect(() => td.explain({ x })).toThrow(/TimeDistributed\) declares no symbolic form/);
  });
});

describe('a recurrence with nothing snapped is the RNN itself (tolerance 0, every registered cell)', () => {
  for (const { className, ref, variant, name } of registeredVariants())
    it(name, () => {
      const m = new Sequential([new RNN({ cell: className, cellOptions: variant, units: 2, inputDim: 3, seed: 5, initialState: 1 })]);
      // The NPU's imaginary weights start at 0: give them values, and its gates values inside (0, 1).
      if (ref.cls === NPU) m.setWeights([tensor(uniform(10, -1, 1, 9), [5, 2]), tensor(uniform(10, -0.5, 0.5, 10), [5, 2]), tensor([0.3, 0.8, 0.55, 0.4, 0.6], [5])]);
      // h₋₁ = 1 and positive steps in the unit's domain, 3 of them: no log of 0 (a formula leaves out
      // the units' ε), and no product runs away.
      const lo = Math.max(ref.domain.lo, 0.05), hi = Math.min(ref.domain.hi, 1);
      const x = tensor(uniform(200 * 3 * 3, lo, hi, 3), [200, 3, 3]);
      const e = m.explain({ x, tolerance: 0, digits: 17, candidateTolerances: [] });
      expect(e.fidelity.model.maxRelError, e.text).toBeLessThan(1e-4);
      m.dispose();
    });
});
