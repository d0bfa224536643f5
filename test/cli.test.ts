// The nalu CLI: help, bad flags (exit code 2), a tiny benchmark end to end and its resume.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../lib/cli/main';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('nalu CLI', () => {
  it('prints complete help for the program and every command', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(out).toMatch(/Usage: nalu <command>/);
    expect(out).toMatch(/benchmark/);
    expect(out).toMatch(/train/);
    out = '';
    expect(await main(['benchmark', '--help'])).toBe(0);
    for (const flag of ['--task', '--ops', '--models', '--seeds', '--iterations', '--eval-every', '--workers', '--out', '--no-out', '--plot', '--preset'])
      expect(out).toContain(flag);
    expect(out).toMatch(/nau-nmu/);
    out = '';
    expect(await main(['train', '--help'])).toBe(0);
    for (const flag of ['--task', '--op', '--model', '--seed', '--iterations', '--save']) expect(out).toContain(flag);
    out = '';
    expect(await main(['summary', '--help'])).toBe(0);
    expect(out).toMatch(/Usage: nalu summary FILE/);
    expect(out).toContain('--plot');
  });

  it('refuses bad flags with a clear message and exit code 2', async () => {
    expect(await main(['benchmark', '--nope'])).toBe(2);
    expect(err).toMatch(/Unknown option '--nope'/);
    err = '';
    expect(await main(['benchmark', '--seeds', 'ten'])).toBe(2);
    expect(err).toMatch(/--seeds: expected an integer in \[1, 1000000\], received 'ten'/);
    err = '';
    expect(await main(['benchmark', '--ops', 'add,pow'])).toBe(2);
    expect(err).toMatch(/--ops: unknown value 'pow', expected one of add, sub, mul, div, square, sqrt/);
    err = '';
    expect(await main(['train', '--model', 'gru'])).toBe(2);
    expect(err).toMatch(/--model: unknown value 'gru'/);
    err = '';
    expect(await main(['train', '--model', 'lstm'])).toBe(2);
    expect(err).toMatch(/--model: 'lstm' reads sequences: it runs on the recurrent task only \(--task recurrent\), not the static task/);
    err = '';
    expect(await main(['benchmark', '--extrapolation', '[6,2]'])).toBe(2);
    expect(err).toMatch(/--extrapolation/);
    err = '';
    expect(await main(['benchmark', '--preset', 'huge'])).toBe(2);
    expect(err).toMatch(/--preset: experiment 'huge': no such file, and not a shipped experiment/);
    err = '';
    expect(await main(['frobnicate'])).toBe(2);
    expect(err).toMatch(/unknown command 'frobnicate'/);
    err = '';
    expect(await main(['summary'])).toBe(2);
    expect(err).toMatch(/expected at least one results file/);
    err = '';
    expect(await main(['summary', path.join(os.tmpdir(), 'nalu-no-such-file.jsonl')])).toBe(2);
    expect(err).toMatch(/no such file/);
  });

  it('exits with code 2 as a process', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'lib', 'cli', 'main.ts'), 'benchmark', '--workers', '0'], {
      encoding: 'utf8',
      env: process.env,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--workers: expected an integer/);
  });

  it('runs a tiny benchmark, appends JSON lines, resumes, and plots', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-cli-'));
    const file = path.join(dir, 'results.jsonl');
    const svg = path.join(dir, 'plot.svg');
    const args = ['benchmark', '--task', 'single-module', '--interpolation', '[1,2]', '--extrapolation', '[2,6]', '--ops', 'add,mul',
      '--models', 'nau-nmu,linear', '--seeds', '2', '--iterations', '300', '--eval-every', '100', '--threshold-samples', '1000',
      '--workers', '2', '--out', file, '--quiet'];
    expect(await main(args)).toBe(0);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(8);
    for (const r of lines) {
      expect(r).toMatchObject({ task: 'single-module', iterations: 300, evalEvery: 100, stopReason: 'completed' });
      expect(typeof r.success).toBe('boolean');
      expect(r.threshold).toBeGreaterThanOrEqual(0);
    }
    expect(out).toMatch(/\| Op +\| Model/);
    expect(out).toMatch(/\| \+ +\| linear/);
    expect(out).toMatch(/× +\| nau-nmu/);
    // --plot in a real process (vega is ESM-only; vitest's module runner cannot import() it from CommonJS).
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'lib', 'cli', 'main.ts'), ...args, '--plot', svg], {
      encoding: 'utf8',
      env: process.env,
    });
    expect(r.status).toBe(0);
    expect(fs.readFileSync(svg, 'utf8')).toMatch(/^<svg/);

    // A rerun finds every run in the file and trains nothing.
    expect(r.stderr).toMatch(/8 of 8 runs already in/);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(8);
    // One more seed: only the new runs are added.
    expect(await main([...args.slice(0, -5), '--seeds', '3', '--workers', '2', '--out', file, '--quiet'].filter((a, i, all) => !(a === '--seeds' && all[i + 1] === '2') && !(a === '2' && all[i - 1] === '--seeds')))).toBe(0);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(12);
    // nalu summary: the table of what is in the file, without training.
    out = '';
    expect(await main(['summary', file])).toBe(0);
    expect(out).toMatch(/Single-module task: 12 runs, 3\.0e\+2 iterations each/);
    expect(out).toMatch(/× +\| nau-nmu/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("scales a model's warm-up past --iterations and says so, refuses a given one, and compares with the paper", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-cli-'));
    const file = path.join(dir, 'r.jsonl');
    const args = ['benchmark', '--ops', 'mul', '--models', 'nmu', '--seeds', '1', '--iterations', '50', '--eval-every', '25', '--threshold-samples', '100', '--quiet'];
    expect(await main([...args, '--out', file])).toBe(0);
    expect(err).toMatch(/nmu: its paper's regularizer warm-up 1\.0e6 → 2\.0e6 does not start within 50 steps; scaled to 10 → 20/);
    const record = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(record).toMatchObject({ sparsityLambda: 10, sparsityStart: 10, sparsityEnd: 20 });
    err = '';
    expect(await main([...args, '--sparsity-start', '1e6'])).toBe(2);
    expect(err).toMatch(/--sparsity-start: 1000000 is not before iterations \(50\)/);
    // A record at the paper's length and instance is compared; the same run at 50 steps is not.
    fs.appendFileSync(file, `${JSON.stringify({ ...record, iterations: 5e6 })}\n`);
    out = '';
    expect(await main(['summary', file, '--compare', 'madsen2020'])).toBe(0);
    expect(out).toMatch(/1 runs at the paper's settings, compared with/);
    expect(out).toMatch(/\| × +\| nmu +\| [01]\/1 .*\| 98\/100 98% \[93%, 99%\] +\| /);
    expect(out).toMatch(/1 runs not at the paper's instance and length are left out/);
    err = '';
    expect(await main(['summary', file, '--compare', 'trask2018'])).toBe(2);
    expect(err).toMatch(/--compare: unknown value 'trask2018', expected one of madsen2020/);
    // Runs of another task only: our table, and a line that nothing was compared.
    const other = path.join(dir, 'other.jsonl');
    fs.writeFileSync(other, `${JSON.stringify({ ...record, task: 'single-module' })}\n`);
    err = out = '';
    expect(await main(['summary', other, '--compare', 'madsen2020'])).toBe(0);
    expect(err).toMatch(/--compare madsen2020: no runs of its task \(static\) to compare; the tables below are ours alone/);
    expect(out).toMatch(/Single-module task: 1 runs/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('trains one model and saves it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-train-'));
    const save = path.join(dir, 'model');
    expect(await main(['train', '--task', 'single-module', '--op', 'add', '--model', 'nau', '--iterations', '500', '--eval-every', '250', '--save', save])).toBe(0);
    expect(err).toMatch(/step +500 +loss/);
    expect(out).toMatch(/saved to/);
    expect(fs.existsSync(path.join(save, 'model.json'))).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
