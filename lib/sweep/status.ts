// `nalu sweep status`: the queue's counts, its pace (runs a second over the latest completions),
// an ETA, the live workers (BullMQ getWorkers: their Redis connections) and what each is running.
import { fmt } from '../cli/progress';
import { allJobs, jobsIn, openQueue } from './open';
import { jobLabel } from './runs';
import type { Queue } from 'bullmq';

export interface StatusResult {
  counts: Record<string, number>;
  runsPerSecond: number;
  etaSeconds: number;
  workers: string[];
}

async function snapshot(queue: Queue, name: string, onBad: (m: string) => void): Promise<{ text: string; res: StatusResult; total: number; done: number }> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
  const waiting = counts.waiting + counts.prioritized;
  const left = waiting + counts.delayed + counts.active;
  // The pace of the latest (up to 100) completions within the last hour.
  const recent = (await jobsIn(queue, 'completed', 0, 99, false, onBad)).jobs.filter((j) => j.finishedOn && j.finishedOn > Date.now() - 3600_000);
  // k runs done between the first one's start and the last one's end (parallel workers count).
  let rate = NaN;
  if (recent.length) {
    const from = Math.min(...recent.map((j) => j.processedOn ?? j.finishedOn!));
    const to = Math.max(...recent.map((j) => j.finishedOn!));
    if (to > from) rate = recent.length / ((to - from) / 1000);
  }
  const eta = left === 0 ? 0 : rate > 0 ? left / rate : NaN;
  const clients = await queue.getWorkers();
  const byName = new Map<string, Record<string, string>>();
  for (const c of clients as Record<string, string>[]) {
    // rawname is the connection's name: bull:<base64 queue>[:w:<worker name>].
    const raw = String(c.rawname ?? c.name ?? '?');
    const n = raw.includes(':w:') ? raw.slice(raw.indexOf(':w:') + 3) : '(unnamed)';
    if (!byName.has(n)) byName.set(n, c);
  }
  const active = await allJobs(queue, 'active', onBad);
  const lines = [
    `queue '${name}': ${counts.waiting + counts.prioritized} waiting, ${counts.active} active, ${counts.completed} completed, ${counts.failed} failed` +
      (counts.delayed ? `, ${counts.delayed} delayed (retrying)` : ''),

    `pace ${Number.isFinite(rate) ? `${rate.toPrecision(3)} runs/s (${(rate * 60).toPrecision(3)}/min)` : '-- (no run completed in the last hour)'}; ETA ${fmt(eta)}`,
    `workers (${byName.size} connected):`,
  ];
  for (const [n, c] of byName) {
    const mine = active.filter((j) => j.processedBy === n);
    const runs = mine.map((j) => `${jobLabel(j.data)} ${typeof j.progress === 'number' ? `${(100 * j.progress).toFixed(0)}%` : ''}`.trim());
    lines.push(`  ${n}  ${c.addr ?? ''}  connected ${fmt(Number(c.age))}  ${runs.length ? `running ${runs.join(', ')}` : 'idle'}`);
  }
  const orphans = active.filter((j) => !j.processedBy || !byName.has(j.processedBy));
  if (orphans.length) lines.push(`  ${orphans.length} active run(s) of no connected worker (back in the queue when their locks expire): ${orphans.map((j) => jobLabel(j.data)).join(', ')}`);
  const total = left + counts.completed + counts.failed;
  return { text: lines.join('\n'), res: { counts, runsPerSecond: rate, etaSeconds: eta, workers: [...byName.keys()] }, total, done: counts.completed + counts.failed };
}

function bar(done: number, total: number): string {
  const f = total ? done / total : 1;
  const width = 30;
  return `${'█'.repeat(Math.round(f * width)).padEnd(width, '░')} ${(f * 100).toFixed(1).padStart(5)}%  ${done}/${total} runs`;
}

export async function status(o: { url: string; queue: string; watch: number; out: NodeJS.WriteStream; log: (s: string) => void }): Promise<StatusResult> {
  const queue = await openQueue(o.url, o.queue, { mustExist: true });
  try {
    const tty = Boolean(o.out.isTTY);
    let lines = 0;
    // A bad job is told once, not at every --watch.
    const told = new Set<string>();
    const onBad = (m: string) => told.has(m) || (told.add(m), o.log(m));
    for (;;) {
      const s = await snapshot(queue, o.queue, onBad);
      let text = s.text;
      if (tty) text += `\n${bar(s.done, s.total)}`;
      if (tty && lines) o.out.write(`\x1b[${lines}A\x1b[J`);
      o.out.write(`${text}\n`);
      lines = text.split('\n').length;
      const left = s.total - s.done;
      if (!o.watch || left === 0) return s.res;
      await new Promise((r) => setTimeout(r, o.watch * 1000));
    }
  } finally {
    await queue.close();
  }
}
