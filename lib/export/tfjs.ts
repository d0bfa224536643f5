// A trained nalu model in TensorFlow.js's LayersModel format (model.json + weights.bin), which
// tf.loadLayersModel reads once `nalu/tfjs` has registered the units' layers; and back.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { NaluError } from '../errors';
import { writeFileAtomic } from '../io';
import { deserializeLayer } from '../layers';
import { Sequential } from '../model';
import { tensor } from '../tensor';

/** The weights file toTfjs writes beside model.json. */
const WEIGHTS = 'weights.bin';
const MAX_JSON_BYTES = 16 << 20;

/**
 * Writes `model` to `dir` (created if missing) as a tfjs LayersModel: each layer a `Nalu<Unit>`
 * layer of `nalu/tfjs` (its nalu config under `nalu`), its weights as `<layer>/<weight>` in float32.
 * @throws (rejects) NaluError NOT_COMPILED, SAVE_FAILED; RangeError naming a layer without a portable form.
 * @category Export
 */
export async function saveTfjs(model: Sequential, dir: string): Promise<void> {
  if (typeof dir !== 'string' || dir.length === 0) throw new TypeError(`toTfjs: expected a directory path, received ${typeof dir}`);
  if (!model.compiled) throw new NaluError('toTfjs: compile (or load) the model first: its weights live in the compiled network', 'NOT_COMPILED');
  const weights = model.getWeights();
  const specs = model.weightSpecs();
  const layers = model.layers.map((l, i) => {
    if (typeof l.toGraph !== 'function') throw new RangeError(`toTfjs: layer '${l.name}' (${l.className}) has no portable form`);
    const { inputDim, ...nalu } = l.getConfig();
    const config: Record<string, unknown> = { name: l.name, trainable: true, dtype: 'float32', nalu };
    if (i === 0) config.batch_input_shape = [null, inputDim ?? model.inputDim];
    return { class_name: `Nalu${l.className}`, config };
  });
  const bytes = new Uint8Array(weights.reduce((n, w) => n + w.data.byteLength, 0));
  let at = 0;
  for (const w of weights) {
    bytes.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), at);
    at += w.data.byteLength;
  }
  const json = {
    format: 'layers-model',
    generatedBy: 'nalu',
    convertedBy: null,
    modelTopology: { class_name: 'Sequential', config: { name: model.getConfig().name, layers }, keras_version: 'tfjs-layers', backend: 'tensor_flow.js' },
    weightsManifest: [{ paths: [WEIGHTS], weights: specs.map((s) => ({ name: `${s.layer}/${s.name}`, shape: s.shape, dtype: 'float32' })) }],
  };
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new NaluError(`toTfjs(${JSON.stringify(dir)}): ${(e as Error).message}`, 'SAVE_FAILED');
  }
  // Weights first: model.json, written last, names only complete weights.
  await writeFileAtomic(path.join(dir, WEIGHTS), bytes, 'toTfjs');
  await writeFileAtomic(path.join(dir, 'model.json'), `${JSON.stringify(json, null, 1)}\n`, 'toTfjs');
}

const bad = (dir: string, why: string) => new NaluError(`fromTfjs(${JSON.stringify(dir)}): ${why}`, 'BAD_FILE');

/**
 * Reads a tfjs LayersModel of `nalu/tfjs` layers (as toTfjs writes, or a tfjs model of them saved
 * by tf's `model.save`) into a compiled nalu Sequential (optimizer sgd, loss mse: compile again to train).
 * @throws (rejects) NaluError BAD_FILE naming what is wrong in the files, LOAD_FAILED when unreadable.
 * @category Export
 */
