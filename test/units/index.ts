// The per-unit test table: one entry per registered layer class, by className (each unit's file
// beside this one holds its variants, float64 reference, regularizer, input domain and toy tasks).
// The gradient, config, weight-spec, layout, sparsity-error, numerics and toy tests iterate
// layerRegistry.names() through registeredUnits(): a registered class without an entry here, or an
// entry for a class that is not registered, fails them. A new unit is its file and one line below.
// The layers on images (Conv2D, MaxPool2D) are no arithmetic units: ./spatial.ts, test/conv2d.test.ts.
import { layerRegistry, type Layer, type TimeDistributed } from '../../lib/index';
import type { Options, UnitReference } from './common';
import { dense } from './dense';
import { gated } from './gated';
import { inalu } from './inalu';
import { nac } from './nac';
import { nacmul } from './nacmul';
import { nalu } from './nalu';
import { nau } from './nau';
import { nmru } from './nmru';
import { nmu } from './nmu';
import { npu, realNpu } from './npu';
import { spatialReferences } from './spatial';

export const references: Record<string, UnitReference> = {
  Dense: dense,
  NAC: nac,
  NALU: nalu,
  NAU: nau,
  NMU: nmu,
  NACMul: nacmul,
  INALU: inalu,
  NPU: npu,
  RealNPU: realNpu,
  NMRU: nmru,
  GatedNAUNMU: gated,
};

const where = 'add it to test/units/ (a file for the unit and a line in test/units/index.ts)';

/** Registered layers built around another, and the LSTM: each checked in its own test file (test/rnn.test.ts, test/lstm.test.ts, test/time-distributed.test.ts). */
export const wrappers = ['RNN', 'LSTM', 'TimeDistributed'];

// TimeDistributed in float64: its layer's reference on every step. A check's rows are then the
// steps (x [batch, time, f] is batch·time rows of f); the layer's kernelRegularizer is its own.
const timeDistributed: Pick<UnitReference, 'forward' | 'regularizer'> = {
  forward: (layer, ws, x, rows, inp, kinks) => {
    const inner = (layer as TimeDistributed).layer;
    return referenceFor(inner.className).forward(inner, ws, x, rows, inp, kinks);
  },
  regularizer: (layer, ws, step) => {
    const inner = (layer as TimeDistributed).layer;
    let reg = referenceFor(inner.className).regularizer?.(inner, ws, step) ?? 0;
    const { l1 = 0, l2 = 0 } = inner.kernelRegularizer ?? {};
    inner.weightSpecs(inner.inputDim ?? 0).forEach((s, i) => {
      if (s.shape.length === 2) for (const w of Array.from(ws[i])) reg += l1 * Math.abs(w) + l2 * w * w;
    });
    return reg;
  },
};

/** The float64 forward of a registered class name: its unit entry, a layer on images' (./spatial.ts), or TimeDistributed's. */
export function referenceFor(className: string): Pick<UnitReference, 'forward' | 'regularizer'> {
  if (className === 'TimeDistributed') return timeDistributed;
  return Object.hasOwn(spatialReferences, className) ? spatialReferences[className] : unitReference(className);
}

/** The entry of a registered class name; throws 'no reference for X' when there is none. */
export function unitReference(className: string): UnitReference {
  const ref = Object.hasOwn(references, className) ? references[className] : undefined;
  if (!ref) throw new Error(`no reference for ${className}: ${where}`);
  if (layerRegistry.get(className, 'className') !== ref.cls) throw new Error(`the reference for ${className} is for another class than the registered one`);
  return ref;
}

/** The registered arithmetic units: every layer class but the wrappers and the layers on images (./spatial.ts). */
export function unitNames(): string[] {
  return layerRegistry.names().filter((n) => !wrappers.includes(n) && !Object.hasOwn(spatialReferences, n));
}

/** Every registered unit with its entry, in registration order; throws for a missing or a stray entry. */
export function registeredUnits(): { className: string; ref: UnitReference }[] {
  const names = unitNames();
  for (const name of Object.keys(references))
    if (!names.includes(name)) throw new Error(`a reference for ${name}, which is not a registered layer class: remove it from test/units/index.ts`);
  return names.map((className) => ({ className, ref: unitReference(className) }));
}

/** Builds a unit of the entry's class from its options. */
export function build(ref: UnitReference, options: Options): Layer {
  return new (ref.cls as unknown as new (o: Options) => Layer)(options);
}

/** A variant's options as a test name shows them ('defaults' for none). */
export function variantName(v: Options): string {
  const s = JSON.stringify(v);
  return s === '{}' ? 'defaults' : s.slice(1, -1).replace(/"/g, '');
}

/** Every registered class × variant, for the tests that check each variant. */
export function registeredVariants(): { className: string; ref: UnitReference; variant: Options; name: string }[] {
  return registeredUnits().flatMap(({ className, ref }) => ref.variants.map((variant) => ({ className, ref, variant, name: `${className} ${variantName(variant)}` })));
}
