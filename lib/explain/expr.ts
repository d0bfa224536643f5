// Expressions that simplify as they are built: a sum flattens its sums and merges like terms, a
// product merges equal bases into powers, constants fold. Units build their symbolic forms with
// these (over their own inputs, var(i)); explain() substitutes the layers into one another.

/** A number. @category Explain */
export interface Const {
  /** 'const'. */
  readonly kind: 'const';
  /** Its value. */
  readonly value: number;
}
/** Input i of the layer (or feature i of the model, once composed). @category Explain */
export interface Var {
  /** 'var'. */
  readonly kind: 'var';
  /** The input's index. */
  readonly index: number;
}
/** Σ coef·term + constant: no term is a constant or a sum, every coef ≠ 0, the terms' keys differ. @category Explain */
export interface Sum {
  /** 'sum'. */
  readonly kind: 'sum';
  /** The terms, ordered by the inputs they read. */
  readonly terms: readonly SumTerm[];
  /** The constant term. */
  readonly constant: number;
}
/** A term of a Sum. @category Explain */
export interface SumTerm {
  /** Its coefficient (≠ 0). */
  readonly coef: number;
  /** What it multiplies. */
  readonly expr: Expr;
}
/** Π base^exp: no base is a constant, no exp is 0, the bases' keys differ. @category Explain */
export interface Product {
  /** 'product'. */
  readonly kind: 'product';
  /** The factors, ordered by the inputs they read. */
  readonly factors: readonly Factor[];
}
/** A factor of a Product. @category Explain */
export interface Factor {
  /** The base. */
  readonly base: Expr;
  /** Its exponent (≠ 0; negative ones print as a denominator). */
  readonly exp: number;
}
/** A function of defineFunction applied to its arguments. @category Explain */
export interface Call {
  /** 'call'. */
  readonly kind: 'call';
  /** The function's name. */
  readonly name: string;
  /** Its arguments. */
  readonly args: readonly Expr[];
}
/** An expression tree, as units build it; build it with the functions of this module only. @category Explain */
export type Expr = Const | Var | Sum | Product | Call;

/** How a function prints and evaluates; `a` are its arguments, printed or evaluated. @category Explain */
export interface FunctionSpec {
  /** mathjs-readable text (an atom: a call or parenthesized). */
  text(a: string[]): string;
  /** LaTeX (an atom). */
  latex(a: string[]): string;
  /** A JS expression (an atom). */
  js(a: string[]): string;
  /** Its value at one point. */
  eval(a: number[]): number;
}

const functions = new Map<string, FunctionSpec>();

/** Declares a function that expressions may call (a unit's activation, say); names are unique. @category Explain */
export function defineFunction(name: string, spec: FunctionSpec): void {
  if (functions.has(name)) throw new RangeError(`defineFunction: '${name}' is already defined`);
  functions.set(name, spec);
}

export function functionSpec(name: string): FunctionSpec {
  const f = functions.get(name);
  if (!f) throw new RangeError(`no function '${name}': declare it with defineFunction`);
  return f;
}

