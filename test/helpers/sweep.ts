// Real Redis servers (a free loopback port, a temp dir, stopped by PID) and `nalu` child
// processes for the sweep tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { loadBullmq, redisOptions } from '../../lib/sweep/connection';

export const root = path.resolve(__dirname, '..', '..');
export const haveRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!haveRedis) {
  if (process.env.CI === 'true') throw new Error('sweep tests: redis-server is not installed (CI=true: .ci/setup-ci installs it)');
  // eslint-disable-next-line no-console
  console.warn('sweep tests skipped: redis-server is not installed (apt-get install redis-server)');
}

/** Whether this machine lets a child mount a small tmpfs of its own (unshare -rm). */
export const haveMountNamespace = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=16k tmpfs /mnt']).status === 0;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** A redis-server of the test's own; `args` are its flags beyond port, bind and dir (default: AOF on). */
export class RedisServer {
  port = 0;
  url = '';
  private child: ChildProcess | undefined;
  constructor(
    readonly dir: string,
    readonly args: string[] = ['--appendonly', 'yes', '--save', ''],
  ) {}

  async start(): Promise<void> {
    if (!this.port) {
      this.port = await freePort();
      this.url = `redis://127.0.0.1:${this.port}`;
    }
    fs.mkdirSync(this.dir, { recursive: true });
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--protected-mode', 'yes', ...this.args], {
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
    this.child = child;
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const r = this.child;
    this.child = undefined;
    if (!r || r.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      r.once('exit', () => resolve());
      r.kill(signal);
    });
  }
}

export interface Proc {
  child: ChildProcess;
  out: string;
  err: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];

/** `nalu ARGS` in a child process (through tsx, from the sources); `prefix` runs it through a command (unshare …). */
export function nalu(args: string[], prefix: string[] = []): Proc {
  const cmd = [...prefix, process.execPath, '--import', 'tsx', path.join(root, 'lib/cli/main.ts'), ...args];
  const child = spawn(cmd[0], cmd.slice(1), { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const p: Proc = { child, out: '', err: '', exit: undefined as never };
  child.stdout!.on('data', (d) => (p.out += d));
  child.stderr!.on('data', (d) => (p.err += d));
  p.exit = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return p;
}

export async function naluOk(args: string[]): Promise<Proc> {
  const p = nalu(args);
  const r = await p.exit;
  if (r.code !== 0) throw new Error(`nalu ${args.join(' ')}: exit ${r.code}\n${p.err}`);
  return p;
}

/** `nalu ARGS` to its end: its exit code and output. */
export async function naluRun(args: string[], prefix: string[] = []): Promise<{ code: number | null; out: string; err: string }> {
  const p = nalu(args, prefix);
  const r = await p.exit;
  return { code: r.code, out: p.out, err: p.err };
}

/** SIGKILLs every `nalu` child still running (afterAll). */
export function killChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs of a few seconds each (long enough to be killed in the middle). */
export const slow = ['--task', 'static', '--ops', 'add', '--models', 'linear', '--iterations', '3e4', '--eval-every', '1000', '--threshold-samples', '100', '--batch-size', '64'];
/** Runs of a fraction of a second (4 of them). */
export const tiny = ['--task', 'single-module', '--ops', 'add,mul', '--models', 'nau', '--seeds', '2', '--iterations', '300', '--eval-every', '100', '--threshold-samples', '100', '--interpolation', '[1,2]', '--extrapolation', '[2,6]'];
/** Worker flags for short locks and stalled checks. */
export const fast = ['--lock-seconds', '3', '--stalled-seconds', '1', '--progress-seconds', '0'];

export function records(file: string): Record<string, unknown>[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}
export const keyOf = (r: Record<string, unknown>) => JSON.stringify([r.task, r.op, r.model, r.seed, r.interpolation, r.extrapolation, r.iterations]);
export const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

/** A BullMQ queue on `url` for the test's own looks and edits; closed by `fn`'s end. */
export async function withQueue<T>(url: string, name: string, fn: (q: import('bullmq').Queue) => Promise<T>): Promise<T> {
  const { Queue } = loadBullmq();
  const q = new Queue(name, { connection: redisOptions(url, 'client') as never });
  try {
    return await fn(q);
  } finally {
    await q.close();
  }
}

export function counts(url: string, queue: string) {
  return withQueue(url, queue, (q) => q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'));
}

export const finished = (url: string, queue: string, n: number) => async () => {
  try {
    return (await counts(url, queue)).completed === n;
  } catch {
    return false;
  }
};
