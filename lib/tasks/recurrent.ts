// The recurrent arithmetic task of Madsen & Johansen (ICLR 2020), as hoedt/stable-nalu runs it:
// x_t ~ U[1,2]^10 for each step, a and b are sums of two slices of x_t over all steps, t = a ∘ b;
// an RNN of the first unit (2 hidden) then the second unit. Train on 10 steps, test on 100.
import { defaultInstance, taskRegistry, type TaskDefinition, type TaskParam } from './task';
import { arithmeticParams } from './static';

/** The recurrent task's parameters: the arithmetic ones and the steps of each split. @category Tasks */
export const recurrentParams: readonly TaskParam[] = [
  ...arithmeticParams.map((p) => (p.name === 'extrapolation' ? { ...p, help: 'test range (the reference keeps the training one and tests longer sequences)' } : p)),
  { name: 'trainSteps', type: 'integer', min: 1, max: 1 << 16, help: 'time steps of training and validation rows', column: 'Steps', runKey: true, native: true },
  { name: 'testSteps', type: 'integer', min: 1, max: 1 << 16, help: 'time steps of test rows', column: 'Test steps', runKey: true, native: true },
];

const recurrentTask: TaskDefinition = {
  name: 'recurrent',
  description:
    'Madsen & Johansen (ICLR 2020) recurrent arithmetic task as hoedt/stable-nalu runs it: x_t ~ U[1,2]^10, a and b are sums of two slices of 2 inputs sharing 1 over all steps, t = a ∘ b; an RNN cell (2 hidden) then an output unit; train on 10 steps, test on 100.',
  nativeTask: 'recurrent',
  depth: 2,
  recurrent: true,
  params: recurrentParams,
  paramDefaults: { interpolation: [[1, 2]], extrapolation: [[1, 2]], inputSize: 10, subsetRatio: 0.25, overlapRatio: 0.5, hiddenSize: 2, trainSteps: 10, testSteps: 100 },
  // experiments/simple_function_recurrent.py: --max-iterations 2e6 as the paper ran it, logged every
  // 1000 steps on batches of 1000 rows (there fresh at each log; here one fixed set per split).
  defaults: { iterations: 2e6, evalEvery: 1000, batchSize: 128, evalSize: 1000 },
  ops: ['add', 'sub', 'mul'],
  models: ['nau-nmu', 'nalu'],
  settings: { learningRate: 1e-3, sparsityLambda: 10, sparsityStart: 1e6, sparsityEnd: 2e6, clipNorm: 0, clipValue: 0, l1Start: 0, l1End: 0 },
  instances(op, overrides = {}) {
    return [defaultInstance(this, op, overrides)];
  },
};
taskRegistry.register('recurrent', recurrentTask);
