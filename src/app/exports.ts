/**
 * What the Export menu produces: the findings JSON (findings.schema.json plus each finding's triage), the
 * findings CSV (formula-safe), the self-contained HTML report, and workspaces (save, open, and the bytes the
 * resume store keeps). Nothing leaves the machine: files are offered as downloads from blob: URLs.
 */
import type { Workbench } from './workbench.svelte.ts';
import type { TriageEntry } from '../detection/triage-entry.ts';
import { downloadBlob } from './download.ts';
import { toSafeCsv } from '../core/csv-safe.ts';
import { redactDeep } from '../accounts/redact.ts';
import { TOOL_VERSION } from '../core/version.ts';
import type { DetectionResult, Finding } from '../detection/detect.ts';
import { buildFindingsExport, type FindingsExport } from '../detection/export.ts';
import { loadBrowserDetectionPack } from '../detection/manifest-browser.ts';
import { collectReportData, detailed, type FindingTriage } from '../report/report-data.ts';
import { buildReportHtml } from '../report/report-html.ts';
import { findingChartSvgs, TIMELINE_WIDTH_PX } from '../report/report-charts.ts';
import type { WorkspaceState } from '../workspace/format.ts';
import { checkStateJson, readWorkspace, restoreWorkspace } from '../workspace/open.ts';
import { saveWorkspace } from '../workspace/save.ts';
import { wasmWorkspaceEngine } from '../workspace/wasm-io.ts';
import { catalogDigest } from '../context/catalog-digest.ts';
import { computeCoverage } from '../readiness/coverage.ts';
import { shippedReadinessSpec } from '../readiness/readiness.ts';
import { buildReadinessExport, type ReadinessExport } from '../readiness/readiness-export.ts';
import { indicatorsOf } from '../indicators/indicators.ts';
import { indicatorsCsv } from '../indicators/iocs-csv.ts';
import { buildStixBundle, type Tlp } from '../indicators/stix.ts';
import { timelineJsonl } from '../indicators/timeline.ts';

/** Triage entries by finding id, in the shape the exports carry ({verdict, note, at}). */
export function triageByFinding(entries: readonly TriageEntry[]): Map<string, FindingTriage> {
  return new Map(entries.map((e) => [e.finding_id, { verdict: e.verdict, note: e.note, at: e.updated }]));
}

export type TriagedFinding = Finding & { triage: FindingTriage | null };

/** The findings export with `triage` added to every finding (null when not triaged; the schema allows extras). */
export function withTriage(exported: FindingsExport, triage: ReadonlyMap<string, FindingTriage>): Omit<FindingsExport, 'findings'> & { findings: TriagedFinding[] } {
  return { ...exported, findings: exported.findings.map((f) => ({ ...f, triage: triage.get(f.id) ?? null })) };
}

export const FINDINGS_CSV_COLUMNS = [
  'finding_id', 'rank', 'score', 'severity', 'source_ip', 'source_host', 'source_user', 'source_process', 'source_role', 'service', 'domain',
  'first_seen', 'last_seen', 'events', 'bytes_out', 'bytes_in', 'period_s', 'signals', 'attack', 'summary', 'triage_verdict', 'triage_note',
  'accounts',
] as const;

/** One row per finding, through toSafeCsv (cells starting with = + - @ become text), secrets redacted. */
export function findingsCsv(findings: readonly Finding[], triage: ReadonlyMap<string, FindingTriage>): string {
  const rows = findings.map((f) => ({
    finding_id: f.id,
    rank: f.rank,
    score: f.score,
    severity: f.severity,
    source_ip: f.source.ip,
    source_host: f.source.hostname,
    source_user: f.source.user,
    source_process: f.source.process,
    source_role: f.source.role,
    service: f.service?.name ?? null,
    domain: f.destination.domain,
    first_seen: f.first_seen,
    last_seen: f.last_seen,
    events: f.events,
    bytes_out: f.bytes_out,
    bytes_in: f.bytes_in,
    period_s: f.periodicity?.period_s ?? null,
    signals: f.signals.map((s) => s.id).join('; '),
    attack: f.attack.join('; '),
    summary: f.summary,
    triage_verdict: triage.get(f.id)?.verdict ?? null,
    triage_note: triage.get(f.id)?.note ?? null,
    accounts: (f.destination.accounts ?? []).map((a) => `${a.kind}:${a.id}`).join('; '),
  }));
  return toSafeCsv(FINDINGS_CSV_COLUMNS, redactDeep(rows));
}

