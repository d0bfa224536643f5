// `nalu summary FILE…`: the table (and plot) of runs already in results files, e.g. several
// `nalu benchmark` invocations appended to one file. Also prints the table after a benchmark.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NaluError } from '../errors';
import { loadPlotPackages, successRatePng, successRateSvg } from '../tasks/plot';
import { recordError, runKey, type RunRecord } from '../tasks/run';
import { publishedRegistry } from '../tasks/papers';
import { compareCells, compareNotes, compareThresholds, formatCompare, recordCells } from '../tasks/compare';
import { attachPublished, formatTable, summarize } from '../tasks/summary';
import { UsageError, flagHelp, outputFile, parseWithPositionals, type Command, type Options } from './args';

const options: Options = {
  plot: { type: 'string' },
  compare: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

function help(): string {
  return `Usage: nalu summary FILE [FILE…] [--plot SVG] [--compare ID]

Prints the benchmark table (success rate [Wilson 95% CI], solved at, sparsity error) of the
runs recorded in results files written by \`nalu benchmark --out\`, one table per task.
With --compare, the runs at the paper's instance and length are compared seed by seed with
the paper's, in every cell of its table: success (Fisher's exact test), solved at, sparsity
error and the best model's errors (Mann–Whitney U), the paper's estimators on both sides,
and a verdict per cell ("consistent", or "differs" where a Holm-adjusted p is below 0.05).

${flagHelp([
  ['--plot FILE', "also write the success rates with their intervals as a chart (Vega-Lite): SVG, or PNG when FILE ends in .png; --compare draws the paper's beside ours"],
  ['--compare ID', `published per-seed results to compare ours with: ${publishedRegistry.names().join(', ')}`],
  ['-h, --help', 'this help'],
])}
Example:
  nalu summary results.jsonl --plot results.svg
  nalu summary table1.jsonl --compare madsen2020 --plot table1.png
`;
}

/** Results files larger than this are refused (a million runs' records are about 1 GiB). */
const maxResultsBytes = 2 ** 30;

/** The runs recorded in a results file (bad lines and invalid records are reported as file:line and skipped); absent: none. */
export function readResults(file: string): RunRecord[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return [];
  }
  // A FIFO or a device would block or never end.
  if (!st.isFile()) throw new UsageError(`${file}: not a regular file`);
  if (st.size > maxResultsBytes) throw new UsageError(`${file}: ${st.size} bytes, more than the ${maxResultsBytes} a results file may have`);
  const out: RunRecord[] = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let why: string | undefined;
      try {
        const r = JSON.parse(line) as RunRecord;
        why = recordError(r);
        if (!why) out.push(r);
      } catch (e) {
        why = (e as Error).message;
      }
      if (why) process.stderr.write(`nalu: ${file}:${i + 1}: skipped (${why})\n`);
    });
  return out;
}

/**
 * Makes a results file safe to append to: a last line cut short (a crash or a full disk while it
 * was written) is ended, so that the next record starts a line of its own. Returns whether it was.
 */
export function endCutLine(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch {
    return false;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return false;
    fs.writeSync(fd, '\n', size);
    return true;
  } finally {
    fs.closeSync(fd);
  }
}

/** `records` with each run key once (the first record of it); says how many repeats it skipped. */
export function uniqueRecords(records: RunRecord[], who: string): RunRecord[] {
  const seen = new Set<string>();
  const out = records.filter((r) => {
    const k = runKey(r);
    return !seen.has(k) && Boolean(seen.add(k));
  });
  const n = records.length - out.length;
  if (n) process.stderr.write(`${who}: skipped ${n} duplicate record(s) (a run key recorded before; a file given twice, or a record appended twice)\n`);
  return out;
}

const labels: Record<string, string> = { static: 'Static arithmetic task', 'single-module': 'Single-module task' };

const plotTemp = (plot: string) => `${plot}.${process.pid}.tmp`;
const ioReason = (e: unknown) => String((e as Error).message).split(', ')[0];

/**
 * With --plot, before any run or file is read: the target is a file in an existing folder, which
 * the file system lets us create. A usage error if not.
 */
export function checkPlotTarget(plot: string): void {
  outputFile(plot, 'plot');
  // Root passes every permission check and a read-only file system passes some: create the temp file once.
  const tmp = plotTemp(plot);
  try {
    fs.closeSync(fs.openSync(tmp, 'w'));
    fs.unlinkSync(tmp);
  } catch (e) {
    throw new UsageError(`--plot: cannot write in folder ${path.dirname(path.resolve(plot))}: ${ioReason(e)}`);
  }
}

