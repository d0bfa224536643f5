#!/usr/bin/env node
// Builds the prebuilt binaries that the npm tarball ships: prebuilds/<platform>-<arch>/nalu.node
// with OpenBLAS linked statically and libgomp.so.1 beside it (found through RUNPATH $ORIGIN),
// then checks that each needs nothing beyond glibc, libstdc++, libgcc_s and the bundled libgomp,
// stays within the glibc floor the README promises, and loads (linux-arm64: under qemu).
//   node scripts/prebuildify.js [linux-x64] [linux-arm64]   (default: both; on an x86-64 host,
//   linux-arm64 is cross-built with cmake/aarch64-linux-gnu.cmake)
// (prebuildify itself only drives node-gyp, so this script drives cmake-js instead.)
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const arm64 = require('./arm64');

const root = path.resolve(__dirname, '..');
const host = `${process.platform}-${process.arch}`;

// The floor the README and install.js state (Ubuntu 22.04, RHEL 9, Debian 12): a binary that
// needs newer versions would fail to load there, so it is refused here.
const FLOOR = { GLIBC: '2.34', GLIBCXX: '3.4.29' };

// Per target: the dynamic loader's name, the tools, and where its libgomp and notices come from.
const TARGETS = {
  'linux-x64': {
    arch: 'x64',
    loader: 'ld-linux-x86-64.so.2',
    strip: 'strip',
    cmakeArgs: [],
    // The one the binary was linked against on this x86-64 host (same GOMP_/OMP_ symbol versions).
    gomp: (built) => {
      const m = /libgomp\.so\.1 => (\S+)/.exec(run('ldd', [built]));
      return m && m[1];
    },
    notices: [
      ['OpenBLAS', '/usr/share/doc/libopenblas0-openmp/copyright'],
      ['libgomp', '/usr/share/doc/libgomp1/copyright'],
    ],
    hosts: ['linux-x64'],
  },
  'linux-arm64': {
    arch: 'arm64',
    loader: 'ld-linux-aarch64.so.1',
    strip: process.arch === 'arm64' ? 'strip' : 'aarch64-linux-gnu-strip',
    cmakeArgs: process.arch === 'arm64' ? [] : [`--CDCMAKE_TOOLCHAIN_FILE=${path.join(root, 'cmake', 'aarch64-linux-gnu.cmake')}`],
    // Debian's own arm64 runtime (libgomp1:arm64), the copy an arm64 Debian 12 machine has; its
    // symbol versions are checked against what nalu.node needs below.
    gomp: () => '/usr/lib/aarch64-linux-gnu/libgomp.so.1',
    // Multiarch packages of one version share /usr/share/doc/<package>/.
    notices: [
      ['OpenBLAS', '/usr/share/doc/libopenblas0-openmp/copyright'],
      ['libgomp', '/usr/share/doc/libgomp1/copyright'],
    ],
    hosts: ['linux-arm64', 'linux-x64'],
  },
};

