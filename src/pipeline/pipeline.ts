/**
 * The analysis sequence, written once: sniff → load (DuckDB's own CSV reader for plain Zeek TSV, the line parser
 * for everything else) → record sources → enrich → apply context → detect. The workbench, the CLI, both benchmarks
 * and the report fixtures run it; what differs between them is a parameter, not a copy: where an input's bytes
 * come from, how DuckDB opens a file itself, where parsing and the timing maths run, progress and cancellation.
 */
import { canonicalDdl } from '../core/canonical.ts';
import { ALL_ADAPTERS, BINARY_ADAPTERS, chosenAdapter } from '../core/adapters/index.ts';
import type { ColumnMapping } from '../core/adapters/csv-mapped.ts';
import { enrichEvents } from '../core/enrich/enrich.ts';
import { sha256OfChunks } from '../core/ingest/digest.ts';
import { ingestFile, SNIFF_CHARS, type IngestProgress, type SourceSummary } from '../core/ingest/pipeline.ts';
import { recordSources, storeBatch } from '../core/ingest/store.ts';
import { headText, isGzip, loadZeekTsv, planZeekTsv, zeekSourceName } from '../core/ingest/zeek-tsv-sql.ts';
import { applyContext, type ContextData, type ContextSql, type ContextSummary } from '../context/context.ts';
import { dropFindingRows } from '../queries/finding-events.ts';
import { runDetection, timed, type DetectionResult, type DetectionWindow, type PeriodicityAnalyzer } from '../detection/detect.ts';
import type { DetectionPack, ParamValue } from '../detection/manifest.ts';
import type { SqlEngine } from '../engine/sql-engine.ts';

/** One file to analyse, wherever its bytes live (a browser File, a path on disk, a text in memory). */
export interface AnalysisInput {
  readonly name: string;
  readonly size: number;
  /** Bytes [start, end) of the file (fewer at its end): the Zeek sniffer reads the first 64 KiB. */
  slice(start: number, end: number): Promise<Uint8Array>;
  /** The whole file, as chunks. */
  chunks(): AsyncIterable<Uint8Array>;
}

/** A log held in memory (generated or embedded in a test) as an input. */
export function textInput(name: string, text: string): AnalysisInput {
  const bytes = new TextEncoder().encode(text);
  return {
    name,
    size: bytes.length,
    slice: async (start, end) => bytes.subarray(start, end),
    chunks: async function* () {
      yield bytes;
    },
  };
}

/** What the line parser needs besides the bytes. */
export interface LoaderOptions {
  utcOffsetMinutes: number;
  /** A format the user picked instead of sniffing. */
  formatId?: string;
  /** A column mapping from the mapping dialog. */
  mapping?: ColumnMapping;
  signal?: AbortSignal;
  onProgress?: (p: IngestProgress) => void;
}

/** Parses one input with the line parser and stores its rows in the engine: in this thread, or in a worker. */
export type Loader<I extends AnalysisInput> = (input: I, options: LoaderOptions) => Promise<SourceSummary[]>;

/** A file DuckDB reads by itself under `ref` until it is released. */
export interface EngineFile {
  ref: string;
  release(): Promise<void>;
}

/** How DuckDB opens an input itself (a registered File in the tab, a path in Node); `gzip`: the file is gzip-compressed. */
export type EngineFileOpener<I extends AnalysisInput> = (input: I, gzip: boolean) => Promise<EngineFile>;

export interface LoadOptions<I extends AnalysisInput> extends LoaderOptions {
  loader: Loader<I>;
  /** Without it every input goes to the loader. */
  openInEngine?: EngineFileOpener<I>;
  /** Each input's summaries as soon as it has been read. */
  onSources?: (input: I, summaries: readonly SourceSummary[]) => void;
}

export interface AnalyzeOptions {
  pack: DetectionPack;
  contextSql: ContextSql;
  params?: Record<string, ParamValue>;
  window?: DetectionWindow;
  /** Where the timing maths runs; in this thread unless given (the browser passes its analysis worker). */
  analyzePeriodicity?: PeriodicityAnalyzer;
  onStage?: (stage: AnalysisStage) => void;
}

export type AnalysisStage = 'load' | 'enrich' | 'context' | 'detect';

export interface Analysis {
  /** Records each enrichment step changed. */
  enriched: Record<string, number>;
  context: ContextSummary;
  detection: DetectionResult;
  /** Wall milliseconds per step, in run order: `enrichment`, `context`, then the pack's (DetectionResult.timings). */
  timings: Record<string, number>;
}

export interface AnalysisRun extends Analysis {
  sources: SourceSummary[];
}

/** The whole sequence: loads `inputs` into the engine's canonical tables, then analyses everything loaded. */
export async function runAnalysis<I extends AnalysisInput>(
  engine: SqlEngine,
  inputs: readonly I[],
  context: ContextData,
  options: LoadOptions<I> & AnalyzeOptions,
): Promise<AnalysisRun> {
  options.onStage?.('load');
  const sources = await loadInputs(engine, inputs, options);
  return { sources, ...(await analyzeLoaded(engine, context, options)) };
}

