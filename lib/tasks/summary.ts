// Aggregates run records into the paper's Table 1: success rate with a Wilson 95 % interval,
// "solved at" (median and mean ± t-interval over the successful runs), the sparsity error
// (mean ± t-interval over the successful runs) and, where records carry formulas, how many of the
// successful runs name their slices exactly, one row per task instance × operation × model.
import { checkOptions } from '../registry';
import { allTaskParams, checkRange, formatRange, opSymbols, paramOf, taskRegistry, type ArithmeticOp } from './arithmetic';
import type { PublishedCell, PublishedResults } from './papers';
import type { RunRecord } from './run';
import { mean, median, tInterval, wilson } from './stats';

/** Fewest values a t-interval is shown for: with 2 its quantile (12.7) makes it wider than the values. */
const minIntervalRuns = 3;
const interval = (v: number[]) => (v.length >= minIntervalRuns ? tInterval(v) : NaN);

/** A successful run whose formula is not op(Σa, Σb) of its slices (SummaryRow.wrongFormulas). @category Tables */
export interface FormulaFinding {
  /** The run's seed. */
  seed: number;
  /** Its record's formula. */
  formula: string;
}

/** One row of the table: the runs of one task instance × operation × model × length (summarize). @category Tables */
export interface SummaryRow {
  /** The task. */
  task: string;
  /** The operation. */
  op: ArithmeticOp;
  /** The model. */
  model: string;
  /** The training range, as the papers write it (formatRange). */
  interpolation: string;
  /** The test range, so written. */
  extrapolation: string;
  /** The instance's other parameters by name (its task's schema, each a number): inputSize, subsetRatio… */
  params: Record<string, number>;
  /** Runs (seeds) in the row; aborted ones are left out. */
  runs: number;
  /** Runs that succeeded. */
  successes: number;
  /** successes / runs. */
  rate: number;
  /** Wilson 95 % interval of the rate. */
  rateCI: [number, number];
  /** Median step the successful runs were solved at (NaN: none). */
  solvedAtMedian: number;
  /** Mean of those steps. */
  solvedAtMean: number;
  /** Half-width of the t 95 % interval of that mean (NaN below 3 runs: with 2 it is wider than the steps). */
  solvedAtCI: number;
  /** Mean sparsity error of the successful runs' best models. */
  sparsityMean: number;
  /** Half-width of its t 95 % interval (NaN below 3 runs). */
  sparsityCI: number;
  /** Successful runs whose record carries a formula (RunRecord.formula). */
  formulas: number;
  /** Of those, the ones whose formula names the run's slices with its operation (RunRecord.formulaExact). */
  exactFormulas: number;
  /** The others: findings, a run the benchmark counts as solved whose model is not the task's formula. */
  wrongFormulas: FormulaFinding[];
  /** The steps each run was asked for. */
  iterations: number;
  /** The published cell of the same experiment (attachPublished; the plot marks its rate). */
  paper?: PublishedCell;
}

/** The numeric parameters of a record; records from before one was written ran the task's default. */
function instanceOf(r: RunRecord): Record<string, number> {
  if (!taskRegistry.has(r.task)) return {};
  const task = taskRegistry.get(r.task, 'task');
  const d = task.instances(r.op)[0];
  return Object.fromEntries(task.params.filter((p) => p.type !== 'range').map((p) => [p.name, (paramOf(r, p.name) ?? paramOf(d, p.name)) as number]));
}

/** The fields of a run record the table reads, checked so that junk is named, not dereferenced. */
function checkRecord(r: unknown, name: string): void {
  const o = checkOptions(r, name);
  if (r === undefined) throw new TypeError(`${name}: expected a run record, received undefined`);
  for (const k of ['task', 'model', 'stopReason'] as const)
    if (typeof o[k] !== 'string') throw new TypeError(`${name}.${k}: expected a string, received ${describe(o[k])}`);
  if (!isOp(o.op)) throw new RangeError(`${name}.op: expected one of ${Object.keys(opSymbols).join(', ')}, received ${describe(o.op)}`);
  checkRange(o.interpolation, `${name}.interpolation`);
  checkRange(o.extrapolation, `${name}.extrapolation`);
  if (typeof o.success !== 'boolean') throw new TypeError(`${name}.success: expected a boolean, received ${describe(o.success)}`);
  if (typeof o.iterations !== 'number') throw new TypeError(`${name}.iterations: expected a number, received ${describe(o.iterations)}`);
  if (o.solvedAt !== null && typeof o.solvedAt !== 'number') throw new TypeError(`${name}.solvedAt: expected a number or null, received ${describe(o.solvedAt)}`);
  const best = checkOptions(o.best, `${name}.best`);
  if (typeof best.sparsity !== 'number') throw new TypeError(`${name}.best.sparsity: expected a number, received ${describe(best.sparsity)}`);
  if (o.formula !== undefined && typeof o.formula !== 'string') throw new TypeError(`${name}.formula: expected a string, received ${describe(o.formula)}`);
  if (o.formula !== undefined && typeof o.formulaExact !== 'boolean')
    throw new TypeError(`${name}.formulaExact: expected a boolean beside formula, received ${describe(o.formulaExact)}`);
}

