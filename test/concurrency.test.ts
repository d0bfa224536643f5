// Many fits at once, fits in worker_threads, a model collected while its fit runs, and an event
// loop that stays responsive during a long fit.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { NALU, Sequential, getNumThreads, setNumThreads, tensor } from '../lib/index';
import { lastJson, runChild } from './helpers/child';

const sanitized = !!process.env.NALU_SANITIZED;

interface Trained {
  weights: number[][];
  loss: number;
  disposedIsNaluError: boolean;
}

function data(n: number, seed: number) {
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = ((i * 37 + seed) % 101) / 101;
    x[2 * i + 1] = ((i * 53 + seed) % 97) / 97;
    y[i] = x[2 * i] + x[2 * i + 1];
  }
  return { x: tensor(x, [n, 2]), y: tensor(y, [n, 1]) };
}

async function trainOne(seed: number) {
  const d = data(256, seed);
  const m = new Sequential([new NALU({ units: 1, inputDim: 2, seed })]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  const h = await m.fit(d.x, d.y, { epochs: 100, batchSize: 32, seed });
  const w = m.getWeights().map((t) => Array.from(t.data));
  m.dispose();
  return { loss: h.loss, w };
}

describe('concurrency', () => {
  it('eight models fitting at once give the results each gives alone', async () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const together = await Promise.all(seeds.map(trainOne));
    for (const [i, seed] of seeds.entries()) {
      const alone = await trainOne(seed);
      expect(together[i].loss).toEqual(alone.loss);
      expect(together[i].w).toEqual(alone.w);
    }
  });

  it('worker_threads: four workers and the main thread train identically; terminate() mid-fit returns at once', async () => {
    const r = await runChild('concurrency-child.ts', ['workers'], { timeoutMs: 50_000 });
    expect(r.signal, r.stderr.slice(-3000)).toBeNull();
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const rep = lastJson<{ main: Trained; others: Trained[]; terminateMs: number; exitCode: number; leaverCode: number; error?: string }>(r);
    expect(rep.error).toBeUndefined();
    expect(rep.others).toHaveLength(4);
    for (const o of rep.others) expect(o).toEqual(rep.main);
    // Per-environment instance data: each thread's native errors are its own NaluError class.
    expect(rep.main.disposedIsNaluError).toBe(true);
    // The running fit is stopped by the env's cleanup hook instead of being waited for.
    expect(rep.terminateMs).toBeLessThan(2000);
    expect(rep.exitCode).toBe(1);
    expect(rep.leaverCode).toBe(3);
  });

  it('unreachable models under GC pressure while their fits run: kept alive, same result, collected after', async () => {
    const r = await runChild('concurrency-child.ts', ['gc'], { nodeArgs: ['--expose-gc'], timeoutMs: 50_000 });
    expect(r.signal, r.stderr.slice(-3000)).toBeNull();
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const rep = lastJson<{ during: string[]; after: string[]; epochs: number; stopReason: string; lastLoss: number; refLoss: number; error?: string }>(r);
    expect(rep.error).toBeUndefined();
    // Unreachable models live as long as their fits (none collected before its onTrainEnd)…
    expect(rep.during).toEqual([]);
    // …and are collected once the fits end.
    expect(rep.after.sort()).toEqual(['awaited', 'dropped']);
    expect(rep.epochs).toBe(1000);
    expect(rep.stopReason).toBe('completed');
    expect(rep.lastLoss).toBe(rep.refLoss);
  });

  it.skipIf(sanitized)('the event loop delay stays under 20 ms (p99) during a 10 s fit', async () => {
    const threads = getNumThreads();
    setNumThreads(1);
    try {
      const d = data(4096, 1);
      const m = new Sequential([new NALU({ units: 1, inputDim: 2, seed: 1 })]);
      m.compile({ optimizer: 'adam', loss: 'mse' });
      // This machine's own noise (2 shared cores, often loaded): the idle loop's max delay.
      const idle = monitorEventLoopDelay({ resolution: 5 });
      idle.enable();
      await new Promise((r) => setTimeout(r, 2000));
      idle.disable();
      let epochs = 0;
      const h = monitorEventLoopDelay({ resolution: 5 });
      const stopAt = setTimeout(() => m.stopTraining(), 10_000);
      h.enable();
      const t0 = Date.now();
      const hist = await m.fit(d.x, d.y, { epochs: 1 << 30, batchSize: 4, callbacks: { onEpochEnd: () => void epochs++ } });
      h.disable();
      clearTimeout(stopAt);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(9_900);
      expect(hist.stopReason).toBe('aborted');
      expect(epochs).toBeGreaterThan(10); // epoch events were delivered to JS all along
      // p99 under 20 ms over the idle loop's own p99 (a loaded host delays an idle loop too).
      // The single worst delay is the shared machine's: a loaded 2-core box
      // shows 30–40 ms outliers with or without a fit, so it only has to stay far below what
      // a blocked loop would show (the whole 10 s fit), on top of the idle loop's own worst.
      const msg = `idle max ${idle.max / 1e6} ms, p99 ${idle.percentile(99) / 1e6} ms; during fit max ${h.max / 1e6} ms, p99 ${h.percentile(99) / 1e6} ms`;
      expect(h.percentile(99) / 1e6, msg).toBeLessThan(20 + idle.percentile(99) / 1e6);
      expect(h.max / 1e6, msg).toBeLessThan(100 + idle.max / 1e6);
      m.dispose();
    } finally {
      setNumThreads(threads);
    }
  });
});
