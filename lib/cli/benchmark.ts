// nalu benchmark: runs an experiment (points × operations × models × seeds of an arithmetic task)
// in parallel, appends one JSON line per finished run (a rerun skips those), prints the table.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { allTaskParams, opRegistry, paramFlag, parseRange, taskRegistry, type ArithmeticOp, type TaskParam } from '../tasks/arithmetic';
import { groupPlanned, loadExperiment, planRuns, plannedKeyFields, printable, runPlannedGroup, shippedExperiments, type Experiment, type GridPoint, type PlannedRun } from '../tasks/experiment';
import { availableModels, modelRegistry, sequenceModel } from '../tasks/models';
import { publishedRegistry } from '../tasks/papers';
import { runKey, type RunKeyFields, type RunRecord } from '../tasks/run';
import { sci } from '../tasks/summary';
import { UsageError, choice, flagHelp, list, num, outputFile, parseSettings, parseWithPositionals, settingHelp, settingOptions, type Command, type Options } from './args';
import { Progress } from './progress';
import { checkPlot, endCutLine, printSummary, readResults, uniqueRecords } from './summary';

/** The flags that make the experiment (experimentOf); `nalu sweep enqueue` takes them too. */
export const experimentOptions: Options = {
  task: { type: 'string' },
  ops: { type: 'string' },
  models: { type: 'string' },
  seeds: { type: 'string' },
  'first-seed': { type: 'string' },
  iterations: { type: 'string' },
  'eval-every': { type: 'string' },
  'batch-size': { type: 'string' },
  ...settingOptions,
  ...Object.fromEntries(allTaskParams().map((p) => [paramFlag(p.name), { type: 'string' as const }])),
  'threshold-samples': { type: 'string' },
  'best-window': { type: 'string' },
  preset: { type: 'string' },
};

const options: Options = {
  ...experimentOptions,
  workers: { type: 'string' },
  out: { type: 'string' },
  'no-out': { type: 'boolean' },
  plot: { type: 'string' },
  compare: { type: 'string' },
  'dry-run': { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** The sequential MNIST tasks, which `nalu sequential-mnist` runs (their data are images, their runs TS-driven). */
const imageTasks: Record<string, string> = { 'mnist-sum': 'sum', 'mnist-product': 'product' };

const tasks = () => taskRegistry.names().map((n) => taskRegistry.get(n, 'task'));

/** "(default x)" when every task's is x, "(default x, static task only)", else each task's: "(default: the task's, 100 static, 2 single-module)". */
function taskDefaults(of: (t: ReturnType<typeof tasks>[number]) => string | undefined): string {
  const given = tasks().flatMap((t) => (of(t) === undefined ? [] : [[of(t)!, t.name]]));
  if (given.length === tasks().length && given.every(([d]) => d === given[0][0])) return `(default ${given[0][0]})`;
  if (given.length === 1) return `(default ${given[0][0]}, ${given[0][1]} task only)`;
  return `(default: the task's, ${given.map(([d, name]) => `${d} ${name}`).join(', ')})`;
}

/** A task parameter's help row. */
function paramHelp(p: TaskParam): [string, string] {
  const metavar = p.type === 'range' ? 'R' : p.type === 'integer' ? 'N' : 'X';
  const defaults =
    p.type === 'range' ? "(default: the task's)" : taskDefaults((t) => (t.params.some((q) => q.name === p.name && !q.fixed) ? String(t.paramDefaults[p.name]) : undefined));
  return [`--${paramFlag(p.name)} ${metavar}`, `${p.help} ${defaults}`];
}

/** The help rows of experimentOptions. */
export const experimentHelpRows: [string, string][] = [
  ['--task NAME', `task: ${taskRegistry.names().join(', ')} (default static); ${Object.keys(imageTasks).join(', ')} run as nalu sequential-mnist, with its flags`],
  ['--ops LIST', `operations, comma-separated: ${opRegistry.names().join(', ')} ${taskDefaults((t) => t.ops.join(','))}`],
  ['--models LIST', `models, comma-separated: ${availableModels().join(', ')} ${taskDefaults((t) => t.models.join(','))}`],
  ['--seeds N', 'seeds per operation × model (default 10)'],
  ['--first-seed S', 'first seed (default 0); seeds S … S+N−1'],
  ['--iterations N', "optimizer steps per run (default: the task's, 5e6 for static, 5e4 for single-module, 2e6 for recurrent)"],
  ['--eval-every N', 'steps between evaluations (default 1000)'],
  ['--batch-size N', 'batch size (default 128)'],
  ...settingHelp,
  ...allTaskParams().map(paramHelp),
  ['--threshold-samples N', 'Monte-Carlo samples of the success threshold (default 1e6)'],
  ['--best-window N', 'evaluations, counted from the end, the judged model is picked from (default 5000)'],
  ['--preset NAME', 'the same as EXPERIMENT NAME (npm start: --preset quick)'],
];

function help(): string {
  return `Usage: nalu benchmark [EXPERIMENT] [options]

Runs the arithmetic benchmark: every point × operation × model × seed (× range for single-module)
is one training run on fresh batches, evaluated every --eval-every steps on fixed validation
(interpolation) and test (extrapolation) sets of 10^4 samples. A run succeeds when the test MSE
of the model picked by the lowest validation MSE among its last --best-window evaluations (5000:
the whole run, as stable-nalu's analysis) is below the MSE of the perfect solution perturbed by
ε (simulated, as Madsen & Johansen 2020).
Prints success rate [Wilson 95% CI], solved at (median, mean ± t-CI) and sparsity error.

EXPERIMENT is a JSON file or the name of a shipped one (${shippedExperiments().join(', ')}); flags
override its fields. Each model trains with its paper's settings (learning rate, regularizer,
clipping; see --help of a model in the README) unless a flag sets them; a model's warm-up that
would not start within --iterations is scaled to the run's length, and says so.

Options:
${flagHelp([
  ...experimentHelpRows,
  ['--workers N', `groups of runs in parallel, one native thread each (default ${os.availableParallelism()}, the cores); a group trains one seed's runs fused`],
  ['--out FILE', "append one JSON line per finished run; a rerun with the same file skips those runs (default results/NAME.jsonl in the current folder, NAME the experiment's, command-line for flags alone)"],
  ['--no-out', 'keep no results file: nothing to resume from'],
  ['--plot FILE', 'write the success rates with their intervals as an SVG chart (Vega-Lite)'],
  ['--compare ID', `print published results beside ours: ${publishedRegistry.names().join(', ')} (default: the experiment's)`],
  ['--dry-run', 'print the runs it would make (one JSON line each, with its settings) and exit'],
  ['--quiet', 'no progress bar'],
  ['-h, --help', 'this help'],
])}

