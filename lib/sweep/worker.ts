// `nalu sweep worker`: takes group jobs (a seed's runs, trained fused) from the queue, N at a time
// in this process (BullMQ Worker concurrency; never a sandboxed child process, whose children
// outlive a SIGKILLed parent), each on its own native thread so that the event loop stays free to
// renew the job locks. SIGINT/SIGTERM abort the groups in flight and hand their jobs back to the
// queue (with the records of runs already finished, which are not run again), then exit.
import * as os from 'node:os';
import type { ConnectionOptions, Job } from 'bullmq';
import type { RunRecord } from '../tasks/run';
import { loadBullmq, redactUrl, redisOptions } from './connection';
import { runPlannedGroup } from '../tasks/experiment';
import { jobDataError, jobLabel, jobRuns, runLabel, type SweepJobData } from './runs';
import { fmt } from '../cli/progress';
import { SweepError, checkDatabase, clientOf, missingQueue, persistenceWarning, queueExists } from './server';

export interface WorkerOptions {
  url: string;
  queue: string;
  workers: number;
  /** How long a job's lock lasts unless renewed (renewed every half of it while the run trains). */
  lockSeconds: number;
  /** How often the stalled check looks for the runs of dead workers. */
  stalledSeconds: number;
  /** Times a run may be found stalled (its worker dead) before it fails; BullMQ's default is 1. */
  maxStalled: number;
  /** Exit when the queue has nothing left to run. */
  exitWhenDone: boolean;
  /** Seconds between progress lines (0: none). */
  progressSeconds: number;
  name?: string;
  log: (line: string) => void;
}

interface InFlight {
  job: Job<SweepJobData, RunRecord[]>;
  controller: AbortController;
  /** Steps done and to do, over the group's runs. */
  iteration: number;
  iterations: number;
  runs: number;
  started: number;
}

/** How long a stop waits for a Redis that answers to take the runs in flight back. */
const closeGraceMs = 10_000;

/** Errors that mean the connection, not a command, failed. */
const connectionError = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|NOAUTH|WRONGPASS|Connection is closed|connect /i;

