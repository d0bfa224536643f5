// Fused runs: every (operation, model) run of one seed and task instance trained natively on one
// stream of batches and one set of evaluation inputs; each record is the same run's alone but its seconds.
import type { NativeGroupRunSpec } from '../../binding';
import { native } from '../binding';
import { checkOptions } from '../registry';
import { finishRecord, guardedCallback, prepareRun, withSignal, type PreparedRun, type RunOptions, type RunOutput, type TaskEval } from './run';

/** The runs of one fused group and its callbacks. @category Runs */
export interface GroupOptions {
  /**
   * The runs (1 to 4096): one task instance but for its operation, one seed, and the same batchSize,
   * evalEvery and evalSize; models, operations, iterations and the other settings are each run's own.
   */
  runs: Omit<RunOptions, 'onEval' | 'signal'>[];
  /** Called with each evaluation of runs[run]; an error it throws stops the group and rejects with it. */
  onEval?: (run: number, e: TaskEval) => void;
  /** Aborting stops every run after the current step; each resolves with stopReason 'aborted'. */
  signal?: AbortSignal;
}

/** What the runs of a group must share: the instance's data and the stream's settings. */
function shared(p: PreparedRun): Record<string, unknown> {
  const { op, ...task } = p.task;
  return { task: p.record.task, ...task, batchSize: p.run.batchSize, evalEvery: p.run.evalEvery, evalSize: p.run.validationSize };
}

/**
 * Trains a group of runs fused (one native thread): the inputs of every step and of the evaluation
 * sets are drawn once for all, each run keeps its own network, optimizer, schedule and stop (a run
 * that goes non-finite stops alone). Each record equals the run's alone with runArithmetic, field
 * for field, but `seconds`: the group's wall time divided by its runs.
 * @returns each run's output, in the order of `runs`.
 * @throws (rejects) TypeError or RangeError naming a bad option as `runs[i].name`, or a setting
 * the runs do not share; an error onEval threw.
 * @category Runs
 */
export async function runGroup(options: GroupOptions): Promise<RunOutput[]> {
  const o = checkOptions(options, 'runGroup options') as unknown as GroupOptions;
  if (!Array.isArray(o.runs)) throw new TypeError(`runs: expected an array of run options, received ${typeof o.runs}`);
  if (o.runs.length < 1 || o.runs.length > 4096) throw new RangeError(`runs: expected 1 to 4096 runs, received ${o.runs.length}`);
  if (o.onEval !== undefined && typeof o.onEval !== 'function') throw new TypeError(`onEval: expected a function, received ${typeof o.onEval}`);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new TypeError('signal: expected an AbortSignal');
  const prepared = o.runs.map((r, i) => prepareRun(r, `runs[${i}].`));
  const group = shared(prepared[0]);
  prepared.forEach((p, i) => {
    for (const [k, v] of Object.entries(shared(p)))
      if (JSON.stringify(v) !== JSON.stringify(group[k]))
        throw new RangeError(`runs[${i}].${k}: expected ${JSON.stringify(group[k])}, runs[0]'s (a group's runs share their batches and evaluations), received ${JSON.stringify(v)}`);
  });
  const runs: NativeGroupRunSpec[] = prepared.map((p) => ({ network: p.network, task: p.task, run: p.run }));
  const started = Date.now();
  let stop = () => {};
  const cb = guardedCallback(o.onEval, () => stop());
  const handle = native.runTaskGroup({ runs }, cb.call);
  stop = () => handle.stop();
  const { results } = await withSignal(handle, o.signal);
  if (cb.state.error !== undefined) throw cb.state.error.value;
  const seconds = (Date.now() - started) / 1000 / prepared.length;
  return prepared.map((p, i) => ({ record: finishRecord(p, results[i], seconds), layers: p.layers, weights: results[i].weights, bestWeights: results[i].bestWeights }));
}
