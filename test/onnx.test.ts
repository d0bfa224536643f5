// ONNX export: every registered unit in each of its variants, alone and behind an NAU, runs in
// onnxruntime (the WebAssembly build, in this process) and agrees with predict.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { Dense, NAU, NMU, NaluError, Sequential, loadModel, onnxOpset, toONNX, type Layer } from '../lib/index';
import { matmul, type UnitReference } from './units/common';
import { rng } from './helpers/reference';
import { build, registeredVariants } from './units/index';


function inputs(rows: number, inp: number, lo: number, hi: number, seed: number): Float32Array {
  const u = rng(seed);
  return Float32Array.from({ length: rows * inp }, () => (lo + (hi - lo) * u()) * (u() < 0.5 ? -1 : 1));
}

async function runOnnx(bytes: Uint8Array, x: Float32Array, inp: number) {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ x: new ort.Tensor('float32', x, [x.length / inp, inp]) });
    return { y: out.y.data as Float32Array, dims: out.y.dims, session };
  } finally {
    await session.release();
  }
}

// onnxruntime equals predict to 1e-5 relative, or, where float32 is ill-conditioned (a hidden sum near
// 0 under a log or a reciprocal, a saturated gate), its error against float64 is within 3× predict's own.
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, exact: ArrayLike<number>, what: string) {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const scale = Math.max(1, Math.abs(want[i]));
    if (Math.abs(got[i] - want[i]) <= 1e-5 * scale) continue;
    if (Math.abs(got[i] - exact[i]) <= 3 * Math.abs(want[i] - exact[i]) + 1e-6 * scale) continue;
    expect.fail(`${what}: element ${i}: onnxruntime ${got[i]}, predict ${want[i]}, float64 ${exact[i]}`);
  }
}

// The float64 reference of a stack: an optional NAU [inp, hidden] first, then the unit.
function reference(model: Sequential, ref: UnitReference, x: Float32Array, rows: number, inp: number): Float64Array {
  const ws = model.getWeights().map((w) => w.data);
  const layers = model.layers;
  if (layers.length === 1) return ref.forward(layers[0], ws, x, rows, inp, {});
  const hidden = layers[0].units;
  return ref.forward(layers[1], ws.slice(1), matmul(x, ws[0], rows, inp, hidden), rows, hidden, {});
}

// 1,000 rows in the unit's domain and 1,000 outside it ([hi, 3·hi]).
async function check(layers: Layer[], ref: UnitReference, inp: number, what: string, positive = false) {
  const model = new Sequential(layers);
  model.compile({ optimizer: 'sgd', loss: 'mse' });
  try {
    const bytes = toONNX(model);
    checkers.push({ what, bytes });
    const { lo, hi } = ref.domain;
    for (const [where, a, b] of [['in range', lo, hi], ['out of range', hi, 3 * hi]] as const) {
      const x = inputs(1000, inp, a, b, 7);
      if (positive) x.forEach((v, i) => (x[i] = Math.abs(v)));
      const want = model.predict({ data: x, shape: [1000, inp] }).data;
      const { y, dims } = await runOnnx(bytes, x, inp);
      expect(dims, what).toEqual([1000, layers.at(-1)!.units]);
      expectClose(y, want, reference(model, ref, x, 1000, inp), `${what}, ${where}`);
    }
  } finally {
    model.dispose();
  }
}

// Every exported model, for onnx.checker at the end.
const checkers: { what: string; bytes: Uint8Array }[] = [];

