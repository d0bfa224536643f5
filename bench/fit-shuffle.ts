// What a shuffled fit pays at a mid-size shape: fit with and without shuffling against a loop
// of trainOnBatch on one repeated (cached) batch, side by side, through the public API.
// The data set has the 8 batches of bench/run.ts (24 MiB of rows at (1024, 256, 256)).
// Usage: npx tsx bench/fit-shuffle.ts [threads] [rounds]
import { NALU, Sequential, setNumThreads, tensor } from '../lib/index';

const [B, I, O] = [1024, 256, 256];
setNumThreads(Number(process.argv[2] ?? 1));
const rounds = Number(process.argv[3] ?? 3);
const rand = (n: number) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
const rows = B * 8;
const x = tensor(rand(rows * I), [rows, I]), y = tensor(rand(rows * O), [rows, O]);
const xb = tensor(rand(B * I), [B, I]), yb = tensor(rand(B * O), [B, O]);
const model = new Sequential([new NALU({ units: O, inputDim: I })]);
model.compile({ optimizer: 'adam', loss: 'mse' });

(async () => {
  const rate = async (f: () => Promise<unknown> | unknown, steps: number) => {
    const t0 = performance.now();
    await f();
    return steps / ((performance.now() - t0) / 1000);
  };
  for (let r = 0; r < rounds; r++) {
    const shuffled = await rate(() => model.fit(x, y, { batchSize: B, epochs: 6, seed: 1 }), 48);
    const inOrder = await rate(() => model.fit(x, y, { batchSize: B, epochs: 6, shuffle: false }), 48);
    const tob = await rate(() => { for (let i = 0; i < 48; i++) model.trainOnBatch(xb, yb); }, 48);
    console.log(`steps/s: fit shuffled ${shuffled.toFixed(1)}, fit in order ${inOrder.toFixed(1)}, trainOnBatch ${tob.toFixed(1)}`);
  }
  model.dispose();
})();
