// Statistics of the benchmark tables: Wilson score interval for success rates, median, mean, the
// Student-t interval, the paper's gamma/beta estimators, and the tests that compare two sets of runs.
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
  if (x > 1e5) return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
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

/** Standard normal P(Z ≤ z), from erfc (series below √2·2, continued fraction above). @category Statistics */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  let q: number; // erfc(x)
  if (x < 2) {
    // erf x = 2/√π · Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    q = 1 - (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated backwards
    let f = x;
    for (let k = 300; k >= 1; k--) f = x + k / 2 / f;
    q = Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
  }
  return z >= 0 ? 1 - q / 2 : q / 2;
}

const checkCount = (v: number, name: string) => checkNumber(v, name, 0, Number.MAX_SAFE_INTEGER, true);
const logChoose = (n: number, k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/**
 * Fisher's exact test on the 2×2 table [[a, b], [c, d]] (e.g. successes and failures of two
 * samples), two-sided as R's fisher.test: the probability of every table with the same margins
 * that is no more likely than the observed one.
 * @category Statistics
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  [a, b, c, d].forEach((v, i) => checkCount(v, `fisherExact ${'abcd'[i]}`));
  const m = a + c; // first column
  const n = b + d;
  const k = a + b; // first row
  const lo = Math.max(0, k - n);
  const hi = Math.min(k, m);
  const logP = (x: number) => logChoose(m, x) + logChoose(n, k - x) - logChoose(m + n, k);
  const observed = logP(a);
  let p = 0;
  // R counts tables within a relative 1e-7 of the observed probability as equally likely.
  for (let x = lo; x <= hi; x++) if (logP(x) <= observed + Math.log1p(1e-7)) p += Math.exp(logP(x));
  return Math.min(1, p);
}

/** Result of mannWhitney. @category Statistics */
export interface RankTest {
  /** U of the first sample: the pairs (x, y) with x > y, ties counting one half. */
  u: number;
  /** Two-sided p-value (NaN when a sample is empty). */
  p: number;
  /** 'exact' (the permutation distribution) or 'normal' (with tie and continuity corrections). */
  method: 'exact' | 'normal';
}

/**
 * Mann–Whitney U (Wilcoxon rank-sum) test of two samples, two-sided, as R's wilcox.test does it:
 * the exact distribution of U when both samples have fewer than 50 values and no ties, else
 * the normal approximation with the tie correction of the variance and a continuity correction
 * of ½. Infinity is a value like any other (a diverged run's error ranks above every finite one).
 * @category Statistics
 */
export function mannWhitney(x: number[], y: number[]): RankTest {
  checkValues(x, 'mannWhitney x');
  checkValues(y, 'mannWhitney y');
  const n1 = x.length;
  const n2 = y.length;
  if (!n1 || !n2) return { u: NaN, p: NaN, method: 'exact' };
  const all = [...x.map((v) => ({ v, first: true })), ...y.map((v) => ({ v, first: false }))].sort((p, q) => (p.v < q.v ? -1 : p.v > q.v ? 1 : 0));
  let r1 = 0;
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].v === all[i].v) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k].first) r1 += rank;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  const u = r1 - (n1 * (n1 + 1)) / 2;
  if (n1 < 50 && n2 < 50 && tieTerm === 0) {
    const counts = uCounts(n1, n2);
    const total = counts.reduce((s, c) => s + c, 0);
    const below = (q: number) => counts.slice(0, q + 1).reduce((s, c) => s + c, 0) / total;
    const p = u > (n1 * n2) / 2 ? 1 - below(u - 1) : below(u);
    return { u, p: Math.min(1, 2 * p), method: 'exact' };
  }
  const n = n1 + n2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sigma === 0) return { u, p: 1, method: 'normal' };
  const dz = u - (n1 * n2) / 2;
  const z = (dz - Math.sign(dz) * 0.5) / sigma;
  return { u, p: Math.min(1, 2 * Math.min(normalCdf(z), 1 - normalCdf(z))), method: 'normal' };
}

