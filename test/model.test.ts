// Sequential: shapes (rank ≥ 2 inputs), weights, layer configs, seeds and initializers.
import { describe, expect, it } from 'vitest';
import {
  Dense,
  NAC,
  NALU,
  NAU,
  NMU,
  Sequential,
  constant,
  deserializeLayer,
  glorotNormal,
  randomNormal,
  randomUniform,
  tensor,
  type Layer,
} from '../lib/index';
import { maxAbs, uniform } from './helpers/reference';

describe('shapes', () => {
  it('predict keeps the leading (batch) axes of a rank-3 input', () => {
    const model = new Sequential([new NALU({ units: 2, inputDim: 3, seed: 1 })]);
    const data = uniform(4 * 5 * 3, 0.5, 2, 1);
    const p3 = model.predict(tensor(data, [4, 5, 3]));
    expect(p3.shape).toEqual([4, 5, 2]);
    expect(p3.data).toHaveLength(40);
    // The same rows seen as a matrix give the same outputs.
    const p2 = model.predict(tensor(data, [20, 3]));
    expect(p2.shape).toEqual([20, 2]);
    expect(Array.from(p3.data)).toEqual(Array.from(p2.data));
    model.dispose();
  });

  it('nested arrays and Tensors give the same outputs', () => {
    const model = new Sequential([new Dense({ units: 2, inputDim: 2, seed: 1, activation: 'tanh' })]);
    const rows = [
      [0.5, -1],
      [2, 3],
      [-0.25, 0.75],
    ];
    const a = model.predict(rows);
    const b = model.predict(tensor(rows.flat(), [3, 2]));
    expect(a.shape).toEqual([3, 2]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const r3 = model.predict([rows, rows]);
    expect(r3.shape).toEqual([2, 3, 2]);
    model.dispose();
  });

  it('a stacked model outputs the last layer units; evaluate equals the loss of computeGradients', () => {
    const model = new Sequential([new Dense({ units: 5, inputDim: 4, seed: 1, activation: 'relu' }), new NAC({ units: 3, seed: 2 })]);
    model.compile({ optimizer: 'adam', loss: 'mae' });
    const x = tensor(uniform(7 * 4, -1, 1, 2), [7, 4]);
    const y = tensor(uniform(7 * 3, -1, 1, 3), [7, 3]);
    expect(model.predict(x).shape).toEqual([7, 3]);
    const loss = model.computeGradients(x, y).loss;
    expect(model.evaluate(x, y)).toBeCloseTo(loss, 6);
    // Batching in evaluate does not change the mean.
    expect(model.evaluate(x, y, { batchSize: 2 })).toBeCloseTo(loss, 6);
    model.dispose();
  });
});

// Every layer variant, each as first and as second layer.
function variants(): Layer[] {
  return [
    new Dense({ units: 3 }),
    new Dense({ units: 3, useBias: false, activation: 'selu' }),
    new NAC({ units: 3 }),
    new NALU({ units: 3 }),
    new NALU({ units: 3, separateWeights: true }),
    new NALU({ units: 3, gate: 'independent' }),
    new NALU({ units: 3, gate: 'independent', separateWeights: true, clipExp: 20 }),
  ];
}

describe('weights', () => {
  it("each layer's TS weightSpecs equal the native getWeights shapes", () => {
    for (const layer of variants()) {
      const model = new Sequential([new Dense({ units: 4, inputDim: 2, seed: 1 }), layer]);
      const specs = model.weightSpecs();
      const got = model.getWeights();
      expect(got.map((w) => w.shape)).toEqual(specs.map((s) => s.shape));
      for (const w of got) expect(w.data).toHaveLength(w.shape.reduce((a, b) => a * b, 1));
      // The layer's own specs (input 4) are the tail of the model's.
      expect(specs.slice(2).map(({ name, shape }) => ({ name, shape }))).toEqual(layer.weightSpecs(4));
      model.dispose();
    }
  });

  it('NALU weights are [Ŵ, M̂, G] (+ [Ŵm, M̂m] with separateWeights); Dense [kernel, bias]', () => {
    expect(new NALU({ units: 2 }).weightSpecs(3)).toEqual([
      { name: 'W_hat', shape: [3, 2] },
      { name: 'M_hat', shape: [3, 2] },
      { name: 'G', shape: [3, 2] },
    ]);
    expect(new NALU({ units: 2, gate: 'independent', separateWeights: true }).weightSpecs(3).map((s) => s.shape)).toEqual([
      [3, 2],
      [3, 2],
      [2],
      [3, 2],
      [3, 2],
    ]);
    expect(new Dense({ units: 2 }).weightSpecs(3)).toEqual([
      { name: 'kernel', shape: [3, 2] },
      { name: 'bias', shape: [2] },
    ]);
  });

  it('setWeights then getWeights returns the same values, as copies', () => {
    const model = new Sequential([new NALU({ units: 2, inputDim: 3, separateWeights: true, seed: 4 })]);
    const w = model.getWeights().map((t, i) => ({ data: uniform(t.data.length, -1, 1, 10 + i), shape: t.shape }));
    model.setWeights(w);
    const back = model.getWeights();
    back.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(w[i].data)));
    back[0].data[0] = 123;
    expect(model.getWeights()[0].data[0]).toBe(w[0].data[0]);
    model.dispose();
  });

  it('setWeights applies the units\' clamps (NAU [−1, 1], NMU [0, 1], a kernelConstraint)', () => {
    const model = new Sequential([
      new NAU({ units: 2, inputDim: 2 }),
      new NMU({ units: 1 }),
      new Dense({ units: 1, kernelConstraint: { min: -0.5, max: 0.5 } }),
    ]);
    model.setWeights([
      tensor(new Float32Array([2, -3, 0.25, 1]), [2, 2]),
      tensor(new Float32Array([1.5, -0.5]), [2, 1]),
      tensor(new Float32Array([9]), [1, 1]),
      tensor(new Float32Array([7]), [1]),
    ]);
    const [nau, nmu, kernel, bias] = model.getWeights().map((t) => Array.from(t.data));
    expect(nau).toEqual([1, -1, 0.25, 1]);
    expect(nmu).toEqual([1, 0]);
    expect(kernel).toEqual([0.5]);
    expect(bias).toEqual([7]); // constraints act on kernels, not biases
    model.dispose();
  });

  it('setWeights errors name the layer and weight and give expected/received shapes', () => {
    const model = new Sequential([new Dense({ units: 4, inputDim: 2, name: 'hidden' }), new NALU({ units: 1, name: 'out' })]);
    const w = model.getWeights();
    const bad = w.map((t) => ({ ...t }));
    bad[2] = { data: new Float32Array(4), shape: [1, 4] };
    expect(() => model.setWeights(bad)).toThrow(RangeError);
    expect(() => model.setWeights(bad)).toThrow(/setWeights\[2\] \(out\.W_hat\): expected shape \[4, 1\], received \[1, 4\]/);
    bad[2] = { data: new Float32Array(3), shape: [4, 1] };
    expect(() => model.setWeights(bad)).toThrow(/out\.W_hat.*expected 4 values, received 3/);
    expect(() => model.setWeights(w.slice(0, 3))).toThrow(/expected 5 tensors \(hidden\.kernel, hidden\.bias, out\.W_hat, out\.M_hat, out\.G\), received 3/);
    bad[2] = { data: [1, 2, 3, 4] as unknown as Float32Array, shape: [4, 1] };
    expect(() => model.setWeights(bad)).toThrow(TypeError);
    expect(() => model.setWeights(bad)).toThrow(/out\.W_hat.*expected a Tensor \{data: Float32Array, shape\}, received an object/);
    expect(() => model.setWeights('w' as never)).toThrow(TypeError);
    // Nothing was changed by the failed calls.
    model.getWeights().forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(w[i].data)));
    model.dispose();
  });
});

