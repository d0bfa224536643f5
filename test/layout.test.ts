// The two activation layouts (native/kernels/network.cc, fit.cc): tiny networks run feature-major
// ([features, rows], products vectorized along the batch, batches gathered by 8×8 transposes),
// the rest row-major. Both must compute the same thing: each case builds the same network twice
// and compares predictions, gradients, trainOnBatch and fit (shuffled, with partial batches), for
// every registered unit whose table entry (test/units/) says it runs feature-major; the others
// must run row-major whatever is asked.
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import type { NativeLayerSpec, NativeNetworkSpec } from '../binding';
import { uniform } from './helpers/reference';
import { build, registeredVariants } from './units/index';

type Layout = 'rowMajor' | 'featureMajor';

function spec(inputDim: number, layers: NativeLayerSpec[], layout?: Layout | 'auto'): NativeNetworkSpec {
  return { inputDim, layers, loss: { type: 'mse' }, optimizer: { type: 'adam', learningRate: 0.01 }, layout };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  expect(got.length, what).toBe(want.length);
  const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]) / scale, `${what}[${i}]`).toBeLessThan(tol);
}

// [name, inputDim, layers, tolerance] beyond one unit alone (those: every registered unit below):
// summation order differs between the layouts, and a NALU after another layer takes log|x| of
// inputs that can be near 0, which magnifies it.
const cases: [string, number, NativeLayerSpec[], number?][] = [
  ['NALU, 1 unit', 10, [{ type: 'nalu', units: 1, seed: 3 }]],
  ['NALU, 3 units', 13, [{ type: 'nalu', units: 3, seed: 4 }]],
  ['NAC → NALU', 9, [{ type: 'nac', units: 4, seed: 7 }, { type: 'nalu', units: 2, seed: 8 }], 1e-3],
  ['NAU → NAU', 12, [{ type: 'nau', units: 3, seed: 9 }, { type: 'nau', units: 1, seed: 10 }]],
  // The static task's network (NMU's backward from prefix and suffix products along the batch).
  ['NAU → NMU', 10, [{ type: 'nau', units: 2, seed: 11 }, { type: 'nmu', units: 1, seed: 12 }]],
  ['NMU, 3 units', 4, [{ type: 'nmu', units: 3, seed: 13 }]],
  // Inputs not a multiple of 4: the feature-major NMU takes four a pass, then one at a time,
  // with dx (after a layer) and without (first layer).
  ['NMU, 7 inputs', 7, [{ type: 'nmu', units: 2, seed: 16 }]],
  ['NAU → NMU, 6 → 2', 9, [{ type: 'nau', units: 6, seed: 17 }, { type: 'nmu', units: 2, seed: 18 }]],
  ['Gated NAU/NMU, 9 inputs', 9, [{ type: 'gatednaunmu', units: 2, seed: 19 }]],
  // Rows of [x | log features | y] wider than 64 floats: row-major fit gathers them from the
  // separate arrays, feature-major from interleaved rows.
  ['NALU, wide rows', 40, [{ type: 'nalu', units: 2, seed: 14 }]],
  // More than 64 inputs: row-major fit takes the log features from each gathered batch instead
  // of gathering them; feature-major gathers them.
  ['NALU, more than 64 inputs', 70, [{ type: 'nalu', units: 2, seed: 15 }]],
];

/** Builds the network in both layouts (an RNN first: rows of `steps` steps) and compares predict, gradients, trainOnBatch, fit and evaluate. */
async function expectAgree(features: number, layers: NativeLayerSpec[], tol: number, steps?: number) {
  const nets = (['rowMajor', 'featureMajor'] as Layout[]).map((l) => new native.NativeNetwork(spec(features, layers, l)));
  expect(nets.map((n) => n.layout)).toEqual(['rowMajor', 'featureMajor']);
  if (steps) nets.forEach((n) => n.setSteps(steps));
  const inputDim = features * (steps ?? 1), out = nets[0].outputDim;
  // 37 rows: batches of 16 leave a last batch of 5, below one 8-row block of the gather.
  const rows = 37;
  const x = uniform(rows * inputDim, 0.1, 2, 11), y = uniform(rows * out, -1, 3, 12);
  const [p0, p1] = nets.map((n) => n.predict(x, rows));
  expectClose(p1, p0, tol, 'predict');
  const [g0, g1] = nets.map((n) => n.computeGradients(x, y, rows));
  expect(Math.abs(g1.loss - g0.loss) / Math.max(1e-3, g0.loss)).toBeLessThan(tol);
  g0.grads.forEach((g, k) => expectClose(g1.grads[k], g, 10 * tol, `grad ${k}`));
  for (let step = 0; step < 5; step++) {
    const [l0, l1] = nets.map((n) => n.trainOnBatch(x, y, rows));
    expect(Math.abs(l1 - l0) / Math.max(1e-3, l0), `trainOnBatch loss ${step}`).toBeLessThan(10 * tol);
  }
  const xv = uniform(9 * inputDim, 0.1, 2, 13), yv = uniform(9 * out, -1, 3, 14);
  for (const shuffle of [true, false]) {
    const opts = { epochs: 3, batchSize: 16, shuffle, seed: 2, throwOnNonFinite: false, xVal: xv, yVal: yv, valRows: 9 };
    const [f0, f1] = await Promise.all(nets.map((n) => n.fit(x, y, rows, opts)));
    f0.epochs.forEach((e, i) => {
      expect(Math.abs(f1.epochs[i].loss - e.loss) / Math.max(1e-3, e.loss), `fit loss ${i}`).toBeLessThan(100 * tol);
      expect(Math.abs(f1.epochs[i].valLoss - e.valLoss) / Math.max(1e-3, e.valLoss), `fit valLoss ${i}`).toBeLessThan(100 * tol);
    });
    const [w0, w1] = nets.map((n) => n.getWeights());
    w0.forEach((w, k) => expectClose(w1[k].data, w.data, 100 * tol, `${shuffle ? 'shuffled' : 'in order'} fit weight ${k}`));
  }
  const [e0, e1] = nets.map((n) => n.evaluate(x, y, rows, 16));
  expect(Math.abs(e1 - e0) / Math.max(1e-3, e0), 'evaluate').toBeLessThan(100 * tol);
  nets.forEach((n) => n.dispose());
}

