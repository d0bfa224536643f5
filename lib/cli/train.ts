// nalu train: one model on one arithmetic task instance, live loss on stderr, saves the model.
import { Sequential } from '../model';
import { Adam } from '../optimizers';
import { saveModel } from '../io';
import { formatRange, opRegistry, parseRange, taskRegistry, type ArithmeticOp, type Range } from '../tasks/arithmetic';
import { availableModels, modelRegistry, sequenceModel } from '../tasks/models';
import { resolveSettings, runArithmetic } from '../tasks/run';
import { sci } from '../tasks/summary';
import { UsageError, choice, flagHelp, num, outputDir, parse, parseSettings, settingHelp, settingOptions, type Command, type Options } from './args';

const options: Options = {
  task: { type: 'string' },
  op: { type: 'string' },
  model: { type: 'string' },
  seed: { type: 'string' },
  iterations: { type: 'string' },
  'eval-every': { type: 'string' },
  'batch-size': { type: 'string' },
  ...settingOptions,
  interpolation: { type: 'string' },
  extrapolation: { type: 'string' },
  save: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

function help(): string {
  return `Usage: nalu train [options]

Trains one model on one arithmetic task (fresh batches every step), prints the training loss
and the interpolation/extrapolation MSE at every evaluation, and saves the final model
(model.json + weights, loadable with loadModel).

Options:
${flagHelp([
  ['--task NAME', `task: ${taskRegistry.names().join(', ')} (default static)`],
  ['--op NAME', `operation: ${opRegistry.names().join(', ')} (default mul)`],
  ['--model NAME', `model: ${availableModels().join(', ')} (default nau-nmu)`],
  ['--seed N', 'seed of the slices, initialization and batches (default 0)'],
  ['--iterations N', 'optimizer steps (default 2e6, where the paper\'s NMU solves ×)'],
  ['--eval-every N', 'steps between evaluations (default 1000)'],
  ['--batch-size N', 'batch size (default 128)'],
  ...settingHelp,
  ['--interpolation R', 'training range (default: the task\'s; single-module: [1,2])'],
  ['--extrapolation R', 'test range (default: the task\'s; single-module: [2,6])'],
  ['--save DIR', 'where to save the model (default ./nalu-model)'],
  ['--quiet', 'no live loss'],
  ['-h, --help', 'this help'],
])}

Example:
  nalu train --op mul --model nau-nmu --save mul-model
`;
}

async function run(argv: string[]): Promise<number> {
  const v = parse(argv, options);
  if (v.help) {
    process.stdout.write(help());
    return 0;
  }
  const task = taskRegistry.get(choice(v.task, 'task', 'static', taskRegistry), 'task');
  const op = choice(v.op, 'op', 'mul', opRegistry) as ArithmeticOp;
  const model = choice(v.model, 'model', 'nau-nmu', modelRegistry);
  if (!availableModels().includes(model)) throw new UsageError(`--model: '${model}' needs units this build does not have yet; available: ${availableModels().join(', ')}`);
  if (!task.recurrent && sequenceModel(model)) throw new UsageError(`--model: '${model}' reads sequences: it runs on the recurrent task only (--task recurrent), not the ${task.name} task`);
  const seed = num(v.seed, 'seed', 0, 0, 2 ** 32, true);
  const iterations = num(v.iterations, 'iterations', 2e6, 0, 1e12, true);
  const evalEvery = num(v['eval-every'], 'eval-every', 1000, 1, 1e12, true);
  const batchSize = num(v['batch-size'], 'batch-size', 128, 1, 2 ** 20, true);
  const given = parseSettings(v);
  let interpolation: Range | undefined;
  let extrapolation: Range | undefined;
  try {
    if (v.interpolation !== undefined) interpolation = parseRange(String(v.interpolation), '--interpolation');
    if (v.extrapolation !== undefined) extrapolation = parseRange(String(v.extrapolation), '--extrapolation');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const save = outputDir(v.save === undefined ? 'nalu-model' : String(v.save), 'save');
  // single-module without ranges: the [1,2] → [2,6] row.
  const instance = task.instances(op, { interpolation: interpolation ?? (task.name === 'single-module' ? [[1, 2]] : undefined), extrapolation })[0];

  let resolved;
  try {
    resolved = resolveSettings(task, model, op, given, iterations);
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^sparsity(Start|End)/, (m) => `--sparsity-${m.slice(8).toLowerCase()}`));
  }
  const s = resolved.settings;
  const regularizer = s.sparsityLambda > 0
    ? `, regularizer λ̂ ${sci(s.sparsityLambda)} over steps ${sci(s.sparsityStart)} → ${sci(s.sparsityEnd)}${resolved.scaledFrom ? ` (the paper's ${sci(resolved.scaledFrom[0])} → ${sci(resolved.scaledFrom[1])}, scaled to this run)` : ''}`
    : '';
  const clip = `${s.clipNorm > 0 ? `, gradient norm clipped to ${s.clipNorm}` : ''}${s.clipValue > 0 ? `, gradients clipped to ±${s.clipValue}` : ''}`;
  process.stderr.write(
    `nalu train: ${model} on ${task.name} ${op}, train ${formatRange(instance.interpolation)}, test ${formatRange(instance.extrapolation)}, ${sci(iterations)} steps, seed ${seed}\n` +
      `  Adam lr ${s.learningRate}${regularizer}${clip}\n`,
  );
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const tty = Boolean(process.stderr.isTTY);
  let output;
  try {
    output = await runArithmetic({
      instance,
      model,
      seed,
      iterations,
      evalEvery,
      batchSize,
      ...s,
      signal: controller.signal,
      onEval: (e) => {
        if (v.quiet) return;
        const line = `step ${String(e.iteration).padStart(String(iterations).length)}  loss ${sci(e.trainLoss).padEnd(8)}  interpolation ${sci(e.interpolation).padEnd(8)}  extrapolation ${sci(e.extrapolation).padEnd(8)}  sparsity ${sci(e.sparsity)}`;
        process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (tty && !v.quiet) process.stderr.write('\n');
  const r = output.record;
  const m = new Sequential(output.layers);
  m.compile({ optimizer: new Adam({ learningRate: s.learningRate, epsilon: 1e-8 }), loss: 'mse' });
  m.setWeights(output.weights.map((w) => ({ data: w.data, shape: w.shape })));
  await saveModel(m, save);
  m.dispose();
  process.stdout.write(
    [
      `stopped: ${r.stopReason} after ${r.trained} steps`,
      `success threshold (ε = 1e-5): ${sci(r.threshold)}`,
      `final: interpolation ${sci(r.last.interpolation)}, extrapolation ${sci(r.last.extrapolation)}, sparsity error ${sci(r.last.sparsity)}`,
      `best (lowest interpolation in the last ${r.bestWindow} evaluations, step ${r.best.iteration}): extrapolation ${sci(r.best.extrapolation)}`,
      `solved: ${r.success ? 'yes' : 'no'}${r.solvedAt !== null ? `, first under the threshold at step ${r.solvedAt}` : ''}`,
      `saved to ${save}`,
      '',
    ].join('\n'),
  );
  return r.stopReason === 'aborted' ? 130 : 0;
}

export const trainCommand: Command = { name: 'train', summary: 'train one model on one arithmetic task and save it', help, run };
