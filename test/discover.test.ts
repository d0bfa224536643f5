// nalu discover: the formula behind generated CSVs, judged 5× outside the training range; hostile CSVs
// refused with their line and column and nothing else written; the flags.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../lib/cli/main';
import { loadModel } from '../lib/index';
import { rng } from './helpers/reference';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-discover-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Row = Record<string, number>;
interface Case {
  name: string;
  columns: string[];
  f: (r: Row) => number;
  /** Columns that must not appear in the formula. */
  irrelevant?: string[];
}

/** Rows of uniform columns in [lo, hi] (6 significant digits, as a CSV writes them) and their y. */
function rows(c: Case, n: number, lo: number, hi: number, seed: number): Row[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const row: Row = {};
    for (const k of c.columns) row[k] = Number((lo + (hi - lo) * r()).toPrecision(6));
    row.y = c.f(row);
    return row;
  });
}

function writeCsv(name: string, columns: string[], data: Row[]): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, `${[...columns, 'y'].join(',')}\n${data.map((r) => [...columns, 'y'].map((k) => r[k]).join(',')).join('\n')}\n`);
  return f;
}

interface Record_ {
  rank: number;
  formula: string;
  latex: string;
  js: string;
  fidelity: unknown;
  exact: boolean;
  model: string;
  seed: number;
  errorInRange: number;
  errorOutOfRange: number | null;
}

function records(): Record_[] {
  return out.trim().split('\n').map((l) => JSON.parse(l) as Record_);
}

/** The largest relative error |f − y| / max(|y|, 1) of a formula's JS over rows. */
function relError(js: string, data: Row[]): number {
  const f = new Function(`return (${js});`)() as (r: Row) => number;
  return Math.max(...data.map((r) => Math.abs(f(r) - r.y) / Math.max(Math.abs(r.y), 1)));
}

// Training on [1, 2]; judged on [5, 10], rows discover never sees.
const cases: Case[] = [
  { name: 'a + b − c', columns: ['a', 'b', 'c'], f: (r) => r.a + r.b - r.c },
  { name: 'a·b', columns: ['a', 'b'], f: (r) => r.a * r.b },
  { name: '(a + b)·c', columns: ['a', 'b', 'c'], f: (r) => (r.a + r.b) * r.c },
  { name: 'a/b', columns: ['a', 'b'], f: (r) => r.a / r.b },
  { name: 'a·b/c', columns: ['a', 'b', 'c'], f: (r) => (r.a * r.b) / r.c },
  { name: 'a + b with three irrelevant columns', columns: ['a', 'b', 'u', 'v', 'w'], f: (r) => r.a + r.b, irrelevant: ['u', 'v', 'w'] },
];

describe('nalu discover recovers the formula', () => {
  cases.forEach((c, i) =>
    it(c.name, async () => {
      const file = writeCsv(`case${i}.csv`, c.columns, rows(c, 1000, 1, 2, 10 + i));
      expect(await main(['discover', file, '--target', 'y', '--json', '--quiet'])).toBe(0);
      const rs = records();
      expect(rs.map((r) => r.rank)).toEqual(rs.map((_, k) => k + 1));
      const first = rs[0];
      for (const k of ['formula', 'latex', 'js', 'fidelity', 'exact', 'model', 'seed']) expect(first).toHaveProperty(k);
      expect(first.exact, out).toBe(true);
      expect(relError(first.js, rows(c, 1000, 5, 10, 100 + i)), first.formula).toBeLessThanOrEqual(1e-4);
      for (const k of c.irrelevant ?? []) expect(first.formula).not.toMatch(new RegExp(`\\b${k}\\b`));
    }, 120_000),
  );
});

