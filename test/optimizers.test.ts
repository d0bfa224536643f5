// Optimizer update rules: the native step (trainOnBatch) against a float64 re-implementation of
// the Keras rules documented in lib/optimizers.ts, fed with the gradients of computeGradients.
import { describe, expect, it } from 'vitest';
import { Adam, Dense, NAC, Optimizer, RMSprop, SGD, Sequential, tensor, type OptimizerLike } from '../lib/index';
import { maxAbs, uniform, worstMismatch } from './helpers/reference';

type Update = (w: Float64Array[], g: Float64Array[], t: number) => void;

interface Hyper {
  lr: number;
  clipNorm?: number;
  clipValue?: number;
}

/** Gradient preprocessing: scale to the global norm bound, then clip each element. */
function preprocess(g: Float64Array[], h: Hyper): { g: Float64Array[]; norm: number } {
  const norm = Math.sqrt(g.reduce((s, t) => s + t.reduce((a, v) => a + v * v, 0), 0));
  const scale = h.clipNorm !== undefined && norm > h.clipNorm ? h.clipNorm / norm : 1;
  const c = h.clipValue ?? Infinity;
  return { g: g.map((t) => t.map((v) => Math.min(c, Math.max(-c, v * scale)))), norm };
}

function sgd(h: Hyper & { momentum: number; nesterov: boolean }): Update {
  let vel: Float64Array[] | undefined;
  return (w, g) => {
    vel ??= g.map((t) => new Float64Array(t.length));
    w.forEach((wk, k) => {
      for (let i = 0; i < wk.length; i++) {
        vel![k][i] = h.momentum * vel![k][i] - h.lr * g[k][i];
        wk[i] += h.nesterov ? h.momentum * vel![k][i] - h.lr * g[k][i] : vel![k][i];
      }
    });
  };
}

function adam(h: Hyper & { beta1: number; beta2: number; epsilon: number }): Update {
  let m: Float64Array[] | undefined;
  let v: Float64Array[] | undefined;
  return (w, g, t) => {
    m ??= g.map((x) => new Float64Array(x.length));
    v ??= g.map((x) => new Float64Array(x.length));
    const lrT = (h.lr * Math.sqrt(1 - h.beta2 ** t)) / (1 - h.beta1 ** t);
    w.forEach((wk, k) => {
      for (let i = 0; i < wk.length; i++) {
        m![k][i] = h.beta1 * m![k][i] + (1 - h.beta1) * g[k][i];
        v![k][i] = h.beta2 * v![k][i] + (1 - h.beta2) * g[k][i] ** 2;
        wk[i] -= (lrT * m![k][i]) / (Math.sqrt(v![k][i]) + h.epsilon);
      }
    });
  };
}

function rmsprop(h: Hyper & { rho: number; momentum: number; epsilon: number }): Update {
  let v: Float64Array[] | undefined;
  let b: Float64Array[] | undefined;
  return (w, g) => {
    v ??= g.map((x) => new Float64Array(x.length));
    b ??= g.map((x) => new Float64Array(x.length));
    w.forEach((wk, k) => {
      for (let i = 0; i < wk.length; i++) {
        v![k][i] = h.rho * v![k][i] + (1 - h.rho) * g[k][i] ** 2;
        b![k][i] = h.momentum * b![k][i] + (h.lr * g[k][i]) / (Math.sqrt(v![k][i]) + h.epsilon);
        wk[i] -= b![k][i];
      }
    });
  };
}

const inputDim = 3;
const rows = 8;
const x = tensor(uniform(rows * inputDim, -2, 2, 1), [rows, inputDim]);
const y = tensor(uniform(rows * 2, -1, 1, 2), [rows, 2]);

/** Runs `steps` trainOnBatch calls and checks each against the reference; returns the gradient norms seen. */
function run(optimizer: OptimizerLike, hyper: Hyper, update: Update, steps = 4) {
  const model = new Sequential([new NAC({ units: 3, inputDim, seed: 1 }), new Dense({ units: 2, activation: 'tanh', seed: 2 })]);
  model.compile({ optimizer, loss: 'mse' });
  let w = model.getWeights().map((t) => Float64Array.from(t.data));
  const initial = w.map((t) => Float64Array.from(t));
  const seen: { norm: number; raw: Float64Array[] }[] = [];
  for (let t = 1; t <= steps; t++) {
    const grads = model.computeGradients(x, y);
    const raw = grads.grads.map((g) => Float64Array.from(g.data));
    const { g, norm } = preprocess(raw, hyper);
    seen.push({ norm, raw });
    const loss = model.trainOnBatch(x, y);
    // trainOnBatch reports the loss before its step, i.e. the one computeGradients saw.
    expect(loss).toBe(grads.loss);
    update(w, g, t);
    const got = model.getWeights();
    w.forEach((ref, k) => {
      const m = worstMismatch(got[k].data, ref, 1e-5, 1e-6 * Math.max(1, maxAbs(ref)));
      expect(m.excess, `step ${t}, weight ${k}[${m.index}]: native ${m.got}, reference ${m.want}`).toBeLessThanOrEqual(0);
    });
    // Continue from the native weights so float32 rounding does not accumulate in the comparison.
    w = got.map((t) => Float64Array.from(t.data));
  }
  // The weights must actually move, or the comparison above proves nothing.
  const moved = w.map((t, k) => maxAbs(t.map((v, i) => v - initial[k][i])));
  for (const m of moved) expect(m).toBeGreaterThan(1e-5);
  model.dispose();
  return seen;
}