defineFunction('exp', { text: (a) => `exp(${a[0]})`, latex: (a) => `e^{${a[0]}}`, js: (a) => `Math.exp(${a[0]})`, eval: (a) => Math.exp(a[0]) });
defineFunction('log', { text: (a) => `log(${a[0]})`, latex: (a) => `\\log\\left(${a[0]}\\right)`, js: (a) => `Math.log(${a[0]})`, eval: (a) => Math.log(a[0]) });
defineFunction('abs', { text: (a) => `abs(${a[0]})`, latex: (a) => `\\left|${a[0]}\\right|`, js: (a) => `Math.abs(${a[0]})`, eval: (a) => Math.abs(a[0]) });
defineFunction('sign', { text: (a) => `sign(${a[0]})`, latex: (a) => `\\operatorname{sign}\\left(${a[0]}\\right)`, js: (a) => `Math.sign(${a[0]})`, eval: (a) => Math.sign(a[0]) });
defineFunction('cos', { text: (a) => `cos(${a[0]})`, latex: (a) => `\\cos\\left(${a[0]}\\right)`, js: (a) => `Math.cos(${a[0]})`, eval: (a) => Math.cos(a[0]) });
defineFunction('tanh', { text: (a) => `tanh(${a[0]})`, latex: (a) => `\\tanh\\left(${a[0]}\\right)`, js: (a) => `Math.tanh(${a[0]})`, eval: (a) => Math.tanh(a[0]) });
defineFunction('max', { text: (a) => `max(${a.join(', ')})`, latex: (a) => `\\max\\left(${a.join(', ')}\\right)`, js: (a) => `Math.max(${a.join(', ')})`, eval: (a) => Math.max(...a) });
defineFunction('min', { text: (a) => `min(${a.join(', ')})`, latex: (a) => `\\min\\left(${a.join(', ')}\\right)`, js: (a) => `Math.min(${a.join(', ')})`, eval: (a) => Math.min(...a) });
// The Iverson bracket [a < 0]: 1 or 0 (mathjs and JS turn the boolean into a number in arithmetic).
defineFunction('negative', { text: (a) => `(${a[0]} < 0)`, latex: (a) => `\\left[${a[0]} < 0\\right]`, js: (a) => `(${a[0]} < 0)`, eval: (a) => (a[0] < 0 ? 1 : 0) });
// cos(π·a): the phase of the power units, with π printed as π.
defineFunction('cospi', {
  text: (a) => `cos(pi * (${a[0]}))`,
  latex: (a) => `\\cos\\left(\\pi \\left(${a[0]}\\right)\\right)`,
  js: (a) => `Math.cos(Math.PI * (${a[0]}))`,
  eval: (a) => Math.cos(Math.PI * a[0]),
});

const ZERO: Const = { kind: 'const', value: 0 };
const ONE: Const = { kind: 'const', value: 1 };

/** The number v. @category Explain */
export function num(v: number): Const {
  return v === 0 ? ZERO : v === 1 ? ONE : { kind: 'const', value: v };
}
/** Input i. @category Explain */
export function variable(index: number): Var {
  return { kind: 'var', index };
}
/** f(args), folded to a number when every argument is one. @category Explain */
export function call(name: string, ...args: Expr[]): Expr {
  const f = functionSpec(name);
  if (args.every((a) => a.kind === 'const')) return num(f.eval(args.map((a) => (a as Const).value)));
  return { kind: 'call', name, args };
}

const keys = new WeakMap<Expr, string>();
/** A canonical string of e: equal keys, equal expressions. */
export function keyOf(e: Expr): string {
  let k = keys.get(e);
  if (k !== undefined) return k;
  switch (e.kind) {
    case 'const':
      k = `${e.value}`;
      break;
    case 'var':
      k = `v${e.index}`;
      break;
    case 'sum':
      k = `(+ ${e.terms.map((t) => `${t.coef}*${keyOf(t.expr)}`).join(' ')} ${e.constant})`;
      break;
    case 'product':
      k = `(* ${e.factors.map((f) => `${keyOf(f.base)}^${f.exp}`).join(' ')})`;
      break;
    case 'call':
      k = `(${e.name} ${e.args.map(keyOf).join(' ')})`;
      break;
  }
  keys.set(e, k);
  return k;
}

