// A run's identity and the records that are counted: every setting that changes a record is in
// its key (committed keys unchanged), plans and summaries count a key once, invalid records are
// skipped by file:line, --plot is checked first, and names from files cannot drive a terminal.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRuns, printable, type Experiment } from '../lib/tasks/experiment';
import { recordError, runKey, type RunRecord } from '../lib/tasks/run';
import { jobIdOfKey } from '../lib/sweep/runs';
import { haveMountNamespace, naluRun, records, root } from './helpers/sweep';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-identity-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const committed = fs.readdirSync(path.join(root, 'results')).filter((f) => f.endsWith('.jsonl'));
const first = records(path.join(root, 'results', 'madsen2020-table1.jsonl'))[0] as unknown as RunRecord;

describe("a run's key", () => {
  it('is what it was for the records already committed (their runs still resume)', () => {
    // The key of results/madsen2020-table1.jsonl's first line before thresholdSamples joined the key.
    const before = '["static","add","nau",[[1,2]],[[2,6]],100,0.25,0.5,2,0,5000000,1000,128,0.001,0.01,5000,50000,0,0,0,0,5000]';
    expect(runKey(first)).toBe(before);
    expect(runKey({ ...first, thresholdSamples: 1e6 })).toBe(before);
    expect(jobIdOfKey(runKey({ ...first, thresholdSamples: 1e6 }))).toBe(jobIdOfKey(before));
  });

  it('tells runs apart by their evaluation sets, and keeps a record that names the default as it was', () => {
    expect(runKey({ ...first, evalSize: 1e4 })).toBe(runKey(first));
    expect(runKey({ ...first, evalSize: 1000 })).not.toBe(runKey(first));
  });

  it('tells runs apart that differ only in --threshold-samples', () => {
    const a = runKey({ ...first, thresholdSamples: 100 });
    expect(a).not.toBe(runKey(first));
    expect(a).not.toBe(runKey({ ...first, thresholdSamples: 200 }));
  });

  it('is unique and valid in every committed results file', () => {
    for (const f of committed) {
      const rs = records(path.join(root, 'results', f));
      expect(rs.map((r) => recordError(r)).filter(Boolean), f).toEqual([]);
      expect(new Set(rs.map((r) => runKey(r as unknown as RunRecord))).size, f).toBe(rs.length);
    }
  });
});

describe('records that are refused', () => {
  it.each([
    [{ task: 'constructor' }, /^task: expected one of static, single-module, recurrent, received "constructor"/],
    [{ task: '__proto__' }, /^task: /],
    [{ solvedAt: -5 }, /^solvedAt: expected null or a step in \[0, 5000000\], received -5/],
    [{ solvedAt: 6e6 }, /^solvedAt: /],
    [{ solvedAt: 1.5 }, /^solvedAt: /],
    [{ op: 'pow' }, /^op: /],
    [{ model: 'nau\u001b[2J' }, /^model: /],
    [{ seed: -1 }, /^seed: /],
    [{ success: 'yes' }, /^success: /],
    [{ stopReason: 'done' }, /^stopReason: /],
    [{ best: null }, /^best: /],
    [{ best: { ...first.best, sparsity: null } }, /^best\.sparsity: /],
    [{ extrapolation: [[6, 2]] }, /^extrapolation: /],
    [{ learningRate: -1 }, /^learningRate: /],
    [{ thresholdSamples: 0 }, /^thresholdSamples: /],
    [{ evalSize: 0.5 }, /^evalSize: /],
  ])('%j', (change, message) => {
    expect(recordError(first)).toBeUndefined();
    expect(recordError({ ...first, ...change })).toMatch(message);
  });

  it('and junk that is not a record at all', () => {
    for (const v of [null, 3, 'x', [], {}]) expect(recordError(v)).toMatch(/expected/);
  });
});

describe('plans', () => {
  const e: Experiment = { name: 'dup', task: 'single-module', ops: ['add'], models: ['nau'], seeds: 2, iterations: 300, evalEvery: 100 };
  it('drop a run key they hold twice (a point given twice, or with its defaults spelt out), and say so', () => {
    const once = planRuns({ ...e, grid: [{ inputSize: 2 }] });
    const warnings: string[] = [];
    const twice = planRuns({ ...e, grid: [{}, { inputSize: 2 }, { inputSize: 2 }, { inputSize: 3 }] }, (m) => warnings.push(m));
    expect(once.length).toBeGreaterThan(0);
    expect(twice).toHaveLength(2 * once.length);
    expect(new Set(twice.map((r) => JSON.stringify([r.instance, r.seed]))).size).toBe(twice.length);
    expect(warnings).toEqual([`dup: dropped ${2 * once.length} run(s) that repeat another run of the plan (a grid point given twice, or once more with its defaults spelt out)`]);
    const none: string[] = [];
    planRuns(e, (m) => none.push(m));
    expect(none).toEqual([]);
  });

  it("escape the control characters of an experiment's name", () => {
    expect(printable('a\u001b]0;pwned\u0007\u001b[2J\nb\u009bc\u2028')).toBe('a\\x1b]0;pwned\\x07\\x1b[2J\\nb\\x9bc\\u2028');
    const file = path.join(dir, 'evil.json');
    fs.writeFileSync(file, JSON.stringify({ ...e, name: 'evil\u001b]0;pwned\u0007\u001b[2J', grid: [{}, { inputSize: 2 }] }));
    const n = planRuns(e).length;
    return naluRun(['benchmark', file, '--dry-run']).then((r) => {
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`\n${n} runs\n$`));
      expect(r.err).toContain(`evil\\x1b]0;pwned\\x07\\x1b[2J: dropped ${n} run(s)`);
      expect(r.err + r.out).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    });
  }, 60_000);
});

