// The seed's Keras NALU: weights saved by Keras (test/fixtures/keras/make_nalu_fixture.py) load into
// nalu's NALU, whose predictions then equal Keras's, in and outside the training range.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NALU, NAU, NaluError, Sequential, loadKerasWeights } from '../lib/index';

const dir = path.join(__dirname, 'fixtures', 'keras');
const fixture = JSON.parse(fs.readFileSync(path.join(dir, 'nalu-predictions.json'), 'utf8')) as {
  inputDim: number;
  layers: { units: number }[];
  inRange: { x: number[]; y: number[] };
  outOfRange: { x: number[]; y: number[] };
};

function seedModel(): Sequential {
  const m = new Sequential(fixture.layers.map((l, i) => new NALU({ units: l.units, ...(i === 0 ? { inputDim: fixture.inputDim } : {}) })));
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
}

describe('loadKerasWeights', () => {
  for (const which of ['inRange', 'outOfRange'] as const)
    it(`predicts as Keras did (${which}), to 1e-6 relative`, async () => {
      const model = seedModel();
      await loadKerasWeights(path.join(dir, 'nalu.weights.h5'), model);
      const { x, y } = fixture[which];
      const got = model.predict({ data: Float32Array.from(x), shape: [y.length, fixture.inputDim] }).data;
      for (let i = 0; i < y.length; i++) expect(Math.abs(got[i] - y[i]), `row ${i}: ${got[i]} vs Keras ${y[i]}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(y[i])));
      model.dispose();
    });

  it('names the layer whose kind or shape differs, and a file that is no HDF5', async () => {
    const wrongKind = new Sequential([new NAU({ units: 2, inputDim: 3 }), new NALU({ units: 1 })]);
    wrongKind.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(loadKerasWeights(path.join(dir, 'nalu.weights.h5'), wrongKind)).rejects.toThrow(/layer 0 'nau_\d+': expected a NALU/);
    const wrongShape = new Sequential([new NALU({ units: 3, inputDim: 3 }), new NALU({ units: 1 })]);
    wrongShape.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(loadKerasWeights(path.join(dir, 'nalu.weights.h5'), wrongShape)).rejects.toThrow(/expected shape \[3,3\].*received \[3,2\]/);
    const tooFew = new Sequential([new NALU({ units: 2, inputDim: 3 })]);
    tooFew.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(loadKerasWeights(path.join(dir, 'nalu.weights.h5'), tooFew)).rejects.toThrow(/1 NALU layer\(s\).*2 layer\(s\) with weights/);
    const junk = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-keras-')), 'junk.h5');
    fs.writeFileSync(junk, 'not hdf5');
    const err = await loadKerasWeights(junk, tooFew).catch((e) => e);
    expect(err).toBeInstanceOf(NaluError);
    expect(err.code).toBe('BAD_FILE');
    await expect(loadKerasWeights(path.join(dir, 'nalu.weights.h5'), new Sequential([new NALU({ units: 1, inputDim: 3 })]))).rejects.toThrow(/compile/);
    await expect(loadKerasWeights(42 as unknown as string, tooFew)).rejects.toThrow(TypeError);
    for (const m of [wrongKind, wrongShape, tooFew]) m.dispose();
  });
});
