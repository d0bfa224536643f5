// `nalu sweep enqueue`: one job per planned run, its id from the run key: enqueuing again adds
// nothing, nor do runs already in --out (collected before).
import type { PlannedRun } from '../tasks/experiment';
import { readResults } from '../cli/summary';
import { runKey } from '../tasks/run';
import { redactUrl } from './connection';
import { openQueue } from './open';
import { jobDataOf, jobIdOfKey, keyOfData, runLabel } from './runs';
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
    // Longest runs first, so that a short one, not a long one, is the last to finish.
    const runs = [...o.runs].sort((a, b) => b.iterations - a.iterations).map((r) => ({ data: jobDataOf(r), key: '', id: '' }));
    for (const r of runs) {
      r.key = keyOfData(r.data);
      r.id = jobIdOfKey(r.key);
    }
    const todo = runs.filter((r) => !have.has(r.key));
    result.inOut = runs.length - todo.length;
    const chunk = 500;
    for (let i = 0; i < todo.length; i += chunk) {
      const part = todo.slice(i, i + chunk);
      const states = await Promise.all(part.map((r) => queue.getJobState(r.id)));
      const fresh = part.filter((_, k) => states[k] === 'unknown');
      for (const [k, s] of states.entries()) {
        if (s === 'unknown') continue;
        result.queued[s] = (result.queued[s] ?? 0) + 1;
        if (s === 'failed') {
          const job = await queue.getJob(part[k].id).catch((e: Error) => {
            o.log(`skipped failed job ${part[k].id} (key ${queue.toKey(part[k].id)}): ${e.message}`);
            return undefined;
          });
          if (o.retryFailed && job) {
            await job.retry('failed', { resetAttemptsMade: true });
            result.retried++;
          } else o.log(`failed before: ${runLabel(part[k].data)}: ${job?.failedReason ?? '?'} (--retry-failed runs it again)`);
        }
      }
      await queue.addBulk(
        fresh.map((r) => ({
          name: runLabel(r.data),
          data: r.data,
          opts: {
            jobId: r.id,
            attempts: o.attempts,
            backoff: { type: 'exponential', delay: o.backoffSeconds * 1000 },
            // Kept until collected (and so that enqueuing the run again stays a no-op).
            removeOnComplete: false,
            removeOnFail: false,
          },
        })),
      );
      result.added += fresh.length;
    }
    const q = Object.entries(result.queued).map(([s, n]) => `${n} ${s}`).join(', ');
    o.log(
      `added ${result.added} of ${runs.length} runs to queue '${o.queue}' on ${redactUrl(o.url)}` +
        `; skipped ${runs.length - result.added}: ${result.inOut} already in ${o.out ?? '--out'}, ${q || 'none'} already queued` +
        (result.retried ? `; ${result.retried} failed runs retried` : ''),
    );
    return result;
  } finally {
    await queue.close();
  }
}
