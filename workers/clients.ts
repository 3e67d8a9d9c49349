/**
 * The page's handles on our Comlink workers, in one place: ingest (parsing to Arrow), analysis (timing maths)
 * and exercise packs. Each worker is started on first use; nothing here touches the DuckDB engine.
 */
import * as Comlink from 'comlink';
import type { GeneratedFiles, IngestWorkerApi, IpcBatch, WorkerIngestOptions } from './ingest.worker.ts';
import type { AnalysisWorkerApi } from './analysis.worker.ts';
import type { ExerciseWorkerApi, OpenedPackFiles } from './exercise.worker.ts';
import type { IngestProgress, SourceSummary } from '../src/core/ingest/pipeline.ts';
import type { PeriodicityAnalyzer } from '../src/detection/detect.ts';
import { pooledAnalyzer } from '../src/detection/periodicity/pool.ts';
import type { PackProgress, PackRequest, PackSummary } from '../src/exercise/pack.ts';

/** Parsing happens in the ingest worker; inserts happen through the engine facade on the page. */
export class IngestClient {
  private readonly worker = new Worker(new URL('./ingest.worker.ts', import.meta.url), { type: 'module' });
  private readonly api = Comlink.wrap<IngestWorkerApi>(this.worker);

  run(
    name: string,
    file: File,
    options: WorkerIngestOptions,
    onBatch: (batch: IpcBatch) => Promise<void>,
    onProgress: (p: IngestProgress) => void,
  ): Promise<SourceSummary[]> {
    return this.api.ingest(name, file, options, Comlink.proxy(onBatch), Comlink.proxy(onProgress));
  }

  /** The built-in demo's files, generated in the worker (the page then loads them like dropped files). */
  generateDemo(): Promise<GeneratedFiles> {
    return this.api.generateDemo();
  }

  cancel(): Promise<void> {
    return this.api.cancel();
  }
}

/** Analysis workers: the timing maths runs while the DuckDB worker waits, so one per core (two at most) is free. */
const ANALYSIS_WORKERS = Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1));

/**
 * A PeriodicityAnalyzer that runs the timing maths in workers (the batch shared out between them), transferring
 * the series as typed arrays.
 */
export function workerPeriodicityAnalyzer(): PeriodicityAnalyzer {
  return pooledAnalyzer(Array.from({ length: ANALYSIS_WORKERS }, () => oneWorkerAnalyzer()));
}

function oneWorkerAnalyzer(): PeriodicityAnalyzer {
  let api: Comlink.Remote<AnalysisWorkerApi> | null = null;
  return async (series, options) => {
    api ??= Comlink.wrap<AnalysisWorkerApi>(new Worker(new URL('./analysis.worker.ts', import.meta.url), { type: 'module' }));
    const arrays = series.map((times) => Float64Array.from(times));
    return api.analyzeBatch(Comlink.transfer(arrays, arrays.map((a) => a.buffer)), options);
  };
}

/** Exercise packs; `cancel` ends the worker (a fresh one starts on the next call). */
export class ExerciseClient {
  private worker: Worker | null = null;
  private api: Comlink.Remote<ExerciseWorkerApi> | null = null;

  private remote(): Comlink.Remote<ExerciseWorkerApi> {
    if (!this.api) {
      this.worker = new Worker(new URL('./exercise.worker.ts', import.meta.url), { type: 'module' });
      this.api = Comlink.wrap<ExerciseWorkerApi>(this.worker);
    }
    return this.api;
  }

  build(request: PackRequest, onProgress: (p: PackProgress) => void): Promise<{ zip: Blob; summary: PackSummary }> {
    return this.remote().build(request, Comlink.proxy(onProgress));
  }

  open(pack: Blob): Promise<OpenedPackFiles> {
    return this.remote().open(pack);
  }

  cancel(): void {
    this.worker?.terminate();
    this.worker = null;
    this.api = null;
  }
}
