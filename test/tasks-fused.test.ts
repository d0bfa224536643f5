// Fused runs (runGroup): every run of a group gets the record, field for field (but its seconds),
// and the weights (last and best) it gets trained alone; a run that goes non-finite stops alone;
// the benchmark's runner trains groups and resumes a group from the runs already in its file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { native } from '../lib/binding';
import { main } from '../lib/cli/main';
import { taskRegistry, type ArithmeticOp, type InstanceOverrides } from '../lib/tasks/arithmetic';
import { groupPlanned, loadExperiment, planRuns } from '../lib/tasks/experiment';
import { runGroup } from '../lib/tasks/group';
import { runArithmetic, runKey, type RunOptions, type RunOutput, type TaskEval } from '../lib/tasks/run';

const instance = (op: ArithmeticOp, o: InstanceOverrides = {}) => taskRegistry.get('static', 'task').instances(op, o)[0];
const short = { seed: 3, evalEvery: 50, evalSize: 700, thresholdSamples: 2000 };

/** The record without its timing, and the weights as plain arrays. */
function comparable(o: RunOutput) {
  const { seconds, ...record } = o.record;
  expect(seconds).toBeGreaterThanOrEqual(0);
  const plain = (ws: RunOutput['weights']) => ws.map((w) => ({ name: w.name, shape: w.shape, data: Array.from(w.data) }));
  return { record, weights: plain(o.weights), bestWeights: plain(o.bestWeights) };
}

async function expectFusedEqualsLone(runs: RunOptions[]) {
  const evals: TaskEval[][] = runs.map(() => []);
  const fused = await runGroup({ runs, onEval: (i, e) => evals[i].push(e) });
  expect(fused).toHaveLength(runs.length);
  for (let i = 0; i < runs.length; i++) {
    const loneEvals: TaskEval[] = [];
    const lone = await runArithmetic({ ...runs[i], onEval: (e) => loneEvals.push(e) });
    expect(comparable(fused[i]), `${runs[i].instance.op} ${runs[i].model}`).toEqual(comparable(lone));
    expect(evals[i]).toEqual(loneEvals);
  }
  return fused;
}