describe('nalu benchmark and nalu summary', () => {
  const run = ['--task', 'single-module', '--ops', 'add', '--models', 'nau', '--seeds', '1', '--iterations', '300', '--eval-every', '100', '--interpolation', '[1,2]', '--extrapolation', '[2,6]', '--workers', '1', '--quiet'];
  const out = path.join(dir, 'r.jsonl');
  beforeAll(async () => {
    const a = await naluRun(['benchmark', ...run, '--threshold-samples', '100', '--out', out]);
    expect(a.code, a.err).toBe(0);
  }, 60_000);

  it('runs again what another --threshold-samples would judge differently; resumes the same', async () => {
    const b = await naluRun(['benchmark', ...run, '--threshold-samples', '200', '--out', out]);
    expect(b.code, b.err).toBe(0);
    expect(b.err).not.toMatch(/already in/);
    const rs = records(out);
    expect(rs.map((r) => r.thresholdSamples)).toEqual([100, 200]);
    expect(rs[0].threshold).not.toBe(rs[1].threshold);
    const c = await naluRun(['benchmark', ...run, '--threshold-samples', '200', '--out', out]);
    expect(c.err).toMatch(/1 of 1 runs already in/);
    expect(records(out)).toHaveLength(2);
  }, 90_000);

  it('count a run key once: a file given twice or a record appended twice', async () => {
    const one = path.join(dir, 'one.jsonl');
    const line = fs.readFileSync(out, 'utf8').split('\n')[0];
    fs.writeFileSync(one, `${line}\n${line}\n`);
    const r = await naluRun(['summary', one, one]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Single-module task: 1 runs/);
    expect(r.err).toMatch(/nalu summary: skipped 3 duplicate record\(s\)/);
  }, 60_000);

  it('skips an invalid record, naming file:line, and prints the table of the rest', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    const good = JSON.parse(fs.readFileSync(out, 'utf8').split('\n')[0]);
    fs.writeFileSync(
      bad,
      [good, { ...good, seed: 7, task: 'constructor' }, { ...good, seed: 8, solvedAt: -5 }, { ...good, seed: 9, best: 'x' }].map((r) => JSON.stringify(r)).join('\n') + '\n{"cut',
    );
    const r = await naluRun(['summary', bad]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Single-module task: 1 runs/);
    expect(r.out).not.toMatch(/function Object|native code/);
    expect(r.err).toContain(`${bad}:2: skipped (task: expected one of`);
    expect(r.err).toContain(`${bad}:3: skipped (solvedAt: expected null or a step in [0, 300], received -5)`);
    expect(r.err).toContain(`${bad}:4: skipped (best: expected an evaluation`);
    expect(r.err).toContain(`${bad}:5: skipped (`);
    expect(r.err).not.toMatch(/records\[/);
  }, 60_000);

  it('checks --plot before reading any record: a missing folder, a directory, a read-only file system', async () => {
    const nofolder = await naluRun(['summary', out, '--plot', path.join(dir, 'no', 'such', 'p.svg')]);
    expect(nofolder.code).toBe(2);
    expect(nofolder.err).toMatch(/--plot: folder .*no\/such does not exist/);
    const folder = path.join(dir, 'plots');
    fs.mkdirSync(folder);
    const isDir = await naluRun(['summary', out, '--plot', folder]);
    expect(isDir.code).toBe(2);
    expect(isDir.err).toMatch(/--plot: .*plots is not a regular file \(a directory\)/);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(fs.readdirSync(folder)).toEqual([]);
    for (const r of [nofolder, isDir]) expect(r.err).not.toMatch(/\n\s+at /);
  }, 60_000);

  it.skipIf(!haveMountNamespace)('refuses --plot on a read-only file system before the table, leaving nothing', async () => {
    const ro = path.join(dir, 'ro');
    fs.mkdirSync(ro);
    const mountRo = ['unshare', '-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$0" && mount -o remount,ro "$0" && exec "$@"', ro];
    const r = await naluRun(['summary', out, '--plot', path.join(ro, 'p.svg')], mountRo);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/--plot: .*ro.* (not writable|cannot write in folder .*: EROFS: read-only file system)/);
    expect(r.out).toBe('');
    expect(r.err).not.toMatch(/\n\s+at /);
  }, 60_000);
});
