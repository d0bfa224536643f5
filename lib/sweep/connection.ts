// Redis for `nalu sweep`: URLs parsed into ioredis options (password/ACL user, TLS, unix
// sockets), and BullMQ loaded on demand, so that nothing else in nalu needs it installed.
import type { RedisOptions } from 'ioredis';
import { UsageError } from '../cli/args';

/** What to install when the optional packages are missing (kept in step with package.json). */
export const sweepPackages = ['bullmq@^6.7.0', 'ioredis@^5.11.1'];

/** BullMQ, required here (never at the top of a module): `nalu sweep` is its only user. */
export function loadBullmq(names = ['bullmq', 'ioredis']): typeof import('bullmq') {
  for (const n of names) {
    try {
      require.resolve(n);
    } catch {
      throw new UsageError(`needs the optional packages bullmq and ioredis: npm install ${sweepPackages.join(' ')}`);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(names[0]) as typeof import('bullmq');
}

/** The URL with its password replaced by ***, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * ioredis options of a Redis URL: redis://[user[:password]@]host[:port][/db], rediss://… (TLS;
 * the server's certificate is checked against the system's CAs and NODE_EXTRA_CA_CERTS),
 * unix:///path/to/redis.sock[?db=N&password=…]. A worker's connection retries forever and never
 * fails a command (BullMQ's requirement); the other commands' give up after a few tries.
 */
export function redisOptions(url: string, role: 'worker' | 'client'): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--redis: expected a URL such as redis://127.0.0.1:6379, received '${url}'`);
  }
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new UsageError(`--redis: bad percent-encoding in the user or password of ${redactUrl(url)}`);
    }
  };
  const o: RedisOptions = {};
  const db = (s: string | null, where: string) => {
    if (s === null || s === '') return;
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0 || n > 1 << 16) throw new UsageError(`--redis: ${where}: expected a database number, received '${s}'`);
    o.db = n;
  };
  const username = u.username ? dec(u.username) : u.searchParams.get('username') ?? undefined;
  const password = u.password ? dec(u.password) : u.searchParams.get('password') ?? undefined;
  if (username) o.username = username;
  if (password) o.password = password;
  if (u.protocol === 'unix:' || u.protocol === 'redis+unix:') {
    if (!u.pathname || u.pathname === '/') throw new UsageError(`--redis: ${redactUrl(url)}: expected the socket's path, e.g. unix:///run/redis/redis.sock`);
    o.path = decodeURIComponent(u.pathname);
    db(u.searchParams.get('db'), 'db');
  } else if (u.protocol === 'redis:' || u.protocol === 'rediss:') {
    if (!u.hostname) throw new UsageError(`--redis: ${redactUrl(url)}: no host`);
    o.host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    o.port = u.port ? Number(u.port) : 6379;
    db(u.pathname.replace(/^\//, '') || u.searchParams.get('db'), 'the path (database)');
    if (u.protocol === 'rediss:') o.tls = { servername: o.host };
  } else {
    throw new UsageError(`--redis: unknown scheme '${u.protocol}' in ${redactUrl(url)}, expected redis:, rediss: or unix:`);
  }
  if (role === 'worker') {
    o.maxRetriesPerRequest = null;
    // Through a Redis restart: retry every ≤ 2 s, forever; commands wait for the connection.
    o.retryStrategy = (times) => Math.min(200 * times, 2000);
  } else {
    o.maxRetriesPerRequest = 2;
    o.connectTimeout = 10_000;
    o.retryStrategy = (times) => (times > 3 ? null : 300 * times);
  }
  return o;
}
