// Statistics of the benchmark tables: Wilson score interval for success rates, median, mean and
// the Student-t confidence interval the paper's analysis uses for "solved at" and sparsity error.
import { checkNumber } from '../registry';

/** z of a two-sided 95 % interval. @category Statistics */
export const Z95 = 1.959963984540054;

/**
 * Wilson score interval of a binomial proportion: (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n).
 * Unlike p̂ ± z·se it stays inside [0, 1] and is not empty at 0 or n successes.
 * @category Statistics
 */
export function wilson(successes: number, n: number, z = Z95): [number, number] {
  checkNumber(n, 'wilson n', 0, Number.MAX_SAFE_INTEGER, true);
  checkNumber(successes, 'wilson successes', 0, n, true);
  checkNumber(z, 'wilson z', 0, 100);
  if (n === 0) return [0, 1];
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // The bounds are exactly 0 at no success and 1 at all successes (rounding aside).
  return [successes === 0 ? 0 : Math.max(0, center - half), successes === n ? 1 : Math.min(1, center + half)];
}

function checkValues(v: unknown, name: string): number[] {
  if (!Array.isArray(v)) throw new TypeError(`${name}: expected an array of numbers, received ${typeof v}`);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || Number.isNaN(x)) throw new TypeError(`${name}[${i}]: expected a number, received ${String(x)}`);
  });
  return v as number[];
}

/** Median; NaN for no values. @category Statistics */
export function median(values: number[]): number {
  const v = [...checkValues(values, 'median values')].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Arithmetic mean; NaN for no values. @category Statistics */
export function mean(values: number[]): number {
  const v = checkValues(values, 'mean values');
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN;
}

/** Sample standard deviation (n − 1); NaN below 2 values. @category Statistics */
export function sd(values: number[]): number {
  const v = checkValues(values, 'sd values');
  if (v.length < 2) return NaN;
  const m = mean(v);
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
}

// Continued fraction of the regularized incomplete beta function (modified Lentz).
function betacf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7), accurate to ~1e-15 for x > 0.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let s = c[0];
  for (let i = 1; i < 9; i++) s += c[i] / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

function incompleteBeta(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lbt = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  return x < (a + 1) / (a + b + 2) ? (Math.exp(lbt) * betacf(a, b, x)) / a : 1 - (Math.exp(lbt) * betacf(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with df degrees of freedom. @category Statistics */
export function tCdf(t: number, df: number): number {
  const p = 0.5 * incompleteBeta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - p : p;
}

/** The q-quantile of Student's t (bisection on tCdf; q in (0, 1)). @category Statistics */
export function tQuantile(q: number, df: number): number {
  checkNumber(q, 'tQuantile q', 1e-12, 1 - 1e-12);
  checkNumber(df, 'tQuantile df', 1e-9, Infinity);
  let lo = -1e6;
  let hi = 1e6;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Half-width of the two-sided t confidence interval of the mean: t_{(1+level)/2, n−1}·sd/√n (NaN below 2 values). @category Statistics */
export function tInterval(values: number[], level = 0.95): number {
  const v = checkValues(values, 'tInterval values');
  checkNumber(level, 'tInterval level', 0, 1 - 1e-12);
  if (v.length < 2) return NaN;
  return tQuantile((1 + level) / 2, v.length - 1) * (sd(v) / Math.sqrt(v.length));
}
