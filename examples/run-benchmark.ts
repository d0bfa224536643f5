// The arithmetic benchmark from code: three seeds of NAU → NAU on the static task's "+",
// then the paper's table. Run with `npx tsx examples/run-benchmark.ts`.
import { tasks } from '../lib/index';

async function main() {
  const instance = tasks.taskRegistry.get('static', 'task').instances('add')[0];
  const records = [];
  for (const seed of [0, 1, 2]) {
    const { record } = await tasks.runArithmetic({
      // The model's paper settings: NAU's regularizer λ̂ 0.01, warm-up from step 5000 to 50000.
      instance, model: 'nau-nmu', seed, iterations: 30_000, thresholdSamples: 1e5,
    });
    console.log(`seed ${seed}: ${record.success ? 'solved' : 'not solved'} (extrapolation MSE ${record.best.extrapolation.toExponential(2)}, threshold ${record.threshold.toExponential(2)})`);
    records.push(record);
  }
  console.log(tasks.formatTable(tasks.summarize(records)));
}

main();
