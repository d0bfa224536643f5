// One training run of a model on an arithmetic task instance, natively on a libuv worker
// thread (one native thread), with an evaluation callback and AbortSignal support.
import type { NativeTaskEval, NativeTaskRunResult, NativeWeight } from '../../binding';
import { native } from '../binding';
import type { Layer } from '../layers/layer';
import { checkNumber, checkOptions } from '../registry';
import { Adam, type Optimizer } from '../optimizers';
import { nativeTaskSpec, taskRegistry, type ArithmeticOp, type TaskInstance } from './arithmetic';
import { buildModel, modelRegistry } from './models';

export type TaskEval = NativeTaskEval;

export interface RunOptions {
  instance: TaskInstance;
  model: string;
  seed: number;
  iterations?: number;
  evalEvery?: number;
  batchSize?: number;
  learningRate?: number;
  sparsityLambda?: number;
  sparsityStart?: number;
  sparsityEnd?: number;
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
  onEval?: (e: TaskEval) => void;
  signal?: AbortSignal;
}

/** One finished run: a line of the results file. */
export interface RunRecord {
  task: string;
  op: ArithmeticOp;
  interpolation: [number, number][];
  extrapolation: [number, number][];
  model: string;
  seed: number;
  iterations: number;
  evalEvery: number;
  batchSize: number;
  learningRate: number;
  sparsityLambda: number;
  sparsityStart: number;
  sparsityEnd: number;
  /** Evaluations the best model was picked from (records written before this field existed: 100). */
  bestWindow: number;
  /** The iterations actually trained (less when stopped early). */
  trained: number;
  threshold: number;
  success: boolean;
  /** First evaluation with extrapolation MSE < threshold (null: never). */
  solvedAt: number | null;
  /** The model picked by the lowest interpolation MSE among the last `bestWindow` evaluations. */
  best: TaskEval;
  last: TaskEval;
  stopReason: 'completed' | 'aborted' | 'nonFinite';
  seconds: number;
}

export interface RunOutput {
  record: RunRecord;
  layers: Layer[];
  weights: NativeWeight[];
}

/** Layer seeds derived from the run seed (so seeds 0…n−1 give independent initializations). */
function layerSeeds(seed: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (seed * 7919 + i * 104729 + 1) % Number.MAX_SAFE_INTEGER);
}

/** Trains `model` on a fresh batch every step and reports the paper's metrics. */
export async function runArithmetic(options: RunOptions): Promise<RunOutput> {
  const o = checkOptions(options, 'runArithmetic options') as unknown as RunOptions;
  const inst = o.instance;
  if (inst === null || typeof inst !== 'object') throw new TypeError(`instance: expected a task instance, received ${typeof inst}`);
  const def = taskRegistry.get(inst.task, 'instance.task');
  modelRegistry.get(o.model, 'model');
  const seed = checkNumber(o.seed, 'seed', 0, 2 ** 32, true);
  const d = def.defaults;
  const iterations = checkNumber(o.iterations ?? d.iterations, 'iterations', 0, 1e12, true);
  const evalEvery = checkNumber(o.evalEvery ?? d.evalEvery, 'evalEvery', 1, 1e12, true);
  const batchSize = checkNumber(o.batchSize ?? d.batchSize, 'batchSize', 1, 2 ** 20, true);
  const learningRate = checkNumber(o.learningRate ?? d.learningRate, 'learningRate', 0, 10);
  const sparsityLambda = checkNumber(o.sparsityLambda ?? d.sparsityLambda, 'sparsityLambda', 0, 1e30);
  const sparsityStart = checkNumber(o.sparsityStart ?? d.sparsityStart, 'sparsityStart', 0, 1e18);
  const sparsityEnd = checkNumber(o.sparsityEnd ?? d.sparsityEnd, 'sparsityEnd', sparsityStart, 1e18);
  const epsilon = checkNumber(o.epsilon ?? 1e-5, 'epsilon', 0, 0.5);
  const thresholdSamples = checkNumber(o.thresholdSamples ?? 1e6, 'thresholdSamples', 1, 2 ** 32, true);
  const evalSize = checkNumber(o.evalSize ?? 1e4, 'evalSize', 1, 2 ** 24, true);
  const bestWindow = checkNumber(o.bestWindow ?? 5000, 'bestWindow', 1, 2 ** 20, true);
  if (o.onEval !== undefined && typeof o.onEval !== 'function') throw new TypeError(`onEval: expected a function, received ${typeof o.onEval}`);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new TypeError('signal: expected an AbortSignal');

  const ctx = { op: inst.op, depth: inst.depth, inputSize: inst.inputSize, hiddenSize: inst.hiddenSize, sparsityLambda, sparsityStart, sparsityEnd };
  const seeds = layerSeeds(seed, 2);
  const layers = buildModel(o.model, ctx, seeds);
  // The reference's optimizer: PyTorch Adam (lr 1e-3, ε 1e-8), plain MSE.
  const optimizer: Optimizer = new Adam({ learningRate, epsilon: 1e-8 });
  const network = {
    inputDim: inst.inputSize,
    layers: layers.map((l, i) => l.toNative(seeds[i])),
    loss: { type: 'mse' },
    optimizer: optimizer.toNative(),
  };
  const started = Date.now();
  let callbackError: unknown;
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
            callbackError ??= err;
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
  if (callbackError !== undefined) throw callbackError;
  const record: RunRecord = {
    task: inst.task,
    op: inst.op,
    interpolation: inst.interpolation,
    extrapolation: inst.extrapolation,
    model: o.model,
    seed,
    iterations,
    evalEvery,
    batchSize,
    learningRate,
    sparsityLambda,
    sparsityStart,
    sparsityEnd,
    bestWindow,
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
