#!/usr/bin/env node
// What reproducing each shipped experiment costs, from the `seconds` of the runs recorded in
// results/*.jsonl: each planned run costs its steps × the recorded seconds a step of the same task,
// model and operation (else the same task and model, else the task's), in CPU-hours (one run a
// core, as they were recorded) and wall time on N cores. Needs dist/ (npm run build:ts).
//   node scripts/reproduce-cost.js [--cores N[,N…]] [--seeds S] [results.jsonl…]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { tasks } = require('../dist/cjs/index.js');

const root = path.resolve(__dirname, '..');
const { values, positionals } = parseArgs({
  options: { cores: { type: 'string', default: '2' }, seeds: { type: 'string' } },
  allowPositionals: true,
});
const cores = values.cores.split(',').map(Number);
if (!cores.every((n) => Number.isInteger(n) && n >= 1)) throw new RangeError(`--cores: expected positive integers, received '${values.cores}'`);
const seeds = values.seeds === undefined ? undefined : Number(values.seeds);
if (seeds !== undefined && (!Number.isInteger(seeds) || seeds < 1)) throw new RangeError(`--seeds: expected a positive integer, received '${values.seeds}'`);
const files = positionals.length
  ? positionals
  : fs.readdirSync(path.join(root, 'results')).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(root, 'results', f));

// Seconds and steps summed by key, at three levels of detail.
const sums = new Map();
let records = 0;
let recordedSeconds = 0;
for (const file of files)
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    const steps = r.trained ?? r.iterations;
    if (typeof r.seconds !== 'number' || !(steps > 0)) continue;
    records++;
    recordedSeconds += r.seconds;
    for (const key of [`${r.task} ${r.model} ${r.op}`, `${r.task} ${r.model}`, r.task]) {
      const s = sums.get(key) ?? { seconds: 0, steps: 0 };
      s.seconds += r.seconds;
      s.steps += steps;
      sums.set(key, s);
    }
  }

const hours = (s) => s / 3600;
const fmt = (h) => (h >= 100 ? h.toFixed(0) : h >= 10 ? h.toFixed(1) : h.toFixed(2));
const wall = (s, n) => {
  const h = hours(s / n);
  return h >= 48 ? `${(h / 24).toFixed(1)} days` : h >= 1 ? `${h.toFixed(1)} h` : h * 60 >= 1 ? `${(h * 60).toFixed(0)} min` : '< 1 min';
};

console.log(`From ${records} recorded runs (${fmt(hours(recordedSeconds))} CPU-hours) in ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}; wall time one run a core.`);
console.log('');
console.log(`| experiment | runs | CPU-hours | ${cores.map((n) => `wall on ${n} cores`).join(' | ')} | runs priced by: model and op / model / task / none |`);
console.log(`|---|---:|---:|${cores.map(() => '---:|').join('')}---|`);
for (const name of tasks.shippedExperiments()) {
  const e = tasks.loadExperiment(name);
  const plan = tasks.planRuns(seeds === undefined ? e : { ...e, seeds });
  let seconds = 0;
  const by = [0, 0, 0, 0];
  for (const run of plan) {
    const task = run.instance.task;
    const keys = [`${task} ${run.model} ${run.instance.op}`, `${task} ${run.model}`, task];
    const level = keys.findIndex((k) => sums.has(k));
    if (level < 0) {
      by[3]++;
      continue;
    }
    by[level]++;
    const s = sums.get(keys[level]);
    seconds += (run.iterations * s.seconds) / s.steps;
  }
  // An experiment with no priced run has no cost to print, not a cost of zero.
  const cost = by[3] === plan.length ? ['—', ...cores.map(() => '—')] : [fmt(hours(seconds)), ...cores.map((n) => wall(seconds, n))];
  console.log(`| ${name} | ${plan.length} | ${cost.join(' | ')} | ${by.join(' / ')} |`);
}
