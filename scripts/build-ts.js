#!/usr/bin/env node
// Compiles lib/ to CommonJS (dist/cjs) and adds the ESM entry (dist/esm/index.mjs) that
// re-exports it, so `import` and `require` share one copy of the classes.
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
fs.writeFileSync(
  path.join(dist, 'esm', 'index.mjs'),
  "// ESM entry: the CommonJS build's named exports (one copy of every class).\nexport * from '../cjs/index.js';\n",
);
