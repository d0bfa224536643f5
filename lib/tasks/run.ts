// One training run of a model on an arithmetic task instance, natively on a thread of its own
// (one native thread, off libuv's pool), with an evaluation callback and AbortSignal support.
import type { NativeTaskEval, NativeTaskRunResult, NativeWeight } from '../../binding';
import { native } from '../binding';
import type { Layer } from '../layers/layer';
import { refuseUnknown } from '../options';
import { checkNumber, checkOptions } from '../registry';
import { Adam, type Optimizer } from '../optimizers';
import { checkRange, nativeTaskSpec, opRegistry, taskRegistry, trainingSettingNames, trainingSettingLimits, type ArithmeticOp, type TaskDefinition, type TaskInstance, type TrainingSettings } from './arithmetic';
import { buildModel, modelRegistry, modelSettings } from './models';

/**
 * One evaluation of a run: iteration, trainLoss (mean since the previous evaluation), the interpolation and
 * extrapolation MSE, and sparsity (max min(|w|, |1 − |w||) over the weights).
 * @category Runs
 */
export type TaskEval = NativeTaskEval;

/** `learningRate` … `l1End` (TrainingSettings) override the model's paper settings (models.ts) when
 * given. A model's own warm-up that would not start within `iterations` is scaled to the run's
 * length; a given one is refused.
 * @category Runs
 */
export interface RunOptions extends Partial<TrainingSettings> {
  /** The task instance to train on. */
  instance: TaskInstance;
  /** A name of modelRegistry. */
  model: string;
  /** Seed of the run: the slices, the data and the initial weights. */
  seed: number;
  /** Optimizer steps. Default: the task's (static 5·10⁶, single-module 5·10⁴). */
  iterations?: number;
  /** Steps between evaluations. Default: the task's (1000). */
  evalEvery?: number;
  /** Default: the task's (128). */
  batchSize?: number;
  /** ε of the success threshold. Default 1e-5. */
  epsilon?: number;
  /** Monte-Carlo samples of the threshold. Default 1e6. */
  thresholdSamples?: number;
  /** Size of the fixed validation (interpolation) and test (extrapolation) sets. Default 1e4. */
  evalSize?: number;
  /**
   * Evaluations the best model is picked from (lowest interpolation MSE), counted back from the
   * end. Default 5000, stable-nalu's `best.range` (export/function_task_static.r): for 5·10⁶ steps
   * evaluated every 1000 that is the whole run but step 0.
   */
  bestWindow?: number;
  /** Called with every evaluation; an error it throws stops the run and rejects with it. */
  onEval?: (e: TaskEval) => void;
  /** Aborting stops the run after the current step; it resolves with stopReason 'aborted'. */
  signal?: AbortSignal;
}

/** One finished run: a line of the results file, with every setting that produced it. @category Runs */
export interface RunRecord extends TrainingSettings, Omit<TaskInstance, 'depth'> {
  /** A name of modelRegistry. */
  model: string;
  /** Seed of the run: the slices, the data and the initial weights. */
  seed: number;
  /** Optimizer steps asked for. */
  iterations: number;
  /** Steps between evaluations. */
  evalEvery: number;
  /** Rows per step. */
  batchSize: number;
  /** Evaluations the best model was picked from (records written before this field existed: 100). */
  bestWindow: number;
  /** Monte-Carlo samples of the threshold (records written before this field existed: 1e6). */
  thresholdSamples: number;
  /** The iterations actually trained (less when stopped early). */
  trained: number;
  /** The success threshold (successThreshold). */
  threshold: number;
  /** Whether an evaluation reached extrapolation MSE < threshold. */
  success: boolean;
  /** First evaluation with extrapolation MSE < threshold (null: never). */
  solvedAt: number | null;
  /** The model picked by the lowest interpolation MSE among the last `bestWindow` evaluations. */
  best: TaskEval;
  /** The last evaluation. */
  last: TaskEval;
  /** Why it ended ('nonFinite': the loss or a weight went non-finite). */
  stopReason: 'completed' | 'aborted' | 'nonFinite';
  /** Wall time of the run. */
  seconds: number;
}

/** A finished run: its record, its layers and their trained weights. @category Runs */
export interface RunOutput {
  /** The record. */
  record: RunRecord;
  /** The layers it trained. */
  layers: Layer[];
  /** The trained weights, each {name, shape, data}, in layer order. */
  weights: NativeWeight[];
}

