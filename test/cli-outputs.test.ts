// The CLI never loses a run: every output path is checked before training, a results file with a
// cut last line is resumed without burying the next record in it, and plans too large to hold,
// results files that are not regular files and ranges the native side cannot take are refused up front.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../lib/cli/main';

let out = '';
let err = '';
let dir = '';
beforeEach(() => {
  out = '';
  err = '';
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-out-'));
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tiny = ['--task', 'single-module', '--interpolation', '[1,2]', '--extrapolation', '[2,6]', '--ops', 'add', '--models', 'nau', '--seeds', '2',
  '--iterations', '100', '--eval-every', '50', '--threshold-samples', '100', '--quiet', '--workers', '1'];

describe('output paths, checked before any training', () => {
  it('refuses an --out or --plot that is a directory, a FIFO, unwritable or in a missing folder, and trains nothing', async () => {
    const fifo = path.join(dir, 'fifo');
    spawnSync('mkfifo', [fifo]);
    const ro = path.join(dir, 'ro');
    fs.mkdirSync(ro);
    fs.chmodSync(ro, 0o500);
    const cases: [string[], RegExp][] = [
      [['--out', dir], /--out: .* is not a regular file \(a directory\)/],
      [['--out', fifo], /--out: .* is not a regular file \(a FIFO, socket or device\)/],
      [['--out', path.join(dir, 'no', 'r.jsonl')], /--out: folder .* does not exist/],
      [['--plot', dir], /--plot: .* is not a regular file/],
    ];
    if (process.getuid?.() !== 0) cases.push([['--out', path.join(ro, 'r.jsonl')], /--out: folder .* is not writable/]);
    for (const [flags, message] of cases) {
      err = '';
      expect(await main(['benchmark', ...tiny, ...flags])).toBe(2);
      expect(err).toMatch(message);
      expect(err).not.toMatch(/runs/);
    }
    fs.chmodSync(ro, 0o700);
  });

  it('refuses train --save onto a file before training', async () => {
    const file = path.join(dir, 'model');
    fs.writeFileSync(file, 'x');
    expect(await main(['train', '--task', 'single-module', '--op', 'add', '--model', 'nau', '--iterations', '100', '--save', file])).toBe(2);
    expect(err).toMatch(/--save: .* exists and is not a directory/);
    expect(err).not.toMatch(/step/);
  });
});

describe('results files', () => {
  it('resumes after a cut last line: the cut record is skipped and the new one starts its own line', async () => {
    const file = path.join(dir, 'r.jsonl');
    expect(await main(['benchmark', ...tiny, '--out', file])).toBe(0);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    // The second record cut in the middle, as a crash while writing it leaves it.
    fs.writeFileSync(file, `${lines[0]}\n${lines[1].slice(0, 40)}`);
    err = '';
    expect(await main(['benchmark', ...tiny, '--out', file])).toBe(0);
    expect(err).toMatch(/ended in a cut line/);
    const after = fs.readFileSync(file, 'utf8').split('\n');
    expect(after[1]).toBe(lines[1].slice(0, 40));
    expect(JSON.parse(after[2])).toEqual({ ...JSON.parse(lines[1]), seconds: expect.any(Number) });
    expect(after).toHaveLength(4); // two records, the cut line and the final newline
    // nalu summary sees both runs and reports the cut line.
    err = '';
    out = '';
    expect(await main(['summary', file])).toBe(0);
    expect(err).toMatch(/r\.jsonl:2: skipped/);
    expect(out).toMatch(/2 runs/);
  }, 60_000);

  it('refuses a results file that is not a regular file', async () => {
    expect(await main(['summary', '/dev/zero'])).toBe(2);
    expect(err).toMatch(/\/dev\/zero: not a regular file/);
  });
});

describe('the default results file', () => {
  const results = (...p: string[]) => path.join(dir, 'results', ...p);
  const inDir = async (argv: string[]) => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      return await main(argv);
    } finally {
      process.chdir(cwd);
    }
  };

  it('is results/NAME.jsonl in the current folder, says so, and a rerun resumes from it', async () => {
    expect(await inDir(['benchmark', ...tiny, '--dry-run'])).toBe(0);
    expect(fs.existsSync(results()), '--dry-run writes nothing').toBe(false);
    expect(await inDir(['benchmark', ...tiny])).toBe(0);
    expect(err).toMatch(/appending each finished run to results\/command-line\.jsonl; rerun to resume/);
    expect(fs.readFileSync(results('command-line.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    err = '';
    expect(await inDir(['benchmark', ...tiny])).toBe(0);
    expect(err).toMatch(/2 of 2 runs already in results\/command-line\.jsonl, 0 to go/);
    expect(fs.readFileSync(results('command-line.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    // An experiment file's name, made safe for a file name: no folder of its own, no hidden file.
    const exp = path.join(dir, 'exp.json');
    fs.writeFileSync(exp, JSON.stringify({ name: '../x y', task: 'single-module', ops: ['add'], models: ['nau'], seeds: 1 }));
    expect(await inDir(['benchmark', exp, ...tiny])).toBe(0);
    expect(fs.readdirSync(results()).sort()).toEqual(['command-line.jsonl', 'x-y.jsonl']);
  }, 60_000);

  it('--no-out keeps none; --out with --no-out and an uncreatable folder are refused before training', async () => {
    expect(await inDir(['benchmark', ...tiny, '--no-out'])).toBe(0);
    expect(fs.existsSync(results())).toBe(false);
    expect(err).not.toMatch(/appending/);
    err = '';
    expect(await inDir(['benchmark', ...tiny, '--no-out', '--out', 'r.jsonl'])).toBe(2);
    expect(err).toMatch(/--out and --no-out: give one of them/);
    err = '';
    fs.writeFileSync(results(), '');
    expect(await inDir(['benchmark', ...tiny])).toBe(2);
    expect(err).toMatch(/--out: cannot create the default results folder .*results \(EEXIST\); give --out FILE or --no-out/);
    expect(err).not.toMatch(/runs/);
  }, 60_000);
});

describe('plans and ranges', () => {
  it('refuses a plan too large to hold before building it', async () => {
    const used = process.memoryUsage().heapUsed;
    expect(await main(['benchmark', '--seeds', '1000000', '--dry-run'])).toBe(2);
    expect(err).toMatch(/would make 6000000 runs, more than the 100000/);
    expect(process.memoryUsage().heapUsed - used).toBeLessThan(200 * 2 ** 20);
  });

  it('refuses a range beyond ±1e30 at the flag', async () => {
    expect(await main(['benchmark', ...tiny, '--interpolation', '[1,1e38]'])).toBe(2);
    expect(err).toMatch(/--interpolation: expected .* in \[-1e30, 1e30\], received/);
  });
});
