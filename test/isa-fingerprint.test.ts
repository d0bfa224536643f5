// What is bit-identical across builds (the README's Reproducibility): scripts/fingerprint.js on the
// default build (kernel clones picked by CPU) and on single-ISA builds (scripts/test-isa.sh makes
// them). Runs only when NALU_ISA_BUILDS names them ("name=path,…"); `npm run test:isa` does.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const builds = (process.env.NALU_ISA_BUILDS ?? '')
  .split(',')
  .filter(Boolean)
  .map((b) => {
    const [name, file] = b.split('=');
    return { name, file: path.resolve(root, file) };
  });
const cpu = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
// The ISA each single-ISA build needs; the default build runs anywhere.
const needs: Record<string, string> = { 'x86-64-v4': 'avx512f', 'x86-64-v3': 'avx2', 'x86-64': '' };
const runnable = (name: string) => !(name in needs) || new RegExp(`\\b${needs[name]}\\b`).test(cpu);

/** case name → sha256 of its weights and losses. */
function fingerprint(file: string): Map<string, string> {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'fingerprint.js')], {
    encoding: 'utf8',
    env: { ...process.env, NALU_NATIVE_PATH: file },
    maxBuffer: 1 << 26,
  });
  expect(r.status, r.stderr).toBe(0);
  return new Map(r.stdout.trim().split('\n').map((l) => [l.slice(66), l.slice(0, 64)]));
}

describe.skipIf(builds.length < 2)('fingerprints of the ISA builds', () => {
  const prints = new Map<string, Map<string, string>>();

  it('runs the fingerprint on every build this CPU can run', { timeout: 3_600_000 }, () => {
    for (const b of builds) {
      if (!runnable(b.name)) {
        console.log(`isa-fingerprint: ${b.name} skipped, this CPU lacks ${needs[b.name]}`);
        continue;
      }
      expect(fs.existsSync(b.file), b.file).toBe(true);
      prints.set(b.name, fingerprint(b.file));
    }
    expect(prints.size).toBeGreaterThanOrEqual(2);
  });

  it('is bit-identical when the same build runs again', { timeout: 3_600_000 }, () => {
    const first = builds.find((b) => prints.has(b.name))!;
    expect(fingerprint(first.file)).toEqual(prints.get(first.name));
  });

  it('documents which builds agree (the README states it)', () => {
    const names = [...prints.keys()];
    const cases = [...prints.get(names[0])!.keys()].filter((c) => !c.startsWith('overall'));
    const agree = (a: string, b: string) => cases.filter((c) => prints.get(a)!.get(c) === prints.get(b)!.get(c)).length;
    const lines: string[] = [];
    for (let i = 0; i < names.length; i++)
      for (let j = i + 1; j < names.length; j++) lines.push(`${names[i]} vs ${names[j]}: ${agree(names[i], names[j])} of ${cases.length} cases bit-identical`);
    console.log(`isa-fingerprint:\n  ${lines.join('\n  ')}`);
    // Baseline x86-64 (no FMA) rounds differently from the default build's AVX2 or AVX-512 clones.
    if (prints.has('default') && prints.has('x86-64') && /\bavx2\b/.test(cpu)) expect(agree('default', 'x86-64')).toBeLessThan(cases.length);
  });
});