export async function runWorker(o: WorkerOptions): Promise<number> {
  const { Worker, Queue, WaitingError, UnrecoverableError } = loadBullmq();
  const name = o.name ?? `${os.hostname()}:${process.pid}`;
  const inFlight = new Map<string, InFlight>();
  let stopping: NodeJS.Signals | undefined;
  let done = 0;
  let handedBack = 0;
  let redisDown = false;
  let sawQueue = false;
  let dataLost = false;
  const startedAt = Date.now();
  const log = (s: string) => o.log(`[${name}] ${s}`);
  const exitCode = () => (stopping === 'SIGINT' ? 130 : dataLost ? 1 : 0);
  const lost = (why: string) => {
    if (!dataLost) log(`the queue's data was lost: ${why}. Its finished runs are gone; enqueue the sweep again (and give Redis appendonly yes)`);
    dataLost = true;
  };

  const runsInFlight = () => [...inFlight.values()].reduce((a, f) => a + f.runs, 0);
  const processor = async (job: Job<SweepJobData, RunRecord[]>, token?: string, lockSignal?: AbortSignal): Promise<RunRecord[]> => {
    const controller = new AbortController();
    // BullMQ aborts this signal when the job's lock is lost (another worker may have it now).
    const onLockLost = () => controller.abort();
    try {
      const bad = jobDataError(job.data);
      // No attempt could train it: failed at once, not retried.
      if (bad) throw new UnrecoverableError(`job ${job.id}: ${bad}`);
      const d = job.data;
      const runs = jobRuns(d);
      const prior = d.done ?? [];
      const steps = runs.map(() => 0);
      const f: InFlight = { job, controller, iteration: 0, iterations: runs.reduce((a, r) => a + r.iterations, 0), runs: runs.length, started: Date.now() };
      inFlight.set(job.id!, f);
      lockSignal?.addEventListener('abort', onLockLost, { once: true });
      if (stopping) controller.abort();
      log(`start ${jobLabel(d)} (${job.id}, attempt ${job.attemptsStarted})`);
      let lastProgress = 0;
      const records = await runPlannedGroup(runs, controller.signal, (i, e) => {
        f.iteration += e.iteration - steps[i];
        steps[i] = e.iteration;
        const now = Date.now();
        if (now - lastProgress > 5000) {
          lastProgress = now;
          job.updateProgress(Math.round((1000 * f.iteration) / Math.max(1, f.iterations)) / 1000).catch(() => {});
        }
      });
      const finished = records.filter((r) => r.stopReason !== 'aborted');
      if (finished.length < records.length) {
        if (stopping && token) {
          // Back to the queue, attempts untouched, with the finished runs' records: another
          // worker trains only the rest.
          if (finished.length) await job.updateData({ runs: runs.filter((_, i) => records[i].stopReason === 'aborted'), done: [...prior, ...finished] });
          await job.moveToWait(token);
          handedBack++;
          log(`handed back ${jobLabel(d)} at step ${Math.min(...steps)} of ${Math.max(...runs.map((r) => r.iterations))}`);
          throw new WaitingError();
        }
        throw new Error(`aborted at step ${Math.min(...steps)}: the job's lock was lost`);
      }
      for (const r of records) {
        done++;
        log(`done ${runLabel(r)} in ${fmt(r.seconds)}: ${r.stopReason}, ${r.success ? 'solved' : 'not solved'}`);
      }
      return [...prior, ...records];
    } finally {
      lockSignal?.removeEventListener('abort', onLockLost);
      inFlight.delete(job.id!);
    }
  };

  const options = redisOptions(o.url, 'worker');
  const worker = new Worker<SweepJobData, RunRecord[]>(o.queue, processor, {
    connection: options as ConnectionOptions,
    concurrency: o.workers,
    name,
    lockDuration: o.lockSeconds * 1000,
    stalledInterval: o.stalledSeconds * 1000,
    maxStalledCount: o.maxStalled,
    autorun: false,
  });
  let lastError = '';
  worker.on('error', (e: Error) => {
    const missing = /Missing key for job (\S+?)\.? /.exec(e.message);
    if (missing) lost(`the key ${missing[1]} of a job it ran is gone from Redis (a restart that kept no data?)`);
    if (connectionError.test(e.message)) redisDown = true;
    // Connection errors repeat while Redis is down: say each once.
    if (e.message !== lastError) log(`redis: ${e.message}`);
    lastError = e.message;
  });
  worker.on('ioredis:close', () => (redisDown = true));
  // The worker's own 'ready' comes once; its connections' come at every reconnection.
  worker.getBackend().on('ready', () => {
    if (!redisDown && !lastError) return;
    redisDown = false;
    lastError = '';
    log('redis: connected again');
    if (sawQueue)
      void clientOf(worker)
        .then((c) => queueExists(worker, c))
        .then((there) => there || lost(`queue '${o.queue}' is no longer on the server after Redis came back`))
        .catch(() => {});
  });
  worker.on('failed', (job, e) => {
    if (job && !(e instanceof WaitingError) && e?.name !== 'WaitingError') log(`failed ${jobLabel(job.data)} (attempt ${job.attemptsMade}): ${e.message}`);
  });

  let stopped: () => void = () => {};
  const whenStopped = new Promise<void>((resolve) => (stopped = resolve));
  // close() waits until Redis takes the runs back, and a finished run's result: forever while it
  // is down, refuses us, or lost the job. Past the grace, exit without it.
  const closeWithinGrace = () => {
    void worker.close();
    const since = Date.now();
    setInterval(() => {
      if (!redisDown && Date.now() - since < closeGraceMs) return;
      const left = runsInFlight();
      log(`${redisDown ? 'Redis is unreachable' : `Redis did not answer within ${closeGraceMs / 1000} s`}: exiting` + (left ? ` without handing back ${left} run(s); they go back to the queue when their locks expire` : ''));
      process.exit(exitCode());
    }, 500).unref();
  };
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now; the runs in flight go back to the queue when their locks expire`);
      process.exit(130);
    }
    stopping = signal;
    log(`${signal}: handing back ${runsInFlight()} run(s) in flight and exiting`);
    for (const f of inFlight.values()) f.controller.abort();
    stopped();
    closeWithinGrace();
  };
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  const timers: NodeJS.Timeout[] = [];
  let watcher: InstanceType<typeof Queue> | undefined;
  try {
    // Nothing is taken before the URL's database is known to exist (else it would be database 0).
    await Promise.race([
      worker.waitUntilReady().catch((e: Error) => {
        throw new SweepError(`cannot use Redis at ${redactUrl(o.url)}: ${e.message}`);
      }),
      whenStopped,
    ]);
    if (!stopping) {
      const client = await clientOf(worker);
      await checkDatabase(client, options.db);
      const warning = await persistenceWarning(client, o.url);
      if (warning) log(`warning: ${warning}`);
      sawQueue = await queueExists(worker, client);
      if (!sawQueue) log(`${missingQueue(o.queue, o.url)}; waiting for runs to be enqueued`);
    }
    if (o.progressSeconds > 0)
      timers.push(
        setInterval(() => {
          const runs = [...inFlight.values()].map((f) => `${jobLabel(f.job.data)} ${((100 * f.iteration) / Math.max(1, f.iterations)).toFixed(0)}%`);
          log(`${done} done in ${fmt((Date.now() - startedAt) / 1000)}; running ${runs.length ? runs.join(', ') : 'nothing (waiting for runs)'}`);
        }, o.progressSeconds * 1000),
      );
    if (o.exitWhenDone) {
      watcher = new Queue(o.queue, { connection: options as ConnectionOptions });
      watcher.on('error', () => {});
      let busy = false;
      timers.push(
        setInterval(async () => {
          if (busy || stopping || inFlight.size) return;
          busy = true;
          try {
            const c = await watcher!.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
            if (Object.values(c).every((n) => n === 0) && !stopping && !inFlight.size) {
              log(`the queue has nothing left to run${dataLost ? " (its data was lost, see above)" : ''}: exiting`);
              stopping = 'SIGTERM';
              closeWithinGrace();
            }
          } catch {
            /* Redis down: ask again */
          } finally {
            busy = false;
          }
        }, 2000),
      );
    }
    if (!stopping) {
      log(`taking runs from queue '${o.queue}' on ${redactUrl(o.url)}, ${o.workers} at a time`);
      await worker.run();
    }
    await worker.close();
  } catch (e) {
    await worker.close(true).catch(() => {});
    throw e;
  } finally {
    for (const t of timers) clearInterval(t);
    await watcher?.close().catch(() => {});
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
  log(`stopped: ${done} run(s) done, ${handedBack} handed back`);
  return exitCode();
}
