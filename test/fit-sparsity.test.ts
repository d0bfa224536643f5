// A plain fit switches the NAU/NMU sparsity regularizer on within itself: warm-ups in epochs or
// fractions of the fit are placed at each fit's steps; one in steps that a fit never reaches warns.
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import { NAU, NMU, Sequential, tensor } from '../lib/index';

const rows = 64;
const x = tensor(Float32Array.from({ length: rows * 2 }, (_, i) => 1 + ((i * 7) % 13) / 13), [rows, 2]);
const y = tensor(Float32Array.from({ length: rows }, (_, r) => x.data[2 * r] * x.data[2 * r + 1]), [rows, 1]);

function nmu(args: ConstructorParameters<typeof NMU>[0]) {
  const m = new Sequential([new NMU({ inputDim: 2, seed: 1, ...args })]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

describe('sparsity warm-up in a plain fit', () => {
  it("by default ('fit', 0.2 → 0.4) is off for the first fifth of the fit and full from two fifths on", async () => {
    const m = nmu({ units: 1 });
    // 10 epochs of 4 batches: λ = 0 up to step 8, full from step 16.
    const h = await m.fit(x, y, { epochs: 10, batchSize: 16, shuffle: false });
    expect(h.regularization.slice(0, 2)).toEqual([0, 0]);
    for (const r of h.regularization.slice(4)) expect(r).toBeGreaterThan(0);
    expect(h.warnings).toEqual([]);
    // A second fit places it at its own steps: off again for its first fifth.
    const h2 = await m.fit(x, y, { epochs: 10, batchSize: 16, shuffle: false });
    expect(h2.regularization.slice(0, 2)).toEqual([0, 0]);
    expect(h2.regularization[9]).toBeGreaterThan(0);
    m.dispose();
  });

  it("in 'epochs' ramps from sparsityStart to sparsityEnd epochs of each fit", async () => {
    const m = nmu({ units: 1, sparsityUnit: 'epochs', sparsityStart: 3, sparsityEnd: 3, sparsityLambda: 1 });
    const h = await m.fit(x, y, { epochs: 5, batchSize: 64, shuffle: false });
    // One step an epoch: λ switches from 0 to 1 at step 3.
    expect(h.regularization.slice(0, 3)).toEqual([0, 0, 0]);
    expect(h.regularization[3]).toBeGreaterThan(0);
    m.dispose();
  });

  it('is off outside a fit until a fit places it', () => {
    const m = nmu({ units: 1 });
    expect(m.computeGradients(x, y).regularization).toBe(0);
    m.dispose();
  });

  it('in steps that this fit never reaches, it warns in History and as a process warning', async () => {
    const m = new Sequential([new NAU({ units: 1, inputDim: 2, seed: 1, name: 'adder', sparsityStart: 1e6, sparsityEnd: 2e6 })]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const warned: string[] = [];
    const listen = (w: Error) => warned.push(w.message);
    process.on('warning', listen);
    try {
      const h = await m.fit(x, y, { epochs: 3, batchSize: 32 });
      expect(h.warnings).toHaveLength(1);
      expect(h.warnings[0]).toMatch(/layer 'adder': its sparsity regularizer starts at step 1000000, after this fit's last step \(6\)/);
      await new Promise((r) => setImmediate(r));
      expect(warned).toContain(h.warnings[0]);
    } finally {
      process.off('warning', listen);
      m.dispose();
    }
  });

  it('checks its options; the native setter refuses a layer without a regularizer', () => {
    expect(() => new NMU({ units: 1, sparsityUnit: 'fit', sparsityStart: 0.5, sparsityEnd: 2 })).toThrow(/NMU.sparsityEnd: expected a number in \[0, 1\]/);
    expect(() => new NMU({ units: 1, sparsityUnit: 'weeks' as never })).toThrow(/NMU.sparsityUnit: expected one of 'steps', 'epochs', 'fit'/);
    const m = new Sequential([new NMU({ units: 1, inputDim: 2, sparsityLambda: 0 })]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const net = new native.NativeNetwork({ inputDim: 2, layers: [{ type: 'dense', units: 1, seed: 1 }, { type: 'nmu', units: 1, seed: 2 }], loss: { type: 'mse' }, optimizer: { type: 'sgd' } });
    expect(() => net.setSparsitySchedule(0, 1, 2)).toThrow(/layer: layer 0 has no sparsity regularizer/);
    expect(() => net.setSparsitySchedule(2, 1, 2)).toThrow(/layer: expected an index below 2, received 2/);
    expect(() => net.setSparsitySchedule(1, 5, 2)).toThrow(/end: expected an integer >= start/);
    net.setSparsitySchedule(1, 0, 0);
    net.dispose();
    return m.fit(x, y, { epochs: 1 }).then((h) => {
      expect(h.warnings).toEqual([]);
      m.dispose();
    });
  });
});
