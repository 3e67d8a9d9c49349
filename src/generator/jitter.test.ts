import { describe, expect, it } from 'vitest';
import { SECOND_US } from './clock.ts';
import { beaconTimes, sleepInterval } from './jitter.ts';
import { Rng, seedFrom } from './random.ts';

const PERIOD_US = 600 * SECOND_US;

function stats(xs: number[]): { mean: number; sd: number; min: number; max: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}

function intervals(model: 'uniform' | 'cobalt' | 'gaussian', jitter: number, n = 20_000): number[] {
  const rng = new Rng(42);
  return Array.from({ length: n }, () => sleepInterval(rng, PERIOD_US, model, jitter) / PERIOD_US);
}

describe('random stream', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    const a = new Rng(seedFrom(1, 'x'));
    const b = new Rng(seedFrom(1, 'x'));
    const c = new Rng(seedFrom(2, 'x'));
    const seqA = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(seqA);
  });

  it('gives uniform numbers in [0, 1) with mean near 1/2', () => {
    const rng = new Rng(7);
    const xs = Array.from({ length: 50_000 }, () => rng.next());
    const s = stats(xs);
    expect(s.min).toBeGreaterThanOrEqual(0);
    expect(s.max).toBeLessThan(1);
    expect(s.mean).toBeCloseTo(0.5, 2);
    expect(s.sd).toBeCloseTo(1 / Math.sqrt(12), 2);
  });
});

describe('jitter models', () => {
  it('uniform ±j stays within T(1±j) with sd j/√3', () => {
    const s = stats(intervals('uniform', 0.5));
    expect(s.min).toBeGreaterThanOrEqual(0.5);
    expect(s.max).toBeLessThanOrEqual(1.5);
    expect(s.mean).toBeCloseTo(1, 2);
    expect(s.sd).toBeCloseTo(0.5 / Math.sqrt(3), 2);
  });

  it('Cobalt-Strike style never exceeds T and averages T(1 − j/2)', () => {
    const s = stats(intervals('cobalt', 0.3));
    expect(s.max).toBeLessThanOrEqual(1);
    expect(s.min).toBeGreaterThanOrEqual(0.7);
    expect(s.mean).toBeCloseTo(0.85, 2);
  });

  it('Gaussian has sd σ', () => {
    const s = stats(intervals('gaussian', 0.2));
    expect(s.mean).toBeCloseTo(1, 2);
    expect(s.sd).toBeCloseTo(0.2, 2);
  });

  it('no jitter gives exactly the period', () => {
    expect(new Set(intervals('uniform', 0, 100))).toEqual(new Set([1]));
  });
});

describe('beacon schedule', () => {
  it('drops about the missing rate of check-ins', () => {
    const day = 86_400 * SECOND_US;
    const full = beaconTimes(new Rng(1), { periodS: 60, model: 'uniform', jitter: 0.1, missingRate: 0 }, 0, day);
    const sparse = beaconTimes(new Rng(1), { periodS: 60, model: 'uniform', jitter: 0.1, missingRate: 0.8 }, 0, day);
    expect(full.length).toBeGreaterThan(1400);
    expect(full.length).toBeLessThan(1480);
    expect(sparse.length / full.length).toBeGreaterThan(0.17);
    expect(sparse.length / full.length).toBeLessThan(0.23);
  });

  it('only checks in inside the active windows', () => {
    const hour = 3600 * SECOND_US;
    const windows = [{ start: 9 * hour, end: 17 * hour }, { start: 33 * hour, end: 41 * hour }];
    const activeFrom = (t: number): number => {
      for (const w of windows) {
        if (t < w.start) return w.start;
        if (t < w.end) return t;
      }
      return Infinity;
    };
    const times = beaconTimes(new Rng(3), { periodS: 300, model: 'gaussian', jitter: 0.2, missingRate: 0 }, 0, 48 * hour, activeFrom);
    expect(times.length).toBeGreaterThan(150);
    for (const t of times) expect(windows.some((w) => t >= w.start && t < w.end)).toBe(true);
  });
});
