import { getContext, setContext } from 'svelte';
import { WasmEngine, type EngineProgress } from '../engine/wasm-engine.ts';
import { canonicalDdl } from '../core/canonical.ts';
import type { IngestProgress, SourceSummary } from '../core/ingest/pipeline.ts';
import type { ColumnMapping } from '../core/adapters/csv-mapped.ts';
import { IngestClient, workerPeriodicityAnalyzer } from '../../workers/clients.ts';
import { applyPolicy } from '../context/context.ts';
import { CONTEXT_SQL } from '../context/sql-files.ts';
import { shippedCatalog, type Catalog } from '../context/catalog.ts';
import { parseInventoryCsv, type InventoryEntry } from '../context/inventory.ts';
import type { PolicyRow } from '../context/policy.ts';
import { loadBrowserDetectionPack } from '../detection/manifest-browser.ts';
import { rescoreForPolicy, timed, type DetectionResult, type DetectionWindow, type Finding } from '../detection/detect.ts';
import type { ParamValue } from '../detection/manifest.ts';
import { analyzeLoaded, loadInputs, type EngineFileOpener } from '../pipeline/pipeline.ts';
import { fileInput, wasmFileOpener, workerLoader, type FileInput } from '../pipeline/browser.ts';
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
  /** What the status line says while loading. */
  statusText: string;
  /**
   * Parse every file in the worker, plain Zeek TSV too. For the demo's generated in-memory files: DuckDB-WASM reading
   * them through its file reader made the demo load about 1.5× slower than the worker's parser.
   */
  parseAll: boolean;
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
  /** Wall milliseconds per step of the last analysis (Analysis.timings plus listing the tables), for the load summary. */
  analysisTimings = $state.raw<Record<string, number>>({});
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
  private openInEngine: EngineFileOpener<FileInput> | undefined;
  /** Aborts the load in progress. */
  private loading: AbortController | null = null;

  /** True once an analysis has run: the tables views read (host roles, service use) exist from then on. */
  get analysed(): boolean {
    return this.detection !== null;
  }

  /** Starts DuckDB-WASM (progress shown while the wasm loads) and creates the canonical tables. */
  async start(): Promise<void> {
    try {
      this.engine = await WasmEngine.start((p) => (this.engineProgress = p));
      this.openInEngine = wasmFileOpener(this.engine);
      await this.engine.exec(canonicalDdl());
      this.queries.attach(this.engine);
      this.status = 'idle';
      this.statusText = 'Ready for logs';
      await this.refreshTables();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Loads files through the analysis pipeline (parsing in the ingest worker), then analyses; every file ends up in `sources`. */
  async load(files: { name: string; file: File }[], options: Partial<LoadOptions> = {}): Promise<SourceSummary[]> {
    const engine = this.engine;
    if (!engine || files.length === 0) return [];
    for (const f of files) this.files.set(f.name, f.file);
    this.ingestClient ??= new IngestClient();
    this.loading = new AbortController();
    this.status = 'ingesting';
    this.statusText = options.statusText ?? `Loading ${files.length} file${files.length === 1 ? '' : 's'}…`;
    this.error = null;
    try {
      const summaries = await loadInputs(engine, files.map((f) => fileInput(f.name, f.file)), {
        loader: workerLoader(this.ingestClient, engine),
        openInEngine: options.parseAll ? undefined : this.openInEngine,
        utcOffsetMinutes: options.utcOffsetMinutes ?? this.utcOffsetMinutes,
        formatId: options.formatId,
        mapping: options.mapping,
        signal: this.loading.signal,
        onProgress: (p) => (this.ingestProgress = p),
      });
      // A file read again (e.g. with a column mapping after it was not recognised) replaced its empty entry.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local, read only here
      const rereads = new Set(summaries.map((s) => s.name));
      this.sources = [...this.sources.filter((s) => !(rereads.has(s.name) && s.rows_loaded === 0)), ...summaries];
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
      this.loading = null;
    }
  }

  /** Generates the built-in demo scenario offline (in the ingest worker), loads its logs and applies its asset inventory. */
  async loadDemo(): Promise<SourceSummary[]> {
    if (!this.engine) return [];
    this.ingestClient ??= new IngestClient();
    const statusText = 'Generating and loading the demo investigation…';
    this.status = 'ingesting';
    this.statusText = statusText;
    try {
      const demo = await this.ingestClient.generateDemo();
      // The demo's zone-less logs are in its organisation's zone; files loaded next default to it too, visibly.
      if (demo.utcOffsetMinutes !== this.utcOffsetMinutes) this.offsetChange = { from: this.utcOffsetMinutes, to: demo.utcOffsetMinutes };
      this.utcOffsetMinutes = demo.utcOffsetMinutes;
      const inventory = parseInventoryCsv(demo.inventoryCsv, { source: 'demo/inventory/assets.csv' });
      this.inventories = [...this.inventories, inventory.entries];
      return await this.load(demo.files, { statusText, parseAll: true });
    } catch (error) {
      this.fail(error);
      return [];
    }
  }

  /**
   * The analysis stage of the pipeline over everything loaded: enrichment, the context data (catalog, inventories,
   * policy), then the detection pack. `ready` afterwards means every loaded file is ingested and the findings shown are current.
   */
  async analyze(): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    try {
      await this.runAnalysisStage(engine);
    } finally {
      // Loaded data, context or policy changed: no view may keep an answer computed before.
      this.queries.invalidate();
    }
  }

  private async runAnalysisStage(engine: WasmEngine): Promise<void> {
    if (!this.sources.some((s) => s.rows_loaded > 0)) {
      this.status = 'idle';
      return;
    }
    this.status = 'analyzing';
    this.statusText = 'Analysing…';
    try {
      const { detection, timings } = await analyzeLoaded(engine, { catalog: this.catalog, inventories: this.inventories, policy: this.policy }, {
        pack: this.pack,
        contextSql: CONTEXT_SQL,
        params: this.params,
        window: this.window,
        analyzePeriodicity: this.analyzePeriodicity,
      });
      this.detection = detection;
      this.findings = detection.findings;
      await timed(timings, 'table list', () => this.refreshTables());
      this.analysisTimings = timings;
      this.status = 'ready';
      this.statusText = describeFindings(detection.findings);
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Replaces the approved-service policy and re-scores at once. A policy row only multiplies the scores of the
   * findings it covers, so when findings are current only the approvals stage runs again (milliseconds, not a
   * whole analysis).
   */
  async setPolicy(rows: PolicyRow[]): Promise<void> {
    this.policy = rows;
    const engine = this.engine;
    const inputs = this.detection?.scoringInputs;
    if (!engine || !inputs || this.status !== 'ready') return this.analyze();
    try {
      await applyPolicy(engine, rows);
      const findings = await rescoreForPolicy(engine, inputs);
      this.detection = { ...this.detection!, findings };
      this.findings = findings;
      this.statusText = describeFindings(findings);
    } catch (error) {
      this.fail(error);
    }
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

  /** Stops reading: what was read stays loaded and is analysed; files not reached are counted as cancelled. */
  cancelLoad(): void {
    this.loading?.abort();
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