/**
 * The first stage: the canonical tables are created if need be, then every input is sniffed, loaded and recorded
 * in `sources` (read = loaded + rejected). Inputs not reached because `signal` was aborted are recorded as
 * cancelled, so every input has a row.
 */
export async function loadInputs<I extends AnalysisInput>(
  engine: SqlEngine,
  inputs: readonly I[],
  options: LoadOptions<I>,
): Promise<SourceSummary[]> {
  await engine.exec(canonicalDdl());
  const summaries: SourceSummary[] = [];
  for (const input of inputs) {
    const loaded = options.signal?.aborted ? [cancelled(input)] : await loadInput(engine, input, options);
    options.onSources?.(input, loaded);
    summaries.push(...loaded);
  }
  await recordSummaries(engine, summaries);
  return summaries;
}

/**
 * The second stage, over everything loaded so far: enrichment, then the context data (catalog, inventories, policy),
 * then the detection pack. A context, policy or parameter edit runs this stage alone.
 */
export async function analyzeLoaded(engine: SqlEngine, context: ContextData, options: AnalyzeOptions): Promise<Analysis> {
  const timings: Record<string, number> = {};
  // What a finding kept of its rows was keyed and filtered by the last analysis.
  await dropFindingRows(engine);
  options.onStage?.('enrich');
  const enriched = await timed(timings, 'enrichment', () => enrichEvents(engine));
  options.onStage?.('context');
  const contextSummary = await timed(timings, 'context', () => applyContext(engine, context, options.contextSql));
  options.onStage?.('detect');
  const detection = await runDetection(engine, {
    pack: options.pack,
    params: options.params,
    window: options.window,
    analyzePeriodicity: options.analyzePeriodicity,
  });
  return { enriched, context: contextSummary, detection, timings: { ...timings, ...detection.timings } };
}

/** Parsing in this thread, rows written through the engine (the CLI, benchmarks and tests). */
export function inProcessLoader<I extends AnalysisInput>(engine: SqlEngine): Loader<I> {
  return (input, options) =>
    ingestFile(
      input.name,
      input.chunks(),
      { write: (batch) => storeBatch(engine, batch) },
      {
        adapters: ALL_ADAPTERS,
        binaryAdapters: BINARY_ADAPTERS,
        utcOffsetMinutes: options.utcOffsetMinutes,
        forceAdapter: chosenAdapter(options),
        signal: options.signal,
        onProgress: options.onProgress,
        sizeHint: input.size,
      },
    );
}

/** Plain Zeek TSV (gzip too) through DuckDB's CSV reader when the engine can open the file; else the loader. */
async function loadInput<I extends AnalysisInput>(engine: SqlEngine, input: I, options: LoadOptions<I>): Promise<SourceSummary[]> {
  // A chosen format or column mapping is the line parser's job.
  if (options.openInEngine && !options.formatId && !options.mapping) {
    const prefix = await input.slice(0, SNIFF_CHARS);
    const head = await headText(prefix);
    const plan = head === null ? null : planZeekTsv(head);
    if (plan) {
      const gzip = isGzip(prefix);
      const sourceName = zeekSourceName(input.name, prefix);
      options.onProgress?.({ name: sourceName, bytesRead: 0, bytesTotal: input.size, records: 0, elapsedMs: 0 });
      const file = await options.openInEngine(input, gzip);
      // DuckDB reads the file itself: hash it as supplied (as the line parser does while it reads) meanwhile, on
      // this thread while DuckDB works in its own.
      const hashing = sha256OfChunks(input.chunks());
      hashing.catch(() => undefined);
      try {
        const loaded = await loadZeekTsv(engine, plan, { fileRef: file.ref, sourceName, bytes: input.size, gzip });
        if (loaded) {
          loaded.sha256 = await hashing;
          return [loaded];
        }
      } finally {
        await file.release();
      }
    }
  }
  return options.loader(input, options);
}

/** Records the summaries; a file read again (e.g. with a column mapping after it was not recognised) replaces its empty entry. */
async function recordSummaries(engine: SqlEngine, summaries: readonly SourceSummary[]): Promise<void> {
  if (summaries.length === 0) return;
  const names = new Set(summaries.map((s) => s.name));
  const empty = await engine.all<{ name: string }>('SELECT DISTINCT name FROM sources WHERE rows_loaded = 0');
  for (const { name } of empty.filter((e) => names.has(e.name))) {
    await engine.all('DELETE FROM rejections WHERE source = ?', [name]);
    await engine.all('DELETE FROM sources WHERE name = ? AND rows_loaded = 0', [name]);
  }
  await recordSources(engine, summaries);
}

function cancelled(input: AnalysisInput): SourceSummary {
  return {
    name: input.name,
    format: 'unknown',
    status: 'failed',
    rows_read: 0,
    rows_loaded: 0,
    rows_rejected: 0,
    rejections: [],
    bytes: input.size,
    millis: 0,
    message: 'Loading was cancelled.',
  };
}