describe('SGD', () => {
  it('plain: w −= ηg', () => {
    run(new SGD({ learningRate: 0.1 }), { lr: 0.1 }, sgd({ lr: 0.1, momentum: 0, nesterov: false }));
  });
  it("'sgd' defaults to learningRate 0.01", () => {
    run('sgd', { lr: 0.01 }, sgd({ lr: 0.01, momentum: 0, nesterov: false }));
  });
  it('momentum', () => {
    run(new SGD({ learningRate: 0.05, momentum: 0.9 }), { lr: 0.05 }, sgd({ lr: 0.05, momentum: 0.9, nesterov: false }));
  });
  it('nesterov', () => {
    run(new SGD({ learningRate: 0.05, momentum: 0.7, nesterov: true }), { lr: 0.05 }, sgd({ lr: 0.05, momentum: 0.7, nesterov: true }));
  });
});

describe('Adam', () => {
  it('defaults (η 1e-3, β1 0.9, β2 0.999, ε 1e-7)', () => {
    run('adam', { lr: 1e-3 }, adam({ lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }));
  });
  it('custom β1, β2 and a large ε (so its placement matters)', () => {
    const h = { lr: 0.05, beta1: 0.8, beta2: 0.9, epsilon: 0.05 };
    run(new Adam({ learningRate: h.lr, beta1: h.beta1, beta2: h.beta2, epsilon: h.epsilon }), h, adam(h));
  });
});

describe('RMSprop', () => {
  it('rho with a large ε', () => {
    const h = { lr: 0.01, rho: 0.7, momentum: 0, epsilon: 0.05 };
    run(new RMSprop({ learningRate: h.lr, rho: h.rho, epsilon: h.epsilon }), h, rmsprop(h));
  });
  it('momentum', () => {
    const h = { lr: 0.01, rho: 0.8, momentum: 0.5, epsilon: 1e-7 };
    run(new RMSprop({ learningRate: h.lr, rho: h.rho, momentum: h.momentum, epsilon: h.epsilon }), h, rmsprop(h));
  });
});

describe('gradient clipping', () => {
  it('clipNorm scales every gradient by clipNorm / global norm', () => {
    const h = { lr: 0.1, clipNorm: 0.05 };
    const seen = run(new SGD({ learningRate: h.lr, clipNorm: h.clipNorm }), h, sgd({ ...h, momentum: 0, nesterov: false }));
    // The bound was active at every step (else this would test nothing).
    for (const s of seen) expect(s.norm).toBeGreaterThan(h.clipNorm);
  });
  it('clipNorm above the norm leaves gradients alone', () => {
    const h = { lr: 0.1, clipNorm: 1e6 };
    run(new SGD({ learningRate: h.lr, clipNorm: h.clipNorm }), h, sgd({ ...h, momentum: 0, nesterov: false }));
  });
  it('clipValue clips each element', () => {
    const h = { lr: 0.1, clipValue: 0.02 };
    const seen = run(new SGD({ learningRate: h.lr, momentum: 0.5, clipValue: h.clipValue }), h, sgd({ ...h, momentum: 0.5, nesterov: false }));
    const all = seen.flatMap((s) => s.raw.flatMap((t) => Array.from(t)));
    expect(all.some((v) => Math.abs(v) > h.clipValue)).toBe(true);
    expect(all.some((v) => Math.abs(v) < h.clipValue)).toBe(true);
  });
  it('clipValue with Adam and RMSprop', () => {
    const ha = { lr: 0.02, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, clipValue: 0.02 };
    run(new Adam({ learningRate: ha.lr, clipValue: ha.clipValue }), ha, adam(ha));
    const hr = { lr: 0.02, rho: 0.9, momentum: 0, epsilon: 1e-7, clipValue: 0.02 };
    run(new RMSprop({ learningRate: hr.lr, clipValue: hr.clipValue }), hr, rmsprop(hr));
  });
  it('clipNorm then clipValue', () => {
    const h = { lr: 0.1, clipNorm: 0.2, clipValue: 0.03 };
    const seen = run(new SGD({ learningRate: h.lr, clipNorm: h.clipNorm, clipValue: h.clipValue }), h, sgd({ ...h, momentum: 0, nesterov: false }));
    for (const s of seen) {
      expect(s.norm).toBeGreaterThan(h.clipNorm);
      // Some elements still exceed clipValue after the norm scaling, so both act.
      const scaled = s.raw.flatMap((t) => Array.from(t, (v) => (v * h.clipNorm) / s.norm));
      expect(scaled.some((v) => Math.abs(v) > h.clipValue)).toBe(true);
    }
  });
});

describe('config', () => {
  it('getConfig / serialize round-trip every optimizer', () => {
    const opts: Optimizer[] = [
      new SGD({ learningRate: 0.2, momentum: 0.3, nesterov: true, clipNorm: 1 }),
      new Adam({ learningRate: 0.01, beta1: 0.5, beta2: 0.6, epsilon: 1e-3, clipValue: 2 }),
      new RMSprop({ learningRate: 0.03, rho: 0.4, momentum: 0.2, epsilon: 1e-4 }),
    ];
    for (const o of opts) {
      const s = o.serialize();
      const C = o.constructor as new (c: unknown) => Optimizer;
      const back = new C(JSON.parse(JSON.stringify(s.config)));
      expect(back.getConfig()).toEqual(o.getConfig());
      expect(back.toNative()).toEqual(o.toNative());
    }
  });
});
