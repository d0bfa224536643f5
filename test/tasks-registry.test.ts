// A task is a definition object with a parameter schema (lib/tasks/task.ts) over a registered native
// task (native/kernels/task.h): its instances, records, run keys, experiment points and CLI flags
// derive from the schema. Every registered task needs an entry in `targets` below.
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import { experimentOf, experimentHelpRows } from '../lib/cli/benchmark';
import { UsageError } from '../lib/cli/args';
import {
  arithmeticOps,
  checkInstance,
  checkParam,
  paramFlag,
  paramOf,
  sampleTask,
  successThreshold,
  taskRegistry,
  type ArithmeticOp,
  type TaskInstance,
} from '../lib/tasks/arithmetic';
import { checkExperiment } from '../lib/tasks/experiment';
import { prepareRun, runKey, type RunRecord } from '../lib/tasks/run';

const arithmetic = (op: ArithmeticOp, a: number, b: number) =>
  ({ add: a + b, sub: a - b, mul: a * b, div: a / b, square: a * a, sqrt: Math.sqrt(a) })[op];
/** Each task's target from the sums of its ground-truth slices (sampleTask's), in float64. */
const targets: Record<string, (op: ArithmeticOp, s: Record<string, number>) => number> = {
  static: (op, s) => arithmetic(op, s.a, s.b),
  'single-module': (op, s) => arithmetic(op, s.a, s.b),
  recurrent: (op, s) => arithmetic(op, s.a, s.b),
};

const names = taskRegistry.names();
const def = (name: string) => taskRegistry.get(name, 'task');

describe('every registered task', () => {
  it('has a test entry, a native task, and a valid default for each parameter', () => {
    expect(names).toEqual(expect.arrayContaining(['static', 'single-module']));
    for (const name of names) {
      const t = def(name);
      expect(targets[name], `${name}: add its entry to targets`).toBeDefined();
      expect(native.taskTypes).toContain(t.nativeTask);
      for (const p of t.params) expect(checkParam(p, t.paramDefaults[p.name], p.name)).toEqual(t.paramDefaults[p.name]);
    }
  });

  it.each(names)('%s: samples the targets its ground truth makes, for each of its operations', (name) => {
    const rows = 40;
    for (const op of arithmeticOps) {
      const inst = def(name).instances(op)[0];
      for (const which of ['interpolation', 'extrapolation'] as const) {
        const s = sampleTask(inst, which, rows, 11, 3);
        // A row is `steps` steps of inputSize inputs (one for a task without a time axis); a slice sums over all.
        const n = inst.inputSize, steps = s.x.length / rows / n;
        expect(Object.keys(s.slices).length).toBeGreaterThan(0);
        const sum = (r: number, lo: number, hi: number) => {
          let u = 0;
          for (let t = 0; t < steps; t++) for (let i = lo; i < hi; i++) u += s.x[(r * steps + t) * n + i];
          return u;
        };
        for (let r = 0; r < rows; r++) {
          const sums = Object.fromEntries(Object.entries(s.slices).map(([k, [lo, hi]]) => [k, sum(r, lo, hi)]));
          expect(s.t[r], `${name} ${op} ${which} row ${r}`).toBe(Math.fround(targets[name](op, sums)));
        }
      }
    }
  });

  it.each(names)('%s: writes its parameters into records and run keys, in the order of its schema', (name) => {
    const t = def(name);
    const inst = t.instances('mul')[0];
    expect(checkInstance(inst)).toEqual(inst);
    expect(successThreshold(inst, 1e-5, 1000)).toBeGreaterThan(0);
    const { record } = prepareRun({ instance: inst, model: 'nau-nmu', seed: 1, iterations: 10 });
    const keyed = t.params.filter((p) => p.runKey).map((p) => p.name);
    expect(Object.keys(record).slice(0, 2 + keyed.length)).toEqual(['task', 'op', ...keyed]);
    const key = JSON.parse(runKey(record as RunRecord));
    expect(key.slice(0, 3 + keyed.length)).toEqual([name, 'mul', 'nau-nmu', ...keyed.map((k) => paramOf(inst, k))]);
    // A record without a parameter (written before it existed) has the task's default in its key.
    const older = { ...record, [keyed[keyed.length - 1]]: undefined } as unknown as RunRecord;
    expect(runKey(older)).toBe(runKey(record as RunRecord));
  });

  it.each(names)('%s: takes each parameter from a flag and an experiment point, and refuses those it lacks', (name) => {
    const t = def(name);
    const rows = experimentHelpRows.map(([flag]) => flag.split(' ')[0]);
    for (const p of t.params) {
      const v = p.type === 'range' ? [[3, 4]] : p.type === 'integer' ? Math.max(p.min ?? 0, 3) : (p.max ?? 1) / 2;
      const flag = paramFlag(p.name);
      const given = { task: name, [flag]: JSON.stringify(v) };
      if (p.fixed) {
        expect(() => experimentOf(given, [])).toThrow(UsageError);
        expect(() => checkExperiment({ name: 'x', task: name, ops: ['add'], models: ['nau'], seeds: 1, grid: [{ [p.name]: v }] })).toThrow(
          new RegExp(`^experiment\\.grid\\[0\\]\\.${p.name}: unknown key`),
        );
        continue;
      }
      expect(rows).toContain(`--${flag}`);
      const point = experimentOf(given, []).grid![0];
      expect(point[p.name]).toEqual(v);
      const e = checkExperiment({ name: 'x', task: name, ops: ['add'], models: ['nau'], seeds: 1, grid: [{ [p.name]: v }] });
      expect(e.grid![0][p.name]).toEqual(v);
      expect(() => checkExperiment({ name: 'x', task: name, ops: ['add'], models: ['nau'], seeds: 1, grid: [{ [p.name]: 'x' }] })).toThrow(
        new RegExp(`^experiment\\.grid\\[0\\]\\.${p.name}: `),
      );
    }
  });
});

