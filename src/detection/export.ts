/**
 * The findings export of src/contracts/findings.schema.json (format 'relaywatch.findings', version 1),
 * built the same way by the browser's "Export findings (JSON)" and the CLI's `relaywatch analyze`.
 */
import type { SqlEngine } from '../engine/sql-engine.ts';
import type { DetectionResult, Finding } from './detect.ts';
import { campaignsOf, type Campaign } from '../accounts/campaigns.ts';
import { redactDeep } from '../accounts/redact.ts';

export interface SourceSummary {
  name: string;
  format: string;
  rows_read: number;
  rows_loaded: number;
  rows_rejected: number;
  rejections: { line: number; reason: string }[];
  /** SHA-256 of the input as supplied (archive members: of the member); absent when it could not be read whole. */
  sha256?: string;
}

export interface FindingsExport {
  format: 'relaywatch.findings';
  version: 1;
  generated_at: string;
  tool: { name: 'relaywatch'; version: string; engine: string };
  data_window: { start?: string; end?: string };
  sources: SourceSummary[];
  findings: Finding[];
  /** Accounts reached from more than one source (campaigns.ts). */
  campaigns: Campaign[];
}

export interface ExportOptions {
  toolVersion: string;
  /** Defaults to now; pass a fixed time for reproducible files. */
  generatedAt?: Date;
  /** Rejected records listed per source (the counts always cover them all). */
  rejectionSample?: number;
}

/** Reads the `sources` and `rejections` tables: one entry per input file with a sample of rejections. */
export async function readSources(engine: SqlEngine, rejectionSample = 20): Promise<SourceSummary[]> {
  const sources = await engine.all<{ name: string; format: string; rows_read: number; rows_loaded: number; rows_rejected: number; sha256: string | null }>(
    `SELECT name, coalesce(format, 'unknown') AS format, coalesce(rows_read, 0) AS rows_read,
            coalesce(rows_loaded, 0) AS rows_loaded, coalesce(rows_rejected, 0) AS rows_rejected, sha256
     FROM sources ORDER BY name`,
  );
  const rejections = await engine.all<{ source: string; line: number; reason: string }>(
    `SELECT source, coalesce(line, 0) AS line, coalesce(reason, 'rejected') AS reason FROM rejections
     QUALIFY row_number() OVER (PARTITION BY source ORDER BY line) <= ? ORDER BY source, line`,
    [rejectionSample],
  );
  const bySource = new Map<string, { line: number; reason: string }[]>();
  for (const r of rejections) {
    const list = bySource.get(r.source) ?? [];
    list.push({ line: r.line, reason: r.reason });
    bySource.set(r.source, list);
  }
  return sources.map(({ sha256, ...s }) => ({ ...s, rejections: bySource.get(s.name) ?? [], ...(sha256 ? { sha256 } : {}) }));
}

/**
 * Builds the findings export object from a detection result and the engine's source tables. Every string in it has
 * passed the catalog's secret patterns: tokens and signatures in log fields never reach a file.
 */
export async function buildFindingsExport(
  engine: SqlEngine,
  result: DetectionResult,
  options: ExportOptions,
): Promise<FindingsExport> {
  const dataWindow: FindingsExport['data_window'] = {};
  if (result.window.data_start) dataWindow.start = result.window.data_start;
  if (result.window.data_end) dataWindow.end = result.window.data_end;
  return redactDeep({
    format: 'relaywatch.findings',
    version: 1,
    generated_at: (options.generatedAt ?? new Date()).toISOString(),
    tool: { name: 'relaywatch', version: options.toolVersion, engine: engine.description },
    data_window: dataWindow,
    sources: await readSources(engine, options.rejectionSample),
    findings: result.findings,
    campaigns: campaignsOf(result.findings),
  });
}
