// What a sweep needs of its Redis beyond a connection: the database the URL names, persistence
// (a restart of a Redis that persists nothing loses the whole sweep), and a queue's keys.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { UsageError } from '../cli/args';
import { redactUrl } from './connection';

/** A sweep's Redis answered, but with something a sweep cannot use (printed as one line, exit 1). */
export class SweepError extends Error {}

/** The Redis client of a BullMQ queue or worker (the default, Redis-backed classes). */
export async function clientOf(q: { getBackend(): unknown }): Promise<Redis> {
  return (await (q.getBackend() as { client: Promise<Redis> }).client) as Redis;
}

/**
 * Fails when the URL's database does not exist: ioredis reports a failed SELECT as an error event
 * and then carries on in database 0, where another sweep may live.
 */
export async function checkDatabase(client: Redis, db: number | undefined): Promise<void> {
  if (!db) return;
  try {
    await client.select(db);
  } catch (e) {
    if (/out of range|invalid/i.test((e as Error).message)) throw new UsageError(`--redis: database ${db} does not exist on this server`);
    throw e;
  }
}

/** A warning when Redis would lose the queue in a restart (appendonly no), or when it cannot tell. */
export async function persistenceWarning(client: Redis, url: string): Promise<string | undefined> {
  let aof: string;
  let save: string;
  try {
    aof = String(((await client.config('GET', 'appendonly')) as string[])[1]);
    save = String(((await client.config('GET', 'save')) as string[])[1] ?? '');
  } catch (e) {
    return `cannot tell whether Redis at ${redactUrl(url)} keeps the queue across a restart (CONFIG GET: ${(e as Error).message}); it must have appendonly yes`;
  }
  if (aof === 'yes') return undefined;
  const fix = "set 'appendonly yes' (redis-cli CONFIG SET appendonly yes, and in redis.conf)";
  return save.trim()
    ? `Redis at ${redactUrl(url)} has appendonly no and snapshots only (save ${save}): a restart of Redis loses the runs finished since its last snapshot; ${fix}`
    : `Redis at ${redactUrl(url)} persists nothing (appendonly no, save ''): a restart of Redis loses the whole sweep; ${fix}`;
}

/** The keys a queue's jobs are listed in, by the type BullMQ gives them. */
const stateKeys: [string, string][] = [
  ['wait', 'list'], ['active', 'list'], ['paused', 'list'], ['prioritized', 'zset'], ['delayed', 'zset'],
  ['completed', 'zset'], ['failed', 'zset'], ['waiting-children', 'zset'], ['id', 'string'], ['meta', 'hash'],
];

/** Whether anything was ever enqueued to the queue (and is still there): its id counter or a job list. */
export async function queueExists(queue: { toKey(type: string): string }, client: Redis): Promise<boolean> {
  // Not meta: opening a queue by any name creates its meta.
  return (await client.exists(...stateKeys.filter(([k]) => k !== 'meta').map(([k]) => queue.toKey(k)))) > 0;
}

/** Fails, naming the key, when one of the queue's keys is not of BullMQ's type (another program wrote it). */
export async function checkQueueKeys(queue: Queue, client: Redis): Promise<void> {
  const types = await Promise.all(stateKeys.map(([k]) => client.type(queue.toKey(k))));
  for (const [i, [k, want]] of stateKeys.entries())
    if (types[i] !== 'none' && types[i] !== want)
      throw new SweepError(`queue '${queue.name}': key ${queue.toKey(k)} is a ${types[i]}, not the ${want} BullMQ keeps there: another program wrote it (use another --queue, or delete the key)`);
}

/** The message of a queue whose data is gone. */
export function missingQueue(name: string, url: string): string {
  return `queue '${name}' does not exist on ${redactUrl(url)}: nothing was enqueued to it (is --queue spelt right?), or Redis lost its data (a restart without appendonly yes)`;
}
