// docs/units.md states each unit's sparsity defaults; they must be the layers' own, and every
// unit with a sparsity regularizer must be in its table.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerRegistry } from '../lib/index';

const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'units.md'), 'utf8');
const table = /<!-- sparsity-defaults:begin -->\n([\s\S]*?)\n<!-- sparsity-defaults:end -->/.exec(doc);
const rows = (table?.[1] ?? '')
  .split('\n')
  .slice(2)
  .map((line) => line.split('|').map((c) => c.trim()))
  .map(([, unit, lambda, warmUp]) => {
    const [, cls, weight] = /^`(\w+)`(?: with `weight: '(\w+)'`)?$/.exec(unit) ?? [];
    const [start, end] = warmUp.split('→').map(Number);
    return { unit, cls, weight, lambda: Number(lambda), start, end };
  });

describe('docs/units.md sparsity defaults', () => {
  it('has the table', () => {
    expect(table, 'docs/units.md has no sparsity-defaults:begin … end table').not.toBeNull();
    expect(rows.length).toBeGreaterThanOrEqual(5);
  });

  it("states each unit's λ̂ and warm-up as its layer fills them in", () => {
    for (const r of rows) {
      expect(layerRegistry.has(r.cls), `${r.unit}: not a registered layer`).toBe(true);
      const Cls = layerRegistry.get(r.cls, 'layer') as unknown as new (args: object) => { sparsity?: object };
      const layer = new Cls({ units: 1, inputDim: 2, ...(r.weight ? { weight: r.weight } : {}) });
      expect(layer.sparsity, r.unit).toEqual({ sparsityLambda: r.lambda, sparsityStart: r.start, sparsityEnd: r.end, sparsityUnit: 'fit' });
    }
  });

  it('lists every unit that has a sparsity regularizer', () => {
    for (const name of layerRegistry.names()) {
      const Cls = layerRegistry.get(name, 'layer') as unknown as (new (args: object) => { sparsity?: object }) & { options?: Record<string, unknown> };
      if (!Cls.options?.sparsity) continue;
      expect(rows.some((r) => r.cls === name), `${name} has a sparsity option and no row in docs/units.md`).toBe(true);
    }
  });
});
