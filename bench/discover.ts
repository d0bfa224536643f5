// The bench's discover section (npm run bench -- --discover runs it alone): restarts against single
// fits (issue 26: n restarts in ≤ 1.5 × ⌈n / cores⌉ single fits' time), and `nalu discover` on a
// 10,000-row CSV of 5 input columns through its default ladder (≤ 60 s on 2 cores).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Adam, NAU, NMU, Sequential, getNumThreads, tensor } from '../lib/index';
import { fitRestarts } from '../lib/restarts';

export interface DiscoverBench {
  cores: number;
  /** Seconds of one fit of the README's NAU → NMU (median of 3), and its process CPU-seconds. */
  singleFitSeconds: number;
  singleFitCpuSeconds: number;
  restarts: number;
  /** Seconds of fitRestarts with `restarts` seeds, concurrency = cores, and its process CPU-seconds. */
  restartsSeconds: number;
  restartsCpuSeconds: number;
  /** restartsSeconds / (⌈restarts / cores⌉ × singleFitSeconds); the issue's bound is 1.5. */
  ratio: number;
  /** Wall seconds of `nalu discover` (the CLI in a child process) on the 10,000-row CSV. */
  discoverSeconds: number;
  /** Its first-ranked formula and whether it is exact. */
  discoverFormula: string;
  discoverExact: boolean;
  /** The 1-minute load average when the section started. */
  loadAverage: number;
}

/** (x0 + x1)·x2 on U[1, 2], as the README's example. */
function readmeData(rows: number): [ReturnType<typeof tensor>, ReturnType<typeof tensor>] {
  let s = 1;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = Float32Array.from({ length: rows * 3 }, () => 1 + r());
  const y = Float32Array.from({ length: rows }, (_, i) => (x[3 * i] + x[3 * i + 1]) * x[3 * i + 2]);
  return [tensor(x, [rows, 3]), tensor(y, [rows, 1])];
}

function readmeModel(seed: number): Sequential {
  const m = new Sequential([new NAU({ units: 2, inputDim: 3, seed }), new NMU({ units: 1, seed: seed + 100 })]);
  m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
  return m;
}

export async function discoverBench(log: (line: string) => void): Promise<DiscoverBench> {
  const cores = getNumThreads();
  const loadAverage = os.loadavg()[0];
  // A fit of about a second, long beside a thread's start.
  const [x, y] = readmeData(4096);
  const fitArgs = { epochs: 3000, batchSize: 64, explain: false as const };
  /** [wall, CPU] seconds of fitRestarts with n restarts. */
  const timed = async (n: number, seed: number) => {
    const t = performance.now(), c = process.cpuUsage();
    (await fitRestarts(readmeModel, x, y, { ...fitArgs, restarts: n, seed })).model.dispose();
    const u = process.cpuUsage(c);
    return [(performance.now() - t) / 1000, (u.user + u.system) / 1e6];
  };
  const singles: number[][] = [];
  for (let i = 0; i < 3; i++) singles.push(await timed(1, i));
  const [singleFitSeconds, singleFitCpuSeconds] = singles.sort((a, b) => a[0] - b[0])[1];
  const restarts = 2 * cores;
  const [restartsSeconds, restartsCpuSeconds] = await timed(restarts, 10);
  const ratio = restartsSeconds / (Math.ceil(restarts / cores) * singleFitSeconds);
  log(`  restarts: one fit ${singleFitSeconds.toFixed(2)} s (CPU ${singleFitCpuSeconds.toFixed(2)} s), ${restarts} restarts ${restartsSeconds.toFixed(2)} s (CPU ${restartsCpuSeconds.toFixed(2)} s) on ${cores} threads, ratio ${ratio.toFixed(2)}`);

  // 10,000 rows of a, b, c, d, e in [1, 2] and y = (a + b)·c.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-bench-discover-'));
  try {
    const file = path.join(dir, 'data.csv');
    let s = 7;
    const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const lines = ['a,b,c,d,e,y'];
    for (let i = 0; i < 10000; i++) {
      const v = Array.from({ length: 5 }, () => Number((1 + r()).toFixed(6)));
      lines.push(`${v.join(',')},${(v[0] + v[1]) * v[2]}`);
    }
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const t0 = performance.now();
    const p = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'lib', 'cli', 'main.ts'), 'discover', file, '--target', 'y', '--json', '--quiet'], {
      encoding: 'utf8',
      env: process.env,
    });
    const discoverSeconds = (performance.now() - t0) / 1000;
    if (p.status !== 0) throw new Error(`nalu discover exited with ${p.status}: ${p.stderr}`);
    const first = JSON.parse(p.stdout.split('\n')[0]) as { formula: string; exact: boolean };
    log(`  discover: 10,000 rows × 5 input columns, default ladder: ${discoverSeconds.toFixed(1)} s, ${first.formula} (exact: ${first.exact})`);
    return { loadAverage, cores, singleFitSeconds, singleFitCpuSeconds, restarts, restartsSeconds, restartsCpuSeconds, ratio, discoverSeconds, discoverFormula: first.formula, discoverExact: first.exact };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The section's markdown lines. */
export function discoverSection(d: DiscoverBench): string[] {
  const ok = (b: boolean) => (b ? 'met' : 'missed');
  return [
    '**Restarts and `nalu discover`** (issue 26)',
    '',
    '| what | seconds | CPU-seconds | target |',
    '| --- | ---: | ---: | --- |',
    `| one fit: NAU(3→2)→NMU(2→1), 4,096 rows, 3,000 epochs of batch 64 (median of 3) | ${d.singleFitSeconds.toFixed(2)} | ${d.singleFitCpuSeconds.toFixed(2)} | |`,
    `| fitRestarts, ${d.restarts} restarts, ${d.cores} at a time | ${d.restartsSeconds.toFixed(2)} | ${d.restartsCpuSeconds.toFixed(2)} | ≤ 1.5 × ⌈${d.restarts} / ${d.cores}⌉ single fits: ${d.ratio.toFixed(2)} ×, ${ok(d.ratio <= 1.5)}; CPU-seconds ${(d.restartsCpuSeconds / (d.restarts * d.singleFitCpuSeconds)).toFixed(2)} × ${d.restarts} single fits' |`,
    `| \`nalu discover\` on 10,000 rows × 5 input columns, y = (a + b)·c, default ladder (CLI start included); first-ranked: \`${d.discoverFormula}\`${d.discoverExact ? ', exact' : ', not exact'} | ${d.discoverSeconds.toFixed(1)} | | ≤ 60 s on 2 cores: ${ok(d.discoverSeconds <= 60)}${d.cores !== 2 ? ` (measured on ${d.cores})` : ''} |`,
    '',
    `Load average ${d.loadAverage.toFixed(1)} at the start of the section: restarts finish in the time of ⌈n / cores⌉ fits only when the cores are free (under Linux's autogroup scheduling, a busy host gives the process's threads one session's share).`,
  ];
}
