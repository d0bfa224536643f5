// `nalu sweep collect`: appends each record of the completed group jobs whose run key is not yet in
// --out (so collecting again adds nothing), in the format `nalu summary` reads; reports failures.
import * as fs from 'node:fs';
import { endCutLine, readResults } from '../cli/summary';
import { recordError, runKey, type RunRecord } from '../tasks/run';
import { allJobs, openQueue } from './open';
import { jobIdOfKeys, jobLabel } from './runs';
import { SweepError } from './server';

export interface CollectResult {
  written: number;
  already: number;
  failed: { label: string; reason: string; attempts: number }[];
  pending: number;
  /** Jobs skipped: unreadable, or completed without valid records of their runs. */
  skipped: number;
}

export async function collect(o: { url: string; queue: string; out: string; log: (s: string) => void }): Promise<CollectResult> {
  const queue = await openQueue(o.url, o.queue, { mustExist: true });
  try {
    if (endCutLine(o.out)) o.log(`${o.out} ended in a cut line; it is skipped, and the new records start on a line of their own`);
    const have = new Set(readResults(o.out).map(runKey));
    const res: CollectResult = { written: 0, already: 0, failed: [], pending: 0, skipped: 0 };
    const skip = (m: string) => {
      res.skipped++;
      o.log(m);
    };
    const lines: string[] = [];
    for (const job of await allJobs(queue, 'completed', skip)) {
      // A group's records (a job queued before groups: one record), all of the job's runs.
      const rv = job.returnvalue as RunRecord[] | RunRecord;
      const rs = Array.isArray(rv) ? rv : [rv];
      const why =
        (rs.length ? undefined : 'no record') ??
        rs.map(recordError).find(Boolean) ??
        (jobIdOfKeys(rs.map(runKey)) === job.id ? undefined : 'its records are of other runs than the job');
      if (why) {
        skip(`skipped completed job ${job.id} (key ${queue.toKey(job.id!)}): its return value is not valid run records: ${why}`);
        continue;
      }
      for (const r of rs) {
        const key = runKey(r);
        if (have.has(key)) {
          res.already++;
          continue;
        }
        have.add(key);
        lines.push(`${JSON.stringify(r)}\n`);
      }
    }
    // One append of whole lines: a crash leaves at worst a cut last line, which the next collect ends.
    try {
      if (lines.length) fs.appendFileSync(o.out, lines.join(''));
    } catch (e) {
      throw new SweepError(`cannot append ${lines.length} record(s) to ${o.out}: ${String((e as Error).message).split(', ')[0]}; collect again once it can be written (a cut last line is ended then)`);
    }
    res.written = lines.length;
    for (const job of await allJobs(queue, 'failed', skip))
      res.failed.push({ label: jobLabel(job.data), reason: job.failedReason ?? '?', attempts: job.attemptsMade });
    const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    res.pending = Object.values(c).reduce((a, b) => a + b, 0);
    o.log(
      `wrote ${res.written} new record(s) to ${o.out}; ${res.already} were there already; ${res.pending} run(s) still to go, ${res.failed.length} failed` +
        (res.skipped ? `, ${res.skipped} job(s) skipped (above)` : ''),
    );
    for (const f of res.failed) o.log(`failed: ${f.label} after ${f.attempts} attempt(s): ${f.reason}`);
    return res;
  } finally {
    await queue.close();
  }
}
