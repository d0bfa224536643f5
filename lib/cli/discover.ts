// nalu discover: a formula for one CSV column from the others. A ladder of arithmetic architectures,
// each trained from several seeds (fitRestarts), each read as a formula (explain), ranked.
import { readCsv, type CsvTable } from '../csv';
import { NaluError } from '../errors';
import type { Formula } from '../explain';
import { saveModel } from '../io';
import { NAU, NMRU, NMU, NPU, RealNPU, type Layer } from '../layers';
import { Sequential } from '../model';
import { Adam } from '../optimizers';
import { mulberry32 } from '../random';
import { fitRestarts, type RestartReport } from '../restarts';
import { sci } from '../tasks/summary';
import { tensor, type Tensor } from '../tensor';
import { UsageError, flagHelp, num, outputDir, parseWithPositionals, wrap, type Command, type Options } from './args';
import { Progress } from './progress';

/** One architecture of the ladder: its layers over d inputs, and how it is trained. */
interface Rung {
  name: string;
  /** What its formulas look like. */
  kind: string;
  layers(d: number, seed: number): Layer[];
  learningRate: number;
  clipNorm?: number;
}

// Two hidden units let a two-layer rung combine two sums or two products; the NPU family at the
// learning rate of Mistry et al. 2021, the NMRU with its gradient-norm clip.
const ladder: Rung[] = [
  { name: 'nau', kind: 'sums', layers: (d, s) => [new NAU({ units: 1, inputDim: d, seed: s })], learningRate: 1e-2 },
  { name: 'nmu', kind: 'products', layers: (d, s) => [new NMU({ units: 1, inputDim: d, seed: s })], learningRate: 1e-2 },
  {
    name: 'nau-nmu',
    kind: 'products of sums',
    layers: (d, s) => [new NAU({ units: 2, inputDim: d, seed: s }), new NMU({ units: 1, seed: s + 1 })],
    learningRate: 1e-2,
  },
  {
    name: 'nmu-nau',
    kind: 'sums of products',
    layers: (d, s) => [new NMU({ units: 2, inputDim: d, seed: s }), new NAU({ units: 1, seed: s + 1 })],
    learningRate: 1e-2,
  },
  { name: 'nmru', kind: 'ratios', layers: (d, s) => [new NMRU({ units: 1, inputDim: d, seed: s, signRetrieval: true })], learningRate: 1e-2, clipNorm: 1 },
  { name: 'realnpu', kind: 'ratios', layers: (d, s) => [new RealNPU({ units: 1, inputDim: d, seed: s })], learningRate: 5e-3 },
  { name: 'npu', kind: 'powers', layers: (d, s) => [new NPU({ units: 1, inputDim: d, seed: s })], learningRate: 5e-3 },
];
const rungNames = ladder.map((r) => r.name);

/** Whether explain() can read the rung's units (each declares its symbolic form in its own file). */
function explainable(r: Rung): boolean {
  return r.layers(1, 0).every((l) => typeof l.symbolic === 'function');
}

