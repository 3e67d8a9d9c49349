/**
 * Everything the HTML report shows, read from the engine once: sources with rejection samples, the ranked
 * findings with their triage, and per finding the binned chart data (aggregated in SQL, never raw rows).
 * Same code in the browser (DuckDB-WASM) and the CLI (native DuckDB).
 */
import { runQuery, type SqlEngine } from '../engine/sql-engine.ts';
import type { DetectionResult, Finding } from '../detection/detect.ts';
import type { AnalyticSpec, ParamValue } from '../detection/manifest.ts';
import { intervalsQuery, timelineQuery } from '../queries/finding-charts.ts';
import { dropFindingRows } from '../queries/finding-events.ts';
import { redactDeep } from '../accounts/redact.ts';
import type { ReadinessExport } from '../readiness/readiness-export.ts';
import type { AnalyticRun } from './report-evidence.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** An investigator's verdict on a finding, as the exports carry it. */
export interface FindingTriage {
  verdict: 'benign' | 'suspicious' | 'malicious';
  note: string;
  /** ISO-8601 time of the verdict. */
  at: string;
}

export interface ReportSource {
  name: string;
  format: string;
  rows_read: number;
  rows_loaded: number;
  rows_rejected: number;
  message: string | null;
  sha256: string | null;
  rejections: { line: number; reason: string; sample: string | null }[];
}

export interface TimelineBin {
  /** Bin start, epoch milliseconds. */
  start_ms: number;
  end_ms: number;
  kind: string;
  n: number;
}

export interface IntervalBin {
  lo_s: number;
  hi_s: number;
  n: number;
}

export interface FindingChartData {
  timeline: TimelineBin[];
  intervals: IntervalBin[];
}

/** What the method section says about each analytic of the detection pack. */
export type ReportAnalytic = Pick<AnalyticSpec, 'id' | 'title' | 'attack' | 'description' | 'falsePositives'>;

export interface ReportData {
  generatedAt: string;
  toolVersion: string;
  engine: string;
  window: DetectionResult['window'] | null;
  sources: ReportSource[];
  findings: Finding[];
  triage: ReadonlyMap<string, FindingTriage>;
  charts: ReadonlyMap<string, FindingChartData>;
  analytics: readonly ReportAnalytic[];
  /** Each analytic as it ran (version and effective parameters); empty when the SQL was not given. */
  runs: AnalyticRun[];
  catalogDigest?: string;
  /** The scope section: what the data could and could not show per host. */
  readiness?: ReadinessExport;
}

export interface CollectOptions {
  findings: readonly Finding[];
  /** The pack's analytics; with their SQL and parameters the report states versions and parameters. */
  analytics: readonly (ReportAnalytic & Partial<Pick<AnalyticSpec, 'sql' | 'params'>>)[];
  /** Parameter overrides the run used (the rest are the SQL headers' defaults). */
  params?: Record<string, ParamValue>;
  catalogDigest?: string;
  readiness?: ReadinessExport;
  window: DetectionResult['window'] | null;
  triage: ReadonlyMap<string, FindingTriage>;
  toolVersion: string;
  /** Width the charts are drawn at: the bins are sized to it. */
  chartWidthPx: number;
  /** Rejected records shown per source. */
  rejectionSample?: number;
  generatedAt?: Date;
}

/** Longest log-derived sample shown in the report (the pipeline already bounds it; this bounds the page). */
const MAX_SAMPLE_CHARS = 300;

/** Sources with counts and the first rejected records of each (line, reason, the record as read). */
export async function readReportSources(engine: SqlEngine, rejectionSample = 5): Promise<ReportSource[]> {
  const sources = await engine.all<Omit<ReportSource, 'rejections'>>(
    `SELECT name, coalesce(format, 'unknown') AS format, coalesce(rows_read, 0) AS rows_read,
            coalesce(rows_loaded, 0) AS rows_loaded, coalesce(rows_rejected, 0) AS rows_rejected, message, sha256
     FROM sources ORDER BY name`,
  );
  const rejections = await engine.all<{ source: string; line: number; reason: string; sample: string | null }>(
    `SELECT source, coalesce(line, 0) AS line, coalesce(reason, 'rejected') AS reason, left(sample, CAST(? AS BIGINT)) AS sample
     FROM rejections QUALIFY row_number() OVER (PARTITION BY source ORDER BY line) <= ? ORDER BY source, line`,
    [MAX_SAMPLE_CHARS, rejectionSample],
  );
  const bySource = new Map<string, ReportSource['rejections']>();
  for (const { source, ...rejection } of rejections) {
    const list = bySource.get(source) ?? [];
    list.push(rejection);
    bySource.set(source, list);
  }
  return sources.map((s) => ({ ...s, rejections: bySource.get(s.name) ?? [] }));
}

/** Binned events over the finding's lifetime (by kind) and the histogram of gaps between its events. */
export async function readChartData(engine: SqlEngine, finding: Finding, widthPx: number): Promise<FindingChartData> {
  const range = { startMs: Date.parse(finding.first_seen), endMs: Date.parse(finding.last_seen) + 1 };
  const timeline = timelineQuery(finding, range, widthPx);
  const timelineRows = await runQuery<{ bin: number; kind: string; n: number }>(engine, timeline);
  const intervals = intervalsQuery(finding, widthPx);
  const intervalRows = await runQuery<{ lo_s: number; hi_s: number; n: number }>(engine, intervals);
  await dropFindingRows(engine, finding);
  return {
    timeline: timelineRows.map((r) => ({
      start_ms: timeline.startMs + r.bin * timeline.binMs,
      end_ms: timeline.startMs + (r.bin + 1) * timeline.binMs,
      kind: r.kind,
      n: r.n,
    })),
    intervals: intervalRows.map((r) => ({ lo_s: r.lo_s, hi_s: r.hi_s, n: r.n })),
  };
}

/** Findings the report shows in full, with charts; the info tail is summarised in one table (see report-html.ts). */
export const detailed = (f: Finding): boolean => f.severity !== 'info';

/** Reads what the report needs for the given findings. */
export async function collectReportData(engine: SqlEngine, options: CollectOptions): Promise<ReportData> {
  const charts = new Map<string, FindingChartData>();
  for (const finding of options.findings.filter(detailed)) charts.set(finding.id, await readChartData(engine, finding, options.chartWidthPx));
  const runs: AnalyticRun[] = options.analytics.flatMap((a) =>
    a.sql === undefined
      ? []
      : [{
          id: a.id,
          version: bytesToHex(sha256(new TextEncoder().encode(a.sql))).slice(0, 12),
          params: Object.fromEntries((a.params ?? []).map((p) => [p.name, options.params?.[p.name] ?? p.default])),
        }],
  );
  return {
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    toolVersion: options.toolVersion,
    engine: engine.description,
    window: options.window,
    // Log text (rejected records, explanations) passes the secret patterns before it reaches the page.
    sources: redactDeep(await readReportSources(engine, options.rejectionSample)),
    findings: redactDeep([...options.findings]),
    triage: options.triage,
    charts,
    analytics: options.analytics.map(({ id, title, attack, description, falsePositives }) => ({ id, title, attack, description, falsePositives })),
    runs,
    catalogDigest: options.catalogDigest,
    readiness: options.readiness,
  };
}