/** The settings of a run and whether its warm-up was scaled. @category Runs */
export interface ResolvedSettings {
  /** The settings it trains with. */
  settings: TrainingSettings;
  /** The model's own warm-up, when it would not have started in this run shorter than its paper's and was scaled to it. */
  scaledFrom?: [number, number];
}

/**
 * The settings a run of `model` on `task` trains with: the paper's for that model, each replaced by
 * `given` when present. Models without a sparsity regularizer keep λ̂ = 0, those without an NPU no L1.
 * @category Runs
 */
export function resolveSettings(task: TaskDefinition, model: string, op: ArithmeticOp, given: Partial<TrainingSettings>, iterations: number): ResolvedSettings {
  const s = modelSettings(model, task, op);
  const regularized = s.sparsityLambda > 0;
  const penalized = s.l1Start > 0;
  for (const k of trainingSettingNames) {
    if (given[k] === undefined) continue;
    const v = checkNumber(given[k], k, 0, trainingSettingLimits[k]);
    if (k.startsWith('sparsity') ? regularized : k.startsWith('l1') ? penalized : true) s[k] = v;
  }
  if (!(s.sparsityLambda > 0)) return { settings: s };
  if (s.sparsityEnd < s.sparsityStart)
    throw new RangeError(`sparsityEnd: expected a number >= sparsityStart (${s.sparsityStart}), received ${s.sparsityEnd}`);
  const givenSchedule = given.sparsityStart !== undefined || given.sparsityEnd !== undefined;
  if (givenSchedule) {
    if (iterations > 0 && s.sparsityStart >= iterations)
      throw new RangeError(`sparsityStart: ${s.sparsityStart} is not before iterations (${iterations}): the regularizer would never switch on`);
    return { settings: s };
  }
  const paper = task.defaults.iterations;
  if (s.sparsityStart < iterations || iterations >= paper) return { settings: s };
  // The same fractions of a shorter run as of the paper's.
  const f = iterations / paper;
  const scaledFrom: [number, number] = [s.sparsityStart, s.sparsityEnd];
  return { settings: { ...s, sparsityStart: Math.round(s.sparsityStart * f), sparsityEnd: Math.round(s.sparsityEnd * f) }, scaledFrom };
}

/** What identifies a run; the optional fields are those older records may lack. @category Runs */
export type RunKeyFields = Pick<RunRecord, 'task' | 'op' | 'model' | 'interpolation' | 'extrapolation' | 'seed' | 'iterations' | 'evalEvery' | 'batchSize'> &
  Pick<TrainingSettings, 'learningRate' | 'sparsityLambda' | 'sparsityStart' | 'sparsityEnd'> &
  Partial<Pick<RunRecord, 'inputSize' | 'subsetRatio' | 'overlapRatio' | 'hiddenSize' | 'bestWindow' | 'thresholdSamples'> & TrainingSettings>;

/** Monte-Carlo samples of the threshold when not given. */
const defaultThresholdSamples = 1e6;

/** The identity of a run in a results file: every setting that changes its record, and the seed. @category Runs */
export function runKey(r: RunKeyFields): string {
  // Records from before a field existed ran with its default (bestWindow: the last 100 evaluations).
  const d = taskRegistry.has(r.task) ? taskRegistry.get(r.task, 'task').instances(r.op)[0] : undefined;
  const samples = r.thresholdSamples ?? defaultThresholdSamples;
  return JSON.stringify([
    r.task, r.op, r.model, r.interpolation, r.extrapolation, r.inputSize ?? d?.inputSize, r.subsetRatio ?? d?.subsetRatio,
    r.overlapRatio ?? d?.overlapRatio, r.hiddenSize ?? d?.hiddenSize, r.seed, r.iterations, r.evalEvery, r.batchSize,
    ...trainingSettingNames.map((k) => r[k] ?? 0), r.bestWindow ?? 100,
    // Only when not the default, so that the keys (and job ids) of runs recorded before stay as they were.
    ...(samples === defaultThresholdSamples ? [] : [{ thresholdSamples: samples }]),
  ]);
}

const show = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? JSON.stringify(v.slice(0, 60)) : typeof v === 'object' ? 'an object' : String(v));

/**
 * Why `v` is not a run record that a table, a run key or a sweep may use (undefined: it is one).
 * Fields that records written before they existed lack may be absent.
 * @category Runs
 */
