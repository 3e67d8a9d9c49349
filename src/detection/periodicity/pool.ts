/**
 * Spreads one batch of timing analyses over several analyzers (worker threads or web workers) and puts the results
 * back in batch order. The maths of a series costs about its length times the log of it, so series are dealt out
 * longest first to whichever analyzer has the least work so far.
 */
import type { PeriodicityOptions, PeriodicityResult } from './index.ts';

/** Timing analysis of many series at once (in this thread, worker threads or web workers). */
export type PeriodicityAnalyzer = (series: readonly (readonly number[])[], options?: Partial<PeriodicityOptions>) => Promise<PeriodicityResult[]>;

export function pooledAnalyzer(analyzers: readonly PeriodicityAnalyzer[]): PeriodicityAnalyzer {
  if (analyzers.length === 0) throw new Error('pooledAnalyzer needs at least one analyzer');
  if (analyzers.length === 1) return analyzers[0];
  return async (series, options) => {
    const shares = dealOut(series.map((times) => times.length), analyzers.length);
    const answers = await Promise.all(shares.map((indices, k) => (indices.length ? analyzers[k](indices.map((i) => series[i]), options) : [])));
    const results: PeriodicityResult[] = new Array(series.length);
    shares.forEach((indices, k) => indices.forEach((i, j) => (results[i] = answers[k][j])));
    return results;
  };
}

/** Batch indices per analyzer, balanced by series length (longest first, each to the least loaded). */
export function dealOut(lengths: readonly number[], analyzers: number): number[][] {
  const shares: number[][] = Array.from({ length: analyzers }, () => []);
  const load = new Array<number>(analyzers).fill(0);
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  for (const i of order) {
    const k = load.indexOf(Math.min(...load));
    shares[k].push(i);
    load[k] += Math.max(lengths[i], 1) * Math.log2(Math.max(lengths[i], 2));
  }
  for (const share of shares) share.sort((a, b) => a - b);
  return shares;
}
