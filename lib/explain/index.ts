// model.explain(): every layer's symbolic form (its own file declares it), snapped at a tolerance,
// composed through the stack, simplified over the data, printed, and checked against the model and the data.
import type { Sequential } from '../model';
import { refuseUnknown } from '../options';
import { checkNumber, checkOptions } from '../registry';
import { describe, toMatrix, type Matrix, type TensorLike } from '../tensor';
import { add, complexity, evaluate, num, round, scale, substitute, variable, type Expr } from './expr';
import { jsParts, latexName, toJs, toLatex, toText } from './print';
import type { SymbolicContext } from './symbolic';

/** Options of Sequential.explain. Unknown or bad values throw TypeError or RangeError naming the option. @category Explain */
export interface ExplainArgs {
  /** The inputs [rows, inputDim] over which gates are judged and the formula is checked (the training x, say); [rows, time, features] for a first-layer RNN. Required. */
  x: TensorLike;
  /** The targets of x [rows, units]: without them `fidelity.data` is absent and `exact` is false. */
  y?: TensorLike;
  /** Data outside the training range: judged and checked as x and y are, and reported apart. */
  extrapolation?: ExtrapolationData;
  /** The inputs' names in the formula: identifiers, one per input (per feature of a step, for an RNN). Default x0, x1, … */
  featureNames?: string[];
  /** The outputs' names (for a model of several outputs, whose text is one `name = formula` a line). Default y0, y1, … */
  outputNames?: string[];
  /** How far a weight (or a gate over the data) may be from a value of its unit's grid to snap to it. Default 0.1. */
  tolerance?: number;
  /** The largest relative error (formula vs the model, and vs the data) of an exact formula. Default 1e-3. */
  errorTolerance?: number;
  /** Significant digits of a weight that does not snap. Default 6. */
  digits?: number;
  /** The snapping tolerances of the candidates table (the `tolerance` given is added). Default 0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01, 0. */
  candidateTolerances?: number[];
}

/** The data out of the training range that explain also checks. @category Explain */
export interface ExtrapolationData {
  /** Its inputs [rows, inputDim]. */
  x: TensorLike;
  /** Its targets [rows, units] (optional: without them only the model is compared). */
  y?: TensorLike;
}

/**
 * Errors of the formula against a reference over a set of rows. The relative error of a value is
 * |f − t| / max(|t|, 0.01·rms(t)), so that a target crossing 0 does not make it infinite.
 * @category Explain
 */
export interface ErrorFigures {
  /** The largest relative error (Infinity when the formula is not finite somewhere). */
  maxRelError: number;
  /** The mean relative error. */
  meanRelError: number;
  /** The mean squared error. */
  mse: number;
}

/** How faithful a formula is: against model.predict and against the data, in range and out of it. @category Explain */
export interface Fidelity {
  /** Formula vs model.predict on x. */
  model: ErrorFigures;
  /** Formula vs y (when y was given). */
  data?: ErrorFigures;
  /** The same on the extrapolation set (when given; data when its y was given). */
  extrapolation?: ExtrapolationFidelity;
}

/** Fidelity.extrapolation: the errors on the extrapolation set. @category Explain */
export interface ExtrapolationFidelity {
  /** Formula vs model.predict. */
  model: ErrorFigures;
  /** Formula vs its y (when given). */
  data?: ErrorFigures;
}

/** One formula of a model, at one snapping tolerance. @category Explain */
export interface Formula {
  /** mathjs-readable text with the feature names: `(x0 + x1) * x2`. */
  text: string;
  /** LaTeX: `\left(x_{0} + x_{1}\right) \cdot x_{2}`. */
  latex: string;
  /** The source of a JS arrow function of one object keyed by feature names: `({ x0, x1, x2 }) => (x0 + x1) * x2`. */
  js: string;
  /** Its size, PySR-style: one per number, input, operator and function. */
  complexity: number;
  /** The snapping tolerance it was read at. */
  tolerance: number;
  /** Whether every weight and gate snapped to its unit's grid. */
  snapped: boolean;
  /** Its errors against the model and the data. */
  fidelity: Fidelity;
  /** True only when it matches both the model and the data (y given) within errorTolerance, in range and on the extrapolation set. */
  exact: boolean;
}

