// Feature-major products summed in the row-major order (native/kernels/row_order.cc): a network
// holding a Dense or NAC• layer runs feature-major but must train bit for bit as it did row-major,
// so each case compares the two layouts for exact equality, in every shape class gemm treats apart
// (its dot, column and row forms, 8-row tails, OpenBLAS past the loop kernel's size).
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import type { NativeLayerSpec } from '../binding';
import { uniform } from './helpers/reference';

const dense = (units: number, activation = 'linear', seed = 1): NativeLayerSpec => ({ type: 'dense', units, activation, seed });
const nacmul = (units: number, weight: string, seed = 2): NativeLayerSpec => ({ type: 'nacmul', units, weight, seed });

// [name, inputDim, layers, rows of a batch]
const cases: [string, number, NativeLayerSpec[], number][] = [
  // Table 1's shapes: 100 inputs → 2 → 1, batches of 128 (forward in the dot form, xᵀ·dy in the column form).
  ['Dense relu → Dense, Table 1', 100, [dense(2, 'relu'), dense(1)], 128],
  ['Dense relu6 → Dense, Table 1', 100, [dense(2, 'relu6', 3), dense(1, 'linear', 4)], 128],
  ['NAC → NAC•, Table 1', 100, [{ type: 'nac', units: 2, seed: 5 }, nacmul(1, 'nac')], 128],
  ['NAU → NAC•,NMU, Table 1', 100, [{ type: 'nau', units: 2, seed: 6 }, nacmul(1, 'nmu')], 128],
  ['NAC → NAC•,σ', 100, [{ type: 'nac', units: 2, seed: 7 }, nacmul(1, 'sigma')], 37],
  // K not a multiple of 8 (dot-form tail), 37 rows (an 8-row tail), 7 inputs (the column form's in-order rows).
  ['Dense tanh → Dense, 13 inputs', 13, [dense(3, 'tanh', 8), dense(2, 'linear', 9)], 37],
  ['Dense, 7 inputs', 7, [dense(5, 'sigmoid', 10)], 37],
  // 16 and 32 inputs: multiples of 16 (gemm's AVX-512 clone sums those in sixteen lanes).
  ['Dense, 32 inputs', 32, [dense(3, 'elu', 11), dense(1, 'linear', 12)], 40],
  // 9 units: the row form everywhere; a batch of 4 below the units (transposed and run row-major).
  ['Dense, 9 units', 6, [dense(9, 'selu', 13), dense(1, 'linear', 14)], 37],
  ['Dense, 9 units, 4 rows', 6, [dense(9, 'softsign', 15), dense(1, 'linear', 16)], 4],
];

const net = (inputDim: number, layers: NativeLayerSpec[], layout: 'rowMajor' | 'auto') =>
  new native.NativeNetwork({ inputDim, layers, loss: { type: 'mse' }, optimizer: { type: 'adam', learningRate: 0.01 }, layout });

describe('a network with a Dense or NAC• layer runs feature-major, bit-identical to row-major', () => {
  for (const [name, inputDim, layers, rows] of cases)
    it(name, async () => {
      const nets = [net(inputDim, layers, 'rowMajor'), net(inputDim, layers, 'auto')];
      expect(nets.map((n) => n.layout)).toEqual(['rowMajor', 'featureMajor']);
      const out = nets[0].outputDim;
      const x = uniform(rows * inputDim, -2, 2, 21), y = uniform(rows * out, -1, 3, 22);
      const same = <T>(f: (n: (typeof nets)[0]) => T) => {
        const [a, b] = nets.map(f);
        expect(b).toEqual(a);
      };
      same((n) => n.predict(x, rows));
      same((n) => n.computeGradients(x, y, rows));
      for (let step = 0; step < 20; step++) same((n) => n.trainOnBatch(x, y, rows));
      same((n) => n.getWeights());
      // 3000 rows in one chunk: the forward product past the loop kernel's size (OpenBLAS row-major).
      const big = 3000, xb = uniform(big * inputDim, -2, 2, 23), yb = uniform(big * out, -1, 3, 24);
      same((n) => n.evaluate(xb, yb, big, big));
      same((n) => n.predict(xb, big));
      const [f0, f1] = await Promise.all(nets.map((n) => n.fit(x, y, rows, { epochs: 3, batchSize: 16, shuffle: true, seed: 2, throwOnNonFinite: false })));
      expect(f1.epochs.map((e) => e.loss)).toEqual(f0.epochs.map((e) => e.loss));
      same((n) => n.getWeights());
      nets.forEach((n) => n.dispose());
    });
});
