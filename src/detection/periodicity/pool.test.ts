import { describe, expect, it } from 'vitest';
import { analyzeInThread } from '../detect.ts';
import { dealOut, pooledAnalyzer, type PeriodicityAnalyzer } from './pool.ts';

describe('pooledAnalyzer', () => {
  it('deals the longest series out first, each to the least loaded analyzer, every index once', () => {
    const shares = dealOut([10, 1000, 10, 500, 500, 10], 2);
    expect(shares.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(shares.find((share) => share.includes(1))).not.toContain(3);
    expect(shares.find((share) => share.includes(3))).toContain(4);
  });

  it('answers in batch order, whichever analyzer did the work, with the results of the plain analyzer', async () => {
    const series = [0, 1, 2, 3, 4].map((k) => Array.from({ length: 20 + 30 * k }, (_, i) => i * (60 + k) + (i % 3)));
    const calls: number[] = [];
    const recording = (id: number): PeriodicityAnalyzer => async (batch, options) => {
      calls.push(id);
      return analyzeInThread(batch, options);
    };
    const pooled = pooledAnalyzer([recording(0), recording(1)]);
    expect(await pooled(series)).toEqual(await analyzeInThread(series));
    expect(calls.sort()).toEqual([0, 1]);
  });
});