Examples:
  nalu benchmark madsen2020-table1 --seeds 10 --models nau,nmu,linear --compare madsen2020
                                       (appends to results/madsen2020-table1.jsonl)
  nalu benchmark --ops add,sub,mul --models nau-nmu,nalu --seeds 10 --iterations 5e6 --out results.jsonl
  nalu benchmark --task single-module --ops mul --models nmu,nalu --seeds 5 --plot mul.svg
  nalu benchmark quick                 (what npm start runs)

Ctrl-C stops the running runs; finished runs are already in the results file, and the same
command resumes.
Exit codes: 0 done, 1 a run failed with an error, 2 bad flags, 130 interrupted.
`;
}

/** The experiment of the command line: a file or shipped name, or the flags alone; flags win. */
export function experimentOf(v: Record<string, string | boolean | undefined>, positionals: string[]): Experiment {
  if (positionals.length > 1) throw new UsageError(`expected at most one experiment, received ${positionals.join(' ')}`);
  if (positionals.length && v.preset !== undefined) throw new UsageError('--preset: give an experiment or --preset, not both');
  const named = positionals[0] ?? (v.preset as string | undefined);
  let base: Experiment;
  try {
    const task = named === undefined ? taskRegistry.get(choice(v.task, 'task', 'static', taskRegistry), 'task') : undefined;
    base = task ? { name: 'command line', task: task.name, ops: [...task.ops], models: [...task.models], seeds: 10 } : loadExperiment(named!);
  } catch (e) {
    throw new UsageError(`${positionals.length === 0 && named !== undefined ? '--preset: ' : ''}${(e as Error).message}`);
  }
  const e: Experiment = { ...base, settings: { ...base.settings } };
  if (v.task !== undefined) {
    e.task = choice(v.task, 'task', 'static', taskRegistry);
    if (e.task !== base.task) delete e.grid;
  }
  if (v.ops !== undefined) e.ops = list(v.ops, 'ops', [], opRegistry.names()) as ArithmeticOp[];
  if (v.models !== undefined) e.models = list(v.models, 'models', [], modelRegistry.names());
  const ints: [string, keyof Experiment, number, number][] = [['seeds', 'seeds', 1, 1e6], ['first-seed', 'firstSeed', 0, 2 ** 32 - 1e6],
    ['iterations', 'iterations', 0, 1e12], ['eval-every', 'evalEvery', 1, 1e12], ['batch-size', 'batchSize', 1, 2 ** 20],
    ['threshold-samples', 'thresholdSamples', 1, 2 ** 32], ['best-window', 'bestWindow', 1, 2 ** 20]];
  for (const [flag, key, lo, hi] of ints) if (v[flag] !== undefined) (e as unknown as Record<string, number>)[key] = num(v[flag], flag, 0, lo, hi, true);
  Object.assign(e.settings!, parseSettings(v));
  // A point flag replaces that parameter in every point of the sweep.
  const point: GridPoint = {};
  const task = taskRegistry.get(e.task, 'task');
  for (const p of allTaskParams()) {
    const flag = paramFlag(p.name), given = v[flag];
    if (given === undefined) continue;
    const own = task.params.find((q) => q.name === p.name);
    if (!own || own.fixed) throw new UsageError(`--${flag}: the ${task.name} task has ${own?.fixed ?? `no ${p.name}`}`);
    try {
      point[p.name] = own.type === 'range' ? parseRange(String(given), `--${flag}`) : num(given, flag, 0, own.min ?? -Infinity, own.max ?? Infinity, own.type === 'integer');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (v.iterations !== undefined) point.iterations = e.iterations;
  if (Object.keys(point).length) e.grid = (e.grid ?? [{}]).map((p) => ({ ...p, ...point }));
  // --ops and --models narrow the points that name their own; a point left with none is dropped.
  if (e.grid && (v.ops !== undefined || v.models !== undefined)) {
    const narrow = <T>(own: T[] | undefined, flag: T[], given: boolean) => (own && given ? own.filter((x) => flag.includes(x)) : own);
    e.grid = e.grid
      .map((p) => ({ ...p, ops: narrow(p.ops, e.ops, v.ops !== undefined), models: narrow(p.models, e.models, v.models !== undefined) }))
      .filter((p) => (p.ops?.length ?? 1) > 0 && (p.models?.length ?? 1) > 0);
    if (e.grid.length === 0) throw new UsageError(`--ops/--models: no point of ${printable(e.name)} runs ${[v.ops, v.models].filter(Boolean).join(' with ')}`);
  }
  const recurrent = taskRegistry.get(e.task, 'task').recurrent === true;
  for (const m of new Set([...e.models, ...(e.grid ?? []).flatMap((p) => p.models ?? [])])) {
    if (!availableModels().includes(m)) throw new UsageError(`--models: '${m}' needs units this build does not have yet; available: ${availableModels().join(', ')}`);
    if (!recurrent && sequenceModel(m)) throw new UsageError(`--models: '${m}' reads sequences: it runs on the recurrent task only (--task recurrent), not the ${e.task} task`);
  }
  return e;
}

/** results/NAME.jsonl under the current folder (created), NAME the experiment's made safe for a file name. */
function defaultResults(e: Experiment): string {
  const dir = path.resolve('results');
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UsageError(`--out: cannot create the default results folder ${dir} (${(err as NodeJS.ErrnoException).code}); give --out FILE or --no-out`);
  }
  const name = e.name.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '') || 'benchmark';
  return outputFile(path.join(dir, `${name}.jsonl`), 'out')!;
}

/** A path as the user would type it: relative to the current folder when it is inside it. */
const displayPath = (file: string) => (path.relative('.', file).startsWith('..') ? file : path.relative('.', file));

const groupSteps = (g: PlannedRun[]) => g.reduce((s, j) => s + j.iterations, 0);

/** Tells, once per model and length, where a model's warm-up was scaled to a shorter run. */
function reportScaling(runs: PlannedRun[]) {
  const seen = new Set<string>();
  for (const r of runs) {
    if (!r.scaledFrom) continue;
    const k = `${r.model} ${r.iterations} ${r.scaledFrom}`;
    if (seen.has(k)) continue;
    seen.add(k);
    process.stderr.write(
      `nalu benchmark: ${r.model}: its paper's regularizer warm-up ${sci(r.scaledFrom[0])} → ${sci(r.scaledFrom[1])} does not start within ${sci(r.iterations)} steps; ` +
        `scaled to ${sci(r.settings.sparsityStart)} → ${sci(r.settings.sparsityEnd)} (--sparsity-start/--sparsity-end set it)\n`,
    );
  }
}