/** 'relaywatch-<what>-20240501-130501.<ext>' in local time, so files sort by when they were made. */
export function exportFileName(what: string, extension: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `relaywatch-${what}-${stamp}.${extension}`;
}

function engineOf(workbench: Workbench) {
  if (!workbench.engine) throw new Error('The analysis engine is not running yet.');
  return workbench.engine;
}

const EMPTY_RESULT: DetectionResult = {
  window: { data_start: null, data_end: null, baseline_start: null, baseline_end: null, detect_start: null, detect_end: null },
  findings: [],
  signalCount: 0,
  periodicity: { candidates: 0, periodic: 0 },
};

/** Downloads the findings JSON of findings.schema.json, with triage. */
export async function downloadFindingsJson(workbench: Workbench, triage: readonly TriageEntry[]): Promise<void> {
  const exported = await buildFindingsExport(engineOf(workbench), workbench.detection ?? EMPTY_RESULT, { toolVersion: TOOL_VERSION });
  const json = JSON.stringify(withTriage(exported, triageByFinding(triage)), null, 2) + '\n';
  downloadBlob(new Blob([json], { type: 'application/json' }), exportFileName('findings', 'json'));
}

/** Downloads one CSV row per finding. */
export function downloadFindingsCsv(workbench: Workbench, triage: readonly TriageEntry[]): void {
  const csv = findingsCsv(workbench.findings, triageByFinding(triage));
  downloadBlob(new Blob([csv], { type: 'text/csv;charset=utf-8' }), exportFileName('findings', 'csv'));
}

/** The HTML report of the current findings, charts drawn with Plot in this document. */
export async function reportHtml(workbench: Workbench, triage: readonly TriageEntry[]): Promise<string> {
  const data = await collectReportData(engineOf(workbench), {
    findings: workbench.findings,
    window: workbench.detection?.window ?? null,
    triage: triageByFinding(triage),
    toolVersion: TOOL_VERSION,
    chartWidthPx: TIMELINE_WIDTH_PX,
    analytics: loadBrowserDetectionPack().analytics,
    params: workbench.params,
    catalogDigest: catalogDigest(workbench.catalog),
    readiness: await readinessExport(workbench),
  });
  const chartSvgs = new Map(data.findings.filter(detailed).map((f) => [f.id, findingChartSvgs(f, data.charts.get(f.id)!, document)]));
  return buildReportHtml(data, { chartSvgs });
}

export async function downloadReportHtml(workbench: Workbench, triage: readonly TriageEntry[]): Promise<void> {
  const html = await reportHtml(workbench, triage);
  downloadBlob(new Blob([html], { type: 'text/html;charset=utf-8' }), exportFileName('report', 'html'));
}

/** What the loaded data could and could not show, per host (readiness.schema.json). */
export async function readinessExport(workbench: Workbench): Promise<ReadinessExport> {
  return buildReadinessExport(await computeCoverage(engineOf(workbench)), shippedReadinessSpec(), { toolVersion: TOOL_VERSION });
}

export async function downloadReadinessJson(workbench: Workbench): Promise<void> {
  const json = JSON.stringify(await readinessExport(workbench), null, 2) + '\n';
  downloadBlob(new Blob([json], { type: 'application/json' }), exportFileName('readiness', 'json'));
}

/** Findings triaged benign are no indicators to share. */
function benignIds(triage: readonly TriageEntry[]): Set<string> {
  return new Set(triage.filter((e) => e.verdict === 'benign').map((e) => e.finding_id));
}

async function exportedFindings(workbench: Workbench): Promise<FindingsExport> {
  return buildFindingsExport(engineOf(workbench), workbench.detection ?? EMPTY_RESULT, { toolVersion: TOOL_VERSION });
}

/** The STIX 2.1 bundle of the indicators, under the TLP the user chose (TLP:AMBER by default). */
export async function downloadStixBundle(workbench: Workbench, triage: readonly TriageEntry[], tlp: Tlp = 'amber', producer?: string): Promise<void> {
  const exported = await exportedFindings(workbench);
  const bundle = buildStixBundle(exported, indicatorsOf(exported, benignIds(triage)), { tlp, producer });
  downloadBlob(new Blob([JSON.stringify(bundle, null, 2) + '\n'], { type: 'application/json' }), exportFileName(`stix-tlp-${tlp}`, 'json'));
}

