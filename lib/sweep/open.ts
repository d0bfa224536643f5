// Opens a sweep's BullMQ queue (producer side: enqueue, status, collect) and checks that Redis
// answers, so that a wrong URL is one clear line instead of a hang.
import type { ConnectionOptions, Queue } from 'bullmq';
import { loadBullmq, redactUrl, redisOptions } from './connection';

export class RedisUnreachable extends Error {}

export async function openQueue(url: string, name: string, timeoutMs = 15_000): Promise<Queue> {
  const { Queue } = loadBullmq();
  const queue = new Queue(name, { connection: redisOptions(url, 'client') as ConnectionOptions });
  let lastError: Error | undefined;
  queue.on('error', (e: Error) => (lastError = e));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      queue.waitUntilReady().then(() => queue.getJobCounts('waiting')),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), timeoutMs))),
    ]);
  } catch (e) {
    await queue.close().catch(() => {});
    throw new RedisUnreachable(`cannot reach Redis at ${redactUrl(url)}: ${(lastError ?? (e as Error)).message}`);
  } finally {
    clearTimeout(timer);
  }
  return queue;
}

/** Every job of these states, a page at a time. */
export async function allJobs(queue: Queue, state: 'completed' | 'failed' | 'active' | 'waiting' | 'delayed' | 'prioritized', page = 500) {
  const out = [];
  for (let start = 0; ; start += page) {
    const jobs = await queue.getJobs([state], start, start + page - 1, true);
    out.push(...jobs.filter(Boolean));
    if (jobs.length < page) return out;
  }
}