describe('runGroup', () => {
  it('gives every run the record and weights it gets alone (ops × models of both layouts, its own length)', { timeout: 120_000 }, async () => {
    const runs: RunOptions[] = [];
    for (const op of ['add', 'mul', 'div'] as const)
      for (const model of ['nau', 'nmu', 'linear', 'nac-mul', 'nalu', 'relu']) runs.push({ ...short, instance: instance(op), model, iterations: 300 });
    // A shorter run and one off the evaluation grid share the stream's first steps.
    runs.push({ ...short, instance: instance('sub'), model: 'nau', iterations: 120 });
    runs.push({ ...short, instance: instance('square'), model: 'nac-mul-nmu', iterations: 333, bestWindow: 3, epsilon: 1e-4 });
    const fused = await expectFusedEqualsLone(runs);
    expect(fused.every((o) => o.record.stopReason === 'completed')).toBe(true);
    expect(fused.at(-2)!.record.trained).toBe(120);
    expect(fused[0].record).toMatchObject({ isa: native.isa, threads: 1, cpu: expect.any(String) });
    expect(['avx512', 'avx2', 'baseline']).toContain(native.isa);
  });

  it('stops a run that goes non-finite alone; the others train on', { timeout: 120_000 }, async () => {
    // √ of a slice sum that is sometimes negative: NaN targets at some early step of √ only.
    const o = { interpolation: [[-1, 2.36]] as [number, number][] };
    const runs: RunOptions[] = ['nau', 'linear'].flatMap((model) =>
      (['sqrt', 'add'] as const).map((op) => ({ ...short, seed: 1, instance: instance(op, o), model, iterations: 200 })),
    );
    const fused = await expectFusedEqualsLone(runs);
    const sqrt = fused.filter((f) => f.record.op === 'sqrt').map((f) => f.record);
    expect(sqrt.map((r) => r.stopReason)).toEqual(['nonFinite', 'nonFinite']);
    expect(sqrt[0].trained).toBeGreaterThan(0);
    expect(sqrt[0].trained).toBeLessThan(200);
    expect(fused.filter((f) => f.record.op === 'add').map((f) => [f.record.stopReason, f.record.trained])).toEqual([['completed', 200], ['completed', 200]]);
  });

  it('stops every run on abort, and rejects with what onEval throws', { timeout: 60_000 }, async () => {
    const runs = (['add', 'mul'] as const).map((op) => ({ ...short, instance: instance(op), model: 'nau', iterations: 1e7 }));
    const ac = new AbortController();
    let seen = 0;
    const out = await runGroup({ runs, signal: ac.signal, onEval: () => ++seen === 4 && ac.abort() });
    expect(out.map((o) => o.record.stopReason)).toEqual(['aborted', 'aborted']);
    expect(out[0].record.trained).toBeLessThan(1e7);
    const boom = new Error('boom');
    await expect(runGroup({ runs, onEval: () => { throw boom; } })).rejects.toBe(boom);
  });

  it('refuses runs that cannot share a stream, naming the run and setting', async () => {
    const base = { ...short, instance: instance('add'), model: 'nau', iterations: 10 };
    await expect(runGroup({ runs: [] })).rejects.toThrow(RangeError);
    await expect(runGroup({ runs: [base, { ...base, seed: 4 }] })).rejects.toThrow(/^runs\[1\]\.seed: expected 3, runs\[0\]'s/);
    await expect(runGroup({ runs: [base, { ...base, batchSize: 64 }] })).rejects.toThrow(/^runs\[1\]\.batchSize: expected 128/);
    await expect(runGroup({ runs: [base, { ...base, evalEvery: 7 }] })).rejects.toThrow(/^runs\[1\]\.evalEvery/);
    await expect(runGroup({ runs: [base, { ...base, instance: instance('mul', { inputSize: 50 }) }] })).rejects.toThrow(/^runs\[1\]\.inputSize/);
    await expect(runGroup({ runs: [base, { ...base, model: 'nope' }] })).rejects.toThrow(/runs\[1\]\.model/);
    await expect(runGroup({ runs: [base, { ...base, iterations: -1 }] })).rejects.toThrow(/^runs\[1\]\.iterations/);
    await expect(runGroup({ runs: [base], onEval: 3 as never })).rejects.toThrow(TypeError);
    await expect(runGroup({ runs: [base, { ...base, onEval: () => {} } as never] })).rejects.toThrow(/^runs\[1\]: unknown option 'onEval'/);
    // The native entry point checks the same without the TS layer.
    const task = { name: 'arithmetic', op: 'add', inputSize: 100, subsetRatio: 0.25, overlapRatio: 0.5, interpolation: [[1, 2]] as [number, number][], extrapolation: [[2, 6]] as [number, number][], seed: 0 };
    const one = (seed: number, t: Record<string, unknown> = {}) => ({
      network: { inputDim: 100, layers: [{ type: 'nau', units: 1 }], loss: { type: 'mse' }, optimizer: { type: 'adam' } },
      task: { ...task, ...t } as typeof task,
      run: { iterations: 1, batchSize: 8, evalEvery: 1, validationSize: 8, testSize: 8, epsilon: 1e-5, thresholdSamples: 10, bestWindow: 1, seed },
    });
    expect(() => native.runTaskGroup({ runs: [one(0), one(1)] })).toThrow(/^runs\[1\]\.run: batchSize, evalEvery, validationSize, testSize and seed/);
    expect(() => native.runTaskGroup({ runs: [] })).toThrow(RangeError);
    expect(() => native.runTaskGroup({ runs: [one(0, { op: 'pow' })] })).toThrow(/^runs\[0\]\.task\.op: unknown operation 'pow'/);
    expect(() => native.runTaskGroup({ runs: [one(0, { name: 'nope' })] })).toThrow(/^runs\[0\]\.task\.name: unknown task 'nope', expected one of 'arithmetic'/);
    expect(() => native.runTaskGroup({ runs: [one(0, { size: 3 })] })).toThrow(/^runs\[0\]\.task\.size: not a parameter of the task 'arithmetic'/);
    expect(() => native.runTaskGroup({ runs: [one(0), one(0, { seed: 1 })] })).toThrow(/^runs\[1\]\.task: expected a task that draws the inputs of runs\[0\]'s/);
  });
});

describe('records', () => {
  it('name the machine outside the run key', async () => {
    const { record } = await runArithmetic({ ...short, instance: instance('add'), model: 'nau', iterations: 5 });
    expect(record).toMatchObject({ cpu: os.cpus()[0].model.trim(), isa: native.isa, threads: 1 });
    const { cpu, isa, threads, ...old } = record;
    expect(runKey(old)).toBe(runKey(record));
  });
});

describe('the benchmark runner', () => {
  let err = '';
  beforeEach(() => {
    err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  it("groups a plan by seed and instance, split to keep the workers busy", () => {
    const plan = planRuns({ ...loadExperiment('madsen2020-table1'), seeds: 2 });
    const groups = groupPlanned(plan);
    expect(groups.map((g) => g.length)).toEqual([66, 66]);
    expect(groups.map((g) => new Set(g.map((r) => r.seed)).size)).toEqual([1, 1]);
    const split = groupPlanned(plan, 5);
    expect(split.map((g) => g.length).sort()).toEqual([16, 17, 33, 33, 33]);
    expect(split.flat().map((r) => runKey({ ...r.instance, ...r, ...r.settings })).sort()).toEqual(plan.map((r) => runKey({ ...r.instance, ...r, ...r.settings })).sort());
  });

  it('trains groups, appends their records, and reruns only the runs a file lacks', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-fused-'));
    const file = path.join(dir, 'r.jsonl');
    try {
      const args = ['benchmark', '--ops', 'add,mul', '--models', 'nau,linear', '--seeds', '2', '--iterations', '60', '--eval-every', '20',
        '--threshold-samples', '1000', '--workers', '2', '--quiet', '--out', file];
      expect(await main(args)).toBe(0);
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(8);
      const keys = lines.map((l) => runKey(JSON.parse(l)));
      expect(new Set(keys).size).toBe(8);
      // A killed benchmark: three runs of one group and one of the other are lost.
      const kept = [lines[0], lines[4], lines[5], lines[6]];
      fs.writeFileSync(file, `${kept.join('\n')}\n`);
      err = '';
      expect(await main(args)).toBe(0);
      expect(err).toContain('4 of 8 runs already in');
      const again = fs.readFileSync(file, 'utf8').trim().split('\n');
      expect(again.slice(0, 4)).toEqual(kept);
      expect(again.map((l) => runKey(JSON.parse(l))).sort()).toEqual([...keys].sort());
      // The rerun runs are the ones lost, and the same records but their seconds.
      const bare = (l: string) => {
        const { seconds, ...r } = JSON.parse(l);
        return JSON.stringify(r);
      };
      expect(again.map(bare).sort()).toEqual(lines.map(bare).sort());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
