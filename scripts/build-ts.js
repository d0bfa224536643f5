#!/usr/bin/env node
// Compiles lib/ to CommonJS (dist/cjs) and adds the ESM entry (dist/esm/index.mjs) that
// re-exports it, so `import` and `require` share one copy of the classes; its types
// (index.d.mts) say the same: the named exports and a default export of them all.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
// The emitted declarations import '../binding' (the native types) relative to dist/cjs.
fs.copyFileSync(path.join(root, 'binding.d.ts'), path.join(dist, 'binding.d.ts'));
fs.mkdirSync(path.join(dist, 'esm'), { recursive: true });
const entry = (what) =>
  `// ESM entry${what}: the CommonJS build's named exports (one copy of every class), and all of\n` +
  "// them as the default export (import nalu from 'nalu').\n" +
  "export * from '../cjs/index.js';\nimport * as nalu from '../cjs/index.js';\nexport default nalu;\n";
fs.writeFileSync(path.join(dist, 'esm', 'index.mjs'), entry(''));
fs.writeFileSync(path.join(dist, 'esm', 'index.d.mts'), entry("'s types"));
// nalu/tfjs: its ESM entry re-exports its CommonJS build the same way.
const tfjsEntry = "// ESM entry of nalu/tfjs: the CommonJS build's exports.\nexport * from '../cjs/tfjs/index.js';\n";
fs.writeFileSync(path.join(dist, 'esm', 'tfjs.mjs'), tfjsEntry);
fs.writeFileSync(path.join(dist, 'esm', 'tfjs.d.mts'), tfjsEntry);
// tsc emits 0644: the bin must stay executable, or `npx nalu` in a clone fails with EACCES.
fs.chmodSync(path.join(dist, 'cjs', 'cli', 'main.js'), 0o755);