/** One output's formula. @category Explain */
export interface OutputFormula {
  /** Its name (outputNames, default y0, y1, …). */
  name: string;
  /** Its mathjs-readable text. */
  text: string;
  /** Its LaTeX. */
  latex: string;
}

/** What model.explain returns: the formula at `tolerance`, its check, and the candidates at other tolerances. @category Explain */
export interface Explanation extends Formula {
  /** Each output's text and LaTeX (the formula's `text` joins them for several outputs). */
  outputs: OutputFormula[];
  /** The errorTolerance `exact` was judged with. */
  errorTolerance: number;
  /** The distinct formulas over the candidate tolerances, simplest first (PySR's equations table). */
  candidates: Formula[];
  /** The simplest exact candidate, if any. */
  best?: Formula;
  /** The candidates as a text table: tolerance, complexity, errors, exact, formula. */
  table: string;
  /** One line when exact; else says that no snapped formula is faithful and shows the table. */
  summary: string;
}

type Explainable = Pick<Sequential, 'layers' | 'inputDim' | 'getWeights' | 'predict'>;

const defaultTolerances = [0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01, 0];
const optionKeys = ['x', 'y', 'extrapolation', 'featureNames', 'outputNames', 'tolerance', 'errorTolerance', 'digits', 'candidateTolerances'];

function checkNames(v: unknown, name: string, n: number, prefix: string): string[] {
  if (v === undefined) return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  if (!Array.isArray(v)) throw new TypeError(`${name}: expected an array of ${n} names, received ${describe(v)}`);
  if (v.length !== n) throw new RangeError(`${name}: expected ${n} names, received ${v.length}`);
  const seen = new Set<string>();
  v.forEach((s, i) => {
    if (typeof s !== 'string') throw new TypeError(`${name}[${i}]: expected a string, received ${describe(s)}`);
    // mathjs and JS read an identifier as a variable; anything else would not parse.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) throw new RangeError(`${name}[${i}]: expected an identifier (letters, digits, _), received ${describe(s)}`);
    if (seen.has(s)) throw new RangeError(`${name}[${i}]: expected unique names, received '${s}' twice`);
    seen.add(s);
  });
  return v as string[];
}

/** The rows of m as float64 columns. */
function columns(ms: Matrix[], cols: number): Float64Array[] {
  const rows = ms.reduce((s, m) => s + m.rows, 0);
  const out = Array.from({ length: cols }, () => new Float64Array(rows));
  let r0 = 0;
  for (const m of ms) {
    for (let r = 0; r < m.rows; r++) for (let c = 0; c < cols; c++) out[c][r0 + r] = m.data[r * cols + c];
    r0 += m.rows;
  }
  return out;
}

/** f (one column per output, rows [from, from + n)) against t ([n, outputs] row-major). */
function errors(f: Float64Array[], from: number, t: ArrayLike<number>, n: number): ErrorFigures {
  const k = f.length;
  let max = 0, sum = 0, sq = 0;
  for (let j = 0; j < k; j++) {
    let rms = 0;
    for (let r = 0; r < n; r++) rms += t[r * k + j] ** 2;
    const floor = 0.01 * Math.sqrt(rms / n);
    for (let r = 0; r < n; r++) {
      const tv = t[r * k + j], d = Math.abs(f[j][from + r] - tv);
      const rel = Number.isFinite(d) ? (d === 0 ? 0 : d / Math.max(Math.abs(tv), floor)) : Infinity;
      max = Math.max(max, rel);
      sum += rel;
      sq += Number.isFinite(d) ? d * d : Infinity;
    }
  }
  return { maxRelError: max, meanRelError: sum / (n * k), mse: sq / (n * k) };
}

type Layers = Explainable['layers'];

/** An RNN first layer as explain reads it: its cell's form, run step by step. */
interface Recurrent {
  name: string;
  cell: Layers[number];
  units: number;
  initialState: number;
  returnSequences: boolean;
}

/** x as explain reads it: [rows, inputDim], or for an RNN first layer [rows, steps, features]. */
interface Data {
  m: Matrix;
  rows: number;
  steps: number;
}

/**
 * The stack's forms composed over `features` (one column per input, `rows` long): each layer's
 * weights snapped at tol (or raw), each layer's gates judged over its inputs' values.
 */
