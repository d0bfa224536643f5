// The same NALU training step (Adam, MSE) in TensorFlow.js, for side-by-side ratios.
// The wasm backend loads its .wasm from node_modules (no network).
import * as path from 'node:path';

type Shape = [number, number, number];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let tf: any;

/** TensorFlow.js (tfjs-core with the cpu and wasm backends) on `backend`; throws when it is not installed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function loadTfjs(backend: string): Promise<any> {
  if (!tf) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    tf = require('@tensorflow/tfjs-core');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-cpu');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-core/dist/register_all_gradients');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend '${backend}' did not initialize`);
  await tf.ready();
  return tf;
}

/** Steps/s of `reps` repetitions of ~repSeconds each; throws when TensorFlow.js is not installed. */
export async function tfjsStepsPerSecond(backend: string, [B, I, O]: Shape, reps: number, repSeconds: number): Promise<number[]> {
  await loadTfjs(backend);
  const glorot = Math.sqrt(6 / (I + O));
  const init = () => tf.variable(tf.randomUniform([I, O], -glorot, glorot));
  const wHat = init(), mHat = init(), G = init();
  const x = tf.randomUniform([B, I], -1, 1);
  const t = tf.randomUniform([B, O], -1, 1);
  const lx = tf.log(tf.add(tf.abs(x), 1e-7));
  const opt = tf.train.adam(1e-3);
  const loss = () => {
    const W = tf.mul(tf.tanh(wHat), tf.sigmoid(mHat));
    const g = tf.sigmoid(tf.matMul(x, G));
    const a = tf.matMul(x, W);
    const m = tf.exp(tf.matMul(lx, W));
    const y = tf.add(tf.mul(g, a), tf.mul(tf.sub(1, g), m));
    return tf.mean(tf.square(tf.sub(y, t)));
  };
  const step = () => {
    const l = opt.minimize(loss, true);
    l.dataSync(); // wait for the step, as a training loop reading its loss would
    l.dispose();
  };
  const rates = timeSteps(step, reps, repSeconds);
  for (const v of [wHat, mHat, G, x, t, lx]) v.dispose();
  opt.dispose();
  return rates;
}

/**
 * Steps/s of `reps` repetitions of ~repSeconds each of `step`, after one warm-up step and a
 * calibration; `cpu`, when given, gets each repetition's steps per CPU-second of the process.
 */
export function timeSteps(step: () => void, reps: number, repSeconds: number, cpu?: number[]): number[] {
  step();
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) step();
    const s = (performance.now() - t0) / 1000;
    if (s > repSeconds / 4) {
      n = Math.max(1, Math.round((n * repSeconds) / s));
      break;
    }
    n *= 4;
  }
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) step();
    rates.push(n / ((performance.now() - t0) / 1000));
    const c = process.cpuUsage(c0);
    cpu?.push(n / ((c.user + c.system) / 1e6));
  }
  return rates;
}
