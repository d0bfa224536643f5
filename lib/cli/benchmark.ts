// nalu benchmark: runs operations × models × seeds of an arithmetic task in parallel, appends one
// JSON line per finished run (a rerun skips the runs already in the file), prints the table.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { opRegistry, parseRange, taskRegistry, type ArithmeticOp, type Range, type TaskInstance } from '../tasks/arithmetic';
import { availableModels, modelRegistry } from '../tasks/models';
import { runArithmetic, type RunRecord } from '../tasks/run';
import { UsageError, choice, flagHelp, list, num, parse, type Command, type Options } from './args';
import { Progress } from './progress';
import { printSummary, readResults } from './summary';

const options: Options = {
  task: { type: 'string' },
  ops: { type: 'string' },
  models: { type: 'string' },
  seeds: { type: 'string' },
  'first-seed': { type: 'string' },
  iterations: { type: 'string' },
  'eval-every': { type: 'string' },
  'batch-size': { type: 'string' },
  'learning-rate': { type: 'string' },
  'sparsity-lambda': { type: 'string' },
  'sparsity-start': { type: 'string' },
  'sparsity-end': { type: 'string' },
  interpolation: { type: 'string' },
  extrapolation: { type: 'string' },
  'threshold-samples': { type: 'string' },
  'best-window': { type: 'string' },
  workers: { type: 'string' },
  out: { type: 'string' },
  plot: { type: 'string' },
  preset: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** The embedded quick benchmark (`npm start`): 10–30 s on two cores (`time npm start`: 8.7 s on a Zen 5, 18.6 s on a Zen 3). */
export const quickPreset = {
  task: 'static',
  ops: 'add,sub,mul',
  models: 'nau-nmu,nalu,linear',
  seeds: '3',
  iterations: '5e4',
  'eval-every': '1000',
  // The paper's warm-up (1e6 → 2e6 of 5e6 steps) scaled to the shorter run.
  'sparsity-start': '1e4',
  'sparsity-end': '2e4',
  'threshold-samples': '1e5',
};

const presets: Record<string, Record<string, string>> = { quick: quickPreset };

function help(): string {
  return `Usage: nalu benchmark [options]

Runs the arithmetic benchmark: every operation × model × seed (× range for single-module) is one
training run on fresh batches, evaluated every --eval-every steps on fixed validation
(interpolation) and test (extrapolation) sets of 10^4 samples. A run succeeds when the test MSE
of the model picked by the lowest validation MSE among its last --best-window evaluations (5000:
the whole run, as stable-nalu's analysis) is below the MSE of the perfect solution perturbed by
ε = 1e-5 (simulated, as Madsen & Johansen 2020).
Prints success rate [Wilson 95% CI], solved at (median, mean ± t-CI) and sparsity error.

Options:
${flagHelp([
  ['--task NAME', `task: ${taskRegistry.names().join(', ')} (default static)`],
  ['--ops LIST', `operations, comma-separated: ${opRegistry.names().join(', ')} (default add,sub,mul)`],
  ['--models LIST', `models, comma-separated: ${availableModels().join(', ')} (default nau-nmu,nalu)`],
  ['--seeds N', 'seeds per operation × model (default 10)'],
  ['--first-seed S', 'first seed (default 0); seeds S … S+N−1'],
  ['--iterations N', 'optimizer steps per run (default: the task\'s, 5e6 for static, 5e4 for single-module)'],
  ['--eval-every N', 'steps between evaluations (default 1000)'],
  ['--batch-size N', 'batch size (default 128)'],
  ['--learning-rate X', 'Adam learning rate (default 1e-3)'],
  ['--sparsity-lambda X', 'NAU/NMU sparsity regularizer λ̂ (default 10)'],
  ['--sparsity-start N', 'step where its linear warm-up starts (default 1e6 static, 2e4 single-module)'],
  ['--sparsity-end N', 'step where it reaches λ̂ (default 2e6 static, 3.5e4 single-module)'],
  ['--interpolation R', 'training range, e.g. [1,2] (default: the task\'s)'],
  ['--extrapolation R', 'test range, e.g. [2,6] or [[-6,-2],[2,6]] (default: the task\'s)'],
  ['--threshold-samples N', 'Monte-Carlo samples of the success threshold (default 1e6)'],
  ['--best-window N', 'evaluations, counted from the end, the judged model is picked from (default 5000)'],
  ['--workers N', `runs in parallel, one native thread each (default ${os.availableParallelism()}, the cores)`],
  ['--out FILE', 'append one JSON line per finished run; a rerun with the same file skips those runs'],
  ['--plot FILE', 'write the success rates with their intervals as an SVG chart (Vega-Lite)'],
  ['--preset NAME', `defaults of a named configuration (explicit flags win): ${Object.keys(presets).join(', ')}`],
  ['--quiet', 'no progress bar'],
  ['-h, --help', 'this help'],
])}

Examples:
  nalu benchmark --ops add,sub,mul --models nau-nmu,nalu --seeds 10 --iterations 5e6 --out results.jsonl
  nalu benchmark --task single-module --ops mul --models nmu,nalu --seeds 5 --plot mul.svg
  nalu benchmark --preset quick        (what npm start runs)

Ctrl-C stops the running runs; finished runs are already in --out, a rerun resumes.
Exit codes: 0 done, 1 a run failed with an error, 2 bad flags, 130 interrupted.
`;
}

interface Job {
  instance: TaskInstance;
  model: string;
  seed: number;
}

/** The identity of a run in the results file: its configuration and seed. */
export function runKey(r: Pick<RunRecord, 'task' | 'op' | 'model' | 'interpolation' | 'extrapolation' | 'seed' | 'iterations' | 'evalEvery' | 'batchSize' | 'learningRate' | 'sparsityLambda' | 'sparsityStart' | 'sparsityEnd'> & { bestWindow?: number }): string {
  // Records from before bestWindow existed were judged on the last 100 evaluations.
  return JSON.stringify([r.task, r.op, r.model, r.interpolation, r.extrapolation, r.seed, r.iterations, r.evalEvery, r.batchSize, r.learningRate, r.sparsityLambda, r.sparsityStart, r.sparsityEnd, r.bestWindow ?? 100]);
}

async function run(argv: string[]): Promise<number> {
  let v = parse(argv, options);
  if (v.help) {
    process.stdout.write(help());
    return 0;
  }
  if (v.preset !== undefined) {
    const p = presets[String(v.preset)];
    if (!p) throw new UsageError(`--preset: unknown value '${v.preset}', expected one of ${Object.keys(presets).join(', ')}`);
    v = { ...p, ...v };
  }
  const task = taskRegistry.get(choice(v.task, 'task', 'static', taskRegistry), 'task');
  const ops = list(v.ops, 'ops', ['add', 'sub', 'mul'], opRegistry.names()) as ArithmeticOp[];
  const models = list(v.models, 'models', ['nau-nmu', 'nalu'], modelRegistry.names());
  for (const m of models)
    if (!availableModels().includes(m)) throw new UsageError(`--models: '${m}' needs units this build does not have yet; available: ${availableModels().join(', ')}`);
  const d = task.defaults;
  const seeds = num(v.seeds, 'seeds', 10, 1, 1e6, true);
  const firstSeed = num(v['first-seed'], 'first-seed', 0, 0, 2 ** 32 - 1e6, true);
  const iterations = num(v.iterations, 'iterations', d.iterations, 0, 1e12, true);
  const evalEvery = num(v['eval-every'], 'eval-every', d.evalEvery, 1, 1e12, true);
  const batchSize = num(v['batch-size'], 'batch-size', d.batchSize, 1, 2 ** 20, true);
  const learningRate = num(v['learning-rate'], 'learning-rate', d.learningRate, 0, 10);
  const sparsityLambda = num(v['sparsity-lambda'], 'sparsity-lambda', d.sparsityLambda, 0, 1e30);
  const sparsityStart = num(v['sparsity-start'], 'sparsity-start', d.sparsityStart, 0, 1e18);
  const sparsityEnd = num(v['sparsity-end'], 'sparsity-end', Math.max(d.sparsityEnd, sparsityStart), sparsityStart, 1e18);
  const thresholdSamples = num(v['threshold-samples'], 'threshold-samples', 1e6, 1, 2 ** 32, true);
  const bestWindow = num(v['best-window'], 'best-window', 5000, 1, 2 ** 20, true);
  const workers = num(v.workers, 'workers', os.availableParallelism(), 1, 1024, true);
  let interpolation: Range | undefined;
  let extrapolation: Range | undefined;
  try {
    if (v.interpolation !== undefined) interpolation = parseRange(String(v.interpolation), '--interpolation');
    if (v.extrapolation !== undefined) extrapolation = parseRange(String(v.extrapolation), '--extrapolation');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const out = v.out === undefined ? undefined : path.resolve(String(v.out));
  const plot = v.plot === undefined ? undefined : path.resolve(String(v.plot));
  for (const [flag, f] of [['out', out], ['plot', plot]] as const)
    if (f !== undefined && !fs.existsSync(path.dirname(f))) throw new UsageError(`--${flag}: folder ${path.dirname(f)} does not exist`);

  const config = { iterations, evalEvery, batchSize, learningRate, sparsityLambda, sparsityStart, sparsityEnd, bestWindow };
  const jobs: Job[] = [];
  for (const op of ops)
    for (const instance of task.instances(op, { interpolation, extrapolation }))
      for (const model of models) for (let s = firstSeed; s < firstSeed + seeds; s++) jobs.push({ instance, model, seed: s });
  const jobKey = (j: Job) => runKey({ ...j.instance, model: j.model, seed: j.seed, ...config });
  const wanted = new Set(jobs.map(jobKey));
  const previous = out ? readResults(out).filter((r) => wanted.has(runKey(r))) : [];
  const have = new Set(previous.map(runKey));
  const todo = jobs.filter((j) => !have.has(jobKey(j)));
  const records: RunRecord[] = [...previous];
  if (previous.length) process.stderr.write(`nalu benchmark: ${previous.length} of ${jobs.length} runs already in ${out}, ${todo.length} to go\n`);

  const progress = new Progress(todo.length * iterations, process.stderr, !v.quiet);
  const inFlight = new Map<number, number>(); // job index → iterations done
  let finished = 0;
  let failed = 0;
  let interrupted = false;
  const controller = new AbortController();
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort();
    process.stderr.write('\nnalu benchmark: interrupted; stopping the running runs (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSigint);
  const report = () => {
    let sum = finished * iterations;
    for (const it of inFlight.values()) sum += it;
    progress.update(sum, `${finished}/${todo.length} runs`);
  };
  let next = 0;
  const worker = async () => {
    while (next < todo.length && !interrupted) {
      const k = next++;
      const j = todo[k];
      inFlight.set(k, 0);
      try {
        const { record } = await runArithmetic({
          instance: j.instance,
          model: j.model,
          seed: j.seed,
          ...config,
          thresholdSamples,
          signal: controller.signal,
          onEval: (e) => {
            inFlight.set(k, e.iteration);
            report();
          },
        });
        if (record.stopReason === 'aborted') continue;
        records.push(record);
        if (out) fs.appendFileSync(out, `${JSON.stringify(record)}\n`);
        finished++;
      } catch (e) {
        failed++;
        process.stderr.write(`\nnalu benchmark: ${j.instance.op} ${j.model} seed ${j.seed} failed: ${(e as Error).message}\n`);
      } finally {
        inFlight.delete(k);
        report();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(workers, Math.max(1, todo.length)) }, worker));
  } finally {
    process.off('SIGINT', onSigint);
  }
  progress.finish(`${finished}/${todo.length} runs${interrupted ? ' (interrupted)' : ''}`);

  await printSummary(records, plot, 'nalu benchmark');
  return interrupted ? 130 : failed ? 1 : 0;
}

export const benchmarkCommand: Command = {
  name: 'benchmark',
  summary: 'run the arithmetic benchmark (operations × models × seeds) and print the table',
  help,
  run,
};
