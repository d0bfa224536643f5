// npx tsx bench/speed-epoch.ts [B in out] (default 128 10 1)
// The fixed cost of an epoch in fit, apart from its steps: fit over E one-batch epochs against
// fit over E/64 epochs of the same batch repeated 64 times (shuffle off), so that both take the
// same steps on the same numbers; the difference a step is the epoch's own work. 1 thread,
// process CPU time, median of 5 pairs.
import { NALU, Sequential, setNumThreads, tensor } from '../lib/index';

const args = process.argv.slice(2).map(Number);
const [B, I, O] = args.length === 3 ? args : [128, 10, 1];
const STEPS = 64 * 5000;
setNumThreads(1);

let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;

/** CPU µs a step of fit with `batches` copies of one batch an epoch. */
async function microsPerStep(batches: number): Promise<number> {
  seed = 1;
  const xb = Float32Array.from({ length: B * I }, rnd), yb = Float32Array.from({ length: B * O }, rnd);
  const rows = B * batches;
  const x = new Float32Array(rows * I), y = new Float32Array(rows * O);
  for (let k = 0; k < batches; k++) {
    x.set(xb, k * B * I);
    y.set(yb, k * B * O);
  }
  const m = new Sequential([new NALU({ units: O, inputDim: I })]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  const tx = tensor(x, [rows, I]), ty = tensor(y, [rows, O]);
  await m.fit(tx, ty, { batchSize: B, epochs: Math.max(1, 6400 / batches), seed: 1, shuffle: false }); // warm-up
  const c0 = process.cpuUsage();
  await m.fit(tx, ty, { batchSize: B, epochs: STEPS / batches, seed: 1, shuffle: false });
  const c = process.cpuUsage(c0);
  m.dispose();
  return (c.user + c.system) / STEPS;
}

async function main() {
  const one: number[] = [], many: number[] = [];
  for (let k = 0; k < 5; k++) {
    one.push(await microsPerStep(1));
    many.push(await microsPerStep(64));
  }
  const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
  const step = median(many), epoch = median(one) - step;
  console.log(`(${B}, ${I}, ${O}): step ${step.toFixed(3)} µs, epoch overhead ${epoch.toFixed(3)} µs = ${((100 * epoch) / step).toFixed(1)} % of a step`);
}
void main();