function stackReader(layers: Layers, weights: Float64Array[][], inputDim: number, features: Float64Array[], rows: number, digits: number) {
  const values: Float64Array[][] = [features];
  const context = (i: number, tol: number, raw: boolean, snapped: { all: boolean }): SymbolicContext =>
    snapContext(weights[i], i === 0 ? inputDim : layers[i - 1].units, tol, raw, snapped, digits, (e) => evaluate(e, values[i], rows));
  for (let i = 0; i < layers.length - 1; i++) {
    const raw = layers[i].symbolic!(context(i, 0, true, { all: true }));
    values.push(raw.map((e) => evaluate(e, values[i], rows)));
  }

  // Over the data, |e| is e or −e, [e < 0] is 0 or 1, max(a, b) is a or b where one side always wins.
  const overData = (e: Expr, known: Map<Expr, Float64Array>): Expr => {
    if (e.kind !== 'call' || !['abs', 'negative', 'sign', 'max', 'min'].includes(e.name)) return e;
    const v = e.args.map((a) => evaluate(a, features, rows, known));
    const every = (f: (r: number) => boolean) => {
      for (let r = 0; r < rows; r++) if (!f(r)) return false;
      return true;
    };
    const [a, b] = v;
    switch (e.name) {
      case 'abs':
        return every((r) => a[r] >= 0) ? e.args[0] : every((r) => a[r] <= 0) ? scale(-1, e.args[0]) : e;
      case 'negative':
        return every((r) => a[r] >= 0) ? num(0) : every((r) => a[r] < 0) ? num(1) : e;
      case 'sign':
        return every((r) => a[r] > 0) ? num(1) : every((r) => a[r] < 0) ? num(-1) : e;
      case 'max':
        if (e.args.length === 2) return every((r) => a[r] >= b[r]) ? e.args[0] : every((r) => b[r] >= a[r]) ? e.args[1] : e;
        return e;
      case 'min':
        if (e.args.length === 2) return every((r) => a[r] <= b[r]) ? e.args[0] : every((r) => b[r] <= a[r]) ? e.args[1] : e;
        return e;
    }
    return e;
  };

  // The stack's outputs: each layer's form (snapped at tol, or raw) substituted into the next.
  return (tol: number, raw: boolean, snapped: { all: boolean }): Expr[] => {
    let exprs: Expr[] = Array.from({ length: inputDim }, (_, i) => variable(i));
    // The values of each layer's outputs, which every unit above reads.
    const known = new Map<Expr, Float64Array>();
    layers.forEach((l, i) => {
      const local = l.symbolic!(context(i, tol, raw, snapped));
      exprs = local.map((e) => substitute(e, exprs, (n) => overData(n, known)));
      known.clear();
      for (const e of exprs) known.set(e, evaluate(e, features, rows, known));
    });
    return exprs;
  };
}

/** What a unit's symbolic form receives: its weights, snapped at tol to its grid (raw: as they are). */
function snapContext(weights: Float64Array[], inputs: number, tol: number, raw: boolean, snapped: { all: boolean }, digits: number, over: (e: Expr) => Float64Array): SymbolicContext {
  return {
    weights,
    inputs,
    raw,
    snap(w, grid) {
      if (raw) return w;
      let best: number | undefined, dist = Infinity;
      for (const g of grid) if (Math.abs(w - g) < dist) (best = g), (dist = Math.abs(w - g));
      if (best !== undefined && dist <= tol) return best;
      snapped.all = false;
      return Number(w.toPrecision(digits));
    },
    judge(v, grid) {
      if (raw) return undefined;
      for (const g of grid) if (Array.prototype.every.call(v, (a: number) => Math.abs(a - g) <= tol)) return g;
      snapped.all = false;
      return undefined;
    },
    evaluate: over,
  };
}

/**
 * The cell's forms run over every sequence of `sets` from h₋₁ = h0: the last h of each row (the
 * sets' rows one after the other), and each step's cell inputs [xₜ, hₜ₋₁] pushed to `inputs`.
 */
