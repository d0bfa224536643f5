// A task as a definition object: its parameter schema (from which its experiment files' points,
// the CLI's flags, its records and run keys are made), its paper's defaults and its native task.
// Each task lives in a file of its own (static.ts, single-module.ts, recurrent.ts) that registers it here.
import { Registry, checkNumber } from '../registry';
import type { ArithmeticOp, TrainingSettings } from './arithmetic';

/** [[lo, hi]] or a union of two intervals [[lo, hi], [lo, hi]] (each picked with probability ½). @category Tasks */
export type Range = [number, number][];

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

/** A parameter's value: a number or a range. @category Tasks */
export type ParamValue = number | Range;

/** One parameter of a task instance. @category Tasks */
export interface TaskParam {
  /** camelCase: its key in instances, experiment points and records; its flag is the kebab-case (--input-size). */
  name: string;
  /** 'integer' and 'number' lie in [min, max]; a 'range' is checked by checkRange. */
  type: 'integer' | 'number' | 'range';
  /** Least value of a number (default −∞). */
  min?: number;
  /** Greatest value of a number (default ∞). */
  max?: number;
  /** The flag's help, without its default (the flags list each task's). */
  help: string;
  /** The header of its column in the table, shown when its rows differ in it (a number's). */
  column?: string;
  /** Whether it is written in records and joins the run key (in the order of `params`). */
  runKey: boolean;
  /** Whether the native task takes it (and a fused group's runs must share it). */
  native: boolean;
  /** Why no experiment or flag may change its default for this task: 'no hidden layer' (single-module's hiddenSize 0). */
  fixed?: string;
}

/** Validates `v` as parameter `p`; `where` names it in errors. @category Tasks */
export function checkParam(p: TaskParam, v: unknown, where: string): ParamValue {
  if (p.type === 'range') return checkRange(v, where);
  return checkNumber(v, where, p.min ?? -Infinity, p.max ?? Infinity, p.type === 'integer');
}

/** One configuration of a task for one operation (without the seed). @category Tasks */
export interface TaskInstance {
  /** Name of the task definition ('static', 'single-module'). */
  task: string;
  /** The operation. */
  op: ArithmeticOp;
  /** 2: unit → hidden (hiddenSize) → unit → 1 (static task); 1: a single unit (single module). */
  depth: 1 | 2;
  /** The first unit is the cell of an RNN over the rows' time steps (the recurrent task). */
  recurrent?: boolean;
  /** The range x is drawn from in training and validation. */
  interpolation: Range;
  /** The range x is drawn from in the test (the success criterion). */
  extrapolation: Range;
  /** Size of x. */
  inputSize: number;
  /** Units of the hidden layer (0 for a single module). */
  hiddenSize: number;
  /** Fraction of x in each of the slices a and b (arithmetic tasks). */
  subsetRatio?: number;
  /** Fraction of a slice shared by a and b (arithmetic tasks). */
  overlapRatio?: number;
}

/** Parameter `name` of an instance or a record (any of its task's schema). @category Tasks */
export const paramOf = (i: object, name: string): unknown => (i as Record<string, unknown>)[name];

/** Parameters of an instance that experiments and flags override, by name. @category Tasks */
export type InstanceOverrides = Record<string, ParamValue | undefined>;

/** A task: its parameters, its paper's defaults and the instances it runs per operation. @category Tasks */
export interface TaskDefinition {
  /** Its name in taskRegistry ('static', 'single-module'). */
  name: string;
  /** One sentence for `nalu tasks`. */
  description: string;
  /** The native task it runs (native.taskTypes). */
  nativeTask: string;
  /** The model's layers: 2 (unit → hidden → unit) or 1 (a single unit). */
  depth: 1 | 2;
  /** Its instances' first unit is an RNN's cell (rows of time steps). */
  recurrent?: boolean;
  /** Its parameters, in the order of records and run keys. */
  params: readonly TaskParam[];
  /** Each parameter's default (the first instance's). */
  paramDefaults: Readonly<Record<string, ParamValue>>;
  /** Defaults of the experiment in its paper: steps, steps between evaluations, batch size, rows of the validation and test sets. */
  defaults: { iterations: number; evalEvery: number; batchSize: number; evalSize: number };
  /** The operations of a command line that names none. */
  ops: readonly ArithmeticOp[];
  /** The models of a command line that names none. */
  models: readonly string[];
  /** Training settings of a model that its definition does not override. */
  settings: TrainingSettings;
  /** The instances run for one operation (one per range for the single-module benchmark). */
  instances(op: ArithmeticOp, overrides?: InstanceOverrides): TaskInstance[];
}

/** The tasks by name: 'static' and 'recurrent' (Madsen & Johansen 2020), 'single-module' (Mistry et al. 2021). @category Tasks */
export const taskRegistry = new Registry<TaskDefinition>('task');

/**
 * Validates overrides of `task`'s parameters, each named as `where.name` (an unknown or fixed one too).
 * @throws RangeError or TypeError naming the override that is wrong.
 * @category Tasks
 */
export function checkOverrides(task: TaskDefinition, o: InstanceOverrides, where = ''): InstanceOverrides {
  const r: InstanceOverrides = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    const p = task.params.find((q) => q.name === k);
    if (!p) throw new RangeError(`${where}${k}: not a parameter of the ${task.name} task (${task.params.filter((q) => !q.fixed).map((q) => q.name).join(', ')})`);
    if (p.fixed) throw new RangeError(`${where}${k}: the ${task.name} task has ${p.fixed}`);
    r[k] = checkParam(p, v, `${where}${k}`);
  }
  return r;
}

/** The one instance of `task` for `op` with its defaults replaced by `overrides` (checked). @category Tasks */
export function defaultInstance(task: TaskDefinition, op: ArithmeticOp, overrides: InstanceOverrides = {}): TaskInstance {
  const o = checkOverrides(task, overrides);
  const params = Object.fromEntries(task.params.map((p) => [p.name, o[p.name] ?? task.paramDefaults[p.name]]));
  return { task: task.name, op, depth: task.depth, ...(task.recurrent ? { recurrent: true } : {}), ...params } as TaskInstance;
}

/** Every registered task's parameters by name (the first task's spec of a shared name): the CLI's point flags. @category Tasks */
export function allTaskParams(): TaskParam[] {
  const byName = new Map<string, TaskParam>();
  for (const t of taskRegistry.names().map((n) => taskRegistry.get(n, 'task')))
    for (const p of t.params) if (!p.fixed && !byName.has(p.name)) byName.set(p.name, p);
  return [...byName.values()];
}

/** A parameter's flag: inputSize → input-size. @category Tasks */
export const paramFlag = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
