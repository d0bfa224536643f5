// The native arithmetic-task generator, the ε-threshold simulation and a short training run.
import { describe, expect, it } from 'vitest';
import { nativeTaskSpec, parseRange, sampleTask, successThreshold, taskRegistry, type TaskInstance } from '../lib/tasks/arithmetic';
import { availableModels } from '../lib/tasks/models';
import { runArithmetic } from '../lib/tasks/run';

const staticTask = (op: 'add' | 'sub' | 'mul' | 'div' | 'square' | 'sqrt') => taskRegistry.get('static', 'task').instances(op)[0];
const single = (op: 'add' | 'sub' | 'mul', interpolation = [[1, 2]] as [number, number][], extrapolation = [[2, 6]] as [number, number][]) =>
  taskRegistry.get('single-module', 'task').instances(op, { interpolation, extrapolation })[0];

function sum(x: Float32Array, row: number, n: number, [s, e]: [number, number]) {
  let v = 0;
  for (let i = s; i < e; i++) v += x[row * n + i];
  return v;
}

describe('static task generator (Madsen & Johansen, Algorithm 1)', () => {
  it('builds a and b from two overlapping slices of 25 inputs sharing 12', () => {
    for (const seed of [0, 1, 2, 3, 17]) {
      const s = sampleTask(staticTask('add'), 'interpolation', 4, 5, seed);
      expect(s.slices.a[1] - s.slices.a[0]).toBe(25);
      expect(s.slices.b[1] - s.slices.b[0]).toBe(25);
      expect(s.slices.a[1] - s.slices.b[0]).toBe(12); // overlap floor(0.5 · 25)
      expect(s.slices.a[0]).toBeGreaterThanOrEqual(0);
      expect(s.slices.b[1]).toBeLessThanOrEqual(100);
    }
    // The offset depends on the seed.
    const offsets = new Set([0, 1, 2, 3, 4, 5, 6, 7].map((seed) => sampleTask(staticTask('add'), 'interpolation', 1, 0, seed).slices.a[0]));
    expect(offsets.size).toBeGreaterThan(1);
  });

  it('computes t = a ∘ b for every operation within the ranges', () => {
    const ops = ['add', 'sub', 'mul', 'div', 'square', 'sqrt'] as const;
    const f = { add: (a: number, b: number) => a + b, sub: (a: number, b: number) => a - b, mul: (a: number, b: number) => a * b,
      div: (a: number, b: number) => a / b, square: (a: number) => a * a, sqrt: (a: number) => Math.sqrt(a) };
    for (const op of ops)
      for (const which of ['interpolation', 'extrapolation'] as const) {
        const rows = 50;
        const s = sampleTask(staticTask(op), which, rows, 9, 3);
        const [lo, hi] = which === 'interpolation' ? [1, 2] : [2, 6];
        for (const v of s.x) {
          expect(v).toBeGreaterThanOrEqual(lo);
          expect(v).toBeLessThanOrEqual(hi);
        }
        for (let r = 0; r < rows; r++) {
          const want = f[op](sum(s.x, r, 100, s.slices.a), sum(s.x, r, 100, s.slices.b));
          expect(Math.abs(s.t[r] - want)).toBeLessThanOrEqual(1e-6 * Math.abs(want) + 1e-6);
        }
      }
  });

  it('is deterministic by seed', () => {
    const a = sampleTask(staticTask('mul'), 'interpolation', 20, 42, 7);
    const b = sampleTask(staticTask('mul'), 'interpolation', 20, 42, 7);
    const c = sampleTask(staticTask('mul'), 'interpolation', 20, 43, 7);
    expect(Buffer.from(a.x.buffer).equals(Buffer.from(b.x.buffer))).toBe(true);
    expect(Array.from(a.t)).toEqual(Array.from(b.t));
    expect(Buffer.from(a.x.buffer).equals(Buffer.from(c.x.buffer))).toBe(false);
  });

  it('draws uniformly: every column (lane) has the mean, variance and grid of U[1, 2]', () => {
    // 2000 rows × 100 inputs from the eight-lane generator; column c comes from lane c mod 8.
    const rows = 2000;
    const s = sampleTask(staticTask('add'), 'interpolation', rows, 5);
    const n = 100;
    let all = 0;
    for (let c = 0; c < n; c++) {
      let m = 0;
      let v = 0;
      for (let r = 0; r < rows; r++) m += s.x[r * n + c];
      m /= rows;
      for (let r = 0; r < rows; r++) v += (s.x[r * n + c] - m) ** 2;
      v /= rows - 1;
      // U[1, 2]: mean 1.5 (sd of the mean √(1/12/2000) ≈ 0.0065), variance 1/12 ≈ 0.0833.
      expect(Math.abs(m - 1.5), `column ${c} mean`).toBeLessThan(0.035);
      expect(Math.abs(v - 1 / 12), `column ${c} variance`).toBeLessThan(0.012);
      all += m;
    }
    expect(Math.abs(all / n - 1.5)).toBeLessThan(0.005);
    // Values lie on the 2^-24 grid of [1, 2): no duplicated lanes (adjacent columns differ).
    for (let i = 0; i < 1000; i++) expect(Number.isInteger((s.x[i] - 1) * 2 ** 24)).toBe(true);
    let same = 0;
    for (let i = 0; i + 1 < s.x.length; i++) if (s.x[i] === s.x[i + 1]) same++;
    expect(same).toBeLessThan(5);
  });

  it('samples a two-part range from both parts', () => {
    const s = sampleTask(single('mul', [[-2, 2]], [[-6, -2], [2, 6]]), 'extrapolation', 500, 1);
    expect(s.slices.a).toEqual([0, 1]);
    expect(s.slices.b).toEqual([1, 2]);
    let neg = 0;
    for (const v of s.x) {
      expect(Math.abs(v)).toBeGreaterThanOrEqual(2);
      expect(Math.abs(v)).toBeLessThanOrEqual(6);
      if (v < 0) neg++;
    }
    expect(neg).toBeGreaterThan(350);
    expect(neg).toBeLessThan(650);
  });

  it('validates its arguments', () => {
    expect(() => parseRange('[2,1]', '--extrapolation')).toThrow(/--extrapolation: expected .*lo < hi/);
    expect(parseRange('1,2', 'r')).toEqual([[1, 2]]);
    expect(parseRange('[[-6,-2],[2,6]]', 'r')).toEqual([[-6, -2], [2, 6]]);
    const bad: TaskInstance = { ...staticTask('add'), subsetRatio: 0.9 };
    expect(() => sampleTask(bad, 'interpolation', 1, 0)).toThrow(/the two subsets need/);
    expect(() => sampleTask(staticTask('add'), 'middle' as 'interpolation', 1, 0)).toThrow(RangeError);
    expect(() => nativeTaskSpec(staticTask('add'), -1)).toThrow(/seed: expected an integer/);
  });
});

