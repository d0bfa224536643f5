// fit reports a dead unit: a layer whose every output took one value for every row of an epoch's
// last batch (an NMU whose weights collapsed outputs exactly 1), in the epoch logs and History.
import { describe, expect, it } from 'vitest';
import { Dense, NMU, SGD, Sequential, tensor, type EpochLogs } from '../lib/index';

const rows = 64;
const x = tensor(Float32Array.from({ length: rows * 2 }, (_, i) => 1 + ((i * 5) % 11) / 11), [rows, 2]);
const y = tensor(Float32Array.from({ length: rows }, (_, r) => x.data[2 * r] * x.data[2 * r + 1]), [rows, 1]);

describe('dead-unit diagnostics', () => {
  it('an NMU stuck at 1 for every row is a warning naming the layer, once in History and in each epoch’s logs', async () => {
    const m = new Sequential([new NMU({ units: 1, inputDim: 2, name: 'stuck', kernelInitializer: 'zeros', sparsityLambda: 0 })]);
    m.compile({ optimizer: new SGD({ learningRate: 0 }), loss: 'mse' });
    const logs: EpochLogs[] = [];
    const h = await m.fit(x, y, { epochs: 3, batchSize: 16, callbacks: { onEpochEnd: (_, l) => void logs.push(l) } });
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toMatch(/layer 'stuck' \(NMU\): every output was the same for every row of epoch 0's last batch/);
    for (const l of logs) expect(l.warnings).toHaveLength(1);
    m.dispose();
  });

  it('a layer that learns is not reported, nor a batch of one row', async () => {
    const m = new Sequential([new NMU({ units: 1, inputDim: 2, seed: 3 }), new Dense({ units: 1, seed: 4 })]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    expect((await m.fit(x, y, { epochs: 3, batchSize: 16 })).warnings).toEqual([]);
    const one = new Sequential([new NMU({ units: 1, inputDim: 2, kernelInitializer: 'zeros' })]);
    one.compile({ optimizer: 'sgd', loss: 'mse' });
    expect((await one.fit({ data: x.data.subarray(0, 2), shape: [1, 2] }, { data: y.data.subarray(0, 1), shape: [1, 1] }, { epochs: 2 })).warnings).toEqual([]);
    m.dispose();
    one.dispose();
  });
});
