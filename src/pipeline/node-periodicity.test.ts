import { describe, expect, it } from 'vitest';
import { analyzeInThread } from '../detection/detect.ts';
import { nodeAnalysis } from './node.ts';

describe("the CLI's timing analysis", () => {
  it('shares a big batch with worker threads and answers exactly as this thread would', async () => {
    const analyze = nodeAnalysis().analyzePeriodicity!;
    // Over the threading threshold: a beacon, a jittered beacon and noise, long enough to go to the threads.
    const series = [0, 1, 2, 3].map((k) => Array.from({ length: 60_000 }, (_, i) => i * 300 + (k === 1 ? (i * 7919) % 40 : 0) + (k >= 2 ? ((i * i * 31) % 997) * k : 0)));
    const threaded = await analyze(series);
    expect(threaded).toEqual(await analyzeInThread(series));
    expect(threaded[0].periodic).toBe(true);
  }, 120_000);
});
