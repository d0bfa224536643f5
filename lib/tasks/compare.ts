// Our runs beside a paper's, seed by seed: per cell, Fisher's exact test on the success counts and
// Mann–Whitney tests on solved-at, sparsity error and the best model's errors; Holm within a cell.
import { arithmeticOps, opSymbols, paramOf, taskRegistry, type ArithmeticOp } from './arithmetic';
import type { PaperSeeds, PublishedResults, SeedCell, SeedRun } from './papers';
import type { RunRecord } from './run';
import { betaEstimate, fisherExact, gammaEstimate, holm, mannWhitney, median, wilson, type Estimate } from './stats';
import { sci } from './summary';

/** The significance level of a cell's verdict (family-wise over its tests, by Holm). @category Tables */
export const compareLevel = 0.05;

/** The columns a cell is tested on. @category Tables */
export type CompareColumn = 'success' | 'solved at' | 'sparsity' | 'interpolation' | 'extrapolation';

/** One side (ours or the paper's) of a compared cell. @category Tables */
export interface CompareSide {
  /** Runs. */
  runs: number;
  /** Runs whose best model's extrapolation MSE is below the paper's threshold. */
  successes: number;
  /** Wilson 95 % interval of the success rate. */
  rateCI: [number, number];
  /** The paper's estimator of solved at (gammaEstimate) over the successful runs. */
  solvedAt: Estimate;
  /** The paper's estimator of the sparsity error (betaEstimate) over the successful runs. */
  sparsity: Estimate;
  /** Median interpolation MSE of the best models. */
  interpolation: number;
  /** Median extrapolation MSE of the best models. */
  extrapolation: number;
}

/** One operation × model: both sides, each column's p-value and the verdict. @category Tables */
export interface CompareRow {
  /** The operation. */
  op: ArithmeticOp;
  /** The model. */
  model: string;
  /** Our runs (undefined: none). */
  ours?: CompareSide;
  /** The paper's. */
  paper: CompareSide;
  /** Each column's two-sided p-value (NaN: not testable, e.g. no successful run on a side). */
  p: Record<CompareColumn, number>;
  /** The p-values adjusted by Holm over the cell's testable columns. */
  adjusted: Record<CompareColumn, number>;
  /**
   * 'not run', 'consistent', or 'differs: <column> p = … (ours ×r)': each column whose Holm-adjusted
   * p is below compareLevel, with our estimator or median over the paper's.
   */
  verdict: string;
}

const columns: CompareColumn[] = ['success', 'solved at', 'sparsity', 'interpolation', 'extrapolation'];
// JSON writes a non-finite error as null; it ranks above every finite one.
const finite = (v: number | null) => (typeof v === 'number' && !Number.isNaN(v) ? v : Infinity);

function side(runs: SeedRun[]): CompareSide {
  const ok = runs.filter((r) => r.success);
  const successes = ok.length;
  return {
    runs: runs.length,
    successes,
    rateCI: wilson(successes, runs.length),
    solvedAt: gammaEstimate(ok.map((r) => r.solvedAt).filter((s): s is number => s !== null)),
    sparsity: betaEstimate(ok.map((r) => r.sparsity).filter((s) => !Number.isNaN(s))),
    interpolation: median(runs.map((r) => finite(r.interpolation))),
    extrapolation: median(runs.map((r) => finite(r.extrapolation))),
  };
}

/** Values of a column: solved at and sparsity of the successful runs, the errors of all. */
function values(runs: SeedRun[], c: Exclude<CompareColumn, 'success'>): number[] {
  if (c === 'solved at') return runs.filter((r) => r.success && r.solvedAt !== null).map((r) => r.solvedAt as number);
  if (c === 'sparsity') return runs.filter((r) => r.success && !Number.isNaN(r.sparsity)).map((r) => r.sparsity);
  return runs.map((r) => finite(r[c]));
}

/**
 * The paper's cells of runs, one per cell of its table. A cell its per-seed file lacks (Gated
 * NAU/NMU) gets runs with only the printed success count, to be compared on success alone.
 * @category Tables
 */
