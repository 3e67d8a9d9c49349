/**
 * The pipeline's parameters in the tab: inputs are the user's File objects, DuckDB-WASM reads a registered File
 * itself, and the line parser runs in the ingest worker, whose Arrow batches the page inserts.
 */
import type { IngestClient } from '../../workers/clients.ts';
import type { WasmEngine } from '../engine/wasm-engine.ts';
import type { AnalysisInput, EngineFileOpener, Loader } from './pipeline.ts';

export interface FileInput extends AnalysisInput {
  readonly file: File;
}

export function fileInput(name: string, file: File): FileInput {
  return {
    name,
    file,
    size: file.size,
    slice: async (start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer()),
    chunks: () => blobChunks(file),
  };
}

/** A Blob's bytes as the async chunks the ingest pipeline reads. */
export async function* blobChunks(blob: Blob): AsyncGenerator<Uint8Array> {
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

/** DuckDB-WASM reads a File registered under a unique name (its extension tells the CSV reader about gzip). */
export function wasmFileOpener(engine: WasmEngine): EngineFileOpener<FileInput> {
  let registered = 0;
  return async (input, gzip) => {
    const ref = `relaywatch-input-${++registered}${gzip ? '.log.gz' : '.log'}`;
    await engine.registerFile(ref, input.file);
    return { ref, release: () => engine.dropFile(ref) };
  };
}

/** Parsing in the ingest worker; the page inserts each Arrow batch it hands back. Aborting cancels the worker's read. */
export function workerLoader(client: IngestClient, engine: WasmEngine): Loader<FileInput> {
  return async (input, options) => {
    const cancel = () => void client.cancel();
    options.signal?.addEventListener('abort', cancel);
    try {
      return await client.run(
        input.name,
        input.file,
        { utcOffsetMinutes: options.utcOffsetMinutes, formatId: options.formatId, mapping: options.mapping },
        async (batch) => {
          if (batch.ddl) await engine.exec(batch.ddl);
          await engine.insertIpc(batch.table, batch.ipc, batch.selectList);
        },
        options.onProgress ?? (() => {}),
      );
    } finally {
      options.signal?.removeEventListener('abort', cancel);
    }
  };
}
