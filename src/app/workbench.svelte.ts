import { getContext, setContext } from 'svelte';
import { WasmEngine, type EngineProgress } from '../engine/engine.ts';
import { canonicalDdl } from '../core/canonical.ts';
import { recordSources } from '../core/ingest/store.ts';
import type { IngestProgress, SourceSummary } from '../core/ingest/pipeline.ts';
import type { ColumnMapping } from '../core/adapters/csv-mapped.ts';
import { IngestClient } from './ingest-client.ts';

/** The states of the contract's `app-status` hook. */
export type AppStatus = 'loading-engine' | 'idle' | 'ingesting' | 'analyzing' | 'ready' | 'error';

export interface TableInfo {
  name: string;
  rows: number;
  columns: { name: string; type: string }[];
}

export interface LoadOptions {
  utcOffsetMinutes: number;
  formatId?: string;
  mapping?: ColumnMapping;
}

/** Application state shared by every view: the engine, what is loaded, and what the app is doing. */
export class Workbench {
  status = $state<AppStatus>('loading-engine');
  statusText = $state('Starting the analysis engine…');
  engineProgress = $state.raw<EngineProgress>({ bytesLoaded: 0, bytesTotal: 0 });
  error = $state<string | null>(null);
  sources = $state.raw<SourceSummary[]>([]);
  tables = $state.raw<TableInfo[]>([]);
  ingestProgress = $state.raw<IngestProgress | null>(null);
  utcOffsetMinutes = $state(0);
  engine: WasmEngine | null = null;
  private ingestClient: IngestClient | null = null;

  /** Starts DuckDB-WASM (progress shown while the wasm loads) and creates the canonical tables. */
  async start(): Promise<void> {
    try {
      this.engine = await WasmEngine.start((p) => (this.engineProgress = p));
      await this.engine.exec(canonicalDdl());
      this.status = 'idle';
      this.statusText = 'Ready for logs';
      await this.refreshTables();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Parses files in the ingest worker and inserts their rows; every file ends up in `sources`. */
  async load(files: { name: string; file: File }[], options: Partial<LoadOptions> = {}): Promise<SourceSummary[]> {
    const engine = this.engine;
    if (!engine || files.length === 0) return [];
    this.ingestClient ??= new IngestClient();
    this.status = 'ingesting';
    this.statusText = `Loading ${files.length} file${files.length === 1 ? '' : 's'}…`;
    this.error = null;
    try {
      const summaries = await this.ingestClient.run(
        files,
        { utcOffsetMinutes: options.utcOffsetMinutes ?? this.utcOffsetMinutes, formatId: options.formatId, mapping: options.mapping },
        async (batch) => {
          if (batch.ddl) await engine.exec(batch.ddl);
          await engine.insertIpc(batch.table, batch.ipc, batch.selectList);
        },
        (p) => (this.ingestProgress = p),
      );
      await recordSources(engine, summaries);
      this.sources = [...this.sources, ...summaries];
      await this.refreshTables();
      this.status = this.sources.some((s) => s.rows_loaded > 0) ? 'ready' : 'idle';
      this.statusText = describeLoad(summaries);
      return summaries;
    } catch (error) {
      this.fail(error);
      return [];
    } finally {
      this.ingestProgress = null;
    }
  }

  cancelLoad(): void {
    void this.ingestClient?.cancel();
  }

  async refreshTables(): Promise<void> {
    if (!this.engine) return;
    const columns = await this.engine.all<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'main' AND table_name NOT LIKE '\\_\\_%' ESCAPE '\\'
       ORDER BY table_name, ordinal_position`,
    );
    const byTable = new Map<string, TableInfo>();
    for (const c of columns) {
      let t = byTable.get(c.table_name);
      if (!t) byTable.set(c.table_name, (t = { name: c.table_name, rows: 0, columns: [] }));
      t.columns.push({ name: c.column_name, type: c.data_type });
    }
    const counts = await this.engine.all<{ table_name: string; estimated_size: number }>(
      `SELECT table_name, estimated_size FROM duckdb_tables() WHERE schema_name = 'main'`,
    );
    for (const c of counts) {
      const t = byTable.get(c.table_name);
      if (t) t.rows = c.estimated_size;
    }
    this.tables = [...byTable.values()];
  }

  private fail(error: unknown): void {
    this.status = 'error';
    this.error = error instanceof Error ? error.message : String(error);
    this.statusText = 'Something went wrong';
  }
}

function describeLoad(summaries: SourceSummary[]): string {
  const loaded = summaries.reduce((n, s) => n + s.rows_loaded, 0);
  const rejected = summaries.reduce((n, s) => n + s.rows_rejected, 0);
  const problems = summaries.filter((s) => s.status !== 'loaded').length;
  return (
    `Loaded ${loaded.toLocaleString('en-US')} records from ${summaries.length} source${summaries.length === 1 ? '' : 's'}` +
    (rejected ? `, ${rejected.toLocaleString('en-US')} rejected` : '') +
    (problems ? `, ${problems} not read` : '')
  );
}

const KEY = Symbol('workbench');
export const setWorkbench = (w: Workbench) => setContext(KEY, w);
export const useWorkbench = () => getContext<Workbench>(KEY);