function fail(msg) {
  console.error(`prebuildify: ${msg}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
}

const byVersion = (a, b) => a.localeCompare(b, undefined, { numeric: true });

/** readelf -V: the versions a file needs, per library, and the ones it defines. */
function symbolVersions(file) {
  const out = run('readelf', ['-V', '-W', file]);
  const needs = {};
  const defines = new Set();
  let section = null;
  let lib = null;
  for (const line of out.split('\n')) {
    if (/^Version needs section/.test(line)) section = 'needs';
    else if (/^Version definition section/.test(line)) section = 'defs';
    else if (/^Version symbols section/.test(line)) section = null;
    const file = /File: (\S+)/.exec(line);
    if (section === 'needs' && file) (lib = file[1]), (needs[lib] ??= []);
    const name = /Name: (\S+)/.exec(line);
    if (section === 'needs' && name && lib) needs[lib].push(name[1]);
    const def = /Rev: \d+\s+Flags: \S+\s+Index: \d+\s+Cnt: \d+\s+Name: (\S+)/.exec(line);
    if (section === 'defs' && def) defines.add(def[1]);
  }
  return { needs, defines };
}

/** The highest PREFIX_x.y any of the `needs` maps requires. */
function highest(prefix, ...needsMaps) {
  const vs = needsMaps.flatMap((n) => Object.values(n).flat()).filter((v) => v.startsWith(`${prefix}_`));
  return vs.map((v) => v.slice(prefix.length + 1)).sort(byVersion).pop();
}

/** Loads the addon in a fresh node of its arch; returns the shared objects mapped into it. */
function loadCheck(t, node) {
  const probe =
    `const b = require(${JSON.stringify(node)}); if (typeof b.init !== 'function') throw new Error('no init export');` +
    "const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');" +
    "console.log(JSON.stringify([...new Set(maps.split('\\n').map((l) => l.split(/\\s+/)[5]).filter((p) => p && /\\.so|\\.node/.test(p)))]));";
  let out;
  if (t.arch === process.arch) {
    out = run(process.execPath, ['-e', probe]);
  } else {
    const problem = arm64.qemuProblem();
    if (problem) fail(`cannot load-check ${t.name} under qemu: ${problem}`);
    const r = arm64.runArm64Node(['-e', probe], { cwd: root });
    if (r.status !== 0) fail(`${t.name}/nalu.node does not load under ${arm64.QEMU} (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
    out = r.stdout;
  }
  return JSON.parse(out.trim().split('\n').pop());
}

function build(name) {
  const t = { ...TARGETS[name], name };
  if (!t.hosts.includes(host)) fail(`${name} is not built on ${host} (it is built on ${t.hosts.join(', ')})`);
  const outDir = path.join(root, 'prebuilds', name);
  // Never build/: that is the from-source build the README and the tests load.
  const buildDir = path.join(root, t.arch === process.arch ? 'build-prebuild' : `build-prebuild-${t.arch}`);
  const cross = t.arch !== process.arch;
  if (cross && process.arch === 'x64') {
    const missing = [];
    if (!fs.existsSync('/usr/bin/aarch64-linux-gnu-g++')) missing.push('aarch64-linux-gnu-g++');
    if (!fs.existsSync('/usr/lib/aarch64-linux-gnu/openblas-openmp/libopenblas.a')) missing.push('libopenblas.a for arm64');
    if (!fs.existsSync(t.gomp())) missing.push('libgomp.so.1 for arm64');
    if (missing.length) {
      fail(
        `cannot cross-build ${name}: missing ${missing.join(', ')}.\n` +
          `  Debian/Ubuntu: dpkg --add-architecture arm64 && apt-get update && apt-get install ${arm64.APT}\n` +
          '  or pack the host target only: node scripts/prebuildify.js linux-x64',
      );
    }
  }

  console.log(`prebuildify: building ${name}${cross ? ' (cross)' : ''} with static OpenBLAS in ${path.relative(root, buildDir)}/`);
  const t0 = Date.now();
  run(
    process.execPath,
    [require.resolve('cmake-js/bin/cmake-js'), 'rebuild', '--arch', t.arch, '--out', buildDir, '--CDNALU_STATIC_OPENBLAS=ON', ...t.cmakeArgs],
    { stdio: 'inherit' },
  );
  const built = path.join(buildDir, 'Release', 'nalu.node');
  if (!fs.existsSync(built)) fail(`cmake-js finished but ${built} is missing`);
  const gomp = t.gomp(built);
  if (!gomp || !fs.existsSync(gomp)) fail(`no libgomp.so.1 for ${name} (the build does not link it, or it is not installed)`);

  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const node = path.join(outDir, 'nalu.node');
  const bundledGomp = path.join(outDir, 'libgomp.so.1');
  fs.copyFileSync(built, node);
  fs.copyFileSync(fs.realpathSync(gomp), bundledGomp);
  run(t.strip, ['--strip-unneeded', node]);

  // Licence notices of what the binary contains: OpenBLAS (BSD-3-Clause, linked in) and libgomp
  // (GPL-3 with the GCC Runtime Library Exception, shipped beside it). Debian keeps them here.
  let noticeText =
    "nalu.node links OpenBLAS statically; libgomp.so.1 is GCC's OpenMP runtime, shipped unmodified.\n" +
    'Their licence notices follow.\n';
  for (const [what, file] of t.notices) {
    if (!fs.existsSync(file)) fail(`no licence notice for ${what} at ${file}`);
    noticeText += `\n===== ${what} (${file}) =====\n\n${fs.readFileSync(file, 'utf8')}`;
  }
  fs.writeFileSync(path.join(outDir, 'THIRD-PARTY-NOTICES'), noticeText);

  // --- checks: dependencies, RUNPATH, private OpenBLAS, symbol versions, and that it loads ---
  const dyn = run('readelf', ['-d', '-W', node]);
  const needed = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  const allowed = new Set(['libc.so.6', 'libm.so.6', t.loader, 'libstdc++.so.6', 'libgcc_s.so.1', 'libgomp.so.1']);
  const extra = needed.filter((n) => !allowed.has(n));
  if (extra.length) fail(`${name}: unexpected dependencies: ${extra.join(', ')}`);
  if (!needed.includes('libgomp.so.1')) fail(`${name}: nalu.node does not need libgomp.so.1, so the bundled copy is pointless`);
  const runpath = /\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]/.exec(dyn);
  if (!runpath || runpath[1] !== '$ORIGIN') fail(`${name}: RUNPATH is ${runpath ? runpath[1] : 'missing'}, not $ORIGIN`);

  // Defined global symbols of the dynamic table (readelf reads any ELF, objdump only its host's).
  const dynsyms = run('readelf', ['--dyn-syms', '-W', node]);
  const exported = dynsyms
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && /^\d+:$/.test(f[0]) && f[4] === 'GLOBAL' && f[6] !== 'UND')
    .map((f) => f[7].replace(/@.*/, ''));
  const leaked = exported.filter((s) => /cblas_|openblas_|^[sdcz]gemm/.test(s));
  if (leaked.length) fail(`${name}: OpenBLAS symbols are exported: ${leaked.slice(0, 5).join(', ')}`);
  if (!exported.includes('napi_register_module_v1')) fail(`${name}: napi_register_module_v1 is not exported`);

  // The bundled libgomp must define every GOMP_/OMP_ version the binary was linked with.
  const mine = symbolVersions(node);
  const theirs = symbolVersions(bundledGomp);
  const unmet = (mine.needs['libgomp.so.1'] || []).filter((v) => !theirs.defines.has(v));
  if (unmet.length) fail(`${name}: the bundled libgomp.so.1 lacks ${unmet.join(', ')}`);

  // The floor is that of both files: the bundled libgomp needs a newer glibc than nalu.node may.
  const glibc = highest('GLIBC', mine.needs, theirs.needs);
  const glibcxx = highest('GLIBCXX', mine.needs, theirs.needs);
  for (const [prefix, v] of [['GLIBC', glibc], ['GLIBCXX', glibcxx]]) {
    if (v && byVersion(v, FLOOR[prefix]) > 0) fail(`${name}: needs ${prefix}_${v}, above the promised floor ${prefix}_${FLOOR[prefix]}`);
  }

  // Load it in a fresh process so a broken binary fails here, not in a user's npm install; the
  // libraries mapped show that libgomp resolves to the bundled copy and no OpenBLAS is loaded.
  const libs = loadCheck(t, node);
  if (!libs.includes(node)) fail(`${name}: the load check did not map ${node}:\n${libs.join('\n')}`);
  const gomps = libs.filter((l) => /libgomp/.test(l));
  if (gomps.length !== 1 || gomps[0] !== bundledGomp) fail(`${name}: libgomp does not resolve to the bundled copy:\n${gomps.join('\n')}`);
  if (libs.some((l) => /openblas/i.test(l))) fail(`${name}: a shared OpenBLAS is loaded:\n${libs.join('\n')}`);

  const size = (f) => `${(fs.statSync(path.join(outDir, f)).size / 1048576).toFixed(1)} MiB`;
  console.log(
    `prebuildify: ${path.relative(root, outDir)}/nalu.node (${size('nalu.node')}) + libgomp.so.1 (${size('libgomp.so.1')}), built in ${((Date.now() - t0) / 1000).toFixed(0)} s\n` +
      `  needs: ${needed.join(', ')}\n` +
      `  RUNPATH $ORIGIN; exports: ${exported.join(', ')}\n` +
      `  floor (nalu.node + libgomp.so.1): GLIBC_${glibc}${glibcxx ? `, GLIBCXX_${glibcxx}` : ''} (allowed: GLIBC_${FLOOR.GLIBC}, GLIBCXX_${FLOOR.GLIBCXX})\n` +
      `  loads${cross ? ` under ${arm64.QEMU}` : ''}: ${libs.filter((l) => l.startsWith(outDir)).map((l) => path.relative(root, l)).join(', ')}`,
  );
}

if (process.platform !== 'linux') {
  fail(`prebuilds are made on Linux only (this is ${host}); elsewhere npm install builds from source.`);
}
const wanted = process.argv.slice(2);
for (const name of wanted) if (!TARGETS[name]) fail(`unknown target ${name} (known: ${Object.keys(TARGETS).join(', ')})`);
for (const name of wanted.length ? wanted : Object.keys(TARGETS)) build(name);
