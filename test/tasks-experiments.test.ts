// Experiments as files: the shipped ones (the papers' tables and figures) parse, plan the papers'
// run counts, and run end to end on a tiny budget; bad files give errors naming the key.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../lib/cli/main';
import { checkExperiment, loadExperiment, planRuns, readExperiment, shippedExperiments } from '../lib/tasks/experiment';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('shipped experiments', () => {
  it("plan the papers' runs", () => {
    expect(shippedExperiments()).toEqual(expect.arrayContaining(['quick', 'madsen2020-table1', 'madsen2020-ranges', 'madsen2020-hidden-size',
      'madsen2020-input-size', 'madsen2020-overlap', 'madsen2020-subset', 'mistry2021-single-module']));
    const count = (n: string) => planRuns(loadExperiment(n)).length;
    expect(count('madsen2020-table1')).toBe(6 * 11 * 100);
    expect(count('madsen2020-ranges')).toBe(7 * 6 * 50);
    expect(count('madsen2020-hidden-size')).toBe(9 * 6 * 50);
    expect(count('madsen2020-input-size')).toBe(14 * 6 * 50);
    expect(count('madsen2020-overlap')).toBe(6 * 6 * 50);
    expect(count('madsen2020-subset')).toBe(4 * 6 * 50);
    // 9 ranges × 25 seeds × (4 models for + and −, 6 for ×, 6 for ÷).
    expect(count('mistry2021-single-module')).toBe(9 * 25 * (2 * 4 + 6 + 6));
    const input = planRuns(loadExperiment('madsen2020-input-size'));
    expect(input.find((r) => r.instance.inputSize === 300)).toMatchObject({ iterations: 1.5e7, bestWindow: 15000 });
    expect(input.find((r) => r.instance.inputSize === 4)).toMatchObject({ iterations: 5e6 });
  });

  it.each(shippedExperiments())('%s runs on a tiny budget', async (name) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-exp-'));
    const file = path.join(dir, 'r.jsonl');
    const code = await main(['benchmark', name, '--seeds', '1', '--iterations', '20', '--eval-every', '10', '--threshold-samples', '100',
      '--workers', '2', '--quiet', '--out', file]);
    expect(err).not.toMatch(/failed/);
    expect(code).toBe(0);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.length).toBe(planRuns({ ...loadExperiment(name), seeds: 1 }).length);
    expect(out).toMatch(/\| Op +\| Model/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});

describe('experiment files', () => {
  it('name the key that is wrong', () => {
    const ok = { name: 'x', task: 'static', ops: ['add'], models: ['nau'], seeds: 1 };
    expect(checkExperiment(ok).seeds).toBe(1);
    expect(() => checkExperiment({ ...ok, seeds: 0 })).toThrow(/experiment\.seeds/);
    expect(() => checkExperiment({ ...ok, ops: ['pow'] })).toThrow(/experiment\.ops: unknown value "pow"/);
    expect(() => checkExperiment({ ...ok, models: 'nau' })).toThrow(TypeError);
    expect(() => checkExperiment({ ...ok, sedes: 3 })).toThrow(/experiment\.sedes: unknown key/);
    expect(() => checkExperiment({ ...ok, grid: [{ hiddenSize: -1 }] })).toThrow(/experiment\.grid\[0\]\.hiddenSize/);
    expect(() => checkExperiment({ ...ok, grid: [{ interpolation: [[2, 1]] }] })).toThrow(/grid\[0\]\.interpolation/);
    expect(() => checkExperiment({ ...ok, settings: { momentum: 1 } })).toThrow(/settings\.momentum: unknown key/);
    expect(() => checkExperiment({ ...ok, task: 'dynamic' })).toThrow(/experiment\.task/);
  });

  it('refuse unreadable or non-JSON files with the file name, and the CLI exits 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-exp-'));
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"name": ');
    expect(() => readExperiment(bad)).toThrow(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not JSON`));
    expect(() => readExperiment(dir)).toThrow(/not a regular file/);
    expect(() => loadExperiment('no-such-experiment')).toThrow(/not a shipped experiment/);
    expect(await main(['benchmark', bad])).toBe(2);
    expect(err).toMatch(/bad\.json: not JSON/);
    expect(await main(['benchmark', 'quick', 'table1'])).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('let flags override the file: seeds, models and a parameter in every point', async () => {
    expect(await main(['benchmark', 'madsen2020-hidden-size', '--seeds', '2', '--models', 'nmu', '--overlap-ratio', '0', '--dry-run'])).toBe(0);
    expect(out).toMatch(/\n18 runs\n$/);
    expect(out).not.toMatch(/nalu/);
    // Points that name their own operations and models are narrowed to the flags'.
    out = '';
    expect(await main(['benchmark', 'mistry2021-single-module', '--ops', 'div', '--models', 'nmru,nalu', '--seeds', '1', '--dry-run'])).toBe(0);
    expect(out).toMatch(/\n18 runs\n$/);
    expect(await main(['benchmark', 'mistry2021-single-module', '--ops', 'mul', '--models', 'nau', '--dry-run'])).toBe(2);
    expect(err).toMatch(/no point of mistry2021-single-module runs/);
  });
});