function runCell(cell: readonly Expr[], sets: readonly Data[], features: number, h0: number, inputs?: Float64Array[][]): Float64Array[] {
  const total = sets.reduce((a, s) => a + s.rows, 0);
  const last = cell.map(() => new Float64Array(total));
  let r0 = 0;
  for (const { m, rows, steps } of sets) {
    let h: Float64Array[] = cell.map(() => new Float64Array(rows).fill(h0));
    for (let t = 0; t < steps; t++) {
      const z: Float64Array[] = Array.from({ length: features }, (_, i) => {
        const c = new Float64Array(rows);
        for (let r = 0; r < rows; r++) c[r] = m.data[(r * steps + t) * features + i];
        return c;
      });
      z.push(...h);
      inputs?.push(z);
      h = valuesOf(cell, z, rows);
    }
    h.forEach((c, j) => last[j].set(c, r0));
    r0 += rows;
  }
  return last;
}

type Reading = { formula: Formula; exprs: Expr[]; texts: string[]; latexes: string[] };
// read(tol): the model snapped at tol; read(tol, true): read as one linear map or running sum, if it is one.
type Reader = ((tol: number) => Reading) & ((tol: number, composed: true) => Reading | undefined);
// What both readers share: the layers and their weights, the data sets, names and how outputs are judged.
interface ReadContext {
  layers: Layers;
  weights: Float64Array[][];
  inputDim: number;
  sets: Data[];
  rows: number;
  digits: number;
  featureNames: string[];
  outputNames: string[];
  judge: (f: Float64Array[]) => { fidelity: Fidelity; exact: boolean };
}

/** Each expression over the columns (rows values each), sharing the values of common subexpressions. */
function valuesOf(exprs: readonly Expr[], columns: Float64Array[], rows: number): Float64Array[] {
  const known = new Map<Expr, Float64Array>();
  return exprs.map((e) => {
    const v = evaluate(e, columns, rows, known);
    known.set(e, v);
    return v;
  });
}

/** The stack of plain layers read at a tolerance, and (composed) as one linear map. */
function readStack(c: ReadContext): Reader {
  const { layers, weights, inputDim, sets, rows, digits, featureNames, outputNames } = c;
  const features = columns(sets.map((s) => s.m), inputDim);
  const compose = stackReader(layers, weights, inputDim, features, rows, digits);
  // A linear stack (NAU → NAU…) as one map, its coefficients snapped to integers within tol: whole
  // where hidden units share parts that cancel, so that no unit's weights are on the grid alone.
  const composedLinear = (tol: number): Expr[] | undefined => {
    if (layers.length < 2) return undefined;
    const exprs = compose(0, true, { all: true });
    const linear = (e: Expr) => e.kind === 'var' || (e.kind === 'sum' && e.terms.every((t) => t.expr.kind === 'var'));
    if (!exprs.every(linear)) return undefined;
    const snap = (v: number) => (Math.abs(v - Math.round(v)) <= tol ? Math.round(v) : v);
    return exprs.map((e) => (e.kind === 'sum' ? add(e.terms.map((t) => ({ coef: snap(t.coef), expr: t.expr })), snap(e.constant)) : e));
  };
  return ((tol: number, asOne?: true) => {
    const composed = asOne ? composedLinear(tol) : undefined;
    if (asOne && !composed) return undefined;
    const snapped = { all: true };
    const exprs = (composed ?? compose(tol, false, snapped)).map((e) => round(e, digits));
    if (composed) snapped.all = composed.every((e) => e.kind !== 'sum' || (e.terms.every((t) => Number.isInteger(t.coef)) && Number.isInteger(e.constant)));
    const texts = exprs.map((e) => toText(e, featureNames)), latexes = exprs.map((e) => toLatex(e, featureNames));
    const many = exprs.length > 1;
    const formula: Formula = {
      text: many ? texts.map((t, j) => `${outputNames[j]} = ${t}`).join('\n') : texts[0],
      latex: many ? latexes.map((t, j) => `${latexName(outputNames[j])} = ${t}`).join(' \\\\\n') : latexes[0],
      js: toJs(exprs, featureNames),
      complexity: exprs.reduce((s, e) => s + complexity(e), 0),
      tolerance: tol,
      snapped: snapped.all,
      ...c.judge(valuesOf(exprs, features, rows)),
    };
    return { formula, exprs, texts, latexes };
  }) as Reader;
}

