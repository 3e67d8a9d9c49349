/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { ingestFile, type ColumnBatch, type IngestProgress, type SourceSummary } from '../src/core/ingest/pipeline.ts';
import { ensureTableSql } from '../src/core/ingest/store.ts';
import { ALL_ADAPTERS, BINARY_ADAPTERS, adapterById } from '../src/core/adapters/index.ts';
import { createMappedCsvAdapter, type ColumnMapping } from '../src/core/adapters/csv-mapped.ts';
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

export interface WorkerIngestOptions {
  utcOffsetMinutes: number;
  /** Format id chosen by the user instead of sniffing. */
  formatId?: string;
  /** A column mapping from the mapping dialog. */
  mapping?: ColumnMapping;
}

/** What the built-in demo (or any generated scenario) gives the page besides its log rows. */
export interface GeneratedLoad {
  summaries: SourceSummary[];
  inventoryCsv: string;
  utcOffsetMinutes: number;
}

let controller: AbortController | null = null;

function toIpc(batch: ColumnBatch): IpcBatch {
  const { ipc, selectList } = columnsToIpc(batch.columns, batch.types);
  return { table: batch.table, rows: batch.rows, ipc, selectList, ddl: ensureTableSql(batch) };
}

async function* fileChunks(file: Blob): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

const api = {
  /** Parses files in this worker and hands Arrow batches to the page, which inserts them into DuckDB. */
  async ingest(
    files: { name: string; file: File }[],
    options: WorkerIngestOptions,
    onBatch: (batch: IpcBatch) => Promise<void>,
    onProgress: (p: IngestProgress) => void,
  ): Promise<SourceSummary[]> {
    controller = new AbortController();
    const forceAdapter = options.mapping
      ? createMappedCsvAdapter(options.mapping)
      : options.formatId
        ? adapterById(options.formatId)
        : undefined;
    const summaries: SourceSummary[] = [];
    for (const { name, file } of files) {
      if (controller.signal.aborted) break;
      const result = await ingestFile(
        name,
        fileChunks(file),
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
          forceAdapter,
          signal: controller.signal,
          onProgress,
          sizeHint: file.size,
        },
      ).catch((error: unknown): SourceSummary[] => [
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
      ]);
      summaries.push(...result);
    }
    controller = null;
    return summaries;
  },

  /**
   * Generates the built-in demo scenario here (deterministic, offline) and ingests its logs exactly as if the user had
   * dropped them; the inventory goes back to the page, the answer key stays out of the investigation.
   */
  async ingestDemo(
    onBatch: (batch: IpcBatch) => Promise<void>,
    onProgress: (p: IngestProgress) => void,
  ): Promise<GeneratedLoad> {
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
    const summaries: SourceSummary[] = [];
    for (const [name, parts] of texts) {
      if (name === INVENTORY_FILE || name === ANSWER_KEY_FILE) continue;
      const chunks = (async function* () {
        yield* parts;
      })();
      const write = async (batch: ColumnBatch) => {
        const ipcBatch = toIpc(batch);
        await onBatch(Comlink.transfer(ipcBatch, [ipcBatch.ipc.buffer as ArrayBuffer]));
      };
      summaries.push(
        ...(await ingestFile(`demo/${name}`, chunks, { write }, {
          adapters: ALL_ADAPTERS,
          binaryAdapters: BINARY_ADAPTERS,
          utcOffsetMinutes: options.utcOffsetMinutes,
          onProgress,
        })),
      );
    }
    return { summaries, inventoryCsv, utcOffsetMinutes: options.utcOffsetMinutes };
  },

  cancel(): void {
    controller?.abort();
  },
};

export type IngestWorkerApi = typeof api;
Comlink.expose(api);
