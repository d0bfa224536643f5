// `nalu sweep enqueue`: one job per fused group of planned runs (groupPlanned), its id from the
// runs' keys: enqueuing again adds nothing, nor do runs already in --out (collected before).
import { groupPlanned, type PlannedRun } from '../tasks/experiment';
import { readResults } from '../cli/summary';
import { runKey } from '../tasks/run';
import { redactUrl } from './connection';
import { openQueue } from './open';
import { jobDataOf, jobIdOfKeys, jobLabel, keyOfData, type SweepJobData } from './runs';
import { clientOf, persistenceWarning } from './server';

export interface EnqueueOptions {
  url: string;
  queue: string;
  runs: PlannedRun[];
  out?: string;
  attempts: number;
  backoffSeconds: number;
  retryFailed: boolean;
  log: (line: string) => void;
}

export interface EnqueueResult {
  added: number;
  inOut: number;
  /** Already in the queue, by state. */
  queued: Record<string, number>;
  retried: number;
}

export async function enqueue(o: EnqueueOptions): Promise<EnqueueResult> {
  const have = new Set(o.out ? readResults(o.out).map(runKey) : []);
  const queue = await openQueue(o.url, o.queue);
  try {
    const warning = await persistenceWarning(await clientOf(queue), o.url);
    if (warning) o.log(`warning: ${warning}`);
    const result: EnqueueResult = { added: 0, inOut: 0, queued: {}, retried: 0 };
    const runs = o.runs.map((r) => ({ data: jobDataOf(r), key: '' }));
    for (const r of runs) r.key = keyOfData(r.data);
    const todo = runs.filter((r) => !have.has(r.key));
    result.inOut = runs.length - todo.length;
    const keyOf = new Map(todo.map((r) => [r.data, r.key]));
    // Longest groups first, so that a short one, not a long one, is the last to finish.
    const steps = (g: SweepJobData) => g.runs.reduce((a, r) => a + r.iterations, 0);
    const jobs = groupPlanned(todo.map((r) => r.data))
      .map((g) => ({ data: { runs: g } as SweepJobData, id: jobIdOfKeys(g.map((r) => keyOf.get(r)!)) }))
      .sort((a, b) => steps(b.data) - steps(a.data));
    let groups = 0;
    const chunk = 500;
    for (let i = 0; i < jobs.length; i += chunk) {
      const part = jobs.slice(i, i + chunk);
      const states = await Promise.all(part.map((r) => queue.getJobState(r.id)));
      const fresh = part.filter((_, k) => states[k] === 'unknown');
      for (const [k, s] of states.entries()) {
        if (s === 'unknown') continue;
        result.queued[s] = (result.queued[s] ?? 0) + part[k].data.runs.length;
        if (s === 'failed') {
          const job = await queue.getJob(part[k].id).catch((e: Error) => {
            o.log(`skipped failed job ${part[k].id} (key ${queue.toKey(part[k].id)}): ${e.message}`);
            return undefined;
          });
          if (o.retryFailed && job) {
            await job.retry('failed', { resetAttemptsMade: true });
            result.retried += part[k].data.runs.length;
          } else o.log(`failed before: ${jobLabel(part[k].data)}: ${job?.failedReason ?? '?'} (--retry-failed runs it again)`);
        }
      }
      await queue.addBulk(
        fresh.map((r) => ({
          name: jobLabel(r.data),
          data: r.data,
          opts: {
            jobId: r.id,
            attempts: o.attempts,
            backoff: { type: 'exponential', delay: o.backoffSeconds * 1000 },
            // Kept until collected (and so that enqueuing the runs again stays a no-op).
            removeOnComplete: false,
            removeOnFail: false,
          },
        })),
      );
      groups += fresh.length;
      result.added += fresh.reduce((a, r) => a + r.data.runs.length, 0);
    }
    const q = Object.entries(result.queued).map(([s, n]) => `${n} ${s}`).join(', ');
    o.log(
      `added ${result.added} of ${runs.length} runs (${groups} group job${groups === 1 ? '' : 's'}: a seed's runs fused) to queue '${o.queue}' on ${redactUrl(o.url)}` +
        `; skipped ${runs.length - result.added}: ${result.inOut} already in ${o.out ?? '--out'}, ${q || 'none'} already queued` +
        (result.retried ? `; ${result.retried} failed runs retried` : ''),
    );
    return result;
  } finally {
    await queue.close();
  }
}
