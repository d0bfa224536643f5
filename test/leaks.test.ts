// Native memory stays flat across many trainOnBatch calls and create/dispose cycles, and
// dispose() frees a model's native memory at once (not at the next GC).
import * as v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { NALU, Sequential, tensor } from '../lib/index';

const sanitized = !!process.env.NALU_SANITIZED;
const MB = 1 << 20;
const rss = () => process.memoryUsage().rss;
// V8 grows its young generation (~10 MB more resident under vitest) once its scavenge
// heuristics say so, at a point that depends on the allocation pattern; bounded, not a leak.
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0;

describe.skipIf(sanitized)('leaks', () => {
  it('RSS is flat across trainOnBatch calls (as many as fit in ~8 s, up to 10^6)', () => {
    const m = new Sequential([new NALU({ units: 1, inputDim: 2, seed: 1 })]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    const x = tensor(new Float32Array([0.5, 0.25, 0.1, 0.9]), [2, 2]);
    const y = tensor(new Float32Array([0.75, 1]), [2, 1]);
    for (let i = 0; i < 20_000; i++) m.trainOnBatch(x, y); // warm up: workspaces, JIT
    const start = rss() - newSpace();
    const t0 = Date.now();
    let calls = 0;
    let mid = 0;
    while (calls < 1_000_000 && Date.now() - t0 < 8_000) {
      for (let i = 0; i < 10_000; i++) m.trainOnBatch(x, y);
      calls += 10_000;
      if (!mid && Date.now() - t0 > 4_000) mid = rss();
    }
    const grown = rss() - newSpace() - start;
    // Scale: even 100 bytes leaked per call over the minimum 10^5 calls would be 10 MB.
    expect(calls).toBeGreaterThanOrEqual(100_000);
    expect(grown / MB, `${calls} calls`).toBeLessThan(8);
    m.dispose();
  });

  it('RSS is flat across 10^4 create/compile/train/dispose cycles', () => {
    const x = tensor(new Float32Array(64).fill(0.5), [32, 2]);
    const y = tensor(new Float32Array(32).fill(1), [32, 1]);
    const cycle = () => {
      const m = new Sequential([new NALU({ units: 1, inputDim: 2, seed: 1 })]);
      m.compile({ optimizer: 'adam', loss: 'mse' });
      m.trainOnBatch(x, y);
      m.dispose();
    };
    for (let i = 0; i < 1000; i++) cycle();
    // Without the young generation's growth, as above.
    const start = rss() - newSpace();
    for (let i = 0; i < 10_000; i++) cycle();
    expect((rss() - newSpace() - start) / MB).toBeLessThan(16);
  });

  it('dispose() returns a large model’s native memory at once', () => {
    // 1024 × 8192 NALU: 3 weights × (value, grad, 2 Adam slots) ≈ 400 MB of native memory.
    const base = rss();
    const m = new Sequential([new NALU({ units: 8192, inputDim: 1024, seed: 1 })]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    m.trainOnBatch(tensor(new Float32Array(1024).fill(0.5), [1, 1024]), tensor(new Float32Array(8192), [1, 8192]));
    const loaded = rss();
    m.dispose();
    const after = rss();
    expect((loaded - base) / MB).toBeGreaterThan(200); // it really was big
    expect((loaded - after) / MB).toBeGreaterThan(200);
  });
});