/** An RNN (its first layer) and the layers above read as a recurrence, and (composed) as one running sum. */
function readRecurrence(c: ReadContext, rnn: Recurrent): Reader {
  const { layers, weights, inputDim, sets, rows, digits, featureNames, outputNames } = c;
  // hₜ = cell([xₜ, hₜ₋₁]) snapped, run over the data; the layers above read the last h.
  const F = inputDim, U = rnn.units;
  const cellContext = (tol: number, raw: boolean, snapped: { all: boolean }, over: (e: Expr) => Float64Array) =>
    snapContext(weights[0], F + U, tol, raw, snapped, digits, over);
  const inputs: Float64Array[][] = [];
  const rawCell = rnn.cell.symbolic!(cellContext(0, true, { all: true }, () => new Float64Array(0)));
  const states = runCell(rawCell, sets, F, rnn.initialState, inputs);
  // The cell's inputs over every step of every row, for judging its gates.
  const z = Array.from({ length: F + U }, (_, i) => inputs.reduce((c, step) => concat(c, step[i]), new Float64Array(0)));
  const zRows = z[0].length;
  const compose = stackReader(layers.slice(1), weights.slice(1), U, states, rows, digits);
  // A linear cell under linear layers is y = Σₖ C·Bᵏ·A·x[T − k] (from h₋₁ = 0). Where C·Bᵏ·A is one
  // matrix for every k up to the longest sequence, the stack is one running sum an output: its
  // states may share a − b so that no weight is on the grid alone, while the sum is.
  const composedRecurrence = (() => {
    if (rnn.initialState !== 0) return undefined;
    const coefs = (e: Expr, n: number): number[] | undefined => {
      const row = new Array<number>(n).fill(0);
      if (e.kind === 'var') row[e.index] = 1;
      else if (e.kind === 'sum' && e.constant === 0 && e.terms.every((t) => t.expr.kind === 'var'))
        for (const t of e.terms) row[(t.expr as { index: number }).index] += t.coef;
      else if (!(e.kind === 'const' && e.value === 0)) return undefined;
      return row;
    };
    const cellRows = rawCell.map((e) => coefs(e, F + U)), topRows = compose(0, true, { all: true }).map((e) => coefs(e, U));
    if (cellRows.some((r) => !r) || topRows.some((r) => !r)) return undefined;
    const A = cellRows.map((r) => r!.slice(0, F)), B = cellRows.map((r) => r!.slice(F));
    let CB = topRows as number[][];
    const Ms: number[][][] = [];
    for (let k = 0; k < Math.max(...sets.map((s) => s.steps)); k++) {
      Ms.push(CB.map((c) => Array.from({ length: F }, (_, i) => c.reduce((s, cj, j) => s + cj * A[j][i], 0))));
      CB = CB.map((c) => Array.from({ length: U }, (_, j2) => c.reduce((s, cj, j) => s + cj * B[j][j2], 0)));
    }
    return (tol: number): { cell: Expr[]; top: Expr[] } | undefined => {
      const M = Ms[0].map((row) => row.map((v) => (Math.abs(v - Math.round(v)) <= tol ? Math.round(v) : v)));
      if (!Ms.every((Mk) => Mk.every((row, o) => row.every((v, i) => Math.abs(v - M[o][i]) <= tol)))) return undefined;
      const cell = M.map((row, o) => add([...row.map((c, i) => ({ coef: c, expr: variable(i) })), { coef: 1, expr: variable(F + o) }]));
      return { cell, top: M.map((_, o) => variable(o)) };
    };
  })();
  return ((tol: number, asOne?: true) => {
    const snapped = { all: true };
    let cell: Expr[], exprs: Expr[];
    if (asOne) {
      const c = composedRecurrence?.(tol);
      if (!c) return undefined;
      cell = c.cell.map((e) => round(e, digits));
      exprs = c.top;
      snapped.all = cell.every((e) => e.kind !== 'sum' || e.terms.every((t) => Number.isInteger(t.coef)));
    } else {
      cell = rnn.cell.symbolic!(cellContext(tol, false, snapped, (e) => evaluate(e, z, zRows))).map((e) => round(e, digits));
      exprs = compose(tol, false, snapped).map((e) => round(e, digits));
    }
    const stateNames = Array.from({ length: cell.length }, (_, j) => `h${j}`);
    const stepNames = [...featureNames.map((n) => `${n}[t]`), ...stateNames.map((n) => `${n}[t-1]`)];
    const stepLatex = [...featureNames.map((n) => `${latexName(n)}[t]`), ...stateNames.map((n) => `${latexName(n)}[t-1]`)];
    // The states the outputs read, and those their steps read in turn.
    const used = new Set<number>();
    const visit = (e: Expr, offset: number) => {
      const seen = new Set<number>();
      collectVars(e, seen);
      for (const i of seen) {
        const j = i - offset;
        if (j >= 0 && !used.has(j)) used.add(j), visit(cell[j], F);
      }
    };
    exprs.forEach((e) => visit(e, 0));
    const kept = [...used].sort((a, b) => a - b);
    const last = stateNames.map((n) => `${n}[T]`), lastLatex = stateNames.map((n) => `${latexName(n)}[T]`);
    const texts = exprs.map((e) => toText(e, last)), latexes = exprs.map((e) => toLatex(e, last, lastLatex));
    const start = kept.length ? `${kept.map((j) => `${stateNames[j]}[-1]`).join(' = ')} = ${rnn.initialState}` : '';
    const text = [
      ...kept.map((j) => `${stateNames[j]}[t] = ${toText(cell[j], stepNames)}`),
      ...(start ? [start] : []),
      ...texts.map((t, j) => `${outputNames[j]} = ${t}`),
    ].join('\n');
    const latex = [
      ...kept.map((j) => `${latexName(stateNames[j])}[t] = ${toLatex(cell[j], stepNames, stepLatex)}`),
      ...(start ? [`${kept.map((j) => `${latexName(stateNames[j])}[-1]`).join(' = ')} = ${rnn.initialState}`] : []),
      ...latexes.map((t, j) => `${latexName(outputNames[j])} = ${t}`),
    ].join(' \\\\\n');
    // JS: a function of the sequence, an array of { feature: value } a step.
    const step = jsParts(kept.map((j) => cell[j]), [...featureNames, ...stateNames]);
    const out = jsParts(exprs, stateNames);
    const params = step.params.filter((_, i) => step.used[i] < F);
    const loop = kept.length
      ? `let ${kept.map((j) => `${stateNames[j]} = ${rnn.initialState}`).join(', ')}; for (const { ${params.join(', ')} } of steps) ` +
        (kept.length > 1 ? `[${kept.map((j) => stateNames[j]).join(', ')}] = [${step.body.join(', ')}]; ` : `${stateNames[kept[0]]} = ${step.body[0]}; `)
      : '';
    const js = `(steps) => { ${loop}return ${out.body.length > 1 ? `[${out.body.join(', ')}]` : out.body[0]}; }`;
    const f = valuesOf(exprs, runCell(cell, sets, F, rnn.initialState), rows);
    const formula: Formula = {
      text,
      latex,
      js,
      complexity: kept.reduce((s, j) => s + complexity(cell[j]), 0) + exprs.reduce((s, e) => s + complexity(e), 0),
      tolerance: tol,
      snapped: snapped.all,
      ...c.judge(f),
    };
    return { formula, exprs, texts, latexes };
  }) as Reader;
}

