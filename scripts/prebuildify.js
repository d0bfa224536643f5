#!/usr/bin/env node
// Builds the prebuilt binary that the npm tarball ships: prebuilds/<platform>-<arch>/nalu.node
// with OpenBLAS linked statically and libgomp.so.1 beside it (found through RUNPATH $ORIGIN),
// then checks that it needs nothing beyond glibc, libstdc++, libgcc_s and the bundled libgomp.
// (prebuildify itself only drives node-gyp, so this script drives cmake-js instead.)
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const target = `${process.platform}-${process.arch}`;
const outDir = path.join(root, 'prebuilds', target);
// Never build/: that is the from-source build the README and the tests load.
const buildDir = path.join(root, 'build-prebuild');

// Libraries a user's Linux machine has anyway (glibc, the C++ runtime) plus the one we bundle.
const ALLOWED_NEEDED = new Set([
  'libc.so.6',
  'libm.so.6',
  'ld-linux-x86-64.so.2',
  'libstdc++.so.6',
  'libgcc_s.so.1',
  'libgomp.so.1',
]);

function fail(msg) {
  console.error(`prebuildify: ${msg}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { cwd: root, encoding: 'utf8', ...opts });
}

if (process.platform !== 'linux') {
  fail(`prebuilds are made on Linux only (this is ${target}); elsewhere npm install builds from source.`);
}

console.log(`prebuildify: building ${target} with static OpenBLAS in ${path.relative(root, buildDir)}/`);
run(
  process.execPath,
  [require.resolve('cmake-js/bin/cmake-js'), 'rebuild', '--out', buildDir, '--CDNALU_STATIC_OPENBLAS=ON'],
  { stdio: 'inherit' },
);
const built = path.join(buildDir, 'Release', 'nalu.node');
if (!fs.existsSync(built)) fail(`cmake-js finished but ${built} is missing`);

// The libgomp the binary was linked against is the one to ship (same GOMP_/OMP_ symbol versions).
const lddOut = run('ldd', [built]);
const gomp = /libgomp\.so\.1 => (\S+)/.exec(lddOut);
if (!gomp) fail(`the build does not link libgomp.so.1 (ldd says:\n${lddOut})`);

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
const node = path.join(outDir, 'nalu.node');
fs.copyFileSync(built, node);
fs.copyFileSync(fs.realpathSync(gomp[1]), path.join(outDir, 'libgomp.so.1'));
run('strip', ['--strip-unneeded', node]);

// Licence notices of what the binary contains: OpenBLAS (BSD-3-Clause, linked in) and libgomp
// (GPL-3 with the GCC Runtime Library Exception, shipped beside it). Debian keeps them here.
const notices = [
  ['OpenBLAS', '/usr/share/doc/libopenblas0-openmp/copyright'],
  ['libgomp', '/usr/share/doc/libgomp1/copyright'],
];
let noticeText =
  "nalu.node links OpenBLAS statically; libgomp.so.1 is GCC's OpenMP runtime, shipped unmodified.\n" +
  'Their licence notices follow.\n';
for (const [name, file] of notices) {
  if (!fs.existsSync(file)) fail(`no licence notice for ${name} at ${file}`);
  noticeText += `\n===== ${name} (${file}) =====\n\n${fs.readFileSync(file, 'utf8')}`;
}
fs.writeFileSync(path.join(outDir, 'THIRD-PARTY-NOTICES'), noticeText);

// --- checks: dependencies, RUNPATH, private OpenBLAS, and that it really loads ---
const dyn = run('readelf', ['-d', node]);
const needed = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
const extra = needed.filter((n) => !ALLOWED_NEEDED.has(n));
if (extra.length) fail(`unexpected dependencies: ${extra.join(', ')}`);
const runpath = /\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]/.exec(dyn);
if (!runpath || runpath[1] !== '$ORIGIN') fail(`RUNPATH is ${runpath ? runpath[1] : 'missing'}, not $ORIGIN`);

const lddShip = run('ldd', [node]);
if (/libopenblas/.test(lddShip)) fail(`the binary still needs a shared OpenBLAS:\n${lddShip}`);
const shippedGomp = /libgomp\.so\.1 => (\S+)/.exec(lddShip);
if (!shippedGomp || path.dirname(shippedGomp[1]) !== outDir) {
  fail(`libgomp.so.1 does not resolve to the bundled copy:\n${lddShip}`);
}

const dynsyms = run('objdump', ['-T', node]);
const exported = dynsyms
  .split('\n')
  .filter((l) => /\sg\s/.test(l) && !l.includes('*UND*'))
  .map((l) => l.trim().split(/\s+/).pop());
const leaked = exported.filter((s) => /cblas_|openblas_|^[sdcz]gemm/.test(s));
if (leaked.length) fail(`OpenBLAS symbols are exported: ${leaked.slice(0, 5).join(', ')}`);

// Load it in a fresh process so a broken binary fails here, not in a user's npm install.
run(process.execPath, ['-e', `const b = require(${JSON.stringify(node)}); if (typeof b.init !== 'function') throw new Error('no init export');`]);

const versions = (re) =>
  [...new Set([...dynsyms.matchAll(re)].map((m) => m[1]))].sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
// The floor is that of both files: the bundled libgomp needs a newer glibc than nalu.node may.
const gompSyms = run('objdump', ['-T', path.join(outDir, 'libgomp.so.1')]);
const glibc = [...new Set([...`${dynsyms}\n${gompSyms}`.matchAll(/\(GLIBC_([0-9.]+)\)/g)].map((m) => m[1]))]
  .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
  .pop();
const glibcxx = versions(/\(GLIBCXX_([0-9.]+)\)/g).pop();
const size = (f) => `${(fs.statSync(path.join(outDir, f)).size / 1048576).toFixed(1)} MiB`;
console.log(
  `prebuildify: ${path.relative(root, outDir)}/nalu.node (${size('nalu.node')}) + libgomp.so.1 (${size('libgomp.so.1')})\n` +
    `  needs: ${needed.join(', ')}\n` +
    `  RUNPATH $ORIGIN; exports: ${exported.join(', ')}\n` +
    `  floor (nalu.node + libgomp.so.1): GLIBC_${glibc}${glibcxx ? `, GLIBCXX_${glibcxx}` : ''}`,
);
