#!/usr/bin/env node
// What line 1 of the Quick start (`bash .ci/setup`) downloads on a fresh Debian 12, measured on a
// machine that has it all installed already (README "What it downloads"; installs nothing):
// - apt: `apt-get install --print-uris` of .ci/setup's packages against a dpkg status that holds
//   only a minimal Debian 12 (the archive's Priority: required packages and apt, with their
//   dependencies, as debootstrap's minbase), so apt lists what such a machine would fetch;
// - npm ci: the tarballs of the lock's packages installed here, sized in npm's cache by integrity.
// With --fetch, apt also downloads those packages into a scratch directory (timed, then removed).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const setupPackages = ['cmake', 'g++', 'make', 'libopenblas-openmp-dev']; // .ci/setup's, without recommends
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

function apt(args) {
  const r = spawnSync('apt-get', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}

function aptDownloads() {
  const avail = spawnSync('apt-cache', ['dumpavail'], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout;
  const arch = spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).stdout.trim();
  const stanzas = new Map(); // package → its first stanza of this architecture (or all)
  for (const s of avail.split('\n\n')) {
    const name = /^Package: (\S+)/m.exec(s)?.[1];
    const a = /^Architecture: (\S+)/m.exec(s)?.[1];
    if (name && (a === arch || a === 'all') && !stanzas.has(name)) stanzas.set(name, s);
  }
  const required = [...stanzas].filter(([, s]) => /^Priority: required$/m.test(s)).map(([n]) => n);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-apt-'));
  const status = path.join(tmp, 'status');
  fs.writeFileSync(status, '');
  const opts = (file) => ['-o', `Dir::State::status=${file}`, '-o', `Dir::Cache::archives=${tmp}`, '--no-install-recommends'];
  const base = [...apt(['-s', ...opts(status), 'install', ...required, 'apt']).matchAll(/^Inst (\S+)/gm)].map((m) => m[1]);
  const installed = base.map((p) => stanzas.get(p).replace(/^(Package: .*)$/m, '$1\nStatus: install ok installed'));
  fs.writeFileSync(status, `${installed.join('\n\n')}\n`);
  const uris = apt(['install', '--print-uris', '-y', ...opts(status), ...setupPackages]);
  let fetched = '';
  if (process.argv.includes('--fetch')) {
    fs.mkdirSync(path.join(tmp, 'partial'));
    const t0 = process.hrtime.bigint();
    apt(['install', '--download-only', '-y', '-q', ...opts(status), ...setupPackages]);
    fetched = `; fetched from this machine's mirror in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`;
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const debs = [...uris.matchAll(/^'\S+' \S+ (\d+) /gm)].map((m) => Number(m[1]));
  const disk = /After this operation, (.*) of additional disk space/.exec(uris)?.[1] ?? '?';
  return `apt (${setupPackages.join(' ')}) on a minimal Debian 12 of ${base.length} packages: ` +
    `${debs.length} packages, ${mb(debs.reduce((a, b) => a + b, 0))} to download, ${disk} on disk${fetched}`;
}

function npmDownloads() {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const cache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
  let [all, optional, count, optionalCount] = [0, 0, 0, 0];
  const missing = [];
  for (const [where, p] of Object.entries(lock.packages)) {
    // npm ci installs what fits this platform: the lock's entries present in node_modules here.
    if (!where || !p.integrity || !fs.existsSync(path.join(root, where))) continue;
    const [algo, b64] = p.integrity.split(/\s+/)[0].split('-');
    const hex = Buffer.from(b64, 'base64').toString('hex');
    const file = path.join(cache, '_cacache', 'content-v2', algo, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
    if (!fs.existsSync(file)) {
      missing.push(where);
      continue;
    }
    const size = fs.statSync(file).size;
    all += size;
    count++;
    if (p.optional) {
      optional += size;
      optionalCount++;
    }
  }
  return `npm ci: ${count} packages, ${mb(all)} of tarballs (${optionalCount} optional for this platform, ${mb(optional)})` +
    (missing.length ? `; ${missing.length} not in npm's cache, not counted: ${missing.slice(0, 5).join(', ')}` : '');
}

console.log(aptDownloads());
console.log(npmDownloads());