export async function fromTfjs(dir: string): Promise<Sequential> {
  if (typeof dir !== 'string' || dir.length === 0) throw new TypeError(`fromTfjs: expected a directory path, received ${typeof dir}`);
  let text: string;
  try {
    const file = path.join(dir, 'model.json');
    const st = await fs.stat(file);
    if (!st.isFile() || st.size > MAX_JSON_BYTES) throw bad(dir, `model.json is not a regular file of at most ${MAX_JSON_BYTES} bytes`);
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof NaluError) throw e;
    throw new NaluError(`fromTfjs(${JSON.stringify(dir)}): ${(e as Error).message}`, 'LOAD_FAILED');
  }
  let j: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw bad(dir, `model.json is not JSON (${(e as Error).message})`);
  }
  const topo = j?.modelTopology?.model_config ?? j?.modelTopology;
  const layerDefs = topo?.config?.layers;
  if (!Array.isArray(layerDefs) || layerDefs.length === 0) throw bad(dir, 'model.json has no modelTopology.config.layers');
  const layers = layerDefs.map((d: { class_name?: unknown; config?: { nalu?: unknown; name?: unknown; batch_input_shape?: unknown } }, i: number) => {
    const cls = typeof d?.class_name === 'string' ? d.class_name : '';
    if (!cls.startsWith('Nalu') || typeof d.config?.nalu !== 'object' || d.config.nalu === null)
      throw bad(dir, `layer ${i} is ${JSON.stringify(d?.class_name)}: expected a nalu/tfjs layer (Nalu<Unit> with a 'nalu' config)`);
    const config: Record<string, unknown> = { ...(d.config.nalu as object), name: d.config.name ?? (d.config.nalu as { name?: unknown }).name };
    const shape = d.config.batch_input_shape;
    if (i === 0 && Array.isArray(shape)) config.inputDim = shape[shape.length - 1];
    try {
      return deserializeLayer({ className: cls.slice(4), config }, `layers[${i}]`);
    } catch (e) {
      throw bad(dir, (e as Error).message);
    }
  });
  const model = new Sequential(layers);
  model.compile({ optimizer: 'sgd', loss: 'mse' });
  const specs = model.weightSpecs();
  const manifest: { name: string; shape: number[]; dtype?: string }[] = [];
  const paths: string[] = [];
  for (const g of Array.isArray(j.weightsManifest) ? j.weightsManifest : []) {
    paths.push(...(g.paths ?? []));
    manifest.push(...(g.weights ?? []));
  }
  let data: Uint8Array;
  try {
    const parts = await Promise.all(paths.map((p) => fs.readFile(path.join(dir, path.basename(String(p))))));
    data = new Uint8Array(Buffer.concat(parts));
  } catch (e) {
    model.dispose();
    throw new NaluError(`fromTfjs(${JSON.stringify(dir)}): ${(e as Error).message}`, 'LOAD_FAILED');
  }
  // Weights in the manifest's order, which is the layers' weight order (tfjs may suffix their names).
  if (manifest.length !== specs.length) {
    model.dispose();
    throw bad(dir, `the manifest lists ${manifest.length} weights, the layers have ${specs.length}`);
  }
  const weights = [];
  let at = 0;
  for (const [i, w] of manifest.entries()) {
    const s = specs[i], n = s.shape.reduce((a, b) => a * b, 1);
    const problem =
      w.dtype !== undefined && w.dtype !== 'float32' ? `expected float32, received ${w.dtype}`
      : JSON.stringify(w.shape) !== JSON.stringify(s.shape) ? `expected shape [${s.shape}] for ${s.layer}/${s.name}, received [${w.shape}]`
      : at + 4 * n > data.byteLength ? `the weight files hold ${data.byteLength} bytes, fewer than the manifest needs`
      : '';
    if (problem) {
      model.dispose();
      throw bad(dir, `weight ${i} (${w.name}): ${problem}`);
    }
    weights.push(tensor(new Float32Array(data.slice(at, at + 4 * n).buffer), s.shape));
    at += 4 * n;
  }
  model.setWeights(weights);
  return model;
}

/** The part of tfjs's IOHandler that tf.loadLayersModel calls. @category Export */
export interface TfjsLoadHandler {
  /** Reads model.json and its weights as tfjs's ModelArtifacts. */
  load(): Promise<Record<string, unknown>>;
}

/**
 * A tfjs IOHandler that reads what toTfjs wrote in `dir` (Node, where pure-JS tfjs has no file://):
 * `await tf.loadLayersModel(tfjsHandler(dir))` once `nalu/tfjs` is imported.
 * @category Export
 */
export function tfjsHandler(dir: string): TfjsLoadHandler {
  if (typeof dir !== 'string' || dir.length === 0) throw new TypeError(`tfjsHandler: expected a directory path, received ${typeof dir}`);
  return {
    async load() {
      const j = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8'));
      const groups: { paths: string[]; weights: unknown[] }[] = j.weightsManifest ?? [];
      const parts = await Promise.all(groups.flatMap((g) => g.paths).map((p) => fs.readFile(path.join(dir, path.basename(p)))));
      const data = Buffer.concat(parts);
      return {
        modelTopology: j.modelTopology,
        format: j.format,
        generatedBy: j.generatedBy,
        convertedBy: j.convertedBy,
        weightSpecs: groups.flatMap((g) => g.weights),
        weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      };
    },
  };
}
