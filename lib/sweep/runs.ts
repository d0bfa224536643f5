// The runs of a sweep as BullMQ jobs: one job per fused group (one seed and instance's runs,
// groupPlanned), its id a hash of its runs' keys (re-enqueuing the same runs is a no-op), its data
// the planned runs, its return value their records.
import { createHash } from 'node:crypto';
import { plannedKeyFields, type PlannedRun } from '../tasks/experiment';
import { runKey, type RunRecord } from '../tasks/run';

/** The queue's name when --queue is not given. */
export const defaultQueue = 'nalu';

/** A run as a job carries it: everything it needs (as `nalu benchmark` runs it). */
export type SweepRunData = Omit<PlannedRun, 'scaledFrom'>;

/** What a job carries: a group's runs still to train, and the records of those an earlier attempt finished before it was handed back. */
export interface SweepJobData {
  runs: SweepRunData[];
  done?: RunRecord[];
}

/** The runs of a job's data (a job of one run, as queued before groups, is its data). */
export function jobRuns(d: SweepJobData | SweepRunData): SweepRunData[] {
  return 'runs' in d ? d.runs : [d];
}

/** The job id of a run: BullMQ ids may not contain ':' (and must not be integers), so a hash. */
export function jobIdOfKey(key: string): string {
  return `run-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

/** The job id of a group: its one run's, or a hash of its runs' keys in sorted order. */
export function jobIdOfKeys(keys: string[]): string {
  return jobIdOfKey(keys.length === 1 ? keys[0] : [...keys].sort().join('\n'));
}

export function jobDataOf(r: PlannedRun): SweepRunData {
  const { scaledFrom, ...data } = r;
  return data;
}

export function keyOfData(d: SweepRunData): string {
  return runKey(plannedKeyFields(d as PlannedRun));
}

/** A short name of a run for progress lines. */
export function runLabel(d: Pick<SweepRunData, 'model' | 'seed'> & { instance: Pick<SweepRunData['instance'], 'task' | 'op'> }): string {
  return `${d.instance.task} ${d.instance.op} ${d.model} seed ${d.seed}`;
}

/** A short name of a job: its run's, or its group's seed and size. */
export function jobLabel(d: SweepJobData | SweepRunData): string {
  const runs = jobRuns(d);
  const n = runs.length + (('done' in d && d.done?.length) || 0);
  return runs.length === 1 && n === 1 ? runLabel(runs[0]) : `${runs[0].instance.task} seed ${runs[0].seed}: ${runs.length} of ${n} runs`;
}

/** A record's run, named as runLabel names it. */
export function recordLabel(r: Pick<RunRecord, 'task' | 'op' | 'model' | 'seed'>): string {
  return `${r.task} ${r.op} ${r.model} seed ${r.seed}`;
}

