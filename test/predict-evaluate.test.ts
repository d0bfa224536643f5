// predict and evaluate in batches, and evaluate's metrics, against float64 references.
import { describe, expect, it } from 'vitest';
import { Dense, NALU, Sequential, tensor } from '../lib/index';

function setup() {
  const rows = 1000;
  const x = new Float32Array(rows * 4).map((_, i) => Math.sin(i * 0.37) * 3);
  const y = new Float32Array(rows).map((_, r) => x[4 * r] * x[4 * r + 1] - x[4 * r + 2]);
  const m = new Sequential([new NALU({ units: 3, inputDim: 4, seed: 2 }), new Dense({ units: 1, seed: 3 })]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return { m, x: tensor(x, [rows, 4]), y: tensor(y, [rows, 1]), rows };
}

describe('predict', () => {
  it('gives the same outputs in any batch size (to rounding), and refuses a bad one', () => {
    const { m, x } = setup();
    const all = m.predict(x);
    // Another batch size can take another product kernel (small loop or OpenBLAS, other edges):
    // the same sums in another order.
    for (const batchSize of [1, 7, 128, 999, 1000, 5000]) {
      const p = m.predict(x, { batchSize }).data;
      expect(p.length).toBe(all.data.length);
      for (let i = 0; i < p.length; i++) expect(Math.abs(p[i] - all.data[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(all.data[i])));
    }
    expect(m.predict(x, { batchSize: 7 }).shape).toEqual([1000, 1]);
    expect(() => m.predict(x, { batchSize: 0 })).toThrow(RangeError);
    expect(() => m.predict(x, { batchSize: 1.5 })).toThrow(/batchSize: expected an integer/);
    expect(() => m.predict(x, { batch: 3 } as never)).toThrow(/predict: unknown option 'batch'/);
    m.dispose();
  });
});

describe('summary', () => {
  it('counts trainable and non-trainable parameters', () => {
    const { m } = setup();
    const text = m.summary(() => {});
    // NALU 4→3: Ŵ, M̂, G of 12 each; Dense 3→1: 3 + 1.
    expect(text).toContain('Total params: 40');
    expect(text).toContain('Trainable params: 40');
    expect(text).toContain('Non-trainable params: 0');
    m.dispose();
  });
});
