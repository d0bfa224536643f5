// Our runs beside the paper's, seed by seed: the shipped per-seed data (parity with the paper's
// CSV where it is present), the paper's estimators on it against its printed table, and verdicts.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCells, compareThresholds, formatCompare, paperCells, recordCells } from '../lib/tasks/compare';
import { publishedRegistry, type SeedCell } from '../lib/tasks/papers';
import { madsen2020SeedColumns } from '../lib/tasks/papers/madsen2020-seeds';
import type { RunRecord } from '../lib/tasks/run';
import { attachPublished, type SummaryRow } from '../lib/tasks/summary';
import { betaEstimate, gammaEstimate, mean, wilson } from '../lib/tasks/stats';

const paper = publishedRegistry.get('madsen2020', 'compare');
const seeds = paper.seeds!();
const root = path.resolve(__dirname, '..');
// The paper's CSV (shared/data/madsen2020 beside the checkout or a worktree of it), when present.
const csvDir = [process.env.MADSEN2020_DIR, path.resolve(root, '../shared/data/madsen2020'), path.resolve(root, '../../shared/data/madsen2020')]
  .find((d) => d && fs.existsSync(path.join(d, 'sft-last.csv')));

function row(o: Partial<SummaryRow>): SummaryRow {
  const runs = o.runs ?? 10;
  const successes = o.successes ?? 10;
  return {
    task: 'static', op: 'mul', model: 'nmu', interpolation: 'U[1,2]', extrapolation: 'U[2,6]',
    params: { inputSize: 100, subsetRatio: 0.25, overlapRatio: 0.5, hiddenSize: 2 }, runs, successes, rate: successes / runs, rateCI: wilson(successes, runs), solvedAtMedian: 1.4e6,
    solvedAtMean: 1.5e6, solvedAtCI: 1e5, sparsityMean: 5e-7, sparsityCI: 1e-7, formulas: 0, exactFormulas: 0, wrongFormulas: [], iterations: 5e6, ...o,
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
      [row({}), row({ iterations: 5e4 }), row({ params: { inputSize: 100, subsetRatio: 0.25, overlapRatio: 0.5, hiddenSize: 3 } }), row({ model: 'nau-nmu', op: 'add' }), row({ task: 'single-module' })],
      paper,
    );
    expect(a.paper?.model).toBe('nmu');
    expect(b.paper).toBeUndefined();
    expect(c.paper).toBeUndefined();
    expect(d.paper?.model).toBe('nau');
    expect(d.paper?.op).toBe('add');
    expect(e.paper).toBeUndefined();
  });
});

describe("the paper's per-seed runs", () => {
  it('has 60 cells of seeds 0–99 (Gated NAU/NMU is not in them), each rate the printed one, with its source and licence', () => {
    expect(seeds.cells).toHaveLength(60);
    expect(seeds.cells.every((c) => c.runs.length === 100)).toBe(true);
    for (const c of seeds.cells) {
      const printed = paper.cells.find((p) => p.op === c.op && p.model === c.model)!;
      expect(c.runs.filter((r) => r.success).length / 100, `${c.op} ${c.model}`).toBeCloseTo(printed.success.value, 9);
    }
    expect(seeds.source).toMatch(/stable-nalu paper\/results\/sft-last\.csv at commit b3296ac/);
    expect(seeds.license).toMatch(/^Copyright \(c\) 2019 Andreas Madsen and Alexander Rosenberg Johansen\n\nPermission is hereby granted/);
    expect(seeds.thresholds).toEqual({ add: 1.47861742158438e-5, sub: 1.38437045113029e-8, mul: 0.160010658743333, div: 4.93805490041429e-12,
      square: 0.159473806098301, sqrt: 8.95525993233274e-9 });
  });

  it.skipIf(!csvDir)('is what scripts/madsen2020-seeds.js derives from sft-last.csv, and reads back every seed as the CSV has it', () => {
    const { derive, parseCsv, ops, models } = createRequire(__filename)('../scripts/madsen2020-seeds.js') as {
      derive: (csv: string, license: string) => string;
      parseCsv: (csv: string) => Record<string, string>[];
      ops: Record<string, string>;
      models: Record<string, string>;
    };
    const csv = fs.readFileSync(path.join(csvDir!, 'sft-last.csv'), 'utf8');
    const shipped = fs.readFileSync(path.join(root, 'lib/tasks/papers/madsen2020-seeds.ts'), 'utf8');
    expect(derive(csv, fs.readFileSync(path.join(csvDir!, 'LICENSE'), 'utf8')) === shipped).toBe(true);
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(6000);
    const num = (s: string) => (s === 'NA' ? Infinity : Number(s));
    for (const r of rows) {
      const op = ops[r.operation];
      const run = seeds.cells.find((c) => c.op === op && c.model === models[r.model])!.runs[Number(r.seed)];
      expect(run).toEqual({
        success: r.solved === 'TRUE', solvedAt: r['extrapolation.step.solved'] === 'NA' ? null : Number(r['extrapolation.step.solved']),
        interpolation: num(r['interpolation.last']), extrapolation: num(r['extrapolation.last']), sparsity: Number(r['sparse.error.max']),
      });
      expect(seeds.thresholds[op as 'add']).toBe(Number(r.threshold));
    }
  }, 60_000);

  it('has its columns one value a seed', () => {
    for (const c of madsen2020SeedColumns)
      for (const k of ['solvedAt', 'interpolation', 'extrapolation', 'sparsity'] as const) expect(c[k].split(' '), `${c.op} ${c.model} ${k}`).toHaveLength(100);
  });
});

