// The single-module benchmark of Mistry et al. (2021): input size 2, t = x0 ∘ x1 learnt by one
// unit, over nine train/test ranges.
import type { Range } from './task';
import { defaultInstance, taskRegistry, type TaskDefinition } from './task';
import { arithmeticParams } from './static';

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

const singleModule: TaskDefinition = {
  name: 'single-module',
  description:
    'Mistry et al. (2021) single-module benchmark: input size 2, t = x0 ∘ x1, one unit, nine train/test ranges (each a row of the table).',
  nativeTask: 'arithmetic',
  depth: 1,
  // Its records say hiddenSize 0.
  params: arithmeticParams.map((p) => (p.name === 'hiddenSize' ? { ...p, min: 0, fixed: 'no hidden layer' } : p)),
  paramDefaults: { interpolation: [[1, 2]], extrapolation: [[2, 6]], inputSize: 2, subsetRatio: 0.5, overlapRatio: 0, hiddenSize: 0 },
  defaults: { iterations: 5e4, evalEvery: 1000, batchSize: 128, evalSize: 1e4 },
  ops: ['add', 'sub', 'mul'],
  models: ['nau-nmu', 'nalu'],
  // nalm-benchmark single_layer_benchmark.sh: the NMU's regularizer from step 2e4 to 3.5e4.
  settings: { learningRate: 1e-3, sparsityLambda: 10, sparsityStart: 2e4, sparsityEnd: 3.5e4, clipNorm: 0, clipValue: 0, l1Start: 0, l1End: 0 },
  instances(op, overrides = {}) {
    // One range given: that one; none: the benchmark's nine.
    const { interpolation, extrapolation } = overrides;
    const ranges: [Range | undefined, Range | undefined][] = interpolation || extrapolation ? [[interpolation as Range, extrapolation as Range]] : singleModuleRanges;
    return ranges.map(([i, e]) => defaultInstance(this, op, { ...overrides, interpolation: i, extrapolation: e }));
  },
};
taskRegistry.register('single-module', singleModule);
