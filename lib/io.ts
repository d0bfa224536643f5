// save/loadModel: model.json (topology, training config, weights manifest) + one weights file.
// The weights file is named by its content hash and written before model.json, each through a
// temp file + fsync + rename: a crash at any point leaves the previous model.json pointing at
// a complete weights file.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { NaluError } from './errors';
import { deserializeLayer } from './layers';
import { getLoss } from './losses';
import { Sequential } from './model';
import { getOptimizer } from './optimizers';
import type { Serialized } from './registry';

export const FORMAT = 'nalu-model';
export const FORMAT_VERSION = 1;
const MAX_JSON_BYTES = 16 << 20;

interface ModelJson {
  format: string;
  formatVersion: number;
  modelTopology: { className: 'Sequential'; config: { name: string; layers: Serialized[] } };
  trainingConfig: { optimizer: Serialized; loss: Serialized } | null;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: 'float32' }[] }[];
}

async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
}

async function syncDir(dir: string) {
  try {
    const fh = await fs.open(dir, 'r');
    await fh.sync().finally(() => fh.close());
  } catch {
    /* not supported on every platform */
  }
}

// Saves to one directory run one after another: two interleaved saves could each delete the
// weights file the other's model.json names.
const saving = new Map<string, Promise<void>>();

/** Writes the model to dir (created if missing), atomically. */
export async function saveModel(model: Sequential, dir: string): Promise<void> {
  if (typeof dir !== 'string' || dir.length === 0) throw new TypeError(`save: expected a directory path, received ${typeof dir}`);
  // The weights are taken now, synchronously: what is saved is the model as it was at the call.
  const { bytes, weightsFile, json } = serialize(model);
  const key = path.resolve(dir);
  const prev = saving.get(key) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(() => write(dir, bytes, weightsFile, json));
  saving.set(key, next);
  try {
    await next;
  } finally {
    if (saving.get(key) === next) saving.delete(key);
  }
}

function serialize(model: Sequential) {
  const specs = model.weightSpecs();
  const weights = model.getWeights();
  const total = weights.reduce((a, w) => a + w.data.length, 0);
  const bytes = new Uint8Array(total * 4);
  const view = new DataView(bytes.buffer);
  let k = 0;
  for (const w of weights) for (let i = 0; i < w.data.length; i++, k += 4) view.setFloat32(k, w.data[i], true);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const weightsFile = `weights-${hash}.bin`;
  const json: ModelJson = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    modelTopology: { className: 'Sequential', config: model.getConfig() },
    trainingConfig: model.compiled ? { optimizer: model.optimizer.serialize(), loss: model.loss.serialize() } : null,
    weightsManifest: [
      { paths: [weightsFile], weights: specs.map((s) => ({ name: `${s.layer}/${s.name}`, shape: s.shape, dtype: 'float32' })) },
    ],
  };
  return { bytes, weightsFile, json };
}

async function write(dir: string, bytes: Uint8Array, weightsFile: string, json: ModelJson): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await writeAtomic(path.join(dir, weightsFile), bytes);
  await writeAtomic(path.join(dir, 'model.json'), JSON.stringify(json, null, 2));
  await syncDir(dir);
  // Old weights files are no longer referenced.
  for (const f of await fs.readdir(dir))
    if (/^weights-[0-9a-f]{16}\.bin$/.test(f) && f !== weightsFile) await fs.rm(path.join(dir, f), { force: true });
}

function bad(dir: string, what: string): never {
  throw new NaluError(`loadModel(${JSON.stringify(dir)}): ${what}`, 'BAD_FILE');
}

