// nalu sweep on a real Redis (started here: a free loopback port, a temp dir, AOF on) with real
// worker processes: a SIGKILLed worker, enqueue/collect twice, a Redis crash, late workers and
// SIGTERM, and records equal to the local benchmark's. Tiny runs of a few seconds at most.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBullmq, redisOptions } from '../lib/sweep/connection';
import { jobIdOfKey } from '../lib/sweep/runs';
import { RedisServer, count, counts as countsOn, fast, finished as finishedOn, haveRedis, keyOf, killChildren, nalu, naluOk, records, root, slow, tiny, waitFor } from './helpers/sweep';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-sweep-test-'));
const server = new RedisServer(path.join(tmp, 'redis'));
let url = '';
let port = 0;
const counts = (queue: string) => countsOn(url, queue);
const finished = (queue: string, n: number) => finishedOn(url, queue, n);

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
    await server.start();
    ({ url, port } = server);
  });
  afterAll(async () => {
    killChildren();
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('loses no run when a worker is SIGKILLed in the middle of one (3 workers)', async () => {
    const q = ['--redis', url, '--queue', 'kill'];
    await naluOk(['sweep', 'enqueue', ...q, ...slow, '--seeds', '6']);
    const ws = [1, 2, 3].map((i) => nalu(['sweep', 'worker', ...q, ...fast, '--name', `k${i}`]));
    // A worker frozen (SIGSTOP) with a run started and not done is killed in the middle of it,
    // however fast or slow the workers start: one between runs is thawed and another tried.
    const unfinished = (w: (typeof ws)[number]) => count(w.err, /\] start /g) - count(w.err, /\] done /g);
    let victim: (typeof ws)[number] | undefined;
    await waitFor('a worker frozen in the middle of a run', async () => {
      for (const w of ws) {
        if (unfinished(w) < 1) continue;
        w.child.kill('SIGSTOP');
        // Lines it wrote before it froze (its lock, 3 s, outlasts the freeze).
        await new Promise((r) => setTimeout(r, 1000));
        if (unfinished(w) >= 1) return Boolean((victim = w));
        w.child.kill('SIGCONT');
      }
      return false;
    }, 80_000);
    victim!.child.kill('SIGKILL');
    await victim!.exit;
    const inMiddle = unfinished(victim!);
    await waitFor('every run', finished('kill', 6), 100_000);
    for (const w of ws) w.child.kill('SIGTERM');
    await Promise.all(ws.map((w) => w.exit));
    const out = path.join(tmp, 'kill.jsonl');
    await naluOk(['sweep', 'collect', ...q, '--out', out]);
    const rs = records(out);
    expect(rs).toHaveLength(6);
    expect(new Set(rs.map(keyOf)).size).toBe(6);
    const all = ws.map((w) => w.err).join('');
    // Every start was done, but the victim's unfinished ones, each started again elsewhere.
    expect(inMiddle).toBeGreaterThanOrEqual(1);
    expect(count(all, /\] done /g)).toBeGreaterThanOrEqual(6);
    expect(count(all, /\] start /g)).toBeGreaterThanOrEqual(count(all, /\] done /g) + inMiddle);
    expect((await counts('kill')).failed).toBe(0);
  }, 200_000);

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
    await server.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    await server.start();
    await waitFor('every run', finished('crash', 4), 80_000);
    for (const w of ws) w.child.kill('SIGTERM');
    await Promise.all(ws.map((w) => w.exit));
    // Operators see the reconnection, and no data was lost (AOF).
    for (const w of ws) expect(w.err).toMatch(/redis: connected again/);
    expect(ws.map((w) => w.err).join('')).not.toMatch(/data was lost/);
    const out = path.join(tmp, 'crash.jsonl');
    await naluOk(['sweep', 'collect', ...q, '--out', out]);
    const rs = records(out);
    expect(rs).toHaveLength(4);
    expect(new Set(rs.map(keyOf)).size).toBe(4);
  }, 120_000);

  it('an early and a late worker both take work; SIGTERM hands back the run in flight (or ends it) and exits within it', async () => {
    const q = ['--redis', url, '--queue', 'late'];
    const early = nalu(['sweep', 'worker', ...q, ...fast, '--name', 'early']);
    await waitFor('the early worker', () => /taking runs/.test(early.err), 30_000);
    await naluOk(['sweep', 'enqueue', ...q, ...slow, '--seeds', '5']);
    await waitFor('the early worker on a run', () => /start /.test(early.err));
    const late = nalu(['sweep', 'worker', ...q, ...fast, '--name', 'late']);
    await waitFor('the late worker on a run', () => /start /.test(late.err));
    const t0 = Date.now();
    early.child.kill('SIGTERM');
    const r = await early.exit;
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    // Under load the early worker's short run can finish before the signal, so 0 or 1 are in flight.
    expect(early.err, early.err).toMatch(/SIGTERM: handing back [01] run/);
    // The run in flight goes back, unless it finished while being handed back (under load a short
    // run can); either way it is counted once. The next test hands back a run deterministically.
    const afterSignal = early.err.slice(early.err.indexOf('SIGTERM: handing back'));
    if (/handed back .* at step/.test(afterSignal)) expect(count(afterSignal, /\] done /g), early.err).toBe(0);
    else expect(afterSignal, early.err).toMatch(/stopped: \d+ run\(s\) done, 0 handed back/);
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
    const group = ['--task', 'static', '--ops', 'sqrt,add', '--models', 'linear', '--interpolation', '[-1,2.36]', '--iterations', '2e5', '--eval-every', '1000',
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
    const st = await naluOk(['sweep', 'status', '--redis', `redis://sweeper:p%40ss%3Aw@127.0.0.1:${port}`, '--queue', 'twice']);
    expect(st.out).toMatch(/0 waiting, 0 active, 2 completed/);
    const bad = nalu(['sweep', 'status', '--redis', `redis://sweeper:wrong@127.0.0.1:${port}`, '--queue', 'twice']);
    expect((await bad.exit).code).toBe(1);
    expect(bad.err).toMatch(/cannot reach Redis at redis:\/\/sweeper:\*\*\*@/);
  }, 60_000);
});
