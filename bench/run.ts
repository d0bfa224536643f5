// npm run bench [-- --quick] [-- --save | --out DIR] [-- --table-only] [-- --discover | --fused-only | --conv-only (that section alone)]
// Training and inference speed of one NALU layer at the issue's shapes, through the public
// API both ways a user trains (fit: loop in C++, at 1 batch an epoch (the seed's pattern) and at
// many; trainOnBatch: one N-API call a step), on 1 thread and on all cores, against cblas_sgemm
// peak and a limit from this core's own FMA rate and copy bandwidth (native benchCore), all in the
// same run, with PyTorch (bench/torch_peer.py) and TensorFlow.js (cpu, wasm) side by side, and the
// static-task network NAU(100→2)→NMU(2→1) on fresh batches.
// Writes bench/results/latest.json and latest.md (--table-only re-renders the .md from the .json).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { native } from '../lib/binding';
import type { NativeStepProfile } from '../binding';
import { NALU, Sequential, setNumThreads, tensor } from '../lib/index';
import { discoverBench, discoverSection, type DiscoverBench } from './discover';
import { loadExperiment, plannedOptions, planRuns } from '../lib/tasks/experiment';
import { prepareRun, type PreparedRun } from '../lib/tasks/run';
import { tfjsStepsPerSecond } from './tfjs';
import { convBench, convSection, type ConvBench } from './conv';