const options: Options = {
  target: { type: 'string' },
  features: { type: 'string' },
  extrapolate: { type: 'string' },
  holdout: { type: 'string' },
  models: { type: 'string' },
  restarts: { type: 'string' },
  steps: { type: 'string' },
  'batch-size': { type: 'string' },
  seed: { type: 'string' },
  'max-rows': { type: 'string' },
  json: { type: 'boolean' },
  save: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

function help(): string {
  return `Usage: nalu discover FILE.csv --target COLUMN [options]

${wrap(
  `Finds a formula for one column of a CSV file from the others. Tries a ladder of arithmetic architectures (${ladder.map((r) => `${r.kind}: ${r.name}`).join(', ')}), ` +
    'each from several seeds on the machine\'s cores, reads each as a formula (model.explain) and prints them ranked: the exact ones first, simplest first, ' +
    'then by error. The error columns are the formula\'s largest relative error |f − y| / max(|y|, 0.01·rms(y)) on the training rows and on the rows held out for extrapolation.',
  0,
)}

Options:
${flagHelp([
  ['--target COLUMN', 'the column to explain (required)'],
  ['--features A,B,…', 'the input columns (default: every other column)'],
  ['--extrapolate FILE', 'a CSV of the same columns outside the training range: picks each model\'s best seed and ranks the formulas'],
  ['--holdout \'COL>Q\'', 'hold out the rows where COL > Q (or <, >=, <=) as the extrapolation set; Q a number or a percentile such as 80%'],
  ['--models auto|LIST', `the architectures: auto (all that explain() reads) or a comma-separated list of ${rungNames.join(', ')}`],
  ['--restarts N', 'seeds per architecture (default 4)'],
  ['--steps N', 'optimizer steps per fit (default 5000)'],
  ['--batch-size N', 'batch size (default 64)'],
  ['--seed N', 'the first seed (default 0)'],
  ['--max-rows N', 'refuse a file with more data rows (default 1000000)'],
  ['--json', 'print one JSON record per candidate instead of the table'],
  ['--save DIR', 'save the first-ranked model there (loadable with loadModel)'],
  ['--quiet', 'no progress'],
  ['-h, --help', 'this help'],
])}

${wrap('Exit codes: 0 done, 1 a bad CSV file (its line and column on stderr, nothing else written), 2 bad flags, 130 interrupted.', 0)}

Example:
  nalu discover examples/invoices.csv --target total
`;
}

/** Rows of the in-range and extrapolation sets, as [rows, d] inputs and [rows, 1] targets. */
interface Split {
  x: Tensor;
  y: Tensor;
}

function split(t: CsvTable, rows: number[], d: number): Split {
  const x = new Float32Array(rows.length * d);
  const y = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) x[i * d + j] = t.data[j][r];
    y[i] = t.data[d][r];
  });
  return { x: tensor(x, [rows.length, d]), y: tensor(y, [rows.length, 1]) };
}

/** The rows of --holdout 'COL>Q': a number, or a percentile of the column ('80%'). */
function holdoutRows(spec: string, t: CsvTable): { held: number[]; kept: number[] } {
  const m = /^\s*([^<>=\s]+)\s*(>=|<=|>|<)\s*([-+0-9.eE]+)(%?)\s*$/.exec(spec);
  if (!m) throw new UsageError(`--holdout: expected 'COLUMN>VALUE' (or <, >=, <=; VALUE a number or a percentile like 80%), received '${spec}'`);
  const [, col, op, value, pct] = m;
  const j = t.columns.indexOf(col);
  if (j < 0) throw new UsageError(`--holdout: no column '${col}' among ${t.columns.join(', ')}`);
  let q = Number(value);
  if (!Number.isFinite(q) || (pct && (q < 0 || q > 100))) throw new UsageError(`--holdout: '${value}${pct}' is not a ${pct ? 'percentile in [0, 100]' : 'number'}`);
  if (pct) {
    const sorted = Float64Array.from(t.data[j]).sort();
    // The value below which q % of the rows lie: 'a>80%' holds out the top fifth.
    q = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))];
  }
  const test = { '>': (v: number) => v > q, '<': (v: number) => v < q, '>=': (v: number) => v >= q, '<=': (v: number) => v <= q }[op]!;
  const held: number[] = [];
  const kept: number[] = [];
  for (let r = 0; r < t.rows; r++) (test(t.data[j][r]) ? held : kept).push(r);
  if (!held.length || !kept.length)
    throw new UsageError(`--holdout: '${spec}' holds out ${held.length} of ${t.rows} rows; it must leave rows on both sides`);
  return { held, kept };
}

/** Identifiers for the formula (explain needs them): other characters become _, a leading digit gets one. */
function identifiers(names: string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    let id = n.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9]|$)/, '_');
    while (out.includes(id)) id += '_';
    out.push(id);
  }
  return out;
}

/** One architecture's best restart, read as a formula. */
interface Candidate {
  rung: Rung;
  best: RestartReport;
  restarts: RestartReport[];
  model: Sequential;
  formula: Formula;
  inRange: number;
  outOfRange?: number;
}

/** Exact formulas first, simplest first; then by the error out of range (in range without it). */
function rank(a: Candidate, b: Candidate): number {
  if (a.formula.exact !== b.formula.exact) return a.formula.exact ? -1 : 1;
  if (a.formula.exact) return a.formula.complexity - b.formula.complexity || a.inRange - b.inRange;
  const ea = a.outOfRange ?? a.inRange, eb = b.outOfRange ?? b.inRange;
  return (Number.isNaN(ea) ? Infinity : ea) - (Number.isNaN(eb) ? Infinity : eb) || a.formula.complexity - b.formula.complexity;
}