export function paperCells(published: PublishedResults): SeedCell[] {
  if (!published.seeds) throw new RangeError(`paperCells: ${published.id} has no per-seed results`);
  const seeds = published.seeds().cells;
  return published.cells.map(
    (cell) =>
      seeds.find((c) => c.op === cell.op && c.model === cell.model) ?? {
        op: cell.op,
        model: cell.model,
        runs: Array.from({ length: cell.runs }, (_, i) => ({
          success: i < Math.round(cell.success.value * cell.runs), solvedAt: null, interpolation: NaN, extrapolation: NaN, sparsity: NaN,
        })),
      },
  );
}

const paperSides = new WeakMap<SeedRun[], CompareSide>();

/**
 * Compares cells of runs with a paper's per-seed cells (paperCells), one row per cell of its
 * table, in operation and model order; cells without runs of ours read 'not run'.
 * @category Tables
 */
export function compareCells(ours: SeedCell[], published: PublishedResults): CompareRow[] {
  if (!Array.isArray(ours)) throw new TypeError(`ours: expected an array of cells, received ${typeof ours}`);
  const key = (c: { op: string; model: string }) => `${c.op} ${c.model}`;
  const mine = new Map(ours.map((c) => [key(c), c.runs]));
  const theirs = new Map(paperCells(published).map((c) => [key(c), c.runs]));
  const models = [...new Set(published.cells.map((c) => c.model))].sort();
  const rows: CompareRow[] = [];
  for (const op of arithmeticOps)
    for (const model of models) {
      const pRuns = theirs.get(key({ op, model }));
      if (!pRuns) continue;
      const oRuns = mine.get(key({ op, model })) ?? [];
      // The paper's side is the same in every comparison: computed once.
      const paper = paperSides.get(pRuns) ?? paperSides.set(pRuns, side(pRuns)).get(pRuns)!;
      const p = Object.fromEntries(columns.map((c) => [c, NaN])) as Record<CompareColumn, number>;
      if (!oRuns.length) {
        rows.push({ op, model, paper, p, adjusted: { ...p }, verdict: 'not run' });
        continue;
      }
      const us = side(oRuns);
      p.success = fisherExact(us.successes, us.runs - us.successes, paper.successes, paper.runs - paper.successes);
      for (const c of columns.slice(1) as Exclude<CompareColumn, 'success'>[]) {
        const [x, y] = [values(oRuns, c), values(pRuns, c)];
        // Errors the per-seed file lacks (every run's Infinity) are not tested.
        if (x.length && y.length && !y.every((v) => v === Infinity)) p[c] = mannWhitney(x, y).p;
      }
      const adj = holm(columns.map((c) => p[c]));
      const adjusted = Object.fromEntries(columns.map((c, i) => [c, adj[i]])) as Record<CompareColumn, number>;
      const differ = columns.filter((c) => adjusted[c] < compareLevel);
      // The size beside the p: with every run of a side on one evaluation set, a shift of a few
      // tenths of a percent is significant where the errors barely vary across seeds.
      const size = (c: CompareColumn) => (c === 'success' ? '' : ` (ours ${ratio(point(us, c) / point(paper, c))})`);
      const verdict = differ.length ? `differs: ${differ.map((c) => `${c} p = ${pValue(adjusted[c])}${size(c)}`).join(', ')}` : 'consistent';
      rows.push({ op, model, ours: us, paper, p, adjusted, verdict });
    }
  return rows;
}

/** Whether a record ran the paper's instance and length of `task` (the cells it compares with). */
function atPaperSettings(r: RunRecord, taskName: string): boolean {
  if (r.task !== taskName || !taskRegistry.has(taskName)) return false;
  const task = taskRegistry.get(taskName, 'task');
  if (r.iterations !== task.defaults.iterations) return false;
  const d = task.instances(r.op)[0];
  // A parameter a record lacks (written before it existed) ran at its default.
  return task.params.every((p) => JSON.stringify(paramOf(r, p.name) ?? paramOf(d, p.name)) === JSON.stringify(paramOf(d, p.name)));
}