describe("the paper's estimators on its per-seed runs", () => {
  const cellOf = (op: string, model: string) => seeds.cells.find((c) => c.op === op && c.model === model)!;
  const solved = (c: SeedCell) => c.runs.filter((r) => r.success);
  const printed = (op: string, model: string) => paper.cells.find((c) => c.op === op && c.model === model)!;
  const two = (v: number) => Number(v.toPrecision(2));

  it('give the printed NAU values: − sparsity error 0.066 (+0.025 −0.019), + solved at 3.9·10⁵ (+4.5·10⁴ −3.7·10⁴)', () => {
    const sub = betaEstimate(solved(cellOf('sub', 'nau')).map((r) => r.sparsity));
    expect([two(sub.mean), two(sub.upper - sub.mean), two(sub.mean - sub.lower)]).toEqual([0.066, 0.025, 0.019]);
    // The plain mean of those seeds is 0.19: the beta's μ is not the mean.
    expect(mean(solved(cellOf('sub', 'nau')).map((r) => r.sparsity))).toBeCloseTo(0.193, 3);
    const add = gammaEstimate(solved(cellOf('add', 'nau')).map((r) => r.solvedAt!));
    expect(two(add.mean)).toBe(3.9e5);
    expect(add.lower).toBeCloseTo(3.9e5 - 3.7e4, -4);
    expect(add.upper).toBeCloseTo(3.9e5 + 4.5e4, -4);
  });

  it("match the script's own fits (export/_compute_summary.r run here: R 4.2.2, bbmle 1.0.25) where its optimizer converged", () => {
    const rel = (e: { mean: number; lower: number; upper: number }, r: number[]) => [e.mean / r[0], e.lower / r[1], e.upper / r[2]];
    const near = (v: number[], tol: number) => v.forEach((x) => expect(Math.abs(x - 1)).toBeLessThan(tol));
    near(rel(betaEstimate(solved(cellOf('sub', 'nau')).map((r) => r.sparsity)), [0.0662118, 0.0474886, 0.0915599]), 2e-3);
    near(rel(betaEstimate(solved(cellOf('add', 'linear')).map((r) => r.sparsity)), [0.248904, 0.248548, 0.249259]), 2e-4);
    near(rel(betaEstimate(solved(cellOf('sub', 'linear')).map((r) => r.sparsity)), [0.176111, 0.11805, 0.248257]), 2e-3);
    // Its gamma's σ² creeps a little in the profile refits; ours stays at s²: within 1 %.
    near(rel(gammaEstimate(solved(cellOf('add', 'nau')).map((r) => r.solvedAt!)), [390919, 353874, 434567]), 1e-2);
    near(rel(gammaEstimate(solved(cellOf('add', 'linear')).map((r) => r.solvedAt!)), [63056.1, 59752, 65581.3]), 1e-2);
  });

  it('lie inside every printed 95 % interval, and give most printed values to their two digits', () => {
    // The script printed mean ± t where its optimizer ended at a singular Hessian (not reproduced here): these.
    const fallback = ['add nau', 'mul nmu', 'mul nac-mul-nmu', 'square nac-mul-nmu', 'square nmu', 'sqrt nalu'];
    // The script itself, run here (R 4.2.2, bbmle 1.0.25), gives 1.25·10⁶ [1.22·10⁶, 1.28·10⁶] for z² NMU's solved at, not the printed 1.3·10⁶ [1.26·10⁶, 1.33·10⁶].
    const unreproduced = ['square nmu'];
    let same = 0;
    let cells = 0;
    for (const c of seeds.cells) {
      const p = printed(c.op, c.model);
      const ok = solved(c);
      if (!p.solvedAtMean || !p.sparsityError || ok.length < 2) continue;
      const g = gammaEstimate(ok.map((r) => r.solvedAt!));
      const inside = (v: number, q: { value: number; plus: number; minus: number }) => v >= (q.value - q.minus) * 0.99 && v <= (q.value + q.plus) * 1.01;
      if (g.method === 'ml' && !unreproduced.includes(`${c.op} ${c.model}`)) expect(inside(g.mean, p.solvedAtMean), `${c.op} ${c.model} solved at ${g.mean}`).toBe(true);
      const sparsity = ok.map((r) => r.sparsity);
      const b = fallback.includes(`${c.op} ${c.model}`) ? { mean: mean(sparsity) } : betaEstimate(sparsity);
      expect(inside(b.mean, p.sparsityError), `${c.op} ${c.model} sparsity ${b.mean}`).toBe(true);
      cells++;
      same += Number(two(g.mean) === p.solvedAtMean.value) + Number(two(b.mean) === p.sparsityError.value);
    }
    expect(cells).toBe(21);
    // Measured: 34 of the 42. The others are one unit off in the second digit (√z NALU's γ of 2 seeds:
    // 3.0·10⁶ against 3.3·10⁶), where the script's optimizer stopped short of the maximum.
    expect(same).toBeGreaterThanOrEqual(34);
  });
});