/** argv without its --task flag, and the image task it names (undefined: none). */
function imageTask(argv: string[]): { operation: string; rest: string[] } | undefined {
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (flag !== '--task') continue;
    const name = inline ?? argv[i + 1];
    if (!(name in imageTasks)) return undefined;
    return { operation: imageTasks[name], rest: [...argv.slice(0, i), ...argv.slice(i + (inline === undefined ? 2 : 1))] };
  }
  return undefined;
}

async function run(argv: string[]): Promise<number> {
  const image = imageTask(argv);
  if (image) return (await import('./sequential-mnist')).sequentialMnistCommand.run(['--operation', image.operation, ...image.rest]);
  const { values: v, positionals } = parseWithPositionals(argv, options);
  if (v.help) {
    process.stdout.write(help());
    return 0;
  }
  const experiment = experimentOf(v, positionals);
  const compareId = v.compare === undefined ? experiment.compare : String(v.compare);
  if (compareId !== undefined && !publishedRegistry.has(compareId))
    throw new UsageError(`--compare: unknown value '${compareId}', expected one of ${publishedRegistry.names().join(', ')}`);
  const workers = num(v.workers, 'workers', os.availableParallelism(), 1, 1024, true);
  if (v.out !== undefined && v['no-out']) throw new UsageError('--out and --no-out: give one of them');
  const givenOut = outputFile(v.out, 'out');
  const plot = outputFile(v.plot, 'plot');
  await checkPlot(plot);
  let jobs: PlannedRun[];
  try {
    jobs = planRuns(experiment, (m) => process.stderr.write(`nalu benchmark: ${m}\n`));
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) throw new UsageError(e.message.replace(/^sparsity(Start|End)/, (m) => `--sparsity-${m.slice(8).toLowerCase()}`));
    throw e;
  }
  reportScaling(jobs);
  if (v['dry-run']) {
    for (const j of jobs) {
      const { depth, ...k } = plannedKeyFields(j) as RunKeyFields & { depth?: number };
      process.stdout.write(`${JSON.stringify(k)}\n`);
    }
    process.stdout.write(`${jobs.length} runs\n`);
    return 0;
  }

  const out = v['no-out'] ? undefined : (givenOut ?? defaultResults(experiment));
  const shown = out && displayPath(out);
  if (out && endCutLine(out))
    process.stderr.write(`nalu benchmark: ${shown} ended in a cut line; it is skipped, and the new runs start on a line of their own\n`);
  const jobKey = (j: PlannedRun) => runKey(plannedKeyFields(j));
  const wanted = new Set(jobs.map(jobKey));
  const previous = out ? uniqueRecords(readResults(out).filter((r) => wanted.has(runKey(r))), 'nalu benchmark') : [];
  const have = new Set(previous.map(runKey));
  const todo = jobs.filter((j) => !have.has(jobKey(j)));
  const records: RunRecord[] = [...previous];
  if (previous.length) process.stderr.write(`nalu benchmark: ${previous.length} of ${jobs.length} runs already in ${shown}, ${todo.length} to go\n`);
  else if (out) process.stderr.write(`nalu benchmark: appending each finished run to ${shown}; rerun to resume\n`);

  const progress = new Progress(todo.reduce((s, j) => s + j.iterations, 0), process.stderr, !v.quiet);
  const inFlight = new Map<number, number>(); // run slot → iterations done
  let slot = 0;
  let doneSteps = 0;
  let finished = 0;
  let failed = 0;
  let interrupted = false;
  const controller = new AbortController();
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort();
    process.stderr.write(`\nnalu benchmark: interrupted; stopping the running runs (Ctrl-C again to quit now)${out ? `; finished runs are in ${shown}, the same command resumes` : ''}\n`);
  };
  process.on('SIGINT', onSigint);
  const report = () => {
    let sum = doneSteps;
    for (const it of inFlight.values()) sum += it;
    progress.update(sum, `${finished}/${todo.length} runs`);
  };
  // Fused groups (one seed and instance each, a group a worker), the longest first.
  const groups = groupPlanned(todo, workers).sort((a, b) => groupSteps(b) - groupSteps(a));
  let next = 0;
  const worker = async () => {
    while (next < groups.length && !interrupted) {
      const group = groups[next++];
      const keys = group.map(() => slot++);
      for (const k of keys) inFlight.set(k, 0);
      try {
        const done = await runPlannedGroup(group, controller.signal, (i, e) => {
          inFlight.set(keys[i], e.iteration);
          report();
        });
        done.forEach((record, i) => {
          if (record.stopReason === 'aborted') return;
          records.push(record);
          if (out) fs.appendFileSync(out, `${JSON.stringify(record)}\n`);
          finished++;
          doneSteps += group[i].iterations;
        });
      } catch (e) {
        failed += group.length;
        const j = group[0];
        process.stderr.write(`\nnalu benchmark: the group of seed ${j.seed} (${group.length} runs: ${group.map((r) => `${r.instance.op} ${r.model}`).join(', ')}) failed: ${(e as Error).message}\n`);
      } finally {
        for (const k of keys) inFlight.delete(k);
        report();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(workers, Math.max(1, groups.length)) }, worker));
  } finally {
    process.off('SIGINT', onSigint);
  }
  progress.finish(`${finished}/${todo.length} runs${interrupted ? ' (interrupted)' : ''}`);

  const plotted = await printSummary(records, plot, 'nalu benchmark', compareId);
  return interrupted ? 130 : failed || !plotted ? 1 : 0;
}

export const benchmarkCommand: Command = {
  name: 'benchmark',
  summary: 'run the arithmetic benchmark (operations × models × seeds) and print the table',
  help,
  run,
};
