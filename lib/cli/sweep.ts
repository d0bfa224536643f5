// `nalu sweep enqueue|worker|status|collect`: an experiment spread over many machines through a
// BullMQ queue on Redis. bullmq (and ioredis) are optional peer dependencies, loaded only here.
import { planRuns, type PlannedRun } from '../tasks/experiment';
import { UsageError, flagHelp, num, outputFile, parseWithPositionals, type Command, type Options } from './args';
import { experimentHelpRows, experimentOf, experimentOptions } from './benchmark';

const common: Options = {
  redis: { type: 'string' },
  queue: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};
const commonHelp: [string, string][] = [
  ['--redis URL', 'redis://[user:password@]host:port[/db], rediss://… (TLS) or unix:///path.sock (default: $NALU_REDIS_URL)'],
  ['--queue NAME', "the sweep's queue (default nalu); one queue per sweep keeps collect to that sweep"],
  ['-h, --help', 'this help'],
];

const sub: Record<string, { options: Options; usage: string; rows: [string, string][]; text: string }> = {
  enqueue: {
    options: { ...experimentOptions, ...common, out: { type: 'string' }, attempts: { type: 'string' }, backoff: { type: 'string' }, 'retry-failed': { type: 'boolean' } },
    usage: 'nalu sweep enqueue [EXPERIMENT] --redis URL [the flags of nalu benchmark] [--out FILE]',
    text: `Adds one job per seed group of the experiment's runs (the runs nalu benchmark would make,
trained fused). A job's id is a hash of its runs' keys: enqueuing the same runs again adds
nothing, nor do runs already in --out.`,
    rows: [
      ...experimentHelpRows,
      ...commonHelp.slice(0, 2),
      ['--out FILE', 'skip the runs already recorded in this results file'],
      ['--attempts N', 'times a run that fails with an error is tried (default 3)'],
      ['--backoff S', 'seconds before the first retry, doubling each time (default 30)'],
      ['--retry-failed', 'runs that failed every attempt before are tried again'],
      commonHelp[2],
    ],
  },
  worker: {
    options: { ...common, workers: { type: 'string' }, 'lock-seconds': { type: 'string' }, 'stalled-seconds': { type: 'string' }, 'max-stalled': { type: 'string' }, 'exit-when-done': { type: 'boolean' }, 'progress-seconds': { type: 'string' }, name: { type: 'string' } },
    usage: 'nalu sweep worker --redis URL [--workers N]',
    text: `Takes group jobs from the queue and trains each group's runs fused, N groups at a time in
this process (one native thread each), until stopped. SIGINT/SIGTERM abort the groups in flight
and hand them back to the queue (another worker trains their unfinished runs), then exit; a second signal exits at once, and so does
the first while Redis is down or refuses the worker. A worker that
dies (SIGKILL, power) holds its runs until their locks expire (--lock-seconds), then any
worker's stalled check (every --stalled-seconds) puts them back in the queue.`,
    rows: [
      ...commonHelp.slice(0, 2),
      ['--workers N', 'groups at a time (default 1)'],
      ['--lock-seconds S', 'a run\'s lock, renewed every S/2 while it trains (default 60)'],
      ['--stalled-seconds S', 'how often the runs of dead workers are looked for (default 30)'],
      ['--max-stalled N', 'times a run may lose its worker before it fails (default 3)'],
      ['--exit-when-done', 'exit when the queue has nothing left to run'],
      ['--progress-seconds S', 'seconds between progress lines (default 30, 0: none)'],
      ['--name NAME', "this worker's name in status (default host:pid)"],
      commonHelp[2],
    ],
  },
  status: {
    options: { ...common, watch: { type: 'string' } },
    usage: 'nalu sweep status --redis URL [--watch S]',
    text: `Prints the queue's waiting, active, completed and failed runs, the pace and ETA, and the
connected workers with the runs they train (a progress bar on a terminal).`,
    rows: [...commonHelp.slice(0, 2), ['--watch S', 'print again every S seconds until no run is left'], commonHelp[2]],
  },
  collect: {
    options: { ...common, out: { type: 'string' } },
    usage: 'nalu sweep collect --redis URL --out FILE',
    text: `Appends the record of every completed run not yet in FILE (collecting again adds nothing),
in the format nalu summary and --compare read; lists the failed runs with their errors.`,
    rows: [...commonHelp.slice(0, 2), ['--out FILE', 'the results file to append to'], commonHelp[2]],
  },
};

