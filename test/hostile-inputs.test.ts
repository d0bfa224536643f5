// Hostile inputs get a TypeError or RangeError naming the argument: Symbols in shapes, Proxies around
// typed arrays, getters that answer differently on each read; and a callback that throws a
// non-Error rejects fit (and a task run) with that very value.
import { describe, expect, it } from 'vitest';
import { NAU, Sequential, tasks, tensor } from '../lib/index';

function model() {
  const m = new Sequential([new NAU({ units: 1, inputDim: 2, seed: 1 })]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

describe('hostile inputs', () => {
  it('names a Symbol in a shape', () => {
    expect(() => tensor(new Float32Array(2), [1, Symbol('x') as never])).toThrow(/shape: expected non-negative integer dimensions, received \[1, a symbol\]/);
    const m = model();
    expect(() => m.predict({ data: new Float32Array(2), shape: [Symbol('x'), 2] as never })).toThrow(TypeError);
    m.dispose();
  });

  it('refuses a Proxy around a Float32Array as data', () => {
    const m = model();
    const p = new Proxy(new Float32Array(4), {});
    expect(() => m.predict({ data: p, shape: [2, 2] })).toThrow(/x\.data: expected a Float32Array/);
    expect(() => m.setWeights([{ data: new Proxy(new Float32Array(2), {}), shape: [2, 1] }])).toThrow(/setWeights\[0\].*expected a Tensor/);
    m.dispose();
  });

  it('reads data and shape once: a getter that changes its answer cannot mismatch shape and data', () => {
    const m = model();
    let reads = 0;
    const x = {
      get data() {
        return new Float32Array(reads++ === 0 ? 4 : 40);
      },
      get shape() {
        return reads > 1 ? [20, 2] : [2, 2];
      },
    };
    const y = m.predict(x as never);
    expect(y.shape).toEqual([2, 1]);
    expect(y.data).toHaveLength(2);
    // A shape array whose elements change after the check.
    let n = 0;
    const shape = new Proxy([2, 2], { get: (t, k) => (k === '1' ? (n++ < 1 ? 2 : 7) : Reflect.get(t, k)) });
    const z = m.predict({ data: new Float32Array(4), shape } as never);
    expect(z.shape).toEqual([2, 1]);
    m.dispose();
  });

  it('rejects fit with a thrown non-Error as it was thrown', async () => {
    const m = model();
    const x = tensor(new Float32Array(8), [4, 2]);
    const y = tensor(new Float32Array(4), [4, 1]);
    await expect(m.fit(x, y, { epochs: 5, callbacks: { onEpochEnd: () => { throw undefined; } } })).rejects.toBeUndefined();
    await expect(m.fit(x, y, { epochs: 5, callbacks: { onEpochEnd: () => { throw 'stop'; } } })).rejects.toBe('stop');
    m.dispose();
    const instance = tasks.taskRegistry.get('single-module', 'task').instances('add', { interpolation: [[1, 2]] })[0];
    await expect(tasks.runArithmetic({ instance, model: 'nau', seed: 1, iterations: 100, evalEvery: 10, thresholdSamples: 10, onEval: () => { throw null; } }))
      .rejects.toBeNull();
  });
});