/** Restores a model written by save(): same topology, weights, optimizer and loss. */
export async function loadModel(dir: string): Promise<Sequential> {
  if (typeof dir !== 'string' || dir.length === 0) throw new TypeError(`loadModel: expected a directory path, received ${typeof dir}`);
  const jsonPath = path.join(dir, 'model.json');
  let stat;
  try {
    stat = await fs.stat(jsonPath);
  } catch {
    bad(dir, 'model.json not found');
  }
  // A FIFO or device would block or stream forever.
  if (!stat.isFile()) bad(dir, 'model.json is not a regular file');
  if (stat.size > MAX_JSON_BYTES) bad(dir, `model.json is ${stat.size} bytes, more than the ${MAX_JSON_BYTES} allowed`);
  let json: ModelJson;
  try {
    json = JSON.parse(await fs.readFile(jsonPath, 'utf8'));
  } catch (e) {
    bad(dir, `model.json is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || json.format !== FORMAT) bad(dir, `model.json is not a ${FORMAT} file`);
  if (json.formatVersion !== FORMAT_VERSION) bad(dir, `unsupported formatVersion ${json.formatVersion} (expected ${FORMAT_VERSION})`);
  const topo = json.modelTopology;
  if (!topo || topo.className !== 'Sequential' || !Array.isArray(topo.config?.layers))
    bad(dir, 'modelTopology must be a Sequential with a layers array');
  let model: Sequential;
  try {
    model = new Sequential({
      name: typeof topo.config.name === 'string' ? topo.config.name : undefined,
      layers: topo.config.layers.map((l, i) => deserializeLayer(l, `layers[${i}]`)),
    });
  } catch (e) {
    if (e instanceof NaluError) throw e;
    bad(dir, `bad topology: ${(e as Error).message}`);
  }
  const specs = model.weightSpecs();
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length !== 1 || !Array.isArray(manifest[0]?.paths) || manifest[0].paths.length !== 1)
    bad(dir, 'weightsManifest must name one weights file');
  const file = manifest[0].paths[0];
  if (typeof file !== 'string' || !/^[\w.-]+\.bin$/.test(file) || file.startsWith('.'))
    bad(dir, `weights path ${JSON.stringify(file)} must be a plain file name in the model directory`);
  const entries = manifest[0].weights;
  if (!Array.isArray(entries) || entries.length !== specs.length)
    bad(dir, `the manifest lists ${Array.isArray(entries) ? entries.length : 'no'} weights, the topology has ${specs.length}`);
  entries.forEach((e, i) => {
    const s = specs[i];
    if (e?.dtype !== 'float32') bad(dir, `weight ${i} has dtype ${JSON.stringify(e?.dtype)}, expected 'float32'`);
    if (!Array.isArray(e.shape) || e.shape.length !== s.shape.length || e.shape.some((d, k) => d !== s.shape[k]))
      bad(dir, `weight ${i} (${s.layer}.${s.name}) has shape ${JSON.stringify(e.shape)}, the topology needs [${s.shape.join(', ')}]`);
  });
  const expected = specs.reduce((a, s) => a + s.shape.reduce((p, q) => p * q, 1), 0) * 4;
  const weightsPath = path.join(dir, file);
  let wstat;
  try {
    wstat = await fs.stat(weightsPath);
  } catch {
    bad(dir, `weights file ${file} not found`);
  }
  if (!wstat.isFile()) bad(dir, `${file} is not a regular file`);
  // Checked before reading, so a file cannot make us allocate what it claims.
  if (wstat.size !== expected) bad(dir, `${file} has ${wstat.size} bytes, the topology needs ${expected}`);
  const bytes = await fs.readFile(weightsPath);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  const weights = specs.map((s, i) => {
    const n = s.shape.reduce((p, q) => p * q, 1);
    const data = new Float32Array(n);
    for (let j = 0; j < n; j++, off += 4) {
      data[j] = view.getFloat32(off, true);
      if (!Number.isFinite(data[j])) bad(dir, `weight ${i} (${s.layer}.${s.name}) has a non-finite value at ${j}`);
    }
    return { data, shape: s.shape };
  });
  if (json.trainingConfig) {
    try {
      model.compile({ optimizer: getOptimizer(json.trainingConfig.optimizer), loss: getLoss(json.trainingConfig.loss) });
    } catch (e) {
      bad(dir, `bad trainingConfig: ${(e as Error).message}`);
    }
  }
  model.setWeights(weights);
  return model;
}
