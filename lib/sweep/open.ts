// Opens a sweep's BullMQ queue (producer side: enqueue, status, collect) and checks that Redis
// answers, so that a wrong URL is one clear line instead of a hang; lists jobs one bad job at a time.
import type { ConnectionOptions, Job, Queue } from 'bullmq';
import { loadBullmq, redactUrl, redisOptions } from './connection';
import { SweepError, checkDatabase, checkQueueKeys, clientOf, missingQueue, queueExists } from './server';

export class RedisUnreachable extends SweepError {}

/**
 * The queue, once Redis answers in the URL's database with keys of BullMQ's types. `mustExist`:
 * a queue nothing was ever enqueued to (a misspelt --queue, or a Redis that lost it) is an error.
 */
export async function openQueue(url: string, name: string, o: { mustExist?: boolean; timeoutMs?: number } = {}): Promise<Queue> {
  const { Queue } = loadBullmq();
  const options = redisOptions(url, 'client');
  const queue = new Queue(name, { connection: options as ConnectionOptions });
  let lastError: Error | undefined;
  queue.on('error', (e: Error) => (lastError = e));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      queue.waitUntilReady().then(async () => (await clientOf(queue)).ping()),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), o.timeoutMs ?? 15_000))),
    ]);
  } catch (e) {
    await queue.close().catch(() => {});
    throw new RedisUnreachable(`cannot reach Redis at ${redactUrl(url)}: ${(lastError ?? (e as Error)).message}`);
  } finally {
    clearTimeout(timer);
  }
  try {
    const client = await clientOf(queue);
    await checkDatabase(client, options.db);
    await checkQueueKeys(queue, client);
    if (o.mustExist && !(await queueExists(queue, client))) throw new SweepError(missingQueue(name, url));
  } catch (e) {
    await queue.close().catch(() => {});
    throw e;
  }
  return queue;
}

type State = 'completed' | 'failed' | 'active' | 'waiting' | 'delayed' | 'prioritized';

/**
 * The jobs at positions start…end of a state, and how many ids it listed. A job Redis cannot give
 * back as a job (its data not JSON, its key of another type or gone) is skipped and told to `onBad`.
 */
export async function jobsIn(queue: Queue, state: State, start: number, end: number, asc: boolean, onBad: (message: string) => void): Promise<{ jobs: Job[]; listed: number }> {
  const ids = await queue.getRanges([state], start, end, asc);
  const got = await Promise.allSettled(ids.map((id) => queue.getJob(id)));
  const jobs: Job[] = [];
  for (const [i, r] of got.entries()) {
    if (r.status === 'fulfilled' && r.value) jobs.push(r.value);
    else onBad(`skipped ${state} job ${ids[i]} (key ${queue.toKey(ids[i])}): ${r.status === 'rejected' ? (r.reason as Error)?.message ?? String(r.reason) : 'listed, but its key is gone'}`);
  }
  return { jobs, listed: ids.length };
}

/** Every job of a state, a page at a time (bad jobs skipped and told to `onBad`). */
export async function allJobs(queue: Queue, state: State, onBad: (message: string) => void, page = 500): Promise<Job[]> {
  const out: Job[] = [];
  for (let start = 0; ; start += page) {
    const { jobs, listed } = await jobsIn(queue, state, start, start + page - 1, true, onBad);
    out.push(...jobs);
    if (listed < page) return out;
  }
}
