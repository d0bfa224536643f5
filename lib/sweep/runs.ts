// The runs of a sweep as BullMQ jobs: one job per fused group (one seed and instance's runs,
// groupPlanned), its id a hash of its runs' keys (re-enqueuing the same runs is a no-op), its data
// the planned runs, its return value their records.
import { createHash } from 'node:crypto';
import { plannedKeyFields, printable, type PlannedRun } from '../tasks/experiment';
import { recordError, runKey, type RunRecord } from '../tasks/run';

/** The queue's name when --queue is not given. */
export const defaultQueue = 'nalu';

/** A run as a job carries it: everything it needs (as `nalu benchmark` runs it). */
export type SweepRunData = Omit<PlannedRun, 'scaledFrom'>;

/** What a job carries: a group's runs still to train, and the records of those an earlier attempt finished before it was handed back. */
export interface SweepJobData {
  runs: SweepRunData[];
  done?: RunRecord[];
}

/** The runs of a valid job's data (a job of one run, as queued before groups, is its data). */
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

/**
 * Why a job's data is not a group of planned runs (or one planned run, as queued before groups)
 * that this version can train (undefined: it is). It may come from another nalu version, another
 * producer on the queue, or a hand edit.
 */
export function jobDataError(d: unknown): string | undefined {
  const g = d as Record<string, unknown> | null;
  if (g === null || typeof g !== 'object' || Array.isArray(g) || !('runs' in g)) return runDataError(d);
  if (!Array.isArray(g.runs) || g.runs.length < 1 || g.runs.length > 4096) return "its data's runs are not 1 to 4096 planned runs";
  for (const [i, r] of g.runs.entries()) {
    const bad = runDataError(r);
    if (bad) return `run ${i}: ${bad}`;
  }
  if (g.done !== undefined && (!Array.isArray(g.done) || g.done.some((r) => recordError(r)))) return "its data's done records are not run records";
  return undefined;
}

/** Why one planned run of a job's data is not one (undefined: it is). */
function runDataError(d: unknown): string | undefined {
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

/** A short name of a run or record for progress lines. */
export function runLabel(r: SweepRunData | RunRecord): string {
  return 'instance' in r ? printable(`${r.instance.task} ${r.instance.op} ${r.model} seed ${r.seed}`) : printable(`${r.task} ${r.op} ${r.model} seed ${r.seed}`);
}

/** A short name of a job for progress lines, of any job data: its run's, or its group's seed and size. */
export function jobLabel(d: unknown): string {
  if (jobDataError(d)) return '(not a planned run)';
  const runs = jobRuns(d as SweepJobData);
  const n = runs.length + ((d as SweepJobData).done?.length ?? 0);
  return n === 1 ? runLabel(runs[0]) : printable(`${runs[0].instance.task} seed ${runs[0].seed}: ${runs.length} of ${n} runs`);
}