/**
 * Reads a trained model as a formula; see Sequential.explain.
 * @throws TypeError or RangeError naming the option that is wrong; TypeError for a layer without a symbolic form.
 * @category Explain
 */
export function explainModel(model: Explainable, args: ExplainArgs): Explanation {
  const o = checkOptions(args, 'explain options');
  refuseUnknown(o, optionKeys, 'explain');
  const layers = model.layers;
  if (layers.length === 0) throw new RangeError('explain: the model has no layers');
  const rnn = layers[0].className === 'RNN' ? (layers[0] as unknown as Recurrent) : undefined;
  if (rnn?.returnSequences) throw new RangeError(`explain: the RNN '${rnn.name}' outputs every step (returnSequences: true); explain reads a model that outputs one value a row`);
  layers.forEach((l, i) => {
    const form = i === 0 && rnn ? rnn.cell : l;
    if (typeof form.symbolic !== 'function')
      throw new TypeError(`explain: layer '${l.name}' (${l.className}${form === l ? '' : `, its cell ${form.className}`}) declares no symbolic form (symbolic(ctx))`);
  });
  const inputDim = model.inputDim, units = layers[layers.length - 1].units;
  if (o.x === undefined) throw new TypeError('explain: x is required (the data the gates are judged and the formula checked on)');
  const data = (v: unknown, name: string): Data => {
    const m = toMatrix(v, name, inputDim);
    if (!rnn) return { m, rows: m.rows, steps: 1 };
    if (m.shape.length !== 3) throw new RangeError(`${name}: expected [batch, time, features] for the RNN '${rnn.name}', received shape [${m.shape.join(', ')}]`);
    return { m, rows: m.shape[0], steps: m.shape[1] };
  };
  const x = data(o.x, 'x');
  const y = o.y === undefined ? undefined : toMatrix(o.y, 'y', units);
  if (y && y.rows !== x.rows) throw new RangeError(`y: expected ${x.rows} rows to match x, received ${y.rows}`);
  let ex: Data | undefined, ey: Matrix | undefined;
  if (o.extrapolation !== undefined) {
    const e = checkOptions(o.extrapolation, 'extrapolation');
    refuseUnknown(e, ['x', 'y'], 'extrapolation');
    if (e.x === undefined) throw new TypeError('extrapolation.x: required');
    ex = data(e.x, 'extrapolation.x');
    ey = e.y === undefined ? undefined : toMatrix(e.y, 'extrapolation.y', units);
    if (ey && ey.rows !== ex.rows) throw new RangeError(`extrapolation.y: expected ${ex.rows} rows to match extrapolation.x, received ${ey.rows}`);
  }
  const featureNames = checkNames(o.featureNames, 'featureNames', inputDim, 'x');
  const outputNames = checkNames(o.outputNames, 'outputNames', units, 'y');
  // An RNN's states are h0, h1, …: names no input may take.
  const stateNames = rnn ? Array.from({ length: Math.max(rnn.units, units) }, (_, j) => `h${j}`) : [];
  for (const n of [...featureNames, ...outputNames])
    if (stateNames.includes(n)) throw new RangeError(`${featureNames.includes(n) ? 'featureNames' : 'outputNames'}: '${n}' names a state of the RNN '${rnn!.name}' in the formula; choose another name`);
  const tolerance = checkNumber(o.tolerance ?? 0.1, 'tolerance', 0, 1e6);
  const errorTolerance = checkNumber(o.errorTolerance ?? 1e-3, 'errorTolerance', 0, Infinity);
  const digits = checkNumber(o.digits ?? 6, 'digits', 1, 17, true);
  let tolerances = defaultTolerances;
  if (o.candidateTolerances !== undefined) {
    const c = o.candidateTolerances;
    if (!Array.isArray(c)) throw new TypeError(`candidateTolerances: expected an array of numbers, received ${describe(c)}`);
    if (c.length > 64) throw new RangeError(`candidateTolerances: expected at most 64 tolerances, received ${c.length}`);
    tolerances = c.map((t, i) => checkNumber(t, `candidateTolerances[${i}]`, 0, 1e6));
  }

  // The weights of each layer.
  const all = model.getWeights();
  const weights: Float64Array[][] = [];
  let d = inputDim, k = 0;
  for (const l of layers) {
    const n = l.weightSpecs(d).length;
    weights.push(all.slice(k, k + n).map((w) => Float64Array.from(w.data)));
    k += n;
    d = l.units;
  }
  const sets = ex ? [x, ex] : [x];
  const rows = x.rows + (ex?.rows ?? 0);
  const predicted = model.predict({ data: x.m.data, shape: [...x.m.shape] }).data;
  const predictedEx = ex ? model.predict({ data: ex.m.data, shape: [...ex.m.shape] }).data : undefined;

  // The fidelity of outputs f (one column per output over x's rows, then the extrapolation's).
  const judgeOutputs = (f: Float64Array[]) => {
    const fidelity: Fidelity = { model: errors(f, 0, predicted, x.rows) };
    if (y) fidelity.data = errors(f, 0, y.data, x.rows);
    if (ex) {
      fidelity.extrapolation = { model: errors(f, x.rows, predictedEx!, ex.rows) };
      if (ey) fidelity.extrapolation.data = errors(f, x.rows, ey.data, ex.rows);
    }
    const within = (e?: ErrorFigures) => e !== undefined && e.maxRelError <= errorTolerance;
    const exact =
      within(fidelity.model) && within(fidelity.data) && (!ex || (within(fidelity.extrapolation!.model) && (!ey || within(fidelity.extrapolation!.data))));
    return { fidelity, exact };
  };

  const context: ReadContext = { layers, weights, inputDim, sets, rows, digits, featureNames, outputNames, judge: judgeOutputs };
  const read = rnn ? readRecurrence(context, rnn) : readStack(context);

  const { formula: main, texts, latexes } = read(tolerance);
  const seen = new Map<string, Formula>([[main.text, main]]);
  for (const t of [...new Set(tolerances)].sort((a, b) => b - a)) {
    const f = t === tolerance ? main : read(t).formula;
    if (!seen.has(f.text)) seen.set(f.text, f);
  }
  for (const t of [...new Set([tolerance, ...tolerances])].sort((a, b) => b - a)) {
    const r = read(t, true);
    if (!r) break;
    if (!seen.has(r.formula.text)) seen.set(r.formula.text, r.formula);
  }
  const candidates = [...seen.values()].sort((a, b) => a.complexity - b.complexity || b.tolerance - a.tolerance);
  const best = candidates.find((c) => c.exact);
  const table = candidatesTable(candidates);
  const outputs = texts.map((t, j) => ({ name: outputNames[j], text: t, latex: latexes[j] }));
  const worst = (f: Formula) => Math.max(f.fidelity.model.maxRelError, f.fidelity.data?.maxRelError ?? 0, f.fidelity.extrapolation?.model.maxRelError ?? 0, f.fidelity.extrapolation?.data?.maxRelError ?? 0);
  // A formula true to the data but not to the model: the network has not (quite) converged to it.
  const dataOnly = (f: Formula) => Math.max(f.fidelity.data?.maxRelError ?? Infinity, f.fidelity.extrapolation?.data?.maxRelError ?? 0);
  const truer = y ? candidates.find((c) => dataOnly(c) <= errorTolerance) : undefined;
  const summary = main.exact
    ? `exact: ${main.text} (largest relative error ${worst(main).toPrecision(2)} ≤ ${errorTolerance}, against the model and the data)`
    : best
      ? `not exact at tolerance ${tolerance}; exact at tolerance ${best.tolerance}: ${best.text}\n${table}`
      : `no snapped formula matches ${y ? 'the model and the data' : 'the model (no y given: the data was not checked)'} within ${errorTolerance}` +
        (truer ? `; ${truer.text} matches the data, not the model (error ${truer.fidelity.model.maxRelError.toPrecision(2)}): the network is short of it` : '') +
        `; the closest candidates:\n${table}`;
  return { ...main, outputs, errorTolerance, candidates, ...(best ? { best } : {}), table, summary };
}

