// nalu sweep on a real Redis (started here: a free loopback port, a temp dir, AOF on) with real
// worker processes: a SIGKILLed worker, enqueue/collect twice, a Redis crash, late workers and
// SIGTERM, and records equal to the local benchmark's. Tiny runs of a few seconds at most.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBullmq, redisOptions } from '../lib/sweep/connection';
import { jobIdOfKey } from '../lib/sweep/runs';

const root = path.resolve(__dirname, '..');
const haveRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!haveRedis) {
  if (process.env.CI === 'true') throw new Error('sweep tests: redis-server is not installed (CI=true: .ci/setup installs it)');
  // eslint-disable-next-line no-console
  console.warn('sweep tests skipped: redis-server is not installed (apt-get install redis-server)');
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-sweep-test-'));
let port = 0;
let url = '';
let redis: ChildProcess | undefined;
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function startRedis(): Promise<void> {
  const dir = path.join(tmp, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--protected-mode', 'yes'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${log}`)), 15_000);
    child.stdout!.on('data', (d) => {
      log += d;
      if (/Ready to accept connections/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}): ${log}`));
    });
  });
  child.removeAllListeners('exit');
  redis = child;
}

function stopRedis(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const r = redis;
  redis = undefined;
  if (!r || r.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    r.once('exit', () => resolve());
    r.kill(signal);
  });
}

interface Proc {
  child: ChildProcess;
  out: string;
  err: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `nalu ARGS` in a child process (through tsx, from the sources). */
function nalu(args: string[]): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'lib/cli/main.ts'), ...args], { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const p: Proc = { child, out: '', err: '', exit: undefined as never };
  child.stdout!.on('data', (d) => (p.out += d));
  child.stderr!.on('data', (d) => (p.err += d));
  p.exit = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return p;
}

async function naluOk(args: string[]): Promise<Proc> {
  const p = nalu(args);
  const r = await p.exit;
  if (r.code !== 0) throw new Error(`nalu ${args.join(' ')}: exit ${r.code}\n${p.err}`);
  return p;
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs of a few seconds each (long enough to be killed in the middle). */
const slow = ['--task', 'static', '--ops', 'add', '--models', 'linear', '--iterations', '3e4', '--eval-every', '1000', '--threshold-samples', '100', '--batch-size', '64'];
/** Runs of a fraction of a second. */
const tiny = ['--task', 'single-module', '--ops', 'add,mul', '--models', 'nau', '--seeds', '2', '--iterations', '300', '--eval-every', '100', '--threshold-samples', '100', '--interpolation', '[1,2]', '--extrapolation', '[2,6]'];
const fast = ['--lock-seconds', '3', '--stalled-seconds', '1', '--progress-seconds', '0'];

function records(file: string): Record<string, unknown>[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}
const keyOf = (r: Record<string, unknown>) => JSON.stringify([r.task, r.op, r.model, r.seed, r.interpolation, r.extrapolation, r.iterations]);
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

async function counts(queue: string) {
  const { Queue } = loadBullmq();
  const q = new Queue(queue, { connection: redisOptions(url, 'client') as never });
  try {
    return await q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
  } finally {
    await q.close();
  }
}
const finished = (queue: string, n: number) => async () => {
  try {
    return (await counts(queue)).completed === n;
  } catch {
    return false;
  }
};

describe('nalu sweep: pieces', () => {
  it('parses Redis URLs (ACL user, password, TLS, unix socket, db) into ioredis options', () => {
    expect(redisOptions('redis://127.0.0.1:7000/2', 'client')).toMatchObject({ host: '127.0.0.1', port: 7000, db: 2 });
    const w = redisOptions('rediss://sweeper:p%40ss%3Aw@head.example:6380', 'worker');
    expect(w).toMatchObject({ host: 'head.example', port: 6380, username: 'sweeper', password: 'p@ss:w', tls: { servername: 'head.example' }, maxRetriesPerRequest: null });
    expect(redisOptions('redis://:secret@[::1]', 'client')).toMatchObject({ host: '::1', port: 6379, password: 'secret' });
    expect(redisOptions('unix:///run/redis/redis.sock?db=3', 'client')).toMatchObject({ path: '/run/redis/redis.sock', db: 3 });
    expect(() => redisOptions('http://x', 'client')).toThrow(/unknown scheme/);
    expect(() => redisOptions('nope', 'client')).toThrow(/expected a URL/);
  });

  it('derives job ids without ":" from run keys, and says in one line what to install', () => {
    const id = jobIdOfKey('["static","add"]');
    expect(id).toMatch(/^run-[0-9a-f]{40}$/);
    expect(jobIdOfKey('["static","add"]')).toBe(id);
    expect(() => loadBullmq(['bullmq-not-installed-here'])).toThrow(/^needs the optional packages bullmq and ioredis: npm install bullmq@\^6\.\d+\.\d+ ioredis@/);
  });

  it('loads bullmq only for nalu sweep', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', "require('./lib/cli/main'); require('./lib/index'); process.stdout.write(String(Object.keys(require.cache).some((k) => /node_modules[\\\\/](bullmq|ioredis)[\\\\/]/.test(k))))"],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('false');
  });
});

describe.skipIf(!haveRedis)('nalu sweep on Redis', () => {
  beforeAll(async () => {
    port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    await startRedis();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await stopRedis();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('loses no run when a worker is SIGKILLed in the middle of one (3 workers)', async () => {
    const q = ['--redis', url, '--queue', 'kill'];
    await naluOk(['sweep', 'enqueue', ...q, ...slow, '--seeds', '6']);
    const ws = [1, 2, 3].map((i) => nalu(['sweep', 'worker', ...q, ...fast, '--name', `k${i}`]));
    await waitFor('a worker in the middle of a run', () => ws.some((w) => /start /.test(w.err)));
    const victim = ws.find((w) => /start /.test(w.err))!;
    await new Promise((r) => setTimeout(r, 500));
    victim.child.kill('SIGKILL');
    await waitFor('every run', finished('kill', 6), 80_000);
    for (const w of ws) w.child.kill('SIGTERM');
    await Promise.all(ws.map((w) => w.exit));
    const out = path.join(tmp, 'kill.jsonl');
    await naluOk(['sweep', 'collect', ...q, '--out', out]);
    const rs = records(out);
    expect(rs).toHaveLength(6);
    expect(new Set(rs.map(keyOf)).size).toBe(6);
    const all = ws.map((w) => w.err).join('');
    expect(count(all, /\] done /g)).toBe(6);
    expect(count(all, /\] start /g)).toBeGreaterThanOrEqual(7);
    expect((await counts('kill')).failed).toBe(0);
  }, 120_000);

  it('enqueued twice and collected twice: no run executed twice, no record twice; equal to nalu benchmark', async () => {
    const q = ['--redis', url, '--queue', 'twice'];
    const first = await naluOk(['sweep', 'enqueue', ...q, ...tiny]);
    expect(first.err).toMatch(/added 4 of 4 runs \(2 group jobs/);
    const again = await naluOk(['sweep', 'enqueue', ...q, ...tiny]);
    expect(again.err).toMatch(/added 0 of 4 runs.*4 waiting already queued/);
    const w = await naluOk(['sweep', 'worker', ...q, ...fast, '--exit-when-done']);
    expect(count(w.err, /\] done /g)).toBe(4);
    const out = path.join(tmp, 'twice.jsonl');
    expect((await naluOk(['sweep', 'collect', ...q, '--out', out])).err).toMatch(/wrote 4 new record/);
    expect((await naluOk(['sweep', 'collect', ...q, '--out', out])).err).toMatch(/wrote 0 new record\(s\).*4 were there already/);
    expect(records(out)).toHaveLength(4);
    // A run already in --out is not enqueued anywhere.
    const elsewhere = await naluOk(['sweep', 'enqueue', '--redis', url, '--queue', 'twice-2', ...tiny, '--out', out]);
    expect(elsewhere.err).toMatch(/added 0 of 4 runs.*4 already in/);
    // A group partly in --out: only its missing run is enqueued and trained.
    const partial = path.join(tmp, 'partial.jsonl');
    fs.writeFileSync(partial, fs.readFileSync(out, 'utf8').trim().split('\n').slice(1).join('\n') + '\n');
    const q3 = ['--redis', url, '--queue', 'twice-3'];
    expect((await naluOk(['sweep', 'enqueue', ...q3, ...tiny, '--out', partial])).err).toMatch(/added 1 of 4 runs \(1 group job.*3 already in/);
    expect(count((await naluOk(['sweep', 'worker', ...q3, ...fast, '--exit-when-done'])).err, /\] done /g)).toBe(1);
    expect((await naluOk(['sweep', 'collect', ...q3, '--out', partial])).err).toMatch(/wrote 1 new record/);
    expect(records(partial).map(keyOf).sort()).toEqual(records(out).map(keyOf).sort());
    // The same runs on this machine: the same records, bit for bit, but the seconds.
    const local = path.join(tmp, 'local.jsonl');
    await naluOk(['benchmark', ...tiny, '--workers', '2', '--quiet', '--out', local]);
    const strip = (rs: Record<string, unknown>[]) => rs.map(({ seconds, ...r }) => JSON.stringify(r)).sort();
    expect(strip(records(out))).toEqual(strip(records(local)));
    const summary = await naluOk(['summary', out]);
    expect(summary.out).toMatch(/Single-module task: 4 runs/);
  }, 90_000);

  it('finishes with nothing lost when Redis is killed and restarted (AOF) mid-sweep', async () => {
    const q = ['--redis', url, '--queue', 'crash'];
    await naluOk(['sweep', 'enqueue', ...q, ...slow, '--seeds', '4']);
    const ws = [1, 2].map((i) => nalu(['sweep', 'worker', ...q, ...fast, '--name', `c${i}`]));
    await waitFor('a run in flight', () => ws.some((w) => /start /.test(w.err)));
    await stopRedis('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    await startRedis();
    await waitFor('every run', finished('crash', 4), 80_000);
    for (const w of ws) w.child.kill('SIGTERM');
    await Promise.all(ws.map((w) => w.exit));
    const out = path.join(tmp, 'crash.jsonl');
    await naluOk(['sweep', 'collect', ...q, '--out', out]);
    const rs = records(out);
    expect(rs).toHaveLength(4);
    expect(new Set(rs.map(keyOf)).size).toBe(4);
  }, 120_000);

  it('an early and a late worker both take work; SIGTERM hands a run back and exits within it', async () => {
    const q = ['--redis', url, '--queue', 'late'];
    const early = nalu(['sweep', 'worker', ...q, ...fast, '--name', 'early']);
    await waitFor('the early worker', () => /taking runs/.test(early.err), 30_000);
    await naluOk(['sweep', 'enqueue', ...q, ...slow, '--seeds', '5']);
    await waitFor('the early worker on a run', () => /start /.test(early.err));
    const late = nalu(['sweep', 'worker', ...q, ...fast, '--name', 'late']);
    await waitFor('the late worker on a run', () => /start /.test(late.err));
    const before = count(early.err, /\] done /g);
    const t0 = Date.now();
    early.child.kill('SIGTERM');
    const r = await early.exit;
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(early.err).toMatch(/SIGTERM: handing back 1 run/);
    expect(early.err).toMatch(/handed back .* at step/);
    expect(count(early.err, /\] done /g)).toBe(before);
    await waitFor('every run', finished('late', 5), 80_000);
    late.child.kill('SIGTERM');
    await late.exit;
    const out = path.join(tmp, 'late.jsonl');
    await naluOk(['sweep', 'collect', ...q, '--out', out]);
    expect(new Set(records(out).map(keyOf)).size).toBe(5);
    expect(records(out)).toHaveLength(5);
    const st = await naluOk(['sweep', 'status', ...q]);
    expect(st.out).toMatch(/0 waiting, 0 active, 5 completed, 0 failed/);
  }, 120_000);

  it('hands back a group with its finished runs, which the next worker does not train again', async () => {
    const q = ['--redis', url, '--queue', 'resume'];
    // √ of slice sums that are sometimes negative: that run stops non-finite in its first steps, + trains on.
    const group = ['--task', 'static', '--ops', 'sqrt,add', '--models', 'linear', '--interpolation', '[-1,2.36]', '--iterations', '3e4', '--eval-every', '1000',
      '--threshold-samples', '100', '--batch-size', '64', '--seeds', '1'];
    expect((await naluOk(['sweep', 'enqueue', ...q, ...group])).err).toMatch(/added 2 of 2 runs \(1 group job/);
    const first = nalu(['sweep', 'worker', ...q, ...fast, '--progress-seconds', '1', '--name', 'r1']);
    await waitFor('the group past its first steps', () => /static seed 0: 2 of 2 runs [1-9]/.test(first.err));
    first.child.kill('SIGTERM');
    expect((await first.exit).code).toBe(0);
    expect(first.err).toMatch(/handed back static seed 0: 2 of 2 runs/);
    const second = await naluOk(['sweep', 'worker', ...q, ...fast, '--exit-when-done', '--name', 'r2']);
    expect(second.err).toMatch(/start static seed 0: 1 of 2 runs/);
    expect(count(second.err, /\] done /g)).toBe(1);
    expect(second.err).toMatch(/done static add linear seed 0/);
    const out = path.join(tmp, 'resume.jsonl');
    await naluOk(['sweep', 'collect', ...q, '--out', out]);
    const rs = records(out);
    expect(rs.map((r) => [r.op, r.stopReason]).sort()).toEqual([['add', 'completed'], ['sqrt', 'nonFinite']]);
  }, 120_000);

  it('connects with an ACL user and password from the URL', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const IORedis = require('ioredis') as typeof import('ioredis').default;
    const admin = new IORedis(port, '127.0.0.1');
    await admin.call('ACL', 'SETUSER', 'sweeper', 'on', '>p@ss:w', '~*', '&*', '+@all');
    admin.disconnect();
    const st = await naluOk(['sweep', 'status', '--redis', `redis://sweeper:p%40ss%3Aw@127.0.0.1:${port}`, '--queue', 'acl']);
    expect(st.out).toMatch(/0 waiting/);
    const bad = nalu(['sweep', 'status', '--redis', `redis://sweeper:wrong@127.0.0.1:${port}`, '--queue', 'acl']);
    expect((await bad.exit).code).toBe(1);
    expect(bad.err).toMatch(/cannot reach Redis at redis:\/\/sweeper:\*\*\*@/);
  }, 60_000);
});