const isOp = (v: unknown) => typeof v === 'string' && Object.hasOwn(opSymbols, v);
const describe = (v: unknown) => (v === null ? 'null' : typeof v === 'symbol' ? 'a symbol' : typeof v === 'string' ? `'${v}'` : typeof v);

/**
 * Groups finished runs (aborted ones are ignored) and computes each group's statistics.
 * @throws TypeError or RangeError naming a record field that is wrong.
 * @category Tables
 */
export function summarize(records: RunRecord[]): SummaryRow[] {
  if (!Array.isArray(records)) throw new TypeError(`records: expected an array of run records, received ${typeof records}`);
  const groups = new Map<string, RunRecord[]>();
  records.forEach((r, i) => checkRecord(r, `records[${i}]`));
  for (const r of records) {
    if (r.stopReason === 'aborted') continue;
    const key = JSON.stringify([r.task, r.op, r.model, r.interpolation, r.extrapolation, instanceOf(r), r.iterations]);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
  }
  const rows: SummaryRow[] = [];
  for (const rs of groups.values()) {
    const ok = rs.filter((r) => r.success);
    const solved = ok.map((r) => r.solvedAt).filter((s): s is number => s !== null);
    const sparsity = ok.map((r) => r.best.sparsity).filter((s) => !Number.isNaN(s));
    const withFormula = ok.filter((r) => r.formula !== undefined);
    rows.push({
      task: rs[0].task,
      op: rs[0].op,
      model: rs[0].model,
      interpolation: formatRange(rs[0].interpolation),
      extrapolation: formatRange(rs[0].extrapolation),
      params: instanceOf(rs[0]),
      runs: rs.length,
      successes: ok.length,
      rate: ok.length / rs.length,
      rateCI: wilson(ok.length, rs.length),
      solvedAtMedian: median(solved),
      solvedAtMean: mean(solved),
      solvedAtCI: interval(solved),
      sparsityMean: mean(sparsity),
      sparsityCI: interval(sparsity),
      formulas: withFormula.length,
      exactFormulas: withFormula.filter((r) => r.formulaExact).length,
      wrongFormulas: withFormula.filter((r) => !r.formulaExact).map((r) => ({ seed: r.seed, formula: r.formula! })),
      iterations: rs[0].iterations,
    });
  }
  const opOrder = ['add', 'sub', 'mul', 'div', 'square', 'sqrt'];
  return rows.sort(
    (a, b) =>
      a.task.localeCompare(b.task) || opOrder.indexOf(a.op) - opOrder.indexOf(b.op) || a.interpolation.localeCompare(b.interpolation) ||
      Object.keys(a.params).reduce((c, k) => c || (a.params[k] ?? NaN) - (b.params[k] ?? NaN) || 0, 0) ||
      a.iterations - b.iterations || a.model.localeCompare(b.model),
  );
}

/** 1.4·10⁶-style, as the paper writes step counts and errors; '—' for none. @category Tables */
export function sci(v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  let e = Math.floor(Math.log10(Math.abs(v)));
  if (e >= 0 && e < 4) return Number.isInteger(v) || Math.abs(v) >= 100 ? String(Math.round(v)) : v.toFixed(1);
  // 9.96e-5 rounds to 1.0e-4, not 10.0e-5.
  if (Math.abs(Number((v / 10 ** e).toFixed(1))) >= 10) e += 1;
  return `${(v / 10 ** e).toFixed(1)}e${e}`;
}