describe('every registered unit and variant: the layouts agree, or it runs row-major', () => {
  for (const { name, ref, variant } of registeredVariants())
    it(`${name}: ${ref.featureMajor ? 'feature-major and row-major agree' : 'runs row-major, also when feature-major is asked for'}`, async () => {
      // 5 inputs, 3 units: neither a multiple of the 8×8 blocks.
      const layer = build(ref, { units: 3, seed: 6, ...variant }).toNative(1);
      if (ref.featureMajor) return expectAgree(5, [layer], 1e-5);
      for (const l of ['featureMajor', 'auto'] as const) {
        const n = new native.NativeNetwork(spec(5, [layer], l));
        expect(n.layout, `layout '${l}'`).toBe('rowMajor');
        n.dispose();
      }
    });
});

describe('feature-major and row-major layouts agree beyond one unit', () => {
  for (const [name, inputDim, layers, tol = 1e-5] of cases) {
    it(name, () => expectAgree(inputDim, layers, tol));
  }
});

describe('an RNN runs feature-major when its cell does, and the layouts agree', () => {
  const rnn = (cell: string, cellOptions = {}, more = {}): NativeLayerSpec => ({ type: 'rnn', units: 2, seed: 21, cell, cellOptions, ...more }) as NativeLayerSpec;
  const cases: [string, NativeLayerSpec[], number?][] = [
    ['NAU cell → NAU', [rnn('nau'), { type: 'nau', units: 1, seed: 22 }]],
    ['NMU cell from 1, with R_z → NMU', [rnn('nmu', {}, { initialState: 1, zRegularizer: 0.5 }), { type: 'nmu', units: 1, seed: 23 }], 1e-4],
    ['NAC cell', [rnn('nac')]],
    ['NALU cell', [rnn('nalu')], 1e-4],
    ['Dense tanh cell (sums in the row-major order)', [rnn('dense', { activation: 'tanh' }), { type: 'dense', units: 1, seed: 24 }]],
    ['NAU cell, every step out', [rnn('nau', {}, { returnSequences: true })]],
  ];
  for (const [name, layers, tol = 1e-5] of cases) it(name, () => expectAgree(3, layers, tol, 4));
});

describe('layout choice', () => {
  it("'auto' runs feature-major only when every layer supports it and is tiny", () => {
    const layout = (inputDim: number, layers: NativeLayerSpec[], l?: Layout | 'auto') => {
      const n = new native.NativeNetwork(spec(inputDim, layers, l));
      const r = n.layout;
      n.dispose();
      return r;
    };
    expect(layout(10, [{ type: 'nalu', units: 1 }])).toBe('featureMajor');
    expect(layout(10, [{ type: 'nalu', units: 1 }], 'auto')).toBe('featureMajor');
    expect(layout(100, [{ type: 'nalu', units: 10 }])).toBe('featureMajor'); // 1000 weights
    expect(layout(100, [{ type: 'nalu', units: 11 }])).toBe('rowMajor'); // 1100 weights
    expect(layout(100, [{ type: 'nalu', units: 11 }], 'featureMajor')).toBe('featureMajor');
    expect(layout(10, [{ type: 'nalu', units: 1 }], 'rowMajor')).toBe('rowMajor');
    expect(layout(4, [{ type: 'nau', units: 2 }, { type: 'nmu', units: 1 }])).toBe('featureMajor');
    // A layer without a feature-major form keeps the whole network row-major.
    expect(layout(4, [{ type: 'nau', units: 2 }, { type: 'nmru', units: 1 }])).toBe('rowMajor');
    expect(layout(4, [{ type: 'dense', units: 2 }, { type: 'nacmul', units: 1 }])).toBe('featureMajor');
    expect(layout(4, [{ type: 'dense', units: 2 }, { type: 'nmru', units: 1 }], 'featureMajor')).toBe('rowMajor');
  });

  it('rejects an unknown layout', () => {
    const bad = (layout: unknown) => () => new native.NativeNetwork({ ...spec(2, [{ type: 'nalu', units: 1 }]), layout: layout as never });
    expect(bad('columns')).toThrow(RangeError);
    expect(bad('columns')).toThrow(/layout: expected one of 'auto', 'rowMajor', 'featureMajor', received 'columns'/);
    expect(bad(3)).toThrow(TypeError);
    expect(bad(3)).toThrow(/spec.layout: expected a string, received/);
  });
});
