// npm run bench [-- --quick] [-- --out DIR]
// Training and inference speed of one NALU layer at the issue's shapes, through the public
// API both ways a user trains (fit: loop in C++; trainOnBatch: one N-API call a step), on 1
// thread and on all cores, against cblas_sgemm peak measured in the same run, TensorFlow.js
// (cpu, wasm) side by side, and the static-task network NAU(100→2)→NMU(2→1) on fresh batches.
// Writes bench/results/latest.json and latest.md (--table-only re-renders the .md from the .json).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { native } from '../lib/binding';
import { NALU, Sequential, setNumThreads, tensor } from '../lib/index';
import { tfjsStepsPerSecond } from './tfjs';

type Shape = [batch: number, inDim: number, outDim: number];
interface Stat {
  median: number;
  min: number;
  max: number;
  reps: number;
}
interface Row {
  shape: Shape;
  threads: number;
  mode: 'train' | 'inference';
  path: 'fit' | 'trainOnBatch' | 'predict';
  stepsPerSec: Stat;
  samplesPerSec: number;
  gflops: number;
  fractionOfPeak: number;
}
interface Ceiling {
  shape: Shape;
  threads: number;
  gflops: Stat;
}

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
// The committed bench/results are rewritten only when asked for (--save or --out DIR).
const save = argv.includes('--save') || argv.includes('--out');
const outDir = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : path.join(__dirname, 'results');
const SHAPES: Shape[] = [
  [128, 10, 1],
  [64, 100, 2],
  [1024, 256, 256],
  [4096, 1024, 1024],
];
const REPS = quick ? 3 : 7;
const REP_SECONDS = quick ? 0.15 : 0.6; // target wall time of one repetition
const cores = os.availableParallelism?.() ?? os.cpus().length;
const THREADS = [...new Set([1, cores])];

function stat(xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], reps: s.length };
}

const rand = (n: number, lo = -1, hi = 1) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * Math.random();
  return a;
};

/**
 * Repeats `run(n)` REPS times, n calibrated to ~REP_SECONDS a repetition; steps/s of each rep.
 * run performs about n steps and returns how many it really ran (or nothing for exactly n).
 */
async function measure(run: (n: number) => number | void | Promise<number | void>, maxSteps: number): Promise<number[]> {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    await run(n);
    const s = (performance.now() - t0) / 1000;
    if (s > REP_SECONDS / 4 || n >= maxSteps) {
      n = Math.max(1, Math.min(maxSteps, Math.round((n * REP_SECONDS) / Math.max(s, 1e-6))));
      break;
    }
    n *= 4;
  }
  const rates: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    const ran = (await run(n)) ?? n;
    rates.push(ran / ((performance.now() - t0) / 1000));
  }
  return rates;
}

function sgemmPeak(threads: number): Stat {
  setNumThreads(threads);
  const n = 2048;
  return stat(native.benchSgemm(n, quick ? 3 : 5).map((s) => (2 * n ** 3) / s / 1e9));
}

/** GFLOP/s of a training step's six products alone (12·B·I·O FLOP, no element-wise work). */
function productsCeiling([B, I, O]: Shape, threads: number): Stat {
  setNumThreads(threads);
  return stat(native.benchStepProducts(B, I, O, quick ? 3 : REPS).map((s) => (12 * B * I * O) / s / 1e9));
}

