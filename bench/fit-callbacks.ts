// What an awaited callback costs an epoch: fit at (128, 10, 1) with one batch an epoch (the worst
// case), without callbacks and with a no-op onEpochEnd that fit waits for, side by side.
// Usage: npx tsx bench/fit-callbacks.ts [rounds]
import { NALU, Sequential, setNumThreads, tensor } from '../lib/index';

const [B, I, O] = [128, 10, 1];
setNumThreads(1);
const rounds = Number(process.argv[2] ?? 3);
const rand = (n: number) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
const x = tensor(rand(B * I), [B, I]), y = tensor(rand(B * O), [B, O]);
const model = new Sequential([new NALU({ units: O, inputDim: I, seed: 1 })]);
model.compile({ optimizer: 'adam', loss: 'mse' });

(async () => {
  const usPerEpoch = async (epochs: number, callbacks?: { onEpochEnd: () => void }) => {
    const t0 = performance.now();
    await model.fit(x, y, { batchSize: B, epochs, seed: 1, callbacks });
    return ((performance.now() - t0) * 1000) / epochs;
  };
  for (let r = 0; r < rounds; r++) {
    const free = await usPerEpoch(100_000);
    const awaited = await usPerEpoch(20_000, { onEpochEnd: () => {} });
    console.log(`µs an epoch: no callbacks ${free.toFixed(2)}, awaited onEpochEnd ${awaited.toFixed(2)} (${(awaited / free).toFixed(1)}×)`);
  }
  model.dispose();
})();
