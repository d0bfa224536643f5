// One training run of a model on an arithmetic task instance, natively on a thread of its own
// (one native thread, off libuv's pool), with an evaluation callback and AbortSignal support.
import * as os from 'node:os';
import type { NativeNetworkSpec, NativeTaskEval, NativeTaskRunOptions, NativeTaskRunResult, NativeTaskSpec, NativeWeight } from '../../binding';
import { native } from '../binding';
import type { Layer } from '../layers/layer';
import type { Formula } from '../explain';
import { refuseUnknown } from '../options';
import { checkNumber, checkOptions } from '../registry';
import { Sequential } from '../model';
import { Adam, type Optimizer } from '../optimizers';
import { checkParam, nativeTaskSpec, opRegistry, paramOf, taskRegistry, trainingSettingNames, trainingSettingLimits, type ArithmeticOp, type TaskDefinition, type TaskInstance, type TrainingSettings } from './arithmetic';
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
  /** Rows of the fixed validation (interpolation) and test (extrapolation) sets. Default: the task's (1e4; recurrent 1000). */
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
export interface RunRecord extends TrainingSettings, Omit<TaskInstance, 'depth' | 'recurrent'> {
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
  /** Rows of the validation and test sets; absent: 1e4. */
  evalSize?: number;
  /** The iterations actually trained (less when stopped early). */
  trained: number;
  /** The success threshold (successThreshold). */
  threshold: number;
  /** Whether an evaluation reached extrapolation MSE < threshold. */
  success: boolean;
  /** First evaluation with extrapolation MSE < threshold (null: never). */
  solvedAt: number | null;
  /**
   * The model picked by the lowest interpolation MSE among the last `bestWindow` evaluations of the
   * run's whole grid (of a run stopped early, those it reached; none finite: the last evaluation).
   */
  best: TaskEval;
  /** The last evaluation. */
  last: TaskEval;
  /**
   * The best model's formula, inputs x0, x1, …: the text of model.explain's simplest exact candidate
   * (true to the model and the targets to 1e-3), else of its simplest candidate true to the targets
   * to 1e-6 (the model a little short of it), else of its reading at the default tolerance.
   * Records written before this field existed, or whose best weights are not finite, lack it.
   */
  formula?: string;
  /**
   * Whether `formula` names exactly the run's two slices with its operation, op(Σa, Σb): it
   * matches the task's targets to 1e-6 relative on samples of both ranges (absent with `formula`).
   */
  formulaExact?: boolean;
  /** Why it ended ('nonFinite': the loss or a weight went non-finite). */
  stopReason: 'completed' | 'aborted' | 'nonFinite';
  /** Wall time of the run (of a fused run: its group's, divided by the group's runs). */
  seconds: number;
  /** The CPU model that ran it (records written before this field existed lack it). */
  cpu?: string;
  /** The instruction set of the native kernels it ran: 'avx512', 'avx2' or 'baseline' (see `native.isa`). */
  isa?: string;
  /** Native threads it trained with. */
  threads?: number;
}