const concat = (a: Float64Array, b: Float64Array) => {
  const c = new Float64Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
};

/** The indices of the variables e reads. */
function collectVars(e: Expr, into: Set<number>): void {
  switch (e.kind) {
    case 'var':
      into.add(e.index);
      return;
    case 'const':
      return;
    case 'call':
      for (const a of e.args) collectVars(a, into);
      return;
    case 'product':
      for (const f of e.factors) collectVars(f.base, into);
      return;
    case 'sum':
      for (const t of e.terms) collectVars(t.expr, into);
      return;
  }
}

const fmt = (v: number | undefined) => (v === undefined ? '-' : Number.isFinite(v) ? v.toExponential(1) : String(v));

/** The candidates as a text table (PySR's equations table: complexity, error, formula). */
function candidatesTable(cs: Formula[]): string {
  const head = ['tolerance', 'complexity', 'model error', 'data error', 'extrapolation', 'exact', 'formula'];
  const rows = cs.map((c) => {
    const e = c.fidelity.extrapolation;
    const exErr = e ? Math.max(e.model.maxRelError, e.data?.maxRelError ?? 0) : undefined;
    return [String(c.tolerance), String(c.complexity), fmt(c.fidelity.model.maxRelError), fmt(c.fidelity.data?.maxRelError), fmt(exErr), c.exact ? 'yes' : 'no', c.text.replace(/\n/g, '; ')];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padStart(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}
