// The seed's Keras NALU weights into nalu: model.save_weights in HDF5, read with h5wasm (an optional
// peer). Keras 3 files keep each layer's variables by position (layers/<name>/vars/<i>), Keras 2
// files by name (<layer>/<layer>/W_hat:0); both hold W_hat, M_hat, G as [in, units].
import { NaluError } from '../errors';
import { NALU } from '../layers/nalu';
import type { Sequential } from '../model';
import { tensor } from '../tensor';

/** The optional peer that reads HDF5, as npm installs it. */
export const kerasPackages = ['h5wasm@^0.10.3'];

// h5wasm ships as ES modules only: a real dynamic import keeps it out of the CommonJS require path.
// A vm context without dynamic import (a test runner's) takes the transpiled import() instead.
const esmImport = async (s: string): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    return await (new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>)(s);
  } catch (e) {
    if (!/dynamic import callback/.test((e as Error).message)) throw e;
    return import(s);
  }
};

interface H5Node {
  type: string;
  keys?(): string[];
  get?(name: string): H5Node | null;
  attrs?: Record<string, { value: unknown }>;
  value?: unknown;
  shape?: number[];
}

async function openH5(file: string): Promise<{ root: H5Node; close(): void }> {
  let h5: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    h5 = await esmImport('h5wasm/node');
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    throw new NaluError(`loadKerasWeights needs the optional package h5wasm: npm install ${kerasPackages.join(' ')}`, 'MISSING_DEPENDENCY');
  }
  await h5.ready;
  let f: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    f = new h5.File(file, 'r');
  } catch (e) {
    throw new NaluError(`loadKerasWeights(${JSON.stringify(file)}): not a readable HDF5 file (${(e as Error).message})`, 'BAD_FILE');
  }
  return { root: f as H5Node, close: () => f.close() };
}

/** The weight datasets of one Keras layer group, in the order the layer made them. */
function layerVariables(group: H5Node): H5Node[] {
  const vars = group.get!('vars');
  if (vars && vars.type === 'Group') {
    return vars
      .keys!()
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => vars.get!(k)!);
  }
  // Keras 2: <layer>/<layer>/W_hat:0 …, in the order of the group's weight_names attribute.
  const names = group.attrs?.weight_names?.value as string[] | undefined;
  return (names ?? []).map((n) => group.get!(n)).filter((d): d is H5Node => !!d && d.type === 'Dataset');
}

/** The groups of the layers that have weights, in the file's order (Keras 3 or Keras 2). */
function layerGroups(root: H5Node): { name: string; vars: H5Node[] }[] {
  const legacy = root.attrs?.layer_names?.value as string[] | undefined;
  const top = legacy ? root : root.get!('layers');
  if (!top || top.type !== 'Group') return [];
  // Keras 3 names a layer's group after its class (nalu, nalu_1, nalu_2, …) in creation order.
  const order = legacy ?? top.keys!().sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return order
    .map((name) => ({ name, group: top.get!(name) }))
    .filter((l): l is { name: string; group: H5Node } => !!l.group && l.group.type === 'Group')
    .map(({ name, group }) => ({ name, vars: layerVariables(group) }))
    .filter((l) => l.vars.length > 0);
}

/**
 * Loads the weights of a Keras model of the seed's `NALU` layers (model.save_weights, HDF5: Keras 3
 * `.weights.h5` or Keras 2 `.h5`) into `model`, a compiled nalu Sequential of NALU layers with the
 * seed's settings (gate 'input', shared weights, ε 1e-7), matched layer by layer in order.
 * @throws (rejects) TypeError for bad arguments; RangeError naming the layer whose kind or shape
 *   differs; NaluError BAD_FILE for an unreadable file, MISSING_DEPENDENCY without h5wasm, NOT_COMPILED.
 * @category Export
 */
export async function loadKerasWeights(file: string, model: Sequential): Promise<void> {
  if (typeof file !== 'string' || file.length === 0) throw new TypeError(`loadKerasWeights: expected a file path, received ${typeof file}`);
  if (!model || typeof (model as { setWeights?: unknown }).setWeights !== 'function')
    throw new TypeError(`loadKerasWeights: expected a Sequential model, received ${model === null ? 'null' : typeof model}`);
  if (!model.compiled) throw new NaluError('loadKerasWeights: compile the model first: its weights live in the compiled network', 'NOT_COMPILED');
  const layers = model.layers;
  layers.forEach((l, i) => {
    if (!(l instanceof NALU) || l.gate !== 'input' || l.separateWeights || l.epsilon !== 1e-7)
      throw new RangeError(
        `loadKerasWeights: layer ${i} '${l.name}': expected a NALU with the seed's settings (gate 'input', separateWeights false, epsilon 1e-7), received ${l.className} ${JSON.stringify(l.getConfig())}`,
      );
  });
  const h5 = await openH5(file);
  try {
    let found: { name: string; vars: H5Node[] }[];
    try {
      found = layerGroups(h5.root);
    } catch (e) {
      throw new NaluError(`loadKerasWeights(${JSON.stringify(file)}): not a Keras weights file (${(e as Error).message})`, 'BAD_FILE');
    }
    if (found.length !== layers.length)
      throw new RangeError(`loadKerasWeights: the model has ${layers.length} NALU layer(s), ${file} has ${found.length} layer(s) with weights (${found.map((l) => l.name).join(', ')})`);
    const weights = [];
    let inputDim = model.inputDim;
    for (let i = 0; i < layers.length; i++) {
      const { name, vars } = found[i];
      const want = [inputDim, layers[i].units];
      if (vars.length !== 3) throw new RangeError(`loadKerasWeights: Keras layer '${name}': expected 3 weights (W_hat, M_hat, G), received ${vars.length}`);
      for (const [k, v] of vars.entries()) {
        const shape = v.shape ?? [];
        if (shape.length !== 2 || shape[0] !== want[0] || shape[1] !== want[1])
          throw new RangeError(`loadKerasWeights: Keras layer '${name}' weight ${['W_hat', 'M_hat', 'G'][k]}: expected shape [${want}] for layer ${i} '${layers[i].name}', received [${shape}]`);
        weights.push(tensor(Float32Array.from(v.value as ArrayLike<number>), want));
      }
      inputDim = layers[i].units;
    }
    model.setWeights(weights);
  } finally {
    h5.close();
  }
}