/** A finished run: its record, its layers and their trained weights. @category Runs */
export interface RunOutput {
  /** The record. */
  record: RunRecord;
  /** The layers it trained. */
  layers: Layer[];
  /** The trained weights, each {name, shape, data}, in layer order. */
  weights: NativeWeight[];
  /** The weights of the best model (record.best), as `weights`. */
  bestWeights: NativeWeight[];
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
  Partial<Pick<RunRecord, 'inputSize' | 'subsetRatio' | 'overlapRatio' | 'hiddenSize' | 'bestWindow' | 'thresholdSamples' | 'evalSize'> & TrainingSettings>;

/** Monte-Carlo samples of the threshold when not given. */
const defaultThresholdSamples = 1e6;
/** Rows of the evaluation sets of a record that does not say. */
const defaultEvalSize = 1e4;

/** The identity of a run in a results file: every setting that changes its record, and the seed. @category Runs */
export function runKey(r: RunKeyFields): string {
  // Records from before a field existed ran with its default (bestWindow: the last 100 evaluations).
  const task = taskRegistry.has(r.task) ? taskRegistry.get(r.task, 'task') : undefined;
  const d = task?.instances(r.op)[0];
  const samples = r.thresholdSamples ?? defaultThresholdSamples;
  return JSON.stringify([
    r.task, r.op, r.model, ...(task?.params ?? []).filter((p) => p.runKey).map((p) => paramOf(r, p.name) ?? (d && paramOf(d, p.name))),
    r.seed, r.iterations, r.evalEvery, r.batchSize, ...trainingSettingNames.map((k) => r[k] ?? 0), r.bestWindow ?? 100,
    // Only when not the default, so that the keys (and job ids) of runs recorded before stay as they were.
    ...(samples === defaultThresholdSamples ? [] : [{ thresholdSamples: samples }]),
    ...((r.evalSize ?? defaultEvalSize) === defaultEvalSize ? [] : [{ evalSize: r.evalSize }]),
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
  // Its task's parameters; records written before one existed lack it (the ranges were always written).
  for (const p of taskRegistry.get(r.task, 'task').params) {
    if (r[p.name] === undefined && p.type !== 'range') continue;
    try {
      checkParam(p, r[p.name], p.name);
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
    int('trained', 0, iterations, true) ?? int('bestWindow', 1, 2 ** 20, true) ?? int('thresholdSamples', 1, 2 ** 32, true) ?? int('evalSize', 1, 2 ** 24, true) ??
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
  if (r.formula !== undefined || r.formulaExact !== undefined) {
    if (typeof r.formula !== 'string' || r.formula.length > 1 << 16) return `formula: expected a formula's text, received ${show(r.formula)}`;
    if (typeof r.formulaExact !== 'boolean') return `formulaExact: expected true or false beside formula, received ${show(r.formulaExact)}`;
  }
  return undefined;
}

/** An instance's fields as a record holds them (depth follows from the task), in the file's order. */
function instanceFields(i: TaskInstance): Omit<TaskInstance, 'depth' | 'recurrent'> {
  const params = taskRegistry.get(i.task, 'instance.task').params.filter((p) => p.runKey);
  return { task: i.task, op: i.op, ...Object.fromEntries(params.map((p) => [p.name, paramOf(i, p.name)])) } as Omit<TaskInstance, 'depth' | 'recurrent'>;
}

/** Layer seeds derived from the run seed (so seeds 0…n−1 give independent initializations). */
function layerSeeds(seed: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (seed * 7919 + i * 104729 + 1) % Number.MAX_SAFE_INTEGER);
}

/** RunOptions' own keys (the training settings are the others), the callbacks last. */
const runKeys = ['instance', 'model', 'seed', 'iterations', 'evalEvery', 'batchSize', 'epsilon', 'thresholdSamples', 'evalSize', 'bestWindow', 'onEval', 'signal'];

/** A run's options checked and resolved: what its native run takes and its record's settings. @internal */
export interface PreparedRun {
  record: Omit<RunRecord, 'trained' | 'threshold' | 'success' | 'solvedAt' | 'best' | 'last' | 'stopReason' | 'seconds'>;
  layers: Layer[];
  network: NativeNetworkSpec;
  task: NativeTaskSpec;
  run: NativeTaskRunOptions;
}

/** Checks a run's options (the callbacks aside) and builds its network; `where` prefixes errors' names. @internal */
export function prepareRun(options: Omit<RunOptions, 'onEval' | 'signal'>, where = ''): PreparedRun {
  const raw = checkOptions(options, where ? where.slice(0, -1) : 'runArithmetic options');
  // A group's runs take no callbacks of their own.
  refuseUnknown(raw, [...(where ? runKeys.slice(0, -2) : runKeys), ...trainingSettingNames], where ? where.slice(0, -1) : 'runArithmetic');
  const o = raw as unknown as RunOptions;
  const inst = o.instance;
  if (inst === null || typeof inst !== 'object') throw new TypeError(`${where}instance: expected a task instance, received ${typeof inst}`);
  const def = taskRegistry.get(inst.task, `${where}instance.task`);
  modelRegistry.get(o.model, `${where}model`);
  const seed = checkNumber(o.seed, `${where}seed`, 0, 2 ** 32, true);
  const d = def.defaults;
  const iterations = checkNumber(o.iterations ?? d.iterations, `${where}iterations`, 0, 1e12, true);
  const evalEvery = checkNumber(o.evalEvery ?? d.evalEvery, `${where}evalEvery`, 1, 1e12, true);
  const batchSize = checkNumber(o.batchSize ?? d.batchSize, `${where}batchSize`, 1, 2 ** 20, true);
  const { settings } = resolveSettings(def, o.model, inst.op, o, iterations);
  const { learningRate, clipNorm, clipValue } = settings;
  const epsilon = checkNumber(o.epsilon ?? 1e-5, `${where}epsilon`, 0, 0.5);
  const thresholdSamples = checkNumber(o.thresholdSamples ?? 1e6, `${where}thresholdSamples`, 1, 2 ** 32, true);
  const evalSize = checkNumber(o.evalSize ?? d.evalSize, `${where}evalSize`, 1, 2 ** 24, true);
  const bestWindow = checkNumber(o.bestWindow ?? 5000, `${where}bestWindow`, 1, 2 ** 20, true);

  const seeds = layerSeeds(seed, 2);
  const layers = buildModel(o.model, { ...inst, ...settings }, seeds);
  // The reference's optimizer: PyTorch Adam (ε 1e-8), plain MSE, clipping where its paper clipped.
  const optimizer: Optimizer = new Adam({ learningRate, epsilon: 1e-8, ...(clipNorm > 0 ? { clipNorm } : {}), ...(clipValue > 0 ? { clipValue } : {}) });
  return {
    record: { ...instanceFields(inst), model: o.model, seed, iterations, evalEvery, batchSize, ...settings, bestWindow, thresholdSamples, ...(evalSize === defaultEvalSize ? {} : { evalSize }) },
    layers,
    network: { inputDim: inst.inputSize, layers: layers.map((l, i) => l.toNative(seeds[i])), loss: { type: 'mse' }, optimizer: optimizer.toNative() },
    task: nativeTaskSpec(inst, seed),
    run: { iterations, batchSize, evalEvery, validationSize: evalSize, testSize: evalSize, epsilon, thresholdSamples, bestWindow, seed },
  };
}

/** The CPU model of this machine, as records name it. @internal */
export const cpuModel = (): string => os.cpus()[0]?.model.trim() || 'unknown';

/** Rows of each range's sample that a best model's formula is read and checked on. */
const formulaRows = 500;
/** The largest relative error of a formula that names the slices exactly (the targets are float32). */
const formulaTolerance = 1e-6;

/** The formula of a run's best model and whether it is op(Σa, Σb) of the run's own slices. */
function bestFormula(p: PreparedRun, weights: NativeWeight[]): Pick<RunRecord, 'formula' | 'formulaExact'> {
  if (!weights.every((w) => w.data.every(Number.isFinite))) return {};
  // A model with a layer of no symbolic form (LSTM) has no formula; an RNN's is its cell's.
  if (!p.layers.every((l) => typeof ((l as { cell?: Layer }).cell ?? l).symbolic === 'function')) return {};
  const n = p.record.inputSize, recurrent = taskRegistry.get(p.record.task, 'task').recurrent;
  // Samples the run never saw (other seeds than its validation and test sets), at its slices; a
  // recurrent task's rows as [rows, steps, inputs].
  const sample = (which: 'interpolation' | 'extrapolation', seed: number) => {
    const s = native.sampleTask(p.task, which, formulaRows, seed);
    const shape = recurrent ? [formulaRows, s.x.length / formulaRows / n, n] : [formulaRows, n];
    return { x: { data: s.x, shape }, y: { data: s.t, shape: [formulaRows, 1] } };
  };
  const model = new Sequential(p.layers);
  try {
    model.compile({ optimizer: new Adam(), loss: 'mse' });
    model.setWeights(weights.map((w) => ({ data: w.data, shape: w.shape })));
    const e = model.explain({ ...sample('interpolation', 1), extrapolation: sample('extrapolation', 2) });
    // The simplest formula true to the model and the data, as explain ranks them; else the simplest
    // that is the task's to 1e-6 (a model just short of it: a long recurrence's float32 sums); else its reading.
    const dataError = (c: Formula) => Math.max(c.fidelity.data!.maxRelError, c.fidelity.extrapolation!.data!.maxRelError);
    const f = e.best ?? e.candidates.find((c) => dataError(c) <= formulaTolerance) ?? e;
    return { formula: f.text, formulaExact: dataError(f) <= formulaTolerance };
  } finally {
    model.dispose();
  }
}

/** A prepared run's record from its native result. @internal */
export function finishRecord(p: PreparedRun, r: Omit<NativeTaskRunResult, 'weights' | 'profile'>, seconds: number): RunRecord {
  return {
    ...p.record,
    trained: r.iterations,
    threshold: r.threshold,
    success: r.success,
    solvedAt: r.solvedAt,
    best: r.best,
    last: r.last,
    ...bestFormula(p, r.bestWeights),
    stopReason: r.stopReason,
    seconds,
    cpu: cpuModel(),
    isa: r.isa,
    threads: r.threads,
  };
}

/** Calls a run's onEval; the first error it throws is kept (a box, so a thrown undefined is too) and stops the run. @internal */
export function guardedCallback<A extends unknown[]>(cb: ((...a: A) => void) | undefined, stop: () => void) {
  const state: { error?: { value: unknown } } = {};
  const call = cb
    ? (...a: A) => {
        try {
          cb(...a);
        } catch (err) {
          state.error ??= { value: err };
          stop();
        }
      }
    : undefined;
  return { call, state };
}

/** Awaits a native run's promise with `signal` wired to its stop(). @internal */
export async function withSignal<T>(handle: { promise: Promise<T>; stop(): void }, signal: AbortSignal | undefined): Promise<T> {
  const onAbort = () => handle.stop();
  if (signal?.aborted) handle.stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await handle.promise;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Trains `model` on a fresh batch every step and reports the paper's metrics.
 * @throws (rejects) TypeError or RangeError naming a bad option (an unknown one too); an error onEval threw.
 * @category Runs
 */
export async function runArithmetic(options: RunOptions): Promise<RunOutput> {
  const p = prepareRun(options);
  if (options.onEval !== undefined && typeof options.onEval !== 'function') throw new TypeError(`onEval: expected a function, received ${typeof options.onEval}`);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new TypeError('signal: expected an AbortSignal');
  const started = Date.now();
  let stop = () => {};
  const cb = guardedCallback(options.onEval, () => stop());
  const handle = native.runTask({ network: p.network, task: p.task, run: p.run }, cb.call);
  stop = () => handle.stop();
  const r = await withSignal(handle, options.signal);
  if (cb.state.error !== undefined) throw cb.state.error.value;
  return { record: finishRecord(p, r, (Date.now() - started) / 1000), layers: p.layers, weights: r.weights, bestWeights: r.bestWeights };
}