export function recordError(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return `expected a run record (an object), received ${show(v)}`;
  const r = v as Record<string, unknown>;
  if (typeof r.task !== 'string' || !taskRegistry.has(r.task)) return `task: expected one of ${taskRegistry.names().join(', ')}, received ${show(r.task)}`;
  if (typeof r.op !== 'string' || !opRegistry.has(r.op)) return `op: expected one of ${opRegistry.names().join(', ')}, received ${show(r.op)}`;
  // Any model name this or another version may have, but nothing that would garble a table or a terminal.
  if (typeof r.model !== 'string' || !/^[A-Za-z0-9_.+-]{1,64}$/.test(r.model)) return `model: expected a model's name, received ${show(r.model)}`;
  for (const k of ['interpolation', 'extrapolation'] as const) {
    try {
      checkRange(r[k], k);
    } catch (e) {
      return (e as Error).message;
    }
  }
  const int = (k: string, lo: number, hi: number, optional = false) =>
    (optional && r[k] === undefined) || (Number.isInteger(r[k]) && (r[k] as number) >= lo && (r[k] as number) <= hi)
      ? undefined
      : `${k}: expected an integer in [${lo}, ${hi}], received ${show(r[k])}`;
  const iterations = typeof r.iterations === 'number' ? r.iterations : 0;
  const num = (k: string, lo: number, hi: number, optional = false) =>
    (optional && r[k] === undefined) || (typeof r[k] === 'number' && (r[k] as number) >= lo && (r[k] as number) <= hi)
      ? undefined
      : `${k}: expected a number in [${lo}, ${hi}], received ${show(r[k])}`;
  const bad =
    int('seed', 0, 2 ** 32) ?? int('iterations', 0, 1e12) ?? int('evalEvery', 1, 1e12) ?? int('batchSize', 1, 2 ** 20) ??
    int('trained', 0, iterations, true) ?? int('bestWindow', 1, 2 ** 20, true) ?? int('thresholdSamples', 1, 2 ** 32, true) ??
    int('inputSize', 1, 1 << 20, true) ?? int('hiddenSize', 0, 1 << 16, true) ?? num('subsetRatio', 0, 1, true) ?? num('overlapRatio', 0, 1, true) ??
    trainingSettingNames.map((k) => num(k, 0, trainingSettingLimits[k], true)).find(Boolean) ?? num('threshold', 0, Infinity) ?? num('seconds', 0, Infinity, true);
  if (bad) return bad;
  if (typeof r.success !== 'boolean') return `success: expected true or false, received ${show(r.success)}`;
  if (r.solvedAt !== null && int('solvedAt', 0, iterations)) return `solvedAt: expected null or a step in [0, ${iterations}], received ${show(r.solvedAt)}`;
  if (r.stopReason !== 'completed' && r.stopReason !== 'aborted' && r.stopReason !== 'nonFinite')
    return `stopReason: expected 'completed', 'aborted' or 'nonFinite', received ${show(r.stopReason)}`;
  for (const k of ['best', 'last'] as const) {
    const e = r[k] as Record<string, unknown> | null;
    if (e === null || typeof e !== 'object' || Array.isArray(e)) return `${k}: expected an evaluation (an object), received ${show(e)}`;
    if (!Number.isInteger(e.iteration)) return `${k}.iteration: expected an integer, received ${show(e.iteration)}`;
    // A non-finite loss or MSE is written as null (JSON has no NaN); the table reads best.sparsity.
    for (const f of ['trainLoss', 'interpolation', 'extrapolation', 'sparsity'])
      if (typeof e[f] !== 'number' && (e[f] !== null || (k === 'best' && f === 'sparsity'))) return `${k}.${f}: expected a number, received ${show(e[f])}`;
  }
  return undefined;
}

/** An instance's fields as a record holds them (depth follows from the task), in the file's order. */
function instanceFields(i: TaskInstance): Omit<TaskInstance, 'depth'> {
  return {
    task: i.task, op: i.op, interpolation: i.interpolation, extrapolation: i.extrapolation,
    inputSize: i.inputSize, subsetRatio: i.subsetRatio, overlapRatio: i.overlapRatio, hiddenSize: i.hiddenSize,
  };
}

/** Layer seeds derived from the run seed (so seeds 0…n−1 give independent initializations). */
function layerSeeds(seed: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (seed * 7919 + i * 104729 + 1) % Number.MAX_SAFE_INTEGER);
}

