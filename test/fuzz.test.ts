// Seeded fuzz of every public function, every public class method and every raw binding export
// (test/fixtures/fuzz-child.ts), in child processes: a crash fails the test with its signal.
import { describe, expect, it } from 'vitest';
import { lastJson, runChild } from './helpers/child';

interface FuzzReport {
  calls: number;
  ok: number;
  typed: number;
  busyCalls: number;
  bad: string[];
  maxRssMB: number;
}

const sanitized = !!process.env.NALU_SANITIZED;

describe('fuzz', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: no crash, every failure a typed error naming its argument, nothing huge allocated`, async () => {
      const r = await runChild('fuzz-child.ts', [String(seed), sanitized ? '800' : '2500'], { timeoutMs: 50_000 });
      expect(r.signal, r.stderr.slice(-3000)).toBeNull();
      expect(r.code, r.stderr.slice(-3000)).toBe(0);
      const rep = lastJson<FuzzReport>(r);
      expect(rep.bad).toEqual([]);
      // Both outcomes are exercised, and calls really ran during a fit.
      expect(rep.ok).toBeGreaterThan(rep.calls / 5);
      expect(rep.typed).toBeGreaterThan(rep.calls / 5);
      expect(rep.busyCalls).toBeGreaterThan(20);
      // Inputs claim up to 10^18 elements and layers of 2^24 × 2^24: none of that is allocated.
      if (!sanitized) expect(rep.maxRssMB).toBeLessThan(1024);
    });
  }
});