describe('layer configs', () => {
  it('getConfig → deserializeLayer round-trips every variant, through JSON', () => {
    const layers: Layer[] = [
      ...variants(),
      new Dense({ units: 2, inputDim: 7, name: 'd', seed: 3, activation: 'elu', kernelInitializer: randomUniform({ minval: -0.2, maxval: 0.3 }), biasInitializer: constant(0.5) }),
      new NAC({ units: 1, inputShape: [4], kernelInitializer: glorotNormal() }),
      new NALU({ units: 2, epsilon: 1e-5, gateInitializer: randomNormal({ mean: 0.1, stddev: 0.2 }) }),
    ];
    for (const l of layers) {
      const s = JSON.parse(JSON.stringify(l.serialize()));
      const back = deserializeLayer(s);
      expect(back.className).toBe(l.className);
      expect(back.getConfig()).toEqual(l.getConfig());
      expect(back.weightSpecs(5)).toEqual(l.weightSpecs(5));
    }
  });

  it('clipExp Infinity is stored as null and restored as Infinity', () => {
    const l = new NALU({ units: 1 });
    expect(l.getConfig().clipExp).toBeNull();
    expect((deserializeLayer(JSON.parse(JSON.stringify(l.serialize()))) as NALU).clipExp).toBe(Infinity);
  });

  it('unknown className lists the registered layers', () => {
    expect(() => deserializeLayer({ className: 'NAU2', config: { units: 1 } })).toThrow(RangeError);
    expect(() => deserializeLayer({ className: 'NAU2', config: { units: 1 } })).toThrow(/unknown layer 'NAU2', expected one of 'Dense', 'NAC', 'NALU'/);
  });
});

