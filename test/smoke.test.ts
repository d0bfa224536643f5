import { describe, expect, it } from 'vitest';
import { NALU, Sequential, tensor } from '../lib/index';

describe('smoke', () => {
  it('trains the seed model and its loss falls', async () => {
    const x = tensor(Float32Array.from({ length: 1280 }, (_, i) => ((i * 7919) % 97) / 97), [128, 10]);
    const y = tensor(Float32Array.from({ length: 128 }, (_, i) => ((i * 31) % 17) / 17), [128, 1]);
    const model = new Sequential([new NALU({ units: 1, inputDim: 10, seed: 1 })]);
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const h = await model.fit(x, y, { epochs: 200, batchSize: 128, seed: 1 });
    expect(h.loss).toHaveLength(200);
    expect(h.loss[199]).toBeLessThan(h.loss[0]);
  });
});
