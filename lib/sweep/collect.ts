// `nalu sweep collect`: appends each record of the completed group jobs whose run key is not yet in
// --out (so collecting again adds nothing), in the format `nalu summary` reads; reports failures.
import * as fs from 'node:fs';
import { endCutLine, readResults } from '../cli/summary';
import { runKey, type RunRecord } from '../tasks/run';
import { allJobs, openQueue } from './open';
import { jobLabel } from './runs';

export interface CollectResult {
  written: number;
  already: number;
  failed: { label: string; reason: string; attempts: number }[];
  pending: number;
}

export async function collect(o: { url: string; queue: string; out: string; log: (s: string) => void }): Promise<CollectResult> {
  const queue = await openQueue(o.url, o.queue);
  try {
    if (endCutLine(o.out)) o.log(`${o.out} ended in a cut line; it is skipped, and the new records start on a line of their own`);
    const have = new Set(readResults(o.out).map(runKey));
    const res: CollectResult = { written: 0, already: 0, failed: [], pending: 0 };
    const lines: string[] = [];
    for (const job of await allJobs(queue, 'completed')) {
      // A group's records (a job queued before groups: one record).
      const rv = job.returnvalue as RunRecord[] | RunRecord | null;
      for (const r of Array.isArray(rv) ? rv : [rv]) {
        if (!r || typeof r !== 'object' || typeof r.task !== 'string' || typeof r.success !== 'boolean') {
          o.log(`skipped ${job.name} (${job.id}): its return value is not a run record`);
          continue;
        }
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
    if (lines.length) fs.appendFileSync(o.out, lines.join(''));
    res.written = lines.length;
    for (const job of await allJobs(queue, 'failed'))
      res.failed.push({ label: job.data ? jobLabel(job.data) : job.name, reason: job.failedReason ?? '?', attempts: job.attemptsMade });
    const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    res.pending = Object.values(c).reduce((a, b) => a + b, 0);
    o.log(`wrote ${res.written} new record(s) to ${o.out}; ${res.already} were there already; ${res.pending} run(s) still to go, ${res.failed.length} failed`);
    for (const f of res.failed) o.log(`failed: ${f.label} after ${f.attempts} attempt(s): ${f.reason}`);
    return res;
  } finally {
    await queue.close();
  }
}
