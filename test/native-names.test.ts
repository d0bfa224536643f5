// The TS registries and the native ones name the same things: every layer class's nativeType, every
// loss and optimizer name and every arithmetic operation exists on both sides, and nothing more.
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';
import { Layer, layerRegistry, lossRegistry, optimizerRegistry, tasks } from '../lib/index';

const sorted = (a: readonly string[]) => [...a].sort();

describe('TS and native name lists', () => {
  it('layer classes map one-to-one onto the native layer types', () => {
    const types = layerRegistry.names().map((n) => (layerRegistry.get(n, 'className') as unknown as typeof Layer).nativeType);
    expect(new Set(types).size, 'two classes share a native type').toBe(types.length);
    expect(sorted(types)).toEqual(sorted(native.layerTypes));
  });
  it("each layer class's inputKind is its native type's input", () => {
    const kinds = layerRegistry.names().map((n) => {
      const c = layerRegistry.get(n, 'className') as unknown as typeof Layer;
      return [c.nativeType, c.inputKind];
    });
    expect(Object.fromEntries(kinds)).toEqual(native.layerInputs);
    expect(native.layerInputs).toMatchObject({ rnn: 'sequence', lstm: 'sequence', timedistributed: 'sequence', conv2d: 'image', nau: 'row' });
  });
  it('losses, optimizers and operations equal the native ones, in order', () => {
    expect(lossRegistry.names()).toEqual(native.lossTypes);
    expect(optimizerRegistry.names()).toEqual(native.optimizerTypes);
    expect([...tasks.arithmeticOps]).toEqual(native.arithmeticOps);
  });
  it('every native task runs some TS task, and every TS task a native one', () => {
    const used = tasks.taskRegistry.names().map((n) => tasks.taskRegistry.get(n, 'task').nativeTask);
    expect(sorted([...new Set(used)])).toEqual(sorted(native.taskTypes));
  });
});