describe('seeds and initializers', () => {
  it('the same layer seed gives bit-identical initial weights; another seed differs', () => {
    const make = (seed: number) => new Sequential([new NALU({ units: 3, inputDim: 4, seed, separateWeights: true })]).getWeights();
    const a = make(42);
    const b = make(42);
    const c = make(43);
    a.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(b[i].data)));
    expect(Array.from(a[0].data)).not.toEqual(Array.from(c[0].data));
    // Each weight of a layer gets its own stream.
    expect(Array.from(a[0].data)).not.toEqual(Array.from(a[1].data));
  });

  const big = (kernelInitializer: Dense['kernelInitializer'] | string) =>
    new Sequential([new Dense({ units: 200, inputDim: 300, seed: 9, kernelInitializer: kernelInitializer as never })]).getWeights();
  const stats = (d: Float32Array) => {
    const mean = d.reduce((a, v) => a + v, 0) / d.length;
    return { mean, std: Math.sqrt(d.reduce((a, v) => a + (v - mean) ** 2, 0) / d.length), max: maxAbs(d) };
  };

  it('glorotUniform (the default) is U[−l, l], l = √(6/(in+out)); bias zeros', () => {
    const [k, b] = big('glorotUniform');
    const l = Math.sqrt(6 / 500);
    const s = stats(k.data);
    expect(s.max).toBeLessThanOrEqual(l);
    expect(s.max).toBeGreaterThan(0.99 * l);
    expect(s.std).toBeCloseTo(l / Math.sqrt(3), 3);
    expect(maxAbs(b.data)).toBe(0);
  });

  it('glorotNormal, heUniform, heNormal have the Keras scales', () => {
    const gn = stats(big('glorotNormal')[0].data);
    // Truncated at 2σ', σ' = σ/0.8796 so that the truncated std is σ.
    expect(gn.std / Math.sqrt(2 / 500)).toBeCloseTo(1, 1);
    expect(gn.max).toBeLessThanOrEqual((2 * Math.sqrt(2 / 500)) / 0.87962566103423978 + 1e-6);
    const hu = stats(big('heUniform')[0].data);
    expect(hu.max).toBeLessThanOrEqual(Math.sqrt(6 / 300));
    expect(hu.std).toBeCloseTo(Math.sqrt(6 / 300) / Math.sqrt(3), 3);
    const hn = stats(big('heNormal')[0].data);
    expect(hn.std / Math.sqrt(2 / 300)).toBeCloseTo(1, 1);
  });

  it('randomUniform, randomNormal, zeros, ones, constant', () => {
    const ru = stats(big(randomUniform({ minval: 1, maxval: 3 }))[0].data);
    expect(ru.mean).toBeCloseTo(2, 1);
    expect(Math.min(...big(randomUniform({ minval: 1, maxval: 3 }))[0].data)).toBeGreaterThanOrEqual(1);
    const rn = stats(big(randomNormal({ mean: -1, stddev: 0.5 }))[0].data);
    expect(rn.mean).toBeCloseTo(-1, 1);
    expect(rn.std).toBeCloseTo(0.5, 1);
    expect(new Set(big('zeros')[0].data)).toEqual(new Set([0]));
    expect(new Set(big('ones')[0].data)).toEqual(new Set([1]));
    expect(new Set(big(constant(-2.5))[0].data)).toEqual(new Set([-2.5]));
  });

  it('an independent NALU gate starts at zeros (g = 0.5) by default', () => {
    const w = new Sequential([new NALU({ units: 3, inputDim: 2, gate: 'independent', seed: 1 })]).getWeights();
    expect(Array.from(w[2].data)).toEqual([0, 0, 0]);
  });
});

describe('Sequential', () => {
  it('add() checks that inputDim matches the previous layer', () => {
    const m = new Sequential();
    m.add(new Dense({ units: 3, inputDim: 2 }));
    expect(() => m.add(new NAC({ units: 1, inputDim: 4, name: 'n' }))).toThrow(/layer 'n' has inputDim 4, but the previous layer outputs 3/);
    m.add(new NAC({ units: 1, inputDim: 3 }));
    expect(m.layers).toHaveLength(2);
  });

  it('summary lists layers, output shapes and parameter counts', () => {
    const m = new Sequential({ name: 'calc', layers: [new Dense({ units: 4, inputDim: 3, name: 'h' }), new NALU({ units: 1, name: 'o' })] });
    const text = m.summary(() => {});
    expect(text).toContain('Model: calc');
    expect(text).toMatch(/h \(Dense\)\s+\[null, 4\]\s+16/);
    expect(text).toMatch(/o \(NALU\)\s+\[null, 1\]\s+12/);
    expect(text).toContain('Total params: 28');
  });
});
