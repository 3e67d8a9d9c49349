import { getContext, setContext } from 'svelte';
import { WasmEngine, type EngineProgress } from '../engine/wasm-engine.ts';
import { canonicalDdl } from '../core/canonical.ts';
import { recordSources } from '../core/ingest/store.ts';
import { sha256OfBlob } from '../core/ingest/digest.ts';
import { SNIFF_CHARS, type IngestProgress, type SourceSummary } from '../core/ingest/pipeline.ts';
import { headText, isGzip, loadZeekTsv, planZeekTsv, zeekSourceName, type ZeekTsvPlan } from '../core/ingest/zeek-tsv-sql.ts';
import type { ColumnMapping } from '../core/adapters/csv-mapped.ts';
import { IngestClient, workerPeriodicityAnalyzer } from '../../workers/clients.ts';
import type { IpcBatch } from '../../workers/ingest.worker.ts';
import { applyContext } from '../context/context.ts';
import { enrichEvents } from '../core/enrich/enrich.ts';
import { CONTEXT_SQL } from '../context/sql-files.ts';
import { shippedCatalog, type Catalog } from '../context/catalog.ts';
import { parseInventoryCsv, type InventoryEntry } from '../context/inventory.ts';
import type { PolicyRow } from '../context/policy.ts';
import { loadBrowserDetectionPack } from '../detection/manifest-browser.ts';
import { runDetection, type DetectionResult, type DetectionWindow, type Finding } from '../detection/detect.ts';
import type { ParamValue } from '../detection/manifest.ts';
import { QueryCoordinator } from './query-coordinator.ts';

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
  /** Set when loading the demo moved the zone of zone-less logs, so the app can say so and offer the previous one back. */
  offsetChange = $state.raw<{ from: number; to: number } | null>(null);
  /** Ranked findings of the last detection run (few: one per suspicious relationship, not per event). */
  findings = $state.raw<Finding[]>([]);
  detection = $state.raw<DetectionResult | null>(null);
  /** Context data, applied at query time: edits re-run the analysis. */
  catalog = $state.raw<Catalog>(shippedCatalog());
  inventories = $state.raw<InventoryEntry[][]>([]);
  policy = $state.raw<PolicyRow[]>([]);
  /** Overrides of the detection pack's parameters and the windows. */
  params = $state.raw<Record<string, ParamValue>>({});
  window = $state.raw<DetectionWindow>({});
  engine: WasmEngine | null = null;
  /** Every view's way to the engine: answers cached until the next analysis run changes data, context or policy. */
  readonly queries = new QueryCoordinator();
  /** The user's files by source name, so one can be read again (e.g. with a column mapping). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read back by name only, never rendered
  private readonly files = new Map<string, File>();
  private readonly pack = loadBrowserDetectionPack();
  private readonly analyzePeriodicity = workerPeriodicityAnalyzer();
  private ingestClient: IngestClient | null = null;
  /** Files registered with DuckDB so far, for unique registration names. */
  private registeredFiles = 0;

  /** True once an analysis has run: the tables views read (host roles, service use) exist from then on. */
  get analysed(): boolean {
    return this.detection !== null;
  }

  /** Starts DuckDB-WASM (progress shown while the wasm loads) and creates the canonical tables. */
  async start(): Promise<void> {
    try {
      this.engine = await WasmEngine.start((p) => (this.engineProgress = p));
      await this.engine.exec(canonicalDdl());
      this.queries.attach(this.engine);
      this.status = 'idle';
      this.statusText = 'Ready for logs';
      await this.refreshTables();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Parses files in the ingest worker and inserts their rows; every file ends up in `sources`. */
  async load(files: { name: string; file: File }[], options: Partial<LoadOptions> = {}): Promise<SourceSummary[]> {
    if (files.length === 0) return [];
    for (const f of files) this.files.set(f.name, f.file);
    const workerOptions = {
      utcOffsetMinutes: options.utcOffsetMinutes ?? this.utcOffsetMinutes,
      formatId: options.formatId,
      mapping: options.mapping,
    };
    // A chosen format or column mapping is the line parser's job; otherwise plain Zeek TSV goes to DuckDB's reader.
    const sqlPathAllowed = !options.formatId && !options.mapping;
    return this.ingest(`Loading ${files.length} file${files.length === 1 ? '' : 's'}…`, async (client, onBatch, onProgress) => {
      const summaries: SourceSummary[] = [];
      let workerFiles: { name: string; file: File }[] = [];
      const flushWorker = async () => {
        if (workerFiles.length) summaries.push(...(await client.run(workerFiles, workerOptions, onBatch, onProgress)));
        workerFiles = [];
      };
      for (const f of files) {
        const zeek = sqlPathAllowed ? await zeekTsvPlan(f.file) : null;
        if (zeek) {
          await flushWorker();
          const loaded = await this.loadZeekWithSql(f.name, f.file, zeek);
          if (loaded) {
            summaries.push(loaded);
            continue;
          }
        }
        workerFiles.push(f);
      }
      await flushWorker();
      return summaries;
    });
  }

  /** Loads a plain Zeek TSV file (gzip too) with DuckDB's CSV reader on the page's engine; null to use the worker. */
  private async loadZeekWithSql(name: string, file: File, zeek: { plan: ZeekTsvPlan; prefix: Uint8Array }): Promise<SourceSummary | null> {
    const engine = this.engine;
    if (!engine) return null;
    const { plan, prefix } = zeek;
    const sourceName = zeekSourceName(name, prefix);
    this.ingestProgress = { name: sourceName, bytesRead: 0, bytesTotal: file.size, records: 0, elapsedMs: 0 };
    const fileRef = `relaywatch-zeek-${++this.registeredFiles}${isGzip(prefix) ? '.log.gz' : '.log'}`;
    await engine.registerFile(fileRef, file);
    try {
      const summary = await loadZeekTsv(engine, plan, { fileRef, sourceName, bytes: file.size, gzip: isGzip(prefix) });
      // DuckDB read the file itself: hash it as supplied, like the ingest worker does for every other input.
      if (summary) summary.sha256 = await sha256OfBlob(file);
      return summary;
    } finally {
      await engine.dropFile(fileRef);
    }
  }

  /** Generates the built-in demo scenario offline, loads its logs and applies its asset inventory. */
  async loadDemo(): Promise<SourceSummary[]> {
    return this.ingest('Generating and loading the demo investigation…', async (client, onBatch, onProgress) => {
      const demo = await client.demo(onBatch, onProgress);
      // The demo's zone-less logs are in its organisation's zone; files loaded next default to it too, visibly.
      if (demo.utcOffsetMinutes !== this.utcOffsetMinutes) this.offsetChange = { from: this.utcOffsetMinutes, to: demo.utcOffsetMinutes };
      this.utcOffsetMinutes = demo.utcOffsetMinutes;
      const inventory = parseInventoryCsv(demo.inventoryCsv, { source: 'demo/inventory/assets.csv' });
      this.inventories = [...this.inventories, inventory.entries];
      return demo.summaries;
    });
  }

  /** The shared load sequence: ingest in the worker, insert batches, record per-source counts, then analyse. */
  private async ingest(
    text: string,
    run: (
      client: IngestClient,
      onBatch: (batch: IpcBatch) => Promise<void>,
      onProgress: (p: IngestProgress) => void,
    ) => Promise<SourceSummary[]>,
  ): Promise<SourceSummary[]> {
    const engine = this.engine;
    if (!engine) return [];
    this.ingestClient ??= new IngestClient();
    this.status = 'ingesting';
    this.statusText = text;
    this.error = null;
    try {
      const summaries = await run(
        this.ingestClient,
        async (batch) => {
          if (batch.ddl) await engine.exec(batch.ddl);
          await engine.insertIpc(batch.table, batch.ipc, batch.selectList);
        },
        (p) => (this.ingestProgress = p),
      );
      // A file read again (e.g. with a column mapping after it was not recognised) replaces its empty entry.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local, read only here
      const rereads = new Set(summaries.map((s) => s.name));
      const replaced = this.sources.filter((s) => rereads.has(s.name) && s.rows_loaded === 0);
      for (const s of replaced) {
        await engine.all('DELETE FROM sources WHERE name = ?', [s.name]);
        await engine.all('DELETE FROM rejections WHERE source = ?', [s.name]);
      }
      await recordSources(engine, summaries);
      this.sources = [...this.sources.filter((s) => !replaced.includes(s)), ...summaries];
      const loadText = describeLoad(summaries);
      this.ingestProgress = null;
      await this.analyze();
      // analyze() moved the status on; keep its error text if it failed.
      if ((this.status as AppStatus) !== 'error') this.statusText = `${loadText} · ${describeFindings(this.findings)}`;
      return summaries;
    } catch (error) {
      this.fail(error);
      return [];
    } finally {
      this.ingestProgress = null;
    }
  }

  /**
   * Applies the context data (catalog, inventories, policy) and runs the detection pack over everything loaded.
   * `ready` afterwards means every loaded file is ingested and the findings shown are current.
   */
  async analyze(): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    try {
      await this.runAnalysis(engine);
    } finally {
      // Loaded data, context or policy changed: no view may keep an answer computed before.
      this.queries.invalidate();
    }
  }

  private async runAnalysis(engine: WasmEngine): Promise<void> {
    if (!this.sources.some((s) => s.rows_loaded > 0)) {
      this.status = 'idle';
      return;
    }
    this.status = 'analyzing';
    this.statusText = 'Analysing…';
    try {
      await enrichEvents(engine);
      await applyContext(engine, { catalog: this.catalog, inventories: this.inventories, policy: this.policy }, CONTEXT_SQL);
      const result = await runDetection(engine, {
        pack: this.pack,
        params: this.params,
        window: this.window,
        analyzePeriodicity: this.analyzePeriodicity,
      });
      this.detection = result;
      this.findings = result.findings;
      await this.refreshTables();
      this.status = 'ready';
      this.statusText = describeFindings(result.findings);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Replaces the approved-service policy and re-scores at once. */
  async setPolicy(rows: PolicyRow[]): Promise<void> {
    this.policy = rows;
    await this.analyze();
  }

  async setInventories(lists: InventoryEntry[][]): Promise<void> {
    this.inventories = lists;
    await this.analyze();
  }

  async setCatalog(catalog: Catalog): Promise<void> {
    this.catalog = catalog;
    await this.analyze();
  }

  /** Shows work done before a load (unpacking an exercise pack) in the status bar; the returned function ends it. */
  beginWork(text: string): () => void {
    this.status = 'ingesting';
    this.statusText = text;
    return () => {
      if (this.status === 'ingesting' && this.statusText === text) {
        this.status = 'idle';
        this.statusText = 'Ready for logs';
      }
    };
  }

  /** The File behind a loaded source name (null for archive members and unknown names). */
  fileFor(name: string): File | null {
    return this.files.get(name) ?? null;
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
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local, read only here
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

/** A read_csv plan when the file's first 64 KiB (inflated if gzip) are a plain Zeek TSV log header. */
async function zeekTsvPlan(file: File): Promise<{ plan: ZeekTsvPlan; prefix: Uint8Array } | null> {
  const prefix = new Uint8Array(await file.slice(0, SNIFF_CHARS).arrayBuffer());
  const head = await headText(prefix);
  const plan = head === null ? null : planZeekTsv(head);
  return plan ? { plan, prefix } : null;
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

function describeFindings(findings: readonly Finding[]): string {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local, read only here
  const bySeverity = new Map<string, number>();
  for (const f of findings) bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? 0) + 1);
  const parts = ['critical', 'high', 'medium', 'low', 'info']
    .filter((s) => bySeverity.has(s))
    .map((s) => `${bySeverity.get(s)} ${s}`);
  return `${findings.length} finding${findings.length === 1 ? '' : 's'}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

const KEY = Symbol('workbench');
export const setWorkbench = (w: Workbench) => setContext(KEY, w);
export const useWorkbench = () => getContext<Workbench>(KEY);