type Shape = [batch: number, inDim: number, outDim: number];
interface Stat {
  median: number;
  min: number;
  max: number;
  reps: number;
}
/** The best this core could do (see limitText): 1 / max(F / FMA rate, D / copy bandwidth) × threads. */
interface Limit {
  perSec: number;
  bound: 'F' | 'D';
  fmaPerStep: number;
  bytesPerStep: number;
  workingSetBytes: number;
}
interface Row {
  shape: Shape;
  threads: number;
  mode: 'train' | 'inference';
  path: 'fit' | 'trainOnBatch' | 'predict';
  /** fit only: batches an epoch (1: the seed's pattern, the whole data one batch an epoch). */
  batchesPerEpoch?: number;
  stepsPerSec: Stat;
  /** Steps per CPU-second of the whole process (all threads), which time slicing by the host does not lower. */
  stepsPerCpuSecond?: Stat;
  samplesPerSec: number;
  gflops: number;
  fractionOfPeak: number;
  limit?: Limit;
}
interface Ceiling {
  shape: Shape;
  threads: number;
  gflops: Stat;
}
type Pattern = 'one' | 'many';
interface TorchCase {
  shape: Shape;
  pattern: Pattern;
  batches?: number;
  rates: number[];
  /** Steps per CPU-second of the Python process. */
  cpuRates?: number[];
}
type TorchRun = { threads: number; torch: string; python: string; results: TorchCase[] } | { threads: number; error: string };
interface Core {
  clockHz: Stat;
  fma: { isa: string; perSec: Stat }[];
  /** Copy bandwidth (bytes read + written per CPU-second) over buffers of these sizes. */
  copy: { bytes: number; perSec: Stat }[];
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
const isSmall = ([b, i, o]: Shape) => b * i * o <= 1 << 14;
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

/** Batches an epoch of fit's many-batch rows: up to 64, the data set small enough to stay in cache. */
const batchesFor = ([B, I, O]: Shape) => Math.max(1, Math.min(64, Math.floor((1 << 21) / (B * Math.max(I, O)))));

type Run = (n: number) => number | void | Promise<number | void>;

interface Rates {
  wall: number[];
  cpu: number[];
}
/**
 * Calibrates each run to ~REP_SECONDS a repetition, then times REPS repetitions of each, the runs
 * alternated so that a slow spell of the shared host falls on all of them; steps per second and
 * per CPU-second of the process, each rep. run performs about n steps and returns how many it
 * really ran (or nothing for exactly n).
 */
async function measureAlternating(runs: Run[], maxSteps: number): Promise<Rates[]> {
  const ns: number[] = [];
  for (const run of runs) {
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
    ns.push(n);
  }
  const rates: Rates[] = runs.map(() => ({ wall: [], cpu: [] }));
  for (let r = 0; r < REPS; r++) {
    for (let k = 0; k < runs.length; k++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const ran = (await runs[k](ns[k])) ?? ns[k];
      const wall = (performance.now() - t0) / 1000, c = process.cpuUsage(c0);
      rates[k].wall.push(ran / wall);
      rates[k].cpu.push(ran / ((c.user + c.system) / 1e6));
    }
  }
  return rates;
}
const measure = async (run: Run, maxSteps: number) => (await measureAlternating([run], maxSteps))[0];

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

// --- The core's own rates, for the limit column ---
const PROBE_REPS = quick ? 3 : 5;
const core: Core = { clockHz: { median: NaN, min: NaN, max: NaN, reps: 0 }, fma: [], copy: [] };
function probeCore(): void {
  core.clockHz = stat(native.benchCore('clock', PROBE_REPS));
  for (const isa of ['fma512', 'fma256', 'fma'] as const) {
    try {
      core.fma.push({ isa, perSec: stat(native.benchCore(isa, PROBE_REPS)) });
    } catch (e) {
      if (!(e instanceof RangeError)) throw e; // the CPU lacks these vectors
    }
  }
}
const bestFma = (c: Core) => c.fma.reduce((a, b) => (b.perSec.median > a.perSec.median ? b : a));
// Working sets beyond 64 MiB all stream from memory; the probe stops there.
const probeBytes = (ws: number) => Math.min(64 << 20, Math.max(4096, Math.ceil(ws / 512) * 512));
function copyRate(c: Core, workingSet: number): number {
  const bytes = probeBytes(workingSet);
  let e = c.copy.find((x) => x.bytes === bytes);
  if (!e) c.copy.push((e = { bytes, perSec: stat(native.benchCore('copy', PROBE_REPS, bytes)) }));
  return e.perSec.median;
}
function limit(c: Core, fmaPerStep: number, bytesPerStep: number, workingSetBytes: number, threads: number): Limit {
  const tF = fmaPerStep / bestFma(c).perSec.median, tD = bytesPerStep / copyRate(c, workingSetBytes);
  return { perSec: threads / Math.max(tF, tD), bound: tF >= tD ? 'F' : 'D', fmaPerStep, bytesPerStep, workingSetBytes };
}
/** A NALU training step: the six products; the gather of a batch and Adam on 3·I·O weights. */
function trainLimit(c: Core, [B, I, O]: Shape, batchesPerEpoch: number, threads: number): Limit {
  const row = 2 * I + O; // x, log(|x| + ε) and y, as fit's copy of the data holds them
  return limit(c, 6 * B * I * O, 4 * (2 * B * row + 7 * 3 * I * O), 4 * (B * batchesPerEpoch * row + B * row + 4 * 3 * I * O), threads);
}
/** NAU(100→2)→NMU(2→1) at batch 128: the NAU's two products; the generated batch and Adam. */
function staticLimit(c: Core): Limit {
  const [B, I, O] = [128, 100, 2], weights = I * O + O;
  return limit(c, 2 * B * I * O, 4 * (B * (I + 1) + 2 * B * I + 7 * weights), 4 * (B * (I + 1) + 4 * weights), 1);
}

async function naluRows(shape: Shape, threads: number, peak: number): Promise<Row[]> {
  const [B, I, O] = shape;
  setNumThreads(threads);
  // Only the largest shape (by far the longest steps) is capped at a few steps a
  // repetition; the cap once caught (1024, 256, 256) too, whose fit repetitions were then one
  // 8-step epoch each: a measure of fit's start-up more than of its steps.
  const big = B * I * O > 1 << 26;
  // A data set of several batches (shuffled each epoch) for fit, small enough to stay in cache.
  const batches = batchesFor(shape);
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
  const row = (mode: Row['mode'], p: Row['path'], rates: Rates, flop: number, batchesPerEpoch?: number): Row => {
    const s = stat(rates.wall);
    const gflops = (s.median * flop) / 1e9;
    const r: Row = { shape, threads, mode, path: p, stepsPerSec: s, stepsPerCpuSecond: stat(rates.cpu), samplesPerSec: s.median * B, gflops, fractionOfPeak: gflops / peak };
    if (batchesPerEpoch !== undefined) r.batchesPerEpoch = batchesPerEpoch;
    if (mode === 'train') r.limit = trainLimit(core, shape, batchesPerEpoch ?? 1, threads);
    return r;
  };
  // fit runs whole epochs: steps are rounded up to a multiple of the batches per epoch. At the
  // small shapes fit also runs the seed's pattern (the whole data one batch an epoch), alternated
  // with the many-batch fit so that their difference, the epoch's own cost, is measured side by side.
  const fitMany: Run = async (n) => {
    const epochs = Math.max(1, Math.ceil(n / batches));
    await model.fit(x, y, { batchSize: B, epochs, seed: 1 });
    return epochs * batches;
  };
  const fitOne: Run = async (n) => {
    await model.fit(xb, yb, { batchSize: B, epochs: n, seed: 1 });
  };
  if (isSmall(shape)) {
    const [many, one] = await measureAlternating([fitMany, fitOne], maxSteps);
    out.push(row('train', 'fit', one, trainFlop, 1), row('train', 'fit', many, trainFlop, batches));
  } else out.push(row('train', 'fit', await measure(fitMany, maxSteps), trainFlop, batches));
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

// --- PyTorch, side by side (bench/torch_peer.py, spawned; JSON over stdin and stdout) ---
let python: string | null | undefined;
/** The first of $NALU_BENCH_PYTHON, python3, /usr/bin/python3 that imports torch (Debian's python3-torch). */
function findPython(): string | null {
  if (python !== undefined) return python;
  python = null;
  for (const cand of [process.env.NALU_BENCH_PYTHON, 'python3', '/usr/bin/python3']) {
    if (cand && spawnSync(cand, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return (python = cand);
  }
  return python;
}
function torchRun(threads: number, shapes: Shape[]): TorchRun {
  const py = findPython();
  if (!py) return { threads, error: 'PyTorch not installed (no python3 that imports torch; set NALU_BENCH_PYTHON)' };
  const cases = shapes.flatMap((shape) => [
    { shape, pattern: 'one' },
    { shape, pattern: 'many', batches: batchesFor(shape) },
  ]);
  const r = spawnSync(py, [path.join(__dirname, 'torch_peer.py')], {
    input: JSON.stringify({ threads, reps: REPS, repSeconds: REP_SECONDS, cases }),
    encoding: 'utf8',
    timeout: 20 * 60 * 1000,
    maxBuffer: 1 << 24,
  });
  try {
    const j = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
    if (j.error) return { threads, error: j.error };
    return { threads, torch: j.torch, python: py, results: j.results };
  } catch {
    return { threads, error: (r.stderr || r.stdout || String(r.error)).trim().split('\n').pop()?.slice(0, 300) ?? 'no output' };
  }
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

/** The static task's run as `nalu benchmark` makes it (evaluations every 1000 iterations on 10,000 + 10,000 rows), but a short threshold simulation. */
const staticSpec = (iterations: number, seed: number, profile = false, thresholdSamples = 1000) => ({
  network: {
    inputDim: 100,
    layers: [
      { type: 'nau', units: 2, seed },
      { type: 'nmu', units: 1, seed: seed + 1 },
    ],
    loss: { type: 'mse' },
    optimizer: { type: 'adam', learningRate: 1e-3 },
  },
  task: { name: 'arithmetic', op: 'mul', inputSize: 100, subsetRatio: 0.25, overlapRatio: 0.5, interpolation: [[1, 2]] as [number, number][], extrapolation: [[2, 6]] as [number, number][], seed },
  run: { iterations, batchSize: 128, evalEvery: 1000, validationSize: 10000, testSize: 10000, epsilon: 1e-5, thresholdSamples, bestWindow: 1, seed, profile },
});

async function staticTask(): Promise<{ iterationsPerSec: Stat; iterationsPerCpuSecond: Stat; runSetupSeconds: number } | { pending: string }> {
  if (!native.layerTypes.includes('nau') || !native.layerTypes.includes('nmu') || !native.runTask)
    return { pending: 'NAU/NMU or the native task runner are not in this build' };
  const rates = await measure(async (n) => {
    await native.runTask(staticSpec(n, 1)).promise;
  }, 1 << 24);
  // A run's fixed cost, left out of the rate: the paper's 10^6-sample threshold simulation and the evaluation sets.
  const t0 = performance.now();
  await native.runTask(staticSpec(0, 1, false, 1e6)).promise;
  return { iterationsPerSec: stat(rates.wall), iterationsPerCpuSecond: stat(rates.cpu), runSetupSeconds: (performance.now() - t0) / 1000 };
}

/** Where a step's time goes: profiled runs (native clock reads at each phase) a row, 1 thread; the run of median total. */
interface Profile {
  what: string;
  shape?: Shape;
  batchesPerEpoch?: number;
  steps: number;
  /** µs a step: the whole call, its phases, and the six products alone (benchStepProducts, the row's layout). */
  total: number;
  phases: Record<string, number>;
  productsAlone?: number;
}
const medianRun = (runs: NativeStepProfile[]) => [...runs].sort((a, b) => a.total / a.steps - b.total / b.steps)[runs.length >> 1];
async function profiles(): Promise<Profile[]> {
  setNumThreads(1);
  const out: Profile[] = [];
  const perStep = (p: NativeStepProfile) => ({ steps: p.steps, total: (1e6 * p.total) / p.steps, phases: Object.fromEntries(Object.entries(p.phases).map(([k, s]) => [k, (1e6 * s) / p.steps])) });
  for (const shape of SHAPES.filter(([b, i, o]) => b * i * o <= 1 << 26)) {
    const [B, I, O] = shape;
    const net = new native.NativeNetwork({ inputDim: I, layers: [{ type: 'nalu', units: O, seed: 1 }], loss: { type: 'mse' }, optimizer: { type: 'adam' } });
    // The least of three medians: a first call runs on cold buffers and a cold core.
    const products = Math.min(...[0, 1, 2].map(() => stat(native.benchStepProducts(B, I, O, isSmall(shape) ? 999 : 9, net.layout === 'featureMajor')).median)) * 1e6;
    for (const batches of isSmall(shape) ? [1, batchesFor(shape)] : [batchesFor(shape)]) {
      const rows = B * batches;
      const steps = Math.max(batches, Math.round((quick ? 0.1 : 0.4) / (1e-6 * products * 3)));
      const x = rand(rows * I), y = rand(rows * O), runs: NativeStepProfile[] = [];
      for (let k = 0; k < 3; k++) {
        const r = await net.fit(x, y, rows, { epochs: Math.ceil(steps / batches), batchSize: B, shuffle: true, seed: 1, throwOnNonFinite: false, columns: true, profile: true });
        if (r.profile) runs.push(r.profile);
      }
      if (runs.length) out.push({ what: `fit, ${batches} batch${batches === 1 ? '' : 'es'} an epoch`, shape, batchesPerEpoch: batches, ...perStep(medianRun(runs)), productsAlone: products });
    }
    net.dispose();
  }
  if (native.layerTypes.includes('nau') && native.layerTypes.includes('nmu')) {
    const runs: NativeStepProfile[] = [];
    for (let k = 0; k < 3; k++) {
      const r = await native.runTask(staticSpec(quick ? 20000 : 60000, 1, true)).promise;
      if (r.profile) runs.push(r.profile);
    }
    if (runs.length) out.push({ what: 'static task', ...perStep(medianRun(runs)) });
  }
  return out;
}

/** Table 1 (6 operations × 11 models) fused against alone, per CPU-second of the process, one seed, the runs `iterations` long. */
interface Fused {
  iterations: number;
  runs: number;
  /** CPU µs an iteration trained (NaN: none trained), the runs' fixed start (iterations 0) subtracted: the whole group fused, every run alone; per model (its 6 operations). */
  fusedMicros: Stat;
  loneMicros: Stat;
  models: { model: string; loneMicros: number; fusedMicros: number }[];
  /** CPU seconds of the fixed start at the paper's 10⁶-sample thresholds: a group, and the 66 runs alone. */
  groupSetupSeconds: number;
  loneSetupSeconds: number;
  /** The fused group's profile, µs a run-iteration. */
  profile?: { total: number; phases: Record<string, number> };
}

/** Table 1's runs of seed 1 as `nalu benchmark` prepares them (settings scaled to the run's length): seed 0's Gated NAU/NMU diverges before its first step. */
function table1Runs(iterations: number, thresholdSamples: number): PreparedRun[] {
  return planRuns({ ...loadExperiment('madsen2020-table1'), seeds: 1, firstSeed: 1, iterations, thresholdSamples }).map((r, i) => prepareRun(plannedOptions(r), `runs[${i}].`));
}
const loneRun = (p: PreparedRun) => native.runTask({ network: p.network, task: p.task, run: p.run }).promise;
const groupRun = (ps: PreparedRun[], profile = false) => {
  return native.runTaskGroup({ runs: ps.map((p) => ({ network: p.network, task: p.task, run: p.run })), profile }).promise;
};
/** CPU seconds of the process while f runs, and the iterations its runs trained. */
async function cpuSeconds(f: () => Promise<{ iterations: number } | { results: { iterations: number }[] }>): Promise<[number, number]> {
  const c0 = process.cpuUsage();
  const r = await f();
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1e6, 'results' in r ? r.results.reduce((a, x) => a + x.iterations, 0) : r.iterations];
}

async function fusedRow(): Promise<Fused> {
  const N = quick ? 2000 : 5000;
  const runs = table1Runs(N, 1000), empty = table1Runs(0, 1000);
  const models = [...new Set(runs.map((p) => p.record.model))];
  const ofModel = <T extends PreparedRun>(ps: T[], m: string) => ps.filter((p) => p.record.model === m);
  // µs an iteration trained (a run that stops non-finite trains fewer), the fixed start subtracted.
  const micros = async (run: () => ReturnType<typeof groupRun | typeof loneRun>, start: () => ReturnType<typeof groupRun | typeof loneRun>) => {
    const [s] = await cpuSeconds(start);
    const [c, its] = await cpuSeconds(run);
    return [c - s, its];
  };
  const lone: Record<string, number[]> = {}, fused6: Record<string, number[]> = {};
  const whole: number[] = [], alone: number[] = [];
  // Alternated repetitions: a slow spell of the host falls on all of them.
  for (let k = 0; k < (quick ? 1 : 3); k++) {
    const [c, its] = await micros(() => groupRun(runs), () => groupRun(empty));
    whole.push((1e6 * c) / its);
    let sum = 0, sumIts = 0;
    for (const m of models) {
      let t = 0, n = 0;
      for (const [i, p] of runs.entries())
        if (p.record.model === m) {
          const [ci, ni] = await micros(() => loneRun(p), () => loneRun(empty[i]));
          t += ci;
          n += ni;
        }
      (lone[m] ??= []).push((1e6 * t) / n);
      sum += t;
      sumIts += n;
      const [c6, n6] = await micros(() => groupRun(ofModel(runs, m)), () => groupRun(ofModel(empty, m)));
      (fused6[m] ??= []).push((1e6 * c6) / n6);
    }
    alone.push((1e6 * sum) / sumIts);
  }
  const paper = table1Runs(0, 1e6);
  const [groupSetupSeconds] = await cpuSeconds(() => groupRun(paper));
  let loneSetupSeconds = 0;
  for (const p of paper) loneSetupSeconds += (await cpuSeconds(() => loneRun(p)))[0];
  const profiled = (await groupRun(runs, true)).profile;
  return {
    iterations: N,
    runs: runs.length,
    fusedMicros: stat(whole),
    loneMicros: stat(alone),
    models: models.map((m) => ({ model: m, loneMicros: stat(lone[m]).median, fusedMicros: stat(fused6[m]).median })),
    groupSetupSeconds,
    loneSetupSeconds,
    profile: profiled && {
      total: (1e6 * profiled.total) / profiled.steps,
      phases: Object.fromEntries(Object.entries(profiled.phases).map(([k, v]) => [k, (1e6 * v) / profiled.steps])),
    },
  };
}

/** CPU-hours of Table 1 at 100 seeds, 5·10⁶ steps a run, from µs a run-iteration and the fixed starts. */
const table1Hours = (micros: number, runs: number, setupSeconds: number) => (runs * 5e6 * micros * 1e-6 + setupSeconds) / 3600;

function fusedSection(f: Fused): string[] {
  const seeds = 100, runs = f.runs * seeds;
  const fusedHours = table1Hours(f.fusedMicros.median, runs, seeds * f.groupSetupSeconds);
  const loneHours = table1Hours(f.loneMicros.median, runs, seeds * f.loneSetupSeconds);
  const L = [
    `**Fused runs** (Table 1, seed 1: ${f.runs} runs of ${fmt(f.iterations)} iterations, as \`nalu benchmark\` plans them; CPU µs of the process an iteration a run trained (one that stops non-finite trains fewer), the runs' fixed start subtracted, median of ${f.fusedMicros.reps} (min–max); run-iterations a second per core = 10⁶ / µs): fused ${fmt(f.fusedMicros.median, 2)} µs (${spread(f.fusedMicros)}) = ${si(1e6 / f.fusedMicros.median)}/s, alone ${fmt(f.loneMicros.median, 2)} µs (${spread(f.loneMicros)}) = ${si(1e6 / f.loneMicros.median)}/s: ${times(f.loneMicros.median / f.fusedMicros.median)}. Fixed start at 10⁶-sample thresholds: ${fmt(f.groupSetupSeconds, 2)} CPU-s a group, ${fmt(f.loneSetupSeconds, 1)} CPU-s for its runs alone.`,
    `Table 1 at ${seeds} seeds (${fmt(runs)} runs × 5·10⁶ steps) projected: **${fmt(fusedHours, 0)} CPU-hours fused**, ${fmt(loneHours, 0)} alone (target ≤ 40: ${status(fusedHours <= 40)}).`,
    '',
    '| model | alone µs | fused (its 6 ops) µs | run-iterations/s alone | fused | CPU-hours at 600 runs alone | fused |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  let sumLone = 0, sumFused = 0;
  for (const m of f.models) {
    const hl = table1Hours(m.loneMicros, 6 * seeds, 0), hf = table1Hours(m.fusedMicros, 6 * seeds, 0);
    // A model none of whose runs trained (diverged at once) has no rate.
    if (Number.isFinite(hl)) sumLone += hl;
    if (Number.isFinite(hf)) sumFused += hf;
    L.push(`| ${m.model} | ${fmt(m.loneMicros, 2)} | ${fmt(m.fusedMicros, 2)} | ${si(1e6 / m.loneMicros)} | ${si(1e6 / m.fusedMicros)} | ${fmt(hl, 1)} | ${fmt(hf, 1)} |`);
  }
  L.push(`| sum | | | | | ${fmt(sumLone, 0)} | ${fmt(sumFused, 0)} |`);
  if (f.profile) {
    const p = f.profile;
    L.push('', `The fused group profiled (wall µs a run-iteration, inflated where the host is busy; its shares are the point): ${fmt(p.total, 2)} in all; ${Object.entries(p.phases).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${fmt(v, 2)}`).join(', ')}.`);
  }
  return L;
}

const fmt = (v: number, d = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '–');
const spread = (s: Stat) => { const d = s.max < 100 ? 2 : 0; return `${fmt(s.min, d)}–${fmt(s.max, d)}`; };
/** 1.46 M, 7.3 k, 153: rates in three significant figures. */
const si = (v: number) => {
  if (!Number.isFinite(v)) return '–';
  const [d, u] = v >= 1e6 ? [v / 1e6, ' M'] : v >= 1e4 ? [v / 1e3, ' k'] : [v, ''];
  return `${d >= 100 || (u === '' && d >= 10) ? fmt(d, 0) : fmt(d, d >= 10 ? 1 : 2)}${u}`;
};

function cpuId(): string {
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const f = /^cpu family\s*:\s*(\d+)/m.exec(info)?.[1], m = /^model\s*:\s*(\d+)/m.exec(info)?.[1];
    return f && m ? `family ${f}, model ${m}` : '';
  } catch {
    return '';
  }
}

async function main() {
  if (argv.includes('--table-only')) {
    // Re-renders latest.md from latest.json (no measuring).
    const md = markdown(JSON.parse(fs.readFileSync(path.join(outDir, 'latest.json'), 'utf8')));
    fs.writeFileSync(path.join(outDir, 'latest.md'), md);
    return console.log(md);
  }
  if (argv.includes('--discover')) return console.log(discoverSection(await discoverBench(console.error)).join('\n'));
  if (argv.includes('--fused-only')) {
    setNumThreads(1);
    console.error(`nalu bench --fused-only: ${os.cpus()[0]?.model ?? 'unknown'}, ${cores} cores, isa ${native.isa}, load average ${fmt(os.loadavg()[0], 1)}`);
    return console.log(fusedSection(await fusedRow()).join('\n'));
  }
  if (argv.includes('--conv-only')) return console.log(convSection(await convBench(THREADS, REPS, REP_SECONDS, console.error)).join('\n'));
  const started = Date.now();
  const addon = fs.readFileSync('/proc/self/maps', 'utf8').split('\n').find((l) => l.endsWith('nalu.node'))?.split(/\s+/).pop();
  const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cpuId: cpuId(), cores, node: process.version, addon, openblas: native.benchOpenblasCore(), openblasCoretype: process.env.OPENBLAS_CORETYPE ?? '', loadAverageAtStart: os.loadavg()[0], loadAverageAtEnd: NaN };
  console.error(`nalu bench${quick ? ' --quick' : ''}: ${machine.cpu} (${machine.cpuId}), ${cores} cores, ${REPS} reps`);
  setNumThreads(1);
  probeCore();
  console.error(`  core: ${fmt(core.clockHz.median / 1e9, 2)} GHz; ${core.fma.map((f) => `${f.isa} ${fmt(f.perSec.median / 1e9, 1)} G multiply-adds/s`).join(', ')}`);
  const peaks: Record<number, Stat> = {};
  const rows: Row[] = [];
  const ceilings: Ceiling[] = [];
  const torch: TorchRun[] = [];
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
      for (const x of r) console.error(`  ${s.join('×')} t${t} ${label(x)}: ${fmt(x.stepsPerSec.median)} steps/s, ${fmt(x.gflops, 2)} GFLOP/s`);
    }
    // PyTorch right after nalu at the same thread count; (4096, 1024, 1024) would take minutes.
    if (!quick || t === 1) {
      torch.push(torchRun(t, SHAPES.filter((s) => isSmall(s) || (!quick && s[0] * s[1] * s[2] <= 1 << 26))));
      const tr = torch[torch.length - 1];
      console.error(`  pytorch t${t}: ${'error' in tr ? tr.error : tr.results.map((c) => `${c.shape.join('×')} ${c.pattern} ${fmt(stat(c.rates).median)}`).join(', ')}`);
    }
  }
  setNumThreads(1);
  const epochOverheads: EpochOverhead[] = [];
  for (const sh of SHAPES.filter(isSmall)) {
    epochOverheads.push(await measureEpochOverhead(sh));
    console.error(`  epoch overhead ${sh.join('×')}: ${JSON.stringify(epochOverheads[epochOverheads.length - 1])}`);
  }
  const task = await staticTask();
  console.error(`  static task: ${JSON.stringify(task)}`);
  const fused = await fusedRow();
  console.error(`  fused: ${JSON.stringify(fused)}`);
  const profiled = await profiles();
  for (const q of profiled) console.error(`  profile ${q.shape ? `${q.shape.join('×')} ` : ''}${q.what}: ${fmt(q.total, 2)} µs a step, ${JSON.stringify(q.phases)}`);
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
  const discover = await discoverBench(console.error);
  const conv = await convBench(THREADS, REPS, REP_SECONDS, console.error);
  const rss = rssChild();
  console.error(`  rss: ${JSON.stringify(rss)}`);
  machine.loadAverageAtEnd = os.loadavg()[0];
  const result: Result = {
    date: new Date().toISOString(),
    quick,
    reps: REPS,
    machine,
    core,
    sgemmPeakGflops: peaks,
    rows,
    productsCeiling: ceilings,
    staticTask: task,
    staticLimit: staticLimit(core),
    epochOverhead: epochOverheads,
    profiles: profiled,
    fused,
    torch,
    tfjs,
    discover,
    conv,
    rss,
    seconds: (Date.now() - started) / 1000,
  };
  const md = markdown(result);
  if (save) {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
    fs.writeFileSync(path.join(outDir, 'latest.md'), md);
  } else console.error(`nalu bench: not saved (--save writes ${path.relative(process.cwd(), outDir) || '.'}/latest.json and latest.md)`);
  console.log(md);
  console.error(`nalu bench: ${fmt(result.seconds)} s`);
}

interface EpochOverhead {
  shape: Shape;
  /** CPU µs a step (many copies of one batch an epoch) and the extra a one-batch epoch costs (median of the pairs' differences). */
  stepMicros: number;
  epochMicros: number;
  /** The least and greatest of the pairs' differences. */
  epochMicrosRange?: [number, number];
}

/**
 * fit's fixed cost an epoch, apart from its steps: one-batch epochs against epochs of the same
 * batch repeated 64 times (shuffle off), so both take the same steps on the same numbers (random
 * data trained long on one batch drifts into slower numerics, which other data would count as
 * epoch cost). 1 thread, process CPU time, the median of 7 alternated pairs' differences.
 */
async function measureEpochOverhead([B, I, O]: Shape): Promise<EpochOverhead> {
  const steps = 64 * (quick ? 1000 : 5000);
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const microsPerStep = async (batches: number) => {
    seed = 1;
    const xb = Float32Array.from({ length: B * I }, rnd), yb = Float32Array.from({ length: B * O }, rnd);
    const x = new Float32Array(B * batches * I), y = new Float32Array(B * batches * O);
    for (let k = 0; k < batches; k++) {
      x.set(xb, k * B * I);
      y.set(yb, k * B * O);
    }
    const m = new Sequential([new NALU({ units: O, inputDim: I })]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    const tx = tensor(x, [B * batches, I]), ty = tensor(y, [B * batches, O]);
    await m.fit(tx, ty, { batchSize: B, epochs: Math.max(1, 6400 / batches), seed: 1, shuffle: false }); // warm-up
    const c0 = process.cpuUsage();
    await m.fit(tx, ty, { batchSize: B, epochs: steps / batches, seed: 1, shuffle: false });
    const c = process.cpuUsage(c0);
    m.dispose();
    return (c.user + c.system) / steps;
  };
  // Each pair's difference, then their median: a slow spell of the host falls on one pair, not on one side.
  const many: number[] = [], diffs: number[] = [];
  for (let k = 0; k < 7; k++) {
    const o = await microsPerStep(1), m = await microsPerStep(64);
    many.push(m);
    diffs.push(o - m);
  }
  const d = stat(diffs);
  return { shape: [B, I, O], stepMicros: stat(many).median, epochMicros: d.median, epochMicrosRange: [d.min, d.max] };
}

interface Result {
  date: string;
  quick: boolean;
  reps: number;
  machine: { cpu: string; cpuId?: string; cores: number; node: string; addon?: string; openblas?: string; openblasCoretype?: string; loadAverageAtStart?: number; loadAverageAtEnd?: number };
  core: Core;
  sgemmPeakGflops: Record<number, Stat>;
  rows: Row[];
  productsCeiling?: Ceiling[];
  staticTask: { iterationsPerSec: Stat; iterationsPerCpuSecond?: Stat; runSetupSeconds?: number } | { pending: string };
  staticLimit: Limit;
  epochOverhead?: EpochOverhead[];
  profiles?: Profile[];
  fused?: Fused;
  torch: TorchRun[];
  tfjs: { shape: Shape; backend: string; stepsPerSec?: Stat; error?: string }[];
  discover?: DiscoverBench;
  conv?: ConvBench;
  rss: Record<string, number> | { error: string };
  seconds: number;
}

const label = (x: Row) => (x.path === 'fit' ? `fit, ${x.batchesPerEpoch} batch${x.batchesPerEpoch === 1 ? '' : 'es'} an epoch` : x.path);
const same = (a: Shape, b: Shape) => a.join() === b.join();
/** PyTorch's case for the pattern a row stands for: fit's batches an epoch; trainOnBatch is one batch. */
function torchCase(r: Result, x: Row): TorchCase | undefined {
  if (x.mode !== 'train') return undefined;
  const run = r.torch.find((t) => t.threads === x.threads);
  if (!run || 'error' in run) return undefined;
  const pattern: Pattern = x.path === 'fit' && (x.batchesPerEpoch ?? 1) > 1 ? 'many' : 'one';
  return run.results.find((e) => same(e.shape, x.shape) && e.pattern === pattern);
}
const torchFor = (r: Result, x: Row) => {
  const c = torchCase(r, x);
  return c ? stat(c.rates) : undefined;
};
/** Steps per CPU-second where measured (the time slices a shared host takes out do not count), else per second. */
const cpuRate = (x: Row) => (x.stepsPerCpuSecond ?? x.stepsPerSec).median;
/** The measured per-epoch cost at a shape, if this run has it. */
const epochOverhead = (r: Result, shape: Shape) => r.epochOverhead?.find((e) => same(e.shape, shape));
/** The row's steps per CPU-second against the limit per core (a t-thread row's limit is t cores'). */
const ofLimit = (x: Row) => (x.limit ? `${fmt((100 * cpuRate(x) * x.threads) / x.limit.perSec, 1)} %` : '');
const status = (met: boolean) => (met ? '**met**' : '**missed**');
const limitCell = (l: Limit | undefined) => (l ? `${si(l.perSec)} (${l.bound})` : '');
/** A ratio: 152×, 2.4×, 0.61×. */
const times = (v: number) => `${fmt(v, v >= 10 ? 0 : v >= 1 ? 1 : 2)}×`;
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** The issue-19 target a row is held to, with its verdict ('' for none). */
function target(r: Result, x: Row): string {
  if (x.mode !== 'train') return '';
  if (!isSmall(x.shape)) return `≥ 90 % of sgemm peak: ${status(x.fractionOfPeak >= 0.9)}`;
  if (x.threads !== 1) return '';
  const want = x.path === 'fit' ? 100 : 30;
  const t = torchFor(r, x);
  return `≥ ${want}× PyTorch: ${t ? status(x.stepsPerSec.median / t.median >= want) : 'not measured'}`;
}

const PHASES: [string, string][] = [
  ['batch', 'batch (shuffle, gather)'],
  ['draw', 'draw (random numbers)'],
  ['layout', 'layout (transpose)'],
  ['targets', 'targets'],
  ['forward', 'forward'],
  ['loss', 'loss'],
  ['backward', 'backward'],
  ['optimizer', 'optimizer'],
  ['evaluation', 'evaluations'],
];
const profileOther = (q: Profile) => q.total - Object.values(q.phases).reduce((a, b) => a + b, 0);
/** The row a profile stands for: the 1-thread fit row of its shape and batches, or the static task. */
const profileRow = (r: Result, q: Profile) =>
  r.rows.find((x) => x.threads === 1 && x.path === 'fit' && q.shape && same(x.shape, q.shape) && x.batchesPerEpoch === q.batchesPerEpoch);
const profileLimit = (r: Result, q: Profile) => (q.shape ? profileRow(r, q)?.limit : r.staticLimit);

/** "Where a step's time goes": the profiles, and for each missed target what its step is made of. */
function profileSection(r: Result): string[] {
  const qs = r.profiles ?? [];
  const us = (v: number) => fmt(v, v < 10 ? 2 : 1);
  const used = PHASES.filter(([k]) => qs.some((q) => (q.phases[k] ?? 0) > 0));
  const L = [
    "**Where a step's time goes** (1 thread; of three profiled runs a row, the one of median total, in µs a step: the native clock is read at each phase boundary, so a profiled step is a little slower, and the runs are their own moment of the shared host, not the rows' above; **other**: the rest of the call (epoch bookkeeping, weight snapshots, the result); **products alone**: the six products of the NALU step (`benchStepProducts`, the row's layout) without the element-wise work; **limit**: the limit column's, as µs a step)",
    '',
    `| shape | run | µs a step | ${used.map(([, h]) => h).join(' | ')} | other | products alone | limit |`,
    `| --- | --- | ---: | ${used.map(() => '---:').join(' | ')} | ---: | ---: | ---: |`,
  ];
  for (const q of qs) {
    const lim = profileLimit(r, q);
    L.push(
      `| ${q.shape ? `(${q.shape.join(', ')})` : 'NAU(100→2)→NMU(2→1), B = 128'} | ${q.what} | ${us(q.total)} | ${used.map(([k]) => ((q.phases[k] ?? 0) > 0 ? us(q.phases[k]) : '')).join(' | ')} | ${us(profileOther(q))} | ${q.productsAlone !== undefined ? us(q.productsAlone) : ''} | ${lim ? us(1e6 / lim.perSec) : ''} |`,
    );
  }
  const misses: string[] = [];
  const top = (q: Profile) =>
    [...PHASES.map(([k, h]): [string, number] => [h, q.phases[k] ?? 0]), ['other', profileOther(q)] as [string, number]]
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([h, v]) => `${h} ${us(v)}`)
      .join(', ');
  for (const x of r.rows.filter((e) => target(r, e).includes('missed'))) {
    const q = r.profiles?.find((p) => x.threads === 1 && p.shape && same(p.shape, x.shape) && x.path === 'fit' && p.batchesPerEpoch === x.batchesPerEpoch);
    const now = 1e6 / x.stepsPerSec.median;
    let need = '';
    if (isSmall(x.shape)) {
      const t = torchFor(r, x);
      if (t) need = `${x.path === 'fit' ? 100 : 30}× PyTorch (${si(t.median)} steps/s) needs ≤ ${us(1e6 / ((x.path === 'fit' ? 100 : 30) * t.median))} µs a step; it takes ${us(now)}`;
    } else need = `90 % of the sgemm peak needs ≤ ${us((now * x.fractionOfPeak) / 0.9)} µs a step; it takes ${us(now)}`;
    const parts = [need];
    const ceil = r.productsCeiling?.find((c) => c.threads === x.threads && same(c.shape, x.shape));
    if (ceil) parts.push(`the six products alone (OpenBLAS) reach ${fmt((100 * ceil.gflops.median) / r.sgemmPeakGflops[x.threads].median, 0)} % of the peak, the step ${fmt((100 * x.gflops) / ceil.gflops.median, 0)} % of them`);
    if (q) {
      parts.push(`profiled: ${top(q)}`);
      if (q.productsAlone !== undefined) {
        const fmaMicros = (6 * x.shape[0] * x.shape[1] * x.shape[2]) / bestFma(r.core).perSec.median * 1e6;
        parts.push(`the six products alone ${us(q.productsAlone)} µs, ${fmt((100 * fmaMicros) / q.productsAlone, 0)} % of the FMA limit`);
      }
    }
    if (x.limit) parts.push(`limit ${us(1e6 / x.limit.perSec)} µs (${x.limit.bound})`);
    misses.push(`- (${x.shape.join(', ')}) ${label(x)}, ${plural(x.threads, 'thread')}: ${parts.join('; ')}.`);
  }
  const eo = epochOverhead(r, [128, 10, 1]);
  if (eo && eo.epochMicros / eo.stepMicros > 0.1) {
    const one = qs.find((q) => q.shape && same(q.shape, [128, 10, 1]) && q.batchesPerEpoch === 1), many = qs.find((q) => q.shape && same(q.shape, [128, 10, 1]) && (q.batchesPerEpoch ?? 1) > 1);
    misses.push(
      `- (128, 10, 1) epoch overhead: ≤ 10 % needs ≤ ${us(0.1 * eo.stepMicros)} µs an epoch; measured ${fmt(eo.epochMicros, 3)}${eo.epochMicrosRange ? ` (pairs ${fmt(eo.epochMicrosRange[0], 3)} to ${fmt(eo.epochMicrosRange[1], 3)})` : ''}${one && many ? `; profiled, the work outside the phases is ${us(profileOther(one))} µs a step at one batch an epoch against ${us(profileOther(many))} at 64` : ''}.`,
    );
  }
  const st = r.staticTask, sq = qs.find((q) => q.what === 'static task');
  if ('iterationsPerSec' in st && st.iterationsPerSec.median < 250e3) {
    const parts = [`250 k iterations/s needs ≤ ${us(4)} µs an iteration; it takes ${us(1e6 / st.iterationsPerSec.median)}`];
    if (sq) {
      parts.push(`profiled: ${top(sq)}`);
      if (sq.phases.draw > 0)
        parts.push(`the random numbers alone (12,800 uniforms from eight xoshiro128** lanes, a stream the recorded results depend on) cap it at ${si(1e6 / sq.phases.draw)} iterations/s`);
    }
    parts.push(`limit ${us(1e6 / r.staticLimit.perSec)} µs (${r.staticLimit.bound}), random numbers not counted`);
    misses.push(`- static task: ${parts.join('; ')}.`);
  }
  if (misses.length) L.push('', '**The misses**, from the profiles above and the products measured alone:', '', ...misses);
  return L;
}

function markdown(r: Result): string {
  const L: string[] = [];
  const torchOk = r.torch.find((t): t is Extract<TorchRun, { torch: string }> => !('error' in t));
  const torchErr = r.torch.find((t): t is Extract<TorchRun, { error: string }> => 'error' in t);
  const fma = bestFma(r.core);
  const hz = r.core.clockHz.median;
  const bytes = (b: number) => (b >= 1 << 20 ? `${fmt(b / 2 ** 20, 1)} MiB` : `${fmt(b / 1024, 0)} KiB`);
  L.push(
    `Machine: ${r.machine.cpu}${r.machine.cpuId ? ` (${r.machine.cpuId})` : ''}, ${r.machine.cores} vCPU, Node ${r.machine.node}${r.machine.openblas ? `, OpenBLAS kernels ${r.machine.openblas} (${r.machine.openblasCoretype ? `OPENBLAS_CORETYPE=${r.machine.openblasCoretype}` : 'chosen for this CPU: OPENBLAS_CORETYPE unset'})` : ''}${torchOk ? `, PyTorch ${torchOk.torch} (${torchOk.python})` : ''}; median of ${r.reps} repetitions (min–max)${r.quick ? ', --quick' : ''}, everything in one run${r.machine.loadAverageAtStart !== undefined ? `; load average ${fmt(r.machine.loadAverageAtStart, 1)} at the start, ${fmt(r.machine.loadAverageAtEnd ?? NaN, 1)} at the end (other jobs share the host)` : ''}.`,
  );
  L.push(
    `This core, probed in the same run (per CPU-second of one thread): ${fmt(hz / 1e9, 2)} GHz (dependent adds); ${fmt(fma.perSec.median / 1e9, 1)} G float multiply-adds/s, ${fmt(fma.perSec.median / hz, 1)} a cycle (${r.core.fma.map((f) => `${f.isa} ${fmt(f.perSec.median / hz, 1)}`).join(', ')}); copy bandwidth ${r.core.copy
      .slice()
      .sort((a, b) => a.bytes - b.bytes)
      .map((c) => `${fmt(c.perSec.median / hz, 0)} B/cycle at ${bytes(c.bytes)}`)
      .join(', ')}. cblas_sgemm 2048³ peak: ${Object.entries(r.sgemmPeakGflops).map(([t, s]) => `${fmt(s.median, 1)} GFLOP/s on ${plural(Number(t), 'thread')}`).join(', ')}.`,
  );
  L.push('');
  L.push(
    "Training counts 12·B·in·out FLOP a step, inference 6·B·in·out. **limit**: what this core could do at best, 1 / max(F / R_F, D / R_D) steps/s (× threads), (F) or (D) naming the bound that binds. F: the step's multiply-adds, 6·B·in·out for the six products of a NALU step (2·B·100·2 for the static task's NAU); R_F the multiply-add rate probed above. D: the bytes the step must move, 4·(2·B·(2·in + out) + 21·in·out): the gather reads a batch of x, log(|x| + ε) and y rows and writes it feature-major, Adam reads weight, gradient, m and v and writes weight, m and v of the 3·in·out weights (static task: the generated batch written once and read by the forward and the backward product, and Adam on 202 weights); R_D the copy bandwidth probed over a buffer the size of the row's working set (data set, gathered batch, weights, Adam's state). Not counted: exp, log, tanh and σ, the loss, random numbers, control; so no implementation reaches the limit. **% of limit** takes nalu's steps per CPU-second of the process, which the host's time slicing does not lower (**CPU/wall**: CPU-seconds a row used per second; below 1 on one thread, it is the share the host left it); every other figure is per second of wall time.",
  );
  L.push('');
  L.push(
    `**vs PyTorch**: nalu's steps/s over PyTorch's in this run (PyTorch's steps/s after "of"; "CPU" the same ratio per CPU-second of each process): bench/torch_peer.py, the same NALU (Trask's, ε = 1e-7; Glorot-uniform; Adam, MSE) in a plain Python loop, torch.set_num_threads = the row's threads; \`fit\` at 1 batch an epoch and \`trainOnBatch\` against the same batch every step, \`fit\` at many batches an epoch against slices of each epoch's permutation of a data set of as many batches${torchErr ? `; ${torchErr.error}` : ''}. **vs tfjs**: TensorFlow.js, the same step on one batch every step, 1 JS thread. **target**: issue 19's, met or missed.`,
  );
  const threads = Object.keys(r.sgemmPeakGflops).map(Number);
  for (const t of threads) {
    L.push('');
    L.push(`**${plural(t, 'thread')}**`);
    L.push('');
    L.push('| shape (B, in, out) | path | steps/s (median) | min–max | CPU/wall | GFLOP/s | % of sgemm peak | limit | % of limit | vs PyTorch | vs tfjs cpu | vs tfjs wasm | target |');
    L.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const x of r.rows.filter((e) => e.threads === t)) {
      const tf = (b: string) => {
        const e = r.tfjs.find((q) => q.backend === b && same(q.shape, x.shape));
        return x.mode === 'train' && e?.stepsPerSec ? `${times(x.stepsPerSec.median / e.stepsPerSec.median)} of ${si(e.stepsPerSec.median)}` : '';
      };
      const pt = torchFor(r, x), pc = torchCase(r, x)?.cpuRates;
      const vsTorch = pt
        ? `${times(x.stepsPerSec.median / pt.median)} of ${si(pt.median)}${pc && x.stepsPerCpuSecond ? ` (CPU ${times(x.stepsPerCpuSecond.median / stat(pc).median)})` : ''}`
        : '';
      L.push(
        `| (${x.shape.join(', ')}) | ${x.mode === 'inference' ? 'predict (inference)' : label(x)} | ${fmt(x.stepsPerSec.median, x.stepsPerSec.median < 100 ? 2 : 0)} | ${spread(x.stepsPerSec)} | ${x.stepsPerCpuSecond ? fmt(x.stepsPerSec.median / x.stepsPerCpuSecond.median, 2) : ''} | ${fmt(x.gflops, 2)} | ${fmt(100 * x.fractionOfPeak, 1)} % | ${limitCell(x.limit)} | ${ofLimit(x)} | ${vsTorch} | ${tf('cpu')} | ${tf('wasm')} | ${target(r, x)} |`,
      );
    }
    // On 1 thread only: a 2-thread fit of a tiny layer measures the host's wake-ups more than the epoch.
    for (const s of t === 1 ? SHAPES.filter(isSmall) : []) {
      const eo = epochOverhead(r, s);
      if (!eo) continue;
      const held = same(s, [128, 10, 1]);
      const fraction = eo.epochMicros / eo.stepMicros;
      L.push(
        `| (${s.join(', ')}) | epoch overhead: fit's fixed cost an epoch (one-batch epochs against 64 copies of the same batch an epoch, CPU time, the median of 7 pairs' differences${eo.epochMicrosRange ? `, ${fmt(eo.epochMicrosRange[0], 3)} to ${fmt(eo.epochMicrosRange[1], 3)}` : ''}) | ${fmt(eo.epochMicros, 3)} µs an epoch = ${fmt(100 * fraction, 1)} % of a ${fmt(eo.stepMicros, 2)} µs step | | | | | | | | | | ${held ? `≤ 10 % of a step: ${status(fraction <= 0.1)}` : ''} |`,
      );
    }
    const st = r.staticTask;
    if (t === 1) {
      if ('iterationsPerSec' in st) {
        const cpu = st.iterationsPerCpuSecond;
        L.push(
          `| NAU(100→2)→NMU(2→1), B = 128 | static task: fresh batch each step (native generation), evaluations included (every 1000 iterations on 10,000 + 10,000 rows, as \`nalu benchmark\`)${st.runSetupSeconds !== undefined ? `; a run's fixed start (the 10⁶-sample threshold simulation, the evaluation sets) adds ${fmt(st.runSetupSeconds, 2)} s` : ''} | ${fmt(st.iterationsPerSec.median)} | ${spread(st.iterationsPerSec)} | ${cpu ? fmt(st.iterationsPerSec.median / cpu.median, 2) : ''} | | | ${limitCell(r.staticLimit)} | ${fmt((100 * (cpu ?? st.iterationsPerSec).median) / r.staticLimit.perSec, 1)} % | | | | ≥ 250 k iterations/s: ${status(st.iterationsPerSec.median >= 250e3)} |`,
        );
      } else L.push(`| NAU(100→2)→NMU(2→1), B = 128 | static task: pending (${st.pending}) | | | | | | | | | | | not measured |`);
    }
    const ceil = (r.productsCeiling ?? []).filter((c) => c.threads === t);
    if (ceil.length) {
      L.push('');
      L.push(
        `The six products alone (the same sgemm calls, no element-wise work): ${ceil
          .map((c) => {
            const steps = r.rows.filter((x) => x.mode === 'train' && x.threads === t && same(x.shape, c.shape));
            return `(${c.shape.join(', ')}) ${fmt(c.gflops.median, 1)} GFLOP/s = ${fmt((100 * c.gflops.median) / r.sgemmPeakGflops[t].median, 0)} % of peak, the ${steps.map((x) => x.path).join(' and ')} step${steps.length === 1 ? '' : 's'} at ${steps.map((x) => `${fmt((100 * x.gflops) / c.gflops.median, 0)} %`).join(' and ')} of it`;
          })
          .join('; ')}.`,
      );
    }
  }
  if (r.profiles?.length) L.push('', ...profileSection(r));
  if (r.fused) L.push('', ...fusedSection(r.fused));
  if (r.discover) L.push('', ...discoverSection(r.discover));
  if (r.conv) L.push('', ...convSection(r.conv));
  L.push('');
  if ('error' in r.rss) L.push(`RSS (4096, 1024, 1024): not measured (${r.rss.error}).`);
  else {
    const rs = r.rss;
    L.push(
      `RSS training (4096, 1024, 1024) in a fresh plain-node process (${fmt(rs.baselineMiB)} MiB before loading nalu): ${fmt(rs.rssAfterFirstStepMiB)} MiB after step 1, ${fmt(rs.rssAfterLastStepMiB)} MiB after step ${rs.steps} (no allocation per step: ${status(rs.rssAfterLastStepMiB - rs.rssAfterFirstStepMiB <= 1)}), peak ${fmt(rs.peakRssMiB)} MiB (≤ 350 MiB: ${status(rs.peakRssMiB <= 350)}).`,
    );
  }
  return L.join('\n') + '\n';
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
