import * as Comlink from 'comlink';
import type { AnalysisWorkerApi } from '../../workers/analysis.worker.ts';
import type { PeriodicityAnalyzer } from '../detection/detect.ts';

/** A PeriodicityAnalyzer that runs the timing maths in a worker, transferring the series as typed arrays. */
export function workerPeriodicityAnalyzer(): PeriodicityAnalyzer {
  let api: Comlink.Remote<AnalysisWorkerApi> | null = null;
  return async (series, options) => {
    api ??= Comlink.wrap<AnalysisWorkerApi>(
      new Worker(new URL('../../workers/analysis.worker.ts', import.meta.url), { type: 'module' }),
    );
    const arrays = series.map((times) => Float64Array.from(times));
    return api.analyzeBatch(Comlink.transfer(arrays, arrays.map((a) => a.buffer)), options);
  };
}