describe('nalu discover flags', () => {
  const c = cases[2];
  const file = () => writeCsv('flags.csv', c.columns, rows(c, 600, 1, 2, 3));

  it('prints a ranked table, holds rows out with --holdout and saves the first model with --save', async () => {
    const save = path.join(dir, 'saved');
    expect(await main(['discover', file(), '--target', 'y', '--models', 'nau,nau-nmu', '--restarts', '3', '--holdout', 'c>80%', '--save', save])).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^#\s+model\s+exact\s+in range\s+out of range\s+complexity\s+formula$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^1\s+nau-nmu\s+yes\s+\S+\s+\S+\s+5\s+\(a \+ b\) \* c$/);
    expect(err).toMatch(/120 rows to extrapolate to \(--holdout c>80%\)/);
    expect(err).toMatch(/saved the nau-nmu model/);
    const m = await loadModel(save);
    expect(m.predict([[10, 20, 30]]).data[0]).toBeCloseTo(900, 0);
    m.dispose();
  });

  it('ranks seeds by --extrapolate FILE and reports the error out of range', async () => {
    const ex = writeCsv('flags-ex.csv', c.columns, rows(c, 200, 5, 10, 4));
    expect(await main(['discover', file(), '--target', 'y', '--models', 'nau-nmu', '--restarts', '2', '--extrapolate', ex, '--json'])).toBe(0);
    const [r] = records();
    expect(r.errorOutOfRange).toBeLessThan(1e-4);
    expect(err).toMatch(/200 rows to extrapolate to/);
  });

  it('takes --features and maps column names to identifiers', async () => {
    const f = path.join(dir, 'names.csv');
    const data = rows(c, 400, 1, 2, 5);
    fs.writeFileSync(f, `"first a",b-2,c,noise,y\n${data.map((r) => `${r.a},${r.b},${r.c},x,${r.y}`).join('\n')}\n`);
    expect(await main(['discover', f, '--target', 'y', '--features', 'first a,b-2,c', '--models', 'nau-nmu', '--json', '--quiet'])).toBe(0);
    expect(records()[0].formula).toBe('(first_a + b_2) * c');
    expect(err).toMatch(/first a \(as first_a\)/);
  });

  it('refuses bad flags with exit code 2', async () => {
    expect(await main(['discover', file()])).toBe(2);
    expect(err).toMatch(/--target/);
    expect(await main(['discover', '--target', 'y'])).toBe(2);
    expect(await main(['discover', file(), '--target', 'y', '--models', 'nope'])).toBe(2);
    expect(await main(['discover', file(), '--target', 'y', '--restarts', '0'])).toBe(2);
    expect(await main(['discover', file(), '--target', 'y', '--holdout', 'c>'])).toBe(2);
    expect(await main(['discover', file(), '--target', 'y', '--holdout', 'c>100'])).toBe(2);
    expect(await main(['discover', file(), '--target', 'y', '--holdout', 'c>1', '--extrapolate', file()])).toBe(2);
    expect(await main(['discover', file(), '--target', 'y', '--features', 'a,y'])).toBe(2);
    expect(out).toBe('');
    expect(await main(['discover', '--help'])).toBe(0);
    for (const flag of ['--target', '--features', '--extrapolate', '--holdout', '--models', '--restarts', '--json', '--save']) expect(out).toContain(flag);
  });
});

describe('nalu discover refuses hostile CSVs', () => {
  const hostile: [string, string | Buffer, RegExp][] = [
    ['empty', '', /: the file is empty/],
    ['header only', 'a,b,y\n', /: a header but no data rows/],
    ['ragged rows', 'a,b,y\n1,2,3\n4,5\n', /:3: 2 fields, but the header has 3 columns/],
    ['non-numeric cells', 'a,b,y\n1,2,3\n1,x,3\n', /:3: column 2 \('b'\): 'x' is not a finite number/],
    ['NaN', 'a,b,y\n1,NaN,3\n', /:2: column 2 \('b'\): 'NaN' is not a finite number/],
    ['Infinity', 'a,b,y\n1,2,3\n1,2,-Infinity\n', /:3: column 3 \('y'\): '-Infinity' is not a finite number/],
    ['a missing target column', 'a,b,z\n1,2,3\n', /:1: no column 'y'/],
    ['duplicate column names', 'a,a,y\n1,2,3\n', /:1: columns 1 and 2 are both named 'a'/],
    ['only the target', 'y\n1\n', /:1: no column besides the target 'y'/],
    ['an unclosed quote', 'a,b,y\n1,2,3\n"4,5,6\n', /:3: .*quote/i],
  ];
  for (const [what, text, message] of hostile)
    it(what, async () => {
      const f = path.join(dir, `hostile-${what.replace(/\W+/g, '-')}.csv`);
      fs.writeFileSync(f, text);
      const save = path.join(dir, `hostile-save-${what.replace(/\W+/g, '-')}`);
      expect(await main(['discover', f, '--target', 'y', '--save', save])).toBe(1);
      expect(out).toBe('');
      expect(err).toMatch(message);
      expect(err.startsWith(`nalu discover: ${f}`)).toBe(true);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(fs.existsSync(save)).toBe(false);
    });

  it('refuses a bad --extrapolate file the same way, naming it', async () => {
    const f = writeCsv('good.csv', ['a', 'b'], rows(cases[1], 50, 1, 2, 8));
    const ex = path.join(dir, 'bad-ex.csv');
    fs.writeFileSync(ex, 'a,y\n1,2\n');
    expect(await main(['discover', f, '--target', 'y', '--extrapolate', ex])).toBe(1);
    expect(err).toMatch(new RegExp(`${ex}:1: no column 'b'`));
    expect(out).toBe('');
  });

  it('reads a BOM and quoted fields', async () => {
    const f = path.join(dir, 'bom.csv');
    const data = rows(cases[1], 300, 1, 2, 6);
    fs.writeFileSync(f, `\ufeff"a","b","y"\r\n${data.map((r) => `"${r.a}",${r.b},"${r.y}"`).join('\r\n')}\r\n`);
    expect(await main(['discover', f, '--target', 'y', '--models', 'nmu', '--json', '--quiet'])).toBe(0);
    expect(records()[0].formula).toBe('a * b');
  });

  it('refuses a file with more rows than --max-rows, naming the line', async () => {
    const f = writeCsv('big.csv', ['a', 'b'], rows(cases[1], 50, 1, 2, 7));
    expect(await main(['discover', f, '--target', 'y', '--max-rows', '40'])).toBe(1);
    expect(err).toMatch(/:42: more than 40 data rows/);
    expect(out).toBe('');
  });
});
