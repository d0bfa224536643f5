// The README's example, reproducible: a NALU learns y = a·b from a, b in [1, 2] and is asked
// for 30·40, 20× outside that range. Data from a fixed LCG; layer seeds 1, 2, 3.
import { Adam, NALU, Sequential, tensor } from '../lib/index';

async function main() {
  const rows = 256;
  let s = 12345;
  const uniform = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const x = tensor(Float32Array.from({ length: rows * 2 }, () => 1 + uniform()), [rows, 2]);
  const y = tensor(Float32Array.from({ length: rows }, (_, i) => x.data[2 * i] * x.data[2 * i + 1]), [rows, 1]);
  for (const seed of [1, 2, 3]) {
    const model = new Sequential([new NALU({ units: 1, inputDim: 2, seed })]);
    model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'mse' });
    const history = await model.fit(x, y, { epochs: 2000, batchSize: 64, seed: 1 });
    const p = model.predict([[30, 40]]).data[0];
    console.log(`seed ${seed}: final loss ${history.loss.at(-1)!.toExponential(2)}, 30·40 → ${p.toFixed(1)} (true 1200)`);
    model.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
