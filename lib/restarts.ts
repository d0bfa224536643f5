// Restarts: one model fitted from n seeds at once, the best kept. Arithmetic units solve a task
// from some seeds and not others; several seeds on the machine's cores turn that luck into a choice.
import { native } from './binding';
import type { ExplainArgs, Explanation } from './explain';
import type { FitArgs, History, Sequential } from './model';
import { checkNumber, checkOptions } from './registry';
import { describe, toMatrix, type Tensor, type TensorLike } from './tensor';

/** Options of fitRestarts: fit's, less the seed (each restart has its own), plus the restarts'. @category Model */
export interface RestartArgs extends Omit<FitArgs, 'seed' | 'callbacks' | 'verbose'> {
  /** How many seeds to train. */
  restarts: number;
  /** The first restart's seed; restart i uses seedOf(seed, i). Default 0. */
  seed?: number;
  /** Fits run at once. Default: getNumThreads() (the cores unless setNumThreads changed it). */
  concurrency?: number;
  /** [x, y] outside the training range: when given, the restart with the lowest loss on it wins. */
  extrapolation?: [TensorLike, TensorLike];
  /**
   * Options for model.explain (featureNames, tolerance…), called on each restart with the training data and
   * the extrapolation set; false: no formulas. Default {}.
   */
  explain?: Omit<ExplainArgs, 'x' | 'y' | 'extrapolation'> | false;
  /** Called as each restart ends (in the order they end), for progress. */
  onRestart?: (report: RestartReport) => void;
}

/** What one restart reached. @category Model */
export interface RestartReport {
  /** Its seed: makeModel(seed) and fit's seed. */
  seed: number;
  /** The training loss of its last epoch. */
  loss: number;
  /** The validation loss of its last epoch (with validationData or validationSplit). */
  valLoss?: number;
  /** The compiled loss on the extrapolation set. */
  extrapolationLoss?: number;
  /** What it was ranked by (extrapolationLoss, else valLoss, else loss); not finite: Infinity. */
  score: number;
  /** Why its fit ended. */
  stopReason: History['stopReason'];
  /** model.explain's result (unless explain was false). */
  explanation?: Explanation;
  /** The formula: the simplest exact candidate of the explanation, else its formula at the tolerance. */
  formula?: string;
  /** Whether that formula matches the model and the data (in range and on the extrapolation set). */
  exact?: boolean;
}

/** The result of fitRestarts. @category Model */
export interface RestartsResult {
  /** The best restart's model (the others are disposed). */
  model: Sequential;
  /** The best restart's report. */
  best: RestartReport;
  /** Every restart's report, in seed order. */
  restarts: RestartReport[];
  /** What the restarts were ranked by. */
  selectedBy: 'extrapolationLoss' | 'valLoss' | 'loss';
}

/**
 * The seed of restart i from base seed `seed`: distinct for every i < 2³², and `seed` itself for i = 0.
 * @throws TypeError or RangeError for a seed or i that is not an integer in [0, 2³² − 1].
 * @category Model
 */
export function seedOf(seed: number, i: number): number {
  checkNumber(seed, 'seed', 0, 2 ** 32 - 1, true);
  checkNumber(i, 'i', 0, 2 ** 32 - 1, true);
  return (seed + Math.imul(i, 0x9e3779b1)) >>> 0;
}

function asTensor(v: unknown, name: string): Tensor {
  const m = toMatrix(v, name);
  return { data: m.data, shape: [...m.shape] };
}

/**
 * Fits makeModel(seed) for `restarts` seeds, `concurrency` at a time (each fit runs natively on a thread of
 * its own; fits running together split getNumThreads() between them, and the rest wait their turn), and keeps
 * the best: the lowest loss on `extrapolation` when given, else the lowest validation loss, else the lowest
 * training loss. makeModel must return a compiled model.
 * @throws TypeError or RangeError for bad options (as fit's); rejects with the first error a fit or makeModel raises
 * (the models already made are disposed).
 * @category Model
 */