/** Our runs as cells (recordCells). @category Tables */
export interface RecordCells {
  /** The cells of the runs at the paper's settings. */
  cells: SeedCell[];
  /** How many runs were not at them (left out). */
  left: number;
}

/**
 * Our records at the paper's settings as cells, each run's success judged again at the paper's
 * threshold from its best model's extrapolation MSE (solved at stays as recorded, at ours).
 * nau-nmu counts as the paper's NAU for + and −, its NMU otherwise; aborted runs are left out.
 * @category Tables
 */
export function recordCells(records: RunRecord[], published: PublishedResults): RecordCells {
  if (!Array.isArray(records)) throw new TypeError(`records: expected an array of run records, received ${typeof records}`);
  records.forEach((r, i) => {
    if (typeof r !== 'object' || r === null) throw new TypeError(`records[${i}]: expected a run record, received ${r === null ? 'null' : typeof r}`);
    if (!Object.hasOwn(opSymbols, r.op)) throw new RangeError(`records[${i}].op: expected one of ${arithmeticOps.join(', ')}, received ${String(r.op)}`);
    if (typeof r.best !== 'object' || r.best === null) throw new TypeError(`records[${i}].best: expected an evaluation, received ${r.best === null ? 'null' : typeof r.best}`);
  });
  const thresholds = published.seeds?.().thresholds ?? {};
  const cells = new Map<string, SeedCell>();
  let left = 0;
  for (const r of records) {
    if (r.stopReason === 'aborted') continue;
    if (!atPaperSettings(r, published.task)) {
      left++;
      continue;
    }
    const model = r.model === 'nau-nmu' ? (r.op === 'add' || r.op === 'sub' ? 'nau' : 'nmu') : r.model;
    const k = `${r.op} ${model}`;
    if (!cells.has(k)) cells.set(k, { op: r.op, model, runs: [] });
    const threshold = thresholds[r.op] ?? r.threshold;
    cells.get(k)!.runs.push({
      // As R's replace_na(extrapolation < threshold, FALSE): a non-finite best is no success.
      success: finite(r.best.extrapolation) < threshold,
      solvedAt: r.solvedAt,
      interpolation: finite(r.best.interpolation),
      extrapolation: finite(r.best.extrapolation),
      sparsity: typeof r.best.sparsity === 'number' ? r.best.sparsity : NaN,
    });
  }
  return { cells: [...cells.values()], left };
}

/** A side's value of a column beside the test: the estimator or the median. */
function point(s: CompareSide, c: Exclude<CompareColumn, 'success'>): number {
  return c === 'solved at' ? s.solvedAt.mean : c === 'sparsity' ? s.sparsity.mean : s[c];
}

/** Ours over the paper's as printed in a verdict: ×1.002, ×0.412, ×2.9e3 (— where undefined). */
function ratio(r: number): string {
  if (!Number.isFinite(r) || r <= 0) return '×—';
  return r >= 100 || r < 1e-3 ? `×${r.toExponential(1).replace('e+', 'e')}` : `×${r.toFixed(3)}`;
}

/** A p-value as printed: two significant digits, '<1e-10' below. */
function pValue(p: number): string {
  if (Number.isNaN(p)) return '—';
  if (p < 1e-10) return '<1e-10';
  return p >= 0.01 ? p.toFixed(2) : p.toExponential(1);
}

const pct = (v: number) => `${Math.round(v * 100)}%`;
const rate = (s: CompareSide) => `${s.successes}/${s.runs} ${pct(s.successes / s.runs)} [${pct(s.rateCI[0])}, ${pct(s.rateCI[1])}]`;
const est = (e: Estimate) => (Number.isNaN(e.mean) ? '—' : Number.isNaN(e.lower) ? sci(e.mean) : `${sci(e.mean)} [${sci(e.lower)}, ${sci(e.upper)}]`);

