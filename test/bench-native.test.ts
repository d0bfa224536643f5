// The native timers behind `npm run bench`: they time what they say and refuse bad sizes.
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';

describe('native benchmark timers', () => {
  it('benchSgemm and benchStepProducts return one positive, finite time per repetition', () => {
    for (const secs of [native.benchSgemm(64, 3), native.benchStepProducts(16, 8, 4, 3), native.benchStepProducts(512, 64, 64, 2)]) {
      expect(secs.length).toBeGreaterThan(1);
      for (const s of secs) expect(s > 0 && Number.isFinite(s)).toBe(true);
    }
  });

  it('a bigger step takes longer: the products are really run', () => {
    const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
    // 1024× the multiply-adds; even a noisy machine keeps that ordering.
    expect(med(native.benchStepProducts(256, 128, 128, 5))).toBeGreaterThan(med(native.benchStepProducts(16, 16, 16, 5)));
  });

  it('refuses sizes and repetition counts out of range, naming the argument', () => {
    expect(() => native.benchStepProducts(0, 8, 4, 3)).toThrow(RangeError);
    expect(() => native.benchStepProducts(0, 8, 4, 3)).toThrow(/batch/);
    expect(() => native.benchStepProducts(8, 8.5, 4, 3)).toThrow(/inputs/);
    expect(() => native.benchStepProducts(8, 8, 70000, 3)).toThrow(/units/);
    expect(() => native.benchStepProducts(8, 8, 4, 0)).toThrow(/reps/);
    expect(() => native.benchStepProducts(65536, 65536, 1, 1)).toThrow(/2\^31/);
    expect(() => native.benchStepProducts(1, 65536, 65536, 1)).toThrow(/2\^31/);
    expect(() => native.benchStepProducts('8' as never, 8, 4, 3)).toThrow(TypeError);
    expect(() => native.benchSgemm(0, 1)).toThrow(/n: expected an integer/);
  });
});