/** RunOptions' own keys (the training settings are the others). */
const runKeys = ['instance', 'model', 'seed', 'iterations', 'evalEvery', 'batchSize', 'epsilon', 'thresholdSamples', 'evalSize', 'bestWindow', 'onEval', 'signal'];

/**
 * Trains `model` on a fresh batch every step and reports the paper's metrics.
 * @throws (rejects) TypeError or RangeError naming a bad option (an unknown one too); an error onEval threw.
 * @category Runs
 */
export async function runArithmetic(options: RunOptions): Promise<RunOutput> {
  const raw = checkOptions(options, 'runArithmetic options');
  refuseUnknown(raw, [...runKeys, ...trainingSettingNames], 'runArithmetic');
  const o = raw as unknown as RunOptions;
  const inst = o.instance;
  if (inst === null || typeof inst !== 'object') throw new TypeError(`instance: expected a task instance, received ${typeof inst}`);
  const def = taskRegistry.get(inst.task, 'instance.task');
  modelRegistry.get(o.model, 'model');
  const seed = checkNumber(o.seed, 'seed', 0, 2 ** 32, true);
  const d = def.defaults;
  const iterations = checkNumber(o.iterations ?? d.iterations, 'iterations', 0, 1e12, true);
  const evalEvery = checkNumber(o.evalEvery ?? d.evalEvery, 'evalEvery', 1, 1e12, true);
  const batchSize = checkNumber(o.batchSize ?? d.batchSize, 'batchSize', 1, 2 ** 20, true);
  const { settings } = resolveSettings(def, o.model, inst.op, o, iterations);
  const { learningRate, clipNorm, clipValue } = settings;
  const epsilon = checkNumber(o.epsilon ?? 1e-5, 'epsilon', 0, 0.5);
  const thresholdSamples = checkNumber(o.thresholdSamples ?? 1e6, 'thresholdSamples', 1, 2 ** 32, true);
  const evalSize = checkNumber(o.evalSize ?? 1e4, 'evalSize', 1, 2 ** 24, true);
  const bestWindow = checkNumber(o.bestWindow ?? 5000, 'bestWindow', 1, 2 ** 20, true);
  if (o.onEval !== undefined && typeof o.onEval !== 'function') throw new TypeError(`onEval: expected a function, received ${typeof o.onEval}`);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new TypeError('signal: expected an AbortSignal');

  const seeds = layerSeeds(seed, 2);
  const layers = buildModel(o.model, { ...inst, ...settings }, seeds);
  // The reference's optimizer: PyTorch Adam (ε 1e-8), plain MSE, clipping where its paper clipped.
  const optimizer: Optimizer = new Adam({ learningRate, epsilon: 1e-8, ...(clipNorm > 0 ? { clipNorm } : {}), ...(clipValue > 0 ? { clipValue } : {}) });
  const network = {
    inputDim: inst.inputSize,
    layers: layers.map((l, i) => l.toNative(seeds[i])),
    loss: { type: 'mse' },
    optimizer: optimizer.toNative(),
  };
  const started = Date.now();
  // A box, so that a thrown undefined (or any non-Error) is kept and rethrown as it was.
  let callbackError: { value: unknown } | undefined;
  const handle = native.runArithmeticTask(
    {
      network,
      task: nativeTaskSpec(inst, seed),
      run: { iterations, batchSize, evalEvery, validationSize: evalSize, testSize: evalSize, epsilon, thresholdSamples, bestWindow, seed },
    },
    o.onEval
      ? (e) => {
          try {
            o.onEval!(e);
          } catch (err) {
            callbackError ??= { value: err };
            handle.stop();
          }
        }
      : undefined,
  );
  const onAbort = () => handle.stop();
  if (o.signal?.aborted) handle.stop();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let r: NativeTaskRunResult;
  try {
    r = await handle.promise;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (callbackError !== undefined) throw callbackError.value;
  const record: RunRecord = {
    ...instanceFields(inst),
    model: o.model,
    seed,
    iterations,
    evalEvery,
    batchSize,
    ...settings,
    bestWindow,
    thresholdSamples,
    trained: r.iterations,
    threshold: r.threshold,
    success: r.success,
    solvedAt: r.solvedAt,
    best: r.best,
    last: r.last,
    stopReason: r.stopReason,
    seconds: (Date.now() - started) / 1000,
  };
  return { record, layers, weights: r.weights };
}
