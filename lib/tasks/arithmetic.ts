// The arithmetic tasks: Madsen & Johansen (ICLR 2020) "static arithmetic task" and the
// single-module benchmark of Mistry et al. (2021). A task instance is an operation, an input
// size, two slices a and b of x, and an interpolation (training) and extrapolation (test) range.
import type { NativeTaskSpec } from '../../binding';
import { native } from '../binding';
import { Registry, checkNumber, checkOptions } from '../registry';

/** The operations of the arithmetic tasks: a + b, a − b, a × b, a ÷ b, a², √a. @category Tasks */
export type ArithmeticOp = 'add' | 'sub' | 'mul' | 'div' | 'square' | 'sqrt';
/** Every operation, in the order of the tables. @category Tasks */
export const arithmeticOps: readonly ArithmeticOp[] = ['add', 'sub', 'mul', 'div', 'square', 'sqrt'];
/** The operation names ('add' … 'sqrt'). @category Tasks */
export const opRegistry = new Registry<ArithmeticOp>('operation');
for (const op of arithmeticOps) opRegistry.register(op, op);
/** The symbols of the paper's tables. @category Tasks */
export const opSymbols: Record<ArithmeticOp, string> = { add: '+', sub: '−', mul: '×', div: '÷', square: 'z²', sqrt: '√z' };

/** [[lo, hi]] or a union of two intervals [[lo, hi], [lo, hi]] (each picked with probability ½). @category Tasks */
export type Range = [number, number][];

/** A range as the papers write it: U[1,2] or U[-6,-2] ∪ U[2,6]. @category Tasks */
export function formatRange(r: Range): string {
  return r.map(([lo, hi]) => `U[${lo},${hi}]`).join(' ∪ ');
}

/**
 * Parses "1,2", "[1,2]" or "[[-6,-2],[2,6]]" into a Range; `name` names the argument in errors.
 * @throws TypeError for a non-string, RangeError for text that is no range.
 * @category Tasks
 */
export function parseRange(s: string, name: string): Range {
  if (typeof s !== 'string') throw new TypeError(`${name}: expected a range such as [1,2], received ${typeof s}`);
  let v: unknown;
  try {
    v = JSON.parse(/^\s*\[/.test(s) ? s : `[${s}]`);
  } catch {
    throw new RangeError(`${name}: expected a range such as [1,2] or [[-6,-2],[2,6]], received '${s}'`);
  }
  const parts = Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' ? [v] : v;
  return checkRange(parts, name, s);
}

/**
 * Validates a Range; `shown` is how the error message shows the value.
 * @throws RangeError unless [[lo, hi]] or [[lo, hi], [lo, hi]] with lo < hi, |lo|, |hi| ≤ 1e30.
 * @category Tasks
 */
export function checkRange(v: unknown, name: string, shown = JSON.stringify(v)): Range {
  const bad = () => new RangeError(`${name}: expected [[lo, hi]] or [[lo, hi], [lo, hi]] with lo < hi in [-1e30, 1e30], received ${shown}`);
  if (!Array.isArray(v) || v.length < 1 || v.length > 2) throw bad();
  for (const p of v)
    if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => typeof x === 'number' && Math.abs(x) <= 1e30) || !(p[0] < p[1]))
      throw bad();
  return v as Range;
}

/** One configuration of a task for one operation (without the seed). @category Tasks */
export interface TaskInstance {
  /** Name of the task definition ('static', 'single-module'). */
  task: string;
  /** The operation. */
  op: ArithmeticOp;
  /** Size of x. */
  inputSize: number;
  /** Fraction of x in each of the slices a and b. */
  subsetRatio: number;
  /** Fraction of a slice shared by a and b. */
  overlapRatio: number;
  /** The range x is drawn from in training and validation. */
  interpolation: Range;
  /** The range x is drawn from in the test (the success criterion). */
  extrapolation: Range;
  /** 2: unit → hidden (hiddenSize) → unit → 1 (static task); 1: a single unit (single module). */
  depth: 1 | 2;
  /** Units of the hidden layer (0 for a single module). */
  hiddenSize: number;
}

/**
 * How a run trains its model. Each task holds its paper's defaults; each model overrides them as
 * its paper ran it (models.ts); a flag overrides both.
 * @category Tasks
 */
export interface TrainingSettings {
  /** Adam's learning rate. */
  learningRate: number;
  /** λ̂ of the NAU/NMU-family sparsity regularizer (0 for models without one). */
  sparsityLambda: number;
  /** Step where its linear warm-up starts. */
  sparsityStart: number;
  /** Step where it reaches λ̂. */
  sparsityEnd: number;
  /** Global gradient-norm clipping (0: none). */
  clipNorm: number;
  /** Per-element gradient clipping (0: none). */
  clipValue: number;
  /** NPU/RealNPU L1 penalty: β from l1Start, ×10 every 10⁴ steps up to l1End (0: none). */
  l1Start: number;
  /** The β the L1 schedule stops at. */
  l1End: number;
}