export async function downloadIndicatorsCsv(workbench: Workbench, triage: readonly TriageEntry[]): Promise<void> {
  const csv = indicatorsCsv(indicatorsOf(await exportedFindings(workbench), benignIds(triage)));
  downloadBlob(new Blob([csv], { type: 'text/csv;charset=utf-8' }), exportFileName('indicators', 'csv'));
}

/** Findings the header's timeline covers: the top ones, so the file stays one an analyst can load. */
const TIMELINE_TOP_FINDINGS = 10;

/** A Timesketch JSON-lines timeline of the given findings' events (by default the top-ranked ones). */
export async function downloadTimeline(
  workbench: Workbench,
  findings: readonly Finding[] = workbench.findings.slice(0, TIMELINE_TOP_FINDINGS),
  what = 'timeline',
): Promise<void> {
  const jsonl = await timelineJsonl(engineOf(workbench), findings);
  downloadBlob(new Blob([jsonl], { type: 'application/x-ndjson' }), exportFileName(what, 'jsonl'));
}

/** Settings, context, triage and source summaries of the workbench, as a workspace stores them. */
export function workspaceState(workbench: Workbench, triage: readonly TriageEntry[]): WorkspaceState {
  return {
    settings: { params: workbench.params, window: workbench.window, utcOffsetMinutes: workbench.utcOffsetMinutes },
    context: { catalog: workbench.catalog, inventories: workbench.inventories, policy: workbench.policy },
    triage: [...triage],
    // The sniffed head only serves re-mapping a file, which needs the file itself.
    sources: workbench.sources.map(({ head: _head, ...summary }) => summary),
  };
}

/** The whole session as .rwz bytes. */
export async function workspaceBlob(workbench: Workbench, triage: readonly TriageEntry[]): Promise<Blob> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  await saveWorkspace(wasmWorkspaceEngine(engineOf(workbench)), workspaceState(workbench, triage), (chunk) => void chunks.push(new Uint8Array(chunk)), {
    toolVersion: TOOL_VERSION,
  });
  return new Blob(chunks, { type: 'application/zip' });
}

export async function downloadWorkspace(workbench: Workbench, triage: readonly TriageEntry[]): Promise<void> {
  downloadBlob(await workspaceBlob(workbench, triage), exportFileName('workspace', 'rwz'));
}

/**
 * Opens a workspace into the workbench: a file that fails the checks is refused (thrown) with everything loaded
 * left as it was; otherwise the tables are replaced, settings, context and triage restored, and detection re-run.
 */
export async function openWorkspaceInto(
  workbench: Workbench,
  bytes: Uint8Array,
  restoreTriage: (entries: TriageEntry[]) => Promise<void>,
  newerState: string | null = null,
): Promise<void> {
  const engine = engineOf(workbench);
  const checked = readWorkspace(bytes);
  // A resumed session's settings, context and triage saved after its workspace; the data (and its sources) are the workspace's.
  if (newerState !== null) checked.state = { ...checkStateJson(newerState), sources: checked.state.sources };
  workbench.status = 'ingesting';
  workbench.statusText = 'Opening workspace…';
  workbench.error = null;
  try {
    const state = await restoreWorkspace(wasmWorkspaceEngine(engine), bytes, checked);
    workbench.sources = state.sources;
    workbench.utcOffsetMinutes = state.settings.utcOffsetMinutes;
    workbench.params = state.settings.params;
    workbench.window = state.settings.window;
    workbench.catalog = state.context.catalog;
    workbench.inventories = state.context.inventories;
    workbench.policy = state.context.policy;
    workbench.detection = null;
    workbench.findings = [];
    await restoreTriage(state.triage);
    await workbench.analyze();
    // analyze() skips a workspace with no loaded rows; the table list must still show what was opened.
    await workbench.refreshTables();
  } catch (error) {
    workbench.status = 'error';
    workbench.error = `The workspace could not be opened: ${error instanceof Error ? error.message : String(error)}`;
    workbench.statusText = 'Something went wrong';
  }
}