describe('the native task registry', () => {
  const spec = { name: 'arithmetic', op: 'add', inputSize: 4, subsetRatio: 0.25, overlapRatio: 0, interpolation: [[1, 2]], extrapolation: [[2, 6]], seed: 0 };
  const threshold = (task: unknown) => native.taskThreshold(task as never, 1e-5, 10, 1);

  it('builds a task by name from its parameters', () => {
    expect(native.taskTypes).toEqual([...native.taskTypes].sort());
    expect(threshold(spec)).toBeGreaterThan(0);
    expect(native.sampleTask(spec as never, 'interpolation', 2, 1).structure).toEqual([
      { name: 'a', start: expect.any(Number), end: expect.any(Number) },
      { name: 'b', start: expect.any(Number), end: expect.any(Number) },
    ]);
  });

  it.each([
    [{ name: 'nope' }, RangeError, /^task\.name: unknown task 'nope', expected one of 'arithmetic'/],
    [{ name: 3 }, TypeError, /^task\.name: expected a task name, received/],
    [{ size: 2 }, RangeError, /^task\.size: not a parameter of the task 'arithmetic'/],
    [{ inputSize: undefined }, RangeError, /^task\.inputSize: expected an integer, received none/],
    [{ inputSize: 2.5 }, RangeError, /^task\.inputSize: expected an integer in \[1, 1048576\], received 2\.5/],
    [{ subsetRatio: 'x' }, RangeError, /^task\.subsetRatio: expected a number, received a string/],
    [{ op: 'pow' }, RangeError, /^task\.op: unknown operation 'pow'/],
    [{ seed: {} }, TypeError, /^task\.seed: expected a number, a string or a range, received/],
    [{ interpolation: [[2, 1]] }, RangeError, /^task\.interpolation\[0\]: expected lo < hi/],
  ])('refuses %j', (change, type, message) => {
    const task = Object.fromEntries(Object.entries({ ...spec, ...change }).filter(([, v]) => v !== undefined));
    expect(() => threshold(task)).toThrow(type);
    expect(() => threshold(task)).toThrow(message);
  });
});

describe('task instances', () => {
  it('are checked against their own task: parameters of another are not theirs', () => {
    const inst: TaskInstance = def('static').instances('add')[0];
    expect(() => def('single-module').instances('add', { hiddenSize: 3 })).toThrow(/^hiddenSize: the single-module task has no hidden layer/);
    expect(() => def('static').instances('add', { width: 3 })).toThrow(/^width: not a parameter of the static task/);
    expect(() => checkInstance({ ...inst, inputSize: 0 })).toThrow(/^instance\.inputSize: /);
    expect(() => checkInstance({ ...def('single-module').instances('add')[0], hiddenSize: 2 })).toThrow(/^instance\.hiddenSize: /);
  });
});
