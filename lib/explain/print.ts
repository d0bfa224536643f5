// An expression printed three ways: mathjs-readable text (+ - * / ^ and parentheses), LaTeX, and
// a JS expression. One walk, three styles; precedence decides the parentheses.
import { functionSpec, type Expr, type Product } from './expr';

const SUM = 1, PRODUCT = 2, POWER = 3, ATOM = 4;

interface Style {
  name(i: number): string;
  number(v: number): string;
  times: string;
  paren(s: string): string;
  frac(num: string, den: string, denItems: number): { s: string; prec: number };
  power(base: string, exp: string): string;
  exponent(p: number): string;
  call(name: string, args: string[]): string;
  /** The JS grammar refuses a unary minus before `**`. */
  minusNeedsParen: boolean;
  /** A fraction's bar groups its numerator and denominator (LaTeX): a lone sum there needs no parentheses. */
  barGroups: boolean;
}

/** v with at most 12 significant digits: the float noise of products of rounded weights goes. */
function plain(v: number): string {
  return String(Number(v.toPrecision(12)));
}

/** p as a fraction with a small denominator ('1/3'), or undefined. */
function fraction(p: number): string | undefined {
  for (let d = 2; d <= 12; d++) {
    const n = Math.round(p * d);
    if (Math.abs(n / d - p) < 1e-12) return `${n}/${d}`;
  }
  return undefined;
}

function textLike(name: (i: number) => string, js: boolean): Style {
  return {
    name,
    number: plain,
    times: ' * ',
    paren: (s) => `(${s})`,
    frac: (num, den, n) => ({ s: `${num} / ${n > 1 ? `(${den})` : den}`, prec: PRODUCT }),
    power: (b, e) => (js ? `${b} ** ${e}` : `${b}^${e}`),
    exponent: (p) => (Number.isInteger(p) ? String(p) : fraction(p) ? `(${fraction(p)})` : plain(p)),
    call: (n, a) => (js ? functionSpec(n).js(a) : functionSpec(n).text(a)),
    minusNeedsParen: js,
    barGroups: false,
  };
}

/** A feature name in LaTeX: x0 and x_0 → x_{0}, one letter as it is, others upright. */
export function latexName(n: string): string {
  const m = /^([A-Za-z]+)_?(\d+)$/.exec(n);
  const word = (w: string) => (w.length === 1 ? w : `\\mathrm{${w.replace(/_/g, '\\_')}}`);
  return m ? `${word(m[1])}_{${m[2]}}` : word(n);
}

function latexNumber(v: number): string {
  const s = plain(v);
  const m = /^(-?[\d.]+)e([+-]\d+)$/.exec(s);
  return m ? `${m[1]} \\times 10^{${Number(m[2])}}` : s;
}

function latexStyle(name: (i: number) => string): Style {
  return {
    name,
    number: latexNumber,
    times: ' \\cdot ',
    paren: (s) => `\\left(${s}\\right)`,
    frac: (num, den) => ({ s: `\\frac{${num}}{${den}}`, prec: ATOM }),
    power: (b, e) => (b.includes('^') ? `{${b}}^{${e}}` : `${b}^{${e}}`),
    exponent: (p) => (Number.isInteger(p) ? String(p) : fraction(p) ?? plain(p)),
    call: (n, a) => functionSpec(n).latex(a),
    minusNeedsParen: false,
    barGroups: true,
  };
}

function show(e: Expr, st: Style): { s: string; prec: number } {
  switch (e.kind) {
    case 'const':
      return { s: st.number(e.value), prec: e.value < 0 ? SUM : ATOM };
    case 'var':
      return { s: st.name(e.index), prec: ATOM };
    case 'call':
      return { s: st.call(e.name, e.args.map((a) => show(a, st).s)), prec: ATOM };
    case 'product':
      return product(1, e, st);
    case 'sum': {
      const items = e.terms.map((t) => ({
        neg: t.coef < 0,
        body: t.expr.kind === 'product' ? product(Math.abs(t.coef), t.expr, st) : scaled(Math.abs(t.coef), t.expr, st),
        unit: Math.abs(t.coef) === 1,
      }));
      if (e.constant !== 0) items.push({ neg: e.constant < 0, body: { s: st.number(Math.abs(e.constant)), prec: ATOM }, unit: false });
      // A positive item first: c − a rather than −a + c.
      const first = Math.max(0, items.findIndex((i) => !i.neg));
      items.unshift(...items.splice(first, 1));
      const parts = items.map((it, k) => {
        if (k > 0) return `${it.neg ? ' - ' : ' + '}${it.body.s}`;
        if (!it.neg) return it.body.s;
        return st.minusNeedsParen && it.unit && it.body.prec < ATOM ? `-${st.paren(it.body.s)}` : `-${it.body.s}`;
      });
      return { s: parts.join(''), prec: SUM };
    }
  }
}

