// Options declared once: what each TS class sends the native side by default equals the default
// the native code would fall back to (native optionDefaults), for every registered layer, loss and
// optimizer. A native default the TS side never sends is the one source of that default.
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import { Layer, getLoss, getOptimizer, layerRegistry, lossRegistry, optimizerRegistry } from '../lib/index';
import { unitNames } from './units/index';

// The TS default is a warm-up as fractions of each fit, which a fit places in steps (native: off
// until then); the native default is the benchmark's warm-up in steps.
const differ: Record<string, string> = { sparsityStart: 'a fit places it', sparsityEnd: 'a fit places it' };

function compare(what: string, sent: Record<string, unknown>, defaults: Record<string, unknown>) {
  let compared = 0;
  for (const [k, d] of Object.entries(defaults)) {
    const v = sent[k];
    if (v === undefined || k in differ) continue;
    // An initializer is sent as {type, …}; its native default is its type.
    const value = v !== null && typeof v === 'object' ? (v as { type: string }).type : v;
    expect(value, `${what}.${k}: TS default ${JSON.stringify(value)}, native ${JSON.stringify(d)}`).toEqual(d);
    compared++;
  }
  return compared;
}

describe('TS and native defaults', () => {
  // optionDefaults builds a layer of units 1 on 2 inputs: the layers on images, which need an image
  // and a window, send every option they have (test/conv2d.test.ts).
  it('of every registered unit agree', () => {
    for (const name of unitNames()) {
      const cls = layerRegistry.get(name, 'className') as unknown as { nativeType: string } & (new (a: object) => Layer);
      const sent = new cls({ units: 1 }).toNative(1);
      const n = compare(name, sent, native.optionDefaults('layer', cls.nativeType));
      if (Object.keys(native.optionDefaults('layer', cls.nativeType)).length) expect(n, `${name}: nothing compared`).toBeGreaterThan(0);
    }
  });
  it('of every loss and optimizer agree', () => {
    for (const name of lossRegistry.names()) compare(name, getLoss(name).toNative(), native.optionDefaults('loss', name));
    for (const name of optimizerRegistry.names()) {
      expect(compare(name, getOptimizer(name).toNative(), native.optionDefaults('optimizer', name))).toBeGreaterThan(0);
    }
    expect(() => native.optionDefaults('layer', 'nope')).toThrow(RangeError);
    expect(() => native.optionDefaults('metric' as never, 'mse')).toThrow(/kind: expected 'layer', 'loss' or 'optimizer'/);
  });
});
