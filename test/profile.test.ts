// The step profile of the raw fit and task runs (the bench's "where a step's time goes"): it
// counts every step, its phases fit inside the call's time, and timing changes no number.
import { describe, expect, it } from 'vitest';
import { throws } from './helpers/errors';
import { native } from '../lib/binding';
import type { NativeFitOptions, NativeStepProfile, NativeTaskRunOptions } from '../binding';

const net = () => new native.NativeNetwork({ inputDim: 10, layers: [{ type: 'nalu', units: 2, seed: 3 }], loss: { type: 'mse' }, optimizer: { type: 'adam' } });
const data = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 1.37));
const fitOptions = (over: Partial<NativeFitOptions> = {}): NativeFitOptions => ({ epochs: 20, batchSize: 16, shuffle: true, seed: 5, throwOnNonFinite: false, ...over });
const phasesSum = (p: NativeStepProfile) => Object.values(p.phases).reduce((a, b) => a + b, 0);

function expectConsistent(p: NativeStepProfile | undefined, steps: number, used: (keyof NativeStepProfile['phases'])[]) {
  expect(p).toBeDefined();
  const q = p as NativeStepProfile;
  expect(q.steps).toBe(steps);
  for (const [name, s] of Object.entries(q.phases)) {
    expect(s, name).toBeGreaterThanOrEqual(0);
    if (used.includes(name as never)) expect(s, name).toBeGreaterThan(0);
    else expect(s, name).toBe(0);
  }
  expect(q.total).toBeGreaterThan(0);
  expect(phasesSum(q)).toBeLessThanOrEqual(q.total);
}

describe('fit profile', () => {
  it('times every step of a shuffled fit, and the numbers are those of an unprofiled fit', async () => {
    const x = data(64 * 10, 1), y = data(64 * 2, 2);
    const a = net(), b = net();
    const plain = await a.fit(x, y, 64, { ...fitOptions(), columns: true });
    const timed = await b.fit(x, y, 64, { ...fitOptions({ profile: true }), columns: true });
    expect(plain.profile).toBeUndefined();
    expectConsistent(timed.profile, 20 * 4, ['batch', 'forward', 'loss', 'backward', 'optimizer']);
    expect(Array.from(timed.loss)).toEqual(Array.from(plain.loss));
    expect(b.getWeights().map((w) => Array.from(w.data))).toEqual(a.getWeights().map((w) => Array.from(w.data)));
    a.dispose();
    b.dispose();
  });

  it('counts the steps of an epoch-object fit too', async () => {
    const m = net();
    const r = await m.fit(data(32 * 10, 3), data(32 * 2, 4), 32, fitOptions({ epochs: 3, profile: true }));
    expect(r.epochs).toHaveLength(3);
    expectConsistent(r.profile, 3 * 2, ['batch', 'forward', 'loss', 'backward', 'optimizer']);
    m.dispose();
  });

  it('refuses a profile that is not a boolean, naming it', () => {
    const m = net();
    throws(() => m.fit(data(40, 1), data(8, 2), 4, fitOptions({ profile: 1 as never })), TypeError, /^profile: expected a boolean, received 1$/);
    m.dispose();
  });
});

describe('task run profile', () => {
  const spec = (run: Partial<NativeTaskRunOptions>) => ({
    network: { inputDim: 20, layers: [{ type: 'nau', units: 2, seed: 1 }, { type: 'nmu', units: 1, seed: 2 }], loss: { type: 'mse' }, optimizer: { type: 'adam' } },
    task: { name: 'arithmetic', op: 'mul', inputSize: 20, subsetRatio: 0.25, overlapRatio: 0.5, interpolation: [[1, 2]] as [number, number][], extrapolation: [[2, 6]] as [number, number][], seed: 1 },
    run: { iterations: 300, batchSize: 32, evalEvery: 100, validationSize: 200, testSize: 200, epsilon: 1e-5, thresholdSamples: 100, bestWindow: 2, seed: 9, ...run },
  });

  it('times the fresh batches and the steps, and the run is the unprofiled one', async () => {
    const plain = await native.runTask(spec({})).promise;
    const timed = await native.runTask(spec({ profile: true })).promise;
    expect(plain.profile).toBeUndefined();
    expectConsistent(timed.profile, 300, ['draw', 'layout', 'targets', 'forward', 'loss', 'backward', 'optimizer', 'evaluation']);
    expect(timed.best).toEqual(plain.best);
    expect(timed.last).toEqual(plain.last);
    expect(timed.weights.map((w) => Array.from(w.data))).toEqual(plain.weights.map((w) => Array.from(w.data)));
  });

  it('refuses a run.profile that is not a boolean, naming it', () => {
    throws(() => native.runTask(spec({ profile: 'yes' as never })), TypeError, /^run\.profile: expected a boolean, received/);
  });
});
