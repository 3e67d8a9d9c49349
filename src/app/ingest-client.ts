import * as Comlink from 'comlink';
import type { GeneratedLoad, IngestWorkerApi, IpcBatch, WorkerIngestOptions } from '../../workers/ingest.worker.ts';
import type { IngestProgress, SourceSummary } from '../core/ingest/pipeline.ts';

/** The page's handle on the ingest worker: parsing happens there, inserts happen through the engine facade. */
export class IngestClient {
  private readonly worker = new Worker(new URL('../../workers/ingest.worker.ts', import.meta.url), { type: 'module' });
  private readonly api = Comlink.wrap<IngestWorkerApi>(this.worker);

  run(
    files: { name: string; file: File }[],
    options: WorkerIngestOptions,
    onBatch: (batch: IpcBatch) => Promise<void>,
    onProgress: (p: IngestProgress) => void,
  ): Promise<SourceSummary[]> {
    return this.api.ingest(files, options, Comlink.proxy(onBatch), Comlink.proxy(onProgress));
  }

  demo(onBatch: (batch: IpcBatch) => Promise<void>, onProgress: (p: IngestProgress) => void): Promise<GeneratedLoad> {
    return this.api.ingestDemo(Comlink.proxy(onBatch), Comlink.proxy(onProgress));
  }

  cancel(): Promise<void> {
    return this.api.cancel();
  }
}