/** Terms and factors are ordered by the inputs they read (lexicographically), then degree, then key. */
function order(a: Expr, b: Expr): number {
  const ia = [...inputsOf(a)].sort((p, q) => p - q), ib = [...inputsOf(b)].sort((p, q) => p - q);
  for (let k = 0; k < Math.min(ia.length, ib.length); k++) if (ia[k] !== ib[k]) return ia[k] - ib[k];
  if (ia.length !== ib.length) return ia.length - ib.length;
  const da = degree(a), db = degree(b);
  if (da !== db) return da - db;
  const ka = keyOf(a), kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function degree(e: Expr): number {
  if (e.kind === 'product') return e.factors.reduce((s, f) => s + Math.abs(f.exp) * degree(f.base), 0);
  if (e.kind === 'sum') return Math.max(...e.terms.map((t) => degree(t.expr)));
  return e.kind === 'const' ? 0 : 1;
}

/** Σ coef·expr (+ constant): nested sums flatten, like terms merge, zero terms drop. @category Explain */
export function add(terms: { coef: number; expr: Expr }[], constant = 0): Expr {
  const merged = new Map<string, { coef: number; expr: Expr }>();
  let c = constant;
  const put = (coef: number, e: Expr) => {
    if (coef === 0) return;
    if (e.kind === 'const') c += coef * e.value;
    else if (e.kind === 'sum') {
      c += coef * e.constant;
      for (const t of e.terms) put(coef * t.coef, t.expr);
    } else {
      const k = keyOf(e);
      const m = merged.get(k);
      if (m) m.coef += coef;
      else merged.set(k, { coef, expr: e });
    }
  };
  for (const t of terms) put(t.coef, t.expr);
  const kept = [...merged.values()].filter((t) => t.coef !== 0).sort((a, b) => order(a.expr, b.expr));
  if (kept.length === 0) return num(c);
  if (kept.length === 1 && c === 0 && kept[0].coef === 1) return kept[0].expr;
  return { kind: 'sum', terms: kept, constant: c };
}

/** Π base^exp: equal bases merge into one power, constants fold, x^0 drops; a coefficient becomes a one-term sum. @category Explain */
export function mul(factors: { base: Expr; exp?: number }[]): Expr {
  const merged = new Map<string, { base: Expr; exp: number }>();
  let c = 1;
  const put = (e: Expr, exp: number) => {
    if (exp === 0) return;
    if (e.kind === 'const') c *= e.value ** exp;
    // (a·b)^n = a^n·b^n and (k·a)^n = k^n·a^n for every real a, b only for an integer n.
    else if (e.kind === 'product' && Number.isInteger(exp)) for (const f of e.factors) put(f.base, f.exp * exp);
    else if (e.kind === 'sum' && e.constant === 0 && e.terms.length === 1 && (Number.isInteger(exp) || e.terms[0].coef > 0)) {
      c *= e.terms[0].coef ** exp;
      put(e.terms[0].expr, exp);
    } else if (e.kind === 'sum' && e.constant <= 0 && e.terms.every((t) => t.coef < 0) && Number.isInteger(exp)) {
      // (−a − b)^n = (−1)^n·(a + b)^n: a sum in a product has a positive term.
      c *= (-1) ** exp;
      put(add([{ coef: -1, expr: e }]), exp);
    } else {
      const k = keyOf(e);
      const m = merged.get(k);
      if (m) m.exp += exp;
      else merged.set(k, { base: e, exp });
    }
  };
  for (const f of factors) put(f.base, f.exp ?? 1);
  if (c === 0) return ZERO;
  let kept = [...merged.values()].filter((f) => f.exp !== 0);
  // −(a − b − c)·d reads (b + c − a)·d: a negative coefficient goes into a sum of mostly negative terms.
  const flip = c < 0 ? kept.find((f) => f.exp === 1 && f.base.kind === 'sum' && 2 * f.base.terms.filter((t) => t.coef < 0).length >= f.base.terms.length) : undefined;
  if (flip) {
    kept = kept.map((f) => (f === flip ? { base: add([{ coef: -1, expr: f.base }]), exp: 1 } : f));
    c = -c;
  }
  kept.sort((a, b) => order(a.base, b.base));
  let p: Expr;
  if (kept.length === 0) return num(c);
  if (kept.length === 1 && kept[0].exp === 1) p = kept[0].base;
  else p = { kind: 'product', factors: kept };
  return c === 1 ? p : add([{ coef: c, expr: p }]);
}

/** a·b. @category Explain */
export const times = (...e: Expr[]): Expr => mul(e.map((base) => ({ base })));
/** a + b. @category Explain */
export const plus = (...e: Expr[]): Expr => add(e.map((expr) => ({ coef: 1, expr })));
/** k·a. @category Explain */
export const scale = (k: number, e: Expr): Expr => add([{ coef: k, expr: e }]);
/** a^p. @category Explain */
export const pow = (e: Expr, p: number): Expr => mul([{ base: e, exp: p }]);

/** e with input i replaced by inputs[i], simplified again; `rewrite` may replace any rebuilt node. @category Explain */
export function substitute(e: Expr, inputs: readonly Expr[], rewrite?: (e: Expr) => Expr): Expr {
  const go = (e: Expr): Expr => {
    let r: Expr;
    switch (e.kind) {
      case 'const':
        return e;
      case 'var':
        if (e.index >= inputs.length) throw new RangeError(`substitute: input ${e.index} of ${inputs.length}`);
        return inputs[e.index];
      case 'sum':
        r = add(e.terms.map((t) => ({ coef: t.coef, expr: go(t.expr) })), e.constant);
        break;
      case 'product':
        r = mul(e.factors.map((f) => ({ base: go(f.base), exp: f.exp })));
        break;
      case 'call':
        r = call(e.name, ...e.args.map(go));
        break;
    }
    return rewrite ? rewrite(r) : r;
  };
  return go(e);
}

/**
 * e's values on `rows` rows of the input columns (float64); `known` holds values already computed
 * for subexpressions (the layers below, shared by every unit above them).
 * @category Explain
 */
export function evaluate(e: Expr, columns: readonly ArrayLike<number>[], rows: number, known?: ReadonlyMap<Expr, Float64Array>): Float64Array {
  const hit = known?.get(e);
  if (hit) return hit;
  switch (e.kind) {
    case 'const':
      return new Float64Array(rows).fill(e.value);
    case 'var': {
      const c = columns[e.index];
      if (!c) throw new RangeError(`evaluate: no column for input ${e.index}`);
      // Values are never written to once made: a float64 column is shared as it is.
      return c instanceof Float64Array && c.length === rows ? c : Float64Array.from({ length: rows }, (_, r) => c[r]);
    }
    case 'sum': {
      const out = new Float64Array(rows).fill(e.constant);
      for (const t of e.terms) {
        const v = evaluate(t.expr, columns, rows, known);
        for (let r = 0; r < rows; r++) out[r] += t.coef * v[r];
      }
      return out;
    }
    case 'product': {
      const out = new Float64Array(rows).fill(1);
      for (const f of e.factors) {
        const v = evaluate(f.base, columns, rows, known);
        for (let r = 0; r < rows; r++) out[r] *= f.exp === 1 ? v[r] : v[r] ** f.exp;
      }
      return out;
    }
    case 'call': {
      const f = functionSpec(e.name);
      const args = e.args.map((a) => evaluate(a, columns, rows, known));
      const at = new Array<number>(args.length), out = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < args.length; k++) at[k] = args[k][r];
        out[r] = f.eval(at);
      }
      return out;
    }
  }
}

