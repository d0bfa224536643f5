// The process ends while native training threads run (issue 17): process.exit, an uncaught
// exception or an unhandled rejection during fits and task runs, the main thread leaving a
// worker_thread that fits, terminate() during a task run or inside a native fit call (issue 27).
// Every child must exit with its own code: never killed by a signal (SIGSEGV when OpenBLAS tears
// down under a running sgemm, SIGABRT from an error N-API cannot throw into a dying worker) and
// never hung (a task run's thread that nothing stops).
import { describe, expect, it } from 'vitest';
import { lastJson, runChild, type ChildResult } from './helpers/child';

const sanitized = !!process.env.NALU_SANITIZED;
const timeoutMs = sanitized ? 60_000 : 15_000;

const run = (scenario: string, threads = 2) => runChild('shutdown-child.ts', [scenario, String(threads)], { timeoutMs });

function outcome(r: ChildResult): string {
  return r.signal ? `signal ${r.signal}` : `exit ${r.code}`;
}

/** Runs a scenario `times` times, two at a time; returns the outcomes that were not `code`. */
async function repeat(scenario: string, threads: number, times: number, code: number): Promise<string[]> {
  const bad: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < times) {
      next++;
      const r = await run(scenario, threads);
      if (r.signal !== null || r.code !== code) bad.push(`${outcome(r)}: ${r.stderr.slice(-600)}`);
    }
  };
  await Promise.all([lane(), lane()]);
  return bad;
}

describe('shutdown while native training runs', () => {
  it('process.exit(3) while 8 fits run (setNumThreads(2), 10 times)', async () => {
    expect(await repeat('exit-fits', 2, 10, 3)).toEqual([]);
  });

  it('process.exit(3) while 8 fits run (setNumThreads(8), 4 times)', async () => {
    expect(await repeat('exit-fits', 8, 4, 3)).toEqual([]);
  });

  it('an uncaught exception and an unhandled rejection while fits run exit 1', async () => {
    const [thrown, rejected] = await Promise.all([run('throw-fits'), run('reject-fits')]);
    expect(outcome(thrown), thrown.stderr.slice(-2000)).toBe('exit 1');
    expect(thrown.stderr).toMatch(/uncaught while fitting/);
    expect(outcome(rejected), rejected.stderr.slice(-2000)).toBe('exit 1');
    expect(rejected.stderr).toMatch(/unhandled while fitting/);
  });

  it('process.exit inside onEpochEnd', async () => {
    const r = await run('exit-in-epoch');
    expect(outcome(r), r.stderr.slice(-2000)).toBe('exit 4');
  });

  it('process.exit and worker.terminate() while fits wait at an epoch end for their callbacks', async () => {
    const [exited, terminated] = await Promise.all([run('exit-paused'), run('terminate-paused')]);
    expect(outcome(exited), exited.stderr.slice(-2000)).toBe('exit 6');
    expect(outcome(terminated), terminated.stderr.slice(-2000)).toBe('exit 0');
    const rep = lastJson<{ terminateMs: number; code: number }>(terminated);
    expect(rep.code).toBe(1);
    expect(rep.terminateMs).toBeLessThan(2000);
  });

  it('the main thread exits (process.exit, or its loop ends) while a worker_thread fits', async () => {
    const [exited, left] = await Promise.all([run('worker-exit'), run('worker-leave')]);
    expect(outcome(exited), exited.stderr.slice(-2000)).toBe('exit 5');
    expect(outcome(left), left.stderr.slice(-2000)).toBe('exit 0');
  });

  it('process.exit(3) and an uncaught exception while tasks.runArithmetic runs', async () => {
    const [exited, thrown] = await Promise.all([run('exit-task'), run('throw-task')]);
    expect(outcome(exited), exited.stderr.slice(-2000)).toBe('exit 3');
    expect(outcome(thrown), thrown.stderr.slice(-2000)).toBe('exit 1');
    expect(thrown.stderr).toMatch(/uncaught while running a task/);
  });

  it('worker.terminate() inside a native fit call (its options read JS) does not abort the process', async () => {
    const r = await run('terminate-in-fit-call');
    expect(outcome(r), r.stderr.slice(-2000)).toBe('exit 0');
    expect(lastJson<{ code: number }>(r).code).toBe(1);
  });

  // A race (issue 27: SIGABRT, "terminate called after throwing an instance of 'Napi::Error'", in
  // about 1 of 17 terminations before NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS): 60 in a row.
  it('worker.terminate() just as fits with an event callback start, 60 times: never SIGABRT', async () => {
    const r = await runChild('shutdown-child.ts', ['terminate-starting', '2', '60'], { timeoutMs: 150_000 });
    expect(outcome(r), r.stderr.slice(-2000)).toBe('exit 0');
    expect(lastJson<{ terminated: number }>(r).terminated).toBe(60);
  }, 160_000);

  it('worker.terminate() during tasks.runArithmetic returns within 2 s', async () => {
    const r = await run('terminate-task');
    expect(outcome(r), r.stderr.slice(-2000)).toBe('exit 0');
    const rep = lastJson<{ terminateMs: number; code: number }>(r);
    expect(rep.code).toBe(1);
    expect(rep.terminateMs).toBeLessThan(2000);
  });
});
