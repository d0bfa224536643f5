// The README's first example over three layer seeds: a NALU learns y = a·b from a, b in [1, 2]
// and is asked for 30·40, 20× outside that range. The data are the README's (mulberry32, seed 1).
import { Adam, NALU, Sequential, tensor } from '../lib/index';

/** mulberry32: a seeded uniform generator in [0, 1), the README snippets' one-liner. */
const mulberry32 = (s: number) => () => {
  s = (s + 0x6d2b79f5) | 0;
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

async function main() {
  const random = mulberry32(1);
  const rows = 256;
  const x = tensor(Float32Array.from({ length: rows * 2 }, () => 1 + random()), [rows, 2]);
  const y = tensor(Float32Array.from({ length: rows }, (_, i) => x.data[2 * i] * x.data[2 * i + 1]), [rows, 1]);
  for (const seed of [1, 2, 3]) {
    const model = new Sequential([new NALU({ units: 1, inputDim: 2, seed })]);
    model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'mse' });
    const history = await model.fit(x, y, { epochs: 2000, batchSize: 64, seed: 1 });
    const p = model.predict([[30, 40]]).data[0];
    console.log(`seed ${seed}: final loss ${history.loss.at(-1)!.toExponential(1)}, 30·40 → ${p.toFixed(1)} (true 1200)`);
    model.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
