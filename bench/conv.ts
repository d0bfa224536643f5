// The digit network of Madsen & Johansen 2020 (conv 5×5 20 → pool → conv 5×5 50 → pool → dense 500
// → 1) at batch 64: a training step (Adam, MSE, trainOnBatch) of its second Conv2D alone and of the
// whole network, on 1 thread and on all cores, beside the same steps in TensorFlow.js (cpu: pure
// JS; wasm) in the same run. `npm run bench -- --conv-only` runs this section alone.
import * as os from 'node:os';
import { Conv2D, Dense, MaxPool2D, Sequential, setNumThreads, tensor, type Layer } from '../lib/index';
import { loadTfjs, timeSteps } from './tfjs';

const B = 64;
type Stat = { median: number; min: number; max: number };
/** Steps a second of wall time and of the process's CPU time (which time slicing by the host does not lower). */
type Rates = { wall: Stat; cpu: Stat };
export interface ConvRow {
  what: 'conv2d' | 'digit network';
  /** nalu's rates by thread count. */
  nalu: Record<number, Rates>;
  /** TensorFlow.js's rates by backend (or why it did not run). */
  tfjs: Record<string, Rates | { error: string }>;
}
export interface ConvBench {
  batch: number;
  rows: ConvRow[];
}

const stat = (xs: number[]): Stat => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1] };
};
const rand = (n: number, seed: number) => {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
};

/** The layers of one case; the digit network's second conv sees the first pool's 12×12×20. */
function naluLayers(what: ConvRow['what']): Layer[] {
  const conv2 = (inputShape: number[]) => new Conv2D({ inputShape, filters: 50, kernelSize: 5, activation: 'relu', seed: 2 });
  if (what === 'conv2d') return [conv2([12, 12, 20])];
  const c1 = new Conv2D({ inputShape: [28, 28, 1], filters: 20, kernelSize: 5, activation: 'relu', seed: 1 });
  const p1 = new MaxPool2D({ inputShape: c1.outputShape });
  const c2 = conv2(p1.outputShape);
  const p2 = new MaxPool2D({ inputShape: c2.outputShape });
  return [c1, p1, c2, p2, new Dense({ units: 500, activation: 'relu', seed: 3 }), new Dense({ units: 1, seed: 4 })];
}

function naluRates(what: ConvRow['what'], threads: number, reps: number, repSeconds: number): Rates {
  setNumThreads(threads);
  const m = new Sequential(naluLayers(what));
  m.compile({ optimizer: 'adam', loss: 'mse' });
  const out = m.layers[m.layers.length - 1].units;
  const x = tensor(rand(B * m.inputDim, 1), [B, m.inputDim]), y = tensor(rand(B * out, 2), [B, out]);
  const cpu: number[] = [];
  const wall = timeSteps(() => m.trainOnBatch(x, y), reps, repSeconds, cpu);
  m.dispose();
  return { wall: stat(wall), cpu: stat(cpu) };
}

async function tfjsRates(what: ConvRow['what'], backend: string, reps: number, repSeconds: number): Promise<Rates> {
  const tf = await loadTfjs(backend);
  const v = (shape: number[]) => tf.variable(tf.randomUniform(shape, -0.05, 0.05));
  const k2 = v([5, 5, 20, 50]), b2 = v([50]);
  const k1 = v([5, 5, 1, 20]), b1 = v([20]), w3 = v([800, 500]), b3 = v([500]), w4 = v([500, 1]), b4 = v([1]);
  const conv = (h: unknown, k: unknown, b: unknown) => tf.relu(tf.add(tf.conv2d(h, k, 1, 'valid'), b));
  const x = what === 'conv2d' ? tf.randomUniform([B, 12, 12, 20], -1, 1) : tf.randomUniform([B, 28, 28, 1], -1, 1);
  const t = what === 'conv2d' ? tf.randomUniform([B, 8, 8, 50], -1, 1) : tf.randomUniform([B, 1], -1, 1);
  const forward = () => {
    if (what === 'conv2d') return conv(x, k2, b2);
    const h = tf.maxPool(conv(tf.maxPool(conv(x, k1, b1), 2, 2, 'valid'), k2, b2), 2, 2, 'valid');
    return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.reshape(h, [B, 800]), w3), b3)), w4), b4);
  };
  const opt = tf.train.adam(1e-3);
  const cpu: number[] = [];
  const wall = timeSteps(
    () => {
      const l = opt.minimize(() => tf.mean(tf.square(tf.sub(forward(), t))), true);
      l.dataSync();
      l.dispose();
    },
    reps,
    repSeconds,
    cpu,
  );
  for (const w of [k1, b1, k2, b2, w3, b3, w4, b4, x, t]) w.dispose();
  opt.dispose();
  return { wall: stat(wall), cpu: stat(cpu) };
}