/** Upper bounds of the training settings (each ≥ 0): one list of their names for runs, files and flags. @category Tasks */
export const trainingSettingLimits: Readonly<Record<keyof TrainingSettings, number>> = {
  learningRate: 10, sparsityLambda: 1e30, sparsityStart: 1e18, sparsityEnd: 1e18, clipNorm: 1e30, clipValue: 1e30, l1Start: 1e30, l1End: 1e30,
};
/** Their names, in the order of run keys and records. @category Tasks */
export const trainingSettingNames = Object.keys(trainingSettingLimits) as (keyof TrainingSettings)[];

/** The parameters of a task instance that the papers' figures sweep. @category Tasks */
export interface InstanceOverrides {
  /** Training range. */
  interpolation?: Range;
  /** Test range. */
  extrapolation?: Range;
  /** Size of x. */
  inputSize?: number;
  /** Fraction of x in each slice. */
  subsetRatio?: number;
  /** Fraction of a slice shared by a and b. */
  overlapRatio?: number;
  /** Units of the hidden layer (static task only). */
  hiddenSize?: number;
}

/** A task: its paper's defaults and the instances it runs per operation. @category Tasks */
export interface TaskDefinition {
  /** Its name in taskRegistry ('static', 'single-module'). */
  name: string;
  /** One sentence for `nalu tasks`. */
  description: string;
  /** Defaults of the experiment in its paper: steps, steps between evaluations, batch size. */
  defaults: { iterations: number; evalEvery: number; batchSize: number };
  /** Training settings of a model that its definition does not override. */
  settings: TrainingSettings;
  /** The instances run for one operation (one per range for the single-module benchmark). */
  instances(op: ArithmeticOp, overrides?: InstanceOverrides): TaskInstance[];
}

/**
 * Validates the overrides of an instance (each named as its flag's option).
 * @throws RangeError or TypeError naming the override that is wrong.
 * @category Tasks
 */
export function checkInstanceOverrides(o: InstanceOverrides): InstanceOverrides {
  const r: InstanceOverrides = {};
  if (o.interpolation !== undefined) r.interpolation = checkRange(o.interpolation, 'interpolation');
  if (o.extrapolation !== undefined) r.extrapolation = checkRange(o.extrapolation, 'extrapolation');
  if (o.inputSize !== undefined) r.inputSize = checkNumber(o.inputSize, 'inputSize', 1, 1 << 20, true);
  if (o.subsetRatio !== undefined) r.subsetRatio = checkNumber(o.subsetRatio, 'subsetRatio', Number.MIN_VALUE, 1);
  if (o.overlapRatio !== undefined) r.overlapRatio = checkNumber(o.overlapRatio, 'overlapRatio', 0, 1);
  if (o.hiddenSize !== undefined) r.hiddenSize = checkNumber(o.hiddenSize, 'hiddenSize', 1, 1 << 16, true);
  return r;
}

/** The tasks by name: 'static' (Madsen & Johansen 2020) and 'single-module' (Mistry et al. 2021). @category Tasks */
export const taskRegistry = new Registry<TaskDefinition>('task');

taskRegistry.register('static', {
  name: 'static',
  description:
    'Madsen & Johansen (ICLR 2020) static arithmetic task: x ~ U^100, a and b are sums of two slices of 25 inputs sharing 12, t = a ∘ b; two layers with 2 hidden units; train U[1,2], test U[2,6].',
  defaults: { iterations: 5e6, evalEvery: 1000, batchSize: 128 },
  // stable-nalu experiments/simple_function_static.py's defaults (the NMU's schedule).
  settings: { learningRate: 1e-3, sparsityLambda: 10, sparsityStart: 1e6, sparsityEnd: 2e6, clipNorm: 0, clipValue: 0, l1Start: 0, l1End: 0 },
  instances(op, overrides = {}) {
    const o = checkInstanceOverrides(overrides);
    return [
      {
        task: 'static',
        op,
        inputSize: o.inputSize ?? 100,
        subsetRatio: o.subsetRatio ?? 0.25,
        overlapRatio: o.overlapRatio ?? 0.5,
        interpolation: o.interpolation ?? [[1, 2]],
        extrapolation: o.extrapolation ?? [[2, 6]],
        depth: 2,
        hiddenSize: o.hiddenSize ?? 2,
      },
    ];
  },
});

/** The nine train/test ranges of Mistry et al. (2021)'s single-module benchmark. @category Tasks */
export const singleModuleRanges: [Range, Range][] = [
  [[[-20, -10]], [[-40, -20]]],
  [[[-2, -1]], [[-6, -2]]],
  [[[-1.2, -1.1]], [[-6.1, -1.2]]],
  [[[-0.2, -0.1]], [[-2, -0.2]]],
  [[[-2, 2]], [[-6, -2], [2, 6]]],
  [[[0.1, 0.2]], [[0.2, 2]]],
  [[[1, 2]], [[2, 6]]],
  [[[1.1, 1.2]], [[1.2, 6]]],
  [[[10, 20]], [[20, 40]]],
];