/** How many of the C(n1+n2, n1) orderings give U = 0, 1, …, n1·n2 (f(m, n, u) = f(m−1, n, u−n) + f(m, n−1, u)). */
function uCounts(n1: number, n2: number): number[] {
  // f[n][u] for the current m, over n = 0…n2.
  let f: number[][] = Array.from({ length: n2 + 1 }, () => [1]);
  for (let m = 1; m <= n1; m++) {
    const g: number[][] = [new Array(1).fill(1)];
    for (let n = 1; n <= n2; n++) {
      const row = new Array(m * n + 1).fill(0);
      f[n].forEach((c, u) => (row[u + n] += c));
      g[n - 1].forEach((c, u) => (row[u] += c));
      g.push(row);
    }
    f = g;
  }
  return f[n2];
}

/**
 * Holm's step-down adjustment of p-values (each family-wise at the level its adjusted p is
 * compared with). NaN stays NaN and is not counted.
 * @category Statistics
 */
export function holm(p: number[]): number[] {
  checkValues(p.map((v) => (Number.isNaN(v) ? 0 : v)), 'holm p');
  const idx = p.map((v, i) => [v, i] as const).filter(([v]) => !Number.isNaN(v)).sort((a, b) => a[0] - b[0]);
  const out = p.map(() => NaN);
  let run = 0;
  idx.forEach(([v, i], k) => {
    run = Math.max(run, Math.min(1, (idx.length - k) * v));
    out[i] = run;
  });
  return out;
}

/** An estimate with its 95 % interval and how it was made. @category Statistics */
export interface Estimate {
  /** The estimate (NaN: no values). */
  mean: number;
  /** Lower end of its 95 % interval (NaN below 2 values). */
  lower: number;
  /** Upper end. */
  upper: number;
  /** 'ml' (maximum likelihood with a likelihood-ratio interval) or 'normal' (mean ± Student t, the script's fallback). */
  method: 'ml' | 'normal';
}

/** χ²₁ at 0.95: twice the log-likelihood drop at the ends of a 95 % likelihood-ratio interval. */
const CHI2_95 = Z95 * Z95;

/** The script's fallback: mean ± t·sd/√n, clamped to [lo, hi]. */
function normalEstimate(x: number[], lo: number, hi: number): Estimate {
  const m = mean(x);
  const h = tInterval(x);
  return { mean: m, lower: Math.min(hi, Math.max(lo, m - h)), upper: Math.min(hi, Math.max(lo, m + h)), method: 'normal' };
}

/** Minimum of f on [lo, hi] by a grid then golden sections (f need not be unimodal beyond one grid cell). */
function minimize(f: (t: number) => number, lo: number, hi: number, grid = 60): number {
  let best = lo;
  let fBest = Infinity;
  const step = (hi - lo) / grid;
  for (let i = 0; i <= grid; i++) {
    const t = lo + i * step;
    const v = f(t);
    if (v < fBest) [best, fBest] = [t, v];
  }
  let a = Math.max(lo, best - step);
  let b = Math.min(hi, best + step);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < 300 && b - a > 1e-12 * (1 + Math.abs(a)); i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  const t = (a + b) / 2;
  return f(t) <= fBest ? t : best;
}

/** Where f crosses level between a (below) and b (above or at the end), by bisection; b if it never does. */
function crossing(f: (t: number) => number, level: number, a: number, b: number): number {
  if (f(b) < level) return b;
  for (let i = 0; i < 200; i++) {
    const mid = (a + b) / 2;
    if (f(mid) < level) a = mid;
    else b = mid;
  }
  return (a + b) / 2;
}

/**
 * The paper's "solved at" mean (stable-nalu export/_compute_summary.r, compute.gamma.stat): the
 * gamma likelihood in (μ, σ²) maximized over μ with σ² at the sample variance, where the
 * script's unscaled L-BFGS-B leaves it (∂/∂σ² is ~10⁻¹¹ of ∂/∂μ); the interval is where the log
 * likelihood is within χ²₁,₀.₉₅/2 of its maximum. Below 2 values or at sd ≤ 1e-5, mean ± t, as the script
 * (and for values not positive and finite).
 * @category Statistics
 */