async function naluRows(shape: Shape, threads: number, peak: number): Promise<Row[]> {
  const [B, I, O] = shape;
  setNumThreads(threads);
  // Only the largest shape (by far the longest steps) is capped at a few steps a
  // repetition; the cap once caught (1024, 256, 256) too, whose fit repetitions were then one
  // 8-step epoch each: a measure of fit's start-up more than of its steps.
  const big = B * I * O > 1 << 26;
  // A data set of several batches (shuffled each epoch) for fit, small enough to stay in cache.
  const batches = Math.max(1, Math.min(64, Math.floor((1 << 21) / (B * Math.max(I, O)))));
  const rows = B * batches;
  const x = tensor(rand(rows * I), [rows, I]);
  const y = tensor(rand(rows * O), [rows, O]);
  const xb = tensor(rand(B * I), [B, I]);
  const yb = tensor(rand(B * O), [B, O]);
  const model = new Sequential([new NALU({ units: O, inputDim: I })]);
  model.compile({ optimizer: 'adam', loss: 'mse' });
  const maxSteps = big ? (quick ? 2 : 6) : 1 << 24;
  const trainFlop = 12 * B * I * O;
  const inferFlop = 6 * B * I * O;
  const out: Row[] = [];
  const row = (mode: Row['mode'], p: Row['path'], rates: number[], flop: number): Row => {
    const s = stat(rates);
    const gflops = (s.median * flop) / 1e9;
    return { shape, threads, mode, path: p, stepsPerSec: s, samplesPerSec: s.median * B, gflops, fractionOfPeak: gflops / peak };
  };
  // fit runs whole epochs: steps are rounded up to a multiple of the batches per epoch.
  out.push(
    row('train', 'fit', await measure(async (n) => {
      const epochs = Math.max(1, Math.ceil(n / batches));
      await model.fit(x, y, { batchSize: B, epochs, seed: 1 });
      return epochs * batches;
    }, maxSteps), trainFlop),
  );
  out.push(
    row('train', 'trainOnBatch', await measure((n) => {
      for (let i = 0; i < n; i++) model.trainOnBatch(xb, yb);
    }, maxSteps), trainFlop),
  );
  out.push(
    row('inference', 'predict', await measure((n) => {
      for (let i = 0; i < n; i++) model.predict(xb);
    }, maxSteps * 3), inferFlop),
  );
  model.dispose();
  return out;
}

