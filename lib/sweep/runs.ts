// The runs of a sweep as BullMQ jobs: one job per planned run, its id a hash of the run key
// (re-enqueuing the same run is a no-op), its data the planned run, its return value the record.
import { createHash } from 'node:crypto';
import { plannedKeyFields, type PlannedRun } from '../tasks/experiment';
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

/** A short name of a run for progress lines. */
export function runLabel(d: Pick<SweepJobData, 'model' | 'seed' | 'iterations'> & { instance: Pick<SweepJobData['instance'], 'task' | 'op'> }): string {
  return `${d.instance.task} ${d.instance.op} ${d.model} seed ${d.seed}`;
}

