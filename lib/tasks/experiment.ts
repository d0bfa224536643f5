// Experiments as data: a task, operations, models, seeds and the points of a parameter sweep,
// expanded into one run per point × operation × instance × model × seed, each with its settings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkNumber, checkOptions } from '../registry';
import {
  checkOverrides,
  opRegistry,
  paramOf,
  taskRegistry,
  trainingSettingLimits,
  type ArithmeticOp,
  type InstanceOverrides,
  type ParamValue,
  type TaskDefinition,
  type TaskInstance,
  type TrainingSettings,
} from './arithmetic';
import { modelRegistry } from './models';
import { runGroup } from './group';
import { resolveSettings, runKey, type RunKeyFields, type RunOptions, type RunRecord, type TaskEval } from './run';

/**
 * A point of a sweep: parameters of its task's instance (the task's schema, task.ts), and optionally
 * its own length, operations or models.
 * @category Experiments
 */
export interface GridPoint {
  /** Its task's parameters by name: inputSize, interpolation… */
  [param: string]: ParamValue | string[] | undefined;
  /** This point's steps instead of the experiment's. */
  iterations?: number;
  /** This point's operations instead of the experiment's. */
  ops?: ArithmeticOp[];
  /** This point's models instead of the experiment's. */
  models?: string[];
}

/**
 * An experiment file (experiments/*.json): a task, operations, models, seeds and an optional sweep.
 * It makes one run per grid point × operation × instance × model × seed (planRuns).
 * @category Experiments
 */
export interface Experiment {
  /** Its name (the results file is named after it). */
  name: string;
  /** One sentence for `nalu experiments`. */
  description?: string;
  /** Where its settings come from (a paper's script or table). */
  source?: string;
  /** Id of the published results to print beside ours (`nalu summary --compare`). */
  compare?: string;
  /** A name of taskRegistry. Default 'static'. */
  task: string;
  /** The operations, each run separately. */
  ops: ArithmeticOp[];
  /** Names of modelRegistry. */
  models: string[];
  /** Runs per cell: seeds firstSeed … firstSeed + seeds − 1. */
  seeds: number;
  /** Default 0. */
  firstSeed?: number;
  /** Default: the task's. */
  iterations?: number;
  /** Steps between evaluations. Default: the task's. */
  evalEvery?: number;
  /** Default: the task's. */
  batchSize?: number;
  /** As RunOptions.bestWindow. Default 5000. */
  bestWindow?: number;
  /** As RunOptions.thresholdSamples. Default 1e6. */
  thresholdSamples?: number;
  /** Settings for every model; absent ones are each model's paper settings. */
  settings?: Partial<TrainingSettings>;
  /** The sweep's points; absent: one point, the task's defaults. */
  grid?: GridPoint[];
}

/** One run of an experiment, with everything that identifies it. @category Experiments */
export interface PlannedRun {
  /** The task instance. */
  instance: TaskInstance;
  /** A name of modelRegistry. */
  model: string;
  /** The run seed. */
  seed: number;
  /** Optimizer steps. */
  iterations: number;
  /** Steps between evaluations. */
  evalEvery: number;
  /** Rows per step. */
  batchSize: number;
  /** Evaluations the best model is picked from. */
  bestWindow: number;
  /** Monte-Carlo samples of the success threshold. */
  thresholdSamples: number;
  /** The training settings, resolved (resolveSettings). */
  settings: TrainingSettings;
  /** The model's own warm-up when it was scaled to this shorter run. */
  scaledFrom?: [number, number];
}

/** The keys of a point of `task`'s experiments: its settable parameters, then iterations, ops and models. */
const pointNames = (task: TaskDefinition) => [...task.params.filter((p) => !p.fixed).map((p) => p.name), 'iterations', 'ops', 'models'];
const experimentNames = ['name', 'description', 'source', 'compare', 'task', 'ops', 'models', 'seeds', 'firstSeed', 'iterations', 'evalEvery',
  'batchSize', 'bestWindow', 'thresholdSamples', 'settings', 'grid'];