/** Peak and per-step RSS of training the largest shape, in a fresh process so nothing else counts. */
// Peak RSS of training the largest shape, in a fresh plain-node process on the built package
// (dist/), as a user's process would run it: no tsx (whose transpiler alone adds ~35 MiB).
function rssChild(): Record<string, number> | { error: string } {
  const [B, I, O] = SHAPES[SHAPES.length - 1];
  const steps = quick ? 4 : 20;
  const script = `
    const fs = require('fs');
    const { NALU, Sequential, tensor } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'cjs', 'index.js'))});
    const hwm = () => Number(/VmHWM:\\s+(\\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    const baseline = process.memoryUsage().rss / 2 ** 20;
    const rand = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = 2 * Math.random() - 1; return a; };
    const x = tensor(rand(${B * I}), [${B}, ${I}]);
    const y = tensor(rand(${B * O}), [${B}, ${O}]);
    const model = new Sequential([new NALU({ units: ${O}, inputDim: ${I} })]);
    model.compile({ optimizer: 'adam', loss: 'mse' });
    model.trainOnBatch(x, y);
    const afterFirst = process.memoryUsage().rss / 2 ** 20;
    model.fit(x, y, { batchSize: ${B}, epochs: ${steps}, seed: 1 }).then(() => {
      const after = process.memoryUsage().rss / 2 ** 20;
      console.log(JSON.stringify({ steps: ${steps + 1}, baselineMiB: baseline, rssAfterFirstStepMiB: afterFirst, rssAfterLastStepMiB: after, peakRssMiB: hwm() }));
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: process.env });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return { error: (r.stderr || line).slice(0, 300) };
  }
}

async function staticTask(): Promise<{ iterationsPerSec: Stat } | { pending: string }> {
  if (!native.layerTypes.includes('nau') || !native.layerTypes.includes('nmu') || !native.runArithmeticTask)
    return { pending: 'NAU/NMU or the native task runner are not in this build' };
  const spec = (iterations: number, seed: number) => ({
    network: {
      inputDim: 100,
      layers: [
        { type: 'nau', units: 2, seed },
        { type: 'nmu', units: 1, seed: seed + 1 },
      ],
      loss: { type: 'mse' },
      optimizer: { type: 'adam', learningRate: 1e-3 },
    },
    task: { op: 'mul' as const, inputSize: 100, subsetRatio: 0.25, overlapRatio: 0.5, interpolation: [[1, 2]] as [number, number][], extrapolation: [[2, 6]] as [number, number][], seed },
    run: { iterations, batchSize: 128, evalEvery: iterations, validationSize: 128, testSize: 128, epsilon: 1e-5, thresholdSamples: 1000, bestWindow: 1, seed },
  });
  const rates = await measure(async (n) => {
    await native.runArithmeticTask(spec(n, 1)).promise;
  }, 1 << 24);
  return { iterationsPerSec: stat(rates) };
}

const fmt = (v: number, d = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '–');
const spread = (s: Stat) => { const d = s.max < 100 ? 2 : 0; return `${fmt(s.min, d)}–${fmt(s.max, d)}`; };

async function main() {
  if (argv.includes('--table-only')) {
    // Re-renders latest.md from latest.json (no measuring).
    const md = markdown(JSON.parse(fs.readFileSync(path.join(outDir, 'latest.json'), 'utf8')));
    fs.writeFileSync(path.join(outDir, 'latest.md'), md);
    return console.log(md);
  }
  const started = Date.now();
  const addon = fs.readFileSync('/proc/self/maps', 'utf8').split('\n').find((l) => l.endsWith('nalu.node'))?.split(/\s+/).pop();
  const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cores, node: process.version, addon };
  console.error(`nalu bench${quick ? ' --quick' : ''}: ${machine.cpu}, ${cores} cores, ${REPS} reps`);
  const peaks: Record<number, Stat> = {};
  const rows: Row[] = [];
  const ceilings: Ceiling[] = [];
  for (const t of THREADS) {
    peaks[t] = sgemmPeak(t);
    console.error(`  sgemm 2048³ on ${t} thread(s): ${fmt(peaks[t].median, 1)} GFLOP/s`);
    for (const s of SHAPES.filter(([b, i, o]) => b * i * o >= 1 << 24)) {
      ceilings.push({ shape: s, threads: t, gflops: productsCeiling(s, t) });
      console.error(`  ${s.join('×')} t${t} products alone: ${fmt(ceilings[ceilings.length - 1].gflops.median, 1)} GFLOP/s`);
    }
    for (const s of SHAPES) {
      const r = await naluRows(s, t, peaks[t].median);
      rows.push(...r);
      for (const x of r) console.error(`  ${s.join('×')} t${t} ${x.path}: ${fmt(x.stepsPerSec.median)} steps/s, ${fmt(x.gflops, 2)} GFLOP/s`);
    }
  }
  setNumThreads(1);
  const task = await staticTask();
  console.error(`  static task: ${JSON.stringify(task)}`);
  const tfShapes = SHAPES.filter(([b, i, o]) => b * i * o <= (quick ? 1 << 14 : 1 << 26));
  const tfjs: { shape: Shape; backend: string; stepsPerSec?: Stat; error?: string }[] = [];
  for (const backend of ['cpu', 'wasm']) {
    for (const s of tfShapes) {
      try {
        const rates = await tfjsStepsPerSecond(backend, s, REPS, REP_SECONDS);
        tfjs.push({ shape: s, backend, stepsPerSec: stat(rates) });
      } catch (e) {
        tfjs.push({ shape: s, backend, error: (e as Error).message.split('\n')[0] });
      }
      console.error(`  tfjs ${backend} ${s.join('×')}: ${JSON.stringify(tfjs[tfjs.length - 1].stepsPerSec ?? tfjs[tfjs.length - 1].error)}`);
    }
  }
  const rss = rssChild();
  console.error(`  rss: ${JSON.stringify(rss)}`);
  const result = { date: new Date().toISOString(), quick, reps: REPS, machine, sgemmPeakGflops: peaks, rows, productsCeiling: ceilings, staticTask: task, tfjs, rss, seconds: (Date.now() - started) / 1000 };
  const md = markdown(result);
  if (save) {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
    fs.writeFileSync(path.join(outDir, 'latest.md'), md);
  } else console.error(`nalu bench: not saved (--save writes ${path.relative(process.cwd(), outDir) || '.'}/latest.json and latest.md)`);
  console.log(md);
}

function markdown(r: {
  machine: { cpu: string; cores: number; node: string };
  quick: boolean;
  reps: number;
  sgemmPeakGflops: Record<number, Stat>;
  rows: Row[];
  productsCeiling?: Ceiling[];
  staticTask: { iterationsPerSec: Stat } | { pending: string };
  tfjs: { shape: Shape; backend: string; stepsPerSec?: Stat; error?: string }[];
  rss: Record<string, number> | { error: string };
}): string {
  const L: string[] = [];
  L.push(`Machine: ${r.machine.cpu}, ${r.machine.cores} vCPU, Node ${r.machine.node}; median of ${r.reps} repetitions (min–max)${r.quick ? ', --quick' : ''}.`);
  L.push(`cblas_sgemm 2048³ peak in this run: ${Object.entries(r.sgemmPeakGflops).map(([t, s]) => `${fmt(s.median, 1)} GFLOP/s on ${t} thread${t === '1' ? '' : 's'}`).join(', ')}.`);
  L.push('');
  L.push('| shape (B, in, out) | threads | mode | path | steps/s (median) | min–max | samples/s | GFLOP/s | % of sgemm peak | vs tfjs cpu | vs tfjs wasm |');
  L.push('| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const x of r.rows) {
    const tf = (b: string) => {
      const t = r.tfjs.find((e) => e.backend === b && e.shape.join() === x.shape.join());
      return x.mode === 'train' && t?.stepsPerSec ? `${fmt(x.stepsPerSec.median / t.stepsPerSec.median, 0)}×` : '';
    };
    L.push(
      `| (${x.shape.join(', ')}) | ${x.threads} | ${x.mode} | ${x.path} | ${fmt(x.stepsPerSec.median, x.stepsPerSec.median < 100 ? 2 : 0)} | ${spread(x.stepsPerSec)} | ${fmt(x.samplesPerSec)} | ${fmt(x.gflops, 2)} | ${fmt(100 * x.fractionOfPeak, 1)} % | ${tf('cpu')} | ${tf('wasm')} |`,
    );
  }
  if (r.productsCeiling?.length) {
    L.push('');
    L.push("The ceiling the matmuls set: the step's six products alone (no element-wise work), through the same sgemm calls, against the same peak; \"step / products\" is the median training step (fit, trainOnBatch) against them:");
    L.push('');
    L.push('| shape (B, in, out) | threads | products GFLOP/s (median) | min–max | % of sgemm peak | step / products |');
    L.push('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const c of r.productsCeiling) {
      const peak = r.sgemmPeakGflops[c.threads].median;
      const steps = r.rows.filter((x) => x.mode === 'train' && x.threads === c.threads && x.shape.join() === c.shape.join());
      const ratio = steps.map((x) => `${fmt((100 * x.gflops) / c.gflops.median, 0)} %`).join(', ');
      L.push(`| (${c.shape.join(', ')}) | ${c.threads} | ${fmt(c.gflops.median, 1)} | ${fmt(c.gflops.min, 1)}–${fmt(c.gflops.max, 1)} | ${fmt((100 * c.gflops.median) / peak, 1)} % | ${ratio} |`);
    }
  }
  L.push('');
  L.push('TensorFlow.js, same NALU training step (Adam, MSE), 1 JS thread:');
  L.push('');
  L.push('| shape | backend | steps/s (median) | min–max |');
  L.push('| --- | --- | ---: | ---: |');
  for (const t of r.tfjs) L.push(`| (${t.shape.join(', ')}) | ${t.backend} | ${t.stepsPerSec ? fmt(t.stepsPerSec.median, 1) : t.error} | ${t.stepsPerSec ? `${fmt(t.stepsPerSec.min, 1)}–${fmt(t.stepsPerSec.max, 1)}` : ''} |`);
  L.push('');
  const st = r.staticTask;
  L.push(
    'iterationsPerSec' in st
      ? `Static task NAU(100→2)→NMU(2→1), batch 128, fresh batch each step (native generation), 1 thread: ${fmt(st.iterationsPerSec.median)} iterations/s (${spread(st.iterationsPerSec)}).`
      : `Static task NAU(100→2)→NMU(2→1): pending (${st.pending}).`,
  );
  const rs = r.rss as Record<string, number>;
  L.push(
    'error' in r.rss
      ? `RSS (4096, 1024, 1024): not measured (${(r.rss as { error: string }).error}).`
      : `RSS training (4096, 1024, 1024) in a fresh plain-node process (${fmt(rs.baselineMiB)} MiB before loading nalu): ${fmt(rs.rssAfterFirstStepMiB)} MiB after step 1, ${fmt(rs.rssAfterLastStepMiB)} MiB after step ${rs.steps}, peak ${fmt(rs.peakRssMiB)} MiB.`,
  );
  return L.join('\n') + '\n';
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
