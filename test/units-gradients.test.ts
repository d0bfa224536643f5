// Every registered unit, in every variant of its table entry (test/units/), against its float64
// reference: native forward, loss, regularization (its own regularizer at full strength, and
// kernelRegularizer's L1/L2) and gradients, the gradients against central differences of the
// reference. Each unit is checked alone and behind an NAU, so that its dx is checked too.
import { describe, expect, it } from 'vitest';
import { GatedNAUNMU, NAU, NMU, Sequential, tensor } from '../lib/index';
import { checkGradients, expectCovered } from './helpers/gradients';
import { signedUniform, uniform } from './helpers/reference';
import { build, registeredVariants } from './units/index';

const rows = 6;
const f32 = (a: number[]) => Float32Array.from(a);
const target = (units: number) => tensor(uniform(rows * units, -1, 1, 99), [rows, units]);
// A fixed NAU in front, with its regularizer: its outputs stay away from 0.
const front = (inputDim: number, sparsityLambda = 0.3) => new NAU({ units: inputDim, inputDim, seed: 1, sparsityLambda, sparsityStart: 0, sparsityEnd: 0 });
const frontW3 = [0.9, 0.2, -0.1, 0.1, 0.8, 0.15, -0.2, 0.05, 0.7];

describe('every registered unit and variant: gradients against the float64 reference', () => {
  for (const { name, ref, variant } of registeredVariants())
    it(`${name}: alone and behind an NAU`, () => {
      const options = { units: 2, seed: 5, ...variant, ...ref.gradient.options?.(variant), kernelRegularizer: { l1: 0.01, l2: 0.02 } };
      const unit = build(ref, { ...options, inputDim: 3 });
      const covers = ref.gradient.covers?.(unit) ?? [];
      const { lo, hi } = ref.domain;
      const alone = checkGradients({
        layers: [unit],
        inputDim: 3,
        x: tensor(signedUniform(rows * 3, lo, hi, 1), [rows, 3]),
        y: target(2),
        loss: 'mse',
        weights: ref.gradient.weights?.(unit),
      });
      expectCovered(alone.kinks, covers, name);
      checkGradients({
        layers: [front(3), build(ref, options)],
        inputDim: 3,
        x: tensor(signedUniform(rows * 3, Math.max(0.5, lo + 0.2), hi, 2), [rows, 3]),
        y: target(2),
        loss: 'mse',
        weights: [frontW3, ...alone.weights],
      });
    });
});

describe('NAU', () => {
  it('regularizer is off before sparsityStart and ramps linearly', () => {
    const m = new Sequential([new NAU({ units: 1, inputDim: 2, sparsityLambda: 2, sparsityStart: 1, sparsityEnd: 3 })]);
    m.compile({ optimizer: { className: 'SGD', config: { learningRate: 0 } } as never, loss: 'mse' });
    m.setWeights([{ data: f32([0.2, -0.9]), shape: [2, 1] }]);
    const x = { data: f32([1, 1]), shape: [1, 2] }, y = { data: f32([0]), shape: [1, 1] };
    const R = (0.2 + 0.1) / 2;
    expect(m.computeGradients(x, y).regularization).toBe(0); // t = 0 < start
    m.trainOnBatch(x, y);
    m.trainOnBatch(x, y); // t = 2: halfway
    expect(m.computeGradients(x, y).regularization).toBeCloseTo(R, 6);
    m.trainOnBatch(x, y); // t = 3: full strength
    expect(m.computeGradients(x, y).regularization).toBeCloseTo(2 * R, 6);
    m.dispose();
  });
});

describe('NMU', () => {
  it('exact gradients when a factor is 0 (input 0 with W = 1, and a hidden 0 behind an NAU)', () => {
    // Row 0: x = [1, 1] gives NAU output h0 = 0.5 − 0.5 = 0 exactly; NMU W[0][0] = 1 makes its factor 0.
    const x = [1, 1, ...signedUniform((rows - 1) * 2, 0.3, 2, 3)];
    checkGradients({
      layers: [front(2, 0), new NMU({ units: 2, sparsityLambda: 0 })],
      inputDim: 2,
      x: tensor(f32(x), [rows, 2]),
      y: target(2),
      loss: 'mse',
      weights: [
        [0.5, 0.3, -0.5, 0.8],
        [1, 0.3, 0.7, 0.6],
      ],
    });
    // An input that is 0 itself.
    checkGradients({
      layers: [new NMU({ units: 2, inputDim: 2, sparsityLambda: 0 })],
      inputDim: 2,
      x: tensor(f32([0, 1.5, ...signedUniform((rows - 1) * 2, 0.3, 2, 4)]), [rows, 2]),
      y: target(2),
      loss: 'mse',
      weights: [[1, 0.4, 0.7, 0.2]],
    });
  });
});

describe('GatedNAUNMU', () => {
  it('exact gradients when an NMU factor is 0 (input 0 with W_mul = 1)', () => {
    checkGradients({
      layers: [new GatedNAUNMU({ units: 2, inputDim: 3, sparsityLambda: 0.6, sparsityStart: 0, sparsityEnd: 0 })],
      inputDim: 3,
      x: tensor(f32([0, 1.5, -0.7, ...signedUniform((rows - 1) * 3, 0.3, 2, 21)]), [rows, 3]),
      y: target(2),
      loss: 'mse',
      weights: [
        [0.3, -0.8, 0.65, -0.2, 0.1, 0.9],
        [1, 0.8, 0.35, 0.6, 0.9, 0.15],
        [0.7, -0.5, 0.2, 0.9, -1.1, 0.4],
      ],
    });
  });
});