taskRegistry.register('single-module', {
  name: 'single-module',
  description:
    'Mistry et al. (2021) single-module benchmark: input size 2, t = x0 ∘ x1, one unit, nine train/test ranges (each a row of the table).',
  defaults: { iterations: 5e4, evalEvery: 1000, batchSize: 128 },
  // nalm-benchmark single_layer_benchmark.sh: the NMU's regularizer from step 2e4 to 3.5e4.
  settings: { learningRate: 1e-3, sparsityLambda: 10, sparsityStart: 2e4, sparsityEnd: 3.5e4, clipNorm: 0, clipValue: 0, l1Start: 0, l1End: 0 },
  instances(op, overrides = {}) {
    const o = checkInstanceOverrides(overrides);
    if (o.hiddenSize !== undefined) throw new RangeError('hiddenSize: the single-module task has no hidden layer');
    const ranges: [Range, Range][] =
      o.interpolation || o.extrapolation ? [[o.interpolation ?? [[1, 2]], o.extrapolation ?? [[2, 6]]]] : singleModuleRanges;
    return ranges.map(([interpolation, extrapolation]) => ({
      task: 'single-module',
      op,
      inputSize: o.inputSize ?? 2,
      subsetRatio: o.subsetRatio ?? 0.5,
      overlapRatio: o.overlapRatio ?? 0,
      interpolation,
      extrapolation,
      depth: 1 as const,
      hiddenSize: 0,
    }));
  },
});

/**
 * Validates a task instance (as task.instances() makes them); returns a snapshot of it.
 * @throws TypeError or RangeError naming the field that is wrong.
 * @category Tasks
 */
export function checkInstance(v: unknown, name = 'instance'): TaskInstance {
  const o = { ...checkOptions(v, name) };
  if (v === undefined) throw new TypeError(`${name}: expected a task instance, received undefined`);
  taskRegistry.get(o.task, `${name}.task`);
  opRegistry.get(o.op, `${name}.op`);
  return {
    task: o.task as string,
    op: o.op as ArithmeticOp,
    inputSize: checkNumber(o.inputSize, `${name}.inputSize`, 1, 1 << 20, true),
    subsetRatio: checkNumber(o.subsetRatio, `${name}.subsetRatio`, Number.MIN_VALUE, 1),
    overlapRatio: checkNumber(o.overlapRatio, `${name}.overlapRatio`, 0, 1),
    interpolation: checkRange(o.interpolation, `${name}.interpolation`),
    extrapolation: checkRange(o.extrapolation, `${name}.extrapolation`),
    depth: checkNumber(o.depth, `${name}.depth`, 1, 2, true) as 1 | 2,
    hiddenSize: checkNumber(o.hiddenSize, `${name}.hiddenSize`, 0, 1 << 16, true),
  };
}

/** The native spec of an instance with a seed (which picks the slices' offset); throws as checkInstance. @category Tasks */
export function nativeTaskSpec(instance: TaskInstance, seed: number): NativeTaskSpec {
  const t = checkInstance(instance);
  checkNumber(seed, 'seed', 0, Number.MAX_SAFE_INTEGER, true);
  return {
    op: t.op,
    inputSize: t.inputSize,
    subsetRatio: t.subsetRatio,
    overlapRatio: t.overlapRatio,
    interpolation: t.interpolation,
    extrapolation: t.extrapolation,
    seed,
  };
}

/**
 * The success threshold: extrapolation MSE of the perfect solution with its first-layer weights
 * perturbed by ε (1 − ε on the selected inputs, ε elsewhere), by Monte-Carlo simulation as in
 * Madsen & Johansen (ε = 1e-5, 10^6 samples). It does not depend on the slices' offset.
 * @category Tasks
 */
export function successThreshold(t: TaskInstance, epsilon = 1e-5, samples = 1e6, seed = 1): number {
  checkNumber(epsilon, 'epsilon', 0, 0.5);
  checkNumber(samples, 'samples', 1, 2 ** 32, true);
  return native.arithmeticThreshold(nativeTaskSpec(t, 0), epsilon, samples, checkNumber(seed, 'seed', 0, Number.MAX_SAFE_INTEGER, true));
}

/**
 * Samples of an instance with its slices (for inspection and tests).
 * @returns x [rows, inputSize], the targets t [rows], and a, b [rows] (the two slice sums).
 * @throws RangeError for a bad `which`, rows or seed.
 * @category Tasks
 */
export function sampleTask(t: TaskInstance, which: 'interpolation' | 'extrapolation', rows: number, seed: number, taskSeed = 0) {
  if (which !== 'interpolation' && which !== 'extrapolation')
    throw new RangeError(`which: expected 'interpolation' or 'extrapolation', received ${String(which)}`);
  checkNumber(rows, 'rows', 1, 2 ** 31 - 1, true);
  return native.sampleArithmeticTask(nativeTaskSpec(t, taskSeed), which, rows, checkNumber(seed, 'seed', 0, Number.MAX_SAFE_INTEGER, true));
}
