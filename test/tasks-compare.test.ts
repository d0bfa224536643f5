// Our table beside the paper's: which rows are at the paper's settings, and whether our success
// rate lies inside the paper's 95 % interval, overlaps it, or lies outside.
import { describe, expect, it } from 'vitest';
import { publishedRegistry } from '../lib/tasks/papers';
import { agreement, attachPublished, formatTable, type SummaryRow } from '../lib/tasks/summary';
import { wilson } from '../lib/tasks/stats';

const paper = publishedRegistry.get('madsen2020', 'compare');

function row(o: Partial<SummaryRow>): SummaryRow {
  const runs = o.runs ?? 10;
  const successes = o.successes ?? 10;
  return {
    task: 'static', op: 'mul', model: 'nmu', interpolation: 'U[1,2]', extrapolation: 'U[2,6]', inputSize: 100, subsetRatio: 0.25,
    overlapRatio: 0.5, hiddenSize: 2, runs, successes, rate: successes / runs, rateCI: wilson(successes, runs), solvedAtMedian: 1.4e6,
    solvedAtMean: 1.5e6, solvedAtCI: 1e5, sparsityMean: 5e-7, sparsityCI: 1e-7, iterations: 5e6, ...o,
  };
}

describe('published cells', () => {
  it('has all 66 cells of Table 1 with the NMU × cell as printed', () => {
    expect(paper.cells).toHaveLength(66);
    const c = paper.cells.find((x) => x.op === 'mul' && x.model === 'nmu')!;
    expect(c.success).toEqual({ value: 0.98, plus: 0.01, minus: 0.05 });
    expect(c.solvedAtMedian).toBe(1.4e6);
  });

  it('attaches only to rows at the paper instance and length; nau-nmu maps to NAU or NMU by operation', () => {
    const [a, b, c, d, e] = attachPublished(
      [row({}), row({ iterations: 5e4 }), row({ hiddenSize: 3 }), row({ model: 'nau-nmu', op: 'add' }), row({ task: 'single-module' })],
      paper,
    );
    expect(a.paper?.model).toBe('nmu');
    expect(b.paper).toBeUndefined();
    expect(c.paper).toBeUndefined();
    expect(d.paper?.model).toBe('nau');
    expect(d.paper?.op).toBe('add');
    expect(e.paper).toBeUndefined();
  });

  it('says inside, overlaps or outside', () => {
    const nmu = paper.cells.find((x) => x.op === 'mul' && x.model === 'nmu')!; // 98 % [93 %, 99 %]
    expect(agreement(row({ successes: 19, runs: 20 }), nmu)).toBe('inside'); // 95 %
    expect(agreement(row({ successes: 10, runs: 10 }), nmu)).toBe('overlaps'); // 100 % [72 %, 100 %]
    expect(agreement(row({ successes: 3, runs: 10 }), nmu)).toBe('outside'); // 30 % [11 %, 60 %]
    const zero = paper.cells.find((x) => x.op === 'mul' && x.model === 'nalu')!; // 0 % [0 %, 4 %]
    expect(agreement(row({ successes: 0, runs: 10 }), zero)).toBe('inside');
    expect(agreement(row({ successes: 1, runs: 100 }), zero)).toBe('inside');
    expect(agreement(row({ successes: 5, runs: 10 }), zero)).toBe('outside');
  });

  it('prints the paper columns beside ours', () => {
    const t = formatTable(attachPublished([row({ successes: 19, runs: 20 })], paper));
    expect(t).toMatch(/\| Success \[95% CI\] \| Paper +\| vs paper \|/);
    expect(t).toMatch(/95% \[76%, 99%\] +\| 98% \[93%, 99%\] \| inside/);
  });
});

describe('sci', () => {
  it('writes step counts and errors as the tables do, rounding the mantissa up to the next power', async () => {
    const { sci } = await import('../lib/tasks/summary');
    expect(sci(1.4e6)).toBe('1.4e6');
    expect(sci(9.96e-5)).toBe('1.0e-4');
    expect(sci(-9.99e7)).toBe('-1.0e8');
    expect(sci(4000)).toBe('4000');
    expect(sci(NaN)).toBe('—');
  });
});