describe('the per-seed comparison', () => {
  it('finds the paper consistent with itself in all 66 cells', () => {
    const rows = compareCells(paperCells(paper), paper);
    expect(rows).toHaveLength(66);
    expect(rows.filter((r) => r.verdict !== 'consistent').map((r) => `${r.op} ${r.model}: ${r.verdict}`)).toEqual([]);
    expect(rows.find((r) => r.op === 'mul' && r.model === 'nmu')!.p.success).toBeCloseTo(1, 9);
  });

  it("flags a copy with NAU's sparsity errors pushed to 0.5, on that column only", () => {
    const pushed = paperCells(paper).map((c) => (c.model === 'nau' ? { ...c, runs: c.runs.map((r) => ({ ...r, sparsity: 0.5 })) } : c));
    const rows = compareCells(pushed, paper);
    const nau = rows.filter((r) => r.model === 'nau' && (r.op === 'add' || r.op === 'sub'));
    for (const r of nau) expect(r.verdict).toMatch(/^differs: sparsity p = [<0-9.e-]+ \(ours ×[0-9.e]+\)$/);
    expect(nau[0].adjusted.sparsity).toBeLessThan(1e-10);
    expect(rows.filter((r) => r.verdict !== 'consistent')).toHaveLength(2);
  });

  it("prints beside each differing column ours over the paper's: the median of the errors, the estimator of the others", () => {
    const scaled = paperCells(paper).map((c) =>
      c.op === 'mul' && c.model === 'nmu' ? { ...c, runs: c.runs.map((r) => ({ ...r, interpolation: r.interpolation * 1.5, sparsity: 0.5 })) } : c,
    );
    const row = compareCells(scaled, paper).find((r) => r.op === 'mul' && r.model === 'nmu')!;
    const sparsity = row.ours!.sparsity.mean / row.paper.sparsity.mean;
    expect(sparsity).toBeGreaterThan(100);
    expect(row.verdict).toBe(
      `differs: sparsity p = <1e-10 (ours ×${sparsity.toExponential(1).replace('e+', 'e')}), interpolation p = <1e-10 (ours ×1.500)`,
    );
  });

  it('reads "not run" where we have no runs, and prints every column', () => {
    const rows = compareCells([paperCells(paper).find((c) => c.op === 'mul' && c.model === 'nmu')!], paper);
    expect(rows.filter((r) => r.verdict === 'not run')).toHaveLength(65);
    const t = formatCompare(rows);
    expect(t.split('\n')).toHaveLength(68);
    expect(t).toMatch(/^\| Op \| Model +\| Success +\| Paper +\| p +\| Solved at \(γ ML\) +\| Paper +\| p +\| Sparsity error \(β ML\) +\| Paper +\| p +\| Interp\. MSE \(median\) \| Paper +\| p +\| Extrap\. MSE \(median\) \| Paper +\| p +\| Verdict +\|/);
    expect(t).toMatch(/\| × +\| nmu +\| 98\/100 98% \[93%, 99%\] \| 98\/100 98% \[93%, 99%\] +\| 1\.00 \| 1\.5e6 \[1\.5e6, 1\.6e6\] \|/);
    expect(t).toMatch(/\| \+ +\| nau +\| +\| 100\/100 100% \[96%, 100%\] \| — .* not run +\|$/m);
  });

  const record = (o: Omit<Partial<RunRecord>, 'best'> & { best: Partial<RunRecord['best']> }): RunRecord =>
    ({
      task: 'static', op: 'add', interpolation: [[1, 2]], extrapolation: [[2, 6]], inputSize: 100, subsetRatio: 0.25, overlapRatio: 0.5, hiddenSize: 2,
      model: 'nau', seed: 0, iterations: 5e6, threshold: 1.6038e-5, success: true, solvedAt: 18000, stopReason: 'completed', ...o,
      best: { iteration: 1e6, trainLoss: 0, interpolation: 1e-11, extrapolation: 1e-10, sparsity: 1e-6, ...o.best } as RunRecord['best'],
    }) as RunRecord;

  it("judges our runs' success at the paper's threshold, maps nau-nmu, and leaves out other settings and aborted runs", () => {
    const { cells, left } = recordCells(
      [
        record({ best: {} }),
        // Below our threshold (1.6e-5), above the paper's (1.48e-5): a success of ours, not at the paper's.
        record({ seed: 1, best: { extrapolation: 1.55e-5 } }),
        record({ seed: 2, model: 'nau-nmu', best: {} }),
        record({ seed: 3, model: 'nau-nmu', op: 'mul', best: {} }),
        // JSON writes a non-finite error as null: no success, ranked last.
        record({ seed: 4, success: false, stopReason: 'nonFinite', best: { extrapolation: null as unknown as number } }),
        record({ seed: 5, iterations: 5e4, best: {} }),
        record({ seed: 6, hiddenSize: 3, best: {} }),
        record({ seed: 7, stopReason: 'aborted', best: {} }),
      ],
      paper,
    );
    expect(left).toBe(2);
    const add = cells.find((c) => c.op === 'add' && c.model === 'nau')!;
    expect(add.runs.map((r) => r.success)).toEqual([true, false, true, false]);
    expect(add.runs[3].extrapolation).toBe(Infinity);
    expect(cells.find((c) => c.op === 'mul')!.model).toBe('nmu');
    expect(compareThresholds([record({ best: {} })], seeds)[0]).toEqual({ op: 'add', ours: 1.6038e-5, paper: 1.47861742158438e-5 });
  });

  it('names what is wrong in a record or a cell list', () => {
    expect(() => recordCells([null as unknown as RunRecord], paper)).toThrow(/records\[0\]: expected a run record, received null/);
    expect(() => recordCells([record({ op: 'pow' as 'add', best: {} })], paper)).toThrow(/records\[0\]\.op: expected one of add/);
    expect(() => recordCells([{ ...record({ best: {} }), best: undefined } as unknown as RunRecord], paper)).toThrow(/records\[0\]\.best: expected an evaluation/);
    expect(() => compareCells('x' as unknown as SeedCell[], paper)).toThrow(TypeError);
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