/** The plot's optional packages (for .png also resvg): a usage error naming them if missing. */
async function checkPlotPackages(plot: string): Promise<void> {
  try {
    await loadPlotPackages(plot);
  } catch (e) {
    if (e instanceof NaluError && e.code === 'MISSING_DEPENDENCY') throw new UsageError(`--plot: ${e.message}`);
    throw e;
  }
}

/** With --plot, before a benchmark trains: its target and its packages. A usage error if not. */
export async function checkPlot(plot: string | undefined): Promise<void> {
  if (plot === undefined) return;
  checkPlotTarget(plot);
  await checkPlotPackages(plot);
}

/** Prints one table per task of `records` (with `compare`, the paper's task as the per-seed comparison) and, with `plot`, writes their chart atomically; false if it could not. */
export async function printSummary(records: RunRecord[], plot: string | undefined, who: string, compare?: string): Promise<boolean> {
  const published = compare === undefined ? undefined : publishedRegistry.get(compare, '--compare');
  const rowsOf = (rs: RunRecord[]) => (published ? attachPublished(summarize(rs), published) : summarize(rs));
  const tasks = [...new Set(records.map((r) => r.task))];
  if (published?.seeds && !tasks.includes(published.task))
    process.stderr.write(`${who}: --compare ${compare}: no runs of its task (${published.task}) to compare; the tables below are ours alone\n`);
  for (const task of tasks) {
    const mine = records.filter((r) => r.task === task);
    const its = [...new Set(mine.map((r) => r.iterations))].sort((a, b) => a - b).map((i) => i.toExponential(1)).join(', ');
    const label = Object.hasOwn(labels, task) ? labels[task] : task;
    if (published?.seeds && published.task === task) {
      const { cells, left } = recordCells(mine, published);
      const rows = compareCells(cells, published);
      const seeds = published.seeds();
      const at = cells.reduce((s, c) => s + c.runs.length, 0);
      process.stdout.write(`\n${label}: ${at} runs at the paper's settings, compared with ${published.title}\n\n${formatCompare(rows)}\n\n`);
      process.stdout.write(`${compareNotes(rows, compareThresholds(mine, seeds), seeds)}\n`);
      if (left) process.stdout.write(`${left} runs not at the paper's instance and length are left out (nalu summary without --compare shows them).\n`);
      continue;
    }
    process.stdout.write(`\n${label}: ${mine.length} runs, ${its} iterations each\n\n${formatTable(summarize(mine))}\n`);
  }
  const all = plot ? rowsOf(records) : [];
  if (plot && all.length) {
    // After the tables: a missing optional package costs the chart, not the numbers.
    await checkPlotPackages(plot);
    const what = published && all.some((r) => r.paper) ? `ours against ${published.title.split(',')[0]}, ` : '';
    const title = tasks.length === 1 ? `${labels[tasks[0]] ?? tasks[0]}: success rate, ${what}95% Wilson intervals` : undefined;
    const image = /\.png$/i.test(plot) ? await successRatePng(all, title) : await successRateSvg(all, title);
    const tmp = plotTemp(plot);
    try {
      fs.writeFileSync(tmp, image);
      fs.renameSync(tmp, plot);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      process.stderr.write(`${who}: cannot write ${plot}: ${ioReason(e)}\n`);
      return false;
    }
    process.stderr.write(`${who}: wrote ${plot}\n`);
  }
  return true;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseWithPositionals(argv, options);
  if (values.help) {
    process.stdout.write(help());
    return 0;
  }
  if (!positionals.length) throw new UsageError('expected at least one results file (nalu summary FILE…)');
  const plot = values.plot === undefined ? undefined : String(values.plot);
  if (plot !== undefined) checkPlotTarget(plot);
  let records: RunRecord[] = [];
  for (const file of positionals) {
    if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file`);
    records.push(...readResults(file));
  }
  if (!records.length) throw new UsageError(`no run records in ${positionals.join(', ')}`);
  records = uniqueRecords(records, 'nalu summary');
  const compare = values.compare as string | undefined;
  if (compare !== undefined && !publishedRegistry.has(compare))
    throw new UsageError(`--compare: unknown value '${compare}', expected one of ${publishedRegistry.names().join(', ')}`);
  return (await printSummary(records, plot, 'nalu summary', compare)) ? 0 : 1;
}

export const summaryCommand: Command = {
  name: 'summary',
  summary: 'print the table (and plot) of runs already in results files',
  help,
  run,
};
