// model.explain(): every layer's symbolic form (its own file declares it), snapped at a tolerance,
// composed through the stack, simplified over the data, printed, and checked against the model and the data.
import type { Sequential } from '../model';
import { refuseUnknown } from '../options';
import { checkNumber, checkOptions } from '../registry';
import { describe, toMatrix, type Matrix, type TensorLike } from '../tensor';
import { add, complexity, evaluate, num, round, scale, substitute, variable, type Expr } from './expr';
import { latexName, toJs, toLatex, toText } from './print';
import type { SymbolicContext } from './symbolic';

/** Options of Sequential.explain. Unknown or bad values throw TypeError or RangeError naming the option. @category Explain */
export interface ExplainArgs {
  /** The inputs [rows, inputDim] over which gates are judged and the formula is checked (the training x, say). Required. */
  x: TensorLike;
  /** The targets of x [rows, units]: without them `fidelity.data` is absent and `exact` is false. */
  y?: TensorLike;
  /** Data outside the training range: judged and checked as x and y are, and reported apart. */
  extrapolation?: ExtrapolationData;
  /** The inputs' names in the formula: identifiers, one per input. Default x0, x1, … */
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
  for (const l of layers)
    if (typeof l.symbolic !== 'function') throw new TypeError(`explain: layer '${l.name}' (${l.className}) declares no symbolic form (symbolic(ctx))`);
  const inputDim = model.inputDim, units = layers[layers.length - 1].units;
  if (o.x === undefined) throw new TypeError('explain: x is required (the data the gates are judged and the formula checked on)');
  const x = toMatrix(o.x, 'x', inputDim);
  const y = o.y === undefined ? undefined : toMatrix(o.y, 'y', units);
  if (y && y.rows !== x.rows) throw new RangeError(`y: expected ${x.rows} rows to match x, received ${y.rows}`);
  let ex: Matrix | undefined, ey: Matrix | undefined;
  if (o.extrapolation !== undefined) {
    const e = checkOptions(o.extrapolation, 'extrapolation');
    refuseUnknown(e, ['x', 'y'], 'extrapolation');
    if (e.x === undefined) throw new TypeError('extrapolation.x: required');
    ex = toMatrix(e.x, 'extrapolation.x', inputDim);
    ey = e.y === undefined ? undefined : toMatrix(e.y, 'extrapolation.y', units);
    if (ey && ey.rows !== ex.rows) throw new RangeError(`extrapolation.y: expected ${ex.rows} rows to match extrapolation.x, received ${ey.rows}`);
  }
  const featureNames = checkNames(o.featureNames, 'featureNames', inputDim, 'x');
  const outputNames = checkNames(o.outputNames, 'outputNames', units, 'y');
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

  // The weights of each layer, and the data carried through the layers by their raw forms.
  const all = model.getWeights();
  const weights: Float64Array[][] = [];
  let d = inputDim, k = 0;
  for (const l of layers) {
    const n = l.weightSpecs(d).length;
    weights.push(all.slice(k, k + n).map((w) => Float64Array.from(w.data)));
    k += n;
    d = l.units;
  }
  const features = columns(ex ? [x, ex] : [x], inputDim);
  const rows = x.rows + (ex?.rows ?? 0);
  const values: Float64Array[][] = [features];
  const context = (i: number, tol: number, raw: boolean, snapped: { all: boolean }): SymbolicContext => ({
    weights: weights[i],
    inputs: i === 0 ? inputDim : layers[i - 1].units,
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
    evaluate: (e) => evaluate(e, values[i], rows),
  });
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

  const predicted = model.predict({ data: x.data, shape: [x.rows, inputDim] }).data;
  const predictedEx = ex ? model.predict({ data: ex.data, shape: [ex.rows, inputDim] }).data : undefined;
  // The stack's outputs: each layer's form (snapped at tol, or raw) substituted into the next.
  const compose = (tol: number, raw: boolean, snapped: { all: boolean }): Expr[] => {
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
  // A linear stack (NAU → NAU…) as one map, its coefficients snapped to integers within tol: whole
  // where hidden units share parts that cancel, so that no unit's weights are on the grid alone.
  const composedLinear = (tol: number): Expr[] | undefined => {
    const exprs = compose(0, true, { all: true });
    const linear = (e: Expr) => e.kind === 'var' || (e.kind === 'sum' && e.terms.every((t) => t.expr.kind === 'var'));
    if (!exprs.every(linear)) return undefined;
    const snap = (v: number) => (Math.abs(v - Math.round(v)) <= tol ? Math.round(v) : v);
    return exprs.map((e) => (e.kind === 'sum' ? add(e.terms.map((t) => ({ coef: snap(t.coef), expr: t.expr })), snap(e.constant)) : e));
  };
  const read = (tol: number, composed?: Expr[]): { formula: Formula; exprs: Expr[] } => {
    const snapped = { all: true };
    const exprs = (composed ?? compose(tol, false, snapped)).map((e) => round(e, digits));
    if (composed) snapped.all = composed.every((e) => e.kind !== 'sum' || (e.terms.every((t) => Number.isInteger(t.coef)) && Number.isInteger(e.constant)));
    const known = new Map<Expr, Float64Array>();
    const f = exprs.map((e) => {
      const v = evaluate(e, features, rows, known);
      known.set(e, v);
      return v;
    });
    const fidelity: Fidelity = { model: errors(f, 0, predicted, x.rows) };
    if (y) fidelity.data = errors(f, 0, y.data, x.rows);
    if (ex) {
      fidelity.extrapolation = { model: errors(f, x.rows, predictedEx!, ex.rows) };
      if (ey) fidelity.extrapolation.data = errors(f, x.rows, ey.data, ex.rows);
    }
    const within = (e?: ErrorFigures) => e !== undefined && e.maxRelError <= errorTolerance;
    const exact =
      within(fidelity.model) && within(fidelity.data) && (!ex || (within(fidelity.extrapolation!.model) && (!ey || within(fidelity.extrapolation!.data))));
    const texts = exprs.map((e) => toText(e, featureNames)), latexes = exprs.map((e) => toLatex(e, featureNames));
    const many = exprs.length > 1;
    const formula: Formula = {
      text: many ? texts.map((t, j) => `${outputNames[j]} = ${t}`).join('\n') : texts[0],
      latex: many ? latexes.map((t, j) => `${latexName(outputNames[j])} = ${t}`).join(' \\\\\n') : latexes[0],
      js: toJs(exprs, featureNames),
      complexity: exprs.reduce((s, e) => s + complexity(e), 0),
      tolerance: tol,
      snapped: snapped.all,
      fidelity,
      exact,
    };
    return { formula, exprs };
  };

  const { formula: main, exprs } = read(tolerance);
  const seen = new Map<string, Formula>([[main.text, main]]);
  for (const t of [...new Set(tolerances)].sort((a, b) => b - a)) {
    const f = t === tolerance ? main : read(t).formula;
    if (!seen.has(f.text)) seen.set(f.text, f);
  }
  if (layers.length > 1)
    for (const t of [...new Set([tolerance, ...tolerances])].sort((a, b) => b - a)) {
      const c = composedLinear(t);
      if (!c) break;
      const f = read(t, c).formula;
      if (!seen.has(f.text)) seen.set(f.text, f);
    }
  const candidates = [...seen.values()].sort((a, b) => a.complexity - b.complexity || b.tolerance - a.tolerance);
  const best = candidates.find((c) => c.exact);
  const table = candidatesTable(candidates);
  const outputs = exprs.map((e, j) => ({ name: outputNames[j], text: toText(e, featureNames), latex: toLatex(e, featureNames) }));
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
