#!/usr/bin/env node
// The package's `install` script. Uses the prebuilt binary when it really loads on this machine
// (a child process, so a binary that crashes or needs a newer glibc cannot take npm down with it;
// in this process only where node cannot start a copy of itself, as under qemu without binfmt);
// otherwise, or with `npm install --build-from-source`, builds from source with cmake-js.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const target = `${process.platform}-${process.arch}`;
const prebuild = path.join(root, 'prebuilds', target, 'nalu.node');
const sourceBuild = path.join(root, 'build', 'Release', 'nalu.node');

function isSet(v) {
  return v !== undefined && v !== '' && v !== 'false' && v !== '0';
}

/** Whether this node can start a copy of itself (not so under user-mode emulation without binfmt). */
function canSpawnSelf() {
  const r = spawnSync(process.execPath, ['-p', 'process.arch'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === process.arch;
}

/** Loads a binary in a fresh node; returns null when it works, else why it did not. */
function loadProblem(file) {
  const probe = `const b = require(${JSON.stringify(file)}); if (typeof b.init !== 'function') throw new Error('not a nalu addon');`;
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  if (r.status === 0) return null;
  const where = `${path.relative(root, file)} does not load here`;
  if (!canSpawnSelf()) {
    // No child to isolate the check in: load it here (a missing library throws, it does not crash).
    try {
      if (typeof require(file).init !== 'function') return `${where}: not a nalu addon`;
      return null;
    } catch (e) {
      return `${where}: ${String(e.message).split('\n')[0]}`;
    }
  }
  const why = (r.stderr || '').split('\n').find((l) => /Error|error:/.test(l)) || `exit ${r.status ?? r.signal}`;
  return `${where}: ${why.trim()}`;
}

function prebuildProblem() {
  if (!fs.existsSync(prebuild)) return `no prebuilt binary for ${target}`;
  const problem = loadProblem(prebuild);
  return problem && `the prebuilt binary ${problem}`;
}

function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * In a checkout, a build/ newer than every native source is kept: `npx nalu` in a clone installs
 * the clone into npx's cache, which runs this script again, and must not rebuild (or break) it.
 */
function currentSourceBuild() {
  if (!fs.existsSync(sourceBuild) || !fs.existsSync(path.join(root, 'native'))) return false;
  const sources = Math.max(newestSource(path.join(root, 'native')), fs.statSync(path.join(root, 'CMakeLists.txt')).mtimeMs);
  return fs.statSync(sourceBuild).mtimeMs >= sources && loadProblem(sourceBuild) === null;
}

function onPath(cmd) {
  return (process.env.PATH || '')
    .split(path.delimiter)
    .some((dir) => dir && fs.existsSync(path.join(dir, cmd)));
}

// Debian's multiarch folder of this machine.
const multiarch = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[process.arch] || `${process.arch}-linux-gnu`;

function hasOpenBLAS() {
  const dirs = [
    process.env.OPENBLAS_ROOT && path.join(process.env.OPENBLAS_ROOT, 'include'),
    `/usr/include/${multiarch}/openblas-openmp`,
    `/usr/include/${multiarch}/openblas-pthread`,
    '/usr/include/openblas',
    '/usr/local/include/openblas',
    '/opt/homebrew/opt/openblas/include',
    '/usr/local/opt/openblas/include',
    '/usr/include',
    '/usr/local/include',
  ].filter(Boolean);
  return dirs.some((d) => fs.existsSync(path.join(d, 'cblas.h')));
}

/** What a source build needs that this machine lacks (empty when all seems present). */
function missingForSource() {
  const missing = [];
  let cmakeJs = null;
  try {
    cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  } catch {
    missing.push('the cmake-js package (run `npm install cmake-js node-addon-api` in your project)');
  }
  try {
    require.resolve('node-addon-api');
  } catch {
    missing.push('the node-addon-api package');
  }
  if (!onPath('cmake')) missing.push('cmake (3.15 or newer) on PATH');
  if (!['c++', 'g++', 'clang++'].some(onPath) && !process.env.CXX) missing.push('a C++17 compiler (g++ or clang++) on PATH');
  if (!onPath('make') && !onPath('ninja')) missing.push('make or ninja on PATH');
  if (!hasOpenBLAS()) missing.push('OpenBLAS headers (cblas.h)');
  return { missing, cmakeJs };
}

function help(missing) {
  return (
    'nalu: cannot build the native addon from source.\n' +
    (missing.length ? `Missing:\n  - ${missing.join('\n  - ')}\n` : '') +
    'A source build needs cmake, a C++17 compiler, make (or ninja) and OpenBLAS:\n' +
    '  Debian/Ubuntu: sudo apt-get install cmake g++ make libopenblas-openmp-dev\n' +
    '  Fedora/RHEL:   sudo dnf install cmake gcc-c++ make openblas-devel\n' +
    '  macOS:         brew install cmake openblas libomp\n' +
    'or set OPENBLAS_ROOT to a prefix that has include/cblas.h and lib/libopenblas.*.\n' +
    `Then run \`npm rebuild nalu\`. (Prebuilt binaries exist for linux-x64 and linux-arm64 with glibc 2.34+ and libstdc++ from GCC 11+.)`
  );
}

function buildFromSource() {
  const { missing, cmakeJs } = missingForSource();
  if (!cmakeJs) {
    console.error(help(missing));
    process.exit(1);
  }
  console.log('nalu: building the native addon from source with cmake-js');
  const r = spawnSync(process.execPath, [cmakeJs, 'rebuild'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(help(missing));
    process.exit(1);
  }
}

/** Whether a Node version meets package.json's engines (^20.17.0 || >=22.9.0), which npm only warns about. */
function supportedNode(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return (major === 20 && minor >= 17) || (major === 22 && minor >= 9) || major > 22;
}

function main() {
  if (!supportedNode(process.versions.node)) {
    console.error(`nalu: needs Node ^20.17.0 or >=22.9.0 (package.json engines); this is Node ${process.versions.node}.`);
    process.exit(1);
  }
  if (isSet(process.env.npm_config_build_from_source)) {
    console.log('nalu: --build-from-source is set; not using the prebuilt binary');
    buildFromSource();
  } else if (currentSourceBuild()) {
    console.log('nalu: keeping build/Release/nalu.node (newer than every native source)');
  } else {
    const problem = prebuildProblem();
    if (problem === null) {
      console.log(`nalu: using the prebuilt binary prebuilds/${target}/nalu.node`);
    } else {
      console.log(`nalu: ${problem}; building from source`);
      buildFromSource();
    }
  }
}

if (require.main === module) main();
module.exports = { supportedNode };
