// `nalu summary FILE…`: the table (and plot) of runs already in results files, e.g. several
// `nalu benchmark` invocations appended to one file. Also prints the table after a benchmark.
import * as fs from 'node:fs';
import { successRateSvg } from '../tasks/plot';
import type { RunRecord } from '../tasks/run';
import { publishedRegistry } from '../tasks/papers';
import { attachPublished, formatTable, summarize } from '../tasks/summary';
import { UsageError, flagHelp, parseWithPositionals, type Command, type Options } from './args';

const options: Options = {
  plot: { type: 'string' },
  compare: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

function help(): string {
  return `Usage: nalu summary FILE [FILE…] [--plot SVG] [--compare ID]

Prints the benchmark table (success rate [Wilson 95% CI], solved at, sparsity error) of the
runs recorded in results files written by \`nalu benchmark --out\`, one table per task.
With --compare, the published cells of the same experiment (the paper's instance and length)
are printed beside ours, and "vs paper" says whether our rate is inside the paper's 95 %
interval, whether the two intervals overlap, or neither (outside).

${flagHelp([
  ['--plot FILE', "also write the success rates with their intervals as an SVG chart (Vega-Lite); --compare marks the paper's"],
  ['--compare ID', `published results to print beside ours: ${publishedRegistry.names().join(', ')}`],
  ['-h, --help', 'this help'],
])}
Example:
  nalu summary results.jsonl --plot results.svg
  nalu summary table1.jsonl --compare madsen2020
`;
}

/** The runs recorded in a results file (bad lines are reported and skipped). */
export function readResults(file: string): RunRecord[] {
  if (!fs.existsSync(file)) return [];
  const out: RunRecord[] = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const r = JSON.parse(line) as RunRecord;
        if (typeof r.task === 'string' && typeof r.seed === 'number' && typeof r.success === 'boolean') out.push(r);
        else throw new Error('not a run record');
      } catch (e) {
        process.stderr.write(`nalu: ${file}:${i + 1}: skipped (${(e as Error).message})\n`);
      }
    });
  return out;
}

const labels: Record<string, string> = { static: 'Static arithmetic task', 'single-module': 'Single-module task' };

/** Prints one table per task of `records` and, with `plot`, writes their chart atomically. */
export async function printSummary(records: RunRecord[], plot: string | undefined, who: string, compare?: string): Promise<void> {
  const published = compare === undefined ? undefined : publishedRegistry.get(compare, '--compare');
  const rowsOf = (rs: RunRecord[]) => (published ? attachPublished(summarize(rs), published) : summarize(rs));
  const tasks = [...new Set(records.map((r) => r.task))];
  for (const task of tasks) {
    const mine = records.filter((r) => r.task === task);
    const its = [...new Set(mine.map((r) => r.iterations))].map((i) => i.toExponential(1)).join(', ');
    const label = labels[task] ?? task;
    const rows = rowsOf(mine);
    process.stdout.write(`\n${label}: ${mine.length} runs, ${its} iterations each\n\n${formatTable(rows)}\n`);
    if (published?.task === task) {
      const n = rows.filter((r) => r.paper).length;
      process.stdout.write(`\nPaper: ${published.title} (${published.source}); ${n} of ${rows.length} rows at its settings.\n`);
    }
  }
  const all = plot ? rowsOf(records) : [];
  if (plot && all.length) {
    const title = tasks.length === 1 ? `${labels[tasks[0]] ?? tasks[0]}: success rate (95% Wilson interval)` : undefined;
    const svg = await successRateSvg(all, title);
    const tmp = `${plot}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, svg);
    fs.renameSync(tmp, plot);
    process.stderr.write(`${who}: wrote ${plot}\n`);
  }
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseWithPositionals(argv, options);
  if (values.help) {
    process.stdout.write(help());
    return 0;
  }
  if (!positionals.length) throw new UsageError('expected at least one results file (nalu summary FILE…)');
  const records: RunRecord[] = [];
  for (const file of positionals) {
    if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file`);
    records.push(...readResults(file));
  }
  if (!records.length) throw new UsageError(`no run records in ${positionals.join(', ')}`);
  const compare = values.compare as string | undefined;
  if (compare !== undefined && !publishedRegistry.has(compare))
    throw new UsageError(`--compare: unknown value '${compare}', expected one of ${publishedRegistry.names().join(', ')}`);
  await printSummary(records, values.plot as string | undefined, 'nalu summary', compare);
  return 0;
}

export const summaryCommand: Command = {
  name: 'summary',
  summary: 'print the table (and plot) of runs already in results files',
  help,
  run,
};