/** `s` with its control characters escaped (\n, \u001b…), so that a name from a file cannot retitle or clear a terminal. @category Experiments */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const n = c.charCodeAt(0);
    return ({ 9: '\\t', 10: '\\n', 13: '\\r' } as Record<number, string>)[n] ?? (n < 256 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16)}`);
  });
}

function checkKeys(o: Record<string, unknown>, known: string[], where: string) {
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new RangeError(`${printable(where)}.${printable(k)}: unknown key, expected one of ${known.join(', ')}`);
}

function checkNames(v: unknown, where: string, choices: string[]): string[] {
  if (!Array.isArray(v) || v.length === 0) throw new TypeError(`${where}: expected a non-empty array of names, received ${JSON.stringify(v)}`);
  for (const s of v)
    if (typeof s !== 'string' || !choices.includes(s)) throw new RangeError(`${where}: unknown value ${JSON.stringify(s)}, expected one of ${choices.join(', ')}`);
  return [...new Set(v as string[])];
}

function checkString(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new TypeError(`${where}: expected a string, received ${typeof v}`);
  return v;
}

function checkPoint(v: unknown, where: string, task: TaskDefinition): GridPoint {
  const o = checkOptions(v, where);
  checkKeys(o, pointNames(task), where);
  const { iterations, ops, models, ...params } = o;
  const p: GridPoint = checkOverrides(task, params as InstanceOverrides, `${where}.`);
  if (o.iterations !== undefined) p.iterations = checkNumber(o.iterations, `${where}.iterations`, 0, 1e12, true);
  if (o.ops !== undefined) p.ops = checkNames(o.ops, `${where}.ops`, opRegistry.names()) as ArithmeticOp[];
  if (o.models !== undefined) p.models = checkNames(o.models, `${where}.models`, modelRegistry.names());
  return p;
}

/**
 * Validates an experiment (as parsed from JSON); returns a copy.
 * @throws TypeError or RangeError naming the key as `where.key` (an unknown key, name or value).
 * @category Experiments
 */
export function checkExperiment(v: unknown, where = 'experiment'): Experiment {
  const o = checkOptions(v, where);
  checkKeys(o, experimentNames, where);
  const task = checkString(o.task ?? 'static', `${where}.task`);
  const def = taskRegistry.get(task, `${where}.task`);
  const e: Experiment = {
    name: checkString(o.name, `${where}.name`),
    task,
    ops: checkNames(o.ops, `${where}.ops`, opRegistry.names()) as ArithmeticOp[],
    models: checkNames(o.models, `${where}.models`, modelRegistry.names()),
    seeds: checkNumber(o.seeds, `${where}.seeds`, 1, 1e6, true),
  };
  for (const k of ['description', 'source', 'compare'] as const) if (o[k] !== undefined) e[k] = checkString(o[k], `${where}.${k}`);
  const ints: [keyof Experiment, number, number][] = [['firstSeed', 0, 2 ** 32 - 1e6], ['iterations', 0, 1e12], ['evalEvery', 1, 1e12],
    ['batchSize', 1, 2 ** 20], ['bestWindow', 1, 2 ** 20], ['thresholdSamples', 1, 2 ** 32]];
  for (const [k, lo, hi] of ints) if (o[k] !== undefined) (e as unknown as Record<string, number>)[k] = checkNumber(o[k], `${where}.${k}`, lo, hi, true);
  if (o.settings !== undefined) {
    const s = checkOptions(o.settings, `${where}.settings`);
    checkKeys(s, Object.keys(trainingSettingLimits), `${where}.settings`);
    e.settings = {};
    for (const k of Object.keys(s) as (keyof TrainingSettings)[]) e.settings[k] = checkNumber(s[k], `${where}.settings.${k}`, 0, trainingSettingLimits[k]);
  }
  if (o.grid !== undefined) {
    if (!Array.isArray(o.grid) || o.grid.length === 0) throw new TypeError(`${where}.grid: expected a non-empty array of points`);
    e.grid = o.grid.map((p, i) => checkPoint(p, `${where}.grid[${i}]`, def));
  }
  return e;
}

/**
 * Reads and validates an experiment file.
 * @throws RangeError starting with the file's name when it cannot be read or is not JSON; as checkExperiment.
 * @category Experiments
 */
export function readExperiment(file: string): Experiment {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > 1 << 20) throw new Error(`${st.size} bytes, expected at most 1 MiB`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new RangeError(`${file}: cannot read the experiment (${(e as Error).message})`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`${file}: not JSON (${(e as Error).message})`);
  }
  return checkExperiment(v, path.basename(file));
}

/** The folder of the experiments shipped with the package (experiments/ beside package.json). @category Experiments */
export function experimentsDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'experiments'))) return path.join(dir, 'experiments');
    if (path.dirname(dir) === dir) return path.resolve('experiments');
  }
}

/** Names of the shipped experiments. @category Experiments */
export function shippedExperiments(): string[] {
  try {
    return fs.readdirSync(experimentsDir()).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  } catch {
    return [];
  }
}

/**
 * A shipped experiment by name, or an experiment file by path (one with a slash or ending in .json).
 * @throws RangeError for a name that is neither; as readExperiment.
 * @category Experiments
 */
export function loadExperiment(nameOrFile: string): Experiment {
  if (/[/\\]|\.json$/.test(nameOrFile)) return readExperiment(nameOrFile);
  if (!shippedExperiments().includes(nameOrFile))
    throw new RangeError(`experiment '${nameOrFile}': no such file, and not a shipped experiment (${shippedExperiments().join(', ')})`);
  return readExperiment(path.join(experimentsDir(), `${nameOrFile}.json`));
}

/** The most runs one plan may hold (the largest paper experiment has 6600). @category Experiments */
export const maxRuns = 100_000;

/** How many runs an experiment makes, counted without planning them. @category Experiments */
export function countRuns(e: Experiment): number {
  const task = taskRegistry.get(e.task, 'task');
  let n = 0;
  for (const { iterations, ops, models, ...overrides } of e.grid ?? [{}])
    for (const op of ops ?? e.ops) n += task.instances(op, overrides as InstanceOverrides).length * (models ?? e.models).length * e.seeds;
  return n;
}

/**
 * The runs of an experiment, in order (point, operation, instance, model, seed). A run whose key
 * an earlier run of the plan has (a point given twice, or once with its defaults spelt out) is
 * dropped, and `warn` is told how many were.
 * @throws RangeError for more than maxRuns runs, or settings resolveSettings refuses.
 * @category Experiments
 */
export function planRuns(e: Experiment, warn?: (message: string) => void): PlannedRun[] {
  const count = countRuns(e);
  if (count > maxRuns) throw new RangeError(`seeds: ${printable(e.name)} would make ${count} runs, more than the ${maxRuns} one plan may hold; split it (--first-seed, --ops, --models)`);
  const task = taskRegistry.get(e.task, 'task');
  const d = task.defaults;
  const runs: PlannedRun[] = [];
  const keys = new Set<string>();
  let repeated = 0;
  const firstSeed = e.firstSeed ?? 0;
  for (const point of e.grid ?? [{}]) {
    const { iterations: pointIterations, ops, models, ...overrides } = point;
    const iterations = pointIterations ?? e.iterations ?? d.iterations;
    for (const op of ops ?? e.ops)
      for (const instance of task.instances(op, overrides as InstanceOverrides))
        for (const model of models ?? e.models) {
          const { settings, scaledFrom } = resolveSettings(task, model, op, e.settings ?? {}, iterations);
          for (let seed = firstSeed; seed < firstSeed + e.seeds; seed++) {
            const run: PlannedRun = {
              instance, model, seed, iterations, settings, scaledFrom,
              evalEvery: e.evalEvery ?? d.evalEvery,
              batchSize: e.batchSize ?? d.batchSize,
              bestWindow: e.bestWindow ?? 5000,
              thresholdSamples: e.thresholdSamples ?? 1e6,
            };
            const key = runKey(plannedKeyFields(run));
            if (keys.has(key)) {
              repeated++;
              continue;
            }
            keys.add(key);
            runs.push(run);
          }
        }
  }
  if (repeated) warn?.(`${printable(e.name)}: dropped ${repeated} run(s) that repeat another run of the plan (a grid point given twice, or once more with its defaults spelt out)`);
  return runs;
}

/** A planned run's options for runGroup. @internal */
export function plannedOptions(r: Omit<PlannedRun, 'scaledFrom'>): Omit<RunOptions, 'onEval' | 'signal'> {
  return {
    instance: r.instance,
    model: r.model,
    seed: r.seed,
    iterations: r.iterations,
    evalEvery: r.evalEvery,
    batchSize: r.batchSize,
    bestWindow: r.bestWindow,
    thresholdSamples: r.thresholdSamples,
    ...r.settings,
  };
}

/**
 * Trains planned runs of one group (groupPlanned) fused: nalu benchmark and sweep workers both run
 * them so, and get the records each run gets alone (runArithmetic) but their seconds.
 * @category Experiments
 */
export async function runPlannedGroup(
  runs: Omit<PlannedRun, 'scaledFrom'>[],
  signal?: AbortSignal,
  onEval?: (run: number, e: TaskEval) => void,
): Promise<RunRecord[]> {
  const outputs = await runGroup({ runs: runs.map(plannedOptions), signal, onEval });
  return outputs.map((o) => o.record);
}

/** What the runs of one fused group share: the seed, the instance's native parameters but its operation, the stream's settings. */
export function groupKey(r: Omit<PlannedRun, 'scaledFrom'>): string {
  const i = r.instance;
  const params = taskRegistry.get(i.task, 'instance.task').params.filter((p) => p.native);
  return JSON.stringify([r.seed, i.task, ...params.map((p) => paramOf(i, p.name)), r.evalEvery, r.batchSize]);
}

/**
 * Planned runs in fused groups (groupKey), in their first run's order. Split in halves, largest
 * first, while there are fewer groups than `parallel` and a group has more than one run.
 * @category Experiments
 */
export function groupPlanned<T extends Omit<PlannedRun, 'scaledFrom'>>(runs: T[], parallel = 1): T[][] {
  const byKey = new Map<string, T[]>();
  for (const r of runs) {
    const k = groupKey(r);
    const g = byKey.get(k);
    if (g) g.push(r);
    else byKey.set(k, [r]);
  }
  const groups = [...byKey.values()];
  while (groups.length < parallel) {
    let largest = 0;
    for (let i = 1; i < groups.length; i++) if (groups[i].length > groups[largest].length) largest = i;
    const g = groups[largest];
    if (!g || g.length < 2) break;
    groups.splice(largest, 1, g.slice(0, Math.ceil(g.length / 2)), g.slice(Math.ceil(g.length / 2)));
  }
  return groups;
}

/** The fields of a planned run that its run key is made of. @category Experiments */
export function plannedKeyFields(r: PlannedRun): RunKeyFields {
  return {
    ...r.instance, model: r.model, seed: r.seed, iterations: r.iterations, evalEvery: r.evalEvery, batchSize: r.batchSize, bestWindow: r.bestWindow,
    thresholdSamples: r.thresholdSamples, ...r.settings,
  };
}
