// save() is atomic under SIGKILL; loadModel refuses truncated, corrupt and crafted files with
// NaluError BAD_FILE, without allocating what they claim.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NALU, NaluError, Sequential, loadModel } from '../lib/index';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-files-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;

async function saved() {
  const dir = path.join(root, `m${n++}`);
  const m = new Sequential([new NALU({ units: 2, inputDim: 3, seed: 1 })]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  await m.save(dir);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  return { dir, json, weightsPath: path.join(dir, json.weightsManifest[0].paths[0]), model: m };
}

async function badFile(dir: string, pattern: RegExp) {
  const rssBefore = process.memoryUsage().rss;
  const err = await loadModel(dir).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(NaluError);
  expect((err as NaluError).code).toBe('BAD_FILE');
  expect((err as Error).message).toMatch(pattern);
  // Nothing near what a crafted file claims was allocated.
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 << 20);
}

describe('files', () => {
  it('a process SIGKILLed in the middle of save leaves a loadable model', async () => {
    const dir = path.join(root, 'killed');
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'save-child.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      // Kill at a different point of the save loop each round.
      await new Promise((r) => setTimeout(r, 20 + round * 37));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const m = await loadModel(dir);
      expect(m.getWeights().every((w) => w.data.every(Number.isFinite))).toBe(true);
      expect(m.getWeights()[0].shape).toEqual([256, 64]);
      m.dispose();
    }
  });

  it('interleaved saves to one directory leave the last one loadable', async () => {
    const { dir, model } = await saved();
    const w = model.getWeights();
    const saves = [];
    for (let i = 0; i < 5; i++) {
      model.setWeights(w.map((t) => ({ data: t.data.map((v) => v + i), shape: t.shape })));
      saves.push(model.save(dir));
    }
    await Promise.all(saves);
    const back = await loadModel(dir);
    expect(Array.from(back.getWeights()[0].data)).toEqual(Array.from(w[0].data.map((v) => v + 4)));
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
  });

  it('truncated, empty or corrupt files: BAD_FILE', async () => {
    let s = await saved();
    fs.truncateSync(s.weightsPath, 7);
    await badFile(s.dir, /bytes, the topology needs/);
    s = await saved();
    fs.writeFileSync(path.join(s.dir, 'model.json'), fs.readFileSync(path.join(s.dir, 'model.json'), 'utf8').slice(0, 50));
    await badFile(s.dir, /not valid JSON/);
    s = await saved();
    fs.writeFileSync(path.join(s.dir, 'model.json'), '');
    await badFile(s.dir, /not valid JSON/);
    s = await saved();
    fs.writeFileSync(path.join(s.dir, 'model.json'), '[1,2,3]');
    await badFile(s.dir, /not a nalu-model file/);
    await badFile(path.join(root, 'missing'), /model.json not found/);
    s = await saved();
    fs.rmSync(path.join(s.dir, 'model.json'));
    fs.mkdirSync(path.join(s.dir, 'model.json'));
    await badFile(s.dir, /not a regular file/);
  });

  it('crafted files: shapes that claim gigabytes, wrong dtype, unknown layer, NaN weights, path tricks', async () => {
    const edit = async (f: (j: any) => void, pattern: RegExp) => {
      const s = await saved();
      f(s.json);
      fs.writeFileSync(path.join(s.dir, 'model.json'), JSON.stringify(s.json));
      await badFile(s.dir, pattern);
      return s;
    };
    // Units and shapes claiming 16M × 16M weights (1 PB): refused from the file size alone.
    await edit((j) => {
      j.modelTopology.config.layers[0].config.units = 2 ** 24;
      j.modelTopology.config.layers[0].config.inputDim = 2 ** 24;
      for (const w of j.weightsManifest[0].weights) w.shape = w.shape.map(() => 2 ** 24);
    }, /bytes, the topology needs/);
    await edit((j) => (j.weightsManifest[0].weights[0].shape = [3e9, 2]), /has shape/);
    await edit((j) => (j.weightsManifest[0].weights[1].dtype = 'float64'), /dtype "float64"/);
    await edit((j) => (j.modelTopology.config.layers[0].className = 'Evil'), /unknown layer 'Evil'/);
    await edit((j) => (j.modelTopology.config.layers[0].config.units = -1), /units/);
    await edit((j) => (j.formatVersion = 99), /formatVersion/);
    await edit((j) => (j.trainingConfig.optimizer = { className: 'nope', config: {} }), /trainingConfig/);
    for (const p of ['../x.bin', '/etc/passwd', '..\\x.bin', '.hidden.bin', 'sub/w.bin', 'model.json'])
      await edit((j) => (j.weightsManifest[0].paths = [p]), /must be a plain file name/);
    await edit((j) => (j.weightsManifest[0].paths = ['a.bin', 'b.bin']), /one weights file/);
    // NaN and Infinity inside an otherwise valid weights file.
    for (const bad of [NaN, Infinity]) {
      const s = await saved();
      const buf = fs.readFileSync(s.weightsPath);
      buf.writeFloatLE(bad, 8);
      fs.writeFileSync(s.weightsPath, buf);
      await badFile(s.dir, /non-finite value at 2/);
    }
    // A weights path that is not a regular file (a directory here; a FIFO would block) is refused.
    const s = await saved();
    fs.rmSync(s.weightsPath);
    fs.mkdirSync(s.weightsPath);
    await badFile(s.dir, /not a regular file/);
  });

  it('a good save still round-trips', async () => {
    const s = await saved();
    const back = await loadModel(s.dir);
    expect(back.getWeights().map((w) => Array.from(w.data))).toEqual(s.model.getWeights().map((w) => Array.from(w.data)));
  });
});
