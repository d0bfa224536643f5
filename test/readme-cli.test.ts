// Every CLI line of the README (`npx nalu …`, or `nalu …` for a nalu on PATH) runs as printed in a
// consumer project: a fresh directory whose node_modules holds this checkout as nalu, as npm
// installs it, with tiny budgets appended (the last value of a repeated flag wins).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
// Commands: the lines of sh blocks, and in other blocks (a session: command, then output) those after a '$ '.
const shellLines = [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].flatMap((m) => {
  const first = readme.slice(0, m.index).split('\n').length + 1;
  return m[2].split('\n').flatMap((text, i) => (m[1] === 'sh' ? [{ text, line: first + i }] : text.startsWith('$ ') ? [{ text: text.slice(2), line: first + i }] : []));
});
const cliLines = shellLines
  .filter(({ text }) => /^(npx )?nalu /.test(text))
  .map(({ text, line }) => ({ line, args: text.replace(/\s+#.*$/, '').trim().replace(/^(npx )?nalu /, '').split(/\s+/) }));

// The sweep's lines need Redis and its optional packages: test/sweep.test.ts runs those commands on a real server.
const skipped = (args: string[]) => args[0] === 'sweep';

/** Budgets small enough for a test; the rest of the line is as printed. */
function tiny(args: string[]): string[] {
  if (args.includes('--help')) return args;
  if (args[0] === 'benchmark') return [...args, '--seeds', '1', '--iterations', '200', '--eval-every', '100', '--threshold-samples', '1000', '--quiet'];
  if (args[0] === 'train') return [...args, '--iterations', '200', '--quiet'];
  if (args[0] === 'sequential-mnist')
    return [...args, '--seeds', '1', '--reference-seeds', '2', '--epochs', '1', '--images-per-digit', '10', '--train-length', '2', '--test-lengths', '1', '--quiet'];
  return args;
}

const consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-consumer-'));
afterAll(() => fs.rmSync(consumer, { recursive: true, force: true }));

describe('the README CLI lines, in a consumer project', () => {
  it('finds them, and sets up the consumer project', () => {
    expect(cliLines.length).toBeGreaterThan(8);
    expect(cliLines.filter((l) => !skipped(l.args)).length).toBeGreaterThan(5);
    const bin = path.join(root, JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).bin.nalu);
    expect(fs.existsSync(bin), `${bin} is missing: npm run build:ts`).toBe(true);
    // The consumer: node_modules/nalu and its bin link, as npm lays them out; the results files the lines read.
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    fs.mkdirSync(path.join(consumer, 'node_modules', '.bin'), { recursive: true });
    fs.symlinkSync(root, path.join(consumer, 'node_modules', 'nalu'));
    fs.symlinkSync(path.join('..', 'nalu', path.relative(root, bin)), path.join(consumer, 'node_modules', '.bin', 'nalu'));
    for (const d of ['results', 'examples']) fs.cpSync(path.join(root, d), path.join(consumer, d), { recursive: true });
    fs.mkdirSync(path.join(consumer, 'docs'));
  });

  for (const { line, args } of cliLines)
    it.skipIf(skipped(args))(`README.md line ${line}: nalu ${args.join(' ')}`, { timeout: 600_000 }, () => {
      const r = spawnSync('npx', ['--no-install', 'nalu', ...tiny(args)], { cwd: consumer, encoding: 'utf8' });
      expect(r.status, `${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`).toBe(0);
      if (args[0] === 'summary') expect(r.stdout).toMatch(/\| Op +\| Model/);
      const plot = args[args.indexOf('--plot') + 1];
      if (args.includes('--plot')) expect(fs.statSync(path.join(consumer, plot)).size).toBeGreaterThan(1000);
    });
});