export async function fitRestarts(makeModel: (seed: number) => Sequential, x: TensorLike, y: TensorLike, args: RestartArgs): Promise<RestartsResult> {
  if (typeof makeModel !== 'function') throw new TypeError(`makeModel: expected a function (seed) => Sequential, received ${describe(makeModel)}`);
  const o = checkOptions(args, 'fitRestarts options') as unknown as RestartArgs;
  const restarts = checkNumber(o.restarts, 'restarts', 1, 1e6, true);
  const base = checkNumber(o.seed ?? 0, 'seed', 0, 2 ** 32 - 1, true);
  const concurrency = Math.min(restarts, checkNumber(o.concurrency ?? native.getNumThreads(), 'concurrency', 1, 1024, true));
  for (const k of ['callbacks', 'verbose'])
    if (k in o) throw new RangeError(`fitRestarts: option '${k}' is not taken (the fits run at once; use onRestart for progress)`);
  if (o.onRestart !== undefined && typeof o.onRestart !== 'function') throw new TypeError(`onRestart: expected a function, received ${describe(o.onRestart)}`);
  if (o.explain !== undefined && o.explain !== false) checkOptions(o.explain, 'explain');
  let extrapolation: [Tensor, Tensor] | undefined;
  if (o.extrapolation !== undefined) {
    if (!Array.isArray(o.extrapolation) || o.extrapolation.length !== 2)
      throw new TypeError(`extrapolation: expected [x, y], received ${describe(o.extrapolation)}`);
    extrapolation = [asTensor(o.extrapolation[0], 'extrapolation[0]'), asTensor(o.extrapolation[1], 'extrapolation[1]')];
  }
  // Converted once: each fit then reads the same Float32Arrays.
  const tx = asTensor(x, 'x');
  const ty = asTensor(y, 'y');
  const { restarts: _r, seed: _s, concurrency: _c, extrapolation: _e, explain, onRestart, ...fitArgs } = o;

  const models: (Sequential | undefined)[] = new Array(restarts);
  const reports: RestartReport[] = new Array(restarts);
  let next = 0;
  let failed: { error: unknown } | undefined;
  const one = async (i: number) => {
    const seed = seedOf(base, i);
    const model = makeModel(seed);
    if (model === null || typeof model !== 'object' || typeof model.fit !== 'function')
      throw new TypeError(`makeModel(${seed}): expected a Sequential, received ${describe(model)}`);
    models[i] = model;
    const history = await model.fit(tx, ty, { ...fitArgs, seed });
    const loss = history.loss.at(-1) ?? NaN;
    const valLoss = history.valLoss.at(-1);
    const extrapolationLoss = extrapolation && history.stopReason !== 'nonFinite' ? model.evaluate(extrapolation[0], extrapolation[1]) : extrapolation ? NaN : undefined;
    const ranked = extrapolationLoss ?? valLoss ?? loss;
    const r: RestartReport = { seed, loss, ...(valLoss !== undefined ? { valLoss } : {}), ...(extrapolationLoss !== undefined ? { extrapolationLoss } : {}), score: Number.isFinite(ranked) ? ranked : Infinity, stopReason: history.stopReason };
    if (explain !== false) {
      const e = model.explain({ ...explain, x: tx, y: ty, ...(extrapolation ? { extrapolation: { x: extrapolation[0], y: extrapolation[1] } } : {}) });
      const f = e.best ?? e;
      Object.assign(r, { explanation: e, formula: f.text, exact: f.exact });
    }
    reports[i] = r;
    onRestart?.(r);
  };
  const worker = async () => {
    while (next < restarts && !failed) {
      const i = next++;
      try {
        await one(i);
      } catch (error) {
        failed ??= { error };
        // The fits still running stop at their next batch.
        for (const m of models) m?.stopTraining();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failed) {
    for (const m of models) m?.dispose();
    throw failed.error;
  }
  // The lowest score; ties go to the earlier seed.
  let best = 0;
  for (let i = 1; i < restarts; i++) if (reports[i].score < reports[best].score) best = i;
  for (let i = 0; i < restarts; i++) if (i !== best) models[i]!.dispose();
  const selectedBy = extrapolation ? 'extrapolationLoss' : reports[0].valLoss !== undefined ? 'valLoss' : 'loss';
  return { model: models[best]!, best: reports[best], restarts: reports, selectedBy };
}