/** e with every coefficient and constant rounded to `digits` significant digits (exponents kept). @category Explain */
export function round(e: Expr, digits: number): Expr {
  const r = (v: number) => Number(v.toPrecision(digits));
  switch (e.kind) {
    case 'const':
      return num(r(e.value));
    case 'var':
      return e;
    case 'sum':
      return add(e.terms.map((t) => ({ coef: r(t.coef), expr: round(t.expr, digits) })), r(e.constant));
    case 'product':
      return mul(e.factors.map((f) => ({ base: round(f.base, digits), exp: f.exp })));
    case 'call':
      return call(e.name, ...e.args.map((a) => round(a, digits)));
  }
}

/** The size of e as printed, PySR-style: one per number, input, operator and function. @category Explain */
export function complexity(e: Expr): number {
  switch (e.kind) {
    case 'const':
    case 'var':
      return 1;
    case 'sum':
      return (
        e.terms.reduce((s, t) => s + complexity(t.expr) + (Math.abs(t.coef) === 1 ? 0 : 2), 0) + (e.terms.length - 1) + (e.constant === 0 ? 0 : 2)
      );
    case 'product':
      return e.factors.reduce((s, f) => s + complexity(f.base) + (Math.abs(f.exp) === 1 ? 0 : 2), 0) + (e.factors.length - 1);
    case 'call':
      return 1 + e.args.reduce((s, a) => s + complexity(a), 0);
  }
}

/** The inputs e reads. */
export function inputsOf(e: Expr, into = new Set<number>()): Set<number> {
  if (e.kind === 'var') into.add(e.index);
  else if (e.kind === 'sum') for (const t of e.terms) inputsOf(t.expr, into);
  else if (e.kind === 'product') for (const f of e.factors) inputsOf(f.base, into);
  else if (e.kind === 'call') for (const a of e.args) inputsOf(a, into);
  return into;
}
