// The task runner's sparsity error (Madsen & Johansen 2020: max over the weight matrices of
// min(|w|, |1 − |w||)) of the weights each unit actually uses: σ(Ŵ) for NAC•,σ, W_add and W_mul
// but not the gate for the gated NAU/NMU, and for every registered unit and variant those its
// table entry names.
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import type { NativeWeight } from '../binding';
import { GatedNAUNMU, NACMul, NAU, constant, type Layer } from '../lib/index';
import { build, registeredVariants } from './units/index';

/** The sparsity error the runner reports for the initial weights (0 iterations), and those weights. */
async function initialSparsity(layers: Layer[]): Promise<{ sparsity: number; weights: NativeWeight[] }> {
  const run = native.runTask({
    network: { inputDim: 4, layers: layers.map((l, i) => l.toNative(i + 1)), loss: { type: 'mse' }, optimizer: { type: 'adam' } },
    task: { name: 'arithmetic', op: 'mul', inputSize: 4, subsetRatio: 0.25, overlapRatio: 0, interpolation: [[1, 2]], extrapolation: [[2, 6]], seed: 1 },
    run: { iterations: 0, batchSize: 8, evalEvery: 1, validationSize: 16, testSize: 16, epsilon: 1e-5, thresholdSamples: 10, bestWindow: 1, seed: 1 },
  });
  const r = await run.promise;
  return { sparsity: r.last.sparsity, weights: r.weights };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const dist = (w: number) => Math.min(Math.abs(w), Math.abs(1 - Math.abs(w)));

describe('sparsity error of the task runner', () => {
  it('NAC•,σ measures σ(Ŵ), not Ŵ', async () => {
    // Ŵ = 2: σ(2) = 0.8808 is 0.1192 from 1 (Ŵ itself would be 1 from both).
    const r = await initialSparsity([new NACMul({ units: 2, weight: 'sigma', kernelInitializer: constant(2) }), new NAU({ units: 1, kernelInitializer: constant(-1) })]);
    expect(r.sparsity).toBeCloseTo(1 - sigmoid(2), 6);
  });

  it('NAC•,NMU measures W', async () => {
    const r = await initialSparsity([new NACMul({ units: 2, weight: 'nmu', kernelInitializer: constant(0.3) }), new NAU({ units: 1, kernelInitializer: constant(0) })]);
    expect(r.sparsity).toBeCloseTo(0.3, 6);
  });

  it('the gated NAU/NMU measures W_add and W_mul, not the gate G', async () => {
    const gated = (add: number, mul: number) =>
      new GatedNAUNMU({ units: 2, addInitializer: constant(add), mulInitializer: constant(mul), gateInitializer: constant(0.45) });
    const nau = new NAU({ units: 1, kernelInitializer: constant(1) });
    expect((await initialSparsity([gated(-0.1, 0.8), nau])).sparsity).toBeCloseTo(0.2, 6);
    expect((await initialSparsity([gated(-0.15, 1), nau])).sparsity).toBeCloseTo(0.15, 6);
  });

  for (const { name, ref, variant } of registeredVariants())
    it(`${name}: reports its table entry's weights (test/units/)`, async () => {
      const layer = build(ref, { units: 1, seed: 2, ...variant });
      const r = await initialSparsity([layer]);
      let want = 0;
      for (const w of ref.sparsityWeights(layer, r.weights.map((p) => p.data))) for (let i = 0; i < w.length; i++) want = Math.max(want, dist(w[i]));
      // Zero-initialized variants have nothing to measure.
      if (want > 0) expect(r.sparsity).toBeGreaterThan(0);
      expect(r.sparsity).toBeCloseTo(want, 6);
    });
});
