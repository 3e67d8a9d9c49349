/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { analyzePeriodicity, type PeriodicityOptions, type PeriodicityResult } from '../src/detection/periodicity/index.ts';

/** Maths SQL does badly, run off the page thread: the same TypeScript the CLI runs in-process. */
const api = {
  analyzeBatch(series: Float64Array[], options?: Partial<PeriodicityOptions>): PeriodicityResult[] {
    return series.map((times) => analyzePeriodicity(Array.from(times), options));
  },
};

export type AnalysisWorkerApi = typeof api;
Comlink.expose(api);