/**
 * The comparison as Markdown: per cell our rate and the paper's (successes/runs, Wilson 95 %
 * interval), Fisher's p, then for solved at and sparsity error the paper's estimators on both
 * sides and the Mann–Whitney p, the median best-model errors and their p, and the verdict.
 * @category Tables
 */
export function formatCompare(rows: CompareRow[]): string {
  if (!Array.isArray(rows)) throw new TypeError(`rows: expected compare rows, received ${typeof rows}`);
  const header = ['Op', 'Model', 'Success', 'Paper', 'p', 'Solved at (γ ML)', 'Paper', 'p', 'Sparsity error (β ML)', 'Paper', 'p',
    'Interp. MSE (median)', 'Paper', 'p', 'Extrap. MSE (median)', 'Paper', 'p', 'Verdict'];
  const body = rows.map((r) => {
    const o = r.ours;
    const pair = (mine: string, theirs: string, c: CompareColumn) => [o ? mine : '', theirs, pValue(r.p[c])];
    return [
      opSymbols[r.op],
      r.model,
      ...pair(o ? rate(o) : '', rate(r.paper), 'success'),
      ...pair(o ? est(o.solvedAt) : '', est(r.paper.solvedAt), 'solved at'),
      ...pair(o ? est(o.sparsity) : '', est(r.paper.sparsity), 'sparsity'),
      ...pair(o ? sci(o.interpolation) : '', sci(r.paper.interpolation), 'interpolation'),
      ...pair(o ? sci(o.extrapolation) : '', sci(r.paper.extrapolation), 'extrapolation'),
      r.verdict,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** One operation's success thresholds (compareThresholds). @category Tables */
export interface ThresholdPair {
  /** The operation. */
  op: ArithmeticOp;
  /** Ours: the records' median (NaN: no record of it). */
  ours: number;
  /** The paper's. */
  paper: number;
}

/**
 * Each operation's success threshold, ours (from the records) beside the paper's.
 * @category Tables
 */
export function compareThresholds(records: RunRecord[], paper: PaperSeeds): ThresholdPair[] {
  return arithmeticOps.map((op) => ({
    op,
    ours: median(records.filter((r) => r.op === op && typeof r.threshold === 'number').map((r) => r.threshold)),
    paper: paper.thresholds[op] ?? NaN,
  }));
}

/** The threshold lines and the notes printed under the comparison. @category Tables */
export function compareNotes(rows: CompareRow[], thresholds: ThresholdPair[], paper: PaperSeeds): string {
  const fmt = (v: number) => (Number.isFinite(v) ? v.toExponential(3).replace('e+', 'e') : '—');
  const t = thresholds
    .map((x) => `${opSymbols[x.op]} ${fmt(x.ours)} / ${fmt(x.paper)}${Number.isFinite(x.ours) ? ` (${x.ours >= x.paper ? '+' : ''}${((x.ours / x.paper - 1) * 100).toFixed(1)} %)` : ''}`)
    .join(', ');
  const run = rows.filter((r) => r.ours);
  const differ = run.filter((r) => r.verdict.startsWith('differs'));
  return [
    `Success thresholds of the extrapolation MSE, ours / the paper's: ${t}.`,
    "Our success is judged at the paper's threshold (from each run's best extrapolation MSE); our solved-at is at",
    "our threshold (a record has only its first step below that one), so where ours is higher it can be earlier.",
    `Tests: Fisher's exact test on the success counts; two-sided Mann–Whitney U on solved at and sparsity error`,
    "(successful runs) and on the best model's interpolation and extrapolation MSE (all runs; not finite ranks last),",
    `exact below 50 runs a side without ties, else normal with tie and continuity corrections. p is per column;`,
    `a cell differs where a column's Holm-adjusted p (over the cell's tests) is below ${compareLevel}, and the verdict`,
    `prints that adjusted p and ours over the paper's value (×). γ ML and β ML: the paper's estimators`,
    '(export/_compute_summary.r) on both sides.',
    `${run.length} of ${rows.length} cells run: ${run.length - differ.length} consistent, ${differ.length} differ.`,
    `Paper's runs: ${paper.source}.`,
  ].join('\n');
}
