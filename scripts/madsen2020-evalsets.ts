// Why Table 1 cells differ from the paper's (README "Table 1, rerun"): rebuilds the paper's fixed
// evaluation sets (numpy's legacy MT19937, as stable-nalu draws them), evaluates fixed solutions on
// them and on ours, measures the float32 error floor of the exact solutions, and sets × NMU's
// sparsity error against its residual.
//   NALU_NATIVE_PATH=… npx tsx scripts/madsen2020-evalsets.ts [results/madsen2020-table1.jsonl]
import { readFileSync } from 'node:fs';
import { Sequential, tensor } from '../lib';
import { sampleTask, taskRegistry, type ArithmeticOp } from '../lib/tasks/arithmetic';
import { buildModel } from '../lib/tasks/models';
import { publishedRegistry } from '../lib/tasks/papers';
import type { RunRecord } from '../lib/tasks/run';
import { mannWhitney, median } from '../lib/tasks/stats';

const rows = 1e4; // both sides' validation and test sets (stable-nalu experiments/simple_function_static.py)
const sets = { interpolation: { seed: 43953907, range: [1, 2] }, extrapolation: { seed: 8689336, range: [2, 6] } } as const;
type Which = keyof typeof sets;
const whichs: Which[] = ['interpolation', 'extrapolation'];

/** numpy.random.RandomState(seed): MT19937 seeded by init_genrand, random_sample and legacy bounded randint. */
class RandomState {
  #mt = new Uint32Array(624);
  #i = 624;
  constructor(seed: number) {
    this.#mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) this.#mt[i] = (Math.imul(1812433253, this.#mt[i - 1] ^ (this.#mt[i - 1] >>> 30)) + i) >>> 0;
  }
  uint32(): number {
    const mt = this.#mt;
    if (this.#i >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.#i = 0;
    }
    let y = mt[this.#i++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    return (y ^ (y >>> 18)) >>> 0;
  }
  random(): number {
    const a = this.uint32() >>> 5, b = this.uint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
  /** randint(0, high): a masked draw, rejected above high − 1. */
  randint(high: number): number {
    const mask = 2 ** Math.ceil(Math.log2(high)) - 1;
    for (;;) {
      const v = this.uint32() & mask;
      if (v < high) return v;
    }
  }
}

// stable-nalu: slices of 25 overlapping by 12 at an offset randint(0, 63) of RandomState(seed);
// the sets are uniform float64 draws, targets in float64, both cast to float32.
const paperOffset = (seed: number) => new RandomState(seed).randint(100 - 38 + 1);
function paperSet(w: Which): Float64Array {
  const r = new RandomState(sets[w].seed), [lo, hi] = sets[w].range;
  return Float64Array.from({ length: rows * 100 }, () => lo + (hi - lo) * r.random());
}
const instance = (op: ArithmeticOp) => taskRegistry.get('static', 'task').instances(op)[0];
const ourOffset = (seed: number) => sampleTask(instance('add'), 'interpolation', 1, 0, seed).slices.a[0];
const ourSet = (w: Which, seed: number = sets[w].seed) => Float64Array.from(sampleTask(instance('add'), w, rows, seed).x);

/** Per row the sums of the slices' parts: a only, shared, b only, the rest. */
function parts(x: Float64Array, o: number, n = x.length / 100): Float64Array[] {
  const g = [0, 1, 2, 3].map(() => new Float64Array(n));
  for (let r = 0; r < n; r++)
    for (let i = 0; i < 100; i++) {
      const k = i < o || i >= o + 38 ? 3 : i < o + 13 ? 0 : i < o + 25 ? 1 : 2;
      g[k][r] += x[r * 100 + i];
    }
  return g;
}
const ops: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b, square: (a) => a * a, sqrt: (a) => Math.sqrt(a),
};
const target = (op: ArithmeticOp, g: Float64Array[], r: number) => ops[op](g[0][r] + g[1][r], g[1][r] + g[2][r]);

type Fn = (g: Float64Array[], r: number) => number;
/** The failed solution a cell converges to: all weights 1 (saturated), the mean, or a least-squares fit on U[1,2]. */
function solution(op: ArithmeticOp, kind: 'saturated' | 'mean' | 'affine' | 'linear', train: Float64Array[]): Fn {
  if (kind === 'saturated') return (g, r) => 2 * (g[0][r] + g[1][r] + g[2][r] + g[3][r]);
  const n = train[0].length, k = kind === 'linear' ? 4 : 5;
  const feat = (g: Float64Array[], r: number) => [g[0][r], g[1][r], g[2][r], g[3][r], 1].slice(kind === 'mean' ? 4 : 0, k);
  const m = kind === 'mean' ? 1 : k;
  const A = Array.from({ length: m }, () => new Array<number>(m + 1).fill(0));
  for (let r = 0; r < n; r++) {
    const f = feat(train, r), t = target(op, train, r);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) A[i][j] += f[i] * f[j];
      A[i][m] += f[i] * t;
    }
  }
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) if (j !== i) A[j] = A[j].map((v, c) => v - (A[j][i] / A[i][i]) * A[i][c]);
  const w = A.map((row, i) => row[m] / row[i]);
  return (g, r) => feat(g, r).reduce((s, v, i) => s + v * w[i], 0);
}
const mse = (f: Fn, op: ArithmeticOp, g: Float64Array[]) => {
  let s = 0;
  for (let r = 0; r < g[0].length; r++) s += (f(g, r) - target(op, g, r)) ** 2;
  return s / g[0].length;
};

