// ONNX export with standard operators only (opset 17, no custom domain): each unit writes its
// forward through OpGraph (its toGraph); this file turns that into the protobuf.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../binding';
import { NaluError } from '../errors';
import { floatAttrs, type OpAttr, type OpGraph } from './graph';
import { writeFileAtomic } from '../io';
import type { Sequential } from '../model';

/** The ONNX opset the export targets. @category Export */
export const onnxOpset = 17;
/** The export's optional peer package, as npm installs it. */
export const onnxPackages = ['onnx-proto@^8.0.1'];

interface ProtoNode {
  opType: string;
  input: string[];
  output: string[];
  name: string;
  attribute: Record<string, unknown>[];
}

class Graph implements OpGraph {
  readonly nodes: ProtoNode[] = [];
  readonly initializers: Record<string, unknown>[] = [];
  private used = new Set<string>();
  constructor(
    readonly prefix: string,
    private readonly weights: { name: string; shape: number[]; data: Float32Array }[],
  ) {}

  private weightNames = new Map<number, string>();

  weight(i: number): string {
    const w = this.weights[i];
    if (!w) throw new RangeError(`weight ${i}: the layer has ${this.weights.length} weights`);
    let name = this.weightNames.get(i);
    if (name === undefined) this.weightNames.set(i, (name = this.constant(w.data, w.shape, w.name)));
    return name;
  }

  name(hint: string): string {
    const base = `${this.prefix}/${hint}`;
    let n = base;
    for (let i = 1; this.used.has(n); i++) n = `${base}_${i}`;
    this.used.add(n);
    return n;
  }
  constant(data: ArrayLike<number>, dims: number[], hint = 'const'): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new RangeError(`constant ${hint}: expected ${size} values for ${JSON.stringify(dims)}, received ${data.length}`);
    const f = Float32Array.from(data);
    const name = this.name(hint);
    this.initializers.push({ name, dims, dataType: 1, rawData: new Uint8Array(f.buffer, f.byteOffset, f.byteLength) });
    return name;
  }
  scalar(v: number): string {
    return this.constant([v], [], 'c');
  }
  ints(data: number[], hint = 'ints'): string {
    const name = this.name(hint);
    const b = new BigInt64Array(data.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [data.length], dataType: 7, rawData: new Uint8Array(b.buffer) });
    return name;
  }
  op(type: string, inputs: string[], attrs: Record<string, OpAttr> = {}, hint = type): string {
    const out = this.name(hint);
    const attribute = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
      if (Array.isArray(v)) return { name, type: 7, ints: v };
      return Number.isInteger(v) && !floatAttrs.has(name) ? { name, type: 2, i: v } : { name, type: 1, f: v };
    });
    this.nodes.push({ opType: type, input: inputs, output: [out], name: out, attribute });
    return out;
  }
}

// onnx-proto is required here (never at the top of a module): export is its only user.
function loadOnnxProto(): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    require.resolve('onnx-proto');
  } catch {
    throw new NaluError(`ONNX export needs the optional package onnx-proto: npm install ${onnxPackages.join(' ')}`, 'MISSING_DEPENDENCY');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('onnx-proto').onnx;
}

/**
 * The model as an ONNX ModelProto (bytes): input `x` [batch, inputDim], output `y` [batch, units],
 * opset 17, standard operators only; the model's config in its metadata (`nalu.config`).
 * @throws NaluError NOT_COMPILED before compile, MISSING_DEPENDENCY without onnx-proto; RangeError
 *   naming a layer that has no ONNX form.
 * @category Export
 */
export function toONNX(model: Sequential): Uint8Array {
  if (!model || typeof (model as { getWeights?: unknown }).getWeights !== 'function')
    throw new TypeError(`model: expected a Sequential, received ${model === null ? 'null' : typeof model}`);
  if (!model.compiled) throw new NaluError('toONNX: compile (or load) the model first: its weights live in the compiled network', 'NOT_COMPILED');
  const onnx = loadOnnxProto();
  const weights = model.getWeights();
  const nodes: ProtoNode[] = [];
  const initializers: Record<string, unknown>[] = [];
  let x = 'x', dim = model.inputDim, k = 0;
  for (const layer of model.layers) {
    const specs = layer.weightSpecs(dim);
    const ws = specs.map((s, i) => ({ ...s, data: weights[k + i].data }));
    k += specs.length;
    if (typeof layer.toGraph !== 'function') throw new RangeError(`toONNX: layer '${layer.name}' (${layer.className}) has no ONNX form`);
    const g = new Graph(layer.name, ws);
    x = layer.toGraph(g, x);
    nodes.push(...g.nodes);
    initializers.push(...g.initializers);
    dim = layer.units;
  }
  // The last value is renamed y by an Identity, so the output's name does not depend on the layers.
  nodes.push({ opType: 'Identity', input: [x], output: ['y'], name: 'output', attribute: [] });
  const io = (name: string, d: number) => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: d }] } } },
  });
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: onnxOpset }],
    producerName: 'nalu',
    producerVersion: packageVersion(),
    graph: { name: model.getConfig().name, node: nodes, initializer: initializers, input: [io('x', model.inputDim)], output: [io('y', dim)] },
    metadataProps: [{ key: 'nalu.config', value: JSON.stringify(model.getConfig()) }],
  });
  return onnx.ModelProto.encode(proto).finish() as Uint8Array;
}

function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '';
  }
}

/**
 * Writes toONNX(model) to `file` atomically.
 * @throws (rejects) as toONNX; TypeError for an empty or non-string file; NaluError SAVE_FAILED when it cannot be written.
 * @category Export
 */
export async function saveONNX(model: Sequential, file: string): Promise<void> {
  if (typeof file !== 'string' || file.length === 0) throw new TypeError(`toONNX: expected a file path, received ${typeof file === 'string' ? "''" : typeof file}`);
  await writeFileAtomic(file, toONNX(model), 'toONNX');
}
