// The --plot figure: panels in the paper's order, only the models run on each, ours against the
// paper's point and interval with a legend and n; SVG and PNG from the CLI; and without vega the
// summary still prints its table.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResults } from '../lib/cli/summary';
import { opSymbols } from '../lib/tasks/arithmetic';
import { publishedRegistry } from '../lib/tasks/papers';
import { successRateSpec } from '../lib/tasks/plot';
import { wilson } from '../lib/tasks/stats';
import { attachPublished, summarize } from '../lib/tasks/summary';

const root = path.resolve(__dirname, '..');
const table1 = path.join(root, 'results', 'madsen2020-table1.jsonl');
const rows = attachPublished(summarize(readResults(table1)), publishedRegistry.get('madsen2020', 'compare'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-plot-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Value = { panel: string; label: string; source: string; rate: number; lo: number; hi: number };

describe('successRateSpec', () => {
  const spec = successRateSpec(rows) as any; // eslint-disable-line
  const values = spec.data.values as Value[];

  it('has one panel per operation, in the paper order, in a grid', () => {
    expect(spec.facet.sort).toEqual(['+ (add)', '− (sub)', '× (mul)', '÷ (div)', 'z² (square)', '√z (sqrt)']);
    expect(spec.columns).toBe(3);
    expect(spec.resolve.scale.y).toBe('independent');
  });

  it('lists in each panel only the models run on it, with their n', () => {
    for (const r of rows)
      expect(values.filter((v) => v.panel === `${opSymbols[r.op]} (${r.op})` && v.label === `${r.model}  n = ${r.runs}`).map((v) => v.source), `${r.op} ${r.model}`)
        .toEqual(['ours', 'paper (n = 100)']);
    expect(values).toHaveLength(2 * rows.length);
    const mul = values.filter((v) => v.panel === '× (mul)' && v.source === 'ours').map((v) => v.label.split(' ')[0]);
    expect(mul.sort()).toEqual(rows.filter((r) => r.op === 'mul').map((r) => r.model).sort());
  });

  it('leaves out of a panel a model not run on its operation', () => {
    const some = rows.filter((r) => !(r.op === 'add' && r.model === 'nac-mul-sigma'));
    const panel = (successRateSpec(some) as any).data.values.filter((v: Value) => v.panel === '+ (add)'); // eslint-disable-line
    expect(panel.some((v: Value) => v.label.startsWith('nac-mul-sigma'))).toBe(false);
    expect(panel.some((v: Value) => v.label.startsWith('nau '))).toBe(true);
  });

  it("draws the paper's point and interval beside ours, named in the legend", () => {
    const nmu = values.filter((v) => v.panel === '× (mul)' && v.label.startsWith('nmu '));
    expect(nmu.map((v) => v.source)).toEqual(['ours', 'paper (n = 100)']);
    // The paper's 98 % [93 %, 99 %] and ours, k of n seeds (the file grows), with its Wilson interval.
    expect(nmu[1].rate).toBe(0.98);
    expect(nmu[1].lo).toBeCloseTo(0.93, 12);
    expect(nmu[1].hi).toBeCloseTo(0.99, 12);
    const ours = readResults(table1).filter((r) => r.op === 'mul' && r.model === 'nmu' && r.iterations === 5e6);
    const k = ours.filter((r) => r.success).length;
    expect(k).toBeGreaterThan(0);
    expect(nmu[0].rate).toBe(k / ours.length);
    expect(nmu[0].lo).toBeCloseTo(wilson(k, ours.length)[0], 12);
    expect(spec.spec.encoding.color.scale.domain).toEqual(['ours', 'paper (n = 100)']);
    expect(spec.spec.encoding.color.legend).toBeTruthy();
    // The two sit on their own lines of a row, so that neither hides the other at 0 % or 100 %.
    expect(spec.spec.encoding.yOffset.field).toBe('source');
  });

  it('without a comparison has no paper entries', () => {
    const plain = successRateSpec(summarize(readResults(table1))) as any; // eslint-disable-line
    expect(new Set((plain.data.values as Value[]).map((v) => v.source))).toEqual(new Set(['ours']));
  });

  it('refuses what is not rows', () => {
    expect(() => successRateSpec('rows' as never)).toThrow(/rows: expected summary rows/);
  });
});

// vega is ESM-only: the CLI runs in a real process (vitest's module runner cannot import() it from CommonJS).
function cli(args: string[], main = path.join(root, 'lib', 'cli', 'main.ts')) {
  return spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', env: process.env, cwd: root });
}

describe('nalu summary --plot', () => {
  it('writes an SVG, and a PNG when the file ends in .png', { timeout: 120_000 }, () => {
    const svg = path.join(dir, 't1.svg');
    const png = path.join(dir, 't1.png');
    const a = cli(['summary', table1, '--compare', 'madsen2020', '--plot', svg]);
    expect(a.status, a.stderr).toBe(0);
    const text = fs.readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg/);
    for (const s of ['+ (add)', '√z (sqrt)', 'paper (n = 100)', 'nau  n = 10']) expect(text).toContain(s);
    const b = cli(['summary', table1, '--compare', 'madsen2020', '--plot', png]);
    expect(b.status, b.stderr).toBe(0);
    const bytes = fs.readFileSync(png);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // A grid, not one tall column: wider than half its height (IHDR: width, height at bytes 16, 20).
    expect(bytes.readUInt32BE(16)).toBeGreaterThan(bytes.readUInt32BE(20) / 2);
  });

  it('without vega prints the table, then says what to install (exit code 2)', { timeout: 120_000 }, () => {
    // The built CLI copied where no node_modules is above it: vega cannot be found.
    const dist = path.join(root, 'dist');
    expect(fs.existsSync(dist), 'dist/ is missing: npm run build:ts').toBe(true);
    const pkg = path.join(dir, 'pkg');
    fs.cpSync(dist, path.join(pkg, 'dist'), { recursive: true });
    fs.copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
    const r = spawnSync(process.execPath, [path.join(pkg, 'dist/cjs/cli/main.js'), 'summary', table1, '--compare', 'madsen2020', '--plot', path.join(dir, 'x.svg')], {
      encoding: 'utf8',
      cwd: dir,
      // The copy has no addon of its own: the checkout's.
      env: { ...process.env, NALU_NATIVE_PATH: process.env.NALU_NATIVE_PATH ?? path.join(root, 'build/Release/nalu.node') },
    });
    expect(r.stdout).toMatch(/Static arithmetic task: \d+ runs/);
    expect(r.stdout).toMatch(/\| z² \| nmu +\| 10\/10 100% \[72%, 100%\]/);
    expect(r.stderr).toMatch(/--plot: plots need the optional packages vega and vega-lite: npm install vega@\^6\.4\.0 vega-lite@\^6\.4\.3/);
    expect(r.status).toBe(2);
    expect(fs.existsSync(path.join(dir, 'x.svg'))).toBe(false);
  });
});
