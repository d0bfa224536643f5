// The native timers behind `npm run bench`: they time what they say and refuse bad sizes.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { native } from '../lib/binding';

describe('native benchmark timers', () => {
  it('benchSgemm and benchStepProducts return one positive, finite time per repetition', () => {
    for (const secs of [native.benchSgemm(64, 3), native.benchStepProducts(16, 8, 4, 3), native.benchStepProducts(512, 64, 64, 2), native.benchStepProducts(64, 100, 2, 3, true)]) {
      expect(secs.length).toBeGreaterThan(1);
      for (const s of secs) expect(s > 0 && Number.isFinite(s)).toBe(true);
    }
  });

  it('a bigger step takes longer: the products are really run', () => {
    const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
    // 1024× the multiply-adds; even a noisy machine keeps that ordering.
    expect(med(native.benchStepProducts(256, 128, 128, 5))).toBeGreaterThan(med(native.benchStepProducts(16, 16, 16, 5)));
    expect(med(native.benchStepProducts(256, 128, 128, 5, true))).toBeGreaterThan(med(native.benchStepProducts(16, 16, 16, 5, true)));
  });

  it("benchOpenblasCore names OpenBLAS's kernels", () => {
    expect(native.benchOpenblasCore()).toMatch(/^[A-Za-z][A-Za-z0-9_]+$/);
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
    expect(() => native.benchStepProducts(8, 8, 4, 3, 1 as never)).toThrow(/^featureMajor: expected a boolean/);
    expect(() => native.benchSgemm(0, 1)).toThrow(/n: expected an integer/);
  });

  it('benchCore measures a plausible clock, FMA rate and copy bandwidth', () => {
    const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
    const hz = med(native.benchCore('clock', 3));
    expect(hz).toBeGreaterThan(2e8);
    expect(hz).toBeLessThan(1e10);
    // Multiply-adds a cycle: at least one scalar, at most four 16-lane pipes.
    const fma = med(native.benchCore('fma', 3)) / hz;
    expect(fma).toBeGreaterThan(0.5);
    expect(fma).toBeLessThan(64);
    const copy = native.benchCore('copy', 2, 64 << 10);
    expect(copy).toHaveLength(2);
    for (const r of copy) expect(r > 1e8 && Number.isFinite(r)).toBe(true);
  });

  it('benchCore runs the vector probes where the CPU has their instructions and refuses them elsewhere', () => {
    const flags = process.arch === 'x64' ? (/^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1].split(/\s+/) ?? []) : [];
    for (const [probe, needs] of [['fma512', ['avx512f']], ['fma256', ['avx2', 'fma']]] as const) {
      if (needs.every((f) => flags.includes(f))) expect(native.benchCore(probe, 1)[0]).toBeGreaterThan(1e8);
      else expect(() => native.benchCore(probe, 1)).toThrow(RangeError);
    }
  });

  it('benchCore refuses unknown probes, bad repetition counts and sizes, naming the argument', () => {
    const raw = native.benchCore as unknown as (...a: unknown[]) => number[];
    expect(() => raw(1, 1)).toThrow(TypeError);
    expect(() => raw(1, 1)).toThrow(/probe: expected one of 'clock'/);
    expect(() => raw('fma1024', 1)).toThrow(RangeError);
    expect(() => raw('fma1024', 1)).toThrow(/received 'fma1024'/);
    expect(() => native.benchCore('clock', 0)).toThrow(/reps/);
    expect(() => native.benchCore('clock', 1.5)).toThrow(/reps/);
    expect(() => raw('clock', 1, 4096)).toThrow(/bytes: expected undefined for probe 'clock'/);
    expect(() => raw('copy', 1)).toThrow(TypeError);
    expect(() => raw('copy', 1)).toThrow(/bytes/);
    expect(() => native.benchCore('copy', 1, 100)).toThrow(RangeError);
    expect(() => native.benchCore('copy', 1, 2 ** 31)).toThrow(/bytes/);
  });
});
