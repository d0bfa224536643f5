// The static arithmetic task of Madsen & Johansen (ICLR 2020, Algorithm 1): x ~ U[range]^n, a and
// b are sums of two overlapping slices of x, t = a ∘ b, learnt by two layers.
import { defaultInstance, taskRegistry, type TaskDefinition, type TaskParam } from './task';

/** The parameters of the arithmetic tasks (native task 'arithmetic'), in the order of records. @category Tasks */
export const arithmeticParams: readonly TaskParam[] = [
  { name: 'interpolation', type: 'range', help: 'training range, e.g. [1,2]', runKey: true, native: true },
  { name: 'extrapolation', type: 'range', help: 'test range, e.g. [2,6] or [[-6,-2],[2,6]]', runKey: true, native: true },
  { name: 'inputSize', type: 'integer', min: 1, max: 1 << 20, help: 'inputs of x', column: 'Inputs', runKey: true, native: true },
  { name: 'subsetRatio', type: 'number', min: Number.MIN_VALUE, max: 1, help: "size of each of a and b's slices as a fraction of the inputs", column: 'Subset', runKey: true, native: true },
  { name: 'overlapRatio', type: 'number', min: 0, max: 1, help: 'fraction of a slice shared by a and b', column: 'Overlap', runKey: true, native: true },
  { name: 'hiddenSize', type: 'integer', min: 1, max: 1 << 16, help: 'hidden units between the two layers', column: 'Hidden', runKey: true, native: false },
];

const staticTask: TaskDefinition = {
  name: 'static',
  description:
    'Madsen & Johansen (ICLR 2020) static arithmetic task: x ~ U^100, a and b are sums of two slices of 25 inputs sharing 12, t = a ∘ b; two layers with 2 hidden units; train U[1,2], test U[2,6].',
  nativeTask: 'arithmetic',
  depth: 2,
  params: arithmeticParams,
  paramDefaults: { interpolation: [[1, 2]], extrapolation: [[2, 6]], inputSize: 100, subsetRatio: 0.25, overlapRatio: 0.5, hiddenSize: 2 },
  defaults: { iterations: 5e6, evalEvery: 1000, batchSize: 128, evalSize: 1e4 },
  ops: ['add', 'sub', 'mul'],
  models: ['nau-nmu', 'nalu'],
  // stable-nalu experiments/simple_function_static.py's defaults (the NMU's schedule).
  settings: { learningRate: 1e-3, sparsityLambda: 10, sparsityStart: 1e6, sparsityEnd: 2e6, clipNorm: 0, clipValue: 0, l1Start: 0, l1End: 0 },
  instances(op, overrides = {}) {
    return [defaultInstance(this, op, overrides)];
  },
};
taskRegistry.register('static', staticTask);
