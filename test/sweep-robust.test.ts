// nalu sweep against what goes wrong around it, on real Redis servers: jobs that are not planned
// runs or not readable, a misspelt queue or database, a Redis without persistence that restarts,
// a Redis that is down or refuses a worker at SIGTERM, a full disk at collect.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer, count, fast, finished, haveMountNamespace, haveRedis, killChildren, nalu, naluOk, naluRun, records, slow, tiny, waitFor, withQueue } from './helpers/sweep';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-sweep-robust-'));
const server = new RedisServer(path.join(tmp, 'aof'));
/** Debian's default: no append-only file, no snapshots here either. */
const volatile = new RedisServer(path.join(tmp, 'volatile'), ['--appendonly', 'no', '--save', '']);
const noStack = /\n\s+at /;

describe.skipIf(!haveRedis)('nalu sweep when things go wrong', () => {
  beforeAll(async () => {
    await Promise.all([server.start(), volatile.start()]);
  });
  afterAll(async () => {
    killChildren();
    await Promise.all([server.stop(), volatile.stop()]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lets go of jobs whose data is not a planned run: fails them at once, exits when done, collects the rest', async () => {
    const q = ['--redis', server.url, '--queue', 'junk'];
    await naluOk(['sweep', 'enqueue', ...q, ...tiny]);
    await withQueue(server.url, 'junk', (queue) =>
      queue.addBulk([null, {}, 'hello', { instance: null }].map((data, i) => ({ name: `junk${i}`, data, opts: { jobId: `junk-${i}`, attempts: 3, removeOnFail: false } }))),
    );
    const w = nalu(['sweep', 'worker', ...q, ...fast, '--exit-when-done']);
    const r = await Promise.race([w.exit, new Promise<'hung'>((res) => setTimeout(() => res('hung'), 90_000))]);
    expect(r, w.err).toEqual({ code: 0, signal: null });
    expect(count(w.err, /\] done /g)).toBe(4);
    expect(w.err).toMatch(/failed \(not a planned run\) \(attempt 1\): job junk-0: its data is null, not a planned run/);
    expect(w.err).toMatch(/job junk-2: its data is a string, not a planned run/);
    expect(w.err).not.toMatch(/redis: Cannot read|TypeError/);
    const out = path.join(tmp, 'junk.jsonl');
    const c = await naluRun(['sweep', 'collect', ...q, '--out', out]);
    // Failed runs make collect exit 1, not 2 (the code of bad flags).
    expect(c.code, c.err).toBe(1);
    expect(c.err).toMatch(/wrote 4 new record\(s\).* 4 failed/);
    expect(c.err).toMatch(/failed: \(not a planned run\) after 1 attempt\(s\): job junk-1: its data's instance|failed: \(not a planned run\) after 1 attempt\(s\): job junk-1: its data has no instance/);
    expect(records(out)).toHaveLength(4);
  }, 120_000);

  it('names and skips a corrupt job: status and collect go on, collect writes the rest and checks every record', async () => {
    const q = ['--redis', server.url, '--queue', 'corrupt'];
    // Four group jobs (a seed's two runs each).
    await naluOk(['sweep', 'enqueue', ...q, ...tiny, '--seeds', '4']);
    await naluOk(['sweep', 'worker', ...q, ...fast, '--exit-when-done']);
    const ids = await withQueue(server.url, 'corrupt', async (queue) => {
      const ids = await queue.getRanges(['completed'], 0, -1, true);
      const c = await (queue.getBackend() as unknown as { client: Promise<import('ioredis').Redis> }).client;
      // Data that is not JSON; a record that only looks like one; a job whose key is a string.
      await c.hset(queue.toKey(ids[0]), 'data', '{not json');
      await c.hset(queue.toKey(ids[1]), 'returnvalue', JSON.stringify({ task: 'static', seed: 0, success: true }));
      await c.set(queue.toKey('fake'), 'x');
      await c.zadd(queue.toKey('completed'), Date.now(), 'fake');
      return ids;
    });
    const st = await naluRun(['sweep', 'status', ...q]);
    expect(st.code, st.err).toBe(0);
    expect(st.out).toMatch(/5 completed, 0 failed/);
    expect(st.err).toContain(`skipped completed job ${ids[0]} (key bull:corrupt:${ids[0]}): `);
    expect(st.err).toContain('skipped completed job fake (key bull:corrupt:fake): WRONGTYPE');
    const out = path.join(tmp, 'corrupt.jsonl');
    const c = await naluRun(['sweep', 'collect', ...q, '--out', out]);
    expect(c.code, c.err).toBe(1);
    expect(c.err).not.toMatch(noStack);
    expect(c.err).toContain(`skipped completed job ${ids[0]} (key bull:corrupt:${ids[0]}): `);
    expect(c.err).toContain(`skipped completed job ${ids[1]} (key bull:corrupt:${ids[1]}): its return value is not valid run records: op: expected one of`);
    expect(c.err).toMatch(/wrote 4 new record\(s\).*3 job\(s\) skipped/);
    expect(records(out)).toHaveLength(4);
    const s = await naluRun(['summary', out]);
    expect(s.code, s.err).toBe(0);
    expect(s.err).toBe('');
  }, 120_000);

  it("says which key has another program's type, instead of 'cannot reach Redis'", async () => {
    await withQueue(server.url, 'wrongtype', async (queue) => {
      const c = await (queue.getBackend() as unknown as { client: Promise<import('ioredis').Redis> }).client;
      await c.set(queue.toKey('wait'), 'not a list');
    });
    for (const cmd of [['status'], ['collect', '--out', path.join(tmp, 'wt.jsonl')]]) {
      const r = await naluRun(['sweep', ...cmd, '--redis', server.url, '--queue', 'wrongtype']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/queue 'wrongtype': key bull:wrongtype:wait is a string, not the list BullMQ keeps there/);
      expect(r.err).not.toMatch(/cannot reach/);
    }
  }, 60_000);

  it('refuses a database the server does not have, and a queue nothing was enqueued to', async () => {
    for (const cmd of [['status'], ['enqueue', ...tiny], ['worker', ...fast]]) {
      const r = await naluRun(['sweep', ...cmd, '--redis', `${server.url}/99`, '--queue', 'db99']);
      expect(r.code, `${cmd[0]}: ${r.err}`).toBe(2);
      expect(r.err).toMatch(/--redis: database 99 does not exist on this server/);
    }
    // A database it has is fine (and another sweep's place).
    expect((await naluRun(['sweep', 'enqueue', ...tiny, '--redis', `${server.url}/3`, '--queue', 'db3'])).code).toBe(0);
    const missing = path.join(tmp, 'missing.jsonl');
    for (const cmd of [['status'], ['collect', '--out', missing]]) {
      const r = await naluRun(['sweep', ...cmd, '--redis', server.url, '--queue', 'nlau']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/queue 'nlau' does not exist on redis:\/\/127\.0\.0\.1:\d+\/?: nothing was enqueued to it \(is --queue spelt right\?\)/);
    }
    // The other database's queue is not visible in database 0.
    expect((await naluRun(['sweep', 'status', '--redis', server.url, '--queue', 'db3'])).code).toBe(1);
    expect(fs.existsSync(missing)).toBe(false);
  }, 120_000);

  it('warns of a Redis without persistence, and says so when a restart lost the queue', async () => {
    const q = ['--redis', volatile.url, '--queue', 'volatile'];
    const e = await naluOk(['sweep', 'enqueue', ...q, ...slow, '--seeds', '2']);
    expect(e.err).toMatch(/warning: Redis at redis:\/\/127\.0\.0\.1:\d+\/? persists nothing \(appendonly no, save ''\): a restart of Redis loses the whole sweep/);
    const w = nalu(['sweep', 'worker', ...q, ...fast, '--exit-when-done']);
    await waitFor('a run in flight', () => /\] start /.test(w.err));
    expect(w.err).toMatch(/warning: Redis at .* persists nothing/);
    await volatile.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    await volatile.start();
    const r = await Promise.race([w.exit, new Promise<'hung'>((res) => setTimeout(() => res('hung'), 90_000))]);
    expect(w.err).toMatch(/redis: connected again/);
    expect(w.err).toMatch(/the queue's data was lost: .*enqueue the sweep again/);
    expect(r, w.err).toEqual({ code: 1, signal: null });
    const st = await naluRun(['sweep', 'status', ...q]);
    expect(st.code).toBe(1);
    expect(st.err).toMatch(/queue 'volatile' does not exist .* or Redis lost its data/);
    const c = await naluRun(['sweep', 'collect', ...q, '--out', path.join(tmp, 'volatile.jsonl')]);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/queue 'volatile' does not exist/);
  }, 150_000);

  it('stops a worker at SIGTERM while Redis is down, and while Redis refuses it (NOAUTH)', async () => {
    const q = ['--redis', volatile.url, '--queue', 'down'];
    // Long enough to be still in flight when Redis is seen to go, however fast the machine.
    await naluOk(['sweep', 'enqueue', ...q, ...slow, '--iterations', '1e8', '--seeds', '2']);
    const w = nalu(['sweep', 'worker', ...q, ...fast]);
    await waitFor('a run in flight', () => /\] start /.test(w.err));
    await volatile.stop('SIGKILL');
    await waitFor('the worker to see Redis go', () => /redis: .*(ECONNREFUSED|Connection is closed|ECONNRESET)/.test(w.err), 30_000);
    const t0 = Date.now();
    w.child.kill('SIGTERM');
    const r = await Promise.race([w.exit, new Promise<'hung'>((res) => setTimeout(() => res('hung'), 60_000))]);
    expect(r, w.err).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(40_000);
    expect(w.err).toMatch(/Redis is unreachable: exiting without handing back 1 run\(s\); they go back to the queue when their locks expire/);
    await volatile.start();

    // The same server now asks for a password the worker does not give.
    await withQueue(volatile.url, 'down', async (queue) => {
      const c = await (queue.getBackend() as unknown as { client: Promise<import('ioredis').Redis> }).client;
      await c.config('SET', 'requirepass', 'long-secret');
    });
    const refused = nalu(['sweep', 'worker', '--redis', volatile.url, '--queue', 'down', ...fast]);
    await waitFor('the refusal', () => /NOAUTH|refused|exited/i.test(refused.err) || refused.child.exitCode !== null, 30_000);
    refused.child.kill('SIGTERM');
    const r2 = await Promise.race([refused.exit, new Promise<'hung'>((res) => setTimeout(() => res('hung'), 60_000))]);
    expect(r2, refused.err).not.toBe('hung');
    expect(refused.err).toMatch(/NOAUTH/);
    expect(refused.err).not.toMatch(noStack);
  }, 150_000);

  it.skipIf(!haveMountNamespace)('collect on a full disk: one clear line naming the file, no stack trace', async () => {
    const q = ['--redis', server.url, '--queue', 'full'];
    await naluOk(['sweep', 'enqueue', ...q, ...tiny]);
    await naluOk(['sweep', 'worker', ...q, ...fast, '--exit-when-done']);
    await waitFor('every group', finished(server.url, 'full', 2));
    const disk = path.join(tmp, 'disk');
    fs.mkdirSync(disk);
    const full = ['unshare', '-rm', 'sh', '-c', 'mount -t tmpfs -o size=8k tmpfs "$0" && (dd if=/dev/zero of="$0/fill" bs=1k count=64 2>/dev/null; true) && exec "$@"', disk];
    const r = await naluRun(['sweep', 'collect', ...q, '--out', path.join(disk, 'r.jsonl')], full);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/cannot append 4 record\(s\) to .*r\.jsonl: ENOSPC: no space left on device; collect again once it can be written/);
    expect(r.err).not.toMatch(noStack);
  }, 120_000);
});