describe('toONNX', () => {
  for (const { name, ref, variant } of registeredVariants()) {
    it(`${name} ${JSON.stringify(variant)}: onnxruntime agrees with predict`, async () => {
      await check([build(ref, { units: 2, inputDim: 3, seed: 3, ...variant })], ref, 3, `${name} alone`);
    });
    // Positive inputs and NAU weights keep the hidden sums away from 0, where float32 is ill-conditioned.
    it(`${name} ${JSON.stringify(variant)}: behind an NAU`, async () => {
      const nau = new NAU({ units: 2, inputDim: 3, kernelInitializer: { className: 'randomUniform', config: { minval: 0.2, maxval: 0.6 } }, seed: 5 });
      await check([nau, build(ref, { units: 1, seed: 4, ...variant })], ref, 3, `NAU → ${name}`, true);
    });
  }

  it('names x and y with a dynamic batch, opset 17, the config in the metadata', async () => {
    const model = new Sequential([new NAU({ units: 2, inputDim: 4, seed: 1 }), new NMU({ units: 1, seed: 2 })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const bytes = toONNX(model);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { onnx } = require('onnx-proto');
    const proto = onnx.ModelProto.decode(bytes);
    expect(proto.opsetImport.map((o: { domain: string; version: number }) => [o.domain, Number(o.version)])).toEqual([['', onnxOpset]]);
    const shape = (v: { type: { tensorType: { shape: { dim: { dimParam?: string; dimValue?: number }[] } } } }) =>
      v.type.tensorType.shape.dim.map((d) => d.dimParam || Number(d.dimValue));
    expect(proto.graph.input.map((v: { name: string }) => v.name)).toEqual(['x']);
    expect(shape(proto.graph.input[0])).toEqual(['batch', 4]);
    expect(shape(proto.graph.output[0])).toEqual(['batch', 1]);
    const meta = Object.fromEntries(proto.metadataProps.map((p: { key: string; value: string }) => [p.key, p.value]));
    expect(JSON.parse(meta['nalu.config'])).toEqual(model.getConfig());
    // Only the default domain's standard operators.
    for (const n of proto.graph.node) expect(n.domain ?? '').toBe('');
    model.dispose();
  });

  it('writes a file with model.toONNX(path) that a loaded model reproduces', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-onnx-'));
    const model = new Sequential([new Dense({ units: 3, inputDim: 2, activation: 'tanh', seed: 1 }), new Dense({ units: 1, seed: 2 })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await model.save(path.join(dir, 'm'));
    const loaded = await loadModel(path.join(dir, 'm'));
    await loaded.toONNX(path.join(dir, 'm.onnx'));
    const x = inputs(8, 2, 0.5, 2, 1);
    const { y } = await runOnnx(fs.readFileSync(path.join(dir, 'm.onnx')), x, 2);
    const want = model.predict({ data: x, shape: [8, 2] }).data;
    expectClose(y, want, want, 'saved, loaded, exported');
    model.dispose();
    loaded.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an uncompiled model and a bad argument', () => {
    const model = new Sequential([new NAU({ units: 1, inputDim: 2 })]);
    expect(() => toONNX(model)).toThrow(NaluError);
    expect(() => toONNX(model)).toThrow(/compile/);
    expect(() => toONNX({} as Sequential)).toThrow(TypeError);
  });
});

// onnx's own checker (full check, with shape inference) on every model exported above, through the
// Python onnx package: $NALU_PYTHON, or python3 when it has onnx (.ci/run makes such a venv).
describe('onnx.checker', () => {
  const python = process.env.NALU_PYTHON ?? 'python3';
  const has = spawnSync(python, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!has && !process.env.NALU_PYTHON)('passes every exported model', () => {
    expect(has, `${python} has no onnx module (set NALU_PYTHON to a python with onnx)`).toBe(true);
    expect(checkers.length).toBeGreaterThan(40);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-onnx-check-'));
    const files = checkers.map((c, i) => {
      const f = path.join(dir, `${i}.onnx`);
      fs.writeFileSync(f, c.bytes);
      return f;
    });
    const script = 'import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint(len(sys.argv) - 1)';
    const r = spawnSync(python, ['-c', script, ...files], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.stderr, r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(String(files.length));
  });
});

describe('nalu export', () => {
  it('writes the ONNX of a saved model; a bad dir or flag is a clear error', async () => {
    const { main } = await import('../lib/cli/main');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-export-'));
    const model = new Sequential([new NAU({ units: 2, inputDim: 3, seed: 1 }), new NMU({ units: 1, seed: 2 })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await model.save(path.join(dir, 'm'));
    const err: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const out = process.stdout.write.bind(process.stdout);
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(await main(['export', path.join(dir, 'm'), '--onnx', path.join(dir, 'm.onnx')])).toBe(0);
      expect(await main(['export', path.join(dir, 'missing'), '--onnx', path.join(dir, 'x.onnx')])).toBe(1);
      expect(err.join('')).toMatch(/missing/);
      expect(await main(['export', path.join(dir, 'm')])).toBe(2);
      expect(fs.existsSync(path.join(dir, 'x.onnx'))).toBe(false);
    } finally {
      process.stderr.write = write;
      process.stdout.write = out;
    }
    const x = inputs(16, 3, 1, 2, 3);
    const { y } = await runOnnx(fs.readFileSync(path.join(dir, 'm.onnx')), x, 3);
    const want = model.predict({ data: x, shape: [16, 3] }).data;
    expectClose(y, want, want, 'nalu export');
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
