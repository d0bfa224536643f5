// The arithmetic tasks' operations, ranges and training settings, and what every task instance
// goes through: its check, its native spec, its threshold and samples. The tasks themselves are
// task.ts's definitions, each in its own file (static.ts, single-module.ts, recurrent.ts).
import type { NativeTaskSpec } from '../../binding';
import { native } from '../binding';
import { Registry, checkNumber, checkOptions } from '../registry';
import { checkParam, checkRange, paramOf, taskRegistry, type Range, type TaskInstance } from './task';
import './static';
import './single-module';
import './recurrent';

export * from './task';
export { singleModuleRanges } from './single-module';
export { arithmeticParams } from './static';
export { recurrentParams } from './recurrent';

/** The operations of the arithmetic tasks: a + b, a − b, a × b, a ÷ b, a², √a. @category Tasks */
export type ArithmeticOp = 'add' | 'sub' | 'mul' | 'div' | 'square' | 'sqrt';
/** Every operation, in the order of the tables. @category Tasks */
export const arithmeticOps: readonly ArithmeticOp[] = ['add', 'sub', 'mul', 'div', 'square', 'sqrt'];
/** The operation names ('add' … 'sqrt'). @category Tasks */
export const opRegistry = new Registry<ArithmeticOp>('operation');
for (const op of arithmeticOps) opRegistry.register(op, op);
/** The symbols of the paper's tables. @category Tasks */
export const opSymbols: Record<ArithmeticOp, string> = { add: '+', sub: '−', mul: '×', div: '÷', square: 'z²', sqrt: '√z' };

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

/**
 * Validates a task instance (as task.instances() makes them); returns a snapshot of it.
 * @throws TypeError or RangeError naming the field that is wrong.
 * @category Tasks
 */
export function checkInstance(v: unknown, name = 'instance'): TaskInstance {
  const o = { ...checkOptions(v, name) };
  if (v === undefined) throw new TypeError(`${name}: expected a task instance, received undefined`);
  const task = taskRegistry.get(o.task, `${name}.task`);
  opRegistry.get(o.op, `${name}.op`);
  const params = Object.fromEntries(
    task.params.map((p) => [p.name, checkParam(p.fixed ? { ...p, min: task.paramDefaults[p.name] as number, max: task.paramDefaults[p.name] as number } : p, o[p.name], `${name}.${p.name}`)]),
  );
  const depth = checkNumber(o.depth, `${name}.depth`, 1, 2, true) as 1 | 2;
  return { task: task.name, op: o.op as ArithmeticOp, depth, ...(task.recurrent ? { recurrent: true } : {}), ...params } as TaskInstance;
}

/** The native spec of an instance with a seed (which picks its slices' offset); throws as checkInstance. @category Tasks */
export function nativeTaskSpec(instance: TaskInstance, seed: number): NativeTaskSpec {
  const t = checkInstance(instance);
  checkNumber(seed, 'seed', 0, Number.MAX_SAFE_INTEGER, true);
  const task = taskRegistry.get(t.task, 'task');
  const params = Object.fromEntries(task.params.filter((p) => p.native).map((p) => [p.name, paramOf(t, p.name) as number | Range]));
  return { name: task.nativeTask, op: t.op, ...params, seed };
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
  return native.taskThreshold(nativeTaskSpec(t, 0), epsilon, samples, checkNumber(seed, 'seed', 0, Number.MAX_SAFE_INTEGER, true));
}

/**
 * Samples of an instance with its ground truth (for inspection, tests and explain checks).
 * @returns x [rows, inputSize], the targets t [rows], and the slices of x the target is made of,
 * by name, each [start, end) (the arithmetic tasks' a and b).
 * @throws RangeError for a bad `which`, rows or seed.
 * @category Tasks
 */
export function sampleTask(
  t: TaskInstance,
  which: 'interpolation' | 'extrapolation',
  rows: number,
  seed: number,
  taskSeed = 0,
): { x: Float32Array; t: Float32Array; slices: Record<string, [number, number]> } {
  if (which !== 'interpolation' && which !== 'extrapolation')
    throw new RangeError(`which: expected 'interpolation' or 'extrapolation', received ${String(which)}`);
  checkNumber(rows, 'rows', 1, 2 ** 31 - 1, true);
  const { x, t: targets, structure } = native.sampleTask(nativeTaskSpec(t, taskSeed), which, rows, checkNumber(seed, 'seed', 0, Number.MAX_SAFE_INTEGER, true));
  const slices = Object.fromEntries(structure.map((s) => [s.name, [s.start, s.end] as [number, number]]));
  return { x, t: targets, slices };
}
