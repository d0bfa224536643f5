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
import { jobLabel, jobRuns, recordLabel, type SweepJobData } from './runs';
import { fmt } from '../cli/progress';

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

export async function runWorker(o: WorkerOptions): Promise<number> {
  const { Worker, Queue, WaitingError } = loadBullmq();
  const name = o.name ?? `${os.hostname()}:${process.pid}`;
  const inFlight = new Map<string, InFlight>();
  let stopping: NodeJS.Signals | undefined;
  let done = 0;
  let handedBack = 0;
  const startedAt = Date.now();
  const log = (s: string) => o.log(`[${name}] ${s}`);

  const processor = async (job: Job<SweepJobData, RunRecord[]>, token?: string, lockSignal?: AbortSignal): Promise<RunRecord[]> => {
    const d = job.data;
    const runs = jobRuns(d);
    const prior = d.done ?? [];
    const controller = new AbortController();
    const steps = runs.map(() => 0);
    const f: InFlight = { job, controller, iteration: 0, iterations: runs.reduce((a, r) => a + r.iterations, 0), runs: runs.length, started: Date.now() };
    inFlight.set(job.id!, f);
    // BullMQ aborts this signal when the job's lock is lost (another worker may have it now).
    const onLockLost = () => controller.abort();
    lockSignal?.addEventListener('abort', onLockLost, { once: true });
    if (stopping) controller.abort();
    log(`start ${jobLabel(d)} (${job.id}, attempt ${job.attemptsStarted})`);
    let lastProgress = 0;
    try {
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
        log(`done ${recordLabel(r)} in ${fmt(r.seconds)}: ${r.stopReason}, ${r.success ? 'solved' : 'not solved'}`);
      }
      return [...prior, ...records];
    } finally {
      lockSignal?.removeEventListener('abort', onLockLost);
      inFlight.delete(job.id!);
    }
  };

  const worker = new Worker<SweepJobData, RunRecord[]>(o.queue, processor, {
    connection: redisOptions(o.url, 'worker') as ConnectionOptions,
    concurrency: o.workers,
    name,
    lockDuration: o.lockSeconds * 1000,
    stalledInterval: o.stalledSeconds * 1000,
    maxStalledCount: o.maxStalled,
    autorun: false,
  });
  let lastError = '';
  worker.on('error', (e: Error) => {
    // Connection errors repeat while Redis is down: say each once.
    if (e.message !== lastError) log(`redis: ${e.message}`);
    lastError = e.message;
  });
  worker.on('ready', () => {
    if (lastError) log('redis: connected again');
    lastError = '';
  });
  worker.on('failed', (job, e) => {
    if (job && !(e instanceof WaitingError) && e?.name !== 'WaitingError') log(`failed ${jobLabel(job.data)} (attempt ${job.attemptsMade}): ${e.message}`);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now; the runs in flight go back to the queue when their locks expire`);
      process.exit(130);
    }
    stopping = signal;
    log(`${signal}: handing back ${[...inFlight.values()].reduce((a, f) => a + f.runs, 0)} run(s) in flight and exiting`);
    for (const f of inFlight.values()) f.controller.abort();
    void worker.close();
  };
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  const timers: NodeJS.Timeout[] = [];
  if (o.progressSeconds > 0)
    timers.push(
      setInterval(() => {
        const runs = [...inFlight.values()].map((f) => `${jobLabel(f.job.data)} ${((100 * f.iteration) / Math.max(1, f.iterations)).toFixed(0)}%`);
        log(`${done} done in ${fmt((Date.now() - startedAt) / 1000)}; running ${runs.length ? runs.join(', ') : 'nothing (waiting for runs)'}`);
      }, o.progressSeconds * 1000),
    );
  let watcher: InstanceType<typeof Queue> | undefined;
  if (o.exitWhenDone) {
    watcher = new Queue(o.queue, { connection: redisOptions(o.url, 'worker') as ConnectionOptions });
    watcher.on('error', () => {});
    let busy = false;
    timers.push(
      setInterval(async () => {
        if (busy || stopping || inFlight.size) return;
        busy = true;
        try {
          const c = await watcher!.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          if (Object.values(c).every((n) => n === 0) && !stopping && !inFlight.size) {
            log('the queue has nothing left to run: exiting');
            stopping = 'SIGTERM';
            void worker.close();
          }
        } catch {
          /* Redis down: ask again */
        } finally {
          busy = false;
        }
      }, 2000),
    );
  }

  log(`taking runs from queue '${o.queue}' on ${redactUrl(o.url)}, ${o.workers} at a time`);
  try {
    await worker.run();
    await worker.close();
  } finally {
    for (const t of timers) clearInterval(t);
    await watcher?.close().catch(() => {});
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
  log(`stopped: ${done} run(s) done, ${handedBack} handed back`);
  return stopping === 'SIGINT' ? 130 : 0;
}