const file = process.argv[2] ?? 'results/madsen2020-table1.jsonl';
const records: RunRecord[] = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const paperCells = publishedRegistry.get('madsen2020', 'paper').seeds!().cells;
const ours = (op: string, model: string) => records.filter((r) => r.op === op && r.model === model && r.iterations === 5e6).sort((a, b) => a.seed - b.seed);
const theirs = (op: string, model: string) => paperCells.find((c) => c.op === op && c.model === model)!.runs;
const pct = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)} %`;
const e = (v: number) => v.toExponential(2);

const paperX = { interpolation: paperSet('interpolation'), extrapolation: paperSet('extrapolation') };
const ourX = { interpolation: ourSet('interpolation'), extrapolation: ourSet('extrapolation') };

console.log('(1) Unsolved cells: one fixed solution per cell on each side\'s fixed sets (per-seed offsets), beside the records');
const fresh = whichs.map((w) => Array.from({ length: 40 }, (_, i) => parts(ourSet(w, 1000 + i), 0)));
const train = parts(ourSet('interpolation', 7), 0);
const unsolved: [ArithmeticOp, string, 'saturated' | 'mean' | 'affine' | 'linear'][] = [
  ['mul', 'nau', 'saturated'], ['mul', 'nac', 'saturated'], ['square', 'nau', 'saturated'], ['square', 'nac', 'saturated'],
  ['mul', 'linear', 'affine'], ['square', 'linear', 'affine'], ['sqrt', 'linear', 'affine'], ['div', 'nau', 'linear'], ['div', 'nac', 'linear'],
  ['sqrt', 'nau', 'linear'], ['sqrt', 'nac', 'linear'], ['add', 'relu6', 'mean'],
  ['mul', 'relu', 'affine'], ['square', 'relu', 'affine'], ['sqrt', 'relu', 'affine'],
  ['mul', 'relu6', 'mean'], ['square', 'relu6', 'mean'], ['sqrt', 'relu6', 'mean'],
];
for (const [op, model, kind] of unsolved) {
  const f = solution(op, kind, train);
  const mine = ours(op, model), paper = theirs(op, model);
  whichs.forEach((w, wi) => {
    const fo = mine.map((r) => mse(f, op, parts(ourX[w], ourOffset(r.seed))));
    const fp = paper.map((_, s) => mse(f, op, parts(paperX[w], paperOffset(s))));
    const ao = mine.map((r) => r.best[w]), ap = paper.map((r) => r[w]);
    const fr = fresh[wi].map((g) => mse(f, op, g)), frMed = median(fr);
    const frSd = Math.sqrt(fr.reduce((s, v) => s + (v - frMed) ** 2, 0) / (fr.length - 1)) / frMed;
    console.log(`${op} ${model} ${w} (${kind}): records ours/paper ${pct(median(ao) / median(ap) - 1)} p ${e(mannWhitney(ao, ap).p)}; ` +
      `fixed solution ${pct(median(fo) / median(fp) - 1)} p ${e(mannWhitney(fo, fp).p)}; record/fixed per seed ours ${median(ao.map((v, i) => v / fo[i])).toFixed(4)} ` +
      `paper ${median(ap.map((v, i) => v / fp[i])).toFixed(4)}; sd over 40 fresh sets ${(frSd * 100).toFixed(2)} %`);
  });
}

console.log('\n(2) Solved cells: float32 floor of the exact solution, beside the solved runs\' medians');
/** Σ of x over the columns of w (float32 products), in float32 with `lanes` partial sums (1: sequential). */
function dot32(x: Float64Array, r: number, w: Float32Array, lanes: number): number {
  const acc = new Array<number>(lanes).fill(0);
  for (let i = 0; i < 100; i++) acc[i % lanes] = Math.fround(acc[i % lanes] + Math.fround(Math.fround(x[r * 100 + i]) * w[i]));
  for (let h = lanes / 2; h >= 1; h /= 2) for (let i = 0; i < h; i++) acc[i] = Math.fround(acc[i] + acc[i + h]);
  return acc[0];
}
const solved: [ArithmeticOp, string][] = [['add', 'nau'], ['sub', 'nau'], ['mul', 'nmu'], ['mul', 'nac-mul-nmu'], ['square', 'nmu']];
for (const [op, model] of solved) {
  const inst = instance(op);
  const weights = (o: number, split: boolean) => {
    const w1 = new Float32Array(200);
    for (let i = 0; i < 100; i++) {
      const a = i >= o && i < o + 25 ? 1 : 0, b = i >= o + 13 && i < o + 38 ? 1 : 0;
      // − also as a − b in one unit (its shared inputs cancel there): rounding then depends on the split.
      [w1[2 * i], w1[2 * i + 1]] = op === 'sub' && !split ? [a - b, 0] : [a, op === 'square' ? a : b];
    }
    return { w1, w2: new Float32Array(op === 'sub' ? (split ? [1, -1] : [1, 0]) : [1, 1]) };
  };
  for (const split of op === 'sub' ? [true, false] : [true]) {
    const line: string[] = [];
    for (const w of whichs) {
      const net = new Sequential(buildModel(model, { ...inst, sparsityLambda: 0, sparsityStart: 0, sparsityEnd: 0 }, [1, 2]));
      net.compile({ optimizer: 'adam', loss: 'mse' });
      const nalu = [0, 1, 2, 3, 4].map((seed) => {
        const d = sampleTask(inst, w, rows, sets[w].seed, seed), { w1, w2 } = weights(d.slices.a[0], split);
        net.setWeights([tensor(w1, [100, 2]), tensor(w2, [2, 1])]);
        return net.evaluate(tensor(d.x, [rows, 100]), tensor(d.t, [rows, 1]), { batchSize: rows });
      });
      // The paper's sets and targets (float64, then float32), the forward pass emulated in float32.
      const emulated = [1, 2, 8].map((lanes) =>
        median([0, 1, 2, 3, 4].map((seed) => {
          const o = paperOffset(seed), { w1, w2 } = weights(o, split), g = parts(paperX[w], o);
          const c0 = w1.filter((_, i) => i % 2 === 0), c1 = w1.filter((_, i) => i % 2 === 1);
          let s = 0;
          for (let r = 0; r < rows; r++) {
            const h0 = dot32(paperX[w], r, c0, lanes), h1 = dot32(paperX[w], r, c1, lanes);
            const y =
              model === 'nau' ? Math.fround(Math.fround(w2[0] * h0) + Math.fround(w2[1] * h1))
              : model === 'nmu' ? Math.fround(h0 * h1)
              : Math.fround(Math.exp(Math.fround(Math.fround(Math.log(Math.fround(h0 + 1e-7))) + Math.fround(Math.log(Math.fround(h1 + 1e-7))))));
            s += (y - Math.fround(target(op, g, r))) ** 2;
          }
          return s / rows;
        })),
      );
      const mine = ours(op, model).filter((r) => r.success).map((r) => r.best[w]), paper = theirs(op, model).filter((r) => r.success).map((r) => r[w]);
      line.push(`${w}: exact solution nalu ${e(median(nalu))}, paper's sets in float32 with 1/2/8 partial sums ${emulated.map(e).join('/')}; ` +
        `solved runs ours ${e(median(mine))}, paper ${e(median(paper))} (${Math.round((100 * paper.filter((v) => v < median(nalu)).length) / paper.length)} % of them below nalu's floor)`);
    }
    console.log(`${op} ${model}${op === 'sub' ? (split ? ' (a and b apart)' : ' (a − b in one unit)') : ''}\n  ${line.join('\n  ')}`);
  }
}

console.log("\n(3) × NMU's sparsity error against the residual: sparsity / √(interpolation MSE) at the best step, solved runs");
{
  const mine = ours('mul', 'nmu').filter((r) => r.success && r.best.sparsity !== null);
  const paper = theirs('mul', 'nmu').filter((r) => r.success);
  const raw = [mine.map((r) => r.best.sparsity as number), paper.map((r) => r.sparsity)];
  const scaled = [mine.map((r) => (r.best.sparsity as number) / Math.sqrt(r.best.interpolation as number)), paper.map((r) => r.sparsity / Math.sqrt(r.interpolation))];
  for (const [what, [a, b]] of [['sparsity', raw], ['sparsity / √interpolation', scaled]] as const)
    console.log(`  ${what}: medians ours ${e(median(a))} (${a.length}), paper ${e(median(b))} (${b.length}), ours/paper ${pct(median(a) / median(b) - 1)}, p ${e(mannWhitney(a, b).p)}`);
}
