// The project's seed, ported: the Keras NALU layer a Reddit user posted to a pastebin after the
// paper (mirrored as NALU.py in github.com/lukakostic/NeuralArithmeticLogicUnits), with its demo:
// Input(10) → NALU(1), Adam + MSE, 2000 epochs on one random 128×10 batch.
import { NALU, Sequential, tensor } from '../lib/index';

async function main() {
  const rows = 128;
  const rand = (n: number) => Float32Array.from({ length: n }, () => Math.random());
  const x = tensor(rand(rows * 10), [rows, 10]);
  const y = tensor(rand(rows), [rows, 1]);

  const model = new Sequential([new NALU({ units: 1, inputDim: 10 })]);
  model.compile({ optimizer: 'adam', loss: 'mse' });
  const t0 = performance.now();
  const history = await model.fit(x, y, { batchSize: 128, epochs: 2000 });
  const ms = performance.now() - t0;
  console.log(`seed: 2000 epochs in ${ms.toFixed(0)} ms; loss ${history.loss[0].toFixed(4)} → ${history.loss[history.loss.length - 1].toFixed(4)}`);
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