export function gammaEstimate(values: number[]): Estimate {
  const x = checkValues(values, 'gammaEstimate values');
  // A zero or infinite step has no gamma likelihood: the script's fit would fail; mean ± t is what it then prints.
  if (x.length < 2 || !(sd(x) > 1e-5) || x.some((v) => !(v > 0) || v === Infinity)) return normalEstimate(x, 0, Infinity);
  const s2 = sd(x) ** 2;
  const sumX = x.reduce((s, v) => s + v, 0);
  const sumLog = x.reduce((s, v) => s + Math.log(v), 0);
  const nll = (mu: number) => {
    const alpha = (mu * mu) / s2;
    const beta = mu / s2;
    return -(x.length * (alpha * Math.log(beta) - logGamma(alpha)) + (alpha - 1) * sumLog - beta * sumX);
  };
  // Search on log μ, over a range far wider than the values.
  const f = (t: number) => nll(Math.exp(t));
  const lo = Math.log(Math.min(...x)) - 5;
  const hi = Math.log(Math.max(...x)) + 5;
  const t = minimize(f, lo, hi, 400);
  const level = f(t) + CHI2_95 / 2;
  return { mean: Math.exp(t), lower: Math.exp(crossing((s) => f(t - s), level, 0, t - lo) * -1 + t), upper: Math.exp(t + crossing((s) => f(t + s), level, 0, hi - t)), method: 'ml' };
}

function logBeta(a: number, b: number): number {
  if (a > b) [a, b] = [b, a];
  // lgamma(b) − lgamma(a + b) cancels badly for a huge b; Stirling's difference does not.
  if (b > 1e5) return logGamma(a) - (b - 0.5) * Math.log1p(a / b) - a * Math.log(a + b) + a + 1 / (12 * b) - 1 / (12 * (a + b));
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * The paper's sparsity-error mean (compute.beta.stat): the values, clamped to [1e-16, ½ − 1e-16],
 * are fitted by maximum likelihood to Beta(2μv, (1 − 2μ)v), each log density clamped to ±10⁶, and μ
 * is reported. That beta's mean is 2μ: on errors spread over [0, ½], μ is about half their mean.
 * The interval is μ's profile-likelihood 95 % interval within [0, ½]. Below 2 values or at
 * sd ≤ 1e-10, mean ± t, as the script. (The script also falls back to mean ± t when its
 * optimizer ends where the Hessian is singular, which is not reproduced.)
 * @category Statistics
 */
export function betaEstimate(values: number[]): Estimate {
  const raw = checkValues(values, 'betaEstimate values');
  if (raw.length < 2 || !(sd(raw) > 1e-10)) return normalEstimate(raw, 0, 0.5);
  const x = raw.map((v) => Math.min(0.5 - 1e-16, Math.max(1e-16, v)));
  const logs = x.map((v) => [Math.log(v), Math.log1p(-v)]);
  const sumL = logs.reduce((s, l) => s + l[0], 0);
  const sumL1 = logs.reduce((s, l) => s + l[1], 0);
  const maxL = Math.max(...logs.map((l) => -l[0]));
  const maxL1 = Math.max(...logs.map((l) => -l[1]));
  const nll = (mu: number, v: number) => {
    const a = 2 * mu * v;
    const b = (1 - 2 * mu) * v;
    const lb = logBeta(a, b);
    // The sums give the same unless some log density reaches the ±10⁶ clamp.
    if (Math.abs(a - 1) * maxL + Math.abs(b - 1) * maxL1 + Math.abs(lb) < 1e6) return -((a - 1) * sumL + (b - 1) * sumL1 - x.length * lb);
    let s = 0;
    for (const [l, l1] of logs) s += Math.min(1e6, Math.max(-1e6, (a - 1) * l + (b - 1) * l1 - lb));
    return -s;
  };
  // v's profile on log v ∈ [log 1e-5, log 1e15] for each μ; μ itself on log μ, as it spans many decades.
  const profile = (lmu: number) => {
    const mu = Math.exp(lmu);
    return nll(mu, Math.exp(minimize((lv) => nll(mu, Math.exp(lv)), Math.log(1e-5), Math.log(1e15), 30)));
  };
  const lo = Math.log(1e-20);
  const hi = Math.log(0.5 - 1e-12);
  const t = minimize(profile, Math.max(lo, Math.log(Math.min(...x)) - 3), hi, 60);
  const level = profile(t) + CHI2_95 / 2;
  const lower = crossing((s) => profile(t - s), level, 0, t - lo);
  const upper = crossing((s) => profile(t + s), level, 0, hi - t);
  return { mean: Math.exp(t), lower: t - lower <= lo ? 0 : Math.exp(t - lower), upper: t + upper >= hi ? 0.5 : Math.exp(t + upper), method: 'ml' };
}