describe('success threshold (ε-perturbed perfect solution)', () => {
  it('matches the closed forms of the two-input task', () => {
    // a_ε = (1−ε)x0 + εx1, b_ε = (1−ε)x1 + εx0, x ~ U[2,6]:
    // +: exact (0); −: 4ε²·E(x0−x1)² = 4ε²·8/3; ×: ≈ ε²·E(x0−x1)⁴ = ε²·4⁴/15
    const eps = 1e-5;
    expect(successThreshold(single('add'), eps, 1e5)).toBeLessThan(1e-20);
    expect(successThreshold(single('sub'), eps, 2e5)).toBeCloseTo((4 * eps * eps * 8) / 3, 11);
    expect(successThreshold(single('sub'), eps, 2e5) / ((4 * eps * eps * 8) / 3)).toBeGreaterThan(0.97);
    expect(successThreshold(single('sub'), eps, 2e5) / ((4 * eps * eps * 8) / 3)).toBeLessThan(1.03);
    const mul = successThreshold(single('mul'), eps, 2e5) / ((eps * eps * 256) / 15);
    expect(mul).toBeGreaterThan(0.95);
    expect(mul).toBeLessThan(1.05);
  });
  it('is the same for any slice offset and deterministic', () => {
    expect(successThreshold(staticTask('mul'), 1e-5, 2e4, 3)).toBe(successThreshold(staticTask('mul'), 1e-5, 2e4, 3));
    expect(() => successThreshold(staticTask('mul'), 0.7)).toThrow(/epsilon: expected a number in \[0, 0.5\]/);
  });
});

describe('runArithmetic', () => {
  it('trains, evaluates and reports the paper metrics', async () => {
    expect(availableModels()).toEqual(expect.arrayContaining(['nau-nmu', 'nalu', 'nac', 'linear', 'relu', 'relu6']));
    const evals: number[] = [];
    const { record, weights } = await runArithmetic({
      instance: single('add'), model: 'nau-nmu', seed: 1, iterations: 3000, evalEvery: 500, thresholdSamples: 1000,
      sparsityStart: 1000, sparsityEnd: 2000, onEval: (e) => evals.push(e.iteration),
    });
    expect(evals).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000]);
    expect(record.trained).toBe(3000);
    expect(record.stopReason).toBe('completed');
    expect(record.threshold).toBeLessThan(1e-12);
    expect(record.last.extrapolation).toBeLessThan(1);
    expect(weights.map((w) => w.name)).toEqual(['W']);
    // The same seed gives the same run.
    const again = await runArithmetic({ instance: single('add'), model: 'nau-nmu', seed: 1, iterations: 3000, evalEvery: 500, thresholdSamples: 1000, sparsityStart: 1000, sparsityEnd: 2000 });
    expect(again.record.last).toEqual(record.last);
  });
  it('stops on abort and refuses bad options', async () => {
    const ac = new AbortController();
    ac.abort();
    const { record } = await runArithmetic({ instance: staticTask('mul'), model: 'linear', seed: 0, iterations: 1e6, thresholdSamples: 10, signal: ac.signal });
    expect(record.stopReason).toBe('aborted');
    await expect(runArithmetic({ instance: staticTask('mul'), model: 'nope', seed: 0 })).rejects.toThrow(/model: unknown model 'nope'/);
    await expect(runArithmetic({ instance: staticTask('mul'), model: 'linear', seed: 0, iterations: -1 })).rejects.toThrow(RangeError);
  });
});
