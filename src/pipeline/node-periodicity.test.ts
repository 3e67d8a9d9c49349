import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeInThread } from '../detection/detect.ts';
import { nodeAnalysis } from './node.ts';

/** Over the threading threshold: a beacon, a jittered beacon and noise, long enough to go to the threads. */
const BIG_BATCH = `[0, 1, 2, 3].map((k) => Array.from({ length: 60_000 }, (_, i) => i * 300 + (k === 1 ? (i * 7919) % 40 : 0) + (k >= 2 ? ((i * i * 31) % 997) * k : 0)))`;

describe("the CLI's timing analysis", () => {
  it('shares a big batch with worker threads and answers exactly as this thread would', async () => {
    const analyze = nodeAnalysis().analyzePeriodicity!;
    const series = new Function(`return ${BIG_BATCH}`)() as number[][];
    const threaded = await analyze(series);
    expect(threaded).toEqual(await analyzeInThread(series));
    expect(threaded[0].periodic).toBe(true);
  }, 120_000);

  it('lets the process exit once the analysis is done (an idle thread keeps nothing alive)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-threads-'));
    try {
      const script = join(dir, 'analyse.mjs');
      writeFileSync(script, `const { nodeAnalysis } = await import(${JSON.stringify(new URL('./node.ts', import.meta.url).href)});
        const results = await nodeAnalysis().analyzePeriodicity(${BIG_BATCH});
        console.log('analysed', results.length);`);
      const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 90_000 });
      expect({ status: run.status, stdout: run.stdout.trim(), stderr: run.stderr.slice(0, 300) }).toEqual({ status: 0, stdout: 'analysed 4', stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
