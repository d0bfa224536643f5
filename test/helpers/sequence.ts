// Save/load of a recurrent model: one trained step, then config, weights and predictions equal
// after loadModel, at the trained length and a longer one (the step count is free per call).
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import { Adam, Sequential, loadModel, tensor } from '../../lib/index';
import { uniform } from './reference';

/** m's input is [3, steps, 2] and its output [3, 2]; m is disposed. Returns the loaded model's config. */
export async function expectSequenceRoundTrip(m: Sequential) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nalu-sequence-'));
  m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
  m.trainOnBatch(tensor(uniform(3 * 5 * 2, 0.5, 1.5, 2), [3, 5, 2]), tensor(uniform(6, 0, 1, 3), [3, 2]));
  await m.save(dir);
  const back = await loadModel(dir);
  const config = back.getConfig();
  expect(config).toEqual(m.getConfig());
  expect(back.getWeights()).toEqual(m.getWeights());
  for (const steps of [5, 12]) {
    const xs = tensor(uniform(3 * steps * 2, 0.5, 1.5, steps), [3, steps, 2]);
    expect(back.predict(xs).data).toEqual(m.predict(xs).data);
  }
  m.dispose();
  back.dispose();
  await fs.rm(dir, { recursive: true });
  return config;
}
