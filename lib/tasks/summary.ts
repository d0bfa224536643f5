// Aggregates run records into the paper's Table 1: success rate with a Wilson 95 % interval,
// "solved at" (median and mean ± t-interval over the successful runs) and the sparsity error
// (mean ± t-interval over the successful runs), one row per task instance × operation × model.
import { formatRange, opSymbols, type ArithmeticOp } from './arithmetic';
import type { RunRecord } from './run';
import { mean, median, tInterval, wilson } from './stats';

export interface SummaryRow {
  task: string;
  op: ArithmeticOp;
  model: string;
  interpolation: string;
  extrapolation: string;
  runs: number;
  successes: number;
  rate: number;
  rateCI: [number, number];
  solvedAtMedian: number;
  solvedAtMean: number;
  solvedAtCI: number;
  sparsityMean: number;
  sparsityCI: number;
  iterations: number;
}

/** Groups finished runs (aborted ones are ignored) and computes each group's statistics. */
export function summarize(records: RunRecord[]): SummaryRow[] {
  if (!Array.isArray(records)) throw new TypeError(`records: expected an array of run records, received ${typeof records}`);
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    if (r.stopReason === 'aborted') continue;
    const key = JSON.stringify([r.task, r.op, r.model, r.interpolation, r.extrapolation]);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
  }
  const rows: SummaryRow[] = [];
  for (const rs of groups.values()) {
    const ok = rs.filter((r) => r.success);
    const solved = ok.map((r) => r.solvedAt).filter((s): s is number => s !== null);
    const sparsity = ok.map((r) => r.best.sparsity).filter((s) => !Number.isNaN(s));
    rows.push({
      task: rs[0].task,
      op: rs[0].op,
      model: rs[0].model,
      interpolation: formatRange(rs[0].interpolation),
      extrapolation: formatRange(rs[0].extrapolation),
      runs: rs.length,
      successes: ok.length,
      rate: ok.length / rs.length,
      rateCI: wilson(ok.length, rs.length),
      solvedAtMedian: median(solved),
      solvedAtMean: mean(solved),
      solvedAtCI: tInterval(solved),
      sparsityMean: mean(sparsity),
      sparsityCI: tInterval(sparsity),
      iterations: Math.max(...rs.map((r) => r.iterations)),
    });
  }
  const opOrder = ['add', 'sub', 'mul', 'div', 'square', 'sqrt'];
  return rows.sort(
    (a, b) =>
      a.task.localeCompare(b.task) || opOrder.indexOf(a.op) - opOrder.indexOf(b.op) || a.interpolation.localeCompare(b.interpolation) || a.model.localeCompare(b.model),
  );
}

/** 1.4·10⁶-style, as the paper writes step counts and errors; '—' for none. */
export function sci(v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  const e = Math.floor(Math.log10(Math.abs(v)));
  if (e >= 0 && e < 4) return Number.isInteger(v) || Math.abs(v) >= 100 ? String(Math.round(v)) : v.toFixed(1);
  return `${(v / 10 ** e).toFixed(1)}e${e}`;
}

const pct = (v: number) => `${Math.round(v * 100)}%`;

/** The table as Markdown (readable in a terminal, pasteable into the README). */
export function formatTable(rows: SummaryRow[]): string {
  if (!Array.isArray(rows)) throw new TypeError(`rows: expected summary rows, received ${typeof rows}`);
  const withRange = rows.some((r) => r.task !== 'static');
  const header = ['Op', 'Model', ...(withRange ? ['Train → test'] : []), 'Success [95% CI]', 'Solved at (median)', 'Solved at (mean)', 'Sparsity error', 'Runs'];
  const body = rows.map((r) => [
    opSymbols[r.op],
    r.model,
    ...(withRange ? [`${r.interpolation} → ${r.extrapolation}`] : []),
    `${pct(r.rate)} [${pct(r.rateCI[0])}, ${pct(r.rateCI[1])}]`,
    sci(r.solvedAtMedian),
    Number.isFinite(r.solvedAtCI) ? `${sci(r.solvedAtMean)} ± ${sci(r.solvedAtCI)}` : sci(r.solvedAtMean),
    Number.isFinite(r.sparsityCI) ? `${sci(r.sparsityMean)} ± ${sci(r.sparsityCI)}` : sci(r.sparsityMean),
    String(r.runs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