function help(): string {
  return `Usage: nalu sweep <enqueue|worker|status|collect> --redis URL [options]

Spreads an experiment over many machines through a BullMQ queue on Redis: a head node runs
Redis and enqueues the runs, workers anywhere take them, collect writes the results file.
Needs the optional packages bullmq and ioredis (npm install bullmq ioredis).

  ${sub.enqueue.usage}
  ${sub.worker.usage}
  ${sub.status.usage}
  ${sub.collect.usage}

Each run is executed at least once and recorded exactly once. \`nalu sweep <command> --help\`
for a command's options.
Example:
  nalu sweep enqueue madsen2020-table1 --seeds 10 --redis redis://127.0.0.1:6379
  nalu sweep worker --redis redis://127.0.0.1:6379 --workers 2      (on every machine)
  nalu sweep status --redis redis://127.0.0.1:6379 --watch 10
  nalu sweep collect --redis redis://127.0.0.1:6379 --out table1.jsonl
  nalu summary table1.jsonl --compare madsen2020
`;
}

function subHelp(name: string): string {
  const s = sub[name];
  return `Usage: ${s.usage}\n\n${s.text}\n\nOptions:\n${flagHelp(s.rows)}\n`;
}

function redisUrl(v: Record<string, string | boolean | undefined>): string {
  const url = (v.redis as string | undefined) ?? process.env.NALU_REDIS_URL;
  if (!url) throw new UsageError('--redis: expected the URL of the Redis server (or set NALU_REDIS_URL)');
  return url;
}

const log = (s: string) => process.stderr.write(`nalu sweep: ${s}\n`);

async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help') {
    process.stdout.write(help());
    return cmd === undefined ? 2 : 0;
  }
  if (!(cmd in sub)) throw new UsageError(`unknown sweep command '${cmd}', expected one of ${Object.keys(sub).join(', ')}`);
  const { values: v, positionals } = parseWithPositionals(rest, sub[cmd].options);
  if (v.help) {
    process.stdout.write(subHelp(cmd));
    return 0;
  }
  if (cmd !== 'enqueue' && positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const url = redisUrl(v);
  const queue = (v.queue as string | undefined) ?? 'nalu';
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(queue)) throw new UsageError(`--queue: expected letters, digits, '_', '.' or '-', received '${queue}'`);
  // Checked before anything is loaded: a bad URL or missing bullmq is one line.
  const { redisOptions, loadBullmq } = await import('../sweep/connection');
  redisOptions(url, 'client');
  loadBullmq();
  const { SweepError } = await import('../sweep/server');
  try {
    if (cmd === 'enqueue') {
      const experiment = experimentOf(v, positionals);
      let runs: PlannedRun[];
      try {
        runs = planRuns(experiment, log);
      } catch (e) {
        if (e instanceof RangeError || e instanceof TypeError) throw new UsageError(e.message);
        throw e;
      }
      const { enqueue } = await import('../sweep/enqueue');
      await enqueue({
        url,
        queue,
        runs,
        out: outputFile(v.out, 'out'),
        attempts: num(v.attempts, 'attempts', 3, 1, 1000, true),
        backoffSeconds: num(v.backoff, 'backoff', 30, 0, 86400),
        retryFailed: Boolean(v['retry-failed']),
        log,
      });
      return 0;
    }
    if (cmd === 'worker') {
      const { runWorker } = await import('../sweep/worker');
      const lockSeconds = num(v['lock-seconds'], 'lock-seconds', 60, 2, 86400);
      return await runWorker({
        url,
        queue,
        workers: num(v.workers, 'workers', 1, 1, 1024, true),
        lockSeconds,
        stalledSeconds: num(v['stalled-seconds'], 'stalled-seconds', Math.min(30, lockSeconds), 1, 86400),
        maxStalled: num(v['max-stalled'], 'max-stalled', 3, 1, 1000, true),
        exitWhenDone: Boolean(v['exit-when-done']),
        progressSeconds: num(v['progress-seconds'], 'progress-seconds', 30, 0, 86400),
        name: v.name as string | undefined,
        log,
      });
    }
    if (cmd === 'status') {
      const { status } = await import('../sweep/status');
      await status({ url, queue, watch: num(v.watch, 'watch', 0, 0, 86400), out: process.stdout, log });
      return 0;
    }
    const out = outputFile(v.out, 'out');
    if (!out) throw new UsageError('--out: expected the results file to collect into');
    const { collect } = await import('../sweep/collect');
    const r = await collect({ url, queue, out, log });
    return r.failed.length || r.skipped ? 1 : 0;
  } catch (e) {
    if (e instanceof SweepError) {
      log(e.message);
      return 1;
    }
    throw e;
  }
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'spread an experiment over many machines (BullMQ on Redis): enqueue, worker, status, collect',
  help,
  run,
};
