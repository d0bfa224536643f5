// The runs of a sweep as BullMQ jobs: one job per planned run, its id a hash of the run key
// (re-enqueuing the same run is a no-op), its data the planned run, its return value the record.
import { createHash } from 'node:crypto';
import { plannedKeyFields, printable, type PlannedRun } from '../tasks/experiment';
import { runKey } from '../tasks/run';

/** The queue's name when --queue is not given. */
export const defaultQueue = 'nalu';

/** What a job carries: everything the run needs (as `nalu benchmark` runs it). */
export type SweepJobData = Omit<PlannedRun, 'scaledFrom'>;

/** The job id of a run: BullMQ ids may not contain ':' (and must not be integers), so a hash. */
export function jobIdOfKey(key: string): string {
  return `run-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

export function jobDataOf(r: PlannedRun): SweepJobData {
  const { scaledFrom, ...data } = r;
  return data;
}

export function keyOfData(d: SweepJobData): string {
  return runKey(plannedKeyFields(d as PlannedRun));
}

/**
 * Why a job's data is not a planned run that this version can train (undefined: it is one). It
 * may come from another nalu version, another producer on the queue, or a hand edit.
 */
export function jobDataError(d: unknown): string | undefined {
  const o = d as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return `its data is ${o === null ? 'null' : Array.isArray(o) ? 'an array' : `a ${typeof o}`}, not a planned run`;
  const inst = o.instance as Record<string, unknown> | null;
  if (inst === null || typeof inst !== 'object') return 'its data has no instance: not a planned run of this nalu version';
  for (const [k, v] of [['instance.task', inst.task], ['instance.op', inst.op], ['model', o.model]] as const)
    if (typeof v !== 'string') return `its data's ${k} is not a name: not a planned run of this nalu version`;
  for (const k of ['seed', 'iterations', 'evalEvery', 'batchSize', 'bestWindow', 'thresholdSamples'])
    if (typeof o[k] !== 'number') return `its data's ${k} is not a number: not a planned run of this nalu version`;
  if (o.settings === null || typeof o.settings !== 'object') return "its data's settings are missing: not a planned run of this nalu version";
  return undefined;
}

/** A short name of a run for progress lines; of any job data, planned run or not. */
export function runLabel(d: unknown): string {
  if (jobDataError(d)) return '(not a planned run)';
  const r = d as SweepJobData;
  return printable(`${r.instance.task} ${r.instance.op} ${r.model} seed ${r.seed}`);
}

