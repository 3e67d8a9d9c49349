import * as Comlink from 'comlink';
import type { ExerciseWorkerApi, OpenedPackFiles } from '../../../workers/exercise.worker.ts';
import type { PackProgress, PackRequest, PackSummary } from '../../exercise/pack.ts';

/** The page's handle on the exercise worker; `cancel` ends the worker (a fresh one starts on the next call). */
export class ExerciseClient {
  private worker: Worker | null = null;
  private api: Comlink.Remote<ExerciseWorkerApi> | null = null;

  private remote(): Comlink.Remote<ExerciseWorkerApi> {
    if (!this.api) {
      this.worker = new Worker(new URL('../../../workers/exercise.worker.ts', import.meta.url), { type: 'module' });
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