/** Both cases, nalu on each of `threads`, tfjs on cpu and wasm. */
export async function convBench(threads: number[], reps: number, repSeconds: number, log: (s: string) => void): Promise<ConvBench> {
  const rows: ConvRow[] = [];
  for (const what of ['conv2d', 'digit network'] as const) {
    const row: ConvRow = { what, nalu: {}, tfjs: {} };
    for (const t of threads) {
      row.nalu[t] = naluRates(what, t, reps, repSeconds);
      log(`  ${what} B=${B} nalu t${t}: ${JSON.stringify(row.nalu[t])}`);
    }
    for (const backend of ['cpu', 'wasm']) {
      try {
        row.tfjs[backend] = await tfjsRates(what, backend, reps, repSeconds);
      } catch (e) {
        row.tfjs[backend] = { error: (e as Error).message.split('\n')[0] };
      }
      log(`  ${what} B=${B} tfjs ${backend}: ${JSON.stringify(row.tfjs[backend])}`);
    }
    rows.push(row);
  }
  setNumThreads(1);
  return { batch: B, rows };
}

/** The section of bench/results/latest.md. */
export function convSection(c: ConvBench): string[] {
  const threads = Object.keys(c.rows[0]?.nalu ?? {}).map(Number);
  const f = (v: number) => (v < 100 ? v.toPrecision(3) : v.toFixed(0));
  const L = [
    `**Conv2D, the digit network** (Madsen & Johansen 2020; batch ${c.batch}, Adam, MSE, trainOnBatch): steps a second, median (min–max), and in brackets steps a CPU-second of the process, which a busy host does not lower. conv2d: the network's second Conv2D alone (12×12×20 → 8×8×50, 5×5, relu); digit network: conv 5×5 20 → pool → conv 5×5 50 → pool → dense 500 → 1. tfjs: the same step in TensorFlow.js, 1 JS thread (cpu: pure JS). Ratios: nalu on 1 thread over tfjs, per CPU-second. ${os.cpus()[0]?.model ?? ''}, load average ${os.loadavg()[0].toFixed(1)}`,
    '',
    `| step | ${threads.map((t) => `nalu, ${t} thread${t === 1 ? '' : 's'}`).join(' | ')} | tfjs cpu | tfjs wasm | nalu / tfjs cpu | nalu / tfjs wasm |`,
    `| --- | ${threads.map(() => '---:').join(' | ')} | ---: | ---: | ---: | ---: |`,
  ];
  for (const r of c.rows) {
    const cell = (s: Rates | { error: string } | undefined) =>
      !s ? '' : 'error' in s ? s.error : `${f(s.wall.median)} (${f(s.wall.min)}–${f(s.wall.max)}) [${f(s.cpu.median)} CPU]`;
    const ratio = (b: string) => {
      const s = r.tfjs[b];
      return s && !('error' in s) && r.nalu[1] ? `${(r.nalu[1].cpu.median / s.cpu.median).toFixed(1)}×` : '';
    };
    L.push(`| ${r.what} | ${threads.map((t) => cell(r.nalu[t])).join(' | ')} | ${cell(r.tfjs.cpu)} | ${cell(r.tfjs.wasm)} | ${ratio('cpu')} | ${ratio('wasm')} |`);
  }
  return L;
}
