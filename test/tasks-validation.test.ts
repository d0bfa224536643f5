// The tasks API validates its inputs like the model API: junk is a TypeError or RangeError that
// names the argument and field, never "Cannot read properties of null".
import { describe, expect, it } from 'vitest';
import { tasks } from '../lib/index';

const inst = tasks.taskRegistry.get('static', 'task').instances('add')[0];

describe('tasks API on bad input', () => {
  it('names the instance field', () => {
    for (const bad of [null, 5, 'static', []]) {
      expect(() => tasks.sampleTask(bad as never, 'interpolation', 4, 1)).toThrow(/instance: expected/);
      expect(() => tasks.successThreshold(bad as never)).toThrow(/instance: expected/);
    }
    expect(() => tasks.sampleTask(undefined as never, 'interpolation', 4, 1)).toThrow(TypeError);
    expect(() => tasks.sampleTask({ ...inst, op: 'pow' } as never, 'interpolation', 4, 1)).toThrow(/instance\.op: unknown operation 'pow'/);
    expect(() => tasks.sampleTask({ ...inst, inputSize: null } as never, 'interpolation', 4, 1)).toThrow(/instance\.inputSize/);
    expect(() => tasks.sampleTask({ ...inst, interpolation: [[2, 1]] } as never, 'interpolation', 4, 1)).toThrow(/instance\.interpolation/);
    expect(() => tasks.sampleTask({ ...inst, task: Symbol('x') } as never, 'interpolation', 4, 1)).toThrow(/instance\.task/);
    expect(tasks.sampleTask(inst, 'interpolation', 4, 1).x).toHaveLength(400);
  });

  it('names the record or row that is wrong', () => {
    expect(() => tasks.summarize([null] as never)).toThrow(/records\[0\]: expected/);
    expect(() => tasks.summarize([{ task: 'static' }] as never)).toThrow(/records\[0\]\.model: expected a string/);
    expect(() => tasks.summarize([{ task: 'static', model: 'nau', stopReason: 'completed', op: '__proto__' }] as never)).toThrow(/records\[0\]\.op: expected one of/);
    expect(() => tasks.formatTable([null] as never)).toThrow(/rows\[0\]: expected/);
    expect(() => tasks.formatTable([{ op: 'add', rate: '1' }] as never)).toThrow(/rows\[0\]\.rate: expected a number/);
    expect(tasks.formatTable([])).toMatch(/\| Op/);
  });
});
