#!/usr/bin/env node
// Puts bench/results/latest.md into the README's Speed section, between its two markers, so the
// section is always one bench run as written (npm run bench -- --save, then this).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const readmePath = path.join(root, 'README.md');
const table = fs.readFileSync(path.join(root, 'bench', 'results', 'latest.md'), 'utf8').trim();
const [begin, end] = ['<!-- bench:begin -->', '<!-- bench:end -->'];
const readme = fs.readFileSync(readmePath, 'utf8');
const i = readme.indexOf(begin);
const j = readme.indexOf(end);
if (i < 0 || j < i) {
  console.error(`readme-speed: README.md has no ${begin} … ${end} section`);
  process.exit(1);
}
fs.writeFileSync(readmePath, `${readme.slice(0, i + begin.length)}\n${table}\n${readme.slice(j)}`);
console.log('readme-speed: README.md Speed section = bench/results/latest.md');
