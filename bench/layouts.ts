// Row-major against feature-major activations in the same binary: one NALU layer through the
// raw binding, 1 native thread, `fit` (shuffled batches of a cached data set, as bench/run.ts)
// and a loop of `trainOnBatch`. Steps per CPU-second, so that other jobs on a shared machine
// count less. Usage: npx tsx bench/layouts.ts [runs]
import { native } from '../lib/binding';

type Layout = 'rowMajor' | 'featureMajor';
// [batch, in, out] and steps per measurement (about a second each).
const shapes: [[number, number, number], number][] = [
  [[128, 10, 1], 300_000],
  [[64, 100, 2], 100_000],
];
const runs = Number(process.argv[2] ?? 2);
native.setNumThreads(1);

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

async function measure([B, I, O]: [number, number, number], steps: number, mode: 'fit' | 'trainOnBatch', layout: Layout): Promise<number> {
  const batches = 64;
  const rows = mode === 'fit' ? B * batches : B;
  const x = rand(rows * I), y = rand(rows * O);
  const net = new native.NativeNetwork({ inputDim: I, layers: [{ type: 'nalu', units: O, seed: 1 }], loss: { type: 'mse' }, optimizer: { type: 'adam' }, layout });
  const c0 = process.cpuUsage();
  let done = 0;
  if (mode === 'fit') {
    const epochs = Math.ceil(steps / batches);
    await net.fit(x, y, rows, { epochs, batchSize: B, shuffle: true, seed: 1, throwOnNonFinite: false });
    done = epochs * batches;
  } else {
    for (; done < steps; done++) net.trainOnBatch(x, y, B);
  }
  const c = process.cpuUsage(c0);
  net.dispose();
  return done / ((c.user + c.system) / 1e6);
}

(async () => {
  console.log('| shape | path | row-major steps/CPU-s | feature-major steps/CPU-s |');
  console.log('| --- | --- | ---: | ---: |');
  for (const [shape, steps] of shapes)
    for (const mode of ['fit', 'trainOnBatch'] as const) {
      const got: Record<Layout, number[]> = { rowMajor: [], featureMajor: [] };
      for (let r = 0; r < runs; r++)
        for (const l of ['rowMajor', 'featureMajor'] as Layout[]) got[l].push(await measure(shape, steps, mode, l));
      const range = (v: number[]) => `${Math.round(Math.min(...v) / 1e3)}–${Math.round(Math.max(...v) / 1e3)} k`;
      console.log(`| (${shape.join(', ')}) | ${mode} | ${range(got.rowMajor)} | ${range(got.featureMajor)} |`);
    }
})();