/** Attaches to each row at the paper's settings (default instance, the paper's length) its published cell (for the plot's marks). @category Tables */
export function attachPublished(rows: SummaryRow[], published: PublishedResults): SummaryRow[] {
  if (!taskRegistry.has(published.task)) return rows;
  const task = taskRegistry.get(published.task, 'task');
  return rows.map((r) => {
    if (r.task !== published.task || r.iterations !== task.defaults.iterations) return r;
    const d = task.instances(r.op)[0];
    const paperInstance = formatRange(d.interpolation) === r.interpolation && formatRange(d.extrapolation) === r.extrapolation &&
      Object.entries(r.params).every(([k, v]) => paramOf(d, k) === v);
    // nau-nmu is the paper's NAU row for + and −, its NMU row otherwise.
    const model = r.model === 'nau-nmu' ? (r.op === 'add' || r.op === 'sub' ? 'nau' : 'nmu') : r.model;
    const paper = paperInstance ? published.cells.find((c) => c.op === r.op && c.model === model) : undefined;
    return paper ? { ...r, paper } : r;
  });
}

const pct = (v: number) => `${Math.round(v * 100)}%`;
/** A formula cut to a line's worth (records keep it whole). */
// One line: a recurrence's lines joined by "; ".
const clip = (text: string) => {
  const f = text.replace(/\n/g, '; ');
  return f.length > 160 ? `${f.slice(0, 157)}...` : f;
};
const ci = (v: number, p: number) => (Number.isFinite(p) ? `${sci(v)} ± ${sci(p)}` : sci(v));

/**
 * The table as Markdown (readable in a terminal, pasteable into the README).
 * @throws TypeError or RangeError naming a row field that is wrong.
 * @category Tables
 */
export function formatTable(rows: SummaryRow[]): string {
  if (!Array.isArray(rows)) throw new TypeError(`rows: expected summary rows, received ${typeof rows}`);
  rows.forEach((r, i) => {
    const o = checkOptions(r, `rows[${i}]`);
    if (!isOp(o.op)) throw new RangeError(`rows[${i}].op: expected one of ${Object.keys(opSymbols).join(', ')}, received ${describe(o.op)}`);
    for (const k of ['rate', 'runs', 'iterations'] as const)
      if (typeof o[k] !== 'number') throw new TypeError(`rows[${i}].${k}: expected a number, received ${describe(o[k])}`);
    if (!Array.isArray(o.rateCI) || o.rateCI.length !== 2) throw new TypeError(`rows[${i}].rateCI: expected [lo, hi], received ${describe(o.rateCI)}`);
  });
  const varies = (f: (r: SummaryRow) => unknown) => new Set(rows.map(f)).size > 1;
  const withRange = rows.some((r) => r.task !== 'static') || varies((r) => r.interpolation + r.extrapolation);
  const params: [string, (r: SummaryRow) => string][] = [];
  for (const p of allTaskParams())
    if (p.column && varies((r) => r.params?.[p.name])) params.push([p.column, (r) => String(r.params?.[p.name] ?? '—')]);
  if (varies((r) => r.iterations)) params.push(['Steps', (r) => sci(r.iterations)]);
  // Only for records that carry formulas (those written before them do not).
  const withFormulas = rows.some((r) => r.formulas > 0);
  const header = ['Op', 'Model', ...(withRange ? ['Train → test'] : []), ...params.map((p) => p[0]), 'Success [95% CI]',
    'Solved at (median)', 'Solved at (mean)', 'Sparsity error', ...(withFormulas ? ['Exact formula'] : []), 'Runs'];
  const body = rows.map((r) => [
    opSymbols[r.op],
    r.model,
    ...(withRange ? [`${r.interpolation} → ${r.extrapolation}`] : []),
    ...params.map((q) => q[1](r)),
    `${pct(r.rate)} [${pct(r.rateCI[0])}, ${pct(r.rateCI[1])}]`,
    sci(r.solvedAtMedian),
    ci(r.solvedAtMean, r.solvedAtCI),
    ci(r.sparsityMean, r.sparsityCI),
    ...(withFormulas ? [r.formulas ? `${r.exactFormulas}/${r.formulas} (${pct(r.exactFormulas / r.formulas)})` : '—'] : []),
    String(r.runs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const notes: string[] = [];
  if (rows.some((r) => r.successes > 0 && r.successes < minIntervalRuns))
    notes.push(`± is the half-width of a t 95% interval, shown from ${minIntervalRuns} successful runs (below, the mean alone).`);
  if (withFormulas)
    notes.push("Exact formula: of the solved runs with a formula, those whose best model's formula is op(Σa, Σb) of the run's own slices.");
  for (const r of rows)
    for (const w of r.wrongFormulas)
      notes.push(`Finding: ${r.model} on ${opSymbols[r.op]}${withRange ? ` (${r.interpolation} → ${r.extrapolation})` : ''}, seed ${w.seed}, is solved but its formula is not op(Σa, Σb): ${clip(w.formula)}`);
  const table = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
  return notes.length ? `${table}\n\n${notes.join('\n')}` : table;
}