function table(cands: Candidate[]): string {
  const rows = [['#', 'model', 'exact', 'in range', 'out of range', 'complexity', 'formula']];
  cands.forEach((c, i) =>
    rows.push([String(i + 1), c.rung.name, c.formula.exact ? 'yes' : 'no', sci(c.inRange), c.outOfRange === undefined ? '-' : sci(c.outOfRange), String(c.formula.complexity), c.formula.text]),
  );
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  return rows.map((r) => r.map((cell, k) => (k === r.length - 1 ? cell : k === 0 ? cell.padStart(widths[k]) : cell.padEnd(widths[k]))).join('  ')).join('\n');
}

async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseWithPositionals(argv, options);
  if (v.help) {
    process.stdout.write(help());
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one CSV file, received ${positionals.length}` : 'expected a CSV file (nalu discover FILE.csv --target COLUMN)');
  const file = positionals[0];
  if (typeof v.target !== 'string' || !v.target.trim()) throw new UsageError('--target: expected the name of the column to explain');
  const target = v.target.trim();
  if (v.extrapolate !== undefined && v.holdout !== undefined) throw new UsageError('--extrapolate and --holdout: give one of them');
  const auto = v.models === undefined || v.models === 'auto';
  const models = auto ? ladder.filter(explainable).map((r) => r.name) : String(v.models).split(',').map((s) => s.trim()).filter(Boolean);
  if (!models.length) throw new UsageError(`--models: expected auto or a comma-separated list of ${rungNames.join(', ')}`);
  for (const m of models) {
    if (!rungNames.includes(m)) throw new UsageError(`--models: unknown value '${m}', expected auto or some of ${rungNames.join(', ')}`);
    if (!explainable(ladder.find((r) => r.name === m)!)) throw new UsageError(`--models: '${m}' has units that explain() cannot read yet`);
  }
  const restarts = num(v.restarts, 'restarts', 4, 1, 1000, true);
  const steps = num(v.steps, 'steps', 5000, 1, 1e9, true);
  const batchSize = num(v['batch-size'], 'batch-size', 64, 1, 2 ** 20, true);
  const seed = num(v.seed, 'seed', 0, 0, 2 ** 32 - 1, true);
  const maxRows = num(v['max-rows'], 'max-rows', 1e6, 1, 2 ** 31, true);
  const save = v.save === undefined ? undefined : outputDir(String(v.save), 'save');
  const quiet = Boolean(v.quiet);

  const features = v.features === undefined ? undefined : String(v.features).split(',').map((s) => s.trim()).filter(Boolean);
  if (features?.length === 0) throw new UsageError('--features: expected a comma-separated list of column names');
  if (features?.includes(target)) throw new UsageError(`--features: '${target}' is the target`);
  const columns = features ? [...features, target] : (header: string[]) => [...header.filter((h) => h !== target), target];

  // The files first: a bad one is refused before anything is written.
  let data: CsvTable, extra: CsvTable | undefined;
  try {
    data = await readCsv(file, { maxRows, columns });
    if (data.columns.length < 2) throw new NaluError(`${file}:1: no column besides the target '${target}'`, 'BAD_FILE');
    if (typeof v.extrapolate === 'string') extra = await readCsv(v.extrapolate, { maxRows, columns: data.columns });
  } catch (e) {
    if (e instanceof NaluError && e.code === 'BAD_FILE') {
      process.stderr.write(`nalu discover: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const d = data.columns.length - 1;
  const featureNames = identifiers(data.columns.slice(0, d));

  let inRange = Array.from({ length: data.rows }, (_, r) => r);
  let outside: Split | undefined;
  if (typeof v.holdout === 'string') {
    const h = holdoutRows(v.holdout, data);
    inRange = h.kept;
    outside = split(data, h.held, d);
  } else if (extra) outside = split(extra, Array.from({ length: extra.rows }, (_, r) => r), d);
  // A fifth of the in-range rows (at most 2,000) judge the seeds when nothing is held out; at most
  // 20,000 rows train (more only lengthen the epochs of a fixed number of steps).
  const random = mulberry32(seed);
  for (let i = inRange.length - 1; i > 0; i--) {
    const k = Math.floor(random() * (i + 1));
    [inRange[i], inRange[k]] = [inRange[k], inRange[i]];
  }
  const nVal = outside || inRange.length < 10 ? 0 : Math.min(2000, Math.floor(inRange.length / 5));
  const val = nVal ? split(data, inRange.slice(0, nVal), d) : undefined;
  const train = split(data, inRange.slice(nVal, nVal + 20000), d);
  const trainRows = train.y.shape[0];
  const epochs = Math.max(1, Math.round(steps / Math.ceil(trainRows / batchSize)));

  const rungs = ladder.filter((r) => models.includes(r.name));
  const names = data.columns.map((c, i) => (i < d && featureNames[i] !== c ? `${c} (as ${featureNames[i]})` : c));
  process.stderr.write(
    `nalu discover: ${file}, ${data.rows} rows; ${target} from ${names.slice(0, d).join(', ')}\n` +
      `  ${rungs.length} model${rungs.length > 1 ? 's' : ''} × ${restarts} restart${restarts > 1 ? 's' : ''}, ${trainRows} training rows, ${epochs} epoch${epochs > 1 ? 's' : ''} of batch ${batchSize}` +
      `${outside ? `, ${outside.y.shape[0]} rows to extrapolate to${v.holdout ? ` (--holdout ${v.holdout})` : ''}` : `, ${nVal} validation rows`}\n`,
  );

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  // Dead units in seeds that fail are expected here; the ranked formulas say what worked.
  const emitWarning = process.emitWarning;
  process.emitWarning = ((w: string | Error, ...rest: unknown[]) => {
    if (rest[0] !== 'NaluWarning') (emitWarning as (...a: unknown[]) => void).call(process, w, ...rest);
  }) as typeof process.emitWarning;
  const progress = new Progress(rungs.length * restarts, process.stderr, !quiet);
  const cands: Candidate[] = [];
  try {
    let done = 0;
    for (const rung of rungs) {
      if (controller.signal.aborted) break;
      progress.update(done, `${rung.name} (${rung.kind})`);
      const res = await fitRestarts(
        (s) => {
          const m = new Sequential(rung.layers(d, s));
          m.compile({ optimizer: new Adam({ learningRate: rung.learningRate, ...(rung.clipNorm ? { clipNorm: rung.clipNorm } : {}) }), loss: 'mse' });
          return m;
        },
        train.x,
        train.y,
        {
          restarts,
          seed,
          epochs,
          batchSize,
          signal: controller.signal,
          ...(val ? { validationData: [val.x, val.y] as [Tensor, Tensor] } : {}),
          ...(outside ? { extrapolation: [outside.x, outside.y] as [Tensor, Tensor] } : {}),
          explain: { featureNames },
          onRestart: () => progress.update(++done, `${rung.name} (${rung.kind})`),
        },
      );
      const e = res.best.explanation!;
      const f = e.best ?? e;
      cands.push({
        rung,
        best: res.best,
        restarts: res.restarts,
        model: res.model,
        formula: f,
        inRange: f.fidelity.data?.maxRelError ?? NaN,
        ...(outside ? { outOfRange: f.fidelity.extrapolation?.data?.maxRelError ?? NaN } : {}),
      });
    }
  } finally {
    process.emitWarning = emitWarning;
    process.off('SIGINT', onSigint);
  }
  progress.finish(controller.signal.aborted ? 'interrupted' : 'done');
  cands.sort(rank);
  if (v.json)
    for (const [i, c] of cands.entries())
      process.stdout.write(
        `${JSON.stringify({
          rank: i + 1,
          formula: c.formula.text,
          latex: c.formula.latex,
          js: c.formula.js,
          fidelity: c.formula.fidelity,
          exact: c.formula.exact,
          complexity: c.formula.complexity,
          errorInRange: c.inRange,
          errorOutOfRange: c.outOfRange ?? null,
          model: c.rung.name,
          seed: c.best.seed,
          restarts: c.restarts.map((r) => ({ seed: r.seed, loss: r.loss, formula: r.formula, exact: r.exact })),
        })}\n`,
      );
  else if (cands.length) process.stdout.write(`${table(cands)}\n`);
  if (save && cands.length) {
    await saveModel(cands[0].model, save);
    process.stderr.write(`saved the ${cands[0].rung.name} model of seed ${cands[0].best.seed} (${cands[0].formula.text}) to ${save}\n`);
  }
  for (const c of cands) c.model.dispose();
  return controller.signal.aborted ? 130 : 0;
}

export const discoverCommand: Command = { name: 'discover', summary: 'find a formula for one column of a CSV file from the others', help, run };
