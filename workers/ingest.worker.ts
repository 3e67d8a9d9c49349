/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { ingestFile, type ColumnBatch, type IngestProgress, type SourceSummary } from '../src/core/ingest/pipeline.ts';
import { ensureTableSql } from '../src/core/ingest/store.ts';
import { ALL_ADAPTERS, BINARY_ADAPTERS, chosenAdapter } from '../src/core/adapters/index.ts';
import { blobChunks } from '../src/pipeline/browser.ts';
import type { LoaderOptions } from '../src/pipeline/pipeline.ts';
import { columnsToIpc } from '../src/engine/arrow-encode.ts';
import { ANSWER_KEY_FILE, INVENTORY_FILE, PRESETS, generateFiles, resolveOptions } from '../src/generator/index.ts';

/** A batch as it crosses to the page: Arrow IPC bytes plus what the engine needs to insert them. */
export interface IpcBatch {
  table: string;
  rows: number;
  ipc: Uint8Array;
  selectList: string;
  ddl: string | null;
}

/** The line parser's options that cross to the worker (the signal and progress callback stay on the page). */
export type WorkerIngestOptions = Pick<LoaderOptions, 'utcOffsetMinutes' | 'formatId' | 'mapping'>;

/** The built-in demo's log files (named as sources), its inventory and its time zone. */
export interface GeneratedFiles {
  files: { name: string; file: File }[];
  inventoryCsv: string;
  utcOffsetMinutes: number;
}

let controller: AbortController | null = null;

function toIpc(batch: ColumnBatch): IpcBatch {
  const { ipc, selectList } = columnsToIpc(batch.columns, batch.types);
  return { table: batch.table, rows: batch.rows, ipc, selectList, ddl: ensureTableSql(batch) };
}

const api = {
  /** Parses one file in this worker and hands Arrow batches to the page, which inserts them into DuckDB. */
  async ingest(
    name: string,
    file: File,
    options: WorkerIngestOptions,
    onBatch: (batch: IpcBatch) => Promise<void>,
    onProgress: (p: IngestProgress) => void,
  ): Promise<SourceSummary[]> {
    controller = new AbortController();
    try {
      return await ingestFile(
        name,
        blobChunks(file),
        {
          write: async (batch) => {
            const ipcBatch = toIpc(batch);
            await onBatch(Comlink.transfer(ipcBatch, [ipcBatch.ipc.buffer as ArrayBuffer]));
          },
        },
        {
          adapters: ALL_ADAPTERS,
          binaryAdapters: BINARY_ADAPTERS,
          utcOffsetMinutes: options.utcOffsetMinutes,
          forceAdapter: chosenAdapter(options),
          signal: controller.signal,
          onProgress,
          sizeHint: file.size,
        },
      );
    } catch (error) {
      return [
        {
          name,
          format: 'unknown',
          status: 'failed',
          rows_read: 0,
          rows_loaded: 0,
          rows_rejected: 0,
          rejections: [],
          bytes: file.size,
          millis: 0,
          message: error instanceof DOMException && error.name === 'AbortError' ? 'Loading was cancelled.' : String((error as Error).message ?? error),
        },
      ];
    } finally {
      controller = null;
    }
  },

  /**
   * Generates the built-in demo scenario here (deterministic, offline) as files the page then loads exactly as if
   * the user had dropped them; the inventory goes back to the page, the answer key stays out of the investigation.
   */
  generateDemo(): GeneratedFiles {
    const options = resolveOptions(PRESETS.demo);
    const encoder = new TextEncoder();
    const texts = new Map<string, Uint8Array[]>();
    let inventoryCsv = '';
    for (const chunk of generateFiles(options)) {
      if (chunk.name === INVENTORY_FILE) inventoryCsv += chunk.text;
      const parts = texts.get(chunk.name) ?? [];
      parts.push(chunk.bytes ? chunk.bytes : encoder.encode(chunk.text));
      texts.set(chunk.name, parts);
    }
    const files = [...texts]
      .filter(([name]) => name !== INVENTORY_FILE && name !== ANSWER_KEY_FILE)
      .map(([name, parts]) => ({ name: `demo/${name}`, file: new File(parts as BlobPart[], name) }));
    return { files, inventoryCsv, utcOffsetMinutes: options.utcOffsetMinutes };
  },

  cancel(): void {
    controller?.abort();
  },
};

export type IngestWorkerApi = typeof api;
Comlink.expose(api);