function scaled(c: number, e: Expr, st: Style): { s: string; prec: number } {
  const b = show(e, st);
  if (c === 1) return b;
  return { s: `${st.number(c)}${st.times}${b.prec <= SUM ? st.paren(b.s) : b.s}`, prec: PRODUCT };
}

function factor(base: Expr, exp: number, st: Style): { s: string; prec: number } {
  const b = show(base, st);
  if (exp === 1) return b.prec <= SUM ? { s: st.paren(b.s), prec: ATOM } : b;
  return { s: st.power(b.prec < ATOM ? st.paren(b.s) : b.s, st.exponent(exp)), prec: POWER };
}

/** c·Π base^exp: positive powers over the negative ones. */
function product(c: number, e: Product, st: Style): { s: string; prec: number } {
  const pos = e.factors.filter((f) => f.exp > 0), neg = e.factors.filter((f) => f.exp < 0);
  const side = (fs: typeof pos, sign: number, lead: boolean) => {
    if (st.barGroups && !lead && fs.length === 1 && fs[0].exp * sign === 1) return [show(fs[0].base, st)];
    return fs.map((f) => factor(f.base, f.exp * sign, st));
  };
  const num = side(pos, 1, c !== 1 || !neg.length);
  const den = side(neg, -1, false);
  if (c !== 1) num.unshift({ s: st.number(c), prec: ATOM });
  const join = (items: { s: string; prec: number }[]) =>
    items.length === 1 ? items[0] : { s: items.map((i) => i.s).join(st.times), prec: PRODUCT };
  const top = num.length ? join(num) : { s: '1', prec: ATOM };
  if (!den.length) return top;
  return st.frac(top.s, join(den).s, den.length);
}

/** mathjs-readable text of e, inputs named by `names`. @category Explain */
export function toText(e: Expr, names: readonly string[]): string {
  return show(e, textLike((i) => names[i], false)).s;
}

/** LaTeX of e, inputs named by `names` (x0 → x_{0}), or by `latexNames` as they are. @category Explain */
export function toLatex(e: Expr, names: readonly string[], latexNames?: readonly string[]): string {
  return show(e, latexStyle((i) => latexNames?.[i] ?? latexName(names[i]))).s;
}

const reserved = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for function if import in ' +
    'instanceof new null return super switch this throw true try typeof var void while with yield let static await implements interface ' +
    'package private protected public arguments eval undefined NaN Infinity Math').split(' '),
);

/**
 * The source of a JS arrow function of one object keyed by `names`, returning the value of e
 * (or an array, for several): `({ x0, x1, x2 }) => (x0 + x1) * x2`.
 * @category Explain
 */
export function toJs(es: readonly Expr[], names: readonly string[], multi = es.length > 1): string {
  const { params, body } = jsParts(es, names);
  const value = multi ? `[${body.join(', ')}]` : body[0];
  return `(${params.length ? `{ ${params.join(', ')} }` : ''}) => ${value}`;
}

/** Each of es as JS source, and the destructuring entries of the inputs they read (`$i` stands for a reserved word). @internal */
export function jsParts(es: readonly Expr[], names: readonly string[]): { params: string[]; used: number[]; body: string[] } {
  const seen = new Set<number>();
  const local = (i: number) => {
    seen.add(i);
    return reserved.has(names[i]) ? `$${i}` : names[i];
  };
  const body = es.map((e) => show(e, textLike(local, true)).s);
  const used = [...seen].sort((a, b) => a - b);
  return { params: used.map((i) => (reserved.has(names[i]) ? `${names[i]}: $${i}` : names[i])), used, body };
}
